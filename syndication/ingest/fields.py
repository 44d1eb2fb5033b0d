"""Validate front matter field by field, each failure a sentence an editor understands."""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, time
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

from slugify import slugify

from syndication.errors import ContentError
from syndication.ingest.files import NotARegularFile
from syndication.ingest.imageinfo import MEDIA_TYPES, ImageInfo, probe
from syndication.model import Author, Correction, Image, Placement, Status, Topic
from syndication.rights_policy import (
    Permissions,
    PolicyError,
    permissions,
    refuse_granting_others,
)

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
    "placement",
    "placement_until",
    "aliases",
    "alert",
    "permissions",
)
MAX_ALIASES = 20
_WORDPRESS_POST = re.compile(r"p=(\d{1,18})")  # WordPress's short link to a post: /?p=123
IMAGE_FIELDS = ("src", "alt", "caption", "credit", "rights", "syndication", "permissions")
CORRECTION_FIELDS = ("date", "text")
ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,79}")
MAX_SLUG = 80
_URI_SAFE = ";/?:@&=+$-_.!~*'()%,#"  # what a URI may hold as it is (RFC 3986, W3C validator)
# Limits that keep one article's page and every feed listing it small (3,000 topics made a
# 2.3 MB page and a 2 s feed rebuild); each is far above what a real story needs.
MAX_TOPICS = 25
MAX_AUTHORS = 20
MAX_CORRECTIONS = 50
MAX_CAPTION = 1000
MAX_IMAGE_BYTES = 50_000_000  # a picture is read whole, for the digest in its address
MAX_STANDFIRST = 1000
MAX_TITLE = 300
FIRST_YEAR, LAST_YEAR = 1800, 2999


@lru_cache(maxsize=8192)
def name_slug(name: str) -> str:
    """Topic and author names repeat across thousands of files; slugify each once."""
    return str(slugify(name, max_length=MAX_SLUG))


def is_old_address(path: str) -> bool:
    """Whether a path (decoded) can be a story's old address (`aliases:`)."""
    return (
        path.startswith("/")
        and not path.startswith("//")
        and len(path) <= 500
        and path != "/"
        and not any(c.isspace() or ord(c) < 32 for c in path)
    )


