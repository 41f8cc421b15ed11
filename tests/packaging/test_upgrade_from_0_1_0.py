"""Upgrading a venv from 0.1.0 to this version keeps existing stacks working.

0.1.0 installed the top-level packages `provider`, `components`, `emulator`, and its stacks' state stores every
peering's dynamic provider pickled as `provider.resource.VirtualNetworkPeeringProvider`. This deploys with the
0.1.0 wheel built from its commit, upgrades the venv to the wheel of this checkout (which removes those packages),
and then refreshes, updates (a flag changed, a spoke removed: its deletes run on the 0.1.0 pickles) and destroys.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from harness.pulumi import REPO, PulumiProject, hermetic_env
from tests.packaging.conftest import Dist, make_venv, pip_install, run, site_packages

pytestmark = pytest.mark.packaging

SUB_HUB = "361de6c3-799a-41e4-8381-fc64ef7a8afb"
SUB_SPOKES = "6c95aa64-db25-4975-ba88-29cd57894580"

IMPORTS_0_1_0 = """\
from components import HubSpokePeering, HubSpokePeeringArgs, SpokeArgs
from provider import VirtualNetworkPeering, VirtualNetworkPeeringArgs
"""
IMPORTS_0_2_0 = """\
from pulumi_azure_peering import (
    HubSpokePeering,
    HubSpokePeeringArgs,
    SpokeArgs,
    VirtualNetworkPeering,
    VirtualNetworkPeeringArgs,
)
"""

PROGRAM = """\
import pulumi

IMPORTS

def vnet(name):
    sub, rg = ("SUB_HUB", "rg-hub") if name in ("vnet-hub", "vnet-identity") else ("SUB_SPOKES", "rg-spokes")
    return f"/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/virtualNetworks/{name}"

hub = HubSpokePeering(
    "core",
    HubSpokePeeringArgs(
        hub_vnet_id=vnet("vnet-hub"),
        spokes={name: SpokeArgs(vnet_id=vnet(f"vnet-{name}"), use_hub_gateway=True) for name in SPOKES},
    ),
)
there = VirtualNetworkPeering(
    "identity-to-analytics",
    VirtualNetworkPeeringArgs(
        virtual_network_id=vnet("vnet-identity"),
        remote_virtual_network_id=vnet("vnet-analytics"),
        allow_forwarded_traffic=FORWARD,
    ),
)
back = VirtualNetworkPeering(
    "analytics-to-identity",
    VirtualNetworkPeeringArgs(
        virtual_network_id=vnet("vnet-analytics"), remote_virtual_network_id=vnet("vnet-identity")
    ),
    pulumi.ResourceOptions(depends_on=[there]),
)
pulumi.export("peerings", hub.peerings)
pulumi.export("back", back.peering_state)
"""


def program(imports: str, spokes: list[str], forward: bool) -> str:
    return (
        PROGRAM.replace("IMPORTS", imports)
        .replace("SUB_HUB", SUB_HUB)
        .replace("SUB_SPOKES", SUB_SPOKES)
        .replace("SPOKES", repr(spokes))
        .replace("FORWARD", repr(forward))
    )


def pickled_module_paths(project: PulumiProject) -> dict[str, set[str]]:
    """Per peering, which of the two module paths its stored dynamic provider names."""
    found = {}
    for resource in project.resources("VirtualNetworkPeering"):
        blob = base64.b64decode(resource["inputs"]["__provider"])
        names = {
            name for name in ("pulumi_azure_peering.provider.resource", "provider.resource") if name.encode() in blob
        }
        if "pulumi_azure_peering.provider.resource" in names:
            names.discard("provider.resource")  # the shorter name is part of the longer one
        found[resource["urn"].rsplit("::", 1)[1]] = names
    return found


def live_peerings(emulator: Any) -> dict[str, str]:
    live = {}
    for name in ("vnet-hub", "vnet-payments", "vnet-web", "vnet-identity", "vnet-analytics"):
        sub, rg = (SUB_HUB, "rg-hub") if name in ("vnet-hub", "vnet-identity") else (SUB_SPOKES, "rg-spokes")
        vnet = f"/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/virtualNetworks/{name}"
        for p in emulator.arm("GET", f"{vnet}/virtualNetworkPeerings").json()["value"]:
            live[p["name"]] = p["properties"]["peeringState"]
    return live


def test_stack_made_by_0_1_0_refreshes_updates_and_destroys_after_the_upgrade(
    tmp_path: Path, dist: Dist, legacy_wheel: Path, emulator: Any
) -> None:
    emulator.seed(json.loads((REPO / "examples" / "hub_spoke" / "seed.json").read_text()))
    venv = tmp_path / "venv"
    python = make_venv(venv, legacy_wheel)
    packages = site_packages(python)
    assert (packages / "provider" / "resource.py").is_file(), "0.1.0 installs the top-level `provider` package"

    project_dir = tmp_path / "network"
    project_dir.mkdir()
    (project_dir / "Pulumi.yaml").write_text(
        f"name: network\nruntime:\n  name: python\n  options:\n    virtualenv: {venv}\n"
    )
    main = project_dir / "__main__.py"
    main.write_text(program(IMPORTS_0_1_0, ["payments", "web"], forward=False))
    project = PulumiProject(project_dir, "prod", hermetic_env(tmp_path / "state", emulator.env()))
    project.select()

    # --- deployed with 0.1.0
    project.up()
    assert project.outputs()["back"] == "Connected"
    assert set(live_peerings(emulator).values()) == {"Connected"}
    stored = pickled_module_paths(project)
    assert len(stored) == 6 and all(paths == {"provider.resource"} for paths in stored.values()), stored

    # --- the upgrade: pip replaces 0.1.0 (and its top-level packages) with this version
    pip_install(python, "--upgrade", dist.wheel)
    assert not (packages / "provider").exists() and not (packages / "components").exists()
    assert (packages / "pulumi_azure_peering-legacy-names.pth").is_file()
    version = run(python, "-c", "import pulumi_azure_peering as p; print(p.__version__)").strip()
    assert version == "0.2.0"

    # refresh reads every peering through the 0.1.0 pickles in the state
    project.refresh()
    assert pickled_module_paths(project) == stored
    project.preview(expect_no_changes=True)  # the unchanged 0.1.0 program still runs (its imports resolve too)

    # update: new imports, one flag changed in place, one spoke removed (its two deletes load 0.1.0 pickles)
    main.write_text(program(IMPORTS_0_2_0, ["payments"], forward=True))
    before = emulator.last_request_seq()
    up = project.up()
    assert "2 deleted" in up.stdout and "1 updated" in up.stdout, up.stdout
    deletes = [r for r in emulator.request_log(since=before) if r["method"] == "DELETE" and r["status"] < 300]
    assert len(deletes) == 2, deletes
    live = live_peerings(emulator)
    assert set(live) == {
        "vnet-hub-to-vnet-payments",
        "vnet-payments-to-vnet-hub",
        "identity-to-analytics",
        "analytics-to-identity",
    }, live
    there = emulator.arm(
        "GET",
        f"/subscriptions/{SUB_HUB}/resourceGroups/rg-hub/providers/Microsoft.Network/virtualNetworks/vnet-identity"
        "/virtualNetworkPeerings/identity-to-analytics",
    ).json()
    assert there["properties"]["allowForwardedTraffic"] is True
    assert all(paths == {"pulumi_azure_peering.provider.resource"} for paths in pickled_module_paths(project).values())
    project.preview(expect_no_changes=True)

    project.destroy()
    assert live_peerings(emulator) == {}
