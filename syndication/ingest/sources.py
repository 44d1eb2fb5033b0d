"""Whose copy is this: `source:` against syndication.toml, and agency names in rights lines.

Rights fail closed. A `source:` that names no configured source is an error (a misspelt
agency once made licensed copy look like our own), and a rights or credit line that names a
licensed-in agency, or comes within a typo of one, makes the text or the picture licensed-in.
"""

from __future__ import annotations

import difflib
import itertools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import decancer_py

from syndication.model import Source

MAX_LINE = 2000  # a rights or credit line is read this far for agencies' names
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


@dataclass(frozen=True, slots=True)
class Named:
    """A licensed-in source a rights or credit line names (None: the line is disguised, so it
    is taken as licensed-in though no source could be read in it), and, when the editor is to
    be warned, why: a typo of the name, look-alike letters, hidden or reordering characters."""

    source: Source | None
    warning: str = ""


def licensed_source_named(text: str, sources: Iterable[Source]) -> Named | None:
    """Whether a rights or credit line names a licensed-in source, however it is spelt: as
    written, on its skeleton (look-alike letters of any script, full-width and styled forms,
    accents, hidden characters, spaces and punctuation ignored), by initials, or within a typo.
    A line with bidi controls or a word mixing scripts is licensed-in whatever it says."""
    if not text:
        return None
    licensed = tuple(s for s in sources if s.licensed_in)
    words = _words(text)
    for source in licensed:
        if any(_contains(words, _words(name)) for name in source.names):
            return Named(source)
    skeletons = _skeletons(text)
    for source in licensed:
        if any(_names_on_skeleton(skeleton, source) for skeleton in skeletons):
            return Named(source, _disguised(source.name))
    if _BIDI.intersection(text):
        return Named(None, _HIDDEN)
    if _mixes_scripts(text):
        return Named(None, _MIXED)
    for source in licensed:
        for name in source.names:
            if len(name) >= 8 and _nearly_contains(skeletons[1].words, _words(name)):
                return Named(source, _near_miss(source.name))
            if any(_all_but_its_last_word(skeleton, name) for skeleton in skeletons):
                return Named(source, _near_miss(source.name))
    return None


def _all_but_its_last_word(skeleton: Skeleton, name: str) -> bool:
    """A name of three words or more without its last (Continental Press, for Continental
    Press Agency), as words or run together: its first words are what tells it apart."""
    words = _skeleton(name).words
    if len(words) < 3:
        return False
    head = words[:-1]
    return _contains(skeleton.words, head) or (
        len(letters := "".join(head)) >= 10 and letters in skeleton.letters
    )


_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_HIDDEN = (
    "this line holds characters that reorder text (bidi controls), so what it shows may not be "
    "what it says: it is treated as licensed-in copy and not passed on to partners"
)
_MIXED = (
    "a word in this line mixes letters of different scripts (look-alikes of Latin letters?): it "
    "is treated as licensed-in copy and not passed on to partners"
)


def _disguised(agency: str) -> str:
    return (
        f"this reads as `{agency}` once look-alike letters, hidden characters, spacing or "
        "initials are read for what they show: its copy is licensed in, so it is treated as "
        "theirs and not passed on to partners"
    )


def _near_miss(agency: str) -> str:
    return (
        f"this reads like `{agency}`, whose copy is licensed in, so it is treated as theirs "
        "and not passed on to partners; if it is ours, correct the spelling"
    )


@dataclass(frozen=True, slots=True)
class Skeleton:
    """A line as it shows: `letters` run together, and its `words` with runs of single
    letters joined (C. P. A. is cpa)."""

    letters: str
    words: tuple[str, ...]
    tokens: tuple[str, ...]  # as the line splits them, single letters alone
    cased: tuple[str, ...] = ()  # its words as written, capitals kept (CPAbild, AFPCPA)


_COPYRIGHT = re.compile(r"\(c\)", re.IGNORECASE)
_APOSTROPHE = re.compile(r"(?<=\w)['\u2019\u02bc`](?=\w)")  # Cont'l is Contl
_LETTERS = re.compile(r"[^\W\d_]+")


