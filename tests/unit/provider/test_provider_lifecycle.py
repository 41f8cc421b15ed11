"""The provider's create/read/update/delete/check logic against scripted ARM answers (no network)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
import responses
from requests import Response

from pulumi_azure_peering.provider.arm import ArmClient
from pulumi_azure_peering.provider.errors import PeeringOperationError
from pulumi_azure_peering.provider.properties import RESOURCE_NAME_KEY
from pulumi_azure_peering.provider.resource import VirtualNetworkPeeringProvider
from pulumi_azure_peering.provider.validation import validate_inputs
from tests.unit.provider.provider_fakes import ARM, make_client, peering_id, peering_json, vnet_id, vnet_json
from tests.unit.provider.runtime_calls import runtime_unknown

pytestmark = pytest.mark.unit

PID = peering_id("hub", "hub-to-spoke")
URL = ARM + PID
OP = ARM + "/subscriptions/x/providers/Microsoft.Network/locations/westeurope/operations/op1"


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> Iterator[ArmClient]:
    arm, _ = make_client()
    monkeypatch.setattr(VirtualNetworkPeeringProvider, "client", lambda self: arm)
    with responses.RequestsMock() as rsps:
        arm.rsps = rsps  # type: ignore[attr-defined]
        yield arm


def inputs(**extra: Any) -> dict[str, Any]:
    values, failures = validate_inputs(
        {
            "virtual_network_id": vnet_id("hub"),
            "name": "hub-to-spoke",
            "remote_virtual_network_id": vnet_id("spoke"),
            **extra,
        }
    )
    assert not failures
    return {**values, "__provider": "blob"}


def rsps(client: ArmClient) -> responses.RequestsMock:
    return client.rsps  # type: ignore[attr-defined,no-any-return]


def test_create_puts_waits_and_returns_full_outputs(client: ArmClient) -> None:
    r = rsps(client)
    r.get(URL, status=404, json={"error": {"code": "NotFound", "message": "no"}})
    r.put(URL, status=201, json=peering_json(provisioning="Updating"), headers={"Azure-AsyncOperation": OP})
    r.get(OP, json={"status": "Succeeded"})
    r.get(URL, json=peering_json())
    result = VirtualNetworkPeeringProvider().create(inputs(timeouts={"create": 60}))
    assert result.id == PID
    outs = result.outs or {}
    assert outs["peering_state"] == "Initiated"
    assert outs["timeouts"]["create"] == 60
    assert outs["resource_guid"] and outs["etag"]


def test_create_refuses_to_take_over_an_existing_peering(client: ArmClient) -> None:
    rsps(client).get(URL, json=peering_json(state="Connected"))
    with pytest.raises(PeeringOperationError) as info:
        VirtualNetworkPeeringProvider().create(inputs())
    message = str(info.value)
    assert "\n" not in message
    assert "already exists" in message and "adopt_existing=true" in message and "hub-to-spoke" in message
    # the likely cause first (a renamed resource of this stack), with a fix that does not delete the peering
    assert "aliases=[Alias(name=" in message and "previous_keys" in message


def test_create_adopts_when_asked(client: ArmClient) -> None:
    r = rsps(client)
    r.get(URL, json=peering_json(state="Connected", allowForwardedTraffic=True))
    r.put(URL, status=200, json=peering_json(), headers={"Azure-AsyncOperation": OP})
    r.get(OP, json={"status": "Succeeded"})
    r.get(URL, json=peering_json(state="Connected"))
    result = VirtualNetworkPeeringProvider().create(inputs(adopt_existing=True))
    assert result.id == PID and (result.outs or {})["allow_forwarded_traffic"] is False


def test_failed_create_leaves_nothing_behind(client: ArmClient) -> None:
    r = rsps(client)
    r.get(URL, status=404, json={"error": {"code": "NotFound", "message": "no"}})
    r.put(URL, status=201, json=peering_json(), headers={"Azure-AsyncOperation": OP})
    r.get(OP, json={"status": "Failed", "error": {"code": "VnetAddressSpacesOverlap", "message": "overlap"}})
    r.delete(URL, status=204)
    with pytest.raises(PeeringOperationError, match=r"VnetAddressSpacesOverlap.*Fix:"):
        VirtualNetworkPeeringProvider().create(inputs())
    assert r.calls[-1].request.method == "DELETE"


def test_read_of_a_gone_peering_leaves_state(client: ArmClient) -> None:
    rsps(client).get(URL, status=404, json={"error": {"code": "NotFound", "message": "no"}})
    result = VirtualNetworkPeeringProvider().read(PID, inputs())
    assert result.id == "" and result.outs == {}


def test_read_reports_drift_and_keeps_local_inputs(client: ArmClient) -> None:
    rsps(client).get(URL, json=peering_json(state="Disconnected", sync="LocalNotInSync", allowForwardedTraffic=True))
    result = VirtualNetworkPeeringProvider().read(PID, inputs(timeouts={"delete": 9}))
    outs = result.outs or {}
    assert result.id == PID
    assert (outs["peering_state"], outs["peering_sync_level"], outs["allow_forwarded_traffic"]) == (
        "Disconnected",
        "LocalNotInSync",
        True,
    )
    assert outs["timeouts"]["delete"] == 9


def test_read_by_id_alone(client: ArmClient) -> None:
    rsps(client).get(URL, json=peering_json())
    outs = VirtualNetworkPeeringProvider().read(PID, {}).outs or {}
    assert outs["virtual_network_id"] == vnet_id("hub") and outs["name"] == "hub-to-spoke"


def test_update_syncs_when_arm_reports_out_of_sync(client: ArmClient) -> None:
    r = rsps(client)
    r.get(URL, json=peering_json(state="Connected", sync="LocalNotInSync"))
    r.put(URL, status=200, json=peering_json(state="Connected"), headers={"Azure-AsyncOperation": OP})
    r.get(OP, json={"status": "Succeeded"})
    r.get(URL, json=peering_json(state="Connected"))
    result = VirtualNetworkPeeringProvider().update(PID, {}, inputs())
    put = next(c.request for c in r.calls if c.request.method == "PUT")
    assert "syncRemoteAddressSpace=true" in (put.url or "")
    assert (result.outs or {})["peering_sync_level"] == "FullyInSync"


def test_update_without_arm_change_does_not_write(client: ArmClient) -> None:
    rsps(client).get(URL, json=peering_json(state="Connected"))
    result = VirtualNetworkPeeringProvider().update(PID, {}, inputs(timeouts={"update": 5}))
    assert (result.outs or {})["timeouts"]["update"] == 5
    assert all(c.request.method == "GET" for c in rsps(client).calls)


def test_update_re_establishes_a_disconnected_peering_without_sync_when_in_sync(client: ArmClient) -> None:
    r = rsps(client)
    r.get(URL, json=peering_json(state="Disconnected"))
    r.put(URL, status=200, json=peering_json(), headers={"Azure-AsyncOperation": OP})
    r.get(OP, json={"status": "Succeeded"})
    r.get(URL, json=peering_json(state="Initiated"))
    VirtualNetworkPeeringProvider().update(PID, {}, inputs())
    put = next(c.request for c in r.calls if c.request.method == "PUT")
    assert "syncRemoteAddressSpace" not in (put.url or "")


def test_create_re_arms_a_disconnected_reverse_peering(client: ArmClient) -> None:
    r = rsps(client)
    reverse = peering_json("spoke", "spoke-to-hub", "hub", state="Disconnected", allowForwardedTraffic=True)
    reverse_url = ARM + reverse["id"]
    r.get(URL, status=404, json={"error": {"code": "NotFound", "message": "no"}})
    r.put(URL, status=400, json={"error": {"code": "RemotePeeringIsDisconnected", "message": "re-create it"}})
    r.get(ARM + vnet_id("spoke") + "/virtualNetworkPeerings", json={"value": [reverse]})
    r.put(reverse_url, status=200, json=reverse)
    r.get(reverse_url, json=peering_json("spoke", "spoke-to-hub", "hub", state="Initiated"))
    # the second side of a pair: its create response already reads Connected / FullyInSync (recorded traffic)
    r.put(URL, status=201, json=peering_json(state="Connected"), headers={"Azure-AsyncOperation": OP})
    r.get(OP, json={"status": "Succeeded"})
    r.get(URL, json=peering_json(state="Connected"))
    assert VirtualNetworkPeeringProvider().create(inputs()).id == PID
    rearm = next(c.request for c in r.calls if c.request.method == "PUT" and str(c.request.url).startswith(reverse_url))
    sent = json.loads(rearm.body or b"{}")["properties"]
    assert sent["allowForwardedTraffic"] is True  # the reverse keeps its own settings
    assert sent["remoteVirtualNetwork"]["id"] == vnet_id("hub")


def test_create_waits_when_the_reverse_cannot_be_re_armed(client: ArmClient) -> None:
    r = rsps(client)
    r.get(URL, status=404, json={"error": {"code": "NotFound", "message": "no"}})
    # the text real ARM answers (hashicorp/terraform#20298); its code is not known, so it is not the one matched
    refused = (
        "Peering-to-Gateway cannot have UseRemoteGateways flag set to true, because corresponding remote peering has "
        "AllowGatewayTransit flag set to false."
    )
    r.put(URL, status=400, json={"error": {"code": "InvalidRequestFormat", "message": refused}})
    # each attempt reads the peering again under the vnet's lock: another resource may have made it meanwhile
    r.get(URL, status=404, json={"error": {"code": "NotFound", "message": "no"}})
    r.put(URL, status=201, json=peering_json(state="Connected"), headers={"Azure-AsyncOperation": OP})
    r.get(OP, json={"status": "Succeeded"})
    r.get(URL, json=peering_json(state="Connected"))
    assert VirtualNetworkPeeringProvider().create(inputs()).id == PID


def test_a_peering_adopted_in_this_run_is_not_deleted_by_another_resource(client: ArmClient) -> None:
    """A renamed resource adopts its peering, then the engine deletes the old resource: the pair must stay."""
    r = rsps(client)
    r.get(URL, json=peering_json(state="Connected"))
    r.put(URL, status=200, json=peering_json(state="Connected"))
    r.get(URL, json=peering_json(state="Connected"))
    provider = VirtualNetworkPeeringProvider()
    provider.create(inputs(adopt_existing=True))
    provider.delete(PID, inputs())  # no DELETE scripted: one would fail the test
    assert not any(call.request.method == "DELETE" for call in r.calls)


def test_delete_already_gone_is_success(client: ArmClient) -> None:
    rsps(client).delete(URL, status=404, json={"error": {"code": "NotFound", "message": "no"}})
    VirtualNetworkPeeringProvider().delete(PID, inputs())


# -- check and preflight ------------------------------------------------------------------------------------------


def serve_vnets(
    client: ArmClient,
    *vnets: dict[str, Any],
    peerings: dict[str, list[dict[str, Any]]] | None = None,
    gateways: list[dict[str, Any]] | None = None,
) -> None:
    r = rsps(client)
    for vnet in vnets:
        r.get(ARM + vnet["id"], json=vnet)
        r.get(ARM + vnet["id"] + "/virtualNetworkPeerings", json={"value": (peerings or {}).get(vnet["name"], [])})
    rg = vnet_id("x").split("/providers/")[0]
    gw_list = ARM + rg + "/providers/Microsoft.Network/virtualNetworkGateways"
    r.get(gw_list, json={"value": gateways or []})


def serve_spoke_with_gateway(client: ArmClient, provisioning_state: str) -> None:
    """The remote vnet ``spoke`` with a gateway ``hub-gw`` in its GatewaySubnet, in ``provisioning_state``."""
    gw = {
        "id": vnet_id("x").replace("virtualNetworks/x", "virtualNetworkGateways/hub-gw"),
        "properties": {
            "provisioningState": provisioning_state,
            "ipConfigurations": [{"properties": {"subnet": {"id": vnet_id("spoke") + "/subnets/GatewaySubnet"}}}],
        },
    }
    serve_vnets(client, vnet_json("spoke", ["10.1.0.0/16"], {"GatewaySubnet": "10.1.255.0/27"}), gateways=[gw])


def check(**extra: Any) -> dict[str, str]:
    result = VirtualNetworkPeeringProvider().check({}, inputs(**extra))
    return {f.property: f.reason for f in result.failures}


def test_check_passes_with_disjoint_vnets(client: ArmClient) -> None:
    serve_vnets(client, vnet_json("hub", ["10.0.0.0/16"]), vnet_json("spoke", ["10.1.0.0/16"]))
    rsps(client).assert_all_requests_are_fired = False
    assert check() == {}
    assert all(c.request.method == "GET" for c in rsps(client).calls)


def test_check_finds_overlap_before_any_write(client: ArmClient) -> None:
    rsps(client).assert_all_requests_are_fired = False
    serve_vnets(client, vnet_json("hub", ["10.0.0.0/16"]), vnet_json("spoke", ["10.0.128.0/17"]))
    found = check()
    assert "VnetAddressSpacesOverlap" in found["remote_virtual_network_id"]


def test_check_missing_remote(client: ArmClient) -> None:
    rsps(client).assert_all_requests_are_fired = False
    serve_vnets(client, vnet_json("hub", ["10.0.0.0/16"]))
    rsps(client).get(ARM + vnet_id("spoke"), status=404, json={"error": {"code": "ResourceNotFound", "message": "x"}})
    assert "does not exist" in check()["remote_virtual_network_id"]


def test_check_unreachable_remote_names_auxiliary_tenants(client: ArmClient) -> None:
    rsps(client).assert_all_requests_are_fired = False
    serve_vnets(client, vnet_json("hub", ["10.0.0.0/16"]))
    rsps(client).get(
        ARM + vnet_id("spoke"), status=403, json={"error": {"code": "LinkedAuthorizationFailed", "message": "x"}}
    )
    assert "auxiliary_tenant_ids" in check()["remote_virtual_network_id"]


def test_check_remote_without_gateway(client: ArmClient) -> None:
    rsps(client).assert_all_requests_are_fired = False
    serve_vnets(client, vnet_json("hub", ["10.0.0.0/16"]), vnet_json("spoke", ["10.1.0.0/16"]))
    assert "RemoteVnetHasNoGateways" in check(use_remote_gateways=True)["use_remote_gateways"]


def test_check_remote_with_gateway(client: ArmClient) -> None:
    rsps(client).assert_all_requests_are_fired = False
    gw = {
        "id": vnet_id("x").replace("virtualNetworks/x", "virtualNetworkGateways/gw"),
        "properties": {
            "provisioningState": "Succeeded",
            "ipConfigurations": [{"properties": {"subnet": {"id": vnet_id("spoke") + "/subnets/GatewaySubnet"}}}],
        },
    }
    spoke = vnet_json("spoke", ["10.1.0.0/16"], {"GatewaySubnet": "10.1.255.0/27"})
    serve_vnets(client, vnet_json("hub", ["10.0.0.0/16"]), spoke, gateways=[gw])
    assert check(use_remote_gateways=True) == {}


def test_check_existing_peering_needs_adopt(client: ArmClient) -> None:
    rsps(client).assert_all_requests_are_fired = False
    serve_vnets(
        client,
        vnet_json("hub", ["10.0.0.0/16"]),
        vnet_json("spoke", ["10.1.0.0/16"]),
        peerings={"hub": [peering_json()]},
    )
    assert "adopt_existing=true" in check()["name"]
    assert check(adopt_existing=True) == {}


def test_check_unknown_subnets(client: ArmClient) -> None:
    rsps(client).assert_all_requests_are_fired = False
    serve_vnets(
        client,
        vnet_json("hub", ["10.0.0.0/16"], {"a": "10.0.0.0/24"}),
        vnet_json("spoke", ["10.1.0.0/16"], {"b": "10.1.0.0/24"}),
    )
    found = check(peer_complete_vnets=False, local_subnet_names=["a"], remote_subnet_names=["zz"])
    assert set(found) == {"remote_subnet_names"}


def test_check_with_unknowns_makes_no_request(client: ArmClient) -> None:
    assert check(remote_virtual_network_id=runtime_unknown()) == {}
    assert len(rsps(client).calls) == 0


def test_check_without_preflight_makes_no_request(client: ArmClient) -> None:
    assert check(preflight=False) == {}
    assert len(rsps(client).calls) == 0


def test_a_replacement_is_re_checked_without_olds_and_the_old_peering_is_no_conflict(client: ArmClient) -> None:
    rsps(client).assert_all_requests_are_fired = False
    old_peering = peering_json(name="old-name")
    serve_vnets(
        client, vnet_json("hub", ["10.0.0.0/16"]), vnet_json("spoke", ["10.1.0.0/16"]), peerings={"hub": [old_peering]}
    )
    provider = VirtualNetworkPeeringProvider()
    # the engine checks a resource's registered properties, which carry its name
    old_inputs = inputs(name="old-name", **{RESOURCE_NAME_KEY: "spoke-peering"})
    new_inputs = inputs(name="new-name", **{RESOURCE_NAME_KEY: "spoke-peering"})
    assert provider.check(old_inputs, new_inputs).failures == []  # the update's check: a replacement
    assert provider.check({}, new_inputs).failures == []  # the engine's re-check of the replacement
    # the old peering is no conflict for this resource's replacement only: another resource still collides with it
    other = inputs(name="third-name", **{RESOURCE_NAME_KEY: "another"})
    reasons = [f.reason for f in provider.check({}, other).failures]
    assert any("AnotherPeeringAlreadyReferencesRemoteVnet" in r for r in reasons), reasons


def test_without_a_replacement_the_other_peering_conflicts(client: ArmClient) -> None:
    rsps(client).assert_all_requests_are_fired = False
    serve_vnets(
        client,
        vnet_json("hub", ["10.0.0.0/16"]),
        vnet_json("spoke", ["10.1.0.0/16"]),
        peerings={"hub": [peering_json(name="someone-elses")]},
    )
    failures = VirtualNetworkPeeringProvider().check({}, inputs(name="mine")).failures
    assert [f.property for f in failures] == ["remote_virtual_network_id"]
    assert "AnotherPeeringAlreadyReferencesRemoteVnet" in failures[0].reason


def test_vnet_facts_of_a_spoke_without_gateway_subnet_cost_no_gateway_listing(client: ArmClient) -> None:
    from pulumi_azure_peering.provider.vnet_facts import fetch_vnet_facts

    r = rsps(client)
    r.assert_all_requests_are_fired = False
    serve_vnets(client, vnet_json("spoke", ["10.1.0.0/16"], {"app": "10.1.1.0/24"}))
    facts = fetch_vnet_facts(client, vnet_id("spoke"))
    assert facts is not None and not facts.has_gateway
    assert [c.request.url for c in r.calls if "virtualNetworkGateways" in str(c.request.url)] == []


def _remote_resized(r: responses.RequestsMock) -> str:
    """This side reads RemoteNotInSync (the spoke vnet was resized); its own sync write does not clear that."""
    r.get(URL, json=peering_json(state="Connected", sync="RemoteNotInSync"))
    r.put(
        URL,
        status=200,
        json=peering_json(state="Connected", sync="RemoteNotInSync"),
        headers={"Azure-AsyncOperation": OP},
    )
    r.get(OP, json={"status": "Succeeded"})
    r.get(URL, json=peering_json(state="Connected", sync="RemoteNotInSync"))
    reverse = peering_json("spoke", "spoke-to-hub", "hub", state="Connected", sync="LocalNotInSync")
    r.get(ARM + vnet_id("spoke") + "/virtualNetworkPeerings", json={"value": [reverse]})
    return f"{ARM}{reverse['id']}"


def test_update_syncs_the_reverse_peering_when_this_side_reads_remote_not_in_sync(client: ArmClient) -> None:
    r = rsps(client)
    reverse_url = _remote_resized(r)
    r.put(reverse_url, status=200, json=peering_json("spoke", "spoke-to-hub", "hub", state="Connected"))
    r.get(reverse_url, json=peering_json("spoke", "spoke-to-hub", "hub", state="Connected"))
    r.get(URL, json=peering_json(state="Connected"))
    result = VirtualNetworkPeeringProvider().update(PID, {}, inputs())
    reverse_put = next(c.request for c in r.calls if c.request.method == "PUT" and "spoke-to-hub" in str(c.request.url))
    assert "syncRemoteAddressSpace=true" in str(reverse_put.url)
    assert (result.outs or {})["peering_sync_level"] == "FullyInSync"


def test_update_without_rights_on_the_remote_vnet_leaves_the_reverse_sync_to_its_owner(client: ArmClient) -> None:
    r = rsps(client)
    reverse_url = _remote_resized(r)
    r.put(reverse_url, status=403, json={"error": {"code": "AuthorizationFailed", "message": "no write on spoke"}})
    r.get(URL, json=peering_json(state="Connected", sync="RemoteNotInSync"))
    result = VirtualNetworkPeeringProvider().update(PID, {}, inputs())
    assert (result.outs or {})["peering_sync_level"] == "RemoteNotInSync"


def test_a_gateway_still_provisioning_is_waited_for_past_the_create_timeout(
    client: ArmClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real VPN gateway takes up to 35 minutes: the wait for it is GATEWAY_WAIT_SECONDS at least, and the error
    at the end names the gateway and its state."""
    import pulumi_azure_peering.provider.peering_writes as peering_writes

    monkeypatch.setattr(peering_writes, "GATEWAY_WAIT_SECONDS", 0.3)
    r = rsps(client)
    r.assert_all_requests_are_fired = False
    r.get(URL, status=404, json={"error": {"code": "NotFound", "message": "no"}})
    no_gateway = {"error": {"code": "RemoteVnetHasNoGateways", "message": "the remote vnet has no gateway"}}
    r.put(URL, status=400, json=no_gateway)
    r.delete(URL, status=404, json={"error": {"code": "NotFound", "message": "no"}})
    serve_spoke_with_gateway(client, "Updating")
    started = time.monotonic()
    with pytest.raises(PeeringOperationError) as info:
        VirtualNetworkPeeringProvider().create(inputs(use_remote_gateways=True, timeouts={"create": 0.05}))
    assert time.monotonic() - started >= 0.3  # past the create's own 0.05 s: the gateway's wait applies
    message = str(info.value)
    assert "hub-gw (Updating)" in message and "spoke" in message, message
    puts = [c for c in r.calls if c.request.method == "PUT"]
    assert len(puts) >= 2  # tried again while it was provisioning


