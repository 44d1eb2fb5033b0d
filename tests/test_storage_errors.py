"""SQLite's failures are sorted where the storage is (archive/storage.py)."""

from __future__ import annotations

import sqlite3

import pytest

from syndication.archive.storage import storage_errors
from syndication.errors import ArchiveError, ArchiveUnavailable, DamagedBody, SyndicationError


@pytest.mark.parametrize(
    "failure",
    [
        sqlite3.OperationalError("database or disk is full"),
        sqlite3.OperationalError("database is locked"),
        sqlite3.DatabaseError("database disk image is malformed"),
    ],
)
def test_a_failure_of_the_storage_is_the_archive_being_unavailable(failure: Exception) -> None:
    with pytest.raises(ArchiveUnavailable, match="could not answer") as raised, storage_errors():
        raise failure
    assert raised.value.__cause__ is failure and isinstance(raised.value, SyndicationError)


@pytest.mark.parametrize(
    "failure",
    [
        sqlite3.ProgrammingError("no such column: x"),  # a bug in our SQL
        sqlite3.IntegrityError("UNIQUE constraint failed"),
        sqlite3.OperationalError("interrupted"),  # a search stopped at its budget
    ],
)
def test_a_bug_or_our_own_interruption_stays_what_it_is(failure: Exception) -> None:
    with pytest.raises(type(failure)), storage_errors():
        raise failure


def test_every_error_of_ours_is_under_the_root() -> None:
    assert issubclass(DamagedBody, ArchiveError) and issubclass(ArchiveError, SyndicationError)
