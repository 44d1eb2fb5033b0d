"""`syndication check`: validate files exactly as ingest would, writing nothing.

Clashes (two files claiming one id or one address) are judged against every file of the
content folder and, when there is one, the archive, so checking one file finds the same
clashes as checking the folder: the file the archive already has keeps what it holds, and
among newcomers the first in path order does, as a fresh ingest would decide.
"""

from __future__ import annotations

import difflib
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from syndication.archive import ownership
from syndication.archive.ownership import Claim
from syndication.archive.schema import Access, connect
from syndication.config import PICTURE_SETTINGS, Settings
from syndication.errors import ContentError, ContentWarning, SyndicationError
from syndication.ingest import files
from syndication.ingest.parse import Parsed, parse_safely
from syndication.model import Contributor


@dataclass
class CheckReport:
    checked: int = 0
    errors: list[ContentError] = field(default_factory=list)
    warnings: list[ContentWarning] = field(default_factory=list)
    # what the settings name that no file or story has (printed against the settings file)
    settings_warnings: list[str] = field(default_factory=list)


def check_paths(settings: Settings, paths: Iterable[Path]) -> CheckReport:
    content_dir = settings.content_dir.resolve()
    rels = _files_named(content_dir, paths)
    report = CheckReport(checked=len(rels))
    parsed: dict[str, Claims] = {}
    bylines: set[str] = set()
    for rel in sorted(rels):
        try:
            read = _read(content_dir, rel, settings)
        except ContentError as error:
            report.errors.append(error)
            continue
        report.warnings.extend(read.warnings)
        parsed[rel] = Claims.of(read)
        bylines.update(a.name for a in read.article.authors)
    if parsed:
        report.errors += _clashes(settings, content_dir, parsed, rels)
    if any(path.resolve() == content_dir for path in paths):  # the whole folder was read
        report.settings_warnings = _settings_warnings(settings, content_dir, bylines)
    report.errors.sort(key=lambda e: (e.file, e.line or 0))
    return report


def _settings_warnings(settings: Settings, content_dir: Path, bylines: set[str]) -> list[str]:
    """What syndication.toml names that no file or story has: an author's entry whose name
    no byline spells so (a typo loses their fediverse account), a picture in content/ that
    is not there."""
    found = []
    names = {Contributor.key(b): b for b in bylines}
    for author in settings.authors:
        if Contributor.key(author.name) not in names:
            near = difflib.get_close_matches(Contributor.key(author.name), names, n=1)
            hint = f' (did you mean "{names[near[0]]}"?)' if near else ""
            found.append(f'[authors."{author.name}"] names no author of any story{hint}')
    for name in PICTURE_SETTINGS:
        value = getattr(settings, name)
        if value.startswith("/media/") and not (content_dir / value[len("/media/") :]).is_file():
            found.append(f"{name}: {value} is not a file in content/")
    return found


def _files_named(content_dir: Path, paths: Iterable[Path]) -> set[str]:
    rels: set[str] = set()
    for path in paths:
        try:
            resolved = path.resolve()
        except RuntimeError:  # Python 3.11's word for a link that leads back to itself
            raise SyndicationError(f"{path} is a link that leads back to itself") from None
        if not resolved.is_relative_to(content_dir):
            raise SyndicationError(f"{path} is not inside the content folder {content_dir}")
        if resolved.is_dir():
            rel_dir = resolved.relative_to(content_dir).as_posix()
            prefix = "" if rel_dir == "." else rel_dir + "/"
            rels.update(prefix + r for r, st in files.scan(resolved).items() if not st.is_dir)
        elif resolved.exists():
            rels.add(resolved.relative_to(content_dir).as_posix())
        else:
            raise SyndicationError(f"{path}: no such file or folder")
    return rels


