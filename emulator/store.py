"""State store: an interface and its SQLite implementation (documents keyed by kind and lower-cased ARM id).

The SQLite store keeps every document in memory as well, so reads never touch the database; writes go to both.
Documents returned by reads are shared with that in-memory copy: callers must treat them as read-only (the models'
``from_doc`` copy what they keep). Callers serialise access (the emulator holds one state lock around every domain
operation).

Besides the documents by key and by parent, the store keeps derived indexes right: a :class:`Follower` registered
with :meth:`SqliteStore.follow` is told of every document written or deleted, and is rebuilt from the stored
documents whenever the in-memory copy is (a reload, a clear, a rolled-back transaction). Indexing a kind by terms
derived from each document (:meth:`SqliteStore.index`, answered by :meth:`SqliteStore.find`; the network service
indexes a peering by its remote vnet) is one such follower, a :class:`TermIndex`.
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


class StoredDoc:
    """One stored document with what the store keeps beside it; shared with the store's copy: read-only."""

    __slots__ = ("doc", "parent", "seq", "subscription")

    def __init__(self, seq: int, subscription: str, parent: str, doc: dict[str, Any]) -> None:
        self.seq = seq  # creation order: kept by an update under the same parent, a new one otherwise
        self.subscription = subscription
        self.parent = parent
        self.doc = doc


class Follower(Protocol):
    """An index derived from the stored documents, kept right by the store (:meth:`SqliteStore.follow`).

    The store calls :meth:`changed` after each write or delete of a document, its in-memory copy already changed
    (what the follower reads from the store is the new state); and, whenever it rebuilds that copy (a reload, a
    clear, a rolled-back transaction), :meth:`reset` followed by a :meth:`changed` with ``old`` None for every stored
    document, in creation (seq) order, the whole copy already rebuilt. A follower must not write to the store, nor
    read another follower's answers (the order they are told in is not part of the contract).
    """

    def reset(self) -> None:
        """Forget every document: the store tells of all it holds next."""
        ...

    def changed(self, kind: str, key: str, old: StoredDoc | None, new: StoredDoc | None) -> None:
        """The document ``key`` of ``kind`` was ``old`` (None: it did not exist) and is now ``new`` (None: deleted)."""
        ...


class TermIndex:
    """A kind's documents by terms derived from each (:meth:`SqliteStore.index`), overall and per parent.

    Contract: :meth:`keys` lists the keys of the documents with a term in creation (seq) order, that of
    :meth:`SqliteStore.children`: an update that keeps a term keeps its place, a term a document gains is placed by
    the document's seq.
    """

    def __init__(self, kind: str, terms: Terms) -> None:
        self.kind = kind
        self.terms = terms
        self.reset()

    def reset(self) -> None:
        self._indexed: dict[str, tuple[int, str, tuple[str, ...]]] = {}  # key -> (seq, parent, its terms)
        # (term,) and (term, parent) -> the keys of the documents with that term, in seq order
        self._by_term: dict[tuple[str, ...], dict[str, None]] = {}

    def keys(self, term: str, parent: str | None = None) -> Iterable[str]:
        """The keys of the documents (children of ``parent`` only, when given) with ``term``, in seq order."""
        return self._by_term.get((term,) if parent is None else (term, parent), {})

    def changed(self, kind: str, key: str, old: StoredDoc | None, new: StoredDoc | None) -> None:
        if kind != self.kind:
            return
        before = self._indexed.pop(key, None)
        if new is None:
            if before is not None:
                self._unindex(key, before[1], before[2])
            return
        terms = tuple(dict.fromkeys(self.terms(new.doc)))
        kept: tuple[str, ...] = ()
        if before is not None:
            kept = tuple(t for t in before[2] if t in terms) if before[1] == new.parent else ()
            self._unindex(key, before[1], before[2], keep=kept)
        self._indexed[key] = (new.seq, new.parent, terms)
        for term in terms:
            if term in kept:
                continue
            for index_key in ((term,), (term, new.parent)):
                entries = self._by_term.setdefault(index_key, {})
                entries[key] = None
                if len(entries) > 1:
                    newest_first = reversed(entries)
                    next(newest_first)
                    if self._indexed[next(newest_first)][0] > new.seq:  # an update gave an older document this term
                        self._by_term[index_key] = dict.fromkeys(sorted(entries, key=lambda k: self._indexed[k][0]))

    def _unindex(self, key: str, parent: str, terms: tuple[str, ...], keep: tuple[str, ...] = ()) -> None:
        for term in terms:
            if term in keep:
                continue
            for index_key in ((term,), (term, parent)):
                entries = self._by_term.get(index_key)
                if entries is not None:
                    entries.pop(key, None)
                    if not entries:
                        del self._by_term[index_key]


