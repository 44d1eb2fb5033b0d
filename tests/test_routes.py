"""One table of routes (publish/routes.py): the app registers exactly it, in its order, and
an edition or section another route would answer for is refused as the settings load. The
derivation is checked against aiohttp's own router, for generated names."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest
from aiohttp import web
from aiohttp.test_utils import make_mocked_request
from hypothesis import given, settings
from hypothesis import strategies as st
from slugify import slugify

from syndication.config import PATH_PART, ConfigError, Settings
from syndication.model import Edition, Section
from syndication.publish.routes import (
    _PLACEHOLDER,
    EDITION_ROUTES,
    EDITORS_ONLY,
    NOT_SHARED,
    ROUTE_TABLE,
    ROUTES,
    SECTION_ROUTES,
    SITE_PREFIXES,
    _address,
    refuse_shadowed,
    shadowed,
)
from syndication.web.app import ROUTE_MODULES
from tests.conftest import examples

_ROUTER = web.Application()
for _module in ROUTE_MODULES:
    _ROUTER.add_routes(_module.routes)


def _canonical(pattern: str) -> str:
    """A pattern as aiohttp names its resource: placeholders without their regex."""
    return _PLACEHOLDER.sub(lambda found: "{" + found[1] + "}", pattern)


_BY_CANONICAL = {(m, _canonical(p)): n for n, m, p in ROUTE_TABLE}


def test_the_app_registers_the_table_in_its_order() -> None:
    registered = [
        (route.method, route.resource.canonical)
        for route in _ROUTER.router.routes()
        if route.method != "HEAD" and route.resource is not None
    ]
    assert registered == [(method, _canonical(pattern)) for _, method, pattern in ROUTE_TABLE]


def _answered_by(path: str) -> str | None:
    """The route aiohttp itself picks for GET `path`, by the table's name."""
    request = make_mocked_request("GET", path, app=_ROUTER)
    match = asyncio.run(_ROUTER.router.resolve(request))
    if match.http_exception is not None:
        return None
    canonical = match.route.resource.canonical if match.route.resource else ""
    return _BY_CANONICAL["GET", canonical]


NAMES = st.one_of(
    st.sampled_from(
        [
            "2024",
            "9999",
            "feeds",
            "feeds.opml",
            "search",
            "topic",
            "author",
            "archive",
            "static",
            "media",
            "desk",
            "preview",
            "api",
            "sitemaps",
            "feed.atom",
            "world",
            "x",
        ]
    ),
    st.text(max_size=12).map(slugify).filter(bool),
)


@settings(max_examples=examples(150), deadline=None)
@given(name=NAMES)
def test_a_section_is_refused_exactly_when_aiohttp_would_answer_one_of_its_pages_otherwise(
    name: str,
) -> None:
    if not PATH_PART.fullmatch(name):  # not a name of an address at all: refused as such
        with pytest.raises(ConfigError, match="a name of an address"):
            Settings(sections=(Section(name, {"en": "S"}),))
        return
    if name.casefold() in SITE_PREFIXES:  # the site's own addresses begin so: refused
        assert shadowed(Settings(sections=(Section(name, {"en": "S"}),)))
        return
    site = Settings(sections=(Section(name, {"en": "S"}),))
    pages = {
        route: _address(ROUTES[route], edition="en", key=name, section=name)
        for route in SECTION_ROUTES
    }
    taken = {route: _answered_by(path) for route, path in pages.items()}
    assert bool(shadowed(site)) == any(taken[r] != r for r in SECTION_ROUTES), taken


