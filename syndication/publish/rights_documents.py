"""The documents that state the policy of every address at once: robots.txt's rules for AI
crawlers with its Content-Signal, Content-Usage and RSL `License:` lines, TDMRep's
/.well-known/tdmrep.json, RSL's /license.xml, and each policy's ODRL document.

All are made from one `RightsMap`: the policy of each path prefix, most specific first. A
prefix matches as RFC 9309 says (and Python's urllib.robotparser, which takes the first rule
that matches): the site, each edition and section (their pages, listings and feeds, whose
documents say besides the strictest of what they carry), then every story and picture
whose policy is not its scope's. Longer prefixes come first, so taking the first
match and taking the longest (as Google does) agree; and a story whose address begins
another's has that other story's rule written too, so no rule reaches past its own.
"""

from __future__ import annotations

import bisect
import json
import tomllib
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from urllib.parse import quote, unquote
from xml.sax.saxutils import escape, quoteattr

from syndication.archive.articles import StoryRights
from syndication.config import Settings
from syndication.model import Image
from syndication.publish import machine_rights as rights
from syndication.publish import rights as rights_lines
from syndication.publish.picture_metadata import Statement
from syndication.publish.urls import media_path
from syndication.rights_policy import USES, Permissions, Policy, Use, clamp_licensed_in


@dataclass(frozen=True, slots=True)
class Crawler:
    token: str  # its robots.txt user-agent token
    operator: str
    uses: frozenset[Use]
    documented: str


@cache
def ai_crawlers() -> tuple[tuple[Crawler, ...], str]:
    """The AI crawlers robots.txt names (ai_crawlers.toml), and the date of that list."""
    data = tomllib.loads(rights.CRAWLERS_FILE.read_text(encoding="utf-8"))
    crawlers = tuple(
        Crawler(c["token"], c["operator"], frozenset(Use(u) for u in c["uses"]), c["documented"])
        for c in data["crawler"]
    )
    return crawlers, str(data["as_of"])


def request_path(path: str) -> str:
    """A path in one percent-encoded form, as urllib.robotparser compares them (RFC 9309
    compares percent-encoded octets): everything but letters, digits, `/` and `_.-~` encoded,
    so a `*` or `$` in a file's name is never a wildcard or an end."""
    return quote(unquote(path))


@dataclass(frozen=True, slots=True)
class RightsMap:
    """The policy of every address: `rules` most specific first, the site's ("/") last."""

    rules: tuple[tuple[str, Policy], ...]
    by_prefix: dict[str, Policy] = field(default_factory=dict, compare=False)

    @classmethod
    def of(cls, rules: dict[str, Policy]) -> RightsMap:
        ordered = tuple(sorted(rules.items(), key=lambda rule: (-len(rule[0]), rule[0])))
        return cls(ordered, dict(rules))

    def policy_of(self, path: str) -> Policy:
        """The policy of a request's path (and query): its longest matching rule's, which is
        its first in `rules`. One lookup for each of its prefixes, whatever the rules."""
        return _longest(self.by_prefix, request_path(path)) or self.rules[-1][1]


def _longest(rules: dict[str, Policy], path: str) -> Policy | None:
    """The policy of the longest of `rules`' prefixes that begins `path`, if one does."""
    for end in range(len(path), 0, -1):
        if (found := rules.get(path[:end])) is not None:
            return found
    return None


def rights_map(settings: Settings, stories: list[StoryRights]) -> RightsMap:
    """The site's, each edition's and section's policy (their pages, listings and feeds),
    and each story and picture whose own is not its scope's."""
    scopes: dict[str, Policy] = {"/": settings.rights.default}
    for edition in settings.editions:
        code = edition.code
        scopes[request_path(f"/{code}/")] = rights.scope_policy(settings, code)
        for section in settings.sections:
            path = request_path(f"/{code}/{section.slug}/")
            scopes[path] = rights.scope_policy(settings, code, section.slug)
    resources, own = _resources(settings, stories)
    ordered = sorted(resources)
    for prefix in list(own):  # what a story's own rule would also reach: written as it is
        at = bisect.bisect_right(ordered, prefix)
        while at < len(ordered) and ordered[at].startswith(prefix):
            own.setdefault(ordered[at], resources[ordered[at]])
            at += 1
    return RightsMap.of(_said_once({**scopes, **own}))


def _said_once(rules: dict[str, Policy]) -> dict[str, Policy]:
    """The rules without any that says what a shorter one it lies under already says."""
    kept: dict[str, Policy] = {}
    for prefix in sorted(rules, key=len):
        above = _longest(kept, prefix[:-1]) if len(prefix) > 1 else None
        if above is None or above != rules[prefix]:
            kept[prefix] = rules[prefix]
    return kept


