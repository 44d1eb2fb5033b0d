"""A newsletter list is a feed's scope and a cadence: `en@07:00` is the English edition's
morning digest, `en/world@18:00` the World section's evening one, `en@alert` the edition's
breaking news, sent as each story marked `alert: true` is out.

The scopes are the feeds' own (an edition, a section, a topic, an author), so a digest holds
what the scope's feed holds; the cadences are the settings' `digest_times`, in the edition's
time zone, and `alert` when `alerts` is on.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from syndication.config import Settings
from syndication.model import FeedKind, FeedScope, NewsletterList

ALERT = "alert"
MAX_NAME = 200  # a list's name, as a form or a command gives it
# edition, then nothing, a section, or topic/author and a slug; then @ and the cadence
_NAME = re.compile(
    r"(?P<edition>[a-z0-9-]{1,20})(?:/(?:(?P<kind>topic|author)/)?(?P<key>[a-z0-9-]{1,80}))?"
    r"@(?P<cadence>(?:[01]\d|2[0-3]):[0-5]\d|alert)"
)


class UnknownList(ValueError):
    """A list name that is not one of the lists the settings offer."""


def parse_list(name: str, settings: Settings) -> NewsletterList:
    """The list a name stands for, if the settings offer it; else UnknownList. A name is
    hostile until read: it comes from forms, links and the command line."""
    found = _NAME.fullmatch(name) if len(name) <= MAX_NAME else None
    if found is None:
        raise UnknownList(f"{name[:60]!r} is not a list name such as en@07:00 or en/world@18:00")
    edition, kind, key, cadence = found["edition"], found["kind"], found["key"], found["cadence"]
    if not settings.newsletters or not settings.has_edition(edition):
        raise UnknownList(f"{name!r}: there is no edition {edition!r} with newsletters")
    if key is None:
        scope = FeedScope(edition)
    elif kind is None:
        if settings.section(key) is None:
            raise UnknownList(f"{name!r}: there is no section {key!r}")
        scope = FeedScope(edition, FeedKind.SECTION, key)
    else:
        scope = FeedScope(edition, FeedKind(kind), key)
    if cadence not in cadences(settings, scope):
        offered = ", ".join(cadences(settings, scope)) or "none"
        raise UnknownList(f"{name!r}: this scope's lists are sent at {offered}")
    return NewsletterList(scope, cadence)


def cadences(settings: Settings, scope: FeedScope) -> tuple[str, ...]:
    """The cadences a scope's readers may choose: the digests, and breaking news for an
    edition."""
    if not settings.newsletters:
        return ()
    alert = (ALERT,) if settings.alerts and scope.kind is FeedKind.ALL else ()
    return (*settings.digest_times, *alert)


def lists_of(settings: Settings, scope: FeedScope) -> list[NewsletterList]:
    return [NewsletterList(scope, cadence) for cadence in cadences(settings, scope)]


def last_due(newsletter: NewsletterList, settings: Settings, now: datetime) -> datetime | None:
    """When the digest was last due, at or before `now` (aware): today's time in the
    edition's zone if it has passed, else yesterday's. None for an alert list (sent as
    stories come out)."""
    if newsletter.is_alert:
        return None
    zone = ZoneInfo(settings.edition(newsletter.scope.edition).timezone)
    local = now.astimezone(zone)
    hour, minute = (int(part) for part in newsletter.cadence.split(":"))
    due = datetime.combine(local.date(), time(hour, minute), zone)
    if due > local:
        due = datetime.combine(local.date() - timedelta(days=1), time(hour, minute), zone)
    return due


def next_due(newsletter: NewsletterList, settings: Settings, now: datetime) -> datetime | None:
    """When the digest is next due after `now` (in the edition's zone, across a change of
    clocks); None for an alert list."""
    last = last_due(newsletter, settings, now)
    if last is None:
        return None
    zone = ZoneInfo(settings.edition(newsletter.scope.edition).timezone)
    return datetime.combine(
        last.date() + timedelta(days=1), last.timetz().replace(tzinfo=None), zone
    )
