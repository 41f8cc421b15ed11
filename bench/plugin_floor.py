"""The plugin path's floor: ``pulumi-resource-bench-floor``, a provider plugin that does nothing.

The ``plugin_*`` cases (bench/suite.py) run ``azure-peering:index:HubSpokePeering`` from a Pulumi YAML program: the
engine asks the ``azure-peering`` plugin to ``construct`` the component, whose Python code (in the plugin process)
registers 2N ``azure-peering:index:VirtualNetworkPeering`` children that the same plugin then checks, diffs,
creates and reads. This plugin takes exactly that path with nothing of this project's in it: the YAML program
declares ``bench-floor:index:Floor`` with the same inputs; its ``construct`` registers 2N ``bench-floor:index:Thing``
children from Python, shaped like the peerings of the measured stack (each registers the keys a peering of that
stack registered, with its values, and ``create`` returns the outputs that peering stored), the spoke side
depending on the hub side's id; every other call is the SDK's default (check echoes the inputs, diff leaves the
comparison to the engine, read returns the state it was given). What the plugin path costs over it is this
project's code and ARM, as for the dynamic path's shape floor (bench/programs.py, ``SHAPED``).

Written with ``pulumi.provider.experimental``, the SDK layer the ``azure-peering`` plugin itself is written with,
and started the same way (an executable on the engine's PATH running this venv's Python), so that the runtime, the
gRPC servicer and the start-up of the interpreter and the SDK are the same on both sides of the ratio. The shape is
read from the JSON file named by ``$BENCH_PLUGIN_FLOOR_SHAPE`` (``plugin_floor_files``'s ``floor-shape.json``).

Runs as a script inside the plugin process (the bench writes a shim that execs it), importing only ``pulumi`` and
``pulumi_azure_peering.sdk_workarounds`` (which imports nothing but ``pulumi``).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping
from typing import Any

import pulumi
from pulumi.provider.experimental import provider as px
from pulumi.provider.experimental.property_value import PropertyValue
from pulumi.provider.experimental.server import main as serve

from pulumi_azure_peering.sdk_workarounds import freeze_start_up_heap, register_before_waiting

PACKAGE = "bench-floor"
PLUGIN = f"pulumi-resource-{PACKAGE}"
FLOOR_TYPE = f"{PACKAGE}:index:Floor"
THING_TYPE = f"{PACKAGE}:index:Thing"
SPOKE_TYPE = f"{PACKAGE}:index:Spoke"
SHAPE_ENV = "BENCH_PLUGIN_FLOOR_SHAPE"
VERSION = "0.0.1"
#: The component's inputs are HubSpokePeering's (the YAML program differs only in the type token); Thing's
#: properties are not declared: only this plugin's own Python code registers Things.
SCHEMA: dict[str, Any] = {
    "name": PACKAGE,
    "version": VERSION,
    "resources": {
        FLOOR_TYPE: {
            "isComponent": True,
            "inputProperties": {
                "hubVnetId": {"type": "string"},
                "spokes": {"type": "object", "additionalProperties": {"$ref": f"#/types/{SPOKE_TYPE}"}},
            },
            "requiredInputs": ["hubVnetId", "spokes"],
            "properties": {},
            "type": "object",
        },
        THING_TYPE: {"inputProperties": {}, "properties": {}, "type": "object"},
    },
    "types": {
        SPOKE_TYPE: {
            "type": "object",
            "properties": {"vnetId": {"type": "string"}, "useHubGateway": {"type": "boolean"}},
            "required": ["vnetId"],
        }
    },
}


def side_of(key: str) -> str:
    """``hub_to_spoke`` or ``spoke_to_hub``, from a Thing's ``key`` input (``<spoke>-a`` / ``<spoke>-b``)."""
    return "hub_to_spoke" if key.endswith("-a") else "spoke_to_hub"


def property_value(value: Any) -> PropertyValue:
    """A plain JSON value as a property value (numbers as floats, as the wire carries them)."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return PropertyValue(value)
    if isinstance(value, int | float):
        return PropertyValue(float(value))
    if isinstance(value, list):
        return PropertyValue([property_value(v) for v in value])
    if isinstance(value, Mapping):
        return PropertyValue({str(k): property_value(v) for k, v in value.items()})
    raise TypeError(f"not a JSON value: {type(value).__name__}")


class Thing(pulumi.CustomResource):
    def __init__(self, name: str, props: Mapping[str, Any], opts: pulumi.ResourceOptions) -> None:
        super().__init__(THING_TYPE, name, dict(props), opts)


class FloorProvider(px.Provider):
    """Serves ``Floor`` (construct) and ``Thing`` (create; everything else is the SDK's default)."""

    def __init__(self, shape: Mapping[str, Any]) -> None:
        self.registered: Mapping[str, Mapping[str, Any]] = shape["registered"]
        self.outputs: dict[str, dict[str, PropertyValue]] = {
            side: {k: property_value(v) for k, v in outs.items()} for side, outs in shape["outputs"].items()
        }

    async def get_schema(self, request: px.GetSchemaRequest) -> px.GetSchemaResponse:
        return px.GetSchemaResponse(schema=json.dumps(SCHEMA))

    async def create(self, request: px.CreateRequest) -> px.CreateResponse:
        key = request.properties["key"].value
        assert isinstance(key, str)
        return px.CreateResponse(resource_id=key, properties={**request.properties, **self.outputs[side_of(key)]})

    async def construct(self, request: px.ConstructRequest) -> px.ConstructResponse:
        if request.resource_type != FLOOR_TYPE:
            raise ValueError(f"unknown component type {request.resource_type!r}: this plugin serves {FLOOR_TYPE}")
        name = request.name
        component = pulumi.ComponentResource(FLOOR_TYPE, name, None, request.options)
        spokes = request.inputs["spokes"].value
        assert isinstance(spokes, Mapping)
        things: list[Thing] = []
        for key, spoke in spokes.items():
            fields = spoke.value
            assert isinstance(fields, Mapping)
            vnet = fields["vnetId"].value
            hub_side = Thing(
                f"{name}-{key}.hub-to-spoke",
                {**self.registered["hub_to_spoke"], "key": f"{key}-a", "vnet": vnet},
                pulumi.ResourceOptions(parent=component),
            )
            spoke_side = Thing(
                f"{name}-{key}.spoke-to-hub",
                {**self.registered["spoke_to_hub"], "key": f"{key}-b", "vnet": vnet, "after": hub_side.id},
                pulumi.ResourceOptions(parent=component, depends_on=[hub_side]),
            )
            things += [hub_side, spoke_side]
        component.register_outputs({})
        # what HubSpokePeering does too (finding B): without it this floor would pay a cost the peerings do not
        register_before_waiting(things)
        urn = await component.urn.future()
        assert urn is not None
        return px.ConstructResponse(urn=urn, state={}, state_dependencies={})


def main() -> None:
    with open(os.environ[SHAPE_ENV]) as f:
        shape = json.load(f)
    # what the azure-peering plugin does before it serves: without it this floor would pay a cost the plugin does not
    freeze_start_up_heap()
    serve(sys.argv[1:], VERSION, FloorProvider(shape))


if __name__ == "__main__":
    main()
