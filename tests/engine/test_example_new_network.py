"""examples/new_network through the real CLI against the emulator: vnets, the hub's VPN gateway and the peerings
created by one program, every vnet id unknown at preview."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from harness.pulumi import REPO, PulumiProject, copy_example, hermetic_env
from tests.arm_views import arm_writes, live_peering_properties
from tests.emulator_config import SUB_HUB
from tests.engine.greenfield import assert_deleted_in_order, creates_in, listed, new_vnet

pytestmark = pytest.mark.engine

RG = "rg-new-network"
GATEWAY_SECONDS = 3.0


def test_new_network_example(tmp_path: Path, emulator: Any) -> None:
    # The example's Pulumi.yaml names the repository's virtualenv as ../../.venv: keep that layout in the copy.
    example = copy_example("new_network", tmp_path / "examples" / "new_network")
    os.symlink(REPO / ".venv", tmp_path / ".venv")
    project = PulumiProject(example, "test", hermetic_env(tmp_path / "state", emulator.env()))
    project.select()
    assert (
        emulator.arm("GET", f"/subscriptions/{SUB_HUB}/resourceGroups/{RG}", api_version="2021-04-01").status_code
        == 404
    )

    emulator.settings(gateway_provisioning_seconds=GATEWAY_SECONDS)
    try:
        seq = emulator.last_request_seq()
        preview = project.preview("--diff").stdout
        # stack, 5 vnets, the gateway, the component and its 4 peerings, the standalone pair
        assert creates_in(preview) == 14, preview
        for name in ("vnet-hub", "vgw-hub", "vnet-app", "vnet-data", "hub-app.hub-to-spoke", "left-to-right"):
            assert listed(preview, name), (name, preview)
        assert arm_writes(emulator, seq) == [], "a preview wrote to ARM"
        project.up(skip_preview=False)
    finally:
        emulator.settings(gateway_provisioning_seconds=0.0)

    hub, app, data, left, right = (
        new_vnet(n, RG) for n in ("vnet-hub", "vnet-app", "vnet-data", "vnet-left", "vnet-right")
    )
    outputs = project.outputs()
    assert outputs["hubVnetId"].lower() == hub.lower()
    for spoke in ("app", "data"):
        pair = outputs["peerings"][spoke]
        assert pair["hub_to_spoke_state"] == pair["spoke_to_hub_state"] == "Connected", outputs["peerings"]
    app_side = live_peering_properties(emulator, app)["vnet-app-to-vnet-hub"]
    assert app_side["useRemoteGateways"] is True and app_side["peeringState"] == "Connected"
    assert live_peering_properties(emulator, data)["vnet-data-to-vnet-hub"]["peeringState"] == "Connected"
    assert live_peering_properties(emulator, left)["left-to-right"]["peeringState"] == "Connected"
    assert live_peering_properties(emulator, right)["right-to-left"]["peeringState"] == "Connected"

    project.preview(expect_no_changes=True)

    seq = emulator.last_request_seq()
    project.destroy()
    hub_sides = [f"{hub}/virtualNetworkPeerings/vnet-hub-to-vnet-{s}" for s in ("app", "data")]
    assert_deleted_in_order(
        emulator.request_log(since=seq), [*hub_sides, f"{app}/virtualNetworkPeerings/vnet-app-to-vnet-hub"]
    )
    for vnet in (hub, app, data, left, right):
        assert emulator.arm("GET", vnet).status_code == 404, vnet
    assert emulator.arm("GET", outputs["gatewayId"]).status_code == 404
