"""The emulator's fault kinds that the reliability suite added: 409 AnotherOperationInProgress on demand, HTML error
pages from a gateway in front of ARM, and JSON bodies cut short (after the request was processed)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pulumi_azure_peering.emulator.faults import parse_spec
from tests.emulator_config import seeded_vnet

pytestmark = pytest.mark.reliability

PEERING = f"{seeded_vnet('vnet-hub')}/virtualNetworkPeerings/hub-to-payments"
BODY = {"properties": {"remoteVirtualNetwork": {"id": seeded_vnet("vnet-payments")}}}


def test_spec_accepts_the_new_kinds() -> None:
    spec = parse_spec("seed=4;409=0.2;html=0.1;truncate=0.1")
    assert spec.probabilities == {"409": 0.2, "html": 0.1, "truncate": 0.1}
    with pytest.raises(ValueError, match="more than 1"):
        parse_spec("409=0.6;html=0.6")


def test_409_is_another_operation_in_progress_and_changes_nothing(emulator: Any) -> None:
    emulator.set_faults("409=1;max=1;match=PUT:virtualNetworkPeerings")
    r = emulator.arm("PUT", PEERING, json=BODY)
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "AnotherOperationInProgress"
    assert "/operations/" in r.json()["error"]["message"]
    assert emulator.arm("GET", PEERING).status_code == 404  # refused before processing
    assert emulator.faults()["injected"] == {"409": 1}


def test_html_is_a_bad_gateway_page_before_processing(emulator: Any) -> None:
    emulator.set_faults("html=1;max=1;match=PUT:virtualNetworkPeerings")
    r = emulator.arm("PUT", PEERING, json=BODY)
    assert r.status_code == 502 and r.headers["Content-Type"].startswith("text/html")
    assert "<title>502 Bad Gateway</title>" in r.text
    assert emulator.arm("GET", PEERING).status_code == 404
    log = [e for e in emulator.request_log() if e["fault"] == "html"]
    assert [(e["status"], e["code"]) for e in log] == [(502, "BadGateway")]


def test_truncate_processes_the_request_then_cuts_the_body(emulator: Any) -> None:
    emulator.set_faults("truncate=1;max=1;match=PUT:virtualNetworkPeerings")
    r = emulator.arm("PUT", PEERING, json=BODY)
    assert r.status_code == 201 and "Azure-AsyncOperation" in r.headers
    with pytest.raises(ValueError):
        json.loads(r.text)
    assert int(r.headers["Content-Length"]) == len(r.content)
    emulator.finish_operations()
    assert emulator.arm("GET", PEERING).status_code == 200  # the write happened
