"""Peering bodies as real Azure renders them: per api-version, without empty optional properties, with
``routeServiceVips``; the sparse-bodies switch; CloudError without ``"target": null``.

Recorded (Azure CLI test_network_vnet_peering* recordings, Azure PowerShell TestSubnetPeeringCRUD /
TestVirtualNetworkPeeringSyncCRUD): ``"routeServiceVips": {}`` on every peering body; at 2023-11-01 a whole-vnet
peering without enableOnlyIPv6Peering, localAddressSpace and localVirtualNetworkAddressSpace; at 2024-05-01 a subnet
peering without enableOnlyIPv6Peering; peerCompleteVnets already at 2021-03-01.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pulumi_azure_peering.emulator.testing import EmulatorProcess

from .helpers import (
    error_code,
    peering_body,
    peering_path,
    put_peering,
    seed_vnets,
    vnet_id,
    vnet_spec,
)

pytestmark = pytest.mark.emulator

ALWAYS = {
    "provisioningState", "resourceGuid", "peeringState", "peeringSyncLevel", "remoteVirtualNetwork",
    "allowVirtualNetworkAccess", "allowForwardedTraffic", "allowGatewayTransit", "useRemoteGateways",
    "doNotVerifyRemoteGateways", "peerCompleteVnets", "remoteAddressSpace", "remoteVirtualNetworkAddressSpace",
    "routeServiceVips",
}  # fmt: skip
LOCAL_SPACES = {"localAddressSpace", "localVirtualNetworkAddressSpace"}
SUBNET_NAMES = {"localSubnetNames", "remoteSubnetNames"}
MIRRORED = {"remoteBgpCommunities", "remoteVirtualNetworkEncryption"}
IPV6_FLAG = "enableOnlyIPv6Peering"
SUBNET_LINK = {"peerCompleteVnets": False, "localSubnetNames": ["app"], "remoteSubnetNames": ["web"]}


def _seed(emu: EmulatorProcess, *, mirrored: bool = True) -> None:
    extra: dict[str, Any] = (
        {
            "encryption": {"enabled": True, "enforcement": "AllowUnencrypted"},
            "bgpCommunities": {"virtualNetworkCommunity": "12076:20002"},
        }
        if mirrored
        else {}
    )
    seed_vnets(
        emu,
        vnet_spec("a", ["10.1.0.0/16"], {"app": ["10.1.1.0/24"]}),
        vnet_spec("b", ["10.2.0.0/16"], {"web": ["10.2.1.0/24"]}, **extra),
    )


def _bodies(emu: EmulatorProcess, api_version: str, **link: Any) -> Iterator[dict[str, Any]]:
    """Every body of a-b at an api-version: the create response, the update response, GET, LIST, inline in its vnet."""
    path = peering_path("a", "a-b")
    created = emu.arm("PUT", path, json=peering_body(vnet_id("b"), **link), api_version=api_version)
    assert created.status_code == 201, created.text
    emu.wait(created)
    updated = emu.arm("PUT", path, json=peering_body(vnet_id("b"), **link), api_version=api_version)
    assert updated.status_code == 200, updated.text
    emu.wait(updated)
    yield created.json()
    yield updated.json()
    yield emu.arm("GET", path, api_version=api_version).json()
    yield emu.arm("GET", f"{vnet_id('a')}/virtualNetworkPeerings", api_version=api_version).json()["value"][0]
    yield emu.arm("GET", vnet_id("a"), api_version=api_version).json()["properties"]["virtualNetworkPeerings"][0]


def _nothing_empty(value: Any, path: str = "") -> None:
    """No nulls and no empty lists anywhere (routeServiceVips is the one empty object Azure sends)."""
    assert value is not None, f"{path} is null"
    if isinstance(value, list):
        assert value, f"{path} is an empty list"
        for i, item in enumerate(value):
            _nothing_empty(item, f"{path}[{i}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            if key != "routeServiceVips":
                _nothing_empty(item, f"{path}.{key}")


def test_whole_vnet_peering_at_2023_11_01_has_no_ipv6_flag_and_no_local_spaces(emu: EmulatorProcess) -> None:
    _seed(emu)
    for body in _bodies(emu, "2023-11-01"):
        props = body["properties"]
        assert set(props) == ALWAYS | MIRRORED, body
        assert props["routeServiceVips"] == {}
        assert props["peerCompleteVnets"] is True
        _nothing_empty(body)


def test_subnet_peering_at_2024_05_01_has_no_ipv6_flag(emu: EmulatorProcess) -> None:
    _seed(emu)
    for body in _bodies(emu, "2024-05-01", **SUBNET_LINK):
        props = body["properties"]
        assert set(props) == ALWAYS | MIRRORED | LOCAL_SPACES | SUBNET_NAMES, body
        assert props["peerCompleteVnets"] is False
        assert props["localAddressSpace"]["addressPrefixes"] == ["10.1.1.0/24"]
        assert props["remoteVirtualNetworkAddressSpace"]["addressPrefixes"] == ["10.2.1.0/24"]
        _nothing_empty(body)


def test_an_ipv6_only_subnet_peering_shows_its_flag_at_recorded_versions_too(emu: EmulatorProcess) -> None:
    seed_vnets(
        emu,
        vnet_spec("a", ["10.1.0.0/16", "fd00:1::/48"], {"app": ["10.1.1.0/24", "fd00:1:0:1::/64"]}),
        vnet_spec("b", ["10.2.0.0/16", "fd00:2::/48"], {"web": ["10.2.1.0/24", "fd00:2:0:1::/64"]}),
    )
    for body in _bodies(emu, "2024-05-01", enableOnlyIPv6Peering=True, **SUBNET_LINK):
        assert body["properties"][IPV6_FLAG] is True
        assert body["properties"]["remoteAddressSpace"]["addressPrefixes"] == ["fd00:2:0:1::/64"]


def test_newer_api_versions_carry_the_swaggers_set_without_empty_optionals(emu: EmulatorProcess) -> None:
    _seed(emu, mirrored=False)
    for body in _bodies(emu, "2025-05-01"):
        props = body["properties"]
        # no remoteBgpCommunities / remoteVirtualNetworkEncryption / remoteGateways / subnet names: none applies
        assert set(props) == ALWAYS | LOCAL_SPACES | {IPV6_FLAG}, body
        assert props[IPV6_FLAG] is False
        _nothing_empty(body)


def test_route_service_vips_on_every_peering_body(emu: EmulatorProcess) -> None:
    _seed(emu)
    for version in ("2023-04-01", "2023-11-01", "2024-05-01", "2025-05-01", "2026-03-01"):
        r = emu.arm("PUT", peering_path("a", "a-b"), json=peering_body(vnet_id("b")), api_version=version)
        assert r.json()["properties"]["routeServiceVips"] == {}, version
        emu.wait(r)
        got = emu.arm("GET", peering_path("a", "a-b"), api_version=version).json()
        assert got["properties"]["routeServiceVips"] == {}, version
    state = emu.state()["virtualNetworkPeerings"]
    assert [p["properties"]["routeServiceVips"] for p in state] == [{}]


# --- the sparse-bodies switch ----------------------------------------------------------------------------------


def test_sparse_bodies_omit_every_optional_property_at_any_api_version(emu: EmulatorProcess) -> None:
    _seed(emu)
    assert emu.settings()["sparse_bodies"] is False
    assert emu.set_sparse_bodies()["sparse_bodies"] is True
    for version in ("2023-11-01", "2025-05-01", "2026-03-01"):
        emu.arm("DELETE", peering_path("a", "a-b"))
        for body in _bodies(emu, version, **SUBNET_LINK):
            assert set(body["properties"]) == ALWAYS | SUBNET_NAMES, (version, body)
            _nothing_empty(body)
    # also through the generic settings call, as numbers; reset returns to the start-up value
    assert emu.settings(sparse_bodies=0)["sparse_bodies"] is False
    emu.settings(sparse_bodies=1)
    emu.reset()
    assert emu.settings()["sparse_bodies"] is False


def test_a_bad_sparse_value_changes_nothing(emu: EmulatorProcess) -> None:
    from pulumi_azure_peering.emulator.testing import AdminError

    with pytest.raises(AdminError) as bad:
        emu.settings(sparse_bodies="maybe", page_size=7)
    assert bad.value.status == 400
    assert emu.settings()["page_size"] == 50


@pytest.fixture
def sparse_from_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[EmulatorProcess]:
    monkeypatch.setenv("AZURE_PEERING_EMULATOR_SPARSE", "1")
    with EmulatorProcess(data_dir=tmp_path / "emu") as emu:
        yield emu


def test_the_environment_switches_a_whole_run_to_sparse_bodies(sparse_from_env: EmulatorProcess) -> None:
    emu = sparse_from_env
    assert emu.settings()["sparse_bodies"] is True
    _seed(emu)
    body = next(_bodies(emu, "2025-05-01"))
    assert set(body["properties"]) == ALWAYS
    emu.reset()
    assert emu.settings()["sparse_bodies"] is True  # the start-up value, from the environment


def test_sparse_bodies_at_start_up_and_the_explicit_flag_wins_over_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with EmulatorProcess(data_dir=tmp_path / "on", sparse_bodies=True) as emu:
        assert emu.settings()["sparse_bodies"] is True
    monkeypatch.setenv("AZURE_PEERING_EMULATOR_SPARSE", "1")
    with EmulatorProcess(data_dir=tmp_path / "off", sparse_bodies=False) as emu:
        assert emu.settings()["sparse_bodies"] is False


# --- CloudError ------------------------------------------------------------------------------------------------


def test_cloud_errors_omit_a_missing_target_and_keep_details_a_list(emu: EmulatorProcess) -> None:
    _seed(emu)
    missing = emu.arm("GET", peering_path("a", "nope"))
    assert (missing.status_code, error_code(missing)) == (404, "NotFound")
    assert "target" not in missing.json()["error"]
    assert missing.json()["error"]["details"] == []

    malformed = put_peering(emu, "a", "a-x", "/subscriptions/not-a-vnet")
    assert error_code(malformed) == "LinkedInvalidPropertyId"
    assert "target" not in malformed.json()["error"]
    no_remote = emu.arm("PUT", peering_path("a", "a-x"), json={"properties": {}})
    assert error_code(no_remote) == "RemoteVirtualNetworkRequired"
    assert no_remote.json()["error"]["target"] == "properties.remoteVirtualNetwork"  # a target it has is kept

    emu.set_faults("lro_fail=1;match=PUT:virtualNetworkPeerings")
    r = put_peering(emu, "a", "a-b", vnet_id("b"), wait=False)
    failed = emu.wait(r)
    assert failed["status"] == "Failed"
    assert set(failed["error"]) == {"code", "message", "details"}
    assert failed["error"]["details"] == []
