"""Mail that comes back, read from a Maildir folder (`bounce_mailbox`): delivery status
notifications (RFC 3464, and the many older formats relays still send), read by
flufl.bounce; and the unsubscribe mails a `List-Unsubscribe` mailto link sends.

A permanent failure suppresses the address (no more mail to it); a temporary one is left
to the relay's retries. Each message read is moved to the folder's `cur/`, so nothing is
read twice; one that is neither is left there too, counted as ignored.
"""

from __future__ import annotations

import email
import email.policy
import logging
import mailbox
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
    read = Read()
    box = mailbox.Maildir(folder, factory=None, create=False)
    secret = store.atomically(conn, store.secret)
    for key in list(box.iterkeys())[:MAX_MESSAGES]:
        try:
            with box.get_file(key) as handle:
                raw = handle.read(MAX_MESSAGE_BYTES + 1)
            if len(raw) > MAX_MESSAGE_BYTES:
                read.ignored += 1
            else:
                _one(
                    conn,
                    secret,
                    email.message_from_bytes(raw, policy=email.policy.compat32),
                    now,
                    read,
                )
            _seen(box, key)
        except (OSError, KeyError) as error:
            log.warning("bounce mailbox: message %s not read: %s", key, error)
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


def _seen(box: mailbox.Maildir, key: str) -> None:
    message = box.get_message(key)
    if message.get_subdir() == "new":
        message.set_subdir("cur")
        message.add_flag("S")
        box[key] = message
