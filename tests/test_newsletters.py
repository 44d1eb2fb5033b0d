"""Newsletters end to end, on the sample site and a real SMTP server on 127.0.0.1: a reader
signs up, confirms, receives a digest, unsubscribes in one click, and receives nothing more.
"""

from __future__ import annotations

import asyncio
import base64
import mailbox
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syndication.archive import newsletters as store
from syndication.archive.lock import open_appender
from syndication.archive.schema import Access, connect, transaction
from syndication.clock import SetClock
from syndication.config import Settings
from syndication.mail import bounces, schedule, sender, tokens
from syndication.mail.transport import transport_for
from syndication.model import FeedScope, NewsletterList
from syndication.web import newsletter_routes
from syndication.web.app import create_app
from syndication.web.services import SERVICES
from tests.conftest import SAMPLE_BASE, article_text, examples, set_clock
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
    """The sample site mailing to the test's SMTP server; the test runs each newsletter
    round itself (a serving process's own round is tested on its own)."""
    return replace(
        site,
        smtp_host="127.0.0.1",
        smtp_port=inbox[1],
        smtp_security="none",
        send_while_serving=False,
    )


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
        return await schedule.one_round(sender.OnItsThread(conn), settings, transport, clock) or [
            None
        ]
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


def _member(conn: Any, address: str, list_name: str, clock: SetClock) -> store.Subscriber:
    """A confirmed subscriber, as a sign-up and its link make one."""
    with transaction(conn):
        (signup,) = store.request_subscription(
            conn, address, "en", [list_name], "test", clock.now(), 3
        )
        assert store.confirm(conn, signup.subscriber.id, signup.asked, clock.now()) == [list_name]
    return signup.subscriber


def _story(settings: Settings, name: str, title: str, **fields: object) -> None:
    (settings.content_dir / "world" / f"{name}.md").write_text(
        article_text(title, published="2026-11-27T11:00:00Z", section="world", **fields),
        encoding="utf-8",
    )


async def _ingest(client: Client, *names: str) -> None:
    await client.app[SERVICES].ingest.ingest_paths({f"world/{n}.md" for n in names})


async def test_a_licensed_in_story_is_its_headline_and_link_unless_its_licence_allows_mail(
    client: Client, mailing: Settings, clock: SetClock, inbox: tuple[Inbox, int]
) -> None:
    smtp, _ = inbox
    conn = connect(mailing.db_path, Access.APPENDER)
    try:
        _member(conn, READER, "en/world@18:00", clock)
    finally:
        conn.close()
    _story(
        mailing, "agency", "Agency copy about the port",
        source="Continental Press Agency", standfirst="The agency's own standfirst.",
        image="{src: ../images/trawlers-at-dawn.png, alt: Trawlers at dawn, credit: CPA}",
    )  # fmt: skip
    _story(mailing, "ours", "Our own copy about the port", standfirst="Our standfirst.")
    await _ingest(client, "agency", "ours")
    clock.advance(timedelta(hours=6))
    await _round(mailing, clock)
    (digest,) = await _mails_to(smtp, READER, 1)
    body = digest.get_body(("html",)).get_content()
    assert "Agency copy about the port" in body and "Our standfirst." in body
    assert "The agency's own standfirst." not in body and "trawlers-at-dawn" not in body
    assert "Trawlers at dawn" not in digest.get_body(("plain",)).get_content()


