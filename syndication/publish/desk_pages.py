"""The editors' desk and its login, as HTML (web/desk.py serves them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, select_autoescape

from syndication.archive.desk_queries import (
    NewsletterState,
    PartnerPull,
    RecentChange,
    Withdrawal,
)
from syndication.config import Settings
from syndication.model import IngestErrorRecord, State, Waiting
from syndication.publish.static_files import picture_url, static_url

_env = Environment(
    loader=PackageLoader("syndication.publish", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
    auto_reload=False,
)
_env.globals["static_url"] = static_url
_env.globals["picture_url"] = picture_url


@dataclass(frozen=True, slots=True)
class Panels:
    errors: tuple[IngestErrorRecord, ...]
    waiting: tuple[Waiting, ...]
    previews: dict[str, str]  # article id -> its signed preview link
    changes: list[RecentChange]
    withdrawals: list[Withdrawal]
    partners: list[PartnerPull]
    newsletters: list[NewsletterState]


def _common(settings: Settings) -> dict[str, object]:
    edition = settings.edition(settings.default_edition)
    zone = ZoneInfo(edition.timezone)

    def when(moment: datetime | None) -> str:
        return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z") if moment else "never"

    return {"site": settings, "edition": edition, "when": when, "State": State}


def login_page(settings: Settings, problem: str = "", name: str = "") -> str:
    return _env.get_template("desk_login.html").render(
        **_common(settings), problem=problem, name=name
    )


def panels(settings: Settings, found: Panels) -> str:
    """The part of the desk its event stream sends again when something changed."""
    return _env.get_template("_desk_panels.html").render(**_common(settings), p=found)


def desk_page(settings: Settings, editor: str, found: Panels) -> str:
    return _env.get_template("desk.html").render(
        **_common(settings), editor=editor, panels=panels(settings, found)
    )
