"""The forms discover prints: the JSON document (a contract, docs/discover.md), the table, Mermaid and Graphviz."""

from __future__ import annotations

import json

import pytest

from pulumi_azure_peering.discover.findings import find_problems
from pulumi_azure_peering.discover.report import DOCUMENT_VERSION, Discovery, as_dot, as_json, as_mermaid, as_text
from tests.unit.discover.estate_factories import estate, facts, side, vid

pytestmark = pytest.mark.unit

HUB, A, B = vid("vnet-hub"), vid("vnet-a"), vid("vnet-b")


def discovery() -> Discovery:
    vnets = [facts(HUB, ["10.0.0.0/16"], gateway="Succeeded"), facts(A, ["10.1.0.0/16"]), facts(B, ["10.2.0.0/16"])]
    found_estate, pairs = estate(
        vnets,
        [side(HUB, A, allowGatewayTransit=True), side(A, HUB, useRemoteGateways=True), side(HUB, B, state="Initiated")],
    )
    return Discovery(found_estate, pairs, find_problems(found_estate, pairs, [HUB]), [HUB], hubs_proposed=True)


def test_the_document_has_the_documented_shape() -> None:
    doc = json.loads(as_json(discovery()))
    assert doc["version"] == DOCUMENT_VERSION
    assert doc["hubs"] == [{"id": HUB, "proposed": True}]
    connected, one_sided = doc["pairs"]
    assert connected["vnets"] == [A, HUB] and connected["status"] == "Connected"
    assert [s["name"] for s in connected["sides"]] == ["vnet-a-to-vnet-hub", "vnet-hub-to-vnet-a"]
    assert connected["sides"][0]["properties"]["useRemoteGateways"] is True
    assert one_sided["vnets"] == [B, HUB] and one_sided["sides"][0] is None and one_sided["status"] == "OneSided"
    (finding,) = doc["findings"]
    assert set(finding) == {"code", "severity", "vnets", "peering", "message", "fix"}
    assert finding["code"] == "PairOneSided" and finding["vnets"] == [B, HUB]
    assert doc["summary"]["byStatus"] == {"Connected": 1, "NotInSync": 0, "Disconnected": 0, "OneSided": 1}
    assert doc["summary"]["findings"] == {"error": 1, "warning": 0, "info": 0}


def test_the_table_lists_each_pair_and_the_findings_with_their_fix() -> None:
    text = as_text(discovery())
    assert "proposed hub: vnet-hub" in text
    rows = [line.split() for line in text.splitlines()]
    assert rows[4][:3] == ["vnet-a", "vnet-hub", "Connected"]
    assert "PairOneSided" in text and "fix: create the peering of vnet-b toward vnet-hub" in text
    summary = "3 vnets read (3 in the scope), 2 pairs (1 Connected, 1 OneSided); 1 error, 0 warnings, 0 notes"
    assert text.rstrip().endswith(summary)


def test_mermaid_draws_the_hub_and_colors_each_pair_by_status() -> None:
    lines = as_mermaid(discovery()).splitlines()
    assert lines[0] == "flowchart LR"
    assert 'v2{{"vnet-hub"}}' in [line.strip() for line in lines]
    assert "v0 ---|Connected| v2" in [line.strip() for line in lines]
    assert any(line.strip().startswith("linkStyle 1 stroke:#ef6c00") and "dasharray" in line for line in lines)


def test_graphviz_draws_the_same() -> None:
    dot = as_dot(discovery())
    assert dot.startswith("graph estate {") and "shape=hexagon" in dot
    assert 'v1 -- v2 [label="OneSided"' in dot
