"""Fetching for imports: GET only from the hosts the command names (host:port as written), no
redirect anywhere else, bounded in bytes and time."""

from __future__ import annotations

import urllib.error
import urllib.request
from urllib.parse import urlsplit

MAX_BYTES = 50 * 1024 * 1024  # one feed page or picture
TIMEOUT = 20.0  # seconds for a connection, and between bytes


class Refused(Exception):
    """The address may not be fetched, or what came back may not be used; says why."""


def netloc(url: str) -> str:
    parts = urlsplit(url)
    return parts.netloc.lower() if parts.scheme in ("http", "https") else ""


class _Redirects(urllib.request.HTTPRedirectHandler):
    def __init__(self, allowed: frozenset[str]) -> None:
        self.allowed = allowed

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        if netloc(newurl) not in self.allowed:
            raise Refused(f"redirected to {newurl[:120]}, a host not named")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


class Fetcher:
    def __init__(self, allowed: set[str], max_bytes: int = MAX_BYTES) -> None:
        self.allowed = frozenset(a.lower() for a in allowed)
        self.max_bytes = max_bytes
        self._opener = urllib.request.build_opener(_Redirects(self.allowed))

    def get(self, url: str) -> tuple[bytes, str]:
        """The body and its media type; Refused for a host not named, an error status, a
        body over the limit or a network failure."""
        if netloc(url) not in self.allowed:
            raise Refused(f"{url[:120]} is on a host not named (--allow-host)")
        request = urllib.request.Request(url, headers={"User-Agent": "syndication-import"})
        try:
            with self._opener.open(request, timeout=TIMEOUT) as reply:
                body = reply.read(self.max_bytes + 1)
                kind = reply.headers.get_content_type()
        except urllib.error.HTTPError as exc:
            raise Refused(f"{url[:120]} answered {exc.code}") from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise Refused(f"{url[:120]} could not be fetched: {exc}") from None
        if len(body) > self.max_bytes:
            raise Refused(f"{url[:120]} is over {self.max_bytes // (1024 * 1024)} MB")
        return body, kind
