"""What a passing preview promises: when `pulumi up` would fail on a peering that ARM already has, the preview fails
first, naming the spoke, the peering in the way and the fix, and writes nothing (issue 25, item 3).

The topology of the report: HubSpokePeering "prod" with spokes app1 (the hub's subscription) and app2 (a second
subscription), both through the hub's gateway, and data (the second subscription), beside a standalone peering
data -> tools; another stack made hub-to-data (hub -> data). When the component reads its vnets as it is built,
the child's own check refuses the hub side at preview. When it reads them only once a resource it depends on
exists (``depends_on``) and that resource is still to be created, the plan waits for `up`, and so did the child's
check: the preview passed, and `up` wrote the other peerings before it failed on AnotherPeeringAlreadyReferences-
RemoteVnet."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from harness.pulumi import PulumiProject, program_tracebacks
from tests.arm_views import arm_writes, live_peerings
from tests.emulator_config import seeded_vnet
from tests.engine.hub_spoke_helpers import demo_seed_with

pytestmark = pytest.mark.engine

PROGRAM = """\
import pulumi

from pulumi_azure_peering import (
    HubSpokePeering,
    HubSpokePeeringArgs,
    SpokeArgs,
    VirtualNetworkPeering,
    VirtualNetworkPeeringArgs,
)

config = pulumi.Config()
tools = VirtualNetworkPeering(
    "data-to-tools",
    VirtualNetworkPeeringArgs(
        virtual_network_id=config.require("data"),
        remote_virtual_network_id=config.require("tools"),
        name=config.get("toolsPeeringName"),
    ),
)
HubSpokePeering(
    "prod",
    HubSpokePeeringArgs(
        hub_vnet_id=config.require("hub"),
        spokes={
            key: SpokeArgs(
                vnet_id=spoke["vnetId"],
                use_hub_gateway=spoke.get("useHubGateway", False),
                hub_peering_name=spoke.get("hubPeeringName"),
            )
            for key, spoke in config.require_object("spokes").items()
        },
    ),
    pulumi.ResourceOptions(depends_on=[tools]) if config.get_bool("afterTools") else None,
)
"""

HUB = seeded_vnet("vnet-hub")
DATA = seeded_vnet("vnet-web")
TOOLS = seeded_vnet("vnet-tools")


def seed() -> dict[str, Any]:
    tools = {
        "name": "vnet-tools",
        "addressPrefixes": ["10.7.0.0/16"],
        "subnets": [{"name": "app", "addressPrefix": "10.7.0.0/24"}],
    }
    return demo_seed_with("rg-spokes", tools)


def configure(project: PulumiProject, *, after_tools: bool, data: dict[str, Any] | None = None, **extra: Any) -> None:
    project.write_config(
        {
            "peering-test:hub": HUB,
            "peering-test:spokes": {
                "app1": {"vnetId": seeded_vnet("vnet-identity"), "useHubGateway": True},
                "app2": {"vnetId": seeded_vnet("vnet-payments"), "useHubGateway": True},
                "data": {"vnetId": DATA, **(data or {})},
            },
            "peering-test:data": DATA,
            "peering-test:tools": TOOLS,
            "peering-test:afterTools": after_tools,
            **{f"peering-test:{k}": v for k, v in extra.items()},
        }
    )


def another_stacks_hub_to_data(emulator: Any) -> None:
    body = {"properties": {"remoteVirtualNetwork": {"id": DATA}, "allowVirtualNetworkAccess": True}}
    made = emulator.arm("PUT", f"{HUB}/virtualNetworkPeerings/hub-to-data", json=body)
    assert made.status_code in (200, 201), made.text
    emulator.finish_operations()


@pytest.fixture
def project(make_project: Callable[..., PulumiProject], emulator: Any) -> PulumiProject:
    emulator.seed(seed())
    return make_project(PROGRAM)


def assert_refused_naming_the_peering_in_the_way(project: PulumiProject, emulator: Any) -> None:
    seq = emulator.last_request_seq()
    preview = project.preview(check=False)
    assert not preview.ok, preview.output
    text = preview.output
    assert "prod-data.hub-to-spoke" in text and "AnotherPeeringAlreadyReferencesRemoteVnet" in text, text
    assert "peering hub-to-data of vnet-hub already links to vnet-web" in text, text
    assert "adopt_existing=true" in text, text  # the fix (or remove it)
    assert program_tracebacks(text) == [], text
    assert arm_writes(emulator, seq) == []
    assert sorted(live_peerings(emulator, HUB)) == ["hub-to-data"]
    assert live_peerings(emulator, DATA) == {}


@pytest.mark.parametrize("after_tools", [False, True], ids=["facts-read-now", "facts-read-after-a-new-dependency"])
def test_another_stacks_hub_to_spoke_peering_fails_preview(
    project: PulumiProject, emulator: Any, after_tools: bool
) -> None:
    another_stacks_hub_to_data(emulator)
    configure(project, after_tools=after_tools)
    assert_refused_naming_the_peering_in_the_way(project, emulator)


def test_a_name_change_on_a_live_pair_still_goes_through_when_the_facts_are_read_after_a_new_dependency(
    project: PulumiProject, emulator: Any
) -> None:
    """The component's own peering under its earlier name is no peering in the way: the child's replacement deletes
    it first. Here the dependency is replaced in the same run (a new name), so the facts wait for it again."""
    configure(project, after_tools=True)
    project.up()
    configure(project, after_tools=True, data={"hubPeeringName": "hub-to-data"}, toolsPeeringName="data-to-tools-2")
    project.up(skip_preview=False)
    hub_side = live_peerings(emulator, HUB)
    assert "hub-to-data" in hub_side and "vnet-hub-to-vnet-web" not in hub_side, sorted(hub_side)
    assert hub_side["hub-to-data"]["properties"]["peeringState"] == "Connected"
    project.preview(expect_no_changes=True)
