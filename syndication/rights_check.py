"""`syndication check --rights`: every surface that states the rights policy, read back from a
served site with parsers of its own kind, and compared with the policy the archive and
syndication.toml give each story, picture, listing and feed.

The surfaces are read as a crawler, an AI system, a picture library and a partner read them:
robots.txt by Python's urllib.robotparser, TDMRep's well-known file by its first-match rule,
RSL's licence by RFC 9309's longest match, pages' <meta> and JSON-LD by an HTML parser,
pictures' IPTC metadata by Pillow's XMP reader, feeds by feedparser and an XML parser, and
each policy document (ODRL) fetched and read for what it permits and prohibits. What each
surface should say is the policy the publishing code resolves (machine_rights.story_policy,
rights_documents.picture_rights, with the credit and notice a picture's metadata is given);
how a surface words it is never taken from the code that writes it: each is read back and
decoded here, by its own rules.
"""

from __future__ import annotations

import asyncio
import io
import json
import re
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib import robotparser
from urllib.parse import unquote, urljoin, urlsplit

import aiohttp
import feedparser
from defusedxml import DefusedXmlException
from defusedxml import ElementTree as safe_xml
from PIL import Image

from syndication.archive.articles import StoryRights
from syndication.archive.queries import Archive
from syndication.config import Settings
from syndication.publish import machine_rights, picture_metadata, rights_documents
from syndication.rights_policy import USES, Policy, Use

PLUS = "http://ns.useplus.org/ldf/vocab/"
# What each IPTC Data Mining value reserves (the PLUS vocabulary's own definitions).
DATA_MINING = {
    "DMI-ALLOWED": frozenset(),
    "DMI-PROHIBITED": frozenset(USES),
    "DMI-PROHIBITED-EXCEPTSEARCHENGINEINDEXING": frozenset(
        {Use.AI_TRAINING, Use.AI_INPUT, Use.TDM}
    ),
    "DMI-PROHIBITED-AIMLTRAINING": frozenset({Use.AI_TRAINING}),
}
RSL_NS = "{https://rslstandard.org/rsl}"
RSL_WORDS = {"search": Use.SEARCH, "ai-train": Use.AI_TRAINING, "ai-input": Use.AI_INPUT}
SIGNAL_WORDS = {"search": Use.SEARCH, "ai-input": Use.AI_INPUT, "ai-train": Use.AI_TRAINING}
USAGE_WORDS = {"search": Use.SEARCH, "train-ai": Use.AI_TRAINING}
MAX_BYTES = 20_000_000  # no answer read is larger
MAX_KEPT = 200_000_000  # answers kept to be read again, in all
MAX_REDIRECTS = 3
MAX_SITEMAPS = 1200  # a century of months
GOOGLE_READS = 500 * 1024  # of a robots.txt
PARALLEL = 8


@dataclass(frozen=True, slots=True)
class Disagreement:
    surface: str
    url: str
    says: str
    policy: str


@dataclass
class RightsReport:
    checked: dict[str, int] = field(default_factory=dict)  # surface -> statements read
    disagreements: list[Disagreement] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def count(self, surface: str) -> None:
        self.checked[surface] = self.checked.get(surface, 0) + 1

    def compare(self, surface: str, url: str, said: dict[Use, bool] | None, policy: Policy) -> None:
        """One statement, `said` use by use (the uses it speaks of), against the policy."""
        self.count(surface)
        wrong = (
            said is None
            or not said
            or any(policy.allows(use) != allowed for use, allowed in said.items())
        )
        if wrong:
            self.disagreements.append(
                Disagreement(surface, url, _words(said), machine_rights.other_constraints(policy))
            )


def _words(said: dict[Use, bool] | None) -> str:
    if not said:
        return "nothing"
    return ", ".join(f"{u.value}={'allowed' if v else 'reserved'}" for u, v in said.items())


def _all(policy: Policy | None) -> dict[Use, bool] | None:
    return {u: policy.allows(u) for u in USES} if policy is not None else None


