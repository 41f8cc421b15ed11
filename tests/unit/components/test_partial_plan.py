"""What the component can show at preview when some vnet ids are outputs of resources not created yet."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from pulumi_azure_peering.components.partial_plan import FACT_FIELDS, INPUT_FIELDS, partial_plan
from pulumi_azure_peering.components.plan import plan_hub_spoke
from pulumi_azure_peering.components.topology import HubSpokeSpec, SpokeSpec
from tests.unit.components.planner_factories import HUB, vid

pytestmark = pytest.mark.unit

SPOKES: dict[str, dict[str, object]] = {
    "app": {"use_hub_gateway": True},
    "data": {"spoke_peering_name": "data-uplink", "allow_forwarded_traffic": False},
}


def make_spec(hub: str, spokes: Mapping[str, str]) -> HubSpokeSpec:
    return HubSpokeSpec(
        hub_vnet_id=hub,
        spokes={k: SpokeSpec(vnet_id=v, **SPOKES[k]) for k, v in spokes.items()},  # type: ignore[arg-type]
    )


def test_with_every_id_unknown_the_flags_and_chosen_names_are_known() -> None:
    view, problems = partial_plan(make_spec, None, {"app": None, "data": None})
    assert problems == []
    assert [p.key for p in view.shape.peerings] == [
        "app.hub-to-spoke",
        "app.spoke-to-hub",
        "data.hub-to-spoke",
        "data.spoke-to-hub",
    ]
    assert view.value("app.hub-to-spoke", "allow_gateway_transit") == (True, True)
    assert view.value("app.spoke-to-hub", "use_remote_gateways") == (True, True)
    assert view.value("data.spoke-to-hub", "allow_forwarded_traffic") == (True, False)
    assert view.value("data.spoke-to-hub", "name") == (True, "data-uplink")  # chosen: known
    assert view.value("app.spoke-to-hub", "name") == (False, None)  # derived from vnet names: not yet
    for key in ("app.hub-to-spoke", "data.spoke-to-hub"):
        assert view.value(key, "local_vnet_id") == (False, None)
        assert view.value(key, "remote_vnet_id") == (False, None)
    assert view.shape.peering("app.spoke-to-hub").depends_on_keys == ("app.hub-to-spoke",)


def test_known_ids_stay_known_beside_unknown_ones() -> None:
    data = vid("vnet-data")
    view, problems = partial_plan(make_spec, HUB, {"app": None, "data": data})
    assert problems == []
    real = plan_hub_spoke(make_spec(HUB, {"app": vid("vnet-app"), "data": data}))
    for p in real.peerings:
        if p.spoke == "data":  # hub and spoke known: the whole pair is known, and equal to the real plan's
            from_ids = [f for f in INPUT_FIELDS if f not in FACT_FIELDS]
            assert {f: view.value(p.key, f) for f in from_ids} == {f: (True, getattr(p, f)) for f in from_ids}
            # what comes from facts (none read for stand-in ids) waits for the real plan
            assert all(view.value(p.key, f) == (False, None) for f in FACT_FIELDS)
    assert view.value("app.hub-to-spoke", "local_vnet_id") == (True, real.peering("app.hub-to-spoke").local_vnet_id)
    assert view.value("app.hub-to-spoke", "remote_vnet_id") == (False, None)


def test_problems_that_do_not_depend_on_the_unknown_ids_are_found_now() -> None:
    def bad(hub: str, spokes: Mapping[str, str]) -> HubSpokeSpec:
        return HubSpokeSpec(
            hub_vnet_id=hub, spokes={k: SpokeSpec(vnet_id=v, link="subnets") for k, v in spokes.items()}
        )

    _, problems = partial_plan(bad, None, {"app": None})
    assert problems and all("pending" not in line for line in problems), problems
