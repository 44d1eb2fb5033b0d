"""Fetching for imports: GET only from the hosts the command names (host:port as written), no
redirect anywhere else, bounded in bytes and time."""

from __future__ import annotations

import queue
import threading
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from syndication.ingest.reading import Mailbox

MAX_BYTES = 50 * 1024 * 1024  # one feed page or picture
TIMEOUT = 20.0  # seconds for a connection, and between bytes
REQUEST_SECONDS = 60.0  # for a whole request, however slowly its bytes drip


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
    def __init__(
        self,
        allowed: set[str],
        max_bytes: int = MAX_BYTES,
        request_seconds: float | None = None,
        total_seconds: float = float("inf"),
    ) -> None:
        self.allowed = frozenset(a.lower() for a in allowed)
        self.max_bytes = max_bytes
        self.request_seconds = REQUEST_SECONDS if request_seconds is None else request_seconds
        self.total_seconds = total_seconds
        self._ends = time.monotonic() + total_seconds  # the whole import's time
        self._opener = urllib.request.build_opener(_Redirects(self.allowed))

    def out_of_time(self) -> bool:
        """Whether the whole import's time (import_max_seconds) is up."""
        return time.monotonic() >= self._ends

    def get(self, url: str) -> tuple[bytes, str]:
        """The body and its media type (see get_with_charset)."""
        body, kind, _ = self.get_with_charset(url)
        return body, kind

    def get_with_charset(self, url: str) -> tuple[bytes, str, str]:
        """The body, its media type and the charset the answer names ("" when none);
        Refused for a host not named, an error status, a body over the limit, a network
        failure, or a whole request over REQUEST_SECONDS (a server sending a byte a second
        would otherwise hold the import for hours: the request goes on a thread of its
        own, left behind when its time is up)."""
        if netloc(url) not in self.allowed:
            raise Refused(f"{url[:120]} is on a host not named (--allow-host)")
        done: Mailbox[tuple[bytes, str, str] | Refused] = Mailbox()

        def fetch() -> None:
            try:
                done.put(self._get(url))
            except Refused as exc:
                done.put(exc)
            except Exception as exc:  # what else a broken answer raises (IncompleteRead...)
                done.put(Refused(f"{url[:120]} could not be fetched: {exc!r}"[:300]))

        threading.Thread(target=fetch, name="import-fetch", daemon=True).start()
        allowed = min(self.request_seconds, max(0.0, self._ends - time.monotonic()))
        try:
            got = done.get(timeout=allowed)
        except queue.Empty:
            raise Refused(f"{url[:120]} took over {allowed:g} s") from None
        if isinstance(got, Refused):
            raise got
        return got

    def _get(self, url: str) -> tuple[bytes, str, str]:
        request = urllib.request.Request(url, headers={"User-Agent": "syndication-import"})
        try:
            with self._opener.open(request, timeout=TIMEOUT) as reply:
                body = reply.read(self.max_bytes + 1)
                kind = reply.headers.get_content_type()
                charset = reply.headers.get_content_charset() or ""
        except urllib.error.HTTPError as exc:
            raise Refused(f"{url[:120]} answered {exc.code}") from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise Refused(f"{url[:120]} could not be fetched: {exc}") from None
        if len(body) > self.max_bytes:
            raise Refused(f"{url[:120]} is over {self.max_bytes // (1024 * 1024)} MB")
        return body, kind, charset
