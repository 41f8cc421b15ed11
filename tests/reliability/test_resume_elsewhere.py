"""A rollout killed on one machine resumes on another (issue 14): a cancelled CI job, then a new CI runner with a
fresh ``PULUMI_HOME`` and the same state backend. Nothing local survives; only the checkpoint and ARM do.

Every scenario: ``examples/hub_spoke`` with 3 spokes (6 peerings, every spoke using the hub's gateway) on the
emulator (1 s per peering write, so that writes are still running at the kill), ``pulumi`` SIGKILLed at a point
read from the emulator's request log, then on the "new runner": ``pulumi cancel``, ``azure-peering-recover``,
``pulumi up --refresh``. Then every pair is Connected, exactly the expected peerings exist (one per direction),
state and ARM agree, no pending operation is left, and a preview shows no changes.

``test_pulumi_own_recovery_on_a_new_runner`` records what Pulumi's own tools do with the same situation.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from harness.pulumi import PulumiProject
from tests.reliability.consistency import (
    assert_consistent,
    assert_topology_complete,
    cloud_peerings,
    state_peerings,
    wait_for_idle,
)
from tests.reliability.kill import count, is_peering, new_runner, recover, recovered_counts, run_and_kill
from tests.reliability.outcomes import Outcome

pytestmark = pytest.mark.reliability

SPOKES = 3
PEERINGS = 2 * SPOKES
LATENCY = 1.0
REFUSE_PEERING_PUTS = "409=1;match=PUT:virtualNetworkPeerings"


def first_faulted_put(seen: list[dict[str, Any]]) -> bool:
    return any(is_peering(e, "PUT") and e.get("fault") for e in seen)


def accepted_puts(n: int) -> Callable[[list[dict[str, Any]]], bool]:
    return lambda seen: count(seen, "PUT", accepted=True) >= n


KILL_POINTS: dict[str, tuple[Callable[[list[dict[str, Any]]], bool], str]] = {
    # every peering PUT is refused (409, retried by the provider): creates are pending, ARM has none of them
    "before-any-write": (first_faulted_put, REFUSE_PEERING_PUTS),
    "mid-way": (accepted_puts(PEERINGS // 2), ""),
    # the last PUT was just accepted: its write is still running in ARM at the kill
    "at-last-write": (accepted_puts(PEERINGS), ""),
}


def converged(project: PulumiProject, emulator: Any, expected: set[str]) -> None:
    assert_consistent(project, emulator)
    assert_topology_complete(emulator, expected)
    project.preview(expect_no_changes=True)


@pytest.mark.parametrize("point", list(KILL_POINTS))
def test_killed_up_resumes_on_a_new_runner(
    point: str,
    hub_spoke: Callable[..., tuple[PulumiProject, set[str]]],
    emulator: Any,
    outcome: Callable[..., Outcome],
    tmp_path: Path,
) -> None:
    row = outcome("resume", f"up-killed-{point}", 1)
    started = time.monotonic()
    kill_when, faults = KILL_POINTS[point]
    project, expected = hub_spoke(SPOKES, timeout=120)
    emulator.set_latency(LATENCY)
    emulator.set_faults(faults)

    killed = run_and_kill(project, ["up", "--yes", "--skip-preview"], emulator, kill_when, tmp_path / "killed.log")
    emulator.set_faults("")
    wait_for_idle(emulator)
    state, pending = state_peerings(project)
    cloud = cloud_peerings(emulator)
    row.first_run = f"killed after {killed.seconds:.1f}s"
    row.faults = {
        "puts-accepted": killed.count("PUT", accepted=True),
        "in-state": len(state),
        "in-arm": len(cloud),
        "pending-creates": sum(op["type"] == "creating" for op in pending),
        "in-arm-not-state": len(set(cloud) - set(state)),
        **({"metadata-repaired": 1} if killed.metadata_repaired else {}),
    }
    assert pending, "the kill left no pending operation: the kill point missed the rollout"

    runner = new_runner(project, tmp_path)
    runner.run("cancel", "--yes")
    looked = recover(runner, "--dry-run")
    assert looked.ok and state_peerings(runner)[1] == pending, "--dry-run changes nothing"
    result = recover(runner)
    assert result.ok, result.output
    assert recovered_counts(result) == recovered_counts(looked)
    assert emulator.primary.client_secret not in looked.output + result.output
    _, left = state_peerings(runner)
    assert not left, left
    row.faults |= recovered_counts(result)
    # what recovery recorded is exactly what ARM had and the state lacked
    assert row.faults["recorded"] == row.faults["in-arm-not-state"], result.output

    runner.up("--refresh")
    converged(runner, emulator, expected)
    assert emulator.primary.client_secret not in runner.backend_files_text(), "a secret reached the state"
    # nothing of the provider's on the runner: every decision rested on the checkpoint and ARM
    assert not (Path(runner.env["PULUMI_HOME"]) / "azure-peering").exists()
    row.survived = True
    row.seconds = time.monotonic() - started


def test_killed_destroy_resumes_on_a_new_runner(
    hub_spoke: Callable[..., tuple[PulumiProject, set[str]]],
    emulator: Any,
    outcome: Callable[..., Outcome],
    tmp_path: Path,
) -> None:
    """A destroy killed half-way leaves pending deletes: `pulumi destroy` on a new runner finishes it (Pulumi's own
    path works here: deleting a peering that is already gone is a success), and `up` then builds it all again."""
    row = outcome("resume", "destroy-killed-mid-way", 1)
    started = time.monotonic()
    project, expected = hub_spoke(SPOKES, timeout=120)
    project.up()
    emulator.set_latency(LATENCY)

    killed = run_and_kill(
        project,
        ["destroy", "--yes", "--skip-preview"],
        emulator,
        lambda seen: count(seen, "DELETE", accepted=True) >= PEERINGS // 2,
        tmp_path / "killed.log",
    )
    wait_for_idle(emulator)
    state, pending = state_peerings(project)
    row.first_run = f"killed after {killed.seconds:.1f}s"
    row.faults = {
        "deletes-accepted": killed.count("DELETE", accepted=True),
        "in-state": len(state),
        "in-arm": len(cloud_peerings(emulator)),
        "pending-deletes": sum(op["type"] == "deleting" for op in pending),
        **({"metadata-repaired": 1} if killed.metadata_repaired else {}),
    }

    runner = new_runner(project, tmp_path)
    runner.run("cancel", "--yes")
    assert recover(runner).ok  # nothing to do for deletes: it says so and changes nothing
    runner.destroy()
    assert cloud_peerings(emulator) == {}
    state, pending = state_peerings(runner)
    assert not state and not pending, (state, pending)
    assert not runner.resources("VirtualNetworkPeering")

    runner.up()
    converged(runner, emulator, expected)
    row.survived = True
    row.seconds = time.monotonic() - started


def test_pulumi_own_recovery_on_a_new_runner(
    hub_spoke: Callable[..., tuple[PulumiProject, set[str]]], emulator: Any, tmp_path: Path
) -> None:
    """What Pulumi's own tools do with peerings a killed `up` left behind, from a new runner (the evidence behind
    docs/reliability.md): `up` warns about the pending creates and the check refuses the peering as a foreign
    one; `pulumi import` fails in the dynamic-provider runtime (a read without `__provider`);
    `refresh --import-pending-creates` drops the pending creates and records nothing."""
    project, _ = hub_spoke(SPOKES, timeout=120)
    emulator.set_latency(LATENCY)
    run_and_kill(project, ["up", "--yes", "--skip-preview"], emulator, accepted_puts(3), tmp_path / "killed.log")
    wait_for_idle(emulator)
    state, pending = state_peerings(project)
    creates = [op for op in pending if op["type"] == "creating"]
    orphans = sorted(set(cloud_peerings(emulator)) - set(state))
    assert creates and orphans, (pending, orphans)

    runner = new_runner(project, tmp_path)
    locked = runner.up(check=False)
    assert not locked.ok and "the stack is currently locked" in locked.output
    runner.run("cancel", "--yes")

    up = runner.up(check=False)
    assert not up.ok
    assert "pending operations from previous deployment" in up.output
    assert "interrupted while creating" in up.output
    assert "already exists on" in up.output

    imported = runner.run(
        "import",
        "pulumi-python:dynamic/azure-peering:VirtualNetworkPeering",
        "taken",
        orphans[0],
        "--yes",
        check=False,
    )
    assert not imported.ok and "KeyError: '__provider'" in imported.output

    pairs: list[str] = []
    for op in creates:
        inputs = op["resource"]["inputs"]
        peering = f"{inputs['virtual_network_id']}/virtualNetworkPeerings/{inputs['name']}"
        pairs += ["--import-pending-creates", op["resource"]["urn"], "--import-pending-creates", peering]
    runner.refresh(*pairs)
    after, left = state_peerings(runner)
    assert not left, "the pending creates are gone"
    assert set(after) == set(state), "and nothing was recorded in their place"


def test_a_peering_someone_else_made_is_not_taken(
    hub_spoke: Callable[..., tuple[PulumiProject, set[str]]], emulator: Any, tmp_path: Path
) -> None:
    """The killed create never reached ARM; before the resume, someone else creates a peering of that name with
    other settings. Recovery leaves that pending create alone and says why; since `pulumi stack import` would drop
    it, nothing is written until --force; the next `up` refuses the peering as a foreign one, and nothing of it is
    changed in ARM."""
    project, _ = hub_spoke(SPOKES, timeout=120)
    emulator.set_latency(LATENCY)
    emulator.set_faults(REFUSE_PEERING_PUTS)
    run_and_kill(project, ["up", "--yes", "--skip-preview"], emulator, first_faulted_put, tmp_path / "killed.log")
    emulator.set_faults("")
    _, pending = state_peerings(project)
    op = next(op for op in pending if op["type"] == "creating")  # one per hub-side write in flight at the kill
    inputs = op["resource"]["inputs"]
    peering = f"{inputs['virtual_network_id']}/virtualNetworkPeerings/{inputs['name']}"
    assert peering.lower() not in cloud_peerings(emulator)
    body = {"properties": {"remoteVirtualNetwork": {"id": inputs["remote_virtual_network_id"]}}}
    emulator.wait(emulator.arm("PUT", peering, json=body))
    foreign = cloud_peerings(emulator)[peering.lower()]

    runner = new_runner(project, tmp_path)
    runner.run("cancel", "--yes")
    result = recover(runner)
    assert result.returncode == 1, result.output
    name = op["resource"]["urn"].rsplit("::", 1)[1]
    assert f"leave  {name} " in result.stdout and "not evidently this create's" in result.stdout, result.output
    assert recovered_counts(result) == {"recorded": 0, "cleared": len(pending) - 1, "left": 1}, result.output
    assert state_peerings(runner)[1] == pending, "nothing is written while a pending create would be lost"
    assert len(pending) == 1 or "nothing written" in result.stdout, result.output

    forced = recover(runner, "--force")
    assert forced.ok and "dropped the pending creating of" in forced.stdout, forced.output
    assert state_peerings(runner)[1] == []
    up = runner.up(check=False)
    assert not up.ok and "already exists on" in up.output and "azure-peering-recover" in up.output
    assert cloud_peerings(emulator)[peering.lower()]["etag"] == foreign["etag"], "the foreign peering was written"


def test_on_the_same_machine_the_resumed_up_decides_as_on_a_new_runner(
    hub_spoke: Callable[..., tuple[PulumiProject, set[str]]], emulator: Any, tmp_path: Path
) -> None:
    """On the machine of the killed run, with its PULUMI_HOME: nothing local lets `up` take the killed run's
    peerings (docs/ownership.md). It refuses them at preview, naming azure-peering-recover, exactly as a fresh
    runner does; after recovery it converges."""
    project, expected = hub_spoke(SPOKES, timeout=120)
    emulator.set_latency(LATENCY)
    run_and_kill(project, ["up", "--yes", "--skip-preview"], emulator, accepted_puts(3), tmp_path / "killed.log")
    wait_for_idle(emulator)
    _, pending = state_peerings(project)
    creates = sum(op["type"] == "creating" for op in pending)
    assert creates
    project.run("cancel", "--yes")
    seq = emulator.last_request_seq()
    up = project.up(check=False)
    assert not up.ok and "already exists on" in up.output and "azure-peering-recover" in up.output, up.output
    writes = [r for r in emulator.request_log(since=seq) if r["method"] in ("PUT", "DELETE")]
    assert writes == [], "the refused up wrote to ARM"
    assert not (Path(project.env["PULUMI_HOME"]) / "azure-peering").exists(), "the provider kept local files"

    result = recover(project)
    counts = recovered_counts(result)
    assert result.ok and counts["left"] == 0 and counts["recorded"] + counts["cleared"] == creates, result.output
    project.up()
    converged(project, emulator, expected)
