"""The archive's vocabulary: frozen dataclasses, no I/O."""

from __future__ import annotations

import dataclasses
import enum
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from syndication.rights_policy import NOTHING_SAID, Permissions

_Class = TypeVar("_Class", bound=type)
_WORD = re.compile(r"\w+")


def pickled_by_fields(cls: _Class) -> _Class:
    """Pickle instances as their class and field values, made again by `__init__`. Python
    3.11 pickles a slotted dataclass by looking its fields up again for every object: every
    story crosses from a parse worker to the writer, and reading them back was a fifth of the
    writer's time on a first ingest."""
    names = [f.name for f in dataclasses.fields(cls)]
    values: Callable[[Any], Any] = operator.attrgetter(*names)
    single = len(names) == 1

    def __reduce__(self: Any) -> tuple[type, tuple[Any, ...]]:
        return cls, (values(self),) if single else values(self)

    setattr(cls, "__reduce__", __reduce__)  # noqa: B010 - a method set on a made class
    return cls


class Status(enum.StrEnum):
    """What the editor asked for in the file."""

    PUBLISHED = "published"
    DRAFT = "draft"
    WITHDRAWN = "withdrawn"


class Placement(enum.StrEnum):
    """Where the editor puts a story on the edition's front page (`placement:`)."""

    LEAD = "lead"
    TOP = "top"


class State(enum.StrEnum):
    """What the public sees now; derived from Status, the clock and the file's presence."""

    LIVE = "live"
    SCHEDULED = "scheduled"
    DRAFT = "draft"
    WITHDRAWN = "withdrawn"


class ChangeKind(enum.StrEnum):
    PUBLISHED = "published"
    UPDATED = "updated"
    WITHDRAWN = "withdrawn"
    # A story not yet public was accepted, changed or dropped: only partners with embargo
    # access hear of it.
    EMBARGO = "embargo"


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Image:
    src: str  # path relative to the content folder
    alt: str
    caption: str = ""
    credit: str = ""
    rights: str = ""
    width: int | None = None
    height: int | None = None
    media_type: str = ""
    length: int = 0
    syndication: bool = True  # may partners receive the picture (see ingest/parse.py)
    digest: str = ""  # of the bytes (none in archives written before it was kept)
    permissions: Permissions = NOTHING_SAID  # what machines may do with it (rights_policy.py)
    licensed_from: str = ""  # the licensed-in source its credit or rights name; "": ours


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Correction:
    date: datetime
    text: str


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Topic:
    slug: str
    name: str


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Author:
    slug: str
    name: str


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Article:
    """One article as the editor wrote it, validated and rendered."""

    id: str  # permanent; empty until the archive assigns one
    edition: str
    section: str
    slug: str
    title: str
    published: datetime  # aware, UTC
    body_html: str
    body_text: str
    word_count: int
    status: Status = Status.PUBLISHED
    standfirst: str = ""
    authors: tuple[Author, ...] = ()
    topics: tuple[Topic, ...] = ()
    image: Image | None = None
    source: str = ""
    rights: str = ""
    syndication: bool = True
    original_url: str = ""
    translation_of: str = ""
    updated: datetime | None = None
    corrections: tuple[Correction, ...] = ()
    placement: Placement | None = None  # on the front page ahead of newer stories
    placement_until: datetime | None = None  # aware, UTC; then back in date order
    aliases: tuple[str, ...] = ()  # old addresses (paths) that answer 301 to this one
    alert: bool = False  # breaking news: mailed to the alert lists as it is published
    permissions: Permissions = NOTHING_SAID  # what machines may do with it (rights_policy.py)
    licensed_from: str = ""  # the licensed-in source whose copy it is ("": ours)
    # Pictures of its body credited to a licensed-in source: (path under content/, source).
    others_pictures: tuple[tuple[str, str], ...] = ()
    id_given: bool = False  # the editor wrote `id:`; else the archive assigns it
    path: str = ""  # canonical URL path, unique across the archive (see article_path)

    @property
    def reading_minutes(self) -> int:
        return reading_minutes(self.word_count)


WORDS_PER_MINUTE = 230


