"""The rights policy of one resource (a page, a feed, a picture) and how each surface says it:
HTTP headers (TDMRep, the IETF's Content-Usage, RSL's licence link), a page's <meta> and
<link>, JSON-LD's licence fields, ninjs' rights, and IPTC's data-mining term. Every surface
reads the policy from here; `check --rights` (web/rights_check.py) reads them back.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from html import escape
from pathlib import Path
from typing import Protocol

from syndication.config import Settings
from syndication.model import Image
from syndication.rights_policy import MINING_USES, USES, Permissions, Policy, Use, clamp_licensed_in

CRAWLERS_FILE = Path(__file__).with_name("ai_crawlers.toml")  # read by rights_documents.py
RSL_PATH = "/license.xml"
TDMREP_PATH = "/.well-known/tdmrep.json"
POLICY_FOLDER = "/rights/"
RSL_TYPE = "application/rsl+xml"
PLUS_VOCAB = "http://ns.useplus.org/ldf/vocab/"
ODRL = "http://www.w3.org/ns/odrl/2/"
# What each use is called by Cloudflare's Content Signals, the IETF's aipref vocabulary and
# RSL's usage list (None: the vocabulary has no word for it).
CONTENT_SIGNAL = {Use.SEARCH: "search", Use.AI_INPUT: "ai-input", Use.AI_TRAINING: "ai-train"}
CONTENT_USAGE = {Use.SEARCH: "search", Use.AI_TRAINING: "train-ai"}
RSL_USAGE = {Use.SEARCH: "search", Use.AI_TRAINING: "ai-train", Use.AI_INPUT: "ai-input"}


def scope_policy(
    settings: Settings, edition: str | None = None, section: str | None = None
) -> Policy:
    """The site's policy, then the edition's, then the section's, each on top of the last."""
    policy = settings.rights.default
    if edition is not None and settings.has_edition(edition):
        policy = settings.edition(edition).permissions.over(policy)
    if section is not None and (found := settings.section(section)) is not None:
        policy = found.permissions.over(policy)
    return policy


def story_policy(
    settings: Settings,
    edition: str,
    section: str,
    source: str,
    said: Permissions,
    licensed_from: str = "",
) -> Policy:
    """A story's: its scope's, its source's, its own; licensed-in copy (its source is, or
    its rights line named one: `licensed_from`) never opened to mining."""
    policy = scope_policy(settings, edition, section)
    origin = next((s for s in settings.sources if s.name == source), None) if source else None
    if origin is not None:
        policy = origin.permissions.over(policy)
    policy = said.over(policy)
    others = licensed_from or (origin is not None and origin.licensed_in)
    return clamp_licensed_in(policy) if others else policy


class Story(Protocol):
    """What a story's policy is made from: an Article, a summary, a row of StoryRights."""

    @property
    def edition(self) -> str: ...
    @property
    def section(self) -> str: ...
    @property
    def source(self) -> str: ...
    @property
    def permissions(self) -> Permissions: ...
    @property
    def licensed_from(self) -> str: ...


def article_policy(settings: Settings, story: Story) -> Policy:
    return story_policy(
        settings,
        story.edition,
        story.section,
        story.source,
        story.permissions,
        story.licensed_from,
    )


def list_policy(
    settings: Settings,
    edition: str,
    section: str | None,
    shown: Iterable[Story],
) -> Policy:
    """A list of stories (a front page, a section's, a topic's, a date's, search results):
    its scope's policy, and no mining use any story it shows reserves (a teaser carries a
    story's headline, standfirst and picture, a result its words; Policy.carrying)."""
    policy = scope_policy(settings, edition, section)
    for story in shown:
        policy = policy.carrying(article_policy(settings, story))
    return policy


def picture_policy(story: Policy, image: Image | None) -> Policy:
    """A picture's: its story's, then its own (`image.permissions`; a picture in the body
    has none); an agency's (its credit or rights name one) never opened to mining."""
    if image is None:
        return story
    policy = image.permissions.over(story)
    return clamp_licensed_in(policy) if image.licensed_from else policy


def fingerprint(settings: Settings) -> str:
    """What every answer states of rights besides its stories: the policy of each level in
    syndication.toml, where to license, and the AI crawlers robots.txt names. An edge node
    purged under another is emptied once (edge/purger.py)."""
    said = {
        "rights": repr(settings.rights),
        "editions": [(e.code, e.permissions) for e in settings.editions],
        "sections": [(s.slug, s.permissions) for s in settings.sections],
        "sources": [(s.name, s.licensed_in, s.permissions) for s in settings.sources],
        "crawlers": hashlib.blake2b(CRAWLERS_FILE.read_bytes()).hexdigest(),
    }
    return hashlib.blake2b(repr(said).encode(), digest_size=12).hexdigest()


