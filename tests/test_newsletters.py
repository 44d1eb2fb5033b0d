"""Newsletters end to end, on the sample site and a real SMTP server on 127.0.0.1: a reader
signs up, confirms, receives a digest, unsubscribes in one click, and receives nothing more.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import replace
from datetime import timedelta
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlsplit

import pytest
from aiohttp.test_utils import TestClient

from syndication.archive.schema import Access, connect
from syndication.clock import SetClock
from syndication.config import Settings
from syndication.mail import schedule, sender
from syndication.mail.transport import transport_for
from syndication.web.app import create_app
from tests.conftest import SAMPLE_BASE, article_text
from tests.smtp import Inbox, smtp_server
from tests.waiting import until_async

Client = TestClient[Any, Any]
READER = "reader@example.org"


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    with smtp_server() as found:
        yield found


@pytest.fixture
def mailing(site: Settings, inbox: tuple[Inbox, int]) -> Settings:
    return replace(site, smtp_host="127.0.0.1", smtp_port=inbox[1], smtp_security="none")


@pytest.fixture
async def client(
    mailing: Settings, clock: SetClock, aiohttp_client: Callable[..., Awaitable[Client]]
) -> AsyncIterator[Client]:
    yield await aiohttp_client(create_app(mailing, clock))


def _path(url: str) -> str:
    assert url.startswith(SAMPLE_BASE), url
    return urlsplit(url).path + (f"?{urlsplit(url).query}" if urlsplit(url).query else "")


async def _mails_to(inbox: Inbox, address: str, count: int) -> list[EmailMessage]:
    return await until_async(
        lambda: len(inbox.to(address)) >= count and inbox.to(address), 10, f"{count} mails"
    )


async def _round(settings: Settings, clock: SetClock) -> list[sender.Delivered]:
    """One newsletter round, as the serving process runs it every half minute."""
    conn = connect(settings.db_path, Access.APPENDER)
    transport = transport_for(settings)
    try:
        return await until_async(
            lambda: _try_round(conn, settings, transport, clock), 10, "the sending lock"
        )
    finally:
        await transport.close()
        conn.close()


async def _try_round(conn: Any, settings: Settings, transport: Any, clock: SetClock) -> Any:
    try:
        return await schedule.one_round(conn, settings, transport, clock) or [None]
    except sender.SendingElsewhere:  # the app's own round, now and then
        return None


async def test_subscribe_confirm_receive_unsubscribe_and_nothing_more(
    client: Client, mailing: Settings, clock: SetClock, inbox: tuple[Inbox, int]
) -> None:
    smtp, _port = inbox
    answer = await client.post(
        "/en/newsletters/", data={"address": READER, "list": "en@18:00", "form": "front page"}
    )
    assert answer.status == 200 and "Check your inbox" in await answer.text()
    assert READER not in await answer.text()  # no page shows an address back
    (confirmation,) = await _mails_to(smtp, READER, 1)
    link = re.search(r"https?://\S+/newsletters/confirm/\S+", confirmation.get_content())
    assert link is not None
    page = await client.get(_path(link[0]))  # opening the link changes nothing
    assert page.status == 200 and "Confirm" in await page.text()
    confirmed = await client.post(_path(link[0]))
    assert confirmed.status == 200 and "You are subscribed" in await confirmed.text()

    title = "Ferry timetable changes for the winter"
    path = mailing.content_dir / "world" / "2026-11-27-ferry-winter.md"
    path.write_text(
        article_text(title, published="2026-11-27T11:00:00Z", section="world"), encoding="utf-8"
    )
    await until_async(lambda: _published(mailing, title), 15, "the new story ingested")
    clock.advance(timedelta(hours=6))  # 18:00 in Luxembourg has passed
    reports = await _round(mailing, clock)
    assert any(r and r.sent == 1 for r in reports), reports
    _confirmation, digest = await _mails_to(smtp, READER, 2)
    assert title in digest.get_body(("html",)).get_content()
    assert title in digest.get_body(("plain",)).get_content()
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert digest["List-Id"].endswith(".news.test>")
    one_click = re.fullmatch(r"<(http://[^>]+)>, <mailto:[^>]+>", digest["List-Unsubscribe"])
    assert one_click is not None

    # RFC 8058: a POST with that body, no cookie, no login
    client.session.cookie_jar.clear()
    stopped = await client.post(
        _path(one_click[1]),
        data="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert stopped.status == 200
    path.with_name("2026-11-28-ferry-spring.md").write_text(
        article_text("Spring ferries", published="2026-11-27T17:30:00Z", section="world"),
        encoding="utf-8",
    )
    await until_async(lambda: _published(mailing, "Spring ferries"), 15, "another story")
    clock.advance(timedelta(days=1))
    await _round(mailing, clock)
    assert len(smtp.to(READER)) == 2  # nothing more


def _published(settings: Settings, title: str) -> bool:
    conn = connect(settings.db_path, Access.READER)
    try:
        return (
            conn.execute(
                "SELECT 1 FROM articles WHERE title = ? AND state = 'live'", (title,)
            ).fetchone()
            is not None
        )
    finally:
        conn.close()
