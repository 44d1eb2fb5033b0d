"""The partner API: /api/v1/changes, /api/v1/items, /api/v1/items/{id}.

Every request carries a partner key (Bearer, or the password of HTTP Basic for importers
that only know that), is counted against the partner's rate, and every item handed out is
written to the delivery log before the response leaves. Nothing here is cached by shared
caches: responses are `private, no-store`.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any

from aiohttp import web

from syndication.archive import partner_queries as pq
from syndication.archive.partners import PartnerStore
from syndication.archive.search import fts_query
from syndication.model import ArchivedArticle, Partner
from syndication.publish import machine_rights, rights_documents
from syndication.publish.broken_articles import FORBIDDEN_UTF8
from syndication.publish.machine_rights import article_policy
from syndication.publish.ninjs import canceled_item, news_item
from syndication.publish.routes import ROUTES
from syndication.rights_policy import Policy
from syndication.web.params import moment, whole_number
from syndication.web.searching import reader_left, search_refusals
from syndication.web.services import services

routes = web.RouteTableDef()
MAX_LIMIT = 100
MAX_WAIT = 30
CHALLENGE = 'Bearer realm="partners", Basic realm="partners", charset="UTF-8"'
NO_STORE = {"Cache-Control": "private, no-store"}
RATE_HEADERS = web.RequestKey("rate_headers", dict)


def _unauthorized(message: str) -> web.HTTPUnauthorized:
    return web.HTTPUnauthorized(text=message, headers={"WWW-Authenticate": CHALLENGE})


def _key_of(request: web.Request) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, credentials = header.partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip()
    if scheme.lower() == "basic" and credentials.strip():
        try:
            decoded = base64.b64decode(credentials.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            raise _unauthorized("The Basic credentials are not valid base64.") from None
        return decoded.partition(":")[2]  # the key is the password; the user name is free
    raise _unauthorized("An API key is needed: send `Authorization: Bearer <key>`.")


async def partner_of(request: web.Request) -> Partner:
    """The authenticated, non-revoked partner making this request, within its rate."""
    partner = await services(request).archive.partners.by_key(_key_of(request))
    if partner is None:
        raise _unauthorized("This API key is not valid.")
    if partner.revoked is not None:
        raise _unauthorized("This API key has been revoked.")
    verdict = services(request).rates.take(partner.id, partner.rate_per_min)
    request[RATE_HEADERS] = verdict.headers()
    if not verdict.allowed:
        raise web.HTTPTooManyRequests(
            text=f"Over the limit of {partner.rate_per_min} requests a minute; "
            f"retry in {verdict.retry_after} s.",
            headers=verdict.headers(),
        )
    return partner


def _dumps(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def _item(
    request: web.Request, view: pq.View, archived: ArchivedArticle, pictures: dict[str, Policy]
) -> dict[str, Any]:
    settings = services(request).settings
    article = archived.article
    if view == "canceled":
        return canceled_item(settings, article.id, archived.version, archived.last_changed)
    return news_item(
        settings,
        archived,
        view,
        with_picture=bool(article.image and article.image.syndication),
        embargoed_until=article.published if view == "withheld" else None,
        picture=pictures.get(article.image.src) if article.image else None,
    )


async def _picture_policies(
    request: web.Request, delivered: list[tuple[pq.View, ArchivedArticle]]
) -> dict[str, Policy]:
    """The policy of each picture the items carry, as every story showing it grants it."""
    srcs = sorted({a.article.image.src for _, a in delivered if a.article.image is not None})
    showing = await services(request).archive.articles.showing(srcs)
    settings = services(request).settings
    return {
        src: rights_documents.picture_rights(settings, src, stories)[0]
        for src, stories in showing.items()
        if stories
    }


async def _items(
    request: web.Request, delivered: list[tuple[pq.View, ArchivedArticle]]
) -> tuple[list[bytes], list[tuple[pq.View, ArchivedArticle]]]:
    """Each item as ninjs JSON, leaving out (and reporting) any whose content cannot be
    sent; and what was really handed out, for the delivery log."""
    encoded: list[bytes] = []
    kept: list[tuple[pq.View, ArchivedArticle]] = []
    pictures = await _picture_policies(request, delivered)
    for view, archived in delivered:
        try:
            data = _dumps(_item(request, view, archived, pictures))
            found = FORBIDDEN_UTF8.search(data)
            problem = f"it would send {found.group()!r}, which JSON readers refuse" if found else ""
        except Exception as exc:  # whatever the content makes the encoder raise
            problem = f"{type(exc).__name__}: {exc}"[:300]
        if problem:
            await services(request).broken_articles.report(
                archived.article.id, f"left out of the API: {problem}"
            )
            continue
        encoded.append(data)
        kept.append((view, archived))
    return encoded, kept


def _stating(
    request: web.Request, delivered: list[tuple[pq.View, ArchivedArticle]]
) -> dict[str, str]:
    """Headers for an answer carrying these stories: the strictest of their rights policies
    (the site's when there are none), as every other answer says its own."""
    settings = services(request).settings
    policy = settings.rights.default
    for _, archived in delivered:
        policy = policy.with_also(article_policy(settings, archived.article))
    return machine_rights.headers(settings, policy)


def _page_of(
    request: web.Request,
    items: list[bytes],
    delivered: list[tuple[pq.View, ArchivedArticle]],
    **rest: object,
) -> web.Response:
    """`{"items": [...], ...rest}` from items already encoded."""
    tail = _dumps(rest)[1:] if rest else b"}"
    body = b'{"items":[' + b",".join(items) + (b"]," + tail if rest else b"]}")
    headers = {**NO_STORE, **request.get(RATE_HEADERS, {}), **_stating(request, delivered)}
    return web.Response(body=body, content_type="application/json", headers=headers)


async def log_deliveries(
    request: web.Request,
    partner: Partner,
    delivered: list[tuple[pq.View, ArchivedArticle]],
    channel: str,
) -> None:
    if not delivered:
        return
    rows = [(a.article.id, a.version, view) for view, a in delivered]
    await services(request).writes.write(
        lambda conn: PartnerStore(conn, services(request).clock).record(partner.id, rows, channel)
    )


CURSOR = re.compile(r"s[0-9a-f]{1,15}")  # opaque to partners; a position in the changes log


def _typed(request: web.Request, name: str) -> str | None:
    """A parameter the OpenAPI document gives a type (a cursor, a number, a time), or None
    when absent. Given empty it is refused: "" is none of those types, and a client that
    sends `?cursor=` meaning "from the start" is told so rather than guessed at."""
    given = request.query.getall(name, [])
    if len(given) > 1:
        raise web.HTTPBadRequest(text=f"`{name}` is given {len(given)} times; give it once.")
    value = given[0] if given else None
    if value == "":
        raise web.HTTPBadRequest(text=f"`{name}` is empty; leave it out to mean none.")
    return value


def encode_cursor(seq: int) -> str:
    return f"s{seq:x}"


def decode_cursor(cursor: str) -> int:
    if not CURSOR.fullmatch(cursor):
        raise web.HTTPBadRequest(text="`cursor` is not one this API gave out; start without one.")
    return int(cursor[1:], 16)


@routes.get(ROUTES["api_changes"])
async def changes(request: web.Request) -> web.Response:
    """Every change the partner may see after the cursor, oldest first; `wait` long-polls."""
    partner = await partner_of(request)
    cursor = _typed(request, "cursor")
    after = decode_cursor(cursor) if cursor is not None else 0
    limit = whole_number(_typed(request, "limit"), "limit", 1, MAX_LIMIT, 50)
    wait = whole_number(_typed(request, "wait"), "wait", 0, MAX_WAIT, 0)
    archive, sequence = services(request).archive, services(request).sequence
    head = await sequence.current()
    if after > head:  # this process may lag the writer by a moment: ask the archive itself
        head = max(head, await archive.current_seq())
    if after > head:  # from an archive this one replaced before the change numbers moved on
        raise web.HTTPConflict(
            text="This cursor is ahead of the archive, which was restored or rebuilt; "
            "start again without a cursor: every item you may have comes once more."
        )
    found, next_seq, more = await archive.partners.changes(partner, after, limit, head)
    if not found and wait:
        await sequence.wait_beyond(next_seq, wait)
        found, next_seq, more = await archive.partners.changes(
            partner, next_seq, limit, await sequence.current()
        )
    items, delivered = await _items(request, [(c.view, c.article) for c in found])
    await log_deliveries(request, partner, delivered, "changes")
    return _page_of(request, items, delivered, next_cursor=encode_cursor(next_seq), has_more=more)


@routes.get(ROUTES["api_item"])
async def item(request: web.Request) -> web.Response:
    partner = await partner_of(request)
    article_id = request.match_info["id"]
    archive = services(request).archive
    found = await archive.articles.by_id(article_id)
    view = pq.view_of(partner, found) if found else None
    if found and view is None and await archive.partners.received(partner, article_id):
        view = "canceled"  # it stays answerable to a partner that had it, taken down
    if found is None or view is None:
        raise web.HTTPNotFound(text=f"No item {article_id!r} is available to this key.")
    items, delivered = await _items(request, [(view, found)])
    if not items:
        raise web.HTTPServiceUnavailable(text=f"The item {article_id!r} cannot be sent now.")
    await log_deliveries(request, partner, delivered, "item")
    headers = {**NO_STORE, **request.get(RATE_HEADERS, {}), **_stating(request, delivered)}
    return web.Response(body=items[0], content_type="application/json", headers=headers)


@routes.get(ROUTES["api_items"])
async def items(request: web.Request) -> web.Response:
    """The partner's current items, most recently changed first, filtered and paginated."""
    partner = await partner_of(request)
    settings = services(request).settings
    section = request.query.get("section")
    if section:
        if settings.section(section) is None:
            raise web.HTTPNotFound(text=f"There is no section {section!r}.")
        if section not in partner.sections:
            raise web.HTTPForbidden(text=f"This key is not entitled to the section {section!r}.")
    text = request.query.get("q", "").strip()  # spaces alone ask for nothing: as if absent
    query = fts_query(text) if text else None
    if text and not query:  # only punctuation or symbols: nothing can match
        return _page_of(request, [], [], page=1, has_more=False)
    page = whole_number(_typed(request, "page"), "page", 1, 100_000, 1)
    per_page = whole_number(_typed(request, "limit"), "limit", 1, MAX_LIMIT, 20)
    matched = None
    if query:
        with search_refusals():
            matched = await services(request).archive.search.matching(
                query, gone=reader_left(request)
            )
    wanted = pq.ItemFilter(
        sections=(section,) if section else partner.sections,
        topic=request.query.get("topic") or None,
        matched=matched,
        since=moment(_typed(request, "since"), "since"),
        until=moment(_typed(request, "until"), "until"),
    )
    found, has_next = await services(request).archive.partners.items(
        partner, wanted, page, per_page
    )
    items, delivered = await _items(request, found)
    await log_deliveries(request, partner, delivered, "items")
    return _page_of(request, items, delivered, page=page, has_more=has_next)
