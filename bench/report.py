"""The machine a run came from, the printed table, and latest.json."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from bench.profiles import Profile
from bench.suite import CaseResult
from harness.pulumi import REPO, pulumi_cli


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _run(*argv: str) -> str:
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False, cwd=REPO).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def machine() -> dict[str, Any]:
    """nproc, CPU model, load, Python, the Pulumi CLI and SDK, and the commit the figures belong to."""
    try:
        nproc = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        nproc = os.cpu_count() or 0
    try:
        sdk = metadata.version("pulumi")
    except metadata.PackageNotFoundError:
        sdk = "unknown"
    # the code the figures belong to; a previous run's results are not part of it
    code = (
        "pulumi_azure_peering",
        "provider",
        "components",
        "plugin",
        "emulator",
        "harness",
        "bench",
        ":(exclude)bench/results",
    )
    status = _run("git", "status", "--porcelain", "--", *code)
    return {
        "nproc": nproc,
        "cpu_model": _cpu_model(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "pulumi_cli": _run(str(pulumi_cli()), "version"),
        "pulumi_sdk": sdk,
        "platform": platform.platform(),
        "git_commit": _run("git", "rev-parse", "--short", "HEAD"),
        "git_dirty": bool(status),
    }


def document(profile: Profile, results: Sequence[CaseResult], started: datetime, duration_s: float) -> dict[str, Any]:
    name = profile.name
    return {
        "profile": name,
        "parameters": asdict(profile),
        "started": started.astimezone(UTC).isoformat(timespec="seconds"),
        "duration_s": round(duration_s, 1),
        "machine": machine(),
        "rerun": f"python -m bench --profile {name}"
        + {"quick": "  (make bench)", "full": "  (make bench-full)"}.get(name, ""),
        "cases": [r.as_dict() for r in results],
    }


def write(doc: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(doc, indent=2) + "\n")
    tmp.replace(path)


def _fmt(value: Any, spec: str = "") -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "NO"
    return format(value, spec)


def _rounds(case: dict[str, Any], ratio: str) -> str:
    """The spread of a read case's ratio round by round (its ``{ratio}_rounds``: the wall of each round's command
    over the same round's floor, bench/suite.py ``_round_ratios``): ``lowest to highest``; ``-`` without rounds or
    with one round only."""
    rounds = [r for r in case.get(f"{ratio}_rounds") or () if r is not None]
    if len(rounds) < 2:
        return "-"
    return f"{min(rounds):.3f} to {max(rounds):.3f}"


def _per_round(case: dict[str, Any], ratio: str) -> str:
    """`` (rounds a, b, c)`` after a ratio in a note, when the case has its rounds."""
    rounds = case.get(f"{ratio}_rounds")
    return f" (rounds {', '.join(_fmt(r, '.3f') for r in rounds)})" if rounds else ""


COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("case", "case", 34),
    ("n", "n", 4),
    ("latency_s", "L s", 4),
    ("wall_s", "wall s", 7),
    ("bound_s", "bound s", 7),
    ("ratio", "ratio", 6),
    # the wall over the shape floor (for the plugin path: over its own floor), and the plugin path over the dynamic
    ("over_shape_floor_ratio", "/shape", 6),
    ("plugin_over_dynamic_ratio", "/dyn", 5),
    ("http_calls", "http", 6),
    ("arm_calls", "arm", 6),
    ("conflicts_409", "409", 4),
    ("throttled_429", "429", 4),
    ("retries", "retry", 5),
    ("failed_ops", "fail", 4),
    ("provider_cpu_per_op_ms", "cpu/op ms", 9),
    ("target_met", "target", 6),
)
_SPECS = {
    "wall_s": ".2f",
    "bound_s": ".2f",
    "ratio": ".3f",
    "over_shape_floor_ratio": ".3f",
    "plugin_over_dynamic_ratio": ".3f",
    "provider_cpu_per_op_ms": ".2f",
    "latency_s": "g",
}


def table(doc: dict[str, Any]) -> str:
    """The results as a fixed-width table, then one line per case with its notes (skips, per-call figures)."""
    header = " ".join(title.rjust(width) if i else title.ljust(width) for i, (_, title, width) in enumerate(COLUMNS))
    lines = [header, "-" * len(header)]
    notes: list[str] = []
    for case in doc["cases"]:
        cells = []
        for i, (key, _, width) in enumerate(COLUMNS):
            text = _fmt(case.get(key), _SPECS.get(key, ""))
            cells.append(text.rjust(width) if i else text[:width].ljust(width))
        lines.append(" ".join(cells))
        notes.extend(_notes(case))
    m = doc["machine"]
    dirty = " (dirty)" if m["git_dirty"] else ""
    lines.append("")
    lines.append(
        f"machine: {m['nproc']} CPUs, {m['cpu_model']}, Python {m['python']}, pulumi {m['pulumi_cli']} "
        f"(SDK {m['pulumi_sdk']}), load {m['load_average']}, commit {m['git_commit']}{dirty}"
    )
    lines.extend(notes)
    return "\n".join(lines)


def _first_create(case: dict[str, Any]) -> str:
    """When the engine's first ``Create`` reached the provider, on the case and on its floors, and what the provider
    took from there to its first ARM write."""
    floors = [
        f"{label} {_fmt(case.get(f'{key}first_create_after_s'), '.2f')}s"
        + (
            f" (launched after {_fmt(case.get(f'{key}provider_launched_after_s'), '.2f')}s)"
            if case.get(f"{key}provider_launched_after_s") is not None
            else ""
        )
        for key, label in (
            ("floor_", "engine floor"),
            ("shape_floor_", "shape floor"),
            ("library_floor_", "library floor"),
        )
        if case.get(f"{key}first_create_after_s") is not None
    ]
    launched = case.get("provider_launched_after_s")
    return (
        f"first Create reached the provider after {_fmt(case.get('first_create_after_s'), '.2f')}s"
        + (f" (launched after {launched:.2f}s)" if launched is not None else "")
        + (f"; on its floors: {', '.join(floors)}" if floors else "")
        + f"; its first ARM write {_fmt(case.get('first_write_after_first_create_s'), '.3f')}s after that Create"
    )


def _cpu(case: dict[str, Any]) -> str:
    """CPU seconds by process next to the engine floor's: program, engine, dynamic provider."""
    parts = []
    for role in ("program", "engine"):
        if case.get(f"{role}_cpu_s") is not None:
            parts.append(f"{role} {case[f'{role}_cpu_s']:.2f}s (floor {_fmt(case.get(f'floor_{role}_cpu_s'), '.2f')}s)")
    floor_op = _fmt(case.get("floor_provider_cpu_per_op_ms"), ".2f")
    parts.append(
        f"provider {_fmt(case.get('provider_cpu_s'), '.2f')}s = "
        f"{_fmt(case.get('provider_cpu_per_op_ms'), '.2f')} ms/peering after start-up (floor {floor_op} ms/op)"
    )
    return "CPU: " + ", ".join(parts)


