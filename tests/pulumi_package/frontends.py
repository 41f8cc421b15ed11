"""The front ends a peering program can be written with, for the package tests: the Python dynamic resource, and
the `azure-peering` package from Pulumi YAML and from TypeScript. Each writes the same program (standalone
peerings, or a HubSpokePeering) into a hermetic project against the emulator."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from harness.pulumi import REPO, TOOLS_BIN, PulumiProject, hermetic_env
from pulumi_azure_peering.plugin.names import camel, snake

PEERING = "azure-peering:index:VirtualNetworkPeering"
HUB_SPOKE = "azure-peering:index:HubSpokePeering"
FRONT_ENDS = ("python", "yaml", "typescript")
#: npm's cache for the TypeScript programs, outside the repository like the Go caches of `make tools`.
NPM_CACHE = Path.home() / ".cache" / "pulumi-azure-peering" / "npm"
TS_EXAMPLE = REPO / "examples" / "ts_hub_spoke"


@dataclass(frozen=True)
class Peering:
    """One standalone peering of a test program: Pulumi name, vnet ids and further inputs (snake_case)."""

    resource: str
    local: str
    remote: str
    args: Mapping[str, Any] = field(default_factory=dict)

    def inputs(self) -> dict[str, Any]:
        return {"virtual_network_id": self.local, "remote_virtual_network_id": self.remote, **self.args}


@dataclass(frozen=True)
class HubSpoke:
    """A HubSpokePeering named ``hub`` of a test program: hub id and spokes (camelCase fields, as in the schema)."""

    hub: str
    spokes: Mapping[str, Mapping[str, Any]]


Program = Sequence[Peering] | HubSpoke


class NodeModules:
    """node_modules (npm ci of examples/ts_hub_spoke) and the generated SDK, made once and linked into every
    TypeScript project of the session."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        for name in ("package.json", "package-lock.json", "tsconfig.json"):
            shutil.copy(TS_EXAMPLE / name, root / name)
        sdkgen = TOOLS_BIN / "pulumi-azure-peering-sdkgen"
        subprocess.run(
            [str(sdkgen), str(REPO / "plugin" / "schema.json"), str(root / "sdks" / "azure-peering")], check=True
        )
        npm = ["npm", "ci", "--no-audit", "--no-fund", "--prefer-offline", "--cache", str(NPM_CACHE)]
        subprocess.run(npm, cwd=root, check=True, capture_output=True, timeout=600, env=os.environ | {"NO_COLOR": "1"})

    def link_into(self, work: Path) -> None:
        for name in ("node_modules", "sdks"):
            (work / name).symlink_to(self.root / name, target_is_directory=True)


def _python_program(program: Program) -> str:
    if isinstance(program, HubSpoke):
        spokes = ", ".join(
            f"{key!r}: SpokeArgs(**{ {snake(k): v for k, v in spoke.items()}!r})"
            for key, spoke in program.spokes.items()
        )
        return textwrap.dedent(
            f"""\
            import pulumi
            from pulumi_azure_peering import HubSpokePeering, HubSpokePeeringArgs, SpokeArgs

            hub = HubSpokePeering("hub", HubSpokePeeringArgs(hub_vnet_id={program.hub!r}, spokes={{{spokes}}}))
            pulumi.export("peerings", hub.peerings)
            """
        )
    lines = ["from pulumi_azure_peering import VirtualNetworkPeering, VirtualNetworkPeeringArgs"]
    for p in program:
        lines.append(f"VirtualNetworkPeering({p.resource!r}, VirtualNetworkPeeringArgs(**{p.inputs()!r}))")
    return "\n".join(lines) + "\n"


def _yaml_program(program: Program) -> dict[str, Any]:
    resources: dict[str, Any]
    if isinstance(program, HubSpoke):
        resources = {
            "hub": {"type": HUB_SPOKE, "properties": {"hubVnetId": program.hub, "spokes": dict(program.spokes)}}
        }
        outputs = {"peerings": "${hub.peerings}"}
    else:
        resources = {
            p.resource: {"type": PEERING, "properties": {camel(k): v for k, v in p.inputs().items()}} for p in program
        }
        outputs = {}
    return {"name": "package-test", "runtime": "yaml", "resources": resources, "outputs": outputs}


def _ts_program(program: Program) -> str:
    lines = ['import * as peering from "./sdks/azure-peering";']
    if isinstance(program, HubSpoke):
        spokes = json.dumps({k: dict(v) for k, v in program.spokes.items()})
        lines.append(
            f'const hub = new peering.HubSpokePeering("hub", {{ hubVnetId: "{program.hub}", spokes: {spokes} }});'
        )
        lines.append("export const peerings = hub.peerings;")
    else:
        for p in program:
            args = json.dumps({camel(k): v for k, v in p.inputs().items()})
            lines.append(f'new peering.VirtualNetworkPeering("{p.resource}", {args});')
    return "\n".join(lines) + "\n"


def make_project(
    front_end: str, tmp_path: Path, emulator: Any, program: Program, node_modules: NodeModules | None = None
) -> PulumiProject:
    """A project running `program` written for `front_end`, on its own local backend."""
    work = tmp_path / f"{front_end}-project"
    env = hermetic_env(tmp_path / f"{front_end}-state", emulator.env())
    if front_end == "python":
        return PulumiProject.from_program(work, _python_program(program), env)
    work.mkdir(parents=True)
    if front_end == "yaml":
        (work / "Pulumi.yaml").write_text(yaml.safe_dump(_yaml_program(program), sort_keys=False))
    elif front_end == "typescript":
        assert node_modules is not None, "TypeScript projects need the session's node_modules"
        (work / "Pulumi.yaml").write_text("name: package-test\nruntime: nodejs\n")
        for name in ("package.json", "tsconfig.json"):
            shutil.copy(TS_EXAMPLE / name, work / name)
        (work / "index.ts").write_text(_ts_program(program))
        node_modules.link_into(work)
    else:
        raise ValueError(front_end)
    project = PulumiProject(work, "test", env)
    project.select()
    return project


def peering_outputs(project: PulumiProject) -> dict[str, dict[str, Any]]:
    """Each peering's outputs in the checkpoint (snake_case whatever the front end), by resource name."""
    return {
        r["urn"].split("::")[-1]: {snake(k): v for k, v in (r.get("outputs") or {}).items()}
        for r in project.resources("VirtualNetworkPeering")
    }
