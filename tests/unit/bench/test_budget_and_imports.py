"""Issue 29's bench items without running them: the profiles' rows (the realistic row at scale, what the full
profile keeps), the program-imports measurement's parsing and summary, and how the report prints both (no CLI, no
emulator, no interpreter started)."""

from __future__ import annotations

from typing import Any

import pytest

from bench import report
from bench.profiles import PROFILES, REALISTIC_PROFILE, Rollout
from bench.program_imports import (
    PACKAGE,
    TARGET_S,
    ImportTime,
    after_top_level,
    parse_importtime,
    program_import_lines,
    summarise,
    timing_script,
    top_modules,
)
from bench.programs import HUB_SPOKE

pytestmark = pytest.mark.unit

IMPORTTIME = """\
import time: self [us] | cumulative | imported package
import time:       100 |        100 |   _io
import time:       300 |        900 |   grpc
import time:      2000 |       5000 | pulumi
import time:       700 |        700 |     pydantic_core
import time:      1500 |       2200 |   pydantic
import time:       400 |        400 |       pulumi_azure_peering.provider.models
import time:       900 |       1300 |     pulumi_azure_peering.provider
import time:        50 |       3550 |   pulumi_azure_peering.components.hub_spoke
import time:        20 |       3570 | pulumi_azure_peering.components
something else on stderr
"""


def realistic(profile: str) -> list[Rollout]:
    return [r for r in PROFILES[profile].rollouts if r.latency_profile == REALISTIC_PROFILE]


def test_the_full_profile_has_a_realistic_row_at_scale_and_the_quick_one_keeps_its_own() -> None:
    (full,) = realistic("full")
    assert full.n >= 100 and not full.judged and not full.unserialized and full.floors
    # it follows a row of its N with floors, whose floors it reuses
    rollouts = list(PROFILES["full"].rollouts)
    assert any(r.n == full.n and r.floors for r in rollouts[: rollouts.index(full)])
    (quick,) = realistic("quick")
    assert (quick.n, quick.latency_s) == (50, 1.0)


def test_the_full_profile_keeps_what_issue_29_asks_for() -> None:
    full = PROFILES["full"]
    assert full.read_n == 200 and full.read_repeats >= 3
    assert full.plugin_read_n == 200
    assert full.plugin_rollout is not None and (full.plugin_rollout.n, full.plugin_rollout.latency_s) == (50, 1.0)
    assert any(r.n == 500 for r in full.rollouts)
    assert any(c.k == 10 and c.latency_s == 1.0 for c in full.concurrent)
    assert full.discover_n == 500
    # the reads run on the N=200 rollout's stacks: a serialised row of their N with its floors
    assert any(r.n == full.read_n and r.floors and r.latency_profile is None for r in full.rollouts)
    # the unserialised twin is still there
    assert any(r.n == 200 and r.unserialized for r in full.rollouts)


def test_the_import_line_is_the_bench_programs_own() -> None:
    lines = program_import_lines()
    assert lines == [line for line in HUB_SPOKE.splitlines() if line.startswith(f"from {PACKAGE}")]
    assert program_import_lines("import pulumi\nimport pulumi_azure_peering.x as y\nfrom pulumix import a\n") == [
        "import pulumi_azure_peering.x as y"
    ]
    script = timing_script(lines)
    # pulumi first, then the program's line, each timed
    assert script.index("import pulumi\n") < script.index(lines[0])
    compile(script, "<timing>", "exec")


def test_importtime_lines_are_parsed_with_their_depth_and_the_header_skipped() -> None:
    entries = parse_importtime(IMPORTTIME)
    assert entries[0] == ImportTime("_io", 100, 100, 1)
    assert ImportTime("pulumi", 2000, 5000, 0) in entries
    assert ImportTime("pulumi_azure_peering.provider.models", 400, 400, 3) in entries
    assert len(entries) == 9


