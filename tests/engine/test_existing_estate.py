"""Peerings that already exist when HubSpokePeering first meets them (made by hand, by another tool): the preview
fails where up would, names the peering and the fix, and writes nothing; the planner's warnings reach the user."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from harness.pulumi import PulumiProject
from tests.arm_views import arm_writes, live_peerings
from tests.emulator_config import seeded_vnet
from tests.engine.hub_spoke_helpers import DEMO_SEED, PROGRAM, configure, made_elsewhere

pytestmark = pytest.mark.engine

SPOKES = {"payments": {"vnetId": seeded_vnet("vnet-payments")}}


@pytest.fixture
def project(make_project: Callable[..., PulumiProject], emulator: Any) -> PulumiProject:
    emulator.seed(DEMO_SEED)
    project = make_project(PROGRAM)
    configure(project, seeded_vnet("vnet-hub"), SPOKES)
    return project


def test_a_hand_made_pair_with_the_default_names_fails_preview_then_is_adopted(
    project: PulumiProject, emulator: Any
) -> None:
    made_elsewhere(emulator, "vnet-hub", "vnet-payments", "vnet-hub-to-vnet-payments")
    made_elsewhere(emulator, "vnet-payments", "vnet-hub", "vnet-payments-to-vnet-hub")
    seq = emulator.last_request_seq()
    preview = project.preview(check=False)
    assert not preview.ok
    assert "already exists" in preview.output and "adopt_existing" in preview.output, preview.output
    assert not project.up(check=False, skip_preview=False).ok
    assert arm_writes(emulator, seq) == []

    configure(project, seeded_vnet("vnet-hub"), {"payments": {**SPOKES["payments"], "adoptExisting": True}})
    project.up(skip_preview=False)
    hub_side = live_peerings(emulator, seeded_vnet("vnet-hub"))["vnet-hub-to-vnet-payments"]
    assert hub_side["properties"]["peeringState"] == "Connected"
    project.preview(expect_no_changes=True)


def test_a_hand_made_peering_under_another_name_fails_preview_with_a_warning(
    project: PulumiProject, emulator: Any
) -> None:
    made_elsewhere(emulator, "vnet-hub", "vnet-payments", "legacy-hub-link")
    seq = emulator.last_request_seq()
    preview = project.preview(check=False)
    assert not preview.ok
    assert "AnotherPeeringToSameVnet" in preview.output  # the planner's warning, on the component
    assert "AnotherPeeringAlreadyReferencesRemoteVnet" in preview.output and "legacy-hub-link" in preview.output
    assert arm_writes(emulator, seq) == []
