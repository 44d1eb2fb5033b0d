"""Previews of stories not yet public: a link signed with HMAC-SHA256 that names the story,
the version of it the link was made for, and when the link ends (`syndication preview FILE`
prints one; the desk shows one for each story waiting). The page is the one the story will
have, from the same templates, never kept by any cache nor indexed. The link shows that
version only: an edit makes a new version (ask for a new link), and publication or
withdrawal makes one too, so a link once ended by them never works again, even if the story
goes back to draft; nor does it open another story that takes the id of a deleted one."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from datetime import datetime

from aiohttp import web

from syndication.config import Settings
from syndication.model import ArchivedArticle, State
from syndication.publish import html
from syndication.publish.routes import ROUTES
from syndication.web.errors import PRIVATE
from syndication.web.media import picture, picture_path
from syndication.web.services import services

routes = web.RouteTableDef()
MAX_TOKEN = 600  # an id of up to 200 characters and a time, encoded, and the signature


def token(secret: str, article_id: str, version: int, until: int) -> str:
    payload = f"{article_id}\n{version}\n{until}".encode()
    return encode(payload) + "." + encode(signature(secret, payload))


def preview_url(
    settings: Settings, secret: str, article_id: str, version: int, hours: float, now: datetime
) -> str:
    until = int(now.timestamp() + hours * 3600)
    return settings.absolute(f"/preview/{token(secret, article_id, version, until)}")


def signature(secret: str, payload: bytes) -> bytes:
    """HMAC-SHA256 of `payload`: previews' links and the desk's sessions are signed so."""
    return hmac.new(secret.encode(), payload, hashlib.sha256).digest()


def encode(data: bytes) -> str:
    """URL-safe base64 without padding: fits a path part and a cookie."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _read(secret: str, text: str) -> tuple[str, int, int] | None:
    """The story, its version and the end of a link signed with `secret`; None for anything
    else (a link of the earlier form, without a version, among them)."""
    if len(text) > MAX_TOKEN or text.count(".") != 1:
        return None
    encoded, signed = text.split(".")
    try:
        payload, given = _decode(encoded), _decode(signed)
        named, _, until = payload.decode().rpartition("\n")
        article_id, _, version = named.rpartition("\n")
        made_for, ends = int(version), int(until)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    if not article_id or not hmac.compare_digest(given, signature(secret, payload)):
        return None
    return article_id, made_for, ends


@routes.get(ROUTES["preview"])  # any part, braces too: every answer here is private
async def preview(request: web.Request) -> web.Response:
    found = services(request)
    archived = await _previewed(request)
    article = archived.article
    related = await found.archive.listings.related(article.id)
    now = found.clock.now()
    page = html.article_page(found.settings, archived, related, {}, now, with_feed_entry=True)
    page = _pictures_through_link(page, found.settings, request.match_info["token"])
    return web.Response(text=page, content_type="text/html", charset="utf-8", headers=PRIVATE)


@routes.get(ROUTES["preview_media"])
async def preview_picture(request: web.Request) -> web.FileResponse:
    """A picture the previewed story shows, through its link: /media/ serves only what live
    stories show, so a draft's pictures are seen by those holding its preview link alone."""
    relative = picture_path(request.match_info["path"])
    archived = await _previewed(request, published_at=f"/media/{relative}")
    if not await services(request).archive.articles.shows_picture(archived.article.id, relative):
        raise web.HTTPNotFound(headers=PRIVATE)
    return await picture(request, relative, dict(PRIVATE), None)  # as the editor's file is


async def _previewed(request: web.Request, published_at: str = "") -> ArchivedArticle:
    """The story a valid, unexpired preview link names, in the version it was made for;
    otherwise the 404 or 410 that says why not, or, once the story is published, a 303 to
    where readers see it (`published_at`, else its page)."""
    found = services(request)
    secret = found.settings.preview_secret or await found.archive.preview_secret()
    link = _read(secret, request.match_info["token"]) if secret else None
    if link is None:
        raise web.HTTPNotFound(text="This is not a preview link.", headers=PRIVATE)
    article_id, made_for, ends = link
    if found.clock.now().timestamp() > ends:
        raise web.HTTPGone(text="This preview link has ended; ask for a new one.", headers=PRIVATE)
    archived = await found.archive.articles.by_id(article_id)
    if archived is not None and archived.state == State.LIVE:
        # Published: the link leads to the page readers see (and previews no more).
        raise web.HTTPSeeOther(published_at or archived.article.path, headers=PRIVATE)
    if archived is None or archived.state not in (State.DRAFT, State.SCHEDULED):
        raise web.HTTPGone(text="This story is withdrawn: its preview has ended.", headers=PRIVATE)
    if archived.version != made_for:
        raise web.HTTPGone(
            text="This link previews an earlier version of the story; ask for a new one "
            "(`syndication preview FILE`, or the desk).",
            headers=PRIVATE,
        )
    return archived


def _pictures_through_link(page: str, settings: Settings, link: str) -> str:
    """The page with its pictures' addresses (src, srcset, og:image, JSON-LD) sent through
    the preview link, where the draft's pictures are served."""
    through = f"/preview/{link}/media/"
    base = re.escape(settings.absolute("/media/"))
    return re.sub(rf'(?:{base}|(?<=["\s,])/media/)', through, page)
