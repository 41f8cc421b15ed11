"""The library floor (bench/library_floor.py): it imports only libraries this project's code imports, in the same
phase, and its files import them where they say (fresh interpreters of this venv; no CLI, no emulator)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bench import report
from bench.library_floor import PHASES, PROVIDER_MODULE
from bench.program_imports import FIRST_READ_MODULES, program_import_lines
from bench.programs import FLOOR_LIBRARIES_FILE, SHAPED, floor_libraries_module, shape_floor_modules
from bench.provider_probe import RUNTIME_MODULES
from bench.suite import PROVIDER_MODULE as PEERINGS_PROVIDER_MODULE
from tests.fresh_interpreter import run_fresh

pytestmark = pytest.mark.unit

SIDES = {
    "hub_to_spoke": {"inputs": {"name": "a"}, "outputs": {"name": "a", "peering_state": "Connected"}},
    "spoke_to_hub": {"inputs": {"name": "b"}, "outputs": {"name": "b", "peering_state": "Connected"}},
}
#: What this project's code imports before each phase and in it: the program's import of the package and its first
#: vnet read; the provider process's runtime and the peerings' provider module (its start); its first read (the ARM
#: client, azure-identity, and the models that read ARM's answer); its first check of a new peering (the preflight's
#: reads of its vnets, with the same).
OURS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "program": (("pulumi",), ("pulumi_azure_peering.components", *FIRST_READ_MODULES)),
    "provider_start": (RUNTIME_MODULES, (PEERINGS_PROVIDER_MODULE,)),
    "provider_first_read": (
        (*RUNTIME_MODULES, PEERINGS_PROVIDER_MODULE),
        (*FIRST_READ_MODULES, "pulumi_azure_peering.provider.models"),
    ),
    "provider_first_check": (
        (*RUNTIME_MODULES, PEERINGS_PROVIDER_MODULE),
        (*FIRST_READ_MODULES, "pulumi_azure_peering.provider.models"),
    ),
}


def run_in(directory: Path, script: str) -> Any:
    """``script``'s last printed line, as JSON, run by a fresh interpreter in ``directory`` (as a program is)."""
    return run_fresh(script, cwd=directory)


