"""Timing and contention: writes are long-running, hold their vnet, and conflict like the real service."""

from __future__ import annotations

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
    scheduled_seconds,
    seed_vnets,
    vnet_body,
    vnet_id,
    vnet_spec,
)

pytestmark = pytest.mark.emulator


def test_a_write_in_flight_holds_its_vnet(emu: EmulatorProcess) -> None:
    seed_vnets(emu, vnet_spec("a", ["10.1.0.0/16"]), vnet_spec("b", ["10.2.0.0/16"]), vnet_spec("c", ["10.3.0.0/16"]))
    emu.set_latency(0.5)
    first = put_peering(emu, "a", "a-b", vnet_id("b"), wait=False)
    assert first.status_code == 201
    assert get_props(emu, vnet_id("a"))["provisioningState"] == "Updating"

    second = put_peering(emu, "a", "a-c", vnet_id("c"), wait=False)
    assert (second.status_code, error_code(second)) == (409, "AnotherOperationInProgress")
    assert first.headers["Azure-AsyncOperation"].split("?")[0] in second.json()["error"]["message"]
    assert error_code(put_vnet(emu, "a", vnet_body(["10.1.0.0/16"]), wait=False)) == "AnotherOperationInProgress"

    reverse = put_peering(emu, "b", "b-a", vnet_id("a"), wait=False)
    assert (reverse.status_code, error_code(reverse)) == (400, "ReferencedResourceNotProvisioned")
    message = reverse.json()["error"]["message"]
    assert f"resource {vnet_id('a')} used by resource {peering_path('b', 'b-a')} is not in Succeeded state" in message
    assert (
        "Resource is in Updating state and the last operation that updated/is updating the resource is "
        "PutVirtualNetworkPeeringOperation." in message
    )
    assert emu.arm("GET", peering_path("b", "b-a")).status_code == 404  # refused before any change

    assert emu.wait(first)["status"] == "Succeeded"
    assert get_props(emu, vnet_id("a"))["provisioningState"] == "Succeeded"
    assert put_peering(emu, "b", "b-a", vnet_id("a")).status_code == 201


def test_operations_last_the_configured_latency(emu: EmulatorProcess) -> None:
    """The operation is scheduled for the configured latency by the emulator's own clock and answers InProgress
    until it ends: no bound on this test's wall-clock pace (a loaded machine polls late, never wrongly)."""
    seed_vnets(emu, vnet_spec("a", ["10.1.0.0/16"]), vnet_spec("b", ["10.2.0.0/16"]))
    emu.set_latency(30.0)
    r = put_peering(emu, "a", "a-b", vnet_id("b"), wait=False)
    assert scheduled_seconds(emu, peering_path("a", "a-b")) == pytest.approx(30.0)
    poll = emu.arm("GET", r.headers["Azure-AsyncOperation"], api_version=None)
    assert poll.json() == {"status": "InProgress"}
    assert emu.finish_operations() == 1
    assert emu.wait(r)["status"] == "Succeeded"


def test_validation_errors_are_synchronous_and_change_nothing(emu: EmulatorProcess) -> None:
    seed_vnets(emu, vnet_spec("a", ["10.1.0.0/16"]), vnet_spec("b", ["10.1.0.0/16"]))
    emu.set_latency(2.0)
    r = put_peering(emu, "a", "a-b", vnet_id("b"), wait=False)
    assert error_code(r) == "VnetAddressSpacesOverlap"
    assert "Azure-AsyncOperation" not in r.headers
    assert get_props(emu, vnet_id("a"))["provisioningState"] == "Succeeded"  # not held


def test_a_gateway_counts_only_once_provisioned(emu: EmulatorProcess) -> None:
    seed_vnets(
        emu, vnet_spec("hub", ["10.0.0.0/16"], {"GatewaySubnet": ["10.0.255.0/27"]}), vnet_spec("s", ["10.1.0.0/16"])
    )
    put_peering(emu, "hub", "hub-s", vnet_id("s"), allowGatewayTransit=True)
    gw_path = f"/subscriptions/{SUB_A}/resourceGroups/{RG}/providers/Microsoft.Network/virtualNetworkGateways/gw"
    body = {
        "location": "westeurope",
        "properties": {
            "ipConfigurations": [
                {"name": "c", "properties": {"subnet": {"id": f"{vnet_id('hub')}/subnets/GatewaySubnet"}}}
            ]
        },
    }
    r = emu.arm("PUT", gw_path, json=body, headers={"x-emulator-gateway-provisioning-seconds": "0.8"})
    assert r.status_code == 201
    assert emu.arm("GET", gw_path).json()["properties"]["provisioningState"] == "Updating"
    early = put_peering(emu, "s", "s-hub", vnet_id("hub"), useRemoteGateways=True)
    assert error_code(early) == "RemoteVnetHasNoGateways"
    assert emu.wait(r, timeout=10)["status"] == "Succeeded"
    assert put_peering(emu, "s", "s-hub", vnet_id("hub"), useRemoteGateways=True).status_code == 201


def test_seeded_gateway_provisioning_and_do_not_verify(emu: EmulatorProcess) -> None:
    hub = vnet_spec(
        "hub", ["10.0.0.0/16"], {"GatewaySubnet": ["10.0.255.0/27"]}, gateway={"name": "gw", "provisioningSeconds": 30}
    )
    seed_vnets(emu, hub, vnet_spec("s", ["10.1.0.0/16"]))
    put_peering(emu, "hub", "hub-s", vnet_id("s"), allowGatewayTransit=True)
    assert (
        error_code(put_peering(emu, "s", "s-hub", vnet_id("hub"), useRemoteGateways=True)) == "RemoteVnetHasNoGateways"
    )
    # doNotVerifyRemoteGateways skips the check of the remote gateway's provisioning state.
    r = put_peering(emu, "s", "s-hub", vnet_id("hub"), useRemoteGateways=True, doNotVerifyRemoteGateways=True)
    assert r.status_code == 201, r.text
    assert emu.finish_operations() == 1  # the gateway
