"""Structural rules of the planner: everything decided without facts (validate_spec and plan_hub_spoke agree)."""

from __future__ import annotations

import pytest

from pulumi_azure_peering.components.plan import PlanValidationError, plan_hub_spoke, validate_spec, vnet_ids_to_look_up
from pulumi_azure_peering.components.topology import HubSpokeSpec, SpokeSpec, parse_vnet_id
from tests.unit.components.planner_factories import (
    HUB,
    OTHER_SUB,
    SUB,
    TENANT_A,
    TENANT_B,
    assert_names_spoke_and_fix,
    hub_spec,
    only_error,
    plan,
    spoke,
    vid,
)

pytestmark = pytest.mark.unit


def codes(errors: object) -> list[str]:
    return [e.code for e in errors]  # type: ignore[attr-defined]


# --- ids ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "empty"),
        (" " + vid("v1"), "whitespace"),
        ("vnet-app", "not a well-formed ARM resource id"),
        (f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1", "virtual network"),
        (vid("v1") + "/subnets/default", "not a virtual network id"),
        (vid("v1") + "/", "not a well-formed"),
        (vid("v1", sub="not-a-guid"), "not a GUID"),
        (vid("v1", rg="bad rg!"), "resource group"),
        (vid("v1", rg="ends-with-dot."), "resource group"),
        (vid("-v1"), "virtual network name"),
        (vid("x"), "virtual network name"),
        (vid("a" * 65), "virtual network name"),
    ],
)
def test_invalid_spoke_vnet_id_names_spoke_field_and_reason(raw: str, reason: str) -> None:
    p = plan({"app1": SpokeSpec(vnet_id=raw)})
    err = only_error(p, "InvalidVnetId")
    assert err.field == 'spokes["app1"].vnet_id'
    assert_names_spoke_and_fix(err, "app1", reason, "full ARM id")


def test_invalid_hub_id_is_a_hub_level_error_and_spokes_are_still_validated() -> None:
    p = plan({"app1": spoke("app1", link="mesh")}, hub_vnet_id="/subscriptions/x")
    err = only_error(p, "InvalidVnetId")
    assert err.field == "hub_vnet_id"
    assert_names_spoke_and_fix(err, None, "hub_vnet_id")
    assert "InvalidLink" in codes(p.errors)
    assert p.hub_vnet_id is None


def test_vnet_ids_are_canonicalised_and_compared_case_insensitively() -> None:
    raw = f"/SUBSCRIPTIONS/{SUB.upper()}/resourcegroups/RG-Net/providers/microsoft.network/VIRTUALNETWORKS/Vnet-App"
    ref = parse_vnet_id(raw)
    assert ref.id == f"/subscriptions/{SUB}/resourceGroups/RG-Net/providers/Microsoft.Network/virtualNetworks/Vnet-App"
    assert ref.key == ref.id.lower()
    assert parse_vnet_id(ref.id.lower()).key == ref.key


def test_ids_in_the_plan_are_canonical() -> None:
    p = plan({"app1": SpokeSpec(vnet_id=vid("vnet-app1").upper().replace(SUB.upper(), SUB))})
    assert p.ok
    assert p.hub_vnet_id == HUB
    assert p.peering("app1.spoke-to-hub").local_vnet_id == vid("VNET-APP1", rg="RG-NET")


# --- topology ----------------------------------------------------------------------------------------------------


def test_duplicate_spoke_same_vnet_under_two_names_in_any_case() -> None:
    p = plan({"a": spoke("a", vnet_id=vid("vnet-x")), "b": spoke("b", vnet_id=vid("VNET-X", rg="RG-NET"))})
    err = only_error(p, "DuplicateSpoke")
    assert err.field == 'spokes["b"].vnet_id'
    assert_names_spoke_and_fix(err, "b", "'a'", "remove spoke 'b'")


def test_hub_listed_as_spoke() -> None:
    p = plan({"hub": spoke("hub", vnet_id=HUB.lower())})
    err = only_error(p, "HubListedAsSpoke")
    assert_names_spoke_and_fix(err, "hub", "hub vnet", "remove spoke 'hub'")


