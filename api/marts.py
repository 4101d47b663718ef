"""Reading the marts: the current serving snapshot, opened read-only, one cursor per request.

The connection is cached per snapshot file. Every request looks at the pointer file (a `stat`);
when a new snapshot has been published, the next request opens it and later requests use it.
Requests already running keep the cursor of the old snapshot (its file stays readable even once
deleted), so a rebuild never makes a request fail or wait.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Hashable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import duckdb
from fastapi import Depends, HTTPException, Request, status

from ledger.warehouse import POINTER_FILE, SnapshotInfo, current_snapshot

NO_SNAPSHOT_DETAIL = (
    "insights are not available yet: no warehouse snapshot has been published "
    "(the marts refresh publishes one after its first successful build)"
)


class ResponseCache:
    """Response bodies of one snapshot, least recently used first out, bounded in bytes.

    A snapshot never changes, so a body built from it stays right for as long as it is the
    current one; the cache goes with the snapshot when the next one is published. Keys must
    hold everything the body depends on (endpoint, user, filters).
    """

    def __init__(self, max_bytes: int = 32 * 1024 * 1024) -> None:
        self.max_bytes = max_bytes
        self._bodies: OrderedDict[Hashable, bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get_or_build(self, key: Hashable, build: Callable[[], bytes]) -> bytes:
        with self._lock:
            body = self._bodies.get(key)
            if body is not None:
                self._bodies.move_to_end(key)
                return body
        body = build()  # outside the lock: other requests go on meanwhile
        with self._lock:
            if key not in self._bodies:
                self._bodies[key] = body
                self._size += len(body)
            while self._size > self.max_bytes and self._bodies:
                _, evicted = self._bodies.popitem(last=False)
                self._size -= len(evicted)
        return body


@dataclass(frozen=True)
class Marts:
    """One request's view of the serving snapshot."""

    as_of: datetime
    cursor: duckdb.DuckDBPyConnection
    cache: ResponseCache

    def query(self, sql: str, parameters: list[Any] | None = None) -> list[dict[str, Any]]:
        """Rows as dicts. Decimals stay Decimal, dates stay date."""
        result = self.cursor.execute(sql, parameters)
        columns = [column[0] for column in result.description]
        return [dict(zip(columns, row, strict=True)) for row in result.fetchall()]


class SnapshotReader:
    """The read-only connection of the current snapshot, switched when the pointer changes."""

    def __init__(self, serving_dir: Path) -> None:
        self.serving_dir = Path(serving_dir)
        self._lock = threading.Lock()
        self._pointer_key: tuple[int, int] | None = None
        self._snapshot: SnapshotInfo | None = None
        self._connection: duckdb.DuckDBPyConnection | None = None
        self._cache = ResponseCache()

    def _pointer_stat(self) -> tuple[int, int] | None:
        try:
            stat = os.stat(self.serving_dir / POINTER_FILE)
        except FileNotFoundError:
            return None
        # os.replace gives the pointer a new inode: (inode, mtime) changes on every publish.
        return stat.st_ino, stat.st_mtime_ns

    def open(self) -> Marts | None:
        """A view of the current snapshot with a cursor of its own (close it), or None."""
        key = self._pointer_stat()
        if key is None:
            return None
        with self._lock:
            if key != self._pointer_key or self._connection is None:
                self._switch(key)
            if self._connection is None or self._snapshot is None:
                return None
            # A cursor is a connection of its own to the same database: safe in its thread.
            cursor = self._connection.cursor()
            return Marts(as_of=self._snapshot.built_at, cursor=cursor, cache=self._cache)

    def _switch(self, key: tuple[int, int]) -> None:
        snapshot = current_snapshot(self.serving_dir)
        if snapshot is None:
            return
        # One thread per query: requests are many and small, so parallelism comes from running
        # requests side by side, not from splitting one tiny scan across threads.
        connection = duckdb.connect(str(snapshot.path), read_only=True, config={"threads": 1})
        # The old connection is dropped, not closed: requests still using its cursors finish.
        self._connection, self._snapshot, self._pointer_key = connection, snapshot, key
        self._cache = ResponseCache()


_readers_lock = threading.Lock()


def _reader(request: Request) -> SnapshotReader:
    state = request.app.state
    reader = getattr(state, "marts_reader", None)
    if reader is None:
        with _readers_lock:
            reader = getattr(state, "marts_reader", None)
            if reader is None:
                reader = SnapshotReader(state.settings.serving_dir)
                state.marts_reader = reader
    return reader


async def get_marts(request: Request) -> AsyncIterator[Marts]:
    """The serving snapshot for one request; 503 while none has been published.

    Async on purpose: it only stats the pointer and makes a cursor (microseconds; opening a new
    snapshot once per publish takes milliseconds), so it does not need a worker-thread hop.
    """
    marts = _reader(request).open()
    if marts is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, NO_SNAPSHOT_DETAIL)
    try:
        yield marts
    finally:
        marts.cursor.close()


MartsDep = Annotated[Marts, Depends(get_marts)]
