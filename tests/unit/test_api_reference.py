"""What the API reference (``make docs``, docs/reference/) states is there and is true.

- Every public name, and every field of the public classes, has a docstring of its own: the reference is generated
  from them, and a name that loses its docstring would show up empty.
- Where ARM holds each peering field (``provider/schema.py``'s ``FIELDS``, which the reference prints under each
  field) is where the provider writes it to and reads it from.
- The peering fields each field of ``SpokeArgs`` / ``HubSpokePeeringArgs`` sets (``peering_pairs.ARGS_SET``, printed
  under each field) are those the planner sets: a topology planned with the field changed differs from the one
  planned without it in exactly those fields, on those sides.
"""

from __future__ import annotations

import dataclasses
import inspect
import re
from collections.abc import Mapping
from typing import Any

import pytest

import pulumi_azure_peering
from harness.topology import vnet_id
from pulumi_azure_peering import provider
from pulumi_azure_peering.components import hub_spoke, pair_status, peering_pairs
from pulumi_azure_peering.components.partial_plan import peering_input
from pulumi_azure_peering.components.plan import Plan, plan_hub_spoke
from pulumi_azure_peering.plugin.schema import attribute_docs
from pulumi_azure_peering.provider import schema
from pulumi_azure_peering.provider.models import PeeringSpec, VirtualNetworkPeeringResource, outputs_from
from pulumi_azure_peering.provider.peering import PeeringOutputs, VirtualNetworkPeeringArgs

pytestmark = pytest.mark.unit

SUB = "11111111-1111-1111-1111-111111111111"
TENANT = "aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa"

#: Public names outside ``pulumi_azure_peering.__all__`` that the reference documents too.
ALSO_DOCUMENTED = (
    provider.get_virtual_network,
    provider.get_virtual_networks,
    provider.read_virtual_networks,
    PeeringOutputs,
    hub_spoke.HubSpokeError,
    pair_status.pair_status,
)


def own_doc(obj: Any) -> str:
    """``obj``'s own docstring: not a base class's, not the signature a dataclass writes when there is none."""
    doc = obj.__dict__.get("__doc__") if isinstance(obj, type) else obj.__doc__
    if not doc or (isinstance(obj, type) and dataclasses.is_dataclass(obj) and doc.startswith(f"{obj.__name__}(")):
        return ""
    return inspect.cleandoc(doc)


PUBLIC = [getattr(pulumi_azure_peering, name) for name in pulumi_azure_peering.__all__ if name != "__version__"]


@pytest.mark.parametrize("obj", [*PUBLIC, *ALSO_DOCUMENTED], ids=lambda obj: obj.__name__)
def test_every_public_name_has_a_docstring(obj: Any) -> None:
    assert own_doc(obj), f"{obj.__module__}.{obj.__name__} has no docstring: the API reference would show it empty"


@pytest.mark.parametrize("cls", [c for c in PUBLIC if dataclasses.is_dataclass(c)], ids=lambda c: c.__name__)
def test_every_field_of_a_public_class_has_a_docstring(cls: type) -> None:
    docs = attribute_docs(cls)
    assert [f.name for f in dataclasses.fields(cls) if not docs.get(f.name)] == []


def test_the_components_outputs_have_docstrings() -> None:
    docs = attribute_docs(hub_spoke.HubSpokePeering)
    assert [name for name in ("peerings", "mesh_peerings", "resources") if not docs.get(name)] == []


def test_every_peering_field_has_its_facts() -> None:
    for field in schema.FIELDS:
        facts = schema.field_facts(field.name)
        assert facts.startswith(("ARM: ", "Never sent to ARM")), field.name
        if field.role is schema.Role.INPUT:
            assert "A change " in facts and ("Default: " in facts or "Required." in facts), field.name
    rows = schema.fields_table().splitlines()[2:]
    assert [row.split("|")[1].strip(" `") for row in rows] == [f.name for f in schema.FIELDS]
    assert schema.field_facts("allow_gateway_transit") == (
        "ARM: ``properties.allowGatewayTransit``. Default: ``false``. A change updates the peering in place (a PUT)."
    )


def test_what_the_args_docstrings_say_by_hand_agrees_with_the_table() -> None:
    """The Args' own words predate the table and feed the package schema (plugin/schema.json): where they name a
    default or a kind of change, it must be the table's, so the reference never says two things of one field."""
    said = attribute_docs(VirtualNetworkPeeringArgs)
    wrong = []
    for name in schema.INPUTS:
        field, doc = schema.BY_NAME[name], said[name]
        default = re.search(r"Default (true|false|auto)\.", doc)
        if default and default[1] != str(field.default).lower():
            wrong.append(f"{name}: says default {default[1]}, the table {field.default}")
        if "replaces the peering" in doc and field.change is not schema.Change.REPLACE:
            wrong.append(f"{name}: says a change replaces, the table {field.change}")
        if "in place" in doc and field.change not in (schema.Change.FLAG, schema.Change.LIST):
            wrong.append(f"{name}: says a change is in place, the table {field.change}")
    assert wrong == []


