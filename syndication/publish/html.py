"""HTML pages through Jinja2, autoescaped; the templates never see a database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, select_autoescape

from syndication.config import Settings
from syndication.model import (
    ArchivedArticle,
    Article,
    ArticleSummary,
    Edition,
    FeedKind,
    FeedScope,
    NewsletterList,
    reading_minutes,
)
from syndication.publish import urls
from syndication.publish.feed_directory import Group
from syndication.publish.feed_document import MEDIA_TYPES
from syndication.publish.labels import month_name, translator
from syndication.publish.links import absolutize
from syndication.publish.rights import rights_line
from syndication.publish.static_files import picture_url, static_url
from syndication.publish.structured import news_article, open_graph
from syndication.publish.urls import feed_url, listing_path
from syndication.rights_policy import Policy

_env = Environment(
    loader=PackageLoader("syndication.publish", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
    auto_reload=False,  # the templates ship with the package: no stat of each one per render
)
_env.globals["static_url"] = static_url
_env.globals["picture_url"] = picture_url


def local_date(moment: datetime, edition: Edition) -> str:
    """The date as the edition's readers write it, in the edition's time zone (27.01.2022)."""
    return moment.astimezone(ZoneInfo(edition.timezone)).strftime(edition.date_format)


def _common(settings: Settings, edition: Edition) -> dict[str, Any]:
    _ = translator(edition.language)
    return {
        # every page's meta description, unless it has its own (an article's standfirst)
        "description": edition.description
        or _(
            "{site}: the latest news, and an archive of original reporting", site=settings.site_name
        ),
        "site": settings,
        "edition": edition,
        "editions": settings.editions,
        "local_date": lambda m: local_date(m, edition),
        "reading_minutes": reading_minutes,
        "paths": urls,  # every address a page links to
        "_": _,
        "section_name": lambda slug: (
            s.name(edition.code) if (s := settings.section(slug)) else slug
        ),
    }


def _frame(settings: Settings, edition: Edition, now: datetime) -> dict[str, Any]:
    """What a whole page needs: the words, and this (UTC) year, whose date archive every
    page's footer links to."""
    return {**_common(settings, edition), "this_year": now.astimezone(UTC).year}


@dataclass(frozen=True, slots=True)
class SignupForm:
    """The newsletter form of a page: its scope's first digest, and where to choose more."""

    action: str
    list: str
    title: str
    form: str
    more: str


def signup_form(
    settings: Settings, edition: Edition, scope: FeedScope, name: str, form: str
) -> SignupForm | None:
    if not settings.newsletters or not settings.digest_times:
        return None
    _ = translator(edition.language)
    chosen = NewsletterList(scope, settings.digest_times[0])
    return SignupForm(
        action=urls.newsletters_path(edition.code),
        list=chosen.name,
        title=_("{name} by e-mail, daily at {time}", name=name, time=chosen.cadence),
        form=form,
        more=urls.newsletters_path(edition.code),
    )


@dataclass(frozen=True, slots=True)
class FeedLink:
    title: str
    media_type: str
    href: str


FORMAT_NAMES = {"atom": "Atom", "rss": "RSS", "json": "JSON Feed"}  # as people name them


def feed_links(settings: Settings, scopes: list[tuple[FeedScope, str]]) -> list[FeedLink]:
    """Autodiscovery: each scope's feed in each format, most general first."""
    return [
        FeedLink(
            f"{name} ({FORMAT_NAMES[fmt]})",
            media,
            feed_url(settings, scope, fmt),
        )
        for scope, name in scopes
        for fmt, media in MEDIA_TYPES.items()
    ]


def body_with_corrections(settings: Settings, article: Article) -> str:
    """The body as feeds and partners carry it: with the corrections the page shows, in the
    same words, so a correction reaches every reader, not only the page's."""
    if not article.corrections:
        return article.body_html
    edition = settings.edition(article.edition)
    notes = _env.get_template("_corrections.html").render(
        **_common(settings, edition), article=article
    )
    return article.body_html + notes.strip()


