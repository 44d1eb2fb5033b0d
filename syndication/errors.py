"""One exception root, with subclasses precise enough to pick a status code or a message."""

from __future__ import annotations


class SyndicationError(Exception):
    """Root of every error this package raises on purpose."""


class ConfigError(SyndicationError):
    """syndication.toml or an environment variable holds something unusable."""


class ContentError(SyndicationError):
    """An editor's file cannot be published as it is.

    Carries what an editor needs to find and fix it: the file, the line, the field.
    """

    def __init__(
        self, file: str, message: str, *, line: int | None = None, field: str = ""
    ) -> None:
        self.file = file
        self.line = line
        self.field = field
        self.message = message
        super().__init__(self.format())

    def __reduce__(self) -> tuple[object, ...]:
        # Parse workers send errors back to the writer; the default pickling would call
        # __init__ with the formatted text alone.
        return (_content_error, (self.file, self.message, self.line, self.field))

    def format(self, root: str = "") -> str:
        """`path:line: field: message`, the shape compilers use so editors' tools can jump to it.

        `root` is the content folder as the reader knows it, so the path opens from where they are.
        """
        path = f"{root.rstrip('/')}/{self.file}" if root else self.file
        where = f"{path}:{self.line}" if self.line else path
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )


def _content_error(file: str, message: str, line: int | None, field: str) -> ContentError:
    return ContentError(file, message, line=line, field=field)


class ArchiveError(SyndicationError):
    """The archive cannot be opened or written (wrong schema, corrupt file, disk full)."""


class NotFound(SyndicationError):
    """A requested thing does not exist."""
