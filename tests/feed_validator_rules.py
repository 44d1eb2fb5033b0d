"""The W3C Feed Validation Service's rules for what our feeds contain, as checks.

The service (validator.w3.org/feed) cannot be reached from the test machine and its code is
not packaged, so its rules that apply to our elements are restated here: each function
returns the validator's message names (errors and warnings) it would log, so a test can
assert there are none. Rules and names follow its source (feedvalidator: channel.py,
item.py, media.py, validators.py): the RSS 2.0 channel and item, Media RSS, dates, URIs and
the HTML it parses in content.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

import html5lib
from html5lib.html5parser import ParseError
from lxml import etree

from tests.conftest import TEST_INSTANT

ATOM = "http://www.w3.org/2005/Atom"
DC = "http://purl.org/dc/elements/1.1/"
MEDIA = "http://search.yahoo.com/mrss/"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
# Namespaces the validator knows; at: (RFC 6721) is the one it does not, which the issue allows.
KNOWN = {ATOM, DC, MEDIA, CONTENT, "http://purl.org/syndication/history/1.0"}

# validators.py: rfc2396_full, the tag: scheme, RFC 2822 dates, RFC 3339 dates, MIME types.
FULL_URI = re.compile(r"[a-zA-Z][0-9a-zA-Z+\-.]*:(//)?[0-9a-zA-Z;/?:@&=+$.\-_!~*'()%,#]+$")
TAG_URI = re.compile(
    r"^tag:([a-z0-9\-._]+?@)?[a-z0-9.\-]+?,\d{4}(-\d{2}(-\d{2})?)?:"
    r"[0-9a-zA-Z;/?:@&=+$.\-_!~*'()%,]*(#[0-9a-zA-Z;/?:@&=+$.\-_!~*'()%,]*)?$"
)
RFC2822 = re.compile(
    r"((Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?\d\d? (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
    r" \d\d\d\d \d\d:\d\d(:\d\d)? (([+-]?\d\d[03]0)|UT|GMT|EST|EDT|CST|CDT|MST|MDT|PST|PDT|Z)$"
)
RFC3339 = re.compile(r"^\d\d\d\d-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d*)?(Z|([+-]\d\d:\d\d))$")
MIME = re.compile(
    r'[^\s()<>,;:\\"/[\]?=]+/[^\s()<>,;:\\"/[\]?=]+'
    r'(\s*;\s*[^\s()<>,;:\\"/[\]?=]+=("(\\"|[^"])*"|[^\s()<>,;:\\"/[\]?=]+))*$'
)
# validators.py HTMLValidator: elements and attributes it accepts in content without a
# SecurityRisk warning (the subset a news article can contain).
SAFE_ELEMENTS = {
    "a", "abbr", "acronym", "address", "article", "aside", "b", "bdi", "big", "blockquote",
    "br", "caption", "center", "cite", "code", "col", "colgroup", "dd", "del", "details",
    "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "footer", "h1", "h2", "h3", "h4",
    "h5", "h6", "header", "hr", "i", "img", "ins", "kbd", "li", "main", "mark", "ol", "p",
    "picture", "pre", "q", "s", "samp", "section", "small", "source", "span", "strike",
    "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time",
    "tr", "tt", "u", "ul", "var",
}  # fmt: skip
SAFE_ATTRIBUTES = {
    "abbr", "align", "alt", "border", "cite", "class", "colspan", "datetime", "dir",
    "headers", "height", "href", "hreflang", "id", "lang", "loading", "rel", "rowspan",
    "scope", "sizes", "span", "src", "srcset", "start", "title", "type", "width",
}  # fmt: skip
# media.py: roles of media:credit without a scheme must be EBU roles (these are the ones a
# newsroom uses; the validator's list is longer).
EBU_ROLES = {"author", "photographer", "illustrator", "editor", "reporter", "producer"}
MEDIA_CONTENT_ATTRIBUTES = {
    "bitrate", "channels", "duration", "expression", "fileSize", "framerate", "height",
    "isDefault", "lang", "medium", "samplingrate", "type", "url", "width",
}  # fmt: skip
# channel.py: metadata elements; one after the first item is a MisplacedItem.
CHANNEL_METADATA = {
    "title", "link", "description", "language", "copyright", "managingEditor", "webMaster",
    "pubDate", "lastBuildDate", "category", "generator", "docs", "cloud", "ttl", "image",
    "textInput", "skipHours", "skipDays", f"{{{ATOM}}}link",
}  # fmt: skip
# item.py / channel.py: the same fact twice (core element and extension) is a warning.
DUPLICATE_SEMANTICS = [
    ("author", f"{{{DC}}}creator"),
    ("pubDate", f"{{{DC}}}date"),
    ("category", f"{{{DC}}}subject"),
    ("guid", f"{{{ATOM}}}id"),
    ("source", f"{{{DC}}}source"),
    ("copyright", f"{{{DC}}}rights"),
    ("language", f"{{{DC}}}language"),
    ("managingEditor", f"{{{DC}}}creator"),
]


def html_messages(markup: str) -> list[str]:
    """What the validator's HTMLValidator logs for escaped HTML in description or content."""
    found: list[str] = []
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    try:
        fragment = parser.parseFragment(markup)
    except ParseError as error:
        return [f"NotHtml: {error}"]
    for element in fragment.iter():
        if not isinstance(element.tag, str) or element.tag == "DOCUMENT_FRAGMENT":
            continue
        if element.tag not in SAFE_ELEMENTS:
            found.append(f"SecurityRisk: <{element.tag}>")
        for name in element.attrib:
            if name == "style" or (name not in SAFE_ATTRIBUTES and not name.startswith("data-")):
                found.append(f"SecurityRiskAttr: {name} on <{element.tag}>")
        for name in ("href", "src"):
            value = element.get(name)
            if value is not None and not re.match(r"\w+:", value):
                found.append(f"ContainsRelRef: {value}")
    return found