class FieldReader:
    """Reads one file's front matter; every error it raises names the file, line and field."""

    def __init__(self, line_of: Callable[[str], int | None], file: str) -> None:
        self.line_of = line_of
        self.file = file

    def error(self, name: str, message: str) -> ContentError:
        """Line 1 (where the front matter opens) for a field that is missing altogether."""
        return ContentError(self.file, message, line=self.line_of(name) or 1, field=name)

    def refuse_unknown(
        self, mapping: dict[str, Any], allowed: tuple[str, ...], prefix: str
    ) -> None:
        for key in mapping:
            if key not in allowed:
                hint = did_you_mean(str(key), allowed, cutoff=0.6)
                hint = hint or f"; the fields are {', '.join(allowed)}"
                raise self.error(f"{prefix}{key}", f"unknown field `{str(key)[:60]}`{hint}")

    def text(self, name: str, value: Any, *, required: bool = False, max_len: int = 2000) -> str:
        """Text with its runs of white space made one space; only white space is empty."""
        if value is not None and not isinstance(value, str):
            raise self.error(name, f"`{name}` must be text, not {_kind(value)}")
        text = " ".join(value.split()) if value else ""
        if not text:
            if required:
                raise self.error(name, f"`{name}` is required and must not be empty")
            return ""
        if len(text) > max_len:
            raise self.error(name, f"`{name}` is {len(text)} characters; the limit is {max_len}")
        return text

    def permissions(self, name: str, value: Any, licensed_from: str | None = None) -> Permissions:
        """`permissions:`, use by use `allowed` or `reserved` (rights_policy.py). Copy licensed
        in from `licensed_from` may not be opened to mining: saying so is an error (what is
        published keeps every mining use reserved: publish/machine_rights.py)."""
        if value is None:
            value = {}
        if not isinstance(value, dict):
            raise self.error(
                name, f"`{name}` must be a group of uses: search, ai_training, ai_input, tdm"
            )
        try:
            said = permissions(value, named=f"{name}.")
            if licensed_from is not None:
                refuse_granting_others(said, licensed_from, f"{name}.")
        except PolicyError as exc:
            raise self.error(f"{name}.{exc.key}", str(exc)) from None
        return said

    def string_list(self, name: str, value: Any, max_items: int) -> list[str]:
        """A single string or a list of strings (`topics: Energy` is as good as `[Energy]`)."""
        if value is None:
            return []
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list):
            raise self.error(name, f"`{name}` must be a list of names, not {_kind(value)}")
        if len(items) > max_items:
            raise self.error(name, f"`{name}` lists {len(items)} names; the limit is {max_items}")
        out = []
        for index, item in enumerate(items):
            out.append(self.text(f"{name}.{index}", item, required=True, max_len=200))
        return out

    def boolean(self, name: str, value: Any) -> bool:
        if not isinstance(value, bool):
            raise self.error(name, f"`{name}` must be true or false, not {_shown(value)}")
        return value

    def moment(self, name: str, value: Any, tz: ZoneInfo) -> datetime:
        """An aware datetime; a date alone means midnight in the edition's time zone.

        YAML hands dates over as text (see frontmatter.py), so an impossible date such as
        2022-02-30 is a sentence for the editor, never an exception."""
        if not isinstance(value, str) or not value.strip():
            raise self.error(name, f"`{name}` must be a date, not {_kind(value)}")
        text = value.strip()
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError as exc:
            reason = str(exc) if "out of range" in str(exc) or "must be in" in str(exc) else ""
            raise self.error(
                name,
                f"`{name}` {_shown(text)} is not a date{f' ({reason})' if reason else ''}; "
                "write it as 2024-03-01 or 2024-03-01T09:30:00+01:00",
            ) from None
        if moment.tzinfo is None:
            if len(text) > 10:  # more than YYYY-MM-DD: a time was given
                raise self.error(
                    name,
                    f"`{name}` has a time but no time zone; add one, "
                    f"e.g. {moment:%Y-%m-%dT%H:%M:%S}+01:00 or Z for UTC",
                )
            if not FIRST_YEAR <= moment.year <= LAST_YEAR:
                raise self._out_of_years(name)
            moment = datetime.combine(moment.date(), time(0, 0), tzinfo=tz)
        # The years are the instant's, in UTC, where it is kept: 1800-01-01T00:30+01:00 is
        # in 1799, and 2999-12-31T23:30-14:00 in 3000.
        try:
            in_utc = moment.astimezone(UTC)
        except OverflowError:  # past what a datetime holds once moved to UTC
            raise self._out_of_years(name) from None
        if not FIRST_YEAR <= in_utc.year <= LAST_YEAR:
            raise self._out_of_years(name)
        return moment

    def _out_of_years(self, name: str) -> ContentError:
        return self.error(
            name, f"`{name}` must be between the years {FIRST_YEAR} and {LAST_YEAR} (in UTC)"
        )

    def identifier(self, name: str, value: Any) -> str:
        if not isinstance(value, str) or not ID_PATTERN.fullmatch(value):
            raise self.error(
                name,
                f"`{name}` must be letters, digits, '.', '_' or '-' (at most 80), "
                f"not {_shown(value)}",
            )
        return value

    def slug(self, value: Any) -> str:
        text = self.text("slug", value, required=True, max_len=MAX_SLUG)
        expected = slugify(text, max_length=MAX_SLUG)
        if text != expected:
            raise self.error(
                "slug", f"`slug` {_shown(text)} is not a URL slug; write it as {expected!r}"
            )
        return text

    def choice(self, name: str, value: Any, options: tuple[str, ...]) -> str:
        if not isinstance(value, str) or value not in options:
            hint = did_you_mean(value, options) if isinstance(value, str) else ""
            raise self.error(
                name, f"`{name}` must be one of {', '.join(options)}, not {_shown(value)}{hint}"
            )
        return value

    def url(self, name: str, value: Any) -> str:
        """A full http(s) address, written as a URI: characters a URI cannot hold (spaces,
        `<`, accented letters) are percent-encoded and the host put in its ASCII form, so
        that feeds carrying it stay valid."""
        text = self.text(name, value)
        try:
            parts = urlsplit(text)
            host = (parts.hostname or "").encode("idna").decode("ascii")
            port = f":{parts.port}" if parts.port is not None else ""
            usable = parts.scheme in ("http", "https") and bool(host)
        except (ValueError, UnicodeError):  # an unclosed [, a port out of range, a bad label
            usable = False
        if not usable:
            raise self.error(name, f"`{name}` must be a full http(s) address, not {_shown(text)}")
        user = parts.netloc.rpartition("@")[0]
        host = f"[{host}]" if ":" in host else host
        netloc = f"{user}@{host}{port}" if user else f"{host}{port}"
        return urlunsplit(
            (
                parts.scheme,
                quote(netloc, safe=_URI_SAFE + "[]"),
                quote(parts.path, safe=_URI_SAFE),
                quote(parts.query, safe=_URI_SAFE),
                quote(parts.fragment, safe=_URI_SAFE),
            )
        )

    def named(
        self, name: str, value: Any, make: Callable[[str, str], Any], max_items: int
    ) -> tuple[Any, ...]:
        """Names -> (slug, name) records, dropping repeats, refusing names with no letters."""
        seen: dict[str, Any] = {}
        for index, item in enumerate(self.string_list(name, value, max_items)):
            slug = name_slug(item)
            if not slug:
                raise self.error(
                    f"{name}.{index}", f"{_shown(item)} has no letters or digits to use"
                )
            if "<" in item or ">" in item:  # no name has them; a reader might take it for a tag
                raise self.error(
                    f"{name}.{index}", f"{_shown(item)} holds < or >, which no name needs"
                )
            seen.setdefault(slug, make(slug, item))
        return tuple(seen.values())

    def topics(self, value: Any) -> tuple[Topic, ...]:
        return self.named("topics", value, Topic, MAX_TOPICS)

    def authors(self, value: Any) -> tuple[Author, ...]:
        return self.named("authors", value, Author, MAX_AUTHORS)

    def aliases(self, value: Any) -> tuple[str, ...]:
        """Old addresses of the story (an imported site's permalinks): paths on this host,
        and WordPress's short links (`/?p=123`): a query is kept only when it is that."""
        paths: dict[str, None] = {}
        for index, item in enumerate(self.string_list("aliases", value, MAX_ALIASES)):
            address, _, query = item.split("#", 1)[0].partition("?")
            path = unquote(address)
            if (post := _WORDPRESS_POST.fullmatch(query)) and path.startswith("/"):
                paths[f"{path}?p={post[1]}"] = None
                continue
            if not path.startswith("/") or path.startswith("//") or len(path) > 500:
                raise self.error(
                    f"aliases.{index}",
                    f"{_shown(item)} is not an address on this site: write a path such as "
                    "/2019/05/03/old-title/",
                )
            if not is_old_address(path):
                raise self.error(f"aliases.{index}", f"{_shown(item)} cannot be an old address")
            paths[path] = None
        return tuple(paths)

    def placement(self, value: Any) -> Placement:
        return Placement(self.choice("placement", value, tuple(p.value for p in Placement)))

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
        try:
            resolved, info = usable_picture(src, article_dir, content_dir)
        except UnusablePicture as problem:
            raise ContentError(
                self.file,
                f"the image {_shown(src)} {problem.reason}",
                line=self.line_of("image.src"),
                field="image.src",
                needs=problem.needs,
            ) from None
        return Image(
            src=resolved.relative_to(content_dir).as_posix(),
            alt=alt,
            caption=self.text("image.caption", value.get("caption"), max_len=MAX_CAPTION),
            credit=self.text("image.credit", value.get("credit"), max_len=300),
            rights=self.text("image.rights", value.get("rights"), max_len=300),
            width=info.width,
            height=info.height,
            media_type=info.media_type,
            length=info.length,
            digest=info.digest,
            syndication=(
                self.boolean("image.syndication", value["syndication"])
                if "syndication" in value
                else True  # parse.py narrows this by the article and its sources
            ),
        )

    def corrections(self, value: Any, tz: ZoneInfo, published: datetime) -> tuple[Correction, ...]:
        """A correction dated by its day alone, on the day of publication, is dated at the
        publication: it cannot come before the story it corrects (midnight would)."""
        if value is None:
            return ()
        if not isinstance(value, list):
            raise self.error("corrections", "`corrections` must be a list of {date, text} items")
        if len(value) > MAX_CORRECTIONS:
            raise self.error(
                "corrections",
                f"`corrections` lists {len(value)}; the limit is {MAX_CORRECTIONS} "
                "(say more in the body)",
            )
        out = []
        for index, item in enumerate(value):
            name = f"corrections.{index}"
            if not isinstance(item, dict):
                raise self.error(name, "each correction needs a `date` and a `text`")
            self.refuse_unknown(item, CORRECTION_FIELDS, f"{name}.")
            if "date" not in item:
                raise self.error(name, "this correction has no `date`")
            when = self.moment(f"{name}.date", item["date"], tz)
            day_only = len(str(item["date"]).strip()) <= len("YYYY-MM-DD")
            if day_only and when.date() == published.astimezone(tz).date():
                when = max(when, published)
            out.append(Correction(when, self.text(f"{name}.text", item.get("text"), required=True)))
        return tuple(out)


