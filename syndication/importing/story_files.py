"""Writing imported stories: one file each, whole or not at all, only when it changes, and
checked as `syndication check` would."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path, PurePosixPath

import yaml
from slugify import slugify

from syndication.config import Settings
from syndication.importing.report import Report
from syndication.ingest.check import Claims, clashes_of
from syndication.ingest.imageinfo import is_picture

_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def file_text(fields: dict[str, object], body: str) -> str:
    front = yaml.dump(  # libyaml's emitter: the pure-Python one took 2 ms a story
        fields, Dumper=_DUMPER, allow_unicode=True, sort_keys=False, width=1_000_000
    )
    return f"---\n{front}---\n\n{body}"


def keep_picture(
    folder: Path, name: PurePosixPath, data: bytes, report: Report, dry_run: bool
) -> str | None:
    """A picture written to `folder`/media/ (once an import, and only when new); its `src`,
    the path under content/ (`folder` is content/imported/<site>); None, with a note, when
    it cannot be written. Named by its own stem, made safe, and the digest of its bytes: the
    old site's names (over 255 bytes, a NUL, a folder where a file was, a deep path) never
    reach the file system, and two pictures of one name never overwrite each other."""
    if not is_picture(data):  # a page served as image/jpeg, a file misnamed .jpg
        report.notes.append(
            f"the picture {name.as_posix()[:80]!r} was not copied: its bytes are not a "
            "JPEG, PNG, GIF, WebP or AVIF picture"
        )
        return None
    digest = hashlib.blake2b(data, digest_size=8).hexdigest()
    stem = slugify(name.stem, max_length=40) or "picture"
    target = folder / "media" / f"{stem}-{digest}{name.suffix.lower()}"
    if str(target) not in report.copied:
        try:
            if not dry_run and not target.is_file():
                write_whole(target, "", Report(), False, data=data)
        except OSError as exc:
            report.notes.append(
                f"the picture {name.as_posix()[:80]!r} could not be written: {exc.strerror or exc}"
            )
            return None
        report.copied.add(str(target))
    return "/" + target.relative_to(folder.parents[1]).as_posix()


def read_upload(uploads: Path, file: str, max_bytes: int) -> bytes | None:
    """A file of the old site's uploads folder, if it is one inside it and not too big."""
    root = uploads.resolve()
    try:
        source = (root / file).resolve()
        if not source.is_relative_to(root) or not source.is_file():
            return None
        if source.stat().st_size > max_bytes:
            return None
        return source.read_bytes()
    except (OSError, ValueError):  # a name the OS refuses (too long, a NUL)
        return None


def clear_leftovers(folder: Path) -> None:
    """Temporary files an import killed while writing left behind."""
    for leftover in folder.rglob(f"{_TEMPORARY}*"):
        leftover.unlink(missing_ok=True)


_TEMPORARY = ".importing-"


LEDGER = ".imported"  # in each import's folder: what the import last wrote to each file


class Ledger:
    """What an import last wrote to each story file of its folder (a digest), kept in the
    folder (a hidden file: ingest never reads it) and appended to as each file is written,
    so an import killed halfway still knows. A file whose bytes are not what was written
    was edited here since, and an import leaves it be unless told to overwrite edits."""

    def __init__(self, folder: Path, overwrite_edited: bool = False) -> None:
        self.path = folder / LEDGER
        self.overwrite_edited = overwrite_edited
        self.written: dict[str, str] = {}
        self.missing = False  # no record at all: what is there may be anyone's
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            lines, self.missing = [], any(_stories(folder))
        except (OSError, UnicodeDecodeError):
            lines, self.missing = [], True
        for line in lines:  # "digest name": the last line of a name is what it holds
            digest, _, name = line.partition(" ")
            if name:
                self.written[name] = digest

    def changed_here(self, target: Path, current: bytes | None) -> bool:
        """Whether the file holds something no import wrote, or is gone though an import
        wrote it: an editor's work, which an import leaves be (unless told otherwise)."""
        if self.overwrite_edited:
            return False
        written = self.written.get(target.name)
        if current is None:
            return written is not None
        return written != _digest(current)  # (with no record, any file that differs)

    def wrote(self, target: Path, data: bytes, dry_run: bool) -> None:
        digest = _digest(data)
        if self.written.get(target.name) == digest:
            return
        self.written[target.name] = digest
        if not dry_run:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as out:
                out.write(f"{digest} {target.name}\n")

    def forget(self, target: Path) -> None:
        self.written.pop(target.name, None)

    def close(self, dry_run: bool) -> None:
        """Once the import ends: one line a file (the log of this run folded in)."""
        if dry_run or not self.path.exists():
            return
        lines = "".join(f"{digest} {name}\n" for name, digest in sorted(self.written.items()))
        write_whole(self.path, lines, Report(), False)


def _stories(folder: Path) -> list[Path]:
    try:
        return sorted(f for f in folder.glob("*.md") if f.is_file())
    except OSError:
        return []


def _shown(target: Path) -> str:
    """A story file as the report names it: from content/ on (imported/<site>/12.md)."""
    parts = target.parts
    return "/".join(parts[parts.index("imported") :]) if "imported" in parts else str(target)


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def write_whole(
    target: Path,
    text: str,
    report: Report,
    dry_run: bool,
    *,
    data: bytes | None = None,
    ledger: Ledger | None = None,
) -> str:
    """Writes the file unless it already holds `text` (or `data`), or, with a `ledger`,
    holds an edit made here since the import wrote it or was deleted here since; which of
    those it was ("imported", "updated", "unchanged", "kept"). With no record of what the
    import wrote (.imported lost), a file that differs is kept: it may be an edit."""
    data = text.encode() if data is None else data
    current = target.read_bytes() if target.is_file() else None
    if current == data:
        report.unchanged += 1
        if ledger is not None:
            ledger.wrote(target, data, dry_run)
        return "unchanged"
    if ledger is not None and ledger.changed_here(target, current):
        how = "deleted" if current is None else "edited" if not ledger.missing else "unknown"
        report.kept.append((_shown(target), how))
        return "kept"
    if ledger is not None and ledger.overwrite_edited and current is not None:
        if ledger.written.get(target.name) != _digest(current):
            report.overwritten.append(_shown(target))  # an edit here, replaced as asked
    elif ledger is not None and ledger.overwrite_edited and target.name in ledger.written:
        report.overwritten.append(_shown(target))  # deleted here, brought back as asked
    done = "updated" if target.exists() else "imported"
    setattr(report, done, getattr(report, done) + 1)
    if dry_run:
        return done
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=_TEMPORARY, suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    if ledger is not None:  # once written: a crash before leaves the file as it was
        ledger.wrote(target, data, dry_run)
    return done


def refused_by_check(
    settings: Settings,
    written: dict[Path, str],
    parsed: dict[str, Claims],
    report: Report,
    ledger: Ledger,
) -> None:
    """What `syndication check` refuses among the files written (an id or an address the
    archive or another file already holds): a new file is removed (and the ledger forgets
    it, so a later import writes it as new, not as one deleted here); one imported before
    stays, and the archive keeps its last good version. Each is reported."""
    content = settings.content_dir.resolve()
    for error in clashes_of(settings, parsed):
        path = content / error.file
        if written.get(path) == "imported":
            report.imported -= 1
            path.unlink(missing_ok=True)
            ledger.forget(path)
            report.skip(error.file, f"would not publish: {error.message}")
        else:
            report.notes.append(f"{error.file} does not publish now: {error.message}")