def reading_minutes(word_count: int) -> int:
    """Words / 230 rounded up, never less than one minute."""
    return max(1, -(-word_count // WORDS_PER_MINUTE))


def article_path(edition: str, section: str, local_published: datetime, slug: str) -> str:
    """The date in the path is the edition's calendar date, the one readers see on the page."""
    return f"/{edition}/{section}/{local_published:%Y/%m/%d}/{slug}"


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A file under content/ as ingest last saw it."""

    file: str  # relative to the content folder, POSIX separators
    content_hash: str
    size: int
    mtime_ns: int


@dataclass(frozen=True, slots=True)
class ArticleSummary:
    """What listings need: no body."""

    id: str
    edition: str
    section: str
    path: str
    title: str
    standfirst: str
    published: datetime
    word_count: int
    state: State
    image: Image | None = None
    authors: tuple[Author, ...] = ()
    # whose copy it is and what may be done with it: a list's rights policy is the
    # strictest of the stories it shows (publish/machine_rights.py)
    source: str = ""
    permissions: Permissions = NOTHING_SAID
    licensed_from: str = ""


@dataclass(frozen=True, slots=True)
class LoggedChange:
    """One row of the archive's changes log: an article published, updated or withdrawn."""

    seq: int
    article_id: str
    kind: ChangeKind
    at: datetime
    version: int


@dataclass(frozen=True, slots=True)
class IngestErrorRecord:
    file: str
    line: int | None
    field: str
    message: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Waiting:
    """A story not public yet: a draft, or scheduled (under embargo until `published`)."""

    id: str
    title: str
    state: State
    published: datetime
    file: str
    path: str
    version: int = 1  # what a preview link of it is made for


@dataclass(frozen=True, slots=True)
class ArchiveStatus:
    articles_by_state: dict[str, int] = field(default_factory=dict)
    last_change: LoggedChange | None = None
    errors: tuple[IngestErrorRecord, ...] = ()
    schema_version: int = 0
    waiting: tuple[Waiting, ...] = ()  # soonest first, at most WAITING_LISTED


@dataclass(frozen=True, slots=True)
class Edition:
    """A language edition of the publication, with its own URL prefix, clock and date style."""

    code: str  # URL prefix, e.g. "en"
    name: str  # shown in the edition switcher
    language: str  # BCP 47, for lang= and hreflang
    timezone: str  # IANA name; a date-only `published` means midnight here
    date_format: str = "%d.%m.%Y"
    description: str = ""  # what search engines show for its pages (meta description)
    locale: str = ""  # language and territory as Open Graph writes them (en_GB); "": usual one
    permissions: Permissions = NOTHING_SAID  # what machines may do with its copy


@dataclass(frozen=True, slots=True)
class Section:
    slug: str
    names: dict[str, str]  # edition code -> label
    permissions: Permissions = NOTHING_SAID  # what machines may do with its copy

    def name(self, edition: str) -> str:
        return self.names.get(edition) or next(iter(self.names.values()), self.slug)


@dataclass(frozen=True, slots=True)
class Contributor:
    """What `syndication.toml` says of an author (`[authors."Name"]`): their fediverse
    account, which link previews on Mastodon show as the story's author."""

    name: str
    fediverse: str = ""  # @name@server

    @staticmethod
    def key(name: str) -> str:
        """How a byline finds its entry: case and spacing aside."""
        return " ".join(name.split()).casefold()


@dataclass(frozen=True, slots=True)
class Source:
    """An originating agency. Licensed-in content is never passed on to partners by default."""

    name: str
    licensed_in: bool = False
    aliases: tuple[str, ...] = ()  # other names it goes by in files: "CPA"
    # Its licence lets newsletters carry its stories in full (else: headline and link).
    email: bool = False
    permissions: Permissions = NOTHING_SAID  # what machines may do with its copy

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    @staticmethod
    def key(name: str) -> str:
        """How a `source:` finds its source: its words, case, spacing, punctuation and
        characters that are no letters aside (ingest/sources.py; config refuses two sources
        whose names share one)."""
        return " ".join(_WORD.findall(name.casefold()))


@dataclass(frozen=True, slots=True)
class ArchivedArticle:
    """An article as the archive holds it: the content plus what the archive knows of it."""

    article: Article
    state: State
    version: int
    source_file: str
    last_changed: datetime
    first_seen: datetime


def modified_at(
    published: datetime,
    updated: datetime | None,
    corrected: tuple[datetime, ...],
    version: int,
    last_changed: datetime,
) -> datetime:
    """When a story last changed in a way a reader sees: the editor's dates (publication,
    `updated:`, corrections), or, once a later version went out (an edit without
    `updated:`, a corrected headline), when it did. Feeds, JSON-LD and sitemaps say this."""
    moments: list[datetime] = [published, *corrected]
    if updated is not None:
        moments.append(updated)
    if version > 1:
        moments.append(last_changed)
    return max(moments)


class FeedKind(enum.StrEnum):
    ALL = "all"
    SECTION = "section"
    TOPIC = "topic"
    AUTHOR = "author"


@dataclass(frozen=True, slots=True)
class FeedScope:
    """Which articles a feed carries: an edition's whole output, or one section, topic or author."""

    edition: str
    kind: FeedKind = FeedKind.ALL
    key: str = ""  # section, topic or author slug

    @property
    def path(self) -> str:
        """The URL folder of the feed: /en, /en/world, /en/topic/energy, /en/author/ines-varga."""
        if self.kind is FeedKind.ALL:
            return f"/{self.edition}"
        if self.kind is FeedKind.SECTION:
            return f"/{self.edition}/{self.key}"
        return f"/{self.edition}/{self.kind.value}/{self.key}"


@dataclass(frozen=True, slots=True)
class NewsletterList:
    """A newsletter: a feed's scope, mailed at a time of day in the edition's zone (`07:00`)
    or as breaking news (`alert`). Named `en@07:00`, `en/world@18:00`, `en@alert`."""

    scope: FeedScope
    cadence: str

    @property
    def name(self) -> str:
        return f"{self.scope.path.lstrip('/')}@{self.cadence}"

    @property
    def is_alert(self) -> bool:
        return self.cadence == "alert"


@dataclass(frozen=True, slots=True)
class Tombstone:
    """A withdrawn article, announced in Atom feeds (RFC 6721) for a while."""

    id: str
    path: str
    withdrawn: datetime


@dataclass(frozen=True, slots=True)
class Partner:
    """A site that pulls syndicated content with an API key (of which only a hash is kept)."""

    id: int
    name: str
    sections: tuple[str, ...]
    editions: tuple[str, ...]  # empty: every edition
    embargo_access: bool
    rate_per_min: int
    key_hint: str
    created: datetime
    key_created: datetime
    revoked: datetime | None = None

    def entitled(self, edition: str, section: str) -> bool:
        return section in self.sections and (not self.editions or edition in self.editions)
