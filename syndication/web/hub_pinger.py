"""WebSub publisher side: tell the configured hubs which feeds changed (hub.mode=publish).

Pings run in the background after each ingest batch; a hub that is down is retried with
back-off and then given up on (it will fetch the feed on its own schedule anyway).
"""

from __future__ import annotations

import asyncio
import logging

import aiohttp

from syndication.archive.fanout import Committed
from syndication.config import Settings
from syndication.publish.feed_service import Feeds
from syndication.web.outbound import Outbound

log = logging.getLogger("syndication.websub")


class HubPinger:
    def __init__(
        self,
        settings: Settings,
        feeds: Feeds,
        out: Outbound,
        *,
        attempts: int = 4,
        backoff: float = 1.0,
    ) -> None:
        self.settings = settings
        self.feeds = feeds
        self._out = out  # the hubs are the operator's own choice: any address
        self.attempts = attempts
        self.backoff = backoff
        self.sent = 0
        self.failed = 0

    def changed(self, change: Committed) -> None:
        """A subscriber of the change fan-out; pings happen in the background."""
        if change.articles and self.settings.websub_hubs:
            self._out.spawn(self._notify(list(change.articles)))

    async def _notify(self, article_ids: list[str]) -> None:
        urls = await self.feeds.changed_feeds(article_ids)
        await asyncio.gather(
            *(self._ping(hub, url) for hub in self.settings.websub_hubs for url in urls)
        )

    async def _ping(self, hub: str, url: str) -> None:
        for attempt in range(self.attempts):
            try:
                async with self._out.session.post(
                    hub, data={"hub.mode": "publish", "hub.url": url}
                ) as response:
                    if response.status < 300:
                        self.sent += 1
                        return
                    log.warning("hub %s answered %d for %s", hub, response.status, url)
            except (aiohttp.ClientError, TimeoutError) as exc:
                log.warning("hub %s unreachable for %s: %s", hub, url, exc)
            await asyncio.sleep(self.backoff * 2**attempt)
        self.failed += 1
        log.error("gave up telling hub %s about %s", hub, url)
