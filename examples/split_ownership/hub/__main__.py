"""The network team's stack: owns the hub's own shared-services spoke and publishes the hub for spoke teams.

Config: ``hubVnetId``, ``sharedServicesVnetId``. Outputs read by spoke stacks through a StackReference:
``hubVnetId`` and ``gatewayTransit`` (whether spokes may use the hub's gateway).
"""

import pulumi

from pulumi_azure_peering import HubSpokePeering, HubSpokePeeringArgs, SpokeArgs

config = pulumi.Config()
hub_vnet_id = config.require("hubVnetId")

shared = HubSpokePeering(
    "hub",
    HubSpokePeeringArgs(
        hub_vnet_id=hub_vnet_id,
        spokes={"shared-services": SpokeArgs(vnet_id=config.require("sharedServicesVnetId"))},
    ),
)

pulumi.export("hubVnetId", hub_vnet_id)
pulumi.export("gatewayTransit", True)
pulumi.export("peerings", shared.peerings)
