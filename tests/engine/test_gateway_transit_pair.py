"""A standalone pair through the real CLI whose spoke side uses the hub's gateway while the hub side, declared in the
same program, does not allow gateway transit (issue 25, item 1): the old preview passed, and `up` created the hub side,
then sent ten PUTs over 65 s without a word before ARM's transit refusal ("... corresponding remote peering has
AllowGatewayTransit flag set to false") ended it. Now the preview refuses it, naming both resources and the fix, and
nothing reaches ARM."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from harness.pulumi import PulumiProject
from tests.arm_views import arm_writes
from tests.emulator_config import seeded_vnet
from tests.provider_on_emulator.programs import peering_program

pytestmark = pytest.mark.engine


def test_a_pair_disagreeing_on_gateway_transit_fails_preview_naming_both(
    make_project: Callable[..., PulumiProject], emulator: Any
) -> None:
    hub_side = {"local": "vnet-hub", "remote": "vnet-analytics"}  # no allow_gateway_transit
    spoke_side = {"local": "vnet-analytics", "remote": "vnet-hub", "use_remote_gateways": True}
    project = make_project(peering_program(hub_side, spoke_side))
    seq = emulator.last_request_seq()
    for result in (project.preview(check=False), project.up(check=False, skip_preview=False)):
        assert not result.ok, result.output
        text = result.output
        assert "corresponding remote peering has AllowGatewayTransit flag set to false" in " ".join(text.split()), text
        assert "vnet-hub-to-vnet-analytics" in text and "vnet-analytics-to-vnet-hub" in text, text
        assert "allow_gateway_transit=True" in text, text
    assert arm_writes(emulator, seq) == []


#: A program in which the hub side of a pair waits for a resource that takes 12 s (a dynamic resource that sleeps),
#: so that the spoke side, which depends on nothing, reaches ARM first.
HELD_BACK_HUB_SIDE = f"""\
import time

import pulumi
from pulumi.dynamic import CreateResult, Resource, ResourceProvider

from pulumi_azure_peering.provider import VirtualNetworkPeering, VirtualNetworkPeeringArgs


class _Slow(ResourceProvider):
    def create(self, props):
        time.sleep(12)
        return CreateResult("slow", {{}})


class Slow(Resource):
    def __init__(self, name):
        super().__init__(_Slow(), name, {{}})


slow = Slow("slow")
hub = VirtualNetworkPeering(
    "vnet-hub-to-vnet-analytics",
    VirtualNetworkPeeringArgs(
        virtual_network_id={seeded_vnet("vnet-hub")!r},
        remote_virtual_network_id={seeded_vnet("vnet-analytics")!r},
        allow_gateway_transit=True,
    ),
    opts=pulumi.ResourceOptions(depends_on=[slow]),
)
spoke = VirtualNetworkPeering(
    "vnet-analytics-to-vnet-hub",
    VirtualNetworkPeeringArgs(
        virtual_network_id={seeded_vnet("vnet-analytics")!r},
        remote_virtual_network_id={seeded_vnet("vnet-hub")!r},
        use_remote_gateways=True,
    ),
)
pulumi.export("spoke_state", spoke.peering_state)
"""


def test_a_spoke_side_waiting_for_its_hub_side_says_so_while_it_waits(
    make_project: Callable[..., PulumiProject], emulator: Any
) -> None:
    """The two sides agree, but the spoke side reaches ARM first: ARM refuses useRemoteGateways until the hub side
    exists and allows transit. The hub side waits 12 s for another resource; the user reads why the spoke side
    waits while it waits, not only when it ends."""
    project = make_project(HELD_BACK_HUB_SIDE)
    up = project.up()
    waits = [line for line in up.output.splitlines() if "azure-peering: " in line]
    assert any(
        "peering 'vnet-analytics-to-vnet-hub' of vnet 'vnet-analytics': waiting: ARM refuses it "
        "(RemotePeeringDoesNotAllowGatewayTransit) until the peering back from vnet 'vnet-hub' allows gateway "
        "transit" in line
        for line in waits
    ), up.output
    assert project.outputs()["spoke_state"] == "Connected", up.output
