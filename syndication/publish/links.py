"""Make an article body's links and image sources absolute, for feeds read far from the site;
and write an address in the one form identifiers are compared in."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

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


DEFAULT_PORTS = {"http": 80, "https": 443}
_ESCAPE = re.compile(r"%[0-9a-fA-F]{2}")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def canonical_url(url: str) -> str:
    """RFC 3986 6.2.2 and 6.2.3: scheme and host in lower case, no default port, an empty
    path as "/", no dot segments, escapes in upper case and none for an unreserved letter.
    Atom compares ids character by character (RFC 4287 4.2.6.1); "http://x" and "http://x/"
    are one address, and an id must be written the one way (the W3C validator checks it)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url  # not an address this can read: as it was given
    if not parts.netloc:
        return url
    host = parts.netloc.rpartition("@")[2]
    if port is not None:
        host = host.rsplit(":", 1)[0]
    host = host.lower().removesuffix(".")  # "example.org." is "example.org"
    user = parts.netloc.rpartition("@")[0]
    user = "" if user in ("", ":") else _escapes(user)  # an empty user and password is none
    netloc = (f"{user}@" if user else "") + host
    if port is not None and port != DEFAULT_PORTS.get(parts.scheme.lower()):
        netloc += f":{port}"
    path = _without_dot_segments(_escapes(parts.path)) or "/"
    # "x?" and "x#" are other addresses than "x" (RFC 3986 6.2.3): kept, as urlunsplit would not
    before_fragment, has_fragment, fragment = url.partition("#")
    query = "?" + _escapes(parts.query) if "?" in before_fragment else ""
    fragment = "#" + _escapes(fragment).replace("#", "%23") if has_fragment else ""
    return f"{parts.scheme.lower()}://{netloc}{path}{query}{fragment}"


_STRAY_PERCENT = re.compile(r"%(?![0-9a-fA-F]{2})")


def _escapes(text: str) -> str:
    """Escapes in upper case, none for an unreserved character, and a "%" that starts none
    escaped itself (%25), so the address is one a URI can be."""
    if "%" not in text:
        return text

    def one(found: re.Match[str]) -> str:
        char = chr(int(found.group()[1:], 16))
        return char if char in _UNRESERVED else found.group().upper()

    return _ESCAPE.sub(one, _STRAY_PERCENT.sub("%25", text))


def _without_dot_segments(path: str) -> str:
    """RFC 3986 5.2.4."""
    if "." not in path:
        return path
    kept: list[str] = []
    segments = path.split("/")
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        if segment == "..":
            if len(kept) > 1:
                kept.pop()
            if last:
                kept.append("")
        elif segment == ".":
            if last:
                kept.append("")
        else:
            kept.append(segment)
    return "/".join(kept)