async def test_a_refused_recipient_is_given_up_and_a_deferred_one_is_sent_once_later(
    client: Client, mailing: Settings, clock: SetClock, inbox: tuple[Inbox, int]
) -> None:
    smtp, _ = inbox
    conn = connect(mailing.db_path, Access.APPENDER)
    try:
        members = {
            a: _member(conn, a, "en@18:00", clock)
            for a in ("ok@example.org", "gone@example.org", "busy@example.org", "left@example.org")
        }
    finally:
        conn.close()
    smtp.refuse = {
        "gone@example.org": "550 5.1.1 No such user",
        "busy@example.org": "451 4.3.0 Try later",
    }
    _story(mailing, "news", "News for everyone")
    await _ingest(client, "news")
    clock.advance(timedelta(hours=6))
    conn = connect(mailing.db_path, Access.APPENDER)
    try:
        send_id = sender.make_send(
            conn, mailing, NewsletterList(FeedScope("en"), "18:00"), clock.now()
        )
        assert send_id is not None
        # a subscriber deleted while the digest is on its way
        store.atomically(conn, store.delete_subscriber, members["left@example.org"].id)
        transport = transport_for(mailing)
        try:
            first = await sender.deliver(
                sender.OnItsThread(conn), mailing, send_id, transport, clock
            )
            assert (first.sent, first.failed, first.deferred) == (1, 1, 1), first
            smtp.refuse = {}
            clock.advance(mailing.send_retry_seconds)
            again = await sender.deliver(
                sender.OnItsThread(conn), mailing, send_id, transport, clock
            )
            assert (again.sent, again.failed, again.deferred) == (1, 0, 0)
        finally:
            await transport.close()
        assert store.subscriber_by_address(conn, "gone@example.org").suppressed == "bounced"
        assert store.delivery_states(conn, send_id) == {"sent": 2, "failed": 1}
    finally:
        conn.close()
    assert [
        len(smtp.to(a)) for a in ("ok@example.org", "busy@example.org", "left@example.org")
    ] == [1, 1, 0]


async def test_the_serving_process_sends_a_breaking_story_as_it_is_published(
    mailing: Settings, clock: SetClock, inbox: tuple[Inbox, int], aiohttp_client: Any
) -> None:
    """No command: the serving process's own round mails a story marked `alert: true` to
    the breaking-news list as the story comes out, and nothing for an unmarked one."""
    smtp, _ = inbox
    serving = replace(mailing, send_while_serving=True)
    client = await aiohttp_client(create_app(serving, clock))
    conn = connect(serving.db_path, Access.APPENDER)
    try:
        _member(conn, READER, "en@alert", clock)
    finally:
        conn.close()
    _story(serving, "quiet", "A quiet story")
    _story(serving, "storm", "Storm closes the harbour", alert="true")
    await _ingest(client, "quiet", "storm")
    (alert,) = await _mails_to(smtp, READER, 1)
    assert alert["Subject"] == "Breaking news: Storm closes the harbour"
    assert "A quiet story" not in alert.get_body(("plain",)).get_content()


@contextmanager
def app_on_its_loop(settings: Settings, clock: SetClock) -> Iterator[tuple[Any, Client]]:
    """The app on an event loop of the test's own, for generated tests (which call it
    from plain functions, many times)."""
    loop = asyncio.new_event_loop()
    client: Client = TestClient(TestServer(create_app(settings, clock)), loop=loop)
    loop.run_until_complete(client.start_server())
    try:
        yield loop, client
        # the confirmation mails go after the answers: let them go before the loop ends
        loop.run_until_complete(_mails_sent(loop))
    finally:
        loop.run_until_complete(client.close())
        loop.close()


async def _mails_sent(loop: Any) -> None:
    """The confirmation mails go after the answers: wait for this loop's."""
    await asyncio.gather(*(t for t in newsletter_routes._sending if t.get_loop() is loop))


@pytest.fixture
def signups(mailing: Settings) -> Iterator[tuple[Any, Client]]:
    """One app for all of a generated test's examples (each one a reader of its own)."""
    with app_on_its_loop(replace(mailing, signups_per_minute=100_000), set_clock()) as found:
        yield found


TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=80)
HOSTILE_ADDRESSES = st.one_of(
    TEXT,
    st.emails(),
    st.builds(lambda a, b: f"{a}\r\n{b}", st.emails(), TEXT),  # a header smuggled in
    st.sampled_from(
        [
            '"quoted local"@example.org',
            "user@[127.0.0.1]",
            "user@xn--bcher-kva.example",
            "üser@bücher.example",
            "a" * 65 + "@example.org",
            "user@" + "a" * 250 + ".org",
            "user@example.org\x00",
            "User@Example.ORG",
            "a@b",
        ]
    ),
)


