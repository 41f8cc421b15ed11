"""Domain rules of virtual network peering, as the real service applies them.

Pure functions over a read-only :class:`World`; they raise :class:`pulumi_azure_peering.emulator.errors.ArmError` and
never write.
The network service (:mod:`pulumi_azure_peering.emulator.services`) applies what they return.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Protocol

from . import errors, ids, netmath
from .models.common import SUCCEEDED
from .models.features import REGISTERED, SUBNET_PEERING_FEATURE
from .models.gateways import Gateway
from .models.peerings import (
    CONNECTED,
    DISCONNECTED,
    FULLY_IN_SYNC,
    INITIATED,
    LOCAL_AND_REMOTE_NOT_IN_SYNC,
    LOCAL_NOT_IN_SYNC,
    REMOTE_NOT_IN_SYNC,
    Peering,
    PeeringRequest,
    PeeringView,
)
from .models.virtual_networks import VirtualNetwork

MAX_PEERINGS_PER_VNET = 500
GATEWAY_SUBNET = "gatewaysubnet"

#: The peering refusals that can be answered late (``Settings.late_refusals``): a PUT that breaks one of these is
#: accepted (201/200 + Azure-AsyncOperation) and its operation ends Failed with the refusal, as real ARM has been seen
#: to do with VnetAddressSpaceOverlapsWithAlreadyPeeredVnet. They are the rules checked once the request has become
#: a peering; the others (malformed request, missing vnets, busy vnets, subnet names, the subscription feature) are
#: always a synchronous 400.
LATE_CAPABLE_CODES = (
    "RemotePeeringIsDisconnected",
    "VnetAddressSpacesOverlap",
    "VnetAddressSpaceOverlapsWithAlreadyPeeredVnet",
    "CannotUseRemoteGatewaysWhenVnetHasGateway",
    "OnlyOnePeeringCanUseRemoteGateways",
    "RemoteVnetHasNoGateways",
    "RemotePeeringDoesNotAllowGatewayTransit",
)


def late_refusal_codes(value: object) -> tuple[str, ...]:
    """The ``late_refusals`` setting from a list of codes or a comma-separated string (case-insensitive), in
    canonical casing; ValueError names a code that cannot be answered late."""
    if value is None:
        return ()
    if isinstance(value, str):
        items: list[object] = [v for v in value.split(",") if v.strip()]
    elif isinstance(value, list | tuple):
        items = list(value)
    else:
        raise ValueError("'late_refusals' must be a list of ARM codes or a comma-separated string")
    codes: list[str] = []
    for item in items:
        wanted = item.strip().lower() if isinstance(item, str) else None
        match = next((c for c in LATE_CAPABLE_CODES if c.lower() == wanted), None)
        if match is None:
            raise ValueError(
                f"late_refusals: {item!r} cannot be answered late; choose among {', '.join(LATE_CAPABLE_CODES)}"
            )
        if match not in codes:
            codes.append(match)
    return tuple(codes)


class World(Protocol):
    """Read access to current state, as the rules need it."""

    def vnet(self, key: str) -> VirtualNetwork | None: ...

    def peerings_of(self, vnet_key: str) -> list[Peering]: ...

    def peering_count(self, vnet_key: str) -> int:
        """How many peerings ``vnet_key`` has (``len(peerings_of(vnet_key))``)."""
        ...

    def peerings_to(self, vnet_key: str) -> list[Peering]:
        """The peerings whose remote vnet is ``vnet_key``, in creation order."""
        ...

    def peerings_between(self, vnet_key: str, remote_key: str) -> list[Peering]:
        """The peerings of ``vnet_key`` (in :meth:`peerings_of`'s order) whose remote vnet is ``remote_key``."""
        ...

    def peering_between(self, vnet_key: str, remote_key: str) -> Peering | None:
        """The first peering of ``vnet_key`` (in :meth:`peerings_of`'s order) whose remote vnet is ``remote_key``."""
        ...

    def peerings_using_remote_gateways(self, vnet_key: str) -> list[Peering]:
        """The peerings of ``vnet_key`` (in :meth:`peerings_of`'s order) with ``useRemoteGateways``."""
        ...

    def first_overlapping_partner(
        self, vnet_key: str, prefixes: Sequence[str], exclude_key: str
    ) -> tuple[str, list[str]] | None:
        """The first vnet linked to ``vnet_key`` by a peering in either direction, but ``exclude_key``, whose peered
        prefixes overlap one of ``prefixes``: (its id, its peered prefixes); None when there is none.

        A linked vnet's peered prefixes are those ``vnet_key``'s first peering to it last synced (``remote_synced``),
        else the local selection of its first peering to ``vnet_key`` (for as long as it exists). Disconnected
        peerings count: the service keeps their address space reserved. First: the vnets of ``vnet_key``'s own
        peerings (by the creation of its first peering to each), then the others (by the creation of their first
        peering to ``vnet_key``). See :mod:`pulumi_azure_peering.emulator.services.peered_spaces`, which answers
        without walking the linked vnets.
        """
        ...

    def gateways_of(self, vnet_key: str) -> list[Gateway]: ...

    def vnet_state(self, vnet: VirtualNetwork) -> tuple[str, str]:
        """(displayed provisioning state, name of the last/current operation)."""
        ...

    def gateway_state(self, gateway: Gateway) -> str: ...

    def feature_state(self, subscription_id: str, feature: str) -> str | None:
        """A subscription's registration state of a feature (``Namespace/Name``); None for an unknown feature."""
        ...


# --- address spaces ----------------------------------------------------------------------------------------------


def selection_prefixes(
    vnet: VirtualNetwork,
    *,
    complete: bool,
    subnet_names: Sequence[str] | None,
    prefixes: Sequence[str] | None,
    ipv6_only: bool,
) -> list[str]:
    """The prefixes of ``vnet`` that a peering link covers, IPv4 first then IPv6 (the service's order)."""
    if complete:
        chosen = list(vnet.address_prefixes)
    elif subnet_names:
        chosen = []
        for name in subnet_names:
            s = vnet.subnet(name)
            if s is not None:
                chosen.extend(s.address_prefixes)
    else:
        chosen = list(prefixes or [])
    if ipv6_only:
        chosen = [p for p in chosen if netmath.is_ipv6(p)]
    return netmath.ipv4_then_ipv6(chosen)


def local_selection(p: Peering, vnet: VirtualNetwork) -> list[str]:
    return selection_prefixes(
        vnet,
        complete=p.peer_complete_vnets,
        subnet_names=p.local_subnet_names,
        prefixes=p.local_prefixes,
        ipv6_only=p.enable_only_ipv6,
    )


def remote_selection(p: Peering, vnet: VirtualNetwork) -> list[str]:
    return selection_prefixes(
        vnet,
        complete=p.peer_complete_vnets,
        subnet_names=p.remote_subnet_names,
        prefixes=p.remote_prefixes,
        ipv6_only=p.enable_only_ipv6,
    )


def reverse_peering(world: World, p: Peering) -> Peering | None:
    """The peering of the remote vnet that points back at ``p``'s vnet."""
    return world.peering_between(ids.key(p.remote_vnet_id), ids.key(p.vnet_id))


def has_gateway(world: World, vnet_key: str) -> list[Gateway]:
    """Gateways that make the vnet "have a gateway": attached through GatewaySubnet and Succeeded."""
    return [g for g in world.gateways_of(vnet_key) if world.gateway_state(g) == SUCCEEDED]


def _same(a: Sequence[str], b: Sequence[str]) -> bool:
    return sorted(a) == sorted(b)


def view(world: World, p: Peering, provisioning_state: str) -> PeeringView:
    local = world.vnet(ids.key(p.vnet_id))
    remote = world.vnet(ids.key(p.remote_vnet_id))
    local_current = local_selection(p, local) if local is not None else list(p.local_synced)
    remote_current = remote_selection(p, remote) if remote is not None else list(p.remote_last_known)
    q = reverse_peering(world, p) if remote is not None else None
    if q is not None and local is not None:
        local_peered = list(q.remote_synced)
        remote_behind = not _same(q.remote_synced, remote_selection(q, local))
    elif p.peering_state == INITIATED:
        # The first side of a pair: real Azure reports the remote side as not in sync for as long as it does not
        # exist, from the create response on, through updates and syncs of this side (recorded traffic).
        local_peered = list(p.local_synced)
        remote_behind = True
    else:
        local_peered = list(p.local_synced)
        remote_behind = not _same(p.local_synced, local_current)
    local_behind = remote is not None and not _same(p.remote_synced, remote_current)
    if local_behind and remote_behind:
        level = LOCAL_AND_REMOTE_NOT_IN_SYNC
    elif local_behind:
        level = LOCAL_NOT_IN_SYNC
    elif remote_behind:
        level = REMOTE_NOT_IN_SYNC
    else:
        level = FULLY_IN_SYNC
    gateways: list[str] = []
    if p.use_remote_gateways and remote is not None:
        gateways = [g.id for g in has_gateway(world, ids.key(remote.id))]
    return PeeringView(
        provisioning_state=provisioning_state,
        sync_level=level,
        local_current=local_current,
        local_peered=local_peered,
        remote_current=remote_current,
        remote_bgp_communities=remote.bgp_communities() if remote is not None else None,
        remote_encryption=dict(remote.encryption) if remote is not None and remote.encryption else None,
        remote_gateways=gateways,
    )


# --- peering PUT -------------------------------------------------------------------------------------------------


@dataclass
class PeeringPlan:
    """What a valid peering PUT changes."""

    peering: Peering
    reverse: Peering | None  # the remote side's peering, to be marked Connected
    created: bool
    refusal: errors.ArmError | None = None  # answered late: the write's operation ends Failed with it


def _check_subnets(peering_id: str, vnet: VirtualNetwork, names: Sequence[str] | None) -> None:
    if not names:
        return
    missing = [n for n in names if vnet.subnet(n) is None]
    if missing:
        raise errors.subnet_not_found_for_subnet_peering(peering_id, vnet.id, missing)


def _check_subnet_peering_feature(world: World, local: VirtualNetwork) -> None:
    """Subnet peering needs the subscription feature Microsoft.Network/AllowMultiplePeeringLinksBetweenVnets.
    Whose subscription: the local vnet's, the one the peering is written in (a guess: see GUESSED_CODES)."""
    if world.feature_state(local.subscription_id, SUBNET_PEERING_FEATURE) != REGISTERED:
        raise errors.subscription_not_registered_for_feature(local.subscription_id, SUBNET_PEERING_FEATURE)


def _check_prefixes(peering_id: str, vnet: VirtualNetwork, prefixes: Sequence[str] | None) -> None:
    for prefix in prefixes or []:
        try:
            netmath.parse(prefix)
        except netmath.PrefixError:
            raise errors.invalid_address_prefix_format(prefix, peering_id) from None
        if not netmath.within(prefix, vnet.address_prefixes):
            raise errors.peered_prefix_not_in_vnet(peering_id, vnet.id, prefix)


def resolve_remote_id(world: World, raw: str) -> str:
    """The canonical id of a remoteVirtualNetwork reference (stored casing when the vnet exists)."""
    ref = ids.parse_vnet_reference(raw)
    if ref is None:
        raise errors.linked_invalid_property_id(raw, "properties.remoteVirtualNetwork.id")
    existing = world.vnet(ids.key(ref.vnet_id))
    return existing.id if existing is not None else ref.vnet_id


def plan_peering_put(
    world: World,
    *,
    local: VirtualNetwork,
    peering_id: str,
    name: str,
    existing: Peering | None,
    request: PeeringRequest,
    sync_remote: bool,
    late: Collection[str] = (),
) -> PeeringPlan:
    """Validate a peering PUT against every rule; raise the service's error or return the change to apply.

    A refusal whose code is in ``late`` (one of :data:`LATE_CAPABLE_CODES`) is not raised: the plan carries it as
    ``refusal`` (the first such one), the write is accepted and its operation ends Failed with it. The rules after
    it are still checked, and any of them that is refused synchronously wins.
    """
    deferred: list[errors.ArmError] = []

    def refuse(error: errors.ArmError) -> None:
        if error.code not in late:
            raise error
        deferred.append(error)

    # Remote reference.
    if request.remote_vnet_id is None:
        if existing is None:
            raise errors.remote_virtual_network_required(peering_id)
        remote_id = existing.remote_vnet_id
    else:
        remote_id = resolve_remote_id(world, request.remote_vnet_id)
    if existing is not None and ids.key(remote_id) != ids.key(existing.remote_vnet_id):
        raise errors.changing_remote_virtual_network_not_allowed(peering_id, existing.remote_vnet_id, remote_id)
    local_key, remote_key = ids.key(local.id), ids.key(remote_id)
    if local_key == remote_key:
        raise errors.cannot_peer_with_itself(peering_id, local.id)
    remote = world.vnet(remote_key)
    if remote is None:
        raise errors.invalid_global_resource_reference(remote_id, peering_id)
    for vnet in (local, remote):
        state, op_name = world.vnet_state(vnet)
        if state != SUCCEEDED:
            raise errors.referenced_resource_not_provisioned(vnet.id, peering_id, state, op_name)

    # The vnet's other peerings, looked up in the store's index (by remote vnet, by use of remote gateways) rather
    # than parsed one by one: a write's checks cost the same whatever the number of peerings of the vnet.
    own_key = ids.key(peering_id)
    for p in world.peerings_between(local_key, remote_key):
        if ids.key(p.id) != own_key:
            raise errors.another_peering_already_references_remote_vnet(peering_id, p.id, remote.id)
    if existing is None and world.peering_count(local_key) >= MAX_PEERINGS_PER_VNET:
        raise errors.peering_limit_reached(peering_id, local.id, MAX_PEERINGS_PER_VNET)

    # The link kind (whole vnet vs subnets) cannot change in place; the service answers 200 and ignores it.
    complete = existing.peer_complete_vnets if existing is not None else request.peer_complete_vnets
    local_names, remote_names = request.local_subnet_names, request.remote_subnet_names
    local_prefixes, remote_prefixes = request.local_prefixes, request.remote_prefixes
    if complete:
        local_names = remote_names = local_prefixes = remote_prefixes = None
    else:
        _check_subnet_peering_feature(world, local)
        if local_names:
            local_prefixes = None
        if remote_names:
            remote_prefixes = None
        if existing is not None:
            if not local_names and not local_prefixes:
                local_names, local_prefixes = existing.local_subnet_names, existing.local_prefixes
            if not remote_names and not remote_prefixes:
                remote_names, remote_prefixes = existing.remote_subnet_names, existing.remote_prefixes
        if not local_names and not local_prefixes:
            raise errors.subnet_peering_requires_subnet_names(peering_id, "local")
        if not remote_names and not remote_prefixes:
            raise errors.subnet_peering_requires_subnet_names(peering_id, "remote")
        _check_subnets(peering_id, local, local_names)
        _check_subnets(peering_id, remote, remote_names)
        _check_prefixes(peering_id, local, local_prefixes)
        _check_prefixes(peering_id, remote, remote_prefixes)

    candidate = Peering(
        id=peering_id,
        name=name,
        vnet_id=local.id,
        remote_vnet_id=remote.id,
        allow_virtual_network_access=request.allow_virtual_network_access,
        allow_forwarded_traffic=request.allow_forwarded_traffic,
        allow_gateway_transit=request.allow_gateway_transit,
        use_remote_gateways=request.use_remote_gateways,
        do_not_verify_remote_gateways=request.do_not_verify_remote_gateways,
        peer_complete_vnets=complete,
        enable_only_ipv6=request.enable_only_ipv6,
        local_subnet_names=list(local_names) if local_names else None,
        remote_subnet_names=list(remote_names) if remote_names else None,
        local_prefixes=list(local_prefixes) if local_prefixes else None,
        remote_prefixes=list(remote_prefixes) if remote_prefixes else None,
    )

    reverse = reverse_peering(world, candidate)
    if reverse is not None and reverse.peering_state == DISCONNECTED:
        refuse(errors.remote_peering_is_disconnected(peering_id, reverse.id, local.id))

    local_peered = local_selection(candidate, local)
    remote_peered = remote_selection(candidate, remote)
    overlap = netmath.overlapping(local_peered, remote_peered)
    if overlap:
        refuse(errors.vnet_address_spaces_overlap(peering_id, local.id, remote.id, overlap))
    # Only the first vnet already peered that overlaps is named: a refusal raises, and of refusals answered late
    # only the first is kept.
    partner = world.first_overlapping_partner(remote_key, local_peered, exclude_key=local_key)
    if partner is not None:
        other_id, prefixes = partner
        overlap = netmath.overlapping(local_peered, prefixes)
        refuse(
            errors.vnet_address_space_overlaps_with_already_peered_vnet(
                peering_id, local.id, other_id, remote.id, overlap
            )
        )
    partner = world.first_overlapping_partner(local_key, remote_peered, exclude_key=remote_key)
    if partner is not None:
        other_id, prefixes = partner
        overlap = netmath.overlapping(remote_peered, prefixes)
        refuse(
            errors.vnet_address_space_overlaps_with_already_peered_vnet(
                peering_id, remote.id, other_id, local.id, overlap
            )
        )

    if candidate.use_remote_gateways:
        if world.gateways_of(local_key):
            refuse(errors.cannot_use_remote_gateways_when_vnet_has_gateway(peering_id, local.id))
        for p in world.peerings_using_remote_gateways(local_key):
            if ids.key(p.id) != own_key:
                refuse(errors.only_one_peering_can_use_remote_gateways(peering_id, p.id))
        if not candidate.do_not_verify_remote_gateways and not has_gateway(world, remote_key):
            refuse(errors.remote_vnet_has_no_gateways(peering_id, remote.id))
        if reverse is None or not reverse.allow_gateway_transit:
            refuse(errors.remote_peering_does_not_allow_gateway_transit(peering_id, remote.id))

    # State machine and what is recorded as synced.
    selection_changed = existing is None or (
        (
            existing.local_subnet_names,
            existing.remote_subnet_names,
            existing.local_prefixes,
            existing.remote_prefixes,
            existing.enable_only_ipv6,
        )
        != (
            candidate.local_subnet_names,
            candidate.remote_subnet_names,
            candidate.local_prefixes,
            candidate.remote_prefixes,
            candidate.enable_only_ipv6,
        )
    )
    if existing is not None:
        candidate.resource_guid = existing.resource_guid
        candidate.remote_synced = list(existing.remote_synced)
        candidate.local_synced = list(existing.local_synced)
    if reverse is not None:
        candidate.resource_guid = reverse.resource_guid  # both halves of a pair share one resourceGuid
    if selection_changed or sync_remote:
        candidate.remote_synced = list(remote_peered)
        candidate.local_synced = list(local_peered)
    candidate.remote_last_known = list(remote_peered)
    if deferred:
        # Refused late: the peering is written as requested (it reads Failed once its operation ends), but links
        # nothing: the remote side's peering is left as it is, and an existing peering keeps its state and sync.
        if existing is not None:
            candidate.peering_state = existing.peering_state
            candidate.resource_guid = existing.resource_guid
            candidate.remote_synced = list(existing.remote_synced)
            candidate.local_synced = list(existing.local_synced)
        else:
            candidate.peering_state = INITIATED
        return PeeringPlan(peering=candidate, reverse=None, created=existing is None, refusal=deferred[0])
    if reverse is not None:
        candidate.peering_state = CONNECTED
    else:
        candidate.peering_state = INITIATED
    return PeeringPlan(peering=candidate, reverse=reverse, created=existing is None)


# --- vnet and gateway rules --------------------------------------------------------------------------------------


def check_vnet_update(world: World, vnet: VirtualNetwork, gateway_users: dict[str, str]) -> None:
    """Rules for a vnet PUT that involve other resources: in-use GatewaySubnet, overlap with peered vnets."""
    for subnet_key, user in gateway_users.items():
        if vnet.subnet(subnet_key) is None:
            raise errors.in_use_subnet_cannot_be_deleted(ids.subnet_id(vnet.id, subnet_key), user)
    key = ids.key(vnet.id)
    for p in world.peerings_of(key):
        if not p.peer_complete_vnets:
            continue
        overlap = netmath.overlapping(vnet.address_prefixes, p.remote_last_known)
        if overlap:
            raise errors.vnet_update_overlaps_peered_vnet(vnet.id, p.remote_vnet_id, overlap)
    for p in world.peerings_to(key):
        if not p.peer_complete_vnets:
            continue
        owner = world.vnet(ids.key(p.vnet_id))
        if owner is None:
            continue
        overlap = netmath.overlapping(vnet.address_prefixes, local_selection(p, owner))
        if overlap:
            raise errors.vnet_update_overlaps_peered_vnet(vnet.id, owner.id, overlap)


def gateway_subnet_of(world: World, gateway_id: str, subnet_ref: str) -> tuple[VirtualNetwork, str]:
    """The vnet a gateway ipConfiguration attaches to, checking the subnet exists and is GatewaySubnet."""
    ref = ids.parse_vnet_reference(subnet_ref, allow_subnet=True)
    if ref is None or ref.subnet_name is None:
        raise errors.linked_invalid_property_id(subnet_ref, "properties.ipConfigurations[0].properties.subnet.id")
    vnet = world.vnet(ids.key(ref.vnet_id))
    subnet = vnet.subnet(ref.subnet_name) if vnet is not None else None
    if vnet is None or subnet is None:
        raise errors.invalid_resource_reference(subnet_ref, gateway_id)
    if subnet.name.lower() != GATEWAY_SUBNET:
        raise errors.invalid_gateway_subnet(ids.subnet_id(vnet.id, subnet.name), gateway_id)
    return vnet, ids.subnet_id(vnet.id, subnet.name)
