"""What is wrong in an estate, each finding with a code, the vnets, what ARM or a user would see, and the fix.

Pure: reads an :class:`~.estate.Estate` and its :class:`~.pairs.Pair`\\ s. The codes (docs/discover.md lists them):

====================================  ========  =================================================================
code                                  severity  when
====================================  ========  =================================================================
``PairOneSided``                      error     one side exists (``Initiated``), the reverse does not
``PairDisconnected``                  error     a side reads ``Disconnected``
``PairNotInSync``                     warning   a side has not synced the remote's resized address space
``RemoteVnetMissing``                 error     a peering's remote vnet no longer exists
``RemoteVnetUnreadable``              info      a remote vnet outside the scope could not be read
``UseRemoteGatewaysWithoutTransit``   error     ``useRemoteGateways`` while the reverse side does not allow transit
``UseRemoteGatewaysWithoutGateway``   error     ``useRemoteGateways`` toward a vnet without a ready gateway
``TransitOnSpokeSide``                warning   ``allowGatewayTransit`` on the side of a vnet with no gateway
``TwoRemoteGateways``                 error     a vnet uses the gateways of two remote vnets
``AddressSpaceOverlap``               error     two peered vnets, or two vnets peered to one vnet, overlap
``DuplicateLink``                     warning   a vnet has two peerings toward the same remote vnet
``MissingSubnet``                     error     a subnet peering names a subnet its vnet no longer has
====================================  ========  =================================================================
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final, Literal

from pulumi_azure_peering.components.address_overlap import IpNetwork, describe_overlap, overlapping_pairs, overlaps
from pulumi_azure_peering.provider.errors import ONE_REMOTE_GATEWAY_QUOTED
from pulumi_azure_peering.provider.facts import VnetFacts
from pulumi_azure_peering.provider.ids import vnet_key_or_text, vnet_name

from .estate import Estate
from .pairs import Pair, Side

Severity = Literal["error", "warning", "info"]

FINDING_CODES: Final[tuple[str, ...]] = (
    "PairOneSided",
    "PairDisconnected",
    "PairNotInSync",
    "RemoteVnetMissing",
    "RemoteVnetUnreadable",
    "UseRemoteGatewaysWithoutTransit",
    "UseRemoteGatewaysWithoutGateway",
    "TransitOnSpokeSide",
    "TwoRemoteGateways",
    "AddressSpaceOverlap",
    "DuplicateLink",
    "MissingSubnet",
)


@dataclass(frozen=True)
class Finding:
    code: str
    severity: Severity
    vnets: tuple[str, ...]
    """The vnet ids it is about, the vnet whose peering must change first."""
    message: str
    fix: str
    peering: str | None = None
    """The id of the peering it is about, when it is about one."""


def _networks(prefixes: Iterable[str]) -> list[IpNetwork]:
    nets: list[IpNetwork] = []
    for prefix in prefixes:
        try:
            nets.append(ipaddress.ip_network(prefix, strict=False))
        except ValueError:
            continue
    return nets


def _short(vnet_id: str) -> str:
    return vnet_name(vnet_id) or vnet_id


def find_problems(estate: Estate, pairs: Sequence[Pair], hubs: Sequence[str] = ()) -> list[Finding]:
    """Every finding of the estate, errors first, then by vnet."""
    found: list[Finding] = []
    for pair in pairs:
        found.extend(_pair_findings(estate, pair))
        found.extend(_gateway_findings(estate, pair, hubs))
        found.extend(_subnet_findings(estate, pair))
    found.extend(_two_remote_gateways(pairs))
    found.extend(_overlaps(estate, pairs))
    rank = {"error": 0, "warning": 1, "info": 2}
    return sorted(found, key=lambda f: (rank[f.severity], [v.lower() for v in f.vnets], f.code))


def _pair_findings(estate: Estate, pair: Pair) -> Iterable[Finding]:
    for vnet, side in zip(pair.vnets, pair.sides, strict=True):
        if side is None:
            continue
        remote = pair.other(vnet)
        if vnet_key_or_text(remote) in estate.missing:
            yield Finding(
                "RemoteVnetMissing",
                "error",
                (vnet, remote),
                f"peering {side.name!r} of {_short(vnet)} points at {remote}, which no longer exists",
                f"delete peering {side.name!r} of {_short(vnet)}, or re-create the remote vnet and write the peering "
                "again (a PUT brings a Disconnected side back to Initiated)",
                side.id,
            )
        elif vnet_key_or_text(remote) in estate.unreadable:
            yield Finding(
                "RemoteVnetUnreadable",
                "info",
                (vnet, remote),
                f"the remote vnet of peering {side.name!r} ({remote}) could not be read: "
                f"{estate.unreadable[vnet_key_or_text(remote)]}",
                "add its subscription to the scope, or its tenant with --auxiliary-tenant, to judge the pair from "
                "both sides",
                side.id,
            )
    if pair.status == "OneSided":
        (vnet, side) = next((v, s) for v, s in zip(pair.vnets, pair.sides, strict=True) if s is not None)
        other = pair.other(vnet)
        if vnet_key_or_text(other) not in estate.missing:
            yield Finding(
                "PairOneSided",
                "error",
                (other, vnet),
                f"{_short(vnet)} -> {_short(other)} exists ({side.name!r}, {side.state or 'no state'}); "
                f"{_short(other)} has no peering back, so no traffic flows",
                f"create the peering of {_short(other)} toward {_short(vnet)}",
                side.id,
            )
    elif pair.status == "Disconnected":
        for vnet, side in zip(pair.vnets, pair.sides, strict=True):
            if (
                side is not None
                and side.state.lower() == "disconnected"
                and vnet_key_or_text(pair.other(vnet)) not in (estate.missing)
            ):
                yield Finding(
                    "PairDisconnected",
                    "error",
                    (vnet, pair.other(vnet)),
                    f"peering {side.name!r} of {_short(vnet)} is Disconnected (its reverse was deleted, or "
                    f"{_short(pair.other(vnet))} was re-created)",
                    f"write peering {side.name!r} of {_short(vnet)} again (or delete it) first, then the reverse: "
                    "ARM refuses the reverse while this side is Disconnected (RemotePeeringIsDisconnected)",
                    side.id,
                )
    elif pair.status == "NotInSync":
        for vnet in pair.needs_sync:
            side = pair.side_of(vnet)
            assert side is not None
            yield Finding(
                "PairNotInSync",
                "warning",
                (vnet, pair.other(vnet)),
                f"peering {side.name!r} of {_short(vnet)} reads {side.sync_level}: {_short(pair.other(vnet))}'s "
                "address space changed and this side still peers the old one",
                f"write peering {side.name!r} of {_short(vnet)} with syncRemoteAddressSpace=true",
                side.id,
            )
    for extra in pair.extra_sides:
        kept = pair.side_of(extra.vnet_id)
        yield Finding(
            "DuplicateLink",
            "warning",
            (extra.vnet_id, pair.other(extra.vnet_id)),
            f"{_short(extra.vnet_id)} has two peerings toward {_short(pair.other(extra.vnet_id))}: "
            f"{kept.name if kept else '?'!r} and {extra.name!r} ({extra.state or 'no state'})",
            f"delete peering {extra.name!r} of {_short(extra.vnet_id)}",
            extra.id,
        )


def _gateway_findings(estate: Estate, pair: Pair, hubs: Sequence[str]) -> Iterable[Finding]:
    hub_keys = {vnet_key_or_text(h) for h in hubs}
    for vnet, side in zip(pair.vnets, pair.sides, strict=True):
        if side is None:
            continue
        remote = pair.other(vnet)
        reverse = pair.side_of(remote)
        remote_facts = estate.facts(remote)
        own_facts = estate.facts(vnet)
        if side.flag("useRemoteGateways"):
            if reverse is not None and not reverse.flag("allowGatewayTransit"):
                yield Finding(
                    "UseRemoteGatewaysWithoutTransit",
                    "error",
                    (remote, vnet),
                    f"peering {side.name!r} of {_short(vnet)} uses {_short(remote)}'s gateways, but "
                    f"{_short(remote)}'s side ({reverse.name!r}) does not allow gateway transit",
                    f"set allowGatewayTransit on peering {reverse.name!r} of {_short(remote)}, or turn "
                    f"useRemoteGateways off on {side.name!r}",
                    reverse.id,
                )
            if remote_facts is not None and not remote_facts.has_gateway:
                yield Finding(
                    "UseRemoteGatewaysWithoutGateway",
                    "error",
                    (vnet, remote),
                    f"peering {side.name!r} of {_short(vnet)} uses {_short(remote)}'s gateways, and "
                    f"{_short(remote)} has no ready gateway",
                    f"turn useRemoteGateways off on {side.name!r}, or give {_short(remote)} a gateway",
                    side.id,
                )
        if side.flag("allowGatewayTransit"):
            spoke_side = vnet_key_or_text(remote) in hub_keys and vnet_key_or_text(vnet) not in hub_keys
            no_gateway = own_facts is not None and not own_facts.gateways
            if spoke_side or no_gateway:
                why = f"{_short(remote)} is the hub" if spoke_side else f"{_short(vnet)} has no gateway"
                yield Finding(
                    "TransitOnSpokeSide",
                    "warning",
                    (vnet, remote),
                    f"peering {side.name!r} of {_short(vnet)} allows gateway transit, but {why}: the flag "
                    "belongs on the hub's side",
                    f"turn allowGatewayTransit off on {side.name!r}"
                    + (f" and on at {_short(remote)}'s side" if reverse is not None and spoke_side else ""),
                    side.id,
                )


def _subnet_findings(estate: Estate, pair: Pair) -> Iterable[Finding]:
    for vnet, side in zip(pair.vnets, pair.sides, strict=True):
        if side is None:
            continue
        checks = (("localSubnetNames", estate.facts(vnet)), ("remoteSubnetNames", estate.facts(pair.other(vnet))))
        for attribute, facts in checks:
            names = [str(n) for n in side.properties.get(attribute) or []]
            if not names or facts is None:
                continue
            have = {name.lower() for name in facts.subnets}
            gone = [name for name in names if name.lower() not in have]
            if gone:
                yield Finding(
                    "MissingSubnet",
                    "error",
                    (vnet, pair.other(vnet)),
                    f"peering {side.name!r} of {_short(vnet)} links subnet(s) {', '.join(gone)} ({attribute}), "
                    f"which {_short(facts.id)} no longer has",
                    f"write peering {side.name!r} with the subnets that exist, or re-create the subnets",
                    side.id,
                )


def _two_remote_gateways(pairs: Sequence[Pair]) -> Iterable[Finding]:
    using: dict[str, list[tuple[Side, str]]] = {}
    for pair in pairs:
        for vnet, side in zip(pair.vnets, pair.sides, strict=True):
            if side is not None and side.flag("useRemoteGateways"):
                using.setdefault(vnet_key_or_text(vnet), []).append((side, pair.other(vnet)))
    for entries in using.values():
        if len(entries) > 1:
            vnet = entries[0][0].vnet_id
            remotes = [remote for _, remote in entries]
            yield Finding(
                "TwoRemoteGateways",
                "error",
                (vnet, *remotes),
                f"{_short(vnet)} uses the gateways of {len(remotes)} vnets ("
                + ", ".join(f"{side.name!r} -> {_short(remote)}" for side, remote in entries)
                + f"); ARM lets one peering of a vnet use remote gateways ({ONE_REMOTE_GATEWAY_QUOTED})",
                "keep useRemoteGateways on the peering toward the hub whose gateway this vnet should use, off on "
                "the others",
                entries[0][0].id,
            )


def _overlaps(estate: Estate, pairs: Sequence[Pair]) -> Iterable[Finding]:
    def space(vnet_id: str) -> VnetFacts | None:
        return estate.facts(vnet_id)

    for pair in pairs:
        fa, fb = space(pair.vnets[0]), space(pair.vnets[1])
        if fa is None or fb is None:
            continue
        hits = overlaps(_networks(fa.address_prefixes), _networks(fb.address_prefixes))
        if hits:
            yield Finding(
                "AddressSpaceOverlap",
                "error",
                pair.vnets,
                f"{_short(pair.vnets[0])} and {_short(pair.vnets[1])} are peered and overlap: {describe_overlap(hits)}",
                "re-address one of the vnets: ARM refuses to peer overlapping spaces (VnetAddressSpacesOverlap)",
            )
    # Vnets peered to the same vnet must not overlap each other (VnetAddressSpaceOverlapsWithAlreadyPeeredVnet).
    neighbours: dict[str, list[str]] = {}
    for pair in pairs:
        a, b = pair.vnets
        neighbours.setdefault(vnet_key_or_text(a), []).append(b)
        neighbours.setdefault(vnet_key_or_text(b), []).append(a)
    for center, around in sorted(neighbours.items()):
        facts = [space(v) for v in around]
        readable = [(v, f) for v, f in zip(around, facts, strict=True) if f is not None]
        for i, j in overlapping_pairs([_networks(f.address_prefixes) for _, f in readable]):
            (vi, fi), (vj, fj) = readable[i], readable[j]
            hits = overlaps(_networks(fi.address_prefixes), _networks(fj.address_prefixes))
            center_id = estate.vnets[center].id if center in estate.vnets else center
            yield Finding(
                "AddressSpaceOverlap",
                "error",
                (vi, vj, center_id),
                f"{_short(vi)} and {_short(vj)} are both peered to {_short(center_id)} and overlap: "
                f"{describe_overlap(hits)}",
                f"re-address one of them: {_short(center_id)} cannot route to both "
                "(VnetAddressSpaceOverlapsWithAlreadyPeeredVnet)",
            )


def propose_hubs(estate: Estate, pairs: Sequence[Pair]) -> list[str]:
    """Vnets that look like hubs, best first: every vnet with a ready gateway and at least two peerings, by number
    of peerings; without any, the one vnet with the most peerings (at least two)."""
    count: dict[str, int] = {}
    for pair in pairs:
        for vnet in pair.vnets:
            count[vnet_key_or_text(vnet)] = count.get(vnet_key_or_text(vnet), 0) + 1
    candidates = [
        (facts.has_gateway, count.get(key, 0), facts.id)
        for key, facts in estate.vnets.items()
        if count.get(key, 0) >= 2
    ]
    candidates.sort(key=lambda c: (not c[0], -c[1], c[2].lower()))
    with_gateway = [c[2] for c in candidates if c[0]]
    return with_gateway or [c[2] for c in candidates[:1]]
