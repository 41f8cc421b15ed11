"""Rules that need facts about the vnets: overlap, gateways, subnets, existing peerings, the 500-peering limit,
and what happens when facts are missing."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import pytest

from pulumi_azure_peering.components.topology import GatewayFact, GatewayState, PeeringFact, VnetFacts
from tests.unit.components.planner_factories import (
    HUB,
    assert_names_spoke_and_fix,
    facts,
    facts_map,
    only_error,
    plan,
    spoke,
    spokes_n,
    standard_facts,
    vid,
)

pytestmark = pytest.mark.unit


def with_facts(base: Mapping[str, VnetFacts], *items: VnetFacts) -> dict[str, VnetFacts]:
    out = dict(base)
    for f in items:
        out[f.id] = f
    return out


# --- address overlap -----------------------------------------------------------------------------------------


def test_spoke_overlapping_the_hub() -> None:
    fx = with_facts(standard_facts(1), facts(vid("vnet-s1"), ["10.0.128.0/17"]))
    err = only_error(plan(spokes_n(1), fx), "AddressSpaceOverlap")
    assert err.field == 'spokes["s1"].vnet_id'
    assert_names_spoke_and_fix(
        err, "s1", "10.0.128.0/17 overlaps 10.0.0.0/16", "VnetAddressSpacesOverlap", "link='subnets'"
    )


def test_ipv4_and_ipv6_prefixes_never_overlap_each_other() -> None:
    fx = with_facts(standard_facts(1), facts(vid("vnet-s1"), ["fd00:0::/48"]))
    fx[HUB] = facts(HUB, ["10.0.0.0/16"])
    assert plan(spokes_n(1), fx).ok


def test_subnet_link_checks_only_the_chosen_subnets() -> None:
    # The spoke's vnet overlaps the hub (10.0.0.0/16), but the peered subnets do not.
    spoke_facts = facts(vid("vnet-s1"), ["10.0.0.0/16"], subnets={"app": ["10.0.200.0/24"], "clash": ["10.0.1.0/24"]})
    fx = with_facts(standard_facts(0), spoke_facts)
    ok = plan({"s1": spoke("s1", link="subnets", local_subnet_names=["app"], hub_subnet_names=["shared"])}, fx)
    assert ok.ok, ok.errors
    bad = plan({"s1": spoke("s1", link="subnets", local_subnet_names=["clash"], hub_subnet_names=["shared"])}, fx)
    err = only_error(bad, "AddressSpaceOverlap")
    assert err.field == 'spokes["s1"].local_subnet_names'
    assert_names_spoke_and_fix(err, "s1", "10.0.1.0/24", "choose subnets")


def test_ipv6_link_ignores_ipv4_overlap_but_not_ipv6_overlap() -> None:
    sf = facts(vid("vnet-s1"), ["10.0.0.0/16", "fd01::/48"], subnets={"app": ["10.0.1.0/24", "fd01:0:0:1::/64"]})
    fx = with_facts(standard_facts(0), sf)
    spokes = {"s1": spoke("s1", link="ipv6", local_subnet_names=["app"], hub_subnet_names=["shared"])}
    assert plan(spokes, fx).ok
    sf6 = facts(vid("vnet-s1"), ["fd00::/32"], subnets={"app": ["10.9.0.0/24", "fd00:0:0:1::/64"]})
    err = only_error(plan(spokes, with_facts(fx, sf6)), "AddressSpaceOverlap")
    assert_names_spoke_and_fix(err, "s1", "fd00:0:0:1::/64")


def test_two_spokes_overlapping_each_other_cannot_share_a_hub() -> None:
    fx = with_facts(standard_facts(2), facts(vid("vnet-s2"), ["10.1.128.0/20"]))
    err = only_error(plan(spokes_n(2), fx), "OverlapsWithPeeredVnet")
    assert_names_spoke_and_fix(
        err, "s2", "spoke 's1'", "10.1.128.0/20 overlaps 10.1.0.0/16", "VnetAddressSpaceOverlapsWithAlreadyPeeredVnet"
    )


def test_meshed_spokes_overlapping_outside_their_peered_subnets() -> None:
    # Both spokes are 10.50.0.0/16 but expose disjoint subnets to the hub: fine without mesh, refused with it.
    s1 = facts(vid("vnet-s1"), ["10.50.0.0/16"], subnets={"app": ["10.50.1.0/24"]})
    s2 = facts(vid("vnet-s2"), ["10.50.0.0/16"], subnets={"app": ["10.50.2.0/24"]})
    fx = with_facts(standard_facts(0), s1, s2)
    spokes = {
        name: spoke(name, link="subnets", local_subnet_names=["app"], hub_subnet_names=["shared"])
        for name in ("s1", "s2")
    }
    assert plan(spokes, fx).ok
    err = only_error(plan(spokes, fx, mesh=True), "MeshAddressSpaceOverlap")
    assert_names_spoke_and_fix(err, "s2", "'s1'", "join_mesh=False")
    spokes["s2"] = spoke("s2", link="subnets", local_subnet_names=["app"], hub_subnet_names=["shared"], join_mesh=False)
    assert plan(spokes, fx, mesh=True).ok


def test_vnet_already_peered_to_the_hub_outside_the_plan() -> None:
    legacy = vid("vnet-legacy", rg="rg-old")
    hub = facts(
        HUB,
        ["10.0.0.0/16"],
        gateway="succeeded",
        existing=[
            PeeringFact(name="to-legacy", remote_virtual_network_id=legacy, remote_address_prefixes=["10.2.0.0/16"])
        ],
    )
    fx = with_facts(standard_facts(2), hub)
    err = only_error(plan(spokes_n(2), fx), "OverlapsWithPeeredVnet")
    assert_names_spoke_and_fix(err, "s2", "'vnet-legacy'", "to-legacy", "remove the existing peering")


def test_vnet_peered_outside_the_plan_uses_its_facts_when_the_peering_has_no_prefixes() -> None:
    legacy = vid("vnet-legacy")
    hub = facts(HUB, ["10.0.0.0/16"], existing=[PeeringFact(name="to-legacy", remote_virtual_network_id=legacy)])
    fx = with_facts(standard_facts(1), hub)
    p = plan(spokes_n(1), fx)
    assert p.ok
    assert [(d.check, d.vnet_id) for d in p.deferred_checks] == [("address_overlap", legacy)]
    fx = with_facts(fx, facts(legacy, ["10.1.0.0/24"]))
    assert_names_spoke_and_fix(only_error(plan(spokes_n(1), fx), "OverlapsWithPeeredVnet"), "s1", "vnet-legacy")


def test_hub_overlapping_a_vnet_already_peered_to_the_spoke() -> None:
    other = vid("vnet-partner")
    s1 = facts(
        vid("vnet-s1"),
        ["10.1.0.0/16"],
        existing=[
            PeeringFact(name="partner", remote_virtual_network_id=other, remote_address_prefixes=["10.0.5.0/24"])
        ],
    )
    err = only_error(plan(spokes_n(1), with_facts(standard_facts(1), s1)), "OverlapsWithPeeredVnet")
    assert_names_spoke_and_fix(err, "s1", "the hub vnet 'vnet-hub'", "'vnet-partner'", "peered with spoke 's1'")


def test_existing_peerings_to_vnets_in_the_plan_are_not_external() -> None:
    # Second run: ARM already holds this plan's own peerings; they must not count as third vnets.
    fx = standard_facts(2)
    hub_existing = [
        PeeringFact(
            name=f"vnet-hub-to-vnet-s{i}",
            remote_virtual_network_id=vid(f"vnet-s{i}").upper().replace("SUBSCRIPTIONS", "subscriptions"),
        )
        for i in (1, 2)
    ]
    fx[HUB] = facts(HUB, ["10.0.0.0/16"], existing=hub_existing)
    for i in (1, 2):
        fx[vid(f"vnet-s{i}")] = facts(
            vid(f"vnet-s{i}"),
            [f"10.{i}.0.0/16"],
            existing=[
                PeeringFact(name=f"vnet-s{i}-to-vnet-hub", remote_virtual_network_id=HUB, peering_state="Connected")
            ],
        )
    p = plan(spokes_n(2), fx)
    assert p.ok, p.errors
    assert p.warnings == () and p.deferred_checks == ()


# --- gateways ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("state", "fragment"), [("none", "no virtual network gateway"), ("failed", "Failed")])
def test_transit_needs_a_working_hub_gateway(state: GatewayState, fragment: str) -> None:
    fx = standard_facts(2, hub_gateway=state)
    p = plan({"s1": spoke("s1", use_hub_gateway=True), "s2": spoke("s2")}, fx)
    err = only_error(p, "HubHasNoGateway")
    assert err.field == 'spokes["s1"].use_hub_gateway'
    assert_names_spoke_and_fix(err, "s1", fragment, 'spokes["s1"].use_hub_gateway=False')
    assert not p.wait_for_hub_gateway


def test_no_transit_needs_no_hub_gateway() -> None:
    p = plan(spokes_n(2), standard_facts(2, hub_gateway="none"))
    assert p.ok and not p.wait_for_hub_gateway


def test_hub_gateway_still_provisioning_means_wait_not_fail() -> None:
    p = plan({"s1": spoke("s1", use_hub_gateway=True)}, standard_facts(1, hub_gateway="provisioning"))
    assert p.ok, p.errors
    assert p.wait_for_hub_gateway
    assert [w.code for w in p.warnings] == ["WaitingForHubGateway"]
    assert p.peering("s1.spoke-to-hub").depends_on_keys == ("s1.hub-to-spoke",)


def test_the_gateway_wait_warning_names_every_spoke_it_concerns() -> None:
    two = {"s1": spoke("s1", use_hub_gateway=True), "s2": spoke("s2", use_hub_gateway=True)}
    p = plan(two, standard_facts(2, hub_gateway="provisioning"))
    (warning,) = p.warnings
    assert warning.code == "WaitingForHubGateway" and "'s1'" in warning.message and "'s2'" in warning.message


def test_hub_gateway_succeeded_means_no_wait() -> None:
    p = plan({"s1": spoke("s1", use_hub_gateway=True)}, standard_facts(1))
    assert p.ok and not p.wait_for_hub_gateway and p.warnings == ()


def test_unknown_hub_gateway_defers_the_check_and_waits() -> None:
    fx = standard_facts(1)
    del fx[HUB]
    p = plan({"s1": spoke("s1", use_hub_gateway=True)}, fx)
    assert p.ok and p.wait_for_hub_gateway
    assert ("hub_gateway", HUB) in {(d.check, d.vnet_id) for d in p.deferred_checks}


@pytest.mark.parametrize("state", ["succeeded", "provisioning", "failed"])
def test_spoke_with_its_own_gateway_cannot_use_the_hub_gateway(state: GatewayState) -> None:
    fx = standard_facts(1)
    fx[vid("vnet-s1")] = facts(vid("vnet-s1"), ["10.1.0.0/16"], gateway=state)
    err = only_error(plan({"s1": spoke("s1", use_hub_gateway=True)}, fx), "SpokeHasOwnGateway")
    assert_names_spoke_and_fix(err, "s1", "its own gateway", state, "use_hub_gateway=False")
    assert plan({"s1": spoke("s1")}, fx).ok


def test_spoke_already_using_another_remote_gateway() -> None:
    fx = standard_facts(1)
    fx[vid("vnet-s1")] = facts(
        vid("vnet-s1"),
        ["10.1.0.0/16"],
        existing=[
            PeeringFact(
                name="to-old-hub",
                remote_virtual_network_id=vid("vnet-old-hub"),
                use_remote_gateways=True,
                remote_address_prefixes=["172.16.0.0/16"],
            )
        ],
    )
    err = only_error(plan({"s1": spoke("s1", use_hub_gateway=True)}, fx), "RemoteGatewayAlreadyUsed")
    assert_names_spoke_and_fix(
        err, "s1", "to-old-hub", "vnet-old-hub", "only one peering per vnet", "use_hub_gateway=False", "two updates"
    )
    assert 'then set spokes["s1"].use_hub_gateway=True and apply again' in err.message
    # the rule in the REST API's words; the code of ARM's refusal is not known, so none is named as ARM's
    assert 'the API: "Only one peering can have this flag set to true"' in err.message
    assert "OnlyOnePeeringCanUseRemoteGateways" not in err.message


def test_the_spokes_own_earlier_peering_using_the_gateway_is_not_a_second_one() -> None:
    fx = standard_facts(1)
    fx[vid("vnet-s1")] = facts(
        vid("vnet-s1"),
        ["10.1.0.0/16"],
        existing=[PeeringFact(name="vnet-s1-to-vnet-hub", remote_virtual_network_id=HUB, use_remote_gateways=True)],
    )
    assert plan({"s1": spoke("s1", use_hub_gateway=True)}, fx).ok


def test_the_spokes_peering_to_the_same_hub_under_its_old_name_is_no_second_gateway_user() -> None:
    """spoke_peering_name changed on a live pair that uses the hub's gateway: the old peering links the same two
    vnets, so it is replaced (deleted first), not a second peering using a remote gateway; the planner says so by
    AnotherPeeringToSameVnet (the peering's own check decides whether it is this stack's), not by an error."""
    fx = standard_facts(1)
    fx[vid("vnet-s1")] = facts(
        vid("vnet-s1"),
        ["10.1.0.0/16"],
        existing=[PeeringFact(name="vnet-s1-to-vnet-hub", remote_virtual_network_id=HUB, use_remote_gateways=True)],
    )
    renamed = plan({"s1": spoke("s1", use_hub_gateway=True, spoke_peering_name="s1-to-hub")}, fx)
    assert renamed.ok, renamed
    assert not [e for e in renamed.errors if e.code == "RemoteGatewayAlreadyUsed"]


# --- subnets -------------------------------------------------------------------------------------------------------


def test_unknown_subnet_names_list_the_valid_ones() -> None:
    spokes = {"s1": spoke("s1", link="subnets", local_subnet_names=["app", "web"], hub_subnet_names=["SHARED"])}
    err = only_error(plan(spokes, standard_facts(1)), "UnknownSubnet")
    assert err.field == 'spokes["s1"].local_subnet_names'
    assert_names_spoke_and_fix(err, "s1", "'web'", "its subnets: app, data", 'spokes["s1"].local_subnet_names')


def test_unknown_hub_subnet() -> None:
    spokes = {"s1": spoke("s1", link="subnets", local_subnet_names=["app"], hub_subnet_names=["nope"])}
    err = only_error(plan(spokes, standard_facts(1)), "UnknownSubnet")
    assert err.field == 'spokes["s1"].hub_subnet_names'
    assert_names_spoke_and_fix(err, "s1", "hub vnet 'vnet-hub'", "GatewaySubnet, shared, v4only")


def test_ipv6_link_needs_dual_stack_subnets() -> None:
    spokes = {"s1": spoke("s1", link="ipv6", local_subnet_names=["app"], hub_subnet_names=["v4only"])}
    err = only_error(plan(spokes, standard_facts(1)), "SubnetHasNoIpv6")
    assert_names_spoke_and_fix(err, "s1", "'v4only'", "dual stack")


def test_subnet_checks_are_deferred_without_facts() -> None:
    spokes = {"s1": spoke("s1", link="subnets", local_subnet_names=["whatever"], hub_subnet_names=["x"])}
    p = plan(spokes, {})
    assert p.ok
    assert {d.check for d in p.deferred_checks} >= {"subnets", "address_overlap"}


# --- existing peerings -------------------------------------------------------------------------------------------


def test_planned_name_taken_by_a_peering_to_another_vnet() -> None:
    fx = standard_facts(1)
    fx[HUB] = facts(
        HUB,
        ["10.0.0.0/16"],
        existing=[
            PeeringFact(
                name="VNET-HUB-TO-VNET-S1",
                remote_virtual_network_id=vid("elsewhere"),
                remote_address_prefixes=["192.168.0.0/24"],
            )
        ],
    )
    err = only_error(plan(spokes_n(1), fx), "PeeringNameTaken")
    assert err.field == 'spokes["s1"].hub_peering_name'
    assert_names_spoke_and_fix(err, "s1", "ChangingRemoteVirtualNetworkNotAllowed", 'spokes["s1"].hub_peering_name')


def test_another_peering_to_the_same_vnet_is_a_warning_with_the_adoption_hint() -> None:
    fx = standard_facts(1)
    fx[HUB] = facts(
        HUB, ["10.0.0.0/16"], existing=[PeeringFact(name="manual-peer", remote_virtual_network_id=vid("vnet-s1"))]
    )
    p = plan(spokes_n(1), fx)
    assert p.ok
    [w] = p.warnings
    assert w.code == "AnotherPeeringToSameVnet" and w.spoke == "s1"
    assert "AnotherPeeringAlreadyReferencesRemoteVnet" in w.message and "adopt_existing=True" in w.message


def test_adopt_existing_without_an_existing_peering_warns() -> None:
    p = plan({"s1": spoke("s1", adopt_existing=True)}, standard_facts(1))
    assert p.ok
    assert [(w.code, w.spoke) for w in p.warnings] == [("NothingToAdopt", "s1"), ("NothingToAdopt", "s1")]


def test_adopt_existing_with_the_peering_present_is_quiet() -> None:
    fx = standard_facts(1)
    fx[HUB] = facts(
        HUB, ["10.0.0.0/16"], existing=[PeeringFact(name="legacy", remote_virtual_network_id=vid("vnet-s1"))]
    )
    fx[vid("vnet-s1")] = facts(
        vid("vnet-s1"), ["10.1.0.0/16"], existing=[PeeringFact(name="legacy-back", remote_virtual_network_id=HUB)]
    )
    p = plan({"s1": spoke("s1", adopt_existing=True, hub_peering_name="legacy", spoke_peering_name="legacy-back")}, fx)
    assert p.ok and p.warnings == ()


def test_disconnected_peering_is_written_before_its_reverse() -> None:
    fx = standard_facts(1)
    fx[HUB] = facts(
        HUB,
        ["10.0.0.0/16"],
        existing=[
            PeeringFact(
                name="vnet-hub-to-vnet-s1", remote_virtual_network_id=vid("vnet-s1"), peering_state="Disconnected"
            )
        ],
    )
    p = plan(spokes_n(1), fx)
    assert p.ok
    assert [w.code for w in p.warnings] == ["DisconnectedPeering"]
    assert "RemotePeeringIsDisconnected" in p.warnings[0].message
    assert p.peering("s1.spoke-to-hub").depends_on_keys == ("s1.hub-to-spoke",)


def test_disconnected_spoke_side_with_transit_does_not_create_a_cycle() -> None:
    fx = standard_facts(1)
    fx[vid("vnet-s1")] = facts(
        vid("vnet-s1"),
        ["10.1.0.0/16"],
        existing=[PeeringFact(name="vnet-s1-to-vnet-hub", remote_virtual_network_id=HUB, peering_state="Disconnected")],
    )
    p = plan({"s1": spoke("s1", use_hub_gateway=True)}, fx)
    assert p.ok
    assert p.peering("s1.hub-to-spoke").depends_on_keys == ()
    assert p.peering("s1.spoke-to-hub").depends_on_keys == ("s1.hub-to-spoke",)


def test_both_sides_disconnected_warns_and_adds_no_cycle() -> None:
    # Found by the property tests: each side used to depend on the other.
    fx = standard_facts(1)
    fx[HUB] = facts(
        HUB,
        ["10.0.0.0/16"],
        existing=[
            PeeringFact(
                name="vnet-hub-to-vnet-s1", remote_virtual_network_id=vid("vnet-s1"), peering_state="Disconnected"
            )
        ],
    )
    fx[vid("vnet-s1")] = facts(
        vid("vnet-s1"),
        ["10.1.0.0/16"],
        existing=[PeeringFact(name="vnet-s1-to-vnet-hub", remote_virtual_network_id=HUB, peering_state="Disconnected")],
    )
    p = plan(spokes_n(1), fx)
    assert p.ok
    assert [x.depends_on_keys for x in p.peerings] == [(), ()]
    assert "BothSidesDisconnected" in [w.code for w in p.warnings]


def test_disconnected_hub_side_with_transit_keeps_a_single_edge() -> None:
    # Found by the property tests: the repair edge duplicated the gateway-transit edge.
    fx = standard_facts(1)
    fx[HUB] = facts(
        HUB,
        ["10.0.0.0/16"],
        gateway="succeeded",
        existing=[
            PeeringFact(
                name="vnet-hub-to-vnet-s1", remote_virtual_network_id=vid("vnet-s1"), peering_state="Disconnected"
            )
        ],
    )
    p = plan({"s1": spoke("s1", use_hub_gateway=True)}, fx)
    assert p.ok
    assert p.peering("s1.spoke-to-hub").depends_on_keys == ("s1.hub-to-spoke",)


# --- the 500-peering limit --------------------------------------------------------------------------------------


def _unmanaged(n: int) -> list[PeeringFact]:
    return [
        PeeringFact(
            name=f"other-{i}",
            remote_virtual_network_id=vid(f"other-{i}"),
            remote_address_prefixes=[f"172.{i // 256}.{i % 256}.0/24"],
        )
        for i in range(n)
    ]


def test_hub_limit_counts_existing_peerings_not_in_the_plan() -> None:
    fx = standard_facts(2)
    fx[HUB] = facts(HUB, ["10.0.0.0/16"], existing=_unmanaged(499))
    err = only_error(plan(spokes_n(2), fx), "TooManyPeerings")
    assert err.field == "spokes"
    assert_names_spoke_and_fix(err, None, "501 peerings", "2 planned", "499 others", "500")
    fx[HUB] = facts(HUB, ["10.0.0.0/16"], existing=_unmanaged(498))
    assert plan(spokes_n(2), fx).ok


def test_limit_does_not_count_the_plans_own_existing_peerings_twice() -> None:
    fx = standard_facts(2)
    own = [PeeringFact(name=f"vnet-hub-to-vnet-s{i}", remote_virtual_network_id=vid(f"vnet-s{i}")) for i in (1, 2)]
    fx[HUB] = facts(HUB, ["10.0.0.0/16"], existing=[*own, *_unmanaged(498)])
    assert plan(spokes_n(2), fx).ok


def test_limit_uses_the_total_count_when_the_list_is_incomplete() -> None:
    fx = standard_facts(1)
    fx[HUB] = facts(HUB, ["10.0.0.0/16"], count=500)
    assert_names_spoke_and_fix(only_error(plan(spokes_n(1), fx), "TooManyPeerings"), None, "501")


def test_spoke_limit_names_the_spoke() -> None:
    fx = standard_facts(2)
    fx[vid("vnet-s2")] = facts(vid("vnet-s2"), ["10.2.0.0/16"], count=499)
    err = only_error(plan(spokes_n(2), fx, mesh=True), "TooManyPeerings")
    assert err.field == 'spokes["s2"]'
    assert_names_spoke_and_fix(err, "s2", "501 peerings", "join_mesh=False")


def test_limit_is_enforced_from_the_plan_alone_without_facts() -> None:
    p = plan(spokes_n(501), None)
    err = only_error(p, "TooManyPeerings")
    assert_names_spoke_and_fix(err, None, "501 planned")


# --- missing and odd facts ---------------------------------------------------------------------------------------


def test_without_facts_every_fact_check_is_deferred_and_nothing_fails() -> None:
    p = plan({"s1": spoke("s1", use_hub_gateway=True), "s2": spoke("s2")}, None, mesh=True)
    assert p.ok and p.wait_for_hub_gateway
    checks = {(d.check, d.vnet_id.rsplit("/", 1)[-1]) for d in p.deferred_checks}
    assert {
        ("hub_gateway", "vnet-hub"),
        ("spoke_gateway", "vnet-s1"),
        ("remote_gateways", "vnet-s1"),
        ("address_overlap", "vnet-hub"),
        ("address_overlap", "vnet-s1"),
        ("address_overlap", "vnet-s2"),
        ("peering_names", "vnet-hub"),
        ("peering_limit", "vnet-hub"),
    } <= checks
    assert all("ARM enforces it at apply time" in d.message for d in p.deferred_checks)
    hub_entries = [d for d in p.deferred_checks if d.vnet_id == HUB]
    assert all(d.spoke is None for d in hub_entries)


def test_facts_for_one_spoke_missing_defers_only_its_checks() -> None:
    fx = standard_facts(2)
    del fx[vid("vnet-s2")]
    p = plan(spokes_n(2), fx)
    assert p.ok
    assert {d.vnet_id for d in p.deferred_checks} == {vid("vnet-s2")}
    assert {d.spoke for d in p.deferred_checks} == {"s2"}


def test_invalid_prefixes_in_facts_are_ignored_with_a_warning() -> None:
    fx = standard_facts(1)
    fx[vid("vnet-s1")] = facts(vid("vnet-s1"), ["10.1.0.0/16", "not-a-cidr", "10.0.0.0/33"])
    p = plan(spokes_n(1), fx)
    assert p.ok
    assert sorted(w.code for w in p.warnings) == ["InvalidPrefixInFacts", "InvalidPrefixInFacts"]


def test_facts_under_an_invalid_key_are_ignored_with_a_warning() -> None:
    fx = dict(standard_facts(1))
    fx["garbage"] = facts(vid("x1"), [])
    p = plan(spokes_n(1), fx)
    assert p.ok and [w.code for w in p.warnings] == ["FactsIgnored"]


def test_facts_filed_under_the_wrong_vnet_are_flagged() -> None:
    fx = standard_facts(1)
    fx[vid("vnet-s1")] = facts(vid("vnet-other"), ["10.1.0.0/16"])
    p = plan(spokes_n(1), fx)
    assert [w.code for w in p.warnings] == ["FactsIdMismatch"]


def test_a_spoke_gateway_in_a_state_arm_does_not_document_is_still_a_gateway() -> None:
    spoke_facts = facts(vid("vnet-s1"), ["10.1.0.0/16"])
    fx = with_facts(
        standard_facts(1), replace(spoke_facts, gateways=(GatewayFact(vid("vnet-s1") + "-gw", "Migrating"),))
    )
    err = only_error(plan({"s1": spoke("s1", use_hub_gateway=True)}, fx), "SpokeHasOwnGateway")
    assert "state failed" in err.message


def test_errors_from_structure_and_facts_are_reported_together() -> None:
    fx = with_facts(standard_facts(2, hub_gateway="none"), facts(vid("vnet-s2"), ["10.0.0.0/8"]))
    p = plan(
        {
            "s1": spoke("s1", use_hub_gateway=True, link="bogus"),
            "s2": spoke("s2"),
            "s3": spoke("s3", timeouts={"x": 1}),
        },
        fx,
    )
    assert {(e.spoke, e.code) for e in p.errors} == {
        ("s1", "InvalidLink"),
        ("s2", "AddressSpaceOverlap"),
        ("s3", "InvalidTimeouts"),
    }
    assert p.peerings == ()
    # facts_map is also usable to build facts from a list
    assert facts_map(facts(HUB, [])) == {HUB: facts(HUB, [])}


def test_an_adopted_peering_carries_the_id_of_the_one_that_exists() -> None:
    """What the package's component imports (docs/adopting.md): the id ARM listed for the peering of that name
    toward the same remote, on the adopting side only; none without adopt_existing."""
    hub_side_id = vid("vnet-hub") + "/virtualNetworkPeerings/vnet-hub-to-vnet-s1"
    fx = standard_facts(1)
    fx[HUB] = facts(
        HUB,
        ["10.0.0.0/16"],
        existing=[PeeringFact(name="vnet-hub-to-vnet-s1", remote_virtual_network_id=vid("vnet-s1"), id=hub_side_id)],
    )
    adopted = plan({"s1": spoke("s1", adopt_existing=True)}, fx)
    assert adopted.ok
    assert adopted.peering("s1.hub-to-spoke").existing_id == hub_side_id
    assert adopted.peering("s1.spoke-to-hub").existing_id is None  # the spoke side does not exist: created
    assert [w.code for w in adopted.warnings] == ["NothingToAdopt"]
    assert plan({"s1": spoke("s1")}, fx).peering("s1.hub-to-spoke").existing_id is None
