"""The ARM clients of one provider process: one per set of settings (with its token source and tenant directory),
sharing one pooled session per endpoint, the process's peering-write count and its wait notes."""

from __future__ import annotations

import threading

import requests

from ..auth import TokenSource
from ..progress import WaitNotes
from ..settings import Settings
from ..tenants import TenantDirectory
from .client import ArmClient
from .pipeline import new_session
from .writes import WriteEpoch


class ArmConnections:
    """The ARM clients of one process (a :class:`~pulumi_azure_peering.provider.runtime.Runtime` holds them), by
    settings. Thread-safe: the provider's threads ask for clients at once."""

    def __init__(self, *, writes: WriteEpoch, notes: WaitNotes) -> None:
        self.writes = writes
        self.notes = notes
        self._lock = threading.Lock()
        self._clients: dict[str, ArmClient] = {}
        self._sessions: dict[tuple[str, str], requests.Session] = {}

    def client_for(self, settings: Settings) -> ArmClient:
        """The client for these settings (made once, on first use)."""
        key = settings.fingerprint()
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                client = ArmClient(
                    settings,
                    session=self._session_for(settings),
                    tokens=TokenSource(settings),
                    tenants=TenantDirectory(),
                    writes=self.writes,
                    notes=self.notes,
                )
                self._clients[key] = client
            return client

    def _session_for(self, settings: Settings) -> requests.Session:
        """The pooled session of the ARM endpoint (and trust store) of ``settings`` (under the lock)."""
        key = (settings.arm_endpoint, str(settings.verify))
        session = self._sessions.get(key)
        if session is None:
            session = self._sessions[key] = new_session(settings)
        return session
