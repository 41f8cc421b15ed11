"""The project ``discover --emit-project`` writes (discover/emit.py), from estates built as ARM lists them. Its
engine walk (preview imports, repairs, no change after up) is tests/engine/test_discover_to_managed.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from pulumi_azure_peering.discover.emit import EmitError, render_program, render_stack_config, write_project
from pulumi_azure_peering.discover.findings import find_problems
from pulumi_azure_peering.discover.report import Discovery
from tests.unit.discover.estate_factories import estate, facts, side, vid

pytestmark = pytest.mark.unit

HUB, A, B, C = vid("hub"), vid("spoke-a"), vid("spoke-b"), vid("spoke-c")


def discovery(*sides: Any, gateway: str | None = "Succeeded", missing: tuple[str, ...] = ()) -> Discovery:
    vnets = [
        facts(HUB, ["10.0.0.0/16"], gateway=gateway, subnets=["GatewaySubnet", "shared"]),
        facts(A, ["10.1.0.0/16"], subnets=["app"]),
        facts(B, ["10.2.0.0/16"]),
        facts(C, ["10.3.0.0/16"]),
    ]
    found, pairs = estate(vnets, list(sides), missing=missing)
    return Discovery(found, pairs, find_problems(found, pairs, [HUB]), [HUB], hubs_proposed=False)


def program(found: Discovery) -> tuple[str, dict[str, Any]]:
    text = render_program(found, "adopted")
    return text, yaml.safe_load(text)


def test_a_healthy_spoke_is_declared_as_it_is_with_its_names() -> None:
    text, doc = program(
        discovery(
            side(HUB, A, "HUB_TO_A", allowGatewayTransit=True, allowForwardedTraffic=True),
            side(A, HUB, "a-hub", useRemoteGateways=True, allowForwardedTraffic=True),
        )
    )
    hub = doc["resources"]["hub-hub"]
    assert hub["type"] == "azure-peering:index:HubSpokePeering" and hub["properties"]["hubVnetId"] == HUB
    assert "hubAllowForwardedTraffic" not in hub["properties"]  # today's: true, the component's default
    assert hub["properties"]["spokes"] == {
        "spoke-a": {
            "vnetId": A,
            "hubPeeringName": "HUB_TO_A",
            "spokePeeringName": "a-hub",
            "adoptExisting": True,
            "useHubGateway": True,
        }
    }
    assert "# hub <-> spoke-a: Connected\n" in text and " -> " not in text  # nothing changes


def test_each_change_from_todays_values_is_said_above_its_spoke() -> None:
    text, doc = program(
        discovery(
            # transit set on the spoke's side, none on the hub's: the spoke side wants the hub's gateway
            side(HUB, A, "hub-a"),
            side(A, HUB, "a-hub", useRemoteGateways=True, allowGatewayTransit=True),
            # one-sided, the hub side in another forwarding setting than the hub's others
            side(HUB, B, "hub-b", state="Initiated", sync="RemoteNotInSync", allowForwardedTraffic=True),
            side(HUB, C, "hub-c"),
            side(C, HUB, "c-hub"),
        )
    )
    spokes = doc["resources"]["hub-hub"]["properties"]["spokes"]
    assert spokes["spoke-a"]["useHubGateway"] is True
    assert "# hub side hub-a: allowGatewayTransit false -> true" in text
    assert "# spoke side a-hub: allowGatewayTransit true -> false (transit belongs on the hub's side)" in text
    assert doc["resources"]["hub-hub"]["properties"]["hubAllowForwardedTraffic"] is False  # two of three
    assert "# hub side hub-b: allowForwardedTraffic true -> false (the hub's setting)" in text
    assert "# the side of spoke-b is missing: created" in text
    assert spokes["spoke-b"]["spokePeeringName"] == "spoke-b-to-hub"  # the component's default name


def test_gateway_transit_is_turned_off_where_the_hub_has_no_gateway() -> None:
    text, doc = program(
        discovery(
            side(HUB, A, "hub-a", allowGatewayTransit=True), side(A, HUB, "a-hub", useRemoteGateways=True), gateway=None
        )
    )
    assert "useHubGateway" not in doc["resources"]["hub-hub"]["properties"]["spokes"]["spoke-a"]
    assert "# hub has no gateway: gateway transit is turned off" in text
    assert "# spoke side a-hub: useRemoteGateways true -> false" in text


def test_a_link_outside_the_hub_is_two_peerings_the_existing_one_imported() -> None:
    _, doc = program(discovery(side(A, B, "a-b", allowForwardedTraffic=True), side(B, A, "b-a", state="Disconnected")))
    resources = doc["resources"]
    assert set(resources) == {"spoke-a--a-b", "spoke-b--b-a"}
    a_b = resources["spoke-a--a-b"]
    assert a_b["type"] == "azure-peering:index:VirtualNetworkPeering"
    assert a_b["properties"] == {
        "virtualNetworkId": A,
        "remoteVirtualNetworkId": B,
        "name": "a-b",
        "adoptExisting": True,
        "allowForwardedTraffic": True,
    }
    assert a_b["options"] == {"import": f"{A}/virtualNetworkPeerings/a-b"}


def test_a_missing_side_of_a_link_is_created_mirroring_the_subnets() -> None:
    text, doc = program(
        discovery(
            side(
                A,
                B,
                "a-b",
                state="Initiated",
                peerCompleteVnets=False,
                localSubnetNames=["app", "gone"],
                remoteSubnetNames=[],
            )
        )
    )
    created = doc["resources"]["spoke-b--spoke-b-to-spoke-a"]
    assert "options" not in created and "adoptExisting" not in created["properties"]
    assert created["properties"]["remoteSubnetNames"] == ["app"]  # the subnet that still exists
    assert "subnet(s) gone no longer exist in spoke-a: left out" in text


def test_a_peering_to_a_vnet_that_is_gone_is_not_adopted_and_said() -> None:
    gone = vid("deleted")
    text, doc = program(discovery(side(HUB, gone, "hub-deleted", state="Disconnected"), missing=(gone,)))
    assert "# not adopted: hub -> deleted: deleted no longer exists; delete that peering" in text
    assert doc["resources"] is None or doc["resources"] == {}


def test_the_stack_config_carries_the_partner_tenants_and_no_credential(tmp_path: Path) -> None:
    found = discovery(side(HUB, A, "hub-a"), side(A, HUB, "a-hub"))
    assert yaml.safe_load(render_stack_config(found)) == {"config": {}}
    written = write_project(found, tmp_path / "estate", stack="prod")
    assert [p.name for p in written] == ["Pulumi.yaml", "Pulumi.prod.yaml"]
    assert yaml.safe_load(written[0].read_text())["name"] == "estate"
    with pytest.raises(EmitError, match="is not empty"):
        write_project(found, tmp_path / "estate")
