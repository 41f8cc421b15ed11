"""``VirtualNetworkPeering``: the resource a Pulumi program declares for one Azure virtual network peering, its
inputs (:class:`VirtualNetworkPeeringArgs`) and outputs (:class:`PeeringOutputs`). Its provider is
:class:`~.resource.VirtualNetworkPeeringProvider`.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi.dynamic as dyn

from .properties import PREFLIGHT_AFTER_KEY, PREFLIGHT_WHEN_CREATING_KEY, RESOURCE_NAME_KEY, WAIT_FOR_KEY
from .resource import VirtualNetworkPeeringProvider
from .schema import INPUTS, OUTPUT_ONLY, PeeringTimeouts
from .settings import ProviderOverrides


@dataclass
class VirtualNetworkPeeringArgs:
    """The inputs of a :class:`VirtualNetworkPeering`. Defaults are Azure's."""

    virtual_network_id: pulumi.Input[str]
    """ARM id of the local virtual network (the peering is created under it). Changing it replaces the peering."""
    remote_virtual_network_id: pulumi.Input[str]
    """ARM id of the remote virtual network. Changing it replaces the peering."""
    name: pulumi.Input[str] | None = None
    """Name of the peering (1-80 characters). Defaults to the resource name. Changing it replaces the peering."""
    allow_virtual_network_access: pulumi.Input[bool] | None = None
    """Whether VMs of the local vnet can reach VMs of the remote vnet. Default true."""
    allow_forwarded_traffic: pulumi.Input[bool] | None = None
    """Whether traffic forwarded by the local vnet's appliances is allowed into the remote vnet. Default false."""
    allow_gateway_transit: pulumi.Input[bool] | None = None
    """Whether the remote vnet may use this vnet's gateway (set on the hub's side). Default false."""
    use_remote_gateways: pulumi.Input[bool] | None = None
    """Whether this vnet uses the remote vnet's gateway (set on the spoke's side; the remote needs a gateway and
    allow_gateway_transit on its peering). Default false."""
    do_not_verify_remote_gateways: pulumi.Input[bool] | None = None
    """Skip ARM's check of the remote gateway's provisioning state. Default false."""
    peer_complete_vnets: pulumi.Input[bool] | None = None
    """Peer the whole address spaces (true) or only chosen subnets (false). Changing it replaces the peering.
    Default true."""
    local_subnet_names: pulumi.Input[Sequence[pulumi.Input[str]]] | None = None
    """Local subnets to peer; only with peer_complete_vnets=false. Changed in place."""
    remote_subnet_names: pulumi.Input[Sequence[pulumi.Input[str]]] | None = None
    """Remote subnets to peer; only with peer_complete_vnets=false. Changed in place."""
    enable_only_ipv6_peering: pulumi.Input[bool] | None = None
    """Peer only the IPv6 prefixes of dual-stack subnets; only with peer_complete_vnets=false. Default false."""
    local_address_space: pulumi.Input[Sequence[pulumi.Input[str]]] | None = None
    """Local prefixes to peer (prefix peering); only with peer_complete_vnets=false."""
    remote_address_space: pulumi.Input[Sequence[pulumi.Input[str]]] | None = None
    """Remote prefixes to peer (prefix peering); only with peer_complete_vnets=false."""
    adopt_existing: pulumi.Input[bool] | None = None
    """Take over a peering that already exists in Azure instead of failing (this resource's answer to
    ``pulumi import``, which does not work for dynamic resources). Default false."""
    timeouts: PeeringTimeouts | Mapping[str, pulumi.Input[float]] | None = None
    """Per-resource create/update/delete timeouts in seconds."""
    sync_remote_address_space: pulumi.Input[str] | None = None
    """When to PUT with ``syncRemoteAddressSpace=true``: ``auto`` (when ARM reports the peering out of sync),
    ``always`` or ``never``. Default auto."""
    auxiliary_tenant_ids: pulumi.Input[Sequence[pulumi.Input[str]]] | None = None
    """Tenants (up to 3) whose tokens go in ``x-ms-authorization-auxiliary`` for a cross-tenant peering.
    Defaults to azure-peering:auxiliaryTenantIds."""
    preflight: pulumi.Input[bool] | None = None
    """Run read-only checks against ARM during check/preview (remote reachable, no overlap, gateway present).
    Default true."""
    remote_vnet_address_space: pulumi.Input[Sequence[pulumi.Input[str]]] | None = None
    """The remote vnet's current address space (e.g. an azure-native VirtualNetwork's
    ``address_space.address_prefixes``; HubSpokePeering passes what it read). When it differs from the space ARM
    reported for the peering at its last write or refresh, a plain ``pulumi up`` syncs the pair
    (``syncRemoteAddressSpace``): no refresh needed. Whole-vnet peerings only. Never sent to ARM."""

    def to_props(self, resource_name: str) -> dict[str, Any]:
        """The inputs as the provider takes them (snake_case, every input of the schema; the name defaults to the
        resource's)."""
        props = {name: getattr(self, name) for name in INPUTS}
        if props["name"] is None:
            props["name"] = resource_name
        if isinstance(self.timeouts, PeeringTimeouts):
            props["timeouts"] = self.timeouts.as_dict()
        elif isinstance(self.timeouts, Mapping):
            props["timeouts"] = dict(self.timeouts)
        return props


