"""Programs that create their vnets and peer them in the same run, through the real CLI: every vnet id is an output
that is unknown at preview (the vnets, and a hub's VPN gateway, come from
``pulumi_azure_peering.azure_native_stand_ins``, as they would come from azure-native).

Each flow: ``pulumi preview`` plans the creates (known plain values shown, nothing written to ARM), ``pulumi up``
*with* its preview, every pair Connected in ARM, a preview with no changes, and ``pulumi destroy`` deleting the
peerings before the vnets they sit on (as the emulator's request log shows).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest

from harness.pulumi import PulumiProject
from tests.arm_views import arm_writes, live_peering_properties
from tests.emulator_config import seeded_vnet
from tests.engine.greenfield import (
    assert_deleted_in_order,
    creates_in,
    is_peering,
    listed,
    new_vnet,
    planned,
    program,
)
from tests.engine.pickled import load_pickled_provider

pytestmark = pytest.mark.engine

GATEWAY_SECONDS = 4.0
KNOWN_FLAGS = (
    "allow_virtual_network_access",
    "allow_forwarded_traffic",
    "allow_gateway_transit",
    "peer_complete_vnets",
)


# azure-native's gateway takes a PublicIPAddress (which the emulator does not model): a resource that takes as long.
PUBLIC_IP_STAND_IN = """
import time

import pulumi.dynamic


class _TakesSeconds(pulumi.dynamic.ResourceProvider):
    def create(self, props):
        time.sleep(float(props["seconds"]))
        return pulumi.dynamic.CreateResult("public-ip", {"seconds": props["seconds"]})


class PublicIpStandIn(pulumi.dynamic.Resource):
    def __init__(self, name, seconds):
        super().__init__(_TakesSeconds(), name, {"seconds": seconds})
