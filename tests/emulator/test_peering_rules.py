"""Every peering rule docs/emulator.md lists with its source, with the code the service answers."""

from __future__ import annotations

from typing import Any

import pytest

from pulumi_azure_peering.emulator.testing import EmulatorProcess

from .helpers import (
    RG,
    SUB_A,
    error_code,
    get_props,
    peering_path,
    put_peering,
    put_vnet,
    seed_vnets,
    third_vnet_overlap,
    vnet_body,
    vnet_id,
    vnet_spec,
)

pytestmark = pytest.mark.emulator


def _two(emu: EmulatorProcess, a: list[str] | None = None, b: list[str] | None = None, **extra_b: Any) -> None:
    seed_vnets(emu, vnet_spec("a", a or ["10.1.0.0/16"]), vnet_spec("b", b or ["10.2.0.0/16"], **extra_b))


def _hub(emu: EmulatorProcess, gateway_seconds: float | None = 0) -> None:
    hub = vnet_spec("hub", ["10.0.0.0/16"], {"GatewaySubnet": ["10.0.255.0/27"]})
    if gateway_seconds is not None:
        hub["gateway"] = {"name": "hub-gw", "provisioningSeconds": gateway_seconds}
    seed_vnets(emu, hub, vnet_spec("s1", ["10.1.0.0/16"]), vnet_spec("s2", ["10.2.0.0/16"]))


# --- state machine ---------------------------------------------------------------------------------------------


def test_initiated_then_connected_with_a_shared_resource_guid(emu: EmulatorProcess) -> None:
    _two(emu)
    first = put_peering(emu, "a", "a-b", vnet_id("b"))
    assert first.status_code == 201
    assert first.json()["properties"]["peeringState"] == "Initiated"
    assert first.json()["properties"]["peeringSyncLevel"] == "RemoteNotInSync"  # until the other side exists
    assert get_props(emu, peering_path("a", "a-b"))["peeringState"] == "Initiated"
    assert put_peering(emu, "b", "b-a", vnet_id("a")).status_code == 201
    pa, pb = get_props(emu, peering_path("a", "a-b")), get_props(emu, peering_path("b", "b-a"))
    assert (pa["peeringState"], pb["peeringState"]) == ("Connected", "Connected")
    assert (pa["peeringSyncLevel"], pb["peeringSyncLevel"]) == ("FullyInSync", "FullyInSync")
    assert pa["resourceGuid"] == pb["resourceGuid"]


def test_deleting_one_side_disconnects_the_other_and_blocks_recreation(emu: EmulatorProcess) -> None:
    _two(emu)
    put_peering(emu, "a", "a-b", vnet_id("b"))
    put_peering(emu, "b", "b-a", vnet_id("a"))
    r = emu.arm("DELETE", peering_path("a", "a-b"))
    assert r.status_code == 202 and r.content == b""
    assert "/operationResults/" in r.headers["Location"]
    assert emu.wait(r)["status"] == "Succeeded"
    assert emu.arm("GET", peering_path("a", "a-b")).status_code == 404
    assert get_props(emu, peering_path("b", "b-a"))["peeringState"] == "Disconnected"

    again = put_peering(emu, "a", "a-b", vnet_id("b"))
    assert again.status_code == 400
    assert error_code(again) == "RemotePeeringIsDisconnected"
    assert (
        "Update or re-create the remote peering to get it back to Initiated state" in again.json()["error"]["message"]
    )

    # A PUT on the Disconnected peering itself brings it back to Initiated; then the pair connects again.
    assert put_peering(emu, "b", "b-a", vnet_id("a")).status_code == 200
    assert get_props(emu, peering_path("b", "b-a"))["peeringState"] == "Initiated"
    put_peering(emu, "a", "a-b", vnet_id("b"))
    assert get_props(emu, peering_path("b", "b-a"))["peeringState"] == "Connected"


def test_deleting_the_remote_vnet_leaves_the_survivor_disconnected(emu: EmulatorProcess) -> None:
    _two(emu)
    put_peering(emu, "a", "a-b", vnet_id("b"))
    put_peering(emu, "b", "b-a", vnet_id("a"))
    r = emu.arm("DELETE", vnet_id("b"))
    assert r.status_code == 202
    emu.wait(r)
    assert emu.arm("GET", vnet_id("b")).status_code == 404
    survivor = get_props(emu, peering_path("a", "a-b"))
    assert survivor["peeringState"] == "Disconnected"
    assert emu.arm("DELETE", vnet_id("b")).status_code == 204  # already gone


