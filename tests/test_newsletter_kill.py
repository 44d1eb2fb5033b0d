"""A send killed half-way, and run again, mails each of 2,000 recipients exactly once.

`syndication newsletter send` hands a digest to a real SMTP server on 127.0.0.1, which holds
one recipient's transaction open; the command is killed (SIGKILL) while it waits there, and
run again. What the relay had taken is not sent again; the held one and the rest are.
(A kill in the microseconds between a relay's acceptance and the delivery log's commit,
RFC 1047's window, is the one case that would send a mail twice: docs/newsletters.md.)
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

import pytest
from aiosmtpd.smtp import SMTP, Envelope, Session

from syndication.archive import newsletters as store
from syndication.archive.lock import open_appender
from syndication.archive.schema import transaction
from syndication.clock import Clock
from tests.conftest import article_text
from tests.live import REPO, syndication
from tests.smtp import Inbox, smtp_server

pytestmark = pytest.mark.processes
RECIPIENTS = 2_000
HELD = 700  # the recipient whose transaction the relay holds when the command is killed


class Holding(Inbox):
    """An inbox that keeps one recipient's transaction waiting, and says when it does."""

    def __init__(self) -> None:
        super().__init__()
        self.reached = threading.Event()

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address == f"reader{HELD}@example.org" and not self.reached.is_set():
            self.reached.set()
            await asyncio.sleep(30)  # the sender is killed meanwhile: this transaction dies
        return await super().handle_RCPT(server, session, envelope, address, options)


def test_a_send_killed_and_run_again_mails_each_recipient_exactly_once(tmp_path: Path) -> None:
    shutil.copytree(REPO / "content", tmp_path / "content")
    inbox = Holding()
    with smtp_server(inbox) as (_, port):
        env = {
            "SYNDICATION_SMTP_HOST": "127.0.0.1",
            "SYNDICATION_SMTP_PORT": str(port),
            "SYNDICATION_SMTP_SECURITY": "none",
            "SYNDICATION_SEND_RATE": "100000",
            "SYNDICATION_BASE_URL": "https://news.test",
        }
        assert syndication("ingest", cwd=tmp_path, env=env).returncode == 0
        clock = Clock()
        conn = open_appender(tmp_path / "syndication.db", clock)
        try:
            with transaction(conn):
                for n in range(RECIPIENTS):
                    (signup,) = store.request_subscription(
                        conn, f"reader{n}@example.org", "en", ["en@18:00"], "test", clock.now(), 3
                    )
                    store.confirm(conn, signup.subscriber.id, signup.asked, clock.now())
        finally:
            conn.close()
        (tmp_path / "content" / "world" / "late-news.md").write_text(
            article_text("Late news for every reader", published=clock.now().isoformat()),
            encoding="utf-8",
        )
        assert syndication("ingest", cwd=tmp_path, env=env).returncode == 0
        command = [
            sys.executable, "-m", "syndication", "newsletter", "send", "en@18:00", "--now",
            "--config", str(REPO / "syndication.toml"),
        ]  # fmt: skip
        first = subprocess.Popen(command, cwd=tmp_path, env={**os.environ, **env})
        try:
            assert inbox.reached.wait(60), "the send never reached the held recipient"
        finally:
            os.kill(first.pid, signal.SIGKILL)
            first.wait(10)
        taken_before = len(inbox.mails)
        assert 0 < taken_before < RECIPIENTS
        again = syndication("newsletter", "send", "en@18:00", cwd=tmp_path, env=env)
        assert again.returncode == 0, again.stderr
        assert "sent" in again.stdout
    received = Counter(r for mail in inbox.mails for r in mail.recipients)
    assert len(received) == RECIPIENTS and set(received.values()) == {1}, received.most_common(3)
    subjects = {mail.message["Subject"] for mail in inbox.mails}
    assert (
        len(subjects) == 1
        and "Late news" in inbox.mails[0].message.get_body(("plain",)).get_content()
    )
