"""The state of one provider process, in one object.

A provider process serves one Pulumi command (``pulumi up``, ``preview``, ``refresh``, ``destroy``): the dynamic
provider's ``python -m pulumi.dynamic``, or the ``azure-peering`` plugin. What it keeps between the calls of that
command lives in its :class:`Runtime`, and only there: the run's ownership ledger (docs/ownership.md: per run on
purpose, empty in the next command's process), the vnet facts and peering reads it has cached, the per-vnet write
locks, its ARM clients and sessions with the count of its peering writes, the waits and credential problems it has
told the user, and whether it watches the engine. A Pulumi program's process has one too (the vnet lookups of
``HubSpokePeering``, ``azure-peering-recover``).

The provider object pickled into state holds none of it (only plain settings): it finds its process's runtime with
:func:`process_runtime` at each call. Tests build their own (:func:`use_runtime`), one per test, as each command
gets a new process.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from . import arm
from .arm import WriteEpoch
from .engine_watch import in_dynamic_provider_process, start_engine_watch
from .errors import ToldProblems
from .ownership import RunLedger
from .peering_reads import PeeringReads
from .progress import WaitNotes
from .settings import Settings
from .vnet_facts import VnetCache
from .vnet_locks import VnetLocks

if TYPE_CHECKING:
    from .arm import ArmClient, ArmConnections


class Runtime:
    """What one provider process keeps between calls. Every part is thread-safe (the dynamic provider serves up to
    four calls at once, the plugin more)."""

    def __init__(self) -> None:
        self.ledger = RunLedger()
        """Who names, made or adopted which peering in this run (:mod:`.ownership`)."""
        self.writes = WriteEpoch()
        """The process's peering writes: a read cached before one is stale (:mod:`.peering_reads`)."""
        self.notes = WaitNotes()
        """The waits being told to the user (:mod:`.progress`)."""
        self.vnet_facts = VnetCache()
        """What the process read of vnets, briefly (:mod:`.vnet_facts`)."""
        self.peering_reads = PeeringReads(self.writes)
        """Peering reads answered from listings during a refresh (:mod:`.peering_reads`)."""
        self.vnet_locks = VnetLocks()
        """The per-vnet write locks (:mod:`.vnet_locks`)."""
        self.told = ToldProblems()
        """The credential problems already told the user (:func:`.errors.describe_failure`)."""
        self._engine_watched = False
        self._arm: ArmConnections | None = None
        self._lock = threading.Lock()

    @property
    def arm(self) -> ArmConnections:
        """The ARM clients, one per set of settings, with their sessions, tokens and tenants. Made on first use: a
        process that never calls ARM (a no-change preview's provider) never imports the transport
        (provider/lazy_exports.py)."""
        with self._lock:
            if self._arm is None:
                self._arm = arm.ArmConnections(writes=self.writes, notes=self.notes)
            return self._arm

    def client_for(self, settings: Settings) -> ArmClient:
        """The process's ARM client for these settings."""
        return self.arm.client_for(settings)

    def watch_engine(self, *, provider_process: bool = False) -> bool:
        """Have the process end once the engine that started it is gone (:mod:`.engine_watch`), once, and only in
        the dynamic-provider process or in a provider process that says it is one (the ``azure-peering`` plugin).
        Returns whether the watch runs."""
        with self._lock:
            if not self._engine_watched and (provider_process or in_dynamic_provider_process()):
                start_engine_watch()
                self._engine_watched = True
            return self._engine_watched


_process: Runtime | None = None
_process_lock = threading.Lock()


def process_runtime() -> Runtime:
    """This process's runtime (made on first use)."""
    global _process
    runtime = _process
    if runtime is None:
        with _process_lock:
            if _process is None:
                _process = Runtime()
            runtime = _process
    return runtime


@contextmanager
def use_runtime(runtime: Runtime) -> Iterator[Runtime]:
    """Make ``runtime`` this process's runtime while the block runs (a test playing one provider process), then
    put the previous one back."""
    global _process
    with _process_lock:
        previous, _process = _process, runtime
    try:
        yield runtime
    finally:
        with _process_lock:
            _process = previous


def client_for(settings: Settings) -> ArmClient:
    """The ARM client of this process for these settings."""
    return process_runtime().client_for(settings)
