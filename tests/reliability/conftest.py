"""Reliability fixtures: a hub-and-spoke project on the session emulator, and the scenarios x seeds report.

Every scenario records one row (scenario, seed, what the first run did, whether it converged); the rows are printed
at the end of the run as a table, and written as JSON to ``$RELIABILITY_REPORT`` when that is set.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest

from harness import topology
from harness.pulumi import REPO, PulumiProject
from tests.reliability.arm_stub import ArmStub, arm_stub
from tests.reliability.outcomes import OUTCOMES, Outcome

HUB_SPOKE_PROGRAM = (REPO / "examples" / "hub_spoke" / "__main__.py").read_text()


@pytest.fixture
def outcome(request: pytest.FixtureRequest) -> Iterator[Callable[..., Outcome]]:
    """Factory for this test's report row; the row is kept whether the test passes or not."""
    rows: list[Outcome] = []

    def make(suite: str, scenario: str, seed: int) -> Outcome:
        row = Outcome(suite, scenario, seed)
        rows.append(row)
        return row

    yield make
    OUTCOMES.extend(rows)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not OUTCOMES:
        return
    tr = terminalreporter
    tr.section("reliability: scenarios x seeds")
    width = max(len(f"{o.suite}/{o.scenario}") for o in OUTCOMES)
    tr.write_line(f"{'scenario'.ljust(width)}  seed  survived  {'first up':<12} faults injected")
    for o in sorted(OUTCOMES, key=lambda o: (o.suite, o.scenario, o.seed)):
        faults = ", ".join(f"{k}={v}" for k, v in sorted(o.faults.items())) or "-"
        first = o.first_run.split(":", 1)[0]
        tr.write_line(
            f"{f'{o.suite}/{o.scenario}'.ljust(width)}  {o.seed:>4}  {'yes' if o.survived else 'NO':<8}  "
            f"{first:<12} {faults}  ({o.seconds:.0f}s)"
        )
    runs, survived = len(OUTCOMES), sum(o.survived for o in OUTCOMES)
    tr.write_line(f"{runs} scenario runs, {survived} survived")
    target = os.environ.get("RELIABILITY_REPORT")
    if target:
        Path(target).write_text(json.dumps([asdict(o) for o in OUTCOMES], indent=2))


@pytest.fixture
def hub_spoke(
    make_project: Callable[..., PulumiProject], emulator: Any
) -> Callable[..., tuple[PulumiProject, set[str]]]:
    """Factory: the emulator reset to ``hub_and_spokes(n)`` and a project running examples/hub_spoke on it, every
    spoke using the hub's gateway. Returns the project and the ids of the complete topology."""

    def make(n: int, *, timeout: float | None = None) -> tuple[PulumiProject, set[str]]:
        from tests.reliability.consistency import hub_spoke_ids

        emulator.reset()
        emulator.seed(topology.hub_and_spokes(n))
        spokes = topology.spokes_config(n)
        if timeout is not None:
            for spoke in spokes.values():
                spoke["timeouts"] = {"create": timeout, "update": timeout, "delete": timeout}
        project = make_project(HUB_SPOKE_PROGRAM)
        project.write_config({"peering-test:hubVnetId": topology.hub_id(), "peering-test:spokes": spokes})
        return project, hub_spoke_ids(n)

    return make


@pytest.fixture
def stub(tmp_path: Path) -> Iterator[ArmStub]:
    """A scripted ARM of this test's own (tests/reliability/arm_stub.py), over HTTPS."""
    with arm_stub(tmp_path) as s:
        yield s