class UnusablePicture(Exception):
    """Why a picture a file names cannot be shown: `reason` follows the picture's name in the
    message; `needs` are the places looked at, when it was not found."""

    def __init__(self, reason: str, needs: tuple[str, ...] = ()) -> None:
        super().__init__(reason)
        self.reason = reason
        self.needs = needs


def usable_picture(src: str, article_dir: Path, root: Path) -> tuple[Path, ImageInfo]:
    """The picture `src` names (`image.src`, or one in the body) and what it is: found by
    find_picture, a web image, within the size limit, readable; else UnusablePicture."""
    resolved, looked = find_picture(src, article_dir, root)
    if resolved is None:
        raise UnusablePicture(
            "was not found next to the article or under the content folder", looked
        )
    if resolved.suffix.lower() not in MEDIA_TYPES:
        raise UnusablePicture(f"is not a web image; use one of {', '.join(sorted(MEDIA_TYPES))}")
    try:
        if (size := resolved.stat().st_size) > MAX_IMAGE_BYTES:
            raise UnusablePicture(
                f"is {size / 1e6:.0f} MB; a picture may be at most "
                f"{MAX_IMAGE_BYTES // 1_000_000} MB"
            )
        return resolved, probe(resolved, root)
    except NotARegularFile as exc:
        raise UnusablePicture(f"cannot be used: {exc}") from None
    except OSError as exc:
        raise UnusablePicture(f"cannot be read ({exc.strerror or exc})") from None


