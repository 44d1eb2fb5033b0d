"""Finding and reading editors' files safely: no escaping content/, no giant or binary files."""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from syndication.errors import ContentError

ARTICLE_SUFFIXES = (".md", ".markdown")
log = logging.getLogger("syndication.ingest")
NOW_A_FOLDER = "this is now a folder, not a file; the last good version stays"


@dataclass(frozen=True, slots=True)
class FileStat:
    size: int
    mtime_ns: int
    is_dir: bool = False


UNREADABLE = FileStat(-1, 0, is_dir=True)  # walk(): a folder that could not be listed


def is_article_name(name: str) -> bool:
    """Markdown files, minus editors' temporary and hidden files (.#x.md, x.md~, .x.swp)."""
    return name.endswith(ARTICLE_SUFFIXES) and not name.startswith((".", "#", "~"))


def relative(path: Path, content_dir: Path) -> str:
    return path.relative_to(content_dir).as_posix()


def walk(content_dir: Path) -> Iterator[tuple[str, FileStat]]:
    """Every article path under content_dir with its size and mtime (stat calls only), in
    the order of the paths as strings, which is also SQLite's order of them: a scan can
    then go through the archive's rows beside it instead of holding either side whole.

    Each folder's entries are sorted with a "/" after folder names, so "a-b.md" comes
    before "a/x.md" as it does as a whole path; a folder's listing is all a walk holds,
    as names. A folder whose name looks like an article file is reported with is_dir=True,
    so a file replaced by a folder is an error, not a silent withdrawal; one that cannot be
    listed is reported as UNREADABLE at its path with a "/".
    """
    root = str(content_dir)
    listed = _sorted_names(root)
    if listed is None:
        yield "", UNREADABLE
        return
    stack = [(root, "", iter(listed))]
    while stack:  # a stack, not recursion: nesting depth is the editors' to choose
        folder, prefix, names = stack[-1]
        step = next(names, None)
        if step is None:
            stack.pop()
            continue
        _, name, kind = step
        path = os.path.join(folder, name)
        if kind == _FOLDER:
            listed = _sorted_names(path)
            if listed is None:  # its files are not gone: the scan must leave them be
                yield prefix + name + "/", UNREADABLE
            else:
                stack.append((path, prefix + name + "/", iter(listed)))
        elif kind == _FOLDER_NAMED_LIKE_A_FILE:
            yield prefix + name, FileStat(0, 0, is_dir=True)
        else:
            try:
                st = os.stat(path)
            except OSError:  # a dangling link or a file gone mid-scan: read_file reports it
                yield prefix + name, FileStat(-1, 0)
            else:
                yield prefix + name, FileStat(st.st_size, st.st_mtime_ns)


def scan(content_dir: Path) -> dict[str, FileStat]:
    """What walk() finds, by path (folders that cannot be read left out)."""
    return {rel: st for rel, st in walk(content_dir) if st is not UNREADABLE}


_FILE, _FOLDER, _FOLDER_NAMED_LIKE_A_FILE = 0, 1, 2


def _sorted_names(folder: str) -> list[tuple[str, str, int]] | None:
    """(sort key, name, kind) of what walk() looks at in one folder, in walk order; None
    when the folder cannot be listed (whole: half a listing would make files look gone)."""
    keyed = []
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                name = entry.name
                if name.startswith("."):
                    continue
                try:
                    is_dir = entry.is_dir(follow_symlinks=False)
                except OSError:
                    is_dir = False
                if is_dir:
                    keyed.append((name + "/", name, _FOLDER))
                    if is_article_name(name):
                        keyed.append((name, name, _FOLDER_NAMED_LIKE_A_FILE))
                elif is_article_name(name):
                    keyed.append((name, name, _FILE))
    except OSError as exc:
        log.warning(
            "the folder %s cannot be read (%s); its files are left as they were",
            folder,
            exc.strerror,
        )
        return None
    keyed.sort(key=lambda k: k[0])
    return keyed


def stat_one(content_dir: Path, rel: str) -> FileStat | None:
    """The same as scan() gives for one path; None when nothing is there."""
    path = content_dir / rel
    try:
        st = path.lstat()
    except OSError:
        return None
    if stat.S_ISDIR(st.st_mode):
        return FileStat(0, 0, is_dir=True)
    try:
        st = path.stat()
    except OSError:
        return FileStat(-1, 0)
    return FileStat(st.st_size, st.st_mtime_ns)


class NotARegularFile(Exception):
    """What open_regular found instead of a file: a folder, a pipe, a device, a link out."""


OUTSIDE = "this is a link to a file outside the content folder; copy the file in instead"


def open_regular(path: Path, root: Path) -> BinaryIO:
    """`path` (under the resolved `root`) opened for reading, if it is a regular file there.

    Links are followed only to files under `root`. The file is opened without blocking and
    without following a link in its last part (O_NONBLOCK, O_NOFOLLOW), and what was opened
    is what is checked (fstat, and the kernel's name for it): a named pipe renamed over an
    article between a check and the open can no longer hold the reader forever, and a link
    swapped in cannot lead out of `root`."""
    try:
        real = path.resolve()
    except RuntimeError:  # Python 3.11's word for a link that leads back to itself
        raise NotARegularFile("this is a link that leads back to itself") from None
    if not real.is_relative_to(root):
        raise NotARegularFile(OUTSIDE)
    try:
        fd = os.open(real, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # a link put in its place after it was resolved
            raise NotARegularFile("this file was replaced by a link while it was read") from None
        raise
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise NotARegularFile(NOW_A_FOLDER)
        if not stat.S_ISREG(mode):
            raise NotARegularFile("this is not a regular file (a pipe, a device or a socket)")
        opened = _name_of(fd)
        if opened is not None and not opened.is_relative_to(root):
            raise NotARegularFile(OUTSIDE)
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _name_of(fd: int) -> Path | None:
    """The path the kernel knows an open file by (None where /proc does not say)."""
    try:
        return Path(os.readlink(f"/proc/self/fd/{fd}"))
    except OSError:
        return None


def read_file(root: Path, rel: str, max_bytes: int) -> bytes:
    """The file's bytes, or a ContentError an editor can act on. `root` must be resolved."""
    try:
        with open_regular(root / rel, root) as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > max_bytes:
                raise ContentError(
                    rel,
                    f"the file is {size / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.1f} MB "
                    "(put large media next to it and link them)",
                )
            data = handle.read(max_bytes + 1)
    except NotARegularFile as exc:
        raise ContentError(rel, str(exc)) from None
    except FileNotFoundError:
        raise ContentError(rel, "the file disappeared while it was being read") from None
    except PermissionError:
        raise ContentError(rel, "the file cannot be read (permission denied)") from None
    except OSError as exc:
        raise ContentError(rel, f"the file cannot be read ({exc.strerror})") from None
    if len(data) > max_bytes:
        raise ContentError(rel, f"the file grew past the limit of {max_bytes / 1e6:.1f} MB")
    return data


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()
