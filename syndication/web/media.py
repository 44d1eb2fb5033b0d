"""Files: pictures from content/ (as they are, or resized for pages) and the site's static
files."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import mimetypes
from datetime import UTC, datetime
from functools import cache, lru_cache
from pathlib import Path

from aiohttp import web

from syndication.edge.tags import answer_tags, edge_headers
from syndication.ingest.imageinfo import MEDIA_TYPES
from syndication.publish import (
    machine_rights,
    picture_metadata,
    renditions,
    rights_documents,
    static_files,
)
from syndication.publish.routes import ROUTES
from syndication.validity_periods import ALWAYS
from syndication.web.conditional import respond
from syndication.web.params import path_part, query_number
from syndication.web.response_cache import Rendered
from syndication.web.services import services

routes = web.RouteTableDef()
log = logging.getLogger(__name__)
LONG_CACHE = "public, max-age=31536000, immutable"
MEDIA_MAX_AGE = 3600  # a picture asked for by its name alone, which may be replaced
_SCRIPT_TYPES = ("application/javascript", "text/javascript")


@routes.get(ROUTES["media"])
async def media(request: web.Request) -> web.FileResponse:
    """Pictures from content/ that a live story shows, and nothing else: a draft's or an
    embargoed story's pictures stay unseen until it is published (its preview shows them
    through its own link), and a withdrawn story's go with it. Tagged with the stories that
    show the picture, so a takedown purges it from the edge too."""
    relative = picture_path(request.match_info["path"])
    showing = await services(request).archive.articles.showing_picture(relative)
    if not showing:
        raise web.HTTPNotFound(headers={"Cache-Control": "no-store"})
    settings = services(request).settings
    tags = answer_tags(showing, (), ALWAYS)
    # its policy is what every story showing it grants it, however many (the tags above
    # name at most 128 of them: more, and the answer is not tagged)
    stories = (await services(request).archive.articles.showing([relative]))[relative]
    policy, said = rights_documents.picture_rights(settings, relative, stories)
    headers = {
        **edge_headers(settings.edge_tag_header, settings.edge_max_age, tags),
        **machine_rights.headers(settings, policy),
        "Link": ", ".join(machine_rights.licence_links(settings)),
    }
    # Kept for good only when a change can purge it: a picture shown by more stories than
    # an answer names is untagged, so caches keep it an hour (MEDIA_MAX_AGE), as by name.
    return await picture(request, relative, headers, said, lasting=tags is not None)


def _has_own_metadata(path: Path) -> bool:
    """Whether the picture file carries an XMP packet of its own (kept per version)."""
    try:
        stat = path.stat()
    except OSError:
        return False
    return _own_metadata(str(path), stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=1024)
def _own_metadata(path: str, size: int, mtime_ns: int) -> bool:
    try:
        with open(path, "rb") as file:
            return picture_metadata.own_xmp(file.read()) is not None  # within ingest's limit
    except OSError:
        return False


def picture_path(text: str) -> str:
    """The picture's path relative to content/ as stories name it; 404 for a hidden file or
    folder (`.git/`, `.drafts/`), a step up or anything stories cannot name."""
    relative = path_part(text)
    parts = relative.split("/")
    if any(not part or part.startswith(".") for part in parts):
        raise web.HTTPNotFound(headers={"Cache-Control": "no-store"})
    return relative


async def picture(
    request: web.Request,
    relative: str,
    headers: dict[str, str],
    said: picture_metadata.Statement | None,
    *,
    lasting: bool = True,
) -> web.FileResponse:
    """The picture at `relative` under content/ (already judged public or previewable), at
    its own size or as a rendition, with what `said` says as its metadata (None: as the
    file is, for an editor's preview); images only, and only from inside content/."""
    root = services(request).settings.content_dir.resolve()
    try:
        target = (root / relative).resolve()
        found = target.is_relative_to(root) and target.is_file()
    except (OSError, RuntimeError):  # what the OS refuses to look up; a link loop (3.11)
        found = False
    if not found or target.suffix.lower() not in MEDIA_TYPES:
        raise web.HTTPNotFound(headers={"Cache-Control": "no-store"})
    # Pages and feeds name a picture with the digest of its bytes (`?v=`): that address can
    # be kept for good, so it must be those bytes. An old digest (the picture was replaced)
    # is sent on to the current address; never the new bytes as if they were the old.
    # Without `v`, the file may be replaced under the same name: kept for a while only.
    if "v" in request.query:
        current = await asyncio.to_thread(_digest_of, target)
        if request.query["v"] != current:
            moved = request.rel_url.update_query(v=current)
            raise web.HTTPMovedPermanently(str(moved), headers={"Cache-Control": SHORT_CACHE})
    xmp = picture_metadata.xmp_packet(said) if said is not None else None
    if said is not None and said.keep_own and await asyncio.to_thread(_has_own_metadata, target):
        xmp = None  # an agency's picture keeps the metadata it came with
    lasting = lasting and "v" in request.query
    if "w" in request.query or "f" in request.query:
        response = await _rendition(request, target, lasting, xmp)
    else:
        response = await _original(request, target, lasting, xmp)
    response.headers.update(headers)
    return response


async def _original(
    request: web.Request, source: Path, lasting: bool, xmp: bytes | None
) -> web.FileResponse:
    """The picture at its own size: its bytes, with `xmp` written into them (a JPEG, PNG or
    WebP; another kind, or one whose structure is broken, is sent as it is)."""
    media_type = MEDIA_TYPES[source.suffix.lower()]
    if xmp is None:
        return _file(source, media_type, lasting=lasting)
    folder = renditions.folder_for(services(request).settings.db_path)
    try:
        stamped = await asyncio.to_thread(renditions.stamped_original, folder, source, xmp)
    except picture_metadata.CannotStamp as exc:
        log.warning("serving %s without its metadata: %s", source.name, exc)
        return _file(source, media_type, lasting=lasting)
    return _file(stamped, media_type, lasting=lasting)


async def _rendition(
    request: web.Request, source: Path, lasting: bool, xmp: bytes | None
) -> web.FileResponse:
    """The picture resized (`w`, one of the widths pages offer) and, with `f=webp`, as WebP."""
    width = query_number(request, "w", 1, 100_000, 0)
    fmt = request.query.get("f", "")
    if fmt not in ("", "webp"):
        raise web.HTTPBadRequest(text="`f` is webp, or left out for the picture's own format")
    folder, webp = renditions.folder_for(services(request).settings.db_path), fmt == "webp"
    # A rendition made before is served at once; only making one waits its turn.
    found = await asyncio.to_thread(renditions.kept, folder, source, width, webp, xmp)
    if found is not None:
        return _file(found[0], found[1], lasting=lasting)
    async with services(request).resizing:
        if found := await asyncio.to_thread(renditions.kept, folder, source, width, webp, xmp):
            return _file(found[0], found[1], lasting=lasting)  # made while this one waited
        if not await asyncio.to_thread(renditions.allowed_width, source, width):
            raise web.HTTPNotFound(text="The picture is not offered at that width.")
        try:
            made, media_type = await asyncio.to_thread(
                renditions.make, folder, source, width, webp, xmp
            )
        except renditions.CannotResize as exc:
            log.warning("serving %s at its own size: %s", source.name, exc)
            return await _original(request, source, lasting, xmp)
    return _file(made, media_type, lasting=lasting)


@routes.get(ROUTES["static"])
async def static(request: web.Request) -> web.StreamResponse:
    """The stylesheet, scripts and logos. Kept for good when asked for by the digest pages
    name them with (static_files.static_url); an hour by the name alone. Text is gzipped."""
    name = path_part(request.match_info["name"])
    found = static_files.find(name)
    if found is None:
        raise web.HTTPNotFound()
    lasting = request.query.get("v") == static_files.digest(name)
    kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if kind.startswith("text/") or kind in _SCRIPT_TYPES:
        return respond(request, _static_text(name, kind, lasting))
    return _file(found, kind, lasting=lasting)


@cache  # a handful of files that ship with the package, two ways each
def _static_text(name: str, kind: str, lasting: bool) -> Rendered:
    path = static_files.FOLDER / name
    modified = datetime.fromtimestamp(int(path.stat().st_mtime), UTC)
    cache_control = LONG_CACHE if lasting else f"public, max-age={MEDIA_MAX_AGE}"
    return Rendered.of(
        path.read_bytes(), kind + "; charset=utf-8", cache_control, (), 0, frozenset()
    ).dated(modified, True)


SHORT_CACHE = "public, max-age=300"  # an old digest's redirect: the picture may change again


@lru_cache(maxsize=4096)
def _digest_by_version(path: Path, size: int, mtime_ns: int) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, lambda: hashlib.blake2b(digest_size=6)).hexdigest()


def _digest_of(path: Path) -> str:
    """The digest pages name the picture with (imageinfo.probe's), read again only when
    the file changes (by its size and time)."""
    st = path.stat()
    return _digest_by_version(path, st.st_size, st.st_mtime_ns)


def _file(path: Path, content_type: str, *, lasting: bool = True) -> web.FileResponse:
    kept_for = LONG_CACHE if lasting else f"public, max-age={MEDIA_MAX_AGE}"
    response = web.FileResponse(path, headers={"Cache-Control": kept_for})
    response.content_type = content_type
    return response