def policy_url(settings: Settings, policy: Policy) -> str:
    """The policy's own document (ODRL, as TDMRep's tdm-policy names it)."""
    return settings.absolute(f"{POLICY_FOLDER}{policy.key}.json")


def rsl_url(settings: Settings) -> str:
    return settings.absolute(RSL_PATH)


def licence_page(settings: Settings) -> str:
    """Where people go to license the copy: the page set in [rights], else the licence."""
    page = settings.rights.licence_page
    if not page:
        return rsl_url(settings)
    return settings.absolute(page) if page.startswith("/") else page


def yes_no(policy: Policy, words: dict[Use, str], yes: str, no: str) -> str:
    return ", ".join(f"{word}={yes if policy.allows(use) else no}" for use, word in words.items())


def headers(settings: Settings, policy: Policy) -> dict[str, str]:
    """What every answer carrying copy says of it: TDMRep's fields, the IETF's
    Content-Usage and Cloudflare's Content-Signal (each for this answer, where robots.txt
    could say only the site's), and to search engines noindex when search is reserved."""
    found = {"tdm-reservation": "1" if policy.mining_reserved else "0"}
    if policy.mining_reserved:
        found["tdm-policy"] = policy_url(settings, policy)
    found["Content-Usage"] = yes_no(policy, CONTENT_USAGE, "y", "n")
    found["Content-Signal"] = yes_no(policy, CONTENT_SIGNAL, "yes", "no")
    if not policy.allows(Use.SEARCH):
        found["X-Robots-Tag"] = "noindex"
    return found


def head_tags(settings: Settings, policy: Policy) -> str:
    """What a page's <head> says of its policy (the same as its headers)."""
    tags = [f'<meta name="tdm-reservation" content="{int(policy.mining_reserved)}">']
    if policy.mining_reserved:
        tags.append(f'<meta name="tdm-policy" content="{escape(policy_url(settings, policy))}">')
    tags.append(f'<link rel="license" type="{RSL_TYPE}" href="{escape(rsl_url(settings))}">')
    if not policy.allows(Use.SEARCH):
        tags.append('<meta name="robots" content="noindex">')
    return "".join(tags)


def licence_links(settings: Settings) -> tuple[str, ...]:
    """The Link header's licence: RSL's document, which says the policy of every address."""
    return (f'<{rsl_url(settings)}>; rel="license"; type="{RSL_TYPE}"',)


def rsl_uses(policy: Policy) -> tuple[str, str]:
    """RSL's usage lists: what the licence permits, what it prohibits (comma-separated)."""
    permits = ",".join(word for use, word in RSL_USAGE.items() if policy.allows(use))
    prohibits = ",".join(word for use, word in RSL_USAGE.items() if not policy.allows(use))
    return permits, prohibits


def data_mining_term(policy: Policy) -> str:
    """IPTC's Data Mining value (the PLUS vocabulary) closest to the policy; a policy none of
    them says is DMI-PROHIBITED-SEECONSTRAINT, with `other_constraints` saying it."""
    reserved = set(policy.reserved())
    if not reserved:
        return PLUS_VOCAB + "DMI-ALLOWED"
    if reserved == set(USES):
        return PLUS_VOCAB + "DMI-PROHIBITED"
    if reserved == set(MINING_USES):
        return PLUS_VOCAB + "DMI-PROHIBITED-EXCEPTSEARCHENGINEINDEXING"
    if reserved == {Use.AI_TRAINING}:
        return PLUS_VOCAB + "DMI-PROHIBITED-AIMLTRAINING"
    return PLUS_VOCAB + "DMI-PROHIBITED-SEECONSTRAINT"


def other_constraints(policy: Policy) -> str:
    """The policy in words, use by use (IPTC's Other Constraints, the ODRL document's text)."""
    allowed = ", ".join(u.value for u in policy.allowed()) or "none"
    reserved = ", ".join(u.value for u in policy.reserved()) or "none"
    return f"Reserved: {reserved}. Allowed: {allowed}."


def json_ld(settings: Settings, policy: Policy) -> dict[str, str]:
    """schema.org's licence fields for a CreativeWork (Google's image licence metadata)."""
    fields = {"license": policy_url(settings, policy)}
    fields["acquireLicensePage"] = licence_page(settings)
    return fields


def ninjs_rights(settings: Settings, policy: Policy) -> dict[str, str]:
    """ninjs 3.1's rightsInfo: the policy's ODRL document (which carries IPTC's data-mining
    term; ninjs has no field of its own for it)."""
    return {"langId": ODRL, "linkedRights": policy_url(settings, policy)}
