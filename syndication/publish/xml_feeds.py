"""Atom 1.0 and RSS 2.0 through feedgen, with our extensions (see feed_extensions)."""

from __future__ import annotations

import html
import re

from feedgen.entry import FeedEntry
from feedgen.feed import FeedGenerator

from syndication.archive.column_values import to_iso
from syndication.config import Settings
from syndication.model import ArchivedArticle
from syndication.publish import machine_rights
from syndication.publish.feed_document import (
    MEDIA_TYPES,
    FeedDocument,
    entry_id,
    modified,
)
from syndication.publish.feed_extensions import NewsroomEntry, NewsroomFeed
from syndication.publish.html import feed_body
from syndication.publish.links import canonical_url
from syndication.publish.machine_rights import article_policy
from syndication.publish.rights import rights_line
from syndication.publish.static_files import absolute_picture_url
from syndication.publish.urls import author_path, image_path

GENERATOR = "The Harbour Ledger archive"


def atom_bytes(doc: FeedDocument, settings: Settings) -> bytes:
    generator = _generator(doc, settings, "atom")
    return bytes(generator.atom_str(pretty=False))


def rss_bytes(doc: FeedDocument, settings: Settings) -> bytes:
    generator = _generator(doc, settings, "rss")
    return _hex_refs_in_plain_text(bytes(generator.rss_str(pretty=False)))


# RSS's plain-text elements (description and content:encoded are HTML, and stay as they are).
_PLAIN_TEXT = re.compile(
    rb"(<(title|category|dc:creator|dc:rights|source|media:description|media:credit|"
    rb"media:copyright)(?: [^>]*)?>)([^<]*)(</\2>)"
)


def _hex_refs_in_plain_text(body: bytes) -> bytes:
    """The RSS Best Practices Profile: in plain text, `&` and `<` as hexadecimal character
    references, so no reader takes "Why <b> tags matter" for markup (the W3C validator warns
    about &amp; and &lt; there). The same characters, written another way."""

    def encode(found: re.Match[bytes]) -> bytes:
        text = found.group(3).replace(b"&amp;", b"&#x26;").replace(b"&lt;", b"&#x3C;")
        return found.group(1) + text + found.group(4)

    return _PLAIN_TEXT.sub(encode, body) if b"&" in body else body


def _generator(doc: FeedDocument, settings: Settings, fmt: str) -> FeedGenerator:
    fg = FeedGenerator()
    fg.register_extension("newsroom", NewsroomFeed, NewsroomEntry)
    ext: NewsroomFeed = fg.newsroom
    ext.format = fmt
    ext.pictures = any(archived.article.image for archived in doc.articles)
    if doc.policy is not None:  # a public feed: its own policy, and each story's
        ext.licence = machine_rights.policy_url(settings, doc.policy)
        ext.rsl = fmt == "rss" and bool(doc.articles)
    fg.id(doc.feed_id)
    fg.title(doc.title)
    fg.subtitle(doc.subtitle)  # Atom subtitle, RSS description
    fg.language(doc.language)
    fg.author({"name": settings.site_name, "uri": settings.absolute("/")})
    fg.generator(GENERATOR)
    fg.icon(absolute_picture_url(settings, settings.icon))  # Atom only; readers show it
    fg.updated(doc.updated)  # also RSS lastBuildDate: from the archive, never "now"
    fg.ttl(max(1, settings.feed_max_age // 60))
    fg.link(href=doc.self_url, rel="self", type=MEDIA_TYPES[fmt])
    for hub in doc.hubs:
        fg.link(href=hub, rel="hub")
        ext.links.append({"href": hub, "rel": "hub"})
    if doc.archive is not None:
        ext.is_archive = doc.archive.is_archive
        archive_links = {
            "current": doc.archive.current,
            "prev-archive": doc.archive.prev_archive,
            "next-archive": doc.archive.next_archive,
        }
        for rel, href in archive_links.items():
            if href:
                fg.link(href=href, rel=rel, type=MEDIA_TYPES["atom"])
                ext.links.append({"href": href, "rel": rel, "type": MEDIA_TYPES["atom"]})
    for other, url in doc.alternates.items():
        if url != doc.self_url:
            fg.link(href=url, rel="alternate", type=MEDIA_TYPES[other])
    # Last: feedgen makes the last link added the RSS channel <link>, which must be the page.
    fg.link(href=doc.html_url, rel="alternate", type="text/html")
    if fmt == "atom":
        ext.deleted = [
            {
                "ref": entry_id(settings, t.id),
                "when": to_iso(t.withdrawn),
                "href": settings.absolute(t.path),
            }
            for t in doc.tombstones
        ]
    for archived in doc.articles:
        _entry(fg.add_entry(order="append"), archived, settings, doc.policy is not None)
    return fg


def _entry(fe: FeedEntry, archived: ArchivedArticle, settings: Settings, stating: bool) -> None:
    article = archived.article
    url = settings.absolute(article.path)
    if stating:
        policy = article_policy(settings, article)
        fe.newsroom.licence = machine_rights.policy_url(settings, policy)
        fe.newsroom.rsl = machine_rights.rsl_uses(policy)
    ext: NewsroomEntry = fe.newsroom
    fe.id(entry_id(settings, article.id))
    fe.guid(entry_id(settings, article.id), permalink=False)
    fe.title(article.title)
    fe.link(href=url)  # RSS <link>; in Atom our extension rewrites it with its rel and type
    ext.alternate = {"href": url, "type": "text/html"}
    fe.published(article.published)
    fe.updated(modified(archived))
    fe.content(feed_body(settings, article), type="html")
    if article.standfirst:
        # RSS's description is HTML, so plain text goes in escaped ("<" must not start a
        # tag); Atom's summary then says html too, and both read the same.
        fe.summary(html.escape(article.standfirst, quote=False), type="html")
    for author in article.authors:
        fe.author(
            {
                "name": author.name,
                "uri": settings.absolute(author_path(article.edition, author.slug)),
            }
        )
    scheme = settings.absolute(f"/{article.edition}/topic/")
    for topic in article.topics:
        fe.category({"term": topic.slug, "label": topic.name, "scheme": scheme})
    fe.rights(rights_line(settings, article))
    if article.source and article.original_url:
        fe.source(url=article.original_url, title=article.source)  # RSS; Atom's is ours
        ext.source = {
            "id": canonical_url(article.original_url),
            "title": article.source,
            "href": article.original_url,
            "updated": to_iso(article.published),
        }
    ext.creators = [a.name for a in article.authors]
    ext.rights = rights_line(settings, article)
    if article.image:
        image = article.image
        ext.image = {
            "url": settings.absolute(image_path(image)),
            "type": image.media_type,
            "length": str(image.length),
            "width": str(image.width or ""),
            "height": str(image.height or ""),
            "caption": image.caption or image.alt,
            "credit": image.credit,
            "rights": image.rights,
        }