@settings(max_examples=examples(120), deadline=None, suppress_health_check=list(HealthCheck))
@given(
    address=HOSTILE_ADDRESSES,
    lists=st.lists(
        st.one_of(
            st.sampled_from(
                ["en@07:00", "en/world@18:00", "fr@07:00", "en@alert", "en/topic/nope@07:00"]
            ),
            TEXT,
        ),
        max_size=5,
    ),
    form=TEXT,
    trap=st.sampled_from(["", "http://spam.example"]),
)
def test_any_sign_up_form_is_answered_plainly_and_mails_no_one_unconfirmed(
    signups: tuple[Any, Client],
    inbox: tuple[Inbox, int],
    address: str,
    lists: list[str],
    form: str,
    trap: str,
) -> None:
    """Whatever a form posts: the confirmation page, a 400 saying what is wrong, or a 429;
    never a 500, never an address shown back, and never a mail but a confirmation."""
    smtp, _ = inbox
    loop, client = signups
    data = [("address", address), ("form", form), ("website", trap)]
    data += [("list", name) for name in lists]
    answer = loop.run_until_complete(client.post("/en/newsletters/", data=data))
    text = loop.run_until_complete(answer.text())
    assert answer.status in (200, 400, 429), (answer.status, text[:300])
    if answer.status == 200:
        assert "Check your inbox" in text
    if "@" in address and len(address) > 3:
        assert f">{address}<" not in text and f'value="{address}"' not in text
    loop.run_until_complete(_mails_sent(loop))
    for received in smtp.mails:
        assert received.message["Subject"].startswith("Confirm your newsletters")
        assert "\n" not in received.recipients[0] and "\r" not in received.recipients[0]


@settings(max_examples=examples(300), deadline=None)
@given(
    token=st.one_of(
        TEXT, st.binary(max_size=64).map(lambda b: base64.urlsafe_b64encode(b).decode())
    )
)
def test_no_made_up_link_is_one_of_ours(token: str) -> None:
    secret, now = "s" * 64, set_clock().now()
    try:
        number, asked, mac = tokens.read_confirmation(token, now, 48)
    except tokens.BadToken:
        pass
    else:
        assert not tokens.confirmation_matches(secret, number, "key", asked, mac)
    try:
        number, mac = tokens.read_subscriber_link(token)
    except tokens.BadToken:
        return
    assert not tokens.subscriber_link_matches(secret, number, "key", mac)


@settings(max_examples=examples(300), deadline=None)
@given(at=st.integers(0, 200), by=st.characters(codec="ascii"), subscriber=st.integers(1, 2**40))
def test_a_link_changed_anywhere_or_too_old_is_refused(at: int, by: str, subscriber: int) -> None:
    secret, now = "s" * 64, set_clock().now()
    confirm = tokens.confirmation(secret, subscriber, "key", now)
    number, asked, mac = tokens.read_confirmation(confirm, now, 48)
    assert (number, asked) == (subscriber, now)
    assert tokens.confirmation_matches(secret, number, "key", asked, mac)
    assert not tokens.confirmation_matches(secret, number, "another key", asked, mac)
    with pytest.raises(tokens.BadToken):
        tokens.read_confirmation(confirm, now + timedelta(hours=48, seconds=1), 48)
    link = tokens.subscriber_link(secret, subscriber, "key")
    for token in (confirm, link):
        where = at % len(token)
        changed = token[:where] + by + token[where + 1 :]
        if changed == token:
            continue
        try:
            n, a, m = tokens.read_confirmation(changed, now, 48)
            assert not tokens.confirmation_matches(secret, n, "key", a, m)
        except tokens.BadToken:
            pass
        try:
            n, m = tokens.read_subscriber_link(changed)
            assert not tokens.subscriber_link_matches(secret, n, "key", m)
        except tokens.BadToken:
            pass


@pytest.mark.slow  # 10,000 requests
async def test_a_flood_of_sign_ups_mails_an_address_a_few_times_a_day_and_is_slowed(
    mailing: Settings, clock: SetClock, inbox: tuple[Inbox, int], aiohttp_client: Any
) -> None:
    """10,000 sign-ups of one address in a minute, from as many clients as a botnet has:
    its owner gets `signup_mails_per_day` confirmations, no more; one client sending them
    all is answered 429 after `signups_per_minute`."""
    smtp, _ = inbox
    behind_proxy = replace(mailing, proxy_networks=("127.0.0.1/32",))
    client = await aiohttp_client(create_app(behind_proxy, clock))
    form = {"address": "victim@example.org", "list": "en@07:00"}
    for n in range(10_000):
        forwarded = f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"
        answer = await client.post(
            "/en/newsletters/", data=form, headers={"X-Forwarded-For": forwarded}
        )
        assert answer.status == 200
    await _mails_sent(asyncio.get_running_loop())
    assert len(smtp.to("victim@example.org")) == behind_proxy.signup_mails_per_day
    statuses = [
        (
            await client.post(
                "/en/newsletters/", data=form, headers={"X-Forwarded-For": "10.9.9.9"}
            )
        ).status
        for _ in range(behind_proxy.signups_per_minute + 2)
    ]
    assert statuses[: behind_proxy.signups_per_minute] == [200] * behind_proxy.signups_per_minute
    assert statuses[-2:] == [429, 429]


