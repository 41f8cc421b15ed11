"""The provider plugin's own logic, without an engine: schema, names, property values, import inputs, the
component's inputs, and check/diff through the core."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Coroutine
from typing import Any, TypeVar

import pulumi
import pytest
from pulumi.output import Unknown
from pulumi.provider.experimental import provider as px
from pulumi.provider.experimental.property_value import PropertyValue
from pulumi.runtime.rpc import UNKNOWN

from pulumi_azure_peering.plugin import HUB_SPOKE_TYPE, PEERING_TYPE
from pulumi_azure_peering.plugin.names import camel, snake
from pulumi_azure_peering.plugin.provider import (
    AzurePeeringProvider,
    _schema_path,
    _with_timeout,
    hub_spoke_args,
    imported_inputs,
    to_property_value,
    to_python,
)
from pulumi_azure_peering.plugin.schema import SCHEMA_FILE, build_schema, schema_text
from pulumi_azure_peering.provider.schema import OUTPUT_ONLY
from pulumi_azure_peering.provider.validation import KNOWN_INPUTS, MAX_TIMEOUT_SECONDS
from tests.emulator_config import seeded_vnet

pytestmark = pytest.mark.unit
T = TypeVar("T")


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine on a loop of its own: unlike asyncio.run, leave the thread's event loop policy as it was
    (asyncio.run unsets it, and later tests that build Pulumi programs with mocks need it)."""
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coro)
    finally:
        loop.close()


HUB = seeded_vnet("vnet-hub")
SPOKE = seeded_vnet("vnet-payments")
URN = f"urn:pulumi:test::proj::{PEERING_TYPE}::hub-to-payments"


def test_checked_in_schema_is_the_generated_one() -> None:
    """plugin/schema.json is what `python -m pulumi_azure_peering.plugin.schema` prints: regenerate it."""
    assert SCHEMA_FILE.read_text() == schema_text()


def test_schema_describes_every_property_and_hides_the_secret() -> None:
    schema = build_schema()
    peering = schema["resources"][PEERING_TYPE]
    assert set(peering["inputProperties"]) == {camel(k) for k in KNOWN_INPUTS}
    assert set(peering["properties"]) >= {camel(k) for k in OUTPUT_ONLY}
    assert peering["requiredInputs"] == ["virtualNetworkId", "remoteVirtualNetworkId"]
    assert all(p["description"] for p in peering["inputProperties"].values())
    assert schema["resources"][HUB_SPOKE_TYPE]["isComponent"] is True
    assert schema["config"]["variables"]["clientSecret"]["secret"] is True
    assert schema["provider"]["inputProperties"]["clientSecret"]["secret"] is True
    assert [k for k, v in schema["config"]["variables"].items() if v.get("secret")] == ["clientSecret"]


@pytest.mark.parametrize("name", sorted(KNOWN_INPUTS | set(OUTPUT_ONLY) | {"__resource_name"}))
def test_names_round_trip(name: str) -> None:
    assert snake(camel(name)) == name


def test_property_values_round_trip_with_unknowns() -> None:
    value = {"a": [1, "x", None, True], "b": {"c": 2.5}, "u": Unknown()}  # type: ignore[no-untyped-call]
    marshalled = to_property_value(value)
    assert to_python(marshalled)["u"] == UNKNOWN  # the wire sentinel: the SDK cannot marshal Computed itself
    back = to_python(marshalled)
    assert back["a"] == [1.0, "x", None, True] and back["b"] == {"c": 2.5}
    assert isinstance(to_python(PropertyValue.computed()), Unknown)


def test_custom_timeout_overrides_the_input_for_its_operation_only() -> None:
    props = {"timeouts": {"create": 1800.0, "update": 900.0}}
    assert _with_timeout(props, "create", 3.0)["timeouts"] == {"create": 3.0, "update": 900.0}
    assert _with_timeout(props, "create", 0.0) is props


def test_a_custom_timeout_over_a_day_is_clamped_not_an_error_about_timeouts() -> None:
    """customTimeouts never reach check, so a 48 h one cannot be refused at preview: the write uses the core's
    longest allowed timeout instead of failing on `timeouts`, an input the user never set."""
    from pulumi_azure_peering.provider.resource import VirtualNetworkPeeringProvider

    props = {
        "virtual_network_id": seeded_vnet("vnet-hub"),
        "remote_virtual_network_id": seeded_vnet("vnet-payments"),
        "name": "p",
        "timeouts": {"create": 1800.0},
    }
    clamped = _with_timeout(props, "create", 48 * 3600.0)
    assert clamped["timeouts"]["create"] == MAX_TIMEOUT_SECONDS
    spec = VirtualNetworkPeeringProvider()._spec(clamped)  # what create validates first: no failure on `timeouts`
    assert spec.timeouts.create == MAX_TIMEOUT_SECONDS


def test_imported_inputs_are_identity_and_non_default_flags() -> None:
    outs = {
        "virtual_network_id": HUB,
        "remote_virtual_network_id": SPOKE,
        "name": "p",
        "allow_virtual_network_access": True,
        "allow_forwarded_traffic": True,
        "peer_complete_vnets": True,
        "local_address_space": ["10.0.0.0/16"],
        "timeouts": None,
        "peering_state": "Connected",
    }
    assert imported_inputs(outs) == {
        "virtual_network_id": HUB,
        "remote_virtual_network_id": SPOKE,
        "name": "p",
        "allow_forwarded_traffic": True,
    }
    subnets = outs | {"peer_complete_vnets": False, "local_subnet_names": ["app"], "remote_subnet_names": ["shared"]}
    assert imported_inputs(subnets)["local_subnet_names"] == ["app"]
    assert imported_inputs(subnets)["peer_complete_vnets"] is False


