"""Planning of a hub-and-spoke topology: which peerings, with which flags, in which order, and what is wrong.

:func:`plan_hub_spoke` is a pure, deterministic function of a :class:`~components.topology.HubSpokeSpec` and the
:class:`~components.topology.VnetFacts` the component looked up. It never raises on bad input: every problem
becomes a :class:`PlanError` naming the spoke, the argument path and the fix, so that a topology ARM would refuse
fails before anything is created. The component (``components/hub_spoke.py``) turns :attr:`Plan.peerings` into
resources and must create nothing when :attr:`Plan.errors` is not empty. See docs/planner.md.

This module holds the entry points and re-exports the plan's types; each step has its own module: the input checks
(``spec_checks``), the peerings and their names (``peering_pairs``, ``peering_names``), the facts (``fact_index``),
the checks that need them (``fact_checks``, with the overlap maths in ``address_overlap``) and how findings are
reported (``plan_findings``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

from .fact_checks import FactChecks
from .fact_index import FactIndex, index_facts
from .peering_names import check_name_clashes, default_peering_name
from .peering_pairs import build_peerings
from .plan_findings import Findings, deduped_warnings, sorted_errors
from .plan_types import (
    DeferredCheck,
    Direction,
    Plan,
    PlanError,
    PlannedPeering,
    PlanValidationError,
    PlanWarning,
    Timeouts,
)
from .spec_checks import resolve_spec
from .topology import HubSpokeSpec, VnetFacts, parse_vnet_id

__all__ = [
    "DeferredCheck",
    "Direction",
    "Plan",
    "PlanError",
    "PlanValidationError",
    "PlanWarning",
    "PlannedPeering",
    "Timeouts",
    "default_peering_name",
    "plan_hub_spoke",
    "validate_spec",
    "vnet_ids_to_look_up",
]


def validate_spec(spec: HubSpokeSpec) -> tuple[PlanError, ...]:
    """Structural errors that need no facts: ids, names, link kinds, subnet lists, timeouts, tenants, duplicate
    spokes, the hub listed as a spoke, and peering-name clashes inside the plan. Never raises."""
    c = Findings()
    r = resolve_spec(spec, c)
    if r.hub is not None:
        check_name_clashes(build_peerings(r, c), c)
    return sorted_errors(c.errors)


def vnet_ids_to_look_up(spec: HubSpokeSpec) -> tuple[str, ...]:
    """Canonical ids of the valid hub and spoke vnets, for the component to fetch :class:`VnetFacts` of (sorted,
    without duplicates). Vnets peered outside the plan can be added by the caller for overlap checks."""
    c = Findings()
    r = resolve_spec(spec, c)
    ids = {s.vnet.key: s.vnet.id for s in r.spokes}
    if r.hub is not None:
        ids[r.hub.key] = r.hub.id
    return tuple(ids[k] for k in sorted(ids))


def _with_remote_spaces(peerings: Iterable[PlannedPeering], idx: FactIndex) -> list[PlannedPeering]:
    """Each whole-vnet peering with the address space its remote vnet has now, when the facts say."""
    out = []
    for p in peerings:
        remote = idx.get(parse_vnet_id(p.remote_vnet_id)) if p.peer_complete_vnets else None
        space = tuple(remote.address_prefixes) if remote is not None and remote.address_prefixes else None
        out.append(replace(p, remote_vnet_address_space=space) if space else p)
    return out


def plan_hub_spoke(spec: HubSpokeSpec, facts: Mapping[str, VnetFacts] | None = None) -> Plan:
    """Plan the peerings of a hub-and-spoke topology.

    Pure and deterministic: the same spec and facts give the same plan whatever the order of the spokes mapping;
    vnet ids are compared case-insensitively. ``facts`` maps vnet ids (any casing) to what ARM holds; a vnet
    without facts has its fact-based checks listed in :attr:`Plan.deferred_checks` instead of failing.
    Never raises: problems are returned as :attr:`Plan.errors`, and then :attr:`Plan.peerings` is empty.
    """
    c = Findings()
    r = resolve_spec(spec, c)
    if r.hub is None:
        return Plan(
            hub_vnet_id=None,
            peerings=(),
            errors=sorted_errors(c.errors),
            warnings=deduped_warnings(c.warnings),
            deferred_checks=(),
            wait_for_hub_gateway=False,
        )
    peerings = build_peerings(r, c)
    check_name_clashes(peerings, c)
    idx = index_facts(facts, c)
    planner = FactChecks(r, peerings, idx, c)
    planner.run()
    errors = sorted_errors(c.errors)
    return Plan(
        hub_vnet_id=r.hub.id,
        peerings=() if errors else tuple(_with_remote_spaces(planner.peerings, idx)),
        errors=errors,
        warnings=deduped_warnings(c.warnings),
        deferred_checks=tuple(c.deferred),
        wait_for_hub_gateway=planner.wait_for_hub_gateway and not errors,
    )
