"""Whose copy is this: `source:` against syndication.toml, and agency names in rights lines.

Rights fail closed. A `source:` that names no configured source is an error (a misspelt
agency once made licensed copy look like our own), and a rights or credit line that names a
licensed-in agency, or comes within a typo of one, makes the text or the picture licensed-in.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from functools import lru_cache

from syndication.model import Source

NEAR_MISS = 0.85  # difflib ratio from which a name in a rights line counts as the agency's
_WORD = re.compile(r"\w+")


def find_source(name: str, sources: Iterable[Source]) -> Source | None:
    """The configured source this `source:` value names, by name or alias, ignoring case
    and spacing."""
    wanted = _key(name)
    for source in sources:
        if wanted in (_key(n) for n in source.names):
            return source
    return None


def suggestion(name: str, sources: Iterable[Source]) -> str:
    """The configured name closest to a value that named none, when one is close."""
    options = {_key(n): source.name for source in sources for n in source.names}
    close = difflib.get_close_matches(_key(name)[:200], list(options), n=1, cutoff=0.6)
    if close:
        return options[close[0]]
    words = set(_words(name))  # "Continental Press Agency (CPA)" holds a whole name
    for key, source_name in options.items():
        if set(_words(key)) <= words:
            return source_name
    return ""


def licensed_source_named(text: str, sources: Iterable[Source]) -> tuple[Source, bool] | None:
    """The licensed-in source a rights or credit line names, and whether only nearly (a typo
    of its name); None when it names none."""
    if not text:
        return None
    words = _words(text)
    near: Source | None = None
    for source in sources:
        if not source.licensed_in:
            continue
        for name in source.names:
            wanted = _words(name)
            if _contains(words, wanted):
                return source, False
            if near is None and len(name) >= 8 and _nearly_contains(words, wanted):
                near = source
    return (near, True) if near is not None else None


def _key(name: str) -> str:
    return " ".join(_words(name))


@lru_cache(maxsize=4096)
def _words(text: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(text.casefold()))


def _contains(words: tuple[str, ...], wanted: tuple[str, ...]) -> bool:
    size = len(wanted)
    return size > 0 and any(words[i : i + size] == wanted for i in range(len(words) - size + 1))


@lru_cache(maxsize=4096)  # credit lines repeat ("Ledger Photo Desk" on every staff picture)
def _nearly_contains(words: tuple[str, ...], wanted: tuple[str, ...]) -> bool:
    """A run of about as many words reads like the name: one letter off, one word short."""
    target = " ".join(wanted)
    matcher = difflib.SequenceMatcher(None, b=target, autojunk=False)  # indexes the name once
    for size in {len(wanted) - 1, len(wanted), len(wanted) + 1} - {0}:
        for i in range(len(words) - size + 1):
            candidate = " ".join(words[i : i + size])
            # real_quick_ratio(), the bound lengths alone give, without setting up the match
            if 2 * min(len(candidate), len(target)) < NEAR_MISS * (len(candidate) + len(target)):
                continue
            matcher.set_seq1(candidate)
            if matcher.ratio() >= NEAR_MISS:
                return True
    return False
