"""A user's own Pulumi project, as the README tells it: outside the repository, the wheel installed into the
project's own venv at the floor Pulumi SDK, `runtime.options.virtualenv` in Pulumi.yaml and that venv NOT on PATH,
and a project with its own `components/` package and `provider.py`. `pulumi preview`, then `pulumi up` against the
emulator: every pair Connected."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from harness.pulumi import TOOLS_BIN, PulumiProject, hermetic_env
from tests.emulator_config import SUB_HUB, SUB_SPOKES, configure_through_stack, seeded_vnet
from tests.engine.hub_spoke_helpers import DEMO_SEED
from tests.packaging.helpers import FLOOR_CONSTRAINTS, Dist, make_venv, site_packages

pytestmark = pytest.mark.packaging

PULUMI_YAML = """\
name: user-network
description: A team's own network project (what `pulumi new python` makes, plus pulumi-azure-peering).
runtime:
  name: python
  options:
    toolchain: pip
    virtualenv: venv
"""

# The team's own modules, named as such modules often are: they must shadow nothing and be shadowed by nothing.
OWN_PROVIDER = '''\
"""The team's own helpers (a module called `provider`, as 0.1.0's top-level package was)."""

SUBSCRIPTIONS = {"rg-hub": "SUB_HUB", "rg-spokes": "SUB_SPOKES"}


def vnet(resource_group: str, name: str) -> str:
    sub = SUBSCRIPTIONS[resource_group]
    return f"/subscriptions/{sub}/resourceGroups/{resource_group}/providers/Microsoft.Network/virtualNetworks/{name}"
'''.replace("SUB_HUB", SUB_HUB).replace("SUB_SPOKES", SUB_SPOKES)

OWN_COMPONENTS = '''\
"""The team's own components package."""


def peering_name(local: str, remote: str) -> str:
    return f"{local}-to-{remote}"
'''

PROGRAM = """\
import pulumi

import components
import provider
from components import peering_name
from pulumi_azure_peering import (
    HubSpokePeering,
    HubSpokePeeringArgs,
    SpokeArgs,
    VirtualNetworkPeering,
    VirtualNetworkPeeringArgs,
)

hub = HubSpokePeering(
    "core",
    HubSpokePeeringArgs(
        hub_vnet_id=provider.vnet("rg-hub", "vnet-hub"),
        spokes={
            "payments": SpokeArgs(vnet_id=provider.vnet("rg-spokes", "vnet-payments"), use_hub_gateway=True),
            "web": SpokeArgs(vnet_id=provider.vnet("rg-spokes", "vnet-web")),
        },
    ),
)

identity = provider.vnet("rg-hub", "vnet-identity")
analytics = provider.vnet("rg-spokes", "vnet-analytics")
there = VirtualNetworkPeering(
    peering_name("identity", "analytics"),
    VirtualNetworkPeeringArgs(virtual_network_id=identity, remote_virtual_network_id=analytics),
)
back = VirtualNetworkPeering(
    peering_name("analytics", "identity"),
    VirtualNetworkPeeringArgs(virtual_network_id=analytics, remote_virtual_network_id=identity),
    pulumi.ResourceOptions(depends_on=[there]),
)

pulumi.export("peerings", hub.peerings)
pulumi.export("standalone", {"there": there.peering_state, "back": back.peering_state})
pulumi.export("own_modules", [provider.__file__, components.__file__])
"""


def test_user_project_with_its_own_venv_components_and_provider(tmp_path: Path, dist: Dist, emulator: Any) -> None:
    emulator.seed(DEMO_SEED)
    project_dir = tmp_path / "user-network"
    (project_dir / "components").mkdir(parents=True)
    (project_dir / "Pulumi.yaml").write_text(PULUMI_YAML)
    (project_dir / "provider.py").write_text(OWN_PROVIDER)
    (project_dir / "components" / "__init__.py").write_text(OWN_COMPONENTS)
    (project_dir / "__main__.py").write_text(PROGRAM)
    (project_dir / "requirements.txt").write_text(f"pulumi-azure-peering @ {dist.wheel.as_uri()}\n")

    # The project's venv: the wheel, at the floor of every requirement (constraints-floor.txt), no [emulator] extra.
    python = make_venv(project_dir / "venv", "-r", project_dir / "requirements.txt", constraints=FLOOR_CONSTRAINTS)
    versions = subprocess.run(
        [python, "-c", "import pulumi, importlib.metadata as m; print(m.version('pulumi'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert f"pulumi=={versions}" in FLOOR_CONSTRAINTS.read_text().splitlines()
    packages = site_packages(python)
    assert not (packages / "provider").exists() and not (packages / "components").exists()
    assert not (packages / "trustme").exists(), "a deployment venv needs no emulator dependencies"

    # No python3 on PATH has pulumi: only the virtualenv option can make this work. The venv's bin comes last, as for
    # a user who added it to PATH: its `pulumi-resource-azure-peering` must not be looked up by a Python program.
    path = f"{TOOLS_BIN}:/usr/bin:/bin:{python.parent}"
    env = hermetic_env(tmp_path / "state", {"PATH": path})
    python3 = shutil.which("python3", path=path)
    if python3 is not None:
        probe = subprocess.run([python3, "-c", "import pulumi"], env=env, capture_output=True, check=False)
        assert probe.returncode != 0, f"{python3} on PATH has pulumi: the test would prove nothing"

    project = PulumiProject(project_dir, "dev", env)
    project.select()
    configure_through_stack(project, emulator.env(), {})

    preview = project.preview()
    assert "+ 8 to create" in preview.stdout, preview.stdout  # stack, component, 4 hub-spoke peerings, 2 standalone
    # The wheel's pulumi-plugin.json says "resource": false, so the language host names no `azure-peering` plugin.
    assert "pulumi-resource-azure-peering" not in preview.output, preview.output

    project.up()
    outputs = project.outputs()
    assert {spoke: p["status"] for spoke, p in outputs["peerings"].items()} == {
        "payments": "Connected",
        "web": "Connected",
    }
    # The first side of a pair is recorded as Initiated (the other side did not exist yet); refresh reads it again.
    assert outputs["standalone"]["back"] == "Connected", outputs["standalone"]
    assert outputs["own_modules"] == [str(project_dir / "provider.py"), str(project_dir / "components" / "__init__.py")]
    live = {
        p["name"]: p["properties"]["peeringState"]
        for vnet in ("vnet-hub", "vnet-payments", "vnet-web", "vnet-identity", "vnet-analytics")
        for p in emulator.arm("GET", f"{seeded_vnet(vnet)}/virtualNetworkPeerings").json()["value"]
    }
    assert len(live) == 6 and set(live.values()) == {"Connected"}, live
    project.refresh()
    peerings = project.resources("VirtualNetworkPeering")
    states = {r["urn"].rsplit("::", 1)[1]: r["outputs"]["peering_state"] for r in peerings}
    assert len(states) == 6 and set(states.values()) == {"Connected"}, states
    project.preview(expect_no_changes=True)
    project.destroy()
