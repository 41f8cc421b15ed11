"""Benchmark profiles: ``quick`` (``make bench``, a few minutes) and ``full`` (``make bench-full``)."""

from __future__ import annotations

from dataclasses import dataclass, replace

#: The rollout the ratio target is judged on: N=50 at L=1.0 s, serialised. At L=0.2 s the engine's fixed start-up
#: (2 to 3 s before the first write on this machine) alone is a quarter of N*L, so those rows report the ratio
#: without judging it.
TARGET_N = 50
TARGET_LATENCY_S = 1.0
TARGET_RATIO = 1.15
#: The realistic-latency rows: the emulator's ``azure`` latency profile at a tenth of real time (a peering write
#: 1.0 s instead of 10 s, Retry-After likewise). The quick profile runs it at N=50, the full one at N=100 (issue 29
#: item 3: N >= 100). Why a tenth at N=100: the row's wall is about its bound, N times the peering write, so a tenth
#: costs bench-full about 2 minutes of its budget (under 30 minutes in all) where real time would cost 17. A
#: twentieth would save one more minute but would double the weight of what the row is there to show against ARM's
#: latency: the engine's own work between one hub write and the next (about 0.05 s at N=100 in 1de94c0's L=0.2 row,
#: whose write phase took 1.235 N*L) is 5 % of a 1.0 s write, 10 % of a 0.5 s one, 0.5 % of Azure's 10 s. The same
#: scale as the quick profile's N=50 row, so the two read as one series in N.
REALISTIC_PROFILE = "azure:0.1"
REALISTIC_PEERING_S = 1.0
REALISTIC_FULL_N = 100
#: The concurrent-stacks case: K spoke stacks at once against one hub, L s per write; target wall / (K*L).
CONCURRENT_K = 10
CONCURRENT_LATENCY_S = 1.0
CONCURRENT_TARGET_RATIO = 1.5


@dataclass(frozen=True)
class Rollout:
    """One rollout case: ``pulumi up`` of a hub with ``n`` spokes at ``latency_s`` seconds per write."""

    n: int
    """Spokes (2 peerings each)."""
    latency_s: float
    """Emulator seconds per write (L)."""
    unserialized: bool = True
    """Also run the same rollout with per-vnet serialisation off (``rollout_unserialized``)."""
    latency_profile: str | None = None
    """``azure[:SCALE]``: every kind of write takes its real Azure duration times SCALE (peerings 10 s, vnets 3 s)
    instead of a flat L; ``latency_s`` must then be the profile's peering write time (the bound's L)."""
    previews: int = 0
    """No-change previews of the deployed stack right after the rollout (``preview_after_rollout``, median): a
    preview at N without a separate deployment (the full profile's N=100 / N=500 scale check)."""
    floors: bool = True
    """Measure the engine floor's ``up`` of 2N trivial resources (and, serialised, the shape floor's) beside the
    rollout. Neither calls ARM, so neither depends on L: a case of an N measured earlier in the run reuses them
    instead of measuring them again (``floors_from``). False: the row has no floor figures (the full profile's
    N=500, whose two floors took 8 minutes of bench-full)."""

    @property
    def judged(self) -> bool:
        """Whether the serialised rollout of this case is held to the ratio target."""
        return self.n == TARGET_N and self.latency_s == TARGET_LATENCY_S and self.latency_profile is None


@dataclass(frozen=True)
class ConcurrentStacks:
    """``k`` spoke stacks (split ownership: each declares its own pair against one hub, published by a hub stack)
    run ``pulumi up`` at the same time, each in its own process, state in one S3 bucket (moto), ``latency_s`` per
    write. Bound: K*L, the hub's K writes one after the other."""

    k: int
    latency_s: float


@dataclass(frozen=True)
class Profile:
    name: str
    rollouts: tuple[Rollout, ...]
    """The rollout cases, in the order they run."""
    read_n: int
    """Spoke count of the preview and refresh cases."""
    read_repeats: int
    """Rounds of each preview/refresh: the command, then each of its floors, once per round; the medians are
    reported, with each round's ratios, whose spread says how far one run's medians may move (runs of the same code
    have differed by more than the targets' margin: docs/benchmarks.md, "Figures")."""
    throughput_seconds: float
    """Seconds per row of bench/emulator_throughput.py."""
    throughput_threads: int
    provider_workers: int | None = None
    """Experiment (``--provider-workers``): gRPC worker threads of the dynamic-provider process instead of
    ``pulumi.dynamic``'s fixed 4 (bench/provider_probe.py widens the pool). None: the SDK's own."""
    engine_parallel: int | None = None
    """Experiment (``--parallel``): the engine's ``--parallel`` (None: the CLI's default, 4 per CPU, 8 here)."""
    concurrent: tuple[ConcurrentStacks, ...] = ()
    """The concurrent-stacks cases (``concurrent_stacks``), after the rollouts."""
    discover_n: int = 0
    """Spokes of the ``discover`` cases' estate (0: none)."""
    plugin_read_n: int = 0
    """Spokes of the ``plugin_preview`` and ``plugin_refresh`` cases (0: none). The dynamic path's ``preview`` and
    ``refresh`` at this N are measured beside them: reused from the ``reads`` group when it ran at this N."""
    plugin_rollout: Rollout | None = None
    """The ``plugin_rollout`` case (serialised; ``unserialized`` and ``previews`` are not used). The dynamic path's
    ``rollout`` of this N and L is measured beside it: reused from the ``rollout`` group when it ran one."""
    latency_profile: str | None = None
    """Experiment (``--latency-profile azure[:SCALE]``): the rollouts' emulator gives each kind of write its real
    Azure duration times SCALE (peerings 10 s, vnets 3 s, gateways minutes) instead of a flat L; L is then the
    profile's peering write time. None: a flat L per write."""


