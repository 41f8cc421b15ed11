"""State store: an interface and its SQLite implementation (documents keyed by kind and lower-cased ARM id).

The SQLite store keeps every document in memory as well, so reads never touch the database; writes go to both.
Documents returned by reads are shared with that in-memory copy: callers must treat them as read-only (the models'
``from_doc`` copy what they keep). Callers serialise access (the emulator holds one state lock around every domain
operation).
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Protocol

# Document kinds.
TENANT = "tenant"
CLIENT = "client"
SUBSCRIPTION = "subscription"
RESOURCE_GROUP = "resourceGroup"
VNET = "vnet"
GATEWAY = "gateway"
PEERING = "peering"
OPERATION = "operation"
FEATURE = "feature"  # a subscription's registration of a preview feature (models/features.py)

IDENTITY_KINDS = (TENANT, CLIENT, SUBSCRIPTION)
# features are cleared by a reset like resources: every subscription reads the default again until a seed sets them
RESOURCE_KINDS = (RESOURCE_GROUP, VNET, GATEWAY, PEERING, OPERATION, FEATURE)


class Store(Protocol):
    """What the domain layer needs from persistence."""

    def get(self, kind: str, key: str) -> dict[str, Any] | None: ...

    def put(self, kind: str, key: str, doc: dict[str, Any], *, subscription: str = "", parent: str = "") -> None: ...

    def delete(self, kind: str, key: str) -> None: ...

    def children(self, kind: str, parent: str) -> list[dict[str, Any]]: ...

    def all(self, kind: str, subscription: str | None = None) -> list[dict[str, Any]]: ...

    def count(self, kind: str) -> int: ...

    def get_meta(self, name: str) -> Any: ...

    def set_meta(self, name: str, value: Any) -> None: ...

    def clear(self, kinds: Iterable[str]) -> None: ...

    def transaction(self) -> contextlib.AbstractContextManager[None]: ...

    def close(self) -> None: ...


class _Row:
    __slots__ = ("doc", "parent", "seq", "subscription")

    def __init__(self, seq: int, subscription: str, parent: str, doc: dict[str, Any]) -> None:
        self.seq = seq
        self.subscription = subscription
        self.parent = parent
        self.doc = doc


class SqliteStore:
    """SQLite-backed :class:`Store` with a write-through in-memory copy."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(
            """
            CREATE TABLE IF NOT EXISTS docs (
                kind TEXT NOT NULL, key TEXT NOT NULL, subscription TEXT NOT NULL, parent TEXT NOT NULL,
                seq INTEGER NOT NULL, body TEXT NOT NULL, PRIMARY KEY (kind, key));
            CREATE INDEX IF NOT EXISTS docs_by_subscription ON docs (subscription, kind);
            CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
            """
        )
        self._depth = 0
        self._load()

    def _load(self) -> None:
        self._docs: dict[str, dict[str, _Row]] = {}
        self._children: dict[tuple[str, str], dict[str, None]] = {}
        self._seq = 0
        for kind, key, sub, parent, seq, body in self._db.execute(
            "SELECT kind, key, subscription, parent, seq, body FROM docs ORDER BY seq"
        ):
            self._remember(kind, key, _Row(seq, sub, parent, json.loads(body)))
            self._seq = max(self._seq, seq)

    def _remember(self, kind: str, key: str, row: _Row) -> None:
        self._docs.setdefault(kind, {})[key] = row
        self._children.setdefault((kind, row.parent), {})[key] = None

    def get(self, kind: str, key: str) -> dict[str, Any] | None:
        row = self._docs.get(kind, {}).get(key)
        return None if row is None else row.doc

    def put(self, kind: str, key: str, doc: dict[str, Any], *, subscription: str = "", parent: str = "") -> None:
        body = json.dumps(doc, separators=(",", ":"))
        existing = self._docs.get(kind, {}).get(key)
        if existing is not None and existing.parent == parent:
            seq = existing.seq  # keep creation order for listings
        else:
            if existing is not None:
                self._children.get((kind, existing.parent), {}).pop(key, None)
            self._seq += 1
            seq = self._seq
        self._db.execute(
            "INSERT OR REPLACE INTO docs (kind, key, subscription, parent, seq, body) VALUES (?, ?, ?, ?, ?, ?)",
            (kind, key, subscription, parent, seq, body),
        )
        self._remember(kind, key, _Row(seq, subscription, parent, json.loads(body)))

    def delete(self, kind: str, key: str) -> None:
        row = self._docs.get(kind, {}).pop(key, None)
        if row is not None:
            self._children.get((kind, row.parent), {}).pop(key, None)
        self._db.execute("DELETE FROM docs WHERE kind = ? AND key = ?", (kind, key))

    def children(self, kind: str, parent: str) -> list[dict[str, Any]]:
        rows = self._docs.get(kind, {})
        return [rows[k].doc for k in self._children.get((kind, parent), {}) if k in rows]

    def all(self, kind: str, subscription: str | None = None) -> list[dict[str, Any]]:
        rows = self._docs.get(kind, {}).values()
        return [r.doc for r in rows if subscription is None or r.subscription == subscription]

    def count(self, kind: str) -> int:
        return len(self._docs.get(kind, {}))

    def get_meta(self, name: str) -> Any:
        row = self._db.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return None if row is None else json.loads(row[0])

    def set_meta(self, name: str, value: Any) -> None:
        self._db.execute("INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)", (name, json.dumps(value)))

    def clear(self, kinds: Iterable[str]) -> None:
        with self.transaction():
            for kind in kinds:
                self._db.execute("DELETE FROM docs WHERE kind = ?", (kind,))
                self._docs.pop(kind, None)
                for pair in [p for p in self._children if p[0] == kind]:
                    del self._children[pair]

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        if self._depth == 0:
            self._db.execute("BEGIN")
        self._depth += 1
        try:
            yield
        except BaseException:
            self._depth -= 1
            if self._depth == 0:
                self._db.execute("ROLLBACK")
                self._load()  # the in-memory copy may hold part of the rolled-back writes
            raise
        self._depth -= 1
        if self._depth == 0:
            self._db.execute("COMMIT")

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self._db.close()
