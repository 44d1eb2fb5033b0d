"""Machine-readable descriptions of an article page: schema.org JSON-LD and Open Graph."""

from __future__ import annotations

import json
import locale
import re
from typing import Any

from syndication.config import Settings
from syndication.model import ArchivedArticle, Edition
from syndication.publish import machine_rights
from syndication.publish.feed_document import modified
from syndication.publish.machine_rights import article_policy, picture_policy
from syndication.publish.rights import copyright_holder, rights_line
from syndication.publish.static_files import absolute_picture_url
from syndication.publish.urls import author_path, image_path
from syndication.rights_policy import Policy

# Inside <script>, "</script>" or "<!--" in a headline must not end the element: escape the
# characters JSON allows us to escape, so no body or title can break out.
_SCRIPT_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


def news_article(
    settings: Settings, archived: ArchivedArticle, picture: Policy | None = None
) -> str:
    """`picture`: the policy of the story's picture as every story showing it grants it
    (publish/rights_documents.py), when another story shows it too."""
    article = archived.article
    url = settings.absolute(article.path)
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
        "headline": article.title,
        "datePublished": article.published.isoformat(),
        "dateModified": modified(archived).isoformat(),
        "inLanguage": settings.edition(article.edition).language,
        "articleSection": article.section,
        "wordCount": article.word_count,
        "publisher": {
            "@type": "NewsMediaOrganization",
            "name": settings.site_name,
            "url": settings.absolute("/"),
            "logo": {"@type": "ImageObject", "url": _url(settings, settings.logo)},
        },
    }
    if article.standfirst:
        data["description"] = article.standfirst
    if article.authors:
        data["author"] = [
            {
                "@type": "Organization" if _is_organisation(settings, a.name) else "Person",
                "name": a.name,
                "url": settings.absolute(author_path(article.edition, a.slug)),
            }
            for a in article.authors
        ]
    else:
        data["author"] = {"@type": "Organization", "name": article.source or settings.site_name}
    if article.topics:
        data["keywords"] = [t.name for t in article.topics]
    policy = article_policy(settings, article)
    holder = copyright_holder(settings, article)
    if article.image:
        image = article.image
        # Google's image licence metadata: who to credit, whose it is, what may be done
        data["image"] = {
            "@type": "ImageObject",
            "url": settings.absolute(image_path(image)),
            "caption": image.caption or image.alt,
            **({"width": image.width, "height": image.height} if image.width else {}),
            "creditText": image.credit or holder,
            "copyrightNotice": image.rights or rights_line(settings, article),
            "copyrightHolder": {"@type": "Organization", "name": image.credit or holder},
            **machine_rights.json_ld(settings, picture or picture_policy(policy, image)),
        }
    else:  # rich results want an image: the site's own picture stands in for a photo
        data["image"] = {"@type": "ImageObject", "url": _url(settings, settings.share_image)}
    data["copyrightHolder"] = {"@type": "Organization", "name": holder}
    data["copyrightNotice"] = rights_line(settings, article)
    data["creditText"] = holder
    data.update(machine_rights.json_ld(settings, policy))
    if article.original_url:
        data["isBasedOn"] = article.original_url
    return json.dumps(data, ensure_ascii=False).translate(_SCRIPT_SAFE)


# A byline that is a desk, not a person ("Continental Press Agency staff", "Sport desk").
_DESK_WORDS = ("staff", "desk", "agencies", "reporters", "newsroom", "rédaction")


def _is_organisation(settings: Settings, byline: str) -> bool:
    """Whether a byline names the publication, a news agency or a desk rather than a person."""
    folded = byline.casefold()
    names = {settings.site_name, *(n for s in settings.sources for n in (s.name, *s.aliases))}
    named = any(folded == n.casefold() or folded.startswith(n.casefold() + " ") for n in names)
    return named or folded.rsplit(" ", 1)[-1] in _DESK_WORDS


def og_locale(edition: Edition) -> str:
    """The edition's locale as Open Graph writes it (en_GB): as set, or the language's usual
    territory by the C library's table (en: en_US, fr: fr_FR, lb: lb_LU)."""
    if edition.locale:
        return edition.locale
    usual = locale.normalize(edition.language.replace("-", "_")).split(".")[0]
    return usual if re.fullmatch(r"[a-z]{2,3}_[A-Z]{2}", usual) else edition.language


def open_graph(settings: Settings, archived: ArchivedArticle) -> list[tuple[str, str, str]]:
    article = archived.article
    """(attribute, name, content) for <meta> tags: Open Graph uses property, Twitter name."""
    url = settings.absolute(article.path)
    tags = [
        ("property", "og:type", "article"),
        ("property", "og:site_name", settings.site_name),
        ("property", "og:title", article.title),
        ("property", "og:url", url),
        ("property", "og:locale", og_locale(settings.edition(article.edition))),
        ("property", "article:published_time", article.published.isoformat()),
        ("property", "article:modified_time", modified(archived).isoformat()),
        ("property", "article:section", article.section),
        ("name", "twitter:card", "summary_large_image" if article.image else "summary"),
        ("name", "twitter:title", article.title),
    ]
    if article.standfirst:
        tags += [
            ("property", "og:description", article.standfirst),
            ("name", "twitter:description", article.standfirst),
        ]
    if article.image:
        image_url = settings.absolute(image_path(article.image))
        tags += [
            ("property", "og:image", image_url),
            ("property", "og:image:alt", article.image.alt),
            ("name", "twitter:image", image_url),
        ]
        if article.image.width:
            tags += [
                ("property", "og:image:width", str(article.image.width)),
                ("property", "og:image:height", str(article.image.height)),
            ]
    else:
        tags.append(("property", "og:image", _url(settings, settings.share_image)))
    tags += [("property", "article:tag", t.name) for t in article.topics]
    # Mastodon's link previews name the author by their account (fediverse:creator)
    tags += [
        ("name", "fediverse:creator", found.fediverse)
        for a in article.authors
        if (found := settings.contributor(a.name)) and found.fediverse
    ]
    return tags


_url = absolute_picture_url
