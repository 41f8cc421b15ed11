"""Same behaviour from every front end: the key scenarios through the Python dynamic resource and through the
`azure-peering` package from YAML and TypeScript, with the same assertions (one core does the work in each)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from harness.pulumi import program_tracebacks
from tests.arm_views import arm_writes
from tests.emulator_config import seeded_vnet
from tests.provider_on_emulator.provider_env import add_address_prefix
from tests.pulumi_package.frontends import FRONT_ENDS, HubSpoke, NodeModules, Peering, make_project, peering_outputs

pytestmark = pytest.mark.engine

HUB, PAYMENTS = seeded_vnet("vnet-hub"), seeded_vnet("vnet-payments")
PAIR = [Peering("hub-to-payments", HUB, PAYMENTS), Peering("payments-to-hub", PAYMENTS, HUB)]


@pytest.mark.parametrize("front_end", FRONT_ENDS)
def test_pair_create_resize_sync_and_disconnected_recovery(
    front_end: str, tmp_path: Path, emulator: Any, node_modules: NodeModules
) -> None:
    project = make_project(front_end, tmp_path, emulator, PAIR, node_modules)
    project.up()
    # the side created first recorded Initiated (its reverse did not exist yet); ARM has both Connected now
    project.refresh()
    outputs = peering_outputs(project)
    assert {o["peering_state"] for o in outputs.values()} == {"Connected"}, outputs
    project.preview(expect_no_changes=True)

    # the remote vnet is resized out of band: refresh sees it out of sync, the next up syncs both sides
    add_address_prefix(emulator, PAYMENTS, "10.21.0.0/16")
    project.refresh()
    levels = {o["peering_sync_level"] for o in peering_outputs(project).values()}
    assert levels & {"LocalNotInSync", "RemoteNotInSync", "LocalAndRemoteNotInSync"}, levels
    seq = emulator.last_request_seq()
    project.up()
    puts = [w for w in arm_writes(emulator, seq) if w["method"] == "PUT"]
    assert any("syncRemoteAddressSpace=true" in (w.get("query") or "") for w in puts), puts
    project.refresh()
    outputs = peering_outputs(project)
    assert {o["peering_sync_level"] for o in outputs.values()} == {"FullyInSync"}
    assert "10.21.0.0/16" in outputs["hub-to-payments"]["remote_virtual_network_address_space"]

    # the reverse peering is deleted out of band: this side reads Disconnected, the next up re-establishes both
    assert emulator.arm("DELETE", outputs["payments-to-hub"]["peering_id"]).status_code in (200, 202, 204)
    emulator.finish_operations()
    project.refresh()
    outputs = peering_outputs(project)
    assert outputs["hub-to-payments"]["peering_state"] == "Disconnected"
    assert "payments-to-hub" not in outputs
    project.up()
    project.refresh()
    assert {o["peering_state"] for o in peering_outputs(project).values()} == {"Connected"}
    project.preview(expect_no_changes=True)
    project.destroy()


@pytest.mark.parametrize("front_end", FRONT_ENDS)
def test_one_sided_pair_is_no_drift(front_end: str, tmp_path: Path, emulator: Any, node_modules: NodeModules) -> None:
    """Only this side of the pair is declared (the other belongs to another stack): it reads Initiated /
    RemoteNotInSync, and that is neither drift nor a reason to write."""
    project = make_project(front_end, tmp_path, emulator, PAIR[:1], node_modules)
    project.up()
    (outputs,) = peering_outputs(project).values()
    assert (outputs["peering_state"], outputs["peering_sync_level"]) == ("Initiated", "RemoteNotInSync")
    project.refresh()
    seq = emulator.last_request_seq()
    project.preview(expect_no_changes=True)
    project.up()
    assert arm_writes(emulator, seq) == []


@pytest.mark.parametrize("front_end", FRONT_ENDS)
def test_bad_topology_fails_preview_with_zero_writes(
    front_end: str, tmp_path: Path, emulator: Any, node_modules: NodeModules
) -> None:
    """The planner's refusal reaches the user from every front end, at preview, before anything is written."""
    program = HubSpoke(HUB, {"a": {"vnetId": PAYMENTS}, "b": {"vnetId": PAYMENTS}})
    project = make_project(front_end, tmp_path, emulator, program, node_modules)
    seq = emulator.last_request_seq()
    preview = project.preview(check=False)
    assert not preview.ok
    assert "spoke 'b': its vnet 'vnet-payments' is already spoke 'a'" in preview.output, preview.output
    assert program_tracebacks(preview.output) == [], preview.output
    assert project.up(check=False).ok is False
    assert arm_writes(emulator, seq) == []
    assert peering_outputs(project) == {}
