"""JSON Feed 1.1 (https://jsonfeed.org/version/1.1), written by hand: it is only a dict."""

from __future__ import annotations

import json
from typing import Any

from syndication.archive.column_values import to_iso
from syndication.config import Settings
from syndication.model import ArchivedArticle
from syndication.publish.feed_document import FeedDocument, entry_id, modified
from syndication.publish.html import feed_body
from syndication.publish.rights import rights_line
from syndication.publish.static_files import absolute_picture_url
from syndication.publish.urls import author_path, feeds_page_path, image_path

VERSION = "https://jsonfeed.org/version/1.1"


def json_feed_bytes(doc: FeedDocument, settings: Settings) -> bytes:
    feed: dict[str, Any] = {
        "version": VERSION,
        "title": doc.title,
        "home_page_url": doc.html_url,
        "feed_url": doc.self_url,
        "description": doc.subtitle,
        "language": doc.language,
        "icon": absolute_picture_url(settings, settings.icon),
        "favicon": absolute_picture_url(settings, settings.favicon),
        "authors": [{"name": settings.site_name, "url": settings.absolute("/")}],
    }
    feed["author"] = feed["authors"][0]  # JSON Feed 1.0 readers know only `author`
    if doc.hubs:
        feed["hubs"] = [{"type": "WebSub", "url": hub} for hub in doc.hubs]
    feed["items"] = [_item(a, settings) for a in doc.articles]
    return json.dumps(feed, ensure_ascii=False, separators=(",", ":")).encode()


def _item(archived: ArchivedArticle, settings: Settings) -> dict[str, Any]:
    article = archived.article
    url = settings.absolute(article.path)
    item: dict[str, Any] = {
        "id": entry_id(settings, article.id),
        "url": url,
        "title": article.title,
        "content_html": feed_body(settings, article),
        "date_published": to_iso(article.published),
        "date_modified": to_iso(modified(archived)),
        "language": settings.edition(article.edition).language,
    }
    if article.standfirst:
        item["summary"] = article.standfirst
    if article.authors:
        item["authors"] = [
            {"name": a.name, "url": settings.absolute(author_path(article.edition, a.slug))}
            for a in article.authors
        ]
        # 1.1 keeps 1.0's single `author` for the readers that know nothing else: the first.
        item["author"] = item["authors"][0]
    if article.topics:
        item["tags"] = [t.name for t in article.topics]
    if article.image:
        image = article.image
        item["image"] = settings.absolute(image_path(image))
        item["attachments"] = [
            {
                "url": item["image"],
                "mime_type": image.media_type,
                "size_in_bytes": image.length,
                "title": image.caption or image.alt,
            }
        ]
    # JSON Feed has no rights or source fields; extensions start with an underscore (spec 1.1).
    extra = {
        k: v
        for k, v in (
            ("rights", rights_line(settings, article)),
            ("source", article.source),
            ("original_url", article.original_url),
        )
        if v
    }
    if article.image:
        extra |= {
            k: v
            for k, v in (
                ("image_credit", article.image.credit),
                ("image_rights", article.image.rights),
            )
            if v
        }
    if extra:
        # An extension says where it is described (spec 1.1, "Extensions"): the Feeds page.
        about = settings.absolute(feeds_page_path(article.edition)) + "#json-feed-extension"
        item["_newsroom"] = {"about": about, **extra}
    return item
