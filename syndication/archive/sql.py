"""How the readers' queries are put together and run: one small builder, one runner.

Every query of archive/'s reading classes is a `Query`: its conditions carry their own
parameters (`Condition`), so a filter is added as one value and no caller joins SQL text.
Rows come back as `sqlite3.Row`, read by column name.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

import aiosqlite

from syndication.archive.storage import storage_errors


@dataclass(frozen=True, slots=True)
class Condition:
    """A boolean SQL expression and the values of its placeholders, in order."""

    sql: str
    params: tuple[Any, ...] = ()


def matches(sql: str, *params: Any) -> Condition:
    return Condition(sql, params)


@dataclass(frozen=True, slots=True)
class Query:
    """SELECT columns FROM source WHERE every condition ORDER BY ... LIMIT ... OFFSET ...

    Immutable: each method returns a new query, so a base can be shared and narrowed."""

    columns: str
    source: str
    source_params: tuple[Any, ...] = ()  # of placeholders in joins
    conditions: tuple[Condition, ...] = ()
    order: str = ""
    limit: int | None = None
    offset: int = 0

    def where(self, condition: Condition | str, *params: Any) -> Query:
        if isinstance(condition, str):
            condition = Condition(condition, params)
        return replace(self, conditions=(*self.conditions, condition))

    def order_by(self, order: str) -> Query:
        return replace(self, order=order)

    def page(self, limit: int, offset: int = 0) -> Query:
        return replace(self, limit=limit, offset=offset)

    def select(self, columns: str) -> Query:
        return replace(self, columns=columns)

    def build(self) -> tuple[str, tuple[Any, ...]]:
        parts = [f"SELECT {self.columns} FROM {self.source}"]
        params: list[Any] = list(self.source_params)
        if self.conditions:
            parts.append("WHERE " + " AND ".join(f"({c.sql})" for c in self.conditions))
            for c in self.conditions:
                params.extend(c.params)
        if self.order:
            parts.append(f"ORDER BY {self.order}")
        if self.limit is not None:
            parts.append("LIMIT ? OFFSET ?")
            params.extend((self.limit, self.offset))
        return " ".join(parts), tuple(params)


class Reader:
    """The readers' one connection: runs queries and hands rows back by name."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._held = _Held(conn)

    @property
    def conn(self) -> aiosqlite.Connection:
        return self._held.conn

    async def swap(self, conn: aiosqlite.Connection) -> None:
        """Read through `conn` from now on, and close the old connection once the queries
        already on it are done (a replica's copy is rewritten under it, and its page cache
        would not notice). A query holds its connection from its statement to its last row:
        closed between the two, it would fail."""
        old, self._held = self._held, _Held(conn)
        await old.close()

    async def close(self) -> None:
        await self._held.close()

    async def rows(self, query: Query | str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        with storage_errors(), self._held.using() as conn:
            async with conn.execute(*_statement(query, params)) as cursor:
                return list(await cursor.fetchall())

    async def one(self, query: Query | str, params: Sequence[Any] = ()) -> sqlite3.Row | None:
        with storage_errors(), self._held.using() as conn:
            async with conn.execute(*_statement(query, params)) as cursor:
                row: sqlite3.Row | None = await cursor.fetchone()
                return row

    async def value(self, query: Query | str, params: Sequence[Any] = ()) -> Any:
        """The first column of the first row, or None."""
        row = await self.one(query, params)
        return row[0] if row is not None else None


class _Held:
    """A connection and the queries running on it, so it is closed only when they are done."""

    CLOSE_WAIT_SECONDS = 30.0  # a query still running after this is cut short

    def __init__(self, conn: aiosqlite.Connection) -> None:
        conn.row_factory = sqlite3.Row
        self.conn = conn
        self.running = 0
        self.idle = asyncio.Event()
        self.idle.set()

    @contextlib.contextmanager
    def using(self) -> Iterator[aiosqlite.Connection]:
        self.running += 1
        self.idle.clear()
        try:
            yield self.conn
        finally:
            self.running -= 1
            if not self.running:
                self.idle.set()

    async def close(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.idle.wait(), self.CLOSE_WAIT_SECONDS)
        await self.conn.close()


def _statement(query: Query | str, params: Sequence[Any]) -> tuple[str, tuple[Any, ...]]:
    """A built query, or fixed SQL with its parameters."""
    return query.build() if isinstance(query, Query) else (query, tuple(params))