class Store(Protocol):
    """What the domain layer needs from persistence."""

    def get(self, kind: str, key: str) -> dict[str, Any] | None: ...

    def put(self, kind: str, key: str, doc: dict[str, Any], *, subscription: str = "", parent: str = "") -> None: ...

    def delete(self, kind: str, key: str) -> None: ...

    def children(self, kind: str, parent: str) -> list[dict[str, Any]]: ...

    def count_children(self, kind: str, parent: str) -> int: ...

    def follow(self, follower: Follower) -> None: ...

    def index(self, kind: str, terms: Terms) -> None: ...

    def find(self, kind: str, term: str, parent: str | None = None) -> list[dict[str, Any]]: ...

    def all(self, kind: str, subscription: str | None = None) -> list[dict[str, Any]]: ...

    def count(self, kind: str) -> int: ...

    def get_meta(self, name: str) -> Any: ...

    def set_meta(self, name: str, value: Any) -> None: ...

    def clear(self, kinds: Iterable[str]) -> None: ...

    def transaction(self) -> contextlib.AbstractContextManager[None]: ...

    def close(self) -> None: ...


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
        self._followers: list[Follower] = []
        self._term_indexes: dict[str, TermIndex] = {}  # kind -> its index by terms (also among the followers)
        self._load()

    def _load(self) -> None:
        """Rebuild the in-memory copy from the database, then every follower from it."""
        self._docs: dict[str, dict[str, StoredDoc]] = {}
        self._children: dict[tuple[str, str], dict[str, None]] = {}
        self._seq = 0
        for kind, key, sub, parent, seq, body in self._db.execute(
            "SELECT kind, key, subscription, parent, seq, body FROM docs ORDER BY seq"
        ):
            self._remember(kind, key, StoredDoc(seq, sub, parent, json.loads(body)))
            self._seq = max(self._seq, seq)
        for follower in self._followers:
            self._replay(follower)

    def _replay(self, follower: Follower) -> None:
        """Rebuild ``follower`` from the in-memory copy (see :class:`Follower`)."""
        follower.reset()
        stored = [(kind, key, row) for kind, rows in self._docs.items() for key, row in rows.items()]
        stored.sort(key=lambda item: item[2].seq)
        for kind, key, row in stored:
            follower.changed(kind, key, None, row)

    def _remember(self, kind: str, key: str, row: StoredDoc) -> StoredDoc | None:
        """Keep ``row`` in the in-memory copy; returns the key's previous row."""
        docs = self._docs.setdefault(kind, {})
        old = docs.get(key)
        docs[key] = row
        self._children.setdefault((kind, row.parent), {})[key] = None
        return old

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
        row = StoredDoc(seq, subscription, parent, json.loads(body))
        old = self._remember(kind, key, row)
        for follower in self._followers:
            follower.changed(kind, key, old, row)

    def delete(self, kind: str, key: str) -> None:
        row = self._docs.get(kind, {}).pop(key, None)
        if row is not None:
            self._children.get((kind, row.parent), {}).pop(key, None)
        self._db.execute("DELETE FROM docs WHERE kind = ? AND key = ?", (kind, key))
        if row is not None:
            for follower in self._followers:
                follower.changed(kind, key, row, None)

    def children(self, kind: str, parent: str) -> list[dict[str, Any]]:
        rows = self._docs.get(kind, {})
        return [rows[k].doc for k in self._children.get((kind, parent), {}) if k in rows]

    def count_children(self, kind: str, parent: str) -> int:
        return len(self._children.get((kind, parent), {}))

    def follow(self, follower: Follower) -> None:
        """Keep ``follower`` right from now on; it is told of every stored document first (see :class:`Follower`)."""
        self._followers.append(follower)
        self._replay(follower)

    def index(self, kind: str, terms: Terms) -> None:
        """Index ``kind``'s documents by ``terms(doc)`` (strings), the stored ones now and every one written from now
        on (a later call for the same kind replaces ``terms``); :meth:`find` answers from it."""
        replaced = self._term_indexes.pop(kind, None)
        if replaced is not None:
            self._followers.remove(replaced)
        self._term_indexes[kind] = TermIndex(kind, terms)
        self.follow(self._term_indexes[kind])

    def find(self, kind: str, term: str, parent: str | None = None) -> list[dict[str, Any]]:
        """The documents of ``kind`` (children of ``parent`` only, when given) whose terms include ``term``, in
        creation order (that of :meth:`children`); empty for a kind that is not indexed."""
        index = self._term_indexes.get(kind)
        if index is None:
            return []
        rows = self._docs.get(kind, {})
        return [rows[k].doc for k in index.keys(term, parent) if k in rows]

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
            for follower in self._followers:
                self._replay(follower)

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
