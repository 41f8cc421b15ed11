"""``azure-peering discover`` against an estate left the way the CLI and the portal leave one: built with plain ARM
calls (no provider), then broken the usual ways. The command runs as a user runs it (its own process, settings from
the environment) and must only read."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from tests.arm_views import arm_writes
from tests.emulator_config import SUB_HUB, SUB_SPOKES, seeded_vnet
from tests.provider_on_emulator.provider_env import estate

pytestmark = pytest.mark.emulator

SPOKES = {
    "subscriptionId": SUB_SPOKES,
    "name": "rg-spokes",
    "location": "westeurope",
    "virtualNetworks": [
        {"name": "vnet-web", "addressPrefixes": ["10.4.0.0/16"], "subnets": []},
        {"name": "vnet-data", "addressPrefixes": ["10.5.0.0/16"], "subnets": []},
        {"name": "vnet-old", "addressPrefixes": ["10.6.0.0/16"], "subnets": []},
    ],
}
HUB = seeded_vnet("vnet-hub")


@pytest.fixture
def emu(emulator: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    with estate(emulator, monkeypatch, [SPOKES]) as seeded:
        yield seeded


def arm_ok(emu: Any, method: str, path: str, body: Any = None) -> None:
    response = emu.arm(method, path, json=body)
    assert response.status_code in (200, 201, 202, 204), response.text
    assert emu.wait(response)["status"] == "Succeeded"


def link(emu: Any, local: str, remote: str, **flags: Any) -> str:
    """A peering made as `az network vnet peering create` makes it (the names people type: mixed)."""
    name = f"{local.rsplit('/', 1)[-1]}_to_{remote.rsplit('/', 1)[-1]}".upper()
    path = f"{local}/virtualNetworkPeerings/{name}"
    arm_ok(emu, "PUT", path, {"properties": {"remoteVirtualNetwork": {"id": remote}, **flags}})
    return path


def messy_estate(emu: Any) -> dict[str, str]:
    web, data, old = (seeded_vnet(n) for n in ("vnet-web", "vnet-data", "vnet-old"))
    payments, analytics = seeded_vnet("vnet-payments"), seeded_vnet("vnet-analytics")
    link(emu, HUB, payments, allowGatewayTransit=True)
    link(emu, payments, HUB, useRemoteGateways=True)  # healthy, through the hub's gateway
    link(emu, HUB, web)  # one-sided: the spoke's side was never made
    link(emu, HUB, analytics)
    arm_ok(emu, "DELETE", link(emu, analytics, HUB))  # its side deleted: the hub's is Disconnected
    link(emu, HUB, data)
    link(emu, data, HUB)
    vnet = emu.arm("GET", data).json()
    vnet["properties"]["addressSpace"]["addressPrefixes"].append("10.15.0.0/16")  # resized in the portal
    arm_ok(emu, "PUT", data, {"location": vnet["location"], "properties": vnet["properties"]})
    link(emu, HUB, old)
    link(emu, old, HUB)
    arm_ok(emu, "DELETE", old)  # the spoke vnet deleted: the hub's side stays, Disconnected
    return {"web": web, "data": data, "old": old, "payments": payments, "analytics": analytics}


def discover(emu: Any, *flags: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pulumi_azure_peering.cli", "discover", *flags],
        env={**emu.env(), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_discover_pairs_and_judges_a_messy_estate_and_writes_nothing(emu: Any) -> None:
    vnets = messy_estate(emu)
    seq = emu.last_request_seq()

    run = discover(emu, "--subscription", SUB_HUB, "--json")

    assert run.returncode == 1, run.stderr  # errors found
    doc = json.loads(run.stdout)
    status = {pair["vnets"][0] if pair["vnets"][1] == HUB else pair["vnets"][1]: pair for pair in doc["pairs"]}
    assert {vnet.rsplit("/", 1)[-1]: pair["status"] for vnet, pair in status.items()} == {
        "vnet-payments": "Connected",
        "vnet-web": "OneSided",
        "vnet-analytics": "Disconnected",
        "vnet-data": "NotInSync",
        "vnet-old": "Disconnected",
    }
    assert status[vnets["data"]]["needsSync"] == [HUB]
    assert doc["hubs"] == [{"id": HUB, "proposed": True}]
    assert doc["missingVnets"] == [vnets["old"].lower()]
    found = sorted((f["code"], f["vnets"][0].rsplit("/", 1)[-1]) for f in doc["findings"])
    assert found == [
        ("PairDisconnected", "vnet-hub"),
        ("PairNotInSync", "vnet-hub"),
        ("PairOneSided", "vnet-web"),
        ("RemoteVnetMissing", "vnet-hub"),
    ]
    # The healthy pair's sides as ARM lists them, names as typed.
    payments_pair = status[vnets["payments"]]
    names = sorted(side["name"] for side in payments_pair["sides"])
    assert names == ["VNET-HUB_TO_VNET-PAYMENTS", "VNET-PAYMENTS_TO_VNET-HUB"]
    assert arm_writes(emu, seq) == []  # read-only


def test_discover_reads_a_subscription_with_one_listing_and_draws_it(emu: Any) -> None:
    messy_estate(emu)
    seq = emu.last_request_seq()

    run = discover(emu, "--subscription", SUB_HUB, "--subscription", SUB_SPOKES, "--mermaid")

    assert run.stdout.startswith("flowchart LR\n") and "---|OneSided|" in run.stdout, run.stderr
    reads = [r for r in emu.request_log(since=seq) if r["path"].lower().startswith("/subscriptions")]
    # One listing per subscription and one read of the hub's gateway, nothing per vnet: every remote is in the
    # scope, and the deleted one is known gone because its subscription's listing did not show it.
    paths = sorted(r["path"].rsplit("/", 2)[-2:][-1] if "Gateways/" in r["path"] else r["path"] for r in reads)
    assert paths == sorted(
        [
            f"/subscriptions/{SUB_HUB}/providers/Microsoft.Network/virtualNetworks",
            f"/subscriptions/{SUB_SPOKES}/providers/Microsoft.Network/virtualNetworks",
            "vgw-hub",
        ]
    ), [r["path"] for r in reads]
    assert all(r["method"] == "GET" for r in reads)


def test_discover_says_what_to_do_without_a_subscription(emu: Any) -> None:
    env_without = {k: v for k, v in emu.env().items() if k != "AZURE_SUBSCRIPTION_ID"}
    run = subprocess.run(
        [sys.executable, "-m", "pulumi_azure_peering.cli", "discover"],
        env={**env_without, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 2 and "pass --subscription ID" in run.stderr


def test_discover_says_how_to_get_an_svg_where_graphviz_is_missing_before_reading_anything(
    emu: Any, tmp_path: Any
) -> None:
    seq = emu.last_request_seq()
    picture = tmp_path / "estate.svg"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pulumi_azure_peering.cli",
            "discover",
            "--subscription",
            SUB_HUB,
            "--svg",
            str(picture),
        ],
        env={**emu.env(), "PATH": str(tmp_path)},  # no `dot` on this PATH, whatever the machine has
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 2, run.stderr
    assert "--svg needs Graphviz's `dot`, which is not on PATH" in run.stderr and "or use --mermaid" in run.stderr
    assert not picture.exists() and emu.request_log(since=seq) == []
