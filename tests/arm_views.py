"""What the emulator's ARM holds and what it was asked, as tests read it afterwards: a vnet's peerings, and the
writes in the emulator's request log."""

from __future__ import annotations

from typing import Any


def live_peerings(emulator: Any, vnet_id: str) -> dict[str, dict[str, Any]]:
    """The peerings of a vnet as ARM lists them (whole resources: ``id``, ``etag``, ``properties``...), by lower-cased
    name. Fails unless ARM answers the listing with 200."""
    response = emulator.arm("GET", f"{vnet_id}/virtualNetworkPeerings")
    assert response.status_code == 200, response.text
    return {p["name"].lower(): p for p in response.json()["value"]}


def live_peering_properties(emulator: Any, vnet_id: str) -> dict[str, dict[str, Any]]:
    """The ``properties`` of each of a vnet's peerings (``live_peerings``), by lower-cased name."""
    return {name: p["properties"] for name, p in live_peerings(emulator, vnet_id).items()}


def arm_writes(emulator: Any, since: int) -> list[dict[str, Any]]:
    """The requests to a subscription's resources after request ``since`` of the emulator's log that are not a GET,
    in order: PUT, PATCH, POST, DELETE and any other method, so that a test asserting no writes is told of any call
    that is not a plain read. The token endpoint and the emulator's admin API are not under ``/subscriptions`` and
    do not count."""
    return [
        r
        for r in emulator.request_log(since=since)
        if r["method"] != "GET" and r["path"].lower().startswith("/subscriptions")
    ]
