"""A local stand-in for Fastly's and Cloudflare's purge APIs, checking each request as their
public documentation describes it, and recording those it accepts. It can be taken down
(503) to see purges kept and sent again."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from aiohttp import web

FASTLY_TOKEN = "fastly-test-token"
CLOUDFLARE_TOKEN = "cloudflare-test-token"


@dataclass
class StandIn:
    base: str = ""
    down: bool = False
    fastly: list[list[str]] = field(default_factory=list)  # the keys of each accepted purge
    cloudflare: list[list[str]] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # why a malformed request was refused

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/service/{service}/purge", self._fastly)
        app.router.add_post("/client/v4/zones/{zone}/purge_cache", self._cloudflare)
        return app

    def _refuse(self, why: str, status: int = 400) -> web.Response:
        self.refused.append(why)
        return web.json_response({"msg": why}, status=status)

    async def _fastly(self, request: web.Request) -> web.Response:
        """POST /service/{id}/purge, Fastly-Key, keys space-separated in Surrogate-Key (at
        most 256); answers the purge ids by key."""
        if self.down:
            return web.Response(status=503)
        if request.headers.get("Fastly-Key") != FASTLY_TOKEN:
            return self._refuse("fastly: wrong or missing Fastly-Key", 401)
        keys = request.headers.get("Surrogate-Key", "").split()
        if not keys or len(keys) > 256 or any(len(k.encode()) > 1024 for k in keys):
            return self._refuse(f"fastly: {len(keys)} keys in Surrogate-Key")
        self.fastly.append(keys)
        return web.json_response({key: f"purge-{n}" for n, key in enumerate(keys)})

    async def _cloudflare(self, request: web.Request) -> web.Response:
        """POST /zones/{id}/purge_cache, a bearer token, {"tags": [...]} of at most 100."""
        if self.down:
            return web.Response(status=503)
        if request.headers.get("Authorization") != f"Bearer {CLOUDFLARE_TOKEN}":
            return self._refuse("cloudflare: wrong or missing bearer token", 403)
        if request.content_type != "application/json":
            return self._refuse("cloudflare: the body is not JSON")
        body = await request.json()
        tags = body.get("tags") if isinstance(body, dict) else None
        if (
            not isinstance(tags, list)
            or not 0 < len(tags) <= 100
            or not all(isinstance(t, str) and 0 < len(t) <= 1024 and "," not in t for t in tags)
            or set(body) != {"tags"}
        ):
            return self._refuse(f"cloudflare: not a purge by tags: {str(body)[:100]}")
        self.cloudflare.append(tags)
        zone = request.match_info["zone"]
        return web.json_response(
            {"success": True, "errors": [], "messages": [], "result": {"id": zone}}
        )


@contextmanager
def standing_in() -> Iterator[StandIn]:
    """The stand-in on 127.0.0.1, in a thread of its own."""
    stand_in = StandIn()
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(stand_in.app())
    started = threading.Event()

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(runner.setup())
        site = web.TCPSite(runner, "127.0.0.1", 0)
        loop.run_until_complete(site.start())
        port = runner.addresses[0][1]
        stand_in.base = f"http://127.0.0.1:{port}"
        started.set()
        loop.run_forever()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    started.wait(10)
    try:
        yield stand_in
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
