"""The benchmark cases: rollout against the theoretical bound, preview/refresh against the engine's floor, provider
cost, the emulator's own throughput, and the plugin path (a YAML program through ``pulumi-resource-azure-peering``)
beside the dynamic path, each over its own floor. Every case is measured in one run, side by side, on one emulator.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from bench import library_floor, program_imports, provider_probe
from bench.own_code import check_diff_cpu_per_op_ms
from bench.plugin_floor import PLUGIN as FLOOR_PLUGIN
from bench.plugin_floor import SHAPE_ENV as FLOOR_SHAPE_ENV
from bench.profiles import (
    CONCURRENT_TARGET_RATIO,
    TARGET_LATENCY_S,
    TARGET_N,
    TARGET_RATIO,
    ConcurrentStacks,
    Profile,
    Rollout,
)
from bench.programs import (
    FLOOR_COMPONENT,
    HUB_SPOKE,
    MODULES,
    PLUGIN_FLOOR_SHAPE,
    SHAPED,
    TRIVIAL,
    plugin_floor_files,
    plugin_program,
    shape_floor_modules,
)
from bench.runs import COMMAND_TIMEOUT_S, BenchProject, CommandResult, ProviderCost
from bench.topology import HubSpokeTopology
from bench.traffic import Traffic
from harness.pulumi import REPO
from harness.s3 import backend_env, create_backend, moto_server
from harness.topology import CONNECTIVITY_SUB
from pulumi_azure_peering.emulator.testing import EmulatorProcess

#: Environment variable the bench sets to "false" for the unserialised rollout. The provider must read it for the
#: case to mean anything; until it does, the case is reported as skipped (see provider_reads_env).
SERIALIZE_ENV = "AZURE_PEERING_SERIALIZE_WRITES"
#: What the first request to the dynamic-provider process imports when it unpickles the peering provider.
PROVIDER_MODULE = "pulumi_azure_peering.provider.resource"
THROUGHPUT_SCRIPT = REPO / "bench" / "emulator_throughput.py"
PLUGIN_FLOOR_SCRIPT = REPO / "bench" / "plugin_floor.py"
#: Case groups, for --only: the emulator's throughput, the rollouts, the concurrent stacks, preview + refresh,
#: discover, and the plugin path beside the dynamic one.
GROUPS = ("throughput", "rollout", "concurrent", "reads", "discover", "plugin")
#: The read cases of the ``reads`` group, in the order they run.
READ_COMMANDS = ("preview", "refresh", "up_no_change", "refresh_slow_reads")
#: The read cases the ``plugin`` group measures on both paths (issue 29: the no-change preview and the refresh).
PLUGIN_READ_COMMANDS = ("preview", "refresh")
#: CPU roles of a plugin-path command (bench/proctree.py): the YAML program's host, the engine, the plugin.
PLUGIN_ROLES = ("engine", "program", "plugin")
#: The split-ownership example's two programs: the network team's hub stack and a spoke team's stack.
SPLIT_HUB_PROGRAM = (REPO / "examples" / "split_ownership" / "hub" / "__main__.py").read_text()
SPLIT_SPOKE_PROGRAM = (REPO / "examples" / "split_ownership" / "spoke" / "__main__.py").read_text()

#: Issue 12: a preview at 5 times the spokes takes at most 6 times as long (scaled for other pairs of N).
PREVIEW_SCALE_TARGET = 6.0
#: The ``refresh_slow_reads`` case: every ARM read answered this many seconds late (emulator fault ``slow``), as
#: ARM's own reads take 0.05 to 0.3 s; the floor makes no ARM call, so the ratio shows what reads cost a refresh.
SLOW_READ_S = 0.1
#: The ``discover`` cases' estate: every this-many-th spoke's side of its pair is missing (a OneSided pair).
DISCOVER_ONE_SIDED_EVERY = 10

Log = Callable[[str], None]


@dataclass
class CaseResult:
    """One row of the table and one entry of latest.json (fields documented in docs/benchmarks.md)."""

    case: str
    n: int | None
    """Spokes (2 peerings each); threads for the emulator's own rows."""
    latency_s: float | None
    """Emulator seconds per write (L)."""
    wall_s: float | None
    """Wall time of the CLI command (median over repeats for preview/refresh)."""
    bound_s: float | None
    """Rollouts: N*L, the hub's writes one after the other. Preview/refresh: the same command on the engine floor."""
    ratio: float | None
    """wall_s / bound_s."""
    http_calls: int | None = None
    """Requests the emulator answered during the command: ARM and identity (token, discovery) calls."""
    conflicts_409: int | None = None
    throttled_429: int | None = None
    retries: int | None = None
    """Requests repeating one that got a retryable failure (bench/traffic.py)."""
    failed_ops: int | None = None
    """Operations the engine reported failed; when the command itself failed (a crashed program), at least the
    peerings it left without a Connected peering."""
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "case": self.case,
            "n": self.n,
            "latency_s": self.latency_s,
            "wall_s": _round(self.wall_s),
            "bound_s": _round(self.bound_s),
            "ratio": _round(self.ratio),
            "http_calls": self.http_calls,
            "conflicts_409": self.conflicts_409,
            "throttled_429": self.throttled_429,
            "retries": self.retries,
            "failed_ops": self.failed_ops,
        }
        out.update({k: _round(v) if isinstance(v, float) else v for k, v in self.extra.items()})
        return out


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def provider_reads_env(name: str) -> bool:
    """Whether the provider's source mentions an environment variable (i.e. can honour a knob the bench sets)."""
    return any(name in path.read_text() for path in (REPO / "provider").glob("*.py"))


def _traffic_fields(traffic: Traffic, *, since: float) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "arm_calls": traffic.arm_calls,
        "identity_calls": traffic.identity_calls,
        "arm_reads": traffic.arm_reads,
        "arm_writes": traffic.arm_writes,
        "lro_polls": traffic.lro_polls,
        "server_errors_5xx": traffic.server_errors_5xx,
        "not_provisioned_400": traffic.not_provisioned_400,
    }
    if traffic.first_arm_time is not None:
        fields["first_arm_after_s"] = traffic.first_arm_time - since
    if traffic.first_write_time is not None and traffic.last_arm_time is not None:
        fields["first_write_after_s"] = traffic.first_write_time - since
        fields["write_span_s"] = traffic.last_arm_time - traffic.first_write_time
    return fields


def _cpu_fields(
    result: CommandResult, floor: CommandResult | None, roles: Sequence[str] = ("engine", "program", "language_host")
) -> dict[str, Any]:
    """CPU seconds by process role, of the command and of the same command on its floor (the engine floor; for
    the plugin path, its own floor)."""
    out: dict[str, Any] = {f"{role}_cpu_s": result.cpu_by_role.get(role) for role in roles}
    out.update({f"floor_{role}_cpu_s": floor.cpu_by_role.get(role) if floor else None for role in roles})
    return out


def _provider_fields(cost: ProviderCost | None, operations: int) -> dict[str, Any]:
    if cost is None or cost.processes == 0:
        return {"provider_processes": 0}
    work = max(0.0, cost.cpu_s - cost.startup_cpu_s)
    return {
        "provider_processes": cost.processes,
        "provider_cpu_s": cost.cpu_s,
        "provider_startup_s": cost.startup_wall_s,
        "provider_cpu_per_op_ms": 1000.0 * work / operations if operations else None,
        "provider_max_rss_mb": cost.max_rss_kb / 1024.0,
        "provider_stats_complete": cost.complete,
    }


