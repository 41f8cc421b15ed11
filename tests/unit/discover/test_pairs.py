"""Pairing each peering with its reverse, and each pair's status from what ARM reports on its sides."""

from __future__ import annotations

import pytest

from pulumi_azure_peering.discover.pairs import classify
from tests.unit.discover.estate_factories import OTHER_SUB, estate, facts, side, vid

pytestmark = pytest.mark.unit

HUB, A, B = vid("vnet-hub"), vid("vnet-a"), vid("vnet-b")


def test_both_sides_connected_and_in_sync_is_connected() -> None:
    _, pairs = estate([facts(HUB, ["10.0.0.0/16"]), facts(A, ["10.1.0.0/16"])], [side(HUB, A), side(A, HUB)])
    (pair,) = pairs
    assert pair.status == "Connected" and pair.needs_sync == ()
    assert [s.name if s else None for s in pair.sides] == ["vnet-a-to-vnet-hub", "vnet-hub-to-vnet-a"]


def test_a_lone_side_is_one_sided_as_real_azure_leaves_it() -> None:
    # Real ARM: the first side of a pair reads Initiated / RemoteNotInSync for as long as the reverse is missing.
    _, pairs = estate(
        [facts(HUB, ["10.0.0.0/16"]), facts(A, ["10.1.0.0/16"])],
        [side(HUB, A, state="Initiated", sync="RemoteNotInSync")],
    )
    (pair,) = pairs
    assert pair.status == "OneSided"
    assert pair.side_of(A) is None and pair.side_of(HUB) is not None


def test_a_disconnected_side_makes_the_pair_disconnected() -> None:
    _, pairs = estate(
        [facts(HUB, ["10.0.0.0/16"]), facts(A, ["10.1.0.0/16"])],
        [side(HUB, A, state="Disconnected", sync="FullyInSync")],
    )
    assert pairs[0].status == "Disconnected"


def test_after_a_resize_the_side_reading_local_not_in_sync_needs_the_sync() -> None:
    # vnet-a resized: its own peering reads RemoteNotInSync, the hub's peering toward it LocalNotInSync; the hub's
    # side is the one to write with syncRemoteAddressSpace=true.
    _, pairs = estate(
        [facts(HUB, ["10.0.0.0/16"]), facts(A, ["10.1.0.0/16", "10.11.0.0/16"])],
        [side(HUB, A, sync="LocalNotInSync"), side(A, HUB, sync="RemoteNotInSync")],
    )
    (pair,) = pairs
    assert pair.status == "NotInSync" and pair.needs_sync == (HUB,)


def test_a_connected_side_toward_a_vnet_outside_the_scope_is_connected() -> None:
    partner = vid("vnet-partner", OTHER_SUB)
    _, pairs = estate([facts(HUB, ["10.0.0.0/16"])], [side(HUB, partner)])
    (pair,) = pairs
    assert pair.status == "Connected" and sorted(pair.in_scope) == [False, True]


def test_two_peerings_toward_one_remote_keep_the_working_one_and_list_the_other() -> None:
    _, pairs = estate(
        [facts(HUB, ["10.0.0.0/16"]), facts(A, ["10.1.0.0/16"])],
        [
            side(HUB, A, "old-link", state="Disconnected"),
            side(HUB, A, "hub-to-a"),
            side(A, HUB),
        ],
    )
    (pair,) = pairs
    assert pair.side_of(HUB) is not None and pair.side_of(HUB).name == "hub-to-a"  # type: ignore[union-attr]
    assert [s.name for s in pair.extra_sides] == ["old-link"]
    assert pair.status == "Connected"


def test_ids_pair_whatever_their_case() -> None:
    _, pairs = estate(
        [facts(HUB, ["10.0.0.0/16"]), facts(A, ["10.1.0.0/16"])],
        [side(HUB, A.upper()), side(A, HUB.lower())],
    )
    assert len(pairs) == 1 and pairs[0].status == "Connected"


def test_classify_takes_the_sides_in_either_order() -> None:
    lone = side(HUB, A, state="Initiated", sync="RemoteNotInSync")
    assert classify((lone, None), (True, True)) == classify((None, lone), (True, True)) == ("OneSided", ())
