"""The feed service: every feed document the site publishes, built from the archive.

Subscription feeds per edition, section, topic and author in three formats, their RFC 5005
monthly archives, and partners' full-text feeds. The feed routes, the WebSub hub and the
pinger all ask this one service; none of them builds a feed or an address of its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from syndication.archive.queries import Archive
from syndication.clock import Clock
from syndication.config import Settings
from syndication.errors import NotFound
from syndication.model import ArchivedArticle, FeedKind, FeedScope, Partner, Tombstone
from syndication.months import month_start, next_month_start
from syndication.publish.broken_articles import Report, leaving_out_broken, render_reporting
from syndication.publish.feed_document import (
    FORMATS,
    XML_FORMATS,
    ArchiveLinks,
    FeedDocument,
    document_updated,
    feed_title,
    scope_id,
)
from syndication.publish.json_feed import json_feed_bytes
from syndication.publish.machine_rights import article_policy, scope_policy
from syndication.publish.urls import (
    archive_url,
    feed_url,
    listing_path,
    partner_feed_url,
    subscription_feed_urls,
)
from syndication.publish.xml_feeds import atom_bytes, rss_bytes
from syndication.rights_policy import Policy
from syndication.validity_periods import ALWAYS, Period, between, day_of, midnight

WRITERS = {"atom": atom_bytes, "rss": rss_bytes, "json": json_feed_bytes}


@dataclass(frozen=True, slots=True)
class BuiltFeed:
    """A feed document and what a cache needs to know of it."""

    body: bytes
    content_type: str
    cache_control: str
    links: tuple[str, ...]  # Link header values: self and hubs
    article_ids: frozenset[str]  # what it shows, withdrawn ones included
    policy: Policy  # what machines may do with it (publish/machine_rights.py)
    period: Period = ALWAYS  # when its bytes are right if nothing changes


class Feeds:
    def __init__(self, settings: Settings, archive: Archive, report: Report, clock: Clock) -> None:
        self.settings = settings
        self.archive = archive
        self.report = report  # told of each article a feed had to leave out
        self.clock = clock

    async def build(self, scope: FeedScope, fmt: str, month: str = "") -> BuiltFeed:
        """The scope's subscription feed in `fmt`, or with `month` its archive document for
        that month (Atom). Raises NotFound for a scope or month that has no feed."""
        settings, archive = self.settings, self.archive
        now = self.clock.now()  # one reading: the tombstones' window and the period agree
        name = await self._name(scope)
        articles: list[ArchivedArticle]
        tombs: list[Tombstone] = []
        if month:
            articles = await archive.feeds.of_month(scope, month)
            # A month once published keeps its archive, with tombstones for what was
            # withdrawn since (RFC 5005: archives are stable), even if nothing is left.
            tombs = await archive.feeds.withdrawn_of_month(scope, month)
            if not articles and not tombs:
                raise NotFound("There is no archive for this month.")
            neighbours = await archive.feeds.neighbour_months(scope, month)
            before, after = neighbours.before, neighbours.after
            linked = neighbours.ids
            links = ArchiveLinks(
                current=feed_url(settings, scope, "atom"),
                prev_archive=archive_url(settings, scope, before) if before else None,
                next_archive=archive_url(settings, scope, after) if after else None,
                is_archive=True,
            )
            self_url = archive_url(settings, scope, month)
            alternates = {}
        else:
            articles = await archive.feeds.newest(scope, settings.feed_limit)
            linked = frozenset()  # its prev-archive link comes from its newest article
            # Tombstones are kept for whole days, so the feed's bytes move with the clock only
            # at midnight (UTC), when a day's tombstones leave it.
            since = midnight(now) - timedelta(days=settings.tombstone_days)
            tombs = await archive.feeds.tombstones(scope, since)
            newest_month = f"{articles[0].article.published:%Y-%m}" if articles else None
            links = ArchiveLinks(
                prev_archive=archive_url(settings, scope, newest_month) if newest_month else None
            )
            self_url = feed_url(settings, scope, fmt)
            alternates = {f: feed_url(settings, scope, f) for f in FORMATS}
        edition = settings.edition(scope.edition)
        title = feed_title(settings, scope, name)
        policy = self.carried_policy(scope, articles)
        doc = FeedDocument(
            scope=scope,
            title=title,
            subtitle=f"Archive for {month}: {title}" if month else title,
            language=edition.language,
            feed_id=scope_id(settings, scope),
            html_url=settings.absolute(listing_path(scope)),
            self_url=self_url,
            alternates=alternates,
            updated=document_updated(tuple(articles), tuple(tombs)),
            articles=tuple(articles),
            tombstones=tuple(tombs),
            hubs=settings.advertised_hubs,
            archive=links,
            policy=policy,
        )
        body = await render_reporting(
            self.report,
            f"the feed {self_url}",
            lambda some: WRITERS[fmt](replace(doc, articles=some), settings),
            doc.articles,
            lambda a: a.article.id,
        )
        if not month:  # the tombstones' window moves each midnight
            period = day_of(now)
        elif month >= f"{now:%Y-%m}":  # this month's archive becomes a past month's
            period = between(
                datetime.fromisoformat(month_start(month)),
                datetime.fromisoformat(next_month_start(month)),
            )
        else:
            period = ALWAYS
        return BuiltFeed(
            body,
            FORMATS[fmt],
            self._cache_control(month, now),
            (f'<{self_url}>; rel="self"', *(f'<{hub}>; rel="hub"' for hub in doc.hubs)),
            frozenset(a.article.id for a in articles) | frozenset(t.id for t in tombs) | linked,
            policy,
            period,
        )

    def carried_policy(self, scope: FeedScope, articles: Sequence[ArchivedArticle]) -> Policy:
        """A feed's rights policy: its scope's (a section's, or its edition's), and no mining
        use any story it carries reserves (Policy.carrying)."""
        settings = self.settings
        section = scope.key if scope.kind is FeedKind.SECTION else None
        policy = scope_policy(settings, scope.edition, section)
        for archived in articles:
            policy = policy.carrying(article_policy(settings, archived.article))
        return policy

    async def for_partner(
        self, partner: Partner, edition: str, section: str, fmt: str
    ) -> tuple[bytes, list[ArchivedArticle]]:
        """The section's newest articles this partner may republish now, as a full-text feed,
        and the articles it carries (for the delivery log). The same for a GET and a WebSub
        delivery: only what the partner is entitled to, never licensed-in copy."""
        settings = self.settings
        found = await self.archive.partners.feed_items(
            partner, edition, section, settings.feed_limit
        )
        articles = tuple(_without_withheld_pictures(a) for a in found)
        scope = FeedScope(edition, FeedKind.SECTION, section)
        url = partner_feed_url(settings, edition, section, fmt)
        section_name = settings.section(section).name(edition)  # type: ignore[union-attr]
        doc = FeedDocument(
            scope=scope,
            title=f"{section_name} · {settings.site_name} for {partner.name}",
            subtitle=f"Full text for republication by {partner.name}, with rights on every entry",
            language=settings.edition(edition).language,
            feed_id=settings.tag(f"partner-feed:{partner.id}:{edition}/{section}"),
            html_url=settings.absolute(listing_path(scope)),
            self_url=url,
            alternates={f: partner_feed_url(settings, edition, section, f) for f in XML_FORMATS},
            updated=document_updated(articles, ()) if articles else self.clock.now(),
            articles=articles,
            hubs=(settings.hub_url,) if settings.websub_hub else (),  # ours: it checks the key
            policy=self.carried_policy(scope, articles),
        )
        body, broken = leaving_out_broken(
            lambda some: WRITERS[fmt](replace(doc, articles=some), settings), doc.articles
        )
        for archived, reason in broken:
            await self.report(archived.article.id, f"left out of the partner feed {url}: {reason}")
        left_out = {a.article.id for a, _ in broken}
        return body, [a for a in found if a.article.id not in left_out]

    async def changed_feeds(self, article_ids: list[str]) -> list[str]:
        """The address of every public feed these articles' changes alter, in every format."""
        return subscription_feed_urls(
            self.settings, await self.archive.feeds.scopes_of(article_ids)
        )

    async def changed_partner_feeds(self, article_ids: list[str]) -> list[str]:
        """The partner feeds of the sections these articles are in."""
        sections = {
            (s.edition, s.key)
            for s in await self.archive.feeds.scopes_of(article_ids)
            if s.kind is FeedKind.SECTION
        }
        return [
            partner_feed_url(self.settings, edition, section, fmt)
            for edition, section in sorted(sections)
            for fmt in XML_FORMATS
        ]

    def _cache_control(self, month: str, now: datetime) -> str:
        stale = self.settings.feed_stale_seconds
        max_age = self.settings.feed_max_age
        if month and month < f"{now:%Y-%m}":
            max_age = 86400  # a past month's archive changes only when an old story is withdrawn
        return f"public, max-age={max_age}, stale-while-revalidate={stale}, stale-if-error={stale}"

    async def _name(self, scope: FeedScope) -> str:
        settings = self.settings
        if scope.kind is FeedKind.ALL:
            return settings.edition(scope.edition).name
        if scope.kind is FeedKind.SECTION:
            section = settings.section(scope.key)
            return section.name(scope.edition) if section else scope.key
        name = await self.archive.feeds.scope_name(scope)
        if name is None:
            raise NotFound(f"There is no such {scope.kind.value} in this edition.")
        return name


def _without_withheld_pictures(archived: ArchivedArticle) -> ArchivedArticle:
    image = archived.article.image
    if image is None or image.syndication:
        return archived
    return replace(archived, article=replace(archived.article, image=None))