async def test_bounces_reported_by_webhook_need_the_key_and_stop_the_mail(
    mailing: Settings, clock: SetClock, aiohttp_client: Any
) -> None:
    keyed = replace(mailing, bounce_key="k" * 32)
    client = await aiohttp_client(create_app(keyed, clock))
    conn = connect(keyed.db_path, Access.APPENDER)
    try:
        _member(conn, READER, "en@07:00", clock)
        report = [{"address": READER.upper().replace("READER", "reader"), "type": "complaint"}]
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "k" * 32}):
            refused = await client.post("/newsletters/bounces", json=report, headers=headers)
            assert refused.status == 401
        assert store.subscriber_by_address(conn, READER).suppressed is None
        for body in (b"not json", b"{}", b'[{"address": "x", "type": "bounce"}]', b"[]"):
            bad = await client.post(
                "/newsletters/bounces", data=body, headers={"Authorization": "Bearer " + "k" * 32}
            )
            assert bad.status == 400, body
        taken = await client.post(
            "/newsletters/bounces", json=report, headers={"Authorization": "Bearer " + "k" * 32}
        )
        assert taken.status == 200 and await taken.json() == {"reports": 1, "known": 1}
        assert store.subscriber_by_address(conn, READER).suppressed == "complained"
        assert store.counts(conn)[("en@07:00", "complained")] == 1
    finally:
        conn.close()
    assert (await client.post("/newsletters/bounces", json=report)).status == 401


async def test_without_a_bounce_key_there_is_no_bounce_address(client: Client) -> None:
    report = {"address": READER, "type": "bounce"}
    assert (await client.post("/newsletters/bounces", json=report)).status == 404


DSN = """\
From: Mail Delivery System <MAILER-DAEMON@relay.test>
To: newsletters@news.test
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="b"

--b
Content-Type: text/plain

I'm sorry to have to inform you that your message could not be delivered.

--b
Content-Type: message/delivery-status

Reporting-MTA: dns; relay.test

Final-Recipient: rfc822; {address}
Original-Recipient: rfc822;{address}
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 User unknown

--b--
"""


def test_bounces_and_unsubscribe_mails_read_from_a_mailbox(
    mailing: Settings, tmp_path: Path, clock: SetClock
) -> None:
    """A delivery status notification (RFC 3464) suppresses its address; a mail sent by a
    List-Unsubscribe mailto link unsubscribes its sender's token; anything else is left."""
    box = mailbox.Maildir(tmp_path / "bounces", create=True)
    box.add(DSN.format(address="gone@example.org"))
    conn = open_appender(mailing.db_path, clock)
    try:
        _member(conn, "gone@example.org", "en@07:00", clock)
        leaving = _member(conn, READER, "en@07:00", clock)
        secret = store.atomically(conn, store.secret)
        token = tokens.subscriber_link(secret, leaving.id, leaving.key)
        box.add(f"From: {READER}\nSubject: unsubscribe {token}\n\nx\n")
        box.add("From: someone@example.org\nSubject: Hello\n\nJust a note.\n")
        read = bounces.read_mailbox(conn, mailing, tmp_path / "bounces", clock.now())
        assert (read.messages, read.bounced, read.unsubscribed, read.ignored) == (3, 1, 1, 1)
        assert store.subscriber_by_address(conn, "gone@example.org").suppressed == "bounced"
        assert store.subscriptions_of(conn, leaving.id) == {}
        again = bounces.read_mailbox(conn, mailing, tmp_path / "bounces", clock.now())
        assert again.messages == 0  # each is read once
    finally:
        conn.close()


