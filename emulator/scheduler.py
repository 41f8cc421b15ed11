"""Long-running operations in flight: when each ends, which vnets and gateways it holds meanwhile, and its record.

Completion is evaluated lazily (:meth:`OperationScheduler.advance` at the start of every request), so nothing runs
in the background. What completing an operation does to the resources is the network service's business: it is
handed a ``finish(operation, ok)`` callback. Callers hold the emulator's state lock.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import errors, ids
from . import store as st
from .models.operations import (
    IN_PROGRESS,
    OP_FAILED,
    OP_SUCCEEDED,
    OUTCOME_FAIL,
    OUTCOME_HANG,
    OUTCOME_SUCCEED,
    Lock,
    Operation,
)
from .models.virtual_networks import normalize_location

_COMPLETED_OPERATIONS_KEPT = 5000


@dataclass
class LroPlan:
    """How an operation will end (decided by fault injection before it starts)."""

    outcome: str = OUTCOME_SUCCEED
    extra_seconds: float = 0.0


Finish = Callable[[Operation, bool], None]


class OperationScheduler:
    """The operations of a :class:`~emulator.store.Store`: pending ones by end time, and the locks they hold."""

    def __init__(self, store: st.Store, clock: Callable[[], float], finish: Finish) -> None:
        self.store = store
        self.clock = clock
        self._finish = finish
        self.reload()

    def reload(self) -> None:
        """Rebuild the pending operations and their locks from the store (after a restart or a reset)."""
        self._pending: dict[str, Operation] = {}
        self._heap: list[tuple[float, str]] = []
        self._locks: dict[str, tuple[str, float | None]] = {}
        for doc in self.store.all(st.OPERATION):
            if doc["status"] == IN_PROGRESS:
                self._track(Operation.from_doc(doc))

    def _track(self, op: Operation) -> None:
        self._pending[op.id] = op
        for lock in op.locks:
            self._locks[lock.key] = (op.id, lock.release_at)
        if op.finish_at is not None:
            heapq.heappush(self._heap, (op.finish_at, op.id))

    def start(
        self,
        *,
        method: str,
        kind: str,
        resource_id: str,
        subscription_id: str,
        location: str,
        name: str,
        api_version: str,
        locks: list[tuple[str, float | None]],
        plan: LroPlan,
        created: bool,
        seconds: float,
        refusal: dict[str, Any] | None = None,
    ) -> Operation:
        """Record and schedule an operation lasting ``seconds`` (plus the plan's extra); ``locks`` are (key,
        seconds held or None for the whole operation). With ``refusal`` (an error object) it ends Failed with it."""
        now = self.clock()
        seconds += plan.extra_seconds
        op = Operation(
            id=ids.new_guid(),
            subscription_id=subscription_id,
            location=normalize_location(location),
            method=method,
            resource_kind=kind,
            resource_id=resource_id,
            name=name,
            created_at=now,
            finish_at=None if plan.outcome == OUTCOME_HANG else now + seconds,
            nominal_seconds=seconds,
            outcome=plan.outcome,
            api_version=api_version,
            locks=[Lock(k, None if r is None else now + r) for k, r in locks],
            created=created,
            refusal=refusal,
        )
        self._save(op)
        self._track(op)
        return op

    def _save(self, op: Operation) -> None:
        self.store.put(st.OPERATION, op.id, op.to_doc(), subscription=op.subscription_id)

    def advance(self, now: float | None = None) -> None:
        """Complete every operation whose time has come."""
        current = self.clock() if now is None else now
        while self._heap and self._heap[0][0] <= current:
            _, op_id = heapq.heappop(self._heap)
            op = self._pending.get(op_id)
            if op is not None:
                self.complete(op)

    def holder(self, key: str) -> Operation | None:
        """The in-flight operation holding a vnet (or gateway), if any."""
        entry = self._locks.get(key)
        if entry is None:
            return None
        op_id, release_at = entry
        op = self._pending.get(op_id)
        if op is None or (release_at is not None and self.clock() >= release_at):
            del self._locks[key]
            return None
        return op

    def ensure_free(self, key: str, base_url: str) -> None:
        """409 AnotherOperationInProgress (naming the holder's operation) when something holds ``key``."""
        op = self.holder(key)
        if op is not None:
            raise errors.another_operation_in_progress(op.async_url(base_url))

    def complete(self, op: Operation, outcome: str | None = None) -> None:
        """End an operation now: apply it to the resources, record its status, release its locks."""
        ok = op.refusal is None and (outcome or op.outcome) != OUTCOME_FAIL
        with self.store.transaction():
            self._finish(op, ok)
            op.status = OP_SUCCEEDED if ok else OP_FAILED
            op.error = None if ok else (op.refusal or errors.operation_failed_internally().error_object())
            op.finish_at = self.clock()
            self._save(op)
        self._pending.pop(op.id, None)
        for lock in op.locks:
            if self._locks.get(lock.key, ("",))[0] == op.id:
                del self._locks[lock.key]
        if self.store.count(st.OPERATION) > 2 * _COMPLETED_OPERATIONS_KEPT:
            self._prune()

    def _prune(self) -> None:
        done = [d for d in self.store.all(st.OPERATION) if d["status"] != IN_PROGRESS]
        done.sort(key=lambda d: d["created_at"])
        with self.store.transaction():
            for doc in done[: len(done) - _COMPLETED_OPERATIONS_KEPT]:
                self.store.delete(st.OPERATION, doc["id"])

    def finish_pending(self, outcome: str = OUTCOME_SUCCEED) -> int:
        """Complete every in-flight operation now (hung ones included); returns how many."""
        ops = list(self._pending.values())
        for op in ops:
            self.complete(op, outcome)
        self._heap = []
        return len(ops)

    def operation(self, subscription_id: str, op_id: str) -> Operation:
        doc = self.store.get(st.OPERATION, op_id.lower())
        if doc is None or doc["subscription_id"] != subscription_id:
            raise errors.operation_not_found(op_id)
        return Operation.from_doc(doc)
