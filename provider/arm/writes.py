"""Peering writes as ARM's peering semantics need them: who created a resource (the answers to a create's PUT),
and the process's count of peering writes (what a listing read before it is worth).

Neither exists in any library: ARM keeps no author or creation time on a peering, so ownership rests on how ARM
answered this writer's own PUT (docs/ownership.md), and the per-vnet read cache rests on the write count.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from azure.core.exceptions import AzureError
from azure.core.pipeline import PipelineRequest, PipelineResponse
from azure.core.pipeline.policies import HTTPPolicy

from .options import call_of


@dataclass
class WriteOutcome:
    """What ARM answered to the attempts of one write: whether *this* writer created the resource.

    ARM's CreateOrUpdate answers ``201`` when the PUT created the resource and ``200`` when it was already there.
    An attempt that may have reached ARM without an answer seen here (the connection dropped, a 5xx) may have
    created it too. Nothing else tells who made a peering: ARM keeps no author or creation time."""

    statuses: list[int] = field(default_factory=list)
    """The status of every answered attempt, in order."""
    unanswered: int = 0
    """Attempts that may have reached ARM, whose answer was lost."""

    def note(self, status: int | None) -> None:
        if status is None:
            self.unanswered += 1
        else:
            self.statuses.append(status)

    @property
    def created(self) -> bool:
        """This writer made the resource (an attempt answered 201), or may have (an attempt's answer was lost)."""
        return 201 in self.statuses or self.unanswered > 0

    @property
    def found_existing(self) -> bool:
        """The first attempt that can have reached ARM found the resource there already: another writer made it."""
        return bool(self.statuses) and not self.created and self.statuses[0] == 200


class WriteOutcomePolicy(HTTPPolicy[Any, Any]):
    """Notes, for a call that collects a :class:`WriteOutcome`, how each attempt of its write was answered: the
    status of a success, or "unanswered" for an attempt that may have reached ARM (a transport failure, a 5xx).
    Sits below the retry loop, so that every attempt is seen; the busy waits' reads pass through too, and are
    skipped as GETs."""

    def send(self, request: PipelineRequest[Any]) -> PipelineResponse[Any, Any]:
        call = call_of(request)
        outcome = call.outcome if request.http_request.method != "GET" else None
        try:
            response = self.next.send(request)
        except AzureError:
            if outcome is not None:
                outcome.note(None)  # it may have reached ARM
            raise
        if outcome is not None:
            status = response.http_response.status_code
            if status < 400:
                outcome.note(status)
            elif status >= 500:
                outcome.note(None)
        return response


class WriteEpoch:
    """The peering writes of one provider process (its :class:`~pulumi_azure_peering.provider.runtime.Runtime`
    holds one, shared by all its clients): a count that moves when one starts and when one has ended (its
    operation too), and how many are in flight. What was read before a mark is stale once the count has moved
    (:mod:`provider.peering_reads` answers no read from a listing older than the process's last write)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._count = 0
        self._in_flight = 0

    def mark(self) -> int | None:
        """The count now, or None while a write is in flight."""
        with self._lock:
            return None if self._in_flight else self._count

    def unchanged_since(self, mark: int) -> bool:
        with self._lock:
            return self._in_flight == 0 and self._count == mark

    @contextmanager
    def writing(self) -> Iterator[None]:
        with self._lock:
            self._count += 1
            self._in_flight += 1
        try:
            yield
        finally:
            with self._lock:
                self._in_flight -= 1
                self._count += 1
