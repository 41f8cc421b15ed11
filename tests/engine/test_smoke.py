"""Real-engine smoke tests: the pinned CLI drives the installed peering provider against the emulator, once through
the Automation API (inline program) and once through the plain CLI on the root project."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from pulumi import automation as auto

from harness.pulumi import DEV_PASSPHRASE, REPO, TOOLS_BIN, PulumiProject, hermetic_env
from tests.arm_views import arm_writes
from tests.emulator_config import seeded_vnet
from tests.engine.hub_spoke_helpers import DEMO_SEED

pytestmark = pytest.mark.engine

HUB = seeded_vnet("vnet-hub")
PAYMENTS = seeded_vnet("vnet-payments")


def _program() -> None:
    import pulumi

    from pulumi_azure_peering.provider import VirtualNetworkPeering, VirtualNetworkPeeringArgs

    there = VirtualNetworkPeering(
        "hub-to-payments",
        VirtualNetworkPeeringArgs(
            virtual_network_id=HUB, remote_virtual_network_id=PAYMENTS, allow_gateway_transit=True
        ),
    )
    back = VirtualNetworkPeering(
        "payments-to-hub",
        VirtualNetworkPeeringArgs(virtual_network_id=PAYMENTS, remote_virtual_network_id=HUB, use_remote_gateways=True),
        pulumi.ResourceOptions(depends_on=[there]),
    )
    pulumi.export("back_state", back.peering_state)
    pulumi.export("back_id", back.peering_id)


def test_automation_api_lifecycle(tmp_path: Path, emulator: Any) -> None:
    env = hermetic_env(tmp_path / "state", emulator.env())
    workspace = auto.LocalWorkspaceOptions(
        work_dir=str(tmp_path),
        pulumi_home=env["PULUMI_HOME"],
        env_vars=env,
        pulumi_command=auto.PulumiCommand(root=str(TOOLS_BIN.parent)),
        project_settings=auto.ProjectSettings(
            name="smoke", runtime="python", backend=auto.ProjectBackend(url=env["PULUMI_BACKEND_URL"])
        ),
        secrets_provider="passphrase",
    )
    stack = auto.create_or_select_stack("smoke", project_name="smoke", program=_program, opts=workspace)

    up = stack.up()
    assert up.summary.result == "succeeded"
    assert up.outputs["back_state"].value == "Connected"
    assert up.outputs["back_id"].value.lower().endswith("/virtualnetworkpeerings/payments-to-hub")

    preview = stack.preview()
    assert preview.change_summary == {"same": 3}

    refresh = stack.refresh()
    assert refresh.summary.result == "succeeded"

    destroy = stack.destroy()
    assert destroy.summary.result == "succeeded"
    live = emulator.state()
    assert "payments-to-hub" not in str(live).lower()
    assert DEV_PASSPHRASE not in up.stdout


def test_plain_cli_preview_of_root_project(tmp_path: Path, emulator: Any) -> None:
    """`pulumi preview` on a copy of the repository's root project (Pulumi.yaml -> examples/hub_spoke)."""
    emulator.seed(DEMO_SEED)
    root = tmp_path / "root"
    root.mkdir()
    shutil.copy(REPO / "Pulumi.yaml", root / "Pulumi.yaml")
    shutil.copytree(REPO / "examples", root / "examples", ignore=shutil.ignore_patterns("__pycache__"))
    os.symlink(REPO / ".venv", root / ".venv")
    shutil.copy(REPO / "Pulumi.demo.yaml", root / "Pulumi.smoke.yaml")
    project = PulumiProject(root, "smoke", hermetic_env(tmp_path / "state", emulator.env()))
    project.select()

    before = emulator.last_request_seq()
    preview = project.preview()
    assert "+ 10 to create" in preview.stdout, preview.stdout
    arm = [r for r in emulator.request_log(since=before) if r["path"].lower().startswith("/subscriptions/")]
    assert arm, "the preview should have read the vnets (preflight)"
    assert arm_writes(emulator, before) == [], "a preview must not write to ARM"

    project.up()
    assert project.preview(expect_no_changes=True).ok
    project.destroy()
