"""Make an article body's links and image sources absolute, for feeds read far from the site."""

from __future__ import annotations

import re
from urllib.parse import urljoin

_ATTRIBUTE = re.compile(r'(\s(?:href|src|cite)=")([^"]*)(")')


def absolutize(html: str, base: str) -> str:
    """Resolve every href/src/cite against `base` (the article's absolute URL)."""

    if ' href="' not in html and ' src="' not in html and ' cite="' not in html:
        return html  # most bodies have no links: skip the scan

    def fix(match: re.Match[str]) -> str:
        value = match.group(2)
        if not value or value.startswith(("#", "mailto:")) or "://" in value:
            return match.group(0)
        return f"{match.group(1)}{urljoin(base, value)}{match.group(3)}"

    return _ATTRIBUTE.sub(fix, html)
