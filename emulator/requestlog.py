"""The request log: what was called and how it ended (never headers, bodies or tokens).

Entries are numbered, buffered in memory on the hot path and written to SQLite in batches by a background
thread; reading flushes first, so a reader always sees every request answered before it asked.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from pathlib import Path
from typing import Any

_COLUMNS = ("seq", "time", "method", "path", "query", "status", "latency_ms", "code", "fault")


class RequestLog:
    def __init__(self, path: Path, *, flush_interval: float = 0.5) -> None:
        self._db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS requests (seq INTEGER PRIMARY KEY, time REAL, method TEXT, path TEXT, "
            "query TEXT, status INTEGER, latency_ms REAL, code TEXT, fault TEXT)"
        )
        row = self._db.execute("SELECT MAX(seq) FROM requests").fetchone()
        self._seq = int(row[0] or 0)
        self._buffer: list[tuple[Any, ...]] = []
        self._lock = threading.Lock()
        self._db_lock = threading.Lock()
        self._stop = threading.Event()
        self._interval = flush_interval
        self._thread = threading.Thread(target=self._run, name="request-log", daemon=True)
        self._thread.start()

    def record(
        self,
        *,
        time: float,
        method: str,
        path: str,
        query: str,
        status: int,
        latency_ms: float,
        code: str | None,
        fault: str | None,
    ) -> int:
        with self._lock:
            self._seq += 1
            self._buffer.append((self._seq, time, method, path, query, status, round(latency_ms, 3), code, fault))
            return self._seq

    def flush(self) -> None:
        with self._lock:
            rows, self._buffer = self._buffer, []
        if rows:
            with self._db_lock:
                self._db.execute("BEGIN")
                self._db.executemany("INSERT OR REPLACE INTO requests VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
                self._db.execute("COMMIT")

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            # A full disk must not take the server down.
            with contextlib.suppress(sqlite3.Error):
                self.flush()

    def entries(self, since: int = 0, limit: int = 100000) -> list[dict[str, Any]]:
        self.flush()
        with self._db_lock:
            rows = self._db.execute(
                "SELECT * FROM requests WHERE seq > ? ORDER BY seq LIMIT ?", (since, limit)
            ).fetchall()
        return [dict(zip(_COLUMNS, r, strict=True)) for r in rows]

    @property
    def last_seq(self) -> int:
        with self._lock:
            return self._seq

    def clear(self) -> None:
        with self._lock:
            self._buffer = []
        with self._db_lock:
            self._db.execute("DELETE FROM requests")

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        try:
            self.flush()
        finally:
            self._db.close()
