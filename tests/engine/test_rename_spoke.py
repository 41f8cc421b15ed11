"""Renaming a spoke key (same vnet, so the same ARM peering names) through the real CLI: with the documented fix
(SpokeArgs.previous_keys, i.e. Pulumi aliases) nothing is written and the pair is untouched; without it the
preview fails before any write, with that fix in the message. Right after creation and later alike: no path may
adopt a peering that the same run deletes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from harness.pulumi import PulumiProject
from tests.arm_views import arm_writes, live_peerings
from tests.emulator_config import seeded_vnet
from tests.engine.hub_spoke_helpers import DEMO_SEED, PROGRAM, configure

pytestmark = pytest.mark.engine

BEFORE: dict[str, dict[str, Any]] = {
    "identity": {"vnetId": seeded_vnet("vnet-identity")},
    "payments": {"vnetId": seeded_vnet("vnet-payments"), "useHubGateway": True},
}


def renamed(previous_keys: bool) -> dict[str, dict[str, Any]]:
    pay: dict[str, Any] = {"vnetId": seeded_vnet("vnet-payments"), "useHubGateway": True}
    if previous_keys:
        pay["previousKeys"] = ["payments"]
    return {"identity": BEFORE["identity"], "pay": pay}


def pair(emulator: Any) -> dict[str, tuple[str, str]]:
    """The payments pair as ARM has it: name -> (etag, peeringState)."""
    found = {}
    for vnet, name in (("vnet-hub", "vnet-hub-to-vnet-payments"), ("vnet-payments", "vnet-payments-to-vnet-hub")):
        p = live_peerings(emulator, seeded_vnet(vnet))[name]
        found[name] = (p["etag"], p["properties"]["peeringState"])
    return found


@pytest.fixture
def deployed(make_project: Callable[..., PulumiProject], emulator: Any) -> PulumiProject:
    emulator.seed(DEMO_SEED)
    project = make_project(PROGRAM)
    configure(project, seeded_vnet("vnet-hub"), BEFORE)
    project.up(skip_preview=False)
    return project


@pytest.mark.parametrize("later", [False, True], ids=["right-after-create", "after-refresh"])
def test_rename_with_previous_keys_writes_nothing(deployed: PulumiProject, emulator: Any, later: bool) -> None:
    if later:
        deployed.refresh()
    before = pair(emulator)
    assert {state for _, state in before.values()} == {"Connected"}
    seq = emulator.last_request_seq()
    configure(deployed, seeded_vnet("vnet-hub"), renamed(previous_keys=True))
    preview = deployed.preview()
    assert "to delete" not in preview.output and "to create" not in preview.output, preview.output
    deployed.up(skip_preview=False)
    assert arm_writes(emulator, seq) == []
    assert pair(emulator) == before
    names = {r["urn"].split("::")[-1] for r in deployed.resources("VirtualNetworkPeering")}
    assert "hub-pay.hub-to-spoke" in names and not any("payments" in n for n in names)
    deployed.preview(expect_no_changes=True)


@pytest.mark.parametrize("later", [False, True], ids=["right-after-create", "after-refresh"])
def test_rename_without_the_fix_fails_at_preview_and_writes_nothing(
    deployed: PulumiProject, emulator: Any, later: bool
) -> None:
    if later:
        deployed.refresh()
    before = pair(emulator)
    seq = emulator.last_request_seq()
    configure(deployed, seeded_vnet("vnet-hub"), renamed(previous_keys=False))
    preview = deployed.preview(check=False)
    assert not preview.ok
    assert "already exists" in preview.output and "previous_keys" in preview.output, preview.output
    up = deployed.up(check=False, skip_preview=False)
    assert not up.ok
    assert arm_writes(emulator, seq) == []
    assert pair(emulator) == before
