"""Two vnets peered both ways with the ``VirtualNetworkPeering`` resource itself (no component).

Config (project namespace): ``localVnetId``, ``remoteVnetId``; optional ``allowForwardedTraffic`` (bool) and
``adoptExisting`` (bool: take over peerings that already exist instead of failing).
"""

import pulumi

from pulumi_azure_peering import PeeringTimeouts, VirtualNetworkPeering, VirtualNetworkPeeringArgs

config = pulumi.Config()
local_vnet = config.require("localVnetId")
remote_vnet = config.require("remoteVnetId")
forwarded = config.get_bool("allowForwardedTraffic") or False
adopt = config.get_bool("adoptExisting") or False
timeouts = PeeringTimeouts(create=600, update=600, delete=600)

there = VirtualNetworkPeering(
    "local-to-remote",
    VirtualNetworkPeeringArgs(
        virtual_network_id=local_vnet,
        remote_virtual_network_id=remote_vnet,
        allow_forwarded_traffic=forwarded,
        adopt_existing=adopt,
        timeouts=timeouts,
    ),
)
back = VirtualNetworkPeering(
    "remote-to-local",
    VirtualNetworkPeeringArgs(
        virtual_network_id=remote_vnet,
        remote_virtual_network_id=local_vnet,
        allow_forwarded_traffic=forwarded,
        adopt_existing=adopt,
        timeouts=timeouts,
    ),
)

pulumi.export("local_to_remote", {"id": there.peering_id, "state": there.peering_state})
pulumi.export("remote_to_local", {"id": back.peering_id, "state": back.peering_state})
