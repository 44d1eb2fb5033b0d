"""Reading a WordPress export (WXR 1.1 or 1.2) with defusedxml: no entity is expanded, no
DTD or external file is read; characters XML 1.0 forbids are dropped and counted, not fatal.
Items come out one at a time, each bounded in size."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from syndication.errors import SyndicationError

MAX_ITEM_TEXT = 5 * 1024 * 1024  # characters of one item's text; a longer one is skipped
# What XML 1.0 cannot carry: C0 controls but tab and line ends (never inside a UTF-8
# sequence), and U+FFFE and U+FFFF (three bytes each in UTF-8).
_FORBIDDEN = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]|\xef\xbf[\xbe\xbf]")


class ExportError(SyndicationError):
    """The export cannot be read at all (or no further)."""


class RefusedExport(ExportError):
    """The export declares entities or a DTD: refused as a whole, nothing imported."""


@dataclass
class Item:
    """One <item>, as the export gives it; nothing judged yet."""

    post_id: str
    post_type: str
    status: str
    title: str
    link: str
    guid: str
    creator: str
    date_gmt: str
    date_local: str
    pub_date: str
    name: str  # the post's slug
    content: str
    excerpt: str
    attachment_url: str
    password: str = ""  # a password-protected post's: never public here
    parent: str = ""  # the post an attachment was uploaded to
    categories: list[tuple[str, str, str]] = field(default_factory=list)  # domain, slug, name
    meta: dict[str, str] = field(default_factory=dict)
    too_big: int = 0  # characters, when the item was over MAX_ITEM_TEXT (its text dropped)


@dataclass
class Export:
    site_url: str = ""
    pub_date: str = ""  # when the export was made (the channel's pubDate)
    language: str = ""  # the site's (the channel's language)
    authors: dict[str, str] = field(default_factory=dict)  # login -> display name
    dropped_characters: int = 0


class _Clean:
    """The export's bytes without the control characters XML 1.0 refuses (WordPress writes
    them when a post holds them), counted."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.dropped = 0
        self._held = b""  # the last bytes of a chunk, which may begin a U+FFFF cut in two

    def read(self, size: int = -1) -> bytes:
        """Never b"" before the end: that would end the parse."""
        while True:
            more = self.raw.read(size)
            chunk, self._held = self._held + more, b""
            if more:  # hold back what may begin a three-byte sequence the next read ends
                cut = 2 if chunk.endswith(b"\xef\xbf") else 1 if chunk.endswith(b"\xef") else 0
                chunk, self._held = (chunk[:-cut], chunk[-cut:]) if cut else (chunk, b"")
            cleaned, count = _FORBIDDEN.subn(b"", chunk)
            self.dropped += count
            if cleaned or not more:
                return cleaned


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _text(element: Element, name: str) -> str:
    """The stripped text of the first child so named (content:encoded: _encoded)."""
    for child in element:
        if _local(child.tag) == name:
            return (child.text or "").strip()
    return ""


def _namespace(tag: str) -> str:
    uri = tag[1:].split("}", 1)[0] if tag.startswith("{") else ""
    if "/excerpt/" in uri:
        return "excerpt"
    if "purl.org/rss/1.0/modules/content" in uri:
        return "content"
    return "wp" if "wordpress.org/export" in uri else ""


def _encoded(element: Element, namespace: str) -> str:
    for child in element:
        if _local(child.tag) == "encoded" and _namespace(child.tag) == namespace:
            return child.text or ""
    return ""


def read_items(path: Path, export: Export) -> Iterator[Item]:
    """Each item of the export in order; `export` learns the site and its authors as they
    come. An export that declares entities or a DTD, or is not XML, raises ExportError (at
    the point it stops being readable: the items before it have been given)."""
    try:
        with path.open("rb") as raw:
            source = _Clean(raw)
            try:
                parents: list[Element] = []  # the open elements: an item's is the last
                for event, element in iterparse(source, events=("start", "end"), forbid_dtd=True):
                    if event == "start":
                        parents.append(element)
                        continue
                    parents.pop()
                    kind = _local(element.tag)
                    if kind == "pubDate" and parents and _local(parents[-1].tag) == "channel":
                        export.pub_date = (element.text or "").strip()
                    elif kind == "language" and parents and _local(parents[-1].tag) == "channel":
                        export.language = (element.text or "").strip()[:35]
                    elif kind == "base_blog_url" or (kind == "link" and not export.site_url):
                        export.site_url = (element.text or "").strip() or export.site_url
                    elif kind == "author" and _namespace(element.tag) == "wp":
                        login = _text(element, "author_login")
                        export.authors[login] = _text(element, "author_display_name") or login
                    elif kind == "item":
                        yield _item(element)
                        # Not kept once read: the channel would hold every item read so far.
                        element.clear()
                        if parents:
                            parents[-1].remove(element)
            finally:
                export.dropped_characters = source.dropped
    except DefusedXmlException as exc:
        raise RefusedExport(
            f"{path}: the export declares XML entities or a DTD ({type(exc).__name__}); "
            "WordPress never writes them, so it is refused as a whole"
        ) from None
    except ParseError as exc:
        raise ExportError(f"{path}: not readable as XML from {exc.position}: {exc}") from None
    except OSError as exc:
        raise ExportError(f"{path}: {exc.strerror or exc}") from None


def _item(element: Element) -> Item:
    item = Item(
        post_id=_text(element, "post_id"),
        post_type=_text(element, "post_type"),
        status=_text(element, "status"),
        title=_text(element, "title"),
        link=_text(element, "link"),
        guid=_text(element, "guid"),
        creator=_text(element, "creator"),
        date_gmt=_text(element, "post_date_gmt"),
        date_local=_text(element, "post_date"),
        pub_date=_text(element, "pubDate"),
        name=_text(element, "post_name"),
        content=_encoded(element, "content"),
        excerpt=_encoded(element, "excerpt"),
        attachment_url=_text(element, "attachment_url"),
        password=_text(element, "post_password"),
        parent=_text(element, "post_parent"),
    )
    for child in element:
        kind = _local(child.tag)
        if kind == "category":
            attrs: dict[str, Any] = child.attrib
            name = (child.text or "").strip()
            item.categories.append(
                (str(attrs.get("domain", "")), str(attrs.get("nicename", name)), name)
            )
        elif kind == "postmeta":
            item.meta[_text(child, "meta_key")] = _text(child, "meta_value")
    size = len(item.content) + len(item.excerpt) + len(item.title)
    if size > MAX_ITEM_TEXT:
        item.content = item.excerpt = ""
        item.too_big = size
    return item
