"""Create intents: the peerings this machine started creating, so that a create cut off by its own timeout is
finished by the next run on this machine, not refused.

A create can be cut off after ARM accepted its PUT. Two cases, and this module matters for only one of them:

- **The run was killed** (a cancelled CI job, an OOM kill). The checkpoint then holds a *pending create* with the
  create's inputs, and ``azure-peering-recover`` (provider/recovery.py) resolves it from the checkpoint and ARM, on
  any machine. That is the documented path; nothing there depends on these records (the reliability tests resume
  killed runs with an empty ``PULUMI_HOME``). A same-machine ``pulumi up`` that finds a record here also finishes
  the create, but leaves the pending create in the checkpoint for ``azure-peering-recover`` to clear.
- **The resource's own timeout fired** while ARM was still working. The engine records a failed create and no
  pending operation, so the checkpoint holds nothing to recover from, and ``pulumi import`` does not work for
  dynamic resources (pulumi/pulumi#16175). Here a record of this machine is the only evidence; on another machine
  the next ``up`` refuses the peering ("already exists ... set adopt_existing") and the user adopts it.

So, just before its PUT, ``create`` records the peering's id here, with the Pulumi name of the resource creating
it, and a later ``create`` of the same id *by a resource of the same name* that finds the peering in ARM (linked
to the same remote vnet) takes it over, as ``adopt_existing`` would. A peering that appeared in any other way (made
by hand, by another tool or another project, or by a resource that has since been renamed: its old self, still in
the state, holds the peering and is deleted in the same run) still needs ``adopt_existing`` (or, for a rename, an
alias).

Records are small JSON files (the peering id, the remote vnet id, the project and the time: nothing secret) under
``$PULUMI_HOME/azure-peering/create-intents`` (``~/.pulumi`` by default), one per (project, peering id). They are
dropped once the peering is seen in a checkpoint (diff, read, update) or deleted, and ignored after
:data:`INTENT_TTL_SECONDS`. They are only kept inside a Pulumi run (the engine sets ``PULUMI_PROJECT`` for the
provider process); a provider called outside the engine records nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

#: After this long an unfinished create is no longer taken over silently (adopt_existing is needed again).
INTENT_TTL_SECONDS = 7 * 24 * 3600.0


@dataclass(frozen=True)
class CreateIntent:
    peering_id: str
    remote_virtual_network_id: str
    project: str
    started: float
    resource: str | None = None
    """The Pulumi name of the resource that started the create (None in records written before it was kept)."""


class CreateIntents:
    """The record of creates started in this project on this machine. Never raises: a record that cannot be
    written or read only means an interrupted create is refused as a foreign peering would be."""

    def __init__(
        self,
        root: Path | None = None,
        *,
        environ: Mapping[str, str] | None = None,
        clock: Callable[[], float] = time.time,
        ttl: float = INTENT_TTL_SECONDS,
    ) -> None:
        self._root = root
        self._environ = environ
        self._clock = clock
        self._ttl = ttl

    def _env(self) -> Mapping[str, str]:
        return os.environ if self._environ is None else self._environ

    def project(self) -> str | None:
        """The Pulumi project of this run, or None outside the engine (then nothing is recorded)."""
        return self._env().get("PULUMI_PROJECT") or None

    def _dir(self) -> Path:
        if self._root is not None:
            return self._root
        home = self._env().get("PULUMI_HOME") or str(Path.home() / ".pulumi")
        return Path(home) / "azure-peering" / "create-intents"

    def _path(self, project: str, peering_id: str) -> Path:
        digest = hashlib.sha256(f"{project}\0{peering_id.lower()}".encode()).hexdigest()[:40]
        return self._dir() / f"{digest}.json"

    def record(self, peering_id: str, remote_virtual_network_id: str, resource: str | None = None) -> None:
        project = self.project()
        if project is None:
            return
        intent = CreateIntent(peering_id, remote_virtual_network_id, project, self._clock(), resource)
        path = self._path(project, peering_id)
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".intent-")
            with os.fdopen(fd, "w") as handle:
                json.dump(intent.__dict__, handle)
            os.replace(tmp, path)
        except OSError as exc:
            log.debug("could not record the create intent for %s: %s", peering_id, exc)

    def find(self, peering_id: str, resource: str | None = None) -> CreateIntent | None:
        """The unexpired intent to create ``peering_id`` in this project, if one was recorded by a resource of the
        name ``resource`` (a record or a question without a name matches any)."""
        project = self.project()
        if project is None:
            return None
        try:
            data = json.loads(self._path(project, peering_id).read_text())
            intent = CreateIntent(
                peering_id=str(data["peering_id"]),
                remote_virtual_network_id=str(data["remote_virtual_network_id"]),
                project=str(data["project"]),
                started=float(data["started"]),
                resource=str(data["resource"]) if data.get("resource") is not None else None,
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if intent.project != project or intent.peering_id.lower() != peering_id.lower():
            return None
        if self._clock() - intent.started > self._ttl:
            return None
        if resource is not None and intent.resource is not None and intent.resource != resource:
            return None  # another resource's create: a renamed resource must not take its old self's peering
        return intent

    def forget(self, peering_id: str) -> None:
        project = self.project()
        if project is None:
            return
        with contextlib.suppress(OSError):
            self._path(project, peering_id).unlink()


INTENTS = CreateIntents()
