"""The Pulumi programs the benchmarks run. Both read ``topology.json`` from the project directory, so one text
serves every N.

- ``HUB_SPOKE``: ``HubSpokePeering`` with every spoke ``use_hub_gateway=True`` (2 peerings per spoke).
- ``TRIVIAL``: the engine's own floor: a component with the same number of dynamic resources whose provider
  returns at once (create echoes its inputs; read is the SDK's default). It runs in the same dynamic-provider
  process type as the peerings, so the difference between the two is what the peering provider and ARM cost.
"""

from __future__ import annotations

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

#: Extra files each program needs next to its ``__main__.py``.
MODULES: dict[str, dict[str, str]] = {HUB_SPOKE: {}, TRIVIAL: {"noop_provider.py": NOOP_PROVIDER}}
