"""The `azure-peering` package through the real CLI, from Pulumi YAML and TypeScript: the provider plugin
(`pulumi-resource-azure-peering`, found on PATH in the virtualenv) serves HubSpokePeering and VirtualNetworkPeering
against the emulator. Then what only a plugin can do: `pulumi import`, customTimeouts, more than 4 writes at once,
and provider configuration (stack config, or an explicit Provider resource with a secret)."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from pulumi.runtime import rpc

from harness import topology
from harness.pulumi import REPO, PulumiProject, hermetic_env
from tests.arm_views import arm_writes, live_peerings
from tests.emulator_config import provider_settings, seeded_vnet
from tests.engine.hub_spoke_helpers import DEMO_SEED, made_elsewhere
from tests.pulumi_package.frontends import PEERING, TS_EXAMPLE, NodeModules

pytestmark = pytest.mark.engine


def yaml_project(tmp_path: Path, emulator: Any, doc: dict[str, Any] | None = None) -> PulumiProject:
    """examples/yaml_hub_spoke copied to tmp_path (or a YAML program `doc`), on a fresh local backend."""
    work = tmp_path / "project"
    if doc is None:
        shutil.copytree(REPO / "examples" / "yaml_hub_spoke", work)
    else:
        work.mkdir()
        (work / "Pulumi.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    project = PulumiProject(work, "test", hermetic_env(tmp_path / "state", emulator.env()))
    project.select()
    return project


def ts_project(tmp_path: Path, emulator: Any, node_modules: NodeModules) -> PulumiProject:
    """examples/ts_hub_spoke copied to tmp_path, with the session's node_modules and generated SDK linked in."""
    work = tmp_path / "project"
    shutil.copytree(TS_EXAMPLE, work, ignore=shutil.ignore_patterns("node_modules", "sdks"))
    node_modules.link_into(work)
    project = PulumiProject(work, "test", hermetic_env(tmp_path / "state", emulator.env()))
    project.select()
    return project


def remove_spoke(project: PulumiProject, spoke: str) -> None:
    """Take a spoke out of the example program (YAML or TypeScript)."""
    yaml_file = project.workdir / "Pulumi.yaml"
    ts_file = project.workdir / "index.ts"
    if ts_file.exists():
        lines = ts_file.read_text().splitlines(keepends=True)
        kept = [line for line in lines if not line.lstrip().startswith(f"{spoke}: ")]
        assert len(kept) == len(lines) - 1, f"no single line for spoke {spoke} in index.ts"
        ts_file.write_text("".join(kept))
        return
    doc = yaml.safe_load(yaml_file.read_text())
    del doc["resources"]["hub"]["properties"]["spokes"][spoke]
    yaml_file.write_text(yaml.safe_dump(doc, sort_keys=False))


def program(resources: dict[str, Any], outputs: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"name": "yaml-package", "runtime": "yaml", "resources": resources, "outputs": outputs or {}}


@pytest.mark.parametrize("language", ["yaml", "typescript"])
def test_hub_spoke_lifecycle(language: str, tmp_path: Path, emulator: Any, node_modules: NodeModules) -> None:
    """The demo topology from examples/yaml_hub_spoke and examples/ts_hub_spoke: preview writes nothing, up
    connects every pair, a second preview and up change nothing, a removed spoke takes exactly its two peerings
    along, destroy leaves nothing."""
    emulator.seed(DEMO_SEED)
    project = yaml_project(tmp_path, emulator) if language == "yaml" else ts_project(tmp_path, emulator, node_modules)
    hub = seeded_vnet("vnet-hub")

    seq = emulator.last_request_seq()
    preview = project.preview()
    assert preview.output.count(f"{PEERING} ") >= 8 and "+ 10 to create" in preview.output, preview.output
    assert arm_writes(emulator, seq) == []

    project.up()
    peerings = project.outputs()["peerings"]
    assert sorted(peerings) == ["analytics", "identity", "payments", "web"]
    assert {p["status"] for p in peerings.values()} == {"Connected"}, peerings
    assert {p["hubToSpokeState"] for p in peerings.values()} == {"Connected"}
    hub_side = live_peerings(emulator, hub)
    assert hub_side["vnet-hub-to-vnet-payments"]["properties"]["allowGatewayTransit"] is True
    spoke_side = live_peerings(emulator, seeded_vnet("vnet-payments"))
    assert spoke_side["vnet-payments-to-vnet-hub"]["properties"]["useRemoteGateways"] is True
    children = project.resources(PEERING)
    assert len(children) == 8 and all(r["parent"].endswith("HubSpokePeering::hub") for r in children)
    assert all("::pulumi:providers:azure-peering::default" in r["provider"] for r in children)

    seq = emulator.last_request_seq()
    project.preview(expect_no_changes=True)
    project.up()
    assert arm_writes(emulator, seq) == []

    # a spoke removed from the program: its two peerings go, the others stay untouched
    remove_spoke(project, "web")
    seq = emulator.last_request_seq()
    project.up()
    writes = {(w["method"], w["path"].rsplit("/", 1)[-1].lower()) for w in arm_writes(emulator, seq)}
    assert writes == {("DELETE", "vnet-hub-to-vnet-web"), ("DELETE", "vnet-web-to-vnet-hub")}, writes
    assert "vnet-hub-to-vnet-web" not in live_peerings(emulator, hub)
    assert sorted(project.outputs()["peerings"]) == ["analytics", "identity", "payments"]

    project.destroy()
    assert live_peerings(emulator, hub) == {}
    assert project.resources(PEERING) == []


