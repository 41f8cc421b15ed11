"""The per-operation deadline (a resource's timeouts): every wait and retry of one operation stops at it."""

from __future__ import annotations

import time
from collections.abc import Callable


class Deadline:
    """A point in time by which an operation must be done (per-resource timeouts)."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self._clock = clock
        self._end = clock() + seconds

    def remaining(self) -> float:
        return max(0.0, self._end - self._clock())

    @property
    def expired(self) -> bool:
        return self.remaining() <= 0.0
