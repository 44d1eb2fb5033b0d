"""Every route of the site, in the order a request is matched against them: one table.

web/ registers each handler with the pattern named here (`@routes.get(ROUTES["robots"])`),
in this order (`tests/test_routes.py` checks the app's routes are this table), and what an
edition or a section may be called is derived from it: a name whose pages an earlier route
would answer (a section called `2024` is the year's archive, one called `feeds` the Feeds
page, an edition called `static` the stylesheet's folder) is refused, with the reason, when
the settings load. Patterns are aiohttp's: `{name}` is one path segment, `{name:regex}` a
segment (or more) that matches the regex.
"""

from __future__ import annotations

import re
from functools import cache

from syndication.config import Settings
from syndication.errors import ConfigError

FMT = "{fmt:atom|rss|json}"
MONTH = r"{month:\d{4}-\d{2}}"
ARTICLE = r"/{edition}/{section}/{year:\d{4}}/{month:\d{2}}/{day:\d{2}}/{slug}"
FEED_FOLDERS = (
    ("edition", "/{edition}"),
    ("topic", "/{edition}/topic/{key}"),
    ("author", "/{edition}/author/{key}"),
    ("section", "/{edition}/{key}"),
)

# Where the paths of the table below are for editors only: no answer kept by a cache or an
# edge, none indexed; and, with the operator's and the hub's, none shared with other sites'
# browser code (CORS).
EDITORS_ONLY = ("/desk", "/preview/")
# The pages a newsletter's links lead to are one subscriber's: not kept, not indexed.
SUBSCRIBERS_ONLY = ("/newsletters/",)
NOT_SHARED = (*EDITORS_ONLY, *SUBSCRIBERS_ONLY, "/websub", "/metrics", "/healthz", "/readyz")

# (name, method, pattern), in matching order.
ROUTE_TABLE: tuple[tuple[str, str, str], ...] = (
    ("healthz", "GET", "/healthz"),
    ("readyz", "GET", "/readyz"),
    ("metrics", "GET", "/metrics"),
    ("websub", "POST", "/websub"),
    ("openapi", "GET", "/api/v1/openapi.json"),
    ("api_changes", "GET", "/api/v1/changes"),
    ("api_item", "GET", "/api/v1/items/{id}"),
    ("api_items", "GET", "/api/v1/items"),
    ("partner_feed", "GET", "/api/v1/feeds/{edition}/{section}.{fmt:atom|rss}"),
    ("preview", "GET", "/preview/{token:[^/]+}"),
    ("preview_media", "GET", "/preview/{token:[^/]+}/media/{path:.+}"),
    ("desk_door", "GET", "/desk"),
    ("desk_login_form", "GET", "/desk/login"),
    ("desk_login", "POST", "/desk/login"),
    ("desk_logout", "POST", "/desk/logout"),
    ("desk", "GET", "/desk/"),
    ("desk_events", "GET", "/desk/events"),
    ("desk_newsletter", "GET", "/desk/newsletters/{list:.+}"),
    ("robots", "GET", "/robots.txt"),
    ("sitemap_index", "GET", "/sitemap.xml"),
    ("news_sitemap", "GET", "/sitemaps/news.xml"),
    ("month_sitemap", "GET", "/sitemaps/{month}.xml"),
    ("tdmrep", "GET", "/.well-known/tdmrep.json"),
    ("licence", "GET", "/license.xml"),
    ("rights_policy", "GET", "/rights/{key}.json"),
    # each scope's feed and its monthly archive; topics and authors before sections, whose
    # {key} would match them too
    *(
        route
        for scope, folder in FEED_FOLDERS
        for route in (
            (f"{scope}_feed", "GET", f"{folder}/feed.{FMT}"),
            (f"{scope}_archive", "GET", f"{folder}/archive/{MONTH}.atom"),
        )
    ),
    ("search_redirect", "GET", "/search"),
    ("media", "GET", "/media/{path:.+}"),
    ("static", "GET", "/static/{name}"),
    ("feeds_page", "GET", "/{edition}/feeds/"),
    ("opml", "GET", "/{edition}/feeds.opml"),
    ("newsletters_page", "GET", "/{edition}/newsletters/"),
    ("newsletters", "POST", "/{edition}/newsletters/"),
    ("newsletter_confirm_page", "GET", "/newsletters/confirm/{token}"),
    ("newsletter_confirm", "POST", "/newsletters/confirm/{token}"),
    ("newsletter_unsubscribe_page", "GET", "/newsletters/unsubscribe/{token}"),
    ("newsletter_unsubscribe", "POST", "/newsletters/unsubscribe/{token}"),
    ("newsletter_manage_page", "GET", "/newsletters/manage/{token}"),
    ("newsletter_manage", "POST", "/newsletters/manage/{token}"),
    ("newsletter_data", "GET", "/newsletters/manage/{token}/data"),
    ("newsletter_delete", "POST", "/newsletters/manage/{token}/delete"),
    ("newsletter_copy", "GET", r"/{edition}/newsletters/{send:\d+}"),
    ("newsletter_bounces", "POST", "/newsletters/bounces"),
    ("front", "GET", "/"),
    ("edition", "GET", "/{edition}/"),
    ("article", "GET", ARTICLE),
    ("search", "GET", "/{edition}/search"),
    ("suggest", "GET", "/{edition}/search/suggest"),
    ("year", "GET", r"/{edition}/{year:\d{4}}/"),
    # one handler, two decorators: the lower one registers first
    ("day", "GET", r"/{edition}/{year:\d{4}}/{month:\d{2}}/{day:\d{2}}/"),
    ("month", "GET", r"/{edition}/{year:\d{4}}/{month:\d{2}}/"),
    ("topic", "GET", "/{edition}/topic/{key}/"),
    ("author", "GET", "/{edition}/author/{key}/"),
    ("section", "GET", "/{edition}/{key}/"),
)
ROUTES = {name: pattern for name, _, pattern in ROUTE_TABLE}