@pytest.mark.parametrize("name", ["", "-app", "app-", "app.1", "app 1", "a" * 64, "app/1", "äpp", "mesh.x"])
def test_invalid_spoke_names(name: str) -> None:
    p = plan({name: spoke("x")})
    err = only_error(p, "InvalidSpokeName")
    assert err.spoke is None
    assert err.field.startswith("spokes[")
    assert "letters, digits" in err.message and "Fix:" in err.message


@pytest.mark.parametrize("name", ["a", "app1", "App_1", "a-b-c", "x" * 63, "0"])
def test_valid_spoke_names(name: str) -> None:
    assert plan({name: spoke("x")}).ok


def test_non_spokespec_value_is_reported() -> None:
    spec = HubSpokeSpec(hub_vnet_id=HUB, spokes={"app1": {"vnet_id": vid("v1")}})  # type: ignore[dict-item]
    err = only_error(plan_hub_spoke(spec, None), "InvalidArgument")
    assert_names_spoke_and_fix(err, "app1", "SpokeSpec")


def test_empty_spokes_give_an_empty_valid_plan() -> None:
    p = plan({})
    assert p.ok and p.peerings == () and p.hub_vnet_id == HUB


# --- link kinds and subnet names ---------------------------------------------------------------------------------


def test_unknown_link_kind_lists_valid_values() -> None:
    err = only_error(plan({"app1": spoke("app1", link="VNet")}), "InvalidLink")
    assert err.field == 'spokes["app1"].link'
    assert_names_spoke_and_fix(err, "app1", "'vnet'", "'subnets'", "'ipv6'")


@pytest.mark.parametrize("attr", ["local_subnet_names", "hub_subnet_names"])
def test_subnet_names_need_subnet_link(attr: str) -> None:
    err = only_error(plan({"app1": spoke("app1", **{attr: ["app"]})}), "SubnetNamesWithoutSubnetLink")
    assert err.field == f'spokes["app1"].{attr}'
    assert_names_spoke_and_fix(err, "app1", "link='subnets'", f"remove {attr}")


@pytest.mark.parametrize("link", ["subnets", "ipv6"])
@pytest.mark.parametrize("attr", ["local_subnet_names", "hub_subnet_names"])
def test_subnet_link_needs_both_subnet_lists(link: str, attr: str) -> None:
    other = "hub_subnet_names" if attr == "local_subnet_names" else "local_subnet_names"
    err = only_error(plan({"app1": spoke("app1", link=link, **{other: ["x"]})}), "MissingSubnetNames")
    assert err.field == f'spokes["app1"].{attr}'
    assert_names_spoke_and_fix(err, "app1", "list the", attr, "link='vnet'")


def test_invalid_and_duplicate_subnet_names() -> None:
    p = plan(
        {"app1": spoke("app1", link="subnets", local_subnet_names=["ok", "bad name", "OK"], hub_subnet_names=["h"])}
    )
    assert sorted(codes(p.errors)) == ["DuplicateSubnetNames", "InvalidSubnetNames"]
    fields = {e.code: e.field for e in p.errors}
    assert fields["InvalidSubnetNames"] == 'spokes["app1"].local_subnet_names[1]'
    assert fields["DuplicateSubnetNames"] == 'spokes["app1"].local_subnet_names[2]'
    for e in p.errors:
        assert_names_spoke_and_fix(e, "app1")


def test_too_many_subnet_names() -> None:
    names = [f"s{i}" for i in range(201)]
    err = only_error(
        plan({"app1": spoke("app1", link="subnets", local_subnet_names=names, hub_subnet_names=["h"])}),
        "TooManySubnetNames",
    )
    assert_names_spoke_and_fix(err, "app1", "201", "200")


def test_subnet_names_given_as_a_string_are_refused() -> None:
    err = only_error(
        plan({"app1": spoke("app1", link="subnets", local_subnet_names="app", hub_subnet_names=["h"])}),
        "InvalidSubnetNames",
    )
    assert_names_spoke_and_fix(err, "app1", "list of subnet names")


# --- peering names --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["", "-x", "x-", "x.", "a b", "a" * 81, "x/y", "ü"])
@pytest.mark.parametrize("attr", ["hub_peering_name", "spoke_peering_name"])
def test_invalid_peering_name_overrides(attr: str, bad: str) -> None:
    err = only_error(plan({"app1": spoke("app1", **{attr: bad})}), "InvalidPeeringName")
    assert err.field == f'spokes["app1"].{attr}'
    assert_names_spoke_and_fix(err, "app1", "1-80 letters")


