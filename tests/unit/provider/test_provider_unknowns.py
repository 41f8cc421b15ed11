"""Inputs not known at preview, as the runtime really delivers them: through the SDK's own dynamic-provider
servicer and wire format (see runtime_calls.py), never a hand-written stand-in."""

from __future__ import annotations

from typing import Any

import pytest

from pulumi_azure_peering.provider.resource import VirtualNetworkPeeringProvider
from pulumi_azure_peering.provider.validation import KNOWN_INPUTS, is_unknown, validate_inputs
from tests.unit.provider.provider_fakes import vnet_id
from tests.unit.provider.runtime_calls import UNKNOWN_INPUT, RuntimeCalls, runtime_unknown

pytestmark = pytest.mark.unit

CALLS = RuntimeCalls(VirtualNetworkPeeringProvider())


def inputs(**extra: Any) -> dict[str, Any]:
    return {
        "virtual_network_id": vnet_id("hub"),
        "name": "hub-to-spoke",
        "remote_virtual_network_id": vnet_id("spoke"),
        "preflight": False,
        **extra,
    }


def test_the_runtime_hands_check_an_object_that_is_unknown() -> None:
    value = runtime_unknown()
    assert not isinstance(value, str)  # what tests of old fed instead
    assert is_unknown(value) and is_unknown([value]) and is_unknown({"create": value})


def test_check_accepts_unknown_vnet_ids_and_keeps_them_unknown() -> None:
    outcome = CALLS.check(inputs(virtual_network_id=UNKNOWN_INPUT, remote_virtual_network_id=UNKNOWN_INPUT))
    assert outcome.failures == {}
    assert is_unknown(outcome.inputs["virtual_network_id"]) and is_unknown(outcome.inputs["remote_virtual_network_id"])
    assert outcome.inputs["allow_virtual_network_access"] is True  # known defaults still filled in


def test_check_accepts_every_input_unknown() -> None:
    every = {key: UNKNOWN_INPUT for key in KNOWN_INPUTS}
    outcome = CALLS.check(every)
    assert outcome.failures == {}
    assert all(is_unknown(outcome.inputs[k]) for k in every)


def test_check_runs_the_checks_of_known_values_beside_unknown_ones() -> None:
    outcome = CALLS.check(inputs(virtual_network_id=UNKNOWN_INPUT, name="bad name!", allow_forwarded_traffic="yes"))
    assert set(outcome.failures) == {"name", "allow_forwarded_traffic"}


def test_unknown_subnet_list_on_a_whole_vnet_link_is_not_refused() -> None:
    assert CALLS.check(inputs(local_subnet_names=UNKNOWN_INPUT)).failures == {}
    outcome = CALLS.check(
        inputs(peer_complete_vnets=False, local_subnet_names=[UNKNOWN_INPUT], remote_subnet_names=["b"])
    )
    assert outcome.failures == {}
    assert is_unknown(outcome.inputs["local_subnet_names"]) and outcome.inputs["remote_subnet_names"] == ["b"]


def test_check_with_unknown_ids_asks_arm_nothing() -> None:
    # preflight on (the default), no ARM configured: any request would fail the check with a settings error
    outcome = CALLS.check(inputs(preflight=None, remote_virtual_network_id=UNKNOWN_INPUT))
    assert outcome.failures == {}


def olds() -> dict[str, Any]:
    checked, failures = validate_inputs(inputs())
    assert not failures
    return {**checked, "peering_state": "Connected", "peering_sync_level": "FullyInSync"}


@pytest.mark.parametrize("key", ["virtual_network_id", "remote_virtual_network_id", "name"])
def test_diff_of_an_unknown_identity_field_may_replace(key: str) -> None:
    checked = {**olds(), key: UNKNOWN_INPUT}
    outcome = CALLS.diff(olds(), checked)
    assert outcome.changes == "DIFF_SOME"
    assert outcome.replaces == [key] and outcome.delete_before_replace is True


def test_diff_of_an_unknown_flag_may_update_in_place() -> None:
    outcome = CALLS.diff(olds(), {**olds(), "allow_forwarded_traffic": UNKNOWN_INPUT})
    assert outcome.changes == "DIFF_SOME" and outcome.replaces == []


def test_diff_of_unknown_local_settings_is_an_update_not_a_crash() -> None:
    news = {**olds(), "sync_remote_address_space": UNKNOWN_INPUT, "timeouts": UNKNOWN_INPUT}
    outcome = CALLS.diff(olds(), news)
    assert outcome.changes == "DIFF_SOME" and outcome.replaces == []


def test_diff_of_known_equal_inputs_is_no_change() -> None:
    assert CALLS.diff(olds(), olds()).changes == "DIFF_NONE"
