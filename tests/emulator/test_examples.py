"""The seven documented examples of Virtual Network Peerings - Create Or Update, replayed request by request.

Each example gets the topology its documented response implies (vnet2 = 12.0.0.0/8 with BGP communities, subnets
Subnet1/Subnet4/Subnet2 with the prefixes shown, ...); the documented request is sent as is (only host and
subscription differ), and the final resource must equal the documented response up to ids, guids and etags:
every documented field with its documented value, plus only fields the API defines (and ``routeServiceVips``,
which real Azure adds to every peering).

One documented value is overridden by recorded traffic: the examples show the first side of a pair (Initiated)
as ``FullyInSync``; real Azure answers ``RemoteNotInSync`` for as long as the other side does not exist, also
after a sync (Azure CLI test_network_vnet_peering* recordings, Azure PowerShell TestSubnetPeeringCRUD).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pulumi_azure_peering.emulator.testing import EmulatorProcess

from .helpers import SUB_A, get_props, peering_body, seed_vnets, vnet_id, vnet_spec

pytestmark = pytest.mark.emulator

EXAMPLES = json.loads((Path(__file__).parent / "data" / "peering_examples.json").read_text())["examples"]
DOC_SUB = "00000000-0000-0000-0000-000000000000"
RG = "peerTest"
BGP = {"virtualNetworkCommunity": "12076:20002", "regionalCommunity": "12076:50004"}

PEERING_PROPERTIES = {
    "allowForwardedTraffic", "allowGatewayTransit", "allowVirtualNetworkAccess", "doNotVerifyRemoteGateways",
    "enableOnlyIPv6Peering", "localAddressSpace", "localSubnetNames", "localVirtualNetworkAddressSpace",
    "peerCompleteVnets", "peeringState", "peeringSyncLevel", "provisioningState", "remoteAddressSpace",
    "remoteBgpCommunities", "remoteGateways", "remoteSubnetNames", "remoteVirtualNetwork",
    "remoteVirtualNetworkAddressSpace", "remoteVirtualNetworkEncryption", "resourceGuid", "useRemoteGateways",
    "routeServiceVips",
}  # fmt: skip


def _vnet_path(name: str) -> str:
    return vnet_id(name, SUB_A, RG)


def _seed(emu: EmulatorProcess, *vnets: dict[str, Any]) -> None:
    seed_vnets(emu, *vnets, rg=RG)


def _put_vnet2(emu: EmulatorProcess, prefixes: list[str], subnets: dict[str, list[str]]) -> None:
    """The user resizes vnet2 (an ordinary vnet PUT)."""
    current = emu.arm("GET", _vnet_path("vnet2")).json()
    current["properties"]["addressSpace"] = {"addressPrefixes": prefixes}
    current["properties"]["subnets"] = [{"name": n, "properties": {"addressPrefixes": p}} for n, p in subnets.items()]
    r = emu.arm("PUT", _vnet_path("vnet2"), json=current)
    assert r.status_code == 200, r.text
    assert emu.wait(r)["status"] == "Succeeded"


def _create_first(emu: EmulatorProcess, **props: Any) -> None:
    r = emu.arm(
        "PUT", f"{_vnet_path('vnet1')}/virtualNetworkPeerings/peer", json=peering_body(_vnet_path("vnet2"), **props)
    )
    assert r.status_code == 201, r.text
    assert emu.wait(r)["status"] == "Succeeded"


def setup_create(emu: EmulatorProcess) -> None:
    _seed(emu, vnet_spec("vnet1", ["10.0.0.0/16"]), vnet_spec("vnet2", ["12.0.0.0/8"], bgpCommunities=BGP))


def setup_encryption(emu: EmulatorProcess) -> None:
    _seed(
        emu,
        vnet_spec("vnet1", ["10.0.0.0/16"]),
        vnet_spec(
            "vnet2", ["12.0.0.0/8"], bgpCommunities=BGP, encryption={"enabled": True, "enforcement": "AllowUnencrypted"}
        ),
    )


def setup_subnet(emu: EmulatorProcess) -> None:
    _seed(
        emu,
        vnet_spec(
            "vnet1",
            ["212.0.0.0/16", "13.0.0.0/8", "2002:2002::/48"],
            {"Subnet1": ["212.0.0.0/16", "2002:2002::/64"], "Subnet4": ["13.0.0.0/8"]},
        ),
        vnet_spec(
            "vnet2", ["12.0.0.0/8", "2001:2001::/48"], {"Subnet2": ["12.0.0.0/8", "2001:2001::/64"]}, bgpCommunities=BGP
        ),
    )


def setup_v6_subnet(emu: EmulatorProcess) -> None:
    _seed(
        emu,
        vnet_spec(
            "vnet1",
            ["10.1.0.0/16", "2002::/16", "2003::/16"],
            {"Subnet1": ["10.1.1.0/24", "2002::/64"], "Subnet4": ["10.1.4.0/24", "2003::/64"]},
        ),
        vnet_spec("vnet2", ["12.0.0.0/8", "2001::/16"], {"Subnet2": ["12.0.0.0/24", "2001::/64"]}, bgpCommunities=BGP),
    )


# A one-sided peering whose remote vnet changed: its own view of the remote is behind (Local...) and, being the
# first side of a pair, the remote side is not in sync either (...AndRemote...).
ONE_SIDED_AFTER_REMOTE_RESIZE = "LocalAndRemoteNotInSync"


def setup_sync(emu: EmulatorProcess) -> None:
    """Peered while vnet2 was 11.0.0.0/8; vnet2 then moved to 12.0.0.0/8, so the peering's view is behind."""
    _seed(emu, vnet_spec("vnet1", ["10.0.0.0/16"]), vnet_spec("vnet2", ["11.0.0.0/8"], bgpCommunities=BGP))
    _create_first(emu, allowForwardedTraffic=True)
    _put_vnet2(emu, ["12.0.0.0/8"], {})
    level = get_props(emu, f"{_vnet_path('vnet1')}/virtualNetworkPeerings/peer")["peeringSyncLevel"]
    assert level == ONE_SIDED_AFTER_REMOTE_RESIZE


