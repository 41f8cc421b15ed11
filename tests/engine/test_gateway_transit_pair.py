"""A standalone pair through the real CLI whose spoke side uses the hub's gateway while the hub side, declared in
the same program, does not allow gateway transit (issue 25, item 1): the old preview passed, and `up` created the
hub side, then sent ten PUTs over 65 s without a word before ARM's RemotePeeringDoesNotAllowGatewayTransit ended
it. Now the preview refuses it, naming both resources and the fix, and nothing reaches ARM."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from harness.pulumi import PulumiProject
from tests.engine.greenfield import arm_writes
from tests.provider_on_emulator.programs import peering_program

pytestmark = pytest.mark.engine


def test_a_pair_disagreeing_on_gateway_transit_fails_preview_naming_both(
    make_project: Callable[..., PulumiProject], emulator: Any
) -> None:
    hub_side = {"local": "vnet-hub", "remote": "vnet-analytics"}  # no allow_gateway_transit
    spoke_side = {"local": "vnet-analytics", "remote": "vnet-hub", "use_remote_gateways": True}
    project = make_project(peering_program(hub_side, spoke_side))
    seq = emulator.last_request_seq()
    for result in (project.preview(check=False), project.up(check=False, skip_preview=False)):
        assert not result.ok, result.output
        text = result.output
        assert "RemotePeeringDoesNotAllowGatewayTransit" in text, text
        assert "vnet-hub-to-vnet-analytics" in text and "vnet-analytics-to-vnet-hub" in text, text
        assert "allow_gateway_transit=True" in text, text
    assert arm_writes(emulator, seq) == []


def test_a_spoke_side_waiting_for_its_hub_side_says_so_while_it_waits(
    make_project: Callable[..., PulumiProject], emulator: Any
) -> None:
    """The two sides agree, but the spoke side reaches ARM first: ARM refuses useRemoteGateways until the hub side
    exists and allows transit. Here the hub side is held back (ARM busy: 409 on its first four writes, about 15 s
    of backoff), so the spoke side waits; the user reads why while it waits, not only when it ends."""
    hub_side = {"local": "vnet-hub", "remote": "vnet-analytics", "allow_gateway_transit": True}
    spoke_side = {"local": "vnet-analytics", "remote": "vnet-hub", "use_remote_gateways": True}
    project = make_project(peering_program(hub_side, spoke_side))
    emulator.set_faults(
        "seed=5;409=1.0;max=4;retry_after=0;match=PUT:virtualNetworkPeerings/vnet-hub-to-vnet-analytics"
    )
    try:
        up = project.up()
    finally:
        injected = emulator.faults()
        emulator.set_faults("")
    assert sum(injected["injected"].values()) == 4, injected
    waits = [
        line for line in up.output.splitlines() if "azure-peering: " in line and "vnet-analytics-to-vnet-hub" in line
    ]
    assert any(
        "waiting: ARM refuses it (RemotePeeringDoesNotAllowGatewayTransit) until the peering back from vnet "
        "'vnet-hub' allows gateway transit" in line
        for line in waits
    ), up.output
    outputs = project.outputs()
    assert outputs["vnet-analytics-to-vnet-hub"]["state"] == "Connected", outputs
