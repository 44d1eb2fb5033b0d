"""One exception root, with subclasses precise enough to pick a status code or a message."""

from __future__ import annotations


class SyndicationError(Exception):
    """Root of every error this package raises on purpose."""


class ConfigError(SyndicationError):
    """syndication.toml or an environment variable holds something unusable."""


MAX_MESSAGE = 400  # characters of what an editor reads; a value quoted whole can be 64 KB


def readable(message: str) -> str:
    """A message cut to a length a person reads, its beginning and end kept: whatever a
    message quotes of a file (a value, a line), the editor sees at most MAX_MESSAGE."""
    if len(message) <= MAX_MESSAGE:
        return message
    return f"{message[: MAX_MESSAGE - 120]} [...] {message[-100:]}"


class ContentError(SyndicationError):
    """An editor's file cannot be published as it is.

    Carries what an editor needs to find and fix it: the file, the line, the field.
    """

    def __init__(
        self,
        file: str,
        message: str,
        *,
        line: int | None = None,
        field: str = "",
        needs: tuple[str, ...] = (),
        held_by: str = "",
    ) -> None:
        self.file = file
        self.held_by = held_by  # the file holding the id or address this one claims
        self.line = line
        self.field = field[:100]
        self.message = readable(message)
        self.needs = needs  # files (under content/) whose arrival may fix it: a missing image
        super().__init__(self.format())

    def __reduce__(self) -> tuple[object, ...]:
        # Parse workers send errors back to the writer; the default pickling would call
        # __init__ with the formatted text alone.
        return (
            _content_error,
            (self.file, self.message, self.line, self.field, self.needs, self.held_by),
        )

    def format(self, root: str = "") -> str:
        """`path:line: field: message`, the shape compilers use so editors' tools can jump to it.

        `root` is the content folder as the reader knows it, so the path opens from where they are.
        """
        path = f"{root.rstrip('/')}/{self.file}" if root else self.file
        where = f"{path}:{self.line}" if self.line else path
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )


def _content_error(
    file: str,
    message: str,
    line: int | None,
    field: str,
    needs: tuple[str, ...],
    held_by: str = "",
) -> ContentError:
    return ContentError(file, message, line=line, field=field, needs=needs, held_by=held_by)


class ContentWarning:
    """Something in an editor's file that publishes, but probably not as meant (a ` #` that
    cut a headline short). `syndication check` prints it; it stops nothing."""

    __slots__ = ("field", "file", "line", "message")

    def __init__(self, file: str, message: str, *, line: int | None = None, field: str = ""):
        self.file = file
        self.line = line
        self.field = field[:100]
        self.message = readable(message)

    def format(self, root: str = "") -> str:
        error = ContentError(self.file, self.message, line=self.line, field=self.field)
        where, _, what = error.format(root).partition(": ")
        return f"{where}: warning: {what}"

    def __repr__(self) -> str:
        return f"ContentWarning({self.format()!r})"


class ArchiveError(SyndicationError):
    """The archive cannot be opened or written (wrong schema, corrupt file, disk full)."""


class ArchiveUnavailable(ArchiveError):
    """The archive could not answer now: its disk is full, it was locked too long, a replica's
    copy was being rewritten. SQLite's word for it is translated where the storage is
    (archive/storage.py); it is not the request's fault and is gone on a later try."""


class DamagedBody(ArchiveError):
    """A stored body that no longer decompresses: the archive's file was damaged on disk (a
    bit flipped, a bad copy). SQLite's own checks cannot see it, since the page is sound."""

    def __init__(self, article_id: str, reason: str) -> None:
        super().__init__(
            f"its stored body is damaged ({reason}); restore the archive from a replica or backup"
        )
        self.article_id = article_id


class NotFound(SyndicationError):
    """A requested thing does not exist."""
