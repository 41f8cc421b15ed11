"""New network: the vnets, the hub's VPN gateway and the peerings, all created by one program.

A hub vnet with a ``GatewaySubnet`` and a VPN gateway, two spokes peered to it by ``HubSpokePeering`` (``app`` uses
the hub's gateway), and two more vnets peered both ways with a standalone pair of ``VirtualNetworkPeering``. Every
vnet id is an output of the resource that creates the vnet, so it is unknown during ``pulumi preview``.

The vnets and the gateway come from ``pulumi_azure_peering.azure_native_stand_ins``, which creates them in ARM the way
``azure_native.network.VirtualNetwork`` / ``VirtualNetworkGateway`` would (README.md shows the azure-native lines).

Config (all optional):

    <project>:resourceGroup   resource group of every resource (default rg-new-network; created when missing)
    <project>:location        Azure region (default westeurope)
    <project>:addressBase     first two octets of the address plan (default 10.40: hub 10.40/16, spokes 10.41/16
                              and 10.42/16, the pair 10.43/16 and 10.44/16)
    azure-native:subscriptionId  the subscription (else ARM_SUBSCRIPTION_ID / AZURE_SUBSCRIPTION_ID)
"""

import pulumi

from pulumi_azure_peering import (
    HubSpokePeering,
    HubSpokePeeringArgs,
    SpokeArgs,
    VirtualNetworkPeering,
    VirtualNetworkPeeringArgs,
)
from pulumi_azure_peering.azure_native_stand_ins import (
    VirtualNetwork,
    VirtualNetworkArgs,
    VirtualNetworkGateway,
    VirtualNetworkGatewayArgs,
)

config = pulumi.Config()
resource_group = config.get("resourceGroup") or "rg-new-network"
location = config.get("location") or "westeurope"
first, second = (int(part) for part in (config.get("addressBase") or "10.40").split("."))


def space(offset: int) -> str:
    """The /16 ``offset`` steps after the hub's."""
    return f"{first}.{second + offset}.0.0/16"


def vnet(name: str, offset: int, subnets: list[dict[str, str]] | None = None) -> VirtualNetwork:
    prefix = space(offset).removesuffix(".0.0/16")
    return VirtualNetwork(
        name,
        VirtualNetworkArgs(
            resource_group_name=resource_group,
            virtual_network_name=name,
            location=location,
            address_prefixes=[space(offset)],
            subnets=subnets or [{"name": "default", "address_prefix": f"{prefix}.1.0/24"}],
        ),
    )


# --- the hub, its VPN gateway and two spokes -------------------------------------------------------------------------
hub_prefix = space(0).removesuffix(".0.0/16")
hub = vnet(
    "vnet-hub",
    0,
    [
        {"name": "GatewaySubnet", "address_prefix": f"{hub_prefix}.255.0/27"},
        {"name": "shared", "address_prefix": f"{hub_prefix}.1.0/24"},
    ],
)
gateway = VirtualNetworkGateway(
    "vgw-hub",
    VirtualNetworkGatewayArgs(
        resource_group_name=resource_group, virtual_network_gateway_name="vgw-hub", virtual_network_id=hub.id
    ),
)
app = vnet("vnet-app", 1)
data = vnet("vnet-data", 2)

topology = HubSpokePeering(
    "hub",
    HubSpokePeeringArgs(
        hub_vnet_id=hub.id,
        spokes={
            "app": SpokeArgs(vnet_id=app.id, use_hub_gateway=True),
            "data": SpokeArgs(vnet_id=data.id),
        },
    ),
    # Gateway transit needs a provisioned gateway in the hub: nothing is peered before it is.
    pulumi.ResourceOptions(depends_on=[gateway]),
)

# --- two more vnets, peered both ways without the component ---------------------------------------------------------
left = vnet("vnet-left", 3)
right = vnet("vnet-right", 4)
left_to_right = VirtualNetworkPeering(
    "left-to-right",
    VirtualNetworkPeeringArgs(
        virtual_network_id=left.id, remote_virtual_network_id=right.id, allow_forwarded_traffic=True
    ),
)
right_to_left = VirtualNetworkPeering(
    "right-to-left",
    VirtualNetworkPeeringArgs(
        virtual_network_id=right.id, remote_virtual_network_id=left.id, allow_forwarded_traffic=True
    ),
)

pulumi.export("hubVnetId", hub.id)
pulumi.export("gatewayId", gateway.id)
pulumi.export("peerings", topology.peerings)
pulumi.export(
    "pair",
    {
        "left_to_right": {"id": left_to_right.peering_id, "state": left_to_right.peering_state},
        "right_to_left": {"id": right_to_left.peering_id, "state": right_to_left.peering_state},
    },
)
