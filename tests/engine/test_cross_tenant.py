"""A partner tenant's spoke in the same stack as the hub: each side is written with the token of the tenant that owns
its vnet (found from ARM's 401 challenge), the pair's other tenant going along as auxiliary. Without the partner
tenant in auxiliary_tenant_ids, the preview fails naming the tenant to add, and nothing is written."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from harness import topology
from harness.pulumi import REPO, PulumiProject
from tests.arm_views import arm_writes, live_peerings
from tests.emulator_config import HOME_TENANT, PARTNER_TENANT, SUB_PARTNER, seeded_vnet
from tests.engine.hub_spoke_helpers import DEMO_SEED, PROGRAM, configure
from tests.provider_on_emulator.programs import peering_program

pytestmark = pytest.mark.engine

PARTNER_VNET = topology.vnet_id(SUB_PARTNER, "rg-partner", "vnet-partner")
SINGLE_PEERING = (REPO / "examples" / "single_peering" / "__main__.py").read_text()


def spokes(**partner: Any) -> dict[str, dict[str, Any]]:
    return {
        "payments": {"vnetId": seeded_vnet("vnet-payments"), "useHubGateway": True},
        "partner": {"vnetId": PARTNER_VNET, "useHubGateway": True, **partner},
    }


def peerings(emulator: Any, vnet: str) -> dict[str, dict[str, Any]]:
    """Peerings of a vnet as ARM reports them, read with the token of the vnet's own tenant."""
    if vnet != PARTNER_VNET:
        return live_peerings(emulator, vnet)
    body = emulator.arm("GET", f"{vnet}/virtualNetworkPeerings", tenant_id=PARTNER_TENANT).json()
    return {p["name"].lower(): p for p in body["value"]}


def connected(emulator: Any, vnet: str, name: str) -> dict[str, Any]:
    properties: dict[str, Any] = peerings(emulator, vnet)[name]["properties"]
    assert (properties["peeringState"], properties["peeringSyncLevel"]) == ("Connected", "FullyInSync"), properties
    return properties


def test_a_partner_tenants_spoke_deploys_in_one_stack(
    make_project: Callable[..., PulumiProject], emulator: Any
) -> None:
    emulator.seed(DEMO_SEED)
    project = make_project(PROGRAM)
    configure(project, seeded_vnet("vnet-hub"), spokes(auxiliaryTenantIds=[PARTNER_TENANT]))
    project.preview()
    project.up(skip_preview=False)
    spoke_side = connected(emulator, PARTNER_VNET, "vnet-partner-to-vnet-hub")
    assert spoke_side["useRemoteGateways"] is True
    assert connected(emulator, seeded_vnet("vnet-hub"), "vnet-hub-to-vnet-partner")["allowGatewayTransit"] is True
    seq = emulator.last_request_seq()
    project.preview("--refresh", expect_no_changes=True)
    assert arm_writes(emulator, seq) == []
    project.destroy()
    assert peerings(emulator, PARTNER_VNET) == {}
    assert live_peerings(emulator, seeded_vnet("vnet-hub")) == {}


def test_without_the_partner_tenant_preview_names_it_and_writes_nothing(
    make_project: Callable[..., PulumiProject], emulator: Any
) -> None:
    emulator.seed(DEMO_SEED)
    project = make_project(PROGRAM)
    configure(project, seeded_vnet("vnet-hub"), spokes())
    seq = emulator.last_request_seq()
    preview = project.preview(check=False)
    assert not preview.ok
    fix = f"add '{PARTNER_TENANT}' to auxiliary_tenant_ids"
    assert fix in preview.output, preview.output
    assert preview.output.count(fix) == 1, preview.output  # said once
    assert 'spokes["partner"]' in preview.output, preview.output
    assert "wrong issuer" not in preview.output  # ARM's raw text is not what the user reads
    assert not project.up(check=False, skip_preview=False).ok
    assert arm_writes(emulator, seq) == []