def test_import_of_a_peering_made_out_of_band_then_no_change_preview(tmp_path: Path, emulator: Any) -> None:
    """`pulumi import` works for the package's resource (it does not for dynamic resources, pulumi/pulumi#16175):
    the inputs come from ARM, the generated YAML is the program, and the next preview has nothing to do."""
    emulator.seed(DEMO_SEED)
    made = made_elsewhere(emulator, "vnet-hub", "vnet-identity", "hub-to-identity-by-hand", allowForwardedTraffic=True)
    project = yaml_project(tmp_path, emulator, program({}))
    generated = tmp_path / "imported.yaml"
    seq = emulator.last_request_seq()
    project.run("import", PEERING, "hub-to-identity", made["id"], "--yes", "--out", str(generated))
    assert arm_writes(emulator, seq) == []
    (state,) = project.resources(PEERING)
    assert state["id"] == made["id"]
    assert state["inputs"]["allowForwardedTraffic"] is True
    assert state["outputs"]["peeringState"] == "Initiated"

    resources = yaml.safe_load(generated.read_text())["resources"]
    # YAML writes the short form of the token (azure-peering:VirtualNetworkPeering); the import is protected
    assert resources["hub-to-identity"]["type"] in (PEERING, "azure-peering:VirtualNetworkPeering"), resources
    assert resources["hub-to-identity"]["options"] == {"protect": True}
    assert resources["hub-to-identity"]["properties"]["remoteVirtualNetworkId"] == seeded_vnet("vnet-identity")
    (project.workdir / "Pulumi.yaml").write_text(yaml.safe_dump(program(resources), sort_keys=False))
    project.preview(expect_no_changes=True)
    project.up()
    assert arm_writes(emulator, seq) == []


def hub_to_identity(name: str, create_timeout: str) -> dict[str, Any]:
    """A YAML program's resources: one peering vnet-hub -> vnet-identity with ``customTimeouts.create``."""
    return {
        name: {
            "type": PEERING,
            "properties": {
                "virtualNetworkId": seeded_vnet("vnet-hub"),
                "remoteVirtualNetworkId": seeded_vnet("vnet-identity"),
            },
            "options": {"customTimeouts": {"create": create_timeout}},
        }
    }


def test_custom_timeouts_are_honoured_and_named(tmp_path: Path, emulator: Any) -> None:
    """customTimeouts reach the plugin (never a dynamic provider): a create that outlives its timeout fails, and
    the error says which timeout ran out; the create deletes what it started (docs/ownership.md)."""
    emulator.seed(DEMO_SEED)
    emulator.set_latency(8)
    project = yaml_project(tmp_path, emulator, program(hub_to_identity("slow", "3s")))
    failed = project.up(check=False)
    assert not failed.ok
    assert "customTimeouts.create = 3s ran out" in failed.output, failed.output
    assert "create peering 'slow'" in failed.output, failed.output
    assert "Unexpected" not in failed.output and 'File "' not in failed.output, failed.output  # one line, no traceback
    assert "deleted again" in failed.output, failed.output
    gone = emulator.arm("GET", f"{seeded_vnet('vnet-hub')}/virtualNetworkPeerings/slow")
    assert gone.status_code == 404, gone.text


def test_custom_timeouts_over_a_day_are_clamped_and_said(tmp_path: Path, emulator: Any) -> None:
    """A customTimeouts longer than the 24 h a peering operation may take here: the engine sends it only with the
    create (never to check), so it cannot be refused at preview; the create uses 24 h and says so, instead of
    failing with an error about `timeouts`, an input the user never set."""
    emulator.seed(DEMO_SEED)
    project = yaml_project(tmp_path, emulator, program(hub_to_identity("patient", "48h")))
    up = project.up()
    assert "customTimeouts.create = 172800s is longer than the 86400s a peering operation may take here" in up.output
    assert "timeouts" not in up.output.replace("customTimeouts", ""), up.output
    made = emulator.arm("GET", f"{seeded_vnet('vnet-hub')}/virtualNetworkPeerings/patient")
    assert made.status_code == 200, made.text


