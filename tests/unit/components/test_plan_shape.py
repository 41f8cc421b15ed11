"""The plan's peerings: pairs, flags, keys, names, order, dependencies, and stability under spoke changes."""

from __future__ import annotations

import pytest

from pulumi_azure_peering.components.plan import default_peering_name, plan_hub_spoke
from pulumi_azure_peering.components.topology import is_valid_peering_name
from tests.unit.components.planner_factories import (
    HUB,
    TENANT_A,
    TENANT_B,
    hub_spec,
    plan,
    spoke,
    spokes_n,
    standard_facts,
    vid,
)

pytestmark = pytest.mark.unit


def test_each_spoke_gets_both_directions_with_stable_keys_and_default_names() -> None:
    p = plan(spokes_n(2), standard_facts(2))
    assert p.ok, p.errors
    assert [(x.key, x.direction, x.name) for x in p.peerings] == [
        ("s1.hub-to-spoke", "hub_to_spoke", "vnet-hub-to-vnet-s1"),
        ("s1.spoke-to-hub", "spoke_to_hub", "vnet-s1-to-vnet-hub"),
        ("s2.hub-to-spoke", "hub_to_spoke", "vnet-hub-to-vnet-s2"),
        ("s2.spoke-to-hub", "spoke_to_hub", "vnet-s2-to-vnet-hub"),
    ]
    h, s = p.peering("s1.hub-to-spoke"), p.peering("s1.spoke-to-hub")
    assert (h.local_vnet_id, h.remote_vnet_id) == (HUB, vid("vnet-s1"))
    assert (s.local_vnet_id, s.remote_vnet_id) == (vid("vnet-s1"), HUB)
    assert p.for_spoke("s1") == (h, s)
    assert p.deferred_checks == () and p.warnings == () and not p.wait_for_hub_gateway


def test_whole_vnet_defaults() -> None:
    p = plan({"a": spoke("a")})
    for x in p.peerings:
        assert x.allow_virtual_network_access and x.allow_forwarded_traffic
        assert not x.allow_gateway_transit and not x.use_remote_gateways
        assert x.peer_complete_vnets and not x.enable_only_ipv6_peering
        assert x.local_subnet_names == () == x.remote_subnet_names
        assert not x.adopt_existing and x.timeouts is None and x.auxiliary_tenant_ids == ()
        assert x.depends_on_keys == () and x.remote_spoke is None


def test_forwarded_traffic_flags_are_per_side() -> None:
    p = plan({"a": spoke("a", allow_forwarded_traffic=False)}, hub_allow_forwarded_traffic=True)
    assert p.peering("a.hub-to-spoke").allow_forwarded_traffic is True
    assert p.peering("a.spoke-to-hub").allow_forwarded_traffic is False
    p = plan({"a": spoke("a")}, hub_allow_forwarded_traffic=False)
    assert p.peering("a.hub-to-spoke").allow_forwarded_traffic is False
    assert p.peering("a.spoke-to-hub").allow_forwarded_traffic is True


def test_virtual_network_access_applies_to_both_sides() -> None:
    p = plan({"a": spoke("a", allow_virtual_network_access=False)})
    assert [x.allow_virtual_network_access for x in p.peerings] == [False, False]


def test_gateway_transit_sets_both_flags_and_a_dependency_on_the_hub_side() -> None:
    p = plan({"a": spoke("a", use_hub_gateway=True), "b": spoke("b")}, standard_facts(0))
    h, s = p.peering("a.hub-to-spoke"), p.peering("a.spoke-to-hub")
    assert h.allow_gateway_transit and not h.use_remote_gateways and h.depends_on_keys == ()
    assert s.use_remote_gateways and not s.allow_gateway_transit
    assert s.depends_on_keys == ("a.hub-to-spoke",)
    assert p.peering("b.spoke-to-hub").depends_on_keys == ()
    assert not p.peering("b.hub-to-spoke").allow_gateway_transit


def test_subnet_link_maps_local_and_remote_subnets_per_direction() -> None:
    p = plan(
        {"s1": spoke("s1", link="subnets", local_subnet_names=["app", "data"], hub_subnet_names=["shared"])},
        standard_facts(1),
    )
    assert p.ok, p.errors
    h, s = p.peering("s1.hub-to-spoke"), p.peering("s1.spoke-to-hub")
    assert not h.peer_complete_vnets and not s.peer_complete_vnets
    assert (h.local_subnet_names, h.remote_subnet_names) == (("shared",), ("app", "data"))
    assert (s.local_subnet_names, s.remote_subnet_names) == (("app", "data"), ("shared",))
    assert not h.enable_only_ipv6_peering


def test_ipv6_link_is_subnet_peering_with_only_ipv6() -> None:
    p = plan(
        {"s1": spoke("s1", link="ipv6", local_subnet_names=["app"], hub_subnet_names=["shared"])},
        standard_facts(1),
    )
    assert p.ok, p.errors
    for x in p.peerings:
        assert x.enable_only_ipv6_peering and not x.peer_complete_vnets


def test_adopt_timeouts_and_tenants_are_carried_to_both_sides() -> None:
    p = plan(
        {"a": spoke("a", adopt_existing=True, timeouts={"create": "5m"}, auxiliary_tenant_ids=[TENANT_B])},
        auxiliary_tenant_ids=[TENANT_A],
    )
    for x in p.peerings:
        assert x.adopt_existing
        assert x.timeouts is not None and x.timeouts.as_dict() == {"create": 300.0}
        assert x.auxiliary_tenant_ids == (TENANT_A, TENANT_B)


# --- mesh --------------------------------------------------------------------------------------------------------


