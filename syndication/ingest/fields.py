"""Validate front matter field by field, each failure a sentence an editor understands."""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Callable
from datetime import date, datetime, time
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from slugify import slugify

from syndication.errors import ContentError
from syndication.ingest.imageinfo import MEDIA_TYPES, probe
from syndication.model import Author, Correction, Image, Status, Topic

ARTICLE_FIELDS = (
    "title",
    "published",
    "section",
    "edition",
    "id",
    "slug",
    "standfirst",
    "authors",
    "topics",
    "image",
    "source",
    "rights",
    "syndication",
    "original_url",
    "translation_of",
    "status",
    "updated",
    "corrections",
)
IMAGE_FIELDS = ("src", "alt", "caption", "credit", "rights", "syndication")
CORRECTION_FIELDS = ("date", "text")
ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,79}")
MAX_SLUG = 80


@lru_cache(maxsize=8192)
def name_slug(name: str) -> str:
    """Topic and author names repeat across thousands of files; slugify each once."""
    return str(slugify(name, max_length=MAX_SLUG))


class FieldReader:
    """Reads one file's front matter; every error it raises names the file, line and field."""

    def __init__(self, line_of: Callable[[str], int | None], file: str) -> None:
        self.line_of = line_of
        self.file = file

    def error(self, name: str, message: str) -> ContentError:
        return ContentError(self.file, message, line=self.line_of(name), field=name)

    def refuse_unknown(
        self, mapping: dict[str, Any], allowed: tuple[str, ...], prefix: str
    ) -> None:
        for key in mapping:
            if key not in allowed:
                close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
                hint = (
                    f"; did you mean `{close[0]}`?"
                    if close
                    else (f"; the fields are {', '.join(allowed)}")
                )
                raise self.error(f"{prefix}{key}", f"unknown field `{key}`{hint}")

    def text(self, name: str, value: Any, *, required: bool = False, max_len: int = 2000) -> str:
        if value is None or value == "":
            if required:
                raise self.error(name, f"`{name}` is required and must not be empty")
            return ""
        if not isinstance(value, str):
            raise self.error(
                name,
                f"`{name}` must be text, not {_kind(value)}; put the value in quotes",
            )
        text = " ".join(value.split())
        if len(text) > max_len:
            raise self.error(name, f"`{name}` is {len(text)} characters; the limit is {max_len}")
        return text

    def string_list(self, name: str, value: Any) -> list[str]:
        """A single string or a list of strings (`topics: Energy` is as good as `[Energy]`)."""
        if value is None:
            return []
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list):
            raise self.error(name, f"`{name}` must be a list of names, not {_kind(value)}")
        out = []
        for index, item in enumerate(items):
            out.append(self.text(f"{name}.{index}", item, required=True, max_len=200))
        return out

    def boolean(self, name: str, value: Any) -> bool:
        if not isinstance(value, bool):
            raise self.error(name, f"`{name}` must be true or false, not {value!r}")
        return value

    def moment(self, name: str, value: Any, tz: ZoneInfo) -> datetime:
        """An aware datetime; a date alone means midnight in the edition's time zone."""
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
            except ValueError:
                raise self.error(
                    name,
                    f"`{name}` {value!r} is not a date; write it as 2024-03-01 "
                    "or 2024-03-01T09:30:00+01:00",
                ) from None
        if isinstance(value, datetime):
            if value.tzinfo is None or value.utcoffset() is None:
                raise self.error(
                    name,
                    f"`{name}` has a time but no time zone; add one, "
                    f"e.g. {value:%Y-%m-%dT%H:%M:%S}+01:00 or Z for UTC",
                )
            return value
        if isinstance(value, date):
            return datetime.combine(value, time(0, 0), tzinfo=tz)
        raise self.error(name, f"`{name}` must be a date, not {_kind(value)}")

    def identifier(self, name: str, value: Any) -> str:
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not ID_PATTERN.fullmatch(value):
            raise self.error(
                name,
                f"`{name}` must be letters, digits, '.', '_' or '-' (at most 80), not {value!r}",
            )
        return value

    def slug(self, value: Any) -> str:
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)  # `slug: 2024` is a fine slug, though YAML reads it as a number
        text = self.text("slug", value, required=True, max_len=MAX_SLUG)
        expected = slugify(text, max_length=MAX_SLUG)
        if text != expected:
            raise self.error("slug", f"`slug` {text!r} is not a URL slug; write it as {expected!r}")
        return text

    def choice(self, name: str, value: Any, options: tuple[str, ...]) -> str:
        if not isinstance(value, str) or value not in options:
            close = difflib.get_close_matches(str(value), options, n=1, cutoff=0.5)
            hint = f"; did you mean `{close[0]}`?" if close else ""
            raise self.error(
                name, f"`{name}` must be one of {', '.join(options)}, not {value!r}{hint}"
            )
        return value

    def url(self, name: str, value: Any) -> str:
        text = self.text(name, value)
        parts = urlsplit(text)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise self.error(name, f"`{name}` must be a full http(s) address, not {text!r}")
        return text

    def named(self, name: str, value: Any, make: Callable[[str, str], Any]) -> tuple[Any, ...]:
        """Names -> (slug, name) records, dropping repeats, refusing names with no letters."""
        seen: dict[str, Any] = {}
        for index, item in enumerate(self.string_list(name, value)):
            slug = name_slug(item)
            if not slug:
                raise self.error(f"{name}.{index}", f"{item!r} has no letters or digits to use")
            seen.setdefault(slug, make(slug, item))
        return tuple(seen.values())

    def topics(self, value: Any) -> tuple[Topic, ...]:
        return self.named("topics", value, Topic)

    def authors(self, value: Any) -> tuple[Author, ...]:
        return self.named("authors", value, Author)

    def status(self, value: Any) -> Status:
        return Status(self.choice("status", value, tuple(s.value for s in Status)))

    def image(self, value: Any, article_dir: Path, content_dir: Path) -> Image:
        if not isinstance(value, dict):
            raise self.error("image", "`image` must be a group of fields: src, alt, caption...")
        self.refuse_unknown(value, IMAGE_FIELDS, "image.")
        src = self.text("image.src", value.get("src"), required=True, max_len=500)
        alt = self.text("image.alt", value.get("alt"), max_len=500)
        if not alt:
            raise self.error(
                "image.alt",
                "`image.alt` is required: describe the picture for readers who cannot see it",
            )
        resolved = _image_path(src, article_dir, content_dir)
        if resolved is None:
            raise self.error(
                "image.src",
                f"the image {src!r} was not found next to the article or under the content folder",
            )
        if resolved.suffix.lower() not in MEDIA_TYPES:
            raise self.error(
                "image.src",
                f"{src!r} is not a web image; use one of {', '.join(sorted(MEDIA_TYPES))}",
            )
        info = probe(resolved)
        return Image(
            src=resolved.relative_to(content_dir).as_posix(),
            alt=alt,
            caption=self.text("image.caption", value.get("caption")),
            credit=self.text("image.credit", value.get("credit"), max_len=300),
            rights=self.text("image.rights", value.get("rights"), max_len=300),
            width=info.width,
            height=info.height,
            media_type=info.media_type,
            length=info.length,
            syndication=(
                self.boolean("image.syndication", value["syndication"])
                if "syndication" in value
                else True  # parse.py narrows this by the article and its sources
            ),
        )

    def corrections(self, value: Any, tz: ZoneInfo) -> tuple[Correction, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            raise self.error("corrections", "`corrections` must be a list of {date, text} items")
        out = []
        for index, item in enumerate(value):
            name = f"corrections.{index}"
            if not isinstance(item, dict):
                raise self.error(name, "each correction needs a `date` and a `text`")
            self.refuse_unknown(item, CORRECTION_FIELDS, f"{name}.")
            if "date" not in item:
                raise self.error(name, "this correction has no `date`")
            when = self.moment(f"{name}.date", item["date"], tz)
            out.append(Correction(when, self.text(f"{name}.text", item.get("text"), required=True)))
        return tuple(out)


def _image_path(src: str, article_dir: Path, root: Path) -> Path | None:
    """Next to the article first, then from the content root; never outside it.

    `root` is the resolved content folder; one realpath per candidate settles links and `..`.
    """
    if "://" in src or src.startswith("//"):
        return None
    bases = [str(article_dir)] if not src.startswith("/") else []
    bases.append(str(root))
    prefix = str(root) + os.sep
    for base in bases:
        candidate = os.path.realpath(os.path.join(base, src.lstrip("/")))
        if candidate.startswith(prefix) and os.path.isfile(candidate):
            return Path(candidate)
    return None


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a group of fields"
    if isinstance(value, datetime | date):
        return "a date"
    return type(value).__name__
