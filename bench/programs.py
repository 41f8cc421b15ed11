"""The Pulumi programs the benchmarks run. Both read ``topology.json`` from the project directory, so one text
serves every N.

- ``HUB_SPOKE``: ``HubSpokePeering`` with every spoke ``use_hub_gateway=True`` (2 peerings per spoke).
- ``TRIVIAL``: the engine's own floor: a component with the same number of dynamic resources whose provider
  returns at once (create echoes its inputs; read is the SDK's default). It runs in the same dynamic-provider
  process type as the peerings, so the difference between the two is what the peering provider and ARM cost.
- ``SHAPED``: the *shape floor*: ``TRIVIAL`` with resources shaped like the peerings: each registers the keys a
  peering registers (its inputs with their values, its outputs as None) and its provider's create returns the
  outputs a peering stored (``shape_floor_modules``, from a peering of the deployed hub stack). What a resource
  with this many properties costs the SDK, the engine and the dynamic-provider runtime when the provider itself
  does nothing; the difference between it and the floor is not in this project's code. With ``FLOOR_LIBRARIES``
  listing modules by phase (bench/library_floor.py), it is the *library floor*, which also imports the mission's
  libraries where this project's code first needs them.
- ``plugin_program``: the plugin path's programs (Pulumi YAML, one text per topology: YAML cannot read
  ``topology.json``): ``HUB_SPOKE``'s topology declared as ``azure-peering:index:HubSpokePeering``, served by the
  ``pulumi-resource-azure-peering`` plugin; with ``FLOOR_COMPONENT``, the same inputs to the plugin path's floor
  (bench/plugin_floor.py, its shape from ``plugin_floor_files``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

HUB_SPOKE = """\
import json

import pulumi

from pulumi_azure_peering.components import HubSpokePeering, HubSpokePeeringArgs, SpokeArgs

topology = json.loads(open("topology.json").read())
hub = HubSpokePeering(
    "hub",
    HubSpokePeeringArgs(
        hub_vnet_id=topology["hub"],
        spokes={key: SpokeArgs(vnet_id=vnet, use_hub_gateway=True) for key, vnet in topology["spokes"].items()},
    ),
)
pulumi.export("peerings", len(hub.resources))
"""

#: The floor's provider, in a module of the project (``noop_provider.py``) so that dill pickles it by reference, as it
#: does the peering provider (a class defined in ``__main__`` is pickled by value with the program's globals, which
#: costs more and, past ~300 resources, exhausts the recursion limit of pulumi's sorted pickler).
NOOP_PROVIDER = """\
import pulumi.dynamic as dyn


class Noop(dyn.ResourceProvider):
    def create(self, props):
        return dyn.CreateResult(id_=props["key"], outs=props)
"""

TRIVIAL = """\
import json

import pulumi
import pulumi.dynamic as dyn

from noop_provider import Noop

PROVIDER = Noop()


class Thing(dyn.Resource):
    def __init__(self, name, props, opts=None):
        super().__init__(PROVIDER, name, props, opts)


class Floor(pulumi.ComponentResource):
    def __init__(self, name, spokes):
        super().__init__("bench:index:Floor", name, None)
        for key, vnet in spokes.items():
            hub_side = Thing(
                f"{name}-{key}.hub-to-spoke", {"key": f"{key}-a", "vnet": vnet}, pulumi.ResourceOptions(parent=self)
            )
            Thing(
                f"{name}-{key}.spoke-to-hub",
                {"key": f"{key}-b", "vnet": vnet, "after": hub_side.id},
                pulumi.ResourceOptions(parent=self, depends_on=[hub_side]),
            )
        self.register_outputs({})


topology = json.loads(open("topology.json").read())
floor = Floor("hub", topology["spokes"])
pulumi.export("peerings", 2 * len(topology["spokes"]))
"""

SHAPED = """\
import json

import pulumi
import pulumi.dynamic as dyn

import floor_libraries

# the library floor imports here the libraries the peerings' program has before it registers (the shape floor: none)
floor_libraries.load("program")

from pulumi_azure_peering.sdk_workarounds import register_before_waiting
from shape_provider import Noop

PROVIDER = Noop()
SHAPE = json.loads(open("shape.json").read())


class Thing(dyn.Resource):
    def __init__(self, name, props, opts=None):
        super().__init__(PROVIDER, name, props, opts)


class Floor(pulumi.ComponentResource):
    def __init__(self, name, spokes):
        super().__init__("bench:index:Floor", name, None)
        things = []
        for key, vnet in spokes.items():
            hub_side = Thing(
                f"{name}-{key}.hub-to-spoke",
                {**SHAPE["hub_to_spoke"], "key": f"{key}-a", "vnet": vnet},
                pulumi.ResourceOptions(parent=self),
            )
            spoke_side = Thing(
                f"{name}-{key}.spoke-to-hub",
                {**SHAPE["spoke_to_hub"], "key": f"{key}-b", "vnet": vnet, "after": hub_side.id},
                pulumi.ResourceOptions(parent=self, depends_on=[hub_side]),
            )
            things += [hub_side, spoke_side]
        self.register_outputs({})
        # what HubSpokePeering does too (finding B): without it this floor would pay a cost the peerings do not
        register_before_waiting(things)


topology = json.loads(open("topology.json").read())
floor = Floor("hub", topology["spokes"])
pulumi.export("peerings", 2 * len(topology["spokes"]))
"""

SHAPE_PROVIDER = """\
import pulumi.dynamic as dyn

import floor_libraries

