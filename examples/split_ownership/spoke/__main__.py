"""A spoke team's stack: declares its own pair against the hub published by the network team's stack.

Config: ``hubStack`` (the hub stack's fully qualified name, e.g. ``organization/hub-network/prod``),
``spokeName``, ``spokeVnetId``. The hub id arrives as a StackReference output, so the component plans the pair's
shape from the spoke name and checks the topology once the id is known.
"""

import pulumi

from pulumi_azure_peering import HubSpokePeering, HubSpokePeeringArgs, SpokeArgs

config = pulumi.Config()
hub = pulumi.StackReference(config.require("hubStack"))
spoke_name = config.require("spokeName")

pair = HubSpokePeering(
    spoke_name,
    HubSpokePeeringArgs(
        hub_vnet_id=hub.require_output("hubVnetId"),
        spokes={
            spoke_name: SpokeArgs(
                vnet_id=config.require("spokeVnetId"),
                use_hub_gateway=config.get_bool("useHubGateway") or False,
            )
        },
    ),
)

pulumi.export("peerings", pair.peerings)
