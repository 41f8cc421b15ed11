"""Refresh drift with the real CLI: a flag changed out of band, a resized remote vnet (synced on the next up), and a
deleted remote peering (Disconnected, then re-established)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.arm_views import arm_writes
from tests.emulator_config import seeded_vnet
from tests.engine.hub_spoke_helpers import made_elsewhere
from tests.provider_on_emulator.programs import peering_program, state_outputs
from tests.provider_on_emulator.provider_env import add_address_prefix

pytestmark = pytest.mark.engine

PAIR = ({"local": "vnet-hub", "remote": "vnet-payments"}, {"local": "vnet-payments", "remote": "vnet-hub"})


def test_flag_changed_out_of_band_is_restored(make_project: Callable[..., Any], emulator: Any) -> None:
    project = make_project(peering_program(*PAIR))
    project.up()
    pid = project.outputs()["vnet-hub-to-vnet-payments"]["id"]
    body = emulator.arm("GET", pid).json()
    body["properties"]["allowForwardedTraffic"] = True
    assert emulator.arm("PUT", pid, json={"properties": body["properties"]}).status_code in (200, 201)
    emulator.finish_operations()

    project.refresh()
    assert state_outputs(project)["vnet-hub-to-vnet-payments"]["allow_forwarded_traffic"] is True
    assert "1 to update" in project.preview().output
    project.up()
    assert emulator.arm("GET", pid).json()["properties"]["allowForwardedTraffic"] is False
    project.preview(expect_no_changes=True)


def test_resized_remote_vnet_is_synced_on_the_next_up(make_project: Callable[..., Any], emulator: Any) -> None:
    project = make_project(peering_program(*PAIR))
    project.up()
    add_address_prefix(emulator, seeded_vnet("vnet-payments"), "10.21.0.0/16")

    project.refresh()
    levels = {v["peering_sync_level"] for v in state_outputs(project).values()}
    assert levels & {"LocalNotInSync", "RemoteNotInSync", "LocalAndRemoteNotInSync"}, levels
    seq = emulator.last_request_seq()
    project.up()
    puts = [r for r in emulator.request_log(since=seq) if r["method"] == "PUT"]
    assert any("syncRemoteAddressSpace=true" in (r.get("query") or "") for r in puts)
    project.refresh()
    outputs = state_outputs(project)
    assert {v["peering_sync_level"] for v in outputs.values()} == {"FullyInSync"}
    assert "10.21.0.0/16" in outputs["vnet-hub-to-vnet-payments"]["remote_virtual_network_address_space"]
    project.preview(expect_no_changes=True)


def test_deleted_remote_peering_is_re_established(make_project: Callable[..., Any], emulator: Any) -> None:
    project = make_project(peering_program(*PAIR))
    project.up()
    reverse = project.outputs()["vnet-payments-to-vnet-hub"]["id"]
    assert emulator.arm("DELETE", reverse).status_code in (200, 202, 204)
    emulator.finish_operations()

    project.refresh()
    outputs = state_outputs(project)
    assert outputs["vnet-hub-to-vnet-payments"]["peering_state"] == "Disconnected"
    assert "vnet-payments-to-vnet-hub" not in outputs  # gone: refresh dropped it from the state
    project.up()
    project.refresh()
    outputs = state_outputs(project)
    assert outputs["vnet-hub-to-vnet-payments"]["peering_state"] == "Connected"
    assert outputs["vnet-payments-to-vnet-hub"]["peering_state"] == "Connected"
    project.preview(expect_no_changes=True)


def test_sync_policies_never_auto_and_always_with_a_reverse_this_identity_may_not_write(
    make_project: Callable[..., Any], emulator: Any
) -> None:
    """One stack holds vnet-hub's side; vnet-payments' side is another stack's. vnet-hub is resized (ARM: its
    peering RemoteNotInSync, the reverse LocalNotInSync until the reverse is written with
    syncRemoteAddressSpace=true). ``never``: a refreshed up writes nothing. ``auto``, the identity lacking write
    on vnet-payments (ARM 403): the reverse sync is tried once, refused, said, and left to its owner; the run
    succeeds. ``always`` (docs/provider.md, "What triggers a sync"): every write syncs, and the reverse is
    synced."""
    made_elsewhere(emulator, "vnet-payments", "vnet-hub", "vnet-payments-to-vnet-hub")
    hub_side: dict[str, Any] = {"local": "vnet-hub", "remote": "vnet-payments"}
    project = make_project(peering_program({**hub_side, "sync_remote_address_space": "never"}))
    project.up()
    hub_pid = project.outputs()["vnet-hub-to-vnet-payments"]["id"]
    reverse_pid = f"{seeded_vnet('vnet-payments')}/virtualNetworkPeerings/vnet-payments-to-vnet-hub"

    def levels() -> tuple[str, str]:
        return tuple(emulator.arm("GET", p).json()["properties"]["peeringSyncLevel"] for p in (hub_pid, reverse_pid))

    def writes(seq: int) -> list[tuple[str, str, int, str | None, bool]]:
        """(method, peering, status, code, whether it asked for syncRemoteAddressSpace) of each write."""
        return [
            (
                w["method"],
                w["path"].rsplit("/", 1)[-1],
                w["status"],
                w.get("code"),
                "syncremoteaddressspace=true" in (w.get("query") or "").lower(),
            )
            for w in arm_writes(emulator, seq)
        ]

    assert levels() == ("FullyInSync", "FullyInSync")
    add_address_prefix(emulator, seeded_vnet("vnet-hub"), "10.10.0.0/16")
    assert levels() == ("RemoteNotInSync", "LocalNotInSync")

    sync = True
    seq = emulator.last_request_seq()
    project.up("--refresh")  # the refresh reads the drift; `never` writes nothing for it
    assert writes(seq) == []
    assert state_outputs(project)["vnet-hub-to-vnet-payments"]["peering_sync_level"] == "RemoteNotInSync"
    assert levels() == ("RemoteNotInSync", "LocalNotInSync")

    (project.workdir / "__main__.py").write_text(peering_program(hub_side))  # `auto`, the default
    emulator.set_faults("403=1;match=PUT:vnet-payments/virtualNetworkPeerings")
    seq = emulator.last_request_seq()
    up = project.up()
    assert emulator.faults()["injected"] == {"403": 1}
    emulator.set_faults("")
    assert writes(seq) == [
        ("PUT", "vnet-hub-to-vnet-payments", 200, None, sync),
        ("PUT", "vnet-payments-to-vnet-hub", 403, "AuthorizationFailed", sync),
    ]
    assert "cannot sync the reverse peering: ARM 403 AuthorizationFailed" in up.output, up.output
    assert "1 updated" in up.output, up.output
    assert project.outputs()["vnet-hub-to-vnet-payments"]["sync"] == "RemoteNotInSync"
    assert levels() == ("RemoteNotInSync", "LocalNotInSync")  # left to the reverse's owner

    always = {**hub_side, "sync_remote_address_space": "always"}
    (project.workdir / "__main__.py").write_text(peering_program({**always, "allow_forwarded_traffic": True}))
    seq = emulator.last_request_seq()
    project.up()
    assert writes(seq) == [
        ("PUT", "vnet-hub-to-vnet-payments", 200, None, sync),
        ("PUT", "vnet-payments-to-vnet-hub", 200, None, sync),
    ]
    assert levels() == ("FullyInSync", "FullyInSync")
    assert project.outputs()["vnet-hub-to-vnet-payments"]["sync"] == "FullyInSync"

    # in sync, a write still syncs under `always` (`auto` would not); the reverse, in sync, is left alone
    (project.workdir / "__main__.py").write_text(peering_program(always))
    seq = emulator.last_request_seq()
    project.up()
    assert writes(seq) == [("PUT", "vnet-hub-to-vnet-payments", 200, None, sync)]
    assert levels() == ("FullyInSync", "FullyInSync")
    project.preview("--refresh", expect_no_changes=True)
