"""The per-vnet write lock: a write that needs a vnet only until ARM accepts its PUT (the vnet is its remote) goes
before writes that hold it for a whole operation (the vnet is their local one), so a spoke side waits for at most
the hub write in progress, not for the hub-side writes queued behind it (issue 12)."""

from __future__ import annotations

import threading
import time

import pytest

from pulumi_azure_peering.provider.vnet_locks import VnetLock

pytestmark = pytest.mark.unit


class CountedCondition(threading.Condition):
    """The lock's condition, counting the threads waiting on it: a test waits for a waiter to be waiting (an
    event), not for a guessed while."""

    def __init__(self) -> None:
        super().__init__(threading.Lock())
        self.waiting = 0

    def wait(self, timeout: float | None = None) -> bool:
        self.waiting += 1  # the condition's lock is held here: counted before the waiter lets go of it
        try:
            return super().wait(timeout)
        finally:
            self.waiting -= 1

    def until_waiting(self, n: int) -> None:
        deadline = time.monotonic() + 5
        while self.waiting < n:
            assert time.monotonic() < deadline, f"{self.waiting} waiting, not {n}"
            time.sleep(0.001)


def _waiter(lock: VnetLock, brief: bool, order: list[str], name: str) -> threading.Thread:
    def run() -> None:
        assert lock.acquire(5.0, brief=brief)
        order.append(name)
        lock.release()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_a_brief_waiter_goes_before_a_whole_operation_waiter_that_came_first() -> None:
    lock = VnetLock()
    waits = lock._cond = CountedCondition()
    assert lock.acquire(1.0)
    order: list[str] = []
    whole = _waiter(lock, False, order, "next hub write")
    waits.until_waiting(1)  # the hub write is waiting before the spoke side arrives
    brief = _waiter(lock, True, order, "spoke side")
    waits.until_waiting(2)
    lock.release()
    whole.join(5)
    brief.join(5)
    assert order == ["spoke side", "next hub write"]


def test_the_lock_is_exclusive_and_times_out() -> None:
    lock = VnetLock()
    assert lock.acquire(1.0)
    assert not lock.acquire(0.05)
    assert not lock.acquire(0.05, brief=True)
    lock.release()
    assert lock.acquire(0.05, brief=True)
    lock.release()
