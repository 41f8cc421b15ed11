"""How much the reliability suite runs: the default is bounded for `make test`; the environment asks for more.

- ``RELIABILITY_HEAVY=1``: more seeds, bigger topologies, more Hypothesis examples.
- ``RELIABILITY_SEEDS``: the seeds of the seeded scenarios (fault matrix, crashes): ``5`` means seeds 1..5,
  ``3,7,11`` means exactly those. Overrides the default and the heavy count.
"""

from __future__ import annotations

import os

HEAVY = os.environ.get("RELIABILITY_HEAVY", "").strip().lower() in ("1", "true", "yes", "on")


def seeds(default: int, heavy: int) -> list[int]:
    """The seeds to run: from ``RELIABILITY_SEEDS`` when set, else ``1..default`` (``1..heavy`` when heavy)."""
    raw = os.environ.get("RELIABILITY_SEEDS", "").strip()
    if raw:
        if "," in raw:
            return [int(part) for part in raw.split(",") if part.strip()]
        return list(range(1, int(raw) + 1))
    return list(range(1, (heavy if HEAVY else default) + 1))


def examples(default: int, heavy: int) -> int:
    """Hypothesis examples per property."""
    return heavy if HEAVY else default
