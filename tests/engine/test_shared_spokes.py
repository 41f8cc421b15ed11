"""Spokes between two hubs: two HubSpokePeerings of one program that both route a spoke through their hub's gateway
fail at preview naming both; moving a gateway-transit spoke to another hub is refused at preview with the two
updates it takes, and those two updates then do it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from harness import topology
from harness.pulumi import PulumiProject
from tests.arm_views import arm_writes, live_peerings
from tests.emulator_config import SUB_HUB, seeded_vnet
from tests.engine.hub_spoke_helpers import demo_seed_with

pytestmark = pytest.mark.engine

PROGRAM = """\
import pulumi

from pulumi_azure_peering import HubSpokePeering, HubSpokePeeringArgs, SpokeArgs

for name, hub in pulumi.Config().require_object("hubs").items():
    HubSpokePeering(
        name,
        HubSpokePeeringArgs(
            hub_vnet_id=hub["hubVnetId"],
            spokes={
                key: SpokeArgs(vnet_id=spoke["vnetId"], use_hub_gateway=spoke.get("useHubGateway", False))
                for key, spoke in hub["spokes"].items()
            },
        ),
    )
"""

PAIRS = (("old", "new"), ("new", "old"))
HUB2 = topology.vnet_id(SUB_HUB, "rg-hub", "vnet-hub2")


def two_hub_seed() -> dict[str, Any]:
    hub2 = {
        "name": "vnet-hub2",
        "addressPrefixes": ["10.9.0.0/16"],
        "subnets": [{"name": "GatewaySubnet", "addressPrefix": "10.9.255.0/27"}],
        "gateway": {"name": "vgw-hub2", "gatewayType": "Vpn", "sku": "VpnGw1", "provisioningSeconds": 0},
    }
    return demo_seed_with("rg-hub", hub2)


def hubs(project: PulumiProject, old: dict[str, Any], new: dict[str, Any]) -> None:
    project.write_config(
        {
            "peering-test:hubs": {
                "old": {"hubVnetId": seeded_vnet("vnet-hub"), "spokes": old},
                "new": {"hubVnetId": HUB2, "spokes": new},
            }
        }
    )


def transit(name: str, use: bool = True) -> dict[str, Any]:
    return {"vnetId": seeded_vnet(name), "useHubGateway": use}


@pytest.fixture
def project(make_project: Callable[..., PulumiProject], emulator: Any) -> PulumiProject:
    emulator.seed(two_hub_seed())
    return make_project(PROGRAM)


def test_two_hubs_routing_one_spoke_through_their_gateways_fail_preview(project: PulumiProject, emulator: Any) -> None:
    hubs(project, {"payments": transit("vnet-payments")}, {"payments": transit("vnet-payments")})
    seq = emulator.last_request_seq()
    preview = project.preview(check=False)
    assert not preview.ok
    # whichever of the two the program builds second is refused, naming the other
    named = [f"use_hub_gateway of '{b}': HubSpokePeering '{a}' also routes vnet 'vnet-payments'" for a, b in PAIRS]
    assert sum(line in preview.output for line in named) == 1, preview.output
    # the rule in the API's words: the code of ARM's refusal is not known, so none is named
    assert 'the API: "Only one peering can have this flag set to true"' in preview.output, preview.output
    assert "OnlyOnePeeringCanUseRemoteGateways" not in preview.output
    assert not project.up(check=False, skip_preview=False).ok
    assert arm_writes(emulator, seq) == []


def test_moving_a_transit_spoke_to_another_hub_takes_the_two_updates_the_error_names(
    project: PulumiProject, emulator: Any
) -> None:
    hubs(project, {"payments": transit("vnet-payments")}, {"web": transit("vnet-web")})
    project.up()

    # one update that moves the spoke: refused at preview, nothing written
    hubs(project, {"identity": {"vnetId": seeded_vnet("vnet-identity")}}, {"web": transit("vnet-web"), **moved(True)})
    seq = emulator.last_request_seq()
    preview = project.preview(check=False)
    assert not preview.ok
    assert "already uses the gateway of vnet 'vnet-hub'" in preview.output, preview.output
    assert "take two updates" in preview.output
    assert arm_writes(emulator, seq) == []

    # first update: the new pair without transit, the old pair removed
    hubs(project, {"identity": {"vnetId": seeded_vnet("vnet-identity")}}, {"web": transit("vnet-web"), **moved(False)})
    project.up(skip_preview=False)
    assert sorted(live_peerings(emulator, seeded_vnet("vnet-payments"))) == ["vnet-payments-to-vnet-hub2"]
    # second update: transit through the new hub
    hubs(project, {"identity": {"vnetId": seeded_vnet("vnet-identity")}}, {"web": transit("vnet-web"), **moved(True)})
    project.up(skip_preview=False)
    spoke_side = live_peerings(emulator, seeded_vnet("vnet-payments"))["vnet-payments-to-vnet-hub2"]["properties"]
    assert (spoke_side["peeringState"], spoke_side["useRemoteGateways"]) == ("Connected", True)
    project.preview("--refresh", expect_no_changes=True)


def moved(use_gateway: bool) -> dict[str, Any]:
    return {"payments": transit("vnet-payments", use_gateway)}
