"""Crash consistency: `pulumi up` of a 20-spoke rollout killed with SIGKILL (the CLI, language host, program and
provider processes, all at once) at a random point, then recovered as docs/reliability.md tells CI users to, on a
new runner (a fresh ``PULUMI_HOME``, the same backend: no create intent of the killed run survives).

After the kill: ``pulumi cancel`` (the kill leaves the stack locked), ``azure-peering-recover`` (records in the state
the peerings the killed creates left in ARM, clears the pending creates that never reached it; Pulumi's own
``refresh --clear-pending-creates`` / ``--import-pending-creates`` would leave those peerings to be refused as
foreign), then ``pulumi up``. The topology must be complete, the state must match the emulator exactly, and a
preview must show no changes.

The kill point: after a seeded-random number of peering PUTs has reached ARM, plus a seeded-random delay, so it
lands inside the rollout whatever the machine's speed. Default: seeds 1..3; ``RELIABILITY_HEAVY=1``: seeds 1..8
(``RELIABILITY_SEEDS`` picks them).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from harness.pulumi import PulumiProject
from tests.reliability.consistency import (
    assert_consistent,
    assert_state_within_cloud,
    assert_topology_complete,
    cloud_peerings,
    state_peerings,
)
from tests.reliability.kill import count, new_runner, recover, recovered_counts, run_and_kill
from tests.reliability.knobs import seeds
from tests.reliability.outcomes import Outcome

pytestmark = pytest.mark.reliability

SPOKES = 20


def up_and_kill(project: PulumiProject, emulator: Any, rng: random.Random, log_path: Path) -> tuple[int, float]:
    """Start `pulumi up`, SIGKILL its process group (CLI and program) at a random point of the rollout: a random
    number of peering PUTs, then a random delay. Returns the number of peering PUTs ARM had seen when the kill was
    decided, and the seconds the run had lasted."""
    target = rng.randint(1, 2 * SPOKES - 2)
    extra = rng.uniform(0.0, 0.4)
    killed = run_and_kill(
        project,
        ["up", "--yes", "--skip-preview"],
        emulator,
        lambda seen: count(seen, "PUT") >= target,
        log_path,
        kill_delay=extra,
    )
    return killed.count("PUT"), killed.seconds


@pytest.mark.parametrize("seed", seeds(default=3, heavy=8))
def test_killed_rollout_recovers(
    seed: int,
    hub_spoke: Callable[..., tuple[PulumiProject, set[str]]],
    emulator: Any,
    outcome: Callable[..., Outcome],
    tmp_path: Any,
) -> None:
    row = outcome("crash", f"sigkill-{SPOKES}-spokes", seed)
    started = time.monotonic()
    rng = random.Random(seed)
    project, expected = hub_spoke(SPOKES, timeout=300)
    emulator.set_latency(0.2)

    puts, lasted = up_and_kill(project, emulator, rng, tmp_path / "killed-up.log")
    state, pending = state_peerings(project)
    cloud = cloud_peerings(emulator)
    row.first_run = f"killed after {lasted:.1f}s"
    row.faults = {"puts-before-kill": puts, "in-state": len(state), "in-arm": len(cloud), "pending": len(pending)}

    runner = new_runner(project, tmp_path)
    runner.run("cancel", "--yes")
    recovered = recover(runner)
    assert recovered.ok, recovered.output
    row.faults |= recovered_counts(recovered)
    assert_state_within_cloud(runner, emulator)
    runner.up()
    assert_consistent(runner, emulator)
    assert_topology_complete(emulator, expected)
    runner.preview(expect_no_changes=True)
    row.survived = True
    row.seconds = time.monotonic() - started