def _stored_sides(project: BenchProject) -> dict[str, dict[str, Any]]:
    """One stored peering of each side (``hub_to_spoke``, ``spoke_to_hub``) in ``project``'s deployed stack, as
    ``pulumi stack export`` shows it (the dynamic resource's or the package's: both types end alike)."""
    stored = project.project.resources("VirtualNetworkPeering")
    sides = {}
    for side in ("hub-to-spoke", "spoke-to-hub"):
        sides[side.replace("-", "_")] = next(r for r in stored if r["urn"].endswith(f".{side}"))
    return sides


def _shape_floor_files(project: BenchProject, libraries: Mapping[str, Sequence[str]] | None = None) -> dict[str, str]:
    """The shape floor's files, from one peering of each side in ``project``'s deployed stack; with ``libraries``
    (bench/library_floor.py), the library floor's."""
    return shape_floor_modules(_stored_sides(project), libraries)


def _versus_dynamic(wall: float, dynamic: CaseResult | None) -> dict[str, Any]:
    """A plugin-path row's figures of the dynamic path's same case in this run: its wall, its ratio, its shape
    floor and its wall over it, and the plugin path's wall over the dynamic path's."""
    if dynamic is None or dynamic.wall_s is None:
        return {"dynamic_wall_s": None, "plugin_over_dynamic_ratio": None}
    return {
        "dynamic_wall_s": dynamic.wall_s,
        "dynamic_ratio": dynamic.ratio,
        "dynamic_shape_floor_wall_s": dynamic.extra.get("shape_floor_wall_s"),
        "dynamic_over_shape_floor_ratio": dynamic.extra.get("over_shape_floor_ratio"),
        "dynamic_over_shape_floor_ratio_rounds": dynamic.extra.get("over_shape_floor_ratio_rounds"),
        "plugin_over_dynamic_ratio": wall / dynamic.wall_s if dynamic.wall_s else None,
    }


def _walls(runs: Sequence[CommandResult]) -> list[float]:
    """Each run's wall, in the order run (the ``..._walls_s`` fields)."""
    return [round(r.wall_s, 4) for r in runs]


def _round_ratios(peerings: Sequence[CommandResult], floor: Sequence[CommandResult]) -> list[float | None]:
    """The peerings' wall over the floor's, round by round (the ``..._ratio_rounds`` fields): a read case runs its
    command and then each floor's once per round, so what the machine did during a round weighs on both sides of
    that round's ratio; their spread is what one run can say about the median's. A case whose floors are another
    case's (``floors_from``) pairs its rounds with that case's, by index."""
    return [round(p.wall_s / f.wall_s, 4) if f.wall_s else None for p, f in zip(peerings, floor, strict=True)]


def _floor_fields(
    floor: str, runs: Sequence[CommandResult], peerings: Sequence[CommandResult], operations: int
) -> dict[str, Any]:
    """A read case's figures on one of its floors, keyed ``{floor}_floor_...`` (``shape``: trivial resources shaped
    like the peerings; ``library``: those that also import the mission's libraries, bench/library_floor.py): its
    wall (median of its runs ``runs``) and the peerings' (median of ``peerings``) over it, what this project's code
    adds to it, with both round by round; its CPU by role and its provider's CPU per operation."""
    last = runs[-1]
    wall = statistics.median(r.wall_s for r in runs)
    peerings_wall = statistics.median(r.wall_s for r in peerings)
    return {
        f"{floor}_floor_wall_s": wall,
        f"over_{floor}_floor_ratio": peerings_wall / wall if wall else None,
        f"{floor}_floor_walls_s": _walls(runs),
        f"over_{floor}_floor_ratio_rounds": _round_ratios(peerings, runs),
        f"{floor}_floor_ok": all(r.ok for r in runs),
        **{f"{floor}_floor_{role}_cpu_s": last.cpu_by_role.get(role) for role in ("engine", "program")},
        f"{floor}_floor_provider_cpu_per_op_ms": _provider_fields(last.provider, operations).get(
            "provider_cpu_per_op_ms"
        ),
    }


def _measurement(case: str, wall: float, extra: dict[str, Any]) -> CaseResult:
    """A row measured outside any Pulumi command (a start-up, an import): no N, no L, no bound."""
    return CaseResult(case, None, None, wall, None, None, extra=extra)


def _rollout_outcome(
    up: CommandResult, t: Traffic, peerings: int, connected: int, bound: float
) -> tuple[int, dict[str, Any]]:
    """A rollout's failed operations and the figures every rollout row carries (either path): a crashed program
    fails no engine operation but leaves peerings uncreated, and those count too."""
    failed = up.failed_ops if up.ok else max(up.failed_ops, peerings - connected)
    span = (
        (t.last_arm_time - t.first_write_time) / bound
        if t.first_write_time is not None and t.last_arm_time is not None
        else None
    )
    return failed, {
        "peerings": peerings,
        "connected": connected,
        "engine_failed_ops": up.failed_ops,
        "ok": up.ok,
        "span_ratio": span,
        **_traffic_fields(t, since=up.started_at),
    }


def _first_create_after(result: CommandResult | None) -> float | None:
    """Seconds from the command's launch to the engine's first ``Create`` reaching a dynamic-provider process: the
    CLI, the language host, the program up to its first registrations, the engine's first steps, the provider's
    start-up and its first ``Check`` (bench/provider_probe.py). On a floor, whose provider does nothing, what the
    engine and the SDK take to ask for a first resource."""
    if result is None or result.provider is None:
        return None
    return result.provider.first_call_after("Create", result.started_at)


def _first_create_of_all(runs: Sequence[CommandResult]) -> float | None:
    """Seconds from the first of ``runs``' launch (as the concurrent stacks' first write is timed) to the first
    ``Create`` that reached any of their providers."""
    calls = [run.provider.first_call_at for run in runs if run.provider is not None]
    firsts = [at for first in calls if (at := first.get("Create")) is not None]
    return min(firsts) - runs[0].started_at if firsts else None


def _provider_launched_after(result: CommandResult | None) -> float | None:
    """Seconds from the command's launch to the engine's launch of its (first) dynamic-provider process: the CLI, the
    language host and the program up to its first registration of a dynamic resource."""
    if result is None or result.provider is None or result.provider.launched_at is None:
        return None
    return result.provider.launched_at - result.started_at


def _first_create_fields(traffic_fields: Mapping[str, Any], first_create: float | None) -> dict[str, Any]:
    """``first_create_after_s`` and, from there, the first ARM write (``first_write_after_s`` of the traffic)."""
    first_write = traffic_fields.get("first_write_after_s")
    return {
        "first_create_after_s": first_create,
        "first_write_after_first_create_s": first_write - first_create
        if first_write is not None and first_create is not None
        else None,
    }


def _first_write_fields(
    traffic_fields: Mapping[str, Any], up: CommandResult, floors: Mapping[str, CommandResult | None]
) -> dict[str, Any]:
    """When the engine launched the command's provider and when its first ``Create`` reached it, and from there its
    first ARM write; and the same two times of the floors (``{"floor": engine floor, "shape_floor": ...}``, run on
    their own)."""
    out: dict[str, Any] = {
        "provider_launched_after_s": _provider_launched_after(up),
        **_first_create_fields(traffic_fields, _first_create_after(up)),
    }
    for name, run in floors.items():
        out[f"{name}_provider_launched_after_s"] = _provider_launched_after(run)
        out[f"{name}_first_create_after_s"] = _first_create_after(run)
    return out


def _rollout_shape_floor(up: CommandResult, shaped: CommandResult, bound: float) -> dict[str, Any]:
    """A rollout's figures against its shape floor (the dynamic path's ``SHAPED``, or the plugin path's floor)."""
    return {
        "shape_floor_ok": shaped.ok,
        "shape_floor_wall_s": shaped.wall_s,
        "shape_floor_over_bound": shaped.wall_s / bound if bound else None,
        "over_shape_floor_ratio": up.wall_s / shaped.wall_s if shaped.ok else None,
    }