_DEFAULT_PROVIDER = VirtualNetworkPeeringProvider()


def peering_properties(
    resource_name: str,
    args: VirtualNetworkPeeringArgs,
    *,
    wait_for: pulumi.Input[Any] | None = None,
    preflight_when_creating: bool = False,
    preflight_after: pulumi.Input[Any] | None = None,
) -> dict[str, Any]:
    """A peering resource's registered properties (snake_case): its inputs, its outputs (None until known) and the
    internal keys (see ``VirtualNetworkPeering``). Shared by the dynamic resource and the package's custom one."""
    props: dict[str, Any] = {k: None for k in OUTPUT_ONLY}
    props.update(args.to_props(resource_name))
    props[RESOURCE_NAME_KEY] = resource_name
    if wait_for is not None:
        props[WAIT_FOR_KEY] = wait_for
    if preflight_when_creating:
        props[PREFLIGHT_WHEN_CREATING_KEY] = True
    if preflight_after is not None:
        props[PREFLIGHT_AFTER_KEY] = preflight_after
    return props


def peering_options(opts: pulumi.ResourceOptions | None) -> pulumi.ResourceOptions:
    """A peering's resource options: ``delete_before_replace`` is true unless the program says otherwise.

    ARM allows one peering per name and vnet, and one per pair of vnets, so a replacement almost always has to
    delete the old peering first. The provider's diff says so for the replacements it asks for, but the engine
    does not ask the provider about ``pulumi up --replace``: it would create the new peering first, on the id the
    old one still holds. With this option every replacement deletes first (docs/ownership.md); a program that sets
    ``delete_before_replace=False`` gets, for a replacement on the same id, the create's refusal and its reason."""
    if opts is not None and opts.delete_before_replace is not None:
        return opts
    merged = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(delete_before_replace=True))
    return merged


@contextmanager
def _restore_sdk_pickler() -> Iterator[None]:
    """Undo what the SDK's `serialize_provider` leaves behind: it wraps `pickle._Pickler._batch_setitems` in one
    more sorting layer on every call and never restores it, so pickling the ~486th provider of a program dies with
    RecursionError (a 250-spoke hub). Restoring the originals after each resource keeps the wrapping one deep."""
    pickler = pickle._Pickler
    saved = {name: pickler.__dict__[name] for name in ("_batch_setitems", "save_dict") if name in pickler.__dict__}
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(pickler, name, value)