def _resources(
    settings: Settings, stories: list[StoryRights]
) -> tuple[dict[str, Policy], dict[str, Policy]]:
    """Each live story's page and each picture's file, with its policy (a picture several
    stories show grants only what each of them grants it); and those whose policy is not
    their scope's (a story's section, the site's for a picture under /media/)."""
    found: dict[str, Policy] = {}
    own: dict[str, Policy] = {}
    site = settings.rights.default
    policies: dict[tuple[str, str, str, Permissions, str], tuple[Policy, Policy]] = {}
    for story in stories:
        key = (story.edition, story.section, story.source, story.permissions, story.licensed_from)
        if (known := policies.get(key)) is None:
            scope = rights.scope_policy(settings, story.edition, story.section)
            known = policies[key] = (_story_policy(settings, story), scope)
        policy, scope = known
        path = request_path(story.path)
        found[path] = policy
        if policy != scope:
            own[path] = policy
        for picture in story.pictures:
            shown = _picture_policy(policy, story, picture)
            path = request_path(media_path(picture))
            found[path] = found[path].with_also(shown) if path in found else shown
            if found[path] != site:
                own[path] = found[path]
            else:
                own.pop(path, None)
    return found, own


_story_policy = rights.article_policy


def _lead(story: StoryRights, picture: str) -> Image | None:
    """The story's own picture (`image:`) if `picture` is it; None for one in its body."""
    return story.image if story.image is not None and story.image.src == picture else None


def _picture_policy(story_policy: Policy, story: StoryRights, picture: str) -> Policy:
    """A picture's as one story shows it: as its lead (with its own permissions), or in its
    body, where one credited to a licensed-in source is never opened to mining."""
    shown = rights.picture_policy(story_policy, _lead(story, picture))
    return clamp_licensed_in(shown) if story.whose(picture) else shown


def _shown_policy(settings: Settings, story: StoryRights, picture: str) -> Policy:
    return _picture_policy(_story_policy(settings, story), story, picture)


def picture_rights(
    settings: Settings, picture: str, stories: list[StoryRights]
) -> tuple[Policy, Statement]:
    """A picture's policy (what every story showing it grants it), and what its files say
    of it (another's picture, whose credit names a licensed-in source, keeps the metadata
    it came with, if any). `picture` is its path under content/."""
    policy = settings.rights.default
    if stories:
        policy = _shown_policy(settings, stories[0], picture)
        for each in stories[1:]:
            policy = policy.with_also(_shown_policy(settings, each, picture))
    # Whose it is, as the stories say: an agency's, if one of them credits it to one
    # (that story then speaks for it), else as the one leading with it says.
    agency = next((s for s in stories if s.whose(picture)), None)
    leading = next((s for s in stories if _lead(s, picture) is not None), None)
    story = agency or leading or (stories[0] if stories else None)
    image = _lead(story, picture) if story is not None else None
    holder = (story.whose(picture) or story.source if story else "") or settings.site_name
    # the story's rights line is the story's; another's picture in it is its holder's
    line = story.rights if story is not None and not story.whose(picture) else ""
    notice = rights_lines.notice(settings, line, holder, story.published.year if story else 0)
    return policy, Statement(
        credit=(image.credit if image else "") or holder,
        notice=(image.rights if image else "") or notice,
        web_statement=rights.policy_url(settings, policy),
        licensor_url=rights.licence_page(settings),
        policy=policy,
        keep_own=agency is not None,
    )


def robots_txt(settings: Settings, mapped: RightsMap, search_rules: list[str]) -> bytes:
    """Search engines and feed readers (`*`) may fetch everything but `search_rules`; each
    group of AI crawlers is held from every address whose policy reserves one of its uses.
    With `robots_signals`, the policy's Content-Signal (the site's), Content-Usage (each
    address's) and RSL `License:` lines too."""
    site = settings.rights.default
    signals = settings.rights.robots_signals
    lines = [
        "# What machines may do with this site's copy: its licence (RSL) at",
        f"# {rights.rsl_url(settings)}, TDMRep's {settings.absolute(rights.TDMREP_PATH)},",
        "# and each address's own headers.",
        *([f"License: {rights.rsl_url(settings)}"] if signals else []),
        "",
        "User-agent: *",
    ]
    if signals:
        lines.append(f"Content-Signal: {rights.yes_no(site, rights.CONTENT_SIGNAL, 'yes', 'no')}")
        lines += [
            f"Content-Usage: {'' if prefix == '/' else prefix + ' '}"
            f"{rights.yes_no(policy, rights.CONTENT_USAGE, 'y', 'n')}"
            for prefix, policy in mapped.rules
        ]
    lines += [*search_rules, "Allow: /"]
    crawlers, as_of = ai_crawlers()
    groups: dict[frozenset[Use], list[Crawler]] = {}
    for crawler in crawlers:
        groups.setdefault(crawler.uses, []).append(crawler)
    for uses, members in sorted(groups.items(), key=lambda g: sorted(g[0])):
        named = ", ".join(sorted(u.value for u in uses))
        lines += ["", f"# AI crawlers gathering copy for {named} (ai_crawlers.toml, {as_of})"]
        lines += [f"User-agent: {c.token}" for c in members]
        lines += ["Allow: /robots.txt", "Allow: /sitemap.xml", "Allow: /sitemaps/"]
        lines += [
            f"{'Allow' if all(policy.allows(u) for u in uses) else 'Disallow'}: {prefix}"
            for prefix, policy in mapped.rules
        ]
    lines += ["", f"Sitemap: {settings.absolute('/sitemap.xml')}"]
    return ("\n".join(lines) + "\n").encode()


