"""The reliability report's rows: one per scenario run with one seed (conftest.py prints them as a table)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Outcome:
    """One scenario run with one seed."""

    suite: str
    scenario: str
    seed: int
    first_run: str = "?"
    """What the first `pulumi up` did: ``ok``, ``failed: <cause>`` or ``killed``."""
    survived: bool = False
    """Converged, and state and ARM agree exactly."""
    faults: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


OUTCOMES: list[Outcome] = []
