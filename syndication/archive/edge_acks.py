"""The edge purges' outbox: how far each edge node has acknowledged the change log."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class Ack:
    seq: int  # every change up to this one is purged from the node
    day: date  # the last UTC day whose midnight purge the node took


def acked(conn: sqlite3.Connection, node: str, served: str) -> Ack | None:
    """How far `node` has acknowledged; None when never, or under other `served` rules (a
    fingerprint of what every answer states besides its content), so it is emptied once."""
    row = conn.execute("SELECT seq, day, served FROM edge_acks WHERE node = ?", (node,)).fetchone()
    if row is None or row[2] != served:
        return None
    return Ack(int(row[0]), date.fromisoformat(row[1]))


def acknowledge(conn: sqlite3.Connection, node: str, ack: Ack, served: str) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO edge_acks (node, seq, day, served) VALUES (?, ?, ?, ?)",
        (node, ack.seq, ack.day.isoformat(), served),
    )
