"""The component's picture of itself, from its outputs' values (the engine test draws the demo's through the CLI)."""

from __future__ import annotations

import pytest

from harness.topology import vnet_id
from pulumi_azure_peering.components.topology_picture import (
    BROKEN,
    CONNECTED,
    HALF_BUILT,
    SETTLING,
    dot,
    hub_spoke_picture,
    mermaid,
)

pytestmark = pytest.mark.unit

SUB = "11111111-1111-1111-1111-111111111111"
HUB = vnet_id(SUB, "rg-hub", "vnet-hub")
SPOKES = {
    "app": vnet_id(SUB, "rg-spokes", "vnet-app"),
    "data": vnet_id(SUB, "rg-spokes", "vnet-data"),
    "web": vnet_id(SUB, "rg-spokes", "vnet-web"),
}


def side(state: str | None, sync: str | None = "FullyInSync") -> dict[str, str | None]:
    return {"state": state, "sync_level": sync}


def test_each_spoke_pair_is_one_line_colored_by_its_status() -> None:
    peerings = {
        "app": {"status": "Connected"},
        "data": {"status": "WaitingForSpokeSide"},
        "web": {"status": "Disconnected"},
    }
    text = mermaid(hub_spoke_picture(HUB, SPOKES, peerings, {}))
    lines = text.splitlines()
    assert lines[:5] == [
        "flowchart LR",
        '    v0{{"vnet-hub"}}',
        '    v1["app: vnet-app"]',
        '    v2["data: vnet-data"]',
        '    v3["web: vnet-web"]',
    ]
    assert lines[5:8] == [
        "    v0 ---|Connected| v1",
        "    v0 ---|WaitingForSpokeSide| v2",
        "    v0 ---|Disconnected| v3",
    ]
    assert lines[8] == f"    linkStyle 0 stroke:{CONNECTED},stroke-width:2px"
    assert lines[9] == f"    linkStyle 1 stroke:{HALF_BUILT},stroke-width:3px,stroke-dasharray: 5 5"
    assert lines[10] == f"    linkStyle 2 stroke:{BROKEN},stroke-width:3px"


def test_a_status_still_settling_is_grey_and_a_spoke_with_no_pair_yet_has_no_line() -> None:
    text = mermaid(hub_spoke_picture(HUB, SPOKES, {"app": {"status": "Updating"}}, {}))
    assert "    v0 ---|Updating| v1" in text and f"stroke:{SETTLING}" in text
    assert text.count("---") == 1


def test_a_meshed_pair_is_drawn_once_from_both_sides_states() -> None:
    mesh = {
        "mesh.app.data": side("Connected"),
        "mesh.data.app": side("Connected"),
        "mesh.app.web": side("Initiated", "RemoteNotInSync"),  # web's side not created yet
    }
    peerings = {key: {"status": "Connected"} for key in SPOKES}
    links = [line for line in mermaid(hub_spoke_picture(HUB, SPOKES, peerings, mesh)).splitlines() if "---" in line]
    assert links[3:] == ["    v1 ---|Connected| v2"]  # app-web has one side only: no pair to draw yet


def test_vnet_ids_compare_as_arm_compares_them() -> None:
    upper = {key: value.replace("resourceGroups", "RESOURCEGROUPS") for key, value in SPOKES.items()}
    picture = hub_spoke_picture(HUB.upper(), upper, {"app": {"status": "Connected"}}, {})
    assert {link.a for link in picture.links} == {picture.nodes[0].key}


def test_graphviz_draws_the_same_picture() -> None:
    graph = dot(hub_spoke_picture(HUB, SPOKES, {"data": {"status": "Disconnected"}}, {}))
    assert graph.startswith("graph topology {")
    assert 'v0 [label="vnet-hub", shape=hexagon' in graph
    assert f'v0 -- v2 [label="Disconnected", color="{BROKEN}"' in graph
