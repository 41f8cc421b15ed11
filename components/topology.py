"""Inputs of the hub-and-spoke planner: what the user asks for and what ARM already holds.

Everything here is plain data (frozen dataclasses) plus the rules for ARM ids and names that the planner needs;
the rules for vnet ids, peering and subnet names are :mod:`pulumi_azure_peering.provider.ids`, which the standalone
peering's check applies too, so that both refuse the same ids in the same words. Nothing in this module talks to
Azure or imports Pulumi: the component resolves its Pulumi inputs into these types, looks the vnets up in ARM
(``VnetFacts``: the provider's own type, :mod:`pulumi_azure_peering.provider.facts`, re-exported here) and hands
both to :func:`pulumi_azure_peering.components.plan.plan_hub_spoke`.

Constructing these types never fails on bad *values* (a malformed id, an unknown link kind): the planner reports
every such problem at once as a :class:`pulumi_azure_peering.components.plan.PlanError` naming the spoke, the field and
the fix.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final, Literal

from pulumi_azure_peering.provider import ids
from pulumi_azure_peering.provider.facts import (
    GATEWAY_STATES,
    GatewayFact,
    GatewayState,
    PeeringFact,
    VnetFacts,
    vnet_facts_from_lookup,
)
from pulumi_azure_peering.provider.settings import MAX_AUXILIARY_TENANTS as MAX_AUXILIARY_TENANT_TOKENS

__all__ = [
    "GATEWAY_STATES",
    "MAX_AUXILIARY_TENANTS",
    "MAX_PEERINGS_PER_VNET",
    "MAX_SUBNET_NAMES_PER_SIDE",
    "GatewayFact",
    "GatewayState",
    "HubSpokeSpec",
    "LinkKind",
    "PeeringFact",
    "SpokeSpec",
    "VnetFacts",
    "VnetRef",
    "is_valid_guid",
    "is_valid_peering_name",
    "is_valid_spoke_name",
    "is_valid_subnet_name",
    "parse_vnet_id",
    "vnet_facts_from_lookup",
    "vnet_key",
]

LinkKind = Literal["vnet", "subnets", "ipv6"]
"""How a spoke is peered: the whole vnets, chosen subnets, or only the IPv6 prefixes of chosen subnets."""

LINK_KINDS: Final[tuple[str, ...]] = ("vnet", "subnets", "ipv6")

MAX_PEERINGS_PER_VNET: Final = 500
"""ARM refuses the 501st peering of a vnet (the Azure docs' networking limits; code unknown: docs/emulator.md)."""
MAX_SUBNET_NAMES_PER_SIDE: Final = ids.MAX_SUBNET_NAMES_PER_SIDE
MAX_AUXILIARY_TENANTS: Final = MAX_AUXILIARY_TENANT_TOKENS
"""``x-ms-authorization-auxiliary`` carries at most three tokens (the provider's limit, one constant)."""


def _freeze_seq(value: object) -> object:
    """Lists become tuples so that specs compare and hash by value; anything else is left for the checks."""
    if isinstance(value, list | tuple):
        return tuple(value)
    return value


def _freeze_map(value: object) -> object:
    if isinstance(value, Mapping):
        return MappingProxyType(dict(value))
    return value


@dataclass(frozen=True, kw_only=True)
class SpokeSpec:
    """One spoke of a hub-and-spoke topology: a vnet and how it is peered to the hub.

    The spoke's *name* is its key in :attr:`HubSpokeSpec.spokes`; it is the stable part of every resource name,
    so renaming a spoke key replaces its peerings while adding or removing other spokes does not touch them.
    """

    vnet_id: str
    """ARM id of the spoke vnet: ``/subscriptions/{uuid}/resourceGroups/{rg}/providers/Microsoft.Network/
    virtualNetworks/{name}`` (compared case-insensitively)."""

    allow_forwarded_traffic: bool = True
    """Spoke-side ``allowForwardedTraffic``: let traffic forwarded by the hub (a firewall or NVA) into the spoke.
    Also used for the spoke's side of mesh peerings."""

    use_hub_gateway: bool = False
    """Gateway transit: the hub side gets ``allowGatewayTransit`` and the spoke side ``useRemoteGateways``.
    Needs a gateway in the hub and none in the spoke, and no other peering of the spoke using remote gateways."""

    link: LinkKind = "vnet"
    """``"vnet"`` peers the whole address spaces; ``"subnets"`` peers only the named subnets
    (``peerCompleteVnets=false``); ``"ipv6"`` peers only the IPv6 prefixes of the named (dual-stack) subnets
    (``enableOnlyIPv6Peering=true``)."""

    local_subnet_names: Sequence[str] = ()
    """Spoke-side subnets to peer (``link="subnets"`` or ``"ipv6"`` only; at most 200)."""

    hub_subnet_names: Sequence[str] = ()
    """Hub-side subnets to peer with this spoke (``link="subnets"`` or ``"ipv6"`` only; at most 200)."""

    hub_peering_name: str | None = None
    """ARM name of the peering in the hub vnet; default ``"<hubVnetName>-to-<spokeVnetName>"``."""

    spoke_peering_name: str | None = None
    """ARM name of the peering in the spoke vnet; default ``"<spokeVnetName>-to-<hubVnetName>"``."""

    adopt_existing: bool = False
    """Take over peerings of these names that already exist in ARM instead of failing on them."""

    timeouts: Mapping[str, str | float] | None = None
    """Per-operation timeouts for this spoke's peerings: keys ``create``, ``update``, ``delete``; values seconds
    (a positive number) or a duration such as ``"90s"``, ``"30m"``, ``"1h30m"``. Overrides
    :attr:`HubSpokeSpec.timeouts` key by key."""

    auxiliary_tenant_ids: Sequence[str] = ()
    """Tenants (GUIDs) whose tokens ARM needs for this spoke's peerings, e.g. when the spoke lives in another
    tenant; merged with :attr:`HubSpokeSpec.auxiliary_tenant_ids` (at most 3 in all)."""

    allow_virtual_network_access: bool = True
    """``allowVirtualNetworkAccess`` on both sides of the spoke's pair (and on its side of mesh peerings)."""

    join_mesh: bool = True
    """Take part in the spoke-to-spoke mesh when :attr:`HubSpokeSpec.mesh` is on."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "local_subnet_names", _freeze_seq(self.local_subnet_names))
        object.__setattr__(self, "hub_subnet_names", _freeze_seq(self.hub_subnet_names))
        object.__setattr__(self, "auxiliary_tenant_ids", _freeze_seq(self.auxiliary_tenant_ids))
        object.__setattr__(self, "timeouts", _freeze_map(self.timeouts))


@dataclass(frozen=True, kw_only=True)
class HubSpokeSpec:
    """A hub vnet, its spokes and the options that apply to all of them."""

    hub_vnet_id: str
    """ARM id of the hub vnet."""

    spokes: Mapping[str, SpokeSpec] = field(default_factory=dict)
    """Spokes keyed by a stable name (letters, digits, ``-`` and ``_``; 1-63 characters, starting and ending with
    a letter or digit). Order does not matter: the plan is the same for any order."""

    mesh: bool = False
    """Also peer every pair of spokes (those with ``join_mesh``) directly, both ways, whole vnets, no gateways."""

    hub_allow_forwarded_traffic: bool = True
    """Hub-side ``allowForwardedTraffic`` on every hub-to-spoke peering."""

    auxiliary_tenant_ids: Sequence[str] = ()
    """Tenants (GUIDs) whose tokens every peering needs, e.g. the hub's tenant when it differs from the caller's."""

    timeouts: Mapping[str, str | float] | None = None
    """Default per-operation timeouts for every peering (same shape as :attr:`SpokeSpec.timeouts`)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "spokes", _freeze_map(self.spokes))
        object.__setattr__(self, "auxiliary_tenant_ids", _freeze_seq(self.auxiliary_tenant_ids))
        object.__setattr__(self, "timeouts", _freeze_map(self.timeouts))


