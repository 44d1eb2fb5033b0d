"""Mail that comes back, read from a Maildir folder (`bounce_mailbox`): delivery status
notifications (RFC 3464, and the many older formats relays still send), read by
flufl.bounce; and the unsubscribe mails a `List-Unsubscribe` mailto link sends.

A permanent failure suppresses the address (no more mail to it); a temporary one is left
to the relay's retries. Each message read is moved to the folder's `cur/`, so nothing is
read twice; one that is neither is left there too, counted as ignored.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import logging
import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from email.message import Message
from pathlib import Path

from flufl.bounce import all_failures

from syndication.archive import newsletters as store
from syndication.config import Settings
from syndication.mail import tokens
from syndication.mail.addresses import BadAddress, checked_address

log = logging.getLogger("syndication.mail")
MAX_MESSAGES = 10_000  # read in one pass; the rest wait for the next
MAX_MESSAGE_BYTES = 1_000_000


@dataclass
class Read:
    messages: int = 0
    bounced: int = 0
    unsubscribed: int = 0
    ignored: int = 0


def read_mailbox(conn: sqlite3.Connection, settings: Settings, folder: Path, now: datetime) -> Read:
    """Read what arrived in the Maildir's `new/`, and move each message to `cur/` (seen)."""
    read = Read()
    arrived, seen = folder / "new", folder / "cur"
    if not arrived.is_dir() or not seen.is_dir():
        raise FileNotFoundError(f"{folder} is not a Maildir folder (with new/ and cur/)")
    secret = store.atomically(conn, store.secret)
    for name in sorted(os.listdir(arrived))[:MAX_MESSAGES]:
        path = arrived / name
        try:
            with path.open("rb") as handle:
                raw = handle.read(MAX_MESSAGE_BYTES + 1)
        except OSError as error:
            log.warning("bounce mailbox: %s not read: %s", name, error)
            continue
        if len(raw) > MAX_MESSAGE_BYTES:
            read.ignored += 1
        else:
            message = email.message_from_bytes(raw, policy=email.policy.compat32)
            _one(conn, secret, message, now, read)
        with contextlib.suppress(OSError):  # another reader moved it: it is read all the same
            os.replace(path, seen / f"{name.split(':', 1)[0]}:2,S")
        read.messages += 1
    return read


def _one(
    conn: sqlite3.Connection, secret: str, message: Message, now: datetime, read: Read
) -> None:
    subject = str(message.get("Subject", ""))
    asked = subject.lower().startswith("unsubscribe ")
    if asked and _unsubscribe(conn, secret, subject.split(None, 1)[1].strip(), now):
        read.unsubscribed += 1
        return
    try:
        _temporary, permanent = all_failures(message)
    except Exception:  # a parser of many formats: one it chokes on is a message ignored
        log.warning("bounce mailbox: a message could not be read as a bounce")
        permanent = frozenset()
    found = 0
    for address in permanent:
        try:
            kept = checked_address(address.decode("utf-8", "replace")).kept
        except BadAddress:
            continue
        found += store.atomically(conn, store.suppress, kept, "bounced", now)
    if found:
        read.bounced += found
    else:
        read.ignored += 1


def _unsubscribe(conn: sqlite3.Connection, secret: str, token: str, now: datetime) -> bool:
    try:
        number, mac = tokens.read_subscriber_link(token)
    except tokens.BadToken:
        return False
    who = store.subscriber_by_id(conn, number)
    if who is None or not tokens.subscriber_link_matches(secret, who.id, who.key, mac):
        return False
    store.atomically(conn, store.unsubscribe, who.id, None, now, "mail")
    return True
