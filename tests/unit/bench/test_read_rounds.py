"""The read cases' rounds: each round's ratio is its own command's wall over the same round's floor, and the report
shows their spread beside the median (three runs of the same code put the N=200 preview's median over its shape
floor at 1.058, 1.113 and 1.292: one median says nothing of how far the next run's may land)."""

from __future__ import annotations

import json

import pytest

from bench import report
from bench.runs import CommandResult
from bench.suite import CaseResult, _floor_fields, _round_ratios, _versus_dynamic

pytestmark = pytest.mark.unit


def _runs(*walls: float) -> list[CommandResult]:
    return [CommandResult("preview", wall, 0, cpu_by_role={"engine": 1.0}) for wall in walls]


def test_each_round_is_paired_with_the_same_rounds_floor_not_with_the_median() -> None:
    peerings = _runs(4.0, 6.0, 5.0)
    floor = _runs(4.0, 4.0, 5.0)
    # median over median would say 5.0 / 4.0 = 1.25; the rounds say 1.0, 1.5 and 1.0
    assert _round_ratios(peerings, floor) == [1.0, 1.5, 1.0]
    fields = _floor_fields("shape", floor, peerings, 400)
    assert fields["over_shape_floor_ratio"] == 1.25
    assert fields["over_shape_floor_ratio_rounds"] == [1.0, 1.5, 1.0]
    assert fields["shape_floor_walls_s"] == [4.0, 4.0, 5.0]
    json.dumps(fields, allow_nan=False)  # what the results file holds is JSON


def test_a_floor_that_took_no_time_has_no_ratio_and_rounds_must_pair() -> None:
    assert _round_ratios(_runs(1.0, 2.0), _runs(0.0, 1.0)) == [None, 2.0]
    with pytest.raises(ValueError):
        _round_ratios(_runs(1.0, 2.0), _runs(1.0))


def _read_case(**extra: object) -> dict[str, object]:
    case: dict[str, object] = {
        "case": "preview",
        "n": 200,
        "latency_s": 0.0,
        "wall_s": 4.5,
        "bound_s": 2.4,
        "ratio": 1.875,
        "ratio_rounds": [1.8, 1.875, 1.9],
        "arm_calls_per_peering": 0.02,
        "arm_reads_per_vnet": 0.04,
        "arm_reads": 8,
        "arm_writes": 0,
        "identity_calls": 2,
        "repeats": 3,
        "shape_floor_wall_s": 3.6,
        "shape_floor_ratio": 1.5,
        "over_shape_floor_ratio": 1.25,
        "over_shape_floor_ratio_rounds": [1.3, 1.1, None],
        "shape_floor_ok": True,
    }
    case.update(extra)
    return case


def test_the_tables_show_each_ratios_spread_and_the_notes_each_round() -> None:
    table = report.shape_floor_table({"cases": [_read_case()]})
    assert "| peerings / shape floor | its rounds | library floor s | peerings / library floor | its rounds |" in table
    # a round whose floor took no time has no ratio: the spread is of the others; no library floor, no rounds
    assert "| 1.250 | 1.100 to 1.300 | - | - | - | 1.875 |" in table
    notes = report._notes(_read_case())
    assert any(line.endswith("median of 3 (rounds 1.800, 1.875, 1.900)") for line in notes), notes
    assert any("the peerings 1.250 x the shape floor (rounds 1.300, 1.100, -); its CPU" in line for line in notes)


def test_one_round_has_no_spread_and_results_without_rounds_still_print() -> None:
    one = _read_case(over_shape_floor_ratio_rounds=[1.25], ratio_rounds=[1.875])
    assert "| 1.250 | - |" in report.shape_floor_table({"cases": [one]})
    older = _read_case()
    del older["over_shape_floor_ratio_rounds"], older["ratio_rounds"]
    assert "| 1.250 | - |" in report.shape_floor_table({"cases": [older]})
    assert any(line.endswith("median of 3") for line in report._notes(older))


def test_a_plugin_row_shows_its_rounds_and_the_dynamic_paths_beside_them() -> None:
    dynamic = CaseResult(
        "refresh",
        200,
        0.0,
        1.8,
        1.0,
        1.8,
        extra={"shape_floor_wall_s": 1.4, "over_shape_floor_ratio": 1.29, "over_shape_floor_ratio_rounds": [1.2, 1.4]},
    )
    versus = _versus_dynamic(1.7, dynamic)
    assert versus["dynamic_over_shape_floor_ratio_rounds"] == [1.2, 1.4]
    row = {
        "case": "plugin_refresh",
        "n": 200,
        "latency_s": 0.0,
        "wall_s": 1.7,
        "shape_floor_wall_s": 1.2,
        "over_shape_floor_ratio": 1.417,
        "over_shape_floor_ratio_rounds": [1.5, 1.35],
        "target_met": False,
        **versus,
    }
    table = report.plugin_table({"cases": [row]})
    assert "| 1.417 | 1.350 to 1.500 | 1.80 | 1.40 | 1.290 | 1.200 to 1.400 | 0.944 | **no** |" in table
