"""`syndication partners add | list | revoke | rotate | deliveries`."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TypeVar

from syndication.archive.lock import open_appender
from syndication.archive.partners import PartnerError, PartnerStore
from syndication.archive.schema import transaction
from syndication.clock import Clock
from syndication.config import Settings
from syndication.model import Partner

T = TypeVar("T")


def add_commands(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:  # type: ignore[type-arg]
    partners = commands.add_parser("partners", parents=[common], help="partner keys and logs")
    actions = partners.add_subparsers(dest="action", required=True)

    add = actions.add_parser("add", parents=[common], help="a new partner; prints its key once")
    add.add_argument("name")
    add.add_argument("--sections", nargs="+", required=True, help="sections it may receive")
    add.add_argument("--editions", nargs="+", default=[], help="editions (default: all)")
    add.add_argument(
        "--embargo-access", action="store_true", help="sees scheduled stories before release"
    )
    add.add_argument("--rate", type=int, default=600, help="requests a minute (default 600)")
    add.set_defaults(run=_add)

    actions.add_parser(
        "list", parents=[common], help="partners and their entitlements"
    ).set_defaults(run=_list)
    for name, run, text in (
        ("revoke", _revoke, "the partner's key stops working at once"),
        ("rotate", _rotate, "a new key for the partner; the old one stops working"),
    ):
        action = actions.add_parser(name, parents=[common], help=text)
        action.add_argument("name")
        action.set_defaults(run=run)

    log = actions.add_parser(
        "deliveries", parents=[common], help="who received which version of what, newest first"
    )
    log.add_argument("--partner", help="only this partner")
    log.add_argument("--article", help="only this article id: who has this story?")
    log.add_argument("--limit", type=int, default=100)
    log.set_defaults(run=_deliveries)


def _with_store(settings: Settings, clock: Clock, fn: Callable[[PartnerStore], T]) -> T:
    conn = open_appender(settings.db_path, clock)
    try:
        with transaction(conn):
            return fn(PartnerStore(conn, clock))
    finally:
        conn.close()


def _split(values: list[str]) -> list[str]:
    """`--sections world business` and `--sections world,business` alike."""
    return [v for value in values for v in value.split(",") if v]


def _add(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    sections, editions = _split(args.sections), _split(args.editions)
    unknown = [s for s in sections if settings.section(s) is None]
    if unknown:
        known = ", ".join(s.slug for s in settings.sections)
        raise PartnerError(f"unknown section {', '.join(unknown)}; sections are {known}")
    unknown = [e for e in editions if not settings.has_edition(e)]
    if unknown:
        known = ", ".join(e.code for e in settings.editions)
        raise PartnerError(f"unknown edition {', '.join(unknown)}; editions are {known}")
    partner, key = _with_store(
        settings,
        clock,
        lambda store: store.add(
            args.name,
            sections,
            editions,
            embargo_access=args.embargo_access,
            rate_per_min=args.rate,
        ),
    )
    print(_describe(partner))
    print(f"key: {key}")
    print("Store the key now: it is shown only this once.")
    return 0


def _list(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    partners = _with_store(settings, clock, lambda store: store.all())
    for partner in partners:
        print(_describe(partner))
    if not partners:
        print("no partners yet; add one with `syndication partners add NAME --sections ...`")
    return 0


def _revoke(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    partner = _with_store(settings, clock, lambda store: store.revoke(args.name))
    print(_describe(partner))
    return 0


def _rotate(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    partner, key = _with_store(settings, clock, lambda store: store.rotate(args.name))
    print(_describe(partner))
    print(f"key: {key}")
    print("Store the key now: it is shown only this once. The old key no longer works.")
    return 0


def _deliveries(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    rows = _with_store(
        settings, clock, lambda store: store.deliveries(args.partner, args.article, args.limit)
    )
    for d in rows:
        print(f"{d.at:%Y-%m-%d %H:%M:%S}Z  {d.partner}  {d.article_id} v{d.version}  "
              f"{d.status}  via {d.channel}")  # fmt: skip
    if not rows:
        print("nothing delivered yet")
    return 0


def _describe(partner: Partner) -> str:
    editions = ",".join(partner.editions) or "all editions"
    state = f"revoked {partner.revoked:%Y-%m-%d %H:%M}Z" if partner.revoked else "active"
    embargo = ", embargo access" if partner.embargo_access else ""
    return (
        f"{partner.name}: {','.join(partner.sections)} in {editions}{embargo}, "
        f"{partner.rate_per_min}/min, key {partner.key_hint}..., {state}"
    )