def test_an_identity_the_partner_tenant_does_not_know_fails_preview(
    make_project: Callable[..., PulumiProject], emulator: Any
) -> None:
    seed = copy.deepcopy(DEMO_SEED)
    seed["clients"][0]["tenants"] = [HOME_TENANT]  # the application was never consented to in the partner tenant
    emulator.seed(seed)
    project = make_project(PROGRAM)
    configure(project, seeded_vnet("vnet-hub"), spokes(auxiliaryTenantIds=[PARTNER_TENANT]))
    seq = emulator.last_request_seq()
    preview = project.preview(check=False)
    assert not preview.ok
    fix = f"the identity cannot sign in to tenant {PARTNER_TENANT}: register the (multi-tenant) application there"
    assert preview.output.count(fix) == 1 and "AADSTS700016" in preview.output, preview.output
    assert not project.up(check=False, skip_preview=False).ok
    assert arm_writes(emulator, seq) == []


def test_a_standalone_peering_under_a_partner_vnet(make_project: Callable[..., PulumiProject], emulator: Any) -> None:
    emulator.seed(DEMO_SEED)
    project = make_project(SINGLE_PEERING)
    project.write_config(
        {
            "peering-test:localVnetId": seeded_vnet("vnet-identity"),
            "peering-test:remoteVnetId": PARTNER_VNET,
            "azure-peering:auxiliaryTenantIds": [PARTNER_TENANT],
        }
    )
    project.up(skip_preview=False)
    # the peerings take their resource names: remote-to-local lives under the partner's vnet
    connected(emulator, PARTNER_VNET, "remote-to-local")
    connected(emulator, seeded_vnet("vnet-identity"), "local-to-remote")
    project.preview("--refresh", expect_no_changes=True)
    project.destroy()
    assert peerings(emulator, PARTNER_VNET) == {}


def test_a_tenant_one_peering_names_is_not_lent_to_another_then_comes_from_the_environment(
    make_project: Callable[..., PulumiProject], emulator: Any
) -> None:
    """One stack, three runs. The hub's pair with the partner names the partner tenant on its resources. A
    peering from vnet-payments to the partner's vnet that names no tenant is refused at preview and at `up`,
    naming the tenant to add, with nothing written: the process that has just read the partner's vnet with the
    partner's token does not lend that tenant to a resource that did not name it (ARM would refuse its PUT: 403
    LinkedAuthorizationFailed). Named through the environment (AZURE_PEERING_AUXILIARY_TENANT_IDS, README), it
    goes through: one PUT, the partner's token going along."""
    partner = seeded_vnet("vnet-partner")
    named = {"auxiliary_tenant_ids": [PARTNER_TENANT]}
    pair = (
        {"local": "vnet-hub", "remote": "vnet-partner", **named},
        {"local": "vnet-partner", "remote": "vnet-hub", **named},
    )
    project = make_project(peering_program(*pair))
    project.up()
    connected(emulator, seeded_vnet("vnet-hub"), "vnet-hub-to-vnet-partner")

    (project.workdir / "__main__.py").write_text(
        peering_program(*pair, {"local": "vnet-payments", "remote": "vnet-partner"})
    )
    seq = emulator.last_request_seq()
    fix = f"add '{PARTNER_TENANT}' to auxiliary_tenant_ids"
    preview = project.preview(check=False)
    assert not preview.ok and fix in preview.output, preview.output
    assert "vnet-payments-to-vnet-partner" in preview.output, preview.output
    up = project.up(check=False, skip_preview=True)
    assert not up.ok and fix in up.output, up.output
    assert arm_writes(emulator, seq) == []
    assert "vnet-payments-to-vnet-partner" not in live_peerings(emulator, seeded_vnet("vnet-payments"))

    project.env["AZURE_PEERING_AUXILIARY_TENANT_IDS"] = PARTNER_TENANT
    seq = emulator.last_request_seq()
    project.up(skip_preview=False)
    pid = f"{seeded_vnet('vnet-payments')}/virtualNetworkPeerings/vnet-payments-to-vnet-partner".lower()
    assert [(w["method"], w["path"].lower(), w["status"]) for w in arm_writes(emulator, seq)] == [("PUT", pid, 201)]
    made = live_peerings(emulator, seeded_vnet("vnet-payments"))["vnet-payments-to-vnet-partner"]["properties"]
    assert made["remoteVirtualNetwork"]["id"].lower() == partner.lower()
    assert made["peeringState"] == "Initiated"  # the partner's side back to vnet-payments is not declared
    connected(emulator, partner, "vnet-partner-to-vnet-hub")
