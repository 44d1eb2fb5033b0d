"""The last line of defence: one article must never break a whole page or feed.

Ingest refuses what no document can carry, but an archive written by an older version, or a
case nobody thought of, may still hold it. A document that fails to render, or renders
bytes that XML 1.0 or HTML cannot carry, is rendered again without the articles that break
it; the caller serves the rest and records an error against each of their files.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

T = TypeVar("T")

# characters.FORBIDDEN, as UTF-8: C0 controls but tab and newlines, DEL and C1 controls,
# U+FDD0..U+FDEF, and U+xFFFE / U+xFFFF in every plane. Each kind is looked for only when
# a byte it needs is there: one regex with every alternative scanned a 1 MB feed in 23 ms.
_C0_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
_C0 = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_C1 = re.compile(rb"\xc2[\x80-\x9f]")
_NONCHARACTER_LEADS = (b"\xef", b"\xf0", b"\xf1", b"\xf2", b"\xf3", b"\xf4")  # first bytes
# U+FDD0..U+FDEF, U+FFFE, U+FFFF, and U+nFFFE/U+nFFFF of planes 1-16 (F0-F4, xF, BF, BE/BF)
_NONCHARACTERS = re.compile(
    rb"\xef\xb7[\x90-\xaf]|\xef\xbf[\xbe\xbf]|[\xf0-\xf4][\x8f\x9f\xaf\xbf]\xbf[\xbe\xbf]"
)


class _Forbidden:
    """`search(body)` like a compiled pattern's, for the bytes above."""

    def search(self, body: bytes) -> re.Match[bytes] | None:
        # Deleting the C0 bytes is some five times faster than the pattern's scan, and a
        # one-byte `in` is a memchr: the patterns run only where they may find something.
        found = []
        if len(body.translate(None, _C0_BYTES)) != len(body):
            found.append(_C0.search(body))
        if b"\xc2" in body:
            found.append(_C1.search(body))
        if any(lead in body for lead in _NONCHARACTER_LEADS):
            found.append(_NONCHARACTERS.search(body))
        matches = [m for m in found if m is not None]
        return min(matches, key=lambda m: m.start()) if matches else None


FORBIDDEN_UTF8 = _Forbidden()


def rendered_or_problem(
    render: Callable[[tuple[T, ...]], bytes], items: tuple[T, ...]
) -> tuple[bytes | None, str | None]:
    """(the document, None) when rendering these items gives a usable one, else (None, why)."""
    try:
        body = render(items)
    except Exception as exc:  # whatever the renderer raises on content it cannot hold
        return None, f"{type(exc).__name__}: {exc}"[:300]
    found = FORBIDDEN_UTF8.search(body)
    if found is not None:
        return None, f"it would write the bytes {found.group()!r}, which no feed or page can carry"
    return body, None


def problem_with(render: Callable[[tuple[T, ...]], bytes], items: tuple[T, ...]) -> str | None:
    """Why rendering these items gives no usable document, or None when it does."""
    return rendered_or_problem(render, items)[1]


def leaving_out_broken(
    render: Callable[[tuple[T, ...]], bytes], items: Sequence[T]
) -> tuple[bytes, list[tuple[T, str]]]:
    """The document, and the items left out of it with the reason. Costs one render when
    nothing is wrong; a render of nothing that still fails is a bug and raises."""
    whole = tuple(items)
    body, _ = rendered_or_problem(render, whole)
    if body is not None:
        return body, []
    good: list[T] = []
    broken: list[tuple[T, str]] = []
    for item in whole:
        reason = problem_with(render, (item,))
        if reason is None:
            good.append(item)
        else:
            broken.append((item, reason))
    return render(tuple(good)), broken


# Who is told of an article left out: (article id or address, what happened).
Report = Callable[[str, str], Awaitable[None]]


async def render_reporting(
    report: Report,
    document: str,
    render: Callable[[tuple[T, ...]], bytes],
    items: Sequence[T],
    key: Callable[[T], str],
) -> bytes:
    """`render` the items; any that break it are left out and reported. `key` names an
    item's article; `document` says where it was left out."""
    body, broken = leaving_out_broken(render, items)
    for item, reason in broken:
        await report(key(item), f"left out of {document}: {reason}")
    return body
