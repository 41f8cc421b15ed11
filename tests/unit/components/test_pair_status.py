"""What the component's outputs say about a pair, from both sides' last recorded (state, sync level)."""

from __future__ import annotations

import pytest

from pulumi_azure_peering.components.pair_status import pair_status, side_sync_level

pytestmark = pytest.mark.unit

ONE_SIDED = ("Initiated", "RemoteNotInSync")  # what real Azure reports for the first side of a pair
CONNECTED = ("Connected", "FullyInSync")


def test_a_half_built_pair_is_waiting_for_its_other_side_not_out_of_sync() -> None:
    assert pair_status(ONE_SIDED, (None, None)) == "WaitingForSpokeSide"
    assert pair_status((None, None), ONE_SIDED) == "WaitingForHubSide"


def test_the_side_created_first_reads_as_the_pair_once_connected() -> None:
    assert side_sync_level(ONE_SIDED, CONNECTED) == "FullyInSync"
    assert pair_status(ONE_SIDED, CONNECTED) == "Connected"
    assert pair_status(CONNECTED, CONNECTED) == "Connected"


def test_a_resized_vnet_and_a_deleted_side_are_named() -> None:
    assert pair_status(("Connected", "RemoteNotInSync"), ("Connected", "LocalNotInSync")) == "OutOfSync"
    assert pair_status(("Disconnected", "FullyInSync"), (None, None)) == "Disconnected"