def feed_body(settings: Settings, article: Article) -> str:
    """The body as feeds, ninjs and previews carry it: with its corrections, every link
    absolute (a feed reader has no page to resolve them against)."""
    return absolutize(body_with_corrections(settings, article), settings.absolute(article.path))


def text_with_corrections(settings: Settings, article: Article) -> str:
    """The plain-text body with the same corrections, for partners' text/plain body."""
    if not article.corrections:
        return article.body_text
    edition = settings.edition(article.edition)
    _ = translator(edition.language)
    lines = [f"{local_date(c.date, edition)}: {c.text}" for c in article.corrections]
    return "\n\n".join([article.body_text, _("Corrections"), "\n".join(lines)])


FRONT_TOP = 5  # the lead and the four stories under it
PER_SECTION = 3  # stories in each section's block


def home_page(
    settings: Settings, edition: Edition, articles: list[ArticleSummary], now: datetime
) -> str:
    """The edition's front page: the first story leads (with its picture), the next ones are
    the top stories, and the rest fall into a block for each section, in the sections'
    order (web/site.py chooses them)."""
    feeds = feed_links(settings, [(FeedScope(edition.code), settings.site_name)])
    top, rest = articles[:FRONT_TOP], articles[FRONT_TOP:]
    blocks = [
        (s.slug, s.name(edition.code), [a for a in rest if a.section == s.slug])
        for s in settings.sections
    ]
    return _env.get_template("home.html").render(
        **_frame(settings, edition, now),
        articles=articles,
        lead=top[0] if top else None,
        top=top[1:],
        blocks=[b for b in blocks if b[2]],
        feeds=feeds,
        signup=signup_form(settings, edition, FeedScope(edition.code), edition.name, "front page"),
        # `/` shows the default edition's front page too: both name its own address
        canonical=settings.absolute(urls.edition_path(edition.code)),
    )


def article_page(
    settings: Settings,
    archived: ArchivedArticle,
    related: list[ArticleSummary],
    translations: dict[str, str],
    now: datetime,
    *,
    with_feed_entry: bool = False,
    picture: Policy | None = None,
) -> str:
    """`translations`: edition code -> path of the same story in that edition;
    `with_feed_entry` (previews): the story's feed entry too, as feeds will carry it;
    `picture`: its picture's rights policy, when other stories show it too."""
    article = archived.article
    edition = settings.edition(article.edition)
    section = settings.section(article.section)
    scopes = [
        (FeedScope(edition.code), settings.site_name),
        (
            FeedScope(edition.code, FeedKind.SECTION, article.section),
            section.name(edition.code) if section else article.section,
        ),
        *((FeedScope(edition.code, FeedKind.TOPIC, t.slug), t.name) for t in article.topics),
    ]
    return _env.get_template("article.html").render(
        **_frame(settings, edition, now),
        article=article,
        canonical=settings.absolute(article.path),
        feeds=feed_links(settings, scopes),
        signup=signup_form(settings, edition, scopes[1][0], scopes[1][1], "article page"),
        related=related,
        translations={code: settings.absolute(path) for code, path in translations.items()},
        from_archive=(now - article.published).days >= settings.archive_banner_days,
        json_ld=news_article(settings, archived, picture),
        rights=rights_line(settings, article),
        meta_tags=open_graph(settings, archived),
        feed_entry=feed_body(settings, article) if with_feed_entry else None,
        preview=with_feed_entry,
    )


def search_page(
    settings: Settings,
    edition: Edition,
    query: str,
    hits: list[Any],
    usable: bool,
    page: int,
    has_next: bool,
    now: datetime,
    chosen: dict[str, str] | None = None,
    instead: str | None = None,
) -> str:
    """`chosen`: the filters given (section, from, to), kept in the form and page links;
    `instead`: what the reader perhaps meant, when nothing was found."""
    chosen = chosen or {}
    return _env.get_template("search.html").render(
        **_frame(settings, edition, now),
        query=query,
        hits=hits,
        usable=usable,
        page=page,
        has_next=has_next,
        chosen=chosen,
        pages_query=urlencode({"q": query, **chosen}),
        instead=instead,
        instead_query=urlencode({"q": instead, **chosen}) if instead else "",
    )


