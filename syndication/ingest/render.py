"""Markdown -> sanitised HTML and plain text.

Editors may write raw HTML inside Markdown; whatever they write, only an allowlist of tags,
attributes and URL schemes survives, so a pasted embed can never run script on our pages.
"""

from __future__ import annotations

from dataclasses import dataclass

import nh3

from syndication.archive.bodies import plain_text, word_count
from syndication.ingest.characters import strip_forbidden_in_body
from syndication.ingest.markdown import to_html

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "a",
    "em",
    "strong",
    "b",
    "i",
    "u",
    "s",
    "del",
    "ins",
    "sub",
    "sup",
    "small",
    "mark",
    "abbr",
    "cite",
    "q",
    "code",
    "pre",
    "kbd",
    "blockquote",
    "ul",
    "ol",
    "li",
    "dl",
    "dt",
    "dd",
    "figure",
    "figcaption",
    "img",
    "table",
    "caption",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "th",
    "td",
    "span",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "hreflang"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "q": {"cite"},
    "blockquote": {"cite"},
    "ol": {"start", "reversed"},
    "th": {"colspan", "rowspan", "scope"},  # and a class from ALIGN_CLASSES
    "td": {"colspan", "rowspan"},
    "code": {"class"},
}
# Table alignment travels as a class, not a style attribute: feed readers and the W3C Feed
# Validator treat any style in content as a security risk. site.css aligns the cells.
ALIGN_CLASSES = {f"align-{side}" for side in ("left", "center", "right")}
URL_SCHEMES = {"http", "https", "mailto"}
# Removed with everything inside them. Foreign content (svg, math) and raw-text elements
# parse by other rules; keeping their children after dropping them let "<p><svg></p>"
# come out as a paragraph inside a paragraph, which no HTML parser reads back the same.
DROPPED_WITH_CONTENT = {
    "script", "style", "svg", "math", "template", "noscript", "textarea", "title", "xmp",
    "iframe", "object", "noembed", "noframes", "plaintext", "select",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class RenderedBody:
    html: str
    text: str
    word_count: int
    removed: bool = False  # characters no page or feed can carry were left out


def render_markdown(source: str) -> RenderedBody:
    """Characters no page or feed can carry are left out, whether typed or written as an
    entity (`&#1;` in raw HTML comes out of the sanitiser as the character itself, and
    markdown-it turns an impossible `&#0;` into U+FFFD)."""
    kept = strip_forbidden_in_body(source)
    clean = strip_forbidden_in_body(sanitise(to_html(kept)))
    text = plain_text(clean)
    return RenderedBody(clean, text, word_count(text), removed=len(kept) != len(source))


# Built once: converting the allowlists on every call would double the cost of sanitising.
_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    url_schemes=URL_SCHEMES,
    allowed_classes={"th": ALIGN_CLASSES, "td": ALIGN_CLASSES},
    clean_content_tags=DROPPED_WITH_CONTENT,
    link_rel="noopener noreferrer",
)


def sanitise(fragment: str) -> str:
    return _cleaner.clean(fragment)
