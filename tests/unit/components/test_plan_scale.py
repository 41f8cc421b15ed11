"""The planner's cost grows linearly with the spokes (issue 12): counted, not timed.

Planned against a deployed estate (every peering of the plan already exists, as at each preview after the first
``up``), with N=50 and N=200 spokes. Counted: address-space comparisons between two vnets (``overlaps``) and vnet
ids parsed (``parse_vnet_id``: the existing-peering checks parse the ids of what ARM holds). Both were quadratic
(every pair of the hub's peers compared; every hub-side peering scanning all the hub's peerings); each must now
grow like N: at most 4.4 times for 4 times the spokes.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from pulumi_azure_peering.components import (
    address_overlap,
    fact_checks,
    fact_index,
    peering_names,
    peering_pairs,
    plan_findings,
    spec_checks,
)
from pulumi_azure_peering.components import plan as planner
from pulumi_azure_peering.components.topology import HubSpokeSpec, PeeringFact, SpokeSpec, VnetFacts

pytestmark = pytest.mark.unit

#: The planner's modules: each binds the functions it calls, so each is where a call is counted.
PLANNER_MODULES = (
    planner,
    spec_checks,
    peering_pairs,
    peering_names,
    plan_findings,
    fact_index,
    fact_checks,
    address_overlap,
)

VNET = (
    "/subscriptions/361de6c3-799a-41e4-8381-fc64ef7a8afb/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/"
)


def deployed(n: int) -> tuple[HubSpokeSpec, dict[str, VnetFacts]]:
    """A hub with n spokes (disjoint /24s) whose every planned peering exists and is Connected."""
    spec = HubSpokeSpec(hub_vnet_id=VNET + "hub", spokes={f"s{i}": SpokeSpec(vnet_id=VNET + f"s{i}") for i in range(n)})
    existing: dict[str, list[PeeringFact]] = {}
    for p in planner.plan_hub_spoke(spec).peerings:
        peering = PeeringFact(name=p.name, remote_virtual_network_id=p.remote_vnet_id, peering_state="Connected")
        existing.setdefault(p.local_vnet_id.lower(), []).append(peering)
    spaces = {VNET + "hub": "10.255.0.0/16"} | {VNET + f"s{i}": f"10.{i // 256}.{i % 256}.0/24" for i in range(n)}
    facts = {
        vnet: VnetFacts(id=vnet, address_prefixes=[space], peerings=existing[vnet.lower()])
        for vnet, space in spaces.items()
    }
    return spec, facts


def counts(n: int, monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    counted: Counter[str] = Counter()
    for name in ("overlaps", "parse_vnet_id"):
        for module in PLANNER_MODULES:
            if not hasattr(module, name):
                continue
            original = getattr(module, name)

            def counting(*args: Any, _name: str = name, _original: Any = original) -> Any:
                counted[_name] += 1
                return _original(*args)

            monkeypatch.setattr(module, name, counting)
    spec, facts = deployed(n)
    plan = planner.plan_hub_spoke(spec, facts)
    assert plan.ok and len(plan.peerings) == 2 * n and not plan.warnings, (plan.errors, plan.warnings)
    monkeypatch.undo()
    return counted


def test_planning_a_deployed_hub_costs_linear_comparisons(monkeypatch: pytest.MonkeyPatch) -> None:
    small, large = counts(50, monkeypatch), counts(200, monkeypatch)
    for what in ("overlaps", "parse_vnet_id"):
        assert 0 < large[what] <= 4.4 * small[what], f"{what}: {small[what]} at N=50, {large[what]} at N=200"