def _traffic_row(
    case: str,
    n: int,
    latency: float,
    wall: float,
    bound: float | None,
    ratio: float | None,
    t: Traffic,
    failed: int,
    extra: dict[str, Any],
) -> CaseResult:
    """A row measured against a bound (``ratio``, the caller's wall over it), with the emulator's counts of what
    the command sent (``t``) and the operations that failed."""
    return CaseResult(
        case,
        n,
        latency,
        wall,
        bound,
        ratio,
        http_calls=t.http_calls,
        conflicts_409=t.conflicts_409,
        throttled_429=t.throttled_429,
        retries=t.retries,
        failed_ops=failed,
        extra=extra,
    )


@dataclass
class _Floors:
    """The engine floor's and the shape floor's ``up`` of one N in this run, with their deployed projects: neither
    calls ARM, so a later case of the same N (another L, the unserialised twin, the read cases) reuses them."""

    source: str
    """The case that measured them (``floors_from`` of the cases that reuse them)."""
    engine_project: BenchProject
    engine: CommandResult
    shaped_project: BenchProject | None = None
    shaped: CommandResult | None = None
    library: CommandResult | None = None
    """The library floor's ``up`` (the shape floor importing the mission's libraries where ours does)."""


@dataclass(frozen=True)
class _Deployed:
    """A serialised rollout's stacks as it left them (every peering Connected, both floors deployed), while the
    emulator still holds its state: the read cases of the same N run on them instead of deploying their own."""

    n: int
    source: str
    project: BenchProject
    floor: BenchProject
    shaped: BenchProject


