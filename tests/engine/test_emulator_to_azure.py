"""The README's "From the emulator to Azure" checklist, held to its word: a program deployed with only the settings
it documents for a real cloud (a service principal and a custom ARM endpoint and authority as ``azure-peering:*``
stack config, the other tenant in ``auxiliaryTenantIds``), pointed at the emulator's endpoints, and none of the
variables ``azure-peering-emulator env`` exports except ``AZURE_PEERING_CA_BUNDLE``, which trusts its private CA.
The preview reads both vnets and writes nothing; the ``up`` creates the cross-tenant pair, both sides Connected."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harness import topology
from harness.pulumi import REPO, PulumiProject, hermetic_env
from pulumi_azure_peering.emulator.connection import EXPORTED
from tests.arm_views import arm_writes, live_peering_properties
from tests.emulator_config import PARTNER_TENANT, SUB_PARTNER, seeded_vnet
from tests.engine.hub_spoke_helpers import DEMO_SEED

pytestmark = pytest.mark.engine

README = REPO / "README.md"
PROGRAM = (REPO / "examples" / "single_peering" / "__main__.py").read_text()
HUB = seeded_vnet("vnet-hub")
PARTNER = topology.vnet_id(SUB_PARTNER, "rg-partner", "vnet-partner")
#: The one variable of ``env``'s exports the checklist allows: the provider's own trust of a private CA.
TRUST = "AZURE_PEERING_CA_BUNDLE"
#: The stack config the checklist names for a service principal on a custom cloud, and for a second tenant.
DOCUMENTED_KEYS = ("tenantId", "clientId", "clientSecret", "armEndpoint", "authorityHost", "auxiliaryTenantIds")


def checklist() -> str:
    text = README.read_text()
    start = text.index("### From the emulator to Azure")
    return text[start : text.index("\n### ", start + 1)]


def test_the_checklist_names_every_variable_env_exports_and_each_setting_used_here() -> None:
    """What the test below leaves out and puts in is what the README tells a user to unset and to set."""
    section = checklist()
    assert 'azure-peering-emulator env --unset)"' in section
    for name in EXPORTED:
        assert f"`{name}`" in section, f"the checklist does not name {name}, which `env --unset` takes back"
    for key in DOCUMENTED_KEYS:
        assert f"`azure-peering:{key}`" in section or f"`{key}`" in section, key
    assert f"`{TRUST}`" in section
    assert "tests/engine/test_emulator_to_azure.py" in section


def test_a_cross_tenant_pair_deploys_with_only_the_documented_real_azure_settings(
    tmp_path: Path, emulator: Any
) -> None:
    emulator.seed(DEMO_SEED)
    # the machine's own REQUESTS_CA_BUNDLE / SSL_CERT_FILE, where it sets them, go too: `env --unset` unsets them
    env = {k: v for k, v in hermetic_env(tmp_path / "state").items() if k not in EXPORTED}
    env[TRUST] = emulator.ca_bundle
    assert sorted(name for name in EXPORTED if name in env) == [TRUST]
    assert not [name for name in env if name.startswith("AZURE_") and name != TRUST]

    project = PulumiProject.from_program(tmp_path / "project", PROGRAM, env, project="single-peering", stack="azure")
    primary = emulator.primary
    project.write_config(
        {
            "single-peering:localVnetId": HUB,
            "single-peering:remoteVnetId": PARTNER,
            "azure-peering:armEndpoint": emulator.arm_endpoint,
            "azure-peering:authorityHost": emulator.authority_host,
            "azure-peering:tenantId": primary.tenant_id,
            "azure-peering:clientId": primary.client_id,
            "azure-peering:auxiliaryTenantIds": json.dumps([PARTNER_TENANT]),
        }
    )
    project.config_set("azure-peering:clientSecret", primary.client_secret, secret=True)
    assert primary.client_secret not in (project.workdir / "Pulumi.azure.yaml").read_text()

    seq = emulator.last_request_seq()
    project.preview()
    read = {r["path"].lower() for r in emulator.request_log(since=seq) if r["method"] == "GET"}
    assert HUB.lower() in read and PARTNER.lower() in read, sorted(read)
    assert arm_writes(emulator, seq) == []

    project.up(skip_preview=False)
    hub_side = live_peering_properties(emulator, HUB)["local-to-remote"]
    partner_body = emulator.arm("GET", f"{PARTNER}/virtualNetworkPeerings", tenant_id=PARTNER_TENANT).json()
    partner_side = {p["name"]: p["properties"] for p in partner_body["value"]}["remote-to-local"]
    for side in (hub_side, partner_side):
        assert (side["peeringState"], side["peeringSyncLevel"]) == ("Connected", "FullyInSync"), side
    assert hub_side["remoteVirtualNetwork"]["id"].lower() == PARTNER.lower()
    assert partner_side["remoteVirtualNetwork"]["id"].lower() == HUB.lower()
    puts = [r for r in arm_writes(emulator, seq) if r["method"] == "PUT"]
    assert sorted(r["path"].lower().rsplit("/", 1)[-1] for r in puts) == ["local-to-remote", "remote-to-local"]
