"""Renaming a spoke key (same vnet, so the same ARM peering names) through the real CLI: with the documented fix
(SpokeArgs.previous_keys, i.e. Pulumi aliases) nothing is written and the pair is untouched; without it the
preview fails before any write, with that fix in the message. Right after creation and later alike: no path may
adopt a peering that the same run deletes. A standalone peering renamed through ``aliases``, then without one but
with ``adopt_existing``: the old resource's delete leaves the peering the new one adopted."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from harness.pulumi import PulumiProject
from tests.arm_views import arm_writes, live_peerings
from tests.emulator_config import seeded_vnet
from tests.engine.hub_spoke_helpers import DEMO_SEED, PROGRAM, configure
from tests.provider_on_emulator.programs import peering_program

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


def test_a_standalone_peering_renamed_through_aliases_then_adopted_under_a_third_name(
    make_project: Callable[..., PulumiProject], emulator: Any
) -> None:
    """A standalone VirtualNetworkPeering renamed with ``ResourceOptions(aliases=[Alias(name=old)])`` (README): the
    engine moves the state, nothing reaches ARM. Renamed again without an alias but with ``adopt_existing``: the
    engine creates the new resource (it adopts the pair's peering) and deletes the old one in the same run, and
    that delete leaves the peering (docs/ownership.md); the new resource owns it from then on: its destroy deletes
    it."""
    reverse = {"local": "vnet-payments", "remote": "vnet-hub"}
    hub_side: dict[str, Any] = {"local": "vnet-hub", "remote": "vnet-payments", "name": "vnet-hub-to-vnet-payments"}
    project = make_project(peering_program({**hub_side, "resource": "hub-old"}, reverse))
    project.up()
    pid = f"{seeded_vnet('vnet-hub')}/virtualNetworkPeerings/vnet-hub-to-vnet-payments"

    def live() -> tuple[str, str]:
        answer = emulator.arm("GET", pid)
        assert answer.status_code == 200, answer.text
        return answer.json()["etag"], answer.json()["properties"]["peeringState"]

    def names() -> set[str]:
        return {r["urn"].split("::")[-1] for r in project.resources("VirtualNetworkPeering")}

    created = live()
    assert created[1] == "Connected"

    alias = 'pulumi.ResourceOptions(aliases=[pulumi.Alias(name="hub-old")])'
    renamed = {**hub_side, "resource": "hub", "opts": alias}
    (project.workdir / "__main__.py").write_text(peering_program(renamed, reverse))
    preview = project.preview()
    assert "to create" not in preview.output and "to delete" not in preview.output, preview.output
    seq = emulator.last_request_seq()
    project.up(skip_preview=False)
    assert arm_writes(emulator, seq) == []
    assert live() == created
    assert names() == {"hub", "vnet-payments-to-vnet-hub"}

    adopted = {**hub_side, "resource": "hub-adopted", "adopt_existing": True}
    (project.workdir / "__main__.py").write_text(peering_program(adopted, reverse))
    preview = project.preview()
    assert "1 to create" in preview.output and "1 to delete" in preview.output, preview.output
    seq = emulator.last_request_seq()
    up = project.up(skip_preview=False)
    assert "1 created" in up.output and "1 deleted" in up.output, up.output
    assert "not deleted: resource 'hub-adopted' of this stack manages it now" in up.output, up.output
    # the adoption writes the program's settings over the peering once (ARM: 200, it existed); nothing is deleted
    assert [(w["method"], w["path"].lower(), w["status"]) for w in arm_writes(emulator, seq)] == [
        ("PUT", pid.lower(), 200)
    ]
    assert live()[1] == "Connected"
    assert names() == {"hub-adopted", "vnet-payments-to-vnet-hub"}
    assert {r["id"] for r in project.resources("VirtualNetworkPeering") if r["urn"].endswith("::hub-adopted")} == {pid}
    project.preview(expect_no_changes=True)

    seq = emulator.last_request_seq()
    project.destroy()
    deletes = [w["path"].lower() for w in arm_writes(emulator, seq) if w["method"] == "DELETE" and w["status"] < 300]
    assert pid.lower() in deletes
    assert emulator.arm("GET", pid).status_code == 404
