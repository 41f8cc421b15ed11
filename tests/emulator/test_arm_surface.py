"""The ARM surface: api-versions, ids and casing, ETags, errors, paging, headers, operations, vnets and gateways."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from pulumi_azure_peering.emulator.testing import EmulatorProcess

from .helpers import (
    RG,
    SUB_A,
    error_code,
    get_props,
    peering_path,
    put_peering,
    put_vnet,
    seed_vnets,
    vnet_body,
    vnet_id,
    vnet_spec,
)

pytestmark = pytest.mark.emulator


@pytest.mark.parametrize(
    "version",
    ["2024-01-01", "2024-03-01", "2024-05-01", "2024-07-01", "2024-10-01", "2025-01-01", "2025-03-01",
     "2025-05-01", "2025-07-01", "2026-01-01", "2026-03-01"],
)  # fmt: skip
def test_supported_api_versions(emu: EmulatorProcess, version: str) -> None:
    seed_vnets(emu, vnet_spec("a", ["10.1.0.0/16"]))
    assert emu.arm("GET", vnet_id("a"), api_version=version).status_code == 200


def test_unsupported_and_missing_api_version(emu: EmulatorProcess) -> None:
    seed_vnets(emu, vnet_spec("a", ["10.1.0.0/16"]))
    r = emu.arm("GET", vnet_id("a"), api_version="2019-13-01")
    assert (r.status_code, error_code(r)) == (400, "InvalidApiVersionParameter")
    assert "The supported versions are" in r.json()["error"]["message"]
    r = emu.arm("GET", vnet_id("a"), api_version=None)
    assert (r.status_code, error_code(r)) == (400, "MissingApiVersionParameter")


def test_cloud_error_shape_and_common_headers(emu: EmulatorProcess) -> None:
    r = emu.arm("GET", vnet_id("nope"), headers={"x-ms-client-request-id": "abc"})
    assert r.status_code == 404
    error = r.json()["error"]
    assert set(error) == {"code", "message", "details"}  # no "target": null: ARM omits a target it does not have
    assert error["details"] == []
    assert error["code"] == "ResourceGroupNotFound"
    assert error["message"] == f"Resource group '{RG}' could not be found."
    assert r.headers["x-ms-request-id"]
    assert r.headers["x-ms-client-request-id"] == "abc"
    assert int(r.headers["x-ms-ratelimit-remaining-subscription-reads"]) > 0


def test_not_found_codes(emu: EmulatorProcess) -> None:
    seed_vnets(emu, vnet_spec("a", ["10.1.0.0/16"]))
    r = emu.arm("GET", vnet_id("nope"))
    assert error_code(r) == "ResourceNotFound"
    assert r.json()["error"]["message"].startswith(
        f"The Resource 'Microsoft.Network/virtualNetworks/nope' under resource group '{RG}' was not found."
    )
    r = emu.arm("PUT", peering_path("nope", "p"), json={"properties": {"remoteVirtualNetwork": {"id": vnet_id("a")}}})
    assert (r.status_code, error_code(r)) == (404, "ParentResourceNotFound")
    r = emu.arm("GET", peering_path("a", "p"))
    assert (r.status_code, error_code(r)) == (404, "NotFound")
    r = emu.arm("GET", f"/subscriptions/{SUB_A}/resourceGroups/{RG}/providers/Microsoft.Network/widgets/x")
    assert (r.status_code, error_code(r)) == (404, "InvalidResourceType")
    r = emu.arm("GET", "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/x")
    assert (r.status_code, error_code(r)) == (404, "SubscriptionNotFound")


def test_resource_groups(emu: EmulatorProcess) -> None:
    path = f"/subscriptions/{SUB_A}/resourceGroups/My-RG"
    r = emu.arm("PUT", path, json={"location": "West Europe"}, api_version="2021-04-01")
    assert r.status_code == 201
    assert r.json()["location"] == "westeurope"
    assert emu.arm("PUT", path, json={"location": "westeurope"}, api_version="2021-04-01").status_code == 200
    r = emu.arm("GET", path.lower(), api_version="2021-04-01")
    assert r.json()["id"] == path  # canonical casing as created
    r = emu.arm("PUT", path, json={"location": "eastus"}, api_version="2021-04-01")
    assert error_code(r) == "InvalidResourceLocation"


def test_paths_are_case_insensitive_and_ids_canonical(emu: EmulatorProcess) -> None:
    seed_vnets(emu, vnet_spec("VNet-A", ["10.1.0.0/16"]), vnet_spec("b", ["10.2.0.0/16"]))
    put_peering(emu, "VNet-A", "Peer1", vnet_id("b"))
    weird = (
        peering_path("vnet-a", "PEER1")
        .replace("resourceGroups", "RESOURCEGROUPS")
        .replace("Microsoft.Network", "microsoft.network")
        .replace(RG, RG.upper())
    )
    r = emu.arm("GET", weird)
    assert r.status_code == 200
    assert r.json()["id"] == peering_path("VNet-A", "Peer1")
    assert r.json()["name"] == "Peer1"


def test_etags_change_on_every_write_and_if_match_is_honoured(emu: EmulatorProcess) -> None:
    seed_vnets(emu, vnet_spec("a", ["10.1.0.0/16"]), vnet_spec("b", ["10.2.0.0/16"]))
    put_peering(emu, "a", "a-b", vnet_id("b"))
    first = emu.arm("GET", peering_path("a", "a-b"))
    etag = first.json()["etag"]
    assert etag.startswith('W/"') and first.headers["ETag"] == etag
    body = {"properties": {"remoteVirtualNetwork": {"id": vnet_id("b")}}}
    r = emu.arm(
        "PUT", peering_path("a", "a-b"), json=body, headers={"If-Match": 'W/"00000000-0000-0000-0000-000000000000"'}
    )
    assert (r.status_code, error_code(r)) == (412, "PreconditionFailed")
    r = emu.arm("PUT", peering_path("a", "a-b"), json=body, headers={"If-None-Match": "*"})
    assert r.status_code == 412
    r = emu.arm("PUT", peering_path("a", "a-b"), json=body, headers={"If-Match": etag})
    assert r.status_code == 200
    emu.wait(r)
    assert emu.arm("GET", peering_path("a", "a-b")).json()["etag"] != etag
    r = emu.arm("DELETE", peering_path("a", "a-b"), headers={"If-Match": etag})
    assert r.status_code == 412


def test_lists_page_with_next_link(emu: EmulatorProcess) -> None:
    seed_vnets(emu, *[vnet_spec(f"v{i}", [f"10.{i}.0.0/16"]) for i in range(7)])
    for i in range(1, 7):
        put_peering(emu, "v0", f"p{i}", vnet_id(f"v{i}"))
    emu.settings(page_size=4)
    r = emu.arm("GET", f"{vnet_id('v0')}/virtualNetworkPeerings")
    page = r.json()
    assert [p["name"] for p in page["value"]] == ["p1", "p2", "p3", "p4"]
    assert "$skipToken=" in page["nextLink"]
    page2 = emu.arm("GET", page["nextLink"], api_version=None).json()
    assert [p["name"] for p in page2["value"]] == ["p5", "p6"]
    assert "nextLink" not in page2
    vnets = emu.arm("GET", f"/subscriptions/{SUB_A}/providers/Microsoft.Network/virtualNetworks").json()
    assert len(vnets["value"]) == 4 and "nextLink" in vnets


def test_operation_endpoints(emu: EmulatorProcess) -> None:
    emu.set_latency(0.3)
    seed_vnets(emu, vnet_spec("a", ["10.1.0.0/16"]), vnet_spec("b", ["10.2.0.0/16"]))
    r = put_peering(emu, "a", "a-b", vnet_id("b"), wait=False)
    assert r.status_code == 201
    assert r.headers["Retry-After"] == "1"
    assert 0 < int(r.headers["x-ms-retry-after-ms"]) <= 300
    status = emu.arm("GET", r.headers["Azure-AsyncOperation"], api_version=None)
    assert status.json() == {"status": "InProgress"}
    assert "Retry-After" in status.headers
    assert emu.wait(r)["status"] == "Succeeded"
    d = emu.arm("DELETE", peering_path("a", "a-b"))
    assert d.status_code == 202
    location = emu.arm("GET", d.headers["Location"], api_version=None)
    assert location.status_code == 202
    emu.wait(d)
    assert emu.arm("GET", d.headers["Location"], api_version=None).status_code == 204


def test_vnet_lifecycle_with_ipv6_subnets_encryption_and_bgp(emu: EmulatorProcess) -> None:
    emu.arm("PUT", f"/subscriptions/{SUB_A}/resourceGroups/{RG}", json={"location": "westeurope"})
    body = vnet_body(
        ["10.1.0.0/16", "fd00:1::/48"],
        encryption={"enabled": True, "enforcement": "AllowUnencrypted"},
        bgpCommunities={"virtualNetworkCommunity": "12076:20001"},
    )
    body["properties"]["subnets"] = [
        {"name": "single", "properties": {"addressPrefix": "10.1.1.0/24"}},
        {"name": "dual", "properties": {"addressPrefixes": ["10.1.2.0/24", "fd00:1:0:2::/64"]}},
    ]
    r = put_vnet(emu, "a", body, wait=False)
    assert r.status_code == 201
    assert r.json()["properties"]["provisioningState"] == "Updating"
    emu.wait(r)
    vnet = emu.arm("GET", vnet_id("a")).json()
    props = vnet["properties"]
    assert props["provisioningState"] == "Succeeded"
    assert props["addressSpace"]["addressPrefixes"] == ["10.1.0.0/16", "fd00:1::/48"]
    assert props["subnets"][0]["properties"]["addressPrefix"] == "10.1.1.0/24"
    assert props["subnets"][1]["properties"]["addressPrefixes"] == ["10.1.2.0/24", "fd00:1:0:2::/64"]
    assert props["encryption"] == {"enabled": True, "enforcement": "AllowUnencrypted"}
    assert props["bgpCommunities"]["virtualNetworkCommunity"] == "12076:20001"
    assert vnet["etag"].startswith('W/"')
    # Users change address spaces.
    body["properties"]["addressSpace"]["addressPrefixes"].append("10.9.0.0/16")
    assert put_vnet(emu, "a", body).status_code == 200
    assert "10.9.0.0/16" in get_props(emu, vnet_id("a"))["addressSpace"]["addressPrefixes"]


def test_vnet_validation(emu: EmulatorProcess) -> None:
    emu.arm("PUT", f"/subscriptions/{SUB_A}/resourceGroups/{RG}", json={"location": "westeurope"})
    assert error_code(put_vnet(emu, "a", vnet_body(["10.1.0.1/16"]))) == "InvalidCIDRNotation"
    outside = vnet_body(["10.1.0.0/16"], {"x": ["10.2.0.0/24"]})
    assert error_code(put_vnet(emu, "a", outside)) == "NetcfgSubnetRangeOutsideVnet"
    r = put_vnet(emu, "a", {"properties": {"addressSpace": {"addressPrefixes": ["10.1.0.0/16"]}}})
    assert error_code(r) == "LocationRequired"
    assert error_code(emu.arm("PUT", vnet_id("a"))) == "LocationRequired"  # no body at all
    bad_json = emu._http.put(  # type: ignore[union-attr]
        emu.url(vnet_id("a")), params={"api-version": "2025-05-01"}, data=b"{not json",
        headers={"Authorization": f"Bearer {emu.token()}", "Content-Type": "application/json"},
    )  # fmt: skip
    assert error_code(bad_json) == "InvalidRequestContent"
    emu.arm("DELETE", vnet_id("a"))


def test_gateways_and_in_use_gateway_subnet(emu: EmulatorProcess) -> None:
    seed_vnets(emu, vnet_spec("hub", ["10.0.0.0/16"], {"GatewaySubnet": ["10.0.255.0/27"], "app": ["10.0.1.0/24"]}))
    gw_path = f"/subscriptions/{SUB_A}/resourceGroups/{RG}/providers/Microsoft.Network/virtualNetworkGateways/gw"
    wrong = {
        "location": "westeurope",
        "properties": {
            "ipConfigurations": [{"name": "c", "properties": {"subnet": {"id": f"{vnet_id('hub')}/subnets/app"}}}]
        },
    }
    assert error_code(emu.arm("PUT", gw_path, json=wrong)) == "InvalidGatewaySubnet"
    missing = {
        "location": "westeurope",
        "properties": {
            "ipConfigurations": [
                {"name": "c", "properties": {"subnet": {"id": f"{vnet_id('nope')}/subnets/GatewaySubnet"}}}
            ]
        },
    }
    assert error_code(emu.arm("PUT", gw_path, json=missing)) == "InvalidResourceReference"
    good = {
        "location": "westeurope",
        "properties": {
            "gatewayType": "Vpn",
            "ipConfigurations": [
                {"name": "c", "properties": {"subnet": {"id": f"{vnet_id('hub')}/subnets/GatewaySubnet"}}}
            ],
        },
    }
    r = emu.arm("PUT", gw_path, json=good)
    assert r.status_code == 201
    emu.wait(r)
    gw = emu.arm("GET", gw_path).json()
    assert gw["properties"]["provisioningState"] == "Succeeded"
    assert (
        gw["properties"]["ipConfigurations"][0]["properties"]["subnet"]["id"]
        == f"{vnet_id('hub')}/subnets/GatewaySubnet"
    )
    assert error_code(emu.arm("DELETE", vnet_id("hub"))) == "InUseSubnetCannotBeDeleted"
    no_gateway_subnet = vnet_body(["10.0.0.0/16"], {"app": ["10.0.1.0/24"]})
    assert error_code(put_vnet(emu, "hub", no_gateway_subnet)) == "InUseSubnetCannotBeDeleted"
    emu.wait(emu.arm("DELETE", gw_path))
    assert emu.arm("GET", gw_path).status_code == 404
    emu.wait(emu.arm("DELETE", vnet_id("hub")))


def test_unsupported_method_and_subscription_routes(emu: EmulatorProcess) -> None:
    seed_vnets(emu, vnet_spec("a", ["10.1.0.0/16"]))
    r = emu.arm("PATCH", vnet_id("a"), json={})
    assert (r.status_code, error_code(r)) == (405, "HttpMethodNotAllowed")
    subs = emu.arm("GET", "/subscriptions", api_version="2022-12-01").json()["value"]
    assert SUB_A in [s["subscriptionId"] for s in subs]
    assert emu.arm("GET", f"/subscriptions/{SUB_A}", api_version="2022-12-01").json()["state"] == "Enabled"


def test_plain_http_serves_the_same_arm_with_its_own_urls(tmp_path: Path) -> None:
    """``serve --plain-http``: the same ARM on a second loopback port without TLS, for clients that allow http on
    loopback. Its answers point at itself (operations, pages), it takes tokens for its own origin (as a client
    asks for ``<armEndpoint>/.default``), and what it writes is what the https listener reads."""
    with EmulatorProcess(data_dir=tmp_path / "emu", latency=0.0, sparse_bodies=False, plain_http=True) as emu:
        plain = emu.plain_http_endpoint
        assert plain.startswith("http://127.0.0.1:") and plain != emu.arm_endpoint.replace("https", "http")
        seed_vnets(emu, vnet_spec("a", ["10.1.0.0/16"]), vnet_spec("b", ["10.2.0.0/16"]))
        token = emu.token(scope=f"{plain}/.default")
        session = requests.Session()
        session.trust_env = False
        session.headers["Authorization"] = f"Bearer {token}"
        body = {"properties": {"remoteVirtualNetwork": {"id": vnet_id("b")}}}
        put = session.put(f"{plain}{peering_path('a', 'a-b')}?api-version=2025-05-01", json=body, timeout=30)
        assert put.status_code == 201, put.text
        assert put.headers["Azure-AsyncOperation"].startswith(f"{plain}/"), put.headers
        assert session.get(put.headers["Azure-AsyncOperation"], timeout=30).status_code == 200
        emu.finish_operations()
        assert get_props(emu, peering_path("a", "a-b"))["peeringState"] == "Initiated"  # read over https
        # a token for the https origin is taken there too, and one for another origin is not
        https_token = emu.token(scope=f"{emu.arm_endpoint}/.default")
        other = session.get(
            f"{plain}{vnet_id('a')}?api-version=2025-05-01",
            headers={"Authorization": f"Bearer {https_token}"},
            timeout=30,
        )
        assert other.status_code == 200, other.text
        wrong = emu.token(scope="http://127.0.0.1:1/.default")
        refused = session.get(
            f"{plain}{vnet_id('a')}?api-version=2025-05-01", headers={"Authorization": f"Bearer {wrong}"}, timeout=30
        )
        assert (refused.status_code, error_code(refused)) == (401, "InvalidAuthenticationToken")
