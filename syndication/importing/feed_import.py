"""`syndication import feed URL`: RSS 2.0, Atom or JSON Feed -> one file per entry under
content/imported/<host>/, following RFC 5005 `prev-archive` links, JSON Feed's `next_url`
and WordPress's `?paged=N` pages back to the beginning.

An XML document is first read with defusedxml (no entity, DTD or external file), then by
feedparser. Only the hosts the command names are fetched. An entry's file and `id:` come from
its feed id, so importing again writes only what changed and never a second copy."""

from __future__ import annotations

import codecs
import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urljoin, urlsplit, urlunsplit

import feedparser
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from slugify import slugify

from syndication import model
from syndication.config import Settings
from syndication.errors import ContentError
from syndication.importing.fetch import Fetcher, Refused, netloc
from syndication.importing.html_markdown import plain, standfirst_of, story_body, without_trackers
from syndication.importing.inline_pictures import Source, copy_pictures
from syndication.importing.mapping import Mapping, edition_for
from syndication.importing.report import Report
from syndication.importing.story_files import (
    Ledger,
    clear_leftovers,
    file_text,
    keep_picture,
    refused_by_check,
    write_whole,
)
from syndication.ingest.check import Claims
from syndication.ingest.fields import MAX_AUTHORS, MAX_TOPICS, is_old_address
from syndication.ingest.imageinfo import MEDIA_TYPES
from syndication.ingest.parse import Parsed, parse_article

PICTURES = {v: k for k, v in MEDIA_TYPES.items() if v != "image/jpeg"} | {"image/jpeg": ".jpg"}


@dataclass
class Entry:
    """One entry of any of the three formats, as read."""

    id: str
    title: str
    link: str
    published: datetime | None
    authors: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    content: str = ""  # the whole story, HTML
    summary: str = ""
    pictures: list[str] = field(default_factory=list)  # enclosure or attachment URLs
    rights: str = ""  # the entry's rights line, else its feed's (copyright, dc:rights)
    dated_by_feed: bool = False  # it had no date: its feed's is used
    # enclosures but pictures (a podcast's episode, a video, a PDF): (kind, address)
    attached: list[tuple[str, str]] = field(default_factory=list)
    language: str = ""  # its feed's


@dataclass
class Page:
    """One document of a feed: its entries, the address of the one before it (None: the
    beginning), and whether WordPress made it (then ?paged=2, 3... go back in time)."""

    entries: list[Entry]
    older: str | None
    wordpress: bool = False


def import_feed(
    url: str,
    settings: Settings,
    mapping: Mapping,
    allowed: set[str],
    dry_run: bool,
    overwrite_edited: bool = False,
    source: model.Source | None = None,
    edition: str | None = None,
) -> Report:
    """Rights fail closed: the stories are the `source` named (one of syndication.toml's),
    and without one that is ours they are someone else's copy: never passed to partners."""
    report = Report()
    if source is None or source.licensed_in:
        report.notes.append(
            "the stories written are not ours (no --source of ours named): partners never "
            "get them (a file kept as edited here keeps what it says)"
        )
    content = settings.content_dir.resolve()
    fetcher = Fetcher(
        {netloc(url), *allowed},
        settings.import_max_page_mb * 1024 * 1024,
        total_seconds=settings.import_max_seconds,
    )
    host = urlsplit(url).hostname or "feed"
    folder = content / "imported" / slugify(host, max_length=40)
    if not dry_run:
        clear_leftovers(folder)
    ledger = Ledger(folder, overwrite_edited)
    seen: set[bytes] = set()  # digests: an entry's id may be megabytes long
    addresses: set[str] = set()  # of the stories this import wrote
    written: dict[Path, str] = {}
    checked_files: dict[str, Claims] = {}
    for count, entry in enumerate(_entries(url, fetcher, report, settings.import_max_pages)):
        if count == settings.import_max_entries:
            report.stopped = (
                f"the feed holds more than {settings.import_max_entries:,} entries "
                "(import_max_entries)"
            )
            break
        if fetcher.out_of_time():
            report.stopped = _out_of_time(fetcher)
            break
        label = f"entry {entry.id[:80]!r}"
        if entry.dated_by_feed:
            report.notes.append(f"{label}: it has no date: its feed's is used")
        if (key := _key(entry.id)) in seen:
            report.skip(label, "duplicate id: it came before")
            continue
        seen.add(key)
        story = _story(entry, url, mapping, fetcher, folder, report, label, dry_run)
        if story is None:
            continue
        fields, body, stem = story
        _owned(fields, entry, source)
        if edition is None:  # by the feed's language, once it is known
            edition = edition_for(entry.language, settings, report)
        fields["edition"] = edition
        target = folder / f"{stem}.md"
        rel = target.relative_to(content).as_posix()
        try:
            text, parsed = _checked(fields, body, rel, settings, dry_run)
            if parsed.article.path in addresses:  # the same headline the same day: its own
                fields["slug"] = f"{slugify(str(fields['title']), max_length=60)}-{stem[-6:]}"
                text, parsed = _checked(fields, body, rel, settings, dry_run)
        except ContentError as error:
            report.skip(label, f"would not publish: {error.format(str(content))}")
            continue
        addresses.add(parsed.article.path)
        done = write_whole(target, text, report, dry_run, ledger=ledger)
        if done != "kept":
            written[target] = done
            checked_files[rel] = Claims.of(parsed)
    if not dry_run and written:
        refused_by_check(settings, written, checked_files, report, ledger)
    ledger.close(dry_run)
    return report