# The routes an edition's pages go by, and those a section's: the names each may not take.
EDITION_ROUTES = tuple(
    n for n, m, p in ROUTE_TABLE if p.startswith("/{edition}") and m == "GET"
)  # a POST goes to the address of a GET page
SECTION_ROUTES = ("section", "section_feed", "section_archive", "article")
# A value for each placeholder, to make the address a route is for.
_SAMPLES = ("x", "2024", "01", "2024-01", "atom", "x.png", "en")
_PLACEHOLDER = re.compile(r"\{(\w+)(?::((?:[^{}]|\{[^{}]*\})+))?\}")


@cache
def _regex(pattern: str) -> re.Pattern[str]:
    """An aiohttp pattern as a regex (`{name}` is one segment without braces)."""
    out, at = [], 0
    for found in _PLACEHOLDER.finditer(pattern):
        out.append(re.escape(pattern[at : found.start()]))
        out.append(f"(?P<{found[1]}>{found[2] or '[^{}/]+'})")
        at = found.end()
    out.append(re.escape(pattern[at:]))
    return re.compile("".join(out))


def route_of(path: str, method: str = "GET") -> str | None:
    """The name of the route that answers `path`: the first that matches."""
    return next((n for n, m, p in ROUTE_TABLE if m == method and _regex(p).fullmatch(path)), None)


def _address(pattern: str, **given: str) -> str:
    """An address the route is for: `given` values, and a sample for the rest."""

    def fill(found: re.Match[str]) -> str:
        if found[1] in given:
            return given[found[1]]
        each = re.compile(found[2] or "[^{}/]+")
        return next(s for s in _SAMPLES if each.fullmatch(s))

    return _PLACEHOLDER.sub(fill, pattern)


def shadowed(settings: Settings) -> list[str]:
    """Each edition or section whose pages another route would answer, and which."""
    found = []
    sample_section = settings.sections[0].slug if settings.sections else "x"
    usable = []  # editions whose pages are their own, to try the sections in
    for edition in settings.editions:
        for name in EDITION_ROUTES:
            path = _address(ROUTES[name], edition=edition.code, section=sample_section)
            if (taken := route_of(path)) != name:
                found.append(_why(f"edition {edition.code!r}", path, taken))
                break
        else:
            usable.append(edition.code)
    if not usable:
        return found
    code = usable[0]
    for section in settings.sections:
        for name in SECTION_ROUTES:
            path = _address(ROUTES[name], edition=code, key=section.slug, section=section.slug)
            if (taken := route_of(path)) != name:
                found.append(_why(f"section {section.slug!r}", path, taken))
                break
    named = [("edition", e.code) for e in settings.editions]
    named += [("section", s.slug) for s in settings.sections]
    for what, part in named:
        said = f"{what} {part!r} cannot be"
        if part.casefold() in SITE_PREFIXES and not any(f.startswith(said) for f in found):
            found.append(
                f"{said}: the site's own addresses begin so (/{{edition}}/{part}/ or "
                f"/{part}/), and robots.txt's and TDMRep's rules for them would reach its pages"
            )
    return found


# The first parts of the site's own addresses, at its root or under an edition (topic and
# author pages, feeds' archives, search, sitemaps, pictures, the rights documents...): an
# edition or a section of that name would share its rules in robots.txt and TDMRep.
SITE_PREFIXES = frozenset(
    {"topic", "author", "archive", "search", "feeds", "newsletters", "sitemaps", "media",
     "static", "rights", "api", "desk", "preview", "websub", "well-known"}
)  # fmt: skip


def _why(what: str, path: str, taken: str | None) -> str:
    page = f"the {taken.replace('_', ' ')} route" if taken else "no route"
    return f"{what} cannot be: its address {path} would be answered by {page}"


def refuse_shadowed(settings: Settings) -> Settings:
    """`settings`, or a ConfigError naming every edition and section another route would
    shadow (the command line and the app check this as the settings load)."""
    if problems := shadowed(settings):
        raise ConfigError("; ".join(problems))
    return settings