def _setup_sync_subnets(emu: EmulatorProcess, ipv6_only: bool) -> None:
    _seed(
        emu,
        vnet_spec("vnet1", ["212.0.0.0/16", "2002:2002::/48"], {"Subnet1": ["212.0.0.0/16", "2002:2002::/64"]}),
        vnet_spec("vnet2", ["12.0.0.0/8"], {"Subnet2": ["12.0.0.0/8"]}, bgpCommunities=BGP),
    )
    _create_first(
        emu,
        peerCompleteVnets=False,
        enableOnlyIPv6Peering=ipv6_only,
        localSubnetNames=["Subnet1"],
        remoteSubnetNames=["Subnet2"],
    )
    # Subnet2 becomes dual-stack: the peering of vnet1 must be synced to see it.
    _put_vnet2(emu, ["12.0.0.0/8", "2001:2001::/48"], {"Subnet2": ["12.0.0.0/8", "2001:2001::/64"]})
    level = get_props(emu, f"{_vnet_path('vnet1')}/virtualNetworkPeerings/peer")["peeringSyncLevel"]
    assert level == ONE_SIDED_AFTER_REMOTE_RESIZE


SETUPS: dict[str, Callable[[EmulatorProcess], None]] = {
    "Create peering": setup_create,
    "Create peering with remote virtual network encryption": setup_encryption,
    "Create subnet peering": setup_subnet,
    "Create V6 Subnet peering": setup_v6_subnet,
    "Sync Peering": setup_sync,
    "Sync subnet Peering": lambda emu: _setup_sync_subnets(emu, False),
    "Sync V6 Subnet Peering": lambda emu: _setup_sync_subnets(emu, True),
}


def _assert_documented(expected: Any, actual: Any, path: str = "") -> None:
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{path}: expected an object, got {actual!r}"
        for key, value in expected.items():
            assert key in actual, f"{path}.{key} is missing from {json.dumps(actual)[:300]}"
            _assert_documented(value, actual[key], f"{path}.{key}")
    else:
        assert actual == expected, f"{path}: {actual!r} != documented {expected!r}"


def _localise(doc: Any) -> Any:
    return json.loads(json.dumps(doc).replace(DOC_SUB, SUB_A))


def _as_recorded(response: dict[str, Any]) -> dict[str, Any]:
    """The documented response with the sync level real Azure reports for the first side of a pair."""
    props = response["properties"]
    if props.get("peeringState") == "Initiated" and props.get("peeringSyncLevel") == "FullyInSync":
        props = {**props, "peeringSyncLevel": "RemoteNotInSync"}
    return {**response, "properties": props}


@pytest.mark.parametrize("example", EXAMPLES, ids=[e["title"] for e in EXAMPLES])
def test_documented_example(emu: EmulatorProcess, example: dict[str, Any]) -> None:
    SETUPS[example["title"]](emu)
    url = example["url"].replace("https://management.azure.com", emu.arm_endpoint).replace(DOC_SUB, SUB_A)
    existed = emu.arm("GET", url.split("?")[0]).status_code == 200

    r = emu.arm(example["method"], url, json=_localise(example["request"]), api_version=None)

    assert r.status_code == (200 if existed else 201), r.text
    immediate = r.json()
    assert immediate["properties"]["provisioningState"] == "Updating"
    assert "/providers/Microsoft.Network/locations/westeurope/operations/" in r.headers["Azure-AsyncOperation"]
    assert "Location" not in r.headers
    assert emu.wait(r)["status"] == "Succeeded"
    final = emu.arm("GET", url.split("?")[0]).json()
    expected = _as_recorded(_localise(example["response"]))
    _assert_documented(expected, final)
    assert set(final) <= {"id", "name", "etag", "type", "properties"}
    assert set(final["properties"]) <= PEERING_PROPERTIES
    assert final["etag"].startswith('W/"')
    assert final["type"] == "Microsoft.Network/virtualNetworks/virtualNetworkPeerings"
