"""Stop the dynamic-provider process once the Pulumi engine that started it is gone.

The engine starts ``python -m pulumi.dynamic`` in a process group of its own, so a ``pulumi up`` killed outright (a
cancelled CI job, an OOM kill, ``kill -9``) leaves it running, reparented: it would finish, or keep retrying for as
long as the resource's timeout allows, writes that no checkpoint will ever record (say, re-creating a peering after
the recovery run has destroyed it). The SDK's process then waits forever. So, in that process only, a daemon thread
watches the parent and ends the process as soon as the parent has changed.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time

log = logging.getLogger("provider")

#: Seconds between two looks at the parent process.
POLL_SECONDS = 0.5
#: Exit status when the engine has gone away (EX_SOFTWARE).
EXIT_ENGINE_GONE = 70


def in_dynamic_provider_process() -> bool:
    """Whether this is the process the engine runs dynamic providers in (``python -m pulumi.dynamic``)."""
    spec = getattr(sys.modules.get("__main__"), "__spec__", None)
    return getattr(spec, "name", None) in ("pulumi.dynamic.__main__", "pulumi.dynamic")


def start_engine_watch(poll_seconds: float = POLL_SECONDS) -> None:
    """Start the thread that ends this process once its parent (the engine) has changed. Once per process: the
    process's :class:`~.runtime.Runtime` decides (:meth:`~.runtime.Runtime.watch_engine`)."""
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(poll_seconds)
            if os.getppid() != parent:
                log.warning("the Pulumi engine (pid %d) is gone: stopping so that nothing more is written", parent)
                os._exit(EXIT_ENGINE_GONE)

    threading.Thread(target=watch, name="azure-peering-engine-watch", daemon=True).start()
