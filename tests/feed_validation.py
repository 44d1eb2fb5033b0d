"""The W3C Feed Validation Service's own checks (its source, in tests/vendor/feedvalidator)
on a document: what the service at validator.w3.org/feed would say of it.

Each message reads "ClassName in parent element: line L, column C: text", so a test can
name the rule (the class names are the validator's own, logging.py). Two messages are about
what the validator does not know, and are left out where they are true: the RFC 6721
tombstones namespace where a feed carries tombstones, and "Archive incomplete" (RFC 5005);
and a document given without the URL it came from cannot match its rel="self".
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "vendor"))
import feedvalidator
from feedvalidator import compatibility, logging
from feedvalidator.formatter.text_plain import Formatter

RSL = "https://rslstandard.org/rsl"
TOMBSTONES = "http://purl.org/atompub/tombstones/1.0"


def validated(body: bytes, content_type: str, url: str = "") -> tuple[list[str], list[str]]:
    """(errors, warnings) the validator logs for `body`, as served with `content_type`."""
    result = feedvalidator.validateStream(
        io.BytesIO(body), firstOccurrenceOnly=0, contentType=content_type.split(";")[0], base=url
    )
    events = result["loggedEvents"]
    errors = set(map(id, compatibility.A(events)))
    formatter = Formatter([])
    found: tuple[list[str], list[str]] = ([], [])
    for event in compatibility.AA(events):
        if _allowed(event, body, url):
            continue
        where = " ".join(str(event.params.get(k, "")) for k in ("parent", "element")).strip()
        line = f"{type(event).__name__} in {where}: {formatter.format(event)}"
        found[0 if id(event) in errors else 1].append(line)
    return found


def _allowed(event: logging.LoggedEvent, body: bytes, url: str) -> bool:
    if isinstance(event, logging.ArchiveIncomplete):
        return True
    if isinstance(event, logging.SelfDoesntMatchLocation) and not url:
        return True  # a document made in the test, fetched from nowhere
    # The validator predates RFC 6721's tombstones and RSL (2025): it warns of their
    # namespaces as unknown, and finds no error in the documents that use them.
    return isinstance(event, logging.UnknownNamespace) and (
        (event.params.get("namespace") == TOMBSTONES and b"deleted-entry" in body)
        or (event.params.get("namespace") == RSL and b"<rsl:content " in body)
    )


def atom_messages(body: bytes, url: str = "") -> list[str]:
    """Everything the validator says of an Atom document fetched from `url`."""
    errors, warnings = validated(body, "application/atom+xml", url)
    return errors + warnings


def rss_messages(body: bytes, url: str = "") -> list[str]:
    errors, warnings = validated(body, "application/rss+xml", url)
    return errors + warnings
