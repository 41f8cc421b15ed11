"""The plan's output types: the planned peerings, the errors and warnings, and the plan that holds them.

Produced by :func:`pulumi_azure_peering.components.plan.plan_hub_spoke` (which re-exports them); read by the
component and by users who inspect a plan. See docs/planner.md, "Output".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from pulumi_azure_peering.provider.schema import PeeringTimeouts

Direction = Literal["hub_to_spoke", "spoke_to_hub", "mesh"]

Timeouts = PeeringTimeouts
"""A planned peering's timeouts: the peering's own type (``None`` for an operation: the provider's default)."""


@dataclass(frozen=True, kw_only=True)
class PlannedPeering:
    """One ARM peering to create or keep: the input of one ``pulumi_azure_peering.VirtualNetworkPeering``."""

    key: str
    """Stable resource-name suffix, unique in the plan: ``"<spoke>.hub-to-spoke"``, ``"<spoke>.spoke-to-hub"``,
    ``"mesh.<localSpoke>.<remoteSpoke>"``. Derived only from spoke names, never from positions."""

    spoke: str
    """Spoke this peering belongs to (for mesh peerings: the spoke whose vnet holds it)."""

    remote_spoke: str | None
    """For mesh peerings the other spoke; ``None`` otherwise."""

    direction: Direction
    """``hub_to_spoke`` (lives in the hub vnet), ``spoke_to_hub`` (lives in the spoke vnet) or ``mesh``."""

    local_vnet_id: str
    """Canonical id of the vnet that holds the peering."""

    remote_vnet_id: str
    """Canonical id of the vnet it points to."""

    name: str
    """ARM peering name (default derived from the vnet names, or the override)."""

    allow_virtual_network_access: bool
    allow_forwarded_traffic: bool
    allow_gateway_transit: bool
    use_remote_gateways: bool
    peer_complete_vnets: bool
    local_subnet_names: tuple[str, ...]
    remote_subnet_names: tuple[str, ...]
    enable_only_ipv6_peering: bool
    adopt_existing: bool
    timeouts: Timeouts | None
    auxiliary_tenant_ids: tuple[str, ...]
    """Lower-cased tenant GUIDs for ``x-ms-authorization-auxiliary`` (at most 3)."""

    depends_on_keys: tuple[str, ...]
    """Keys of peerings that must be in place first. A peering with ``use_remote_gateways`` depends on its reverse
    (which has ``allow_gateway_transit``): the component makes this a data edge, e.g. by feeding an output of the
    hub side into the spoke side's inputs."""

    remote_vnet_address_space: tuple[str, ...] | None = None
    """The remote vnet's address space as read before planning (whole-vnet links only; None without facts): the
    peering compares it with what ARM last reported, so a plain ``pulumi up`` syncs a resized pair."""

    existing_id: str | None = None
    """With ``adopt_existing``: the ARM id of the peering of this name that the vnet already has toward the same
    remote vnet, as read before planning (None when there is none, or without facts). A component whose child
    resource the engine can import (the ``azure-peering`` package's) registers the child with Pulumi's ``import``
    option on it: the engine reads it and records it without a write, then updates it only where it differs from
    the plan (docs/adopting.md). A dynamic resource cannot be imported (pulumi/pulumi#16175): there, the create
    adopts it."""


@dataclass(frozen=True, kw_only=True)
class PlanError:
    """Something ARM would refuse, found before anything is created."""

    code: str
    """Stable identifier of the rule, e.g. ``"AddressSpaceOverlap"``."""

    spoke: str | None
    """Spoke concerned, ``None`` for hub-level problems."""

    field: str
    """Argument path, e.g. ``spokes["app1"].use_hub_gateway`` or ``hub_vnet_id``."""

    message: str
    """``"spoke 'app1': <problem>. Fix: <fix>."`` (``"hub: ..."`` for hub-level problems)."""


@dataclass(frozen=True, kw_only=True)
class PlanWarning:
    """Something worth telling the user that does not stop the plan."""

    code: str
    spoke: str | None
    field: str
    message: str


@dataclass(frozen=True, kw_only=True)
class DeferredCheck:
    """A check skipped because facts about a vnet were missing; ARM will still enforce it at apply time."""

    check: str
    """Which check: ``"address_overlap"``, ``"hub_gateway"``, ``"spoke_gateway"``, ``"remote_gateways"``,
    ``"subnets"``, ``"peering_limit"``, ``"peering_names"``."""

    spoke: str | None
    vnet_id: str
    """The vnet whose facts were missing."""

    message: str


class PlanValidationError(ValueError):
    """Raised by :meth:`Plan.raise_for_errors`; carries the errors."""

    def __init__(self, errors: Sequence[PlanError]) -> None:
        self.errors = tuple(errors)
        lines = [f"hub-and-spoke plan has {len(self.errors)} error(s):"]
        lines += [f"  - {e.field}: {e.message}" for e in self.errors]
        super().__init__("\n".join(lines))


@dataclass(frozen=True, kw_only=True)
class Plan:
    """The outcome of planning. With errors, :attr:`peerings` is empty: nothing may be created."""

    hub_vnet_id: str | None
    """Canonical hub id (``None`` when it is invalid)."""

    peerings: tuple[PlannedPeering, ...]
    """Deterministic order: spokes by name, each ``hub_to_spoke`` then ``spoke_to_hub``; then mesh peerings by
    (local spoke, remote spoke)."""

    errors: tuple[PlanError, ...]
    warnings: tuple[PlanWarning, ...]
    deferred_checks: tuple[DeferredCheck, ...]
    wait_for_hub_gateway: bool
    """Some spoke uses the hub gateway and the hub gateway is still provisioning (or its state is unknown): the
    component waits for it to succeed before creating the ``use_remote_gateways`` peerings."""

    @property
    def ok(self) -> bool:
        return not self.errors

    def peering(self, key: str) -> PlannedPeering:
        """The peering with this key (``KeyError`` if none)."""
        for p in self.peerings:
            if p.key == key:
                return p
        raise KeyError(key)

    def for_spoke(self, spoke: str) -> tuple[PlannedPeering, ...]:
        """The spoke's hub pair and the mesh peerings held by its vnet."""
        return tuple(p for p in self.peerings if p.spoke == spoke)

    def raise_for_errors(self) -> None:
        """Raise :class:`PlanValidationError` listing every error, if any."""
        if self.errors:
            raise PlanValidationError(self.errors)
