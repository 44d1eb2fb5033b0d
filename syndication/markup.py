"""What in plain text HTML would read as markup: a character reference ("&amp;", "&#169;",
"&#x26;"). In front matter it is text, as typed (ingest warns of it); feeds keep it text for
readers that take titles as HTML (publish/feed_extensions.py)."""

from __future__ import annotations

import re

CHARACTER_REFERENCE = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")