def tdmrep_json(settings: Settings, mapped: RightsMap) -> bytes:
    """TDMRep's rules, in the same order: the first that matches a path is its rule."""
    rules = []
    for prefix, policy in mapped.rules:
        rule: dict[str, Any] = {
            "location": prefix + "*",
            "tdm-reservation": 1 if policy.mining_reserved else 0,
        }
        if policy.mining_reserved:
            rule["tdm-policy"] = rights.policy_url(settings, policy)
        rules.append(rule)
    return (json.dumps(rules, indent=1) + "\n").encode()


def rsl_document(settings: Settings, mapped: RightsMap) -> bytes:
    """RSL 1.0: for each address, the uses the licence permits and those it prohibits."""
    contents = "".join(_rsl_content(settings, prefix, policy) for prefix, policy in mapped.rules)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<rsl xmlns="https://rslstandard.org/rsl">{contents}\n</rsl>\n'
    ).encode()


def _rsl_license(policy: Policy) -> str:
    """One <license>: the uses it permits and those it prohibits."""
    permits, prohibits = rights.rsl_uses(policy)
    parts = ["<license>"]
    if permits:
        parts.append(f'<permits type="usage">{permits}</permits>')
    if prohibits:
        parts.append(f'<prohibits type="usage">{prohibits}</prohibits>')
    return "".join([*parts, "</license>"])


def _rsl_content(settings: Settings, prefix: str, policy: Policy) -> str:
    contact = settings.rights.contact
    attributes = (
        f" contactEmail={quoteattr(contact)}" if "@" in contact and "/" not in contact else ""
    ) + (f" contactUrl={quoteattr(contact)}" if contact.startswith("http") else "")
    terms = settings.rights.terms or rights.licence_page(settings)
    return (
        f"\n<content url={quoteattr(prefix)}>{_rsl_license(policy)}"
        f'<copyright type="organization"{attributes}>{escape(settings.site_name)}</copyright>'
        f"<terms>{escape(terms)}</terms></content>"
    )


def odrl_policy(settings: Settings, policy: Policy) -> bytes:
    """The policy as TDMRep's tdm-policy points to it: an ODRL offer (JSON-LD) permitting
    the allowed uses and prohibiting the reserved ones, with the licence page and IPTC's
    data-mining term."""
    site = settings.absolute("/")
    assigner: dict[str, Any] = {"uid": site, "vcard:fn": settings.site_name}
    if contact := settings.rights.contact:
        assigner["vcard:hasEmail" if "@" in contact and "/" not in contact else "vcard:hasURL"] = (
            contact
        )

    def rule(use: Use) -> dict[str, Any]:
        return {
            "target": site,
            "action": "tdm:mine" if use is not Use.SEARCH else "index",
            "constraint": [{"leftOperand": "purpose", "operator": "eq", "rightOperand": use.value}],
        }

    document: dict[str, Any] = {
        "@context": [
            "http://www.w3.org/ns/odrl.jsonld",
            {
                "tdm": "http://www.w3.org/ns/tdmrep#",
                "plus": "http://ns.useplus.org/ldf/xmp/1.0/",
                "vcard": "http://www.w3.org/2006/vcard/ns#",
            },
        ],
        "@type": "Offer",
        "profile": "http://www.w3.org/ns/tdmrep",
        "uid": rights.policy_url(settings, policy),
        "assigner": assigner,
        "permission": [rule(u) for u in USES if policy.allows(u)],
        "prohibition": [rule(u) for u in USES if not policy.allows(u)],
        "plus:DataMining": rights.data_mining_term(policy),
        "plus:OtherConstraints": rights.other_constraints(policy),
        "plus:LicensorURL": rights.licence_page(settings),
    }
    return (json.dumps(document, indent=1) + "\n").encode()
