"""HTML pages through Jinja2, autoescaped; the templates never see a database."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, select_autoescape

from syndication.config import Settings
from syndication.model import ArchivedArticle, ArticleSummary, Edition, reading_minutes

_env = Environment(
    loader=PackageLoader("syndication.publish", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def local_date(moment: datetime, edition: Edition) -> str:
    """The date as the edition's readers write it, in the edition's time zone (27.01.2022)."""
    return moment.astimezone(ZoneInfo(edition.timezone)).strftime(edition.date_format)


def _common(settings: Settings, edition: Edition) -> dict[str, Any]:
    return {
        "site": settings,
        "edition": edition,
        "editions": settings.editions,
        "local_date": lambda m: local_date(m, edition),
        "reading_minutes": reading_minutes,
        "section_name": lambda slug: (
            s.name(edition.code) if (s := settings.section(slug)) else slug
        ),
    }


def home_page(settings: Settings, edition: Edition, articles: list[ArticleSummary]) -> str:
    return _env.get_template("home.html").render(**_common(settings, edition), articles=articles)


def article_page(settings: Settings, archived: ArchivedArticle) -> str:
    article = archived.article
    edition = settings.edition(article.edition)
    return _env.get_template("article.html").render(
        **_common(settings, edition),
        article=article,
        canonical=settings.absolute(article.path),
    )


def error_page(settings: Settings, status: int, title: str, message: str) -> str:
    edition = settings.edition(settings.default_edition)
    return _env.get_template("error.html").render(
        **_common(settings, edition), status=status, title=title, message=message
    )
