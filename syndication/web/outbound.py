"""Requests this service makes to others (hub pings, WebSub verification and delivery):
one HTTP client session and the background tasks using it, closed together."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Coroutine
from typing import Any

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult


class PublicOnly(AbstractResolver):
    """Resolves names to public addresses only, and the connection uses what it resolved:
    a name checked public and then answered with 127.0.0.1 (DNS rebinding) is never
    connected to."""

    def __init__(self) -> None:
        self._resolver = aiohttp.ThreadedResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        found = [
            r
            for r in await self._resolver.resolve(host, port, family)
            if ipaddress.ip_address(r["host"]).is_global
        ]
        if not found:
            raise OSError("the host is not on a public address")
        return found

    async def close(self) -> None:
        await self._resolver.close()


class Outbound:
    def __init__(self, timeout_seconds: float, user_agent: str, *, public_only: bool) -> None:
        self.timeout_seconds = timeout_seconds
        self.user_agent = user_agent
        self.public_only = public_only
        self._session: aiohttp.ClientSession | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def __aenter__(self) -> Outbound:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def start(self) -> None:
        connector = aiohttp.TCPConnector(resolver=PublicOnly()) if self.public_only else None
        self._session = aiohttp.ClientSession(
            connector=connector,
            timeout=aiohttp.ClientTimeout(total=self.timeout_seconds),
            headers={"User-Agent": self.user_agent},
        )

    @property
    def session(self) -> aiohttp.ClientSession:
        assert self._session is not None, "start() first"
        return self._session

    def spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        """Run `coro` in the background, kept until it ends or close() cancels it."""
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def settled(self) -> None:
        """Until every call spawned so far, and any it spawned in turn, has ended."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._session is not None:
            await self._session.close()
