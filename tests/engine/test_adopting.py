"""docs/adopting.md, step by step: peerings that another tool made (by hand, Terraform, azure-native) are brought
under this stack without being re-created: preview first, then one write per adopted peering, then a stack that
owns them like any other."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from harness.pulumi import PulumiProject
from tests.arm_views import arm_writes, live_peerings
from tests.emulator_config import seeded_vnet
from tests.engine.hub_spoke_helpers import DEMO_SEED, PROGRAM, configure, made_elsewhere

pytestmark = pytest.mark.engine

# the names another tool gave them: Terraform configurations name peerings freely, azure-native's auto-naming
# appends a random suffix to the resource name
TERRAFORM_NAMES = {"hubPeeringName": "hub-to-payments", "spokePeeringName": "payments-to-hub"}
AZURE_NATIVE_NAMES = ("hubToIdentity9f3b2c1", "identityToHubd41e07a")

STANDALONE = """\
import pulumi

from pulumi_azure_peering import VirtualNetworkPeering, VirtualNetworkPeeringArgs

config = pulumi.Config()
for key, local, remote, name in config.require_object("peerings"):
    VirtualNetworkPeering(
        key,
        VirtualNetworkPeeringArgs(
            virtual_network_id=local,
            remote_virtual_network_id=remote,
            name=name,
            allow_forwarded_traffic=True,
            adopt_existing=config.get_bool("adoptExisting") or False,
        ),
    )
"""


def writes_by_method(emulator: Any, since: int) -> list[tuple[str, str]]:
    return [(w["method"], w["path"].rsplit("/", 1)[-1]) for w in arm_writes(emulator, since)]


def test_a_pair_made_by_terraform_is_adopted_under_its_own_names(
    make_project: Callable[..., PulumiProject], emulator: Any
) -> None:
    emulator.seed(DEMO_SEED)
    hub_side = made_elsewhere(emulator, "vnet-hub", "vnet-payments", "hub-to-payments", allowForwardedTraffic=False)
    spoke_side = made_elsewhere(emulator, "vnet-payments", "vnet-hub", "payments-to-hub", allowForwardedTraffic=True)
    project = make_project(PROGRAM)

    # Step 2: declare the pair with the names it has, and adopt_existing
    spoke = {"vnetId": seeded_vnet("vnet-payments"), "allowForwardedTraffic": True, **TERRAFORM_NAMES}
    configure(project, seeded_vnet("vnet-hub"), {"payments": {**spoke, "adoptExisting": True}})

    # Step 3: preview: two peerings to create (that is, to take over), nothing written
    seq = emulator.last_request_seq()
    preview = project.preview()
    taken_over = [line for line in preview.output.splitlines() if "VirtualNetworkPeering hub-payments." in line]
    assert len(taken_over) == 2 and all(line.rstrip().endswith("create") for line in taken_over), preview.output
    assert arm_writes(emulator, seq) == []

    # Step 4: up: one PUT per peering, in place (same ids, never deleted); the hub side gets the declared flag
    project.up(skip_preview=False)
    assert sorted(writes_by_method(emulator, seq)) == [("PUT", "hub-to-payments"), ("PUT", "payments-to-hub")]
    live = live_peerings(emulator, seeded_vnet("vnet-hub"))["hub-to-payments"]
    assert live["id"] == hub_side["id"] and live["properties"]["allowForwardedTraffic"] is True
    assert live_peerings(emulator, seeded_vnet("vnet-payments"))["payments-to-hub"]["id"] == spoke_side["id"]
    assert project.outputs()["peerings"]["payments"]["status"] == "Connected"

    # Step 5: the stack owns them: a refreshed preview proposes nothing
    seq = emulator.last_request_seq()
    project.preview("--refresh", expect_no_changes=True)

    # Step 6: adopt_existing can go once adopted: an update of the stack's inputs only, no ARM write
    configure(project, seeded_vnet("vnet-hub"), {"payments": spoke})
    project.up(skip_preview=False)
    project.preview("--refresh", expect_no_changes=True)
    assert arm_writes(emulator, seq) == []


def test_peerings_made_by_azure_native_are_adopted_by_standalone_resources(
    make_project: Callable[..., PulumiProject], emulator: Any
) -> None:
    emulator.seed(DEMO_SEED)
    there, back = AZURE_NATIVE_NAMES
    made_elsewhere(emulator, "vnet-hub", "vnet-identity", there, allowForwardedTraffic=True)
    made_elsewhere(emulator, "vnet-identity", "vnet-hub", back, allowForwardedTraffic=True)
    project = make_project(STANDALONE)
    peerings = [
        ["hub-to-identity", seeded_vnet("vnet-hub"), seeded_vnet("vnet-identity"), there],
        ["identity-to-hub", seeded_vnet("vnet-identity"), seeded_vnet("vnet-hub"), back],
    ]

    # without adopt_existing, preview refuses: the peering exists, and the message says how to take it over
    project.write_config({"peering-test:peerings": peerings})
    seq = emulator.last_request_seq()
    refused = project.preview(check=False)
    assert not refused.ok and "adopt_existing" in refused.output, refused.output
    assert arm_writes(emulator, seq) == []

    project.write_config({"peering-test:peerings": peerings, "peering-test:adoptExisting": True})
    project.up(skip_preview=False)
    assert sorted(writes_by_method(emulator, seq)) == sorted([("PUT", there), ("PUT", back)])
    assert live_peerings(emulator, seeded_vnet("vnet-hub"))[there.lower()]["properties"]["peeringState"] == "Connected"
    project.preview("--refresh", expect_no_changes=True)

    # once adopted, the stack owns them: destroy removes them
    project.destroy()
    assert there.lower() not in live_peerings(emulator, seeded_vnet("vnet-hub"))
