"""`syndication import wordpress EXPORT.xml`: an existing archive into content/."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tqdm import tqdm

from syndication.config import Settings
from syndication.errors import SyndicationError
from syndication.importing.mapping import load_mapping
from syndication.importing.wordpress import Options, import_wordpress


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
        "--uploads", type=Path, help="the site's wp-content/uploads folder, for featured pictures"
    )
    wordpress.add_argument(
        "--timezone", help="the site's time zone (default: the default edition's)"
    )
    wordpress.add_argument(
        "--dry-run", action="store_true", help="report what would be written, write nothing"
    )
    wordpress.set_defaults(run=_wordpress)


def _wordpress(settings: Settings, args: argparse.Namespace) -> int:
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
    config = args.config or Path(os.environ.get("SYNDICATION_CONFIG", "syndication.toml"))
    mapping = load_mapping(config, settings)
    report = import_wordpress(
        args.export,
        settings,
        mapping,
        Options(args.uploads, zone, args.dry_run),
        progress=lambda items: tqdm(items, desc="items", unit=" items", disable=None),
    )
    print(report.text(args.dry_run))
    return 0
