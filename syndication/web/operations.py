"""The operator's routes: /healthz, /readyz and /metrics."""

from __future__ import annotations

import hmac
import ipaddress
import os

from aiohttp import web
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest

from syndication.ingest import health
from syndication.publish.routes import ROUTES
from syndication.web.params import client_address
from syndication.web.services import services

routes = web.RouteTableDef()


@routes.get(ROUTES["healthz"])
async def healthz(request: web.Request) -> web.Response:
    """Alive: the process answers and can read its archive."""
    ok = await services(request).archive.ping()
    # The pid tells the processes of `serve --workers N` apart.
    return web.json_response(
        {"ok": ok, "pid": os.getpid()},
        status=200 if ok else 503,
        headers={"Cache-Control": "no-store"},  # a cache's copy would say nothing of now
    )


@routes.get(ROUTES["readyz"])
async def readyz(request: web.Request) -> web.Response:
    """Ready for traffic: the archive is open, where this process ingests the first scan of
    content/ is done (before it, pages may be missing or old), and the writer can write (a
    full disk means editors' saves are not reaching the site)."""
    found = services(request)
    archive_ok = await found.archive.ping()
    ingest = found.ingest
    caught_up = ingest is None or ingest.caught_up
    writes = ingest.health if ingest is not None else health.read(found.settings.db_path)
    writes_ok = writes is None or writes.ok
    ok = archive_ok and caught_up and writes_ok
    body: dict[str, object] = {"ok": ok, "archive": archive_ok, "ingest_caught_up": caught_up}
    if writes is not None:
        body["writes"] = writes.as_json()
    return web.json_response(body, status=200 if ok else 503, headers={"Cache-Control": "no-store"})


def _may_scrape(request: web.Request) -> bool:
    settings = services(request).settings
    token = settings.metrics_token
    if token and hmac.compare_digest(
        request.headers.get("Authorization", "").encode(), f"Bearer {token}".encode()
    ):
        return True
    try:  # whom an edge in front forwards, not the edge itself (params.client_address)
        address = ipaddress.ip_address(client_address(request, settings.proxy_networks))
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(n, strict=False) for n in settings.metrics_networks)


@routes.get(ROUTES["metrics"])
async def metrics(request: web.Request) -> web.Response:
    """For the operator's Prometheus only: from `metrics_networks`, or with `metrics_token`."""
    if not _may_scrape(request):
        raise web.HTTPForbidden(text="/metrics is not open to this address.")
    body = generate_latest(services(request).metrics)
    return web.Response(
        body=body,
        headers={"Content-Type": CONTENT_TYPE_LATEST, "Cache-Control": "no-store"},
    )
