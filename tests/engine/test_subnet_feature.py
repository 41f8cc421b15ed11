"""The real CLI against the emulator, issue 25 items 5 and 6: a subnet peering on a subscription that has not
registered Microsoft.Network/AllowMultiplePeeringLinksBetweenVnets fails `pulumi preview` (naming
peer_complete_vnets and `az feature register`) with no write reaching ARM; and a refusal ARM answers late (a Failed
long-running operation instead of a 400) fails `pulumi up` with ARM's code and the fix, leaving nothing in ARM or in
the state."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from harness.pulumi import program_tracebacks
from tests.arm_views import arm_writes
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
