"""WebSub publisher side: tell the configured hubs which feeds changed (hub.mode=publish).

Pings run in the background after each ingest batch; a hub that is down is retried with
back-off and then given up on (it will fetch the feed on its own schedule anyway).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable

import aiohttp

from syndication.archive.feed_queries import scopes_of
from syndication.archive.queries import Archive
from syndication.config import Settings
from syndication.publish.feed_document import subscription_feed_urls
from syndication.web.outbound import Outbound

log = logging.getLogger("syndication.websub")


class HubPinger:
    def __init__(
        self, settings: Settings, archive: Archive, *, attempts: int = 4, backoff: float = 1.0
    ) -> None:
        self.settings = settings
        self.archive = archive
        self.attempts = attempts
        self.backoff = backoff
        self._out = Outbound(10, "syndication", public_only=False)
        self.sent = 0
        self.failed = 0

    async def start(self) -> None:
        await self._out.start()

    async def close(self) -> None:
        await self._out.close()

    def changed(self, article_ids: Iterable[str]) -> None:
        """Called by the ingest service after a batch; pings happen in the background."""
        ids = sorted(set(article_ids))
        if ids and self.settings.websub_hubs:
            self._out.spawn(self._notify(ids))

    async def _notify(self, article_ids: list[str]) -> None:
        urls = subscription_feed_urls(self.settings, await scopes_of(self.archive, article_ids))
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