@pytest.mark.parametrize("good", ["a", "x_", "peer.hub-1", "A" * 80, "9to_hub_"])
def test_valid_peering_name_overrides(good: str) -> None:
    p = plan({"app1": spoke("app1", hub_peering_name=good, spoke_peering_name=good)})
    assert p.ok
    assert p.peering("app1.hub-to-spoke").name == good == p.peering("app1.spoke-to-hub").name


def test_default_names_clash_when_two_spokes_have_the_same_vnet_name() -> None:
    p = plan({"a": spoke("a", vnet_id=vid("vnet-app", rg="rg1")), "b": spoke("b", vnet_id=vid("vnet-app", rg="rg2"))})
    err = only_error(p, "PeeringNameClash")
    assert err.field == 'spokes["b"].hub_peering_name'
    assert_names_spoke_and_fix(err, "b", "vnet-hub-to-vnet-app", "a.hub-to-spoke", 'spokes["b"].hub_peering_name')


def test_name_clash_is_resolved_by_an_override_without_touching_the_other_spoke() -> None:
    spokes = {
        "a": spoke("a", vnet_id=vid("vnet-app", rg="rg1")),
        "b": spoke("b", vnet_id=vid("vnet-app", rg="rg2"), hub_peering_name="vnet-hub-to-vnet-app-rg2"),
    }
    p = plan(spokes)
    assert p.ok
    assert p.peering("a.hub-to-spoke").name == "vnet-hub-to-vnet-app"


def test_override_names_compare_case_insensitively() -> None:
    p = plan({"a": spoke("a", hub_peering_name="Peer"), "b": spoke("b", hub_peering_name="peer")})
    assert_names_spoke_and_fix(only_error(p, "PeeringNameClash"), "b", "hub_peering_name")


def test_override_clashing_with_a_mesh_name_blames_the_override() -> None:
    p = plan({"a": spoke("a", spoke_peering_name="mesh-a-to-b"), "b": spoke("b")}, mesh=True)
    err = only_error(p, "PeeringNameClash")
    assert err.field == 'spokes["a"].spoke_peering_name'
    assert_names_spoke_and_fix(err, "a", "mesh-a-to-b")


# --- flags, timeouts, tenants ------------------------------------------------------------------------------------


def test_non_bool_flags_are_refused() -> None:
    p = plan({"app1": spoke("app1", use_hub_gateway="yes")}, mesh=1)
    assert {e.field for e in p.errors} == {"mesh", 'spokes["app1"].use_hub_gateway'}


def test_timeouts_are_normalised_to_seconds_and_spoke_overrides_hub_key_by_key() -> None:
    p = plan(
        {"app1": spoke("app1", timeouts={"create": "1h30m", "delete": 45})},
        timeouts={"create": "10m", "update": "90s"},
    )
    assert p.ok
    t = p.peering("app1.hub-to-spoke").timeouts
    assert t is not None and t.as_dict() == {"create": 5400.0, "update": 90.0, "delete": 45.0}
    assert plan({"x": spoke("x")}).peering("x.spoke-to-hub").timeouts is None


@pytest.mark.parametrize(
    ("timeouts", "field"),
    [
        ({"creat": "10m"}, 'timeouts["creat"]'),
        ({"create": "ten minutes"}, 'timeouts["create"]'),
        ({"create": 0}, 'timeouts["create"]'),
        ({"create": -5}, 'timeouts["create"]'),
        ({"create": float("inf")}, 'timeouts["create"]'),
        ({"create": True}, 'timeouts["create"]'),
        ({"delete": None}, 'timeouts["delete"]'),
        ("30m", "timeouts"),
    ],
)
def test_invalid_timeouts(timeouts: object, field: str) -> None:
    err = only_error(plan({"app1": spoke("app1", timeouts=timeouts)}), "InvalidTimeouts")
    assert err.field == f'spokes["app1"].{field}'
    assert_names_spoke_and_fix(err, "app1")