def _skeletons(text: str) -> tuple[Skeleton, ...]:
    """The line's skeleton as written and after NFKC: each catches what the other misses
    (NFKC makes circled letters letters, but turns the lunate sigma Ϲ, a C, into Σ); and
    with words run together in camel case taken apart (LedgerCPA). Symbols named for a
    Latin letter (🅲, ⒞, 🇨) are that letter first."""
    line = _lettered(text[:MAX_LINE])
    nfkc = unicodedata.normalize("NFKC", line)
    return _skeleton(line), _skeleton(nfkc), _skeleton(_camel_apart(nfkc))


def _camel_apart(text: str) -> str:
    """A space wherever a lower-case letter is followed by a capital (photoCPA, LedgerCPA)."""
    out = []
    for before, c in zip(" " + text, text, strict=False):
        if before.islower() and c.isupper():
            out.append(" ")
        out.append(c)
    return "".join(out)


_NAMED_LETTER = re.compile(r"(?:LATIN (?:CAPITAL|SMALL) LETTER|SYMBOL LETTER) ([A-Z])$")
# Letters Unicode draws as nothing: Hangul fillers, the braille blank, Khmer's inherent vowels.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u17b4\u17b5\u180e")


def _lettered(text: str) -> str:
    """Each symbol whose Unicode name is a Latin letter's (negative-squared, parenthesised,
    circled, regional indicators) as that letter; letters drawn as nothing removed."""
    out = []
    for c in text:
        if c in _BLANK_LETTERS:
            continue
        if c.isascii() or unicodedata.category(c)[0] not in "SL":
            out.append(c)
            continue
        described = unicodedata.name(c, "")
        named = _NAMED_LETTER.search(described)
        if named and not c.isalpha():  # a capital stays one: 🅲🅿🅰bild is CPAbild
            capital = "CAPITAL" in described or "SYMBOL LETTER" in described
            out.append(named[1] if capital else named[1].lower())
        else:
            out.append(c)
    return "".join(out)


@lru_cache(maxsize=4096)
def _skeleton(text: str) -> Skeleton:
    """UTS #39's idea of a skeleton, through decancer (confusables, styled and full-width
    letters mapped to lower-case Latin), with accents and every format character (zero-width
    spaces and joiners, bidi controls, soft hyphens) removed."""
    # Symbols become spaces first, and (c) too: decancer reads © as c, and © C.P.A. is not
    # ccpa, nor (c) P. A. Jones cpa.
    # Accents go too (decomposed, marks dropped): decancer alone once read ó as p.
    visible = "".join(c for c in text if unicodedata.category(c) != "Cf")  # then Cont'l: Contl
    shown = "".join(
        " " if kind.startswith("S") else c
        for c in unicodedata.normalize("NFD", _COPYRIGHT.sub(" ", _APOSTROPHE.sub("", visible)))
        if (kind := unicodedata.category(c)) not in ("Cf", "Mn")
    )
    cured = str(decancer_py.parse(shown)) if shown.strip() else ""
    tokens = re.findall(r"[a-z]+|[0-9]+", cured)  # ©CPA2026 holds the word cpa
    words: list[str] = []
    in_run = False  # the last word is a run of single letters so far
    for token in tokens:
        single = len(token) == 1 and token.isalpha()
        if single and in_run:
            words[-1] += token
        else:
            words.append(token)
            in_run = single
    cased = tuple(_LETTERS.findall(shown))
    return Skeleton("".join(tokens), tuple(words), tuple(tokens), cased)


def _names_on_skeleton(skeleton: Skeleton, source: Source) -> bool:
    """A name of at least six letters anywhere in the line's letters run together; a shorter
    name or alias, and a name's initials, as a word or glued to a word of a credit
    (CPAphoto); a name with its words cut short (Cont. Press Agcy.)."""
    for name in source.names:
        letters = _skeleton(name).letters
        if len(letters) >= 6 and letters in skeleton.letters:
            return True
        initials = "".join(word[0] for word in _words(name))
        for short in (letters, initials if len(initials) >= 2 else ""):
            if short and (short in skeleton.words or _glued(skeleton.words, short)):
                return True
            if len(short) >= 3 and _glued_in_capitals(skeleton.cased, short):
                return True
        if any(_runs_into(skeleton.tokens, short) for short in _shortened(name)):
            return True
        if _abbreviates(skeleton.tokens, _skeleton(name).words):
            return True
    return False


