"""The links in newsletter mails, signed so that none can be made or changed by hand.

- A confirmation link names the subscriber and when they asked (every list asked for then),
  and ends `confirm_hours` later. Confirming twice is confirming once.
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
        return base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        raise BadToken("not a link of ours") from None


def confirmation(secret: str, subscriber: int, asked: datetime) -> str:
    stamp = int(asked.timestamp())
    body = struct.pack(">QQ", subscriber, stamp)
    return _encode(_mac(secret, f"confirm:{subscriber}:{stamp}")[:16] + body)


def read_confirmation(secret: str, token: str, now: datetime, hours: int) -> tuple[int, datetime]:
    """(subscriber, when asked) of a confirmation link still valid at `now`."""
    raw = _decode(token)
    if len(raw) != 32:
        raise BadToken("not a link of ours")
    mac, (subscriber, stamp) = raw[:16], struct.unpack(">QQ", raw[16:])
    if not hmac.compare_digest(mac, _mac(secret, f"confirm:{subscriber}:{stamp}")[:16]):
        raise BadToken("not a link of ours")
    asked = datetime.fromtimestamp(stamp, now.tzinfo)
    if now > asked + timedelta(hours=hours):
        raise BadToken("this link has ended; sign up again for a new one")
    return subscriber, asked


def subscriber_link(secret: str, subscriber: int, key: str) -> str:
    mac = _mac(secret, f"subscriber:{subscriber}:{key}")[:16]
    return _encode(struct.pack(">Q", subscriber) + mac)


def read_subscriber_link(token: str) -> tuple[int, bytes]:
    """(subscriber, MAC) of a subscriber's link; `subscriber_link_matches` checks the MAC
    once the subscriber's key is read."""
    raw = _decode(token)
    if len(raw) != 24:
        raise BadToken("not a link of ours")
    return struct.unpack(">Q", raw[:8])[0], raw[8:]


def subscriber_link_matches(secret: str, subscriber: int, key: str, mac: bytes) -> bool:
    return hmac.compare_digest(mac, _mac(secret, f"subscriber:{subscriber}:{key}")[:16])
