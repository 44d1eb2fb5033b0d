"""Newsletters on the web: the sign-up forms and page, and where a mail's links lead.

- `POST /{edition}/newsletters/` signs an address up: the answer is the same page whether
  the address was known, already subscribed, suppressed or new, and the confirmation mail
  goes out after the answer (double opt-in: no list is sent until its link is followed).
- `/newsletters/confirm/{token}`, `/newsletters/unsubscribe/{token}`: a page with one
  button (a link checker that opens every link in a mail changes nothing); the button's POST
  does it. A POST to the unsubscribe link is RFC 8058's one-click unsubscribe: no cookie,
  no login, at once.
- `/newsletters/manage/{token}`: the subscriber's lists, their data as JSON, and deleting it.
- `POST /newsletters/bounces`: a mail provider's webhook (Authorization: Bearer bounce_key).

No page shows an address back. Every answer under /newsletters/ is private (no cache, no
index) and not shared with other sites' code (publish/routes.py NOT_SHARED).
"""

from __future__ import annotations

import asyncio
import functools
import hmac
import json
import logging
import zlib
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from aiohttp import web

from syndication.archive import newsletters as store
from syndication.archive.bodies import body_html
from syndication.archive.sql import Query
from syndication.mail import tokens
from syndication.mail.addresses import BadAddress, checked_address
from syndication.mail.lists import (
    ALERT,
    UnknownList,
    lists_of,
    parse_list,
)
from syndication.mail.message import confirmation_mail, preferences_url, sender_address
from syndication.mail.transport import transport_for
from syndication.model import Edition, FeedKind, FeedScope, NewsletterList
from syndication.publish import html
from syndication.publish.labels import translator
from syndication.publish.machine_rights import scope_policy
from syndication.publish.routes import ROUTES
from syndication.validity_periods import year_of
from syndication.web import cached_routes, rights_routes
from syndication.web.errors import PRIVATE
from syndication.web.params import client_address, form
from syndication.web.ratelimit import SLOTS
from syndication.web.response_cache import Rendered
from syndication.web.services import Services, services

routes = web.RouteTableDef()
log = logging.getLogger("syndication.web")
MAX_FORM = 16_384  # bytes of a sign-up or preferences form
MAX_LISTS = 50  # lists one form may name
_sending: set[asyncio.Task[None]] = set()  # confirmation mails on their way


def _edition(request: web.Request) -> Edition:
    settings = services(request).settings
    code = request.match_info["edition"]
    if not settings.newsletters or not settings.has_edition(code):
        raise web.HTTPNotFound()
    return settings.edition(code)


def _answer(
    found: Services,
    edition: Edition,
    title: str,
    message: list[str],
    status: int = 200,
    **more: Any,
) -> web.Response:
    body = html.newsletter_page(found.settings, edition, found.clock.now(), title, message, **more)
    return web.Response(
        text=body, status=status, content_type="text/html", charset="utf-8", headers=PRIVATE
    )


def _label(found: Services, edition: Edition, newsletter_list: NewsletterList, name: str) -> str:
    _ = translator(edition.language)
    if newsletter_list.cadence == ALERT:
        return _("Breaking news, as it happens")
    return _("{name}: daily at {time}", name=name, time=newsletter_list.cadence)


def _choices(
    found: Services, edition: Edition, chosen: set[str], every_edition: bool = False
) -> list[html.Choice]:
    """Every list of the edition (or of every edition): its own, then each section's."""
    settings = found.settings
    editions = settings.editions if every_edition else (edition,)
    choices = []
    for one in editions:
        scopes = [(FeedScope(one.code), one.name)] + [
            (FeedScope(one.code, FeedKind.SECTION, s.slug), s.name(one.code))
            for s in settings.sections
        ]
        choices += [
            html.Choice(item.name, _label(found, edition, item, name), item.name in chosen)
            for scope, name in scopes
            for item in lists_of(settings, scope)
        ]
    return choices