class PeeringOutputs:
    """The outputs of a :class:`VirtualNetworkPeering`, typed (every one a plain JSON value).

    They are declared here, on a base class, rather than on the resource: the Pulumi SDK reads a resource class's
    own annotations again on every registration (``pulumi._types.resource_types``, a cost that grows with the number
    of annotations: docs/benchmarks.md, finding C) and needs none of them, since no output here is an output type
    of the SDK. Type checkers and editors read inherited annotations as their own."""

    virtual_network_id: pulumi.Output[str]
    """ARM id of the local virtual network."""
    name: pulumi.Output[str]
    """The peering's name."""
    remote_virtual_network_id: pulumi.Output[str]
    """ARM id of the remote virtual network."""
    peering_id: pulumi.Output[str]
    """ARM id of the peering."""
    type: pulumi.Output[str]
    """ARM resource type."""
    etag: pulumi.Output[str]
    """Changes on every write."""
    allow_virtual_network_access: pulumi.Output[bool]
    allow_forwarded_traffic: pulumi.Output[bool]
    allow_gateway_transit: pulumi.Output[bool]
    use_remote_gateways: pulumi.Output[bool]
    do_not_verify_remote_gateways: pulumi.Output[bool]
    peer_complete_vnets: pulumi.Output[bool]
    local_subnet_names: pulumi.Output[list[str] | None]
    remote_subnet_names: pulumi.Output[list[str] | None]
    enable_only_ipv6_peering: pulumi.Output[bool]
    local_address_space: pulumi.Output[list[str] | None]
    """The local prefixes that are peered, as ARM reports them."""
    remote_address_space: pulumi.Output[list[str] | None]
    """The remote prefixes that are peered, as ARM reports them."""
    adopt_existing: pulumi.Output[bool]
    timeouts: pulumi.Output[dict[str, float]]
    sync_remote_address_space: pulumi.Output[str]
    auxiliary_tenant_ids: pulumi.Output[list[str] | None]
    preflight: pulumi.Output[bool]
    remote_vnet_address_space: pulumi.Output[list[str] | None]
    """The remote vnet's address space the program gave, as given."""
    peering_state: pulumi.Output[str]
    """Initiated (only this side exists), Connected (both sides exist) or Disconnected (the other side was
    deleted; the next update re-establishes it)."""
    peering_sync_level: pulumi.Output[str]
    """FullyInSync, LocalNotInSync, RemoteNotInSync or LocalAndRemoteNotInSync (a vnet's address space changed).
    An Initiated peering reads RemoteNotInSync for as long as its other side does not exist: that is the normal
    state of a half-built pair, not drift."""
    provisioning_state: pulumi.Output[str]
    resource_guid: pulumi.Output[str]
    local_virtual_network_address_space: pulumi.Output[list[str] | None]
    """The local vnet's current address space."""
    remote_virtual_network_address_space: pulumi.Output[list[str] | None]
    """The remote vnet's current address space."""
    remote_bgp_communities: pulumi.Output[dict[str, Any] | None]
    remote_virtual_network_encryption: pulumi.Output[dict[str, Any] | None]
    remote_gateways: pulumi.Output[list[str] | None]
    """Ids of the remote gateways used when use_remote_gateways is true."""


class VirtualNetworkPeering(PeeringOutputs, dyn.Resource, module="azure-peering", name="VirtualNetworkPeering"):
    """An Azure virtual network peering (one direction: local vnet -> remote vnet).

    Type token ``pulumi-python:dynamic/azure-peering:VirtualNetworkPeering``. Both directions are needed for the
    link to become Connected; ``pulumi_azure_peering.HubSpokePeering`` creates and orders them for a whole topology.
    """

    def __init__(
        self,
        resource_name: str,
        args: VirtualNetworkPeeringArgs,
        opts: pulumi.ResourceOptions | None = None,
        *,
        provider_overrides: ProviderOverrides | None = None,
        wait_for: pulumi.Input[Any] | None = None,
        preflight_when_creating: bool = False,
        preflight_after: pulumi.Input[Any] | None = None,
    ) -> None:
        """
        :param resource_name: The Pulumi name of the resource (and the peering's name unless ``args.name``).
        :param args: The peering's inputs.
        :param opts: Resource options. ``custom_timeouts`` has no effect: use ``args.timeouts``.
            ``delete_before_replace`` defaults to true (:func:`peering_options`).
        :param provider_overrides: Explicit, non-secret endpoint settings for this resource's provider (they
            win over stack config and environment; secrets only ever come from config or environment).
        :param wait_for: An output the peering is not sent to the engine before: if it fails, the peering is never
            created (``HubSpokePeering`` passes its plan check). Not an input of the peering: ``check`` drops it, so
            it is neither stored nor compared.
        :param preflight_when_creating: Run the preflight when the peering is about to be created even though
            ``args.preflight`` is false (``HubSpokePeering`` has checked the topology, but only the engine knows
            which peerings are new: a new one must not collide with a peering already in ARM).
        :param preflight_after: The preflight waits for this output: while it is unknown (a preview in which the
            resources it comes from are still to be created), what the preflight would read is not final (a
            gateway created by this program), so it is left to ``up``. Not an input of the peering either.
        """
        provider = VirtualNetworkPeeringProvider(provider_overrides) if provider_overrides else _DEFAULT_PROVIDER
        props = peering_properties(
            resource_name,
            args,
            wait_for=wait_for,
            preflight_when_creating=preflight_when_creating,
            preflight_after=preflight_after,
        )
        with _restore_sdk_pickler():
            super().__init__(provider, resource_name, props, peering_options(opts))


__all__ = [
    "PeeringOutputs",
    "PeeringTimeouts",
    "VirtualNetworkPeering",
    "VirtualNetworkPeeringArgs",
    "VirtualNetworkPeeringProvider",
    "peering_options",
]
