"""What a feed says, independent of its format: built once, written as Atom, RSS or JSON Feed."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from syndication.config import Settings
from syndication.model import ArchivedArticle, Article, FeedKind, FeedScope, Tombstone

# The one place the feed formats' media types are named: extension -> media type.
MEDIA_TYPES = {
    "atom": "application/atom+xml",
    "rss": "application/rss+xml",
    "json": "application/feed+json",
}
FORMATS = {fmt: f"{media}; charset=utf-8" for fmt, media in MEDIA_TYPES.items()}  # served as
XML_FORMATS = ("atom", "rss")  # those feedgen writes; partner feeds come in these
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)  # `updated` of a feed that has never had an entry


def feed_url(settings: Settings, scope: FeedScope, fmt: str) -> str:
    """The one place a subscription feed's address is written (pages, feeds, the hub)."""
    return settings.absolute(f"{scope.path}/feed.{fmt}")


def archive_url(settings: Settings, scope: FeedScope, month: str) -> str:
    """A month's RFC 5005 archive document of the scope's feed."""
    return settings.absolute(f"{scope.path}/archive/{month}.atom")


def partner_feed_url(settings: Settings, edition: str, section: str, fmt: str) -> str:
    """A section's full-text feed for partners (behind their key)."""
    return settings.absolute(f"/api/v1/feeds/{edition}/{section}.{fmt}")


_FEED_PATH = re.compile(
    r"/(?P<edition>[a-z0-9-]+)(?:/(?:(?P<kind>topic|author)/)?(?P<key>[a-z0-9-]+))?"
    r"/feed\.(?P<fmt>atom|rss|json)"
)
_PARTNER_FEED_PATH = re.compile(
    r"/api/v1/feeds/(?P<edition>[a-z0-9-]+)/(?P<section>[a-z0-9-]+)\.(?P<fmt>atom|rss)"
)


def scope_of_url(settings: Settings, url: str) -> tuple[FeedScope, str] | None:
    """The scope and format of one of our subscription feed URLs (a WebSub topic)."""
    match = _FEED_PATH.fullmatch(settings.path_of(url) or "")
    if match is None or not settings.has_edition(match["edition"]):
        return None
    if match["key"] is None:
        return FeedScope(match["edition"]), match["fmt"]
    kind = FeedKind(match["kind"]) if match["kind"] else FeedKind.SECTION
    if kind is FeedKind.SECTION and settings.section(match["key"]) is None:
        return None
    return FeedScope(match["edition"], kind, match["key"]), match["fmt"]


def partner_feed_of_url(settings: Settings, url: str) -> tuple[str, str, str] | None:
    """(edition, section, format) of one of our partner feed URLs (a WebSub topic)."""
    found = _PARTNER_FEED_PATH.fullmatch(settings.path_of(url) or "")
    if found is None or not settings.has_edition(found["edition"]):
        return None
    if settings.section(found["section"]) is None:
        return None
    return found["edition"], found["section"], found["fmt"]


def subscription_feed_urls(settings: Settings, scopes: set[FeedScope]) -> list[str]:
    """Every format of every scope's feed: what a change alters, for WebSub."""
    return sorted(feed_url(settings, scope, fmt) for scope in scopes for fmt in MEDIA_TYPES)


@dataclass(frozen=True, slots=True)
class ArchiveLinks:
    """RFC 5005 navigation: the subscription feed, and the archive documents either side."""

    current: str | None = None  # archive documents point back to the subscription feed
    prev_archive: str | None = None
    next_archive: str | None = None
    is_archive: bool = False


@dataclass(frozen=True, slots=True)
class FeedDocument:
    scope: FeedScope
    title: str
    subtitle: str
    language: str
    feed_id: str
    html_url: str
    self_url: str  # of this document in the format being written
    alternates: dict[str, str]  # format -> absolute URL of the same feed in that format
    updated: datetime
    articles: tuple[ArchivedArticle, ...]
    tombstones: tuple[Tombstone, ...] = ()
    hubs: tuple[str, ...] = ()
    archive: ArchiveLinks | None = None


def feed_title(settings: Settings, scope: FeedScope, name: str) -> str:
    edition = settings.edition(scope.edition)
    if scope.kind is FeedKind.ALL:
        return f"{settings.site_name} ({edition.name})"
    return f"{name} · {settings.site_name} ({edition.name})"


def entry_updated(article: Article) -> datetime:
    """The last significant change: the editor's `updated`, or a correction, or publication."""
    moments = [article.published, *(c.date for c in article.corrections)]
    if article.updated:
        moments.append(article.updated)
    return max(moments)


def document_updated(
    articles: tuple[ArchivedArticle, ...], tombstones: tuple[Tombstone, ...]
) -> datetime:
    """From the archive's state alone, so the same state always gives the same bytes."""
    moments = [entry_updated(a.article) for a in articles] + [t.withdrawn for t in tombstones]
    return max(moments, default=EPOCH)


def entry_id(settings: Settings, article_id: str) -> str:
    return settings.tag(f"article:{article_id}")


def scope_id(settings: Settings, scope: FeedScope) -> str:
    """The feed's id; its archive documents share it, being parts of the same feed."""
    return settings.tag(f"feed:{scope.path.lstrip('/')}")
