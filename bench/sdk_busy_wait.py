"""``python -m bench.sdk_busy_wait``: what the program process burns while `pulumi up` waits on ARM, per Pulumi SDK.

Up to Python SDK 3.228.0, ``wait_for_rpcs`` drained the program's pending outputs by polling them with
``asyncio.sleep(0)``: while a write is in flight, the program process spins on a core. 3.229.0 waits with
``asyncio.wait`` instead (pulumi/pulumi#22411). This experiment measures both sides of that change with the same
program, engine and emulator, so the project's floor (pyproject.toml) can be chosen on a figure:

- one venv per SDK version under ``.state/bench/sdk-<version>`` (this package editable, every other requirement at
  its floor from constraints-floor.txt, the SDK at the version measured);
- in it, one ``pulumi up`` of one peering pair whose writes each take ``--latency`` seconds in the emulator,
  sampled with bench/proctree.py: the program process's CPU seconds over the command's wall seconds.

Prints one row per version and writes ``bench/results/experiments/sdk-busy-wait.json``. Run it on a quiet machine;
the ratio (CPU over wall) is what compares, not the seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from harness.pulumi import REPO

#: The last SDK that polls in wait_for_rpcs and the first that waits (pulumi/pulumi#22411).
VERSIONS = ("3.228.0", "3.229.0")
OUTPUT = REPO / "bench" / "results" / "experiments" / "sdk-busy-wait.json"
WORK = REPO / ".state" / "bench"

PROGRAM = """\
import pulumi

from pulumi_azure_peering import VirtualNetworkPeering, VirtualNetworkPeeringArgs

config = pulumi.Config()
hub, spoke = config.require("hub"), config.require("spoke")
forward = VirtualNetworkPeering("hub-to-spoke", VirtualNetworkPeeringArgs(
    virtual_network_id=hub, remote_virtual_network_id=spoke))
VirtualNetworkPeering("spoke-to-hub", VirtualNetworkPeeringArgs(
    virtual_network_id=spoke, remote_virtual_network_id=hub), pulumi.ResourceOptions(depends_on=[forward]))
"""


def venv_for(version: str) -> Path:
    """A venv with this package and the SDK at ``version``, the rest at the floor (built once, then reused)."""
    venv = WORK / f"sdk-{version}"
    marker = venv / ".installed"
    if marker.exists():
        return venv
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
    floor = [
        line for line in (REPO / "constraints-floor.txt").read_text().splitlines() if not line.startswith("pulumi==")
    ]
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as constraints:
        constraints.write("\n".join([*floor, f"pulumi=={version}", ""]))
    subprocess.run(
        [
            *(str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"),
            *("-c", constraints.name, "-e", f"{REPO}[emulator]"),
        ],
        check=True,
    )
    marker.touch()
    return venv


def measure(latency: float) -> dict[str, Any]:
    """One `pulumi up` of the pair in this interpreter's venv (the program runs on its SDK)."""
    from bench.proctree import CpuSampler
    from harness.pulumi import PulumiProject, hermetic_env
    from harness.topology import vnet_id
    from pulumi_azure_peering.emulator.seed import DEMO_SEED
    from pulumi_azure_peering.emulator.testing import EmulatorProcess

    groups = {g["name"]: g["subscriptionId"] for g in json.loads(Path(DEMO_SEED).read_text())["resourceGroups"]}
    hub, spoke = vnet_id(groups["rg-hub"], "rg-hub", "vnet-hub"), vnet_id(groups["rg-spokes"], "rg-spokes", "vnet-web")
    with tempfile.TemporaryDirectory(prefix="sdk-busy-wait-") as tmp:
        root = Path(tmp)
        with EmulatorProcess(data_dir=root / "emulator", seed=DEMO_SEED, latency=latency) as emulator:
            env = hermetic_env(root / "pulumi", emulator.env())
            project = PulumiProject.from_program(root / "project", PROGRAM, env, config={"hub": hub, "spoke": spoke})
            with CpuSampler(exclude=[emulator.pid] if emulator.pid else []) as cpu:
                started = time.perf_counter()
                project.up()
                wall = time.perf_counter() - started
    by_role = cpu.by_role()
    return {
        "sdk": version("pulumi"),
        "latency_s": latency,
        "wall_s": round(wall, 3),
        "cpu_s_by_role": by_role,
        "program_cpu_over_wall": round(by_role.get("program", 0.0) / wall, 3),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.sdk_busy_wait", description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=5.0, help="emulator seconds per ARM write (default 5)")
    parser.add_argument("--version", action="append", help=f"SDK versions to measure (default {', '.join(VERSIONS)})")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)  # one run, in the current venv
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.latency)))
        return 0
    rows = []
    for sdk in args.version or VERSIONS:
        python = venv_for(sdk) / "bin" / "python"
        run = subprocess.run(
            [str(python), "-m", "bench.sdk_busy_wait", "--measure", "--latency", str(args.latency)],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        )
        rows.append(json.loads(run.stdout.strip().splitlines()[-1]))
    print(f"{'sdk':<9} {'wall s':>7} {'program CPU s':>14} {'program CPU / wall':>19}")
    for row in rows:
        program = row["cpu_s_by_role"].get("program", 0.0)
        print(f"{row['sdk']:<9} {row['wall_s']:>7.2f} {program:>14.2f} {row['program_cpu_over_wall']:>19.3f}")
    document = {
        "experiment": "sdk-busy-wait",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "git_commit": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True, check=False
        ).stdout.strip(),
        "load_average": [round(load, 2) for load in os.getloadavg()],
        "rows": rows,
    }
    OUTPUT.write_text(json.dumps(document, indent=2) + "\n")
    print(f"wrote {OUTPUT.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
