"""The hub side's writes go to the engine a few at a time, in spoke order, without a chain of dependencies
(issue 12): a hub-side create that fails lets the ones queued behind it go (issue 14)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from harness import topology
from harness.pulumi import PulumiProject
from tests.arm_views import live_peerings
from tests.engine.hub_spoke_helpers import PROGRAM, configure

pytestmark = pytest.mark.engine


def test_a_failed_hub_side_create_does_not_stop_the_other_hub_sides(
    make_project: Callable[..., PulumiProject], emulator: Any
) -> None:
    n, broken = 6, 2
    emulator.set_latency(0.05)
    emulator.seed(topology.hub_and_spokes(n))
    project = make_project(PROGRAM)
    spokes = topology.spokes_config(n, use_hub_gateway=True)
    # The broken spoke's hub side: every write of it fails (InternalServerError, retried) until its 8 s create
    # timeout. It is third in line: the hub sides after it wait for their turn behind it.
    broken_name = topology.spoke_name(broken)
    spokes[broken_name]["timeouts"] = {"create": "8s"}
    configure(project, topology.hub_id(), spokes)
    emulator.set_faults(f"lro_fail=1;match=PUT:virtualNetworkPeerings/vnet-hub-to-vnet-{broken_name}")

    result = project.up("--continue-on-error", check=False, timeout=600)

    assert not result.ok
    assert "vnet-hub-to-vnet-" + broken_name in result.output
    hub_side = live_peerings(emulator, topology.hub_id())
    others = {f"vnet-hub-to-vnet-{topology.spoke_name(i)}" for i in range(n) if i != broken}
    # every other hub side was created, after the broken one too, and its pair completed (the broken one may be
    # left in ARM, Failed: its create never succeeded)
    assert others <= set(hub_side), sorted(hub_side)
    assert {hub_side[name]["properties"]["peeringState"] for name in others} == {"Connected"}
    for i in range(n):
        spoke_side = live_peerings(emulator, topology.spoke_id(i))
        # the broken pair's spoke side depends on its hub side: skipped, never written
        assert len(spoke_side) == (0 if i == broken else 1), (i, sorted(spoke_side))

    # the fault gone, the next up completes the pair and nothing else changes
    emulator.set_faults("")
    project.up()
    hub_side = live_peerings(emulator, topology.hub_id())
    assert len(hub_side) == n
    assert {p["properties"]["peeringState"] for p in hub_side.values()} == {"Connected"}
    project.preview(expect_no_changes=True)
