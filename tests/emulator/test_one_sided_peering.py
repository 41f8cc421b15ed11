"""The first side of a pair, as recorded on real Azure: Initiated / RemoteNotInSync until the other side exists.

Recordings: Azure CLI test_network_vnet_peering, test_network_vnet_peering_sync and test_network_vnet_with_encryption
(full-vnet peerings, 2021 to 2024), Azure PowerShell TestSubnetPeeringCRUD (subnet peering, 2024-05-01). The first
side's create response, every read after its operation succeeded, and the answers to a later PUT (an update, or
``?syncRemoteAddressSpace=true``) all read Initiated / RemoteNotInSync; the second side's create response already
reads Connected / FullyInSync, and so does the first side from then on.
"""

from __future__ import annotations

from typing import Any

import pytest

from pulumi_azure_peering.emulator.testing import EmulatorProcess

from .helpers import (
    RG,
    SUB_A,
    SUB_A2,
    get_props,
    peering_path,
    put_peering,
    put_vnet,
    seed_vnets,
    vnet_body,
    vnet_id,
    vnet_spec,
)

pytestmark = pytest.mark.emulator

HALF_BUILT = ("Initiated", "RemoteNotInSync")
PAIRED = ("Connected", "FullyInSync")

SUBNET_LINK = {"peerCompleteVnets": False, "localSubnetNames": ["app"], "remoteSubnetNames": ["web"]}
REVERSE_SUBNET_LINK = {"peerCompleteVnets": False, "localSubnetNames": ["web"], "remoteSubnetNames": ["app"]}


def _state(props: dict[str, Any]) -> tuple[str, str]:
    return props["peeringState"], props["peeringSyncLevel"]


def _seed_pair(emu: EmulatorProcess) -> None:
    seed_vnets(
        emu,
        vnet_spec("a", ["10.1.0.0/16"], {"app": ["10.1.1.0/24"]}),
        vnet_spec("b", ["10.2.0.0/16"], {"web": ["10.2.1.0/24"]}),
    )


def _every_view_of_a_b(emu: EmulatorProcess) -> list[tuple[str, str]]:
    """a-b as GET, LIST and the vnet's own body show it."""
    listed = emu.arm("GET", f"{vnet_id('a')}/virtualNetworkPeerings").json()["value"]
    inline = emu.arm("GET", vnet_id("a")).json()["properties"]["virtualNetworkPeerings"]
    return [
        _state(get_props(emu, peering_path("a", "a-b"))),
        _state(listed[0]["properties"]),
        _state(inline[0]["properties"]),
    ]


@pytest.mark.parametrize(
    ("link", "reverse_link"), [({}, {}), (SUBNET_LINK, REVERSE_SUBNET_LINK)], ids=["full-vnet", "subnet"]
)
def test_first_side_reads_remote_not_in_sync_until_the_other_side_exists(
    emu: EmulatorProcess, link: dict[str, Any], reverse_link: dict[str, Any]
) -> None:
    _seed_pair(emu)
    created = put_peering(emu, "a", "a-b", vnet_id("b"), **link)
    assert created.status_code == 201, created.text
    assert _state(created.json()["properties"]) == HALF_BUILT
    assert created.json()["properties"]["provisioningState"] == "Updating"
    assert _every_view_of_a_b(emu) == [HALF_BUILT] * 3
    assert get_props(emu, peering_path("a", "a-b"))["provisioningState"] == "Succeeded"

    updated = put_peering(emu, "a", "a-b", vnet_id("b"), allowForwardedTraffic=True, **link)
    assert updated.status_code == 200, updated.text
    assert _state(updated.json()["properties"]) == HALF_BUILT
    assert _every_view_of_a_b(emu) == [HALF_BUILT] * 3

    synced = put_peering(emu, "a", "a-b", vnet_id("b"), sync=True, allowForwardedTraffic=True, **link)
    assert synced.status_code == 200, synced.text
    assert _state(synced.json()["properties"]) == HALF_BUILT
    assert _every_view_of_a_b(emu) == [HALF_BUILT] * 3

    second = put_peering(emu, "b", "b-a", vnet_id("a"), **reverse_link)
    assert second.status_code == 201, second.text
    assert _state(second.json()["properties"]) == PAIRED  # already in the create response
    assert _every_view_of_a_b(emu) == [PAIRED] * 3
    assert _state(get_props(emu, peering_path("b", "b-a"))) == PAIRED