def year_page(
    settings: Settings,
    edition: Edition,
    year: int,
    counts: list[int],
    first_year: int,
    last_year: int,
    now: datetime,
) -> str:
    months = [
        (m, month_name(m, edition.language), count)
        for m, count in zip(range(1, 13), counts, strict=True)
    ]
    return _env.get_template("year.html").render(
        **_frame(settings, edition, now),
        year=year,
        months=months,
        first_year=first_year,
        last_year=last_year,
        canonical=settings.absolute(urls.date_path(edition.code, year)),
    )


def listing_page(
    settings: Settings,
    edition: Edition,
    title: str,
    articles: list[ArticleSummary],
    page: int,
    has_next: bool,
    scope: FeedScope | None,
    now: datetime,
    base: str = "",
    *,
    scope_name: str = "",
) -> str:
    """A section, topic, author or date page: newest first, paginated with ?page=N."""
    base = listing_path(scope) if scope else base
    # each page of a list is its own page (Google: "don't use the first page as canonical")
    canonical = settings.absolute(base + (f"?page={page}" if page > 1 else ""))
    return _env.get_template("listing.html").render(
        canonical=canonical,
        **_frame(settings, edition, now),
        title=title,
        articles=articles,
        page=page,
        has_next=has_next,
        base=base,
        feeds=feed_links(settings, [(scope, title)] if scope else []),
        current_section=scope.key if scope and scope.kind is FeedKind.SECTION else "",
        signup=(
            signup_form(settings, edition, scope, scope_name or title, f"{scope.kind} page")
            if scope
            else None
        ),
    )


def feeds_page(settings: Settings, edition: Edition, groups: list[Group], now: datetime) -> str:
    """Every feed of the edition, in each format, and the OPML file with them all."""
    return _env.get_template("feeds.html").render(
        **_frame(settings, edition, now),
        groups=groups,
        formats=list(MEDIA_TYPES.items()),
        format_names=FORMAT_NAMES,
        feed_url=lambda scope, fmt: feed_url(settings, scope, fmt),
        canonical=settings.absolute(urls.feeds_page_path(edition.code)),
    )


def error_page(settings: Settings, status: int, title: str, message: str, now: datetime) -> str:
    edition = settings.edition(settings.default_edition)
    return _env.get_template("error.html").render(
        **_frame(settings, edition, now), status=status, title=title, message=message
    )


@dataclass(frozen=True, slots=True)
class Choice:
    """A newsletter list offered with a checkbox."""

    name: str
    label: str
    chosen: bool = False


@dataclass(frozen=True, slots=True)
class Link:
    href: str
    text: str


@dataclass(frozen=True, slots=True)
class Danger:
    """A form of its own for what cannot be undone (deleting a subscriber's data)."""

    action: str
    text: str
    button: str


def newsletter_page(
    settings: Settings,
    edition: Edition,
    now: datetime,
    title: str,
    message: list[str],
    *,
    action: str = "",
    button: str = "",
    choices: list[Choice] | None = None,
    ask_address: bool = False,
    form_name: str = "",
    hidden: list[tuple[str, str]] | None = None,
    links: list[Link] | None = None,
    danger: Danger | None = None,
    private: bool = True,
) -> str:
    """A page of the newsletters: the sign-up page, and those a mail's links lead to."""
    return _env.get_template("newsletters.html").render(
        **_frame(settings, edition, now),
        canonical=settings.absolute(urls.newsletters_path(edition.code)) if not private else "",
        title=title,
        message=message,
        action=action,
        button=button,
        choices=choices or [],
        ask_address=ask_address,
        form_name=form_name,
        hidden=hidden or [],
        links=links or [],
        danger=danger,
        private=private,
    )
