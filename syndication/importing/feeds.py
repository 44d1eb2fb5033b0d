"""`syndication import feed URL`: RSS 2.0, Atom or JSON Feed -> one file per entry under
content/imported/<host>/, following RFC 5005 `prev-archive` links, JSON Feed's `next_url`
and WordPress's `?paged=N` pages back to the beginning.

An XML document is first read with defusedxml (no entity, DTD or external file), then by
feedparser. Only the hosts the command names are fetched. An entry's file and `id:` come from
its feed id, so importing again writes only what changed and never a second copy."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import feedparser
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from slugify import slugify

from syndication import model
from syndication.config import Settings
from syndication.errors import ContentError
from syndication.importing.fetch import Fetcher, Refused, netloc
from syndication.importing.files import (
    Ledger,
    clear_leftovers,
    file_text,
    keep_picture,
    refused_by_check,
    write_whole,
)
from syndication.importing.html_markdown import as_picture_story, plain, to_markdown
from syndication.importing.inline_pictures import Source, copy_pictures
from syndication.importing.mapping import Mapping
from syndication.importing.report import Report
from syndication.ingest.check import Claims
from syndication.ingest.fields import MAX_AUTHORS, MAX_STANDFIRST, MAX_TOPICS
from syndication.ingest.imageinfo import MEDIA_TYPES
from syndication.ingest.parse import parse_article

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


def import_feed(
    url: str,
    settings: Settings,
    mapping: Mapping,
    allowed: set[str],
    dry_run: bool,
    overwrite_edited: bool = False,
    source: model.Source | None = None,
) -> Report:
    """Rights fail closed: the stories are the `source` named (one of syndication.toml's),
    and without one that is ours they are someone else's copy: never passed to partners."""
    report = Report()
    if source is None or source.licensed_in:
        report.notes.append(
            "the stories are not ours (no --source of ours named): partners never get them"
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
        if (key := _key(entry.id)) in seen:
            report.skip(label, "duplicate id: it came before")
            continue
        seen.add(key)
        story = _story(entry, url, mapping, fetcher, folder, report, label, dry_run)
        if story is None:
            continue
        fields, body, stem = story
        _owned(fields, entry, source)
        target = folder / f"{stem}.md"
        rel = target.relative_to(content).as_posix()
        text = file_text(fields, body)
        # A dry run fetches and keeps no picture: it checks the story without one.
        checked = (
            file_text({k: v for k, v in fields.items() if k != "image"}, body) if dry_run else text
        )
        try:
            parsed = parse_article(checked.encode(), rel, content, settings)
        except ContentError as error:
            report.skip(label, f"would not publish: {error.format(str(content))}")
            continue
        done = write_whole(target, text, report, dry_run, ledger=ledger)
        if done != "kept":
            written[target] = done
            checked_files[rel] = Claims.of(parsed)
    ledger.close(dry_run)
    if not dry_run and written:
        refused_by_check(settings, written, checked_files, report)
    return report


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
            body, kind = fetcher.get(page)
            entries, older = _read(body, kind, page)
        except Refused as exc:
            if fetcher.out_of_time():
                report.stopped = _out_of_time(fetcher)
                return
            if page == url:
                raise
            report.notes.append(f"stopped following the feed back: {exc}")
            return
        new = [e for e in entries if e.id and _key(e.id) not in ids]
        ids.update(_key(e.id) for e in new)
        yield from entries
        if older is None and new and page.startswith(url):  # WordPress: ?paged=2, 3...
            paged += 1
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


def _read(body: bytes, kind: str, url: str) -> tuple[list[Entry], str | None]:
    """The document's entries and the address of the one before it (None: the beginning)."""
    if kind.endswith("json") or body.lstrip()[:1] == b"{":
        return _json_feed(body, url)
    try:
        fromstring(body, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise Refused(
            f"{url[:120]} declares XML entities or a DTD ({type(exc).__name__})"
        ) from None
    except Exception as exc:
        raise Refused(f"{url[:120]} is not a feed: {str(exc)[:120]}") from None
    parsed: Any = feedparser.parse(body)
    links = parsed.feed.get("links", [])
    older = next((link.get("href") for link in links if link.get("rel") == "prev-archive"), None)
    if not parsed.entries and not parsed.feed.get("title"):
        raise Refused(f"{url[:120]} is not an RSS or Atom feed")
    feed_rights = str(parsed.feed.get("rights", ""))  # RSS copyright, dc:rights, Atom rights
    entries = [_xml_entry(e, url, feed_rights) for e in parsed.entries]
    return entries, urljoin(url, older) if older else None


def _xml_entry(raw: Any, base: str, feed_rights: str = "") -> Entry:
    when = raw.get("published_parsed") or raw.get("updated_parsed")
    content = raw.get("content") or []
    return Entry(
        id=str(raw.get("id") or raw.get("link") or ""),
        title=str(raw.get("title", "")),
        link=urljoin(base, str(raw.get("link", ""))),
        published=datetime(*tuple(when)[:6]).replace(tzinfo=UTC) if when else None,
        authors=[str(a.get("name", "")) for a in raw.get("authors", []) if a.get("name")],
        tags=[str(t.get("label") or t.get("term") or "") for t in raw.get("tags", [])],
        content=str(content[0].get("value", "")) if content else "",
        summary=str(raw.get("summary", "")),
        pictures=[
            urljoin(base, str(e.get("href", "")))
            for e in raw.get("enclosures", [])
            if str(e.get("type", "")).startswith("image/")
        ],
        rights=str(raw.get("rights") or feed_rights),
    )


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
    html = entry.content or entry.summary
    base = entry.link or feed_url
    copied = copy_pictures(
        html, base, Source(site, folder, None, fetcher, fetcher.max_bytes, dry_run), report, label
    )
    # A dry run copies nothing: its check reads the text naming the pictures where they are.
    body = as_picture_story(to_markdown(html, base, site, {} if dry_run else copied), title)
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
    authors = [plain(a) for a in entry.authors if plain(a)][:MAX_AUTHORS]
    if authors:
        fields["authors"] = authors
    if topics := list(dict.fromkeys(plain(t) for t in entry.tags if plain(t)))[:MAX_TOPICS]:
        fields["topics"] = topics
    if entry.content and (standfirst := plain(entry.summary)[:MAX_STANDFIRST]):
        fields["standfirst"] = standfirst
    if source := mapping.source_of([*authors, *entry.tags]):
        fields["source"] = source
    if not entry.content and entry.link.startswith(("http://", "https://")):
        body += f"\n[Read the whole story]({entry.link})\n"
    if entry.link.startswith(("http://", "https://")):
        fields["original_url"] = entry.link
    old = urlsplit(entry.link)
    if old.netloc == urlsplit(feed_url).netloc and old.path not in ("", "/") and not old.query:
        fields["aliases"] = [old.path]
    for picture in entry.pictures[:1]:
        fields.update(_picture(picture, title, fetcher, folder, report, label, dry_run))
    return fields, body, stem


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
