"""Markdown -> HTML, the reference renderer: markdown-it-py.

Every body was first rendered with it, and the archive's pages, feeds and partners' copies
must not change when an article is read again: wherever the fast path (markdown_fast.py)
might write other HTML, this renders the body.
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.token import Token

_reference = MarkdownIt("commonmark", {"html": True, "typographer": True}).enable(
    ["table", "strikethrough", "replacements", "smartquotes"]
)


def reference_html(markdown: str) -> str:
    tokens = _reference.parse(markdown)
    _adjust(tokens)
    html: str = _reference.renderer.render(tokens, _reference.options, {})
    return html


def _adjust(tokens: list[Token]) -> None:
    """The headline is the page's only h1: an `# heading` in the body becomes an h2. Table
    cells get their alignment as a class (markdown-it writes a style attribute)."""
    for token in tokens:
        if token.type in ("heading_open", "heading_close") and token.tag == "h1":
            token.tag = "h2"
        elif token.type in ("th_open", "td_open") and "style" in token.attrs:
            style = str(token.attrs.pop("style"))
            token.attrs["class"] = "align-" + style.removeprefix("text-align:").strip()