# -- where ARM holds each field ---------------------------------------------------------------------------------


def at(body: Mapping[str, Any], path: str) -> Any:
    """The value at a JSON path of the schema's form (``properties.remoteGateways[].id``)."""
    value: Any = body
    for part in path.split("."):
        if part.endswith("[]"):
            value = value[part[:-2]]
        elif isinstance(value, list):
            value = [item[part] for item in value]
        else:
            value = value[part]
    return value


def put_at(body: dict[str, Any], path: str, value: Any) -> None:
    """Set ``value`` at such a path (a ``[]`` part: a list of one object)."""
    *parents, last = path.split(".")
    for part in parents:
        if part.endswith("[]"):
            body[part[:-2]] = [{}]
            body = body[part[:-2]][0]
        else:
            body = body.setdefault(part, {})
    body[last] = value


def json_paths() -> dict[str, str]:
    """The fields whose ARM place is a JSON path (not words), by name."""
    return {f.name: str(f.arm_property) for f in schema.FIELDS if f.arm_property and " " not in f.arm_property}


def test_the_inputs_are_written_where_the_schema_says() -> None:
    written = {
        name: path
        for name, path in json_paths().items()
        if schema.BY_NAME[name].role is schema.Role.INPUT
        and path.startswith("properties.")
        and schema.BY_NAME[name].change is not schema.Change.SYNC
    }
    flipped = {name: not default for name, default in schema.BOOL_DEFAULTS.items()}
    spec = PeeringSpec.model_validate(
        {
            **flipped,
            "virtual_network_id": vnet_id(SUB, "rg", "vnet-a"),
            "name": "a-to-b",
            "remote_virtual_network_id": vnet_id(SUB, "rg", "vnet-b"),
            "peer_complete_vnets": False,  # the subnet lists and prefixes are sent for subnet peering only
            "local_subnet_names": ["app"],
            "remote_subnet_names": ["shared"],
            "local_address_space": ["10.1.0.0/24"],
            "remote_address_space": ["10.0.0.0/24"],
        }
    )
    body = spec.put_body()
    assert {name: at(body, path) for name, path in written.items()} == {name: getattr(spec, name) for name in written}


def test_the_outputs_are_read_where_the_schema_says() -> None:
    arm: dict[str, Any] = {}
    sent: dict[str, Any] = {}
    for name, path in json_paths().items():
        field = schema.BY_NAME[name]
        if field.role is schema.Role.INPUT and field.change is schema.Change.SYNC:
            continue  # an input never sent; its ARM counterpart is an output of its own
        value: Any = {
            "bool": not field.default,
            "str": f"/x/{name}" if path.endswith("id") else f"value-of-{name}",
            "strings": [f"value-of-{name}"],
            "object": {"virtualNetworkCommunity": "12076:20000", "enabled": True},  # either object ARM has
        }[field.kind]
        put_at(arm, path, value[0] if path.endswith("[].id") else value)
        sent[name] = value
    live = VirtualNetworkPeeringResource.model_validate(arm)
    outputs = outputs_from({"virtual_network_id": vnet_id(SUB, "rg", "vnet-a")}, live)
    objects = [name for name in sent if schema.BY_NAME[name].kind == "object"]
    assert {name: outputs[name] for name in sent if name not in objects} == {
        name: value for name, value in sent.items() if name not in objects
    }
    assert [name for name in objects if not any(v not in (None, False) for v in outputs[name].values())] == []


# -- what the component's arguments set --------------------------------------------------------------------------

HUB = vnet_id(SUB, "rg-hub", "vnet-hub")
SPOKES = ("a", "b")
SUBNETS = {"link": "subnets", "local_subnet_names": ["app"], "hub_subnet_names": ["shared"]}


def spoke_args(key: str, **changes: Any) -> hub_spoke.SpokeArgs:
    return hub_spoke.SpokeArgs(**{"vnet_id": vnet_id(SUB, "rg-spokes", f"vnet-{key}"), **changes})