@routes.get(ROUTES["newsletters_page"])
@cached_routes.answered_from_cache()  # reads no query: one page an edition, kept as any page
async def signup_page(request: web.Request, key: str) -> web.Response:
    found, edition = services(request), _edition(request)

    async def build(seq: int) -> Rendered:
        now = found.clock.now()
        _ = translator(edition.language)
        body = html.newsletter_page(
            found.settings, edition, now, _("Newsletters"),
            [_("Our stories by e-mail: choose what you want, and when.")],
            action=request.path, button=_("Subscribe"),
            choices=_choices(found, edition, set()), ask_address=True,
            form_name="newsletters page", private=False,
        )  # fmt: skip
        policy = scope_policy(found.settings, edition.code)  # the edition's, as its pages say
        page = Rendered.of(
            rights_routes.in_page(request, body.encode(), policy),
            "text/html; charset=utf-8",
            f"public, max-age={found.settings.page_max_age}",
            (),
            seq,
            frozenset(),
        )
        page = rights_routes.stated(request, page, policy)
        page.period = year_of(now)  # its footer links this year's date archive
        return page

    return await cached_routes.serve(request, key, (FeedScope(edition.code),), build)


@routes.post(ROUTES["newsletters"])
async def signup(request: web.Request) -> web.Response:
    found, edition = services(request), _edition(request)
    settings = found.settings
    _ = translator(edition.language)
    if (request.content_length or 0) > MAX_FORM:
        raise web.HTTPRequestEntityTooLarge(MAX_FORM, request.content_length or 0, headers=PRIVATE)
    posted = await form(request)
    verdict = found.signups.take(
        _bucket(client_address(request, settings.proxy_networks)), settings.signups_per_minute
    )
    if not verdict.allowed:
        return _answer(
            found, edition, _("Too many sign-ups"),
            [_("Wait a minute, then try again.")], status=429,
        )  # fmt: skip
    try:
        address = checked_address(str(posted.get("address", "")))
    except BadAddress:
        return _answer(
            found, edition, _("Newsletters"),
            [_("That is not an e-mail address we can send to. Check it and try again.")],
            status=400, action=request.path, button=_("Subscribe"),
            choices=_choices(found, edition, set(map(str, posted.getall("list", [])))),
            ask_address=True, form_name=_form_name(posted),
        )  # fmt: skip
    names = [str(n) for n in posted.getall("list", [])]
    if not names or len(names) > MAX_LISTS:
        raise web.HTTPBadRequest(text="Choose at least one newsletter.", headers=PRIVATE)
    lists = []
    for name in dict.fromkeys(names):
        chosen = await _offered(found, name)
        if chosen.scope.edition != edition.code:
            raise web.HTTPBadRequest(text=f"{name!r} is another edition's", headers=PRIVATE)
        lists.append(chosen.name)
    if not str(posted.get("website", "")):  # the field people never see: filled by robots
        now = found.clock.now()
        signups = await found.writes.write(
            lambda conn: store.request_subscription(
                conn, address.kept, edition.code, lists, _form_name(posted), now,
                settings.signup_mails_per_day,
            )
        )  # fmt: skip
        if signups:
            _mail_later(found, edition, address.sent_to, signups[0])
    return _answer(
        found,
        edition,
        _("Check your inbox"),
        [
            _(
                "If that address can receive our newsletters, a mail is on its way to it with "
                "a link to confirm. Nothing is sent before you follow it."
            )
        ],
    )


async def _offered(found: Services, name: str) -> NewsletterList:
    """The list a form names, if the settings offer it and its topic or author has had a
    story; else a 400 saying why."""
    try:
        chosen = parse_list(name, found.settings)
    except UnknownList as error:
        raise web.HTTPBadRequest(text=str(error), headers=PRIVATE) from None
    named = chosen.scope.kind in (FeedKind.TOPIC, FeedKind.AUTHOR)
    if named and await found.archive.feeds.scope_name(chosen.scope) is None:
        raise web.HTTPBadRequest(text=f"{name[:60]!r}: no such topic or author", headers=PRIVATE)
    return chosen


def _form_name(posted: Any) -> str:
    name = str(posted.get("form", "page"))[:60]
    return name if name.isprintable() else "page"


def _bucket(client: str) -> int:
    return zlib.crc32(f"signup:{client}".encode("utf-8", "surrogatepass")) % SLOTS


