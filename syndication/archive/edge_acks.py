"""The edge purges' outbox: how far each edge node has acknowledged the change log."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class Ack:
    seq: int  # every change up to this one is purged from the node
    day: date  # the last UTC day whose midnight purge the node took


def acked(conn: sqlite3.Connection, node: str) -> Ack | None:
    row = conn.execute("SELECT seq, day FROM edge_acks WHERE node = ?", (node,)).fetchone()
    return Ack(int(row[0]), date.fromisoformat(row[1])) if row else None


def acknowledge(conn: sqlite3.Connection, node: str, ack: Ack) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO edge_acks (node, seq, day) VALUES (?, ?, ?)",
        (node, ack.seq, ack.day.isoformat()),
    )
