"""Sitemaps (sitemaps.org 0.9), the Google News sitemap, and robots.txt: pure text builders."""

from __future__ import annotations

from datetime import datetime
from xml.sax.saxutils import escape

from syndication.archive.column_values import to_iso
from syndication.config import Settings
from syndication.publish import rights_documents
from syndication.publish.rights_documents import RightsMap

NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'


def sitemap_index(
    settings: Settings, months: list[tuple[str, datetime]], *, with_news: bool
) -> bytes:
    """Every month's sitemap with when it last changed, and the news sitemap while it has a
    story to list."""
    items: list[tuple[str, datetime | None]] = [("/sitemaps/news.xml", None)] if with_news else []
    items += [(f"/sitemaps/{month}.xml", newest) for month, newest in months]
    body = "".join(
        f"<sitemap><loc>{escape(settings.absolute(path))}</loc>"
        + (f"<lastmod>{to_iso(when)}</lastmod>" if when else "")
        + "</sitemap>"
        for path, when in items
    )
    return (HEAD + f'<sitemapindex xmlns="{NS}">{body}</sitemapindex>\n').encode()


def month_sitemap(settings: Settings, entries: list[tuple[str, datetime]]) -> bytes:
    body = "".join(
        f"<url><loc>{escape(settings.absolute(path))}</loc><lastmod>{to_iso(when)}</lastmod></url>"
        for path, when in entries
    )
    return (HEAD + f'<urlset xmlns="{NS}">{body}</urlset>\n').encode()


def news_sitemap(settings: Settings, items: list[tuple[str, str, str, datetime]]) -> bytes:
    """Articles of the last 48 hours, at most 1,000, as Google News asks."""
    body = "".join(
        f"<url><loc>{escape(settings.absolute(path))}</loc><news:news><news:publication>"
        f"<news:name>{escape(settings.site_name)}</news:name>"
        f"<news:language>{escape(settings.edition(edition).language)}</news:language>"
        f"</news:publication><news:publication_date>{to_iso(published)}"
        f"</news:publication_date><news:title>{escape(title)}</news:title></news:news></url>"
        for path, title, edition, published in items
    )
    return (HEAD + f'<urlset xmlns="{NS}" xmlns:news="{NEWS_NS}">{body}</urlset>\n').encode()


def robots_txt(settings: Settings, mapped: RightsMap) -> bytes:
    """Search engines and feed readers may fetch all but endless result pages (the search
    page itself may be found); AI crawlers what the rights policy grants them."""
    return rights_documents.robots_txt(
        settings, mapped, ["Disallow: /*/search?", "Disallow: /*/search/"]
    )
