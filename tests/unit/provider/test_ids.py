"""The one set of ARM id rules (provider/ids.py): what a vnet id may be, how much of a bad value a message quotes,
how ids become URL paths; and that the standalone peering's check and the hub-and-spoke planner refuse exactly the
same ids with the same reason (issue 25, item 4)."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

import pytest
import responses
from hypothesis import given
from hypothesis import strategies as st

from pulumi_azure_peering.components.plan import plan_hub_spoke
from pulumi_azure_peering.components.topology import HubSpokeSpec, SpokeSpec, parse_vnet_id
from pulumi_azure_peering.provider import ids
from pulumi_azure_peering.provider.validation import validate_inputs
from tests.unit.provider.provider_fakes import ARM, make_client

pytestmark = pytest.mark.unit

SUB = "361de6c3-799a-41e4-8381-fc64ef7a8afb"
OTHER = "6c95aa64-db25-4975-ba88-29cd57894580"


def vid(name: str = "vnet-hub", rg: str = "rg-hub", sub: str = SUB) -> str:
    return f"/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/virtualNetworks/{name}"


HUB = vid()
REMOTE = vid("vnet-payments", "rg-spokes", OTHER)
MEGABYTE = 1 << 20

# (bad id, words its reason contains)
MALFORMED: list[tuple[str, str]] = [
    (HUB + "#x", "'#', which would start a URL fragment: remove '#x'"),
    (HUB + "?api-version=2019-01-01", "'?', which would start a URL query: remove '?api-version=2019-01-01'"),
    (HUB + "/../vnet-other", "'..' segment"),
    (vid(rg=".."), "'..' segment"),
    (vid(rg="."), "'.' segment"),
    (HUB + " ", "whitespace (' ' at the end, in the virtual network name)"),
    (HUB + "\n", "whitespace ('\\n' at the end"),
    (" " + HUB, "whitespace (' ' at the start)"),
    (vid("vnet\thub"), "whitespace ('\\t' at position"),
    (vid(rg="rg hub"), "in the resource group name"),
    (HUB + "\x00", "a control character ('\\x00' at the end"),
    (vid("vnet\x1bhub"), "a control character ('\\x1b' at position"),
    (vid("vnet\u200bhub"), "a control character ('\\u200b' at position"),
    (vid("a" * MEGABYTE), f"virtual network name {'a' * 64!r}... ({MEGABYTE} characters) is not valid"),
    (vid("a" * 65), "virtual network name"),
    (vid("x"), "virtual network name"),
    (vid("-vnet"), "virtual network name"),
    (vid("vnet."), "virtual network name"),
    (vid("vnet%2Fhub"), "virtual network name"),
    (vid(rg="r" * 91), "resource group name"),
    (vid(rg="rg-hub."), "resource group name"),
    (vid(rg="rg!"), "resource group name"),
    (vid(sub=SUB.replace("-", "")), "is not a GUID"),
    (vid(sub="{" + SUB + "}"), "is not a GUID"),
    (vid(sub="urn:uuid:" + SUB), "is not a GUID"),
    (vid(sub="x"), "is not a GUID"),
    ("", "it is empty"),
    ("vnet-hub", "not a well-formed ARM resource id"),
    ("subscriptions/" + HUB.split("/subscriptions/", 1)[1], "not a well-formed ARM resource id"),
    (HUB + "/", "empty segment"),
    ("/" + HUB, "empty segment"),
    (HUB.replace("/providers/", "//providers/"), "empty segment"),
    (f"/subscriptions/{SUB}/resourceGroups/rg-hub", "not a well-formed ARM resource id"),
    (f"/subscriptions/{SUB}/resourceGroups/rg-hub/providers/Microsoft.Network", "not a well-formed"),
    (HUB.replace("/resourceGroups/", "/resourceGroup/"), "not a well-formed ARM resource id"),
    (HUB.replace("/providers/", "/provider/"), "not a well-formed ARM resource id"),
    (HUB.replace("Microsoft.Network", "Microsoft.Compute"), "not a virtual network id"),
    (HUB.replace("virtualNetworks", "virtualNetworkGateways"), "not a virtual network id"),
    (HUB + "/subnets/default", "not a virtual network id: it goes on after the vnet name with '/subnets/default'"),
    (HUB + "/virtualNetworkPeerings/p", "not a virtual network id"),
]

VALID: list[str] = [
    HUB,
    vid("vnet.hub_1"),
    vid("v_"),
    vid("a" * 64),
    vid(rg="rg_(prod).eu-1"),
    vid(rg="r"),
    vid(rg="r" * 90),
    vid(rg="rg-réseau-ñ"),
    vid(rg="グループ"),
    vid(rg="a..b"),
    vid(sub=SUB.upper()),
    HUB.lower(),
    HUB.replace("Microsoft.Network/virtualNetworks", "microsoft.network/VIRTUALNETWORKS"),
    HUB.replace("/subscriptions/", "/SUBSCRIPTIONS/").replace("/resourceGroups/", "/resourcegroups/"),
    HUB.replace("/providers/", "/Providers/"),
]


def reason_of(raw: Any) -> str:
    with pytest.raises(ids.InvalidIdError) as info:
        ids.parse_vnet_id(raw)
    return info.value.reason


def provider_failures(**inputs: Any) -> dict[str, str]:
    news = {"virtual_network_id": HUB, "name": "hub-to-payments", "remote_virtual_network_id": REMOTE, **inputs}
    _, failures = validate_inputs(news)
    return {f.property: f.reason for f in failures}


def planner_vnet_id_error(raw: Any) -> str:
    plan = plan_hub_spoke(HubSpokeSpec(hub_vnet_id=HUB, spokes={"app": SpokeSpec(vnet_id=raw)}))
    found = [e for e in plan.errors if e.code == "InvalidVnetId"]
    assert len(found) == 1 and found[0].field == 'spokes["app"].vnet_id', plan.errors
    return found[0].message


# --- the rule table ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "words"), MALFORMED, ids=[repr(raw[-40:]) for raw, _ in MALFORMED])
def test_malformed_ids_are_refused_with_a_short_reason(raw: str, words: str) -> None:
    reason = reason_of(raw)
    assert words in reason, reason
    assert len(reason) < 300, reason
    assert "\n" not in reason and "\x00" not in reason
    assert ids.vnet_id_problem(raw) == reason


@pytest.mark.parametrize("raw", VALID, ids=[repr(raw[-40:]) for raw in VALID])
def test_valid_ids_are_accepted_in_canonical_form(raw: str) -> None:
    parsed = ids.parse_vnet_id(raw)
    assert ids.vnet_id_problem(raw) is None
    assert parsed.key == parsed.id.lower() == raw.lower()
    # fixed segments in ARM's casing, the subscription in lower case, the group and name as given
    sub, group, name = raw.split("/")[2], raw.split("/")[4], raw.split("/")[8]
    assert parsed.id == vid(name, group, sub.lower())
    assert (parsed.subscription_id, parsed.resource_group, parsed.name) == (sub.lower(), group, name)
    assert provider_failures(virtual_network_id=raw) == {}
    assert parse_vnet_id(raw).id == parsed.id


def test_a_value_that_is_not_a_string_is_refused() -> None:
    assert "expected a string, got int" in reason_of(42)
    assert "not int" in provider_failures(virtual_network_id=42)["virtual_network_id"]


# --- the provider's check and the planner: the same ids, the same reason ---------------------------------------


@pytest.mark.parametrize(("raw", "words"), MALFORMED, ids=[repr(raw[-40:]) for raw, _ in MALFORMED])
@pytest.mark.parametrize("field", ["virtual_network_id", "remote_virtual_network_id"])
def test_the_check_and_the_planner_refuse_the_same_ids_in_the_same_words(raw: str, words: str, field: str) -> None:
    reason = reason_of(raw)
    failures = provider_failures(**{field: raw})
    assert list(failures) == [field], failures
    message = failures[field]
    assert reason in message and "Fix:" in message
    assert message.startswith(ids.quote_value(raw) + " is not an ARM resource id of a virtual network: ")
    assert len(message) < 700, message  # at most 200 characters of the id, then the reason
    assert f"is invalid: {reason}." in planner_vnet_id_error(raw)


@given(
    st.one_of(
        st.text(max_size=40),
        st.builds(
            lambda sub, rg, name, tail: vid(name, rg, sub) + tail,
            st.sampled_from([SUB, SUB.upper(), SUB.replace("-", ""), "x"]),
            st.text(st.characters(codec="utf-8"), min_size=0, max_size=95),
            st.text(st.characters(codec="utf-8"), min_size=0, max_size=66),
            st.sampled_from(["", "/", "#", "?a=b", " ", "/subnets/s"]),
        ),
    )
)
def test_any_text_is_refused_by_both_or_by_neither(raw: str) -> None:
    reason = ids.vnet_id_problem(raw)
    provider = provider_failures(virtual_network_id=raw, remote_virtual_network_id=raw + "x")
    if reason is None:
        assert "virtual_network_id" not in provider
        assert parse_vnet_id(raw).key == raw.lower()
    else:
        assert reason in provider["virtual_network_id"]
        assert reason in planner_vnet_id_error(raw)


# --- quoting bad values ------------------------------------------------------------------------------------------


def test_quote_value_shows_at_most_200_characters_and_the_length() -> None:
    assert ids.quote_value("short") == "'short'"
    quoted = ids.quote_value("a" * MEGABYTE)
    assert quoted == repr("a" * 200) + f"... ({MEGABYTE} characters)"
    escaped = ids.quote_value("\x00" * 300)
    assert len(escaped) <= 230 and escaped.endswith("... (300 characters)")
    assert ids.quote_value(["x"] * 1000).endswith("(list, 5000 characters)")
    assert len(ids.quote_value(["x"] * 1000)) < 240


# --- ids into URLs -----------------------------------------------------------------------------------------------


def test_quote_path_keeps_each_segment_a_segment() -> None:
    assert ids.quote_path(HUB) == HUB
    assert ids.quote_path(HUB + "#x") == HUB.rsplit("/", 1)[0] + "/vnet-hub%23x"
    assert ids.quote_path(HUB + "?api-version=1") == HUB.rsplit("/", 1)[0] + "/vnet-hub%3Fapi-version%3D1"
    group = vid(rg="rg_(prod)-é")
    assert "/resourceGroups/rg_%28prod%29-%C3%A9/" in ids.quote_path(group)
    assert unquote(ids.quote_path(group)) == group
    assert ids.parse_vnet_id(group).path == ids.quote_path(group)


def test_the_client_never_lets_a_path_carry_a_query_or_fragment() -> None:
    client, _ = make_client()
    assert client.url(HUB + "#x") == ARM + HUB.rsplit("/", 1)[0] + "/vnet-hub%23x"
    assert client.url(HUB + "?api-version=2019-01-01").endswith("/vnet-hub%3Fapi-version%3D2019-01-01")
    assert client.url(HUB.lstrip("/")) == ARM + HUB
    absolute = ARM + HUB + "/virtualNetworkPeerings?api-version=2025-05-01&$skiptoken=a%2Fb"
    assert client.url(absolute) == absolute  # ARM's own nextLink and operation URLs as they are


@responses.activate
def test_a_read_of_an_id_with_a_query_keeps_the_api_version_and_the_whole_name() -> None:
    client, _ = make_client()
    not_found = {"error": {"code": "ResourceNotFound", "message": "gone"}}
    responses.get(ARM + HUB.rsplit("/", 1)[0] + "/vnet-hub%3Fapi-version%3D2019-01-01", status=404, json=not_found)
    assert client.get_json(HUB + "?api-version=2019-01-01") is None
    sent = responses.calls[0].request
    assert sent.url is not None and sent.url.endswith("?api-version=2025-05-01"), sent.url


@responses.activate
def test_a_group_with_parentheses_and_letters_of_any_script_is_read_at_its_encoded_path() -> None:
    client, _ = make_client()
    group = vid(rg="rg_(prod)-é")
    responses.get(ARM + ids.quote_path(group), json={"id": group})
    assert client.get_json(group) == {"id": group}