#: Per field of SpokeArgs: (the spoke's arguments before, after), with "a" the spoke that changes. A field may
#: need others to change with it; the check below allows for those.
SPOKE_PROBES: Mapping[str, list[tuple[dict[str, Any], dict[str, Any]]]] = {
    "vnet_id": [({}, {"vnet_id": vnet_id(SUB, "rg-moved", "vnet-a")})],
    "allow_forwarded_traffic": [({}, {"allow_forwarded_traffic": False})],
    "use_hub_gateway": [({}, {"use_hub_gateway": True})],
    "link": [({}, SUBNETS), (SUBNETS, {**SUBNETS, "link": "ipv6"})],
    "local_subnet_names": [(SUBNETS, {**SUBNETS, "local_subnet_names": ["app", "db"]})],
    "hub_subnet_names": [(SUBNETS, {**SUBNETS, "hub_subnet_names": ["shared", "tools"]})],
    "hub_peering_name": [({}, {"hub_peering_name": "hub-to-a-renamed"})],
    "spoke_peering_name": [({}, {"spoke_peering_name": "a-to-hub-renamed"})],
    "adopt_existing": [({}, {"adopt_existing": True})],
    "timeouts": [({}, {"timeouts": {"create": 60}})],
    "auxiliary_tenant_ids": [({}, {"auxiliary_tenant_ids": [TENANT]})],
    "allow_virtual_network_access": [({}, {"allow_virtual_network_access": False})],
    "join_mesh": [({}, {"join_mesh": False})],
}
#: Per field of HubSpokePeeringArgs: (the topology's arguments before, after).
TOPOLOGY_PROBES: Mapping[str, list[tuple[dict[str, Any], dict[str, Any]]]] = {
    "hub_vnet_id": [({}, {"hub_vnet_id": vnet_id(SUB, "rg-moved", "vnet-hub")})],
    "mesh": [({}, {"mesh": False})],
    "hub_allow_forwarded_traffic": [({}, {"hub_allow_forwarded_traffic": False})],
    "auxiliary_tenant_ids": [({}, {"auxiliary_tenant_ids": [TENANT]})],
    "timeouts": [({}, {"timeouts": {"delete": 60}})],
}
#: Fields the planner never sees: they act in the component (aliases, the order of writes, reading ARM first).
COMPONENT_ONLY = {
    "SpokeArgs": {"previous_keys"},
    "HubSpokePeeringArgs": {"spokes", "chain_hub_writes", "look_up_vnets"},
}


def plan(args: hub_spoke.HubSpokePeeringArgs) -> Plan:
    spoke_ids = {key: str(spoke.vnet_id) for key, spoke in args.spokes.items()}
    planned = plan_hub_spoke(hub_spoke._spec(args, str(args.hub_vnet_id), spoke_ids), {})
    assert planned.errors == ()
    return planned


def side(key: str, direction: str, spoke: str | None) -> str | None:
    """The side a peering is of, relative to ``spoke`` (every spoke when None); None: another spoke's pair."""
    if direction != "mesh":
        return direction if spoke is None or key.partition(".")[0] == spoke else None
    _, local, remote = key.split(".")
    if spoke is None or local == spoke:
        return "mesh"
    return "mesh_to" if remote == spoke else None


def sets(before: Plan, after: Plan, spoke: str | None) -> set[tuple[str, str | None]]:
    """(peering field, side) for every input of a peering planned in both that differs."""
    changed = set()
    for old in before.peerings:
        try:
            new = after.peering(old.key)
        except KeyError:
            continue  # a peering that no longer exists: which peerings exist is not a field
        for field in dataclasses.fields(old):
            name = peering_input(field.name)
            if name in schema.INPUTS and getattr(old, field.name) != getattr(new, field.name):
                changed.add((name, side(old.key, old.direction, spoke)))
    return changed


def listed(cls: str, *fields: str) -> set[tuple[str, str | None]]:
    table = peering_pairs.ARGS_SET[cls]
    return {(peering, s) for f in fields for peering, sides in table.get(f, ()) for s in sides}


@pytest.mark.parametrize("cls", [hub_spoke.SpokeArgs, hub_spoke.HubSpokePeeringArgs], ids=lambda c: c.__name__)
def test_the_table_of_what_each_argument_sets_is_the_planners(cls: type) -> None:
    probes = SPOKE_PROBES if cls is hub_spoke.SpokeArgs else TOPOLOGY_PROBES
    names = {f.name for f in dataclasses.fields(cls)}
    assert set(peering_pairs.ARGS_SET[cls.__name__]) <= names
    assert set(probes) | COMPONENT_ONLY[cls.__name__] == names, "a field with neither a probe nor a reason"
    found: dict[str, set[tuple[str, str | None]]] = {name: set() for name in probes}
    for name, cases in probes.items():
        for before, after in cases:
            if cls is hub_spoke.SpokeArgs:
                old = hub_spoke.HubSpokePeeringArgs(
                    HUB, {"a": spoke_args("a", **before), "b": spoke_args("b")}, mesh=True
                )
                new = dataclasses.replace(old, spokes={"a": spoke_args("a", **after), "b": spoke_args("b")})
                spoke: str | None = "a"
            else:
                old = hub_spoke.HubSpokePeeringArgs(HUB, {k: spoke_args(k) for k in SPOKES}, mesh=True, **before)
                new = dataclasses.replace(old, **after)
                spoke = None
            changed = sets(plan(old), plan(new), spoke)
            moved = [f for f in after if before.get(f) != after[f]]
            assert changed <= listed(cls.__name__, *moved), f"{name}: {after} sets what ARGS_SET does not say"
            found[name] |= changed
    # and each field sets everything the table says (a probe that moves several fields finds their union)
    unseen = {name: listed(cls.__name__, name) - found[name] for name in probes}
    assert {name: missing for name, missing in unseen.items() if missing} == {}
