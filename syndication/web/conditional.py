"""HTTP for cached representations: ETag and Last-Modified, 304s, gzip, shared-cache headers.

The rules work on header values so that aiohttp's handlers and the fast lane (fast_lane.py),
which answers from raw bytes, decide alike.
"""

from __future__ import annotations

from email.utils import parsedate_to_datetime
from functools import lru_cache

from aiohttp import web

from syndication.web.cache import Rendered


def accepts_gzip(request: web.Request) -> bool:
    return gzip_ok(request.headers.get("Accept-Encoding", ""))


@lru_cache(maxsize=256)  # clients send a handful of distinct Accept-Encoding values
def gzip_ok(header: str) -> bool:
    for part in header.split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip().lower() in ("gzip", "x-gzip", "*"):
            q = params.strip().removeprefix("q=")
            try:
                return not params or float(q) > 0
            except ValueError:
                return True
    return False


def _etag_matches(header: str, ours: str) -> bool:
    if header == ours:  # the usual case: the one tag the client was given
        return True
    if header.strip() == "*":
        return True
    return any(tag.strip().removeprefix("W/") == ours for tag in header.split(","))


def unchanged_for(
    if_none_match: str | None, if_modified_since: str | None, rendered: Rendered, gzipped: bool
) -> bool:
    """RFC 9110 13.2.2: If-None-Match wins; If-Modified-Since only without it. A tag matches
    only the variant this request gets (identity or gzip): a 304 carries that variant's
    ETag, which a cache must find on the copy it keeps (RFC 9111 4.3.4), so a client holding
    the other variant gets the whole answer instead."""
    if if_none_match is not None:
        return _etag_matches(if_none_match, rendered.gzip_etag if gzipped else rendered.etag)
    if if_modified_since:
        try:
            since = parsedate_to_datetime(if_modified_since)
            ours = rendered.last_modified
            # A date shared with another version of the answer cannot tell which one the
            # client holds: only a later one can (web/cache.py `stamped`).
            return ours < since or (ours == since and rendered.date_exact)
        except (TypeError, ValueError):
            return False
    return False


def not_modified(request: web.Request, rendered: Rendered, gzipped: bool) -> bool:
    headers = request.headers
    return unchanged_for(
        headers.get("If-None-Match"), headers.get("If-Modified-Since"), rendered, gzipped
    )


def respond(request: web.Request, rendered: Rendered) -> web.Response:
    gzipped = accepts_gzip(request)
    if not_modified(request, rendered, gzipped):
        return web.Response(status=304, headers=rendered.headers[gzipped, True])
    body = rendered.gzipped if gzipped else rendered.body
    return web.Response(body=body, headers=rendered.headers[gzipped, False])