def put_statuses(r: responses.RequestsMock) -> list[int]:
    """ARM's status for each PUT the provider sent, in order."""
    statuses: list[int] = []
    for call in r.calls:
        response = call.response
        if call.request.method == "PUT" and isinstance(response, Response):
            statuses.append(response.status_code)
    return statuses


def test_a_gateway_refusal_the_next_read_contradicts_is_tried_once_more(client: ArmClient) -> None:
    """ARM refused use_remote_gateways while the gateway was provisioning, and the gateway reached Succeeded before
    the provider read it back (CI saw this with a 4 s gateway and 20 spokes): the create is tried again, not failed;
    a second refusal with a Succeeded gateway is not about provisioning and is raised."""
    r = rsps(client)
    r.assert_all_requests_are_fired = False
    no_gateway = {"error": {"code": "RemoteVnetHasNoGateways", "message": "the remote vnet has no gateway"}}
    r.get(URL, status=404, json={"error": {"code": "NotFound", "message": "no"}})
    r.get(URL, status=404, json={"error": {"code": "NotFound", "message": "no"}})
    r.put(URL, status=400, json=no_gateway)
    r.put(URL, status=201, json=peering_json(useRemoteGateways=True), headers={"Azure-AsyncOperation": OP})
    r.get(OP, json={"status": "Succeeded"})
    r.get(URL, json=peering_json(useRemoteGateways=True))
    serve_spoke_with_gateway(client, "Succeeded")
    result = VirtualNetworkPeeringProvider().create(inputs(use_remote_gateways=True))
    assert result.id == PID
    assert put_statuses(r) == [400, 201]


def test_a_gateway_refusal_repeated_with_a_succeeded_gateway_is_raised(client: ArmClient) -> None:
    r = rsps(client)
    r.assert_all_requests_are_fired = False
    no_gateway = {"error": {"code": "RemoteVnetHasNoGateways", "message": "the remote vnet has no gateway"}}
    r.get(URL, status=404, json={"error": {"code": "NotFound", "message": "no"}})
    r.put(URL, status=400, json=no_gateway)
    r.delete(URL, status=404, json={"error": {"code": "NotFound", "message": "no"}})
    serve_spoke_with_gateway(client, "Succeeded")
    with pytest.raises(PeeringOperationError, match="RemoteVnetHasNoGateways"):
        VirtualNetworkPeeringProvider().create(inputs(use_remote_gateways=True))
    assert put_statuses(r) == [400, 400]
