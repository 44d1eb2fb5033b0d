"""Every address the site publishes, built in one place: pages, feeds, archives, media.

Paths are the site's own (`/en/world/`), which templates link to; `settings.absolute(path)`
makes one a URL under `base_url` for documents read elsewhere (feeds, sitemaps, ninjs,
JSON-LD). An article's path is model.article_path, kept with the article in the archive.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from syndication.config import Settings
from syndication.model import FeedKind, FeedScope, Image
from syndication.publish.feed_document import MEDIA_TYPES


def listing_path(scope: FeedScope) -> str:
    """The page listing a scope's stories: an edition's home, a section, topic or author."""
    return f"{scope.path}/"


def edition_path(edition: str) -> str:
    return listing_path(FeedScope(edition))


def section_path(edition: str, section: str) -> str:
    return listing_path(FeedScope(edition, FeedKind.SECTION, section))


def date_path(edition: str, year: int, month: int | None = None) -> str:
    """A year's page of the date archive, or a month's."""
    return f"/{edition}/{year}/" + (f"{month:02d}/" if month is not None else "")


def author_path(edition: str, slug: str) -> str:
    return listing_path(FeedScope(edition, FeedKind.AUTHOR, slug))


def topic_path(edition: str, slug: str) -> str:
    return listing_path(FeedScope(edition, FeedKind.TOPIC, slug))


def newsletters_path(edition: str) -> str:
    """The edition's newsletters: the page to choose them, and where sign-ups are posted."""
    return f"/{edition}/newsletters/"


def feeds_page_path(edition: str) -> str:
    """The page listing every feed of an edition (and what our JSON Feed adds)."""
    return f"/{edition}/feeds/"


def opml_path(edition: str) -> str:
    """Every feed of an edition as one OPML file, for a feed reader to import."""
    return f"/{edition}/feeds.opml"


def media_path(src: str) -> str:
    """A file from content/, as /media/ serves it: its name percent-encoded, so that a `%`,
    `#`, `?`, `*` or space in it is the file's and never read as more (a body's pictures
    are named so too: ingest/body_pictures.py)."""
    return f"/media/{quote(src)}"


def image_path(image: Image) -> str:
    """A picture's address: its file, and the digest of its bytes, so the address changes
    when the picture does and may be cached for good (`immutable`)."""
    path = media_path(image.src)
    return f"{path}?v={image.digest}" if image.digest else path


# The widths pictures are resized to for pages; the original goes only to feeds and partners.
RENDITION_WIDTHS = (320, 640, 960, 1280, 1920)
RESIZABLE = frozenset({"image/jpeg", "image/png", "image/webp"})


def renderable(image: Image) -> bool:
    """Whether pages show the picture as renditions (an animation or AVIF as it is)."""
    return image.media_type in RESIZABLE and bool(image.width) and bool(image.digest)


def rendition_widths(image: Image) -> tuple[int, ...]:
    """The widths a page offers: each standard width below the picture's own, and its own
    when that is no wider than the widest."""
    own = image.width or 0
    smaller = tuple(w for w in RENDITION_WIDTHS if w < own)
    return (*smaller, own) if own <= RENDITION_WIDTHS[-1] else smaller


def rendition_path(image: Image, width: int, fmt: str = "") -> str:
    """A picture `width` pixels wide, as WebP (`fmt="webp"`) or in the original's format."""
    return f"{image_path(image)}&w={width}" + (f"&f={fmt}" if fmt else "")


def srcset(image: Image, fmt: str = "") -> str:
    return ", ".join(f"{rendition_path(image, w, fmt)} {w}w" for w in rendition_widths(image))


def fallback_width(image: Image) -> int:
    """The `src` of browsers that read no srcset: a phone's size, never the original's."""
    widths = rendition_widths(image)
    return next((w for w in widths if w >= 640), widths[-1])


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
