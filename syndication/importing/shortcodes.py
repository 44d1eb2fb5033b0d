"""WordPress's shortcodes a conversion takes away, their text kept: those WordPress and its
common plugins have, and any that is closed (`[x]...[/x]`). A bracketed word of the
writer's own (`[sic]`, `[1]`, `[citation needed]`) is text, and stays."""

from __future__ import annotations

import re
from collections.abc import Callable

# A shortcode as WordPress writes one: a name in small letters, then nothing, attributes
# (`key="value"`) or an address. "[spoiler alert]", "[Audio: an interview]" or "[row 3]"
# are the writer's words, not shortcodes.
_SHORTCODE = re.compile(
    r"""\[(/?)([a-z][a-z0-9_-]*)((?:\s+(?:[\w-]+\s*=\s*(?:"[^"]*"|'[^']*'|[^\s\]"']+)|"""
    r"""https?://[^\s\]]+|"[^"]*"))*)\s*\]"""
)
_PRE = re.compile(r"<pre\b.*?</pre>", re.S | re.I)
_SAID = re.compile(r"""\b(?:text|title|label|caption)\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I)
KNOWN_SHORTCODES = frozenset(
    ("caption", "wp_caption", "gallery", "audio", "video", "playlist", "embed", "youtube",
     "vimeo", "soundcloud", "tweet", "twitter", "instagram", "googlemaps", "contact-form",
     "contact-form-7", "gravityform", "column", "columns", "one_half", "one_third",
     "two_third", "one_fourth", "button", "row", "col", "spoiler", "slideshow")
)  # fmt: skip


def _taken(content: str) -> frozenset[str]:
    closed = {found[2].lower() for found in _SHORTCODE.finditer(content) if found[1]}
    return KNOWN_SHORTCODES | closed


def removed_shortcodes(content: str) -> list[str]:
    """The names of the shortcodes strip_shortcodes takes away ([caption] aside: it is
    turned into its picture and caption), outside code blocks."""
    taken = _taken(content)
    content = _PRE.sub("", content)
    return [
        found[2].lower()
        for found in _SHORTCODE.finditer(content)
        if not found[1] and found[2].lower() in taken and found[2].lower() != "caption"
    ]


def strip_shortcodes(content: str) -> str:
    """Shortcodes taken away; the words an attribute says to show (a button's `text`, a
    box's `title`) kept in their place. A code block is left exactly as it is."""
    taken = _taken(content)

    def strip(found: re.Match[str]) -> str:
        if found[2].lower() not in taken:
            return found[0]
        said = _SAID.search(found[3] or "")
        return f" {said[1] or said[2]} " if said and not found[1] else ""

    return outside_pre(content, lambda part: _SHORTCODE.sub(strip, part))


def outside_pre(content: str, change: Callable[[str], str]) -> str:
    """`change` applied to the content but its <pre> blocks, which stay as written."""
    kept: list[str] = []

    def keep(found: re.Match[str]) -> str:
        kept.append(found[0])
        return f"\x00{len(kept) - 1}\x00"

    changed = change(_PRE.sub(keep, content))
    return re.sub(r"\x00(\d+)\x00", lambda found: kept[int(found[1])], changed)
