"""Start-up, connection file, env exports, restarts and --reset (each test runs an emulator of its own)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from pulumi_azure_peering.emulator.testing import EmulatorProcess

from .helpers import TENANT_A, get_props, peering_path, put_peering, seed_vnets, vnet_id, vnet_spec

pytestmark = pytest.mark.emulator

REPO = Path(__file__).resolve().parents[2]


def test_state_survives_a_restart(private_emulator: EmulatorProcess) -> None:
    emu = private_emulator
    seed_vnets(emu, vnet_spec("a", ["10.1.0.0/16"]), vnet_spec("b", ["10.2.0.0/16"]))
    put_peering(emu, "a", "a-b", vnet_id("b"))
    emu.set_latency(30)
    pending = put_peering(emu, "b", "b-a", vnet_id("a"), wait=False)  # still in flight at the restart
    before = emu.arm("GET", peering_path("a", "a-b")).json()
    token = emu.token()
    secret, port = emu.primary.client_secret, emu.port

    emu.restart()

    assert emu.port == port
    assert emu.primary.client_secret == secret
    after = emu.arm("GET", peering_path("a", "a-b"), headers={"Authorization": f"Bearer {token}"})
    assert after.status_code == 200  # same signing key: tokens issued before the restart still work
    assert after.json()["etag"] == before["etag"]
    status = emu.arm("GET", pending.headers["Azure-AsyncOperation"], api_version=None)
    assert status.json()["status"] == "InProgress"
    assert emu.finish_operations() == 1
    assert get_props(emu, peering_path("a", "a-b"))["peeringState"] == "Connected"


def test_reset_on_start_keeps_identities(tmp_path: Path) -> None:
    with EmulatorProcess(data_dir=tmp_path / "d") as emu:
        seed_vnets(emu, vnet_spec("a", ["10.1.0.0/16"]))
        secret = emu.primary.client_secret
    with EmulatorProcess(data_dir=tmp_path / "d", reset=True) as emu:
        assert emu.arm("GET", vnet_id("a")).status_code == 404
        assert emu.primary.client_secret == secret
        assert emu.primary.tenant_id == TENANT_A


def test_connection_file_env_command_and_secrets(private_emulator: EmulatorProcess) -> None:
    emu = private_emulator
    path = emu.data_dir / "connection.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    doc = json.loads(path.read_text())
    assert {"arm_endpoint", "authority_host", "ca_bundle", "admin_key", "tenants"} <= set(doc)
    assert doc["arm_endpoint"].startswith("https://127.0.0.1:")
    assert doc["tenants"][0]["tenant_id"] == TENANT_A
    assert {"tenant_id", "client_id", "client_secret", "subscriptions"} <= set(doc["tenants"][0])
    assert len({t["client_id"] for t in doc["tenants"]}) == 1  # one multi-tenant app registered in both tenants
    assert not [p for p in os.listdir(emu.data_dir) if p.startswith(".connection-")]

    out = subprocess.run(
        [sys.executable, "-m", "pulumi_azure_peering.emulator", "env", "--data-dir", str(emu.data_dir)],
        capture_output=True, text=True, check=True, cwd=REPO,
    )  # fmt: skip
    exports = dict(line.removeprefix("export ").split("=", 1) for line in out.stdout.splitlines())
    for name in (
        "AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "AZURE_AUTHORITY_HOST", "REQUESTS_CA_BUNDLE",
        "SSL_CERT_FILE", "AZURE_PEERING_ARM_ENDPOINT", "AZURE_PEERING_AUTHORITY_HOST",
    ):  # fmt: skip
        assert exports[name], name
    assert exports["AZURE_PEERING_AUTHORITY_HOST"] == exports["AZURE_AUTHORITY_HOST"]
    assert exports["AZURE_PEERING_ARM_ENDPOINT"] == emu.arm_endpoint
    assert emu.env() == {k: v.strip("'") for k, v in exports.items()}

    # Secrets never reach the log.
    emu.arm("GET", vnet_id("a"))
    log = emu.log_path.read_text()
    assert emu.primary.client_secret not in log and emu.admin_key not in log and emu.token() not in log


def test_seeding_new_identities_updates_the_connection(private_emulator: EmulatorProcess) -> None:
    emu = private_emulator
    tenant = "5b1c2a2e-58a3-4f57-9c7e-6c6f0d9b2a11"
    sub = "0c7d6f3a-1e2b-4c3d-8e9f-a1b2c3d4e5f6"
    emu.seed({"tenants": [{"tenantId": tenant, "subscriptions": [{"subscriptionId": sub}]}],
              "clients": [{"clientId": emu.primary.client_id, "tenants": [TENANT_A, tenant]}]})  # fmt: skip
    creds = emu.connection.tenant(tenant)
    assert creds.subscriptions == (sub,)
    assert creds.client_secret == emu.primary.client_secret
    assert (
        emu.arm(
            "GET", f"/subscriptions/{sub}/providers/Microsoft.Network/virtualNetworks", tenant_id=tenant
        ).status_code
        == 200
    )


def test_listens_on_loopback_only(tmp_path: Path) -> None:
    r = subprocess.run(
        [sys.executable, "-m", "pulumi_azure_peering.emulator", "serve", "--data-dir", str(tmp_path), "--host",
        "0.0.0.0"],
        capture_output=True, text=True, timeout=30, cwd=REPO,
    )  # fmt: skip
    assert r.returncode != 0
    assert "loopback" in r.stderr