def _mail_later(found: Services, edition: Edition, recipient: str, signup: store.Signup) -> None:
    """The confirmation mail, sent after the answer: the answer takes as long whether or
    not a mail goes."""

    async def send() -> None:
        _ = translator(edition.language)
        settings = found.settings
        try:
            secret = await found.writes.write(store.secret)
            token = tokens.confirmation(
                secret, signup.subscriber.id, signup.subscriber.key, signup.asked
            )
            link = settings.absolute(f"/newsletters/confirm/{token}")
            text = _(
                "Someone, perhaps you, asked for newsletters of {site} at this address.\n\n"
                "To receive them, confirm within {hours} hours:\n{link}\n\n"
                "If it was not you, do nothing: no newsletter is sent without this "
                "confirmation, and this is the only mail you will get.",
                site=settings.site_name, hours=settings.confirm_hours, link=link,
            )  # fmt: skip
            subject = _("Confirm your newsletters from {site}", site=settings.site_name)
            message = confirmation_mail(settings, recipient, subject, text, found.clock.now())
            transport = transport_for(settings)
            try:
                name = f"confirm-{signup.subscriber.id}-{int(signup.asked.timestamp())}"
                await transport.send(message, sender_address(settings), recipient, name)
            finally:
                await transport.close()
        except Exception:  # the reader can sign up again; the reason is logged
            log.exception("the confirmation mail to subscriber %s failed", signup.subscriber.id)

    task = asyncio.create_task(send())
    _sending.add(task)
    task.add_done_callback(_sending.discard)


async def _confirmation(
    found: Services, token: str
) -> tuple[store.Subscriber, datetime, str] | str:
    """The subscriber and the sign-up a confirmation link is for, and the secret; or why
    the link does not work (made elsewhere, ended, or for a subscriber no longer kept)."""
    try:
        number, asked, mac = tokens.read_confirmation(
            token, found.clock.now(), found.settings.confirm_hours
        )
    except tokens.BadToken as error:
        return str(error)
    secret, who = await found.writes.write(
        lambda conn: (store.secret(conn), store.subscriber_by_id(conn, number))
    )
    if who is None or not tokens.confirmation_matches(secret, who.id, who.key, asked, mac):
        return "not a link of ours, or a sign-up no longer kept"
    return who, asked, secret


@routes.get(ROUTES["newsletter_confirm_page"])
async def confirm_page(request: web.Request) -> web.Response:
    found = services(request)
    checked = await _confirmation(found, request.match_info["token"])
    if isinstance(checked, str):
        return _ended(found, found.settings.edition(found.settings.default_edition), checked)
    edition = _edition_of(found, checked[0])
    _ = translator(edition.language)
    return _answer(
        found, edition, _("Confirm your newsletters"),
        [_("One more step: confirm that you want the newsletters you asked for.")],
        action=request.path, button=_("Confirm"),
    )  # fmt: skip


@routes.post(ROUTES["newsletter_confirm"])
async def confirm(request: web.Request) -> web.Response:
    found = services(request)
    checked = await _confirmation(found, request.match_info["token"])
    if isinstance(checked, str):
        return _ended(found, found.settings.edition(found.settings.default_edition), checked)
    who, asked, secret = checked
    now = found.clock.now()
    confirmed = await found.writes.write(lambda conn: store.confirm(conn, who.id, asked, now))
    edition = _edition_of(found, who)
    _ = translator(edition.language)
    if not confirmed:
        return _ended(found, edition, _("This sign-up is no longer open; sign up again."))
    link = preferences_url(found.settings, tokens.subscriber_link(secret, who.id, who.key))
    return _answer(
        found, edition, _("You are subscribed"),
        [
            _("Your newsletters start with the next one of each list you chose."),
            ", ".join(confirmed),
        ],
        links=[html.Link(link, _("Your newsletters"))],
    )  # fmt: skip


def _edition_of(found: Services, who: store.Subscriber | None) -> Edition:
    settings = found.settings
    code = who.edition if who and settings.has_edition(who.edition) else settings.default_edition
    return settings.edition(code)


def _ended(found: Services, edition: Edition, why: str) -> web.Response:
    _ = translator(edition.language)
    return _answer(found, edition, _("This link does not work"), [why], status=400)


