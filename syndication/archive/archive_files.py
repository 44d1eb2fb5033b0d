"""The files an archive is made of, and the paths an operator's command may not take.

An archive is its SQLite file and the files SQLite and this program keep beside it: the
write-ahead log (`-wal`), its index (`-shm`), a rollback journal (`-journal`), the writer's
lock (`.lock`), and the copies `backup` and `restore` write before they move into place.
Writing over one of them while the archive is in use destroys it (a backup written over the
`-wal` lost the partners, the editors and the delivery log). Every command checks the paths
it is given here first, and refuses with one line that says what the path is.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import stat
from pathlib import Path

from syndication.errors import ArchiveError

# What SQLite and this program keep beside an archive file `X`: `X-wal`, `X.lock`...
BESIDE = ("-wal", "-shm", "-journal", ".lock", ".partial", ".restoring")
SQLITE_HEADER = b"SQLite format 3\x00"


def family(db: Path) -> list[Path]:
    """The archive file and every file kept beside it."""
    return [db, *(db.with_name(db.name + suffix) for suffix in BESIDE)]


def check_archive_path(db: Path) -> None:
    """`db` can be an archive: not a file kept beside one, not a folder or a device, in a
    folder that exists, and if it exists, an SQLite file."""
    _nothing_or_an_sqlite_file(
        db,
        "an archive",
        not_a_file="{path} is {kind}, not an archive file",
        not_sqlite="{path} is not an archive (not an SQLite file); give another --db",
    )


def check_backup_destination(archive: Path, dest: Path) -> None:
    """`dest` can take a backup of `archive`: not the archive or a file beside it (also
    through a link), not a file beside another archive, not a folder or a device, in a
    folder that exists; an existing file there must be an earlier backup nobody uses."""
    target = dest.resolve()
    if any(target == member.resolve() for member in family(archive)):
        raise ArchiveError(
            f"{dest} is the archive {archive} or one of the files beside it; "
            "a backup must go to a file of its own"
        )
    existing = _nothing_or_an_sqlite_file(
        dest,
        "a backup",
        not_a_file="{path} is {kind}; give the path of a file for the backup",
        not_sqlite="{path} exists and is not a backup (not an SQLite file); choose another name",
    )
    if existing and in_use(dest):
        raise ArchiveError(f"{dest} is an archive in use; choose another name for the backup")


def _nothing_or_an_sqlite_file(path: Path, what: str, *, not_a_file: str, not_sqlite: str) -> bool:
    """`path` may be `what`: not beside an archive, in a folder that exists, and nothing
    there yet or an SQLite file (True); otherwise the error, in the words given."""
    _not_beside_an_archive(path, what)
    _in_a_folder(path)
    kind = _kind(path)
    if kind is None:
        return False
    if kind != "file":
        raise ArchiveError(not_a_file.format(path=path, kind=kind))
    if not _is_sqlite(path):
        raise ArchiveError(not_sqlite.format(path=path))
    return True


def in_use(db: Path) -> bool:
    """Whether an archive is held by a process of ours (its lock is taken) or has changes in
    its -wal or -journal that only it holds (open somewhere, or not closed cleanly)."""
    for suffix in ("-wal", "-journal"):
        beside = db.with_name(db.name + suffix)
        with contextlib.suppress(OSError):
            if beside.stat().st_size > 0:
                return True
    return locked(db)


def locked(db: Path) -> bool:
    """Whether a process of ours holds the archive's writer lock now."""
    try:
        handle = db.with_name(db.name + ".lock").open("rb")
    except OSError:
        return False
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
    return False


def check_backup_source(source: Path, archive: Path) -> None:
    """`source` can be restored into `archive`: a file of its own, not one beside an archive."""
    if source.resolve() in {member.resolve() for member in family(archive)}:
        raise ArchiveError(f"{source} is the archive {archive} or a file beside it, not a backup")
    _not_beside_an_archive(source, "a backup")
    kind = _kind(source)
    if kind is None:
        raise ArchiveError(f"there is no backup at {source}")
    if kind != "file":
        raise ArchiveError(f"{source} is {kind}, not a backup file")


def _not_beside_an_archive(path: Path, wanted: str) -> None:
    for suffix in BESIDE:
        if path.name.endswith(suffix) and len(path.name) > len(suffix):
            owner = path.with_name(path.name[: -len(suffix)])
            raise ArchiveError(
                f"{path} is the {suffix} file kept beside the archive {owner}, not {wanted}"
            )


def _in_a_folder(path: Path) -> None:
    parent = path.parent
    kind = _kind(parent)
    if kind is None:
        raise ArchiveError(f"the folder {parent} does not exist")
    if kind != "a folder":
        raise ArchiveError(f"{parent} is {kind}, not a folder")


def _kind(path: Path) -> str | None:
    """What is at `path`, links followed: "file", "a folder", another kind, or None."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        if os.path.lexists(path):
            raise ArchiveError(f"{path} is a link to nothing") from None
        return None
    except NotADirectoryError:
        raise ArchiveError(f"{path} is under a file, not a folder") from None
    except OSError as exc:
        raise ArchiveError(f"{path} cannot be looked at ({exc.strerror})") from None
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _is_sqlite(path: Path) -> bool:
    """An SQLite file, or an empty one (SQLite makes an archive of an empty file)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise ArchiveError(f"{path} cannot be read ({exc.strerror})") from None
    return head in (b"", SQLITE_HEADER)
