"""An article as an IPTC ninjs 3.1 news item, as partners receive it.

Pure: the caller decides what the partner may see (publication status, whether the
picture goes along); this module only says it in ninjs. Every link is absolute, every time
UTC, and the rights travel with the text and, separately, with the picture.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from syndication.archive.column_values import to_iso
from syndication.config import Settings
from syndication.model import ArchivedArticle, Image
from syndication.publish import machine_rights
from syndication.publish.html import feed_body, text_with_corrections
from syndication.publish.machine_rights import article_policy, picture_policy
from syndication.publish.rights import copyright_holder, rights_line
from syndication.publish.urls import image_path, topic_path
from syndication.rights_policy import Policy

PubStatus = Literal["usable", "withheld", "canceled"]
STANDARD = {
    "name": "ninjs",
    "version": "3.1",
    "schema": "http://www.iptc.org/std/ninjs/ninjs-schema_3.1.json",
}


def item_uri(settings: Settings, article_id: str) -> str:
    return settings.tag(f"article:{article_id}")


def news_item(
    settings: Settings,
    archived: ArchivedArticle,
    status: PubStatus,
    *,
    with_picture: bool,
    embargoed_until: datetime | None = None,
    picture: Policy | None = None,
) -> dict[str, Any]:
    """The full item. `withheld` is an embargoed story shown early to a partner allowed to
    see it; `embargoed_until` then says when it may be published."""
    article = archived.article
    edition = settings.edition(article.edition)
    item: dict[str, Any] = {
        "uri": item_uri(settings, article.id),
        "type": "text",
        "representationType": "full",
        "profile": "text-photo" if with_picture and article.image else "text-only",
        "version": str(archived.version),
        "firstCreated": to_iso(archived.first_seen),
        "versionCreated": to_iso(archived.last_changed),
        "contentCreated": to_iso(article.published),
        "pubStatus": status,
        "language": edition.language,
        "headlines": [{"role": "main", "contentType": "text/plain", "value": article.title}],
        "bodies": [
            {
                "role": "main",
                "contentType": "text/html",
                "value": feed_body(settings, article),
            },
            {
                "role": "main",
                "contentType": "text/plain",
                "value": text_with_corrections(settings, article),
            },
        ],
        "copyrightHolder": copyright_holder(settings, article),
        "copyrightNotice": rights_line(settings, article),
        "usageTerms": settings.partner_usage_terms,
        "rightsInfo": machine_rights.ninjs_rights(settings, article_policy(settings, article)),
        "altIds": [{"role": "canonical-url", "value": settings.absolute(article.path)}],
        "slugline": article.slug,
        "standard": STANDARD,
    }
    if embargoed_until is not None:
        item["embargoedUntil"] = to_iso(embargoed_until)
    if article.standfirst:
        item["headlines"].append(
            {"role": "sub", "contentType": "text/plain", "value": article.standfirst}
        )
    if article.authors:
        item["by"] = ", ".join(a.name for a in article.authors)
    if article.topics:
        item["subjects"] = [
            {
                "name": t.name,
                "rel": "about",
                "uri": settings.absolute(topic_path(article.edition, t.slug)),
            }
            for t in article.topics
        ]
    if article.source:
        item["infoSources"] = [{"name": article.source, "role": "originator"}]
    if with_picture and article.image is not None:
        policy = picture or picture_policy(article_policy(settings, article), article.image)
        item["associations"] = [_picture(settings, article.id, article.image, policy)]
    return item


def canceled_item(
    settings: Settings, article_id: str, version: int, when: datetime
) -> dict[str, Any]:
    """What a partner that had the story gets when it must take it down: no content."""
    return {
        "uri": item_uri(settings, article_id),
        "type": "text",
        "representationType": "partial",
        "version": str(version),
        "versionCreated": to_iso(when),
        "pubStatus": "canceled",
        "standard": STANDARD,
    }


def _picture(settings: Settings, article_id: str, image: Image, policy: Policy) -> dict[str, Any]:
    rendition: dict[str, Any] = {
        "name": "original",
        "href": settings.absolute(image_path(image)),
        "contentType": image.media_type,
        "sizeInBytes": image.length,
    }
    if image.width and image.height:
        rendition["width"], rendition["height"] = image.width, image.height
    picture: dict[str, Any] = {
        "name": "picture",
        "rel": "illustration",
        "uri": settings.tag(f"image:{image.src}"),
        "type": "picture",
        "renditions": [rendition],
        "descriptions": [{"role": "alt", "contentType": "text/plain", "value": image.alt}],
        "rightsInfo": machine_rights.ninjs_rights(settings, policy),
    }
    if image.caption:
        picture["headlines"] = [
            {"role": "caption", "contentType": "text/plain", "value": image.caption}
        ]
    if image.credit:
        picture["by"] = image.credit
        picture["copyrightHolder"] = image.credit
    if image.rights:
        picture["copyrightNotice"] = image.rights
    return picture
