"""bench/own_code.py: our check+diff per stored peering, the calls the dynamic-provider process makes for it."""

from __future__ import annotations

import pytest

from bench.own_code import check_diff_cpu_per_op_ms
from tests.unit.provider.provider_fakes import stored_component_side

pytestmark = pytest.mark.unit


def test_a_deployed_peering_checks_and_diffs_without_a_change() -> None:
    measured = check_diff_cpu_per_op_ms([stored_component_side(), stored_component_side()], rounds=3)
    assert measured["own_check_diff_peerings"] == 2
    assert measured["own_check_diff_changes"] == 0
    assert measured["own_check_diff_cpu_per_op_ms"] > 0


def test_a_peering_whose_inputs_differ_from_arm_is_counted_as_a_change() -> None:
    drifted = stored_component_side(allow_forwarded_traffic=True)  # ARM's answer has it off
    measured = check_diff_cpu_per_op_ms([stored_component_side(), drifted], rounds=1)
    assert measured["own_check_diff_changes"] == 1


def test_no_peering_measures_nothing() -> None:
    assert check_diff_cpu_per_op_ms([]) == {
        "own_check_diff_cpu_per_op_ms": None,
        "own_check_diff_peerings": 0,
        "own_check_diff_changes": 0,
    }
