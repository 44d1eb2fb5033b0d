"""One editor's file (bytes) -> a validated, rendered Article, or a ContentError."""

from __future__ import annotations

import html
import itertools
import logging
import re
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote
from zoneinfo import ZoneInfo

from slugify import slugify

from syndication.config import Settings
from syndication.errors import ContentError, ContentWarning
from syndication.ingest import body_pictures, frontmatter, sources
from syndication.ingest.characters import describe, first_forbidden_in_body
from syndication.ingest.fields import (
    ARTICLE_FIELDS,
    MAX_SLUG,
    MAX_STANDFIRST,
    MAX_TITLE,
    FieldReader,
)
from syndication.ingest.render import RenderedBody, render_markdown
from syndication.model import Article, Image, Placement, Source, Status, article_path

log = logging.getLogger("syndication.ingest")
ANOTHER = "another source"  # a rights or credit line disguised so that no name can be read


@dataclass(frozen=True, slots=True)
class Parsed:
    """An article, the line of each top-level field (for errors the archive finds later), and
    what `check` should warn about."""

    article: Article
    lines: dict[str, int]
    warnings: tuple[ContentWarning, ...] = field(default=())
    pictures: tuple[str, ...] = ()  # files under content/ the body shows (body_pictures.py)


def decode(data: bytes, file: str) -> str:
    """UTF-8 text with Unix newlines; binary data or other encodings are refused with the line."""
    if b"\x00" in data[:8192]:
        raise ContentError(file, "this is not a text file (it contains binary data)", line=1)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ContentError(
            file,
            f"the file is not UTF-8 text (byte 0x{data[exc.start]:02x}); "
            "save it as UTF-8 in your editor",
            line=line,
        ) from None
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def parse_safely(data: bytes, file: str, content_dir: Path, settings: Settings) -> Parsed:
    """parse_article, whose only other outcome is a ContentError: an exception it was not
    written for is a bug, reported against the file (and logged) instead of stopping a
    batch, a check or the server."""
    try:
        return parse_article(data, file, content_dir, settings)
    except (ContentError, KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # also a Rust library's panic, which is no Exception
        log.exception("reading %s failed unexpectedly", file)
        raise ContentError(
            file,
            f"this file could not be read ({type(exc).__name__}); the last good version stays "
            "up. Please report this file to the developers",
            line=1,
        ) from None


def parse_article(data: bytes, file: str, content_dir: Path, settings: Settings) -> Parsed:
    """The article, or a ContentError naming the file and, where there is one, the line.

    `content_dir` is the resolved content folder; `file` is relative to it, with forward slashes.
    """
    doc = frontmatter.split(decode(data, file), file)
    reader = FieldReader(doc.line, file)
    f = doc.fields
    reader.refuse_unknown(f, ARTICLE_FIELDS, "")
    warnings = list(doc.warnings)

    edition = settings.default_edition
    if "edition" in f:
        codes = tuple(e.code for e in settings.editions)
        edition = reader.choice("edition", f["edition"], codes)
    tz = ZoneInfo(settings.edition(edition).timezone)

    title = reader.text("title", f.get("title"), required=True, max_len=MAX_TITLE)
    if "published" not in f:
        raise reader.error("published", "`published` is required (e.g. 2024-03-01T09:30:00+01:00)")
    published, updated = _dates(reader, f, tz)
    placement, placement_until = _placement(reader, f, tz, published)

    section = _section(reader, f.get("section"), file, settings)
    slug = reader.slug(f["slug"]) if "slug" in f else slugify(title, max_length=MAX_SLUG)
    if not slug:
        raise reader.error(
            "title", "the title has no letters or digits to make a URL from; add `slug`"
        )

    source = _source(reader, f.get("source"), settings)
    rights = reader.text("rights", f.get("rights"), max_len=300)
    licensed_from = _licensed_from(doc, source, rights, settings, warnings, file)
    syndication = _may_travel(reader, doc, licensed_from is not None, settings, warnings)
    body = _body(doc, file, warnings)

    article_dir = (content_dir / file).parent
    body_html, pictures = body_pictures.place(body.html, doc, file, article_dir, content_dir)
    image = reader.image(f["image"], article_dir, content_dir) if f.get("image") else None
    if image is not None:
        image = _picture_rights(
            reader, image, f["image"], syndication, licensed_from, settings, doc, warnings, file
        )
    article = Article(
        id=reader.identifier("id", f["id"]) if "id" in f else "",
        id_given="id" in f,
        edition=edition,
        section=section,
        slug=slug,
        title=title,
        published=published,
        updated=updated,
        body_html=body_html,
        body_text=body.text,
        word_count=body.word_count,
        status=reader.status(f["status"]) if "status" in f else Status.PUBLISHED,
        placement=placement,
        placement_until=placement_until,
        aliases=reader.aliases(f["aliases"]) if f.get("aliases") is not None else (),
        alert=reader.boolean("alert", f["alert"]) if "alert" in f else False,
        permissions=reader.permissions("permissions", f.get("permissions"), licensed_from),
        licensed_from=licensed_from or "",
        others_pictures=_others_pictures(body_html, settings),
        standfirst=reader.text("standfirst", f.get("standfirst"), max_len=MAX_STANDFIRST),
        authors=reader.authors(f.get("authors")),
        topics=reader.topics(f.get("topics")),
        image=image,
        source=source.name if source else "",
        rights=rights,
        syndication=syndication,
        original_url=reader.url("original_url", f["original_url"]) if f.get("original_url") else "",
        translation_of=(
            reader.identifier("translation_of", f["translation_of"])
            if f.get("translation_of")
            else ""
        ),
        corrections=reader.corrections(f.get("corrections"), tz, published),
        path=article_path(edition, section, published.astimezone(tz), slug),
    )
    warnings += _shadowed_aliases(file, doc, article.aliases, settings)
    return Parsed(article, doc.top_lines, tuple(warnings), pictures)


# First parts of addresses this site answers itself, whatever the archive holds.
_SITE_PARTS = frozenset(
    {"media", "static", "api", "desk", "preview", "websub", "search", "sitemaps", "healthz",
     "readyz", "metrics", "robots.txt", "sitemap.xml", "favicon.ico", ".well-known", "rights",
     "license.xml"}
)  # fmt: skip


_FEEDS = ("feed.atom", "feed.rss", "feed.json")


def _shadowed_aliases(
    file: str, doc: frontmatter.FrontMatter, aliases: tuple[str, ...], settings: Settings
) -> list[ContentWarning]:
    """An old address the site's own pages answer (an edition's, its sections', feeds,
    pictures) never leads to the story: a page that exists always wins. Said, not refused."""
    editions = {e.code for e in settings.editions}
    pages = {*editions, *(f"{e}/{s.slug}" for e in editions for s in settings.sections)}
    found = []
    for index, alias in enumerate(aliases):
        parts = alias.split("?", 1)[0].strip("/")
        first = parts.split("/", 1)[0]
        listing = parts.rsplit("/", 1)[0] if parts.endswith(_FEEDS) else parts
        if first in _SITE_PARTS or listing in pages:
            found.append(
                ContentWarning(
                    file,
                    f"{alias[:120]} is an address of this site's own pages, which answer it: "
                    "it never leads to this story",
                    line=doc.line("aliases"),
                    field=f"aliases.{index}",
                )
            )
    return found


def _dates(
    reader: FieldReader, f: dict[str, Any], tz: ZoneInfo
) -> tuple[datetime, datetime | None]:
    """`published` and `updated`, in UTC."""
    published = reader.moment("published", f["published"], tz).astimezone(UTC)
    updated = None
    if f.get("updated") is not None:
        updated = reader.moment("updated", f["updated"], tz).astimezone(UTC)
        if updated < published:
            raise reader.error("updated", "`updated` is earlier than `published`")
    return published, updated


def _placement(
    reader: FieldReader, f: dict[str, Any], tz: ZoneInfo, published: datetime
) -> tuple[Placement | None, datetime | None]:
    """`placement` (lead or top of the front page) and `placement_until`, in UTC."""
    placement = reader.placement(f["placement"]) if f.get("placement") is not None else None
    until = None
    if f.get("placement_until") is not None:
        if placement is None:
            raise reader.error(
                "placement_until", "`placement_until` needs `placement: lead` or `placement: top`"
            )
        until = reader.moment("placement_until", f["placement_until"], tz).astimezone(UTC)
        if until <= published:
            raise reader.error("placement_until", "`placement_until` is not after `published`")
    return placement, until


def _licensed_from(
    doc: frontmatter.FrontMatter,
    source: Source | None,
    rights: str,
    settings: Settings,
    warnings: list[ContentWarning],
    file: str,
) -> str | None:
    """Whose licensed-in copy the story is (named by `source:`, or by the rights line, a near
    miss included; "another source" when the line is disguised so no name can be read),
    None when ours."""
    if source is not None and source.licensed_in:
        return source.name
    named = sources.licensed_source_named(rights, settings.sources)
    if named is None:
        return None
    if named.warning:
        warnings.append(_rights_warning(file, doc.line("rights"), "rights", named.warning))
    return named.source.name if named.source else ANOTHER


def _may_travel(
    reader: FieldReader,
    doc: frontmatter.FrontMatter,
    licensed_in: bool,
    settings: Settings,
    warnings: list[ContentWarning],
) -> bool:
    """Whether partners may have the story: never licensed-in copy unless the editor says so,
    with a warning."""
    file, f = reader.file, doc.fields
    syndication = not licensed_in and settings.syndicate_by_default
    if "syndication" in f:
        syndication = reader.boolean("syndication", f["syndication"])
        if syndication and licensed_in:
            warnings.append(
                ContentWarning(
                    file,
                    "this is licensed-in copy and `syndication: true` passes it on to partners; "
                    "make sure the licence allows it",
                    line=doc.line("syndication"),
                    field="syndication",
                )
            )
    return syndication


def _body(doc: frontmatter.FrontMatter, file: str, warnings: list[ContentWarning]) -> RenderedBody:
    """The body within its limits, as sanitised HTML and text; never empty."""
    _within_body_limits(doc, file)
    body = render_markdown(doc.body)
    if not body.text.strip():
        raise ContentError(
            file, "the article has no body text below the front matter", line=doc.body_line
        )
    if body.removed and (index := first_forbidden_in_body(doc.body)) is not None:
        warnings.append(_removed_character(file, doc, index))
    return body


# Markdown is rendered in pure Python at 20 to 50 us a line and up to 15 us a markup
# character (a table cell, a bracket, an emphasis mark), so these two bound the time one file
# can take, far above what an article needs (a 20,000-word long read has about 600 lines).
MAX_BODY_LINES = 5_000
MAX_MARKUP = 10_000
_MARKUP = re.compile(r"[\[\]*_|&<>]")
# Smart quotes pair each quotation mark against those still open before it: 20,000 take a
# third of a second, 200,000 took half a minute. A long read has a few thousand.
MAX_QUOTES = 20_000
_QUOTE = re.compile("[\"']")


def _within_body_limits(doc: frontmatter.FrontMatter, file: str) -> None:
    body = doc.body
    if body.count("\n") > MAX_BODY_LINES:
        at = _nth(body, "\n", MAX_BODY_LINES)
        raise ContentError(
            file,
            f"the body has {body.count(chr(10)):,} lines; the limit is {MAX_BODY_LINES:,} "
            "(split the story, or link a document)",
            line=doc.body_line + body.count("\n", 0, at),
        )
    if sum(map(body.count, "[]*_|&<>")) > MAX_MARKUP:  # counted in C; found only if over
        raise ContentError(
            file,
            f"the body has more than {MAX_MARKUP:,} markup characters ([ ] * _ | & < >); "
            "is something pasted many times over?",
            line=_line_past(doc, _MARKUP, MAX_MARKUP),
        )
    if (quotes := body.count('"') + body.count("'")) > MAX_QUOTES:
        raise ContentError(
            file,
            f"the body has {quotes:,} quotation marks and apostrophes (\" '); the limit is "
            f"{MAX_QUOTES:,}: is something pasted many times over?",
            line=_line_past(doc, _QUOTE, MAX_QUOTES),
        )


def _line_past(doc: frontmatter.FrontMatter, pattern: re.Pattern[str], limit: int) -> int:
    """The line of the body's match of `pattern` that goes over `limit`."""
    over = next(itertools.islice(pattern.finditer(doc.body), limit, None))
    return doc.body_line + doc.body.count("\n", 0, over.start())


def _nth(text: str, char: str, n: int) -> int:
    at = -1
    for _ in range(n):
        at = text.index(char, at + 1)
    return at


def _section(reader: FieldReader, value: object, file: str, settings: Settings) -> str:
    """`section:` when given, else the file's first folder; either must be configured."""
    known = tuple(s.slug for s in settings.sections)
    if value is not None:
        return reader.choice("section", value, known)
    parts = PurePosixPath(file).parts
    folder = parts[0] if len(parts) > 1 else ""
    if folder in known:
        return folder
    where = f"the folder {folder!r}" if folder else "the top of the content folder"
    raise ContentError(
        file,
        f"{where} is not a section; move the file into one of {', '.join(known)} "
        "or add a `section:` field",
        line=1,
        field="section",
    )


def _source(reader: FieldReader, value: Any, settings: Settings) -> Source | None:
    """The configured source `source:` names; a name syndication.toml does not know is an
    error, since the rights that go with it would be guessed."""
    name = reader.text("source", value, max_len=200)
    if not name:
        return None
    found = sources.find_source(name, settings.sources)
    if found is not None:
        return found
    close = sources.suggestion(name, settings.sources)
    known = ", ".join(s.name for s in settings.sources) or "none are configured"
    hint = f"did you mean `{close}`?" if close else f"the sources are: {known}"
    raise reader.error(
        "source",
        f"{name[:80]!r} is not a source of syndication.toml; {hint} "
        "(a new agency is added there first, saying whether its copy is licensed in)",
    )


def _picture_rights(
    reader: FieldReader,
    image: Image,
    raw: dict[str, Any],
    story_syndicated: bool,
    story_from: str | None,
    settings: Settings,
    doc: frontmatter.FrontMatter,
    warnings: list[ContentWarning],
    file: str,
) -> Image:
    """A picture goes to partners only with its story, and never when its credit or rights
    name a source we license in (an agency photo on a staff story), unless its own
    `syndication: true` says so. Such a picture, and one without a credit or rights line of
    its own on a licensed-in story (`story_from`), is never opened to mining or AI."""
    licensed_from: str | None = None
    for name in ("credit", "rights"):
        named = sources.licensed_source_named(getattr(image, name), settings.sources)
        if named is not None:
            if named.warning:
                field_name = f"image.{name}"
                warnings.append(
                    _rights_warning(file, doc.line(field_name), field_name, named.warning)
                )
            licensed_from = named.source.name if named.source else ANOTHER
            break
    whose = licensed_from
    if whose is None:  # its caption or description naming one makes it that source's too
        described = f"{image.caption} {image.alt}"
        if (named := sources.licensed_source_named(described, settings.sources)) is not None:
            whose = named.source.name if named.source else ANOTHER
    if whose is None and not image.credit and not image.rights:
        whose = story_from  # no line of its own: the story's, as its copy is
    said = reader.permissions("image.permissions", raw.get("permissions"), whose)
    image = replace(image, permissions=said, licensed_from=whose or "")
    if "syndication" in raw:
        return image
    return replace(image, syndication=story_syndicated and licensed_from is None)


_IMG = re.compile(r"<img\b[^>]*>")
_ATTRIBUTE = re.compile(r' (src|alt|title)="([^"]*)"')


def _others_pictures(body_html: str, settings: Settings) -> tuple[tuple[str, str], ...]:
    """The pictures of the body (paths under content/) whose alternative text or title
    names a licensed-in source, a near miss or a disguise included, with whose they are:
    never opened to mining or AI, on a story of ours too."""
    found: dict[str, str] = {}
    for tag in _IMG.finditer(body_html) if "<img" in body_html else ():
        attributes = dict(_ATTRIBUTE.findall(tag[0]))
        src = html.unescape(attributes.get("src", ""))
        if not src.startswith("/media/"):
            continue  # a picture on another site: not ours to state
        said = html.unescape(f"{attributes.get('alt', '')} {attributes.get('title', '')}")
        if (named := sources.licensed_source_named(said, settings.sources)) is not None:
            path = unquote(src.removeprefix("/media/").split("?", 1)[0])
            found[path] = named.source.name if named.source else ANOTHER
    return tuple(sorted(found.items()))


def _rights_warning(file: str, line: int | None, field_name: str, warning: str) -> ContentWarning:
    return ContentWarning(file, warning, line=line, field=field_name)


def _removed_character(file: str, doc: frontmatter.FrontMatter, index: int) -> ContentWarning:
    return ContentWarning(
        file,
        f"the body holds the character {describe(doc.body[index])}, which no page or feed can "
        "carry; it was left out",
        line=doc.body_line + doc.body.count("\n", 0, index),
    )
