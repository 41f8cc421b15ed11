"""From an existing, half-broken estate to a managed hub (issue 28, docs/adopting.md): the estate built with plain
ARM calls, as the CLI and the portal leave one, then walked the way a team would: `azure-peering discover
--emit-project`, `pulumi preview` (existing peerings imported, only the broken ones written), `pulumi up`, a
preview with no changes, and discover again finding every pair Connected. No healthy peering is written: ARM keeps
their etags.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from harness.pulumi import PulumiProject, hermetic_env
from tests.arm_views import arm_writes, live_peerings
from tests.emulator_config import HOME_TENANT, PARTNER_TENANT, SUB_HUB, SUB_SPOKES, seeded_vnet
from tests.engine.hub_spoke_helpers import DEMO_SEED

pytestmark = pytest.mark.engine

HUB = seeded_vnet("vnet-hub")
IDENTITY, PAYMENTS, WEB, ANALYTICS, PARTNER = (
    seeded_vnet(n) for n in ("vnet-identity", "vnet-payments", "vnet-web", "vnet-analytics", "vnet-partner")
)
PEERING = "azure-peering:index:VirtualNetworkPeering"


def arm_ok(emu: Any, method: str, path: str, body: Any = None) -> None:
    """One write as a user's tool sends it; across tenants with the partner's token in the auxiliary header."""
    tenant = PARTNER_TENANT if "vnet-partner" in path.split("/virtualNetworkPeerings/")[0] else HOME_TENANT
    other = HOME_TENANT if tenant == PARTNER_TENANT else PARTNER_TENANT
    headers = {"x-ms-authorization-auxiliary": f"Bearer {emu.token(other)}"}
    response = emu.arm(method, path, json=body, tenant_id=tenant, headers=headers)
    assert response.status_code in (200, 201, 202, 204), response.text
    assert emu.wait(response, tenant_id=tenant)["status"] == "Succeeded"


def link(emu: Any, local: str, remote: str, name: str, **flags: Any) -> str:
    path = f"{local}/virtualNetworkPeerings/{name}"
    arm_ok(emu, "PUT", path, {"properties": {"remoteVirtualNetwork": {"id": remote}, **flags}})
    return path


def messy_estate(emu: Any) -> None:
    """Names as people type them; one pair of each kind of trouble, and healthy ones around them."""
    link(emu, HUB, IDENTITY, "hub-identity")
    link(emu, IDENTITY, HUB, "IDENTITY_TO_HUB", allowForwardedTraffic=True)  # healthy
    link(emu, HUB, PAYMENTS, "VNET-HUB_TO_VNET-PAYMENTS", allowGatewayTransit=True)
    link(emu, PAYMENTS, HUB, "payments-hub", useRemoteGateways=True)  # healthy, through the hub's gateway
    link(emu, HUB, WEB, "hub-to-web")  # one-sided: the spoke's side was never made
    link(emu, HUB, ANALYTICS, "hub-analytics")
    link(emu, ANALYTICS, HUB, "analytics-hub")
    vnet = emu.arm("GET", ANALYTICS).json()  # the spoke resized in the portal: the pair is not in sync
    vnet["properties"]["addressSpace"]["addressPrefixes"].append("10.12.0.0/16")
    arm_ok(emu, "PUT", ANALYTICS, {"location": vnet["location"], "properties": vnet["properties"]})
    link(emu, HUB, PARTNER, "hub-partner")  # a spoke in the partner's tenant, its side deleted: Disconnected
    arm_ok(emu, "DELETE", link(emu, PARTNER, HUB, "partner-hub"))
    link(emu, PAYMENTS, WEB, "payments-web")  # a link outside any hub, healthy
    link(emu, WEB, PAYMENTS, "web-payments")


def discover(emu: Any, *flags: str) -> subprocess.CompletedProcess[str]:
    common = ["--subscription", SUB_HUB, "--subscription", SUB_SPOKES, "--hub", HUB, "--auxiliary-tenant"]
    return subprocess.run(
        [sys.executable, "-m", "pulumi_azure_peering.cli", "discover", *common, PARTNER_TENANT, *flags],
        env={**emu.env(), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def statuses(doc: dict[str, Any]) -> dict[tuple[str, str], str]:
    return {tuple(sorted(v.rsplit("/", 1)[-1] for v in pair["vnets"])): pair["status"] for pair in doc["pairs"]}


def etags(emu: Any) -> dict[str, str]:
    return {
        f"{vnet.rsplit('/', 1)[-1]}/{name}": p["etag"]
        for vnet in (HUB, IDENTITY, PAYMENTS, WEB, ANALYTICS)
        for name, p in live_peerings(emu, vnet).items()
    }


def steps(preview_json: str) -> dict[str, list[str]]:
    """The preview's steps per child peering (its resource name): ``import``, ``update``, ``create``..."""
    doc = json.loads(preview_json)
    out: dict[str, list[str]] = {}
    for step in doc.get("steps") or []:
        urn = str(step["urn"])
        if urn.split("::")[-2].endswith(PEERING.rsplit(":", 1)[-1]):
            out.setdefault(urn.rsplit("::", 1)[-1], []).append(str(step["op"]))
    return out