def test_only_what_the_package_import_loaded_is_ranked() -> None:
    loaded = after_top_level(parse_importtime(IMPORTTIME), "pulumi")
    assert loaded[0].module == "pydantic_core"
    own = top_modules(loaded, package=PACKAGE)
    assert [m["module"] for m in own] == [
        "pulumi_azure_peering.components",
        "pulumi_azure_peering.components.hub_spoke",
        "pulumi_azure_peering.provider",
        "pulumi_azure_peering.provider.models",
    ]
    assert own[0] == {"module": "pulumi_azure_peering.components", "self_ms": 0.02, "cumulative_ms": 3.57}
    by_self = top_modules(loaded, key="self_us", top=2)
    assert [m["module"] for m in by_self] == ["pydantic", "pulumi_azure_peering.provider"]
    # without the anchor, everything counts
    assert len(after_top_level(loaded, "absent")) == len(loaded)


def test_the_summary_takes_the_median_and_judges_issue_29s_target() -> None:
    samples = [{"pulumi_s": 0.2, "package_s": s, "modules": 300, "own_modules": 50} for s in (0.5, 0.1, 0.12)]
    found = summarise(samples, parse_importtime(IMPORTTIME))
    assert found["package_import_s"] == 0.12 and found["samples"] == 3
    assert found["target_met"] is True and TARGET_S >= 0.12
    assert found["importtime_package_ms"] == pytest.approx(3.57)
    assert (found["modules_loaded"], found["own_modules_loaded"]) == (300, 50)


def doc(*cases: dict[str, Any]) -> dict[str, Any]:
    machine = {"nproc": 2, "cpu_model": "x", "python": "3", "pulumi_cli": "v", "pulumi_sdk": "s"}
    return {"cases": list(cases), "machine": {**machine, "load_average": [0], "git_commit": "c", "git_dirty": False}}


STARTUP: dict[str, Any] = {"case": "provider_startup", "n": None, "latency_s": None, "wall_s": 0.7, "samples": 9}
STARTUP |= {"startup_cpu_s": 0.6, "runtime_import_s": 0.3, "provider_import_s": 0.38}
IMPORTS: dict[str, Any] = {"case": "package_imports", "n": None, "latency_s": None, "wall_s": 0.35, "samples": 5}
IMPORTS |= {"pulumi_import_s": 0.25, "modules_loaded": 340, "own_modules_loaded": 55, "target_met": False}
IMPORTS |= {"importtime_own_top": [{"module": "pulumi_azure_peering.components", "cumulative_ms": 430.0}]}


def test_the_imports_print_beside_the_provider_start_up_and_not_in_the_main_table() -> None:
    text = report.table(doc(STARTUP, IMPORTS))
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("provider start-up:"))
    assert lines[start + 1].startswith("package imports: 0.350s over import pulumi (0.250s), median of 5")
    assert "pulumi_azure_peering.components 430" in lines[start + 1]
    assert report.markdown_table(doc(STARTUP, IMPORTS)).count("\n") == 1  # the header only
    startup = report.startup_table(doc(STARTUP, IMPORTS))
    assert "| dynamic-provider process: exec until it serves | 0.700 | 9 |" in startup
    assert "| the program's import of the package, over `import pulumi` | 0.350 | 5 |" in startup
    assert startup.endswith("**no** |")


ROLLOUT: dict[str, Any] = {
    "case": "rollout",
    "n": 100,
    "latency_s": 1.0,
    "wall_s": 110.0,
    "bound_s": 100.0,
    "ratio": 1.1,
}


def test_a_rollout_names_the_case_its_floors_came_from_or_says_it_has_none() -> None:
    reused = {**ROLLOUT, "floor_wall_s": 8.7, "floors_from": "rollout n=100 L=0.2", "latency_profile": "azure:0.1"}
    assert "engine floor 8.70s (floors measured by rollout n=100 L=0.2)" in report.table(doc(reused))
    own = {**ROLLOUT, "floor_wall_s": 8.7, "floors_from": None}
    assert "engine floor 8.70s;" in report.table(doc(own))
    none = {**ROLLOUT, "n": 500, "floors": "none: floors=False in the profile"}
    assert "no floors (floors=False in the profile)" in report.table(doc(none))
    # the realistic row shows in the Markdown tables with its profile
    assert "| rollout (azure:0.1) | 100 | 1 | 110.00 | 100.00 | 1.100 |" in report.markdown_table(doc(reused))