def test_delete_of_a_missing_peering_is_204(emu: EmulatorProcess) -> None:
    _two(emu)
    assert emu.arm("DELETE", peering_path("a", "nope")).status_code == 204


# --- overlap ---------------------------------------------------------------------------------------------------


def test_overlapping_address_spaces(emu: EmulatorProcess) -> None:
    _two(emu, ["10.1.0.0/16"], ["10.1.128.0/17"])
    r = put_peering(emu, "a", "a-b", vnet_id("b"))
    assert r.status_code == 400
    assert error_code(r) == "VnetAddressSpacesOverlap"
    assert "Overlapping address prefixes: 10.1.0.0/16, 10.1.128.0/17" in r.json()["error"]["message"]
    assert emu.arm("GET", peering_path("a", "a-b")).status_code == 404  # nothing was written


def test_overlap_with_a_third_vnet_already_peered_counts_even_when_disconnected(emu: EmulatorProcess) -> None:
    third_vnet_overlap(emu)
    r = put_peering(emu, "s1copy", "s1copy-hub", vnet_id("hub"))
    assert r.status_code == 400
    assert error_code(r) == "VnetAddressSpaceOverlapsWithAlreadyPeeredVnet"
    assert vnet_id("s1") in r.json()["error"]["message"]
    # hub -> s1 becomes Disconnected once s1 -> hub is gone: its address space is still reserved.
    emu.wait(emu.arm("DELETE", peering_path("s1", "s1-hub")))
    assert get_props(emu, peering_path("hub", "hub-s1"))["peeringState"] == "Disconnected"
    r = put_peering(emu, "hub", "hub-s1copy", vnet_id("s1copy"))
    assert error_code(r) == "VnetAddressSpaceOverlapsWithAlreadyPeeredVnet"


def test_subnet_peering_allows_overlapping_vnets_when_the_peered_subnets_do_not_overlap(emu: EmulatorProcess) -> None:
    _two(emu)
    seed_vnets(
        emu,
        vnet_spec("x", ["10.5.0.0/16"], {"app": ["10.5.1.0/24"], "db": ["10.5.2.0/24"]}),
        vnet_spec("y", ["10.5.0.0/16"], {"app": ["10.5.3.0/24"]}),
    )
    full = put_peering(emu, "x", "x-y", vnet_id("y"))
    assert error_code(full) == "VnetAddressSpacesOverlap"
    r = put_peering(
        emu, "x", "x-y", vnet_id("y"), peerCompleteVnets=False, localSubnetNames=["app"], remoteSubnetNames=["app"]
    )
    assert r.status_code == 201, r.text
    props = get_props(emu, peering_path("x", "x-y"))
    assert props["localAddressSpace"]["addressPrefixes"] == ["10.5.1.0/24"]
    assert props["remoteAddressSpace"]["addressPrefixes"] == ["10.5.3.0/24"]
    assert props["localSubnetNames"] == ["app"]


# --- gateways --------------------------------------------------------------------------------------------------


def test_use_remote_gateways_needs_a_gateway_on_the_remote_vnet(emu: EmulatorProcess) -> None:
    _hub(emu, gateway_seconds=None)
    put_peering(emu, "hub", "hub-s1", vnet_id("s1"), allowGatewayTransit=True)
    r = put_peering(emu, "s1", "s1-hub", vnet_id("hub"), useRemoteGateways=True)
    assert r.status_code == 400
    assert error_code(r) == "RemoteVnetHasNoGateways"
    assert "cannot have UseRemoteGateway flag set to true" in r.json()["error"]["message"]


def test_use_remote_gateways_needs_gateway_transit_on_the_remote_side(emu: EmulatorProcess) -> None:
    _hub(emu)
    r = put_peering(emu, "s1", "s1-hub", vnet_id("hub"), useRemoteGateways=True)
    assert error_code(r) == "RemotePeeringDoesNotAllowGatewayTransit"  # reverse peering missing
    put_peering(emu, "hub", "hub-s1", vnet_id("s1"), allowGatewayTransit=False)
    r = put_peering(emu, "s1", "s1-hub", vnet_id("hub"), useRemoteGateways=True)
    assert error_code(r) == "RemotePeeringDoesNotAllowGatewayTransit"
    put_peering(emu, "hub", "hub-s1", vnet_id("s1"), allowGatewayTransit=True)
    r = put_peering(emu, "s1", "s1-hub", vnet_id("hub"), useRemoteGateways=True)
    assert r.status_code == 201, r.text
    props = get_props(emu, peering_path("s1", "s1-hub"))
    gateway = f"/subscriptions/{SUB_A}/resourceGroups/{RG}/providers/Microsoft.Network/virtualNetworkGateways/hub-gw"
    assert props["remoteGateways"] == [{"id": gateway}]
    assert props["useRemoteGateways"] is True


