"""Refresh drift with the real CLI: a flag changed out of band, a resized remote vnet (synced on the next up), and a
deleted remote peering (Disconnected, then re-established)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.emulator_config import seeded_vnet
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
