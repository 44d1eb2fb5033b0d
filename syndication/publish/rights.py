"""Who holds the rights to a story, said the same way on its page, in feeds and to partners."""

from __future__ import annotations

from syndication.config import Settings
from syndication.model import Article


def copyright_holder(settings: Settings, article: Article) -> str:
    """The originating source of a republished story, else the publication."""
    return article.source or settings.site_name


def rights_line(settings: Settings, article: Article) -> str:
    """The editor's `rights`, or `© <year> <holder>` when the file says nothing."""
    return notice(settings, article.rights, article.source, article.published.year)


def notice(settings: Settings, rights: str, source: str, year: int) -> str:
    return rights or f"© {year} {source or settings.site_name}"
