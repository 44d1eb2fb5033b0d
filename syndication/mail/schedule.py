"""The serving process's newsletter round: every half minute, and at once after each change
(a story marked `alert: true` goes out as it is published), it makes the digests that are
due and delivers what is unsent, retries included; with `bounce_mailbox` set, it reads the
bounces that came back. One process of the machine does it (mail/sender.py's lock)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path

from syndication.archive import newsletters as store
from syndication.archive.fanout import ChangeFanOut
from syndication.archive.schema import Access, connect
from syndication.clock import Clock
from syndication.config import Settings
from syndication.mail import bounces, sender
from syndication.mail.transport import Transport, transport_for

log = logging.getLogger("syndication.mail")
ROUND_SECONDS = 30.0
BOUNCES_EVERY = 2  # rounds: a minute


async def run(settings: Settings, clock: Clock, changes: ChangeFanOut) -> None:
    db = sender.OnItsThread(await asyncio.to_thread(connect, settings.db_path, Access.APPENDER))
    transport = transport_for(settings)
    changed = asyncio.Event()
    changes.subscribe(lambda _change: changed.set())
    rounds = 0
    try:
        while True:
            try:
                await one_round(
                    db, settings, transport, clock, bounces_too=rounds % BOUNCES_EVERY == 0
                )
            except sender.SendingElsewhere:
                pass  # a command is sending: the next round resumes what it leaves
            except Exception:
                log.exception("the newsletter round failed; the next one tries again")
            rounds += 1
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), ROUND_SECONDS)
            changed.clear()
    finally:
        await transport.close()
        await db.close()


async def one_round(
    db: sender.OnItsThread,
    settings: Settings,
    transport: Transport,
    clock: Clock,
    *,
    bounces_too: bool = False,
) -> list[sender.Delivered]:
    with sender.sending_lock(settings):
        for due in await db(sender.due_lists, settings, clock.now()):
            await db(sender.make_send, settings, due, clock.now())
        reports = []
        for send_id in await db(store.unfinished_sends):
            reports.append(await sender.deliver(db, settings, send_id, transport, clock))
    if bounces_too and settings.bounce_mailbox:
        await db(bounces.read_mailbox, settings, Path(settings.bounce_mailbox), clock.now())
    return reports
