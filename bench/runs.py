"""One timed Pulumi command, with what the engine and the dynamic-provider process report about it.

Projects run through ``harness.pulumi`` (hermetic PULUMI_HOME, local file backend, no update checks or plugin
downloads). For each command the wall time is taken around the CLI process; ``up`` and ``refresh`` run with
``--json`` so that the engine's events (``resOpFailedEvent``, error diagnostics, ``summaryEvent``) can be counted,
``preview`` runs with ``--expect-no-changes``. The dynamic-provider process is started through a benchmark-only
copy of the ``pulumi-resource-pulumi-python`` shim (``bench/provider_probe.py``) that records its CPU time.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import sys
import time
from collections.abc import Collection, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import provider_probe
from bench.proctree import CpuSampler
from harness.pulumi import REPO, TOOLS_BIN, VENV_BIN, PulumiProject, hermetic_env

PLUGIN_SHIM = "pulumi-resource-pulumi-python"
PROBE = Path(provider_probe.__file__).resolve()
COMMAND_TIMEOUT_S = 3600.0


def install_shim(bin_dir: Path, name: str, script: Path) -> Path:
    """Write ``bin_dir/name``, an executable that runs ``script`` with this venv's Python (the engine finds a
    plugin named ``pulumi-resource-<package>`` on its PATH; the CLI warns that it comes from $PATH)."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    shim = bin_dir / name
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -u "{script}" "$@"\n')
    shim.chmod(shim.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return shim


def install_probe_shim(bin_dir: Path) -> Path:
    """Write the benchmark's copy of the dynamic-provider shim."""
    return install_shim(bin_dir, PLUGIN_SHIM, PROBE)


@dataclass(frozen=True)
class ProviderCost:
    """Summed over the dynamic-provider processes of one command (normally one)."""

    processes: int
    cpu_s: float
    startup_wall_s: float
    startup_cpu_s: float
    runtime_import_s: float
    preload_import_s: float
    max_rss_kb: int
    complete: bool
    """Every process wrote its final record (else the figures are up to half a second short)."""
    launched_at: float | None = None
    """When the engine launched the first of the processes (epoch seconds)."""
    first_call_at: Mapping[str, float] = field(default_factory=dict)
    """When the engine's first call of each RPC method (``Check``, ``Create``, ``Read``...) reached any of the
    processes: epoch seconds, as :attr:`CommandResult.started_at`."""

    def first_call_after(self, method: str, since: float) -> float | None:
        """Seconds from ``since`` (epoch) to ``method``'s first call; None when no process was asked it."""
        at = self.first_call_at.get(method)
        return at - since if at is not None else None

    @classmethod
    def read(cls, stats_dir: Path) -> ProviderCost:
        records = []
        for path in sorted(stats_dir.glob("provider-*.json")):
            try:
                records.append(json.loads(path.read_text()))
            except (OSError, ValueError):
                continue
        if not records:
            return cls(0, 0.0, 0.0, 0.0, 0.0, 0.0, 0, False)
        return cls(
            processes=len(records),
            cpu_s=sum(float(r.get("cpu_s", 0.0)) for r in records),
            startup_wall_s=max(float(r.get("startup_wall_s", 0.0)) for r in records),
            startup_cpu_s=sum(float(r.get("startup_cpu_s", 0.0)) for r in records),
            runtime_import_s=max(float(r.get("runtime_import_s", 0.0)) for r in records),
            preload_import_s=max(float(r.get("preload_import_s", 0.0)) for r in records),
            max_rss_kb=max(int(r.get("max_rss_kb", 0)) for r in records),
            complete=all(bool(r.get("final")) for r in records),
            launched_at=min((float(r["launched_at"]) for r in records if "launched_at" in r), default=None),
            first_call_at=_earliest_calls(records),
        )


def _earliest_calls(records: Sequence[Mapping[str, Any]]) -> dict[str, float]:
    """Each RPC method's earliest first call over the processes' records."""
    earliest: dict[str, float] = {}
    for record in records:
        for method, at in (record.get("first_call_at") or {}).items():
            earliest[method] = min(float(at), earliest.get(method, float(at)))
    return earliest


@dataclass
class CommandResult:
    command: str
    wall_s: float
    returncode: int
    failed_ops: int = 0
    """Resource operations the engine reported failed (resOpFailedEvent, distinct URNs)."""
    errors: list[str] = field(default_factory=list)
    """Error diagnostics (first lines), for the report."""
    changes: dict[str, int] = field(default_factory=dict)
    """The engine's summary: op -> count."""
    started_at: float = 0.0
    provider: ProviderCost | None = None
    cpu_by_role: dict[str, float] = field(default_factory=dict)
    """CPU seconds of the command's processes by role (bench/proctree.py): engine, program, provider..."""

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def parse_events(stdout: str) -> tuple[int, list[str], dict[str, int]]:
    """Failed operations, error messages and the change summary from ``--json`` engine events (one per line)."""
    failed: set[str] = set()
    errors: list[str] = []
    changes: dict[str, int] = {}
    for line in stdout.splitlines():
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if "resOpFailedEvent" in event:
            failed.add(str(event["resOpFailedEvent"].get("metadata", {}).get("urn", len(failed))))
        diag = event.get("diagnosticEvent")
        if diag and diag.get("severity") == "error":
            lines = [line.strip() for line in str(diag.get("message", "")).strip().splitlines() if line.strip()]
            if lines:
                # the first line says what failed; for a traceback, the last line says why
                text = lines[0] if len(lines) == 1 else f"{lines[0]} ... {lines[-1]}"
                errors.append(text[:400])
        summary = event.get("summaryEvent")
        if summary:
            changes = {str(k): int(v) for k, v in (summary.get("resourceChanges") or {}).items()}
    return len(failed), errors, changes


class BenchProject:
    """A Pulumi project for one benchmark case, wired to the emulator and to the provider probe."""

    def __init__(
        self,
        workdir: Path,
        program: str,
        topology_input: Mapping[str, Any],
        emulator_env: Mapping[str, str],
        *,
        exclude_pids: Collection[int] = (),
        modules: Mapping[str, str] | None = None,
        project: str = "bench",
        stack: str = "bench",
        runtime: str = "python",
        plugins: Mapping[str, Path] | None = None,
    ) -> None:
        """``program`` is a Python program (``__main__.py``) or, with ``runtime="yaml"``, the body of a Pulumi YAML
        program (what follows ``name`` and ``runtime`` in ``Pulumi.yaml``). ``plugins`` maps a plugin's executable
        name to the script it runs (``install_shim``), on the engine's PATH before the venv's own plugins."""
        self.workdir = workdir
        self._exclude_pids = tuple(exclude_pids)
        self.stats_root = workdir / "provider-stats"
        shim_dir = workdir / "bin"
        install_probe_shim(shim_dir)
        for name, script in (plugins or {}).items():
            install_shim(shim_dir, name, script)
        path = os.pathsep.join([str(shim_dir), str(TOOLS_BIN), str(VENV_BIN), os.environ.get("PATH", "")])
        env = hermetic_env(workdir / "state", {**emulator_env, "PATH": path})
        project_dir = workdir / "project"
        project_dir.mkdir(parents=True, exist_ok=True)
        (project_dir / "topology.json").write_text(json.dumps(dict(topology_input)))
        for filename, text in (modules or {}).items():
            (project_dir / filename).write_text(text)
        if runtime == "yaml":
            (project_dir / "Pulumi.yaml").write_text(f"name: {project}\nruntime: yaml\n{program}")
            self.project = PulumiProject(project_dir, stack, env)
            self.project.select()
        else:
            self.project = PulumiProject.from_program(project_dir, program, env, project=project, stack=stack)
        self._commands = 0
        self.parallel: int | None = None
        """``--parallel`` for the engine (None: the CLI's default, 4 per CPU)."""

    def set_env(self, name: str, value: str | None) -> None:
        if value is None:
            self.project.env.pop(name, None)
        else:
            self.project.env[name] = value

    def run(self, command: str, *, preload: str = "", sample_cpu: bool = True) -> CommandResult:
        """Run ``up``/``preview``/``refresh`` once, timed. ``sample_cpu=False`` when other commands run at the same
        time (the sampler sees every process the bench started)."""
        self._commands += 1
        stats_dir = self.stats_root / f"{self._commands:02d}-{command}"
        stats_dir.mkdir(parents=True, exist_ok=True)
        self.set_env(provider_probe.STATS_DIR_ENV, str(stats_dir))
        self.set_env(provider_probe.PRELOAD_ENV, preload)
        args = {
            "up": ("up", "--yes", "--skip-preview", "--json"),
            "up_no_change": ("up", "--yes", "--skip-preview", "--json", "--expect-no-changes"),
            "refresh": ("refresh", "--yes", "--skip-preview", "--json"),
            "preview": ("preview", "--expect-no-changes"),
        }[command]
        if self.parallel:
            args = (*args, "--parallel", str(self.parallel))
        started_at = time.time()
        with CpuSampler(exclude=self._exclude_pids) if sample_cpu else nullcontext() as cpu:
            t0 = time.perf_counter()
            result = self.project.run(*args, check=False, timeout=COMMAND_TIMEOUT_S)
            wall = time.perf_counter() - t0
        by_role = cpu.by_role() if cpu is not None else {}
        out = CommandResult(command, wall, result.returncode, started_at=started_at, cpu_by_role=by_role)
        if command == "preview":
            if not result.ok:
                out.errors = [line for line in result.output.splitlines() if "error" in line.lower()][:5]
        else:
            out.failed_ops, out.errors, out.changes = parse_events(result.stdout)
            if not result.ok and not out.errors:
                out.errors = result.output.strip().splitlines()[-5:]
        out.provider = ProviderCost.read(stats_dir)
        return out

    def remove(self) -> None:
        shutil.rmtree(self.workdir, ignore_errors=True)


__all__ = [
    "REPO",
    "BenchProject",
    "CommandResult",
    "ProviderCost",
    "install_probe_shim",
    "install_shim",
    "parse_events",
]
