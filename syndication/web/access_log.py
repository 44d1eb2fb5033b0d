"""One JSON object a line per request, for log pipelines (setting `access_log`).

Only what a request was and how it went; never a header, so never a partner's key (keys
travel only in the Authorization header, never in URLs).
"""

from __future__ import annotations

import json

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

from syndication.web.services import SERVICES


class JsonAccessLogger(AbstractAccessLogger):
    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        # aiohttp hands every request of an Application in as a web.Request, with its app
        clock = request.app[SERVICES].clock if isinstance(request, web.Request) else None
        self.logger.info(
            json.dumps(
                {
                    "at": clock.now().isoformat(timespec="milliseconds") if clock else None,
                    "remote": request.remote,
                    "method": request.method,
                    "path": request.path,
                    "query": request.query_string,
                    "status": response.status,
                    "bytes": response.body_length,
                    "ms": round(time * 1000, 2),
                    "agent": request.headers.get("User-Agent", ""),
                },
                separators=(",", ":"),
            )
        )

    @property
    def enabled(self) -> bool:
        return self.logger.isEnabledFor(20)  # INFO
