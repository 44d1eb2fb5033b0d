"""Small writes made while serving (the partner delivery log, WebSub subscriptions).

In a single process they go through the ingest service's writer thread, like every other
write. A reader process of `serve --workers N` has no writer of its own; it appends through
one connection of its own instead, and SQLite's lock (with a busy timeout) orders those few
short transactions with the writer's.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Protocol, TypeVar

from syndication.archive.schema import Access, connect, transaction
from syndication.archive.storage import storage_errors
from syndication.errors import ArchiveUnavailable

T = TypeVar("T")


class Writes(Protocol):
    async def write(self, fn: Callable[[sqlite3.Connection], T]) -> T: ...


class SideWriter:
    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="side-writer")
        self._conn: sqlite3.Connection | None = None

    def _run(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        with storage_errors():
            if self._conn is None:
                self._conn = connect(self.db_path, Access.APPENDER)
            with transaction(self._conn) as conn:
                return fn(conn)

    async def write(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._thread, self._run, fn)

    def close(self) -> None:
        def close_connection() -> None:
            if self._conn is not None:
                self._conn.close()

        self._thread.submit(close_connection).result()
        self._thread.shutdown(wait=True)


class NoWrites:
    """A replica's: its copy belongs to Litestream, and what it would record (a story left
    out of a page) the primary records when it renders the same."""

    async def write(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        raise ArchiveUnavailable("a replica writes nothing to its copy of the archive")
