"""Subscription features (Microsoft.Features) and the subnet-peering feature check, and refusals answered late (a
PUT accepted, its long-running operation Failed) instead of a synchronous 400 (issue 25, items 5 and 6)."""

from __future__ import annotations

from typing import Any

import pytest

from pulumi_azure_peering.emulator.testing import AdminError, EmulatorProcess
from tests.emulator.helpers import (
    SUB_A,
    SUB_A2,
    error_code,
    get_props,
    peering_path,
    put_peering,
    seed_vnets,
    third_vnet_overlap,
    vnet_id,
    vnet_spec,
)

FEATURE = "Microsoft.Network/AllowMultiplePeeringLinksBetweenVnets"
FEATURES_API = "2021-07-01"
OVERLAP = "VnetAddressSpaceOverlapsWithAlreadyPeeredVnet"

pytestmark = pytest.mark.emulator


def feature_path(sub: str = SUB_A, name: str = "AllowMultiplePeeringLinksBetweenVnets") -> str:
    return f"/subscriptions/{sub}/providers/Microsoft.Features/providers/Microsoft.Network/features/{name}"


def subnet_peering(**extra: Any) -> dict[str, Any]:
    return {"peerCompleteVnets": False, "localSubnetNames": ["app"], "remoteSubnetNames": ["app"], **extra}


def _two(emu: EmulatorProcess, sub_b: str = SUB_A) -> None:
    seed_vnets(emu, vnet_spec("a", ["10.1.0.0/16"], {"app": ["10.1.1.0/24"]}))
    seed_vnets(emu, vnet_spec("b", ["10.2.0.0/16"], {"app": ["10.2.1.0/24"]}), sub=sub_b)


# --- the Features API ------------------------------------------------------------------------------------------


def test_feature_reads_like_the_features_api(emu: EmulatorProcess) -> None:
    r = emu.arm("GET", feature_path(), api_version=FEATURES_API)
    assert r.status_code == 200, r.text
    assert r.json() == {
        "id": feature_path(),
        "name": FEATURE,
        "properties": {"state": "Registered"},  # the emulator's default, so that older seeds keep working
        "type": "Microsoft.Features/providers/features",
    }
    assert "x-ms-ratelimit-remaining-subscription-reads" in r.headers
    # case-insensitive path, canonical answer
    lower = emu.arm("GET", feature_path().lower(), api_version=FEATURES_API)
    assert lower.status_code == 200 and lower.json()["name"] == FEATURE
    wrong = emu.arm("GET", feature_path(), api_version="2025-05-01")
    assert wrong.status_code == 400 and error_code(wrong) == "InvalidApiVersionParameter"
    unknown = emu.arm("GET", feature_path(name="NoSuchFeature"), api_version=FEATURES_API)
    assert unknown.status_code == 404 and error_code(unknown) == "FeatureNotFound"


def test_register_unregister_and_list(emu: EmulatorProcess) -> None:
    r = emu.arm("POST", feature_path() + "/unregister", api_version=FEATURES_API)
    assert r.status_code == 200 and r.json()["properties"]["state"] == "Unregistered"
    assert emu.arm("GET", feature_path(), api_version=FEATURES_API).json()["properties"]["state"] == "Unregistered"
    assert emu.arm("GET", feature_path(SUB_A2), api_version=FEATURES_API).json()["properties"]["state"] == "Registered"
    namespace = f"/subscriptions/{SUB_A}/providers/Microsoft.Features/providers/Microsoft.Network/features"
    listed = emu.arm("GET", namespace, api_version=FEATURES_API)
    assert listed.status_code == 200
    assert [(f["name"], f["properties"]["state"]) for f in listed.json()["value"]] == [(FEATURE, "Unregistered")]
    everything = emu.arm(
        "GET", f"/subscriptions/{SUB_A}/providers/Microsoft.Features/features", api_version=FEATURES_API
    )
    assert [f["name"] for f in everything.json()["value"]] == [FEATURE]
    r = emu.arm("POST", feature_path() + "/register", api_version=FEATURES_API)
    assert r.status_code == 200 and r.json()["properties"]["state"] == "Registered"
    assert emu.arm("GET", feature_path(), api_version=FEATURES_API).json()["properties"]["state"] == "Registered"


def test_admin_sets_features_and_reset_restores_the_default(emu: EmulatorProcess) -> None:
    shown = emu.set_feature(SUB_A, "NotRegistered")
    assert shown["properties"]["state"] == "NotRegistered" and shown["id"] == feature_path()
    assert emu.arm("GET", feature_path(), api_version=FEATURES_API).json()["properties"]["state"] == "NotRegistered"
    listed = {(f["id"], f["properties"]["state"]) for f in emu.admin("GET", "features")["features"]}
    assert (feature_path(), "NotRegistered") in listed and (feature_path(SUB_A2), "Registered") in listed
    assert (feature_path(), "NotRegistered") in {(f["id"], f["properties"]["state"]) for f in emu.state()["features"]}
    for bad in ({"subscriptionId": SUB_A, "state": "Maybe"}, {"subscriptionId": "nope", "state": "Registered"}):
        with pytest.raises(AdminError) as refused:
            emu.admin("POST", "features", bad)
        assert refused.value.status == 400
    emu.reset()
    assert emu.arm("GET", feature_path(), api_version=FEATURES_API).json()["properties"]["state"] == "Registered"