async def _subscriber(found: Services, token: str) -> tuple[store.Subscriber | None, str]:
    """The subscriber a link of theirs names (None once they are gone), and the secret."""
    try:
        number, mac = tokens.read_subscriber_link(token)
    except tokens.BadToken:
        raise web.HTTPBadRequest(text="This is not a link of ours.", headers=PRIVATE) from None
    secret, who = await found.writes.write(
        lambda conn: (store.secret(conn), store.subscriber_by_id(conn, number))
    )
    if who is not None and not tokens.subscriber_link_matches(secret, who.id, who.key, mac):
        return None, secret  # answered as a subscriber no longer kept: numbers tell nothing
    return who, secret


def _gone(found: Services) -> web.Response:
    edition = found.settings.edition(found.settings.default_edition)
    _ = translator(edition.language)
    return _answer(found, edition, _("No newsletters"), [_("We keep nothing about you.")])


SubscriberHandler = Callable[
    [web.Request, Services, store.Subscriber, str], Awaitable[web.Response]
]


def _for_subscriber(handler: SubscriberHandler) -> Callable[[web.Request], Awaitable[web.Response]]:
    """The prologue of every page a subscriber's link leads to: the link checked (400 when
    it is not ours), and, once they are gone, the page that says nothing is kept."""

    @functools.wraps(handler)
    async def handle(request: web.Request) -> web.Response:
        found = services(request)
        who, secret = await _subscriber(found, request.match_info["token"])
        if who is None:
            return _gone(found)
        return await handler(request, found, who, secret)

    return handle


@routes.get(ROUTES["newsletter_unsubscribe_page"])
@_for_subscriber
async def unsubscribe_page(
    request: web.Request, found: Services, who: store.Subscriber, secret: str
) -> web.Response:
    edition = _edition_of(found, who)
    _ = translator(edition.language)
    one = request.query.get("list", "")
    return _answer(
        found, edition, _("Unsubscribe"),
        [_("Stop this newsletter?") if one else _("Stop every newsletter?")],
        action=request.path_qs, button=_("Unsubscribe"),
    )  # fmt: skip


@routes.post(ROUTES["newsletter_unsubscribe"])
@_for_subscriber
async def unsubscribe(
    request: web.Request, found: Services, who: store.Subscriber, secret: str
) -> web.Response:
    """RFC 8058: `List-Unsubscribe=One-Click` posted here, by a mail provider or the page's
    button, stops the list at once (every list, when the link names none)."""
    one = request.query.get("list", "")[:200]
    now = found.clock.now()
    await found.writes.write(
        lambda conn: store.unsubscribe(conn, who.id, [one] if one else None, now, "link")
    )
    edition = _edition_of(found, who)
    _ = translator(edition.language)
    link = preferences_url(found.settings, tokens.subscriber_link(secret, who.id, who.key))
    return _answer(
        found, edition, _("You are unsubscribed"),
        [_("No more of it will be sent to you.")],
        links=[html.Link(link, _("Your newsletters"))],
    )  # fmt: skip


@routes.get(ROUTES["newsletter_manage_page"])
@_for_subscriber
async def manage_page(
    request: web.Request, found: Services, who: store.Subscriber, secret: str
) -> web.Response:
    return await _manage(found, who, request.path, [])


async def _manage(
    found: Services, who: store.Subscriber, path: str, said: list[str]
) -> web.Response:
    edition = _edition_of(found, who)
    _ = translator(edition.language)
    has = await found.writes.write(lambda conn: store.subscriptions_of(conn, who.id))
    chosen = {name for name, confirmed in has.items() if confirmed}
    choices = _choices(found, edition, chosen, every_edition=True)
    offered = {c.name for c in choices}
    choices += [html.Choice(name, name, True) for name in sorted(chosen - offered)]
    return _answer(
        found, edition, _("Your newsletters"),
        said or [_("Choose the newsletters you receive.")],
        action=path, button=_("Save"), choices=choices,
        links=[html.Link(f"{path}/data", _("Download everything we keep about you (JSON)"))],
        danger=html.Danger(
            f"{path}/delete", _("Delete everything we keep about you, and stop every newsletter."),
            _("Delete"),
        ),
    )  # fmt: skip