def _plugin_cpu(case: dict[str, Any]) -> str:
    """CPU seconds by process of a plugin-path command next to its own floor's: the YAML program's host, the
    engine, the plugin (the component's Python code and the peerings' provider)."""
    parts = [
        f"{role} {_fmt(case.get(f'{role}_cpu_s'), '.2f')}s (floor {_fmt(case.get(f'floor_{role}_cpu_s'), '.2f')}s)"
        for role in ("program", "engine", "plugin")
    ]
    return "CPU: " + ", ".join(parts)


def _versus_dynamic(case: dict[str, Any]) -> str:
    return (
        f"dynamic path {_fmt(case.get('dynamic_wall_s'), '.2f')}s = "
        f"{_fmt(case.get('dynamic_over_shape_floor_ratio'), '.3f')} x its shape floor "
        f"({_fmt(case.get('dynamic_shape_floor_wall_s'), '.2f')}s); plugin / dynamic "
        f"{_fmt(case.get('plugin_over_dynamic_ratio'), '.3f')}"
    )


#: The read cases' floors besides the engine floor (``{floor}_floor_...`` keys), with what each is.
_FLOORS = {
    "shape": "trivial resources shaped like the peerings",
    "library": "the shape floor importing the mission's libraries where this project's code does",
}


def _floor_note(name: str, case: dict[str, Any], floor: str) -> str:
    """A read case's line about one of its floors (a key of :data:`_FLOORS`): its wall (the shape floor's over the
    engine floor too), the peerings over it, its CPU by role; a floor whose commands failed is said to have failed."""
    engine = f" = {_fmt(case.get('shape_floor_ratio'), '.3f')} x the engine floor" if floor == "shape" else ""
    cpu = "".join(
        f"{role} {case[f'{floor}_floor_{role}_cpu_s']:.2f}s, "
        for role in ("program", "engine")
        if case.get(f"{floor}_floor_{role}_cpu_s") is not None
    )
    failed = "" if case.get(f"{floor}_floor_ok", True) else " (FAILED: a floor command did not succeed)"
    return (
        f"{name}: {floor} floor ({_FLOORS[floor]}) {case[f'{floor}_floor_wall_s']:.2f}s{engine}; the peerings "
        f"{_fmt(case.get(f'over_{floor}_floor_ratio'), '.3f')} x the {floor} floor"
        f"{_per_round(case, f'over_{floor}_floor_ratio')}; its CPU: {cpu}provider "
        f"{_fmt(case.get(f'{floor}_floor_provider_cpu_per_op_ms'), '.2f')} ms/op{failed}"
    )