def test_an_estate_discovered_emitted_previewed_and_repaired(emulator: Any, tmp_path: Path) -> None:
    emulator.seed(DEMO_SEED)
    messy_estate(emulator)
    before = etags(emulator)
    seq = emulator.last_request_seq()

    folder = tmp_path / "adopted"
    found = discover(emulator, "--json", "--emit-project", str(folder))
    assert found.returncode == 1, found.stderr  # errors found: a Disconnected pair
    assert statuses(json.loads(found.stdout)) == {
        ("vnet-hub", "vnet-identity"): "Connected",
        ("vnet-hub", "vnet-payments"): "Connected",
        ("vnet-hub", "vnet-web"): "OneSided",
        ("vnet-analytics", "vnet-hub"): "NotInSync",
        ("vnet-hub", "vnet-partner"): "Disconnected",
        ("vnet-payments", "vnet-web"): "Connected",
    }
    assert "wrote" in found.stderr and "pulumi preview" in found.stderr
    program = (folder / "Pulumi.yaml").read_text()
    assert "type: azure-peering:index:HubSpokePeering" in program and "IDENTITY_TO_HUB" in program
    assert "# vnet-hub <-> vnet-partner: Disconnected" in program, program
    assert PARTNER_TENANT in (folder / "Pulumi.dev.yaml").read_text()
    assert arm_writes(emulator, seq) == []  # discover only reads

    project = PulumiProject(folder, "dev", hermetic_env(tmp_path / "state", emulator.env()))
    project.select()
    preview = project.preview("--json")
    assert arm_writes(emulator, seq) == []
    planned = steps(preview.stdout)
    healthy = {
        name: ops
        for name, ops in planned.items()
        if any(s in name for s in ("vnet-identity", "vnet-payments.", "payments-web", "web-payments"))
    }
    # healthy pairs: imported, nothing else
    assert healthy and all(ops == ["import"] for ops in healthy.values()), planned
    # the broken ones: what repairs them, and only that
    assert planned["hub-vnet-hub-vnet-web.spoke-to-hub"] == ["create"], planned
    assert planned["hub-vnet-hub-vnet-web.hub-to-spoke"] == ["import"], planned
    assert planned["hub-vnet-hub-vnet-partner.hub-to-spoke"] == ["import", "update"], planned
    assert planned["hub-vnet-hub-vnet-partner.spoke-to-hub"] == ["create"], planned
    analytics = [ops for name, ops in planned.items() if "vnet-analytics" in name]
    assert sorted(analytics) == [["import"], ["import", "update"]] or all(
        ops == ["import", "update"] for ops in analytics
    ), planned

    project.up()
    project.preview(expect_no_changes=True)
    after = etags(emulator)
    for peering in ("vnet-hub/hub-identity", "vnet-identity/identity_to_hub", "vnet-hub/vnet-hub_to_vnet-payments"):
        assert after[peering] == before[peering], peering
    for peering in ("vnet-payments/payments-hub", "vnet-payments/payments-web", "vnet-web/web-payments"):
        assert after[peering] == before[peering], peering

    again = discover(emulator, "--json")
    assert again.returncode == 0, again.stderr
    doc = json.loads(again.stdout)
    assert set(statuses(doc).values()) == {"Connected"}, statuses(doc)
    assert [f["code"] for f in doc["findings"] if f["severity"] == "error"] == []