"""


def preview_plans(project: PulumiProject, emulator: Any, creates: int, resources: Sequence[str]) -> str:
    """`pulumi preview --diff` succeeds, plans `creates` creates including every resource named, and writes nothing
    to ARM (no vnet, gateway or peering)."""
    seq = emulator.last_request_seq()
    preview = project.preview("--diff")
    text = preview.stdout
    assert creates_in(text) == creates, text
    missing = [name for name in resources if not listed(text, name)]
    assert not missing, f"not planned: {missing}\n{text}"
    writes = arm_writes(emulator, seq)
    assert [w for w in writes if is_peering(w["path"])] == [], "a preview wrote a peering"
    assert writes == [], f"a preview wrote to ARM: {writes}"
    return text


def up_with_preview(project: PulumiProject, creates: int) -> None:
    result = project.up(skip_preview=False)
    assert f"+ {creates} to create" in result.stdout, result.stdout  # the preview `pulumi up` runs first
    assert f"+ {creates} created" in result.stdout, result.stdout


def destroy_in_order(
    project: PulumiProject, emulator: Any, new_vnets: Sequence[str], before_gateways: Sequence[str] = ()
) -> None:
    seq = emulator.last_request_seq()
    project.destroy()
    assert_deleted_in_order(emulator.request_log(since=seq), before_gateways)
    for vnet_id in new_vnets:
        assert emulator.arm("GET", vnet_id).status_code == 404, f"{vnet_id} was not deleted"


def assert_pair_connected(emulator: Any, hub: str, spoke: str, hub_side: str, spoke_side: str) -> None:
    there = live_peering_properties(emulator, hub)[hub_side.lower()]
    back = live_peering_properties(emulator, spoke)[spoke_side.lower()]
    assert there["peeringState"] == back["peeringState"] == "Connected", (there, back)
    assert there["remoteVirtualNetwork"]["id"].lower() == spoke.lower()
    assert back["remoteVirtualNetwork"]["id"].lower() == hub.lower()


def spoke_children(component: str, spokes: Sequence[str]) -> list[str]:
    return [f"{component}-{s}.{side}" for s in spokes for side in ("hub-to-spoke", "spoke-to-hub")]


def test_standalone_pair_between_new_vnets(make_project: Callable[..., PulumiProject], emulator: Any) -> None:
    project = make_project(
        program(
            """
            a = vnet("vnet-a", "10.60.0.0/16")
            b = vnet("vnet-b", "10.61.0.0/16")
            a_to_b = VirtualNetworkPeering(
                "a-to-b",
                VirtualNetworkPeeringArgs(
                    virtual_network_id=a.id, remote_virtual_network_id=b.id, allow_forwarded_traffic=True
                ),
            )
            b_to_a = VirtualNetworkPeering(
                "b-to-a", VirtualNetworkPeeringArgs(virtual_network_id=b.id, remote_virtual_network_id=a.id)
            )
            pulumi.export("a_to_b", a_to_b.peering_id)
            """
        )
    )
    # stack, 2 vnets, 2 peerings
    preview = preview_plans(project, emulator, 5, ["vnet-a", "vnet-b", "a-to-b", "b-to-a"])
    a_to_b = planned(preview, "a-to-b")
    assert a_to_b["virtual_network_id"] == a_to_b["remote_virtual_network_id"] == "[unknown]", a_to_b
    assert a_to_b["name"] == '"a-to-b"' and a_to_b["allow_forwarded_traffic"] == "true", a_to_b
    assert planned(preview, "b-to-a")["allow_forwarded_traffic"] == "false"

    up_with_preview(project, 5)
    a, b = new_vnet("vnet-a"), new_vnet("vnet-b")
    assert_pair_connected(emulator, a, b, "a-to-b", "b-to-a")
    assert live_peering_properties(emulator, a)["a-to-b"]["allowForwardedTraffic"] is True
    assert project.outputs()["a_to_b"].lower() == f"{a}/virtualNetworkPeerings/a-to-b".lower()
    # The stand-ins, like the peerings, keep nothing secret in the state: their pickled providers are plain text.
    assert emulator.env()["AZURE_CLIENT_SECRET"] not in project.backend_files_text()
    stand_ins = project.resources("azure-stand-ins:VirtualNetwork")
    assert len(stand_ins) == 2 and all(isinstance(r["inputs"]["__provider"], str) for r in stand_ins), stand_ins
    # Their providers are pickled by reference to the stand-ins' module: that path is pinned like the peering's.
    for resource in stand_ins:
        _, names = load_pickled_provider(resource["inputs"]["__provider"])
        assert {module for module, _ in names if module.startswith("pulumi_azure_peering")} == {
            "pulumi_azure_peering.azure_native_stand_ins"
        }, names

    project.preview(expect_no_changes=True)
    destroy_in_order(project, emulator, [a, b])


def test_hub_spoke_with_new_hub_and_new_spokes(make_project: Callable[..., PulumiProject], emulator: Any) -> None:
    project = make_project(
        program(
            """
            hub = vnet("vnet-hub2", "10.62.0.0/16")
            s1 = vnet("vnet-s1", "10.63.0.0/16")
            s2 = vnet("vnet-s2", "10.64.0.0/16")
            topology = HubSpokePeering(
                "net",
                HubSpokePeeringArgs(
                    hub_vnet_id=hub.id,
                    spokes={
                        "s1": SpokeArgs(vnet_id=s1.id),
                        "s2": SpokeArgs(
                            vnet_id=s2.id,
                            allow_forwarded_traffic=False,
                            hub_peering_name="hub-to-s2",
                            spoke_peering_name="s2-to-hub",
                        ),
                    },
                ),
            )
            pulumi.export("peerings", topology.peerings)
            """
        )
    )
    children = spoke_children("net", ["s1", "s2"])
    # stack, 3 vnets, the component, 4 peerings
    preview = preview_plans(project, emulator, 9, ["vnet-hub2", "vnet-s1", "vnet-s2", "net", *children])
    # The flags are plain values of the program: the preview shows them, only the ids are unknown.
    expected = {
        "net-s1.hub-to-spoke": {"allow_forwarded_traffic": "true"},
        "net-s1.spoke-to-hub": {"allow_forwarded_traffic": "true"},
        "net-s2.hub-to-spoke": {"allow_forwarded_traffic": "true", "name": '"hub-to-s2"'},
        "net-s2.spoke-to-hub": {"allow_forwarded_traffic": "false", "name": '"s2-to-hub"'},
    }
    for child, values in expected.items():
        shown = planned(preview, child)
        assert shown["virtual_network_id"] == "[unknown]", (child, shown)
        common = {
            "allow_virtual_network_access": "true",
            "allow_gateway_transit": "false",
            "use_remote_gateways": "false",
            "peer_complete_vnets": "true",
        }
        for key, value in {**common, **values}.items():
            assert shown.get(key) == value, (child, key, shown)

    up_with_preview(project, 9)
    hub, s1, s2 = new_vnet("vnet-hub2"), new_vnet("vnet-s1"), new_vnet("vnet-s2")
    assert_pair_connected(emulator, hub, s1, "vnet-hub2-to-vnet-s1", "vnet-s1-to-vnet-hub2")
    assert_pair_connected(emulator, hub, s2, "hub-to-s2", "s2-to-hub")
    assert live_peering_properties(emulator, s2)["s2-to-hub"]["allowForwardedTraffic"] is False
    outputs = project.outputs()["peerings"]
    assert sorted(outputs) == ["s1", "s2"]
    for spoke in outputs.values():
        assert spoke["hub_to_spoke_state"] == spoke["spoke_to_hub_state"] == "Connected", outputs

    project.preview(expect_no_changes=True)
    destroy_in_order(project, emulator, [hub, s1, s2])


def test_hub_spoke_mixing_existing_and_new_spokes(make_project: Callable[..., PulumiProject], emulator: Any) -> None:
    """The seeded hub (with its VPN gateway) and a seeded spoke, whose ids are plain strings, next to a spoke the
    program creates; both spokes use the hub's gateway."""
    hub, payments = seeded_vnet("vnet-hub"), seeded_vnet("vnet-payments")
    project = make_project(
        program(
            f"""
            fresh = vnet("vnet-fresh", "10.65.0.0/16")
            topology = HubSpokePeering(
                "net",
                HubSpokePeeringArgs(
                    hub_vnet_id={hub!r},
                    spokes={{
                        "payments": SpokeArgs(vnet_id={payments!r}, use_hub_gateway=True),
                        "fresh": SpokeArgs(vnet_id=fresh.id, use_hub_gateway=True),
                    }},
                ),
            )
            pulumi.export("peerings", topology.peerings)
            """
        )
    )
    children = spoke_children("net", ["payments", "fresh"])
    # stack, 1 vnet, the component, 4 peerings
    preview = preview_plans(project, emulator, 7, ["vnet-fresh", "net", *children])
    for child in ("net-payments.hub-to-spoke", "net-fresh.hub-to-spoke"):
        shown = planned(preview, child)
        for key in KNOWN_FLAGS:
            assert shown.get(key) in ("true", "false"), (child, key, shown)
        assert shown["allow_gateway_transit"] == "true", (child, shown)

    up_with_preview(project, 7)
    fresh = new_vnet("vnet-fresh")
    assert_pair_connected(emulator, hub, payments, "vnet-hub-to-vnet-payments", "vnet-payments-to-vnet-hub")
    assert_pair_connected(emulator, hub, fresh, "vnet-hub-to-vnet-fresh", "vnet-fresh-to-vnet-hub")
    for spoke, name in ((payments, "vnet-payments-to-vnet-hub"), (fresh, "vnet-fresh-to-vnet-hub")):
        assert live_peering_properties(emulator, spoke)[name]["useRemoteGateways"] is True
    outputs = project.outputs()["peerings"]
    assert {s["hub_to_spoke_state"] for s in outputs.values()} == {"Connected"}, outputs
    assert {s["spoke_to_hub_state"] for s in outputs.values()} == {"Connected"}, outputs

    project.preview(expect_no_changes=True)
    destroy_in_order(project, emulator, [fresh])
    assert live_peering_properties(emulator, hub) == {}  # the seeded vnets stay, without the peerings of this stack
    assert live_peering_properties(emulator, payments) == {}


