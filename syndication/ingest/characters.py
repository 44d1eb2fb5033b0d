"""Characters no page or feed may carry.

XML 1.0 cannot hold C0 controls (other than tab, newline and carriage return), lone
surrogates, U+FFFE or U+FFFF: one of them in one headline made lxml refuse every feed that
listed the article. HTML calls the rest of the controls (DEL, C1) and the noncharacters
parse errors. Front matter holding any of them is refused with its line; bodies have them
removed (see docs/content-format.md).
"""

from __future__ import annotations

import re
import unicodedata

_NONCHARACTERS = "".join(
    f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17)
)
FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef" + _NONCHARACTERS + "]"
)


# The controls are one small class the regex engine scans fast; the rest lie at U+D800 and
# above, so a text whose largest character is below that (nearly all) needs no more.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_HIGH = "\ud800"
_ALLOWED_ASCII = bytes(range(0x20, 0x7F)) + b"\t\n\r"  # the ASCII neither pattern finds


def first_forbidden(text: str) -> int | None:
    """Index of the first character no document may carry, or None."""
    return _first(FORBIDDEN, text)


def first_forbidden_in_body(text: str) -> int | None:
    return _first(FORBIDDEN_IN_BODY, text)


def _first(pattern: re.Pattern[str], text: str) -> int | None:
    if pattern is FORBIDDEN and text.isprintable():  # what it finds is all unprintable
        return None
    if text.isascii():
        if not text.encode().translate(None, _ALLOWED_ASCII):
            return None  # a seventh of the time a regex takes to find no control
        plain = True
    else:
        plain = max(text) < _HIGH
    found = (_CONTROLS if plain else pattern).search(text)
    return found.start() if found else None


# In a body also U+FFFD, the replacement character: it stands for something lost (an
# impossible entity, a botched conversion), and feed readers flag it as a bad character.
FORBIDDEN_IN_BODY = re.compile(f"{FORBIDDEN.pattern[:-1]}\ufffd]")


def strip_forbidden_in_body(text: str) -> str:
    return text if _first(FORBIDDEN_IN_BODY, text) is None else FORBIDDEN_IN_BODY.sub("", text)


def describe(char: str) -> str:
    """`U+001B (ESCAPE)`: enough for an editor to find it in a hex view or search."""
    name = unicodedata.name(char, "") or _CONTROL_NAMES.get(ord(char), "")
    code = f"U+{ord(char):04X}"
    return f"{code} ({name})" if name else code


_CONTROL_NAMES = {
    0x00: "NULL",
    0x07: "BELL",
    0x08: "BACKSPACE",
    0x0B: "LINE TABULATION",
    0x0C: "FORM FEED",
    0x1B: "ESCAPE",
    0x7F: "DELETE",
}
