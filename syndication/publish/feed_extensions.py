"""feedgen extensions for what feedgen 1.0 cannot write, or writes wrongly.

- Atom entry links: feedgen drops rel/type/length of entry links (its issue 135), so the
  alternate and enclosure links are written here; RSS gets its one <enclosure> here too.
- Media RSS with media:credit and media:description (feedgen's media extension has neither).
- dc:creator and dc:rights in RSS (feedgen writes RSS authors only when they have an e-mail).
- RSS feed-level atom:link for rel="hub" and RFC 5005 (feedgen writes only rel="self").
- RFC 5005 fh:archive and RFC 6721 at:deleted-entry in Atom.
- atom:source with the id and updated RFC 4287 asks for (feedgen writes title and link).
- The rights policy: Atom's license links (RFC 4946) on the feed and each entry, RSS's
  atom:link rel="license" on the channel and RSL's <rsl:content> in each item.
"""

from __future__ import annotations

import html
import re
from typing import Any

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.util import xml_elem

from syndication.character_references import has_reference, joined_references

ATOM_NS = "http://www.w3.org/2005/Atom"
MEDIA_NS = "http://search.yahoo.com/mrss/"
DC_NS = "http://purl.org/dc/elements/1.1/"
FH_NS = "http://purl.org/syndication/history/1.0"
AT_NS = "http://purl.org/atompub/tombstones/1.0"
RSL_NS = "https://rslstandard.org/rsl"

Element = Any  # lxml elements, which feedgen hands to extensions


class NewsroomFeed(BaseExtension):  # type: ignore[misc]
    def __init__(self) -> None:
        self.links: list[dict[str, str]] = []  # extra feed links for RSS (hub, archives)
        self.is_archive = False
        self.deleted: list[dict[str, str]] = []  # {ref, when, href}
        self.format = "atom"  # or "rss": which document is being written
        self.pictures = False  # whether an entry carries Media RSS
        self.licence = ""  # the feed's policy document (rel="license")
        self.rsl = False  # whether an item carries RSL (RSS)

    def extend_ns(self) -> dict[str, str]:
        # Only the namespaces this document uses: the validator warns on each one declared
        # for nothing (RSS never carries tombstones or fh:archive; most feeds neither).
        used = {"media": MEDIA_NS} if self.pictures else {}
        if self.format == "rss":
            return used | {"dc": DC_NS} | ({"rsl": RSL_NS} if self.rsl else {})
        if self.is_archive:
            used["fh"] = FH_NS
        if self.deleted:
            used["at"] = AT_NS
        return used

    def extend_atom(self, feed: Element) -> Element:
        if self.licence:
            xml_elem("link", feed, rel="license", href=self.licence)
        if self.is_archive:
            xml_elem(f"{{{FH_NS}}}archive", feed)
        for item in self.deleted:
            tomb = xml_elem(f"{{{AT_NS}}}deleted-entry", feed, ref=item["ref"], when=item["when"])
            xml_elem("link", tomb, rel="alternate", type="text/html", href=item["href"])
        return feed

    def extend_rss(self, rss: Element) -> Element:
        channel = rss[0]
        # Right after feedgen's atom:link rel="self", so related links stay together.
        at = next(
            (i + 1 for i, child in enumerate(channel) if child.tag == f"{{{ATOM_NS}}}link"), 3
        )
        links = [*self.links, *([{"href": self.licence, "rel": "license"}] if self.licence else [])]
        for offset, link in enumerate(links):
            element = xml_elem(f"{{{ATOM_NS}}}link", None, **link)
            channel.insert(at + offset, element)
        return rss


RSS_TITLE_BRACKETS = str.maketrans({"<": "\u2039", ">": "\u203a"})


# What the W3C validator takes for a character reference in a text construct: `&` and a word
# character, `#` or not.
_REFERENCE_LIKE = re.compile(r"&#?\w")


def _looks_like_markup(text: str) -> bool:
    return "<" in text or has_reference(text)


