"""SQLite's failures, sorted where the storage is: those of the storage (disk full, locked too
long, a copy rewritten under a reader) become ArchiveUnavailable, which the web answers with
503 and a retry; a bug in our SQL (ProgrammingError, IntegrityError) stays what it is, and so
does a statement we interrupted (archive/search_budget.py reads that)."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator

from syndication.errors import ArchiveUnavailable

BUGS = (sqlite3.ProgrammingError, sqlite3.IntegrityError)


@contextlib.contextmanager
def storage_errors() -> Iterator[None]:
    try:
        yield
    except BUGS:
        raise
    except sqlite3.DatabaseError as exc:
        if "interrupt" in str(exc):  # our own doing: a search stopped at its budget
            raise
        raise ArchiveUnavailable(f"the archive could not answer: {exc}") from exc