def test_new_hub_whose_gateway_is_created_in_the_same_program(
    make_project: Callable[..., PulumiProject], emulator: Any
) -> None:
    """The hub's VPN gateway takes a while to provision (18 to 45 minutes on Azure, a few seconds here), and its
    PUT is only sent once its public IP address exists; the component is told to wait for it (``depends_on``). The
    spoke that uses it gets its peering only once the gateway is there, and none of its writes is refused."""
    project = make_project(
        program(
            """
            hub = vnet(
                "vnet-hub4",
                "10.66.0.0/16",
                [
                    {"name": "GatewaySubnet", "address_prefix": "10.66.255.0/27"},
                    {"name": "shared", "address_prefix": "10.66.1.0/24"},
                ],
            )
            # On Azure the gateway's PUT waits for its public IP address, a few seconds after the hub vnet exists.
            public_ip = PublicIpStandIn("vgw-hub4-ip", 3)
            gateway = VirtualNetworkGateway(
                "vgw-hub4",
                VirtualNetworkGatewayArgs(
                    resource_group_name="rg-new", virtual_network_gateway_name="vgw-hub4", virtual_network_id=hub.id
                ),
                pulumi.ResourceOptions(depends_on=[public_ip]),
            )
            app = vnet("vnet-app4", "10.67.0.0/16")
            data = vnet("vnet-data4", "10.68.0.0/16")
            topology = HubSpokePeering(
                "net",
                HubSpokePeeringArgs(
                    hub_vnet_id=hub.id,
                    spokes={"app": SpokeArgs(vnet_id=app.id, use_hub_gateway=True), "data": SpokeArgs(vnet_id=data.id)},
                ),
                pulumi.ResourceOptions(depends_on=[gateway]),
            )
            pulumi.export("peerings", topology.peerings)
            pulumi.export("gateway", gateway.id)
            """,
            prelude=PUBLIC_IP_STAND_IN,
        )
    )
    emulator.settings(gateway_provisioning_seconds=GATEWAY_SECONDS)
    try:
        children = spoke_children("net", ["app", "data"])
        # stack, 3 vnets, the public IP, the gateway, the component, 4 peerings
        preview = preview_plans(project, emulator, 11, ["vnet-hub4", "vgw-hub4", "vnet-app4", "vnet-data4", *children])
        assert planned(preview, "net-app.hub-to-spoke")["allow_gateway_transit"] == "true"
        assert planned(preview, "net-data.hub-to-spoke")["allow_gateway_transit"] == "false"

        seq = emulator.last_request_seq()
        up_with_preview(project, 11)
        log = emulator.request_log(since=seq)
    finally:
        emulator.settings(gateway_provisioning_seconds=0.0)

    hub, app, data = new_vnet("vnet-hub4"), new_vnet("vnet-app4"), new_vnet("vnet-data4")
    assert_pair_connected(emulator, hub, app, "vnet-hub4-to-vnet-app4", "vnet-app4-to-vnet-hub4")
    assert_pair_connected(emulator, hub, data, "vnet-hub4-to-vnet-data4", "vnet-data4-to-vnet-hub4")
    app_side = live_peering_properties(emulator, app)["vnet-app4-to-vnet-hub4"]
    gateway_id = project.outputs()["gateway"]
    assert app_side["useRemoteGateways"] is True
    # the gateway is provisioned by the time the spoke side is written: ARM reports it as the remote gateway
    assert [g["id"].lower() for g in app_side.get("remoteGateways", [])] == [gateway_id.lower()], app_side
    assert live_peering_properties(emulator, hub)["vnet-hub4-to-vnet-app4"]["allowGatewayTransit"] is True

    # Gateway transit waited for the gateway: the spoke side was written once it was provisioned, never refused.
    gateway_put = next(r for r in log if r["method"] == "PUT" and r["path"].lower() == gateway_id.lower())
    app_side_path = f"{app}/virtualNetworkPeerings/vnet-app4-to-vnet-hub4".lower()
    app_side_writes = [r for r in log if r["method"] == "PUT" and r["path"].lower() == app_side_path]
    assert app_side_writes and all(r["status"] < 400 for r in app_side_writes), app_side_writes
    assert app_side_writes[0]["time"] >= gateway_put["time"] + GATEWAY_SECONDS - 0.5, (gateway_put, app_side_writes)

    outputs = project.outputs()["peerings"]
    assert {s["hub_to_spoke_state"] for s in outputs.values()} == {"Connected"}, outputs
    assert {s["spoke_to_hub_state"] for s in outputs.values()} == {"Connected"}, outputs

    project.preview(expect_no_changes=True)
    hub_sides = [f"{hub}/virtualNetworkPeerings/{n}" for n in ("vnet-hub4-to-vnet-app4", "vnet-hub4-to-vnet-data4")]
    destroy_in_order(project, emulator, [hub, app, data], before_gateways=[*hub_sides, app_side_path])
    assert emulator.arm("GET", gateway_id).status_code == 404
