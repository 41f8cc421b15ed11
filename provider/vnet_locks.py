"""Per-vnet write serialisation inside one provider process.

ARM answers 409 to concurrent writes on one vnet, and 400 ReferencedResourceNotProvisioned to a peering PUT whose
remote vnet is busy: the writes of one process take turns per vnet instead (writes from other processes are
retried on 409 by the ARM client).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from .arm import Deadline
from .errors import OperationTimeoutError
from .ids import vnet_name


class VnetLock:
    """One vnet's write lock in this process. A write that needs the vnet only briefly (as the remote vnet of a
    peering PUT: until ARM accepts it) goes before the writes that hold it for a whole operation (as the local
    vnet): a spoke side then waits for at most the hub write in progress, not for every hub-side write queued
    behind it, and does not hold one of the provider's few threads for longer."""

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._held = False
        self._brief_waiting = 0

    def acquire(self, timeout: float, *, brief: bool = False) -> bool:
        with self._cond:
            if brief:
                self._brief_waiting += 1
            try:
                free = self._cond.wait_for(lambda: not self._held and (brief or not self._brief_waiting), timeout)
                if free:
                    self._held = True
                return free
            finally:
                if brief:
                    self._brief_waiting -= 1
                    self._cond.notify_all()

    def release(self) -> None:
        with self._cond:
            self._held = False
            self._cond.notify_all()


class HeldVnetLocks:
    """The per-vnet write locks one write holds; the remote vnet's can be let go early (see
    :meth:`VnetLocks.hold`)."""

    def __init__(self) -> None:
        self._held: dict[str, VnetLock] = {}

    def hold(self, key: str, lock: VnetLock) -> None:
        self._held[key] = lock

    def release(self, vnet_id: str) -> None:
        """Let another write of this process use `vnet_id` from now on (no-op if not held)."""
        lock = self._held.pop(vnet_id.lower(), None)
        if lock is not None:
            lock.release()

    def release_all(self) -> None:
        for key in list(self._held):
            self.release(key)


def serialize_writes() -> bool:
    """Per-vnet serialisation inside the process (default on). AZURE_PEERING_SERIALIZE_WRITES=false turns it off,
    leaving only the retries on 409: a diagnostic switch the benchmarks use to show what serialising buys."""
    return os.environ.get("AZURE_PEERING_SERIALIZE_WRITES", "true").strip().lower() not in ("0", "false", "no", "off")


class VnetLocks:
    """The write locks of the vnets one process writes to (a :class:`~.runtime.Runtime` holds them), by
    lower-cased vnet id. Thread-safe."""

    def __init__(self) -> None:
        self._locks: dict[str, VnetLock] = {}
        self._guard = threading.Lock()

    @contextmanager
    def hold(self, vnet_ids: Sequence[str], deadline: Deadline) -> Iterator[HeldVnetLocks]:
        """Serialise writes per vnet inside this process.

        A peering write keeps its local vnet busy until the operation ends, but needs the remote vnet idle only
        when ARM accepts the PUT: callers release the remote vnet's lock as soon as the PUT is accepted, so a hub's
        N writes and the spokes' N writes overlap instead of queueing behind each other; and a write waiting for a
        vnet as its remote goes before those waiting for it as their local vnet (:class:`VnetLock`). The first id
        is the local vnet. Locks are taken in a fixed order, so two peerings of the same pair of vnets cannot
        deadlock. Raises :class:`~.errors.OperationTimeoutError` when a lock is not free before ``deadline``.
        """
        held = HeldVnetLocks()
        if not serialize_writes():
            yield held
            return
        local = vnet_ids[0].lower() if vnet_ids and vnet_ids[0] else None
        keys = sorted({v.lower() for v in vnet_ids if v})
        try:
            for key in keys:
                with self._guard:
                    lock = self._locks.setdefault(key, VnetLock())
                if not lock.acquire(max(0.01, deadline.remaining()), brief=key != local):
                    raise OperationTimeoutError(
                        f"waited {deadline.seconds:.0f}s for other writes to {vnet_name(key)} "
                        "in this run; raise the resource's timeouts"
                    )
                held.hold(key, lock)
            yield held
        finally:
            held.release_all()