class Fetcher:
    """GETs from the site, each answer read once and kept (bounded by MAX_BYTES). The site's
    own absolute addresses (its base_url) are read from `base`, where it is served."""

    def __init__(self, session: aiohttp.ClientSession, base: str, own: str) -> None:
        self.session = session
        self.base = base
        self.own = own.rstrip("/")
        self.kept: dict[str, tuple[int, dict[str, str], bytes]] = {}
        self.held = 0  # bytes kept
        self.limit = asyncio.Semaphore(PARALLEL)

    async def get(
        self, url: str, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        """The answer's status, headers (lower-cased names) and whole body; status 0 for an
        address on another host (never fetched) or a body past MAX_BYTES."""
        for _ in range(MAX_REDIRECTS + 1):  # the site's own redirects, never another host's
            if url.startswith(self.own + "/"):
                url = url[len(self.own) :]
            url = urljoin(self.base + "/", url)
            if urlsplit(url).netloc != urlsplit(self.base).netloc:
                return 0, {}, b""
            if url not in self.kept or headers:
                answer = await self._read(url, headers)
                if self.held < MAX_KEPT:  # what is read again is kept, within bounds
                    self.kept[url] = answer
                    self.held += len(answer[2])
            else:
                answer = self.kept[url]
            status, found, _ = answer
            if status not in (301, 302, 303, 307, 308) or "location" not in found:
                return answer
            url = found["location"]
        return 0, {}, b""

    async def _read(
        self, url: str, headers: dict[str, str] | None
    ) -> tuple[int, dict[str, str], bytes]:
        async with (
            self.limit,
            self.session.get(url, headers=headers, allow_redirects=False) as answer,
        ):
            body = bytearray()
            while len(body) <= MAX_BYTES and (part := await answer.content.read(1 << 16)):
                body += part
            found = {k.lower(): v for k, v in answer.headers.items()}
            return (answer.status if len(body) <= MAX_BYTES else 0), found, bytes(body)


async def check_rights(
    settings: Settings, base: str, *, partner_key: str = "", limit: int | None = None
) -> RightsReport:
    """Read every surface of the site served at `base` and compare it with the policy of the
    archive at `settings.db_path`: each live story (the newest `limit`), its pictures, each
    edition's and section's pages and feeds, and with `partner_key` the partner API."""
    async with Archive.open(settings.db_path) as archive:
        every = await archive.articles.live_rights()
    showing: dict[str, list[StoryRights]] = {}
    for story in every:
        for picture in story.pictures:
            showing.setdefault(picture, []).append(story)
    stories = sorted(every, key=lambda s: s.published, reverse=True)[:limit]
    report = RightsReport()
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        fetcher = Fetcher(session, base.rstrip("/"), settings.site_url)
        site = _Site(settings, fetcher, report, showing, every)
        await site.read_documents()
        await asyncio.gather(*(site.story(story) for story in stories))
        await site.listings_and_feeds(every)
        if partner_key:
            await site.partner_api(stories, partner_key)
    return report


class _Site:
    def __init__(
        self,
        settings: Settings,
        fetcher: Fetcher,
        report: RightsReport,
        showing: dict[str, list[StoryRights]],
        every: list[StoryRights],
    ) -> None:
        self.settings = settings
        self.showing = showing  # picture -> the live stories that show it
        self.by_path = {s.path: s for s in every}  # every live story, by its address
        self.fetch = fetcher
        self.report = report
        self.robots = robotparser.RobotFileParser()
        self.tdmrep: list[dict[str, Any]] = []
        self.policies: dict[str, Policy | None] = {}
        self.licences: dict[str, list[tuple[str, dict[Use, bool]]]] = {}

    async def read_documents(self) -> None:
        _, _, robots = await self.fetch.get("/robots.txt")
        self.robots.parse(robots.decode("utf-8", "replace").splitlines())
        if len(robots) > GOOGLE_READS:
            self.report.warnings.append(
                f"robots.txt is {len(robots) // 1024:,} KiB; Google reads its first "
                f"{GOOGLE_READS // 1024} KiB (many stories' policy differs from their "
                "section's: see docs/rights.md)"
            )
        page = self.settings.rights.licence_page
        if page.startswith("/") and (await self.fetch.get(page))[0] != 200:
            self.report.warnings.append(
                f"the licence page {page} ([rights] licence_page) does not answer here: "
                "publish a story there (its address), or give the page's URL"
            )
        _, _, tdmrep = await self.fetch.get(machine_rights.TDMREP_PATH)
        rules = _json(tdmrep)
        self.tdmrep = [
            r for r in (rules if isinstance(rules, list) else [])
            if isinstance(r, dict) and isinstance(r.get("location"), str)
        ]  # fmt: skip

    async def rsl_document(self, url: str) -> list[tuple[str, dict[Use, bool]]]:
        """An RSL licence's content patterns, each with the uses its licence speaks of."""
        if url not in self.licences:
            status, _, licence = await self.fetch.get(url)
            root = _xml(licence) if status == 200 else None
            contents = root.iter(f"{RSL_NS}content") if root is not None else ()
            self.licences[url] = [(c.get("url", ""), _rsl_uses(c)) for c in contents]
        return self.licences[url]

    async def rsl_at(self, licence_url: str, path: str) -> dict[Use, bool] | None:
        """What the RSL licence at `licence_url` says of `path`: its longest match."""
        matched = [
            (p, uses) for p, uses in await self.rsl_document(licence_url) if _rfc9309(path, p)
        ]
        return max(matched, key=lambda m: len(m[0]))[1] if matched else None

    async def policy_document(self, url: str) -> Policy | None:
        """The policy an ODRL document states (None: unreadable or incomplete)."""
        if url not in self.policies:
            status, _, body = await self.fetch.get(url)
            self.policies[url] = _odrl(body) if status == 200 else None
        return self.policies[url]

    def path(self, url: str) -> str:
        parts = urlsplit(url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    async def address(self, url: str, policy: Policy) -> None:
        """What the site-wide documents say of one address: robots.txt for each AI crawler,
        TDMRep's rule and its policy, and RSL's licence."""
        absolute = urljoin(self.fetch.base + "/", url)
        crawlers, _ = rights_documents.ai_crawlers()
        for crawler in crawlers:
            may = self.robots.can_fetch(crawler.token, absolute)
            self.report.count("robots.txt")
            if may != all(policy.allows(u) for u in crawler.uses):
                self.report.disagreements.append(
                    Disagreement(
                        "robots.txt",
                        f"{url} ({crawler.token})",
                        "allowed" if may else "disallowed",
                        machine_rights.other_constraints(policy),
                    )
                )
        path = self.path(absolute)
        rule = next((r for r in self.tdmrep if _rfc9309(path, r["location"], whole=True)), None)
        if rule is None:
            self.report.compare("tdmrep.json", url, None, policy)
        else:
            reserved = rule.get("tdm-reservation") == 1
            said = await self._tdm(reserved, rule.get("tdm-policy", ""))
            self.report.compare("tdmrep.json", url, said, policy)
        said = await self.rsl_at(machine_rights.RSL_PATH, path)
        self.report.compare("license.xml (RSL)", url, said, policy)

    async def _tdm(self, reserved: bool, policy_url: str) -> dict[Use, bool] | None:
        """TDMRep's statement: no reservation grants every mining use; a reservation is what
        its policy document says."""
        if not reserved:
            return {Use.AI_TRAINING: True, Use.AI_INPUT: True, Use.TDM: True}
        found = await self.policy_document(policy_url) if policy_url else None
        return _all(found) if found is not None and found.mining_reserved else None

    async def headers(
        self, surface: str, url: str, headers: dict[str, str], policy: Policy
    ) -> None:
        """An answer's own statements: TDMRep's fields, Content-Usage, Content-Signal, noindex."""
        reserved = headers.get("tdm-reservation")
        said = (
            None
            if reserved not in ("0", "1")
            else await self._tdm(reserved == "1", headers.get("tdm-policy", ""))
        )
        self.report.compare(f"{surface} tdm-reservation", url, said, policy)
        self.report.compare(
            f"{surface} Content-Usage",
            url,
            _pairs(headers.get("content-usage"), USAGE_WORDS, "y"),
            policy,
        )
        self.report.compare(
            f"{surface} Content-Signal",
            url,
            _pairs(headers.get("content-signal"), SIGNAL_WORDS, "yes"),
            policy,
        )
        noindex = "noindex" in headers.get("x-robots-tag", "")
        self.report.compare(f"{surface} X-Robots-Tag", url, {Use.SEARCH: not noindex}, policy)

    async def story(self, story: StoryRights) -> None:
        policy = self._story_policy(story)
        status, headers, body = await self.fetch.get(story.path)
        if status != 200:
            self.report.compare("page", story.path, None, policy)
            return
        await self.address(story.path, policy)
        page = _Page()
        page.feed(body.decode("utf-8", "replace"))
        # what the page carries besides: the teasers of the stories it links
        carried = policy
        for href in page.links:
            if (other := self.by_path.get(urlsplit(href).path)) not in (None, story):
                carried = _carrying(carried, self._story_policy(other))
        await self.headers("page", story.path, headers, carried)
        meta_reserved = page.meta.get("tdm-reservation")
        said = (
            None
            if meta_reserved not in ("0", "1")
            else await self._tdm(meta_reserved == "1", page.meta.get("tdm-policy", ""))
        )
        self.report.compare("page <meta> tdm", story.path, said, carried)
        noindex = "noindex" in page.meta.get("robots", "")
        self.report.compare("page <meta> robots", story.path, {Use.SEARCH: not noindex}, carried)
        said = await self.rsl_at(page.licence[0], story.path) if page.licence else None
        self.report.compare("page <link rel=license>", story.path, said, policy)
        article = next((d for d in page.json_ld if d.get("@type") == "NewsArticle"), {})
        if not isinstance(article.get("image"), dict):  # a URL alone, or a list: no licence
            article = {**article, "image": {}}
        found = await self.policy_document(str(article.get("license", "")))
        self.report.compare("page JSON-LD license", story.path, _all(found), policy)
        for picture in story.pictures:
            await self.picture(story, picture, page, article)

    async def picture(
        self, story: StoryRights, picture: str, page: _Page, article: dict[str, Any]
    ) -> None:
        """A picture the story shows: its file at its own size and as a rendition, each
        answer's headers and embedded metadata; the lead's JSON-LD licence."""
        # as every story showing it grants it
        stories = self.showing.get(picture, [story])
        policy, statement = rights_documents.picture_rights(self.settings, picture, stories)
        urls = [u for u in page.pictures if f"/media/{picture}" in unquote(u)][:1]
        if story.image is not None and story.image.src == picture:
            image = article.get("image") or {}
            urls.append(str(image.get("url", "")))  # at its own size
            found = await self.policy_document(str(image.get("license", "")))
            self.report.compare("page JSON-LD image license", story.path, _all(found), policy)
        for url in dict.fromkeys(u for u in urls if u):
            status, headers, body = await self.fetch.get(url)
            if status != 200:
                self.report.compare("picture", url, None, policy)
                continue
            await self.headers("picture", url, headers, policy)
            await self.address(url, policy)
            xmp = _xmp(body)
            if statement.keep_own and (came := self._came_with(picture)) is not None:
                # another's picture, with metadata of its own: kept as it came
                self.report.count("picture IPTC metadata (the agency's, kept)")
                if picture_metadata.own_xmp(body) != came:
                    self.report.disagreements.append(
                        Disagreement(
                            "picture IPTC metadata (the agency's, kept)",
                            url,
                            "other metadata than the agency's",
                            "the agency's own, as it came",
                        )
                    )
                continue
            description = _xmp_description(xmp)
            if description is None:
                media_type = headers.get("content-type", "")
                if media_type in ("image/jpeg", "image/png", "image/webp"):
                    self.report.compare("picture IPTC metadata", url, None, policy)
                continue
            term = str(description.get("DataMining", "")).removeprefix(PLUS)
            reserved = DATA_MINING.get(term)
            if term == "DMI-PROHIBITED-SEECONSTRAINT":
                reserved = _constraint(str(description.get("OtherConstraints", "")))
            said = {u: u not in reserved for u in USES} if reserved is not None else None
            self.report.compare("picture IPTC Data Mining", url, said, policy)
            statement_doc = await self.policy_document(str(description.get("WebStatement", "")))
            self.report.compare("picture IPTC web statement", url, _all(statement_doc), policy)
            credit = description.get("Credit")
            self.report.count("picture IPTC credit")
            if credit != statement.credit:
                self.report.disagreements.append(
                    Disagreement("picture IPTC credit", url, str(credit), statement.credit)
                )

    def _came_with(self, picture: str) -> bytes | None:
        """The XMP packet the picture's file in content/ carries, if any."""
        try:
            return picture_metadata.own_xmp((self.settings.content_dir / picture).read_bytes())
        except OSError:
            return None

    async def listings_and_feeds(self, stories: list[StoryRights]) -> None:
        settings = self.settings
        by_id = {s.id: s for s in stories}
        by_path = {s.path: s for s in stories}
        scopes: list[tuple[str, str | None]] = [(e.code, None) for e in settings.editions]
        scopes += [(e.code, s.slug) for e in settings.editions for s in settings.sections]
        for edition, section in scopes:
            base = f"/{edition}/" + (f"{section}/" if section else "")
            scope = machine_rights.scope_policy(settings, edition, section)
            status, headers, body = await self.fetch.get(base)
            if status == 200:
                # what the list shows: every story it links, each with its policy
                listing = _Page()
                listing.feed(body.decode("utf-8", "replace"))
                shown = scope
                for href in listing.links:
                    if (story := by_path.get(urlsplit(href).path)) is not None:
                        shown = _carrying(shown, self._story_policy(story))
                await self.headers("listing", base, headers, shown)
                await self.address(base, scope)
            for fmt in ("atom", "rss"):
                await self.feed(f"{base}feed.{fmt}", scope, by_id)
        await self.sitemaps(stories)

    async def sitemaps(self, stories: list[StoryRights]) -> None:
        """Search engines are offered, in the sitemaps, only pages they may index."""
        by_path = {s.path: s for s in stories}
        status, _, index = await self.fetch.get("/sitemap.xml")
        if status != 200:
            return
        for month in _locations(index)[:MAX_SITEMAPS]:
            status, _, body = await self.fetch.get(month)
            for url in _locations(body) if status == 200 else []:
                story = by_path.get(urlsplit(url).path)
                if story is not None:
                    policy = self._story_policy(story)
                    self.report.compare("sitemap", url, {Use.SEARCH: True}, policy)

    async def feed(self, url: str, scope: Policy, by_id: dict[str, StoryRights]) -> None:
        status, headers, body = await self.fetch.get(url)
        if status != 200:
            return
        parsed = feedparser.parse(body)
        ids = [_story_id(entry.get("id", "")) for entry in parsed.entries]
        policy = scope
        for found in ids:
            if found in by_id:
                policy = _carrying(policy, self._story_policy(by_id[found]))
        await self.headers("feed", url, headers, policy)
        await self.address(url, scope)
        said = _all(await self.policy_document(_licence(parsed.feed)))
        self.report.compare("feed rel=license", url, said, policy)
        if url.endswith(".rss"):  # RSL in each item
            root = _xml(body)
            for item in root.iter("item") if root is not None else ():
                story = by_id.get(_story_id(item.findtext("guid", "")))
                if story is not None:
                    content = item.find(f"{RSL_NS}content")
                    said = _rsl_uses(content) if content is not None else None
                    own = self._story_policy(story)
                    self.report.compare("feed item RSL", f"{url} {story.path}", said, own)
            return
        for entry in parsed.entries:
            story = by_id.get(_story_id(entry.get("id", "")))
            if story is not None:
                said = _all(await self.policy_document(_licence(entry)))
                own = self._story_policy(story)
                self.report.compare("feed entry rel=license", f"{url} {story.path}", said, own)

    def _story_policy(self, story: StoryRights) -> Policy:
        return machine_rights.article_policy(self.settings, story)

    async def partner_api(self, stories: list[StoryRights], key: str) -> None:
        by_id = {s.id: s for s in stories}
        headers = {"Authorization": f"Bearer {key}"}
        page = 1
        while page <= 1000:
            url = f"{self.fetch.base}/api/v1/items?page={page}&per_page=100"
            status, answer_headers, body = await self.fetch.get(url, headers)
            data = _json(body) if status == 200 else None
            if not isinstance(data, dict):
                return
            policy = self.settings.rights.default
            for item in data.get("items", []):
                if not isinstance(item, dict):
                    continue
                story = by_id.get(str(item.get("uri", "")).rsplit(":", 1)[-1])
                if story is None:
                    continue
                own = self._story_policy(story)
                policy = policy.with_also(own)
                info = item.get("rightsInfo") or {}
                found = await self.policy_document(str(info.get("linkedRights", "")))
                self.report.compare("ninjs rightsInfo", story.path, _all(found), own)
                for association in item.get("associations", []):
                    picture_info = association.get("rightsInfo") or {}
                    found = await self.policy_document(str(picture_info.get("linkedRights", "")))
                    src = story.image.src if story.image is not None else ""
                    shown, _ = rights_documents.picture_rights(
                        self.settings, src, self.showing.get(src, [story])
                    )
                    self.report.compare("ninjs picture rightsInfo", story.path, _all(found), shown)
            await self.headers("partner API", url, answer_headers, policy)
            if not data.get("has_more"):
                return
            page += 1


def _locations(body: bytes) -> list[str]:
    """The <loc> of every entry of a sitemap or sitemap index."""
    root = _xml(body)
    if root is None:
        return []
    return [e.text or "" for e in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]


def _story_id(entry_id: str) -> str:
    """A feed entry's story: its tag: id ends with `article:<id>`."""
    return entry_id.rsplit("article:", 1)[-1]


def _carrying(listing: Policy, story: Policy) -> Policy:
    """What a list or feed showing `story` may grant: no mining use the story reserves;
    search is the list's own (a story's noindex does not hide the page listing it)."""
    mining = {u: listing.allows(u) and story.allows(u) for u in USES if u is not Use.SEARCH}
    return Policy(search=listing.search, **{u.value: v for u, v in mining.items()})


def _licence(element: Any) -> str:
    """The href of a feed's or entry's rel="license" link, as feedparser reads it."""
    links = element.get("links", [])
    return next((str(link.get("href", "")) for link in links if link.get("rel") == "license"), "")


def _pairs(value: str | None, words: dict[str, Use], yes: str) -> dict[Use, bool] | None:
    """`search=y, train-ai=n` as uses; None when absent or unreadable."""
    if not value:
        return None
    found: dict[Use, bool] = {}
    for part in value.split(","):
        name, _, answer = part.strip().partition("=")
        if name in words:
            found[words[name]] = answer.strip() == yes
    return found or None


def _rsl_uses(content: ElementTree.Element) -> dict[Use, bool]:
    said: dict[Use, bool] = {}
    for kind, allowed in (("permits", True), ("prohibits", False)):
        for element in content.iter(f"{RSL_NS}{kind}"):
            if element.get("type", "usage") == "usage":
                for word in (element.text or "").split(","):
                    if word.strip() in RSL_WORDS:
                        said[RSL_WORDS[word.strip()]] = allowed
    return said


def _rfc9309(path: str, pattern: str, *, whole: bool = False) -> bool:
    """Whether `pattern` (a path with `*` for any characters and a final `$` for its end, as
    RFC 9309 writes them) matches `path` from its start; `whole`: to its end too (TDMRep's
    locations). Each piece is found once, left to right: no pattern takes more than a
    pass over the path, however many stars it holds."""
    anchored = whole or pattern.endswith("$")
    pieces = pattern.removesuffix("$").split("*")
    if not path.startswith(pieces[0]):
        return False
    at = len(pieces[0])
    for piece in pieces[1:]:
        found = path.find(piece, at)
        if found < 0:
            return False
        at = found + len(piece)
    if not anchored:
        return True
    last = pieces[-1]
    # to its end: the last piece may end the path (a star before it takes the rest)
    return at == len(path) or (len(pieces) > 1 and path.endswith(last))


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return None


def _xml(body: bytes) -> ElementTree.Element | None:
    """A document parsed with no entity or DTD expanded (defusedxml); None if it cannot be."""
    try:
        return safe_xml.fromstring(body)
    except (ElementTree.ParseError, DefusedXmlException, ValueError):
        return None


def _odrl(body: bytes) -> Policy | None:
    """What an ODRL policy permits and prohibits, by purpose; None unless every use is said."""
    document = _json(body)
    if not isinstance(document, dict):
        return None
    said: dict[str, bool] = {}
    for key, allowed in (("permission", True), ("prohibition", False)):
        rules = document.get(key)
        for rule in rules if isinstance(rules, list) else []:
            constraints = rule.get("constraint") if isinstance(rule, dict) else None
            for constraint in constraints if isinstance(constraints, list) else []:
                if isinstance(constraint, dict) and constraint.get("leftOperand") == "purpose":
                    said[str(constraint.get("rightOperand"))] = allowed
    if set(said) != {u.value for u in USES}:
        return None
    return Policy(*(said[u.value] for u in USES))


def _constraint(text: str) -> frozenset[Use] | None:
    """IPTC's Other Constraints as this site writes them: `Reserved: a, b. Allowed: c.`"""
    found = re.match(r"Reserved: ([a-z_, ]+)\. Allowed:", text)
    if found is None:
        return None
    names = {n.strip() for n in found[1].split(",")} - {"none"}
    return frozenset(Use(n) for n in names if n in Use.__members__.values())


def _xmp(body: bytes) -> dict[str, Any]:
    try:
        with Image.open(io.BytesIO(body)) as opened:
            return dict(opened.getxmp())
    except Exception:
        return {}


def _xmp_description(xmp: dict[str, Any]) -> dict[str, Any] | None:
    try:
        description = xmp["xmpmeta"]["RDF"]["Description"]
    except (KeyError, TypeError):
        return None
    return description if isinstance(description, dict) else None


class _Page(HTMLParser):
    """A page's <meta name>, licence links, JSON-LD and pictures."""

    def __init__(self) -> None:
        super().__init__()
        self.meta: dict[str, str] = {}
        self.licence: list[str] = []
        self.json_ld: list[dict[str, Any]] = []
        self.pictures: list[str] = []
        self.links: list[str] = []
        self._in_json_ld = False
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "meta" and "name" in a:
            self.meta[a["name"]] = a.get("content", "")
        elif tag == "link" and a.get("rel") == "license":
            self.licence.append(a.get("href", ""))
        elif tag == "script" and a.get("type") == "application/ld+json":
            self._in_json_ld, self._text = True, []
        elif tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "img" and a.get("src"):
            self.pictures.append(a["src"])
        elif tag == "source" and a.get("srcset"):
            self.pictures += [p.strip().split(" ")[0] for p in a["srcset"].split(",")]

    def handle_data(self, data: str) -> None:
        if self._in_json_ld:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._in_json_ld:
            self._in_json_ld = False
            found = _json("".join(self._text).encode())
            found = found if isinstance(found, list) else [found]
            self.json_ld += [item for item in found if isinstance(item, dict)]
