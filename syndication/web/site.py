"""Routes for people reading the site: home pages, article pages, images."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import TypeVar
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from aiohttp import web

from syndication.archive.articles import Moved
from syndication.archive.search import Hit, SearchFilter, fts_query
from syndication.config import Settings
from syndication.edge.tags import answer_tags, edge_headers
from syndication.model import ArticleSummary, Edition, FeedKind, FeedScope, State
from syndication.months import month_bounds, year_bounds
from syndication.publish import html, rights_documents
from syndication.publish.broken_articles import problem_with, rendered_or_problem
from syndication.publish.labels import month_name, translator
from syndication.publish.machine_rights import article_policy, list_policy, scope_policy
from syndication.publish.routes import ROUTES
from syndication.rights_policy import Policy
from syndication.validity_periods import between, day_of, year_of
from syndication.web import cached_routes, rights_routes
from syndication.web.errors import error_response
from syndication.web.params import local_day, path_year, query_number
from syndication.web.response_cache import Rendered
from syndication.web.searching import reader_left, search_refusals
from syndication.web.services import services

routes = web.RouteTableDef()


def _html(body: str, status: int = 200) -> web.Response:
    return web.Response(text=body, status=status, content_type="text/html", charset="utf-8")


def _page(
    request: web.Request,
    body: str | bytes,
    seq: int,
    ids: frozenset[str],
    now: datetime,
    policy: Policy,
    cache_control: str | None = None,
) -> Rendered:
    """A page as the response cache keeps it: right for the year of `now`, when it was
    rendered (its footer links that year's date archive), stating its rights `policy`.
    Browsers keep it `page_max_age` unless told otherwise."""
    settings = services(request).settings
    page = Rendered.of(
        rights_routes.in_page(request, body.encode() if isinstance(body, str) else body, policy),
        "text/html; charset=utf-8",
        cache_control
        or f"public, max-age={settings.page_max_age}, "
        f"stale-while-revalidate={settings.feed_stale_seconds}, "
        f"stale-if-error={settings.feed_stale_seconds}",
        (),
        seq,
        ids,
    )
    page = rights_routes.stated(request, page, policy)
    page.period = year_of(now)
    return page


Listed = TypeVar("Listed", ArticleSummary, Hit)


async def _html_leaving_out(
    request: web.Request,
    render: Callable[[tuple[Listed, ...]], str],
    items: Sequence[Listed],
) -> bytes:
    """A page of a list of stories, leaving out any story that would break it."""
    return await services(request).broken_articles.render(
        f"the page {request.path}",
        lambda some: render(some).encode(),
        items,
        lambda item: item.id if isinstance(item, ArticleSummary) else item.article.id,
    )


@routes.get(ROUTES["front"])
@cached_routes.answered_from_cache()
async def front_page(request: web.Request, key: str) -> web.Response:
    return await _edition_home(request, key, services(request).settings.default_edition)


@routes.get(ROUTES["edition"])
@cached_routes.answered_from_cache()
async def edition_home(request: web.Request, key: str) -> web.Response:
    return await _edition_home(request, key, request.match_info["edition"])


async def _edition_home(request: web.Request, key: str, code: str) -> web.Response:
    settings = services(request).settings
    if not settings.has_edition(code):
        raise web.HTTPNotFound()

    async def build(seq: int) -> Rendered:
        now = services(request).clock.now()
        articles, placements_end = await _front_page_stories(request, code, now)
        edition = settings.edition(code)
        body = await _html_leaving_out(
            request, lambda some: html.home_page(settings, edition, list(some), now), articles
        )
        ids = frozenset(a.id for a in articles)
        page = _page(request, body, seq, ids, now, list_policy(settings, code, None, articles))
        if placements_end is not None:  # the page changes when a placement ends
            page.period &= between(now, placements_end)
        return page

    return await cached_routes.serve(request, key, (FeedScope(code),), build)


async def _front_page_stories(
    request: web.Request, code: str, now: datetime
) -> tuple[list[ArticleSummary], datetime | None]:
    """The lead and the top stories (html.FRONT_TOP of them): those editors placed (leads
    first), then the newest; then each section's newest not already shown (html.PER_SECTION
    each), within `home_limit`. And when the first placement ends, if one does."""
    settings = services(request).settings
    archive = services(request).archive
    limit = settings.home_limit
    top = min(html.FRONT_TOP, limit)
    stories, placements_end = await archive.listings.placed(code, now, top)
    shown = {a.id for a in stories}
    newest = await archive.articles.latest(code, top + len(stories))
    stories += [a for a in newest if a.id not in shown][: top - len(stories)]
    shown = {a.id for a in stories}
    for section in settings.sections:
        scope = FeedScope(code, FeedKind.SECTION, section.slug)
        newest, _ = await archive.listings.scope(scope, 1, html.PER_SECTION + html.FRONT_TOP)
        more = [a for a in newest if a.id not in shown][: html.PER_SECTION]
        stories += more[: max(0, limit - len(stories))]
        shown.update(a.id for a in more)
    return stories, placements_end


@routes.get(ROUTES["article"])
@cached_routes.answered_from_cache()
async def article(request: web.Request, key: str) -> web.Response:
    settings = services(request).settings
    archive = services(request).archive
    found = await archive.articles.by_path(request.path)
    if isinstance(found, Moved):
        raise web.HTTPMovedPermanently(found.path, headers=_edge_of(request, found.article_id))
    if found is None or found.state in (State.DRAFT, State.SCHEDULED):
        raise web.HTTPNotFound()
    if found.state is State.WITHDRAWN:
        gone = error_response(request, 410)
        gone.headers.update(_edge_of(request, found.article.id))
        return gone
    article = found.article
    # A new story on one of its topics, or in its section, may belong in "More on this topic".
    scopes = (
        FeedScope(article.edition, FeedKind.SECTION, article.section),
        *(FeedScope(article.edition, FeedKind.TOPIC, t.slug) for t in article.topics),
    )

    async def build(seq: int) -> Rendered:
        related = await archive.listings.related(article.id)
        versions = await archive.listings.translations(article.id, article.translation_of)
        now = services(request).clock.now()
        # Its picture's policy is what every story showing it grants it: those stories'
        # changes are this page's too.
        sharing = (
            (await archive.articles.showing([article.image.src]))[article.image.src]
            if article.image
            else []
        )
        picture = (
            rights_documents.picture_rights(settings, article.image.src, sharing)[0]
            if article.image and sharing
            else None
        )

        def page_of(some: tuple[ArticleSummary, ...] | list[ArticleSummary]) -> str:
            return html.article_page(settings, found, list(some), versions, now, picture=picture)

        def with_related(some: tuple[ArticleSummary, ...]) -> bytes:
            return page_of(some).encode()

        text, _ = rendered_or_problem(with_related, tuple(related))
        if text is None:  # the story itself breaks its page, or one of its related stories
            if (problem := problem_with(with_related, ())) is not None:
                await services(request).broken_articles.report(
                    article.id, f"left out of its page: {problem}"
                )
                raise web.HTTPServiceUnavailable(text="This story cannot be shown right now.")
            text = await _html_leaving_out(request, page_of, related)
        ids = frozenset({article.id, *(r.id for r in related), *(s.id for s in sharing)})
        # the page carries its related stories' teasers too: it grants no mining use one of
        # them reserves (its own licence, in its JSON-LD and robots.txt, is the story's)
        policy = article_policy(settings, found.article)
        for teaser in related:
            policy = policy.carrying(article_policy(settings, teaser))
        page = _page(request, text, seq, ids, now, policy)
        page.period &= day_of(now)  # "From our online archive" counts in days
        return page

    return await cached_routes.serve(request, key, scopes, build)


def _edition_of(request: web.Request) -> Edition:
    """The edition the path names, or 404."""
    settings, code = services(request).settings, request.match_info["edition"]
    if not settings.has_edition(code):
        raise web.HTTPNotFound()
    return settings.edition(code)


def _typed(request: web.Request, most: int) -> str:
    """What a reader typed in `q`, its spaces squeezed, at most `most` characters."""
    return " ".join(request.query.get("q", "").split())[:most]


def _search_key(request: web.Request) -> str:
    """A search page's cache key: what it reads (the words squeezed, the filters, the page),
    in one order, so ?utm=... or `q=a  b` share an entry. A bad filter is a 400 here."""
    edition = _edition_of(request)
    _, chosen = _search_filters(request, services(request).settings, edition)
    page = _page_number(request)
    wanted = {"q": _typed(request, 200), **chosen, **({"page": str(page)} if page > 1 else {})}
    return f"{request.path}?{urlencode(sorted(wanted.items()))}"


@routes.get(ROUTES["search"])
@cached_routes.answered_from_cache(_search_key)
async def search_page(request: web.Request, key: str) -> web.Response:
    """Kept in the response cache like any page, until the edition changes: a search asked
    again costs what a cached page does."""
    settings = services(request).settings
    edition = _edition_of(request)
    code = edition.code
    query = _typed(request, 200)
    page = _page_number(request)
    within, chosen = _search_filters(request, settings, edition)

    async def build(seq: int) -> Rendered:
        search = services(request).archive.search
        gone = reader_left(request)
        with search_refusals():
            hits, has_next = await search.hits(
                code, query, page, settings.page_size, within, edition.language, gone
            )
            usable = bool(fts_query(query))
            instead = None
            if usable and not hits and page == 1:
                instead = await search.did_you_mean(query, gone)
        now = services(request).clock.now()
        body = await _html_leaving_out(
            request,
            lambda some: html.search_page(
                settings, edition, query, list(some), usable, page, has_next, now, chosen, instead
            ),
            hits,
        )
        ids = frozenset(hit.article.id for hit in hits)
        policy = list_policy(settings, code, None, (hit.article for hit in hits))
        return _page(request, body, seq, ids, now, policy, cache_control="public, max-age=60")

    return await cached_routes.serve(request, key, (FeedScope(code),), build)


@routes.get(ROUTES["suggest"])
async def search_suggestions(request: web.Request) -> web.Response:
    """As a reader types: up to 8 headlines whose titles hold the words typed so far (JSON)."""
    code = _edition_of(request).code
    typed = _typed(request, 100)
    with search_refusals():
        found = await services(request).archive.search.suggestions(
            code, typed, gone=reader_left(request)
        )
    body = {"query": typed, "suggestions": [{"title": t, "path": p} for t, p in found]}
    return web.json_response(body, headers={"Cache-Control": "public, max-age=60"})


def _search_filters(
    request: web.Request, settings: Settings, edition: Edition
) -> tuple[SearchFilter, dict[str, str]]:
    """`section`, `from` and `to` (dates, `to` included, in the edition's time zone): what
    the search is narrowed to, and the filters as given, for the form and the page links."""
    section = request.query.get("section", "")
    if section and settings.section(section) is None:
        raise web.HTTPBadRequest(text=f"There is no section {section[:40]!r} to search in.")
    tz = ZoneInfo(edition.timezone)
    bounds = [local_day(request.query.get(name, ""), name, tz) for name in ("from", "to")]
    start, last = bounds
    if start is not None and last is not None and start > last:
        raise web.HTTPBadRequest(text="`from` is after `to`.")
    end = last + timedelta(days=1) if last is not None else None
    chosen = {
        name: request.query.get(name, "")
        for name in ("section", "from", "to")
        if request.query.get(name, "")
    }
    return SearchFilter(section or None, start, end), chosen


def _edge_of(request: web.Request, article_id: str) -> dict[str, str]:
    """Edge tags of an answer about one article (its 301 or 410): purged when it changes,
    and at midnight (the page's footer names the year)."""
    settings = services(request).settings
    tags = answer_tags((article_id,), (), day_of(services(request).clock.now()))
    return edge_headers(settings.edge_tag_header, settings.edge_max_age, tags)


def _page_number(request: web.Request) -> int:
    return query_number(request, "page", 1, 100_000, 1)


def _listing_key(request: web.Request) -> str:
    """A listing's cache key holds only what the page reads (its page number), so query
    strings it ignores (?utm_source=..., ?x=1) share one entry and one build."""
    page = _page_number(request)
    return request.path if page == 1 else f"{request.path}?page={page}"


@routes.get(ROUTES["year"])
@cached_routes.answered_from_cache()  # it reads no query parameter: ?utm=... is the same page
async def year_page(request: web.Request, key: str) -> web.Response:
    settings = services(request).settings
    code, year = request.match_info["edition"], path_year(request.match_info["year"])
    if not settings.has_edition(code):
        raise web.HTTPNotFound()
    archive = services(request).archive

    async def build(seq: int) -> Rendered:
        first = await archive.listings.first_year(code)
        now = services(request).clock.now()
        last = now.year
        if first is None or not first <= year <= last:
            raise web.HTTPNotFound()
        tz = ZoneInfo(settings.edition(code).timezone)
        bounds = year_bounds(year, tz)
        counts = await archive.listings.counts_between(code, bounds)
        edition = settings.edition(code)
        text = html.year_page(settings, edition, year, counts, first, last, now)
        # right for this year, which it links
        return _page(request, text, seq, frozenset(), now, scope_policy(settings, code))

    return await cached_routes.serve(request, key, (FeedScope(code),), build)


@routes.get(ROUTES["month"])
@routes.get(ROUTES["day"])
@cached_routes.answered_from_cache(_listing_key)
async def date_page(request: web.Request, key: str) -> web.Response:
    settings = services(request).settings
    info = request.match_info
    code = info["edition"]
    if not settings.has_edition(code):
        raise web.HTTPNotFound()
    edition = settings.edition(code)
    tz = ZoneInfo(edition.timezone)
    try:
        year, month = path_year(info["year"]), int(info["month"])
        if "day" in info:
            start = datetime(year, month, int(info["day"]), tzinfo=tz)
            end = start + timedelta(days=1)
            label = f"{start.day} {month_name(month, edition.language)} {year}"
        else:
            start, end = month_bounds(year, month, tz)
            label = f"{month_name(month, edition.language)} {year}"
    except ValueError:
        raise web.HTTPNotFound() from None
    page = _page_number(request)

    async def build(seq: int) -> Rendered:
        articles, has_next = await services(request).archive.listings.between(
            code, start, end, page, settings.page_size
        )
        if not articles:
            raise web.HTTPNotFound()
        now = services(request).clock.now()
        body = await _html_leaving_out(
            request,
            lambda some: html.listing_page(
                settings, edition, label, list(some), page, has_next, None, now, base=request.path
            ),
            articles,
        )
        ids = frozenset(a.id for a in articles)
        return _page(request, body, seq, ids, now, list_policy(settings, code, None, articles))

    return await cached_routes.serve(request, key, (FeedScope(code),), build)


@routes.get(ROUTES["topic"])
@cached_routes.answered_from_cache(_listing_key)
async def topic_page(request: web.Request, key: str) -> web.Response:
    return await _listing(request, key, FeedKind.TOPIC)


@routes.get(ROUTES["author"])
@cached_routes.answered_from_cache(_listing_key)
async def author_page(request: web.Request, key: str) -> web.Response:
    return await _listing(request, key, FeedKind.AUTHOR)


@routes.get(ROUTES["section"])
@cached_routes.answered_from_cache(_listing_key)
async def section_page(request: web.Request, key: str) -> web.Response:
    return await _listing(request, key, FeedKind.SECTION)


async def _listing(request: web.Request, key: str, kind: FeedKind) -> web.Response:
    settings = services(request).settings
    code, slug = request.match_info["edition"], request.match_info["key"]
    if not settings.has_edition(code):
        raise web.HTTPNotFound()
    page = _page_number(request)
    scope = FeedScope(code, kind, slug)
    archive = services(request).archive
    if kind is FeedKind.SECTION and settings.section(slug) is None:
        raise web.HTTPNotFound()

    async def build(seq: int) -> Rendered:
        if kind is FeedKind.SECTION:
            section = settings.section(slug)
            title = name = section.name(code) if section else slug
        else:
            found = await archive.feeds.scope_name(scope)
            if found is None:
                raise web.HTTPNotFound()
            name = found
            by = translator(settings.edition(code).language)("Articles by {name}", name=name)
            title = name if kind is FeedKind.TOPIC else by
        articles, has_next = await archive.listings.scope(scope, page, settings.page_size)
        if page > 1 and not articles:
            raise web.HTTPNotFound()
        edition = settings.edition(code)
        now = services(request).clock.now()
        body = await _html_leaving_out(
            request,
            lambda some: html.listing_page(
                settings, edition, title, list(some), page, has_next, scope, now, scope_name=name
            ),
            articles,
        )
        # a section's pages are the section's; topics and authors span an edition
        policy = list_policy(settings, code, slug if kind is FeedKind.SECTION else None, articles)
        return _page(request, body, seq, frozenset(a.id for a in articles), now, policy)

    return await cached_routes.serve(request, key, (scope,), build)