@dataclass(frozen=True, slots=True)
class Claims:
    """What a parsed file claims, and the lines a clash names: all `check` keeps of it, so
    an import of 100,000 posts holds a few hundred bytes a post, not each parsed story."""

    held: frozenset[Claim]
    wanted: tuple[Claim, ...]
    lines: dict[str, int]

    @classmethod
    def of(cls, result: Parsed) -> Claims:
        article = result.article
        wanted: list[Claim] = [("address", article.path)]
        if article.id_given:
            wanted.append(("id", article.id))
        lines = {k: v for k, v in result.lines.items() if k in ("id", "slug", "title")}
        return cls(frozenset(_held(result)), tuple(wanted), lines)

    @property
    def path(self) -> str:
        """The address the file asks for."""
        return self.wanted[0][1]


def clashes_of(settings: Settings, parsed: dict[str, Claims]) -> list[ContentError]:
    """The clashes `check` finds for files already parsed (an import's), without reading
    them again."""
    return _clashes(settings, settings.content_dir.resolve(), parsed, set(parsed))


def _read(content_dir: Path, rel: str, settings: Settings) -> Parsed:
    data = files.read_file(content_dir, rel, settings.max_file_bytes)
    return parse_safely(data, rel, content_dir, settings)


def _clashes(
    settings: Settings, content_dir: Path, parsed: dict[str, Claims], checked: set[str]
) -> list[ContentError]:
    archived = _Archived.read(settings.db_path)
    holders: dict[Claim, list[str]] = {}
    for rel, st in files.walk(content_dir):  # in path order
        if st.is_dir or (rel in checked and rel not in parsed):
            continue
        if rel in parsed:
            held = set(parsed[rel].held)
        elif archived.current(rel, st):
            held = archived.held_by.get(rel, set())
        else:
            try:
                held = _held(_read(content_dir, rel, settings))
            except ContentError:
                continue  # not asked about; it claims nothing until it is fixed
        for claim in held:
            holders.setdefault(claim, []).append(rel)
    errors = []
    for rel, result in parsed.items():
        for claim in result.wanted:
            owner = _owner(holders.get(claim, []), archived.owner.get(claim))
            if owner is None or owner == rel:
                continue
            kind, value = claim
            if kind == "id":
                errors.append(ownership.id_clash(rel, value, owner, result.lines))
            else:
                errors.append(ownership.address_clash(rel, value, owner, result.lines))
    return errors


def _held(result: Parsed) -> set[Claim]:
    """What a file holds once ingested: its id when it gives one, and its address unless
    it is withdrawn (a withdrawn story keeps its id but gives up its address)."""
    article = result.article
    held: set[Claim] = set()
    if article.id_given:
        held.add(("id", article.id))
    if article.status.value != "withdrawn":
        held.add(("address", article.path))
    return held


def _owner(holders: list[str], archived_owner: str | None) -> str | None:
    """The archive's holder keeps it while its file still holds it; else the first file."""
    if archived_owner is not None and archived_owner in holders:
        return archived_owner
    return holders[0] if holders else None


@dataclass
class _Archived:
    """What the archive says each file holds, and which files it read as they are now."""

    files_read: dict[str, tuple[int, int]] = field(default_factory=dict)
    held_by: dict[str, set[Claim]] = field(default_factory=dict)
    owner: dict[Claim, str] = field(default_factory=dict)

    @classmethod
    def read(cls, db_path: Path) -> _Archived:
        found = cls()
        if not db_path.exists():
            return found
        try:
            conn = connect(db_path, Access.READER)
        except sqlite3.Error:
            return found
        try:
            found._load(conn)
        except sqlite3.Error:
            return cls()  # an archive from another version, or damaged: check files alone
        finally:
            conn.close()
        return found

    def _load(self, conn: sqlite3.Connection) -> None:
        self.files_read = ownership.recorded_files(conn)
        for file, claim in ownership.recorded_claims(conn):
            self.held_by.setdefault(file, set()).add(claim)
            self.owner[claim] = file

    def current(self, rel: str, st: files.FileStat) -> bool:
        return self.files_read.get(rel) == (st.size, st.mtime_ns)
