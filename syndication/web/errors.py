"""One place maps every failure to a status and a body: JSON for the partner API, plain text
for the WebSub hub (as WebSub asks), HTML elsewhere."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable

from aiohttp import web

from syndication.errors import ArchiveUnavailable, DamagedBody, NotFound
from syndication.publish.html import error_page
from syndication.publish.routes import EDITORS_ONLY
from syndication.web.services import services

log = logging.getLogger("syndication.web")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

TITLES = {
    400: ("Bad request", "The address or the request is not one this site understands."),
    404: ("Page not found", "There is no page at this address. It may never have existed."),
    401: ("Not signed in", "This address needs a partner key."),
    403: ("Forbidden", "This key may not see that."),
    405: ("Method not allowed", "This address does not accept that kind of request."),
    408: ("Request timeout", "The request came too slowly; send it again."),
    409: ("Conflict", "The request does not fit the archive as it is now."),
    410: ("Article withdrawn", "This article has been withdrawn and is no longer available."),
    422: ("Cannot answer that", "The request is understood, but cannot be answered as asked."),
    429: ("Too many requests", "Slow down, and try again in a moment."),
    500: ("Something went wrong", "The page could not be shown. Please try again in a moment."),
    503: ("Busy", "The archive cannot answer this right now. Please try again in a moment."),
}


# How long browsers and shared caches may keep an answer that is not a page: short and
# explicit, so a story published at an address that answered 404, or put back after a 410,
# is seen soon even by a cache nobody purges. Any other error is never kept.
KEPT_SECONDS = {301: 300, 308: 300, 404: 30, 410: 60}
NEVER_KEPT = "no-store"
PRIVATE = {"Cache-Control": "private, no-store", "X-Robots-Tag": "noindex"}

PASSED_ON = (
    "Cache-Control",  # an answer that must never be kept says so (a preview's refusals)
    "X-Robots-Tag",
    "Allow",
    "Retry-After",
    "WWW-Authenticate",
    "RateLimit-Limit",
    "RateLimit-Remaining",
    "RateLimit-Reset",
)


def error_response(request: web.Request, status: int, message: str | None = None) -> web.Response:
    title, default = TITLES.get(status, ("Error", "The request could not be answered."))
    text = message or default
    if request.path.startswith("/websub"):  # WebSub 5.1.2: the error described as plain text
        return web.Response(
            status=status, text=text, content_type="text/plain",
            headers={"Cache-Control": "private, no-store"},
        )  # fmt: skip
    if request.path.startswith("/api/"):  # machines read these
        body = json.dumps({"ok": False, "error": text, "status": status})
        return web.Response(
            status=status,
            text=body,
            content_type="application/json",
            headers={"Cache-Control": "private, no-store"},
        )
    if status == 410 and request.path.startswith("/preview/"):
        title = "Preview ended"  # the story may be live or only edited: the text says which
    found = services(request)
    html = error_page(found.settings, status, title, text, found.clock.now())
    headers = {"Cache-Control": cache_control_of(status)}
    if request.path.startswith(EDITORS_ONLY):
        headers = dict(PRIVATE)
    return web.Response(
        status=status, text=html, content_type="text/html", charset="utf-8", headers=headers
    )


def cache_control_of(status: int) -> str:
    seconds = KEPT_SECONDS.get(status)
    return f"public, max-age={seconds}" if seconds is not None else NEVER_KEPT


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every failure becomes a page or a JSON body; every answer is counted for /metrics."""
    started = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as exc:
        status = exc.status
        if exc.status < 400:
            private = request.path.startswith(EDITORS_ONLY)
            kept = PRIVATE["Cache-Control"] if private else cache_control_of(exc.status)
            exc.headers.setdefault("Cache-Control", kept)
            raise
        message = exc.text if exc.text and not exc.text.startswith(f"{exc.status}:") else None
        response = error_response(request, exc.status, message)
        for name in PASSED_ON:
            if name in exc.headers:
                response.headers[name] = exc.headers[name]
        return response
    except NotFound as exc:  # raised below the web layer (feed building): a 404 saying what
        status = 404
        return error_response(request, 404, str(exc) or None)
    except DamagedBody as exc:  # the story asked for is there, but its body cannot be read
        status = 503
        await services(request).broken_articles.report(exc.article_id, f"could not be shown: {exc}")
        return error_response(request, 503, "This story cannot be shown right now.")
    except ArchiveUnavailable as exc:  # not our bug, and gone on the next try
        log.warning("%s %s: %s", request.method, request.path, exc)
        status = 503
        response = error_response(request, 503)
        response.headers["Retry-After"] = "5"
        return response
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(request, 500)
    finally:
        resource = request.match_info.route.resource
        route = resource.canonical if resource is not None else "(no route)"
        counted = services(request).requests
        counted.record(route, request.method, status, time.perf_counter() - started)
        if status in (200, 304):  # a feed that exists, asked for by a reader of it
            counted.audience.heard(request.path, request.headers.get("User-Agent", ""))