def test_only_one_peering_per_vnet_may_use_remote_gateways(emu: EmulatorProcess) -> None:
    _hub(emu)
    seed_vnets(emu, vnet_spec("hub2", ["10.9.0.0/16"], {"GatewaySubnet": ["10.9.255.0/27"]}, gateway={"name": "gw2"}))
    for hub in ("hub", "hub2"):
        put_peering(emu, hub, f"{hub}-s1", vnet_id("s1"), allowGatewayTransit=True)
    assert put_peering(emu, "s1", "s1-hub", vnet_id("hub"), useRemoteGateways=True).status_code == 201
    r = put_peering(emu, "s1", "s1-hub2", vnet_id("hub2"), useRemoteGateways=True)
    assert error_code(r) == "OnlyOnePeeringCanUseRemoteGateways"


def test_no_remote_gateways_when_the_local_vnet_has_its_own(emu: EmulatorProcess) -> None:
    _hub(emu)
    seed_vnets(emu, vnet_spec("s3", ["10.3.0.0/16"], {"GatewaySubnet": ["10.3.255.0/27"]}, gateway={"name": "s3-gw"}))
    put_peering(emu, "hub", "hub-s3", vnet_id("s3"), allowGatewayTransit=True)
    r = put_peering(emu, "s3", "s3-hub", vnet_id("hub"), useRemoteGateways=True)
    assert error_code(r) == "CannotUseRemoteGatewaysWhenVnetHasGateway"


# --- references and identity of a link -------------------------------------------------------------------------


def test_changing_the_remote_vnet_is_not_allowed(emu: EmulatorProcess) -> None:
    _hub(emu, gateway_seconds=None)
    put_peering(emu, "hub", "p", vnet_id("s1"))
    r = put_peering(emu, "hub", "p", vnet_id("s2"))
    assert r.status_code == 400
    assert error_code(r) == "ChangingRemoteVirtualNetworkNotAllowed"


def test_a_second_peering_to_the_same_remote_vnet(emu: EmulatorProcess) -> None:
    _hub(emu, gateway_seconds=None)
    put_peering(emu, "hub", "p1", vnet_id("s1"))
    r = put_peering(emu, "hub", "p2", vnet_id("s1").upper().replace("/SUBSCRIPTIONS/", "/subscriptions/"))
    assert error_code(r) == "AnotherPeeringAlreadyReferencesRemoteVnet"


def test_self_peering_and_unknown_remote(emu: EmulatorProcess) -> None:
    _two(emu)
    assert error_code(put_peering(emu, "a", "self", vnet_id("a"))) == "CannotPeerVirtualNetworkWithItself"
    assert error_code(put_peering(emu, "a", "ghost", vnet_id("ghost"))) == "InvalidGlobalResourceReference"
    assert error_code(put_peering(emu, "a", "bad", "/subscriptions/nope/vnet")) == "LinkedInvalidPropertyId"
    r = emu.arm("PUT", peering_path("a", "noremote"), json={"properties": {}})
    assert error_code(r) == "RemoteVirtualNetworkRequired"


def test_at_most_500_peerings_per_vnet(emu: EmulatorProcess) -> None:
    spokes = [vnet_spec(f"s{i}", [f"10.{i // 250}.{i % 250}.0/24"]) for i in range(501)]
    hub = vnet_spec("hub", ["172.16.0.0/16"])
    hub["peerings"] = [{"name": f"hub-s{i}", "remoteVirtualNetwork": vnet_id(f"s{i}")} for i in range(500)]
    seed_vnets(emu, *spokes, hub)
    r = emu.arm("GET", f"{vnet_id('hub')}/virtualNetworkPeerings")
    assert len(r.json()["value"]) == 50 and "nextLink" in r.json()
    r = put_peering(emu, "hub", "hub-s500", vnet_id("s500"))
    assert r.status_code == 400
    assert error_code(r) == "VirtualNetworkPeeringLimitReached"
    assert put_peering(emu, "hub", "hub-s0", vnet_id("s0")).status_code == 200  # updates stay possible