class Suite:
    """Runs a profile's cases against one emulator process; results accumulate in :attr:`results`."""

    def __init__(self, profile: Profile, workdir: Path, log: Log = print, groups: Collection[str] = GROUPS) -> None:
        self.profile = profile
        self.groups = set(groups)
        self.workdir = workdir
        self.log = log
        self.results: list[CaseResult] = []
        self.startups: list[ProviderCost] = []
        self._emulator: EmulatorProcess | None = None
        self._projects = 0
        self._floors: dict[int, _Floors] = {}
        self._deployed: _Deployed | None = None
        self._reads_ran = False

    @property
    def emulator(self) -> EmulatorProcess:
        assert self._emulator is not None, "run() starts the emulator"
        return self._emulator

    def run(self) -> list[CaseResult]:
        if "throughput" in self.groups:
            self._guarded("emulator_throughput", None, self.emulator_throughput)
        with EmulatorProcess(self.workdir / "emulator", latency=0.0) as emu:
            self._emulator = emu
            for spec in self.profile.rollouts if "rollout" in self.groups else ():
                self._guarded("rollout", spec.n, partial(self.rollout, spec, serialized=True), spec.latency_s)
                self._reads_on_rollout()
                if spec.unserialized:
                    run = partial(self.rollout, spec, serialized=False)
                    self._guarded("rollout_unserialized", spec.n, run, spec.latency_s)
            for c in self.profile.concurrent if "concurrent" in self.groups else ():
                self._guarded("concurrent_stacks", c.k, partial(self.concurrent_stacks, c), c.latency_s)
            if "reads" in self.groups and not self._reads_ran:
                self._reads_ran = True
                self._guarded("preview/refresh", self.profile.read_n, partial(self.reads, self.profile.read_n))
            if "discover" in self.groups and self.profile.discover_n:
                self._guarded("discover", self.profile.discover_n, partial(self.discover, self.profile.discover_n))
            # after the rollouts and the reads, whose rows of the dynamic path it reuses when they match
            if "plugin" in self.groups and self.profile.plugin_read_n:
                n = self.profile.plugin_read_n
                self._guarded("plugin_reads", n, partial(self.plugin_reads, n))
            if "plugin" in self.groups and (plugin_spec := self.profile.plugin_rollout) is not None:
                run = partial(self.plugin_rollout, plugin_spec)
                self._guarded("plugin_rollout", plugin_spec.n, run, plugin_spec.latency_s)
        self._emulator = None
        self.preview_scale()
        self.provider_startup()
        if "reads" in self.groups:
            self._guarded("package_imports", None, self.package_imports)
        return self.results

    def _reads_on_rollout(self) -> None:
        """The read cases, right after the serialised rollout of their N, on its stacks (the emulator still holds
        its peerings): the same stacks a deployment at L=0 would make, without making them a second time."""
        deployed, self._deployed = self._deployed, None
        if deployed is None or "reads" not in self.groups or self._reads_ran or deployed.n != self.profile.read_n:
            return
        self._reads_ran = True
        self._guarded("preview/refresh", deployed.n, partial(self.reads, deployed.n, deployed=deployed))

    def preview_scale(self) -> None:
        """The preview after the largest rollout against the one after the smallest (both with previews): linear
        is the ratio of their N; the target allows 6x for 5x the spokes (N=500 against N=100)."""
        previews = sorted(
            (r for r in self.results if r.case == "preview_after_rollout" and r.wall_s is not None),
            key=lambda r: r.n or 0,
        )
        if len(previews) < 2 or previews[0].n == previews[-1].n:
            return
        small, large = previews[0], previews[-1]
        assert small.n and large.n and small.wall_s and large.wall_s
        linear = large.n / small.n
        allowed = linear * PREVIEW_SCALE_TARGET / 5.0
        self._add(
            CaseResult(
                "preview_scale",
                large.n,
                0.0,
                large.wall_s,
                small.wall_s,
                large.wall_s / small.wall_s,
                extra={
                    "small_n": small.n,
                    "linear_ratio": linear,
                    "target": f"ratio <= {allowed:g} (preview at N={large.n} against N={small.n}; linear {linear:g})",
                    "target_met": large.wall_s / small.wall_s <= allowed,
                },
            )
        )

    def _guarded(self, case: str, n: int | None, run: Callable[[], None], latency: float | None = None) -> None:
        """Run one case; a case that cannot complete is recorded with its error and the others still run."""
        try:
            run()
        except Exception as exc:  # a benchmark reports failures, it does not stop at the first
            self.log(f"{case} n={n}: FAILED: {exc}")
            extra = {"ok": False, "errors": str(exc).splitlines()[:6]}
            self.results.append(CaseResult(case, n, latency, None, None, None, extra=extra))

    # -- helpers ---------------------------------------------------------------------------------------------------

    def _add(self, result: CaseResult) -> None:
        self.results.append(result)
        ratio = f"{result.ratio:.3f}" if result.ratio is not None else "-"
        wall = f"{result.wall_s:.1f}s" if result.wall_s is not None else "-"
        self.log(f"  {result.case} n={result.n} L={result.latency_s}: wall {wall}, ratio {ratio}")

    def _fresh(
        self,
        topology: HubSpokeTopology,
        latency: float,
        latency_profile: str | None = None,
        *,
        seed: Mapping[str, Any] | None = None,
    ) -> None:
        """The emulator emptied, timed, and seeded with ``seed`` (default: the topology's vnets, no peering)."""
        emu = self.emulator
        emu.reset()
        if latency_profile:
            emu.set_latency_profile(latency_profile)
        else:
            emu.set_latency(latency)
        emu.seed(seed if seed is not None else topology.seed())

    def _project(
        self,
        name: str,
        program: str,
        topology: HubSpokeTopology,
        modules: Mapping[str, str] | None = None,
        *,
        runtime: str = "python",
        plugins: Mapping[str, Path] | None = None,
    ) -> BenchProject:
        self._projects += 1
        project = BenchProject(
            self.workdir / f"{self._projects:02d}-{name}",
            program,
            topology.program_input(),
            self.emulator.env(),
            exclude_pids=[pid] if (pid := self.emulator.pid) else [],
            modules=MODULES.get(program) if modules is None else modules,
            runtime=runtime,
            plugins=plugins,
        )
        return self._with_experiments(project)

    def _with_experiments(self, project: BenchProject) -> BenchProject:
        """``project`` with the profile's experiments (off by default: ``--provider-workers``, ``--parallel``), as
        every project the bench runs gets them, the concurrent stacks' and their floors' included."""
        if self.profile.provider_workers:
            project.set_env(provider_probe.WORKERS_ENV, str(self.profile.provider_workers))
        project.parallel = self.profile.engine_parallel
        return project

    @contextmanager
    def _logged(self, project: BenchProject, name: str) -> Iterator[list[Traffic]]:
        """Collects the Traffic of the requests made inside the block; the entries go to the project's folder
        (kept with ``--keep``)."""
        out: list[Traffic] = []
        since = self.emulator.last_request_seq()
        yield out
        entries = self.emulator.request_log(since=since)
        (project.workdir / f"requests-{name}.json").write_text(json.dumps(entries, indent=1))
        out.append(Traffic.from_log(entries))

    def _connected(self) -> int:
        peerings = self.emulator.state().get("virtualNetworkPeerings") or []
        return sum(1 for p in peerings if (p.get("properties") or {}).get("peeringState") == "Connected")

    def _topology(self, n: int) -> HubSpokeTopology:
        return HubSpokeTopology.generate(n, self.emulator.connection.primary.tenant_id)

    # -- 1. rollout ------------------------------------------------------------------------------------------------

    def rollout(self, spec: Rollout, *, serialized: bool) -> None:
        """``pulumi up`` of a hub with N spokes (gateway transit) from nothing, at L seconds per write."""
        n, latency = spec.n, spec.latency_s
        case = "rollout" if serialized else "rollout_unserialized"
        bound = n * latency
        if not serialized and not provider_reads_env(SERIALIZE_ENV):
            reason = f"the provider does not read {SERIALIZE_ENV} yet (no knob to switch per-vnet serialisation off)"
            self.log(f"{case} n={n}: skipped: {reason}")
            self.results.append(CaseResult(case, n, latency, None, bound, None, extra={"skipped": reason}))
            return
        self.log(f"{case} n={n}: hub + {n} spokes, {2 * n} peerings, L={latency}s, bound N*L={bound:.1f}s")
        topology = self._topology(n)

        latency_profile = spec.latency_profile or self.profile.latency_profile
        source = f"rollout n={n} L={latency:g}" + (f" ({latency_profile})" if latency_profile else "")
        floors = self._engine_floor(spec, topology, latency, latency_profile, source) if spec.floors else None
        floor = floors.engine if floors is not None else None

        self._fresh(topology, latency, latency_profile)
        project = self._project(f"{case}-{n}-L{latency:g}", HUB_SPOKE, topology)
        project.set_env(SERIALIZE_ENV, None if serialized else "false")
        with self._logged(project, "up") as traffic:
            up = project.run("up", preload=PROVIDER_MODULE)
        connected = self._connected()
        self._remember_startup(up)
        # the same stack's shape with a provider that does nothing: the engine's and the SDK's own cost for it
        shaped = library = None
        if floors is not None and serialized and up.ok:
            if floors.shaped is None or not floors.shaped.ok:
                name = f"shape-floor-up-{n}-L{latency:g}"
                floors.shaped_project = self._project(name, SHAPED, topology, _shape_floor_files(project))
                floors.shaped = floors.shaped_project.run("up")
            shaped = floors.shaped
            if floors.library is None or not floors.library.ok:
                name = f"library-floor-up-{n}-L{latency:g}"
                files = _shape_floor_files(project, library_floor.PHASES)
                floors.library = self._project(name, SHAPED, topology, files).run(
                    "up", preload=library_floor.PROVIDER_MODULE
                )
            library = floors.library
        t = traffic[0]
        failed, outcome = _rollout_outcome(up, t, topology.peerings, connected, bound)
        extra: dict[str, Any] = {
            **outcome,
            "serialized_writes": serialized,
            **_cpu_fields(up, floor),
            **_provider_fields(up.provider, topology.peerings),
        }
        if floors is not None and floor is not None:
            extra.update(
                {
                    "floor_ok": floor.ok,
                    "floor_wall_s": floor.wall_s,
                    "excess_over_floor_ratio": (up.wall_s - floor.wall_s) / bound if floor.ok else None,
                    "floor_provider_cpu_per_op_ms": _provider_fields(floor.provider, topology.peerings).get(
                        "provider_cpu_per_op_ms"
                    ),
                    # None: measured by this case
                    "floors_from": floors.source if floors.source != source else None,
                }
            )
        else:
            extra["floors"] = "none: floors=False in the profile"
        extra.update(
            _first_write_fields(outcome, up, {"floor": floor, "shape_floor": shaped, "library_floor": library})
        )
        if library is not None:
            extra.update({"library_floor_ok": library.ok, "library_floor_wall_s": library.wall_s})
        if shaped is not None and floor is not None:
            extra.update(
                {
                    **_rollout_shape_floor(up, shaped, bound),
                    "floor_over_bound": floor.wall_s / bound if bound else None,
                    "shape_floor_engine_cpu_s": shaped.cpu_by_role.get("engine"),
                    "shape_floor_program_cpu_s": shaped.cpu_by_role.get("program"),
                }
            )
        if latency_profile:
            extra["latency_profile"] = latency_profile
        if up.errors:
            extra["errors"] = up.errors[:5]
        if floor is not None and floor.errors:
            extra["floor_errors"] = floor.errors[:5]
        if spec.judged and serialized:
            extra["target"] = f"ratio <= {TARGET_RATIO} and failed_ops == 0"
            extra["target_met"] = up.wall_s / bound <= TARGET_RATIO and failed == 0
        elif n == TARGET_N and serialized:
            extra["target"] = f"not judged: the ratio target is judged at N={TARGET_N}, L={TARGET_LATENCY_S:g}s"
        self._add(_traffic_row(case, n, latency, up.wall_s, bound, up.wall_s / bound, t, failed, extra))
        if serialized and spec.previews and up.ok:
            self._previews_after_rollout(project, spec)
        if (
            serialized
            and up.ok
            and connected == topology.peerings
            and floors is not None
            and floors.engine.ok
            and floors.shaped is not None
            and floors.shaped.ok
            and floors.shaped_project is not None
        ):
            self._deployed = _Deployed(n, source, project, floors.engine_project, floors.shaped_project)

    def _engine_floor(
        self, spec: Rollout, topology: HubSpokeTopology, latency: float, latency_profile: str | None, source: str
    ) -> _Floors:
        """The engine floor's ``up`` of this N: measured by an earlier case of the same N in this run (it makes no
        ARM call, so L does not matter), else here."""
        floors = self._floors.get(spec.n)
        if floors is not None and floors.engine.ok:
            return floors
        self._fresh(topology, latency, latency_profile)
        project = self._project(f"floor-up-{spec.n}-L{latency:g}", TRIVIAL, topology)
        floors = self._floors[spec.n] = _Floors(source, project, project.run("up"))
        return floors

    def _previews_after_rollout(self, project: BenchProject, spec: Rollout) -> None:
        """No-change previews of the stack the rollout just deployed (median): the preview's cost at this N."""
        runs: list[CommandResult] = []
        traffics: list[Traffic] = []
        for _ in range(spec.previews):
            with self._logged(project, "preview") as traffic:
                runs.append(project.run("preview", preload=PROVIDER_MODULE))
            traffics.append(traffic[0])
        t = traffics[-1]
        extra: dict[str, Any] = {
            "ok": all(r.ok for r in runs),
            "repeats": len(runs),
            "walls_s": [round(r.wall_s, 3) for r in runs],
            "arm_reads": t.arm_reads,
            "arm_writes": t.arm_writes,
            **_cpu_fields(runs[-1], runs[-1]),
        }
        errors = [e for r in runs for e in r.errors]
        if errors:
            extra["errors"] = errors[:5]
        wall = statistics.median(r.wall_s for r in runs)
        self._add(
            CaseResult(
                "preview_after_rollout",
                spec.n,
                0.0,
                wall,
                None,
                None,
                http_calls=t.http_calls,
                failed_ops=sum(0 if r.ok else 1 for r in runs),
                extra=extra,
            )
        )

    # -- 1b. concurrent stacks -------------------------------------------------------------------------------------

    def concurrent_stacks(self, spec: ConcurrentStacks) -> None:
        """K spoke stacks (examples/split_ownership/spoke) run ``pulumi up`` at once, each in its own process (its
        own CLI, program and dynamic provider: no lock of one process helps another), against one hub published
        by a hub stack (examples/split_ownership/hub), every stack's state in one S3 bucket (moto's server, as the
        example's engine test). Writes to the hub contend across processes: ARM's 409 and the provider's waiting
        decide. Bound: K*L (the hub's K writes one after the other)."""
        k, latency = spec.k, spec.latency_s
        bound = k * latency
        self.log(f"concurrent_stacks k={k}: {k} spoke stacks at once against one hub, L={latency}s, bound K*L")
        # spoke 0 is the hub stack's shared-services spoke; spokes 1..K one spoke stack each
        topology = self._topology(k + 1)
        self._fresh(topology, 0.0)
        with moto_server() as endpoint:
            # moto keeps its buckets per process, not per server: a bucket of its own for each case
            backend = create_backend(endpoint, f"pulumi-state-{k}-{latency:g}".replace(".", "-"))
            hub = self._split_project("concurrent-hub", SPLIT_HUB_PROGRAM, "hub-network", "prod", backend)
            shared_services = topology.spokes[0].vnet_id
            hub.project.write_config(
                {"hub-network:hubVnetId": topology.hub_id, "hub-network:sharedServicesVnetId": shared_services}
            )
            self._check(hub.run("up"), "hub stack up")
            teams = []
            for s in topology.spokes[1:]:
                team = self._split_project(f"concurrent-{s.key}", SPLIT_SPOKE_PROGRAM, "spoke-team", s.key, backend)
                team.project.write_config(
                    {
                        "spoke-team:hubStack": "organization/hub-network/prod",
                        "spoke-team:spokeName": s.key,
                        "spoke-team:spokeVnetId": s.vnet_id,
                        "spoke-team:useHubGateway": True,
                    }
                )
                teams.append(team)
            self.emulator.set_latency(latency)
            with self._logged(teams[0], "up-all") as traffic:
                t0 = time.perf_counter()
                with ThreadPoolExecutor(max_workers=k) as pool:
                    ups = list(pool.map(lambda team: team.run("up", preload=PROVIDER_MODULE, sample_cpu=False), teams))
                wall = time.perf_counter() - t0
            # the floors make no ARM call: after the traffic's window, before the backend goes
            floors: dict[str, Any] = {}
            if all(u.ok for u in ups):
                for kind in ("shape", "library"):
                    floors.update(self._concurrent_floor(teams, topology, backend, kind))
        connected = self._connected() - 2  # less the hub stack's own pair
        t = traffic[0]
        peerings = 2 * k
        # a stack that ends without its pair Connected failed, whatever the engine said
        failed = max(sum(u.failed_ops if u.ok else max(1, u.failed_ops) for u in ups), peerings - connected)
        costs = [u.provider for u in ups if u.provider is not None and u.provider.processes]
        work = sum(max(0.0, c.cpu_s - c.startup_cpu_s) for c in costs)
        traffic_fields = _traffic_fields(t, since=ups[0].started_at if ups else time.time())
        extra: dict[str, Any] = {
            "stacks": k,
            "peerings": peerings,
            "connected": connected,
            "ok": all(u.ok for u in ups),
            "stack_walls_s": sorted(round(u.wall_s, 2) for u in ups),
            # the hub's writes and the spoke sides after them, without the processes' start-up and shutdown
            "span_ratio": (t.last_arm_time - t.first_write_time) / bound
            if t.first_write_time is not None and t.last_arm_time is not None
            else None,
            "provider_processes": sum(c.processes for c in costs),
            "provider_cpu_s": sum(c.cpu_s for c in costs),
            "provider_cpu_per_op_ms": 1000.0 * work / peerings if costs else None,
            **traffic_fields,
            **_first_create_fields(traffic_fields, _first_create_of_all(ups)),
            **floors,
            "target": f"wall / (K*L) <= {CONCURRENT_TARGET_RATIO} and failed_ops == 0",
            "target_met": wall / bound <= CONCURRENT_TARGET_RATIO and failed == 0,
        }
        errors = [e for u in ups for e in u.errors]
        if errors:
            extra["errors"] = errors[:5]
        self._add(_traffic_row("concurrent_stacks", k, latency, wall, bound, wall / bound, t, failed, extra))

    def _split_project(
        self,
        name: str,
        program: str,
        project: str,
        stack: str,
        backend: str,
        *,
        topology_input: Mapping[str, Any] | None = None,
        modules: Mapping[str, str] | None = None,
    ) -> BenchProject:
        self._projects += 1
        split = BenchProject(
            self.workdir / f"{self._projects:02d}-{name}",
            program,
            topology_input or {},
            {**self.emulator.env(), **backend_env(backend)},
            exclude_pids=[pid] if (pid := self.emulator.pid) else [],
            modules=modules,
            project=project,
            stack=stack,
        )
        return self._with_experiments(split)

    def _concurrent_floor(
        self, teams: Sequence[BenchProject], topology: HubSpokeTopology, backend: str, floor: str
    ) -> dict[str, Any]:
        """The concurrent stacks' launch with a provider that does nothing: as many ``floor`` stacks (``shape``: the
        shape floor, ``bench.programs.SHAPED``, one spoke's pair each, shaped like the first team's deployed
        peerings; ``library``: the library floor, which also imports the mission's libraries where ours does),
        launched at once on the same backend. What that many CLIs, language hosts, programs and dynamic-provider
        processes starting together on this machine take to ask for their first resource, and to finish: the
        engine's and the SDK's part of the first write's wait (and the libraries'). The spoke teams' programs also
        read the hub stack's outputs (a ``StackReference``), which the floors' do not: the floors are, if anything,
        low. Keyed ``{floor}_floor_...``."""
        files = _shape_floor_files(teams[0], library_floor.PHASES if floor == "library" else None)
        preload = library_floor.PROVIDER_MODULE if floor == "library" else ""
        floors = [
            self._split_project(
                f"concurrent-{floor}-floor-{s.key}",
                SHAPED,
                f"spoke-{floor}-floor",
                s.key,
                backend,
                topology_input={"hub": topology.hub_id, "spokes": {s.key: s.vnet_id}},
                modules=files,
            )
            for s in topology.spokes[1 : len(teams) + 1]
        ]
        t0 = time.perf_counter()
        with ThreadPoolExecutor(max_workers=len(floors)) as pool:
            ups = list(pool.map(lambda project: project.run("up", preload=preload, sample_cpu=False), floors))
        wall = time.perf_counter() - t0
        return {
            f"{floor}_floor_ok": all(u.ok for u in ups),
            f"{floor}_floor_wall_s": wall,
            f"{floor}_floor_stack_walls_s": sorted(round(u.wall_s, 2) for u in ups),
            f"{floor}_floor_first_create_after_s": _first_create_of_all(ups),
            f"{floor}_floor_errors": [e for u in ups for e in u.errors][:5],
        }

    # -- 2. preview and refresh ------------------------------------------------------------------------------------

    def discover(self, n: int) -> None:
        """``azure-peering discover`` of an estate of a hub and N spokes already peered, every tenth spoke's side
        missing, as a team runs it before adopting it: every subscription of the estate, ``--json``. Once with ARM's
        reads answered at once, once with each answered SLOW_READ_S late (ARM's own reads take 0.05 to 0.3 s; the
        emulator's ``azure`` latency profile times writes, and discover only reads): wall time, and ARM calls per
        vnet: the subscriptions' listing pages and a read of the hub's gateway, no read per vnet."""
        topology = self._topology(n)
        self._fresh(topology, 0.0, seed=topology.seed(peered=True, one_sided_every=DISCOVER_ONE_SIDED_EVERY))
        subscriptions = sorted({CONNECTIVITY_SUB, *(spoke.subscription for spoke in topology.spokes)})
        argv = [sys.executable, "-m", "pulumi_azure_peering.cli", "discover", "--json"]
        argv += [arg for sub in subscriptions for arg in ("--subscription", sub)]
        env = {**os.environ, **self.emulator.env()}
        for case, read_latency in (("discover", 0.0), ("discover_slow_reads", SLOW_READ_S)):
            self.log(f"{case} n={n}: {topology.distinct_vnets} vnets in {len(subscriptions)} subscriptions")
            if read_latency:
                self.emulator.set_faults(f"slow=1.0:{read_latency};match=GET:/subscriptions/")
            since = self.emulator.last_request_seq()
            try:
                started = time.perf_counter()
                run = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=COMMAND_TIMEOUT_S)
                wall = time.perf_counter() - started
            finally:
                self.emulator.set_faults("")
            entries = self.emulator.request_log(since=since)
            traffic = Traffic.from_log(entries)
            arm_gets = [e["path"].lower() for e in entries if e["method"] == "GET" and e["path"].startswith("/sub")]
            listings = sum(1 for path in arm_gets if path.endswith("/providers/microsoft.network/virtualnetworks"))
            gateway_reads = sum(1 for path in arm_gets if "/virtualnetworkgateways/" in path)
            # exit 1: a finding is an error (the one-sided pairs are); 2 would be: nothing could be read
            if run.returncode not in (0, 1):
                raise RuntimeError(f"discover exited {run.returncode}: {run.stderr.strip()[-500:]}")
            found = json.loads(run.stdout)["summary"]
            expected_one_sided = n // DISCOVER_ONE_SIDED_EVERY
            extra: dict[str, Any] = {
                "ok": found["byStatus"].get("OneSided") == expected_one_sided and found["pairs"] == n,
                "vnets": topology.distinct_vnets,
                "subscriptions": len(subscriptions),
                "pairs_by_status": {k: v for k, v in found["byStatus"].items() if v},
                "read_latency_s": read_latency,
                "arm_calls": traffic.arm_calls,
                "arm_reads": traffic.arm_reads,
                "arm_writes": traffic.arm_writes,
                "identity_calls": traffic.identity_calls,
                "arm_calls_per_vnet": traffic.arm_calls / topology.distinct_vnets,
                "listing_pages": listings,
                "gateway_reads": gateway_reads,
                "other_reads": len(arm_gets) - listings - gateway_reads,
                "target": "no writes, no read per vnet: the subscriptions' listing pages and the hub's gateway only",
                "target_met": traffic.arm_writes == 0
                and len(arm_gets) == traffic.arm_calls == listings + gateway_reads,
            }
            self._add(CaseResult(case, n, None, wall, None, None, http_calls=traffic.http_calls, extra=extra))

    def reads(self, n: int, commands: Sequence[str] = READ_COMMANDS, deployed: _Deployed | None = None) -> None:
        """No-change ``pulumi preview``, ``pulumi refresh`` and ``pulumi up`` of a deployed hub with N spokes, each
        against the same command on a stack of as many trivial dynamic resources (the engine's floor), on one of
        as many trivial resources shaped like the peerings (the shape floor: ``bench.programs.SHAPED``) and on one
        of those that also import the mission's libraries (the library floor: bench/library_floor.py). The
        no-change ``up`` is what a CI pipeline runs most; it is where inputs that check differently from the stored
        ones cost the most (the engine writes the whole checkpoint once per such resource). ``commands``: which of
        :data:`READ_COMMANDS` (the plugin group asks for :data:`PLUGIN_READ_COMMANDS` only). ``deployed``: a
        serialised rollout's stacks of this N, just deployed (the emulator holds their peerings), instead of
        deploying them here at L=0; the library floor's stack is deployed here in either case (it makes no ARM
        call)."""
        topology = self._topology(n)
        if deployed is not None:
            self.log(f"preview/refresh n={n}: on the stacks of {deployed.source} (its peerings and both floors)")
            self.emulator.set_latency(0.0)  # reads take no time in the emulator at any L; this also ends a profile
            project, floor, shaped = deployed.project, deployed.floor, deployed.shaped
        else:
            self.log(f"preview/refresh n={n}: deploying {topology.peerings} peerings (L=0) and the engine floor")
            self._fresh(topology, 0.0)
            project = self._project(f"reads-{n}", HUB_SPOKE, topology)
            self._check(project.run("up", preload=PROVIDER_MODULE), "setup up")
            floor = self._project(f"floor-reads-{n}", TRIVIAL, topology)
            self._check(floor.run("up"), "engine floor up")
            shaped = self._project(f"shape-floor-reads-{n}", SHAPED, topology, _shape_floor_files(project))
            self._check(shaped.run("up"), "shape floor up")

        # the shape floor importing the mission's libraries where our code needs them (bench/library_floor.py)
        library = self._project(
            f"library-floor-reads-{n}", SHAPED, topology, _shape_floor_files(project, library_floor.PHASES)
        )
        self._check(library.run("up", preload=library_floor.PROVIDER_MODULE), "library floor up")
        # this project's own part of the provider's per-peering CPU, on the peerings just deployed (bench/own_code.py)
        own_code = check_diff_cpu_per_op_ms(project.project.resources("VirtualNetworkPeering"))
        measured_floors: dict[str, tuple[list[CommandResult], list[CommandResult], list[CommandResult]]] = {}
        for command in commands:
            runs: list[CommandResult] = []
            floors: list[CommandResult] = []
            shape_floors: list[CommandResult] = []
            library_floors: list[CommandResult] = []
            traffics: list[Traffic] = []
            cli_command = "refresh" if command == "refresh_slow_reads" else command
            # the floors make no ARM call: late reads change nothing for them, so the refresh's runs serve both
            floors_from = cli_command if cli_command != command and cli_command in measured_floors else None
            for _ in range(self.profile.read_repeats):
                if command == "refresh_slow_reads":
                    self.emulator.set_faults(f"slow=1.0:{SLOW_READ_S};match=GET:/subscriptions/")
                try:
                    with self._logged(project, command) as traffic:
                        runs.append(project.run(cli_command, preload=PROVIDER_MODULE))
                finally:
                    self.emulator.set_faults("")
                traffics.append(traffic[0])
                if floors_from is None:
                    floors.append(floor.run(cli_command))
                    shape_floors.append(shaped.run(cli_command))
                    library_floors.append(library.run(cli_command, preload=library_floor.PROVIDER_MODULE))
            if floors_from is not None:
                floors, shape_floors, library_floors = measured_floors[floors_from]
            else:
                measured_floors[command] = (floors, shape_floors, library_floors)
            for r in runs:
                self._remember_startup(r)
            wall = statistics.median(r.wall_s for r in runs)
            floor_wall = statistics.median(r.wall_s for r in floors)
            shape_wall = statistics.median(r.wall_s for r in shape_floors)
            t = traffics[-1]
            extra: dict[str, Any] = {
                "peerings": topology.peerings,
                "distinct_vnets": topology.distinct_vnets,
                "ok": all(r.ok for r in runs),
                "repeats": len(runs),
                "bound_is": "engine floor: the same command on as many trivial dynamic resources",
                "deployed_by": deployed.source if deployed is not None else None,
                "floors_from": floors_from,
                "arm_calls_per_peering": t.arm_calls / topology.peerings,
                "arm_reads_per_vnet": t.arm_reads / topology.distinct_vnets,
                **_traffic_fields(t, since=runs[-1].started_at),
                **_cpu_fields(runs[-1], floors[-1]),
                **_provider_fields(runs[-1].provider, topology.peerings),
                "floor_provider_cpu_per_op_ms": _provider_fields(floors[-1].provider, topology.peerings).get(
                    "provider_cpu_per_op_ms"
                ),
                "walls_s": _walls(runs),
                "floor_walls_s": _walls(floors),
                "ratio_rounds": _round_ratios(runs, floors),
                **_floor_fields("shape", shape_floors, runs, topology.peerings),
                # what a resource of this shape costs over the engine floor with a provider that does nothing
                "shape_floor_ratio": shape_wall / floor_wall if floor_wall else None,
                **_floor_fields("library", library_floors, runs, topology.peerings),
            }
            if command == "refresh_slow_reads":
                extra["read_latency_s"] = SLOW_READ_S
            if command in ("preview", "up_no_change"):
                extra.update(own_code)
            if command == "preview":
                extra["target"] = "arm_reads_per_vnet <= 1 (the preflight: at most one GET per distinct vnet)"
                extra["target_met"] = t.arm_reads <= topology.distinct_vnets and t.arm_writes == 0
            elif command == "up_no_change":
                extra["target"] = "no ARM write"
                extra["target_met"] = t.arm_writes == 0 and all(r.ok for r in runs)
            else:
                extra["target"] = "arm_calls_per_peering <= 1"
                extra["target_met"] = t.arm_calls <= topology.peerings
            errors = [e for r in runs for e in r.errors]
            if errors:
                extra["errors"] = errors[:5]
            latency = SLOW_READ_S if command == "refresh_slow_reads" else 0.0
            ratio = wall / floor_wall if floor_wall else None
            failed = sum(r.failed_ops for r in runs) + sum(0 if r.ok else 1 for r in runs)
            self._add(_traffic_row(command, n, latency, wall, floor_wall, ratio, t, failed, extra))

    def _check(self, result: CommandResult, what: str) -> None:
        if not result.ok:
            detail = "\n".join(result.errors[-5:])
            raise RuntimeError(f"{what}: pulumi {result.command} exited {result.returncode}:\n{detail}")

    # -- 2b. the plugin path ---------------------------------------------------------------------------------------

    def _measured(self, case: str, n: int, latency: float, latency_profile: str | None = None) -> CaseResult | None:
        """This run's row of a dynamic-path case at this N and L (and latency profile) that was measured, if any."""
        for r in self.results:
            if (
                r.case == case
                and r.n == n
                and r.latency_s == latency
                and r.extra.get("latency_profile") == latency_profile
                and r.wall_s is not None
            ):
                return r
        return None

    def _plugin_project(
        self, name: str, topology: HubSpokeTopology, floor_of: BenchProject | None = None
    ) -> BenchProject:
        """A YAML program of ``topology`` as the package's HubSpokePeering, served by ``pulumi-resource-azure-peering``
        from the venv; with ``floor_of`` (a deployed plugin-path project), the plugin path's floor instead: the same
        program as ``bench-floor:index:Floor``, its Things shaped like ``floor_of``'s stored peerings."""
        if floor_of is None:
            return self._project(name, plugin_program(topology.program_input()), topology, {}, runtime="yaml")
        project = self._project(
            name,
            plugin_program(topology.program_input(), FLOOR_COMPONENT),
            topology,
            plugin_floor_files(_stored_sides(floor_of)),
            runtime="yaml",
            plugins={FLOOR_PLUGIN: PLUGIN_FLOOR_SCRIPT},
        )
        project.set_env(FLOOR_SHAPE_ENV, str(project.project.workdir / PLUGIN_FLOOR_SHAPE))
        return project

    def plugin_reads(self, n: int) -> None:
        """The no-change preview and the refresh of a hub with N spokes declared from Pulumi YAML through the
        package (``plugin_preview``, ``plugin_refresh``), each against the same command on the plugin path's
        floor (``bound_s``: a trivial plugin's resources shaped like the peerings, bench/plugin_floor.py), beside
        the dynamic path's ``preview`` and ``refresh`` of this run at this N (measured here unless the ``reads``
        group already did). Both paths make the same ARM calls; what each costs over its own floor is its own."""
        dynamic = {c: self._measured(c, n, 0.0) for c in PLUGIN_READ_COMMANDS}
        if any(r is None for r in dynamic.values()):
            self._guarded("preview/refresh", n, partial(self.reads, n, PLUGIN_READ_COMMANDS))
            dynamic = {c: self._measured(c, n, 0.0) for c in PLUGIN_READ_COMMANDS}
        topology = self._topology(n)
        self.log(f"plugin preview/refresh n={n}: deploying {topology.peerings} peerings from YAML (L=0) and its floor")
        # a fresh emulator: the dynamic path's peerings, named alike, would be adopted rather than created
        self._fresh(topology, 0.0)
        project = self._plugin_project(f"plugin-reads-{n}", topology)
        self._check(project.run("up"), "plugin path up")
        floor = self._plugin_project(f"plugin-floor-reads-{n}", topology, floor_of=project)
        self._check(floor.run("up"), "plugin floor up")

        for command in PLUGIN_READ_COMMANDS:
            runs: list[CommandResult] = []
            floors: list[CommandResult] = []
            traffics: list[Traffic] = []
            for _ in range(self.profile.read_repeats):
                with self._logged(project, command) as traffic:
                    runs.append(project.run(command))
                traffics.append(traffic[0])
                floors.append(floor.run(command))
            wall = statistics.median(r.wall_s for r in runs)
            floor_wall = statistics.median(r.wall_s for r in floors)
            over_floor = wall / floor_wall if floor_wall else None
            versus = _versus_dynamic(wall, dynamic[command])
            t = traffics[-1]
            extra: dict[str, Any] = {
                "peerings": topology.peerings,
                "distinct_vnets": topology.distinct_vnets,
                "ok": all(r.ok for r in runs),
                "repeats": len(runs),
                "bound_is": "the plugin path's floor: the same command on a trivial plugin's resources shaped like "
                "the peerings",
                "arm_calls_per_peering": t.arm_calls / topology.peerings,
                "arm_reads_per_vnet": t.arm_reads / topology.distinct_vnets,
                **_traffic_fields(t, since=runs[-1].started_at),
                **_cpu_fields(runs[-1], floors[-1], PLUGIN_ROLES),
                "shape_floor_wall_s": floor_wall,
                "over_shape_floor_ratio": over_floor,
                "walls_s": _walls(runs),
                "shape_floor_walls_s": _walls(floors),
                "over_shape_floor_ratio_rounds": _round_ratios(runs, floors),
                "shape_floor_ok": all(r.ok for r in floors),
                **versus,
            }
            dynamic_over = versus.get("dynamic_over_shape_floor_ratio")
            extra["target"] = "over_shape_floor_ratio <= the dynamic path's (each path over its own floor)"
            extra["target_met"] = (
                over_floor <= dynamic_over if over_floor is not None and dynamic_over is not None else None
            )
            errors = [e for r in runs + floors for e in r.errors]
            if errors:
                extra["errors"] = errors[:5]
            failed = sum(r.failed_ops for r in runs) + sum(0 if r.ok else 1 for r in runs)
            self._add(_traffic_row(f"plugin_{command}", n, 0.0, wall, floor_wall, over_floor, t, failed, extra))

    def plugin_rollout(self, spec: Rollout) -> None:
        """``pulumi up`` from nothing of a hub with N spokes declared from Pulumi YAML through the package, at L
        seconds per write (``plugin_rollout``): ``bound_s`` = N*L as for ``rollout``, beside the plugin path's floor
        (its ``up`` of trivial plugin resources shaped like the peerings, no ARM call) and the dynamic path's
        ``rollout`` of this run at this N and L (measured here unless the ``rollout`` group already did).

        Judged on ``ratio`` against the dynamic rollout's, not on the wall over the floor: at L=1.0 the floor's own
        work overlaps the hub's N*L of waiting, so dividing by it would mostly measure the floor."""
        n, latency = spec.n, spec.latency_s
        bound = n * latency
        latency_profile = spec.latency_profile or self.profile.latency_profile
        dynamic = self._measured("rollout", n, latency, latency_profile)
        if dynamic is None:
            self._guarded("rollout", n, partial(self.rollout, spec, serialized=True), latency)
            dynamic = self._measured("rollout", n, latency, latency_profile)
        self.log(f"plugin_rollout n={n}: hub + {n} spokes from YAML, {2 * n} peerings, L={latency}s, bound N*L")
        topology = self._topology(n)
        self._fresh(topology, latency, latency_profile)
        project = self._plugin_project(f"plugin-rollout-{n}-L{latency:g}", topology)
        with self._logged(project, "up") as traffic:
            up = project.run("up")
        connected = self._connected()
        floor_name = f"plugin-floor-up-{n}-L{latency:g}"
        floor = self._plugin_project(floor_name, topology, floor_of=project).run("up") if up.ok else None
        t = traffic[0]
        failed, outcome = _rollout_outcome(up, t, topology.peerings, connected, bound)
        versus = _versus_dynamic(up.wall_s, dynamic)
        extra: dict[str, Any] = {
            **outcome,
            "serialized_writes": True,
            **_cpu_fields(up, floor, PLUGIN_ROLES),
            **versus,
        }
        if floor is not None:
            extra.update(_rollout_shape_floor(up, floor, bound))
        if latency_profile:
            extra["latency_profile"] = latency_profile
        dynamic_ratio = versus.get("dynamic_ratio")
        extra["target"] = "ratio <= the dynamic rollout's ratio, failed_ops == 0 (the same ARM writes at the same L)"
        extra["target_met"] = up.wall_s / bound <= dynamic_ratio and failed == 0 if dynamic_ratio else None
        errors = up.errors + (floor.errors if floor is not None else [])
        if errors:
            extra["errors"] = errors[:5]
        self._add(_traffic_row("plugin_rollout", n, latency, up.wall_s, bound, up.wall_s / bound, t, failed, extra))

    # -- 3. provider start-up --------------------------------------------------------------------------------------

    def _remember_startup(self, result: CommandResult) -> None:
        if result.provider is not None and result.provider.processes:
            self.startups.append(result.provider)

    def provider_startup(self) -> None:
        """Start-up of the dynamic-provider process, over every peering command of the run (median)."""
        if not self.startups:
            return
        med = statistics.median
        wall = med(s.startup_wall_s for s in self.startups)
        self._add(
            _measurement(
                "provider_startup",
                wall,
                {
                    "samples": len(self.startups),
                    "startup_cpu_s": med(s.startup_cpu_s for s in self.startups),
                    "runtime_import_s": med(s.runtime_import_s for s in self.startups),
                    "provider_import_s": med(s.preload_import_s for s in self.startups),
                    "meaning": "exec of the dynamic-provider process until it can serve: interpreter, "
                    "pulumi.dynamic's imports (grpc, dill, pulumi.runtime), then provider.resource",
                },
            )
        )

    def package_imports(self) -> None:
        """What the program's import of this package costs over ``import pulumi`` alone (bench/program_imports.py:
        fresh interpreters of the bench's venv, median), with ``-X importtime``'s most expensive modules; measured
        after the emulator has stopped, with no other command running."""
        self.log("package imports: the program's import of the package over import pulumi, fresh interpreters")
        found = program_imports.measure()
        wall = found["package_import_s"]
        self._add(
            _measurement(
                "package_imports",
                wall,
                {
                    **found,
                    "meaning": "a fresh interpreter's import of the package as the bench's program imports it, "
                    "over import pulumi before it (median; bytecode cached)",
                },
            )
        )

    # -- 4. the emulator's own throughput --------------------------------------------------------------------------

    def emulator_throughput(self) -> None:
        """bench/emulator_throughput.py, run as it is (its own emulator), its table parsed into cases."""
        p = self.profile
        self.log(f"emulator throughput: {THROUGHPUT_SCRIPT.relative_to(REPO)} ({p.throughput_seconds}s per row)")
        argv = [
            sys.executable,
            str(THROUGHPUT_SCRIPT),
            "--seconds",
            str(p.throughput_seconds),
            "--threads",
            str(p.throughput_threads),
        ]
        t0 = time.perf_counter()
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=600, check=False, cwd=REPO)
        if proc.returncode != 0:
            self.log(f"  emulator throughput failed ({proc.returncode}): {proc.stderr.strip()[-300:]}")
            self.results.append(
                CaseResult("emulator_throughput", None, 0.0, time.perf_counter() - t0, None, None, extra={"ok": False})
            )
            return
        growth = _PEERING_WRITE_GROWTH.search(proc.stdout)
        for row in parse_throughput(proc.stdout):
            largest = growth is not None and row["scenario"].startswith(f"PUT peering at {growth['n']} ")
            self._add(
                CaseResult(
                    f"emulator: {row['scenario']}",
                    row["threads"],
                    0.0,
                    p.throughput_seconds,
                    None,
                    float(growth["ratio"]) if largest and growth is not None else None,  # its p50 over 1 peering's
                    http_calls=row["count"],
                    extra={"per_s": row["per_s"], "p50_ms": row["p50_ms"], "p95_ms": row["p95_ms"]},
                )
            )


_ROW = re.compile(r"^(?P<scenario>\S.*?)\s+(?P<count>\d+)\s+(?P<per_s>[\d.]+)\s+(?P<p50>[\d.]+)\s+(?P<p95>[\d.]+)\s*$")
_THREADS = re.compile(r"(\d+) threads?")
_PEERING_WRITE_GROWTH = re.compile(r"^peering write, (?P<n>\d+) / \d+ peerings?: (?P<ratio>[\d.]+)", re.MULTILINE)


def parse_throughput(stdout: str) -> list[dict[str, Any]]:
    """Rows of emulator_throughput.py's table: scenario, threads, count, per_s, p50_ms, p95_ms."""
    rows = []
    for line in stdout.splitlines():
        m = _ROW.match(line)
        if not m:
            continue
        threads = _THREADS.search(m["scenario"])
        rows.append(
            {
                "scenario": m["scenario"],
                "threads": int(threads.group(1)) if threads else None,
                "count": int(m["count"]),
                "per_s": float(m["per_s"]),
                "p50_ms": float(m["p50"]),
                "p95_ms": float(m["p95"]),
            }
        )
    return rows
