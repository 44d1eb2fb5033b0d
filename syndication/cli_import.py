"""`syndication import wordpress EXPORT.xml`: an existing archive into content/."""

from __future__ import annotations

import argparse
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tqdm import tqdm

from syndication.clock import Clock
from syndication.config import Settings, settings_path
from syndication.errors import SyndicationError
from syndication.importing.feed_import import import_feed
from syndication.importing.fetch import Refused, netloc
from syndication.importing.mapping import load_mapping
from syndication.importing.wordpress import Options, import_wordpress
from syndication.ingest.sources import find_source, suggestion


def add_commands(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:  # type: ignore[type-arg]
    found = commands.add_parser("import", parents=[common], help="bring an existing archive in")
    sources = found.add_subparsers(dest="source", required=True)
    wordpress = sources.add_parser(
        "wordpress",
        parents=[common],
        help="a WordPress export (Tools > Export, WXR) -> files under content/imported/",
    )
    wordpress.add_argument("export", type=Path, help="the export's XML file")
    wordpress.add_argument(
        "--uploads", type=Path, help="the site's wp-content/uploads folder, for its pictures"
    )
    wordpress.add_argument(
        "--timezone", help="the site's time zone (default: the default edition's)"
    )
    _hosts(
        wordpress,
        "--fetch-from",
        "a host pictures not in --uploads may be fetched from (repeatable)",
    )
    _every_importers(wordpress)
    wordpress.set_defaults(run=_wordpress)
    feed = sources.add_parser(
        "feed",
        parents=[common],
        help="an RSS, Atom or JSON Feed, back to its first entry, -> files under content/imported/",
    )
    feed.add_argument("url", help="the feed's address (its host may be fetched)")
    _hosts(
        feed,
        "--allow-host",
        "another host pictures may be fetched from (repeatable); no other is asked",
    )
    feed.add_argument(
        "--source",
        metavar="NAME",
        help="whose copy the feed is: one of the sources in syndication.toml (without one "
        "of ours, the stories never go to partners)",
    )
    _every_importers(feed)
    feed.set_defaults(run=_feed)


def _hosts(parser: argparse.ArgumentParser, flag: str, meaning: str) -> None:
    parser.add_argument(flag, action="append", default=[], metavar="HOST[:PORT]", help=meaning)


def _every_importers(parser: argparse.ArgumentParser) -> None:
    """The options every importer takes, after its own."""
    parser.add_argument(
        "--dry-run", action="store_true", help="report what would be written, write nothing"
    )
    parser.add_argument("--overwrite-edited", action="store_true", help=OVERWRITE_HELP)
    parser.add_argument("--edition", metavar="CODE", help=EDITION_HELP)


EDITION_HELP = (
    "the edition the stories join (default: the one whose language the source names, "
    "else the default edition)"
)
OVERWRITE_HELP = (
    "write the source's version over files edited or deleted here since the last import "
    "(by default they are kept as they are, and listed)"
)


def _edition(settings: Settings, code: str | None) -> str | None:
    if code is None:
        return None
    if code not in {e.code for e in settings.editions}:
        known = ", ".join(e.code for e in settings.editions)
        raise SyndicationError(f"--edition {code[:20]!r} is not an edition ({known})")
    return code


def _wordpress(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    zone_name = args.timezone or settings.edition(settings.default_edition).timezone
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise SyndicationError(
            f"{zone_name!r} is not a time zone (e.g. Europe/Luxembourg)"
        ) from None
    if args.uploads is not None and not args.uploads.is_dir():
        raise SyndicationError(f"{args.uploads} is not a folder")
    if not args.export.is_file():
        raise SyndicationError(f"{args.export} is not a file")
    mapping = load_mapping(settings_path(args.config), settings)
    report = import_wordpress(
        args.export,
        settings,
        mapping,
        Options(
            args.uploads,
            zone,
            args.dry_run,
            frozenset(h.lower() for h in args.fetch_from),
            args.overwrite_edited,
            _edition(settings, args.edition),
        ),
        progress=lambda items: tqdm(items, desc="items", unit=" items", disable=None),
    )
    print(report.text(args.dry_run))
    return 1 if report.stopped else 0  # imported in part: the export is cut short


def _feed(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    if not netloc(args.url):
        raise SyndicationError(f"{args.url!r} is not an http(s) address")
    mapping = load_mapping(settings_path(args.config), settings)
    source = None
    if args.source is not None:
        source = find_source(args.source, settings.sources)
        if source is None:
            near = suggestion(args.source, settings.sources)
            raise SyndicationError(
                f"--source {args.source[:80]!r} is not a source of syndication.toml"
                + (f"; did you mean {near!r}?" if near else "")
            )
    try:
        report = import_feed(
            args.url,
            settings,
            mapping,
            set(args.allow_host),
            args.dry_run,
            args.overwrite_edited,
            source,
            _edition(settings, args.edition),
        )
    except Refused as exc:
        raise SyndicationError(str(exc)) from None
    print(report.text(args.dry_run))
    return 1 if report.stopped else 0  # imported in part: a cap was reached
