"""What the component knows of each planned peering before every vnet id is known.

A program that creates its vnets in the same run hands ``HubSpokePeering`` ids that are outputs, unknown during
``pulumi preview``. The plan itself needs every id (and ARM's facts about each vnet), so it can only be computed
once they resolve; but most of what it decides does not depend on them: the peerings there are, their keys and
directions, their flags, and the ids that are known already. A preview should show those values, not unknowns.

:func:`partial_plan` finds them without a model of which field depends on what: it plans twice, with each unknown
id replaced by two different stand-ins (other subscription, group and name). A field that comes out the same both
times does not depend on any unknown id; anything else waits for the real plan.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from typing import Any

from pulumi_azure_peering.provider.ids import vnet_id
from pulumi_azure_peering.provider.schema import INPUTS

from .plan import Plan, PlannedPeering, plan_hub_spoke
from .topology import HubSpokeSpec

#: The fields of :class:`PlannedPeering` named otherwise than the peering's inputs they become.
PEERING_INPUT_OF: Mapping[str, str] = {
    "local_vnet_id": "virtual_network_id",
    "remote_vnet_id": "remote_virtual_network_id",
}


def peering_input(planned_field: str) -> str:
    """The peering input (provider/schema.py) a field of :class:`PlannedPeering` becomes."""
    return PEERING_INPUT_OF.get(planned_field, planned_field)


#: The fields of :class:`PlannedPeering` that become a peering's inputs.
INPUT_FIELDS = tuple(f.name for f in fields(PlannedPeering) if peering_input(f.name) in INPUTS)
# Fields that come from the facts read before planning, not from the ids: a plan with stand-in ids reads none, so
# they are known only once the real plan is.
FACT_FIELDS = frozenset({"remote_vnet_address_space"})

# Stand-in subscriptions: the all-zero GUID and its neighbour are never real subscriptions.
_STAND_IN_SUBSCRIPTIONS = ("00000000-0000-0000-0000-000000000000", "00000000-0000-0000-0000-000000000001")


def _stand_in(variant: int, role: str) -> str:
    return vnet_id(_STAND_IN_SUBSCRIPTIONS[variant], f"pending-{variant}", f"pending{variant}-{role}")


@dataclass(frozen=True)
class PartialPlan:
    """The plan's shape and, per peering key, the input fields already known (field -> value)."""

    shape: Plan
    """A plan whose keys, directions and dependency edges are those of the real plan."""
    known: Mapping[str, Mapping[str, Any]]

    def value(self, key: str, field: str) -> tuple[bool, Any]:
        """``(True, value)`` when ``field`` of peering ``key`` is known now, else ``(False, None)``."""
        fields = self.known.get(key, {})
        if field in fields:
            return True, fields[field]
        return False, None


def partial_plan(
    make_spec: Callable[[str, Mapping[str, str]], HubSpokeSpec],
    hub_id: str | None,
    spoke_ids: Mapping[str, str | None],
) -> tuple[PartialPlan, list[str]]:
    """Plan with stand-ins for the ids that are ``None`` (unknown), and say which inputs are known regardless.

    ``make_spec(hub_id, spoke_ids)`` builds the spec from ids. Returns the partial plan and the plan's errors
    (``field: message`` lines) found with the stand-ins: those do not depend on the unknown ids (a bad flag, a
    bad known id) and can be reported at preview already.
    """
    plans: list[Plan] = []
    for variant in (0, 1):
        hub = hub_id if hub_id is not None else _stand_in(variant, "hub")
        spokes = {
            key: vnet_id if vnet_id is not None else _stand_in(variant, f"spoke{i}")
            for i, (key, vnet_id) in enumerate(sorted(spoke_ids.items()))
        }
        plans.append(plan_hub_spoke(make_spec(hub, spokes), None))
    first, second = plans
    errors = [f"{e.field}: {e.message}" for e in first.errors if e in second.errors]
    if first.errors or second.errors:
        return PartialPlan(first, {}), errors or [f"{e.field}: {e.message}" for e in first.errors]
    known: dict[str, dict[str, Any]] = {}
    for a in first.peerings:
        b = second.peering(a.key)
        known[a.key] = {
            f: getattr(a, f) for f in INPUT_FIELDS if f not in FACT_FIELDS and getattr(a, f) == getattr(b, f)
        }
    return PartialPlan(first, known), []


def all_known(plan: Plan) -> PartialPlan:
    """A plan computed from known ids: every field is known."""
    return PartialPlan(plan, {p.key: {f: getattr(p, f) for f in INPUT_FIELDS} for p in plan.peerings})


__all__ = ["INPUT_FIELDS", "PartialPlan", "PlannedPeering", "all_known", "partial_plan", "peering_input"]
