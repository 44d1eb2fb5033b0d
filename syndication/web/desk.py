"""The editors' desk at /desk/: what is waiting, what is broken, what changed and who has what,
kept live by Server-Sent Events. For editors only (accounts: `syndication editors add`), and
read-only: editing stays in files.

A session is a signed cookie naming the editor and when it ends, signed with the archive's
desk secret and the editor's password hash, so every process (and replica) checks it alike,
and a new password or a removed account ends it. Logins are limited per address and per name
(LOGINS_PER_MINUTE), in buckets every serving process shares. Nothing here is ever kept by a
cache nor indexed.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hmac
import time
import zlib
from dataclasses import dataclass

from aiohttp import web
from argon2.exceptions import InvalidHashError, VerificationError

from syndication.archive.editors import HASHER, MAX_PASSWORD, NAME
from syndication.archive.fanout import Committed
from syndication.archive.previews import DESK
from syndication.mail import sender
from syndication.mail.lists import UnknownList, parse_list
from syndication.publish import desk_pages
from syndication.publish.routes import ROUTES
from syndication.web.errors import PRIVATE
from syndication.web.params import client_address
from syndication.web.previews import encode, preview_url, signature
from syndication.web.ratelimit import SLOTS
from syndication.web.services import Services, services

routes = web.RouteTableDef()
COOKIE = "desk_session"
SESSION_SECONDS = 12 * 3600
LOGINS_PER_MINUTE = 5  # tries (right or wrong) per address and per name; the 6th waits
MAX_FORM = 4096  # bytes of a login form
POLL_SECONDS = 1.0  # how often a stream looks, besides being woken by the fan-out
KEEP_ALIVE_SECONDS = 15.0
STREAM_SECONDS = 600.0  # then the browser reconnects (EventSource does it by itself)
MAX_STREAMS = 32  # open event streams a process keeps
PREVIEW_HOURS = 24.0
_streams = 0


@dataclass(frozen=True, slots=True)
class Session:
    editor: str
    ends: int


def _signature(secret: str, editor: str, ends: int, password_hash: str) -> str:
    return encode(signature(secret, f"desk\n{editor}\n{ends}\n{password_hash}".encode()))


async def _session(request: web.Request) -> Session | None:
    """The editor whose valid session cookie came with the request, or None."""
    cookie = request.cookies.get(COOKIE, "")
    if not cookie or len(cookie) > 200 or cookie.count(".") < 2:
        return None
    editor, ends_text, signature = cookie.rsplit(".", 2)
    if not NAME.fullmatch(editor) or not ends_text.isdigit() or len(ends_text) > 12:
        return None
    ends = int(ends_text)
    if ends < services(request).clock.time():
        return None
    archive = services(request).archive
    secret = await archive.secret(DESK)
    password_hash = await archive.desk.password_hash(editor)
    if secret is None or password_hash is None:
        return None
    expected = _signature(secret, editor, ends, password_hash)
    if not hmac.compare_digest(signature.encode(), expected.encode()):
        return None
    return Session(editor, ends)


def _secure(request: web.Request) -> bool:
    """Whether the cookie may travel only over HTTPS: served over it, here or at the edge."""
    return request.secure or services(request).settings.base_url.startswith("https://")


def _client(request: web.Request) -> str:
    """The reader's address, as the login limit counts it (params.client_address)."""
    return client_address(request, services(request).settings.proxy_networks)[:64]


def _bucket(kind: str, key: str) -> int:
    """A slot of the login buckets (a file of their own, shared by every process)."""
    # A header's bytes that are not UTF-8 arrive as lone surrogates: they count too.
    return zlib.crc32(f"{kind}:{key}".encode("utf-8", "surrogatepass")) % SLOTS


@routes.get(ROUTES["desk_door"])
async def desk_bare(request: web.Request) -> web.Response:
    raise web.HTTPPermanentRedirect("/desk/", headers=PRIVATE)


@routes.get(ROUTES["desk_login_form"])
async def login_form(request: web.Request) -> web.Response:
    return _html(desk_pages.login_page(services(request).settings))


@routes.post(ROUTES["desk_login"])
async def login(request: web.Request) -> web.Response:
    found = services(request)
    if (request.content_length or 0) > MAX_FORM:
        raise web.HTTPRequestEntityTooLarge(MAX_FORM, request.content_length or 0, headers=PRIVATE)
    try:
        form = await request.post()
    except ValueError:
        raise web.HTTPBadRequest(
            text="The login form could not be read.", headers=PRIVATE
        ) from None
    name, password = str(form.get("name", ""))[:100], str(form.get("password", ""))
    for verdict in (
        found.logins.take(_bucket("address", _client(request)), LOGINS_PER_MINUTE),
        found.logins.take(_bucket("name", name.casefold()), LOGINS_PER_MINUTE),
    ):
        if not verdict.allowed:
            return _html(
                desk_pages.login_page(
                    found.settings,
                    f"Too many tries: wait {verdict.retry_after} s before the next one.",
                    name,
                ),
                status=429,
                headers={"Retry-After": str(verdict.retry_after)},
            )
    password_hash = await found.archive.desk.password_hash(name) if NAME.fullmatch(name) else None
    secret = await found.archive.secret(DESK)
    if not await _verified(password_hash, password) or secret is None or password_hash is None:
        return _html(
            desk_pages.login_page(found.settings, "Wrong name or password.", name), status=401
        )
    ends = int(found.clock.time()) + SESSION_SECONDS
    response = _see_other("/desk/")
    response.set_cookie(
        COOKIE,
        f"{name}.{ends}.{_signature(secret, name, ends, password_hash)}",
        max_age=SESSION_SECONDS,
        path="/desk/",
        httponly=True,
        secure=_secure(request),
        samesite="Strict",
    )
    return response


