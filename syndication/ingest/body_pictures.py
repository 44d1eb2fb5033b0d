"""Pictures an article's body shows from content/: `![The quay](quay.png)` next to the file,
or `/world/quay.png` from the content folder, as `image:` finds its picture.

Each must be there, a web image within the size limit (else an error with its line, and the
file is read again when the picture arrives). It is given the address /media/ serves it at,
with the digest of its bytes, so pages may keep it for good and show a replaced picture at
once; and its width and height, so the page does not move as it loads. Pictures on other
sites (`https://...`) are left as they are.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from urllib.parse import quote, unquote

from syndication.errors import ContentError
from syndication.ingest.fields import UnusablePicture, usable_picture
from syndication.ingest.frontmatter import FrontMatter

_IMG = re.compile(r"<img\b[^>]*>")
_SRC = re.compile(r' src="([^"]*)"')


def place(
    body_html: str, doc: FrontMatter, file: str, article_dir: Path, content_dir: Path
) -> tuple[str, tuple[str, ...]]:
    """The sanitised body with its own pictures' addresses, and those pictures' files
    (relative to the content folder), which the article depends on."""
    if "<img" not in body_html:
        return body_html, ()
    shown: dict[str, None] = {}

    def addressed(tag: re.Match[str]) -> str:
        found = _SRC.search(tag[0])
        if found is None:
            return tag[0]
        src = html.unescape(found[1])
        if not src or "://" in src or src.startswith(("//", "#", "mailto:")):
            return tag[0]  # another site's picture, or nothing to find
        picture, width, height, digest = _picture(src, doc, file, article_dir, content_dir)
        shown[picture] = None
        address = f"/media/{quote(picture)}?v={digest}"
        out = tag[0].replace(found[0], f' src="{html.escape(address)}"', 1)
        if width and height and " width=" not in out and " height=" not in out:
            out = out.replace("<img", f'<img width="{width}" height="{height}"', 1)
        return out

    return _IMG.sub(addressed, body_html), tuple(shown)


def _picture(
    src: str, doc: FrontMatter, file: str, article_dir: Path, content_dir: Path
) -> tuple[str, int | None, int | None, str]:
    """(its path under content/, width, height, digest), or a ContentError at its line."""
    try:
        resolved, info = usable_picture(unquote(src.split("?", 1)[0]), article_dir, content_dir)
    except UnusablePicture as problem:
        raise ContentError(
            file,
            f"the picture {src[:200]!r} in the body {problem.reason}",
            line=_line_of(src, doc),
            needs=problem.needs,
        ) from None
    return resolved.relative_to(content_dir).as_posix(), info.width, info.height, info.digest


def _line_of(src: str, doc: FrontMatter) -> int:
    """The line of the body where the picture is named (its first line if it cannot tell)."""
    at = doc.body.find(src)
    if at < 0:
        at = doc.body.find(html.escape(src))
    return doc.body_line + (doc.body[:at].count("\n") if at >= 0 else 0)