# Words a credit line glues to an agency's initials: CPAphoto, NWSimages, fotoCPA.
CREDIT_WORDS = frozenset(
    ("photo", "photos", "foto", "fotos", "pic", "pics", "image", "images", "picture",
     "pictures", "video", "videos", "press", "news", "wire", "graphic", "graphics", "tv",
     "desk", "staff", "pool")
)  # fmt: skip


def _glued(words: tuple[str, ...], short: str) -> bool:
    for word in words:
        if word.startswith(short) and word[len(short) :] in CREDIT_WORDS:
            return True
        if word.endswith(short) and word[: -len(short)] in CREDIT_WORDS:
            return True
    return False


def _glued_in_capitals(words: tuple[str, ...], short: str) -> bool:
    """Initials written in capitals at the start or end of a longer word whose rest is in
    small letters or a word of its own: CPAbild, CPAs, CPAReuters, AFPCPA, HARBOURCPA; not
    an acronym one letter longer (NWSL, CPAP). (In small letters, only with a credit's
    word: cpaphoto; "cpa" begins no word, but "ap" begins many.)"""
    size = len(short)
    for word in words:
        if len(word) <= size:
            continue
        for part, rest in ((word[:size], word[size:]), (word[-size:], word[:-size])):
            if (
                part.isupper()
                and (rest.islower() or len(rest) >= 3)
                and _skeleton(part).letters == short
            ):
                return True
    return False


@lru_cache(maxsize=4096)
def _abbreviates(tokens: tuple[str, ...], name_words: tuple[str, ...]) -> bool:
    """Whether consecutive tokens of the line are the name's words, each as written or cut
    short the ways abbreviations are (Cont., Agcy, Contl: its first letter, then some of
    its letters in order)."""
    size = len(name_words)
    if not 2 <= size <= 6:
        return False
    return any(
        all(map(_abbreviation, tokens[i : i + size], name_words))
        for i in range(len(tokens) - size + 1)
    )


def _abbreviation(token: str, word: str) -> bool:
    if not token or token[0] != word[0]:
        return False
    letters = iter(word)
    return all(c in letters for c in token)


@lru_cache(maxsize=256)
def _shortened(name: str) -> tuple[str, ...]:
    """The name with some of its words cut to their initial (Continental P.A., C PA, CP A):
    each way of writing it short, as letters run together."""
    words = _skeleton(name).words
    if not 2 <= len(words) <= 6:
        return ()
    ways = {
        "".join(word if full else word[0] for word, full in zip(words, mask, strict=True))
        for mask in itertools.product((True, False), repeat=len(words))
    }
    return tuple(sorted(ways - {"".join(words)}))


def _runs_into(tokens: tuple[str, ...], letters: str) -> bool:
    """Whether consecutive tokens of the line spell `letters` when run together."""
    for start in range(len(tokens)):
        joined = ""
        for token in tokens[start:]:
            joined += token
            if joined == letters:
                return True
            if not letters.startswith(joined):
                break
    return False


def _key(name: str) -> str:
    return Source.key(name)


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


@lru_cache(maxsize=4096)
def _mixes_scripts(text: str) -> bool:
    """Whether a word holds Latin letters beside letters of a script whose letters pass for
    Latin ones (Cyrillic а in "Agency"): what look-alike spellings do, and no language's
    words do. (Latin beside Han or kana, as in Japanese, is ordinary.)"""
    for word in re.findall(r"\w+", text[:MAX_LINE]):
        if any(c.isdigit() for c in word):
            continue  # a measure (10µm, 5kΩ), not a name
        scripts = {_script(c) for c in word if c.isalpha()}
        if "LATIN" in scripts and scripts & _LOOK_LATIN:
            return True
    return False


_LOOK_LATIN = frozenset({"CYRILLIC", "GREEK", "ARMENIAN", "CHEROKEE", "COPTIC", "LISU"})


def _script(letter: str) -> str:
    """A letter's script, as the first word of its Unicode name says (LATIN, CYRILLIC...)."""
    return unicodedata.name(letter, "UNKNOWN").split(" ", 1)[0]
