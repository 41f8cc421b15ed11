"""Waiting out a vnet that is busy with another writer's operation, instead of a blind backoff.

ARM refuses a write to a vnet another operation holds: 409 AnotherOperationInProgress names the holder's operation
("... To retrieve status of the operation use uri: <operation url>."), 400 ReferencedResourceNotProvisioned the
vnet that is not Succeeded ("... because resource <vnet id> used by resource ..."). Both are read until they are
over, then the write is tried again at once. Reads are cheap and not throttled like writes; several waiters of one
holder then try again together, one wins, the others wait for the winner. No library knows these answers.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from azure.core.rest import HttpResponse

from ..errors import ArmError, PeeringError
from .answers import json_object, problem_of, retry_after_from
from .deadline import Deadline
from .options import ArmCall

_HOLDER_OPERATION = re.compile(r"use uri:\s*(https://\S+)", re.IGNORECASE)
_NOT_PROVISIONED = re.compile(r"because resource (/subscriptions/\S+?/virtualNetworks/[^/\s]+) used by", re.IGNORECASE)
#: How often a vnet that is not Succeeded is read (no Retry-After on resource reads), at most how many times.
BUSY_READ_INTERVAL = 0.5
_MAX_BUSY_READS = 240
#: The longest pause between two reads of an operation, whatever Retry-After says.
MAX_POLL_INTERVAL = 60.0


def wait_until_free(exc: ArmError, call: ArmCall, send_get: Callable[[str], HttpResponse]) -> bool:
    """Wait for what made ARM refuse a write as busy; True when it is over (retry now), False when it cannot be
    told (then the retry policy's backoff applies). ``send_get`` sends one GET of an ARM path or URL (with the
    call's tenants and the api-version); an answer that cannot be read (another subscription, gone, malformed)
    ends the wait."""

    def read(path_or_url: str) -> HttpResponse:
        response = send_get(path_or_url)
        problem = problem_of(response, expect_json=True)
        if problem is not None:
            raise problem
        return response

    deadline = call.deadline
    try:
        if exc.status_code == 409:
            found = _HOLDER_OPERATION.search(exc.message or "")
            if found is None:
                return False
            url = found.group(1).rstrip(".")
            while not deadline.expired:
                poll = read(url)
                if str(json_object(poll, "GET").get("status", "")).lower() not in _RUNNING:
                    return True
                _pause(call, retry_after_from(poll.headers), deadline)
            return False
        found = _NOT_PROVISIONED.search(exc.message or "")
        if found is None:
            return False
        vnet_path = found.group(1)
        for _ in range(_MAX_BUSY_READS):
            if deadline.expired:
                return False
            vnet = json_object(read(vnet_path), "GET")
            state = (vnet.get("properties") or {}).get("provisioningState")
            if state in (None, "Succeeded"):
                return True
            if state not in ("Updating", "Creating"):
                return False
            _pause(call, None, deadline)
        return False
    except PeeringError:  # the holder cannot be read (another subscription, gone): back off as usual
        return False


_RUNNING = ("inprogress", "running", "accepted", "")


def _pause(call: ArmCall, delay: float | None, deadline: Deadline) -> None:
    pause = min(delay, MAX_POLL_INTERVAL) if delay is not None else BUSY_READ_INTERVAL
    call.retry.sleep(max(0.0, min(pause, deadline.remaining())))
