"""The peering's schema (provider/schema.py) and the typed classes that declare its fields for type checkers:
they name the same fields, with the same defaults and required inputs."""

from __future__ import annotations

import dataclasses

import pytest

from pulumi_azure_peering.components.partial_plan import INPUT_FIELDS, peering_input
from pulumi_azure_peering.plugin.schema import attribute_docs
from pulumi_azure_peering.provider import schema
from pulumi_azure_peering.provider.models import PeeringSpec
from pulumi_azure_peering.provider.peering import PeeringOutputs, VirtualNetworkPeeringArgs
from pulumi_azure_peering.provider.validation import normalise

pytestmark = pytest.mark.unit


def test_args_declare_exactly_the_inputs() -> None:
    fields = dataclasses.fields(VirtualNetworkPeeringArgs)
    assert {f.name for f in fields} == set(schema.INPUTS)
    required = [f.name for f in fields if f.default is dataclasses.MISSING]
    assert required == list(schema.REQUIRED_INPUTS)


def test_every_input_is_documented_on_the_args() -> None:
    docs = attribute_docs(VirtualNetworkPeeringArgs)
    assert [name for name in schema.INPUTS if not docs.get(name)] == []


def test_outputs_declare_every_input_and_every_output_only_field() -> None:
    assert set(PeeringOutputs.__annotations__) == {f.name for f in schema.FIELDS}


def test_spec_holds_the_inputs_with_the_schemas_defaults() -> None:
    spec_fields = PeeringSpec.model_fields
    assert set(spec_fields) == set(schema.INPUTS)
    for name, default in schema.INPUT_DEFAULTS.items():
        assert spec_fields[name].default == default, name
    assert {n for n, f in spec_fields.items() if f.is_required()} == {
        "virtual_network_id",
        "name",
        *schema.REQUIRED_INPUTS,
    }


def test_check_fills_in_the_schemas_defaults() -> None:
    filled = normalise({})
    assert {k: filled[k] for k in schema.INPUT_DEFAULTS} == dict(schema.INPUT_DEFAULTS)
    assert filled["timeouts"] == dict.fromkeys(schema.TIMEOUT_OPERATIONS, schema.DEFAULT_TIMEOUT_SECONDS)


def test_every_input_has_one_kind_of_change() -> None:
    groups = (schema.REPLACE_FIELDS, schema.FLAG_FIELDS, schema.LIST_FIELDS, schema.LOCAL_FIELDS, schema.SYNC_FIELDS)
    assert sorted(name for group in groups for name in group) == sorted(schema.INPUTS)


def test_the_planner_gives_inputs_of_the_peering_under_their_names() -> None:
    given = {peering_input(f) for f in INPUT_FIELDS}
    assert given <= set(schema.INPUTS)
    # what the planner leaves to the peering's defaults (prefix peering is not planned), or the component decides
    left = {"do_not_verify_remote_gateways", "local_address_space", "remote_address_space", "sync_remote_address_space"}
    assert set(schema.INPUTS) - given == left | {"preflight"}
