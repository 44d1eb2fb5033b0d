"""One recipient's mail: the digest with their own links, and the headers list mail needs.

- `List-Unsubscribe`: an https link with an opaque token (RFC 2369), and a mailto whose
  subject carries the same token (read by `syndication newsletter bounces`);
- `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058): a POST of that body to
  the https link, with no cookie or login, unsubscribes at once;
- `List-Id` (RFC 2919): the list's name under the site's host.

Headers are written by Python's email package with its SMTP policy, which refuses a value
with a line break: no field of a story or a setting can add a header.
"""

from __future__ import annotations

import email.policy
import hashlib
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from urllib.parse import quote, urlsplit

from syndication.config import Settings
from syndication.publish.newsletter import Digest

ONE_CLICK = "List-Unsubscribe=One-Click"
# CRLF, and header lines up to RFC 5322's 998 characters: List-Unsubscribe stays on one line
# (some mail clients read a folded one wrong).
POLICY = email.policy.SMTP.clone(max_line_length=998)


def mail_host(settings: Settings) -> str:
    return (urlsplit(settings.site_url).hostname or "localhost").strip("[]")


def sender_address(settings: Settings) -> str:
    return settings.mail_from or f"newsletters@{mail_host(settings)}"


def list_id(settings: Settings, list_name: str) -> str:
    """`en-world-1800.news.example.org`: the list's name as a dot-atom under the host."""
    local = "".join(c if c.isalnum() else "-" for c in list_name).strip("-").lower()
    return f"{local}.{mail_host(settings)}"


def message_id(settings: Settings, send_id: int, subscriber: int) -> str:
    """The same for the same mail, so a copy sent again is known as the same message."""
    digest = hashlib.sha256(f"{send_id}:{subscriber}".encode()).hexdigest()[:12]
    return f"<digest.{send_id}.{subscriber}.{digest}@{mail_host(settings)}>"


def unsubscribe_url(settings: Settings, token: str, list_name: str = "") -> str:
    """Stops the list named (RFC 8058: the list the mail came from), else every list."""
    named = f"?list={quote(list_name, safe='@:/')}" if list_name else ""
    return settings.absolute(f"/newsletters/unsubscribe/{token}{named}")


def preferences_url(settings: Settings, token: str) -> str:
    return settings.absolute(f"/newsletters/manage/{token}")


def digest_mail(
    settings: Settings,
    digest: Digest,
    list_name: str,
    list_title: str,
    recipient: str,
    language: str,
    token: str,
    ids: tuple[int, int],
    now: datetime,
) -> EmailMessage:
    """`ids`: (send, subscriber)."""
    unsubscribe = unsubscribe_url(settings, token, list_name)
    preferences = preferences_url(settings, token)
    message = _addressed(settings, recipient, digest.subject, now)
    message["Message-ID"] = message_id(settings, *ids)
    message["List-Id"] = formataddr(
        (f"{settings.site_name}: {list_title}", list_id(settings, list_name))
    )
    mailto = f"mailto:{sender_address(settings)}?subject={quote('unsubscribe ' + token)}"
    message["List-Unsubscribe"] = f"<{unsubscribe}>, <{mailto}>"
    message["List-Unsubscribe-Post"] = ONE_CLICK
    message["Content-Language"] = language
    message.set_content(digest.marks.filled(digest.text, unsubscribe, preferences))
    message.add_alternative(
        digest.marks.filled(digest.html, unsubscribe, preferences), subtype="html"
    )
    return message


def confirmation_mail(
    settings: Settings, recipient: str, subject: str, text: str, now: datetime
) -> EmailMessage:
    message = _addressed(settings, recipient, subject, now)
    message.set_content(text)
    return message


def _addressed(settings: Settings, recipient: str, subject: str, now: datetime) -> EmailMessage:
    message = EmailMessage(policy=_policy_for(recipient))
    message["From"] = formataddr((settings.site_name, sender_address(settings)))
    message["To"] = recipient
    message["Subject"] = subject
    message["Date"] = format_datetime(now)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies to it
    return message


def _policy_for(recipient: str) -> email.policy.EmailPolicy[EmailMessage]:
    """SMTPUTF8's for an address whose local part is not ASCII (RFC 6531)."""
    return POLICY if recipient.isascii() else POLICY.clone(utf8=True)