def _see_other(location: str) -> web.Response:
    return web.Response(status=303, headers={**PRIVATE, "Location": location})


async def _verified(password_hash: str | None, password: str) -> bool:
    """Whether the password is the editor's: argon2 in a thread (about 50 ms of work), and
    the same work for a name that is no editor's, so timing does not tell names apart."""
    if len(password) > MAX_PASSWORD:
        return False
    against = password_hash or _dummy_hash()
    try:
        await asyncio.to_thread(HASHER.verify, against, password)
    except (VerificationError, InvalidHashError):
        return False
    return password_hash is not None


@functools.cache
def _dummy_hash() -> str:
    """Made the first time a login names no editor, not as every process starts (an argon2
    hash is 64 MB and tens of ms of work)."""
    return HASHER.hash("no editor has this password")


@routes.post(ROUTES["desk_logout"])
async def logout(request: web.Request) -> web.Response:
    response = _see_other("/desk/login")
    response.del_cookie(COOKIE, path="/desk/")
    return response


@routes.get(ROUTES["desk"])
async def desk(request: web.Request) -> web.Response:
    session = await _session(request)
    if session is None:
        raise web.HTTPSeeOther("/desk/login", headers=PRIVATE)
    found = services(request)
    return _html(desk_pages.desk_page(found.settings, session.editor, await _panels(found)))


@routes.get(ROUTES["desk_events"])
async def events(request: web.Request) -> web.StreamResponse:
    """The desk's panels again each time anything they show may have changed: woken by the
    change fan-out, and looking every POLL_SECONDS for what it does not carry (a reader
    process of `serve --workers N` hears only the sequence)."""
    global _streams
    session = await _session(request)
    if session is None:
        raise web.HTTPUnauthorized(text="Log in at /desk/login first.", headers=PRIVATE)
    if _streams >= MAX_STREAMS:
        raise web.HTTPServiceUnavailable(
            text="Too many desks are open; try again.", headers={**PRIVATE, "Retry-After": "10"}
        )
    found = services(request)
    response = web.StreamResponse(
        headers={**PRIVATE, "Content-Type": "text/event-stream", "X-Accel-Buffering": "no"}
    )
    await response.prepare(request)
    wake = asyncio.Event()

    def changed(_: Committed) -> None:
        wake.set()

    _streams += 1
    found.changes.subscribe(changed)
    try:
        await response.write(b"retry: 2000\n\n")
        await _stream(request, response, found, wake, session)
    except (ConnectionResetError, asyncio.CancelledError):
        pass
    finally:
        found.changes.unsubscribe(changed)
        _streams -= 1
    return response


async def _stream(
    request: web.Request,
    response: web.StreamResponse,
    found: Services,
    wake: asyncio.Event,
    session: Session,
) -> None:
    started = last_sent = time.monotonic()
    seen = await found.archive.desk.fingerprint()
    while time.monotonic() - started < STREAM_SECONDS and found.clock.time() < session.ends:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wake.wait(), POLL_SECONDS)
        wake.clear()
        now = await found.archive.desk.fingerprint()
        if now != seen:
            if await _session(request) is None:  # password changed, account removed
                return
            seen = now
            panels = desk_pages.panels(found.settings, await _panels(found))
            data = "".join(f"data: {line}\n" for line in panels.splitlines())
            await response.write(f"event: desk\n{data}\n".encode())
            last_sent = time.monotonic()
        elif time.monotonic() - last_sent > KEEP_ALIVE_SECONDS:
            await response.write(b": still here\n\n")
            last_sent = time.monotonic()


@routes.get(ROUTES["desk_newsletter"])
async def newsletter_preview(request: web.Request) -> web.Response:
    """A list's next digest, as its subscribers would receive it (no one's links)."""
    if await _session(request) is None:
        raise web.HTTPSeeOther("/desk/login", headers=PRIVATE)
    found = services(request)
    try:
        chosen = parse_list(request.match_info["list"], found.settings)
    except UnknownList as error:
        raise web.HTTPNotFound(text=str(error), headers=PRIVATE) from None
    now = found.clock.now()
    digest = await found.writes.write(
        lambda conn: sender.next_digest(conn, found.settings, chosen, now)
    )
    return _html(digest.marks.filled(digest.html, "#unsubscribe", "#preferences"))


async def _panels(found: Services) -> desk_pages.Panels:
    archive, settings = found.archive, found.settings
    status = await archive.status()
    secret = settings.preview_secret or await archive.preview_secret()
    now = found.clock.now()
    previews = (
        {
            w.id: preview_url(settings, secret, w.id, w.version, PREVIEW_HOURS, now)
            for w in status.waiting
        }
        if secret
        else {}
    )
    return desk_pages.Panels(
        errors=status.errors,
        waiting=status.waiting,
        previews=previews,
        changes=await archive.desk.recent_changes(),
        withdrawals=await archive.desk.withdrawals(),
        partners=await archive.desk.partner_pulls(),
        newsletters=await archive.desk.newsletters(),
    )


def _html(body: str, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(
        status=status,
        text=body,
        content_type="text/html",
        charset="utf-8",
        headers={**PRIVATE, **(headers or {})},
    )
