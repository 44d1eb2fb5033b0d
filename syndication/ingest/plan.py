"""Deciding what to read: the files under content/ against what the archive knows of them.

A full scan walks content/ in the order of its paths, which is the archive's order of its
`files` rows, and reads those rows a page at a time beside the walk, as a merge join
does. So a scan of a million files holds neither the files it walks nor the rows it
compares them with, only what it must act on: the files gone, and the files to read up to
HOLD of them. Past that (a first ingest), it walks again while the files are read.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Iterable, Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from pathlib import Path

from syndication.archive.batch import FileRow, Rejected
from syndication.archive.writer import ArchiveWriter
from syndication.errors import ContentError
from syndication.ingest import files

HOLD = 10_000  # files to read that a scan keeps from its first walk; more are walked again

ErrorStat = tuple[int, int]  # the size and mtime a file had when its error was recorded
# (path, what is there now, what the archive knows of it, the size and mtime of its error)
Joined = tuple[str, files.FileStat | None, FileRow | None, ErrorStat | None]


@dataclass(frozen=True, slots=True)
class Candidate:
    file: str
    size: int
    mtime_ns: int
    known_hash: str | None  # hash of the last good version, when there is one


@dataclass(slots=True)
class Plan:
    count: int  # files to read, as first counted
    gone: set[str]  # files the archive knows that are no longer there
    rejected: list[Rejected]  # files that became folders
    held: list[Candidate] | None  # the files to read, unless there were too many to hold
    walk_again: Callable[[], Iterator[Candidate]]

    def candidates(self) -> Iterator[Candidate]:
        """The files to read, in path order. Walked again, they are decided afresh, so a
        file saved meanwhile is read as it is now."""
        return iter(self.held) if self.held is not None else self.walk_again()


def decide(
    rel: str,
    st: files.FileStat,
    known: FileRow | None,
    error: ErrorStat | None,
    forced: bool,
) -> Candidate | Rejected | None:
    """What a file that is there now needs: to be read, to be reported, or nothing."""
    if st.is_dir:
        if known is not None and error != (0, 0):
            return Rejected(rel, 0, 0, ContentError(rel, files.NOW_A_FOLDER))
        return None
    if forced:  # the file is as it was, but what it depends on (or the rules) are not
        return Candidate(rel, st.size, st.mtime_ns, None)
    unchanged = known is not None and (known.size, known.mtime_ns) == (st.size, st.mtime_ns)
    if (unchanged and error is None) or error == (st.size, st.mtime_ns):
        return None  # same size and mtime as what the archive (or its error) is based on
    return Candidate(rel, st.size, st.mtime_ns, known.content_hash if known else None)


def full(
    content_dir: Path, writer: ArchiveWriter, forced: AbstractSet[str], force_all: bool
) -> Plan:
    """Every file under content/ against every file the archive knows."""

    def joined() -> Iterator[Joined]:
        return _joined(
            files.walk(content_dir), writer.file_rows_in_order(), writer.error_stats_in_order()
        )

    def walk_again() -> Iterator[Candidate]:
        for rel, st, known, error in joined():
            if st is not None and st is not files.UNREADABLE:
                found = decide(rel, st, known, error, force_all or rel in forced)
                if isinstance(found, Candidate):
                    yield found

    plan = Plan(0, set(), [], [], walk_again)
    unreadable = "\0"  # the folder being passed that could not be listed: nothing is gone
    for rel, st, known, error in joined():
        if st is files.UNREADABLE:
            unreadable = rel
        elif st is None:
            if not rel.startswith(unreadable):
                plan.gone.add(rel)
        else:
            _note(plan, decide(rel, st, known, error, force_all or rel in forced))
    return plan


def chosen(
    present: dict[str, files.FileStat],
    gone: Iterable[str],
    recorded: dict[str, FileRow],
    errors: dict[str, ErrorStat],
    forced: AbstractSet[str],
) -> Plan:
    """Just the paths a watched change names (`recorded` and `errors` hold at least theirs)."""

    def decided() -> Iterator[Candidate | Rejected | None]:
        for rel in sorted(present):
            yield decide(rel, present[rel], recorded.get(rel), errors.get(rel), rel in forced)

    def walk_again() -> Iterator[Candidate]:
        return (found for found in decided() if isinstance(found, Candidate))

    plan = Plan(0, {f for f in gone if f in recorded or f in errors}, [], [], walk_again)
    for found in decided():
        _note(plan, found)
    return plan


def _note(plan: Plan, found: Candidate | Rejected | None) -> None:
    if isinstance(found, Rejected):
        plan.rejected.append(found)
    elif found is not None:
        plan.count += 1
        if plan.held is not None:
            plan.held.append(found)
            if len(plan.held) > HOLD:
                plan.held = None  # too many to keep: they are walked again when read


def _joined(
    walked: Iterable[tuple[str, files.FileStat]],
    known: Iterable[tuple[str, FileRow]],
    errors: Iterable[tuple[str, ErrorStat]],
) -> Iterator[Joined]:
    """One row per path in any of three streams sorted by path."""
    tagged: Iterator[Joined] = heapq.merge(
        ((rel, st, None, None) for rel, st in _ascending(walked)),
        ((rel, None, row, None) for rel, row in known),
        ((rel, None, None, stat) for rel, stat in errors),
        key=lambda row: row[0],
    )
    for rel, rows in itertools.groupby(tagged, key=lambda row: row[0]):
        st: files.FileStat | None = None
        row: FileRow | None = None
        stat: ErrorStat | None = None
        for _, now, was, failed in rows:  # at most one of each: each stream names a path once
            st, row, stat = now or st, was or row, failed or stat
        yield rel, st, row, stat


Walked = tuple[str, files.FileStat]


def _ascending(walked: Iterable[Walked]) -> Iterator[Walked]:
    """The walk, checked: a path out of order would make every file after it look gone."""
    previous: str | None = None
    for rel, st in walked:
        if previous is not None and rel <= previous:
            raise RuntimeError(f"content/ was walked out of order: {rel!r} after {previous!r}")
        previous = rel
        yield rel, st
