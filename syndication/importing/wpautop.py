"""WordPress's paragraph rule (wpautop), as WordPress applies it to a classic post: text
between block-level elements is cut into paragraphs at blank lines, and a single line
break within a paragraph is a line break. A post that holds `<p style=...>`, a `<pre>` or
an old video embed's `<param>` still has its other paragraphs (the rule once ran only on
posts with no `<p` anywhere, and such posts lost every paragraph break). `<pre>` and
comments are left exactly as they are."""

from __future__ import annotations

import re

# WordPress's $allblocks, and the embeds that stand as blocks of their own.
_BLOCK = (
    r"(?:table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre|"
    r"form|map|area|blockquote|address|math|style|p|h[1-6]|hr|fieldset|legend|section|"
    r"article|aside|hgroup|header|footer|nav|figure|figcaption|details|menu|summary|object|"
    r"embed|video|audio|iframe|picture|source|param)"
)
_OPENS = re.compile(rf"(<{_BLOCK}\b[^>]*>)", re.I)
_CLOSES = re.compile(rf"(</{_BLOCK}>)", re.I)
_TAG = rf"</?{_BLOCK}\b[^>]*>"
_P_BEFORE_BLOCK = re.compile(rf"<p>\s*({_TAG})", re.I)
_P_AFTER_BLOCK = re.compile(rf"({_TAG})\s*</p>", re.I)
_BR_AFTER_BLOCK = re.compile(rf"({_TAG})\s*<br>", re.I)
_BR_BEFORE_BLOCK = re.compile(rf"<br>(\s*{_TAG})", re.I)
_KEPT = re.compile(r"<pre\b.*?</pre>|<!--.*?-->|<(script|style)\b.*?</\1>", re.S | re.I)
_BLANK_LINE = re.compile(r"\n[ \t]*\n\s*")


def wpautop(text: str) -> str:
    kept: list[str] = []

    def keep(found: re.Match[str]) -> str:
        kept.append(found[0])
        return f"\n\n\x00{len(kept) - 1}\x00\n\n"

    text = _KEPT.sub(keep, text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _CLOSES.sub(r"\1\n\n", _OPENS.sub(r"\n\n\1", text))
    paragraphs = []
    for chunk in _BLANK_LINE.split(text):
        chunk = chunk.strip()
        if chunk.startswith("\x00"):
            paragraphs.append(chunk)  # kept as it was
        elif chunk:
            # As WordPress: each chunk a paragraph, its line ends line breaks; then a <p>
            # (or a <br>) beside a block element's tag is taken away again.
            lines = chunk.replace("\n", "<br>\n")
            lines = _BR_BEFORE_BLOCK.sub(r"\1", _BR_AFTER_BLOCK.sub(r"\1", lines))
            paragraphs.append(
                _P_AFTER_BLOCK.sub(r"\1", _P_BEFORE_BLOCK.sub(r"\1", f"<p>{lines}</p>"))
            )
    joined = "\n".join(paragraphs)
    return re.sub(r"\x00(\d+)\x00", lambda found: kept[int(found[1])], joined)
