"""The documents that state the rights policy of every address (publish/rights_documents.py):
TDMRep's well-known file, RSL's licence and each policy's ODRL document; and the map they
and robots.txt are made from, made again after a change."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from aiohttp import web

from syndication.config import Settings
from syndication.model import FeedScope
from syndication.publish import machine_rights, rights_documents
from syndication.publish.rights_documents import RightsMap
from syndication.publish.routes import ROUTES
from syndication.rights_policy import Policy
from syndication.web import cached_routes
from syndication.web.response_cache import Rendered
from syndication.web.services import services

routes = web.RouteTableDef()


async def current_map(request: web.Request, seq: int) -> RightsMap:
    """The map as of change `seq` or later: read from the archive once per change, by the
    first document that needs it, on a thread (every live story is read, without bodies)."""
    found = services(request)
    kept = found.rights
    async with kept.making:
        if kept.mapped is None or kept.seq < seq:
            stories = await found.archive.articles.live_rights()
            kept.mapped = await asyncio.to_thread(
                rights_documents.rights_map, found.settings, stories
            )
            kept.seq = seq
        return kept.mapped


def stated(request: web.Request, entry: Rendered, policy: Policy) -> Rendered:
    """`entry` with the headers that state `policy`, and the licence in its Link header."""
    settings = services(request).settings
    return entry.stating(
        machine_rights.headers(settings, policy), machine_rights.licence_links(settings)
    )


def in_page(request: web.Request, body: bytes, policy: Policy) -> bytes:
    """A page's <head> with what states its policy: TDMRep's <meta> and RSL's licence link,
    and noindex when search is reserved."""
    tags = machine_rights.head_tags(services(request).settings, policy).encode()
    return body.replace(b"</head>", tags + b"</head>", 1)


def every_edition(request: web.Request) -> tuple[FeedScope, ...]:
    return tuple(FeedScope(e.code) for e in services(request).settings.editions)


def document(request: web.Request, body: bytes, kind: str, seq: int) -> Rendered:
    max_age = services(request).settings.feed_max_age
    return Rendered.of(body, kind, f"public, max-age={max_age}", (), seq, frozenset())


async def _every_address(
    request: web.Request, key: str, write: Callable[[Settings, RightsMap], bytes], kind: str
) -> web.Response:
    """A document stating every address's policy, made from the map as of its change."""

    async def build(seq: int) -> Rendered:
        mapped = await current_map(request, seq)
        return document(request, write(services(request).settings, mapped), kind, seq)

    return await cached_routes.serve(request, key, every_edition(request), build)


@routes.get(ROUTES["tdmrep"])
@cached_routes.answered_from_cache()
async def tdmrep(request: web.Request, key: str) -> web.Response:
    return await _every_address(request, key, rights_documents.tdmrep_json, "application/json")


@routes.get(ROUTES["licence"])
@cached_routes.answered_from_cache()
async def licence(request: web.Request, key: str) -> web.Response:
    kind = "application/rsl+xml; charset=utf-8"
    return await _every_address(request, key, rights_documents.rsl_document, kind)


@routes.get(ROUTES["rights_policy"])
@cached_routes.answered_from_cache()
async def rights_policy(request: web.Request, key: str) -> web.Response:
    policy = Policy.from_key(request.match_info["key"])
    if policy is None:
        raise web.HTTPNotFound(text="No such policy: its name is a letter a use, a or r.")

    async def build(seq: int) -> Rendered:
        body = rights_documents.odrl_policy(services(request).settings, policy)
        return document(request, body, "application/ld+json", seq)

    return await cached_routes.serve(request, key, (), build)
