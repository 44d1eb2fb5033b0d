"""Serving any cacheable representation: the fast path, revalidation by scope, the rebuild."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable

from aiohttp import web

from syndication.edge.tags import answer_tags, edge_headers, edge_lifetime
from syndication.model import FeedScope
from syndication.web.conditional import respond
from syndication.web.response_cache import Rendered, dated_by_commit
from syndication.web.services import services

KeyedHandler = Callable[[web.Request, str], Awaitable[web.Response]]
Handler = Callable[[web.Request], Awaitable[web.Response]]


def by_path(request: web.Request) -> str:
    """The cache key of a representation that reads no query parameter."""
    return request.path


def answered_from_cache(
    key_of: Callable[[web.Request], str] = by_path,
) -> Callable[[KeyedHandler], Handler]:
    """The prologue of every cacheable route, in one place: a current cached entry is
    answered before the handler looks at anything; otherwise the handler runs, given the
    entry's key (for `serve`). `key_of` may raise an HTTP error for a malformed request."""

    def wrap(handler: KeyedHandler) -> Handler:
        @functools.wraps(handler)
        async def handle(request: web.Request) -> web.Response:
            key = key_of(request)
            if (hit := current(request, key)) is not None:
                return _answer(request, hit)
            return await handler(request, key)

        return handle

    return wrap


def current(request: web.Request, key: str) -> Rendered | None:
    """The cached entry for `key` if nothing has changed since it was built; no I/O when the
    writer runs in this process (the sequence is pushed), so a conditional GET costs
    microseconds."""
    found = services(request)
    sequence, cache = found.sequence, found.cache
    if not sequence.pushed:
        return None  # the caller's serve() reads the sequence from the archive
    cached = cache.peek(key)
    if cached is not None and cached.current(sequence.seq, found.clock.time()):
        cache.hits += 1
        return cached
    return None


async def built_off_loop(make: Callable[[], Rendered]) -> Rendered:
    """A large document made on a thread, its gzip too, so the event loop answers others
    meanwhile (`make` reads nothing but what it is given: settings are immutable)."""

    def made() -> Rendered:
        rendered = make()
        _ = rendered.gzipped  # compressed here rather than on the first request's loop turn
        return rendered

    return await asyncio.to_thread(made)


async def serve(
    request: web.Request,
    key: str,
    scopes: tuple[FeedScope, ...],
    build: Callable[[int], Awaitable[Rendered]],
) -> web.Response:
    """Answer from the cache, keeping an entry across changes that touch neither its
    articles nor its scopes, and rebuilding it otherwise. `build` may raise HTTP errors;
    those are answered and not cached."""
    found = services(request)
    archive = found.archive
    seq = await found.sequence.current()

    async def still_valid(entry: Rendered) -> bool:
        changed = await archive.feeds.changed_since(entry.seq)
        if changed & entry.article_ids:
            return False
        for scope in scopes:
            if await archive.feeds.any_in_scope(scope, changed):
                return False
        return True

    async def dated_build(at_seq: int) -> Rendered:
        commit = await found.sequence.last_commit()
        entry = await whole_build(at_seq)
        settings = found.settings
        tags = answer_tags(entry.article_ids, scopes, entry.period)
        entry.period, max_age = edge_lifetime(
            entry.period, settings.edge_max_age, found.clock.time()
        )
        entry = entry.tagged(edge_headers(settings.edge_tag_header, max_age, tags))
        settled = await found.sequence.read_commit() == commit
        return dated_by_commit(entry, commit, settled, found.clock.time())

    async def whole_build(at_seq: int) -> Rendered:
        """On a replica, a build during which Litestream wrote the copy may have read half a
        transaction: it is made again, never kept."""
        for _ in range(3):
            before = archive.file_stamp()
            entry = await build(at_seq)
            if archive.file_stamp() == before:
                return entry
        raise web.HTTPServiceUnavailable(text="The archive is being updated; try again.")

    rendered = await found.cache.get(key, seq, still_valid, dated_build)
    return _answer(request, rendered)


def _answer(request: web.Request, rendered: Rendered) -> web.Response:
    """The cached representation, and the fast lane told it may answer the next one."""
    services(request).lane.learn(request, rendered)
    return respond(request, rendered)
