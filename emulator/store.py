"""State store: an interface and its SQLite implementation (documents keyed by kind and lower-cased ARM id).

The SQLite store keeps every document in memory as well, so reads never touch the database; writes go to both.
Documents returned by reads are shared with that in-memory copy: callers must treat them as read-only (the models'
``from_doc`` copy what they keep). Callers serialise access (the emulator holds one state lock around every domain
operation).

Besides the documents by key and by parent, a kind can be indexed by terms derived from each document
(:meth:`SqliteStore.index`; the network service indexes a peering by its remote vnet): the store keeps them beside
the documents and derives them again whenever it writes, deletes, clears or reloads one, so that a lookup by term
answers what a scan of the documents would, in the same (creation) order.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator
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

#: What a kind's documents are indexed by (see :meth:`SqliteStore.index`): the terms of one document.
Terms = Callable[[dict[str, Any]], Iterable[str]]


class Store(Protocol):
    """What the domain layer needs from persistence."""

    def get(self, kind: str, key: str) -> dict[str, Any] | None: ...

    def put(self, kind: str, key: str, doc: dict[str, Any], *, subscription: str = "", parent: str = "") -> None: ...

    def delete(self, kind: str, key: str) -> None: ...

    def children(self, kind: str, parent: str) -> list[dict[str, Any]]: ...

    def count_children(self, kind: str, parent: str) -> int: ...

    def index(self, kind: str, terms: Terms) -> None: ...

    def find(self, kind: str, term: str, parent: str | None = None) -> list[dict[str, Any]]: ...

    def all(self, kind: str, subscription: str | None = None) -> list[dict[str, Any]]: ...

    def count(self, kind: str) -> int: ...

    def get_meta(self, name: str) -> Any: ...

    def set_meta(self, name: str, value: Any) -> None: ...

    def clear(self, kinds: Iterable[str]) -> None: ...

    def transaction(self) -> contextlib.AbstractContextManager[None]: ...

    def close(self) -> None: ...


class _Row:
    __slots__ = ("doc", "parent", "seq", "subscription", "terms")

    def __init__(self, seq: int, subscription: str, parent: str, doc: dict[str, Any]) -> None:
        self.seq = seq
        self.subscription = subscription
        self.parent = parent
        self.doc = doc
        self.terms: tuple[str, ...] = ()


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
        self._terms: dict[str, Terms] = {}
        self._load()

    def _load(self) -> None:
        self._docs: dict[str, dict[str, _Row]] = {}
        self._children: dict[tuple[str, str], dict[str, None]] = {}
        # (kind, term) and (kind, term, parent) -> the keys of the documents with that term, in seq order (see find)
        self._by_term: dict[tuple[str, ...], dict[str, None]] = {}
        self._seq = 0
        for kind, key, sub, parent, seq, body in self._db.execute(
            "SELECT kind, key, subscription, parent, seq, body FROM docs ORDER BY seq"
        ):
            self._remember(kind, key, _Row(seq, sub, parent, json.loads(body)))
            self._seq = max(self._seq, seq)

    def _remember(self, kind: str, key: str, row: _Row) -> None:
        docs = self._docs.setdefault(kind, {})
        old = docs.get(key)
        docs[key] = row
        self._children.setdefault((kind, row.parent), {})[key] = None
        self._index_row(kind, key, row, old)

    def _index_row(self, kind: str, key: str, row: _Row, old: _Row | None = None) -> None:
        """Index ``row`` by its terms, replacing ``old`` (the key's previous row, if any): a term both have keeps
        its place (seq order), a new one is placed by seq."""
        terms = self._terms.get(kind)
        row.terms = tuple(dict.fromkeys(terms(row.doc))) if terms is not None else ()
        kept: tuple[str, ...] = ()
        if old is not None:
            kept = tuple(t for t in old.terms if t in row.terms) if old.parent == row.parent else ()
            self._unindex(kind, key, old, keep=kept)
        rows = self._docs[kind]
        for term in row.terms:
            if term in kept:
                continue
            for index_key in ((kind, term), (kind, term, row.parent)):
                entries = self._by_term.setdefault(index_key, {})
                entries[key] = None
                if len(entries) > 1:
                    newest_first = reversed(entries)
                    next(newest_first)
                    if rows[next(newest_first)].seq > row.seq:  # an update gave an older document this term
                        self._by_term[index_key] = dict.fromkeys(sorted(entries, key=lambda k: rows[k].seq))

    def _unindex(self, kind: str, key: str, row: _Row, keep: tuple[str, ...] = ()) -> None:
        for term in row.terms:
            if term in keep:
                continue
            for index_key in ((kind, term), (kind, term, row.parent)):
                entries = self._by_term.get(index_key)
                if entries is not None:
                    entries.pop(key, None)
                    if not entries:
                        del self._by_term[index_key]

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
            self._unindex(kind, key, row)
        self._db.execute("DELETE FROM docs WHERE kind = ? AND key = ?", (kind, key))

    def children(self, kind: str, parent: str) -> list[dict[str, Any]]:
        rows = self._docs.get(kind, {})
        return [rows[k].doc for k in self._children.get((kind, parent), {}) if k in rows]

    def count_children(self, kind: str, parent: str) -> int:
        return len(self._children.get((kind, parent), {}))

    def index(self, kind: str, terms: Terms) -> None:
        """Index ``kind``'s documents by ``terms(doc)`` (strings), the stored ones now and every one written from now
        on (a later call for the same kind replaces ``terms``); :meth:`find` answers from it."""
        self._terms[kind] = terms
        for index_key in [k for k in self._by_term if k[0] == kind]:
            del self._by_term[index_key]
        for key, row in self._docs.get(kind, {}).items():
            self._index_row(kind, key, row)

    def find(self, kind: str, term: str, parent: str | None = None) -> list[dict[str, Any]]:
        """The documents of ``kind`` (children of ``parent`` only, when given) whose terms include ``term``, in
        creation order (that of :meth:`children`); empty for a kind that is not indexed."""
        rows = self._docs.get(kind, {})
        keys = self._by_term.get((kind, term) if parent is None else (kind, term, parent), {})
        return [rows[k].doc for k in keys if k in rows]

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
                for index_key in [k for k in self._by_term if k[0] == kind]:
                    del self._by_term[index_key]

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
