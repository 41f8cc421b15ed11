"""Fault injection: a seeded, reproducible plan of what goes wrong, parsed from a one-line spec.

Spec: ``key=value`` pairs separated by ``;`` (docs/emulator.md has the full table)::

    seed=7;429=0.1;503=0.05;reset=0.02;lro_fail=0.05;lro_hang=0.01;match=PUT:virtualNetworkPeerings

Request faults (at most one per request, drawn with one random number): ``reset`` (close the connection without
a response, before the request is processed), ``reset_after`` (process it, then close without a response),
``429``, ``409`` (AnotherOperationInProgress, as if another writer held the vnet), ``500``, ``503``, ``expire``
(treat the bearer token as expired), ``slow`` (``p`` or ``p:seconds``, delay the response), ``html`` (a 502 HTML
error page from a gateway in front of ARM, before processing), ``truncate`` (process the request, then answer with
its JSON body cut in half), ``html404`` (a 404 HTML page from a gateway in front of ARM, before processing, without
ARM's headers: a 404 that is not ARM's "does not exist"), ``403`` (AuthorizationFailed after the token is
accepted: an identity without the RBAC action on that scope). Operation faults (drawn when a write starts a
long-running operation): ``lro_fail`` (ends Failed), ``lro_hang`` (never ends), ``lro_slow`` (``p`` or
``p:seconds`` longer). Others: ``seed``, ``retry_after`` (seconds sent with 429/503), ``max`` (stop after that
many faults), ``match`` (comma-separated ``METHOD:path-substring``, ``$`` at its end to match the path's end only;
``*`` for any method; default: every ARM request under /subscriptions).
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from dataclasses import dataclass, field

from .models.operations import OUTCOME_FAIL, OUTCOME_HANG, OUTCOME_SUCCEED

# drawn in this order from one random number: new kinds go last, so that a seeded plan of the others stays the same
REQUEST_FAULTS = (
    "reset",
    "reset_after",
    "429",
    "409",
    "500",
    "503",
    "expire",
    "slow",
    "html",
    "truncate",
    "html404",
    "403",
)
OPERATION_FAULTS = ("lro_fail", "lro_hang", "lro_slow")


def _path_matches(path: str, part: str) -> bool:
    """``part`` occurs in ``path``; a ``part`` ending in ``$`` must end it (a collection, not its members)."""
    if part.endswith("$"):
        return path.endswith(part[:-1])
    return part in path


@dataclass
class FaultSpec:
    raw: str = ""
    seed: int = 0
    probabilities: dict[str, float] = field(default_factory=dict)
    slow_seconds: float = 2.0
    lro_slow_seconds: float = 5.0
    retry_after: int = 1
    max_faults: int | None = None
    match: list[tuple[str, str]] = field(default_factory=list)

    @property
    def enabled(self) -> bool:
        return any(v > 0 for v in self.probabilities.values())


def _probability(key: str, value: str) -> float:
    p = float(value)
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"fault {key}: probability {value} is not within 0..1")
    return p


def parse_spec(text: str | None) -> FaultSpec:
    """Parse a fault spec; raises ValueError with a readable message."""
    spec = FaultSpec(raw=(text or "").strip())
    if spec.raw.lower() in ("", "none", "off"):
        spec.raw = ""
        return spec
    for part in spec.raw.split(";"):
        part = part.strip()
        if not part:
            continue
        if "=" not in part:
            raise ValueError(f"fault spec: expected key=value, got {part!r}")
        key, value = (s.strip() for s in part.split("=", 1))
        key = key.lower()
        if key == "seed":
            spec.seed = int(value)
        elif key == "retry_after":
            spec.retry_after = max(0, int(value))
        elif key == "max":
            spec.max_faults = int(value)
        elif key == "match":
            for item in value.split(","):
                item = item.strip()
                if not item:
                    continue
                method, _, path = item.partition(":") if ":" in item else ("*", "", item)
                spec.match.append((method.strip().upper() or "*", path.strip().lower()))
        elif key in ("slow", "lro_slow"):
            prob, _, seconds = value.partition(":")
            spec.probabilities[key] = _probability(key, prob)
            if seconds:
                if key == "slow":
                    spec.slow_seconds = float(seconds)
                else:
                    spec.lro_slow_seconds = float(seconds)
        elif key in REQUEST_FAULTS or key in OPERATION_FAULTS:
            spec.probabilities[key] = _probability(key, value)
        else:
            raise ValueError(f"fault spec: unknown key {key!r}")
    total = sum(spec.probabilities.get(k, 0.0) for k in REQUEST_FAULTS)
    if total > 1.0:
        raise ValueError("fault spec: request fault probabilities add up to more than 1")
    return spec


class FaultInjector:
    """Draws faults for requests and operations from a seeded generator (thread-safe)."""

    def __init__(self, spec: str | None = None) -> None:
        self._lock = threading.Lock()
        self.set(spec)

    def set(self, text: str | None) -> FaultSpec:
        spec = parse_spec(text)
        with self._lock:
            self.spec = spec
            self._rng = random.Random(spec.seed)
            self.injected: Counter[str] = Counter()
        return spec

    def _applies(self, method: str, path: str) -> bool:
        if not self.spec.match:
            return path.startswith("/subscriptions")
        lowered = path.lower()
        return any((m in ("*", method)) and _path_matches(lowered, p) for m, p in self.spec.match)

    def _budget_left(self) -> bool:
        return self.spec.max_faults is None or sum(self.injected.values()) < self.spec.max_faults

    def for_request(self, method: str, path: str) -> str | None:
        """The request fault to inject, if any."""
        if not self.spec.enabled or not self._applies(method, path):
            return None
        with self._lock:
            if not self._budget_left():
                return None
            draw = self._rng.random()
            edge = 0.0
            for kind in REQUEST_FAULTS:
                edge += self.spec.probabilities.get(kind, 0.0)
                if draw < edge:
                    self.injected[kind] += 1
                    return kind
        return None

    def for_operation(self, method: str, path: str) -> tuple[str, float]:
        """(outcome, extra seconds) for a long-running operation about to start."""
        if not self.spec.enabled or not self._applies(method, path):
            return OUTCOME_SUCCEED, 0.0
        with self._lock:
            if not self._budget_left():
                return OUTCOME_SUCCEED, 0.0
            draw = self._rng.random()
            edge = 0.0
            for kind in OPERATION_FAULTS:
                edge += self.spec.probabilities.get(kind, 0.0)
                if draw < edge:
                    self.injected[kind] += 1
                    if kind == "lro_fail":
                        return OUTCOME_FAIL, 0.0
                    if kind == "lro_hang":
                        return OUTCOME_HANG, 0.0
                    return OUTCOME_SUCCEED, self.spec.lro_slow_seconds
        return OUTCOME_SUCCEED, 0.0

    def describe(self) -> dict[str, object]:
        with self._lock:
            return {"spec": self.spec.raw, "injected": dict(self.injected)}
