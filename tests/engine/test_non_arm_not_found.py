"""`pulumi refresh` with the real CLI while a gateway in front of ARM answers the peering's reads with its own 404
page (the emulator's ``html404`` fault): the refresh fails and the stack keeps the peering (issue 24, invariant 4:
only ARM's own answer says a peering does not exist). Through the provider alone:
tests/reliability/test_non_arm_not_found.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.emulator_config import seeded_vnet
from tests.provider_on_emulator.programs import peering_program, state_outputs

pytestmark = pytest.mark.engine

HUB_PAYMENTS = {"local": "vnet-hub", "remote": "vnet-payments"}
NAME = "vnet-hub-to-vnet-payments"


def test_refresh_through_a_gateway_404_fails_and_keeps_the_peering(
    make_project: Callable[..., Any], emulator: Any
) -> None:
    project = make_project(peering_program(HUB_PAYMENTS))
    project.up()
    pid = project.outputs()[NAME]["id"]
    before = state_outputs(project)[NAME]

    # the peering's GET, and its vnet's GET and peerings' listing (a refresh may read through them:
    # provider/peering_reads.py), answered by the gateway; everything else by ARM
    hub = seeded_vnet("vnet-hub")
    emulator.set_faults(
        f"html404=1;match=GET:/virtualNetworkPeerings/{NAME},GET:{hub}$,GET:{hub}/virtualNetworkPeerings$"
    )
    result = project.refresh(check=False)
    assert not result.ok, result.output
    assert "not from ARM" in result.output and "nothing was concluded from it" in result.output, result.output
    assert emulator.faults()["injected"].get("html404", 0) >= 2  # retried, then raised

    emulator.set_faults("")
    (peering,) = project.resources("VirtualNetworkPeering")  # `pulumi stack export`: still in the state
    assert peering["id"] == pid and peering["outputs"]["peering_state"] == before["peering_state"]
    assert emulator.arm("GET", pid).status_code == 200  # and in ARM all along

    project.refresh()  # ARM answering again: the same peering, nothing lost
    assert state_outputs(project)[NAME]["peering_id"] == pid
    project.preview(expect_no_changes=True)
