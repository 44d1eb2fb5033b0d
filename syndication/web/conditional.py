"""HTTP for cached representations: ETag and Last-Modified, 304s, gzip, shared-cache headers.

The rules work on header values so that aiohttp's handlers and the fast lane (fast_lane.py),
which answers from raw bytes, decide alike.
"""

from __future__ import annotations

import re
from email.utils import parsedate_to_datetime
from functools import lru_cache

from aiohttp import web

from syndication.web.response_cache import Rendered


def _combined(request: web.Request, name: str) -> str | None:
    """A list header sent on several lines, as one (RFC 9110 5.3); None when not sent."""
    values = request.headers.getall(name, [])
    return ", ".join(values) if values else None


def accepts_gzip(request: web.Request) -> bool:
    return gzip_ok(_combined(request, "Accept-Encoding") or "")


_QVALUE = re.compile(r"0(\.[0-9]{0,3})?|1(\.0{0,3})?")


@lru_cache(maxsize=256)  # clients send a handful of distinct Accept-Encoding values
def gzip_ok(header: str) -> bool:
    """Whether the answer may be gzipped (RFC 9110 12.5.3): gzip (or x-gzip) listed with a
    weight above 0, or else `*` so; a weight that is not one (`q=`, `q=2`) refuses it, as
    the identity answer is always acceptable and a wrong gzip is not."""
    weights: dict[str, float] = {}
    for part in header.split(","):
        coding, *params = (p.strip() for p in part.split(";"))
        weight = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                value = value.strip()
                weight = float(value) if _QVALUE.fullmatch(value) else 0.0
        weights.setdefault(coding.lower(), weight)
    for coding in ("gzip", "x-gzip", "*"):
        if coding in weights:
            return weights[coding] > 0
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
            # client holds: only a later one can (web/response_cache.py `dated_by_commit`).
            return ours < since or (ours == since and rendered.date_exact)
        except (TypeError, ValueError):
            return False
    return False


def not_modified(request: web.Request, rendered: Rendered, gzipped: bool) -> bool:
    return unchanged_for(
        _combined(request, "If-None-Match"),
        request.headers.get("If-Modified-Since"),
        rendered,
        gzipped,
    )


def respond(request: web.Request, rendered: Rendered) -> web.Response:
    gzipped = accepts_gzip(request)
    if not_modified(request, rendered, gzipped):
        return web.Response(status=304, headers=rendered.headers[gzipped, True])
    body = rendered.gzipped if gzipped else rendered.body
    return web.Response(body=body, headers=rendered.headers[gzipped, False])
