"""The `syndication` command: a newsroom's archive, its feeds and its partners."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp

from syndication.archive import archive_files, lock
from syndication.archive.archive_files import check_archive_path, check_backup_source
from syndication.archive.backup import backup, restore
from syndication.archive.lock import open_appender, writer_lock, writing
from syndication.archive.queries import Archive
from syndication.archive.writer import ArchiveWriter
from syndication.cli_editors import add_commands as add_editor_commands
from syndication.cli_import import add_commands as add_import_commands
from syndication.cli_newsletter import add_commands as add_newsletter_commands
from syndication.cli_partners import add_commands as add_partner_commands
from syndication.clock import Clock
from syndication.config import Settings, load_settings, require_named_settings
from syndication.errors import ContentError, SyndicationError
from syndication.ingest import health
from syndication.ingest.check import check_paths
from syndication.ingest.pipeline import Ingestor
from syndication.model import ArchiveStatus, State
from syndication.publish.routes import refuse_shadowed
from syndication.rights_check import check_rights
from syndication.runtime import runtime_dir


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        require_named_settings(args.config)
        settings = load_settings(args.config).with_overrides(
            content_dir=args.content,
            db_path=args.db,
            host=getattr(args, "host", None),
            port=getattr(args, "port", None),
        )
        refuse_shadowed(settings)  # an edition or section another route would answer for
        check_archive_path(settings.db_path)
        return int(args.run(settings, args, Clock()))
    except SyndicationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # the machine said no (a disk, a permission): one line, not a trace
        where = f": {exc.filename}" if exc.filename else ""
        print(f"error: {exc.strerror or exc}{where}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="syndication")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--content", type=Path, help="editors' folder (default: content)")
    common.add_argument("--db", type=Path, help="SQLite archive file (default: syndication.db)")
    common.add_argument("--config", type=Path, help="settings file (default: syndication.toml)")
    common.add_argument("-v", "--verbose", action="store_true")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser(
        "serve", parents=[common], help="ingest, watch content/ and serve HTTP"
    )
    serve.add_argument("--host", help="address to listen on (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to listen on (default: 8080)")
    serve.add_argument(
        "--workers",
        type=int,
        default=0,
        help="run one writer process and this many HTTP reader processes (default: one "
        "process does everything)",
    )
    serve.add_argument(
        "--replica",
        metavar="SOURCE",
        help="serve read-only from a copy of the archive following this Litestream replica "
        "(a folder, file:// or s3:// URL); --db names the local copy",
    )
    serve.add_argument(  # set by the supervisor for its children
        "--role", choices=("single", "writer", "reader"), default="single", help=argparse.SUPPRESS
    )
    serve.set_defaults(run=_serve)

    ingest = commands.add_parser("ingest", parents=[common], help="one ingest pass, then exit")
    ingest.set_defaults(run=_ingest)

    check = commands.add_parser("check", parents=[common], help="validate files, write nothing")
    check.add_argument("paths", nargs="*", type=Path, help="files or folders (default: content)")
    check.add_argument(
        "--rights",
        action="store_true",
        help="read every surface that states the rights policy back from the served site "
        "(docs/rights.md) and report any that disagrees with the policy",
    )
    check.add_argument(
        "--url", help="with --rights: the site to read (default: the configured address)"
    )
    check.add_argument(
        "--partner-key",
        default=os.environ.get("SYNDICATION_CHECK_PARTNER_KEY", ""),
        help="with --rights: a partner's API key, to read the partner API's items too "
        "(or SYNDICATION_CHECK_PARTNER_KEY)",
    )
    check.add_argument("--limit", type=int, help="with --rights: only the newest N stories")
    check.set_defaults(run=_check)

    status = commands.add_parser("status", parents=[common], help="counts, last change, errors")
    status.add_argument("--json", action="store_true", help="machine-readable output")
    status.set_defaults(run=_status)

    back = commands.add_parser("backup", parents=[common], help="online copy of the archive")
    back.add_argument("dest", type=Path, help="the backup's file (not beside an archive)")
    back.set_defaults(run=_backup)

    restoring = commands.add_parser(
        "restore", parents=[common], help="make a backup the archive (server stopped)"
    )
    restoring.add_argument("source", type=Path, help="a file made by `syndication backup`")
    restoring.add_argument("--replace", action="store_true", help="overwrite an existing archive")
    restoring.set_defaults(run=_restore)

    previewing = commands.add_parser(
        "preview",
        parents=[common],
        help="print a signed link to preview a draft or scheduled story as it will be published",
    )
    previewing.add_argument("file", type=Path, help="the story's file (under content/)")
    previewing.add_argument(
        "--hours", type=float, default=48.0, help="how long the link works (default: 48)"
    )
    previewing.set_defaults(run=_preview)

    promoting = commands.add_parser(
        "promote",
        parents=[common],
        help="make a replica's copy (--db) the primary's archive: stop following, ingest content/",
    )
    promoting.set_defaults(run=_promote)

    add_partner_commands(commands, common)
    add_editor_commands(commands, common)
    add_import_commands(commands, common)
    add_newsletter_commands(commands, common)
    # the commands named from the parser itself: a new one is never left out
    parser.description = (
        f"`syndication {' | '.join(commands.choices)}`: a newsroom's archive, its feeds "
        "and its partners."
    )
    return parser


def _serve(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    from syndication.serve import serve

    if args.replica:
        from syndication.replica.litestream import replica_url

        if args.workers:
            raise SyndicationError("a replica runs as one process: leave out --workers")
        replica_url(args.replica)  # refused here, before anything starts, when it is not one
        return serve(replace(settings, replica_of=args.replica), clock, "replica")
    if args.workers:
        from syndication.supervisor import Supervisor

        return Supervisor(settings, args.config, args.workers).run()
    return serve(settings, clock, args.role)


def _preview(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    from syndication.archive import served_address
    from syndication.archive.previews import ensure_secret
    from syndication.web.previews import preview_url

    if not 0 < args.hours <= 24 * 90:
        raise SyndicationError("--hours must be more than 0 and at most 2160 (90 days)")
    content = settings.content_dir.resolve()
    try:
        rel = args.file.resolve().relative_to(content).as_posix()
    except ValueError:
        rel = args.file.as_posix()  # given relative to content/ already
    conn = open_appender(settings.db_path, clock)
    try:
        row = conn.execute(
            "SELECT id, state, path, version FROM articles WHERE source_file = ? AND file_gone = 0",
            (rel,),
        ).fetchone()
        if row is None:
            raise SyndicationError(f"{rel} is not a story the archive holds (see `status`)")
        settings = served_address.linked(conn, settings)
        if row[1] not in ("draft", "scheduled"):
            raise SyndicationError(f"{rel} is {row[1]}: its page is {settings.absolute(row[2])}")
        secret = settings.preview_secret or ensure_secret(conn)
    finally:
        conn.close()
    print(preview_url(settings, secret, str(row[0]), int(row[3]), args.hours, clock.now()))
    return 0


def _promote(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    from syndication.replica.promote import promote

    print(promote(settings, clock))
    return 0


def _ingest(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    with writing(settings.db_path, "ingest", clock) as conn:
        writer = ArchiveWriter(conn, clock)
        result = Ingestor(settings, writer).full_scan()
        result.add(writer.promote_due())
    for error in result.errors:
        print(error.format(str(settings.content_dir)), file=sys.stderr)
    print(
        f"{result.published} published, {result.updated} updated, {result.withdrawn} withdrawn, "
        f"{result.unchanged} unchanged, {len(result.errors)} invalid"
    )
    return 1 if result.errors else 0


def _check(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    if args.rights:
        return _check_rights(settings, args)
    if args.url or args.limit is not None:
        raise SyndicationError("--url and --limit go with --rights")
    paths = args.paths or [settings.content_dir]
    report = check_paths(settings, paths)
    root = str(settings.content_dir)
    for line in sorted(
        [(e.file, e.line or 0, e.format(root)) for e in report.errors]
        + [(w.file, w.line or 0, w.format(root)) for w in report.warnings]
    ):
        print(line[2])
    config = args.config or Path("syndication.toml")
    for warning in report.settings_warnings:
        print(f"{config}: warning: {warning}")
    print(
        f"{report.checked} files checked, {len(report.errors)} errors, "
        f"{len(report.warnings) + len(report.settings_warnings)} warnings",
        file=sys.stderr,
    )
    return 1 if report.errors else 0


def _check_rights(settings: Settings, args: argparse.Namespace) -> int:
    if args.paths:
        raise SyndicationError("check --rights reads the served site: it takes no files")
    base = args.url or settings.site_url
    if args.limit is not None and not 1 <= args.limit <= 10_000_000:
        raise SyndicationError("--limit is a number of stories, 1 or more")
    if not _is_site_address(base):
        raise SyndicationError(f"--url {base[:200]!r} is not an http(s) address")
    check_archive_path(settings.db_path)
    try:
        report = asyncio.run(
            check_rights(settings, base, partner_key=args.partner_key, limit=args.limit)
        )
    except (aiohttp.ClientError, TimeoutError, OSError, ValueError) as exc:
        raise SyndicationError(
            f"could not read the site at {base}: {exc} (is it served? `make serve`, or --url)"
        ) from None
    for found in report.disagreements:
        print(f"{found.surface}: {found.url}: says {found.says}; the policy: {found.policy}")
    for warning in report.warnings:
        print(f"warning: {warning}")
    read = sum(report.checked.values())
    print(
        f"{read} statements read from {len(report.checked)} kinds of surface, "
        f"{len(report.disagreements)} disagree with the policy",
        file=sys.stderr,
    )
    return 1 if report.disagreements else 0


def _is_site_address(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _status(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    status = asyncio.run(_read_status(settings))
    writes = health.read(settings.db_path)  # None: no server writes this archive now
    if args.json:
        body = _status_json(status)
        body["writes"] = writes.as_json() if writes else None
        print(json.dumps(body, indent=2))
    else:
        print(_status_text(status, str(settings.content_dir)))
        if writes is not None:
            print(writes.describe())
        elif archive_files.locked(settings.db_path):
            print(
                f"writes: not known here: {lock.holder(settings.db_path)} holds the archive, "
                f"but its writer's state is not in {runtime_dir()} (is "
                "SYNDICATION_RUNTIME_DIR the server's?)"
            )
    return 1 if status.errors or (writes is not None and not writes.ok) else 0


async def _read_status(settings: Settings) -> ArchiveStatus:
    async with Archive.open(settings.db_path) as archive:
        return await archive.status()


def _status_json(status: ArchiveStatus) -> dict[str, object]:
    last = status.last_change
    return {
        "schema_version": status.schema_version,
        "articles": status.articles_by_state,
        "last_change": (
            {
                "seq": last.seq,
                "article": last.article_id,
                "kind": last.kind.value,
                "at": last.at.isoformat(),
            }
            if last
            else None
        ),
        "errors": [
            {"file": e.file, "line": e.line, "field": e.field, "message": e.message}
            for e in status.errors
        ],
        # Not public yet, soonest first: drafts, and stories scheduled (under embargo) until
        # their publication time.
        "waiting": [
            {
                "id": w.id,
                "title": w.title,
                "state": w.state.value,
                "published": w.published.isoformat(),
                "embargoed_until": w.published.isoformat() if w.state is State.SCHEDULED else None,
                "file": w.file,
                "path": w.path,
            }
            for w in status.waiting
        ],
    }


def _status_text(status: ArchiveStatus, root: str) -> str:
    counts = status.articles_by_state
    lines = [
        "articles: "
        + ", ".join(f"{counts.get(s, 0)} {s}" for s in ("live", "scheduled", "draft", "withdrawn")),
    ]
    last = status.last_change
    if last:
        at = f"{last.at:%Y-%m-%d %H:%M:%S}Z"
        lines.append(f"last change: #{last.seq} {last.kind.value} {last.article_id} at {at}")
    else:
        lines.append("last change: none")
    for w in status.waiting:
        when = f"{w.published:%Y-%m-%d %H:%M}Z"
        what = f"scheduled for {when}" if w.state is State.SCHEDULED else f"draft, dated {when}"
        lines.append(f"waiting: {w.file}: {what}: {w.title}")
    lines.append(f"ingest errors: {len(status.errors)}")
    lines += [
        "  " + ContentError(e.file, e.message, line=e.line, field=e.field).format(root)
        for e in status.errors
    ]
    return "\n".join(lines)


def _restore(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    check_backup_source(args.source, settings.db_path)  # before the lock: a typo touches nothing
    with writer_lock(settings.db_path, "restore", clock):  # never under a running server
        count = restore(args.source, settings.db_path, clock, replace=args.replace)
    print(f"restored {args.source} to {settings.db_path} ({count} articles)")
    return 0


def _backup(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    pages = backup(settings.db_path, args.dest)
    print(f"backed up {settings.db_path} to {args.dest} ({pages} pages)")
    return 0