# --- ARM ids and names ---------------------------------------------------------------------------------------

# Spoke names end up in Pulumi resource names and in default ARM peering names; '.' is kept out of them because
# the planner uses it to separate the parts of resource keys.
_SPOKE_NAME_RE: Final = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?")


def is_valid_guid(value: object) -> bool:
    """A tenant or subscription id in the 8-4-4-4-12 hex form."""
    return ids.is_guid(value)


def is_valid_peering_name(value: object) -> bool:
    """ARM's rule for peering names: 1-80 letters, digits, ``_``, ``.``, ``-``; starts with a letter or digit and
    ends with a letter, digit or ``_``."""
    return ids.is_valid_network_child_name(value)


def is_valid_subnet_name(value: object) -> bool:
    """ARM's rule for subnet names (same shape as peering names, 1-80 characters)."""
    return is_valid_peering_name(value)


def is_valid_spoke_name(value: object) -> bool:
    """Spoke keys: 1-63 letters, digits, ``-`` and ``_``, starting and ending with a letter or digit."""
    return isinstance(value, str) and _SPOKE_NAME_RE.fullmatch(value) is not None


VnetRef = ids.VnetId
"""A validated vnet id in canonical form (:class:`~pulumi_azure_peering.provider.ids.VnetId`): :attr:`~VnetRef.id`,
subscription in lower case, resource group and vnet name as given; :attr:`~VnetRef.key` is what ids are compared
by."""

parse_vnet_id = ids.parse_vnet_id
"""Validate an ARM virtual network id: its :class:`VnetRef`, or a ``ValueError`` saying what is wrong (the
provider's rules and words: :func:`pulumi_azure_peering.provider.ids.parse_vnet_id`)."""

vnet_key = ids.vnet_key
