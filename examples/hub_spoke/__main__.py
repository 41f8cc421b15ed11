"""Hub and spokes: a hub vnet with a VPN gateway and its spokes, peered both ways by ``HubSpokePeering``.

Everything comes from stack config (see Pulumi.demo.yaml at the repository root for the demo's values):

    <project>:hubVnetId   ARM id of the hub vnet
    <project>:spokes      map of spoke name -> {vnetId, useHubGateway, link, localSubnetNames, hubSubnetNames,
                          allowForwardedTraffic, hubPeeringName, spokePeeringName, adoptExisting, timeouts,
                          auxiliaryTenantIds, joinMesh, previousKeys}
    <project>:mesh        also peer the spokes with each other (default false)
"""

from typing import Any

import pulumi

from pulumi_azure_peering import HubSpokePeering, HubSpokePeeringArgs, SpokeArgs

config = pulumi.Config()


def spoke_args(name: str, raw: Any) -> SpokeArgs:
    if not isinstance(raw, dict) or not raw.get("vnetId"):
        raise pulumi.RunError(
            f"config spokes.{name}: expected an object with at least vnetId (the spoke vnet's ARM id), got {raw!r}"
        )
    return SpokeArgs(
        vnet_id=raw["vnetId"],
        use_hub_gateway=bool(raw.get("useHubGateway", False)),
        link=raw.get("link", "vnet"),
        local_subnet_names=raw.get("localSubnetNames", []),
        hub_subnet_names=raw.get("hubSubnetNames", []),
        allow_forwarded_traffic=bool(raw.get("allowForwardedTraffic", True)),
        hub_peering_name=raw.get("hubPeeringName"),
        spoke_peering_name=raw.get("spokePeeringName"),
        adopt_existing=bool(raw.get("adoptExisting", False)),
        timeouts=raw.get("timeouts"),
        auxiliary_tenant_ids=raw.get("auxiliaryTenantIds", []),
        join_mesh=bool(raw.get("joinMesh", True)),
        previous_keys=raw.get("previousKeys", []),
    )


hub = HubSpokePeering(
    "hub",
    HubSpokePeeringArgs(
        hub_vnet_id=config.require("hubVnetId"),
        spokes={name: spoke_args(name, raw) for name, raw in config.require_object("spokes").items()},
        mesh=config.get_bool("mesh") or False,
    ),
)

pulumi.export("peerings", hub.peerings)
pulumi.export("mesh_peerings", hub.mesh_peerings)
# The topology as a Mermaid flowchart, each pair colored by its status: paste it into a pull request.
pulumi.export("topology", hub.topology_mermaid)
