"""Malformed vnet ids on a standalone peering are refused by the real CLI's preview, naming the field and quoting
the value, before any request: a ``#`` would have cut the URL to the vnet itself (a read, and at destroy a delete,
of ``/virtualNetworks/vnet-hub``), a ``?api-version=...`` would have replaced the api-version (issue 25, item 4)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from harness.pulumi import PulumiProject
from tests.emulator_config import seeded_vnet
from tests.provider_on_emulator.programs import HEADER

pytestmark = pytest.mark.engine

HUB, PAYMENTS, ANALYTICS = seeded_vnet("vnet-hub"), seeded_vnet("vnet-payments"), seeded_vnet("vnet-analytics")
# (the field holding the bad id, its value, what the message tells to remove); the engine stops at the first
# resource whose check fails, so each case is its own program
CASES = [
    ("virtual_network_id", HUB + "#x", "'#x'"),
    ("virtual_network_id", HUB + "?api-version=2019-01-01", "'?api-version=2019-01-01'"),
    ("remote_virtual_network_id", ANALYTICS + "?api-version=2019-01-01", "'?api-version=2019-01-01'"),
]


def program(field: str, bad: str) -> str:
    local, remote = (bad, PAYMENTS) if field == "virtual_network_id" else (HUB, bad)
    return (
        HEADER + f"VirtualNetworkPeering('malformed', VirtualNetworkPeeringArgs(virtual_network_id={local!r}, "
        f"remote_virtual_network_id={remote!r}, name='malformed'))\n"
    )


@pytest.mark.parametrize(("field", "bad", "remove"), CASES, ids=["fragment", "query", "remote-query"])
def test_a_malformed_vnet_id_fails_preview_naming_the_field_before_any_request(
    make_project: Callable[..., PulumiProject], emulator: Any, field: str, bad: str, remove: str
) -> None:
    project = make_project(program(field, bad))
    seq = emulator.last_request_seq()
    preview = project.preview(check=False)
    assert not preview.ok
    problems = [line for line in preview.output.splitlines() if "has a problem: " in line]
    assert problems, preview.output
    for line in problems:
        assert f"property {field} value" in line, line
        reason = line.split("has a problem: ", 1)[1]
        assert reason.startswith(f"{bad!r} is not an ARM resource id of a virtual network: "), line
        assert f"remove {remove}" in reason and "Fix:" in reason, line
    assert "preflight could not read" not in preview.output
    # nothing reached ARM: no read of the vnet the id would have been cut to, no write
    arm = [r for r in emulator.request_log(since=seq) if r["path"].startswith("/subscriptions")]
    assert arm == [], arm