def test_first_side_reads_remote_not_in_sync_while_its_create_runs_and_after(emu: EmulatorProcess) -> None:
    _seed_pair(emu)
    emu.set_latency(0.3)
    created = put_peering(emu, "a", "a-b", vnet_id("b"), wait=False)
    in_flight = get_props(emu, peering_path("a", "a-b"))
    assert (in_flight["provisioningState"], *_state(in_flight)) == ("Updating", *HALF_BUILT)
    assert emu.wait(created)["status"] == "Succeeded"
    done = get_props(emu, peering_path("a", "a-b"))
    assert (done["provisioningState"], *_state(done)) == ("Succeeded", *HALF_BUILT)


def test_a_seeded_first_side_reads_remote_not_in_sync(emu: EmulatorProcess) -> None:
    seed_vnets(
        emu,
        vnet_spec("a", ["10.1.0.0/16"], peerings=[{"name": "a-b", "remoteVirtualNetwork": "b"}]),
        vnet_spec("b", ["10.2.0.0/16"]),
    )
    assert _state(get_props(emu, peering_path("a", "a-b"))) == HALF_BUILT


def test_disconnected_keeps_its_sync_level_and_a_put_makes_it_a_first_side_again(emu: EmulatorProcess) -> None:
    """Deleting the other side leaves Disconnected (the reference names no sync level for it: the emulator keeps
    reporting how the address spaces compare, FullyInSync without a resize). A PUT on it brings it back to
    Initiated, which reads like any first side."""
    _seed_pair(emu)
    put_peering(emu, "a", "a-b", vnet_id("b"))
    put_peering(emu, "b", "b-a", vnet_id("a"))
    emu.wait(emu.arm("DELETE", peering_path("b", "b-a")))
    assert _state(get_props(emu, peering_path("a", "a-b"))) == ("Disconnected", "FullyInSync")
    assert put_peering(emu, "a", "a-b", vnet_id("b")).status_code == 200
    assert _state(get_props(emu, peering_path("a", "a-b"))) == HALF_BUILT


def test_resize_semantics_of_a_connected_pair_are_unchanged(emu: EmulatorProcess) -> None:
    _seed_pair(emu)
    put_peering(emu, "a", "a-b", vnet_id("b"))
    put_peering(emu, "b", "b-a", vnet_id("a"))
    put_vnet(emu, "a", vnet_body(["10.1.0.0/16", "10.11.0.0/16"], {"app": ["10.1.1.0/24"]}))
    assert _state(get_props(emu, peering_path("a", "a-b"))) == ("Connected", "RemoteNotInSync")
    assert _state(get_props(emu, peering_path("b", "b-a"))) == ("Connected", "LocalNotInSync")
    put_peering(emu, "b", "b-a", vnet_id("a"), sync=True)
    assert _state(get_props(emu, peering_path("a", "a-b"))) == PAIRED
    assert _state(get_props(emu, peering_path("b", "b-a"))) == PAIRED


def test_a_first_side_whose_remote_vnet_was_resized_is_also_locally_behind_until_synced(emu: EmulatorProcess) -> None:
    """Not recorded; follows from how the level is composed: this side's view of the remote is behind (Local...)
    and the remote side does not exist (...AndRemote...). Its own sync fixes the local half only."""
    _seed_pair(emu)
    put_peering(emu, "a", "a-b", vnet_id("b"))
    put_vnet(emu, "b", vnet_body(["10.2.0.0/16", "10.12.0.0/16"], {"web": ["10.2.1.0/24"]}))
    props = get_props(emu, peering_path("a", "a-b"))
    assert _state(props) == ("Initiated", "LocalAndRemoteNotInSync")
    assert props["remoteAddressSpace"]["addressPrefixes"] == ["10.2.0.0/16"]
    put_peering(emu, "a", "a-b", vnet_id("b"), sync=True)
    props = get_props(emu, peering_path("a", "a-b"))
    assert _state(props) == HALF_BUILT
    assert props["remoteAddressSpace"]["addressPrefixes"] == ["10.2.0.0/16", "10.12.0.0/16"]


def test_a_cross_subscription_first_side_reads_remote_not_in_sync(emu: EmulatorProcess) -> None:
    """Split ownership (another subscription; the other side belongs to someone else): the same half-built state."""
    seed_vnets(emu, vnet_spec("a", ["10.1.0.0/16"]))
    seed_vnets(emu, vnet_spec("far", ["10.7.0.0/16"]), sub=SUB_A2)
    r = put_peering(emu, "a", "a-far", vnet_id("far", SUB_A2))
    assert r.status_code == 201, r.text
    assert _state(get_props(emu, peering_path("a", "a-far", SUB_A, RG))) == HALF_BUILT