# --- subnet and IPv6-only peering ------------------------------------------------------------------------------


def test_subnet_peering_names_must_exist(emu: EmulatorProcess) -> None:
    seed_vnets(
        emu,
        vnet_spec("x", ["10.5.0.0/16"], {"app": ["10.5.1.0/24"]}),
        vnet_spec("y", ["10.6.0.0/16"], {"web": ["10.6.1.0/24"]}),
    )
    r = put_peering(
        emu, "x", "x-y", vnet_id("y"), peerCompleteVnets=False, localSubnetNames=["app"], remoteSubnetNames=["nope"]
    )
    assert error_code(r) == "SubnetNotFoundForSubnetPeering"
    r = put_peering(emu, "x", "x-y", vnet_id("y"), peerCompleteVnets=False)
    assert error_code(r) == "SubnetPeeringRequiresSubnetNames"


def test_ipv6_only_peering_peers_only_the_ipv6_prefixes_of_the_named_subnets(emu: EmulatorProcess) -> None:
    seed_vnets(
        emu,
        vnet_spec(
            "x", ["10.5.0.0/16", "fd00:5::/48"], {"app": ["10.5.1.0/24", "fd00:5:0:1::/64"], "db": ["10.5.2.0/24"]}
        ),
        vnet_spec("y", ["10.6.0.0/16", "fd00:6::/48"], {"web": ["10.6.1.0/24", "fd00:6:0:1::/64"]}),
    )
    put_peering(
        emu, "x", "x-y", vnet_id("y"), peerCompleteVnets=False, enableOnlyIPv6Peering=True,
        localSubnetNames=["app", "db"], remoteSubnetNames=["web"],
    )  # fmt: skip
    props = get_props(emu, peering_path("x", "x-y"))
    assert props["localAddressSpace"]["addressPrefixes"] == ["fd00:5:0:1::/64"]
    assert props["remoteAddressSpace"]["addressPrefixes"] == ["fd00:6:0:1::/64"]
    assert props["remoteVirtualNetworkAddressSpace"]["addressPrefixes"] == ["fd00:6:0:1::/64"]


def test_changing_the_link_kind_is_answered_200_and_ignored(emu: EmulatorProcess) -> None:
    seed_vnets(
        emu,
        vnet_spec("x", ["10.5.0.0/16"], {"app": ["10.5.1.0/24"]}),
        vnet_spec("y", ["10.6.0.0/16"], {"web": ["10.6.1.0/24"]}),
    )
    put_peering(emu, "x", "x-y", vnet_id("y"))
    r = put_peering(
        emu, "x", "x-y", vnet_id("y"), peerCompleteVnets=False, localSubnetNames=["app"], remoteSubnetNames=["web"]
    )
    assert r.status_code == 200
    props = get_props(emu, peering_path("x", "x-y"))
    assert props["peerCompleteVnets"] is True
    assert "localSubnetNames" not in props
    assert props["remoteAddressSpace"]["addressPrefixes"] == ["10.6.0.0/16"]


# --- address-space sync ----------------------------------------------------------------------------------------


def _resize(emu: EmulatorProcess, name: str, prefixes: list[str]) -> None:
    r = put_vnet(emu, name, vnet_body(prefixes))
    assert r.status_code == 200, r.text


def test_sync_levels_after_a_resize_and_what_sync_does(emu: EmulatorProcess) -> None:
    _two(emu)
    put_peering(emu, "a", "a-b", vnet_id("b"))
    put_peering(emu, "b", "b-a", vnet_id("a"))
    _resize(emu, "a", ["10.1.0.0/16", "10.11.0.0/16"])
    assert get_props(emu, peering_path("a", "a-b"))["peeringSyncLevel"] == "RemoteNotInSync"
    pb = get_props(emu, peering_path("b", "b-a"))
    assert pb["peeringSyncLevel"] == "LocalNotInSync"
    assert pb["remoteAddressSpace"]["addressPrefixes"] == ["10.1.0.0/16"]  # what is peered: not yet the new range
    assert pb["remoteVirtualNetworkAddressSpace"]["addressPrefixes"] == ["10.1.0.0/16", "10.11.0.0/16"]

    _resize(emu, "b", ["10.2.0.0/16", "10.12.0.0/16"])
    assert get_props(emu, peering_path("a", "a-b"))["peeringSyncLevel"] == "LocalAndRemoteNotInSync"
    assert get_props(emu, peering_path("b", "b-a"))["peeringSyncLevel"] == "LocalAndRemoteNotInSync"

    put_peering(emu, "b", "b-a", vnet_id("a"), sync=True)
    put_peering(emu, "a", "a-b", vnet_id("b"), sync=True)
    pa, pb = get_props(emu, peering_path("a", "a-b")), get_props(emu, peering_path("b", "b-a"))
    assert (pa["peeringSyncLevel"], pb["peeringSyncLevel"]) == ("FullyInSync", "FullyInSync")
    assert pb["remoteAddressSpace"]["addressPrefixes"] == ["10.1.0.0/16", "10.11.0.0/16"]
    assert pa["remoteAddressSpace"]["addressPrefixes"] == ["10.2.0.0/16", "10.12.0.0/16"]
    assert pa["localAddressSpace"]["addressPrefixes"] == ["10.1.0.0/16", "10.11.0.0/16"]


