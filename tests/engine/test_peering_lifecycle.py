"""The real Pulumi CLI drives VirtualNetworkPeering against the emulator: create, connect, no-change preview,
in-place update, replace, destroy."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.emulator_config import seeded_vnet
from tests.provider_on_emulator.programs import peering_program, state_outputs

pytestmark = pytest.mark.engine

HUB_PAYMENTS = {"local": "vnet-hub", "remote": "vnet-payments"}
PAYMENTS_HUB = {"local": "vnet-payments", "remote": "vnet-hub"}


def peerings_in(emulator: Any, name: str) -> list[str]:
    response = emulator.arm("GET", f"{seeded_vnet(name)}/virtualNetworkPeerings")
    assert response.status_code == 200, response.text
    return [p["name"] for p in response.json()["value"]]


def test_create_connect_update_replace_destroy(make_project: Callable[..., Any], emulator: Any) -> None:
    project = make_project(peering_program(HUB_PAYMENTS))
    project.up()
    assert project.outputs()["vnet-hub-to-vnet-payments"]["state"] == "Initiated"

    (project.workdir / "__main__.py").write_text(peering_program(HUB_PAYMENTS, PAYMENTS_HUB))
    project.up()
    outputs = project.outputs()
    assert outputs["vnet-payments-to-vnet-hub"]["state"] == "Connected"
    project.refresh()
    assert state_outputs(project)["vnet-hub-to-vnet-payments"]["peering_state"] == "Connected"
    project.preview(expect_no_changes=True)

    # a flag: updated in place, same peering
    first_id = project.outputs()["vnet-hub-to-vnet-payments"]["id"]
    (project.workdir / "__main__.py").write_text(
        peering_program({**HUB_PAYMENTS, "allow_forwarded_traffic": True}, PAYMENTS_HUB)
    )
    preview = project.preview()
    assert "1 to update" in preview.output and "replace" not in preview.output
    result = project.up()
    assert "1 updated" in result.output
    outputs = project.outputs()
    assert outputs["vnet-hub-to-vnet-payments"]["forwarded"] is True
    assert outputs["vnet-hub-to-vnet-payments"]["id"] == first_id
    project.preview(expect_no_changes=True)

    # a new name: replaced (the old one deleted first, since ARM allows one peering per pair of vnets)
    (project.workdir / "__main__.py").write_text(
        peering_program({**HUB_PAYMENTS, "allow_forwarded_traffic": True, "name": "hub-payments"}, PAYMENTS_HUB)
    )
    result = project.up()
    assert "1 replaced" in result.output
    assert peerings_in(emulator, "vnet-hub") == ["hub-payments"]
    project.refresh()
    assert state_outputs(project)["vnet-hub-to-vnet-payments"]["peering_state"] == "Connected"

    project.destroy()
    assert peerings_in(emulator, "vnet-hub") == [] and peerings_in(emulator, "vnet-payments") == []
