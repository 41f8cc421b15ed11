"""HubSpokePeering's cost in the program grows linearly with the spokes (issue 12): counted, not timed.

The component is registered under the SDK's mocks with N=50 and N=200 spokes (every spoke on the hub's gateway,
so every spoke side has a data edge to its hub side), in a subprocess each (mocks are process-wide runtime
settings). Counted there: resources registered, steps of the SDK's dependency cycle check
(``pulumi/runtime/resource_cycle_breaker.py`` walks every transitive dependency of each new dependency: a chain of
N ``depends_on`` costs O(N^2) steps), and ``Output.apply`` calls. Each must grow like N: at most 4.4 times for 4
times the spokes, at preview and at ``up``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.unit

PROGRAM = textwrap.dedent(
    """
    import asyncio, json, sys

    import pulumi
    import pulumi.runtime
    from pulumi.runtime import resource_cycle_breaker
    from pulumi.runtime.stack import wait_for_rpcs

    n, preview = int(sys.argv[1]), sys.argv[2] == "preview"
    counts = {"registrations": 0, "dependency_steps": 0, "applies": 0}


    class Mocks(pulumi.runtime.Mocks):
        def new_resource(self, args):
            counts["registrations"] += 1
            return [args.name + "-id", args.inputs]

        def call(self, args):
            return {}


    pulumi.runtime.set_mocks(Mocks(), preview=preview)

    deps = resource_cycle_breaker._deps


    def counted_deps(resource):
        counts["dependency_steps"] += 1
        return deps(resource)


    resource_cycle_breaker._deps = counted_deps
    apply = pulumi.Output.apply


    def counted_apply(self, *args, **kwargs):
        counts["applies"] += 1
        return apply(self, *args, **kwargs)


    pulumi.Output.apply = counted_apply

    from pulumi_azure_peering.components import HubSpokePeering, HubSpokePeeringArgs, SpokeArgs

    vnet = (
        "/subscriptions/361de6c3-799a-41e4-8381-fc64ef7a8afb/resourceGroups/rg"
        "/providers/Microsoft.Network/virtualNetworks/{}"
    )
    spokes = {f"s{i}": SpokeArgs(vnet_id=vnet.format(f"s{i}"), use_hub_gateway=True) for i in range(n)}
    # look_up_vnets=False: the plan is computed from the ids alone (no ARM behind the mocks).
    HubSpokePeering("hub", HubSpokePeeringArgs(hub_vnet_id=vnet.format("hub"), spokes=spokes, look_up_vnets=False))
    asyncio.get_event_loop().run_until_complete(wait_for_rpcs())
    print(json.dumps(counts))
    """
)


def _counts(n: int, mode: str) -> dict[str, int]:
    proc = subprocess.run(
        [sys.executable, "-c", PROGRAM, str(n), mode], capture_output=True, text=True, timeout=600, check=False
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


@pytest.mark.parametrize("mode", ["preview", "up"])
def test_registration_cost_grows_linearly_with_the_spokes(mode: str) -> None:
    small, large = _counts(50, mode), _counts(200, mode)
    # the component and 2 peerings per spoke
    assert small["registrations"] == 1 + 2 * 50
    assert large["registrations"] == 1 + 2 * 200
    for what in ("dependency_steps", "applies"):
        assert large[what] <= 4.4 * small[what], f"{what}: {small[what]} at N=50, {large[what]} at N=200"
    # O(1) per peering: the spoke side's edge to its hub side, nothing chained through the hub sides
    assert large["dependency_steps"] <= 4 * 2 * 200, large
