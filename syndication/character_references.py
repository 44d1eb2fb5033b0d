"""What in plain text HTML would read as markup: a character reference ("&amp;", "&#169;",
"&#x26;"). In front matter it is text, as typed (ingest warns of it); feeds keep it text for
readers that take titles as HTML (publish/feed_extensions.py)."""

from __future__ import annotations

import re
from html.entities import name2codepoint

CHARACTER_REFERENCE = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")

# What a reader may take for one even without its semicolon ("&amp", "&#169"), as HTML's
# legacy parsing and the W3C Feed Validator (validators.py, nonhtml) do: a number, or a name
# HTML knows, or a run of letters and digits mixed.
_AMPERSAND_RUN = re.compile(r"&(#?\w+)")


def _reads_as_reference(run: str) -> bool:
    return run in name2codepoint or run == "apos" or not run.isalpha()


def has_reference(text: str) -> bool:
    return "&" in text and any(_reads_as_reference(m[1]) for m in _AMPERSAND_RUN.finditer(text))


def joined_references(text: str) -> str:
    """Each run that reads as a reference with an invisible word joiner after its ampersand
    (U+2060): shown as typed, and no reader or validator takes it for one (RSS titles)."""
    return _AMPERSAND_RUN.sub(
        lambda m: "&\u2060" + m[1] if _reads_as_reference(m[1]) else m[0], text
    )
