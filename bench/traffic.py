"""What a command cost in HTTP, read from the emulator's request log.

Every request the emulator answered is one entry (``seq, time, method, path, query, status, code, ...``). ARM calls
are those under ``/subscriptions``; identity calls are the token service's (``/oauth2/``, OpenID metadata, keys).

Retries are counted from the log, not from provider log lines (the provider process's INFO lines never reach the
CLI's output): a request is a retry when the previous request with the same method and path was answered with a
retryable failure: connection reset (status 0), 409, 429, 5xx, or a 400 whose ARM code the provider retries
(``ReferencedResourceNotProvisioned`` and the codes it waits out for the other half of a pair).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

RETRYABLE_400_CODES = frozenset(
    {
        "ReferencedResourceNotProvisioned",
        "RemotePeeringIsDisconnected",
        "RemotePeeringDoesNotAllowGatewayTransit",
        "RetryableError",
        "RetryableErrorDueToAnotherOperation",
    }
)
_IDENTITY_MARKERS = ("/oauth2/", "/.well-known/", "/discovery/")
_OPERATION_MARKERS = ("/operations/", "/operationresults/")


def is_arm(entry: Mapping[str, Any]) -> bool:
    return str(entry.get("path", "")).lower().startswith("/subscriptions")


def is_identity(entry: Mapping[str, Any]) -> bool:
    path = str(entry.get("path", "")).lower()
    return any(marker in path for marker in _IDENTITY_MARKERS)


def is_poll(entry: Mapping[str, Any]) -> bool:
    path = str(entry.get("path", "")).lower()
    return entry.get("method") == "GET" and any(marker in path for marker in _OPERATION_MARKERS)


def is_retryable_failure(entry: Mapping[str, Any]) -> bool:
    status = int(entry.get("status") or 0)
    if status == 0 or status in (409, 429) or status >= 500:
        return True
    return status == 400 and entry.get("code") in RETRYABLE_400_CODES


@dataclass(frozen=True)
class Traffic:
    """Counts over one slice of the request log."""

    http_calls: int
    """Every request: ARM plus identity (admin calls of the benchmark itself are not logged)."""
    arm_calls: int
    identity_calls: int
    arm_reads: int
    """ARM GETs of resources and collections (operation polls excluded)."""
    arm_writes: int
    """ARM PUT/DELETE attempts."""
    lro_polls: int
    conflicts_409: int
    throttled_429: int
    server_errors_5xx: int
    not_provisioned_400: int
    """400 ReferencedResourceNotProvisioned: the other vnet of a peering was being written."""
    retries: int
    first_arm_time: float | None
    first_write_time: float | None
    last_arm_time: float | None

    @classmethod
    def from_log(cls, entries: Iterable[Mapping[str, Any]]) -> Traffic:
        ordered = sorted(entries, key=lambda e: int(e.get("seq", 0)))
        arm = [e for e in ordered if is_arm(e)]
        writes = [e for e in arm if e.get("method") in ("PUT", "DELETE", "PATCH")]
        polls = [e for e in arm if is_poll(e)]
        retries = 0
        last_failed: dict[tuple[str, str], bool] = {}
        for e in ordered:
            key = (str(e.get("method")), str(e.get("path", "")).lower())
            if last_failed.get(key):
                retries += 1
            last_failed[key] = is_retryable_failure(e)
        return cls(
            http_calls=len(ordered),
            arm_calls=len(arm),
            identity_calls=sum(1 for e in ordered if is_identity(e)),
            arm_reads=sum(1 for e in arm if e.get("method") == "GET" and not is_poll(e)),
            arm_writes=len(writes),
            lro_polls=len(polls),
            conflicts_409=sum(1 for e in ordered if e.get("status") == 409),
            throttled_429=sum(1 for e in ordered if e.get("status") == 429),
            server_errors_5xx=sum(1 for e in ordered if int(e.get("status") or 0) >= 500),
            not_provisioned_400=sum(
                1 for e in ordered if e.get("status") == 400 and e.get("code") == "ReferencedResourceNotProvisioned"
            ),
            retries=retries,
            first_arm_time=float(arm[0]["time"]) if arm else None,
            first_write_time=float(writes[0]["time"]) if writes else None,
            last_arm_time=float(arm[-1]["time"]) if arm else None,
        )

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)
