"""Reading what a request says. Every query parameter, path part and form field a route uses
goes through one of these: a value, or a 400 (404 for a path) with a sentence; nothing else.

`str.isdigit()` is true of "²", which `int()` refuses; a number of 5,000 digits is refused by
`int()` too; a date in year 1 overflows when moved to UTC; a NUL in a path stops the OS calls.
Each of those was a 500.
"""

from __future__ import annotations

import ipaddress
from datetime import UTC, date, datetime, tzinfo
from typing import Any

from aiohttp import web
from multidict import MultiDictProxy

MAX_DIGITS = 9
FIRST_YEAR, LAST_YEAR = 1800, 2999  # what the archive's dates can be (ingest/fields.py)


def whole_number(text: str | None, name: str, low: int, high: int, default: int) -> int:
    if text is None or text == "":
        return default
    if not (text.isascii() and text.isdigit() and len(text) <= MAX_DIGITS):
        raise web.HTTPBadRequest(text=f"`{name}` must be a whole number from {low} to {high}.")
    value = int(text)
    if not low <= value <= high:
        raise web.HTTPBadRequest(text=f"`{name}` must be a whole number from {low} to {high}.")
    return value


def query_number(request: web.Request, name: str, low: int, high: int, default: int) -> int:
    return whole_number(request.query.get(name), name, low, high, default)


def moment(text: str | None, name: str) -> datetime | None:
    """An ISO 8601 time with a zone, in UTC, within the years the archive can hold."""
    if not text:
        return None
    if not text.isascii() or len(text) > 40:
        raise web.HTTPBadRequest(text=f"`{name}` must be an ISO 8601 time.")
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise web.HTTPBadRequest(text=f"`{name}` must be an ISO 8601 time.") from None
    if value.tzinfo is None:
        raise web.HTTPBadRequest(text=f"`{name}` needs a time zone, e.g. 2026-11-27T12:00:00Z.")
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise web.HTTPBadRequest(
            text=f"`{name}` must be between the years {FIRST_YEAR} and {LAST_YEAR}."
        )
    return value.astimezone(UTC)


def local_day(text: str, name: str, tz: tzinfo) -> datetime | None:
    """The start of a day given as YYYY-MM-DD, in `tz`; None when not given."""
    if not text:
        return None
    try:
        day = date.fromisoformat(text) if text.isascii() and len(text) == 10 else None
    except ValueError:
        day = None
    if day is None:
        raise web.HTTPBadRequest(text=f"`{name}` must be a date, e.g. 2026-11-27.")
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise web.HTTPBadRequest(
            text=f"`{name}` must be between the years {FIRST_YEAR} and {LAST_YEAR}."
        )
    return datetime(day.year, day.month, day.day, tzinfo=tz)


def path_year(text: str) -> int:
    """A year in an address (the route's pattern has made it four digits)."""
    year = int(text) if text.isascii() and text.isdigit() else 0
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise web.HTTPNotFound()
    return year


MAX_NAME_BYTES = 255  # a file name, as the OS takes it (longer: ENAMETOOLONG, an OSError)


def path_part(text: str) -> str:
    """A part of an address that names a file: no NUL and no name longer than the OS
    takes, which make its calls raise instead of answering "no such file"."""
    if "\x00" in text or any(len(name.encode()) > MAX_NAME_BYTES for name in text.split("/")):
        raise web.HTTPNotFound()
    return text


async def form(request: web.Request) -> MultiDictProxy[Any]:
    """The posted form, or a 400 when it cannot be read (cut short, a bad encoding...)."""
    try:
        return await request.post()
    except web.HTTPException:
        raise  # aiohttp's own answer, e.g. 413 for a body over the limit
    except Exception:  # whatever a malformed body makes the form parser raise
        raise web.HTTPBadRequest(text="The form could not be read; send it again.") from None


def client_address(request: web.Request, proxies: tuple[str, ...]) -> str:
    """The reader's address: the peer's; or, when the peer is one of the `proxies` (the
    edge in front), the last address it added to X-Forwarded-For, which is whom it forwards.
    Anyone else's X-Forwarded-For is ignored: a reader could write anything there. A proxy's
    header that names no address gives "unknown", never the proxy's own (trusted) address."""
    peer = (request.remote or "").split("%", 1)[0]
    try:
        ip = ipaddress.ip_address(peer)
    except ValueError:
        return peer
    if not any(ip in ipaddress.ip_network(n, strict=False) for n in proxies):
        return peer
    forwarded = request.headers.get("X-Forwarded-For")
    if forwarded is None:
        return peer  # the proxy asking for itself (a health probe)
    last = forwarded.rsplit(",", 1)[-1].strip()
    try:
        return str(ipaddress.ip_address(last))
    except ValueError:
        return "unknown"