def test_mesh_peers_every_pair_both_ways_without_gateway_flags() -> None:
    spokes = spokes_n(3)
    spokes["s1"] = spoke("s1", use_hub_gateway=True)
    p = plan(spokes, standard_facts(3), mesh=True)
    assert p.ok, p.errors
    mesh = [x for x in p.peerings if x.direction == "mesh"]
    assert [x.key for x in mesh] == [
        "mesh.s1.s2",
        "mesh.s1.s3",
        "mesh.s2.s1",
        "mesh.s2.s3",
        "mesh.s3.s1",
        "mesh.s3.s2",
    ]
    for x in mesh:
        assert not x.allow_gateway_transit and not x.use_remote_gateways and x.peer_complete_vnets
        assert x.remote_spoke is not None and x.spoke != x.remote_spoke
        assert x.name == f"mesh-{x.spoke}-to-{x.remote_spoke}"
        assert x.local_vnet_id == vid(f"vnet-{x.spoke}") and x.remote_vnet_id == vid(f"vnet-{x.remote_spoke}")
    # The only use_remote_gateways in s1's vnet is its spoke-to-hub peering.
    assert [x.key for x in p.peerings if x.use_remote_gateways] == ["s1.spoke-to-hub"]


def test_join_mesh_false_keeps_a_spoke_out_of_the_mesh() -> None:
    spokes = spokes_n(3)
    spokes["s2"] = spoke("s2", join_mesh=False)
    p = plan(spokes, standard_facts(3), mesh=True)
    assert {x.key for x in p.peerings if x.direction == "mesh"} == {"mesh.s1.s3", "mesh.s3.s1"}


def test_no_mesh_by_default() -> None:
    assert all(x.direction != "mesh" for x in plan(spokes_n(3)).peerings)


# --- names --------------------------------------------------------------------------------------------------------


def test_long_default_names_are_shortened_deterministically_and_stay_valid() -> None:
    long_spoke = "s" * 64
    p = plan({"a": spoke("a", vnet_id=vid(long_spoke)), "b": spoke("b", vnet_id=vid(long_spoke[:-1] + "t"))})
    assert p.ok, p.errors
    names = [x.name for x in p.peerings]
    assert all(len(n) <= 80 and is_valid_peering_name(n) for n in names)
    assert len({n.lower() for n in names}) == len(names)
    again = plan({"b": spoke("b", vnet_id=vid(long_spoke[:-1] + "t")), "a": spoke("a", vnet_id=vid(long_spoke))})
    assert [x.name for x in again.peerings] == names
    assert default_peering_name("hub", "app") == "hub-to-app"


def test_long_mesh_names_are_valid() -> None:
    a, b = "a" * 63, "b" * 63
    p = plan({a: spoke("x1"), b: spoke("x2")}, mesh=True)
    assert p.ok, p.errors
    assert all(len(x.name) <= 80 and is_valid_peering_name(x.name) for x in p.peerings)


# --- determinism and stability --------------------------------------------------------------------------------


def test_plan_is_deterministic_and_independent_of_spoke_order() -> None:
    spokes = spokes_n(4, use_hub_gateway=False)
    spokes["s2"] = spoke("s2", use_hub_gateway=True)
    fx = standard_facts(4)
    first = plan(spokes, fx, mesh=True)
    again = plan(dict(spokes), dict(fx), mesh=True)
    reordered = plan(dict(reversed(list(spokes.items()))), dict(reversed(list(fx.items()))), mesh=True)
    assert first == again == reordered
    assert first.ok


def test_facts_keys_match_case_insensitively() -> None:
    fx = {k.replace("resourceGroups/rg-net", "RESOURCEGROUPS/RG-NET"): v for k, v in standard_facts(2).items()}
    assert plan(spokes_n(2), fx).deferred_checks == ()


def test_removing_a_spoke_removes_exactly_its_peerings() -> None:
    fx = standard_facts(4)
    full = plan(spokes_n(4), fx, mesh=True)
    spokes = spokes_n(4)
    del spokes["s3"]
    fewer = plan(spokes, fx, mesh=True)
    assert full.ok and fewer.ok
    gone = {x.key for x in full.peerings} - {x.key for x in fewer.peerings}
    assert gone == {"s3.hub-to-spoke", "s3.spoke-to-hub"} | {f"mesh.s3.s{i}" for i in (1, 2, 4)} | {
        f"mesh.s{i}.s3" for i in (1, 2, 4)
    }
    kept = {x.key: x for x in full.peerings if x.key not in gone}
    assert {x.key: x for x in fewer.peerings} == kept  # names, flags and everything else unchanged


def test_adding_a_spoke_only_adds_its_peerings() -> None:
    fx = standard_facts(3)
    before = plan(spokes_n(2), fx)
    after = plan(spokes_n(3), fx)
    assert set(before.peerings) <= set(after.peerings)
    assert [x.key for x in after.peerings if x not in before.peerings] == ["s3.hub-to-spoke", "s3.spoke-to-hub"]


def test_keys_do_not_depend_on_vnet_ids() -> None:
    a = plan({"app": spoke("app", vnet_id=vid("one"))})
    b = plan({"app": spoke("app", vnet_id=vid("two"))})
    assert [x.key for x in a.peerings] == [x.key for x in b.peerings]


def test_plan_with_facts_for_unrelated_vnets_is_unchanged() -> None:
    fx = standard_facts(2)
    extra = dict(fx)
    extra.update(standard_facts(5))
    assert plan_hub_spoke(hub_spec(spokes_n(2)), fx).peerings == plan_hub_spoke(hub_spec(spokes_n(2)), extra).peerings
