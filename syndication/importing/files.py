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


def write_whole(
    target: Path, text: str, report: Report, dry_run: bool, *, data: bytes | None = None
) -> str:
    """Writes the file unless it already holds `text` (or `data`); which of those it was."""
    data = text.encode() if data is None else data
    if target.is_file() and target.read_bytes() == data:
        report.unchanged += 1
        return "unchanged"
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
    return done


def refused_by_check(
    settings: Settings, written: dict[Path, str], parsed: dict[str, Claims], report: Report
) -> None:
    """What `syndication check` refuses among the files written (an id or an address the
    archive or another file already holds): a new file is removed; one imported before stays,
    and the archive keeps its last good version. Each is reported."""
    content = settings.content_dir.resolve()
    for error in clashes_of(settings, parsed):
        path = content / error.file
        if written.get(path) == "imported":
            report.imported -= 1
            path.unlink(missing_ok=True)
            report.skip(error.file, f"would not publish: {error.message}")
        else:
            report.notes.append(f"{error.file} does not publish now: {error.message}")
