"""Finding and reading editors' files safely: no escaping content/, no giant or binary files."""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from syndication.errors import ContentError

ARTICLE_SUFFIXES = (".md", ".markdown")


@dataclass(frozen=True, slots=True)
class FileStat:
    size: int
    mtime_ns: int
    is_dir: bool = False


def is_article_name(name: str) -> bool:
    """Markdown files, minus editors' temporary and hidden files (.#x.md, x.md~, .x.swp)."""
    return name.endswith(ARTICLE_SUFFIXES) and not name.startswith((".", "#", "~"))


def relative(path: Path, content_dir: Path) -> str:
    return path.relative_to(content_dir).as_posix()


def scan(content_dir: Path) -> dict[str, FileStat]:
    """Every article path under content_dir with its size and mtime; stat calls only.

    A folder whose name looks like an article file is reported with is_dir=True so that a
    file replaced by a folder is an error, not a silent withdrawal.
    """
    found: dict[str, FileStat] = {}
    root = str(content_dir)
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            try:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                    if is_article_name(entry.name):
                        found[_rel(entry.path, root)] = FileStat(0, 0, is_dir=True)
                elif is_article_name(entry.name):
                    st = entry.stat(follow_symlinks=True)
                    found[_rel(entry.path, root)] = FileStat(st.st_size, st.st_mtime_ns)
            except OSError:  # a dangling link or a file gone mid-scan: read_source reports it
                found[_rel(entry.path, root)] = FileStat(-1, 0)
    return found


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


def _rel(path: str, root: str) -> str:
    return os.path.relpath(path, root).replace(os.sep, "/")


def read_source(root: Path, rel: str, max_bytes: int) -> bytes:
    """The file's bytes, or a ContentError an editor can act on. `root` must be resolved."""
    path = root / rel
    try:
        if path.is_symlink() and not path.resolve().is_relative_to(root):
            raise ContentError(
                rel, "this is a link to a file outside the content folder; copy the file in instead"
            )
        st = path.stat()
        if stat.S_ISDIR(st.st_mode):
            raise ContentError(rel, "this is now a folder, not a file; the last good version stays")
        if not stat.S_ISREG(st.st_mode):
            raise ContentError(rel, "this is not a regular file")
        if st.st_size > max_bytes:
            raise ContentError(
                rel,
                f"the file is {st.st_size / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.1f} MB "
                "(put large media next to it and link them)",
            )
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
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
