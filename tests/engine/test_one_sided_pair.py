"""A stack that owns only one side of a pair (the other side belongs to another stack, a partner tenant, or a spoke
not deployed yet), through the real CLI against an emulator that behaves as recorded real Azure does: the side
reads Initiated / RemoteNotInSync for as long as it is alone, which is neither drift nor a reason to write."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.arm_views import arm_writes
from tests.emulator_config import seeded_vnet
from tests.provider_on_emulator.programs import peering_program, state_outputs
from tests.provider_on_emulator.provider_env import add_address_prefix

pytestmark = pytest.mark.engine

HUB_SIDE = {"local": "vnet-hub", "remote": "vnet-payments"}
SPOKE_SIDE = {"local": "vnet-payments", "remote": "vnet-hub"}


def test_one_sided_pair_is_stable_then_connects_and_still_syncs_after_a_resize(
    make_project: Callable[..., Any], emulator: Any
) -> None:
    hub_stack = make_project(peering_program(HUB_SIDE))
    hub_stack.up(skip_preview=False)
    alone = state_outputs(hub_stack)["vnet-hub-to-vnet-payments"]
    assert (alone["peering_state"], alone["peering_sync_level"]) == ("Initiated", "RemoteNotInSync")

    # (a) a half-built pair is the normal state: no change proposed, no write, however often it is checked
    seq = emulator.last_request_seq()
    for _ in range(2):
        hub_stack.preview("--refresh", expect_no_changes=True)
        hub_stack.up("--refresh", skip_preview=False)
    assert arm_writes(emulator, seq) == []

    # (b) another stack creates the other side: both Connected / FullyInSync, nothing to change on this one
    spoke_stack = make_project(peering_program(SPOKE_SIDE))
    spoke_stack.up(skip_preview=False)
    seq = emulator.last_request_seq()
    hub_stack.refresh()
    spoke_stack.refresh()
    both = {**state_outputs(hub_stack), **state_outputs(spoke_stack)}
    assert {(o["peering_state"], o["peering_sync_level"]) for o in both.values()} == {("Connected", "FullyInSync")}
    hub_stack.preview("--refresh", expect_no_changes=True)
    spoke_stack.preview("--refresh", expect_no_changes=True)
    assert arm_writes(emulator, seq) == []

    # (c) the remote vnet of the Connected pair is resized: still synced automatically on the next up
    add_address_prefix(emulator, seeded_vnet("vnet-payments"), "10.21.0.0/16")
    hub_stack.up("--refresh", skip_preview=False)
    hub_side = emulator.arm("GET", f"{seeded_vnet('vnet-hub')}/virtualNetworkPeerings/vnet-hub-to-vnet-payments").json()
    spoke_side = emulator.arm(
        "GET", f"{seeded_vnet('vnet-payments')}/virtualNetworkPeerings/vnet-payments-to-vnet-hub"
    ).json()
    assert hub_side["properties"]["peeringSyncLevel"] == "FullyInSync"
    assert spoke_side["properties"]["peeringSyncLevel"] == "FullyInSync"
    assert "10.21.0.0/16" in hub_side["properties"]["remoteVirtualNetworkAddressSpace"]["addressPrefixes"]