class NewsroomEntry(BaseEntryExtension):  # type: ignore[misc]
    def __init__(self) -> None:
        self.alternate: dict[str, str] = {}
        self.image: dict[str, str] | None = (
            None  # url, type, length, width, height, credit, caption
        )
        self.creators: list[str] = []
        self.rights = ""
        self.source: dict[str, str] | None = None  # id, title, href, updated
        self.licence = ""  # the story's policy document (Atom rel="license")
        self.rsl: tuple[str, str] | None = None  # RSL's permitted and prohibited uses (RSS)

    def extend_atom(self, entry: Element) -> Element:
        # A headline with angle brackets or with what reads as an entity is text; said as
        # escaped HTML (type="html"), no reader or validator takes "Why <b> tags matter" or
        # "AT&amp;T" for markup.
        title = entry.find("title")
        if title is not None and title.text and _looks_like_markup(title.text):
            title.set("type", "html")
            title.text = html.escape(title.text, quote=False)
        # A rights line with `&` and a word character (`A&0`) the validator takes for a
        # reference too: escaped HTML, which reads back as typed.
        rights = entry.find("rights")
        if rights is not None and rights.text and _REFERENCE_LIKE.search(rights.text):
            rights.set("type", "html")
            rights.text = html.escape(rights.text, quote=False)
        # feedgen wrote the entry's links without rel/type (its issue 135): replace them.
        # It writes Atom in no namespace under an xmlns attribute; plain names match it.
        for stale in entry.findall("link"):
            entry.remove(stale)
        if self.source:
            # feedgen's atom:source has a title and a link only; RFC 4287 4.2.11 wants the
            # source feed's id and updated too (the W3C validator asks for both).
            for stale in entry.findall("source"):
                entry.remove(stale)
            source = xml_elem("source", entry)
            xml_elem("id", source).text = self.source["id"]
            xml_elem("title", source).text = self.source["title"]
            xml_elem("link", source, rel="alternate", href=self.source["href"])
            xml_elem("updated", source).text = self.source["updated"]
        if self.alternate:
            xml_elem("link", entry, rel="alternate", **self.alternate)
        if self.licence:
            xml_elem("link", entry, rel="license", href=self.licence)
        if self.image:
            img = self.image
            xml_elem(
                "link",
                entry,
                rel="enclosure",
                href=img["url"],
                type=img["type"],
                length=img["length"],
            )
            self._media(entry)
        return entry

    def extend_rss(self, item: Element) -> Element:
        # RSS says nothing of whether <title> is HTML and readers disagree: angle brackets
        # become the single angle quotation marks, which no reader can take for a tag, and
        # what reads as an entity has an invisible word joiner after its ampersand.
        title = item.find("title")
        if title is not None and title.text and _looks_like_markup(title.text):
            text = title.text.translate(RSS_TITLE_BRACKETS)
            # "AT&amp;T" typed as such: a reader that takes RSS titles for HTML shows it so
            title.text = joined_references(text)
        for name in self.creators:
            xml_elem(f"{{{DC_NS}}}creator", item).text = name
        if self.rights:
            xml_elem(f"{{{DC_NS}}}rights", item).text = self.rights
        if self.rsl is not None and self.alternate:
            content = xml_elem(f"{{{RSL_NS}}}content", item, url=self.alternate["href"])
            licence = xml_elem(f"{{{RSL_NS}}}license", content)
            for name, uses in zip(("permits", "prohibits"), self.rsl, strict=True):
                if uses:
                    xml_elem(f"{{{RSL_NS}}}{name}", licence, type="usage").text = uses
        if self.image:
            img = self.image
            xml_elem("enclosure", item, url=img["url"], length=img["length"], type=img["type"])
            self._media(item)
        return item

    def _media(self, parent: Element) -> None:
        img = self.image or {}
        size = {k: img[k] for k in ("width", "height") if img.get(k)}
        content = xml_elem(
            f"{{{MEDIA_NS}}}content",
            parent,
            url=img["url"],
            type=img["type"],
            fileSize=img["length"],
            medium="image",
            **size,
        )
        if img.get("caption"):
            xml_elem(f"{{{MEDIA_NS}}}description", content, type="plain").text = img["caption"]
        if img.get("credit"):
            xml_elem(f"{{{MEDIA_NS}}}credit", content, role="photographer").text = img["credit"]
        if img.get("rights"):
            xml_elem(f"{{{MEDIA_NS}}}copyright", content).text = img["rights"]
