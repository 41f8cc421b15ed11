"""Benchmark profiles: ``quick`` (``make bench``, a few minutes) and ``full`` (``make bench-full``)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Profile:
    name: str
    rollout_ns: tuple[int, ...]
    """Spoke counts of the rollout cases (2 peerings per spoke)."""
    latency_s: float
    """Emulator seconds per write (L) in the rollout cases."""
    read_n: int
    """Spoke count of the preview and refresh cases."""
    read_repeats: int
    """Runs of each preview/refresh (and of its engine floor); the median is reported."""
    throughput_seconds: float
    """Seconds per row of bench/emulator_throughput.py."""
    throughput_threads: int


PROFILES: dict[str, Profile] = {
    # A check of the benchmark machinery itself (tens of seconds); its figures mean nothing.
    "smoke": Profile(
        name="smoke",
        rollout_ns=(3,),
        latency_s=0.2,
        read_n=3,
        read_repeats=1,
        throughput_seconds=0.5,
        throughput_threads=2,
    ),
    "quick": Profile(
        name="quick",
        rollout_ns=(10, 50),
        latency_s=0.2,
        read_n=50,
        read_repeats=3,
        throughput_seconds=2.0,
        throughput_threads=4,
    ),
    "full": Profile(
        name="full",
        rollout_ns=(200, 500),
        latency_s=0.2,
        read_n=200,
        read_repeats=3,
        throughput_seconds=5.0,
        throughput_threads=4,
    ),
}
