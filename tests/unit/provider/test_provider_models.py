"""Wire models: camelCase on the wire, snake_case in Python, Azure's defaults, read-only fields parsed."""

from __future__ import annotations

import pytest

from pulumi_azure_peering.provider.ids import parent_vnet_id, peering_id_for, same_id
from pulumi_azure_peering.provider.models import (
    PeeringSpec,
    PeeringWriteProperties,
    VirtualNetworkPeeringResource,
    outputs_from,
)
from tests.unit.provider.provider_fakes import peering_json, vnet_id

pytestmark = pytest.mark.unit

# The "Create subnet peering" example of the 2025-05-01 reference, response part.
SUBNET_EXAMPLE = {
    "name": "peer",
    "id": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/peerTest/providers/Microsoft.Network"
    "/virtualNetworks/vnet1/virtualNetworkPeerings/peer",
    "etag": 'W/"abc"',
    "properties": {
        "allowForwardedTraffic": True,
        "allowGatewayTransit": False,
        "allowVirtualNetworkAccess": True,
        "enableOnlyIPv6Peering": False,
        "localAddressSpace": {"addressPrefixes": ["212.0.0.0/16", "13.0.0.0/8", "2002:2002::/64"]},
        "localSubnetNames": ["Subnet1", "Subnet4"],
        "localVirtualNetworkAddressSpace": {"addressPrefixes": ["212.0.0.0/16", "13.0.0.0/8", "2002:2002::/64"]},
        "peerCompleteVnets": False,
        "peeringState": "Initiated",
        "peeringSyncLevel": "FullyInSync",
        "provisioningState": "Succeeded",
        "remoteAddressSpace": {"addressPrefixes": ["12.0.0.0/8"]},
        "remoteBgpCommunities": {"regionalCommunity": "12076:50004", "virtualNetworkCommunity": "12076:20002"},
        "remoteSubnetNames": ["Subnet2"],
        "remoteVirtualNetwork": {
            "id": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/peerTest/providers"
            "/Microsoft.Network/virtualNetworks/vnet2"
        },
        "remoteVirtualNetworkAddressSpace": {"addressPrefixes": ["12.0.0.0/8"]},
        "remoteVirtualNetworkEncryption": {"enabled": True, "enforcement": "AllowUnencrypted"},
        "remoteGateways": [
            {"id": "/subscriptions/x/resourceGroups/r/providers/Microsoft.Network/virtualNetworkGateways/g"}
        ],
        "resourceGuid": "guid",
        "useRemoteGateways": False,
        "routeServiceVips": {},
    },
}


def test_reads_every_property_of_the_reference_example() -> None:
    peering = VirtualNetworkPeeringResource.model_validate(SUBNET_EXAMPLE)
    p = peering.properties
    assert p.peer_complete_vnets is False
    assert p.local_subnet_names == ["Subnet1", "Subnet4"]
    assert p.remote_subnet_names == ["Subnet2"]
    assert p.enable_only_ipv6_peering is False
    assert p.local_address_space is not None and "2002:2002::/64" in p.local_address_space.address_prefixes
    assert p.peering_state == "Initiated" and p.peering_sync_level == "FullyInSync"
    assert p.remote_bgp_communities is not None and p.remote_bgp_communities.regional_community == "12076:50004"
    assert p.remote_virtual_network_encryption is not None and p.remote_virtual_network_encryption.enabled
    assert p.remote_gateways is not None and p.remote_gateways[0].id.endswith("/g")
    assert p.resource_guid == "guid" and peering.etag == 'W/"abc"'


def test_azure_defaults_for_writable_properties() -> None:
    p = PeeringWriteProperties()
    assert p.allow_virtual_network_access is True
    assert p.peer_complete_vnets is True
    assert not any(
        [p.allow_forwarded_traffic, p.allow_gateway_transit, p.use_remote_gateways, p.do_not_verify_remote_gateways]
    )
    assert p.enable_only_ipv6_peering is False


def test_put_body_is_camel_case_and_only_writable() -> None:
    spec = PeeringSpec(virtual_network_id=vnet_id("hub"), name="p", remote_virtual_network_id=vnet_id("spoke"))
    body = spec.put_body()
    props = body["properties"]
    assert set(body) == {"properties"}
    assert props["remoteVirtualNetwork"] == {"id": vnet_id("spoke")}
    assert props["allowVirtualNetworkAccess"] is True
    assert props["enableOnlyIPv6Peering"] is False
    assert "peeringState" not in props and "localSubnetNames" not in props and "localAddressSpace" not in props


def test_put_body_for_subnet_peering() -> None:
    spec = PeeringSpec(
        virtual_network_id=vnet_id("hub"),
        name="p",
        remote_virtual_network_id=vnet_id("spoke"),
        peer_complete_vnets=False,
        local_subnet_names=["a"],
        remote_subnet_names=["b"],
        enable_only_ipv6_peering=True,
        local_address_space=["10.0.0.0/24"],
    )
    props = spec.put_body()["properties"]
    assert props["peerCompleteVnets"] is False
    assert props["localSubnetNames"] == ["a"] and props["remoteSubnetNames"] == ["b"]
    assert props["enableOnlyIPv6Peering"] is True
    assert props["localAddressSpace"] == {"addressPrefixes": ["10.0.0.0/24"]}
    assert "remoteAddressSpace" not in props


def test_ids() -> None:
    pid = peering_id_for(vnet_id("hub"), "to-spoke")
    assert pid == vnet_id("hub") + "/virtualNetworkPeerings/to-spoke"
    assert parent_vnet_id(pid) == vnet_id("hub")
    assert same_id(vnet_id("hub").lower(), vnet_id("hub") + "/")
    assert not same_id(vnet_id("hub"), vnet_id("spoke"))


def test_outputs_carry_inputs_and_every_read_only_property() -> None:
    live = VirtualNetworkPeeringResource.model_validate(peering_json(state="Connected"))
    out = outputs_from({"adopt_existing": True, "timeouts": {"create": 5}, "virtual_network_id": vnet_id("hub")}, live)
    assert out["adopt_existing"] is True and out["timeouts"] == {"create": 5}
    assert out["peering_id"] == live.id
    assert out["peering_state"] == "Connected"
    assert out["remote_virtual_network_address_space"] == ["10.1.0.0/16"]
    assert out["local_virtual_network_address_space"] == ["10.0.0.0/16"]
    for key in (
        "peering_sync_level",
        "provisioning_state",
        "resource_guid",
        "etag",
        "remote_bgp_communities",
        "remote_virtual_network_encryption",
        "remote_gateways",
    ):
        assert key in out
