"""How many people follow each feed through a feed-reader service, as the services say.

Feedly, Inoreader, NewsBlur, Feedbin and others fetch a feed once for all their users and
say how many those are in their User-Agent ("Feedly/1.0 (...; 16 subscribers; ...)"). The
latest figure each service gave for each feed is kept here and published in /metrics as
`syndication_feed_subscribers{feed, service}`: the newsroom's audience in feed readers,
which no request count shows. Only services named in SERVICES are counted (any client can
write a User-Agent; a list keeps the figures to known fetchers and their number bounded);
the figures are the services' own claims, counted only for feeds that exist (answered 200
or 304).
"""

from __future__ import annotations

import re
from collections import OrderedDict

# lower-case marker in the User-Agent -> the name shown in /metrics
SERVICES = {
    "feedly": "Feedly",
    "inoreader": "Inoreader",
    "newsblur": "NewsBlur",
    "feedbin": "Feedbin",
    "theoldreader": "The Old Reader",
    "netvibes": "Netvibes",
    "bloglovin": "Bloglovin",
    "feedspot": "Feedspot",
    "bazqux": "BazQux",
    "feedhq": "FeedHQ",
    "feed wrangler": "Feed Wrangler",
    "feedwrangler": "Feed Wrangler",
    "newsify": "Newsify",
    "g2reader": "G2Reader",
}
_COUNT = re.compile(r"(\d{1,9})\s+(?:subscribers?|readers?)\b", re.IGNORECASE)
# One service may fetch a feed as several of its own feeds (http and https, two spellings):
# each says its id, and the service's audience is their sum.
_FEED_ID = re.compile(r"(?:feed-?id[=:]\s*|/site/)([\w-]{1,40})", re.IGNORECASE)
_FEEDS = ("/feed.atom", "/feed.rss", "/feed.json")
# Bounded whatever clients send: the figures most recently heard are kept, at most MAX_KEPT
# in all and MAX_IDS ids for one feed and service (a real one has one or two), so a flood
# of made-up ids neither grows the table nor adds up to a figure, and real ones come back.
MAX_KEPT = 5000
MAX_IDS = 4


class FeedAudience:
    def __init__(self) -> None:
        self.latest: OrderedDict[tuple[str, str, str], int] = OrderedDict()
        self._ids: dict[tuple[str, str], OrderedDict[str, None]] = {}

    def heard(self, path: str, agent: str | bytes) -> None:
        """A feed at `path` answered `agent`: keep its subscriber figure if it gives one."""
        if isinstance(agent, bytes):
            if b"ubscriber" not in agent and b"eaders" not in agent:
                return  # nearly every request: one substring test, nothing more
            agent = agent.decode("latin-1")
        elif "ubscriber" not in agent and "eaders" not in agent:
            return
        if not path.endswith(_FEEDS) or len(agent) > 1000 or len(path) > 1000:
            return
        count = _COUNT.search(agent)
        lowered = agent.lower()
        service = next((name for mark, name in SERVICES.items() if mark in lowered), None)
        if count is None or service is None:
            return
        found = _FEED_ID.search(agent)
        self._keep(path, service, found[1] if found else "", int(count[1]))

    def _keep(self, path: str, service: str, feed_id: str, count: int) -> None:
        ids = self._ids.setdefault((path, service), OrderedDict())
        ids[feed_id] = None
        ids.move_to_end(feed_id)
        if len(ids) > MAX_IDS:
            self._forget((path, service, ids.popitem(last=False)[0]))
        key = (path, service, feed_id)
        self.latest[key] = count
        self.latest.move_to_end(key)
        if len(self.latest) > MAX_KEPT:
            self._forget(next(iter(self.latest)))

    def _forget(self, key: tuple[str, str, str]) -> None:
        self.latest.pop(key, None)
        ids = self._ids.get(key[:2])
        if ids is not None:
            ids.pop(key[2], None)
            if not ids:
                del self._ids[key[:2]]

    def totals(self) -> dict[tuple[str, str], int]:
        """Subscribers per (feed path, service)."""
        summed: dict[tuple[str, str], int] = {}
        for (path, service, _), n in self.latest.items():
            summed[path, service] = summed.get((path, service), 0) + n
        return summed