PROFILES: dict[str, Profile] = {
    # A check of the benchmark machinery itself (tens of seconds); its figures mean nothing.
    "smoke": Profile(
        name="smoke",
        # the second reuses the first's floors (realistic-row path), the third has none (the full profile's N=500)
        rollouts=(
            Rollout(3, 0.2, previews=1),
            Rollout(3, 0.1, unserialized=False, latency_profile="azure:0.01"),
            Rollout(2, 0.2, unserialized=False, previews=1, floors=False),
        ),
        concurrent=(ConcurrentStacks(2, 0.2),),
        read_n=3,
        read_repeats=1,
        discover_n=3,
        plugin_read_n=3,
        plugin_rollout=Rollout(3, 0.2, unserialized=False),
        throughput_seconds=0.5,
        throughput_threads=2,
    ),
    "quick": Profile(
        name="quick",
        rollouts=(
            Rollout(10, 0.2),
            Rollout(50, 0.2),
            # closer to ARM (peering writes take 10 to 30 s there), where the fixed start-up no longer dominates
            Rollout(TARGET_N, TARGET_LATENCY_S, unserialized=False),
            # real Azure's proportions (peering writes 10 s, vnet writes 3 s, Retry-After 10 s), scaled to a tenth
            Rollout(TARGET_N, REALISTIC_PEERING_S, unserialized=False, latency_profile=REALISTIC_PROFILE),
        ),
        concurrent=(ConcurrentStacks(CONCURRENT_K, CONCURRENT_LATENCY_S),),
        read_n=50,
        read_repeats=5,
        discover_n=50,
        # the reads' N and the judged rollout: a run of every group measures the dynamic side once for both
        plugin_read_n=50,
        plugin_rollout=Rollout(TARGET_N, TARGET_LATENCY_S, unserialized=False),
        throughput_seconds=2.0,
        throughput_threads=4,
    ),
    "full": Profile(
        name="full",
        rollouts=(
            Rollout(100, 0.2, unserialized=False, previews=3),
            # what a user waits for on Azure (issue 29 item 3): real Azure's proportions at a tenth of real time
            # (REALISTIC_PROFILE says why that scale); its floors are the N=100 row's, measured just before
            Rollout(REALISTIC_FULL_N, REALISTIC_PEERING_S, unserialized=False, latency_profile=REALISTIC_PROFILE),
            # the reads group runs on this rollout's stacks right after it (read_n): no second deployment of 400
            # peerings, 400 trivial and 400 shaped resources
            Rollout(200, 0.2),
            # no unserialised twin at N=500: it would add about 4 minutes (its own engine floor too), and the
            # N=200 twin already shows what per-vnet serialisation buys. No floors either (bench-full's budget: they
            # took 482 s of its 2,034 at 1de94c0): the N=100 and N=200 rows' floors show the engine's own up at
            # scale in the same run; `python -m bench --only rollout --rollout-n 500 --serialized-only` measures
            # the N=500 ones (about 8 minutes more)
            Rollout(500, 0.2, unserialized=False, previews=3, floors=False),
        ),
        # at L=1.0 s, starting and stopping ten Pulumi processes on two cores outweighs the hub's ten writes; at
        # L=5.0 s (half a real peering write) the hub's writes weigh more
        concurrent=(ConcurrentStacks(CONCURRENT_K, CONCURRENT_LATENCY_S), ConcurrentStacks(CONCURRENT_K, 5.0)),
        read_n=200,
        read_repeats=5,
        discover_n=500,
        plugin_read_n=200,
        # no rollout of the full profile is at L=1.0: the plugin group measures the dynamic one itself (about 2
        # minutes with its floors)
        plugin_rollout=Rollout(TARGET_N, TARGET_LATENCY_S, unserialized=False),
        throughput_seconds=5.0,
        throughput_threads=4,
    ),
}


def override_rollouts(
    profile: Profile, ns: list[int] | None, latencies: list[float] | None, *, serialized_only: bool
) -> Profile:
    """The profile with its rollouts replaced from the command line: every N of ``ns`` at every L of
    ``latencies`` (each defaulting to the profile's own), serialised, and unserialised unless ``serialized_only``."""
    if not ns and not latencies and not serialized_only:
        return profile
    if not ns and not latencies:
        rollouts = tuple(replace(r, unserialized=False) for r in profile.rollouts)
    else:
        ns = ns or list(dict.fromkeys(r.n for r in profile.rollouts))
        latencies = latencies or list(dict.fromkeys(r.latency_s for r in profile.rollouts))
        rollouts = tuple(Rollout(n, latency, unserialized=not serialized_only) for latency in latencies for n in ns)
    return replace(profile, rollouts=rollouts)
