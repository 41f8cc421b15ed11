"""What the emulator's ARM holds and what it was asked, as the engine tests read it afterwards."""

from __future__ import annotations

from typing import Any

#: The methods that change ARM.
WRITES = ("PUT", "DELETE", "PATCH", "POST")


def live_peerings(emulator: Any, vnet: str) -> dict[str, dict[str, Any]]:
    """Peerings of a vnet as ARM reports them, by lower-cased name."""
    body = emulator.arm("GET", f"{vnet}/virtualNetworkPeerings").json()
    return {p["name"].lower(): p for p in body["value"]}


def arm_writes(emulator: Any, since: int) -> list[dict[str, Any]]:
    """Every request but a GET to a subscription's resources after request ``since`` (the emulator's log)."""
    return [
        r
        for r in emulator.request_log(since=since)
        if r["path"].lower().startswith("/subscriptions/") and r["method"] != "GET"
    ]


def writes_since(emulator: Any, seq: int) -> list[dict[str, Any]]:
    """The ``WRITES`` to a subscription's resources after request ``seq`` (the emulator's log)."""
    return [
        r for r in emulator.request_log(since=seq) if r["method"] in WRITES and r["path"].startswith("/subscriptions")
    ]