def test_more_than_four_writes_are_in_flight_at_once(tmp_path: Path, emulator: Any) -> None:
    """The plugin has no fixed pool of 4 (the dynamic provider's): 8 peerings of 8 distinct vnets all have their
    ARM operation running at the same time. Counted, not timed: ARM holds every peering operation (they end only
    once all 8 PUTs were accepted), so a pool of 4 could never send the fifth PUT."""
    n = 8
    emulator.reset()
    emulator.seed(topology.hub_and_spokes(n, with_gateway=False))
    emulator.set_latency(0.5)  # a held operation asks to be polled again in 0.5 s
    resources = {
        f"{topology.spoke_name(i)}-to-hub": {
            "type": PEERING,
            "properties": {"virtualNetworkId": topology.spoke_id(i), "remoteVirtualNetworkId": topology.hub_id()},
        }
        for i in range(n)
    }
    project = yaml_project(tmp_path, emulator, program(resources))
    seq = emulator.last_request_seq()
    emulator.set_faults("lro_hang=1.0;match=PUT:virtualNetworkPeerings")
    accepted_while_held: list[int] = []

    def release_once_all_are_accepted() -> None:
        deadline = time.monotonic() + 60  # a pool of 4 never gets there: fail, but end the operations
        while True:
            accepted = [w for w in arm_writes(emulator, seq) if w["method"] == "PUT" and w["status"] == 201]
            if len(accepted) >= n or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        accepted_while_held.append(len(accepted))
        emulator.set_faults("")
        emulator.finish_operations()

    releaser = threading.Thread(target=release_once_all_are_accepted, daemon=True)
    releaser.start()
    try:
        project.up("--parallel", "16")
    finally:
        releaser.join(90)
    assert accepted_while_held == [n]
    assert len([w for w in arm_writes(emulator, seq) if w["method"] == "PUT"]) == n


CREDENTIAL_ENV = (
    "AZURE_TENANT_ID",
    "AZURE_CLIENT_ID",
    "AZURE_CLIENT_SECRET",
    "AZURE_AUTHORITY_HOST",
    "AZURE_PEERING_AUTHORITY_HOST",
    "AZURE_PEERING_ARM_ENDPOINT",
    "AZURE_PEERING_CA_BUNDLE",
)


def without_credentials(project: PulumiProject) -> dict[str, str]:
    """Take the emulator's endpoints and credentials out of the project's environment; return them as
    provider settings (camelCase keys)."""
    settings = provider_settings(project.env)
    for key in CREDENTIAL_ENV:
        project.env.pop(key)
    return settings


def test_explicit_provider_resource_with_a_secret_client_secret(tmp_path: Path, emulator: Any) -> None:
    """An explicit `pulumi:providers:azure-peering` carries endpoints and credentials (nothing in the environment);
    its clientSecret comes from secret stack config, is marked secret by the schema and never lands in the state.
    The component hands the provider to its children."""
    emulator.seed(DEMO_SEED)
    resources = {
        "emulator": {"type": "pulumi:providers:azure-peering", "properties": {}},
        "hub": {
            "type": "azure-peering:index:HubSpokePeering",
            "properties": {
                "hubVnetId": seeded_vnet("vnet-hub"),
                "spokes": {"identity": {"vnetId": seeded_vnet("vnet-identity")}},
            },
            "options": {"provider": "${emulator}"},
        },
    }
    doc = program(resources, {"peerings": "${hub.peerings}", "topology": "${hub.topologyMermaid}"})
    project = yaml_project(tmp_path, emulator, doc)
    settings = without_credentials(project)
    secret = settings.pop("clientSecret")
    doc["config"] = {"clientSecret": {"type": "string", "secret": True}}
    resources["emulator"]["properties"] = settings | {"clientSecret": "${clientSecret}"}
    (project.workdir / "Pulumi.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    project.config_set("clientSecret", secret, secret=True)

    project.up()
    assert project.outputs()["peerings"]["identity"]["status"] == "Connected"
    # the component's picture reaches a YAML program through the plugin as the Python one draws it
    assert project.outputs()["topology"].splitlines()[1:4] == [
        '    v0{{"vnet-hub"}}',
        '    v1["identity: vnet-identity"]',
        "    v0 ---|Connected| v1",
    ]
    children = project.resources(PEERING)
    assert len(children) == 2 and all("::pulumi:providers:azure-peering::emulator::" in r["provider"] for r in children)
    (provider,) = [r for r in project.resources() if r["type"] == "pulumi:providers:azure-peering"]
    # a secret in the state: an object whose signature key says "secret", as the installed SDK spells them
    assert provider["inputs"]["clientSecret"][rpc._special_sig_key] == rpc._special_secret_sig
    assert secret not in project.backend_files_text()
    project.destroy()
    assert live_peerings(emulator, seeded_vnet("vnet-hub")) == {}


def test_default_provider_from_stack_config(tmp_path: Path, emulator: Any) -> None:
    """The default provider takes azure-peering:* stack config, the secret one encrypted in the state too."""
    emulator.seed(DEMO_SEED)
    resources = {
        "hub-to-identity": {
            "type": PEERING,
            "properties": {
                "virtualNetworkId": seeded_vnet("vnet-hub"),
                "remoteVirtualNetworkId": seeded_vnet("vnet-identity"),
            },
        }
    }
    project = yaml_project(tmp_path, emulator, program(resources))
    settings = without_credentials(project)
    secret = settings.pop("clientSecret")
    for key, value in settings.items():
        project.config_set(f"azure-peering:{key}", value)
    project.config_set("azure-peering:clientSecret", secret, secret=True)
    project.up()
    (state,) = project.resources(PEERING)
    assert state["outputs"]["peeringState"] == "Initiated"
    assert secret not in project.backend_files_text()
    project.destroy()
