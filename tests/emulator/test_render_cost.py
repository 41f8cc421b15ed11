"""What rendering a spoke's peering costs the emulator as its hub grows: counted in parsed peering documents,
in-process (no HTTP), so that a listing of a landing zone's spokes stays linear in the spokes it shows.

Each spoke peering's state is computed from its reverse, the hub's peering back to it; finding that one used to
parse every peering of the hub, so a group listing of N spokes of a hub with N peerings parsed N^2 documents
(42 ms for 34 spokes of a 200-spoke hub), and the benchmarks' reads at "instant" latency waited on the emulator.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pulumi_azure_peering.emulator.app import Emulator
from pulumi_azure_peering.emulator.models.peerings import Peering

TENANT = "11111111-1111-1111-1111-111111111111"
SUB = "22222222-2222-2222-2222-222222222222"

pytestmark = pytest.mark.emulator


def _hub_and_spokes(spokes: int) -> dict[str, Any]:
    hub_peerings = [
        {"name": f"hub-to-{i}", "remoteVirtualNetwork": {"name": f"spoke{i}", "resourceGroup": "spokes"}}
        for i in range(spokes)
    ]
    spoke_vnets = [
        {
            "name": f"spoke{i}",
            "addressSpace": [f"10.{i // 256}.{i % 256}.0/24"],
            "peerings": [{"name": f"{i}-to-hub", "remoteVirtualNetwork": {"name": "hub", "resourceGroup": "hub"}}],
        }
        for i in range(spokes)
    ]
    return {
        "tenants": [{"tenantId": TENANT, "subscriptions": [{"subscriptionId": SUB}]}],
        "resourceGroups": [
            {
                "subscriptionId": SUB,
                "name": "hub",
                "location": "westeurope",
                "virtualNetworks": [{"name": "hub", "addressSpace": ["172.16.0.0/16"], "peerings": hub_peerings}],
            },
            {"subscriptionId": SUB, "name": "spokes", "location": "westeurope", "virtualNetworks": spoke_vnets},
        ],
    }


def _parsed_while_listing(tmp_path: Path, spokes: int, monkeypatch: pytest.MonkeyPatch) -> int:
    emulator = Emulator(tmp_path / f"emu-{spokes}", log=lambda _: None)
    try:
        emulator.apply_seed(_hub_and_spokes(spokes))
        parsed = [0]
        original = Peering.from_doc.__func__  # type: ignore[attr-defined]

        def counted(cls: type[Peering], doc: dict[str, Any]) -> Peering:
            parsed[0] += 1
            return original(cls, doc)  # type: ignore[no-any-return]

        with monkeypatch.context() as patch:
            patch.setattr(Peering, "from_doc", classmethod(counted))
            listed = emulator.network.list_vnets(SUB, "spokes")
        assert len(listed) == spokes
        states = {p["properties"]["peeringState"] for v in listed for p in v["properties"]["virtualNetworkPeerings"]}
        assert states == {"Connected"}
        return parsed[0]
    finally:
        emulator.close()


def test_a_group_listing_parses_a_bounded_number_of_peerings_per_spoke(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    small = _parsed_while_listing(tmp_path, 10, monkeypatch)
    large = _parsed_while_listing(tmp_path, 40, monkeypatch)
    # linear: four times the spokes, four times the documents (it was 16 times: every spoke parsed the whole hub)
    assert large <= 4 * small, (small, large)
    assert large <= 3 * 40, large
