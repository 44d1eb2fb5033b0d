"""WordPress's shortcodes a conversion takes away, their text kept: those WordPress and its
common plugins have, and any that is closed (`[x]...[/x]`). A bracketed word of the
writer's own (`[sic]`, `[1]`, `[citation needed]`) is text, and stays."""

from __future__ import annotations

import re

_SHORTCODE = re.compile(r"\[(/?)([a-z][a-z0-9_-]*)(\s[^\]]*)?\]", re.I)
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
    turned into its picture and caption)."""
    taken = _taken(content)
    return [
        found[2].lower()
        for found in _SHORTCODE.finditer(content)
        if not found[1] and found[2].lower() in taken and found[2].lower() != "caption"
    ]


def strip_shortcodes(content: str) -> str:
    taken = _taken(content)
    return _SHORTCODE.sub(lambda found: "" if found[2].lower() in taken else found[0], content)
