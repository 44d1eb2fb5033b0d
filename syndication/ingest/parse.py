"""One editor's file (bytes) -> a validated, rendered Article, or a ContentError."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC
from pathlib import Path, PurePosixPath
from zoneinfo import ZoneInfo

from slugify import slugify

from syndication.config import Settings
from syndication.errors import ContentError
from syndication.ingest import frontmatter
from syndication.ingest.fields import ARTICLE_FIELDS, MAX_SLUG, FieldReader
from syndication.ingest.render import render_markdown
from syndication.model import Article, Image, Status, article_path


def decode(data: bytes, file: str) -> str:
    """UTF-8 text with Unix newlines; binary data or other encodings are refused with the line."""
    if b"\x00" in data[:8192]:
        raise ContentError(file, "this is not a text file (it contains binary data)")
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


def parse_article(
    data: bytes, file: str, content_dir: Path, settings: Settings
) -> tuple[Article, dict[str, int]]:
    """The article and the line of each front matter field (for errors found later).

    `content_dir` is the resolved content folder; `file` is relative to it, with forward slashes.
    """
    doc = frontmatter.split(decode(data, file), file)
    reader = FieldReader(doc.line, file)
    f = doc.fields
    reader.refuse_unknown(f, ARTICLE_FIELDS, "")

    edition = settings.default_edition
    if "edition" in f:
        codes = tuple(e.code for e in settings.editions)
        edition = reader.choice("edition", f["edition"], codes)
    tz = ZoneInfo(settings.edition(edition).timezone)

    title = reader.text("title", f.get("title"), required=True, max_len=300)
    if "published" not in f:
        raise reader.error("published", "`published` is required (e.g. 2024-03-01T09:30:00+01:00)")
    published = reader.moment("published", f["published"], tz).astimezone(UTC)
    updated = None
    if f.get("updated") is not None:
        updated = reader.moment("updated", f["updated"], tz).astimezone(UTC)
        if updated < published:
            raise reader.error("updated", "`updated` is earlier than `published`")

    section = _section(reader, f.get("section"), file, settings)
    slug = reader.slug(f["slug"]) if "slug" in f else slugify(title, max_length=MAX_SLUG)
    if not slug:
        raise reader.error(
            "title", "the title has no letters or digits to make a URL from; add `slug`"
        )

    source = reader.text("source", f.get("source"), max_len=200)
    configured_source = settings.source(source) if source else None
    licensed_in = configured_source is not None and configured_source.licensed_in
    syndication = not licensed_in and settings.syndicate_by_default
    if "syndication" in f:
        syndication = reader.boolean("syndication", f["syndication"])

    body = render_markdown(doc.body)
    if not body.text.strip():
        raise ContentError(
            file, "the article has no body text below the front matter", line=doc.body_line
        )

    article_dir = (content_dir / file).parent
    image = reader.image(f["image"], article_dir, content_dir) if f.get("image") else None
    if image is not None and "syndication" not in f["image"]:
        # A picture goes to partners only with its story, and never when its credit or
        # rights name a source we license in (an agency photo on a staff story).
        image = replace(
            image, syndication=syndication and not _names_licensed_source(image, settings)
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
        body_html=body.html,
        body_text=body.text,
        word_count=body.word_count,
        status=reader.status(f["status"]) if "status" in f else Status.PUBLISHED,
        standfirst=reader.text("standfirst", f.get("standfirst"), max_len=1000),
        authors=reader.authors(f.get("authors")),
        topics=reader.topics(f.get("topics")),
        image=image,
        source=configured_source.name if configured_source else source,
        rights=reader.text("rights", f.get("rights"), max_len=300),
        syndication=syndication,
        original_url=reader.url("original_url", f["original_url"]) if f.get("original_url") else "",
        translation_of=(
            reader.identifier("translation_of", f["translation_of"])
            if f.get("translation_of")
            else ""
        ),
        corrections=reader.corrections(f.get("corrections"), tz),
        path=article_path(edition, section, published.astimezone(tz), slug),
    )
    return article, doc.top_lines


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


def _names_licensed_source(image: Image, settings: Settings) -> bool:
    said = f"{image.credit} {image.rights}".casefold()
    return any(s.licensed_in and s.name.casefold() in said for s in settings.sources)
