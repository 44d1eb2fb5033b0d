"""What a feed says, independent of its format: built once, written as Atom, RSS or JSON Feed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from syndication.config import Settings
from syndication.model import (
    ArchivedArticle,
    Article,
    FeedKind,
    FeedScope,
    Tombstone,
    modified_at,
)
from syndication.rights_policy import Policy

# The one place the feed formats' media types are named: extension -> media type.
MEDIA_TYPES = {
    "atom": "application/atom+xml",
    "rss": "application/rss+xml",
    "json": "application/feed+json",
}
FORMATS = {fmt: f"{media}; charset=utf-8" for fmt, media in MEDIA_TYPES.items()}  # served as
XML_FORMATS = ("atom", "rss")  # those feedgen writes; partner feeds come in these
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)  # `updated` of a feed that has never had an entry


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
    # What machines may do with it: the strictest of its scope's policy and its stories'
    # (None: a partner's feed, whose terms are the partner's contract).
    policy: Policy | None = None


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


def modified(archived: ArchivedArticle) -> datetime:
    """Atom `updated`, JSON Feed `date_modified`, JSON-LD `dateModified`: model.modified_at."""
    article = archived.article
    return modified_at(
        article.published,
        article.updated,
        tuple(c.date for c in article.corrections),
        archived.version,
        archived.last_changed,
    )


def document_updated(
    articles: tuple[ArchivedArticle, ...], tombstones: tuple[Tombstone, ...]
) -> datetime:
    """From the archive's state alone, so the same state always gives the same bytes."""
    moments = [modified(a) for a in articles] + [t.withdrawn for t in tombstones]
    return max(moments, default=EPOCH)


def entry_id(settings: Settings, article_id: str) -> str:
    return settings.tag(f"article:{article_id}")


def scope_id(settings: Settings, scope: FeedScope) -> str:
    """The feed's id; its archive documents share it, being parts of the same feed."""
    return settings.tag(f"feed:{scope.path.lstrip('/')}")