def test_a_seed_sets_features_per_subscription(emu: EmulatorProcess) -> None:
    tenant = {
        "tenantId": emu.primary.tenant_id,
        "subscriptions": [{"subscriptionId": SUB_A2, "features": {FEATURE.lower(): "notregistered"}}],
    }
    emu.seed({"tenants": [tenant]})
    assert emu.arm("GET", feature_path(SUB_A2), api_version=FEATURES_API).json()["properties"]["state"] == (
        "NotRegistered"
    )
    assert emu.arm("GET", feature_path(SUB_A), api_version=FEATURES_API).json()["properties"]["state"] == "Registered"
    bad = {"tenantId": emu.primary.tenant_id, "subscriptions": [{"subscriptionId": SUB_A2, "features": {FEATURE: 1}}]}
    with pytest.raises(AdminError) as refused:
        emu.seed({"tenants": [bad]})
    assert refused.value.status == 400 and refused.value.body["error"]["code"] == "InvalidSeed"


# --- the subnet-peering feature check --------------------------------------------------------------------------


def test_subnet_peering_needs_the_feature_in_the_local_subscription(emu: EmulatorProcess) -> None:
    _two(emu)
    emu.set_feature(SUB_A, "NotRegistered")
    seq = emu.last_request_seq()
    r = put_peering(emu, "a", "a-b", vnet_id("b"), **subnet_peering())
    assert r.status_code == 400
    assert r.json()["error"] == {
        "code": "SubscriptionNotRegisteredForFeature",
        "message": f"Subscription {SUB_A} is not registered for feature {FEATURE} required to carry out the "
        "requested operation.",
        "details": [],
    }
    assert emu.arm("GET", peering_path("a", "a-b")).status_code == 404  # nothing was written
    assert [e["code"] for e in emu.request_log(since=seq) if e["method"] == "PUT"] == [
        "SubscriptionNotRegisteredForFeature"
    ]
    # a whole-vnet peering does not need it
    assert put_peering(emu, "a", "a-b", vnet_id("b")).status_code == 201
    emu.wait(emu.arm("DELETE", peering_path("a", "a-b")))
    # nor does the Registering state do
    emu.set_feature(SUB_A, "Registering")
    assert error_code(put_peering(emu, "a", "a-b", vnet_id("b"), **subnet_peering())) == (
        "SubscriptionNotRegisteredForFeature"
    )
    emu.set_feature(SUB_A, "Registered")
    assert put_peering(emu, "a", "a-b", vnet_id("b"), **subnet_peering()).status_code == 201


def test_it_is_the_local_vnets_subscription_that_counts(emu: EmulatorProcess) -> None:
    _two(emu, sub_b=SUB_A2)  # a in SUB_A, b in SUB_A2 (one tenant)
    emu.set_feature(SUB_A2, "NotRegistered")
    assert put_peering(emu, "a", "a-b", vnet_id("b", SUB_A2), **subnet_peering()).status_code == 201
    r = put_peering(emu, "b", "b-a", vnet_id("a"), sub=SUB_A2, **subnet_peering())
    assert r.status_code == 400 and error_code(r) == "SubscriptionNotRegisteredForFeature"
    assert SUB_A2 in r.json()["error"]["message"]


def test_an_update_of_a_subnet_peering_is_checked_too(emu: EmulatorProcess) -> None:
    _two(emu)
    assert put_peering(emu, "a", "a-b", vnet_id("b"), **subnet_peering()).status_code == 201
    emu.set_feature(SUB_A, "Unregistered")
    r = put_peering(emu, "a", "a-b", vnet_id("b"), **subnet_peering(allowForwardedTraffic=True))
    assert r.status_code == 400 and error_code(r) == "SubscriptionNotRegisteredForFeature"
    assert get_props(emu, peering_path("a", "a-b"))["allowForwardedTraffic"] is False


def test_a_seed_cannot_make_a_subnet_peering_without_the_feature(emu: EmulatorProcess) -> None:
    tenant = {
        "tenantId": emu.primary.tenant_id,
        "subscriptions": [{"subscriptionId": SUB_A, "features": {FEATURE: "NotRegistered"}}],
    }
    emu.seed({"tenants": [tenant]})
    spec = vnet_spec("a", ["10.1.0.0/16"], {"app": ["10.1.1.0/24"]})
    spec["peerings"] = [{"name": "a-b", "remoteVirtualNetwork": "b", **subnet_peering()}]
    with pytest.raises(AdminError) as refused:
        seed_vnets(emu, vnet_spec("b", ["10.2.0.0/16"], {"app": ["10.2.1.0/24"]}), spec)
    assert "SubscriptionNotRegisteredForFeature" in refused.value.body["error"]["message"]


