"""HTTP for cached representations: ETag and Last-Modified, 304s, gzip, shared-cache headers."""

from __future__ import annotations

from email.utils import format_datetime, parsedate_to_datetime

from aiohttp import web

from syndication.web.cache import Rendered


def accepts_gzip(request: web.Request) -> bool:
    for part in request.headers.get("Accept-Encoding", "").split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip().lower() in ("gzip", "x-gzip", "*"):
            q = params.strip().removeprefix("q=")
            try:
                return not params or float(q) > 0
            except ValueError:
                return True
    return False


def _etag_matches(header: str, rendered: Rendered) -> bool:
    if header.strip() == "*":
        return True
    ours = {rendered.etag, rendered.gzip_etag}
    return any(tag.strip().removeprefix("W/") in ours for tag in header.split(","))


def not_modified(request: web.Request, rendered: Rendered) -> bool:
    """RFC 9110 13.2.2: If-None-Match wins; If-Modified-Since only without it."""
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        return _etag_matches(if_none_match, rendered)
    since = request.headers.get("If-Modified-Since")
    if since:
        try:
            return rendered.last_modified.replace(microsecond=0) <= parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
    return False


def respond(request: web.Request, rendered: Rendered) -> web.Response:
    gzipped = accepts_gzip(request)
    headers = {
        "ETag": rendered.gzip_etag if gzipped else rendered.etag,
        "Last-Modified": format_datetime(rendered.last_modified, usegmt=True),
        "Cache-Control": rendered.cache_control,
        "Vary": "Accept-Encoding",
        "Access-Control-Allow-Origin": "*",
    }
    if rendered.links:
        headers["Link"] = ", ".join(rendered.links)
    if not_modified(request, rendered):
        return web.Response(status=304, headers=headers)
    headers["Content-Type"] = rendered.content_type
    if gzipped:
        headers["Content-Encoding"] = "gzip"
    return web.Response(body=rendered.gzipped if gzipped else rendered.body, headers=headers)
