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
from tests.provider.programs import peering_program

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
