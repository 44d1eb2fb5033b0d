"""The edge purger: a subscriber of the change fan-out that purges, on every edge node, the
tags of what each committed change touched (edge/tags.py), and at each UTC midnight the tag
of the answers whose period ended then.

Nothing is lost to a restart or to a node that is down: what a node has acknowledged is kept
in the archive (`edge_acks`, beside the change log), so pending purges are the changes after
it, sent again with back-off until the node answers. Each purge is sent twice, the second
time `purge_again_seconds` later: a reader process (or a replica) that has not yet seen the
change may have answered the edge with the old bytes in between.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from datetime import UTC, date, datetime, timedelta

import aiohttp

from syndication import histogram
from syndication.archive import edge_acks
from syndication.archive.edge_acks import Ack
from syndication.archive.fanout import Committed
from syndication.archive.queries import Archive
from syndication.archive.side_writes import Writes
from syndication.clock import Clock
from syndication.config import Settings
from syndication.edge.nodes import Node, PurgeFailed, batches, configured
from syndication.edge.tags import SITE, article_tag, day_tag, scope_tag

log = logging.getLogger("syndication.edge")
MOST_ARTICLES = 5_000  # a larger backlog purges the whole site instead of each story
MOST_DAYS = 31  # a node away longer than this: the whole site
MAX_BACKOFF = 60.0
IDLE_SECONDS = 1.0  # how often an idle node's loop looks at the clock (midnight)
EXPECTED = (PurgeFailed, aiohttp.ClientError, TimeoutError, OSError)  # a node away or refusing


class EdgePurger:
    def __init__(
        self, settings: Settings, archive: Archive, writes: Writes, clock: Clock, served: str
    ) -> None:
        self.nodes = configured(settings)
        self.served = served  # what answers state besides content: a node purged under other
        # rules (a changed rights policy) is emptied once
        self.clock = clock  # the day whose midnight passed is purged too
        self.archive, self.writes = archive, writes
        self.retry = max(settings.purge_retry_seconds, 0.05)
        self.again = settings.purge_again_seconds
        self._wake = {node.name: asyncio.Event() for node in self.nodes}
        self._told: dict[int, float] = {}  # change sequence -> when the fan-out told us
        self.pending: dict[str, int] = {node.name: 0 for node in self.nodes}
        self.sent = 0
        self.failed = 0
        self.latency = histogram.empty()
        self.seconds = 0.0

    def changed(self, change: Committed) -> None:
        """The fan-out's subscriber: note when, and wake every node's loop."""
        now = time.monotonic()
        self._told[change.seq] = now
        if len(self._told) > 10_000:  # kept for every node's measure, then forgotten
            self._told = {s: t for s, t in self._told.items() if now - t < 600}
        for event in self._wake.values():
            event.set()

    async def run(self) -> None:
        """Every node's loop, until cancelled."""
        if self.nodes:
            await asyncio.gather(*(self._serve(node) for node in self.nodes))

    async def _serve(self, node: Node) -> None:
        """One node's loop: purge what is new at once; send each purge again when it is due,
        and only then record the node's acknowledgement (so a crash before it sends both
        again after the restart)."""
        delay = self.retry
        timeout = aiohttp.ClientTimeout(total=10)
        acked = sent = await self.writes.write(
            lambda conn: edge_acks.acked(conn, node.name, self.served)
        )
        repeats: deque[tuple[float, list[str], Ack]] = deque()
        async with aiohttp.ClientSession(timeout=timeout) as session:
            while True:
                try:
                    if (new := await self._pending(node, sent, acked)) is not None:
                        tags, upto = new
                        await _send(session, node, tags)
                        self._measure(sent.seq if sent else upto.seq, upto.seq)
                        sent = upto
                        if self.again > 0:
                            repeats.append((time.monotonic() + self.again, tags, upto))
                        else:
                            acked = await self._acknowledge(node, upto)
                        continue
                    if repeats and repeats[0][0] <= time.monotonic():
                        _, tags, upto = repeats[0]
                        await _send(session, node, tags)
                        repeats.popleft()
                        acked = await self._acknowledge(node, upto)
                        continue
                    delay = self.retry
                except Exception as exc:  # the loop must outlive any one try
                    self.failed += 1
                    log.warning(
                        "purge of %s failed (%s); again in %.1fs",
                        node.name,
                        exc,
                        delay,
                        exc_info=not isinstance(exc, EXPECTED),  # a bug's trace is logged
                    )
                    wake = self._wake[node.name]  # or at the next change, whichever is first
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(wake.wait(), delay)
                    wake.clear()
                    delay = min(delay * 2, MAX_BACKOFF)
                    continue
                wait = IDLE_SECONDS
                if repeats:
                    wait = max(0.0, min(wait, repeats[0][0] - time.monotonic()))
                wake = self._wake[node.name]
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(wake.wait(), wait)
                wake.clear()

    async def _pending(
        self, node: Node, sent: Ack | None, acked: Ack | None
    ) -> tuple[list[str], Ack] | None:
        """The tags of what happened after `sent`, and how far they reach; None: nothing."""
        seq = await self.archive.current_seq()
        today = self.clock.now().date()
        self.pending[node.name] = max(seq - acked.seq, 0) if acked else 1
        if sent is None:  # a node never purged may hold anything: empty it once
            return [SITE], Ack(seq, today)
        if sent.seq >= seq and sent.day >= today:
            return None
        return await self.tags_after(sent, seq, today), Ack(seq, today)

    async def _acknowledge(self, node: Node, ack: Ack) -> Ack:
        await self.writes.write(
            lambda conn: edge_acks.acknowledge(conn, node.name, ack, self.served)
        )
        self.sent += 1
        return ack

    async def tags_after(self, ack: Ack, seq: int, today: date) -> list[str]:
        """What to purge of all that happened after `ack`, up to `seq` and `today`: the
        changed articles and the scopes they are in now, and the midnights passed."""
        days = (today - ack.day).days
        if days > MOST_DAYS:
            return [SITE]
        tags = [day_tag(_midnight(ack.day + timedelta(days=n))) for n in range(1, days + 1)]
        if seq > ack.seq:
            ids = await self.archive.feeds.changed_since(ack.seq)
            if len(ids) > MOST_ARTICLES:
                return [SITE]
            scopes = await self.archive.feeds.scopes_of(sorted(ids))
            tags += sorted(scope_tag(s) for s in scopes) + sorted(article_tag(i) for i in ids)
        return tags

    def _measure(self, after: int, upto: int) -> None:
        """Time from the fan-out telling of a change to a node taking its purge (the first
        send: the second only covers readers that lag)."""
        now = time.monotonic()
        for seq, told in list(self._told.items()):
            if after < seq <= upto:
                seconds = now - told
                self.seconds += seconds
                self.latency[histogram.bucket(seconds)] += 1


async def _send(session: aiohttp.ClientSession, node: Node, tags: list[str]) -> None:
    for some in batches(tags, node.batch):
        await node.purge(session, some)


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)