@routes.post(ROUTES["newsletter_manage"])
@_for_subscriber
async def save_choices(
    request: web.Request, found: Services, who: store.Subscriber, secret: str
) -> web.Response:
    if (request.content_length or 0) > MAX_FORM:
        raise web.HTTPRequestEntityTooLarge(MAX_FORM, request.content_length or 0, headers=PRIVATE)
    posted = await form(request)
    wanted = set()
    for name in [str(n) for n in posted.getall("list", [])][:MAX_LISTS]:
        wanted.add((await _offered(found, name)).name)
    now = found.clock.now()

    def save(conn: Any) -> None:
        has = {n for n, confirmed in store.subscriptions_of(conn, who.id).items() if confirmed}
        store.unsubscribe(conn, who.id, sorted(has - wanted), now, "preferences")
        store.add_confirmed(conn, who.id, sorted(wanted - has), "preferences", now)

    await found.writes.write(save)
    _ = translator(_edition_of(found, who).language)
    return await _manage(found, who, request.path, [_("Saved.")])


@routes.get(ROUTES["newsletter_data"])
@_for_subscriber
async def subscriber_data(
    request: web.Request, found: Services, who: store.Subscriber, secret: str
) -> web.Response:
    kept = await found.writes.write(lambda conn: store.everything_kept(conn, who.id))
    return web.Response(
        text=json.dumps(kept or {}, ensure_ascii=False, indent=2),
        content_type="application/json",
        headers={**PRIVATE, "Content-Disposition": 'attachment; filename="newsletters.json"'},
    )


@routes.post(ROUTES["newsletter_delete"])
@_for_subscriber
async def delete_subscriber(
    request: web.Request, found: Services, who: store.Subscriber, secret: str
) -> web.Response:
    await found.writes.write(lambda conn: store.delete_subscriber(conn, who.id))
    return _gone(found)


@routes.get(ROUTES["newsletter_copy"])
async def web_copy(request: web.Request) -> web.Response:
    """A digest as it was sent, for everyone: no subscriber's links in it."""
    found, edition = services(request), _edition(request)
    number = int(request.match_info["send"]) if len(request.match_info["send"]) < 12 else 0
    row = await found.archive.db.one(
        Query("list, web_html", "newsletter_sends").where("id = ?", number)
    )
    if row is None or not str(row["list"]).startswith((f"{edition.code}@", f"{edition.code}/")):
        raise web.HTTPNotFound()
    return web.Response(
        body=body_html(row["web_html"]).encode(),
        content_type="text/html",
        charset="utf-8",
        headers={"Cache-Control": "public, max-age=86400", "X-Robots-Tag": "noindex"},
    )


@routes.post(ROUTES["newsletter_bounces"])
async def bounces(request: web.Request) -> web.Response:
    """`{"address": "...", "type": "bounce" | "complaint"}` (or a list of them) from a mail
    provider's webhook: the address gets no more mail. A temporary bounce is not reported
    here: the relay's 4xx is retried already."""
    found = services(request)
    key = found.settings.bounce_key
    if not key:
        raise web.HTTPNotFound()
    given = request.headers.get("Authorization", "").encode("utf-8", "surrogateescape")
    if not hmac.compare_digest(given, f"Bearer {key}".encode()):
        raise web.HTTPUnauthorized(
            text="A bounce report needs the key", headers={**PRIVATE, "WWW-Authenticate": "Bearer"}
        )
    if (request.content_length or 0) > MAX_FORM * 4:
        raise web.HTTPRequestEntityTooLarge(MAX_FORM * 4, request.content_length or 0)
    try:
        payload = json.loads(await request.read())
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise web.HTTPBadRequest(text="The report is not JSON.", headers=PRIVATE) from None
    reports = payload if isinstance(payload, list) else [payload]
    if not reports or len(reports) > 1000 or not all(isinstance(r, dict) for r in reports):
        raise web.HTTPBadRequest(text="Send one report or a list of up to 1,000.", headers=PRIVATE)
    now = found.clock.now()
    done = []
    for report in reports:
        kind = {"bounce": "bounced", "complaint": "complained"}.get(str(report.get("type")))
        if kind is None:
            raise web.HTTPBadRequest(text="type is bounce or complaint", headers=PRIVATE)
        try:
            address = checked_address(str(report.get("address", ""))).kept
        except BadAddress as error:
            raise web.HTTPBadRequest(text=str(error), headers=PRIVATE) from None
        done.append((address, kind))
    known = await found.writes.write(
        lambda conn: sum(store.suppress(conn, address, kind, now) for address, kind in done)
    )
    return web.json_response({"reports": len(done), "known": known}, headers=PRIVATE)
