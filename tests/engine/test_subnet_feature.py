"""The real CLI against the emulator, issue 25 items 5 and 6: a subnet peering on a subscription that has not
registered Microsoft.Network/AllowMultiplePeeringLinksBetweenVnets fails `pulumi preview` (naming
peer_complete_vnets and `az feature register`) with no write reaching ARM; and a refusal ARM answers late (a Failed
long-running operation instead of a 400) fails `pulumi up` with ARM's code and the fix, leaving nothing in ARM or in
the state. And the link kinds beyond whole vnets: IPv6-only peering of chosen subnets (``link="ipv6"``) and prefix
peering, written as asked and changed in place."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from harness.pulumi import program_tracebacks
from tests.arm_views import arm_writes, live_peering_properties
from tests.emulator_config import SUB_HUB, SUB_SPOKES, seeded_vnet
from tests.provider_on_emulator.programs import peering_program, state_outputs

pytestmark = pytest.mark.engine

SUBNET_PEERING = {
    "local": "vnet-hub",
    "remote": "vnet-payments",
    "peer_complete_vnets": False,
    "local_subnet_names": ["shared"],  # subnets of the default seed
    "remote_subnet_names": ["app"],
}


def test_subnet_peering_without_the_feature_fails_preview_and_writes_nothing(
    make_project: Callable[..., Any], emulator: Any
) -> None:
    emulator.set_feature(SUB_HUB, "NotRegistered")  # the local (hub) vnet's subscription
    project = make_project(peering_program(SUBNET_PEERING))
    seq = emulator.last_request_seq()
    preview = project.preview(check=False)
    assert not preview.ok
    output = " ".join(preview.output.split())
    assert "peer_complete_vnets" in output
    assert "AllowMultiplePeeringLinksBetweenVnets" in output and "SubscriptionNotRegisteredForFeature" in output
    register = "az feature register --namespace Microsoft.Network --name AllowMultiplePeeringLinksBetweenVnets"
    assert f"{register} --subscription {SUB_HUB}" in output
    assert arm_writes(emulator, seq) == []
    features = [r for r in emulator.request_log(since=seq) if "/Microsoft.Features/" in r["path"]]
    assert features and all(r["method"] == "GET" and r["status"] == 200 for r in features)
    assert state_outputs(project) == {}


def test_a_late_refusal_fails_up_with_the_fix_and_leaves_nothing(
    make_project: Callable[..., Any], emulator: Any
) -> None:
    # vnet-copy has vnet-payments' space; vnet-payments is peered with the hub, so copy -> hub overlaps it
    emulator.seed(
        {
            "resourceGroups": [
                {
                    "subscriptionId": SUB_SPOKES,
                    "name": "rg-spokes",
                    "location": "westeurope",
                    "virtualNetworks": [{"name": "vnet-copy", "addressPrefixes": ["10.1.0.0/16"]}],
                }
            ]
        }
    )
    for local, remote in (("vnet-hub", "vnet-payments"), ("vnet-payments", "vnet-hub")):
        made = emulator.arm(
            "PUT",
            f"{seeded_vnet(local)}/virtualNetworkPeerings/{local}-to-{remote}",
            json={"properties": {"remoteVirtualNetwork": {"id": seeded_vnet(remote)}}},
        )
        assert made.status_code == 201, made.text
        emulator.finish_operations()
    emulator.set_late_refusals("VnetAddressSpaceOverlapsWithAlreadyPeeredVnet")
    # preflight off: the refusal is ARM's, at `up` (as when the overlap appears after the preview)
    project = make_project(peering_program({"local": "vnet-copy", "remote": "vnet-hub", "preflight": False}))
    seq = emulator.last_request_seq()
    up = project.up(check=False)
    assert not up.ok
    output = " ".join(up.output.split())
    assert "VnetAddressSpaceOverlapsWithAlreadyPeeredVnet" in output
    assert "Fix: a vnet already peered to the remote overlaps this one" in output
    # said as the provider wrote it: no Python stack from the SDK's server, no gRPC prefix around it
    assert program_tracebacks(up.output) == [] and "Exception calling application" not in up.output, up.output
    diagnostics = up.output.split("Diagnostics:", 1)[1]
    assert diagnostics.count("VnetAddressSpaceOverlapsWithAlreadyPeeredVnet") == 1, diagnostics
    log = arm_writes(emulator, seq)
    assert [(r["method"], r["status"]) for r in log] == [("PUT", 201), ("DELETE", 202)]  # made, failed, removed
    gone = emulator.arm("GET", f"{seeded_vnet('vnet-copy')}/virtualNetworkPeerings/vnet-copy-to-vnet-hub")
    assert gone.status_code == 404
    assert state_outputs(project) == {}


def ipv6_and_prefix_program(spoke_subnets: list[str], payments_prefixes: list[str]) -> str:
    """A HubSpokePeering whose spoke vnet-analytics is peered ``link="ipv6"`` (the IPv6 prefixes of the hub's
    ``shared`` and of the spoke's ``spoke_subnets``), and a standalone prefix-peered pair between vnet-hub's
    10.0.1.0/24 and ``payments_prefixes`` of vnet-payments."""
    hub, payments = seeded_vnet("vnet-hub"), seeded_vnet("vnet-payments")
    return f"""\
import pulumi
from pulumi_azure_peering import HubSpokePeering, HubSpokePeeringArgs, SpokeArgs
from pulumi_azure_peering import VirtualNetworkPeering, VirtualNetworkPeeringArgs

analytics = SpokeArgs(
    vnet_id={seeded_vnet("vnet-analytics")!r}, link="ipv6", local_subnet_names={spoke_subnets!r},
    hub_subnet_names=["shared"],
)
hub = HubSpokePeering("hub", HubSpokePeeringArgs(hub_vnet_id={hub!r}, spokes={{"analytics": analytics}}))
for name, local, remote, local_space, remote_space in (
    ("hub-payments", {hub!r}, {payments!r}, ["10.0.1.0/24"], {payments_prefixes!r}),
    ("payments-hub", {payments!r}, {hub!r}, {payments_prefixes!r}, ["10.0.1.0/24"]),
):
    VirtualNetworkPeering(name, VirtualNetworkPeeringArgs(
        virtual_network_id=local, remote_virtual_network_id=remote, peer_complete_vnets=False,
        local_address_space=local_space, remote_address_space=remote_space,
    ))
pulumi.export("peerings", hub.peerings)
"""


def test_ipv6_only_and_prefix_peering_are_written_as_asked(make_project: Callable[..., Any], emulator: Any) -> None:
    """One stack: ``link="ipv6"`` peers only the IPv6 prefixes of the named dual-stack subnets (docs/planner.md),
    and naming a subnet without one fails preview with nothing written; a prefix peering (``local_address_space``,
    ``remote_address_space``) peers exactly those prefixes, and a change of them is made in place (docs/provider.md:
    one PUT per side, the same peerings)."""
    project = make_project(ipv6_and_prefix_program(["app"], ["10.1.1.0/24"]))
    seq = emulator.last_request_seq()
    project.up(skip_preview=False)
    assert sorted((w["method"], w["path"].rsplit("/", 1)[-1], w["status"]) for w in arm_writes(emulator, seq)) == [
        ("PUT", name, 201)
        for name in ("hub-payments", "payments-hub", "vnet-analytics-to-vnet-hub", "vnet-hub-to-vnet-analytics")
    ]
    hub = live_peering_properties(emulator, seeded_vnet("vnet-hub"))
    analytics = live_peering_properties(emulator, seeded_vnet("vnet-analytics"))
    payments = live_peering_properties(emulator, seeded_vnet("vnet-payments"))
    for side, local, remote, local_space, remote_space in (
        (hub["vnet-hub-to-vnet-analytics"], "shared", "app", "fd00:10:0:1::/64", "fd00:12:0:1::/64"),
        (analytics["vnet-analytics-to-vnet-hub"], "app", "shared", "fd00:12:0:1::/64", "fd00:10:0:1::/64"),
    ):
        assert (side["peerCompleteVnets"], side["enableOnlyIPv6Peering"]) == (False, True), side
        assert (side["localSubnetNames"], side["remoteSubnetNames"]) == ([local], [remote]), side
        assert side["localAddressSpace"]["addressPrefixes"] == [local_space], side
        assert side["remoteAddressSpace"]["addressPrefixes"] == [remote_space], side
        assert (side["peeringState"], side["peeringSyncLevel"]) == ("Connected", "FullyInSync"), side
    for side, local_space, remote_space in (
        (hub["hub-payments"], "10.0.1.0/24", "10.1.1.0/24"),
        (payments["payments-hub"], "10.1.1.0/24", "10.0.1.0/24"),
    ):
        assert (side["peerCompleteVnets"], side["enableOnlyIPv6Peering"]) == (False, False), side
        assert "localSubnetNames" not in side and "remoteSubnetNames" not in side, side
        assert side["localAddressSpace"]["addressPrefixes"] == [local_space], side
        assert side["remoteAddressSpace"]["addressPrefixes"] == [remote_space], side
        assert side["peeringState"] == "Connected", side
    assert project.outputs()["peerings"]["analytics"]["status"] == "Connected"
    ids = {r["urn"]: r["id"] for r in project.resources("VirtualNetworkPeering")}

    # batch is IPv4 only: link="ipv6" would peer nothing there
    (project.workdir / "__main__.py").write_text(ipv6_and_prefix_program(["app", "batch"], ["10.1.1.0/24"]))
    seq = emulator.last_request_seq()
    preview = project.preview(check=False)
    assert not preview.ok and "HubSpokePeering: 1 problem(s), nothing was changed" in preview.output, preview.output
    assert "subnet 'batch' of the spoke vnet 'vnet-analytics' has no IPv6 prefix" in preview.output, preview.output
    assert arm_writes(emulator, seq) == []

    (project.workdir / "__main__.py").write_text(ipv6_and_prefix_program(["app"], ["10.1.0.0/17"]))
    seq = emulator.last_request_seq()
    project.up(skip_preview=False)
    assert sorted((w["method"], w["path"].rsplit("/", 1)[-1], w["status"]) for w in arm_writes(emulator, seq)) == [
        ("PUT", "hub-payments", 200),
        ("PUT", "payments-hub", 200),
    ]
    hub_side = live_peering_properties(emulator, seeded_vnet("vnet-hub"))["hub-payments"]
    payments_side = live_peering_properties(emulator, seeded_vnet("vnet-payments"))["payments-hub"]
    assert hub_side["remoteAddressSpace"]["addressPrefixes"] == ["10.1.0.0/17"], hub_side
    assert payments_side["localAddressSpace"]["addressPrefixes"] == ["10.1.0.0/17"], payments_side
    assert {r["urn"]: r["id"] for r in project.resources("VirtualNetworkPeering")} == ids
    project.preview(expect_no_changes=True)
