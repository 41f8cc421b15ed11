"""The per-vnet write lock: a write that needs a vnet only until ARM accepts its PUT (the vnet is its remote) goes
before writes that hold it for a whole operation (the vnet is their local one), so a spoke side waits for at most
the hub write in progress, not for the hub-side writes queued behind it (issue 12)."""

from __future__ import annotations

import threading
import time

import pytest

from pulumi_azure_peering.provider.vnet_locks import VnetLock

pytestmark = pytest.mark.unit


def _waiter(lock: VnetLock, brief: bool, order: list[str], name: str, started: threading.Event) -> threading.Thread:
    def run() -> None:
        started.set()
        assert lock.acquire(5.0, brief=brief)
        order.append(name)
        lock.release()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_a_brief_waiter_goes_before_a_whole_operation_waiter_that_came_first() -> None:
    lock = VnetLock()
    assert lock.acquire(1.0)
    order: list[str] = []
    first, second = threading.Event(), threading.Event()
    whole = _waiter(lock, False, order, "next hub write", first)
    first.wait()
    time.sleep(0.05)  # the hub write is waiting before the spoke side arrives
    brief = _waiter(lock, True, order, "spoke side", second)
    second.wait()
    time.sleep(0.05)
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
