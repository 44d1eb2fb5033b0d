"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it receives, for tests."""

from __future__ import annotations

import asyncio
import concurrent.futures
import email
import email.policy
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage

from aiosmtpd.smtp import SMTP, Envelope, Session


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage
    raw: bytes


@dataclass
class Inbox:
    """Every mail the server accepted, and the answers it is told to give."""

    mails: list[Received] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)  # recipient -> "550 ..." or "451 ..."
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        message = email.message_from_bytes(raw, policy=email.policy.default)
        with self.lock:
            self.mails.append(
                Received(str(envelope.mail_from), list(envelope.rcpt_tos), message, raw)  # type: ignore[arg-type]
            )
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [m.message for m in self.mails if address in m.recipients]


@contextmanager
def smtp_server(inbox: Inbox | None = None) -> Iterator[tuple[Inbox, int]]:
    """The server on a port the kernel picks (aiosmtpd's Controller cannot take port 0),
    on an event loop of its own thread."""
    inbox = inbox if inbox is not None else Inbox()
    loop = asyncio.new_event_loop()
    started: concurrent.futures.Future[asyncio.Server] = concurrent.futures.Future()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        made = loop.create_server(
            lambda: SMTP(inbox, enable_SMTPUTF8=True, hostname="smtp.test"), "127.0.0.1", 0
        )
        try:
            started.set_result(loop.run_until_complete(made))
        except BaseException as error:
            started.set_exception(error)
            return
        loop.run_forever()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    server = started.result(timeout=10)
    try:
        yield inbox, server.sockets[0].getsockname()[1]
    finally:
        loop.call_soon_threadsafe(server.close)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
