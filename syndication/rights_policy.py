"""What machines may do with the copy: one policy, said once, resolved from the site down to
a story and its picture, and read by every surface that tells crawlers, AI systems, partners
and picture readers (publish/machine_rights.py). No I/O.

Each level may say, use by use, `allowed` or `reserved`; what it leaves out it takes from the
level above: the site ([rights] in syndication.toml), the edition, the section, the story's
source, the story (`permissions:` in its front matter), its picture (`image.permissions:`).
Copy licensed in from another source is never ours to open to mining or AI: for a story from
such a source, or a picture whose credit or rights name one, those uses are reserved whatever
the levels above say, and a level that tries to allow them is refused.
"""

from __future__ import annotations

import difflib
import enum
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any


class Use(enum.StrEnum):
    # Search engines index the page and show a link with a short extract.
    SEARCH = "search"
    # Training or fine-tuning AI models.
    AI_TRAINING = "ai_training"
    # Input to an AI system when it answers: retrieval, grounding, summaries.
    AI_INPUT = "ai_input"
    # Text-and-data mining of any other kind (art. 4 of the EU's 2019/790 directive).
    TDM = "tdm"


USES = tuple(Use)
# What we may not grant for copy that is not ours: all mining, AI included. Search is part of
# publishing it, which the licence to publish covers.
MINING_USES = (Use.AI_TRAINING, Use.AI_INPUT, Use.TDM)
WORDS = {True: "allowed", False: "reserved"}
_BY_WORD = {word: value for value, word in WORDS.items()}


class PolicyError(ValueError):
    """A level's permissions cannot be read: `key` names the use (or "") it is about."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


@dataclass(frozen=True, slots=True, order=True)
class Policy:
    """Every use, allowed (True) or reserved (False): what one resource says."""

    search: bool
    ai_training: bool
    ai_input: bool
    tdm: bool

    def allows(self, use: Use) -> bool:
        return bool(getattr(self, use.value))

    def reserved(self) -> tuple[Use, ...]:
        return tuple(u for u in USES if not self.allows(u))

    def allowed(self) -> tuple[Use, ...]:
        return tuple(u for u in USES if self.allows(u))

    def with_also(self, other: Policy) -> Policy:
        """What both allow: a document carrying two holders' copy grants only what each does."""
        return Policy(*(self.allows(u) and other.allows(u) for u in USES))

    def carrying(self, other: Policy) -> Policy:
        """A list or feed's, carrying `other`'s copy: no mining use it reserves is granted;
        whether the list itself is found by search engines is the list's own say (one
        story's noindex does not hide its section's page)."""
        return Policy(
            self.search, *(self.allows(u) and other.allows(u) for u in USES if u is not Use.SEARCH)
        )

    @property
    def mining_reserved(self) -> bool:
        """Whether any kind of mining is reserved: what TDMRep's one bit says."""
        return not all(self.allows(u) for u in MINING_USES)

    @property
    def key(self) -> str:
        """A short name of this policy, one letter a use (a: allowed, r: reserved), in the
        address of its policy document."""
        return "".join("a" if self.allows(u) else "r" for u in USES)

    @classmethod
    def from_key(cls, key: str) -> Policy | None:
        if len(key) != len(USES) or set(key) - {"a", "r"}:
            return None
        return cls(*(letter == "a" for letter in key))


ALL_ALLOWED = Policy(True, True, True, True)
# With no [rights] in syndication.toml: found by search engines, nothing else granted.
SITE_DEFAULT = Policy(search=True, ai_training=False, ai_input=False, tdm=False)


@dataclass(frozen=True, slots=True)
class Permissions:
    """What one level says, use by use: True allowed, False reserved, None as the level above."""

    search: bool | None = None
    ai_training: bool | None = None
    ai_input: bool | None = None
    tdm: bool | None = None

    def over(self, below: Policy) -> Policy:
        said = self.said()
        return Policy(*(said.get(u, below.allows(u)) for u in USES))

    def said(self) -> dict[Use, bool]:
        return {u: v for u in USES if (v := getattr(self, u.value)) is not None}

    def __bool__(self) -> bool:
        return bool(self.said())

    def as_json(self) -> dict[str, str]:
        """As front matter and syndication.toml write it, for storage."""
        return {u.value: WORDS[v] for u, v in self.said().items()}


NOTHING_SAID = Permissions()


def permissions(
    raw: Mapping[str, Any], *, other_keys: frozenset[str] = frozenset(), named: str = ""
) -> Permissions:
    """The uses `raw` names (`search = "allowed"`); `other_keys` belong to the table and are
    left alone; `named` goes before a use in messages (`permissions.`). An unknown key or
    value is a PolicyError naming it."""
    values: dict[str, bool] = {}
    for key, value in raw.items():
        if key in other_keys:
            continue
        if key not in Use.__members__.values():
            uses = [u.value for u in USES]
            close = difflib.get_close_matches(str(key), [*uses, *other_keys], n=1, cutoff=0.6)
            hint = f"; did you mean `{close[0]}`?" if close else ""
            known = (
                f"; its other settings are {', '.join(sorted(other_keys))}" if other_keys else ""
            )
            raise PolicyError(
                key, f"`{named}{str(key)[:40]}` is not a use ({', '.join(uses)}){hint}{known}"
            )
        if not isinstance(value, str) or value not in _BY_WORD:
            raise PolicyError(
                key, f"`{named}{key}` is `allowed` or `reserved`, not {_shown(value)}"
            )
        values[key] = _BY_WORD[value]
    return Permissions(**values)


def _shown(value: object) -> str:
    """A wrong value as the file wrote it (YAML's and TOML's true is `true`)."""
    if isinstance(value, bool):
        return f"{str(value).lower()} (a yes or no does not say which)"
    return repr(str(value)[:40])


def permissions_from_json(raw: Mapping[str, str] | None) -> Permissions:
    return permissions(raw) if raw else NOTHING_SAID


def refuse_granting_others(said: Permissions, holder: str, named: str = "") -> None:
    """A PolicyError when `said` allows a mining use of copy licensed in from `holder`."""
    for use in MINING_USES:
        if said.said().get(use):
            raise PolicyError(
                use.value,
                f"`{named}{use.value}` cannot be allowed: this is {holder}'s copy, licensed "
                "in, and we cannot grant what is not ours",
            )


def clamp_licensed_in(policy: Policy) -> Policy:
    """Others' copy: every mining use reserved, search as it was."""
    return replace(policy, **{u.value: False for u in MINING_USES})


@dataclass(frozen=True, slots=True)
class SiteRights:
    """[rights] in syndication.toml: the site's policy, and where to ask for a licence."""

    default: Policy = SITE_DEFAULT
    licence_page: str = ""  # for people who want to license the copy: a path of the site or URL
    contact: str = ""  # who to ask: an email address or a URL
    terms: str = ""  # the licence terms (RSL's <terms>): a URL
    # Also write the policy's Content-Signal, Content-Usage and RSL `License:` lines into
    # robots.txt (RFC 9309 lets crawlers read records it does not define; Lighthouse's
    # robots.txt audit calls them unknown directives, so they are off unless asked for).
    robots_signals: bool = False
