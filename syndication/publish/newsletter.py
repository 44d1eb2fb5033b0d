"""A digest as mail: HTML with its CSS inlined (css-inline), a text part written from the
same stories, and the web copy; and the pages readers reach from a mail or a sign-up form.

A digest is rendered once for all its recipients. Each recipient's own links (unsubscribe,
preferences) are marks with a nonce of the send's, replaced for each mail: a headline can
never hold one. The HTML stays under Gmail's clipping size (102 KB): past MAX_HTML, the
last stories give way to a link to the web copy, which holds them all.

Whose copy a story is decides what a mail carries of it: a licensed-in agency's story is
its headline and link unless the source's licence allows e-mail (`email = true` in
`[sources."…"]`), and its picture never goes.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import css_inline
from jinja2 import Environment, PackageLoader, select_autoescape

from syndication.archive.newsletters import DigestStory
from syndication.config import Settings
from syndication.model import Edition, FeedKind, FeedScope, Image
from syndication.publish.labels import translator
from syndication.publish.urls import image_path, renderable, rendition_path

MAX_HTML = 100_000  # bytes of a mail's HTML: Gmail clips a message past 102 KB
PICTURE_WIDTH = 640  # the rendition a mail shows (600 px wide, sharp on most screens)

_env = Environment(
    loader=PackageLoader("syndication.publish", "templates"),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
    trim_blocks=True,
    lstrip_blocks=True,
    auto_reload=False,
)
_inliner = css_inline.CSSInliner(keep_style_tags=False, load_remote_stylesheets=False)


@dataclass(frozen=True, slots=True)
class Marks:
    """What is replaced in each recipient's copy."""

    unsubscribe: str
    preferences: str

    @classmethod
    def new(cls) -> Marks:
        nonce = secrets.token_hex(8)
        return cls(f"%%unsubscribe-{nonce}%%", f"%%preferences-{nonce}%%")

    def filled(self, text: str, unsubscribe: str, preferences: str) -> str:
        return text.replace(self.unsubscribe, unsubscribe).replace(self.preferences, preferences)


@dataclass(frozen=True, slots=True)
class Digest:
    subject: str
    preheader: str
    html: str  # the mail's, with Marks
    text: str  # the mail's, with Marks
    web_html: str  # the web copy: every story, no one's links
    stories: int
    marks: Marks


@dataclass(frozen=True, slots=True)
class Shown:
    """One story as a mail shows it."""

    title: str
    url: str
    standfirst: str
    byline: str
    picture: str  # absolute URL, "" for none
    picture_alt: str
    picture_width: int
    picture_height: int
    credit: str
    full: bool  # false: a licensed-in story, its headline and link only
    source: str


def whole_story_allowed(settings: Settings, story: DigestStory) -> bool:
    """Whether the mail may carry the story's standfirst and picture: our own copy, or a
    source whose licence allows e-mail. A story ingest found not ours to pass on
    (`syndication: false`, its rights or credit naming an agency) is never carried whole."""
    named = next((s for s in settings.sources if story.source in s.names), None)
    if named is not None and named.licensed_in and not named.email:
        return False
    return story.syndication


def _picture(settings: Settings, image: Image | None) -> tuple[str, int, int]:
    if image is None or image.syndication is False:
        return "", 0, 0
    if renderable(image) and image.width and image.height:
        width = min(PICTURE_WIDTH, image.width)
        height = round(image.height * width / image.width)
        return settings.absolute(rendition_path(image, width)), width, height
    if image.width and image.height and image.width <= PICTURE_WIDTH:
        return settings.absolute(image_path(image)), image.width, image.height
    return "", 0, 0


def shown(settings: Settings, edition: Edition, story: DigestStory) -> Shown:
    _ = translator(edition.language)
    full = whole_story_allowed(settings, story)
    picture, width, height = _picture(settings, story.image) if full else ("", 0, 0)
    image = story.image
    byline = " · ".join(story.authors)
    return Shown(
        title=story.title,
        url=settings.absolute(story.path),
        standfirst=story.standfirst if full else "",
        byline=f"{_('By')} {byline}" if byline else "",
        picture=picture,
        picture_alt=image.alt if image and picture else "",
        picture_width=width,
        picture_height=height,
        credit=image.credit if image and picture else "",
        full=full,
        source=story.source,
    )


def list_title(
    settings: Settings, edition: Edition, scope: FeedScope, name: str, cadence: str
) -> str:
    """A list as readers read it: `World, 18:00`, `Breaking news`."""
    _ = translator(edition.language)
    if cadence == "alert":
        what = _("Breaking news")
    elif scope.kind is FeedKind.ALL:
        what = _("Digest at {time}", time=cadence)
    else:
        what = _("{name}, {time}", name=name, time=cadence)
    return what


def digest(
    settings: Settings,
    scope: FeedScope,
    scope_name: str,
    cadence: str,
    stories: list[DigestStory],
    web_url: str,
    now: datetime,
) -> Digest:
    edition = settings.edition(scope.edition)
    _ = translator(edition.language)
    all_shown = [shown(settings, edition, story) for story in stories]
    date = now.astimezone(ZoneInfo(edition.timezone)).strftime(edition.date_format)
    title = list_title(settings, edition, scope, scope_name, cadence)
    if cadence == "alert" and all_shown:
        subject = f"{_('Breaking news')}: {all_shown[0].title}"
    else:
        subject = f"{settings.site_name}: {title}, {date}"
    preheader = next(
        (s.standfirst for s in all_shown if s.standfirst), all_shown[0].title if all_shown else ""
    )
    marks = Marks.new()
    common: dict[str, Any] = {
        "site": settings,
        "edition": edition,
        "_": _,
        "title": title,
        "subject": subject,
        "date": date,
        "preheader": preheader[:150],
        "web_url": web_url,
        "unsubscribe_url": marks.unsubscribe,
        "preferences_url": marks.preferences,
        "home": settings.absolute(scope.path + "/"),
    }
    web_html = _render_html({**common, "stories": all_shown, "more": 0, "web": True})
    kept = len(all_shown)
    html = _render_html({**common, "stories": all_shown, "more": 0, "web": False})
    while len(html.encode()) > MAX_HTML and kept > 1:
        kept = max(1, kept * 3 // 4 if len(html.encode()) > 2 * MAX_HTML else kept - 1)
        html = _render_html(
            {**common, "stories": all_shown[:kept], "more": len(all_shown) - kept, "web": False}
        )
    text = _env.get_template("newsletter.txt").render(
        **common, stories=all_shown[:kept], more=len(all_shown) - kept
    )
    return Digest(subject, preheader, html, text, web_html, len(all_shown), marks)


def _render_html(context: dict[str, Any]) -> str:
    return str(_inliner.inline(_env.get_template("newsletter.html").render(**context)))
