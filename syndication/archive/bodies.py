"""How an article's body is kept: its HTML compressed with Zstandard, and its plain text
made from that HTML whenever search or a partner needs it, never stored.

The plain text was a second copy of every body, and the HTML the largest column: keeping one
compressed copy makes the archive about half its former size. The full-text index reads the
text through the `article_texts` view, whose `article_text()` is registered on every
connection the program opens; an `sqlite3` shell without it can read every table, but cannot
show search snippets or change an article.
"""

from __future__ import annotations

import html
import re
import sqlite3
import threading
from collections.abc import Callable

import zstandard

from syndication.errors import DamagedBody  # raised here, named by the error root

# Level 1: on news bodies (6 KB of HTML) it wrote 1.5% fewer bytes than the default level 3,
# in two thirds of the time; the higher levels' search pays off on longer texts.
LEVEL = 1
_TAG = re.compile(r"<[^>]*>")
_compressors = threading.local()  # one is not safe to share between threads


def compressed(body_html: str) -> bytes:
    """Zstandard with its frame checksum (4 bytes): a body damaged on disk then fails to
    read, where without it a changed byte came out as a changed word in a published story."""
    compressor = getattr(_compressors, "zstd", None)
    if compressor is None:  # kept: a fresh one sets up its tables anew, a fifth of the time
        compressor = _compressors.zstd = zstandard.ZstdCompressor(level=LEVEL, write_checksum=True)
    return compressor.compress(body_html.encode())


def body_html(stored: bytes, article_id: str = "") -> str:
    """The HTML kept in `stored` (the body of `article_id`, named if it is damaged)."""
    try:
        return zstandard.decompress(stored).decode()
    except (zstandard.ZstdError, UnicodeDecodeError) as exc:
        raise DamagedBody(article_id, str(exc)) from exc


def plain_text(fragment: str) -> str:
    """Text of sanitised HTML, one block per line, for search and word counts.

    A regex is enough here because the sanitiser's output is well-formed and holds no script
    or style.
    """
    text = _TAG.sub("", fragment)
    if "&" in text:
        text = html.unescape(text)
    core = text.strip("\n")
    if _is_regular(core):  # nearly every body: each block already a line of single spaces
        return core
    return "\n".join(" ".join(words) for line in text.splitlines() if (words := line.split()))


def word_count(text: str) -> int:
    """len(text.split()), counting the spaces of plain text that holds no others."""
    if _is_regular(text):
        return text.count(" ") + text.count("\n") + (1 if text else 0)
    return len(text.split())


# The ASCII that is neither a space nor a line break to str.split() and str.splitlines()
_NOT_SPACE = bytes(range(0x20, 0x7F)) + b"\n"  # the space and newline are judged by place


def _is_regular(text: str) -> bool:
    """Whether `text` is already what plain_text makes of it: ASCII, one line a block, words
    parted by single spaces. (Text beyond ASCII may hold other spaces: not judged here.)"""
    if not text.isascii() or text.encode().translate(None, _NOT_SPACE) or "  " in text:
        return False
    if text[:1] in (" ", "\n") or text[-1:] in (" ", "\n"):
        return False
    at = text.find("\n")
    while at >= 0:  # a block a line: a few dozen newlines, not thousands of spaces, to look at
        if text[at - 1] == " " or text[at + 1] in (" ", "\n"):
            return False
        at = text.find("\n", at + 1)
    return True


def body_text(stored: bytes, article_id: str = "") -> str:
    """The plain text ingest made of the body: plain_text of its HTML, as then."""
    return plain_text(body_html(stored, article_id))


def register(conn: sqlite3.Connection) -> None:
    """The SQL functions the schema uses, on a connection of the sqlite3 module (the readers'
    aiosqlite connections register SQL_FUNCTIONS alike)."""
    for name, arguments, function in SQL_FUNCTIONS:
        conn.create_function(name, arguments, function, deterministic=True)


def _sql_text(stored: object) -> str | None:
    if stored is None:
        return None
    if not isinstance(stored, bytes):
        raise sqlite3.DataError("article_text() takes a compressed body")
    try:
        return body_text(stored)
    except DamagedBody:
        # No text, rather than an error that would fail every search whose snippets read it,
        # and every edit that would replace it (its old words stay in the index, matching
        # nothing the story says: searches may list it once too often, never leak it).
        return None


def _sql_compressed(text: object) -> bytes | None:
    return compressed(text) if isinstance(text, str) else None


# `article_text(body_html)`: the full-text index's view and trigger; `compressed_body(text)`:
# the migration that compressed the bodies of archives made before.
SQL_FUNCTIONS: tuple[tuple[str, int, Callable[[object], str | bytes | None]], ...] = (
    ("article_text", 1, _sql_text),
    ("compressed_body", 1, _sql_compressed),
)
