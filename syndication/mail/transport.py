"""Where mail goes: an SMTP relay (aiosmtplib; STARTTLS or TLS, with authentication), or,
with no relay set, an outbox folder of .eml files (as Django's file backend writes them),
so that `make serve` shows the whole flow on a machine with no mail server.

A relay's answer sorts each failure: 4xx, a dropped connection or no answer in time is
temporary (tried again later); 5xx is permanent (the address is given up).
"""

from __future__ import annotations

import asyncio
import os
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

import aiosmtplib

from syndication.config import Settings


class TemporaryFailure(Exception):
    """Try again later."""


class PermanentFailure(Exception):
    """The relay refuses this recipient for good (a 5xx to RCPT: a hard bounce)."""


class MessageRefused(Exception):
    """The relay refuses this one message for good (a 5xx after DATA): not sent again, the
    address kept."""


class RelayRefused(Exception):
    """The relay refuses us, not the recipient (our sender, our login, a 5xx to MAIL): the
    send stops, nothing is given up, and it resumes when the relay is set right."""


class Uncertain(Exception):
    """The message went, and the relay did not say whether it took it (no answer in time,
    or the connection dropped, after the message's last line). Sent again, it could arrive
    twice (RFC 1047): it is not."""


class Transport(Protocol):
    async def send(self, message: EmailMessage, sender: str, recipient: str, name: str) -> None:
        """Hand one mail over; `name` is the mail's own (send and subscriber)."""

    def handed_over(self, name: str) -> bool:
        """Whether a mail of that name is known to have been handed over already."""

    async def close(self) -> None: ...


class Outbox:
    """Each mail a file: written whole under a temporary name, then renamed, so a mail is
    in the folder once or not at all, even when the process is killed while writing."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, name: str) -> Path:
        return self.folder / f"{name}.eml"

    async def send(self, message: EmailMessage, sender: str, recipient: str, name: str) -> None:
        await asyncio.to_thread(self._write, message, name)

    def _write(self, message: EmailMessage, name: str) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        partial = self.folder / f".{name}.part"
        with partial.open("wb") as handle:
            handle.write(message.as_bytes())  # in the message's own policy (mail/message.py)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, self._path(name))

    def handed_over(self, name: str) -> bool:
        return self._path(name).exists()

    async def close(self) -> None:
        return None


class Relay:
    """One connection to the relay, opened when first needed and again after a failure."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.client: aiosmtplib.SMTP | None = None

    async def _connected(self) -> aiosmtplib.SMTP:
        if self.client is not None and self.client.is_connected:
            return self.client
        s = self.settings
        client = aiosmtplib.SMTP(
            hostname=s.smtp_host,
            port=s.smtp_port,
            use_tls=s.smtp_security == "tls",
            start_tls=s.smtp_security == "starttls",
            timeout=s.smtp_timeout_seconds,
            username=s.smtp_user or None,
            password=s.smtp_password or None,
        )
        await client.connect()
        self.client = client
        return client

    async def send(self, message: EmailMessage, sender: str, recipient: str, name: str) -> None:
        """MAIL, RCPT and DATA one at a time, so that each failure is read for what it
        says: of us, of the recipient, of the message, or of nothing known."""
        options = [] if recipient.isascii() else ["SMTPUTF8"]
        try:
            client = await self._connected()
            await client.mail(sender, options=options)
            await client.rcpt(recipient)
        except aiosmtplib.SMTPRecipientRefused as refused:
            await self._reset()
            if 500 <= refused.code < 600:
                raise PermanentFailure(f"{refused.code} {refused.message}"[:300]) from None
            raise TemporaryFailure(f"{refused.code} {refused.message}"[:300]) from None
        except aiosmtplib.SMTPResponseException as answer:  # to MAIL, or to our login
            await self._drop()
            if 500 <= answer.code < 600:
                raise RelayRefused(f"{answer.code} {answer.message}"[:300]) from None
            raise TemporaryFailure(f"{answer.code} {answer.message}"[:300]) from None
        except (TimeoutError, aiosmtplib.SMTPException, OSError) as error:
            await self._drop()
            raise TemporaryFailure(f"{type(error).__name__}: {error}"[:300]) from None
        try:
            # as the message's own policy writes it (mail/message.py): aiosmtplib's
            # send_message would fold List-Unsubscribe over several lines
            await client.data(message.as_bytes())
        except aiosmtplib.SMTPResponseException as answer:
            await self._reset()
            if 500 <= answer.code < 600:
                raise MessageRefused(f"{answer.code} {answer.message}"[:300]) from None
            raise TemporaryFailure(f"{answer.code} {answer.message}"[:300]) from None
        except (TimeoutError, aiosmtplib.SMTPException, OSError) as error:
            await self._drop()
            raise Uncertain(f"{type(error).__name__}: {error}"[:300]) from None

    async def _reset(self) -> None:
        """The transaction ended without a message: the connection serves the next one."""
        if self.client is None:
            return
        try:
            await self.client.rset()
        except (TimeoutError, aiosmtplib.SMTPException, OSError):
            await self._drop()

    def handed_over(self, name: str) -> bool:
        return False  # SMTP cannot say; see archive.newsletters.resume_interrupted

    async def _drop(self) -> None:
        client, self.client = self.client, None
        if client is not None:
            client.close()

    async def close(self) -> None:
        client, self.client = self.client, None
        if client is not None and client.is_connected:
            try:
                await client.quit()
            except (TimeoutError, aiosmtplib.SMTPException, OSError):
                client.close()


def transport_for(settings: Settings) -> Transport:
    return Relay(settings) if settings.smtp_host else Outbox(settings.outbox_dir)
