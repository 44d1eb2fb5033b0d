"""`syndication newsletter send | preview | test | status | bounces | subscribers`."""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import sys
from datetime import datetime
from pathlib import Path

from syndication.archive import newsletters as store
from syndication.archive import served_address
from syndication.archive.lock import open_appender
from syndication.clock import Clock
from syndication.config import Settings
from syndication.errors import SyndicationError
from syndication.mail import bounces, sender
from syndication.mail.addresses import BadAddress, checked_address
from syndication.mail.lists import UnknownList, last_due, next_due, parse_list
from syndication.mail.message import digest_mail, sender_address
from syndication.mail.transport import PermanentFailure, TemporaryFailure, transport_for
from syndication.model import NewsletterList

LIST_HELP = "a list: en@07:00, en/world@18:00, en/topic/energy@07:00, en@alert"


def add_commands(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:  # type: ignore[type-arg]
    found = commands.add_parser(
        "newsletter", parents=[common], help="newsletters: send, preview, subscribers"
    )
    actions = found.add_subparsers(dest="action", required=True)
    send = actions.add_parser(
        "send", parents=[common], help="send a list's digest if it is due (and what is unsent)"
    )
    send.add_argument("list", help=LIST_HELP)
    send.add_argument("--now", action="store_true", help="send it now, due or not")
    send.set_defaults(run=_send)
    preview = actions.add_parser(
        "preview", parents=[common], help="the list's next digest, as HTML and text"
    )
    preview.add_argument("list", help=LIST_HELP)
    preview.add_argument("--html", type=Path, help="write the HTML to this file")
    preview.set_defaults(run=_preview)
    test = actions.add_parser(
        "test", parents=[common], help="mail the list's next digest to one address only"
    )
    test.add_argument("list", help=LIST_HELP)
    test.add_argument("address")
    test.set_defaults(run=_test)
    actions.add_parser(
        "status", parents=[common], help="each list: members, last and next send, counts"
    ).set_defaults(run=_status)
    actions.add_parser(
        "bounces", parents=[common], help="read bounces and unsubscribe mails from bounce_mailbox"
    ).set_defaults(run=_bounces)
    subscribers = actions.add_parser(
        "subscribers", parents=[common], help="what is kept about one subscriber"
    )
    what = subscribers.add_subparsers(dest="what", required=True)
    for name, run, text in (
        ("export", _export, "print everything kept about the address, as JSON"),
        ("delete", _delete, "forget the address and everything about it"),
    ):
        one = what.add_parser(name, parents=[common], help=text)
        one.add_argument("address")
        one.set_defaults(run=run)


def _list(settings: Settings, name: str) -> NewsletterList:
    try:
        return parse_list(name, settings)
    except UnknownList as error:
        raise SyndicationError(str(error)) from None


def _send(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    chosen = _list(settings, args.list)
    conn = open_appender(settings.db_path, clock)
    settings = served_address.linked(conn, settings)  # links to the port served, not 8080
    try:
        return asyncio.run(_send_now(conn, settings, chosen, args.now, clock))
    except sender.SendingElsewhere as error:
        raise SyndicationError(f"{error}; try again when it is done") from None
    finally:
        conn.close()


async def _send_now(
    conn: sqlite3.Connection, settings: Settings, chosen: NewsletterList, now: bool, clock: Clock
) -> int:
    with sender.sending_lock(settings):
        if now or chosen in sender.due_lists(conn, settings, clock.now()):
            if store.position(conn, chosen.name) is None:
                print(f"{chosen.name} has no confirmed subscriber: nothing to send")
                return 0
            made = sender.make_send(conn, settings, chosen, clock.now())
            if made is None:
                print(f"{chosen.name}: no new story in its scope since its last digest; not sent")
        else:
            when = next_due(chosen, settings, clock.now())
            print(f"{chosen.name} is not due (next: {_when(when)}); --now sends it now")
        transport = transport_for(settings)
        try:
            for send_id in store.unfinished_sends(conn):
                send = store.send_by_id(conn, send_id)
                if send is None or send.list != chosen.name:
                    continue
                report = await sender.deliver(
                    sender.OnItsThread(conn), settings, send_id, transport, clock
                )
                print(
                    f"digest {send_id} of {chosen.name}: {report.sent} sent, {report.deferred} "
                    f"deferred, {report.failed} failed, {report.skipped} skipped"
                )
                if report.stopped:
                    raise SyndicationError(f"{report.stopped}; the rest is sent when it is fixed")
        finally:
            await transport.close()
    return 0


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M %Z") if moment else "as stories marked alert come out"


def _preview(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    chosen = _list(settings, args.list)
    conn = open_appender(settings.db_path, clock)
    try:
        settings = served_address.linked(conn, settings)
        has_members = store.position(conn, chosen.name) is not None
        digest = sender.next_digest(conn, settings, chosen, clock.now())
    finally:
        conn.close()
    if not has_members:
        print(
            f"{chosen.name} has no subscriber yet: this is what it would hold of its "
            "scope's latest stories\n"
        )
    elif not digest.stories:
        print(f"{chosen.name}: nothing new since its last digest; `send` would send nothing\n")
    size = len(digest.html.encode())
    print(f"Subject: {digest.subject}\n{digest.stories} stories, {size:,} bytes of HTML\n")
    print(digest.marks.filled(digest.text, "(unsubscribe link)", "(preferences link)"))
    if args.html:
        args.html.write_text(digest.marks.filled(digest.html, "#unsubscribe", "#preferences"))
        print(f"HTML written to {args.html}")
    return 0


def _test(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    chosen = _list(settings, args.list)
    try:
        recipient = checked_address(args.address).sent_to
    except BadAddress as error:
        raise SyndicationError(str(error)) from None
    conn = open_appender(settings.db_path, clock)
    try:
        settings = served_address.linked(conn, settings)
        digest = sender.next_digest(conn, settings, chosen, clock.now())
    finally:
        conn.close()
    edition = settings.edition(chosen.scope.edition)
    message = digest_mail(
        settings, digest, chosen.name, chosen.name, recipient, edition.language, "test",
        (0, 0), clock.now(),
    )  # fmt: skip
    message.replace_header("Subject", f"[test] {digest.subject}")

    async def send() -> None:
        transport = transport_for(settings)
        try:
            await transport.send(
                message, sender_address(settings), recipient, f"test-{int(clock.time())}"
            )
        finally:
            await transport.close()

    try:
        asyncio.run(send())
    except (TemporaryFailure, PermanentFailure) as error:
        raise SyndicationError(f"the relay did not take it: {error}") from None
    where = settings.smtp_host or settings.outbox_dir
    print(f"sent to {recipient} through {where}: {digest.stories} stories")
    return 0


def _status(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    conn = open_appender(settings.db_path, clock)
    try:
        counts = store.counts(conn)
        last = store.last_sends(conn)
        names = sorted(set(store.lists_with_members(conn)) | set(last))
        if not names:
            print("no list has a subscriber yet")
        for name in names:
            members = store.members(conn, name)
            try:
                chosen = parse_list(name, settings)
                upcoming = _when(next_due(chosen, settings, clock.now()))
                due = last_due(chosen, settings, clock.now())
            except UnknownList:
                upcoming, due = "never: the settings no longer offer it", None
            sent = last.get(name)
            said = {e: counts.get((name, e), 0) for e in store.EVENTS}
            print(
                f"{name}: {members} subscriber{'' if members == 1 else 's'}; last sent "
                f"{_when(sent[1]) if sent else 'never'}; next {upcoming}"
                + (f" (due since {_when(due)})" if due and sent and due > sent[1] else "")
            )
            print("  " + ", ".join(f"{e} {n}" for e, n in said.items()))
    finally:
        conn.close()
    return 0


def _bounces(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    if not settings.bounce_mailbox:
        raise SyndicationError("bounce_mailbox is not set in syndication.toml ([newsletters])")
    conn = open_appender(settings.db_path, clock)
    try:
        read = bounces.read_mailbox(conn, settings, Path(settings.bounce_mailbox), clock.now())
    finally:
        conn.close()
    print(
        f"{read.messages} messages read: {read.bounced} addresses bounced, "
        f"{read.unsubscribed} unsubscribed, {read.ignored} not bounces"
    )
    return 0


def _subscriber(conn: sqlite3.Connection, address: str) -> store.Subscriber:
    try:
        kept = checked_address(address).kept
    except BadAddress as error:
        raise SyndicationError(str(error)) from None
    found = store.subscriber_by_address(conn, kept)
    if found is None:
        raise SyndicationError(f"no subscriber has the address {kept}")
    return found


def _export(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    conn = open_appender(settings.db_path, clock)
    try:
        found = _subscriber(conn, args.address)
        sys.stdout.write(store.as_json(store.everything_kept(conn, found.id) or {}) + "\n")
    finally:
        conn.close()
    return 0


def _delete(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    conn = open_appender(settings.db_path, clock)
    try:
        found = _subscriber(conn, args.address)
        store.atomically(conn, store.delete_subscriber, found.id)
    finally:
        conn.close()
    print(f"{found.address}: everything kept about it is deleted")
    return 0
