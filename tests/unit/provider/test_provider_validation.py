"""check's pure part: field-named failures, defaults, tolerance of unknowns during preview."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pulumi_azure_peering.provider.validation import is_unknown, validate_inputs
from tests.unit.provider.provider_fakes import vnet_id
from tests.unit.provider.runtime_calls import runtime_unknown

pytestmark = pytest.mark.unit


def base(**extra: Any) -> dict[str, Any]:
    return {
        "virtual_network_id": vnet_id("hub"),
        "name": "hub-to-spoke",
        "remote_virtual_network_id": vnet_id("spoke"),
        **extra,
    }


def failures_of(**extra: Any) -> dict[str, str]:
    _, failures = validate_inputs(base(**extra))
    return {f.property: f.reason for f in failures}


def test_valid_inputs_get_azure_defaults() -> None:
    inputs, failures = validate_inputs(base())
    assert failures == []
    assert inputs["allow_virtual_network_access"] is True
    assert inputs["peer_complete_vnets"] is True
    assert inputs["allow_forwarded_traffic"] is False
    assert inputs["sync_remote_address_space"] == "auto"
    assert inputs["timeouts"] == {"create": 1800.0, "update": 1800.0, "delete": 1800.0}
    assert inputs["adopt_existing"] is False


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("virtual_network_id", "not-an-id", "not an ARM resource id"),
        ("virtual_network_id", vnet_id("hub") + "/subnets/a", "not a virtual network id"),
        (
            "remote_virtual_network_id",
            "/subscriptions/x/resourceGroups/r/providers/Microsoft.Network/virtualNetworks/v",
            "not a GUID",
        ),
        (
            "remote_virtual_network_id",
            "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/r/providers/Microsoft.Compute/disks/d",
            "not a virtual network id",
        ),
        ("name", "-bad", "not a valid peering name"),
        ("name", "x" * 81, "not a valid peering name"),
        ("name", "ends.", "not a valid peering name"),
        ("allow_forwarded_traffic", "yes", "true or false"),
        ("sync_remote_address_space", "sometimes", "auto, always, never"),
        ("timeouts", {"create": -1}, "between 0"),
        ("timeouts", {"craete": 5}, "unknown timeout"),
        ("auxiliary_tenant_ids", ["not-a-guid"], "GUID"),
        ("auxiliary_tenant_ids", [str(i) * 8 + "-0000-0000-0000-000000000000" for i in range(4)], "at most 3"),
        ("colour", "blue", "unknown input"),
    ],
)
def test_field_named_failures(field: str, value: Any, words: str) -> None:
    found = failures_of(**{field: value})
    assert field in found, found
    assert words in found[field]


def test_required_fields() -> None:
    _, failures = validate_inputs({})
    assert {f.property for f in failures} == {"virtual_network_id", "name", "remote_virtual_network_id"}
    assert all(f.reason == "is required" for f in failures)


def test_self_peering() -> None:
    found = failures_of(remote_virtual_network_id=vnet_id("HUB").replace("rg1", "RG1"))
    assert "itself" in found["remote_virtual_network_id"]


def test_contradictory_gateway_flags() -> None:
    assert (
        "cannot both be true"
        in failures_of(use_remote_gateways=True, allow_gateway_transit=True)["use_remote_gateways"]
    )


def test_subnet_lists_only_with_subnet_peering() -> None:
    found = failures_of(local_subnet_names=["a"], remote_address_space=["10.0.0.0/24"], enable_only_ipv6_peering=True)
    assert set(found) == {"local_subnet_names", "remote_address_space", "enable_only_ipv6_peering"}
    assert all("peer_complete_vnets=false" in r for r in found.values())


def test_subnet_peering_needs_both_lists_with_valid_unique_names() -> None:
    found = failures_of(peer_complete_vnets=False, local_subnet_names=["a", "A"], remote_subnet_names=[])
    assert "listed twice" in found["local_subnet_names"]
    assert "at least one" in found["remote_subnet_names"]
    assert failures_of(peer_complete_vnets=False, local_subnet_names=["a"], remote_subnet_names=["b"]) == {}


def test_cidrs_of_prefix_peering() -> None:
    found = failures_of(
        peer_complete_vnets=False,
        local_subnet_names=["a"],
        remote_subnet_names=["b"],
        local_address_space=["10.0.0.1/24"],
        remote_address_space=["banana"],
    )
    assert "did you mean 10.0.0.0/24" in found["local_address_space"]
    assert "not a CIDR" in found["remote_address_space"]


def test_unknowns_during_preview_skip_the_checks_that_need_them() -> None:
    unknown = runtime_unknown()
    inputs, failures = validate_inputs(
        base(remote_virtual_network_id=unknown, local_subnet_names=[unknown], peer_complete_vnets=unknown)
    )
    assert failures == []
    assert is_unknown(inputs["remote_virtual_network_id"])
    _, failures = validate_inputs(base(name=unknown, virtual_network_id=unknown))
    assert failures == []


@given(st.from_regex(r"[A-Za-z0-9]([A-Za-z0-9_.-]{0,78}[A-Za-z0-9_])?", fullmatch=True))
def test_every_valid_name_passes(name: str) -> None:
    assert "name" not in failures_of(name=name)


@given(st.text(max_size=90))
def test_names_never_crash_and_bad_ones_fail(name: str) -> None:
    import re

    ok = re.fullmatch(r"[A-Za-z0-9]([A-Za-z0-9_.-]{0,78}[A-Za-z0-9_])?", name) is not None
    assert ("name" not in failures_of(name=name)) == ok
