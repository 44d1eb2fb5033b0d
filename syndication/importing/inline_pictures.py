"""Pictures inside an imported post's or feed entry's text, copied as its featured picture
is: from the uploads folder when a WordPress site serves them from its wp-content/uploads,
else fetched from a host the command names. The text then names the copy under content/, so
the archive still shows them once the old site is gone. A picture that cannot be copied
stays where it is, with a note when it is on the old site itself (it goes with the site)."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urljoin, urlsplit

from syndication.importing.fetch import Fetcher, Refused, netloc
from syndication.importing.report import Report
from syndication.importing.story_files import keep_picture, read_upload
from syndication.ingest.imageinfo import MEDIA_TYPES

# A picture shown (<img src>, quoted or not), or linked to (<a href> to a picture file: the
# full-size one a thumbnail opens): both go when the old site goes.
_PICTURE_ADDRESS = re.compile(
    r"""<(?:img\b[^>]*?\ssrc|a\b[^>]*?\shref)\s*=\s*(?:(["'])(.*?)\1|([^\s>"']+))""",
    re.I | re.S,
)
UPLOADS_PATH = "/wp-content/uploads/"
MAX_A_POST = 50  # pictures copied for one post: bounds what one post can make us fetch


@dataclass(frozen=True, slots=True)
class Source:
    """Where a post's pictures may come from."""

    site: str  # the old site's host
    folder: Path  # content/imported/<site>: the copies go under its media/
    uploads: Path | None
    fetcher: Fetcher | None
    max_bytes: int
    dry_run: bool


def copy_pictures(
    body: str, base: str, source: Source, report: Report, label: str
) -> dict[str, str]:
    """{the picture's absolute address in the post: the copy's path under content/}."""
    copied: dict[str, str] = {}
    for found in _PICTURE_ADDRESS.finditer(body):
        written = found[2] if found[2] is not None else found[3]
        address = urljoin(base, html.unescape(written).strip())
        if found[0][:2].lower() == "<a" and (
            PurePosixPath(urlsplit(address).path).suffix.lower() not in MEDIA_TYPES
            or urlsplit(address).hostname not in old_site_hosts(source.site)
        ):
            continue  # a link to a page, or to a picture elsewhere: not ours to keep
        if address in copied or urlsplit(address).scheme not in ("http", "https"):
            continue
        if len(copied) == MAX_A_POST:
            report.notes.append(f"{label}: only its first {MAX_A_POST} pictures were copied")
            break
        if (kept := _copy(address, source, report, label)) is not None:
            copied[address] = kept
    return copied


def files_twin(site: str) -> str:
    """The host a WordPress.com site serves its uploads from (example.wordpress.com's are
    at example.files.wordpress.com), or ""."""
    if site.endswith(".wordpress.com") and not site.endswith(".files.wordpress.com"):
        return site.removesuffix(".wordpress.com") + ".files.wordpress.com"
    return ""


def old_site_hosts(site: str) -> frozenset[str]:
    return frozenset(host for host in (site, files_twin(site)) if host)


def uploads_name(address: str, site: str) -> str | None:
    """Where the old site kept a picture in its uploads folder (2019/05/quay.jpg): after
    /wp-content/uploads/ on its own host, or the whole path on its WordPress.com files host;
    None for a picture elsewhere."""
    parts = urlsplit(address)
    path = unquote(parts.path)
    if parts.hostname == site and UPLOADS_PATH in path:
        return path.split(UPLOADS_PATH, 1)[1]
    if parts.hostname and parts.hostname == files_twin(site):
        return path.lstrip("/")
    return None


def _copy(address: str, source: Source, report: Report, label: str) -> str | None:
    parts = urlsplit(address)
    path = unquote(parts.path)
    on_site = parts.hostname in old_site_hosts(source.site)
    in_uploads = uploads_name(address, source.site)
    # Named under media/ as the uploads folder names it, or by host and path when fetched.
    name = in_uploads if in_uploads is not None else f"{parts.hostname}{path}"
    pieces = PurePosixPath(name).parts
    if (
        not pieces
        or any(piece in ("..", ".", "/") or "\\" in piece for piece in pieces)
        or PurePosixPath(name).suffix.lower() not in MEDIA_TYPES
    ):
        if on_site:
            report.notes.append(f"{label}: its picture {address[:120]} is not one we take")
        return None
    data = (
        read_upload(source.uploads, name, source.max_bytes)
        if in_uploads is not None and source.uploads
        else None
    )
    if data is None and source.fetcher is not None and netloc(address) in source.fetcher.allowed:
        try:
            data, kind = source.fetcher.get(address)
        except Refused as exc:
            report.notes.append(f"{label}: its picture was not fetched: {exc}")
            return None
        if not kind.startswith("image/"):
            report.notes.append(f"{label}: {address[:120]} is {kind}, not a picture")
            return None
    if data is None:
        if on_site:
            report.notes.append(
                f"{label}: its picture {address[:120]} stays on the old site: it is not in "
                "the uploads folder and its host was not named to fetch from"
            )
        return None
    return keep_picture(source.folder, PurePosixPath(*pieces), data, report, source.dry_run)
