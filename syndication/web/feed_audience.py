"""How many people follow each feed through a feed-reader service, as the services say.

Feedly, Inoreader, NewsBlur, Feedbin and others fetch a feed once for all their users and
say how many those are in their User-Agent ("Feedly/1.0 (...; 16 subscribers; ...)"). The
latest figure each service gave for each feed is kept here and published in /metrics as
`syndication_feed_subscribers{feed, service}`: the newsroom's audience in feed readers,
which no request count shows. Only services named in SERVICES are counted (any client can
write a User-Agent; a list keeps the figures to known fetchers and their number bounded);
the figures are the services' own claims.
"""

from __future__ import annotations

import re

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
MAX_KEPT = 5000  # (feed, service, id) figures kept: bounded whatever clients send


class FeedAudience:
    def __init__(self) -> None:
        self.latest: dict[tuple[str, str, str], int] = {}

    def heard(self, path: str, agent: str | bytes) -> None:
        """A request for `path` from `agent`: keep its subscriber figure if it gives one."""
        if isinstance(agent, bytes):
            if b"ubscriber" not in agent and b"eaders" not in agent:
                return  # nearly every request: one substring test, nothing more
            agent = agent.decode("latin-1")
        elif "ubscriber" not in agent and "eaders" not in agent:
            return
        if not path.endswith(_FEEDS) or len(agent) > 1000:
            return
        count = _COUNT.search(agent)
        lowered = agent.lower()
        service = next((name for mark, name in SERVICES.items() if mark in lowered), None)
        if count is None or service is None:
            return
        found = _FEED_ID.search(agent)
        key = (path, service, found[1] if found else "")
        if key in self.latest or len(self.latest) < MAX_KEPT:
            self.latest[key] = int(count[1])

    def totals(self) -> dict[tuple[str, str], int]:
        """Subscribers per (feed path, service)."""
        summed: dict[tuple[str, str], int] = {}
        for (path, service, _), n in self.latest.items():
            summed[path, service] = summed.get((path, service), 0) + n
        return summed
