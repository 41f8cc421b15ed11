"""What ``construct`` builds: ``HubSpokePeering`` whose children are the package's own custom resource.

:class:`PackagePeering` takes exactly what the dynamic ``VirtualNetworkPeering`` takes (same args, same internal
options) and exposes the same outputs under the same Python names; only its type token differs
(``azure-peering:index:VirtualNetworkPeering``, served by this plugin) and its wire names are the schema's camelCase.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pulumi

from pulumi_azure_peering.components.hub_spoke import HubSpokePeering, HubSpokePeeringArgs
from pulumi_azure_peering.provider import Lookup, Settings, read_virtual_networks
from pulumi_azure_peering.provider.peering import VirtualNetworkPeeringArgs, peering_options, peering_properties

from . import PEERING_TYPE
from .names import camel, snake


class PackagePeering(pulumi.CustomResource):
    """``azure-peering:index:VirtualNetworkPeering`` registered from Python (inside the plugin's ``construct``)."""

    peering_id: pulumi.Output[str]
    peering_state: pulumi.Output[str]
    peering_sync_level: pulumi.Output[str]
    allow_gateway_transit: pulumi.Output[bool]

    def __init__(
        self,
        resource_name: str,
        args: VirtualNetworkPeeringArgs,
        opts: pulumi.ResourceOptions | None = None,
        *,
        wait_for: pulumi.Input[Any] | None = None,
        preflight_when_creating: bool = False,
        preflight_after: pulumi.Input[Any] | None = None,
    ) -> None:
        props = peering_properties(
            resource_name,
            args,
            wait_for=wait_for,
            preflight_when_creating=preflight_when_creating,
            preflight_after=preflight_after,
        )
        super().__init__(PEERING_TYPE, resource_name, props, peering_options(opts))

    def translate_input_property(self, prop: str) -> str:
        return camel(prop)

    def translate_output_property(self, prop: str) -> str:
        return snake(prop)


class PackageHubSpokePeering(HubSpokePeering):
    """``HubSpokePeering`` as the package serves it: the same planner, checks and ordering; children above; the
    vnets read with the settings of the provider that constructs it (``settings``: resolved when first needed)."""

    peering_resource = PackagePeering  # type: ignore[assignment]
    imports_adopted_peerings = True

    def __init__(
        self,
        name: str,
        args: HubSpokePeeringArgs,
        opts: pulumi.ResourceOptions | None = None,
        *,
        settings: Callable[[], Settings],
    ) -> None:
        def lookup(wanted: Mapping[str, Sequence[str]]) -> dict[str, Lookup]:
            return read_virtual_networks(wanted, settings=settings())

        self.vnet_lookup = lookup
        super().__init__(name, args, opts)
