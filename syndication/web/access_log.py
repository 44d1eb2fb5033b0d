"""One JSON object a line per request, for log pipelines (setting `access_log`).

Only what a request was and how it went; never a header, so never a partner's key (keys
travel only in the Authorization header, never in URLs).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from aiohttp.abc import AbstractAccessLogger
from aiohttp.web import BaseRequest, StreamResponse


class JsonAccessLogger(AbstractAccessLogger):
    def log(self, request: BaseRequest, response: StreamResponse, time: float) -> None:
        self.logger.info(
            json.dumps(
                {
                    "at": datetime.now(UTC).isoformat(timespec="milliseconds"),
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