def _checked(
    fields: dict[str, object], body: str, rel: str, settings: Settings, dry_run: bool
) -> tuple[str, Parsed]:
    """The story's file and what ingest makes of it (ContentError: it would not publish).
    A dry run fetches and keeps no picture: it checks the story without one."""
    text = file_text(fields, body)
    without_picture = {k: v for k, v in fields.items() if k != "image"}
    checked = file_text(without_picture, body) if dry_run else text
    return text, parse_article(checked.encode(), rel, settings.content_dir.resolve(), settings)


def _entries(url: str, fetcher: Fetcher, report: Report, max_pages: int) -> Iterator[Entry]:
    """Every entry of the feed and the documents before it, newest document first, up to
    `max_pages` documents (the report says when it stopped there)."""
    pending, fetched, paged = [url], {_key(url)}, 1
    ids: set[bytes] = set()  # a server that ignores ?paged= sends the same entries again
    while pending:
        if len(fetched) > max_pages:
            report.stopped = f"the feed goes back over {max_pages:,} documents (import_max_pages)"
            return
        page = pending.pop()
        if fetcher.out_of_time():
            report.stopped = _out_of_time(fetcher)
            return
        try:
            body, kind, charset = fetcher.get_with_charset(page)
            document = _read(as_utf8(body, charset), kind, page)
        except Refused as exc:
            if fetcher.out_of_time():
                report.stopped = _out_of_time(fetcher)
                return
            if page == url:
                raise
            report.notes.append(f"stopped following the feed back: {exc}")
            return
        entries, older = document.entries, document.older
        new = [e for e in entries if e.id and _key(e.id) not in ids]
        if entries and not new:  # a page again: the beginning of a feed that ignores paging
            report.notes.append(f"{page[:120]} brought only entries already read: none again")
        else:  # (an entry that came before, on this page or another, is reported so)
            yield from entries
        ids.update(_key(e.id) for e in new)
        if older is None and new and document.wordpress and page.startswith(url):
            paged += 1  # WordPress's feeds go back by ?paged=2, 3...
            older = _with_page(url, paged)
        if older and _key(older) not in fetched and (new or not page.startswith(url)):
            fetched.add(_key(older))
            pending.append(older)


def _owned(fields: dict[str, object], entry: Entry, source: model.Source | None) -> None:
    """Whose copy the story is: the source the mapping or --source names; with none of
    ours, not for partners; and the feed's rights line, as the feed states it."""
    if source is not None and "source" not in fields:
        fields["source"] = source.name
    if source is None or source.licensed_in:
        fields["syndication"] = False
    if rights := plain(entry.rights)[:300]:
        fields["rights"] = rights


def _out_of_time(fetcher: Fetcher) -> str:
    return f"the import took over {fetcher.total_seconds:g} s (import_max_seconds)"


