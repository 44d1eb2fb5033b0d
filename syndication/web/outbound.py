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

# IPv6 prefixes whose last 32 bits are an IPv4 address the packet is meant for: NAT64's
# well-known and local-use prefixes (RFC 6052, 8215), IPv4-translated (RFC 2765) and the
# deprecated IPv4-compatible form (RFC 4291).
_IPV4_INSIDE = tuple(
    ipaddress.IPv6Network(n) for n in ("64:ff9b::/96", "64:ff9b:1::/48", "::ffff:0:0:0/96", "::/96")
)


def is_public(address: str) -> bool:
    """Whether an address is one of the public internet's, also when it is an IPv6 form of
    an IPv4 address (mapped, translated, NAT64, 6to4, Teredo, compatible): each is judged
    by the IPv4 address it reaches, so [::127.0.0.1] is the loopback it is."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        inner = [ip.ipv4_mapped, ip.sixtofour, *(ip.teredo or ())]
        inner += [ipaddress.IPv4Address(ip.packed[-4:]) for n in _IPV4_INSIDE if ip in n]
        if any(v4 is not None and not v4.is_global for v4 in inner):
            return False
    return ip.is_global


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
            r for r in await self._resolver.resolve(host, port, family) if is_public(r["host"])
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
