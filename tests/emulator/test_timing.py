"""Long-running operations as real Azure answers them: status codes and headers of writes, Retry-After on polls
(Azure's 10 s for peerings and 3 s for vnets, scaled to the simulated duration), and the ``azure`` latency profile.

Recorded: creates 201 with Azure-AsyncOperation and no Location; updates 200; DELETE 202 with both headers and no
body; polls ``Retry-After: 10`` (peerings) / ``3`` (vnets); peering writes about 10 s, vnet writes 3 to 4 s, a VPN
gateway 18 to 35 min to create and about 8 to delete.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from pulumi_azure_peering.emulator import timing
from pulumi_azure_peering.emulator.testing import AdminError, EmulatorError, EmulatorProcess

from .helpers import (
    RG,
    SUB_A,
    peering_body,
    peering_path,
    put_peering,
    scheduled_seconds,
    seed_vnets,
    vnet_body,
    vnet_id,
    vnet_spec,
)

pytestmark = pytest.mark.emulator

GATEWAY_PATH = f"/subscriptions/{SUB_A}/resourceGroups/{RG}/providers/Microsoft.Network/virtualNetworkGateways/gw"


def _gateway_body() -> dict[str, object]:
    subnet = f"{vnet_id('hub')}/subnets/GatewaySubnet"
    return {
        "location": "westeurope",
        "properties": {"ipConfigurations": [{"name": "c", "properties": {"subnet": {"id": subnet}}}]},
    }


def _seed(emu: EmulatorProcess) -> None:
    seed_vnets(
        emu,
        vnet_spec("a", ["10.1.0.0/16"]),
        vnet_spec("b", ["10.2.0.0/16"]),
        vnet_spec("hub", ["10.0.0.0/16"], {"GatewaySubnet": ["10.0.255.0/27"]}),
    )


def _poll(emu: EmulatorProcess, url: str) -> requests.Response:
    return emu.arm("GET", url, api_version=None)


def _retry_after(r: requests.Response) -> int:
    return int(r.headers["Retry-After"])


def _remaining_ms(r: requests.Response) -> int:
    return int(r.headers["x-ms-retry-after-ms"])


# --- status codes and headers of writes -------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["vnet", "peering"])
def test_create_201_update_200_delete_202_with_the_recorded_headers(emu: EmulatorProcess, kind: str) -> None:
    _seed(emu)
    if kind == "vnet":
        path, body = vnet_id("c"), vnet_body(["10.3.0.0/16"])
    else:
        path, body = peering_path("a", "a-b"), peering_body(vnet_id("b"))
    created = emu.arm("PUT", path, json=body)
    assert created.status_code == 201, created.text
    assert "/operations/" in created.headers["Azure-AsyncOperation"]
    assert "Location" not in created.headers
    assert created.json()["properties"]["provisioningState"] == "Updating"
    assert emu.wait(created)["status"] == "Succeeded"

    updated = emu.arm("PUT", path, json=body)
    assert updated.status_code == 200, updated.text
    assert "/operations/" in updated.headers["Azure-AsyncOperation"]
    assert "Location" not in updated.headers
    assert emu.wait(updated)["status"] == "Succeeded"

    deleted = emu.arm("DELETE", path)
    assert deleted.status_code == 202
    assert deleted.content == b""
    assert "/operations/" in deleted.headers["Azure-AsyncOperation"]
    assert "/operationResults/" in deleted.headers["Location"]
    assert emu.wait(deleted)["status"] == "Succeeded"
    assert _poll(emu, deleted.headers["Location"]).status_code == 204


# --- Retry-After ------------------------------------------------------------------------------------------------


def test_retry_after_is_azures_value_at_real_durations(emu: EmulatorProcess) -> None:
    """With the ``azure`` profile at scale 1, the writes take their real time and polls say what Azure says."""
    _seed(emu)
    emu.set_latency_profile("azure:1")

    vnet = emu.arm("PUT", vnet_id("c"), json=vnet_body(["10.3.0.0/16"]))
    poll = _poll(emu, vnet.headers["Azure-AsyncOperation"])
    assert poll.json() == {"status": "InProgress"}
    assert (_retry_after(vnet), _retry_after(poll)) == (3, 3)
    assert scheduled_seconds(emu, vnet_id("c")) == pytest.approx(3.0)
    assert 0 < _remaining_ms(poll) <= 3000

    peering = put_peering(emu, "a", "a-b", vnet_id("b"), wait=False)
    poll = _poll(emu, peering.headers["Azure-AsyncOperation"])
    assert (_retry_after(peering), _retry_after(poll)) == (10, 10)
    assert scheduled_seconds(emu, peering_path("a", "a-b")) == pytest.approx(10.0)
    assert 0 < _remaining_ms(poll) <= 10000

    gateway = emu.arm("PUT", GATEWAY_PATH, json=_gateway_body())
    assert gateway.status_code == 201, gateway.text
    poll = _poll(emu, gateway.headers["Azure-AsyncOperation"])
    assert _retry_after(poll) == 10
    assert scheduled_seconds(emu, GATEWAY_PATH) == pytest.approx(25 * 60.0)  # 18 to 35 min on real Azure
    assert 0 < _remaining_ms(poll) <= 25 * 60_000

    assert emu.finish_operations() == 3
    deleted = emu.arm("DELETE", peering_path("a", "a-b"))
    location = _poll(emu, deleted.headers["Location"])
    assert location.status_code == 202
    assert (_retry_after(deleted), _retry_after(location)) == (10, 10)
    gateway_delete = emu.arm("DELETE", GATEWAY_PATH)
    assert scheduled_seconds(emu, GATEWAY_PATH, "DELETE") == pytest.approx(8 * 60.0)
    assert 0 < _remaining_ms(gateway_delete) <= 8 * 60_000
    assert emu.finish_operations() == 2


@pytest.mark.parametrize(
    ("latency", "peering", "vnet"),
    [(0.0, 1, 1), (0.3, 1, 1), (2.0, 2, 2), (5.0, 5, 3), (100.0, 10, 3)],
)
def test_retry_after_scales_with_the_flat_latency(
    emu: EmulatorProcess, latency: float, peering: int, vnet: int
) -> None:
    """ceil(Azure's value x simulated / real duration), at least 1 and at most Azure's value."""
    _seed(emu)
    emu.set_latency(latency)
    r = put_peering(emu, "a", "a-b", vnet_id("b"), wait=False)
    v = emu.arm("PUT", vnet_id("c"), json=vnet_body(["10.3.0.0/16"]))
    assert (_retry_after(r), _retry_after(v)) == (peering, vnet)
    emu.finish_operations()


def test_a_fast_profile_never_makes_clients_wait_long(emu: EmulatorProcess) -> None:
    _seed(emu)
    emu.set_latency_profile("azure")  # scale 0.01: a peering write 0.1 s
    r = put_peering(emu, "a", "a-b", vnet_id("b"), wait=False)
    assert _retry_after(r) == 1
    assert 0 < _remaining_ms(r) <= 100
    assert emu.wait(r)["status"] == "Succeeded"


@pytest.mark.parametrize(
    ("kind", "method", "nominal", "expected"),
    [
        ("peering", "PUT", 10.0, 10),
        ("peering", "DELETE", 21.0, 10),
        ("peering", "PUT", 0.1, 1),
        ("peering", "PUT", 0.0, 1),
        ("vnet", "PUT", 3.0, 3),
        ("vnet", "DELETE", 1.5, 2),
        ("gateway", "PUT", 25 * 60.0, 10),
        ("gateway", "PUT", 15.0, 1),
        ("gateway", "DELETE", 4 * 60.0, 5),
    ],
)
def test_the_retry_after_rule(kind: str, method: str, nominal: float, expected: int) -> None:
    assert timing.retry_after(kind, method, nominal) == expected


# --- the latency profile ----------------------------------------------------------------------------------------


def test_profile_parsing() -> None:
    assert timing.LatencyProfile.parse("azure") == timing.LatencyProfile("azure", 0.01)
    assert timing.LatencyProfile.parse(" Azure:0.5 ").spec == "azure:0.5"
    assert timing.LatencyProfile.parse("azure:1").seconds("gateway", "DELETE") == 480.0
    for bad in ("aws", "azure:", "azure:x", "azure:-1", "azure:nan"):
        with pytest.raises(ValueError):
            timing.LatencyProfile.parse(bad)


def test_profile_at_run_time_reset_and_flat_latency(emu: EmulatorProcess) -> None:
    assert emu.settings()["latency_profile"] is None
    assert emu.set_latency_profile("azure")["latency_profile"] == "azure:0.01"
    assert emu.settings(latency_profile="azure:0.05")["latency_profile"] == "azure:0.05"
    emu.set_latency(0.2)  # "seconds each write takes from now on": the profile is off
    assert (emu.settings()["latency"], emu.settings()["latency_profile"]) == (0.2, None)
    both = emu.settings(latency=0.4, latency_profile="azure:0.02")
    assert (both["latency"], both["latency_profile"]) == (0.4, "azure:0.02")
    assert emu.set_latency_profile(None)["latency_profile"] is None
    with pytest.raises(AdminError) as bad:
        emu.settings(latency_profile="aws", page_size=3)
    assert bad.value.status == 400 and emu.settings()["page_size"] == 50  # nothing applied
    emu.set_latency_profile("azure")
    emu.reset()
    assert emu.settings()["latency_profile"] is None  # the start-up value


def test_profile_at_start_up_decides_each_kinds_duration(tmp_path: Path) -> None:
    with EmulatorProcess(data_dir=tmp_path / "emu", latency=5.0, latency_profile="azure:0.02") as emu:
        assert emu.settings()["latency_profile"] == "azure:0.02"
        _seed(emu)
        peering = put_peering(emu, "a", "a-b", vnet_id("b"), wait=False)
        vnet = emu.arm("PUT", vnet_id("c"), json=vnet_body(["10.3.0.0/16"]))
        gateway = emu.arm("PUT", GATEWAY_PATH, json=_gateway_body())
        assert 0 < _remaining_ms(peering) <= 200  # 10 s x 0.02, not the 5 s of --latency
        assert 0 < _remaining_ms(vnet) <= 60
        assert scheduled_seconds(emu, GATEWAY_PATH) == pytest.approx(30.0)  # 25 min x 0.02
        assert 0 < _remaining_ms(gateway) <= 30_000
        assert emu.wait(peering)["status"] == "Succeeded"
        emu.finish_operations()
        emu.reset()
        assert emu.settings()["latency_profile"] == "azure:0.02"


def test_a_bad_profile_stops_serve(tmp_path: Path) -> None:
    with pytest.raises(EmulatorError, match="latency profile"):
        EmulatorProcess(data_dir=tmp_path / "emu", latency_profile="azure:fast", startup_timeout=10).start()