def _notes(case: dict[str, Any]) -> list[str]:
    name = f"{case['case']} n={case['n']}"
    if case["case"].startswith(("rollout", "plugin_rollout")) or case["case"] == "concurrent_stacks":
        name += f" L={_fmt(case.get('latency_s'), 'g')}"
    if case.get("latency_profile"):
        name += f" ({case['latency_profile']})"
    out: list[str] = []
    if case.get("skipped"):
        out.append(f"{name}: skipped: {case['skipped']}")
    if case["case"].startswith("rollout") and case.get("wall_s") is not None:
        out.append(
            f"{name}: {case.get('connected')}/{case.get('peerings')} Connected; "
            f"{_engine_floor(case)}; "
            f"first ARM call after {_fmt(case.get('first_arm_after_s'), '.2f')}s, "
            f"first write after {_fmt(case.get('first_write_after_s'), '.2f')}s, "
            f"writes span {_fmt(case.get('write_span_s'), '.2f')}s "
            f"(span / N*L = {_fmt(case.get('span_ratio'), '.3f')}); {case.get('arm_writes')} writes, "
            f"{case.get('lro_polls')} polls, {case.get('arm_reads')} reads, {case.get('identity_calls')} identity "
            f"calls, {case.get('not_provisioned_400')} x 400 ReferencedResourceNotProvisioned"
        )
        out.append(f"{name}: {_cpu(case)}")
        if case.get("first_create_after_s") is not None:
            out.append(f"{name}: {_first_create(case)}")
        if case.get("shape_floor_wall_s") is not None:
            out.append(
                f"{name}: the engine's own up, no ARM: engine floor {_fmt(case.get('floor_wall_s'), '.2f')}s "
                f"({_fmt(case.get('floor_over_bound'), '.3f')} N*L), shape floor (trivial resources shaped like "
                f"the peerings) {case['shape_floor_wall_s']:.2f}s ({_fmt(case.get('shape_floor_over_bound'), '.3f')} "
                f"N*L; engine CPU {_fmt(case.get('shape_floor_engine_cpu_s'), '.2f')}s, program "
                f"{_fmt(case.get('shape_floor_program_cpu_s'), '.2f')}s)"
            )
    if case["case"] == "concurrent_stacks" and case.get("wall_s") is not None:
        out.append(
            f"{name}: {case.get('connected')}/{case.get('peerings')} Connected; each stack's wall "
            f"{case.get('stack_walls_s')}; first write after {_fmt(case.get('first_write_after_s'), '.2f')}s, "
            f"writes span {_fmt(case.get('write_span_s'), '.2f')}s "
            f"(span / K*L = {_fmt(case.get('span_ratio'), '.3f')}); "
            f"{case.get('arm_writes')} writes, "
            f"{case.get('conflicts_409')} x 409, {case.get('not_provisioned_400')} x 400 "
            f"ReferencedResourceNotProvisioned, {case.get('retries')} retries, {case.get('lro_polls')} polls"
        )
        if case.get("first_create_after_s") is not None:
            out.append(f"{name}: {_first_create(case)}")
        for floor in ("shape", "library"):
            if case.get(f"{floor}_floor_stack_walls_s") is not None:
                what = "a provider that does nothing" if floor == "shape" else "importing the mission's libraries"
                out.append(
                    f"{name}: as many {floor}-floor stacks (one pair each, {what}) launched at once on the same "
                    f"backend: {_fmt(case.get(f'{floor}_floor_wall_s'), '.2f')}s, each stack's wall "
                    f"{case.get(f'{floor}_floor_stack_walls_s')}"
                    + ("" if case.get(f"{floor}_floor_ok") else " (FAILED: a floor command did not succeed)")
                )
    if case["case"] == "preview_after_rollout" and case.get("wall_s") is not None:
        out.append(
            f"{name}: no-change preview of the deployed stack, walls {case.get('walls_s')} (median reported); "
            f"{case.get('arm_reads')} reads, {case.get('arm_writes')} writes; program CPU "
            f"{_fmt(case.get('program_cpu_s'), '.2f')}s"
        )
    if case["case"] in ("discover", "discover_slow_reads") and case.get("wall_s") is not None:
        out.append(
            f"{name}: {case.get('vnets')} vnets in {case.get('subscriptions')} subscriptions, reads "
            f"{_fmt(case.get('read_latency_s'), 'g')}s late: {case.get('arm_calls')} ARM calls "
            f"({_fmt(case.get('arm_calls_per_vnet'), '.3f')} per vnet: {case.get('listing_pages')} listing pages, "
            f"{case.get('gateway_reads')} gateway reads, {case.get('other_reads')} other; "
            f"{case.get('arm_writes')} writes), "
            f"{case.get('identity_calls')} identity calls; pairs {case.get('pairs_by_status')}"
        )
    if case["case"] in ("preview", "refresh", "up_no_change", "refresh_slow_reads"):
        out.append(
            f"{name}: {case['arm_calls_per_peering']:.3f} ARM calls per peering, "
            f"{case['arm_reads_per_vnet']:.3f} reads per distinct vnet ({case['arm_reads']} reads, "
            f"{case['arm_writes']} writes, {case['identity_calls']} identity calls); bound = engine floor, "
            f"median of {case['repeats']}{_per_round(case, 'ratio')}"
            + (f"; on the stacks of {case['deployed_by']}" if case.get("deployed_by") else "")
            + (f"; floors' runs: {case['floors_from']}'s" if case.get("floors_from") else "")
        )
        out.append(f"{name}: {_cpu(case)}")
        for floor in _FLOORS:
            if case.get(f"{floor}_floor_wall_s") is not None:
                out.append(_floor_note(name, case, floor))
    if case["case"] in ("plugin_preview", "plugin_refresh") and case.get("wall_s") is not None:
        out.append(
            f"{name}: YAML through pulumi-resource-azure-peering {case['wall_s']:.2f}s = "
            f"{_fmt(case.get('over_shape_floor_ratio'), '.3f')} x its floor{_per_round(case, 'over_shape_floor_ratio')}"
            f" (a trivial plugin's resources shaped like its peerings, {_fmt(case.get('shape_floor_wall_s'), '.2f')}s);"
            f" {_versus_dynamic(case)}; "
            f"{case['arm_reads']} reads, {case['arm_writes']} writes, median of {case['repeats']}"
        )
        out.append(f"{name}: {_plugin_cpu(case)}")
    if case["case"] == "plugin_rollout" and case.get("wall_s") is not None:
        out.append(
            f"{name}: {case.get('connected')}/{case.get('peerings')} Connected; first write after "
            f"{_fmt(case.get('first_write_after_s'), '.2f')}s, writes span {_fmt(case.get('write_span_s'), '.2f')}s "
            f"(span / N*L = {_fmt(case.get('span_ratio'), '.3f')}); its floor's up "
            f"{_fmt(case.get('shape_floor_wall_s'), '.2f')}s ({_fmt(case.get('shape_floor_over_bound'), '.3f')} N*L); "
            f"dynamic rollout ratio {_fmt(case.get('dynamic_ratio'), '.3f')}; {_versus_dynamic(case)}"
        )
        out.append(f"{name}: {_plugin_cpu(case)}")
    if case["case"] == "provider_startup":
        out.append(
            f"provider start-up: {case['wall_s']:.3f}s wall (median of {case['samples']}), "
            f"CPU {case['startup_cpu_s']:.3f}s; pulumi.dynamic imports {case['runtime_import_s']:.3f}s, "
            f"provider.resource {case['provider_import_s']:.3f}s"
        )
    if case["case"] == "package_imports" and case.get("wall_s") is not None:
        own = ", ".join(f"{m['module']} {m['cumulative_ms']:.0f}" for m in case.get("importtime_own_top", [])[:5])
        out.append(
            f"package imports: {case['wall_s']:.3f}s over import pulumi ({_fmt(case.get('pulumi_import_s'), '.3f')}s),"
            f" median of {case.get('samples')}; then the first vnet read's imports (ARM client, azure-identity) "
            f"{_fmt(case.get('first_read_import_s'), '.3f')}s; {case.get('modules_loaded')} modules loaded, "
            f"{case.get('own_modules_loaded')} of the package; -X importtime, the package's costliest (ms, with "
            f"what each imports): {own}"
        )
    if case["case"].startswith("emulator:"):
        out.append(f"{name}: {case['per_s']:.1f}/s, p50 {case['p50_ms']:.2f} ms, p95 {case['p95_ms']:.2f} ms")
    if case.get("target"):
        verdict = {True: "met", False: "NOT met", None: ""}[case.get("target_met")]
        out.append(f"{name}: target {case['target']}{': ' + verdict if verdict else ''}")
    if case.get("errors"):
        out.append(f"{name}: errors: {' | '.join(case['errors'])}")
    return out


