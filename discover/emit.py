"""``azure-peering discover --emit-project DIR``: a Pulumi project that adopts what discover found.

The program is Pulumi YAML against the ``azure-peering`` package (the provider plugin
``pulumi-resource-azure-peering``, docs/package.md): the package's ``HubSpokePeering`` has the engine *import* the
peerings it adopts (:attr:`~pulumi_azure_peering.components.plan_types.PlannedPeering.existing_id`), which a Python
program's dynamic resources cannot (pulumi/pulumi#16175). So the project's first ``pulumi preview`` shows each
existing peering as ``= import`` (read, recorded, not written), followed by ``~ update`` only where the declaration
repairs it, and ``+ create`` only for a missing side; ``pulumi up`` writes exactly those (docs/adopting.md).

What it declares, from the pairs (:mod:`.pairs`) and findings (:mod:`.findings`):

- one ``HubSpokePeering`` per hub, with one spoke per vnet peered with that hub (keyed by the spoke vnet's name):
  the existing peerings' names, ``adoptExisting``, and each flag as today's, except where today's is wrong
  (a finding says so, or the two sides disagree): then the flag as it should be, and a comment says what changes;
- every other link (two vnets neither of which is a hub: a spoke-to-spoke link, a partner link) as its two
  ``VirtualNetworkPeering`` sides, an existing one imported (``options.import``), a missing one created;
- a comment block above each spoke and link with its status and every change from today's values; pairs it cannot
  adopt (a remote vnet that is gone or unreadable) are listed at the top, with the fix.

The stack config (``Pulumi.<stack>.yaml``) carries the partner tenants discover read with
(``azure-peering:auxiliaryTenantIds``). Pure: builds text from a :class:`~.report.Discovery`; :func:`write_project`
writes it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pulumi_azure_peering.components.peering_names import default_peering_name
from pulumi_azure_peering.provider.ids import vnet_key_or_text, vnet_name

from .pairs import Pair, Side
from .report import Discovery

_PLAIN = re.compile(r"[A-Za-z0-9/._][A-Za-z0-9/._-]*")
_YAML_WORDS = frozenset({"true", "false", "yes", "no", "on", "off", "null", "y", "n", "~"})


class EmitError(Exception):
    """The project cannot be written (the folder is not empty, ...): the message says why and what to do."""


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    if _PLAIN.fullmatch(text) and text.lower() not in _YAML_WORDS and not re.fullmatch(r"[0-9.]+", text):
        return text
    return json.dumps(text)


def _list(values: Iterable[str]) -> str:
    return "[" + ", ".join(_scalar(v) for v in values) + "]"


def _names(side: Side | None, attribute: str) -> tuple[str, ...]:
    if side is None:
        return ()
    return tuple(str(n) for n in side.properties.get(attribute) or [])


@dataclass
class _Entry:
    """One spoke or one link of the program: its YAML lines and the comment lines above them."""

    title: str
    comments: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)


def _today(side: Side | None, flag: str) -> bool | None:
    return None if side is None else side.flag(flag)


def _change(comments: list[str], side: Side | None, what: str, flag: str, wanted: bool, why: str = "") -> None:
    """Say that ``flag`` of ``side`` (the peering ``what``) changes to ``wanted``, if it exists and differs."""
    if side is not None and side.flag(flag) != wanted:
        comments.append(f"{what} {side.name}: {flag} {str(side.flag(flag)).lower()} -> {str(wanted).lower()}{why}")


def _status_lines(pair: Pair, local: str, remote: str) -> list[str]:
    lines = [f"{vnet_name(local)} <-> {vnet_name(remote)}: {pair.status}"]
    for vnet, side in ((local, pair.side_of(local)), (remote, pair.side_of(remote))):
        if side is None:
            lines.append(f"the side of {vnet_name(vnet)} is missing: created")
        elif side.state.lower() == "disconnected":
            lines.append(f"{side.name} of {vnet_name(vnet)} is Disconnected: written again (re-established)")
    for vnet in pair.needs_sync:
        lines.append(f"the side of {vnet_name(vnet)} has not synced a resized address space: synced")
    for extra in pair.extra_sides:
        lines.append(
            f"{extra.name} of {vnet_name(extra.vnet_id)} is a second link toward the same vnet: not adopted; "
            "delete it (ARM allows one link between two vnets)"
        )
    return lines


def _subnets_that_exist(found: Discovery, vnet: str, names: Sequence[str], comments: list[str], what: str) -> list[str]:
    facts = found.estate.facts(vnet)
    if facts is None:
        return list(names)
    have = {name.lower() for name in facts.subnets}
    kept = [n for n in names if n.lower() in have]
    gone = [n for n in names if n.lower() not in have]
    if gone:
        comments.append(f"{what}: subnet(s) {', '.join(gone)} no longer exist in {vnet_name(vnet)}: left out")
    return kept


class _Program:
    """Builds the YAML program of one discovery (see the module docstring)."""

    def __init__(self, found: Discovery) -> None:
        self.found = found
        self.hub_keys = [vnet_key_or_text(h) for h in found.hubs]
        self.gateway_of_spoke: dict[str, str] = {}  # spoke key -> the hub whose gateway it keeps using
        self.skipped: list[str] = []

    def usable(self, pair: Pair) -> bool:
        estate = self.found.estate
        for vnet in pair.vnets:
            key = vnet_key_or_text(vnet)
            if key in estate.missing:
                self.skipped.append(
                    f"{vnet_name(pair.other(vnet))} -> {vnet_name(vnet)}: {vnet_name(vnet)} no longer exists; "
                    "delete that peering (nothing to adopt)"
                )
                return False
            if estate.facts(vnet) is None:
                why = estate.unreadable.get(key, "not read")
                self.skipped.append(f"{vnet_name(vnet)} could not be read ({why}): its links are left out")
                return False
        return True

    def spoke_entry(self, hub: str, pair: Pair, spoke: str, key: str, hub_forwarded: bool) -> _Entry:
        hub_side, spoke_side = pair.side_of(hub), pair.side_of(spoke)
        entry = _Entry(key, _status_lines(pair, hub, spoke))
        comments = entry.comments
        facts = self.found.estate.facts(hub)
        spoke_facts = self.found.estate.facts(spoke)
        # Gateway transit: the spoke side's intent (useRemoteGateways; the hub side's transit when the spoke side is
        # missing), where the hub has a gateway, the spoke none of its own, and no other hub's gateway is in use
        if spoke_side is not None:
            wanted = spoke_side.flag("useRemoteGateways")
        else:
            wanted = hub_side is not None and hub_side.flag("allowGatewayTransit")
        transit = wanted
        if wanted and (facts is None or facts.gateway not in ("succeeded", "provisioning")):
            transit = False
            comments.append(f"{vnet_name(hub)} has no gateway: gateway transit is turned off")
        elif wanted and spoke_facts is not None and spoke_facts.gateways:
            transit = False
            comments.append(f"{vnet_name(spoke)} has a gateway of its own: it cannot use the hub's")
        elif wanted and (used := self.gateway_of_spoke.setdefault(vnet_key_or_text(spoke), hub)) != hub:
            transit = False
            comments.append(
                f"{vnet_name(spoke)} already uses the gateway of {vnet_name(used)}: one peering of a vnet may use "
                "remote gateways"
            )
        _change(comments, hub_side, "hub side", "allowGatewayTransit", transit)
        _change(comments, spoke_side, "spoke side", "useRemoteGateways", transit)
        _change(
            comments, spoke_side, "spoke side", "allowGatewayTransit", False, " (transit belongs on the hub's side)"
        )
        _change(comments, hub_side, "hub side", "useRemoteGateways", False)
        forwarded = spoke_side.flag("allowForwardedTraffic") if spoke_side is not None else True
        _change(comments, hub_side, "hub side", "allowForwardedTraffic", hub_forwarded, " (the hub's setting)")
        sides = [s for s in (hub_side, spoke_side) if s is not None]
        # one setting for both sides: off only where every existing side has it off
        access = any(s.flag("allowVirtualNetworkAccess") for s in sides) if sides else True
        for side, what in ((hub_side, "hub side"), (spoke_side, "spoke side")):
            _change(comments, side, what, "allowVirtualNetworkAccess", access)

        lines = [f"vnetId: {_scalar(spoke)}"]
        lines.append(
            "hubPeeringName: "
            + _scalar(hub_side.name if hub_side else default_peering_name(vnet_name(hub), vnet_name(spoke)))
        )
        lines.append(
            "spokePeeringName: "
            + _scalar(spoke_side.name if spoke_side else default_peering_name(vnet_name(spoke), vnet_name(hub)))
        )
        lines.append("adoptExisting: true")
        if transit:
            lines.append("useHubGateway: true")
        if not forwarded:
            lines.append("allowForwardedTraffic: false")
        if not access:
            lines.append("allowVirtualNetworkAccess: false")
        some = next(iter(sides), None)
        if some is not None and some.properties.get("peerCompleteVnets") is False:
            ipv6 = some.properties.get("enableOnlyIPv6Peering") is True
            spoke_names = _names(spoke_side, "localSubnetNames") or _names(hub_side, "remoteSubnetNames")
            hub_names = _names(hub_side, "localSubnetNames") or _names(spoke_side, "remoteSubnetNames")
            local = _subnets_that_exist(self.found, spoke, spoke_names, comments, "spoke subnets")
            remote = _subnets_that_exist(self.found, hub, hub_names, comments, "hub subnets")
            lines += [f"link: {'ipv6' if ipv6 else 'subnets'}", f"localSubnetNames: {_list(local)}"]
            lines.append(f"hubSubnetNames: {_list(remote)}")
        entry.lines = lines
        return entry

    def link_entries(self, pair: Pair) -> list[tuple[str, _Entry]]:
        """A link outside any hub: each side as a VirtualNetworkPeering (resource name -> entry)."""
        a, b = pair.vnets
        out: list[tuple[str, _Entry]] = []
        status = _status_lines(pair, a, b)
        present = [s for s in pair.sides if s is not None]
        access = any(s.flag("allowVirtualNetworkAccess") for s in present)
        for local, remote in ((a, b), (b, a)):
            side, reverse = pair.side_of(local), pair.side_of(remote)
            name = side.name if side is not None else default_peering_name(vnet_name(local), vnet_name(remote))
            entry = _Entry(f"{vnet_name(local)}.{name}", list(status) if local == a else [])
            comments = entry.comments
            lines = [
                "type: azure-peering:index:VirtualNetworkPeering",
                "properties:",
                f"  virtualNetworkId: {_scalar(local)}",
                f"  remoteVirtualNetworkId: {_scalar(remote)}",
                f"  name: {_scalar(name)}",
            ]
            if side is not None:
                lines.append("  adoptExisting: true")
            _change(comments, side, "side", "allowVirtualNetworkAccess", access)
            if not access:
                lines.append("  allowVirtualNetworkAccess: false")
            for flag in ("allowForwardedTraffic", "allowGatewayTransit", "useRemoteGateways"):
                if side is not None and side.flag(flag):
                    lines.append(f"  {flag}: true")
            source = side if side is not None else reverse
            if source is not None and source.properties.get("peerCompleteVnets") is False:
                mine = _names(side, "localSubnetNames") or _names(reverse, "remoteSubnetNames")
                theirs = _names(side, "remoteSubnetNames") or _names(reverse, "localSubnetNames")
                lines.append("  peerCompleteVnets: false")
                lines.append(
                    f"  localSubnetNames: {_list(_subnets_that_exist(self.found, local, mine, comments, name))}"
                )
                lines.append(
                    f"  remoteSubnetNames: {_list(_subnets_that_exist(self.found, remote, theirs, comments, name))}"
                )
                if source.properties.get("enableOnlyIPv6Peering") is True:
                    lines.append("  enableOnlyIpv6Peering: true")
            if side is not None:
                lines += ["options:", f"  import: {_scalar(side.id)}"]
            entry.lines = lines
            out.append((f"{vnet_name(local)}--{name}", entry))
        return out


def _indent(lines: Iterable[str], by: int) -> list[str]:
    return [" " * by + line for line in lines]


def _comment_block(lines: Iterable[str], by: int) -> list[str]:
    return [" " * by + "# " + line for line in lines]


def render_program(found: Discovery, project: str) -> str:
    """The project's ``Pulumi.yaml``: the YAML program (see the module docstring)."""
    program = _Program(found)
    pairs = [p for p in found.pairs if program.usable(p)]
    by_hub: dict[str, list[tuple[Pair, str]]] = {h: [] for h in found.hubs}
    links: list[Pair] = []
    hub_of = {vnet_key_or_text(h): h for h in found.hubs}
    for pair in pairs:
        a, b = pair.vnets
        if vnet_key_or_text(a) in hub_of and vnet_key_or_text(b) not in hub_of:
            by_hub[hub_of[vnet_key_or_text(a)]].append((pair, b))
        elif vnet_key_or_text(b) in hub_of and vnet_key_or_text(a) not in hub_of:
            by_hub[hub_of[vnet_key_or_text(b)]].append((pair, a))
        else:
            links.append(pair)

    out = [
        "# Written by `azure-peering discover --emit-project` from what ARM listed: the existing peerings adopted",
        "# under their names (the first `pulumi preview` shows them as `= import`: read, recorded, never written),",
        "# and only what is broken repaired (`~ update`, or `+ create` for a missing side). Every change from",
        "# today's values is listed in the comment above its spoke or link. docs/adopting.md.",
        f"name: {_scalar(project)}",
        "description: Peerings adopted by azure-peering discover",
        "runtime: yaml",
    ]
    for line in program.skipped:
        out.append(f"# not adopted: {line}")
    out.append("resources:")
    outputs: list[str] = []
    for hub, members in by_hub.items():
        if not members:
            continue
        hub_sides = [p.side_of(hub) for p, _ in members]
        forwarded_votes = [s.flag("allowForwardedTraffic") for s in hub_sides if s is not None]
        hub_forwarded = forwarded_votes.count(True) >= forwarded_votes.count(False) if forwarded_votes else True
        resource = _resource_name(f"hub-{vnet_name(hub)}")
        out += [f"  {resource}:", "    type: azure-peering:index:HubSpokePeering", "    properties:"]
        out.append(f"      hubVnetId: {_scalar(hub)}")
        if not hub_forwarded:
            out.append("      hubAllowForwardedTraffic: false")
        out.append("      spokes:")
        used: set[str] = set()
        for pair, spoke in sorted(members, key=lambda m: vnet_name(m[1]).lower()):
            key = _unique(_resource_name(vnet_name(spoke)), used)
            entry = program.spoke_entry(hub, pair, spoke, key, hub_forwarded)
            out += _comment_block(entry.comments, 8)
            out += [f"        {key}:", *_indent(entry.lines, 10)]
        outputs += [
            f"  {resource}Peerings: ${{{resource}.peerings}}",
            f"  {resource}Topology: ${{{resource}.topologyMermaid}}",
        ]
    for pair in links:
        for name, entry in program.link_entries(pair):
            out += _comment_block(entry.comments, 2)
            out += [f"  {_scalar(name)}:", *_indent(entry.lines, 4)]
    if outputs:
        out += ["outputs:", *outputs]
    return "\n".join(out) + "\n"


