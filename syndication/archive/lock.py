"""One writer, enforced: an OS lock on a file beside the archive.

`serve` (its writer process), `ingest` and `restore` hold it while they run; a second one
is refused with who holds it. The kernel releases the lock when its holder dies, however it
dies, so a crash never leaves the archive locked. Readers, `backup`, `status` and the
`partners` commands take no lock: SQLite orders their reads and short writes (a `partners`
command that must first create or migrate the archive takes it for that, see open_appender).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from syndication.archive.schema import LATEST_VERSION, Access, connect, open_writer, read_value
from syndication.clock import Clock
from syndication.errors import ArchiveError


def lock_file(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".lock")


@contextlib.contextmanager
def writer_lock(
    db_path: Path, command: str, clock: Clock, *, create: bool = False
) -> Iterator[None]:
    """Hold the archive's writer lock for `command`, or raise ArchiveError naming who has it.
    With `create`, a missing archive is made (an empty file, which SQLite makes an archive
    of) so that its file is locked from the start too."""
    path = lock_file(db_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("a+", encoding="utf-8")
    try:
        _take_or_refuse(handle, lambda: f"the archive {db_path} is in use by {holder(db_path)}")
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps({"pid": os.getpid(), "command": command, "since": clock.time()}))
        handle.flush()
        with _archive_file_locked(db_path, create):
            yield
    finally:
        handle.close()  # closing releases the lock


@contextlib.contextmanager
def _archive_file_locked(db_path: Path, create: bool) -> Iterator[None]:
    """The archive's file itself locked too: the lock beside it goes by the name, and the
    same file reached by another name (a hard link, a folder linked or mounted twice)
    would otherwise take a second writer, with a second -wal, and corrupt it. (flock is
    apart from the locks SQLite takes, so readers and SQLite's own work are unaffected.)"""
    try:
        flags = os.O_RDONLY | os.O_NONBLOCK | (os.O_CREAT if create else 0)
        descriptor = os.open(db_path, flags, 0o644)  # links followed: the file is locked
    except OSError:
        yield  # no archive yet (a first run creates it): no other name can reach it
        return
    try:
        _take_or_refuse(
            descriptor,
            lambda: (
                f"the archive {db_path} is in use under another name (a hard link, or its "
                "folder reached by another path) by another syndication process"
            ),
        )
        yield
    finally:
        os.close(descriptor)


def _take_or_refuse(locked_file: IO[str] | int, in_use: Callable[[], str]) -> None:
    """An exclusive lock on the file, taken now, or the ArchiveError saying who has it."""
    try:
        fcntl.flock(locked_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise ArchiveError(f"{in_use()}; stop it first") from None


def holder(db_path: Path) -> str:
    """Who holds the lock, as the lock file says: `syndication serve (pid 123)`."""
    try:
        said = json.loads(lock_file(db_path).read_text(encoding="utf-8"))
        return f"`syndication {said['command']}` (pid {said['pid']})"
    except (OSError, ValueError, KeyError, TypeError):
        return "another syndication process"


@contextlib.contextmanager
def writing(db_path: Path, command: str, clock: Clock) -> Iterator[sqlite3.Connection]:
    """The way to the archive's one writer connection for a command that runs to its end
    (`ingest`): hold the lock, open, migrate; release both when done. (`serve` holds the
    lock for its life and opens the connection on its writer thread; `restore` writes a
    copy under the lock.)"""
    with writer_lock(db_path, command, clock, create=True):
        conn = open_writer(db_path, clock)
        try:
            yield conn
        finally:
            conn.close()


def open_appender(db_path: Path, clock: Clock) -> sqlite3.Connection:
    """A connection for a command's few small writes beside a running server (`partners`).
    An archive that is missing or older than this program is made current first, under the
    lock: never beside a running writer, which has made it current itself, or is older."""
    if read_value(db_path, "PRAGMA user_version") != LATEST_VERSION:
        with writing(db_path, "partners", clock):
            pass
    return connect(db_path, Access.APPENDER)
