"""Engine smoke test of the hub-and-spoke example: up, a no-change preview, refresh, destroy.

Short on purpose: `make test` also runs it from the floor venv (the lowest versions pyproject.toml allows,
constraints-floor.txt) and from a venv on the newest supported Python. The copy's Pulumi.yaml names the venv
running the suite as its `virtualenv`, so the program and the dynamic provider run on that venv's packages.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from harness.pulumi import REPO, PulumiProject, copy_example, hermetic_env
from tests.emulator_config import configure_through_stack
from tests.engine.hub_spoke_helpers import DEMO_SEED

pytestmark = pytest.mark.engine


def test_hub_spoke_example_up_preview_refresh_destroy(tmp_path: Path, emulator: Any) -> None:
    import pulumi

    emulator.seed(DEMO_SEED)
    example = copy_example("hub_spoke", tmp_path / "hub_spoke")
    assert f"virtualenv: {sys.prefix}" in (example / "Pulumi.yaml").read_text()
    demo_config = yaml.safe_load((REPO / "Pulumi.demo.yaml").read_text())["config"]
    # Endpoints and credentials as stack config, not environment: the dynamic provider gets them through
    # `configure`, which SDKs before 3.139.0 never call.
    project = PulumiProject(example, "smoke", hermetic_env(tmp_path / "state"))
    project.select()
    example_config = {key.replace("azure-peering-hub-spoke:", "hub-spoke:"): v for key, v in demo_config.items()}
    configure_through_stack(project, emulator.env(), example_config)

    up = project.up()
    assert "+ 10 created" in up.stdout or "10 created" in up.stdout, up.stdout
    peerings = project.outputs()["peerings"]
    assert sorted(peerings) == ["analytics", "identity", "payments", "web"]
    assert {p["status"] for p in peerings.values()} == {"Connected"}, peerings

    project.preview(expect_no_changes=True)
    seq = emulator.last_request_seq()
    refresh = project.refresh()
    assert "~ " not in refresh.stdout.split("Resources:")[-1], refresh.stdout
    # The hub's four peerings: at most the first read a GET, the others answered by a listing: of the hub's
    # peerings, or of its group's vnets (the group also holds vnet-identity, a spoke: whichever of the hub or the
    # group is asked for a second peering first is listed).
    hub = "/virtualnetworks/vnet-hub/virtualnetworkpeerings"
    hub_group = "/resourcegroups/rg-hub/providers/microsoft.network/virtualnetworks"
    reads = [r["path"].lower() for r in emulator.request_log(since=seq) if r["method"] == "GET"]
    assert len([p for p in reads if hub + "/" in p]) <= 1, reads
    assert any(p.endswith((hub, hub_group)) for p in reads), reads
    project.preview(expect_no_changes=True)

    project.destroy()
    live = json.dumps(emulator.state()).lower()
    assert "virtualnetworkpeerings/" not in live
    print(f"pulumi SDK {pulumi.__version__ if hasattr(pulumi, '__version__') else '?'} on Python {sys.version}")