def markdown_table(doc: dict[str, Any]) -> str:
    """The results as the Markdown table of docs/benchmarks.md (``python -m bench.report results.json``), so that
    every figure quoted there is copied from the committed JSON by a program, not by hand."""
    head = (
        "| case | N | L s | wall s | bound s | ratio | HTTP | ARM | 409 | 400 busy | retries | failed "
        "| provider CPU ms/op (trivial) | target |"
    )
    lines = [head, "|" + "---|" * head.count(" | ") + "---|"]
    for case in doc["cases"]:
        name = case["case"] + (f" ({case['latency_profile']})" if case.get("latency_profile") else "")
        if name.startswith("emulator:") or name in STARTUP_CASES:
            continue
        cpu = _fmt(case.get("provider_cpu_per_op_ms"), ".2f")
        trivial = case.get("floor_provider_cpu_per_op_ms")
        cpu += f" ({_fmt(trivial, '.2f')})" if cpu != "-" else ""
        met = case.get("target_met")
        cells = [
            name,
            _fmt(case.get("n")),
            _fmt(case.get("latency_s"), "g"),
            _fmt(case.get("wall_s"), ".2f"),
            _fmt(case.get("bound_s"), ".2f"),
            _fmt(case.get("ratio"), ".3f"),
            _fmt(case.get("http_calls")),
            _fmt(case.get("arm_calls")),
            _fmt(case.get("conflicts_409")),
            _fmt(case.get("not_provisioned_400")),
            _fmt(case.get("retries")),
            _fmt(case.get("failed_ops")),
            cpu,
            "" if met is None else ("yes" if met else "**no**"),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _engine_floor(case: dict[str, Any]) -> str:
    """A rollout's engine floor, and which case measured it when another did (the floors make no ARM call)."""
    if case.get("floor_wall_s") is None:
        return "no floors (floors=False in the profile)" if case.get("floors") else "engine floor -"
    by = f" (floors measured by {case['floors_from']})" if case.get("floors_from") else ""
    return f"engine floor {case['floor_wall_s']:.2f}s{by}"


#: The start-up rows: not cases of the main table, printed together (``startup_table``).
STARTUP_CASES = ("provider_startup", "package_imports")


def startup_table(doc: dict[str, Any]) -> str:
    """What starting costs (Markdown): the dynamic-provider process until it serves, and the program's import of
    this package over ``import pulumi``, each a median, with how it splits."""
    rows = []
    for case in doc["cases"]:
        if case["case"] == "provider_startup":
            split = (
                f"pulumi.dynamic's imports {_fmt(case.get('runtime_import_s'), '.3f')} s, provider.resource's "
                f"{_fmt(case.get('provider_import_s'), '.3f')} s"
            )
            rows.append(["dynamic-provider process: exec until it serves", _fmt(case.get("wall_s"), ".3f"),
                         _fmt(case.get("samples")), split, ""])  # fmt: skip
        elif case["case"] == "package_imports":
            split = (
                f"`import pulumi` before it {_fmt(case.get('pulumi_import_s'), '.3f')} s; the first vnet read's "
                f"imports after it (ARM client, azure-identity) {_fmt(case.get('first_read_import_s'), '.3f')} s; "
                f"{_fmt(case.get('modules_loaded'))} modules loaded, {_fmt(case.get('own_modules_loaded'))} of them "
                "the package's"
            )
            met = {True: "yes", False: "**no**", None: ""}[case.get("target_met")]
            rows.append(["the program's import of the package, over `import pulumi`", _fmt(case.get("wall_s"), ".3f"),
                         _fmt(case.get("samples")), split, met])  # fmt: skip
    return _markdown(("what", "median s", "samples", "split", "target"), rows)


def _cell(case: dict[str, Any], key: str, spec: str) -> str:
    """A table cell: ``case[key]`` formatted by ``spec``, or (spec ``rounds``) the spread of ratio ``key``'s
    rounds."""
    return _rounds(case, key) if spec == "rounds" else _fmt(case.get(key), spec)


def _markdown(head: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A Markdown table; empty when there is no row."""
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(cells) + " |" for cells in rows]
    return "\n".join(lines) if len(lines) > 2 else ""


def shape_floor_table(doc: dict[str, Any]) -> str:
    """The read cases split (Markdown): what the shape of a peering costs over the engine floor with a provider
    that does nothing (the shape floor), what importing the mission's libraries where this project's code does adds
    to that (the library floor: bench/library_floor.py), and what this project's code adds to each; with the
    provider process's CPU per operation beside the shape floor's, and (preview, no-change ``up``) the part of it
    that is this project's ``check`` and ``diff`` (bench/own_code.py)."""
    head = (
        "case", "N", "wall s", "engine floor s", "shape floor s", "shape floor / engine floor",
        "peerings / shape floor", "its rounds", "library floor s", "peerings / library floor", "its rounds",
        "peerings / engine floor", "provider CPU ms/op", "shape floor's", "our check+diff ms/op",
    )  # fmt: skip
    keys = [("wall_s", ".2f"), ("bound_s", ".2f"), ("shape_floor_wall_s", ".2f"), ("shape_floor_ratio", ".3f")]
    keys += [("over_shape_floor_ratio", ".3f"), ("over_shape_floor_ratio", "rounds"), ("library_floor_wall_s", ".2f")]
    keys += [("over_library_floor_ratio", ".3f"), ("over_library_floor_ratio", "rounds"), ("ratio", ".3f")]
    keys += [("provider_cpu_per_op_ms", ".2f")]
    keys += [("shape_floor_provider_cpu_per_op_ms", ".2f"), ("own_check_diff_cpu_per_op_ms", ".2f")]
    return _markdown(
        head,
        (
            [case["case"], _fmt(case.get("n")), *(_cell(case, k, spec) for k, spec in keys)]
            for case in doc["cases"]
            if case.get("shape_floor_wall_s") is not None
            and not case["case"].startswith(("rollout", "plugin_", "concurrent"))
        ),
    )


def plugin_table(doc: dict[str, Any]) -> str:
    """The plugin path's cases beside the dynamic path's (Markdown): each path's wall, its own floor and its wall
    over that floor, and the plugin path's wall over the dynamic path's."""
    head = (
        "case", "N", "L s", "plugin wall s", "plugin floor s", "plugin / its floor", "its rounds", "dynamic wall s",
        "dynamic shape floor s", "dynamic / its floor", "its rounds", "plugin / dynamic", "target",
    )  # fmt: skip
    keys = [("wall_s", ".2f"), ("shape_floor_wall_s", ".2f"), ("over_shape_floor_ratio", ".3f")]
    keys += [("over_shape_floor_ratio", "rounds"), ("dynamic_wall_s", ".2f"), ("dynamic_shape_floor_wall_s", ".2f")]
    keys += [("dynamic_over_shape_floor_ratio", ".3f"), ("dynamic_over_shape_floor_ratio", "rounds")]
    keys += [("plugin_over_dynamic_ratio", ".3f")]
    return _markdown(
        head,
        (
            [
                case["case"],
                _fmt(case.get("n")),
                _fmt(case.get("latency_s"), "g"),
                *(_cell(case, k, spec) for k, spec in keys),
                {True: "yes", False: "**no**", None: ""}[case.get("target_met")],
            ]
            for case in doc["cases"]
            if case["case"].startswith("plugin_")
        ),
    )


def rollout_floor_table(doc: dict[str, Any]) -> str:
    """The serialised rollouts next to what the engine's own ``up`` of the same number of resources costs, without
    ARM (Markdown): of trivial resources (the engine floor) and of trivial resources shaped like the peerings (the
    shape floor), each over N*L."""
    head = ("case", "N", "L s", "ratio (wall / N*L)", "engine floor / N*L", "shape floor / N*L", "shape floor s")
    keys = [("ratio", ".3f"), ("floor_over_bound", ".3f"), ("shape_floor_over_bound", ".3f")]
    keys += [("shape_floor_wall_s", ".2f")]
    cases = (c for c in doc["cases"] if c["case"].startswith("rollout") and c.get("shape_floor_wall_s") is not None)
    return _markdown(head, _timed_rows(cases, keys))


def _timed_rows(cases: Iterable[dict[str, Any]], keys: Sequence[tuple[str, str]]) -> Iterable[list[str]]:
    """One row per case: its name (with its latency profile), N, L, then ``keys`` (field, format) in order."""
    for case in cases:
        name = case["case"] + (f" ({case['latency_profile']})" if case.get("latency_profile") else "")
        yield [name, _fmt(case.get("n")), _fmt(case.get("latency_s"), "g"), *(_fmt(case.get(k), f) for k, f in keys)]


def first_write_table(doc: dict[str, Any]) -> str:
    """The wait for the first write (Markdown), split where the engine's first ``Create`` reaches the provider: on
    the case, on its floors (the same command with a provider that does nothing: what the CLI, the language host,
    the program's start, the engine and the SDK take to ask for a first resource), and from that ``Create`` to the
    provider's first ARM write."""
    head = (
        "case", "N", "L s", "first write s", "first Create s", "engine floor's first Create s",
        "shape floor's first Create s", "library floor's first Create s", "first Create to first write s",
    )  # fmt: skip
    keys = [("first_write_after_s", ".2f"), ("first_create_after_s", ".2f"), ("floor_first_create_after_s", ".2f")]
    keys += [("shape_floor_first_create_after_s", ".2f"), ("library_floor_first_create_after_s", ".2f")]
    keys += [("first_write_after_first_create_s", ".3f")]
    cases = (
        c
        for c in doc["cases"]
        if c["case"] in ("rollout", "concurrent_stacks") and c.get("first_create_after_s") is not None
    )
    return _markdown(head, _timed_rows(cases, keys))


def print_table(doc: dict[str, Any]) -> None:
    print(table(doc))
    sys.stdout.flush()


if __name__ == "__main__":
    for name in sys.argv[1:]:
        results = json.loads(Path(name).read_text())
        print(markdown_table(results))
        tables = (shape_floor_table, rollout_floor_table, first_write_table, plugin_table, startup_table)
        for extra in (make(results) for make in tables):
            if extra:
                print()
                print(extra)