async def test_metrics_say_each_lists_mails_and_subscribers(
    client: Client, mailing: Settings, clock: SetClock, inbox: tuple[Inbox, int]
) -> None:
    conn = connect(mailing.db_path, Access.APPENDER)
    try:
        _member(conn, READER, "en/world@18:00", clock)
        _member(conn, "other@example.org", "en/world@18:00", clock)
    finally:
        conn.close()
    _story(mailing, "metrics", "A story for the metrics")
    await _ingest(client, "metrics")
    clock.advance(timedelta(hours=6))
    await _round(mailing, clock)
    text = await (await client.get("/metrics")).text()
    assert 'syndication_newsletter_mails_total{event="sent",list="en/world@18:00"} 2.0' in text
    assert 'syndication_newsletter_subscribers{list="en/world@18:00"} 2.0' in text


async def test_the_list_headers_are_those_rfc_8058_and_2919_ask_for(
    mailing: Settings, clock: SetClock, inbox: tuple[Inbox, int], aiohttp_client: Any
) -> None:
    """On an https site: List-Unsubscribe holds an https URI first (RFC 8058 section 3.1)
    and a mailto, List-Unsubscribe-Post exactly `List-Unsubscribe=One-Click`, List-Id a
    dot-atom in angle brackets (RFC 2919); a one-click POST in either form encoding works
    with no cookie, and a second one changes nothing."""
    smtp, _ = inbox
    secure = replace(mailing, base_url="https://news.test")
    client = await aiohttp_client(create_app(secure, clock))
    conn = connect(secure.db_path, Access.APPENDER)
    try:
        _member(conn, READER, "en@07:00", clock)
        _member(conn, "second@example.org", "en@07:00", clock)
    finally:
        conn.close()
    _story(secure, "headers", "A story for the headers")
    await _ingest(client, "headers")
    clock.advance(timedelta(days=1))
    await _round(secure, clock)
    first = await _mails_to(smtp, READER, 1)
    second = await _mails_to(smtp, "second@example.org", 1)
    for mail in (first[0], second[0]):
        found = re.fullmatch(
            r"<(https://news\.test/newsletters/unsubscribe/[A-Za-z0-9_-]+\?list=en@07:00)>, "
            r"<mailto:newsletters@news\.test\?subject=unsubscribe%20[A-Za-z0-9_-]+>",
            mail["List-Unsubscribe"],
        )
        assert found is not None, mail["List-Unsubscribe"]
        assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert re.fullmatch(r".*<en-07-00\.news\.test>", mail["List-Id"]), mail["List-Id"]
        assert mail["Message-ID"] and mail["Auto-Submitted"] == "auto-generated"
    client.session.cookie_jar.clear()
    url_first = re.search(r"<(https://[^>]+)>", first[0]["List-Unsubscribe"])[1]
    url_second = re.search(r"<(https://[^>]+)>", second[0]["List-Unsubscribe"])[1]
    form = aiohttp.FormData()
    form.add_field("List-Unsubscribe", "One-Click", content_type="text/plain")  # multipart
    for url, body in ((url_first, {"List-Unsubscribe": "One-Click"}), (url_second, form)):
        for _ in range(2):
            answer = await client.post(urlsplit(url).path + "?" + urlsplit(url).query, data=body)
            assert answer.status == 200
    conn = connect(secure.db_path, Access.APPENDER)
    try:
        assert store.members(conn, "en@07:00") == 0
    finally:
        conn.close()