def test_syncing_the_other_side_fixes_both(emu: EmulatorProcess) -> None:
    _two(emu)
    put_peering(emu, "a", "a-b", vnet_id("b"))
    put_peering(emu, "b", "b-a", vnet_id("a"))
    _resize(emu, "a", ["10.1.0.0/16", "10.11.0.0/16"])
    put_peering(emu, "b", "b-a", vnet_id("a"))  # a plain PUT does not sync
    assert get_props(emu, peering_path("b", "b-a"))["peeringSyncLevel"] == "LocalNotInSync"
    put_peering(emu, "b", "b-a", vnet_id("a"), sync=True)
    assert get_props(emu, peering_path("a", "a-b"))["peeringSyncLevel"] == "FullyInSync"
    assert get_props(emu, peering_path("b", "b-a"))["peeringSyncLevel"] == "FullyInSync"


def test_resizing_into_a_peered_vnet_is_refused(emu: EmulatorProcess) -> None:
    _two(emu)
    put_peering(emu, "a", "a-b", vnet_id("b"))
    r = put_vnet(emu, "a", vnet_body(["10.1.0.0/16", "10.2.128.0/17"]))
    assert error_code(r) == "VnetAddressSpaceOverlapsWithAlreadyPeeredVnet"


# --- mirrored properties and read-only echoes ------------------------------------------------------------------


def test_remote_encryption_and_bgp_communities_are_mirrored(emu: EmulatorProcess) -> None:
    _two(
        emu,
        encryption={"enabled": True, "enforcement": "DropUnencrypted"},
        bgpCommunities={"virtualNetworkCommunity": "12076:20010"},
    )
    put_peering(emu, "a", "a-b", vnet_id("b"))
    props = get_props(emu, peering_path("a", "a-b"))
    assert props["remoteVirtualNetworkEncryption"] == {"enabled": True, "enforcement": "DropUnencrypted"}
    assert props["remoteBgpCommunities"] == {
        "virtualNetworkCommunity": "12076:20010",
        "regionalCommunity": "12076:51002",
    }


def test_read_only_fields_echoed_back_are_accepted_and_ignored(emu: EmulatorProcess) -> None:
    _two(emu)
    put_peering(emu, "a", "a-b", vnet_id("b"), allowForwardedTraffic=True)
    current = emu.arm("GET", peering_path("a", "a-b")).json()
    current["properties"]["peeringState"] = "Connected"
    current["properties"]["remoteAddressSpace"] = {"addressPrefixes": ["192.168.0.0/16"]}
    current["properties"]["provisioningState"] = "Failed"
    r = emu.arm("PUT", peering_path("a", "a-b"), json=current)
    assert r.status_code == 200, r.text
    emu.wait(r)
    after = emu.arm("GET", peering_path("a", "a-b")).json()
    assert after["properties"]["peeringState"] == "Initiated"
    assert after["properties"]["remoteAddressSpace"]["addressPrefixes"] == ["10.2.0.0/16"]
    assert after["properties"]["allowForwardedTraffic"] is True
    assert after["etag"] != current["etag"]


def test_vnet_get_reflects_its_peerings(emu: EmulatorProcess) -> None:
    _two(emu)
    put_peering(emu, "a", "a-b", vnet_id("b"))
    vnet = emu.arm("GET", vnet_id("a")).json()
    assert [p["name"] for p in vnet["properties"]["virtualNetworkPeerings"]] == ["a-b"]
    assert vnet["properties"]["virtualNetworkPeerings"][0]["properties"]["peeringState"] == "Initiated"