def render_stack_config(found: Discovery) -> str:
    """``Pulumi.<stack>.yaml``: the partner tenants discover read with; credentials stay in the environment."""
    lines = [
        "# Where ARM is and which identity to use come from the environment (az login, AZURE_*), as for discover;",
        "# or set azure-peering:tenantId / clientId / clientSecret (--secret) here. docs/provider.md, Settings.",
    ]
    tenants = list(found.estate.scope.auxiliary_tenant_ids)
    if tenants:
        lines += ["config:", f"  azure-peering:auxiliaryTenantIds: {json.dumps(tenants)}"]
    else:
        lines.append("config: {}")
    return "\n".join(lines) + "\n"


def _resource_name(text: str) -> str:
    name = re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-")
    return name or "vnet"


def _unique(name: str, used: set[str]) -> str:
    candidate, n = name, 2
    while candidate.lower() in used:
        candidate, n = f"{name}-{n}", n + 1
    used.add(candidate.lower())
    return candidate


def write_project(found: Discovery, folder: Path, *, stack: str = "dev") -> list[Path]:
    """Write the project into ``folder`` (created; refused when it holds files already). Returns what it wrote."""
    if folder.exists() and any(folder.iterdir()):
        raise EmitError(f"{folder} is not empty: give --emit-project a new or empty folder")
    folder.mkdir(parents=True, exist_ok=True)
    project = _resource_name(folder.resolve().name).lower() or "adopted-peerings"
    written = {
        folder / "Pulumi.yaml": render_program(found, project),
        folder / f"Pulumi.{stack}.yaml": render_stack_config(found),
    }
    for path, text in written.items():
        path.write_text(text, encoding="utf-8")
    return list(written)
