"""Every feed of an edition in one list: the Feeds page and the OPML file readers import.

Both come from the same groups (the edition's whole output, its sections, its topics and
its authors, each a feed in three formats), so what a reader imports is what the page shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import quoteattr

from syndication.config import Settings
from syndication.model import Edition, FeedKind, FeedScope
from syndication.publish.labels import translator
from syndication.publish.urls import feed_url, feeds_page_path, listing_path

OPML_TYPE = "text/x-opml; charset=utf-8"
# The most a page or file lists of topics and of authors (those with the most stories first):
# a reader imports a folder a person can read, and a big archive's page stays small.
MOST_LISTED = 500


@dataclass(frozen=True, slots=True)
class Followed:
    name: str
    scope: FeedScope


@dataclass(frozen=True, slots=True)
class Group:
    label: str  # in the edition's language
    feeds: tuple[Followed, ...]


def groups(
    settings: Settings,
    edition: Edition,
    topics: list[tuple[str, str, int]],
    authors: list[tuple[str, str, int]],
) -> list[Group]:
    """The edition's feeds, most general first; a group with no feed is left out."""
    _ = translator(edition.language)
    code = edition.code
    found = [
        Group(_("Everything"), (Followed(settings.site_name, FeedScope(code)),)),
        Group(
            _("Sections"),
            tuple(
                Followed(s.name(code), FeedScope(code, FeedKind.SECTION, s.slug))
                for s in settings.sections
            ),
        ),
        Group(
            _("Topics"),
            tuple(
                Followed(name, FeedScope(code, FeedKind.TOPIC, slug)) for slug, name, _n in topics
            ),
        ),
        Group(
            _("Authors"),
            tuple(
                Followed(name, FeedScope(code, FeedKind.AUTHOR, slug)) for slug, name, _n in authors
            ),
        ),
    ]
    return [g for g in found if g.feeds]


def opml(settings: Settings, edition: Edition, found: list[Group]) -> bytes:
    """OPML 2.0 (opml.org/spec2.opml): a folder per group, an outline per feed (Atom; `type`
    is "rss" for any feed, as the spec and every reader have it)."""
    _ = translator(edition.language)
    title = _("{site} ({edition}): every feed", site=settings.site_name, edition=edition.name)

    def outline(feed: Followed) -> str:
        attributes = {
            "type": "rss",
            "text": feed.name,
            "title": feed.name,
            "xmlUrl": feed_url(settings, feed.scope, "atom"),
            "htmlUrl": settings.absolute(listing_path(feed.scope)),
            "language": edition.language,
        }
        return "<outline" + "".join(f" {k}={quoteattr(v)}" for k, v in attributes.items()) + "/>"

    folders = "".join(
        f"<outline text={quoteattr(g.label)}>" + "".join(outline(f) for f in g.feeds) + "</outline>"
        for g in found
    )
    head = (
        f"<title>{_escape(title)}</title><ownerName>{_escape(settings.site_name)}</ownerName>"
        f"<ownerId>{_escape(settings.absolute(feeds_page_path(edition.code)))}</ownerId>"
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<opml version="2.0"><head>{head}</head><body>{folders}</body></opml>\n'
    ).encode()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