def find_picture(src: str, article_dir: Path, root: Path) -> tuple[Path | None, tuple[str, ...]]:
    """Next to the article first, then from the content root; never outside it. Also the
    places looked at (relative to the root), so the article is read again when one appears.

    `root` is the resolved content folder; one realpath per candidate settles links and `..`.
    """
    if "://" in src or src.startswith("//") or "\x00" in src:  # no file has a NUL in its name
        return None, ()
    bases = [str(article_dir)] if not src.startswith("/") else []
    bases.append(str(root))
    prefix = str(root) + os.sep
    looked: list[str] = []
    for base in bases:
        candidate = os.path.realpath(os.path.join(base, src.lstrip("/")))
        if not candidate.startswith(prefix):
            continue
        if os.path.isfile(candidate):
            return Path(candidate), ()
        looked.append(candidate[len(prefix) :].replace(os.sep, "/"))
    return None, tuple(looked)


def did_you_mean(value: str, options: Iterable[str], cutoff: float = 0.5) -> str:
    """`; did you mean `published`?` for a near miss, else nothing."""
    close = difflib.get_close_matches(value[:100], list(options), n=1, cutoff=cutoff)
    return f"; did you mean `{close[0]}`?" if close else ""


def _shown(value: Any) -> str:
    """A value as an error message quotes it: short, and never a whole list."""
    if isinstance(value, str):
        return repr(value if len(value) <= 60 else value[:57] + "...")
    return _kind(value)


def _kind(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a group of fields"
    return type(value).__name__