async def test_a_confirmation_link_never_confirms_another_subscriber_or_another_spelling(
    client: Client, mailing: Settings, inbox: tuple[Inbox, int]
) -> None:
    """Found by an outside attack: a link of a deleted subscriber confirmed the next one
    given the same number in the same second; Carol@ got mail CAROL@ had bounced."""
    smtp, _ = inbox
    posted = await client.post(
        "/en/newsletters/", data={"address": "a@example.org", "list": "en@07:00"}
    )
    assert posted.status == 200
    (mail,) = await _mails_to(smtp, "a@example.org", 1)
    link = re.search(r"https?://\S+/newsletters/confirm/\S+", mail.get_content())[0]
    conn = connect(mailing.db_path, Access.APPENDER)
    try:
        first = store.subscriber_by_address(conn, "a@example.org")
        store.atomically(conn, store.delete_subscriber, first.id)
    finally:
        conn.close()
    await client.post(
        "/en/newsletters/", data={"address": "victim@example.org", "list": "en@07:00"}
    )
    refused = await client.post(_path(link))
    assert refused.status == 400
    conn = connect(mailing.db_path, Access.APPENDER)
    try:
        victim = store.subscriber_by_address(conn, "victim@example.org")
        assert victim.id != first.id and store.subscriptions_of(conn, victim.id) == {
            "en@07:00": False
        }
        _member(conn, "carol@example.org", "en@07:00", set_clock())
        store.atomically(conn, store.suppress, "carol@example.org", "bounced", set_clock().now())
    finally:
        conn.close()
    for spelling in ("Carol@Example.org", "CAROL@example.org"):
        await client.post("/en/newsletters/", data={"address": spelling, "list": "en@07:00"})
    await _mails_sent(asyncio.get_running_loop())
    assert not [m for m in smtp.mails if "carol" in m.recipients[0].lower()]


async def test_forged_links_and_hostile_reports_are_answered_never_a_500(
    mailing: Settings, clock: SetClock, aiohttp_client: Any
) -> None:
    client = await aiohttp_client(create_app(replace(mailing, bounce_key="k" * 32), clock))
    huge = base64.urlsafe_b64encode(b"\xff" * 24).decode()
    for method, path in (
        ("GET", f"/newsletters/unsubscribe/{huge}"),
        ("POST", f"/newsletters/unsubscribe/{huge}"),
        ("GET", f"/newsletters/manage/{huge}"),
        ("GET", f"/newsletters/manage/{huge}/data"),
        ("POST", f"/newsletters/manage/{huge}/delete"),
        ("GET", "/newsletters/confirm/" + base64.urlsafe_b64encode(b"\xff" * 32).decode()),
    ):
        answer = await client.request(method, path)
        assert answer.status in (200, 400), (path, answer.status)
    deep = await client.post(
        "/newsletters/bounces", data=b"[" * 60_000, headers={"Authorization": "Bearer " + "k" * 32}
    )
    assert deep.status == 400
    odd = await client.post(
        "/newsletters/bounces", data=b"{}", headers={"Authorization": "Bearer \udcff\udcfe"}
    )
    assert odd.status == 401


class Refusing(Inbox):
    """A relay that refuses our sender (a wrong setting of ours), or that takes a message
    and never answers."""

    def __init__(self, mode: str) -> None:
        super().__init__()
        self.mode = mode

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if self.mode == "sender":
            return "550 5.7.1 sender not allowed"
        envelope.mail_from = address
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        answer = await super().handle_DATA(server, session, envelope)
        if self.mode == "hang":
            await asyncio.sleep(5)
        return answer


@pytest.mark.parametrize("mode", ["sender", "hang"])
async def test_a_relay_that_refuses_us_or_hangs_gives_up_no_address_and_mails_no_one_twice(
    client: Client, mailing: Settings, clock: SetClock, mode: str
) -> None:
    relay = Refusing(mode)
    with smtp_server(relay) as (_, port):
        settings = replace(mailing, smtp_port=port, smtp_timeout_seconds=0.5, send_retry_seconds=0)
        conn = connect(settings.db_path, Access.APPENDER)
        try:
            for n in range(3):
                _member(conn, f"r{n}@example.org", "en@07:00", clock)
        finally:
            conn.close()
        _story(settings, "relay", "A story for a difficult relay")
        await _ingest(client, "relay")
        clock.advance(timedelta(days=1))
        for _ in range(3):  # the round runs again and again, as the serving process's does
            await _round(settings, clock)
            clock.advance(timedelta(minutes=1))
    conn = connect(settings.db_path, Access.APPENDER)
    try:
        assert all(
            store.subscriber_by_address(conn, f"r{n}@example.org").suppressed is None
            for n in range(3)
        )
        states = store.delivery_states(conn, 1)
    finally:
        conn.close()
    received = [r for mail in relay.mails for r in mail.recipients]
    assert len(received) == len(set(received))  # nobody twice
    if mode == "sender":
        assert received == [] and states == {"pending": 3}  # resumes when the relay is set right
    else:
        assert states == {"failed": 3}  # taken, perhaps: not sent again (RFC 1047)
