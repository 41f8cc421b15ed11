"""`make demo`: the hub-and-spoke example deployed with the real `pulumi` CLI against the local ARM emulator.

    python -m harness.demo up        # start the emulator, pulumi preview (the plan), pulumi up, summary,
                                     # a no-change preview, the picture (.state/demo-topology.mmd, .svg), stop
    python -m harness.demo destroy   # start the emulator, pulumi destroy, stop
    python -m harness.demo up --latency-profile azure:0.05   # writes at real Azure proportions, scaled down

Without ``--latency-profile`` (or AZURE_PEERING_DEMO_LATENCY_PROFILE), every write takes DEMO_LATENCY seconds.

State lives in .state/ (emulator SQLite store, Pulumi file backend, PULUMI_HOME), so a second run finds everything
in place. The root Pulumi.yaml runs examples/hub_spoke; its stack config is Pulumi.demo.yaml.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from harness.pulumi import REPO, PulumiProject, hermetic_env
from pulumi_azure_peering.components.topology_picture import dot, hub_spoke_picture
from pulumi_azure_peering.emulator.seed import DEMO_SEED
from pulumi_azure_peering.provider.ids import parent_vnet_id

STATE = REPO / ".state"
STACK = "demo"
SEED = DEMO_SEED  # the seed the package ships as "demo": examples/hub_spoke's topology
#: Seconds each ARM write takes in the demo's emulator: enough to see the ordering, short enough to be quick.
DEMO_LATENCY = 0.3
#: ``azure[:SCALE]``: the emulator's latency profile instead of DEMO_LATENCY (docs/emulator.md), e.g. azure:0.05.
LATENCY_PROFILE_ENV = "AZURE_PEERING_DEMO_LATENCY_PROFILE"


#: The component's per-spoke ``status``, said plainly: a half-built pair is waiting, not out of sync.
_PAIR_STATUS_TEXT = {
    "Connected": "connected",
    "WaitingForSpokeSide": "waiting for the spoke side to be created",
    "WaitingForHubSide": "waiting for the hub side to be created",
    "OutOfSync": "out of sync after a resize (the next up syncs it)",
    "Disconnected": "disconnected (the next up re-establishes it)",
}


def _summary(outputs: dict[str, Any]) -> str:
    rows = [("spoke", "pair", "hub -> spoke", "spoke -> hub", "sync (hub side / spoke side)")]
    for spoke, p in sorted((outputs.get("peerings") or {}).items()):
        rows.append(
            (
                spoke,
                _PAIR_STATUS_TEXT.get(str(p.get("status")), str(p.get("status"))),
                str(p.get("hub_to_spoke_state")),
                str(p.get("spoke_to_hub_state")),
                f"{p.get('hub_to_spoke_sync_level')} / {p.get('spoke_to_hub_sync_level')}",
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)) for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _draw(outputs: dict[str, Any]) -> list[str]:
    """The demo's picture next to its summary: the component's ``topology`` output (Mermaid) as it is, and the same
    picture as SVG where Graphviz's ``dot`` is on PATH. Says where each went, or how to get the SVG."""
    mermaid_file = STATE / "demo-topology.mmd"
    mermaid_file.write_text(outputs["topology"])
    said = [f"demo: the topology as Mermaid (the component's `topology` output): {mermaid_file.relative_to(REPO)}"]
    svg_file = STATE / "demo-topology.svg"
    if shutil.which("dot") is None:
        svg_file.unlink(missing_ok=True)
        return [*said, "demo: no SVG: Graphviz's `dot` is not on PATH (Debian/Ubuntu: apt-get install graphviz)"]
    peerings = outputs["peerings"]
    hub = parent_vnet_id(next(iter(peerings.values()))["hub_to_spoke_id"])
    spokes = {spoke: parent_vnet_id(pair["spoke_to_hub_id"]) for spoke, pair in peerings.items()}
    graph = dot(hub_spoke_picture(hub, spokes, peerings, outputs.get("mesh_peerings") or {}), name="demo")
    drawn = subprocess.run(["dot", "-Tsvg", "-o", str(svg_file)], input=graph, text=True, capture_output=True)
    if drawn.returncode != 0:
        return [*said, f"demo: `dot` could not draw the SVG: {drawn.stderr.strip()}"]
    return [*said, f"demo: the topology as SVG: {svg_file.relative_to(REPO)}"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m harness.demo", description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["up", "destroy"])
    parser.add_argument(
        "--latency-profile",
        metavar="azure[:SCALE]",
        default=os.environ.get(LATENCY_PROFILE_ENV) or None,
        help=f"real Azure write durations times SCALE (default 0.01) instead of {DEMO_LATENCY}s per write "
        f"(default: ${LATENCY_PROFILE_ENV})",
    )
    args = parser.parse_args(argv)

    from pulumi_azure_peering.emulator.testing import EmulatorProcess
    from pulumi_azure_peering.emulator.timing import LatencyProfile

    if args.latency_profile:
        try:
            LatencyProfile.parse(args.latency_profile)
        except ValueError as exc:
            parser.error(str(exc))

    data_dir = STATE / "emulator"
    data_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    timing = f"latency profile {args.latency_profile}" if args.latency_profile else f"{DEMO_LATENCY}s per write"
    print(f"demo: starting the ARM emulator ({timing}; data in {data_dir.relative_to(REPO)})", flush=True)
    with EmulatorProcess(
        data_dir=data_dir, seed=SEED, latency=DEMO_LATENCY, latency_profile=args.latency_profile
    ) as emulator:
        # The wheel's pulumi-plugin.json keeps the language host from naming the `azure-peering` plugin, but the host
        # reads it next to site-packages, where an editable install has no such file: the engine would find the
        # plugin's console script in .venv/bin and warn that it uses it. This program needs no plugin (the dynamic
        # provider runs the peerings), so the demo looks for none on PATH.
        env = hermetic_env(STATE / "pulumi", {**emulator.env(), "PULUMI_IGNORE_AMBIENT_PLUGINS": "true"})
        project = PulumiProject(REPO, STACK, env)
        project.select()
        if args.action == "destroy":
            project.run("destroy", "--yes", "--skip-preview", stream=True)
            print(f"demo: destroyed in {time.monotonic() - started:.0f}s")
            return 0
        print("\ndemo: `pulumi preview`, the plan (a user's first command; nothing is written):", flush=True)
        project.run("preview", stream=True)
        print("\ndemo: `pulumi up` carries it out:", flush=True)
        project.run("up", "--yes", "--skip-preview", stream=True)
        outputs = project.outputs()
        print("\nPeerings (the stack's outputs, as ARM reported them to the provider):")
        print(_summary(outputs))
        print("\ndemo: a second preview must show no changes:", flush=True)
        project.run("preview", "--expect-no-changes", stream=True)
        Path(STATE / "demo-outputs.json").write_text(json.dumps(outputs, indent=2))
        for line in _draw(outputs):
            print(line)
    print(f"demo: done in {time.monotonic() - started:.0f}s; `make demo-destroy` tears it down")
    return 0


if __name__ == "__main__":
    sys.exit(main())