def test_component_inputs_become_hub_spoke_args() -> None:
    inputs = {
        "hubVnetId": PropertyValue(HUB),
        "mesh": PropertyValue(True),
        "spokes": PropertyValue(
            {
                "payments": PropertyValue(
                    {
                        "vnetId": PropertyValue(SPOKE, dependencies=["urn:pulumi:test::proj::azure:vnet::payments"]),
                        "useHubGateway": PropertyValue(True),
                        "localSubnetNames": PropertyValue([PropertyValue("app")]),
                    }
                )
            }
        ),
    }

    async def build(values: dict[str, PropertyValue]) -> Any:
        return hub_spoke_args(values)

    args = run(build(inputs))
    assert args.hub_vnet_id == HUB and args.mesh is True
    spoke = args.spokes["payments"]
    assert spoke.use_hub_gateway is True and spoke.local_subnet_names == ["app"]
    assert isinstance(spoke.vnet_id, pulumi.Output)  # it comes from another resource: planned once it exists

    unknown_flag = dict(inputs, mesh=PropertyValue.computed())
    with pytest.raises(pulumi.InputPropertyError):
        run(build(unknown_flag))


def _check(provider: AzurePeeringProvider, news: dict[str, Any]) -> px.CheckResponse:
    request = px.CheckRequest(URN, {}, {k: to_property_value(v) for k, v in news.items()}, b"")
    return run(provider.check(request))


def test_check_fills_defaults_and_names_failures_in_camel_case() -> None:
    provider = AzurePeeringProvider(threads=2)
    ok = _check(provider, {"virtualNetworkId": HUB, "remoteVirtualNetworkId": SPOKE, "preflight": False})
    assert not ok.failures
    assert ok.inputs is not None
    inputs = {k: to_python(v) for k, v in ok.inputs.items()}
    assert inputs["name"] == "hub-to-payments"  # the resource's name, as the dynamic resource does
    assert inputs["allowVirtualNetworkAccess"] is True and inputs["__resource_name"] == "hub-to-payments"

    bad = _check(provider, {"virtualNetworkId": "not-an-id", "remoteVirtualNetworkId": SPOKE, "preflight": False})
    assert [f.property for f in bad.failures or []] == ["virtualNetworkId"]


def test_diff_replaces_in_camel_case() -> None:
    provider = AzurePeeringProvider(threads=2)
    old = {"virtualNetworkId": HUB, "remoteVirtualNetworkId": SPOKE, "name": "p", "peeringState": "Connected"}
    new = dict(old, name="q")
    request = px.DiffRequest(
        URN,
        "id",
        {k: to_property_value(v) for k, v in old.items()},
        {k: to_property_value(v) for k, v in new.items()},
        [],
    )
    diff = run(provider.diff(request))
    assert diff.changes is True and diff.replaces == ["name"]
    assert diff.detailed_diff["name"].kind == px.PropertyDiffKind.UPDATE_REPLACE


def test_schema_text_is_json() -> None:
    assert json.loads(schema_text())["name"] == "azure-peering"


def test_the_plugin_serves_the_generated_schema() -> None:
    """GetSchema answers with the packaged file, which is what the generator makes of the current sources."""
    served = run(AzurePeeringProvider().get_schema(px.GetSchemaRequest(version=0)))
    assert served.schema == schema_text()


def test_diff_names_in_place_changes_and_keeps_replaces_apart() -> None:
    provider = AzurePeeringProvider(threads=2)
    old = {
        "virtualNetworkId": HUB,
        "remoteVirtualNetworkId": SPOKE,
        "name": "p",
        "allowForwardedTraffic": False,
        "peeringState": "Connected",
    }
    new = dict(old, allowForwardedTraffic=True)
    request = px.DiffRequest(
        URN,
        "id",
        {k: to_property_value(v) for k, v in old.items()},
        {k: to_property_value(v) for k, v in new.items()},
        [],
    )
    diff = run(provider.diff(request))
    assert diff.changes is True and diff.replaces == [] and diff.diffs == ["allowForwardedTraffic"]
    assert diff.detailed_diff["allowForwardedTraffic"].kind == px.PropertyDiffKind.UPDATE


def test_secret_inputs_stay_secret() -> None:
    provider = AzurePeeringProvider(threads=2)
    news = {
        "virtualNetworkId": to_property_value(HUB).with_secret(True),
        "remoteVirtualNetworkId": to_property_value(SPOKE),
        "preflight": to_property_value(False),
    }
    checked = run(provider.check(px.CheckRequest(URN, {}, news, b"")))
    assert checked.inputs is not None
    assert checked.inputs["virtualNetworkId"].is_secret and not checked.inputs["remoteVirtualNetworkId"].is_secret


def test_planner_paths_in_schema_names() -> None:
    assert _schema_path('spokes["my_spoke"].use_hub_gateway') == 'spokes["my_spoke"].useHubGateway'
    assert _schema_path('hub_vnet_id, spokes["a"].vnet_id') == 'hubVnetId, spokes["a"].vnetId'


def test_a_fix_is_said_in_the_package_users_terms() -> None:
    """YAML and TypeScript users get their option syntax and the schema's names, not Python's."""
    from pulumi_azure_peering.plugin.provider import in_package_terms
    from pulumi_azure_peering.provider.preflight import already_exists_message

    text = in_package_terms(already_exists_message("hub-to-spoke", "vnet-hub"))
    assert "ResourceOptions" not in text and "SpokeArgs" not in text and "adopt_existing" not in text
    assert "options: {aliases: [{name: <old resource name>}]}" in text and "previousKeys" in text
    assert "adoptExisting=true" in text
    assert in_package_terms("set use_remote_gateways=False on x") == "set useRemoteGateways=False on x"
