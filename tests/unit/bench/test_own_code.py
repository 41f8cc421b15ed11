"""bench/own_code.py: our check+diff per stored peering, the calls the dynamic-provider process makes for it."""

from __future__ import annotations

from typing import Any

import pytest

from bench.own_code import check_diff_cpu_per_op_ms
from pulumi_azure_peering.provider.models import VirtualNetworkPeeringResource, outputs_from
from pulumi_azure_peering.provider.properties import ABSENT_WHEN_CHECKED_KEY, RESOURCE_NAME_KEY
from pulumi_azure_peering.provider.validation import validate_inputs
from tests.unit.provider.provider_fakes import peering_id, peering_json, vnet_id

pytestmark = pytest.mark.unit


def stored(**declared: Any) -> dict[str, Any]:
    """A spoke side as HubSpokePeering declares it and as `pulumi stack export` shows it after `up`."""
    inputs, failures = validate_inputs(
        {
            "virtual_network_id": vnet_id("spoke"),
            "name": "spoke-to-hub",
            "remote_virtual_network_id": vnet_id("hub"),
            "preflight": False,
            **declared,
        }
    )
    assert failures == []
    inputs = {**inputs, RESOURCE_NAME_KEY: "hub.spoke-to-hub", ABSENT_WHEN_CHECKED_KEY: "2026-12-07T00:00:00+00:00"}
    live = VirtualNetworkPeeringResource.model_validate(
        peering_json("spoke", "spoke-to-hub", "hub", state="Connected", sync="FullyInSync")
    )
    return {"id": peering_id("spoke", "spoke-to-hub"), "inputs": inputs, "outputs": outputs_from(inputs, live)}


def test_a_deployed_peering_checks_and_diffs_without_a_change() -> None:
    measured = check_diff_cpu_per_op_ms([stored(), stored()], rounds=3)
    assert measured["own_check_diff_peerings"] == 2
    assert measured["own_check_diff_changes"] == 0
    assert measured["own_check_diff_cpu_per_op_ms"] > 0


def test_a_peering_whose_inputs_differ_from_arm_is_counted_as_a_change() -> None:
    drifted = stored(allow_forwarded_traffic=True)  # ARM's answer above has it off
    measured = check_diff_cpu_per_op_ms([stored(), drifted], rounds=1)
    assert measured["own_check_diff_changes"] == 1


def test_no_peering_measures_nothing() -> None:
    assert check_diff_cpu_per_op_ms([]) == {
        "own_check_diff_cpu_per_op_ms": None,
        "own_check_diff_peerings": 0,
        "own_check_diff_changes": 0,
    }