# --- refusals answered late ------------------------------------------------------------------------------------


def test_a_late_refusal_is_a_failed_operation_with_the_same_error(emu: EmulatorProcess) -> None:
    third_vnet_overlap(emu)
    sync = put_peering(emu, "s1copy", "s1copy-hub", vnet_id("hub"))
    assert sync.status_code == 400 and error_code(sync) == OVERLAP

    assert emu.set_late_refusals(OVERLAP.lower())["late_refusals"] == [OVERLAP]
    late = put_peering(emu, "s1copy", "s1copy-hub", vnet_id("hub"), wait=False)
    assert late.status_code == 201, late.text  # accepted, as a create
    assert late.headers["Azure-AsyncOperation"]
    assert late.json()["properties"]["provisioningState"] == "Updating"
    emu.finish_operations()  # even told to succeed, a refused operation fails
    status = emu.wait(late)
    assert status["status"] == "Failed"
    assert status["error"] == sync.json()["error"]  # same code and message as the 400
    # the peering was written, reads Failed, and linked nothing
    props = get_props(emu, peering_path("s1copy", "s1copy-hub"))
    assert props["provisioningState"] == "Failed" and props["peeringState"] == "Initiated"
    assert get_props(emu, peering_path("hub", "hub-s1"))["peeringState"] == "Connected"
    result = emu.arm("GET", late.headers["Azure-AsyncOperation"].replace("/operations/", "/operationResults/"))
    assert result.status_code == 500 and error_code(result) == OVERLAP
    # a client cleans it up like any half-made create
    deleted = emu.arm("DELETE", peering_path("s1copy", "s1copy-hub"))
    assert deleted.status_code == 202 and emu.wait(deleted)["status"] == "Succeeded"
    assert emu.arm("GET", peering_path("s1copy", "s1copy-hub")).status_code == 404

    emu.set_late_refusals()
    assert put_peering(emu, "s1copy", "s1copy-hub", vnet_id("hub")).status_code == 400


def test_a_late_refusal_of_an_update_keeps_the_link(emu: EmulatorProcess) -> None:
    _two(emu)
    assert put_peering(emu, "a", "a-b", vnet_id("b")).status_code == 201
    # a refusal checked after the late one and answered synchronously wins: a 400, nothing written
    emu.set_late_refusals("RemoteVnetHasNoGateways")
    sync = put_peering(emu, "a", "a-b", vnet_id("b"), useRemoteGateways=True)
    assert sync.status_code == 400 and error_code(sync) == "RemotePeeringDoesNotAllowGatewayTransit"
    assert get_props(emu, peering_path("a", "a-b"))["provisioningState"] == "Succeeded"
    # with both late, the first is the one the operation ends with
    emu.set_late_refusals("RemoteVnetHasNoGateways", "RemotePeeringDoesNotAllowGatewayTransit")
    r = put_peering(emu, "a", "a-b", vnet_id("b"), useRemoteGateways=True, wait=False)
    assert r.status_code == 200, r.text
    status = emu.wait(r)
    assert status["status"] == "Failed" and status["error"]["code"] == "RemoteVnetHasNoGateways"
    props = get_props(emu, peering_path("a", "a-b"))
    assert props["provisioningState"] == "Failed" and props["peeringState"] == "Initiated"
    assert props["useRemoteGateways"] is True  # written as requested


def test_only_refusals_checked_on_the_peering_can_be_late(emu: EmulatorProcess) -> None:
    with pytest.raises(AdminError) as refused:
        emu.set_late_refusals("SubscriptionNotRegisteredForFeature")
    assert refused.value.status == 400 and "cannot be answered late" in refused.value.body["error"]["message"]
    assert emu.settings()["late_refusals"] == []
    emu.set_late_refusals(OVERLAP, "VnetAddressSpacesOverlap")
    assert emu.settings()["late_refusals"] == [OVERLAP, "VnetAddressSpacesOverlap"]
    emu.reset()  # back to the start-up value
    assert emu.settings()["late_refusals"] == []


def test_late_refusals_from_the_command_line(tmp_path: Any) -> None:
    with EmulatorProcess(data_dir=tmp_path / "emu", late_refusals=[OVERLAP], sparse_bodies=False) as emu:
        assert emu.settings()["late_refusals"] == [OVERLAP]
        third_vnet_overlap(emu)
        late = put_peering(emu, "s1copy", "s1copy-hub", vnet_id("hub"), wait=False)
        assert late.status_code == 201
        assert emu.wait(late)["error"]["code"] == OVERLAP