@settings(max_examples=examples(60), deadline=None)
@given(code=NAMES.filter(lambda c: len(c) <= 20))
def test_an_edition_is_refused_exactly_when_aiohttp_would_answer_one_of_its_pages_otherwise(
    code: str,
) -> None:
    if code.casefold() in SITE_PREFIXES:
        site = Settings(editions=(Edition(code, "E", "en", "UTC"),), default_edition=code)
        assert shadowed(site)
        return
    if not PATH_PART.fullmatch(code):
        with pytest.raises(ConfigError, match="a name of an address"):
            Settings(editions=(Edition(code, "E", "en", "UTC"),), default_edition=code)
        return
    site = Settings(
        editions=(Edition(code, "E", "en", "UTC"),),
        default_edition=code,
        sections=(Section("world", {"en": "World"}),),
    )
    pages = {r: _address(ROUTES[r], edition=code, section="world") for r in EDITION_ROUTES}
    taken = {route: _answered_by(path) for route, path in pages.items()}
    assert bool(shadowed(site)) == any(taken[r] != r for r in EDITION_ROUTES), taken


@settings(max_examples=examples(150), deadline=None)
@given(slug=st.text(max_size=30).map(slugify).filter(bool))
def test_no_topic_author_or_story_slug_can_be_shadowed(slug: str) -> None:
    """Their slugs come from files; they sit behind a literal (topic/, author/) or a date,
    so no route can take them: check has nothing to refuse."""
    assert _answered_by(f"/en/topic/{slug}/") == "topic"
    assert _answered_by(f"/en/author/{slug}/") == "author"
    assert _answered_by(f"/en/world/2024/01/02/{slug}") == "article"


@pytest.mark.parametrize(
    ("section", "reason"),
    [("2024", "year route"), ("feeds", "feeds page route")],
)
def test_a_section_another_route_answers_for_is_refused_with_the_reason(
    site: Settings, section: str, reason: str
) -> None:
    with pytest.raises(ConfigError, match=reason):
        refuse_shadowed(replace(site, sections=(*site.sections, Section(section, {"en": "S"}))))
    assert refuse_shadowed(site) is site


def test_every_address_builder_names_a_page_of_its_own_route() -> None:
    """publish/urls.py builds each address the site prints; each is one its route answers."""
    from datetime import UTC, datetime

    from syndication.model import FeedKind, FeedScope, article_path
    from syndication.publish import urls

    site = Settings(sections=(Section("world", {"en": "World"}),), base_url="http://n.test")
    scopes = {
        "edition": FeedScope("en"),
        "section": FeedScope("en", FeedKind.SECTION, "world"),
        "topic": FeedScope("en", FeedKind.TOPIC, "weather"),
        "author": FeedScope("en", FeedKind.AUTHOR, "greta-fischer"),
    }
    built = {
        urls.edition_path("en"): "edition",
        urls.section_path("en", "world"): "section",
        urls.topic_path("en", "weather"): "topic",
        urls.author_path("en", "greta-fischer"): "author",
        urls.date_path("en", 2024): "year",
        urls.date_path("en", 2024, 3): "month",
        urls.feeds_page_path("en"): "feeds_page",
        urls.opml_path("en"): "opml",
        urls.media_path("images/x.png"): "media",
        article_path("en", "world", datetime(2024, 3, 1, tzinfo=UTC), "a-story"): "article",
        site.path_of(urls.partner_feed_url(site, "en", "world", "rss")): "partner_feed",
    }
    for kind, scope in scopes.items():
        for fmt in ("atom", "rss", "json"):
            built[site.path_of(urls.feed_url(site, scope, fmt))] = f"{kind}_feed"
        built[site.path_of(urls.archive_url(site, scope, "2024-03"))] = f"{kind}_archive"
    for path, route in built.items():
        assert _answered_by(str(path)) == route, path


def test_the_paths_kept_private_or_unshared_are_routes_of_the_table() -> None:
    """The prefixes the error pages, the caches and CORS keep to themselves name routes that
    exist: a renamed route cannot leave them pointing at nothing."""
    assert set(EDITORS_ONLY) <= set(NOT_SHARED)
    for prefix in NOT_SHARED:
        assert any(pattern.startswith(prefix) for _, _, pattern in ROUTE_TABLE), prefix
