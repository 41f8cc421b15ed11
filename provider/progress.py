"""Telling the user, while it happens, why a peering is taking its time: ARM busy with another write to the vnet
(409 ``AnotherOperationInProgress``), throttling (429), a fault in ARM being retried, a gateway still provisioning.

Where the notes go depends on the process (this module's logger; elsewhere, a program or a test, it behaves like
any other and prints nothing unless logging is configured):
- the dynamic provider's process has no connection to the engine's log (``pulumi.log`` goes nowhere there), but the
  engine shows every line a *dynamic* provider writes to stderr, as it comes: :func:`show_on_stderr`;
- the ``azure-peering`` plugin is a resource plugin, whose stderr the engine hides (it keeps it for the report of a
  plugin that crashed); it is given the engine's address, and its notes go to the engine's ``Log`` service:
  :func:`show_through_engine`.

Without flooding: one line when a wait starts, per peering and reason; then at most one "still waiting" line per
``REPEAT_SECONDS`` however often the request is retried.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
import time
from collections.abc import Callable
from contextlib import suppress

log = logging.getLogger(__name__)

#: Seconds between two lines about the same wait.
REPEAT_SECONDS = 30.0

_PEERING = re.compile(r"/virtualNetworks/([^/?]+)/virtualNetworkPeerings/([^/?]+)", re.IGNORECASE)
_VNET = re.compile(r"/virtualNetworks/([^/?]+)", re.IGNORECASE)


class WaitNotes:
    """The waits one provider process is telling the user about (its :class:`~.runtime.Runtime` holds one): when
    each (subject, reason) wait started and was last told. Thread-safe."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._told: dict[tuple[str, str], tuple[float, float, int]] = {}
        self._lock = threading.Lock()

    def note(self, subject: str, reason: str, detail: str) -> str | None:
        """The line to say for this retry or wait, or None when it was said less than REPEAT_SECONDS ago."""
        now = self._clock()
        with self._lock:
            started, last, count = self._told.get((subject, reason), (now, -REPEAT_SECONDS, 0))
            count += 1
            if now - last < REPEAT_SECONDS:
                self._told[(subject, reason)] = (started, last, count)
                return None
            self._told[(subject, reason)] = (started, now, count)
        if count == 1:
            return f"{subject}: waiting: {detail}"
        return f"{subject}: still waiting after {now - started:.0f}s ({count} tries): {detail}"

    def any_told(self) -> bool:
        """Whether some wait is being told (read without the lock: a stale answer only delays forgetting)."""
        return bool(self._told)

    def done(self, subject: str) -> None:
        with self._lock:
            for key in [k for k in self._told if k[0] == subject]:
                del self._told[key]

    def waiting(self, subject: str, reason: str, detail: str) -> None:
        """Say that ``subject`` waits, for ``reason`` (a code: one line per code), with ``detail`` for the user."""
        line = self.note(subject, reason, detail)
        if line is not None:
            log.info("azure-peering: %s", line)

    def finished(self, what: str) -> None:
        """The request ``what`` (as :func:`subject_of` takes it) succeeded: its subject's wait, if any, is over and
        a later one starts afresh. Called after every ARM request, so it costs nothing while nothing waits."""
        if self.any_told():
            self.done(subject_of(what))


def subject_of(what: str) -> str:
    """A short name for what is waiting, from a request description (``PUT /subscriptions/.../peerings/x``)."""
    match = _PEERING.search(what)
    if match:
        return f"peering {match.group(2)!r} of vnet {match.group(1)!r}"
    match = _VNET.search(what)
    if match:
        return f"vnet {match.group(1)!r}"
    return what


def say(line: str) -> None:
    """Tell the user one thing the provider decided that they did not ask for by name (a delete left to another
    resource), once, where the waits are told."""
    log.info("azure-peering: %s", line)


def _show_through(make_handler: Callable[[], logging.Handler]) -> None:
    """Send these lines through the handler ``make_handler`` builds, unless they already go somewhere of ours: the
    logger's handlers are the process's record of it (a process shows its notes one way, once; the first caller
    wins, and nothing is built, no connection to the engine made, for a second one)."""
    if any(getattr(h, "azure_peering_notes", False) for h in log.handlers):
        return
    handler = make_handler()
    handler.azure_peering_notes = True  # type: ignore[attr-defined]
    handler.setFormatter(logging.Formatter("%(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False


def show_on_stderr() -> None:
    """In the dynamic provider's process: these lines go to stderr, where the engine shows them (once)."""
    _show_through(lambda: logging.StreamHandler(sys.stderr))


class _EngineLogHandler(logging.Handler):
    """Sends each record to the engine's ``Log`` service as an info message (what ``pulumi.log.info`` does in a
    program); a failure to send is ignored: a note must never fail the operation it describes."""

    def __init__(self, engine_address: str) -> None:
        super().__init__()
        import grpc
        from pulumi.runtime.proto import engine_pb2, engine_pb2_grpc

        self._request = engine_pb2.LogRequest
        self._severity = engine_pb2.INFO
        self._engine = engine_pb2_grpc.EngineStub(grpc.insecure_channel(engine_address))

    def emit(self, record: logging.LogRecord) -> None:
        with suppress(Exception):
            self._engine.Log(self._request(severity=self._severity, message=self.format(record), urn=""), timeout=5)


def show_through_engine(engine_address: str) -> None:
    """In the plugin's process: these lines go to the engine's log, which shows them as the dynamic provider's."""
    _show_through(lambda: _EngineLogHandler(engine_address))
