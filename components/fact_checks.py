"""The planner's checks that need facts: gateways, address overlaps, existing peerings and peering limits.

:class:`FactChecks` runs them over the planned peerings of a resolved topology; where a vnet's facts are missing it
lists the check as deferred instead (ARM still enforces it at apply time). See docs/planner.md, "With facts".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from pulumi_azure_peering.provider.errors import ONE_REMOTE_GATEWAY_QUOTED

from .address_overlap import IpNetwork, describe_overlap, overlapping_pairs, overlaps
from .fact_index import (
    ExistingIndex,
    FactIndex,
    existing_peerings,
    existing_remote_prefixes,
    parse_networks,
    subnet_table,
)
from .peering_names import name_override_field, spoke_to_hub_key
from .plan_findings import Findings, field_path
from .plan_types import PlannedPeering
from .spec_checks import ResolvedSpec, ResolvedSpoke
from .topology import MAX_PEERINGS_PER_VNET, VnetFacts, VnetRef, parse_vnet_id, vnet_key


def _side_prefixes(
    s: ResolvedSpoke,
    vnet: VnetRef,
    facts: VnetFacts | None,
    names: tuple[str, ...],
    side: Literal["hub", "spoke"],
    idx: FactIndex,
    c: Findings,
) -> list[IpNetwork] | None:
    """Prefixes one side of a hub/spoke link exposes: the vnet's space, or the chosen subnets' prefixes.

    Reports unknown subnet names (and, for IPv6-only links, subnets without IPv6) as errors. ``None`` when the
    vnet's facts are missing.
    """
    if facts is None:
        return None
    if s.link == "vnet":
        return parse_networks(facts.address_prefixes, f"vnet {vnet.name!r}", idx, c)
    attr = "hub_subnet_names" if side == "hub" else "local_subnet_names"
    table = subnet_table(facts)
    out: list[IpNetwork] = []
    for name in names:
        found = table.get(name.lower())
        if found is None:
            known = ", ".join(sorted(arm for arm, _ in table.values()))
            c.error(
                "UnknownSubnet",
                s.name,
                attr,
                f"subnet {name!r} does not exist in the {side} vnet {vnet.name!r} "
                + (f"(its subnets: {known})" if known else "(it has no subnets)"),
                f"use one of those names in {field_path(s.name, attr)}"
                if known
                else f"create the subnet first, or set {field_path(s.name, 'link')}='vnet'",
            )
            continue
        nets = parse_networks(found[1], f"subnet {found[0]!r} of vnet {vnet.name!r}", idx, c)
        if s.link == "ipv6":
            nets = [n for n in nets if n.version == 6]
            if not nets:
                c.error(
                    "SubnetHasNoIpv6",
                    s.name,
                    attr,
                    f"subnet {found[0]!r} of the {side} vnet {vnet.name!r} has no IPv6 prefix, so link='ipv6' "
                    "would peer nothing there",
                    "add an IPv6 prefix to the subnet (dual stack), pick dual-stack subnets, or use link='subnets'",
                )
        out.extend(nets)
    return out


@dataclass(frozen=True)
class _Peer:
    """A vnet peered (or about to be) with some vnet V, and the prefixes it exposes to V."""

    vnet_key: str
    label: str
    spoke: str | None
    prefixes: list[IpNetwork] | None
    mesh_spoke: str | None = None
    """Set when the peering with V is a mesh peering (of this spoke): leaving the mesh is then a fix."""


class FactChecks:
    """The fact checks of one plan: :meth:`run` reports through the findings and may add dependency edges to
    :attr:`peerings` (a Disconnected peering before its reverse)."""

    def __init__(self, r: ResolvedSpec, peerings: list[PlannedPeering], idx: FactIndex, c: Findings) -> None:
        assert r.hub is not None
        self.r = r
        self.hub: VnetRef = r.hub
        self.peerings = peerings
        self.idx = idx
        self.c = c
        self.hub_facts = idx.get(self.hub)
        self.wait_for_hub_gateway = False
        self.waiting_for_gateway: list[str] = []
        """Spokes whose side waits for the hub's gateway, still provisioning (one warning names them all)."""
        self.reported_pairs: set[frozenset[str]] = set()
        self.spoke_by_key = {s.vnet.key: s for s in r.spokes}
        self.deferred_seen: set[tuple[str, str]] = set()

    def defer(self, check: str, spoke: str | None, vnet: VnetRef, why: str = "no facts for it") -> None:
        if (check, vnet.key) in self.deferred_seen:
            return
        self.deferred_seen.add((check, vnet.key))
        # One entry per (check, vnet); a hub-level entry concerns every spoke, so it names none.
        self.c.defer(check, None if vnet.key == self.hub.key else spoke, vnet, why)

    def run(self) -> None:
        hub_sides: dict[str, list[IpNetwork] | None] = {}
        spoke_sides: dict[str, list[IpNetwork] | None] = {}
        for s in self.r.spokes:
            sf = self.idx.get(s.vnet)
            hub_sides[s.name] = _side_prefixes(s, self.hub, self.hub_facts, s.hub_subnets, "hub", self.idx, self.c)
            spoke_sides[s.name] = _side_prefixes(s, s.vnet, sf, s.local_subnets, "spoke", self.idx, self.c)
            if s.link != "vnet":
                if self.hub_facts is None:
                    self.defer("subnets", s.name, self.hub)
                if sf is None:
                    self.defer("subnets", s.name, s.vnet)
            self.check_gateways(s, sf)
        self.warn_waiting_for_hub_gateway()
        # Order matters only for which message a pair of vnets gets (each pair is reported once): the most
        # fundamental one first, so that following a fix never reveals a second error about the same pair.
        self.check_hub_spoke_overlaps(hub_sides, spoke_sides)
        self.check_peers_of_hub(spoke_sides)
        self.check_mesh_overlaps()
        self.check_peers_of_spokes(hub_sides)
        self.check_existing_peerings()
        self.check_peering_limits()

    # Gateways ----------------------------------------------------------------------------------------------

    def warn_waiting_for_hub_gateway(self) -> None:
        """One warning, on the first spoke, naming every spoke whose side waits for the hub's gateway."""
        if not self.waiting_for_gateway:
            return
        names = ", ".join(repr(name) for name in self.waiting_for_gateway)
        self.c.warn(
            "WaitingForHubGateway",
            self.waiting_for_gateway[0],
            "use_hub_gateway",
            f"the hub vnet {self.hub.name!r} gateway is still provisioning; the spoke side"
            f"{'s' if len(self.waiting_for_gateway) > 1 else ''} of {names} that use"
            f"{'' if len(self.waiting_for_gateway) > 1 else 's'} it "
            f"{'are' if len(self.waiting_for_gateway) > 1 else 'is'} created once it has succeeded",
        )

    def check_gateways(self, s: ResolvedSpoke, sf: VnetFacts | None) -> None:
        if s.spec.use_hub_gateway is not True:
            return
        hub_state = self.hub_facts.gateway if self.hub_facts is not None else None
        if hub_state is None:
            self.defer("hub_gateway", s.name, self.hub, "no facts for it")
            self.wait_for_hub_gateway = True
        elif hub_state == "provisioning":
            self.waiting_for_gateway.append(s.name)
            self.wait_for_hub_gateway = True
        elif hub_state in ("none", "failed"):
            problem = (
                f"use_hub_gateway is set but the hub vnet {self.hub.name!r} has no virtual network gateway "
                "(ARM: RemoteVnetHasNoGateways)"
                if hub_state == "none"
                else f"use_hub_gateway is set but the hub vnet {self.hub.name!r} gateway is in Failed state"
            )
            fix = (
                "deploy a VPN or ExpressRoute gateway in the hub first"
                if hub_state == "none"
                else "repair (reset or redeploy) the hub gateway"
            )
            self.c.error(
                "HubHasNoGateway",
                s.name,
                "use_hub_gateway",
                problem,
                f"{fix}, or set {field_path(s.name, 'use_hub_gateway')}=False",
            )

        if sf is None:
            self.defer("spoke_gateway", s.name, s.vnet)
            self.defer("remote_gateways", s.name, s.vnet)
            return
        if sf.gateway != "none":
            state = sf.gateway
            self.c.error(
                "SpokeHasOwnGateway",
                s.name,
                "use_hub_gateway",
                f"use_hub_gateway is set but the spoke vnet {s.vnet.name!r} has its own gateway (state {state}); "
                "ARM refuses useRemoteGateways on a vnet with a gateway",
                f"set {field_path(s.name, 'use_hub_gateway')}=False, or remove the spoke's gateway",
            )
        planned_name = self.planned(spoke_to_hub_key(s.name)).name.lower()
        for e in existing_peerings(sf):
            if e.use_remote_gateways is not True:
                continue
            same = e.name.lower() == planned_name
            if same:
                continue
            if vnet_key(e.remote_virtual_network_id) == self.hub.key:
                # Another peering of the same pair (this spoke's own peering under its previous name, replaced
                # delete-first): ARM keeps one link between two vnets, so it goes before the planned one exists,
                # gateway and all. Someone else's is AnotherPeeringToSameVnet, refused by the peering's own check.
                continue
            other_hub = (e.remote_virtual_network_id or "").rstrip("/").rsplit("/", 1)[-1]
            flag = field_path(s.name, "use_hub_gateway")
            self.c.error(
                "RemoteGatewayAlreadyUsed",
                s.name,
                "use_hub_gateway",
                f"the spoke vnet {s.vnet.name!r} already uses the gateway of vnet {other_hub!r} through its peering "
                f"{e.name!r}, and ARM lets only one peering per vnet use remote gateways "
                f"({ONE_REMOTE_GATEWAY_QUOTED})",
                f"to move the spoke's gateway transit to hub {self.hub.name!r}, take two updates: first apply with "
                f"{flag}=False while {e.name!r} loses useRemoteGateways (its own hub's use_hub_gateway=False, or the "
                f"spoke removed from that hub: both can be in the same update), then set {flag}=True and apply "
                f"again. Or keep {flag}=False",
            )

    def planned(self, key: str) -> PlannedPeering:
        for p in self.peerings:
            if p.key == key:
                return p
        raise KeyError(key)

    # Address overlap -----------------------------------------------------------------------------------------

    def report_overlap(self, a_key: str, b_key: str, code: str, spoke: str, attr: str, problem: str, fix: str) -> None:
        pair = frozenset((a_key, b_key))
        if pair in self.reported_pairs:
            return
        self.reported_pairs.add(pair)
        self.c.error(code, spoke, attr, problem, fix)

    def check_hub_spoke_overlaps(
        self, hub_sides: Mapping[str, list[IpNetwork] | None], spoke_sides: Mapping[str, list[IpNetwork] | None]
    ) -> None:
        for s in self.r.spokes:
            h, p = hub_sides[s.name], spoke_sides[s.name]
            if h is None or p is None:
                if h is None:
                    self.defer("address_overlap", s.name, self.hub)
                if p is None:
                    self.defer("address_overlap", s.name, s.vnet)
                continue
            pairs = overlaps(p, h)
            if pairs:
                attr = "vnet_id" if s.link == "vnet" else "local_subnet_names"
                fix = (
                    "give the spoke an address space disjoint from the hub's, or set link='subnets' and peer only "
                    "subnets that do not overlap"
                    if s.link == "vnet"
                    else "choose subnets whose prefixes do not overlap"
                )
                self.report_overlap(
                    s.vnet.key,
                    self.hub.key,
                    "AddressSpaceOverlap",
                    s.name,
                    attr,
                    f"spoke vnet {s.vnet.name!r} and hub vnet {self.hub.name!r} overlap ({describe_overlap(pairs)}); "
                    "ARM refuses to peer them (VnetAddressSpacesOverlap)",
                    fix,
                )

    def check_mesh_overlaps(self) -> None:
        meshed = [s for s in self.r.spokes if s.joins_mesh]
        for i, a in enumerate(meshed):
            for b in meshed[i + 1 :]:
                af, bf = self.idx.get(a.vnet), self.idx.get(b.vnet)
                if af is None or bf is None:
                    for missing, mf in ((a, af), (b, bf)):
                        if mf is None:
                            self.defer("address_overlap", missing.name, missing.vnet)
                    continue
                an = parse_networks(af.address_prefixes, f"vnet {a.vnet.name!r}", self.idx, self.c)
                bn = parse_networks(bf.address_prefixes, f"vnet {b.vnet.name!r}", self.idx, self.c)
                pairs = overlaps(bn, an)
                if pairs:
                    self.report_overlap(
                        a.vnet.key,
                        b.vnet.key,
                        "MeshAddressSpaceOverlap",
                        b.name,
                        "vnet_id",
                        f"spokes {a.name!r} and {b.name!r} are to be meshed but their address spaces overlap "
                        f"({describe_overlap(pairs)}); ARM refuses to peer them (VnetAddressSpacesOverlap)",
                        f"give them disjoint address spaces, or set join_mesh=False on spoke {b.name!r} or {a.name!r}",
                    )

    def check_peer_set(self, owner: VnetRef, owner_label: str, peers: Sequence[_Peer]) -> None:
        """All vnets peered with ``owner`` must be pairwise disjoint (VnetAddressSpaceOverlapsWithAlreadyPeeredVnet).
        Only the pairs that do overlap are visited (:func:`overlapping_pairs`): a hub's 500 spokes are not 125,000
        comparisons. Reported in the order of ``peers``, as a pairwise loop would."""
        for i, j in overlapping_pairs([p.prefixes for p in peers]):
            a, b = peers[i], peers[j]
            if a.spoke is None and b.spoke is None:
                continue  # both already peered outside this plan: not ours to judge
            pairs = overlaps(b.prefixes or [], a.prefixes or [])
            if pairs:
                blamed = b if b.spoke is not None else a
                other = a if blamed is b else b
                assert blamed.spoke is not None
                fix = (
                    f"make the address spaces of {blamed.label} and {other.label} disjoint, or peer only "
                    "non-overlapping subnets (link='subnets')"
                )
                if other.spoke is None:
                    fix += f", or remove the existing peering to {other.label}"
                mesh_spokes = sorted(x.mesh_spoke for x in (a, b) if x.mesh_spoke is not None)
                if mesh_spokes:
                    fix += f", or set join_mesh=False on spoke {mesh_spokes[0]!r}"
                self.report_overlap(
                    a.vnet_key,
                    b.vnet_key,
                    "OverlapsWithPeeredVnet",
                    blamed.spoke,
                    "vnet_id",
                    f"{blamed.label} and {other.label} overlap ({describe_overlap(pairs)}) and both are (to be) "
                    f"peered with {owner_label}; ARM refuses the second peering "
                    "(VnetAddressSpaceOverlapsWithAlreadyPeeredVnet)",
                    fix,
                )

    def external_peers(self, vnet: VnetRef, facts: VnetFacts | None, partners: set[str]) -> list[_Peer]:
        out: list[_Peer] = []
        for e in existing_peerings(facts):
            where = f"the vnet peered with {vnet.name!r} through {e.name!r}"
            key, prefixes = existing_remote_prefixes(e, self.idx, self.c, where)
            if key is None or key in partners:
                continue
            if prefixes is None:
                remote = parse_vnet_id(e.remote_virtual_network_id)
                self.defer("address_overlap", None, remote, f"no facts for the vnet peered with {vnet.name!r}")
            out.append(_Peer(key, f"vnet {key.rsplit('/', 1)[-1]!r} (peering {e.name!r})", None, prefixes))
        return out

    def check_peers_of_hub(self, spoke_sides: Mapping[str, list[IpNetwork] | None]) -> None:
        peers = [_Peer(s.vnet.key, f"spoke {s.name!r}", s.name, spoke_sides[s.name]) for s in self.r.spokes]
        peers += self.external_peers(self.hub, self.hub_facts, set(self.spoke_by_key))
        self.check_peer_set(self.hub, f"the hub vnet {self.hub.name!r}", peers)

    def check_peers_of_spokes(self, hub_sides: Mapping[str, list[IpNetwork] | None]) -> None:
        meshed = [s for s in self.r.spokes if s.joins_mesh]
        for s in self.r.spokes:
            sf = self.idx.get(s.vnet)
            peers = [_Peer(self.hub.key, f"the hub vnet {self.hub.name!r}", s.name, hub_sides[s.name])]
            partners = {self.hub.key}
            if s.joins_mesh:
                for m in meshed:
                    if m is s:
                        continue
                    mf = self.idx.get(m.vnet)
                    nets = (
                        None
                        if mf is None
                        else parse_networks(mf.address_prefixes, f"vnet {m.vnet.name!r}", self.idx, self.c)
                    )
                    peers.append(_Peer(m.vnet.key, f"spoke {m.name!r}", m.name, nets, mesh_spoke=m.name))
                    partners.add(m.vnet.key)
            peers += self.external_peers(s.vnet, sf, partners)
            self.check_peer_set(s.vnet, f"spoke {s.name!r}", peers)

    # Existing peerings and limits ----------------------------------------------------------------------------

    def check_existing_peerings(self) -> None:
        by_key = {p.key: p for p in self.peerings}
        existing: dict[str, ExistingIndex] = {}
        disconnected: list[PlannedPeering] = []
        adopted: dict[str, str] = {}  # key -> the ARM id of the existing peering it adopts
        for p in self.peerings:
            local = parse_vnet_id(p.local_vnet_id)
            facts = self.idx.get(local)
            if facts is None:
                self.defer("peering_names", p.spoke, local)
                continue
            index = existing.get(local.key)
            if index is None:
                index = existing[local.key] = ExistingIndex.of(facts)
            remote_key = p.remote_vnet_id.lower()
            by_name = index.by_name.get(p.name.lower())
            attr = name_override_field(p)
            if by_name is not None:
                e_remote = vnet_key(by_name.remote_virtual_network_id)
                if e_remote != remote_key:
                    self.c.error(
                        "PeeringNameTaken",
                        p.spoke,
                        attr,
                        f"vnet {local.name!r} already has a peering named {p.name!r} pointing to another vnet "
                        f"({by_name.remote_virtual_network_id!r}); ARM cannot change a peering's remote vnet "
                        "(ChangingRemoteVirtualNetworkNotAllowed)",
                        f"set {field_path(p.spoke, attr)} to another name (or delete that peering)"
                        if attr
                        else f"rename spoke {p.spoke!r} or delete the existing peering {p.name!r}",
                    )
                    continue
                if p.adopt_existing and by_name.id:
                    adopted[p.key] = by_name.id
                if str(by_name.peering_state or "").lower() == "disconnected":
                    disconnected.append(p)
                    self.c.warn(
                        "DisconnectedPeering",
                        p.spoke,
                        attr,
                        f"peering {p.name!r} of vnet {local.name!r} is Disconnected; it is written again before "
                        "its reverse so that ARM accepts the pair (RemotePeeringIsDisconnected)",
                    )
            elif p.adopt_existing:
                self.c.warn(
                    "NothingToAdopt",
                    p.spoke,
                    "adopt_existing",
                    f"adopt_existing is set but vnet {local.name!r} has no peering named {p.name!r}; it is created",
                )
            for e in index.by_remote.get(remote_key, ()):
                if e.name.lower() != p.name.lower():
                    self.c.warn(
                        "AnotherPeeringToSameVnet",
                        p.spoke,
                        attr or "",
                        f"vnet {local.name!r} already has peering {e.name!r} to the same remote vnet; ARM allows one "
                        f"link between two vnets (AnotherPeeringAlreadyReferencesRemoteVnet), so creating {p.name!r} "
                        f"fails unless {e.name!r} is removed first; to keep it, set "
                        f"{field_path(p.spoke, attr or 'hub_peering_name')}={e.name!r} and adopt_existing=True",
                    )
        # A Disconnected peering must be written again before its reverse is created or updated.
        disconnected_keys = {p.key for p in disconnected}
        updated: dict[str, PlannedPeering] = {
            key: replace(by_key[key], existing_id=found) for key, found in adopted.items()
        }
        for p in disconnected:
            reverse = self.reverse_of(p)
            if reverse is None:
                continue
            if reverse.key in disconnected_keys:
                # Neither side can be written while the other is Disconnected: one has to be re-created.
                if p.key < reverse.key:
                    self.c.warn(
                        "BothSidesDisconnected",
                        p.spoke,
                        name_override_field(p),
                        f"peerings {p.name!r} and {reverse.name!r} are both Disconnected; ARM refuses to update "
                        "either (RemotePeeringIsDisconnected) until one of them is deleted and created again",
                    )
                continue
            if reverse.key in by_key[p.key].depends_on_keys:
                continue  # would be a cycle (a gateway-transit edge already points the other way)
            current = updated.get(reverse.key, reverse)
            if p.key in current.depends_on_keys:
                continue  # the gateway-transit edge already orders them this way
            updated[reverse.key] = _with_dependency(current, p.key)
        if updated:
            self.peerings[:] = [updated.get(p.key, p) for p in self.peerings]

    def reverse_of(self, p: PlannedPeering) -> PlannedPeering | None:
        for q in self.peerings:
            if q.local_vnet_id == p.remote_vnet_id and q.remote_vnet_id == p.local_vnet_id:
                return q
        return None

    def check_peering_limits(self) -> None:
        vnets: dict[str, tuple[VnetRef, str | None]] = {self.hub.key: (self.hub, None)}
        for s in self.r.spokes:
            vnets[s.vnet.key] = (s.vnet, s.name)
        planned_by_vnet: dict[str, list[PlannedPeering]] = {}
        for p in self.peerings:
            planned_by_vnet.setdefault(p.local_vnet_id.lower(), []).append(p)
        for key, (vnet, spoke) in vnets.items():
            planned = planned_by_vnet.get(key, [])
            names = {p.name.lower() for p in planned}
            facts = self.idx.get(vnet)
            if facts is None:
                self.defer("peering_limit", spoke, vnet)
                unmanaged = 0
            else:
                listed = existing_peerings(facts)
                unmanaged = sum(1 for e in listed if e.name.lower() not in names)
                total = facts.peering_count
                if isinstance(total, int) and not isinstance(total, bool) and total > len(listed):
                    unmanaged += total - len(listed)
            count = len(planned) + unmanaged
            if count <= MAX_PEERINGS_PER_VNET:
                continue
            where = f"the hub vnet {vnet.name!r}" if spoke is None else f"the spoke vnet {vnet.name!r}"
            self.c.error(
                "TooManyPeerings",
                spoke,
                "spokes" if spoke is None else "",
                f"{where} would have {count} peerings ({len(planned)} planned, {unmanaged} others); ARM allows "
                f"{MAX_PEERINGS_PER_VNET} per vnet",
                "split the spokes across hubs or remove unused peerings"
                if spoke is None
                else f"set join_mesh=False on spoke {spoke!r} or remove unused peerings of its vnet",
            )


def _with_dependency(p: PlannedPeering, key: str) -> PlannedPeering:
    return replace(p, depends_on_keys=(*p.depends_on_keys, key))