# The validator calls a date more than ten minutes past its own clock implausible; the tests'
# feeds are made on a clock set to TEST_INSTANT (and the fuzzer's at it), which is theirs.
LATEST_PLAUSIBLE = TEST_INSTANT + timedelta(minutes=10)


def _date_messages(value: str, where: str, pattern: re.Pattern[str]) -> list[str]:
    if not pattern.match(value):
        return [f"Invalid date in {where}: {value}"]
    when = parsedate_to_datetime(value) if pattern is RFC2822 else _rfc3339(value)
    if when.year < 1990 or when > LATEST_PLAUSIBLE:
        return [f"ImplausibleDate in {where}: {value}"]
    if pattern is RFC2822 and "," in value and when.strftime("%a") != value[:3]:
        return [f"IncorrectDOW in {where}: {value}"]
    return []


def _rfc3339(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


# validators.py nonhtml: text that looks like markup (a tag or an entity) in a plain element.
_MARKUP = re.compile(r"<[a-zA-Z/!]|&#?\w+;")


def _nonhtml(value: str, where: str, *, hex_profile: bool = False) -> list[str]:
    """`hex_profile`: the element's line writes characters as hexadecimal references, as the
    RSS Best Practices Profile asks of plain text, which the validator takes to mean that
    entity-like text is text (tags still count)."""
    markup = _TAG if hex_profile else _MARKUP
    return [f"ContainsHTML in {where}: {value[:60]}"] if markup.search(value) else []


_TAG = re.compile(r"<[a-zA-Z/!]")


def _rss_plain(element: etree._Element | None, lines: list[bytes], where: str) -> list[str]:
    if element is None:
        return []
    line = lines[element.sourceline - 1] if element.sourceline else b""
    return _nonhtml(element.text or "", where, hex_profile=b"&#x" in line)


def _uri_messages(value: str | None, where: str) -> list[str]:
    if value is None:
        return [f"MissingAttribute in {where}"]
    if value.startswith("tag:"):
        return [] if TAG_URI.match(value) else [f"InvalidTAG in {where}: {value}"]
    return [] if FULL_URI.match(value) else [f"InvalidFullLink in {where}: {value}"]


def _namespaces(root: etree._Element) -> list[str]:
    used = {etree.QName(e).namespace for e in root.iter() if isinstance(e.tag, str)}
    unknown = used - KNOWN - {None, "http://purl.org/atompub/tombstones/1.0"}
    return [f"UnknownNamespace: {ns}" for ns in sorted(unknown)]


def rss_messages(body: bytes) -> list[str]:
    """The validator's messages for an RSS 2.0 document of ours."""
    rss = etree.fromstring(body)
    channel = rss.find("channel")
    found = _namespaces(rss)
    names = [child.tag for child in channel]
    for core, extension in DUPLICATE_SEMANTICS:
        if core in names and extension in names:
            found.append(f"DuplicateSemantics: {core} and {extension}")
    for required in ("title", "link", "description"):
        if required not in names:
            found.append(f"Missing {required}")
    if "language" not in names:
        found.append("MissingDCLanguage")
    if not any(link.get("rel") == "self" for link in channel.findall(f"{{{ATOM}}}link")):
        found.append("MissingAtomSelfLink")
    first_item = names.index("item") if "item" in names else len(names)
    found += [f"MisplacedItem: {n}" for n in names[first_item:] if n in CHANNEL_METADATA]
    found += _uri_messages(channel.findtext("link"), "channel link")
    for plain in ("title", "description"):
        found += _nonhtml(channel.findtext(plain, ""), f"channel {plain}")
    if (date := channel.findtext("lastBuildDate")) is not None:
        found += _date_messages(date, "lastBuildDate", RFC2822)
    guids: set[str] = set()
    lines = body.split(b"\n")
    for item in channel.findall("item"):
        found += _item_messages(item, guids, lines)
    return found


def _item_messages(item: etree._Element, guids: set[str], lines: list[bytes]) -> list[str]:
    found: list[str] = []
    names = [child.tag for child in item]
    for core, extension in DUPLICATE_SEMANTICS:
        if core in names and extension in names:
            found.append(f"DuplicateItemSemantics: {core} and {extension}")
    for once in ("title", "link", "description", "guid", "pubDate", "enclosure", "source"):
        if names.count(once) > 1:
            found.append(f"DuplicateElement: {once}")
    if f"{{{CONTENT}}}encoded" in names and (
        "description" not in names
        or names.index("description") > names.index(f"{{{CONTENT}}}encoded")
    ):
        found.append("NeedDescriptionBeforeContent")
    guid = item.find("guid")
    if guid is None:
        found.append("MissingGuid")
    else:
        permalink = guid.get("isPermaLink", "true")  # RSS 2.0's default
        if permalink not in ("true", "false"):
            found.append("InvalidBooleanAttribute: isPermaLink")
        elif permalink == "true" and guid.text.startswith(("tag:", "urn:uuid:")):
            found.append("InvalidPermalink")
        found += _uri_messages(guid.text, "guid")
        if guid.text in guids:
            found.append(f"DuplicateValue: guid {guid.text}")
        guids.add(guid.text)
    found += _rss_plain(item.find("title"), lines, "item title")
    for category in item.findall("category"):
        found += _rss_plain(category, lines, "category")
    found += _uri_messages(item.findtext("link"), "item link")
    found += _date_messages(item.findtext("pubDate", ""), "pubDate", RFC2822)
    for text_element in ("description", f"{{{CONTENT}}}encoded"):
        found += html_messages(item.findtext(text_element, ""))
    for enclosure in item.findall("enclosure"):
        length = enclosure.get("length", "")
        if not length.isdigit():
            found.append(f"InvalidIntegerAttribute: enclosure length {length!r}")
        if not MIME.match(enclosure.get("type", "")):
            found.append("InvalidMIMEAttribute: enclosure type")
        found += _uri_messages(enclosure.get("url"), "enclosure url")
    if (source := item.find("source")) is not None:
        found += _uri_messages(source.get("url"), "source url")
    for media in item.findall(f"{{{MEDIA}}}content"):
        found += _media_messages(media)
    return found


def _media_messages(media: etree._Element) -> list[str]:
    found = [f"UnexpectedAttribute: media:content {a}" for a in media.attrib]
    found = [m for m in found if m.rsplit(" ", 1)[1] not in MEDIA_CONTENT_ATTRIBUTES]
    found += _uri_messages(media.get("url"), "media:content url")
    if media.get("medium") not in (None, "image", "audio", "video", "document", "executable"):
        found.append("InvalidMediaMedium")
    for number in ("fileSize", "width", "height"):
        value = media.get(number)
        if value is not None and not (value.isdigit() and int(value) > 0):
            found.append(f"InvalidPositiveInteger: media:content {number}")
    for credit in media.findall(f"{{{MEDIA}}}credit"):
        role = credit.get("role")
        if credit.get("scheme") is None and role is not None and role not in EBU_ROLES:
            found.append(f"InvalidCreditRole: {role}")
    for described in media.findall(f"{{{MEDIA}}}description"):
        if described.get("type", "plain") not in ("plain", "html"):
            found.append("InvalidMediaTextType")
        if described.get("type", "plain") == "plain":
            found += _nonhtml(described.text or "", "media:description")
    return found


def atom_messages(body: bytes) -> list[str]:
    """The validator's messages for an Atom document of ours (RFC 4287's rules as it checks
    them: ids, dates, authors, links, text constructs)."""
    feed = etree.fromstring(body)
    found = _namespaces(feed)
    a = f"{{{ATOM}}}"
    found += _uri_messages(feed.findtext(f"{a}id"), "feed id")
    found += _date_messages(feed.findtext(f"{a}updated", ""), "feed updated", RFC3339)
    if feed.find(f"{a}title") is None:
        found.append("MissingElement: title")
    found += _link_messages(feed.findall(f"{a}link"), "feed")
    feed_author = feed.find(f"{a}author") is not None
    ids: set[str] = set()
    for entry in feed.findall(f"{a}entry"):
        entry_id = entry.findtext(f"{a}id")
        found += _uri_messages(entry_id, "entry id")
        if entry_id in ids:
            found.append(f"DuplicateEntries: {entry_id}")
        ids.add(entry_id or "")
        for name in ("updated", "published"):
            value = entry.findtext(f"{a}{name}")
            if value is not None:
                found += _date_messages(value, f"entry {name}", RFC3339)
        if entry.findtext(f"{a}updated") is None:
            found.append("MissingElement: entry updated")
        if not feed_author and entry.find(f"{a}author") is None:
            found.append("MissingElement: author")
        found += _link_messages(entry.findall(f"{a}link"), "entry")
        for construct in ("content", "summary", "title", "rights"):
            element = entry.find(f"{a}{construct}")
            if element is not None and element.get("type") == "html":
                found += html_messages(element.text or "")
        title = entry.find(f"{a}title")
        if title is not None and title.get("type", "text") == "text":
            found += _nonhtml(title.text or "", "entry title")  # unless type says it is HTML
    return found


def _link_messages(links: list[etree._Element], where: str) -> list[str]:
    found: list[str] = []
    seen: set[tuple[str | None, str | None, str | None]] = set()
    for link in links:
        found += _uri_messages(link.get("href"), f"{where} link")
        key = (link.get("rel", "alternate"), link.get("type"), link.get("hreflang"))
        if key[0] == "alternate" and key in seen:
            found.append(f"DuplicateAtomLink in {where}: {key}")
        seen.add(key)
        if link.get("type") is not None and not MIME.match(link.get("type", "")):
            found.append(f"InvalidMIMEType in {where} link")
    return found
