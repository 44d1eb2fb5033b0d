"""Markdown -> HTML, the fast path: markdown-it-pyrs (markdown-it.rs, in Rust).

About ten times faster than the reference (markdown_reference.py), but it parts from it in
corners: lists and blockquotes, tables, typography inside code, smart quotes beside markup
or symbols, Unicode spaces at a line's ends. Its HTML is kept only when none of those
corners is in the text (`same_as_reference`). Reporting (paragraphs, headings, links,
emphasis, quotes, pictures) is nearly all rendered here. Generated texts check that the two
agree wherever this one's HTML is kept (tests/test_markdown.py).
"""

from __future__ import annotations

import itertools
import logging
import re
import unicodedata

import markdown_it_pyrs

log = logging.getLogger("syndication.ingest")
_fast = markdown_it_pyrs.MarkdownIt("commonmark").enable_many(
    ["table", "strikethrough", "replacements", "smartquotes"]
)

# Lists and blockquotes: the two part on where one ends (a lazy line, an empty item) and on
# how deep they nest (the reference stops at 20 levels, a list and its item being two). And
# the fast one recurses once a level: markers by the ten thousand on one line overflowed its
# stack and killed the process. So it is never given a line that opens either.
_CONTAINER = r"[ \t]*(?:>|(?:[-+*]|\d{1,9}[.)])(?:[ \t]|\n|$))"
_CONTAINER_FIRST_LINE = re.compile(_CONTAINER)
_CONTAINER_LINE = re.compile(rf"\n{_CONTAINER}")  # from a newline: found by a fast scan
# In the fast HTML: code (typography applied inside it), an h1 or an aligned table cell
# (which the reference changes: markdown_reference._adjust), an empty blockquote written
# over two lines, and quotes and strikethrough left as typed (a `"` in text is written
# `&quot;`) where the reference may pair them.
_UNLIKE_IN_HTML = ("<code", "<h1", "style=", "<blockquote>\n</", "&quot;", "'", "&#39;", "~~")
_CURLY_IN_ALT = re.compile(r'alt="[^"]*[‘’“”]')  # the reference leaves alt text as typed
# The reference trims any Unicode space from a line's ends, the fast one only ASCII's.
_UNICODE_SPACE = re.compile("[\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]")
_NBSP = re.compile("&nbsp;")  # how the fast one writes U+00A0
_LINE_ENDS = ("", ">", "<", "\n")
# In the Markdown: a table (where one ends, and quotes in cells, are read otherwise), and
# typography that makes a symbol (©, ®, §, ™, ±) a quote may stand beside.
_REPLACED = re.compile(r"\((?:[crp]|tm)\)", re.IGNORECASE)  # and +-
# Quotes and emphasis marks pair by their neighbours. The two look past markup for them
# differently (`"[a](b)"`, `**"a"**`, `&amp;'`, `\"`), and the reference counts symbols
# (Unicode S*: €, ©, °) as punctuation where the fast one does not.
_MARKUP = frozenset("*_~[]()!<>&;\\`")
_DELIMITER = re.compile(r"[*_~\"'‘’“”]")


def fast_html(markdown: str) -> str | None:
    """The fast renderer's HTML, where it is what the reference writes; else None."""
    fast = None if _has_containers(markdown) else _rendered_fast(markdown)
    return fast if fast is not None and same_as_reference(markdown, fast) else None


def _rendered_fast(markdown: str) -> str | None:
    try:
        return _fast.render(markdown)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # a panic in Rust, which is no Exception: the reference renders it
        log.exception("the fast Markdown renderer failed; the reference renders this body")
        return None


def same_as_reference(markdown: str, html: str) -> bool:
    """Whether the fast renderer's `html` of `markdown` is what the reference writes."""
    if markdown and not markdown.endswith("\n"):  # it ends a last raw HTML line with one
        return False
    if _holds_any(html, _UNLIKE_IN_HTML):
        return False
    if "alt=" in html and _CURLY_IN_ALT.search(html):
        return False
    if (
        "|" in markdown
        or _holds_any(markdown, ("+-",))
        or ("(" in markdown and _REPLACED.search(markdown))
    ):
        return False
    if _holds_any(markdown, ("*_", "_*")):  # runs of the two emphasis marks, read apart
        return False
    if _quote_by_markup(markdown):
        return False
    if markdown.isascii():
        return "&nbsp;" not in html or not _space_at_a_line_end(html)
    return not _space_at_a_line_end(html) and not _delimiter_by_symbol(markdown)


def _holds_any(text: str, marks: tuple[str, ...]) -> bool:
    """Whether `text` holds one of `marks`. Looking for a longer mark costs a few
    microseconds a body, for one character a tenth of that: a mark is looked for only when
    its first and last characters are in the text (most bodies hold no `&` or `~`)."""
    return any(mark in text for mark in marks if mark[-1] in text and mark[0] in text)


def _has_containers(markdown: str) -> bool:
    return bool(_CONTAINER_FIRST_LINE.match(markdown) or _CONTAINER_LINE.search(markdown))


def _quote_by_markup(markdown: str) -> bool:
    for quote in "\"'":  # str.find: a regex's scan of the whole text took five times longer
        at = markdown.find(quote)
        while at >= 0:
            if markdown[at - 1 : at] in _MARKUP or markdown[at + 1 : at + 2] in _MARKUP:
                return True
            at = markdown.find(quote, at + 1)
    return False


def _space_at_a_line_end(html: str) -> bool:
    for found in itertools.chain(_UNICODE_SPACE.finditer(html), _NBSP.finditer(html)):
        start, end = found.span()
        if html[start - 1 : start] in _LINE_ENDS or html[end : end + 1] in _LINE_ENDS:
            return True
    return False


def _delimiter_by_symbol(markdown: str) -> bool:
    for found in _DELIMITER.finditer(markdown):
        at = found.start()
        if _is_symbol(markdown[at - 1 : at]) or _is_symbol(markdown[at + 1 : at + 2]):
            return True
    return False


def _is_symbol(char: str) -> bool:
    return bool(char) and not char.isascii() and unicodedata.category(char).startswith("S")
