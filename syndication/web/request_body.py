"""A request's body must arrive whole within `request_body_seconds` of its headers: it is
read here, before any handler, so a client that sends a form or a subscription a byte now
and then is answered 408 and let go instead of holding a handler and its connection. A body
is at most aiohttp's client_max_size (1 MB; larger ones are a 413), so the time is enough
for any client that means to send it."""

from __future__ import annotations

import asyncio

from aiohttp import web

from syndication.web.errors import Handler, error_response
from syndication.web.services import services

TOO_SLOW = "The request's body came too slowly; send it again."


@web.middleware
async def body_deadline_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.body_exists and request.can_read_body:
        found = services(request)
        try:
            async with asyncio.timeout(found.settings.request_body_seconds):
                await request.read()  # kept by aiohttp: the handler's read() or post() uses it
        except TimeoutError:
            found.connections.bodies_timed_out += 1
            response = error_response(request, 408, TOO_SLOW)
            response.force_close()
            # Sent and closed now: aiohttp would otherwise go on reading the rest of the
            # body for its lingering time, holding the connection for the slow client.
            await response.prepare(request)
            await response.write_eof()
            if request.transport is not None:
                request.transport.close()
            return response
    return await handler(request)