# imported when the process starts (preloaded) or at the engine's first call: the library floor imports what the
# peerings' provider module does
floor_libraries.load("provider_start")

OUTPUTS = {outputs!r}


class Noop(dyn.ResourceProvider):
    def check(self, olds, news):
        # the SDK's default check, after the libraries the peerings' provider imports at its first check of a
        # resource the state does not hold yet (its preflight; library floor)
        if not olds:
            floor_libraries.load("provider_first_check")
        return dyn.CheckResult(news, [])

    def create(self, props):
        side = "hub_to_spoke" if props["key"].endswith("-a") else "spoke_to_hub"
        return dyn.CreateResult(id_=props["key"], outs={{**props, **OUTPUTS[side]}})

    def read(self, id_, props):
        # the SDK's default read, after the libraries the peerings' provider imports at its first read (library floor)
        floor_libraries.load("provider_first_read")
        return dyn.ReadResult(id_, props)
"""

#: The dynamic provider's own key in a resource's state: each program pickles its own provider there.
_PROVIDER_KEY = "__provider"


def peering_shape(
    peerings: Mapping[str, Mapping[str, Any]],
) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """What a shape floor's resources register and return, from two stored peerings of the deployed hub
    (``{"hub_to_spoke": resource, "spoke_to_hub": resource}``, each as ``pulumi stack export`` shows it), by side:
    the registered properties (its stored inputs, and its other outputs as None, as a peering registers them) and
    the outputs its create returns (its stored outputs). The dynamic provider's own key is left out."""
    registered: dict[str, dict[str, Any]] = {}
    outputs: dict[str, dict[str, Any]] = {}
    for side, resource in peerings.items():
        inputs = {k: v for k, v in resource["inputs"].items() if k != _PROVIDER_KEY}
        stored = {k: v for k, v in resource["outputs"].items() if k != _PROVIDER_KEY}
        registered[side] = {**dict.fromkeys(stored), **inputs}
        outputs[side] = stored
    return registered, outputs


#: ``FLOOR_LIBRARIES``'s file, next to ``SHAPED``'s program and its provider.
FLOOR_LIBRARIES_FILE = "floor_libraries.py"
#: ``SHAPED``'s module of the libraries it imports (bench/library_floor.py). ``load(phase)`` imports the phase's
#: modules; the provider's other threads calling it meanwhile wait for them, as the peerings' provider's threads wait
#: for the imports of its first read. A module that fails to import fails the floor's command: a floor that loaded
#: less than it says would flatter the peerings.
FLOOR_LIBRARIES = """\
import importlib
import threading

MODULES = {modules!r}
_lock = threading.Lock()


def load(phase):
    with _lock:
        for name in MODULES.get(phase, ()):
            importlib.import_module(name)
"""


def floor_libraries_module(modules: Mapping[str, Sequence[str]] | None = None) -> str:
    """``FLOOR_LIBRARIES`` with ``modules`` by phase; with none, one that loads nothing (the shape floor's)."""
    return FLOOR_LIBRARIES.format(modules={phase: list(names) for phase, names in (modules or {}).items()})


def shape_floor_modules(
    peerings: Mapping[str, Mapping[str, Any]], libraries: Mapping[str, Sequence[str]] | None = None
) -> dict[str, str]:
    """``SHAPED``'s files, shaped like ``peerings`` (:func:`peering_shape`); with ``libraries`` (modules by phase:
    ``bench.library_floor.PHASES``), the library floor's, else the shape floor's (which loads nothing)."""
    registered, outputs = peering_shape(peerings)
    return {
        "shape.json": json.dumps(registered),
        "shape_provider.py": SHAPE_PROVIDER.format(outputs=outputs),
        FLOOR_LIBRARIES_FILE: floor_libraries_module(libraries),
    }


#: The component each plugin-path program declares: the package's, or the plugin path's floor's.
PACKAGE_COMPONENT = "azure-peering:index:HubSpokePeering"
FLOOR_COMPONENT = "bench-floor:index:Floor"
#: ``plugin_floor_files``'s file, which bench/plugin_floor.py reads (its path in ``$BENCH_PLUGIN_FLOOR_SHAPE``).
PLUGIN_FLOOR_SHAPE = "floor-shape.json"


def plugin_program(topology_input: Mapping[str, Any], component: str = PACKAGE_COMPONENT) -> str:
    """The body of a Pulumi YAML program (after ``name`` and ``runtime``) declaring ``HUB_SPOKE``'s topology
    (``{"hub": vnet id, "spokes": {key: vnet id}}``, every spoke ``useHubGateway: true``) as one ``component``.
    JSON is YAML: the document is written as JSON, which needs no quoting rules of its own."""
    spokes = {key: {"vnetId": vnet, "useHubGateway": True} for key, vnet in topology_input["spokes"].items()}
    resources = {"hub": {"type": component, "properties": {"hubVnetId": topology_input["hub"], "spokes": spokes}}}
    return f"resources: {json.dumps(resources, indent=1)}\n"


def plugin_floor_files(peerings: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
    """The plugin path's floor's shape file, from two stored peerings of the deployed plugin-path stack
    (:func:`peering_shape`; the package's peerings are stored with the schema's camelCase keys)."""
    registered, outputs = peering_shape(peerings)
    return {PLUGIN_FLOOR_SHAPE: json.dumps({"registered": registered, "outputs": outputs})}


#: Extra files each program needs next to its ``__main__.py``.
MODULES: dict[str, dict[str, str]] = {HUB_SPOKE: {}, TRIVIAL: {"noop_provider.py": NOOP_PROVIDER}}
