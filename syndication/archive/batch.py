"""What one ingest batch hands the archive's writer, and what the writer reports back.

Plain data, built in parse workers (Accepted.of does the CPU-heavy part there) and sent to
the one writer thread.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field, replace

from syndication.archive.article_row import ARTICLE_COLUMNS, row_of
from syndication.archive.column_values import image_digest_json, to_iso
from syndication.archive.dependencies import Needed
from syndication.errors import ContentError
from syndication.model import Article, ChangeKind, pickled_by_fields


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Accepted:
    """A file that parsed into an Article, with its archive row already worked out.

    Build it with `Accepted.of()`, which parse workers call: the row, its digest and the id
    the article would be assigned cost CPU, and the single writer is the one step that cannot
    be spread over cores.
    """

    file: str
    size: int
    mtime_ns: int
    content_hash: str
    article: Article
    lines: dict[str, int]
    columns: tuple[object, ...]  # values for article_row.ARTICLE_COLUMNS
    digest: str  # of what readers see, not of the file: a move to another section is a change
    assigned_id: str
    needs: tuple[Needed, ...] = ()  # its image, as it was when read

    @classmethod
    def of(
        cls,
        file: str,
        size: int,
        mtime_ns: int,
        content_hash: str,
        article: Article,
        lines: dict[str, int],
        needs: tuple[Needed, ...] = (),
    ) -> Accepted:
        art = article
        row = row_of(art)
        fields = dict(zip(ARTICLE_COLUMNS, row, strict=True))
        names = [f"topic:{t.name}" for t in art.topics] + [f"author:{a.name}" for a in art.authors]
        # A placement, aliases or an alert count only when given: archives made before keep
        # their digests.
        placed = (fields["placement"], fields["placement_until"])
        extra = (
            *(placed if placed[0] else ()),
            *(f"alias:{a}" for a in art.aliases),
            *(("alert",) if art.alert else ()),
            *((f"permissions:{fields['permissions']}",) if art.permissions else ()),
        )
        fields["image"] = image_digest_json(art.image)
        # The digest is of the body as text, its HTML and plain text, as archives have kept it:
        # each value followed by a unit separator, hashed in one call.
        values = (
            *(fields[c] for c in DIGESTED_BEFORE_BODY),
            art.body_html,
            art.body_text,
            *(fields[c] for c in DIGESTED_AFTER_BODY),
            *names,
            *extra,
        )
        hashed = "".join(f"{value}\x1f" for value in values).encode()
        digest = hashlib.blake2b(hashed, digest_size=16).hexdigest()
        # The writer stores the compressed body (in `columns`): the HTML, a third of what a
        # parse worker sends, need not cross to it.
        return cls(
            file,
            size,
            mtime_ns,
            content_hash,
            replace(art, body_html=""),
            lines,
            row,
            digest,
            assigned_id(art),
            needs,
        )


# The columns a story's digest is made of, in the order archives have always hashed them
# (changing it would make every story a new version): the row's, but for the body (hashed
# as its HTML and its text) and the placement and aliases (hashed only when given).
DIGESTED_BEFORE_BODY = ("edition", "section", "slug", "path", "title", "standfirst")
DIGESTED_AFTER_BODY = (
    "word_count", "published", "updated", "status", "source", "rights", "syndication",
    "original_url", "translation_of", "image", "corrections",
)  # fmt: skip


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Rejected:
    """A file that could not be published; the last good version of its article stays."""

    file: str
    size: int
    mtime_ns: int
    error: ContentError
    content_hash: str | None = None  # when the bytes could be read: a move is still a move

    @property
    def needs(self) -> tuple[Needed, ...]:
        return tuple(Needed(path) for path in self.error.needs)


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Restamped:
    """A file whose bytes are what the archive already has (only its mtime moved)."""

    file: str
    size: int
    mtime_ns: int


@dataclass(frozen=True, slots=True)
class FileRow:
    article_id: str
    content_hash: str
    size: int
    mtime_ns: int


@dataclass(slots=True)
class ApplyResult:
    published: int = 0
    updated: int = 0
    withdrawn: int = 0
    embargo: int = 0
    unchanged: int = 0
    errors: list[ContentError] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)  # ids of articles with a logged change
    seq: int = 0  # the changes sequence after this batch
    # The changed ids of the batches added to this one, a string a batch: a first ingest
    # of a million files adds a thousand batches, whose ids as a million strings took 73 MB.
    added_changed: list[str] = field(default_factory=list)
    # Files refused for an id or address held by a file this batch changed or removed:
    # read them again, as the claim may be free now.
    freed: set[str] = field(default_factory=set)

    def count(self, kind: ChangeKind) -> None:
        """One more change of this kind in the batch."""
        match kind:
            case ChangeKind.PUBLISHED:
                self.published += 1
            case ChangeKind.UPDATED:
                self.updated += 1
            case ChangeKind.WITHDRAWN:
                self.withdrawn += 1
            case ChangeKind.EMBARGO:
                self.embargo += 1

    def outcomes(self) -> dict[str, int]:
        """What the batch did to files, by outcome, as /metrics and `status` count them."""
        return {
            "published": self.published,
            "updated": self.updated,
            "withdrawn": self.withdrawn,
            "embargo": self.embargo,
            "unchanged": self.unchanged,
            "errors": len(self.errors),
        }

    def add(self, other: ApplyResult) -> None:
        self.published += other.published
        self.updated += other.updated
        self.withdrawn += other.withdrawn
        self.embargo += other.embargo
        self.unchanged += other.unchanged
        self.errors.extend(other.errors)
        self.freed |= other.freed
        self.added_changed.extend(other.added_changed)
        if other.changed:
            self.added_changed.append(_SEPARATOR.join(other.changed))
        self.seq = max(self.seq, other.seq)

    def changed_ids(self) -> list[str]:
        """Every changed article's id: this batch's and those of the batches added."""
        added = [i for packed in self.added_changed for i in packed.split(_SEPARATOR)]
        return added + self.changed


_SEPARATOR = "\0"  # in no id: ids are letters, digits, ".", "_" and "-" (fields.ID_PATTERN)


def assigned_id(article: Article) -> str:
    """A stable id from what identifies a story at birth, so a rebuilt archive agrees."""
    seed = f"{article.edition}\n{to_iso(article.published)}\n{article.title}".encode()
    digest = hashlib.blake2b(seed, digest_size=10).digest()
    return base64.b32encode(digest).decode().lower().rstrip("=")