def write_files(directory: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (directory / name).write_text(text)


def test_every_phase_is_one_of_ours_and_the_program_phase_imports_the_package_as_the_bench_program_does() -> None:
    assert set(PHASES) == set(OURS)
    assert [line.split()[1] for line in program_import_lines()] == ["pulumi_azure_peering.components"]


@pytest.mark.parametrize("phase", sorted(OURS))
def test_this_projects_code_imports_in_the_same_phase_every_library_the_floor_imports_there(
    phase: str, tmp_path: Path
) -> None:
    before, then = OURS[phase]
    loaded = run_in(
        tmp_path,
        "import json, sys\n"
        f"for name in {before!r}:\n    __import__(name)\n"
        f"earlier = [m for m in {list(PHASES[phase])!r} if m in sys.modules]\n"
        f"for name in {then!r}:\n    __import__(name)\n"
        f"print(json.dumps([earlier, [m for m in {list(PHASES[phase])!r} if m not in sys.modules]]))",
    )
    # none of them was there before the phase (the floor would pay late what ours paid early) and ours loads all
    earlier, missing = loaded
    assert earlier == [] and missing == []


def test_the_floors_module_imports_a_phases_modules_and_fails_loudly_on_one_that_is_not_there(tmp_path: Path) -> None:
    (tmp_path / FLOOR_LIBRARIES_FILE).write_text(
        floor_libraries_module({"program": ["colorsys", "wave"], "broken": ["no_such_module_anywhere"]})
    )
    loaded = run_in(
        tmp_path,
        "import json, sys\n"
        "import floor_libraries\n"
        "before = ['colorsys' in sys.modules, 'wave' in sys.modules]\n"
        "floor_libraries.load('program'); floor_libraries.load('not-a-phase')\n"
        "try:\n    floor_libraries.load('broken'); failure = None\n"
        "except ImportError as exc:\n    failure = type(exc).__name__\n"
        "print(json.dumps([before, 'colorsys' in sys.modules, 'wave' in sys.modules, failure]))",
    )
    assert loaded == [[False, False], True, True, "ModuleNotFoundError"]


def test_the_shape_floor_imports_no_library_and_its_provider_reads_as_the_sdks_default(tmp_path: Path) -> None:
    files = shape_floor_modules(SIDES)
    write_files(tmp_path, files)
    answer = run_in(
        tmp_path,
        "import json, sys\n"
        "import shape_provider, floor_libraries\n"
        "read = shape_provider.Noop().read('id-1', {'name': 'a'})\n"
        "print(json.dumps([floor_libraries.MODULES, read.id, read.outs, 'azure.mgmt.core.tools' in sys.modules]))",
    )
    assert answer == [{}, "id-1", {"name": "a"}, False]


def test_the_library_floors_provider_imports_at_its_start_and_at_its_first_read_what_ours_does(tmp_path: Path) -> None:
    write_files(tmp_path, shape_floor_modules(SIDES, PHASES))
    answer = run_in(
        tmp_path,
        "import json, sys\n"
        f"import {PROVIDER_MODULE}\n"
        "started = [m in sys.modules for m in ('azure.mgmt.core.tools', 'azure.identity', 'pydantic.main')]\n"
        f"{PROVIDER_MODULE}.Noop().read('id-1', {{}})\n"
        "print(json.dumps([started, [m in sys.modules for m in ('azure.identity', 'pydantic.main')]]))",
    )
    assert answer == [[True, False, False], [True, True]]
    assert 'floor_libraries.load("program")' in SHAPED


@pytest.mark.parametrize(("olds", "loads"), [({}, True), ({"name": "a", "key": "0-a"}, False)])
def test_the_library_floors_check_imports_what_ours_does_for_a_new_resource_only(
    olds: dict[str, Any], loads: bool, tmp_path: Path
) -> None:
    """Ours runs the preflight, which reads ARM, for a new peering only: a no-change preview loads no library."""
    write_files(tmp_path, shape_floor_modules(SIDES, PHASES))
    answer = run_in(
        tmp_path,
        "import json, sys\n"
        f"import {PROVIDER_MODULE}\n"
        f"checked = {PROVIDER_MODULE}.Noop().check({olds!r}, {{'name': 'a'}})\n"
        "print(json.dumps([checked.inputs, checked.failures, "
        "[m in sys.modules for m in ('azure.identity', 'pydantic.main', 'requests')]]))",
    )
    assert answer == [{"name": "a"}, [], [loads, loads, loads]]


def test_the_report_shows_the_library_floor_beside_the_shape_floor() -> None:
    case = {
        "case": "refresh",
        "n": 200,
        "latency_s": 0.0,
        "wall_s": 2.2,
        "bound_s": 1.2,
        "ratio": 1.8,
        "arm_calls_per_peering": 0.035,
        "arm_reads_per_vnet": 0.07,
        "arm_reads": 14,
        "arm_writes": 0,
        "identity_calls": 2,
        "repeats": 3,
        "shape_floor_wall_s": 1.7,
        "shape_floor_ratio": 1.4,
        "over_shape_floor_ratio": 1.29,
        "shape_floor_ok": True,
        "library_floor_wall_s": 2.0,
        "over_library_floor_ratio": 1.1,
        "library_floor_ok": False,
        "library_floor_engine_cpu_s": 1.0,
        "library_floor_provider_cpu_per_op_ms": 1.9,
    }
    table = report.shape_floor_table({"cases": [case]})
    assert "| shape floor / engine floor | peerings / shape floor | its rounds | library floor s |" in table
    assert "| 1.70 | 1.400 | 1.290 | - | 2.00 | 1.100 | - | 1.800 |" in table
    notes = [line for line in report._notes(case) if " floor (" in line]
    assert notes == [
        "refresh n=200: shape floor (trivial resources shaped like the peerings) 1.70s = 1.400 x the engine floor; "
        "the peerings 1.290 x the shape floor; its CPU: provider - ms/op",
        "refresh n=200: library floor (the shape floor importing the mission's libraries where this project's code "
        "does) 2.00s; the peerings 1.100 x the library floor; its CPU: engine 1.00s, provider 1.90 ms/op (FAILED: a "
        "floor command did not succeed)",
    ]
