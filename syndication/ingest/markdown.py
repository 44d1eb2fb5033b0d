"""Markdown -> HTML, by two renderers of the same markdown-it rules: the fast path's HTML
(markdown_fast.py) where it is what the reference (markdown_reference.py) writes, else the
reference's."""

from __future__ import annotations

from syndication.ingest.markdown_fast import fast_html
from syndication.ingest.markdown_reference import reference_html


def to_html(markdown: str) -> str:
    fast = fast_html(markdown)
    return fast if fast is not None else reference_html(markdown)