def test_invalid_hub_level_timeouts_are_hub_errors() -> None:
    err = only_error(plan({}, timeouts={"create": "soon"}), "InvalidTimeouts")
    assert err.field == 'timeouts["create"]'
    assert_names_spoke_and_fix(err, None)


def test_auxiliary_tenants_are_merged_deduplicated_and_lower_cased() -> None:
    p = plan(
        {"app1": spoke("app1", auxiliary_tenant_ids=[TENANT_B.upper(), TENANT_A])},
        auxiliary_tenant_ids=[TENANT_A],
    )
    assert p.peering("app1.spoke-to-hub").auxiliary_tenant_ids == (TENANT_A, TENANT_B)


def test_auxiliary_tenant_must_be_a_guid() -> None:
    err = only_error(
        plan({"app1": spoke("app1", auxiliary_tenant_ids=["contoso.onmicrosoft.com"])}), "InvalidAuxiliaryTenant"
    )
    assert err.field == 'spokes["app1"].auxiliary_tenant_ids[0]'
    assert_names_spoke_and_fix(err, "app1", "tenant id")


def test_at_most_three_auxiliary_tenants() -> None:
    tenants = [f"{i}0000000-0000-0000-0000-000000000000" for i in range(1, 5)]
    err = only_error(
        plan({"app1": spoke("app1", auxiliary_tenant_ids=tenants[2:])}, auxiliary_tenant_ids=tenants[:2]),
        "TooManyAuxiliaryTenants",
    )
    assert_names_spoke_and_fix(err, "app1", "4 auxiliary tenants", "at most 3")


def test_mesh_peering_needing_more_than_three_tenants() -> None:
    tenants = [f"{i}0000000-0000-0000-0000-000000000000" for i in range(1, 5)]
    spokes = {"a": spoke("a", auxiliary_tenant_ids=tenants[:2]), "b": spoke("b", auxiliary_tenant_ids=tenants[2:])}
    err = only_error(plan(spokes, mesh=True), "TooManyAuxiliaryTenants")
    assert_names_spoke_and_fix(err, "b", "'a'", "join_mesh=False")


# --- validate_spec and helpers -----------------------------------------------------------------------------------


def test_validate_spec_reports_all_structural_errors_at_once_and_sorted() -> None:
    spec = hub_spec(
        {
            "b": spoke("b", link="subnets"),
            "a": SpokeSpec(vnet_id="nope"),
            "c": spoke("c", vnet_id=HUB),
        },
        auxiliary_tenant_ids=["x"],
    )
    errors = validate_spec(spec)
    assert [(e.spoke, e.code) for e in errors] == [
        (None, "InvalidAuxiliaryTenant"),
        ("a", "InvalidVnetId"),
        ("b", "MissingSubnetNames"),
        ("b", "MissingSubnetNames"),
        ("c", "HubListedAsSpoke"),
    ]
    assert plan_hub_spoke(spec, None).errors == errors


def test_validate_spec_is_clean_for_a_good_spec() -> None:
    assert validate_spec(hub_spec({"a": spoke("a"), "b": spoke("b", use_hub_gateway=True)}, mesh=True)) == ()


def test_validate_spec_never_raises_on_a_wrong_type() -> None:
    errors = validate_spec("hub")  # type: ignore[arg-type]
    assert codes(errors) == ["InvalidArgument"]


def test_vnet_ids_to_look_up_are_canonical_sorted_and_skip_invalid_ones() -> None:
    spec = hub_spec(
        {"b": spoke("b"), "a": spoke("a", vnet_id=vid("vnet-a", sub=OTHER_SUB)), "x": SpokeSpec(vnet_id="bad")}
    )
    assert vnet_ids_to_look_up(spec) == (vid("vnet-b"), HUB, vid("vnet-a", sub=OTHER_SUB))


def test_raise_for_errors_lists_every_error() -> None:
    p = plan({"a": SpokeSpec(vnet_id="bad"), "b": spoke("b", link="x")})
    with pytest.raises(PlanValidationError) as info:
        p.raise_for_errors()
    text = str(info.value)
    assert "2 error(s)" in text and 'spokes["a"].vnet_id' in text and 'spokes["b"].link' in text
    assert len(info.value.errors) == 2
    plan({"a": spoke("a")}).raise_for_errors()