def _key(text: str) -> bytes:
    """What the import remembers of an id or an address: 16 bytes, whatever its length."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def _with_page(url: str, number: int) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "paged"] + [("paged", str(number))]
    return urlunsplit(parts._replace(query=urlencode(query)))


_DECLARATION = re.compile(rb"^(\xef\xbb\xbf)?\s*<\?xml[^>]*?\?>")
_DECLARED = re.compile(rb"""encoding\s*=\s*["']([A-Za-z0-9._-]{1,40})["']""")


def as_utf8(body: bytes, http_charset: str) -> bytes:
    """An XML feed in UTF-8, whatever it came in: the charset its XML declaration names,
    else the one HTTP named, else UTF-8 (XML's own rule). The XML reader knows few
    charsets (not Windows-1252, which most "ISO-8859-1" feeds really are), so the text is
    decoded here and the declaration made to say UTF-8. A JSON Feed is left as it is."""
    if body.lstrip()[:1] == b"{":
        return body
    declaration = _DECLARATION.match(body)
    declared = _DECLARED.search(declaration[0]) if declaration else None
    name = (declared[1].decode() if declared else http_charset or "utf-8").lower()
    if name in ("iso-8859-1", "latin-1", "latin1", "us-ascii", "ascii"):
        name = "windows-1252"  # a superset, as browsers read them
    try:
        name = codecs.lookup(name).name
    except LookupError:
        return body  # a charset we do not know: read as it is (and refused if not XML)
    if name == "cp1252" and _is_utf8_beyond_ascii(body):
        # It says Latin-1 but is UTF-8: what it says would garble it, so it no longer says.
        return _DECLARATION.sub(b"", body, count=1).lstrip()
    if name == "utf-8":
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:  # a few bytes of Windows-1252 in a UTF-8 feed
            text = body.decode("utf-8", errors=_LATIN_FALLBACK)
            return _DECLARATION.sub(b"", text.encode("utf-8"), count=1).lstrip()
        return body
    text = body.decode(name, errors="replace")
    return _DECLARATION.sub(b"", text.encode("utf-8"), count=1).lstrip()


def _is_utf8_beyond_ascii(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not body.isascii()


def _as_windows_1252(error: UnicodeError) -> tuple[str, int]:
    """The bytes UTF-8 could not read, read as Windows-1252 (what they nearly always are)."""
    assert isinstance(error, UnicodeDecodeError)
    bad = error.object[error.start : error.end]
    return bytes(bad).decode("cp1252", errors="replace"), error.end


_LATIN_FALLBACK = "syndication-windows-1252"
codecs.register_error(_LATIN_FALLBACK, _as_windows_1252)


def _read(body: bytes, kind: str, url: str) -> Page:
    """The document's entries and the address of the one before it (None: the beginning)."""
    if kind.endswith("json") or body.lstrip()[:1] == b"{":
        return Page(*_json_feed(body, url))
    try:
        fromstring(body, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise Refused(
            f"{url[:120]} declares XML entities or a DTD ({type(exc).__name__})"
        ) from None
    except Exception as exc:
        raise Refused(f"{url[:120]} is not a feed: {str(exc)[:120]}") from None
    parsed: Any = feedparser.parse(body)
    feed = parsed.feed
    links = feed.get("links", [])
    older = next(  # RFC 5005: an archived feed's older document, or a paged feed's next
        (link.get("href") for link in links if link.get("rel") in ("prev-archive", "next")),
        None,
    )
    if not parsed.entries and not feed.get("title"):
        raise Refused(f"{url[:120]} is not an RSS or Atom feed")
    feed_rights = str(feed.get("rights", ""))  # RSS copyright, dc:rights, Atom rights
    entries = [_xml_entry(e, url, feed_rights) for e in parsed.entries]
    when = feed.get("published_parsed") or feed.get("updated_parsed")
    for entry in entries:
        entry.language = str(feed.get("language", ""))[:35]
        if entry.published is None and when:
            entry.published = datetime(*tuple(when)[:6]).replace(tzinfo=UTC)
            entry.dated_by_feed = True
    made_by = f"{feed.get('generator', '')} {feed.get('generator_detail', {}).get('href', '')}"
    return Page(entries, urljoin(url, older) if older else None, "wordpress" in made_by.lower())


def _xml_entry(raw: Any, base: str, feed_rights: str = "") -> Entry:
    when = raw.get("published_parsed") or raw.get("updated_parsed")
    content = raw.get("content") or []
    media = [*raw.get("media_content", []), *raw.get("media_thumbnail", [])]  # Media RSS
    enclosures = raw.get("enclosures", [])
    return Entry(
        id=str(raw.get("id") or raw.get("link") or ""),
        title=str(raw.get("title", "")),
        # FeedBurner's feeds link to its redirect; the original address is kept beside it
        link=urljoin(base, str(raw.get("feedburner_origlink") or raw.get("link", ""))),
        published=datetime(*tuple(when)[:6]).replace(tzinfo=UTC) if when else None,
        authors=[str(a.get("name", "")) for a in raw.get("authors", []) if a.get("name")],
        tags=[str(t.get("label") or t.get("term") or "") for t in raw.get("tags", [])],
        content=str(content[0].get("value", "")) if content else "",
        summary=str(raw.get("summary", "")),
        pictures=list(
            dict.fromkeys(
                [urljoin(base, str(e.get("href", ""))) for e in enclosures if _is(e, "image")]
                + [urljoin(base, str(m.get("url", ""))) for m in media if _is(m, "image")]
            )
        ),
        attached=[
            (_kind(e), urljoin(base, str(e.get("href", ""))))
            for e in enclosures
            if not _is(e, "image") and str(e.get("href", "")).startswith(("http://", "https://"))
        ],
        rights=str(raw.get("rights") or feed_rights),
    )


MAX_ATTACHED = 20  # enclosures linked from one story


def _kind(enclosure: Any) -> str:
    said = str(enclosure.get("type", "")).split("/")[0]
    return said if said in ("audio", "video") else "attachment"


def _is(media: Any, kind: str) -> bool:
    """An enclosure or Media RSS item of this kind (image, audio), by its type or medium;
    a thumbnail, which has neither, is a picture."""
    said = f"{media.get('type', '')} {media.get('medium', '')}".strip()
    return said.startswith(kind) or f" {kind}" in f" {said}" or (not said and kind == "image")


def _json_feed(body: bytes, url: str) -> tuple[list[Entry], str | None]:
    try:
        document = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise Refused(f"{url[:120]} is not JSON: {str(exc)[:80]}") from None
    if not isinstance(document, dict) or not isinstance(document.get("items"), list):
        raise Refused(f"{url[:120]} is not a JSON Feed")
    entries = []
    for item in document["items"]:
        if not isinstance(item, dict):
            continue
        entries.append(
            Entry(
                id=str(item.get("id", "")),
                title=str(item.get("title", "")),
                link=urljoin(url, str(item.get("url", ""))),
                published=_iso(item.get("date_published") or item.get("date_modified")),
                authors=[
                    str(a["name"]) for a in item.get("authors", []) or []
                    if isinstance(a, dict) and a.get("name")
                ],
                tags=[str(t) for t in item.get("tags", []) or [] if isinstance(t, str)],
                content=str(item.get("content_html") or item.get("content_text") or ""),
                summary=str(item.get("summary", "")),
                pictures=[
                    urljoin(url, str(a.get("url", "")))
                    for a in item.get("attachments", []) or []
                    if isinstance(a, dict) and str(a.get("mime_type", "")).startswith("image/")
                ],
            )
        )  # fmt: skip
    older = document.get("next_url")
    for entry in entries:
        entry.language = str(document.get("language", ""))[:35]
    return entries, urljoin(url, older) if isinstance(older, str) and older else None


def _iso(value: Any) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.astimezone(UTC) if moment.tzinfo else None


def _story(
    entry: Entry,
    feed_url: str,
    mapping: Mapping,
    fetcher: Fetcher,
    folder: Path,
    report: Report,
    label: str,
    dry_run: bool,
) -> tuple[dict[str, object], str, str] | None:
    if not entry.id:
        report.skip(label, "no id")
        return None
    title = plain(entry.title)
    if not title:
        report.skip(label, "no title")
        return None
    if entry.published is None or not 1800 <= entry.published.year <= 2999:
        report.skip(label, "no date")
        return None
    site = urlsplit(feed_url).hostname or ""
    html, pixels = without_trackers(entry.content or entry.summary)
    if pixels:
        report.converted["tracking pixel taken away"] += pixels
    base = entry.link or feed_url
    copied = copy_pictures(
        html, base, Source(site, folder, None, fetcher, fetcher.max_bytes, dry_run), report, label
    )
    # A dry run copies nothing: its check reads the text naming the pictures where they are.
    body = story_body(html, base, site, {} if dry_run else copied, title)
    if not body.strip():
        report.skip(label, "empty body")
        return None
    stem = "feed-" + hashlib.sha256(entry.id.encode()).hexdigest()[:16]
    fields: dict[str, object] = {
        "id": f"{stem}-{slugify(site, max_length=40)}"[:80],
        "title": title,
        "published": entry.published.isoformat(),
        "section": mapping.section_of([(slugify(t), t) for t in entry.tags]),
    }
    every_author = list(dict.fromkeys(shown for a in entry.authors if (shown := plain(a))))
    every_topic = list(dict.fromkeys(shown for t in entry.tags if (shown := plain(t))))
    authors, topics = every_author[:MAX_AUTHORS], every_topic[:MAX_TOPICS]
    for kind, kept, every in (("authors", authors, every_author), ("tags", topics, every_topic)):
        if left := every[len(kept) :]:
            report.notes.append(
                f"{label}: {len(left)} {kind} past the {len(kept)} kept were left out: "
                f"{', '.join(left[:5])[:200]}"
            )
    if authors:
        fields["authors"] = authors
    if topics:
        fields["topics"] = topics
    standfirst = standfirst_of(entry.summary)
    if entry.content and standfirst and not _opens(entry.content, standfirst):
        fields["standfirst"] = standfirst  # (one that is the text's beginning is not repeated)
    if source := mapping.source_of([*authors, *entry.tags]):
        fields["source"] = source
    for kind, address in entry.attached[:MAX_ATTACHED]:
        body += f"\n[{kind.capitalize()}: {_file_name(address)}]({address})\n"
        report.converted[f"{kind} enclosure linked"] += 1
    if len(entry.attached) > MAX_ATTACHED:
        report.notes.append(
            f"{label}: only its first {MAX_ATTACHED} enclosures were linked, of "
            f"{len(entry.attached)}"
        )
    if not entry.content and entry.link.startswith(("http://", "https://")):
        body += f"\n[Read the whole story]({entry.link})\n"
    if entry.link.startswith(("http://", "https://")):
        fields["original_url"] = entry.link
    old = urlsplit(entry.link)
    if (
        old.netloc == urlsplit(feed_url).netloc
        and not old.query
        and is_old_address(unquote(old.path))
    ):
        fields["aliases"] = [old.path]
    for picture in entry.pictures[:1]:
        fields.update(_picture(picture, title, fetcher, folder, report, label, dry_run))
    return fields, body, stem


def _opens(content: str, standfirst: str) -> bool:
    """Whether the text begins with the standfirst (a feed's summary is often its first
    paragraph, cut short)."""
    return plain(content).startswith(standfirst.removesuffix("…").rstrip(" .,;:"))


def _file_name(url: str) -> str:
    return urlsplit(url).path.rsplit("/", 1)[-1] or url


def _picture(
    url: str, title: str, fetcher: Fetcher, folder: Path, report: Report, label: str, dry_run: bool
) -> dict[str, object]:
    try:
        data, kind = fetcher.get(url)
    except Refused as exc:
        report.notes.append(f"{label}: its picture was not fetched: {exc}")
        return {}
    suffix = PICTURES.get(kind)
    if suffix is None:
        report.notes.append(f"{label}: {url[:120]} is {kind}, not a picture we take")
        return {}
    src = keep_picture(folder, PurePosixPath("picture" + suffix), data, report, dry_run)
    return {"image": {"src": src, "alt": title}} if src is not None else {}
