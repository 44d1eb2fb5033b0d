"""The links in newsletter mails, signed so that none can be made or changed by hand.

- A confirmation link names the subscriber and when they asked (every list asked for then),
  signed with their key too, and ends `confirm_hours` later. Confirming twice is confirming
  once.
- A subscriber's link (unsubscribe, preferences, their data) is opaque: their number and a
  MAC over it and their key, in one base64url string. A new key (after they delete their
  data, or ask for one) ends every link sent before.

The MACs are HMAC-SHA256 with a secret the archive keeps (every process checks the same).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import struct
from datetime import datetime, timedelta

MAX_TOKEN = 200  # characters of a token read from a link
MAX_ID = 2**63 - 1  # SQLite's largest integer: a bigger one is no subscriber of ours


class BadToken(ValueError):
    """A link that was not made here, was changed, or has ended."""


def _mac(secret: str, message: str) -> bytes:
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).digest()


def _encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _decode(token: str) -> bytes:
    if not token or len(token) > MAX_TOKEN or not token.isascii():
        raise BadToken("not a link of ours")
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        raise BadToken("not a link of ours") from None
    if _encode(raw) != token:  # one spelling a link: none with other bits left over
        raise BadToken("not a link of ours")
    return raw


def confirmation(secret: str, subscriber: int, key: str, asked: datetime) -> str:
    stamp = int(asked.timestamp())
    body = struct.pack(">QQ", subscriber, stamp)
    return _encode(_confirm_mac(secret, subscriber, key, stamp) + body)


def read_confirmation(token: str, now: datetime, hours: int) -> tuple[int, datetime, bytes]:
    """(subscriber, when asked, MAC) of a confirmation link still in time at `now`;
    `confirmation_matches` checks the MAC once the subscriber's key is read."""
    raw = _decode(token)
    if len(raw) != 32:
        raise BadToken("not a link of ours")
    mac, (subscriber, stamp) = raw[:16], struct.unpack(">QQ", raw[16:])
    if subscriber > MAX_ID or stamp > MAX_ID:
        raise BadToken("not a link of ours")
    try:
        asked = datetime.fromtimestamp(stamp, now.tzinfo)
        ended = now > asked + timedelta(hours=hours)
    except (OverflowError, OSError, ValueError):  # a time no clock can say
        raise BadToken("not a link of ours") from None
    if ended:
        raise BadToken("this link has ended; sign up again for a new one")
    return subscriber, asked, mac


def confirmation_matches(
    secret: str, subscriber: int, key: str, asked: datetime, mac: bytes
) -> bool:
    """The MAC covers the subscriber's key: a link made for one subscriber never confirms
    another, even one given the same number later."""
    expected = _confirm_mac(secret, subscriber, key, int(asked.timestamp()))
    return hmac.compare_digest(mac, expected)


def _confirm_mac(secret: str, subscriber: int, key: str, stamp: int) -> bytes:
    return _mac(secret, f"confirm:{subscriber}:{stamp}:{key}")[:16]


def subscriber_link(secret: str, subscriber: int, key: str) -> str:
    mac = _mac(secret, f"subscriber:{subscriber}:{key}")[:16]
    return _encode(struct.pack(">Q", subscriber) + mac)


def read_subscriber_link(token: str) -> tuple[int, bytes]:
    """(subscriber, MAC) of a subscriber's link; `subscriber_link_matches` checks the MAC
    once the subscriber's key is read."""
    raw = _decode(token)
    if len(raw) != 24:
        raise BadToken("not a link of ours")
    number = struct.unpack(">Q", raw[:8])[0]
    if number > MAX_ID:
        raise BadToken("not a link of ours")
    return number, raw[8:]


def subscriber_link_matches(secret: str, subscriber: int, key: str, mac: bytes) -> bool:
    return hmac.compare_digest(mac, _mac(secret, f"subscriber:{subscriber}:{key}")[:16])
