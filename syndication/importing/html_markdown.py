"""A post's HTML -> Markdown an editor can go on writing in: WordPress's block comments and
shortcodes undone, the HTML cleaned as our own renderer would (no script, no `javascript:`
link, no style), links made absolute or, on the old site's own host, paths (so they follow
the old addresses' redirects), then markdownify."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from urllib.parse import urljoin, urlsplit

import nh3
from markdownify import MarkdownConverter

from syndication.importing.shortcodes import strip_shortcodes
from syndication.importing.wpautop import wpautop
from syndication.ingest.fields import MAX_STANDFIRST
from syndication.ingest.render import ALLOWED_ATTRIBUTES, ALLOWED_TAGS

_BLOCK_COMMENT = re.compile(r"<!--\s*/?wp:.*?-->", re.S)
_CAPTION = re.compile(
    r"""\[caption((?:[^\]"']|"[^"]*"|'[^']*')*)\](.*?)\[/caption\]""", re.S | re.I
)
_FIGCAPTION = re.compile(r"<figcaption\b[^>]*>(.*?)</figcaption>", re.S | re.I)  # blocks'
_CAPTION_ATTRIBUTE = re.compile(r"""\bcaption=(?:"([^"]*)"|'([^']*)')""", re.I)
_CAPTION_PARTS = re.compile(r"^\s*((?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*</a>)?)(.*)$", re.S | re.I)
_BREAKS = re.compile(
    r"<(?:br|/p|/div|/li|/h[1-6]|/td|/th|/tr|/blockquote|/figcaption)\b[^>]*>", re.I
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_TAGS = ALLOWED_TAGS | {"h1"}  # markdownify makes a heading of it; ingest keeps its text


def plain(text: str) -> str:
    """HTML or text -> one line of plain text (for a title or a standfirst); the end of a
    paragraph or a line break is a space, so words either side are never glued together."""
    if "<" in text:
        text = nh3.clean(_BREAKS.sub(" ", text), tags=set())
    return " ".join(html.unescape(_CONTROL.sub("", text)).split())


def cut_at_word(text: str, limit: int) -> str:
    """The text within `limit` characters, cut after a word with an ellipsis when longer."""
    if len(text) <= limit:
        return text
    kept = text[: limit - 1]
    if " " in kept:
        kept = kept.rsplit(" ", 1)[0]
    return kept.rstrip(" ,;:") + "…"


# Pictures that only count readers: 1x1, or served by a counter (FeedBurner, WordPress.com
# stats, feedsportal, doubleclick, pixel hosts).
_IMG = re.compile(r"<img\b[^>]*>", re.I | re.S)
_ONE_PIXEL = re.compile(
    r"""\b(?:width|height)\s*(?:=\s*["']?|:\s*)[01](?:\.0+)?(?:px)?\s*(?:["';\s/>]|$)""", re.I
)
_TRACKERS = re.compile(
    r"""src\s*=\s*["']?[a-z]+://(?:[^/"']*\.)?(?:feeds\.feedburner\.com/~r/|feedburner\.com/|"""
    r"""pixel\.wp\.com|stats\.wordpress\.com|feedsportal\.com|doubleclick\.net|"""
    r"""pixel\.|analytics\.|ad\.doubleclick|google-analytics\.com|googletagmanager\.com|"""
    r"""facebook\.com/tr|bat\.bing\.com|quantserve\.com|scorecardresearch\.com)""",
    re.I,
)


def without_trackers(content: str) -> tuple[str, int]:
    """The text less its tracking pixels; how many were taken away."""
    taken = 0

    def pixel(found: re.Match[str]) -> str:
        nonlocal taken
        tag = found[0]
        one_by_one = len(_ONE_PIXEL.findall(tag)) >= 2
        if one_by_one or _TRACKERS.search(tag):
            taken += 1
            return ""
        return tag

    return _IMG.sub(pixel, content), taken


def to_markdown(
    body: str,
    base: str,
    site_host: str,
    pictures: Mapping[str, str] | None = None,
    *,
    wordpress: bool = False,
) -> str:
    """`base` is the post's old address, which relative links were relative to; `pictures`
    names the copies under content/ of the post's pictures, by their absolute address.
    A `wordpress` post written in the classic editor (no block comments) has its
    paragraphs by WordPress's rule; a feed's HTML has its own, or none but blank lines."""
    classic = wordpress and "<!-- wp:" not in body
    body = _CONTROL.sub("", _BLOCK_COMMENT.sub("", body))
    body = _FIGCAPTION.sub(r"<p><em>\1</em></p>", _CAPTION.sub(_figure, body))
    body = strip_shortcodes(body)  # what no converter took: the shortcode goes, its text stays
    if classic:
        body = wpautop(body)
    elif "<p" not in body and "\n\n" in body:  # a feed's text with blank lines
        body = "".join(f"<p>{part}</p>" for part in body.split("\n\n") if part.strip())
    cleaned = nh3.clean(
        body,
        tags=_TAGS,
        attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
        url_schemes={"http", "https", "mailto"},
        attribute_filter=lambda tag, attr, value: (
            _linked(value, base, site_host, pictures)
            if attr == "href"
            else _picture(value, base, pictures or {})
            if attr == "src"
            else value
        ),
        link_rel=None,
    )
    text = _Markdown(heading_style="ATX", bullets="-", escape_underscores=False).convert(cleaned)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


_MARKDOWN_PICTURE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")


def story_body(
    html: str,
    base: str,
    site_host: str,
    pictures: Mapping[str, str] | None,
    title: str,
    *,
    wordpress: bool = False,
) -> str:
    """A post's HTML as a story's Markdown (`to_markdown`); a post of pictures alone is made
    a picture story (`as_picture_story`)."""
    return as_picture_story(
        to_markdown(html, base, site_host, pictures, wordpress=wordpress), title
    )


def standfirst_of(excerpt: str) -> str:
    """An excerpt or summary as plain text, cut at a word within a standfirst's length."""
    return cut_at_word(plain(excerpt), MAX_STANDFIRST)


def as_picture_story(markdown: str, title: str) -> str:
    """A post of pictures and nothing to read: its first picture's alt text (else the
    title) is written under it as its caption, so it is a picture story, not a post
    refused for having no text. Any other post is left as it is."""
    pictures = _MARKDOWN_PICTURE.findall(markdown)
    if not pictures or re.search(r"\w", _MARKDOWN_PICTURE.sub("", markdown)):
        return markdown
    return markdown.rstrip() + f"\n\n*{plain(pictures[0]) or title}*\n"


_ENTITY_LIKE = re.compile(r"&(?=#?\w+;)")


class _Markdown(MarkdownConverter):
    """markdownify, with the text's own `<` and `&...;` kept as text: `&lt;script&gt;` in a
    post is the word <script>, and written raw it would be read as a tag (and a whole post
    after it was once lost)."""

    def escape(self, text: str, parent_tags: set[str]) -> str:
        text = str(super().escape(text, parent_tags))  # type: ignore[misc]  # not in its stubs
        if "pre" in parent_tags or "code" in parent_tags:
            return text  # (a code block's text is shown as it is)
        return _ENTITY_LIKE.sub("&amp;", text).replace("<", "&lt;")


def _figure(found: re.Match[str]) -> str:
    """[caption]<img> text[/caption], or [caption caption="text"]<img>[/caption] (the form
    older WordPress wrote): the picture, then its caption in italics."""
    parts = _CAPTION_PARTS.match(found[2])
    attribute = _CAPTION_ATTRIBUTE.search(found[1])
    if parts is None:  # not one picture (a gallery): what it holds, then the caption
        said = html.unescape(attribute[1] or attribute[2]) if attribute else ""
        return found[2] + (f"<p><em>{html.escape(said)}</em></p>" if said else "")
    caption = parts[2].strip() or (html.unescape(attribute[1] or attribute[2]) if attribute else "")
    return f"<p>{parts[1]}</p><p><em>{caption}</em></p>" if caption else parts[1]


def _linked(
    value: str, base: str, site_host: str, pictures: Mapping[str, str] | None
) -> str | None:
    """A link: to the copy, when it leads to a picture that was copied (a full-size one a
    thumbnail opened); else as _url makes it."""
    if pictures and (absolute := _url(value, base, "")) in pictures:
        return pictures[str(absolute)]
    return _url(value, base, site_host)


def _picture(value: str, base: str, pictures: Mapping[str, str]) -> str | None:
    """The copy of the picture under content/, else its absolute address."""
    absolute = _url(value, base, "")
    return pictures.get(absolute, absolute) if absolute is not None else None


def _url(value: str, base: str, site_host: str) -> str | None:
    """An absolute link, or a path when it points at the old site's own host."""
    if value.startswith("#"):
        return value
    absolute = urljoin(base, value.strip())
    parts = urlsplit(absolute)
    if parts.scheme not in ("http", "https", "mailto"):
        return None
    if (
        parts.scheme != "mailto"
        and parts.hostname == site_host
        and "/wp-content/uploads/" not in parts.path  # a file, not a page: no redirect here
    ):
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return absolute
