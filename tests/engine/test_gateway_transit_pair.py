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
from tests.arm_views import arm_writes, live_peering_properties
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


#: A program in which the hub side of a pair waits for a resource that ends once ARM has refused the spoke side
#: (the emulator's request log shows the refusal: an event, not a time), so that the spoke side, which depends on
#: nothing, reaches ARM first and must wait for the hub side. The test fills in the emulator's admin endpoint.
HELD_BACK_HUB_SIDE = """\
import time

import pulumi
import requests
from pulumi.dynamic import CreateResult, Resource, ResourceProvider

from pulumi_azure_peering.provider import VirtualNetworkPeering, VirtualNetworkPeeringArgs

SPOKE_SIDE = "/virtualnetworks/vnet-analytics/virtualnetworkpeerings/vnet-analytics-to-vnet-hub"


class _UntilTheSpokeSideIsRefused(ResourceProvider):
    def __init__(self, endpoint, admin_key, ca_bundle):
        self.endpoint, self.admin_key, self.ca_bundle = endpoint, admin_key, ca_bundle

    def create(self, props):
        for _ in range(600):  # bounded: fails the run rather than hanging it
            log = requests.get(
                f"{self.endpoint}/_emulator/requests",
                headers={"x-emulator-admin": self.admin_key},
                verify=self.ca_bundle,
                timeout=30,
            ).json()["requests"]
            if any(r["method"] == "PUT" and r["status"] == 400 and r["path"].lower().endswith(SPOKE_SIDE) for r in log):
                return CreateResult("refused", {})
            time.sleep(0.2)
        raise RuntimeError("ARM never refused the spoke side")


class UntilTheSpokeSideIsRefused(Resource):
    def __init__(self, name):
        super().__init__(_UntilTheSpokeSideIsRefused(%(endpoint)r, %(admin_key)r, %(ca_bundle)r), name, {})


refused = UntilTheSpokeSideIsRefused("refused")
hub = VirtualNetworkPeering(
    "vnet-hub-to-vnet-analytics",
    VirtualNetworkPeeringArgs(
        virtual_network_id=%(hub)r,
        remote_virtual_network_id=%(analytics)r,
        allow_gateway_transit=True,
    ),
    opts=pulumi.ResourceOptions(depends_on=[refused]),
)
spoke = VirtualNetworkPeering(
    "vnet-analytics-to-vnet-hub",
    VirtualNetworkPeeringArgs(
        virtual_network_id=%(analytics)r,
        remote_virtual_network_id=%(hub)r,
        use_remote_gateways=True,
    ),
)
pulumi.export("spoke_state", spoke.peering_state)
"""


def test_a_spoke_side_waiting_for_its_hub_side_says_so_while_it_waits(
    make_project: Callable[..., PulumiProject], emulator: Any
) -> None:
    """The two sides agree, but the spoke side reaches ARM first: ARM refuses useRemoteGateways until the hub side
    exists and allows transit. The hub side is held back until ARM has refused the spoke side; the spoke side
    waits (saying why) and is written once the hub side exists: ARM's log shows the spoke side's refused PUTs,
    then the hub side's PUT, then the spoke side's one accepted PUT, and nothing else written."""
    project = make_project(
        HELD_BACK_HUB_SIDE
        % {
            "endpoint": emulator.arm_endpoint,
            "admin_key": emulator.admin_key,
            "ca_bundle": str(emulator.ca_bundle),
            "hub": seeded_vnet("vnet-hub"),
            "analytics": seeded_vnet("vnet-analytics"),
        }
    )
    seq = emulator.last_request_seq()
    up = project.up()
    waits = [line for line in up.output.splitlines() if "azure-peering: " in line]
    assert any(
        "peering 'vnet-analytics-to-vnet-hub' of vnet 'vnet-analytics': waiting: ARM refuses it "
        "(RemotePeeringDoesNotAllowGatewayTransit) until the peering back from vnet 'vnet-hub' allows gateway "
        "transit" in line
        for line in waits
    ), up.output
    assert project.outputs()["spoke_state"] == "Connected", up.output

    writes = [(w["path"].rsplit("/", 1)[-1], w["status"], w.get("code")) for w in arm_writes(emulator, seq)]
    refusal = ("vnet-analytics-to-vnet-hub", 400, "RemotePeeringDoesNotAllowGatewayTransit")
    hub_put = writes.index(("vnet-hub-to-vnet-analytics", 201, None))
    assert hub_put >= 1 and set(writes[:hub_put]) == {refusal}, writes  # refused, and retried, until the hub side
    assert writes[hub_put + 1 :] == [("vnet-analytics-to-vnet-hub", 201, None)], writes  # then written once
    assert {w[0] for w in writes} == {"vnet-analytics-to-vnet-hub", "vnet-hub-to-vnet-analytics"}
    hub_side = live_peering_properties(emulator, seeded_vnet("vnet-hub"))["vnet-hub-to-vnet-analytics"]
    spoke_side = live_peering_properties(emulator, seeded_vnet("vnet-analytics"))["vnet-analytics-to-vnet-hub"]
    assert hub_side["allowGatewayTransit"] is True and hub_side["peeringState"] == "Connected"
    assert spoke_side["useRemoteGateways"] is True and spoke_side["peeringState"] == "Connected"
    assert spoke_side["remoteGateways"] and "/virtualNetworkGateways/" in spoke_side["remoteGateways"][0]["id"]
