"""What a shared cache in front of the app (Varnish, Fastly, Cloudflare) is told about each
answer: the tags it can be purged by, and how long it may keep it.

An answer is tagged with the articles it shows and the scopes (edition, section, topic,
author) whose new stories would change it: the same rule the app's own response cache
follows (web/cached_routes.py). A change purges the tags of the articles it touched and of the
scopes they are in now, so an edge may keep an answer until then (`edge_max_age`) while
browsers keep it only for its Cache-Control max-age. An answer whose bytes also depend on
the clock (a page's footer names this year, an article counts days) is tagged with the UTC
day its period ends, and that day's tag is purged at its midnight.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable
from datetime import UTC, datetime

from syndication.config import EDGE_TAG_HEADERS
from syndication.model import FeedScope
from syndication.validity_periods import Period

SITE = "site"  # on every tagged answer: purging it empties the edge of this site
MAX_ARTICLE_TAGS = 128  # more (a month's sitemap): untagged by article, kept the usual time


def article_tag(article_id: str) -> str:
    """Short and safe in any edge's header whatever an id holds (collisions purge more)."""
    return "a" + hashlib.blake2b(article_id.encode(), digest_size=5).hexdigest()


def scope_tag(scope: FeedScope) -> str:
    return "s" + hashlib.blake2b(scope.path.encode(), digest_size=5).hexdigest()


def day_tag(day: datetime) -> str:
    """The tag of answers right until `day`'s midnight UTC (purged at that midnight)."""
    return day.astimezone(UTC).strftime("d%Y%m%d")


def ends_at_midnight(period: Period) -> bool:
    return math.isfinite(period.end) and period.end % 86400 == 0


def answer_tags(
    article_ids: Iterable[str], scopes: Iterable[FeedScope], period: Period
) -> tuple[str, ...] | None:
    """The tags of an answer, or None when the edge cannot be told every change that
    alters it (too many articles). A period ending at midnight is a day's tag, purged then;
    one ending at another time is the edge's lifetime (edge_lifetime), not a tag."""
    ids = sorted(set(article_ids))
    if len(ids) > MAX_ARTICLE_TAGS:
        return None
    tags = [SITE, *sorted({scope_tag(s) for s in scopes}), *(article_tag(i) for i in ids)]
    if ends_at_midnight(period):
        tags.append(day_tag(datetime.fromtimestamp(period.end, UTC)))
    return tuple(tags)


def edge_lifetime(period: Period, max_age: int, now: float) -> tuple[Period, int]:
    """How long the edge may keep an answer whose period ends at another time than midnight
    (the news sitemap, when its oldest story leaves): half the time left, and the answer
    here is right for that half only, so whenever the edge takes it, it lets it go by the
    period's end. Near the end the halves shrink to nothing: the edge keeps none."""
    if not math.isfinite(period.end) or ends_at_midnight(period):
        return period, max_age
    half = max(0.0, (period.end - now) / 2)
    return Period(period.start, min(period.end, now + half)), min(max_age, int(half))


def edge_headers(header: str, max_age: int, tags: tuple[str, ...] | None) -> dict[str, str]:
    """The tag header and the edge's own lifetime of a tagged answer (Surrogate-Control, read
    by Fastly and by the VCL we ship and stripped by both; CDN-Cache-Control, RFC 9213, for
    Cloudflare); nothing when tags are off or the answer cannot be tagged (the edge then
    keeps it for Cache-Control's max-age, as a browser does)."""
    if not header or tags is None:
        return {}
    lifetime = "CDN-Cache-Control" if header == "Cache-Tag" else "Surrogate-Control"
    return {header: EDGE_TAG_HEADERS[header].join(tags), lifetime: f"max-age={max_age}"}
