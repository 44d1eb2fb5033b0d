"""GET /api/v1/openapi.json: the partner API described in OpenAPI 3.1 (checked by
schemathesis against the running server in the tests)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from syndication.publish.feed_document import MEDIA_TYPES, XML_FORMATS
from syndication.publish.routes import ROUTES
from syndication.web.services import services

routes = web.RouteTableDef()

_ERROR = {"$ref": "#/components/responses/Error"}
# A time the archive can hold: the years 1800 to 2999 (web/params.py).
_MOMENT = {"type": "string", "format": "date-time", "pattern": "^(1[89]|2[0-9])[0-9]{2}-"}
_RATE_HEADERS = {
    name: {"schema": {"type": "integer", "minimum": 0}, "description": text}
    for name, text in (
        ("RateLimit-Limit", "Requests allowed a minute."),
        ("RateLimit-Remaining", "Requests left now."),
        ("RateLimit-Reset", "Seconds until the allowance is whole again."),
    )
}


def _param(name: str, where: str, schema: dict[str, Any], text: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": where,
        "required": where == "path",
        "schema": schema,
        "description": text,
    }


def _number(name: str, low: int, high: int, default: int, text: str) -> dict[str, Any]:
    schema = {"type": "integer", "minimum": low, "maximum": high, "default": default}
    return _param(name, "query", schema, text)


def _ok(schema_ref: str, text: str) -> dict[str, Any]:
    return {
        "description": text,
        "headers": _RATE_HEADERS,
        "content": {"application/json": {"schema": {"$ref": schema_ref}}},
    }


def _errors(*codes: int) -> dict[str, Any]:
    return {str(code): _ERROR for code in (400, 401, 429, *codes)}


def document(base_url: str) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Partner syndication API",
            "version": "1.0.0",
            "description": "Items as IPTC ninjs 3.1, with their rights. See docs/partners.md.",
        },
        "servers": [{"url": base_url.rstrip("/")}],
        "security": [{"bearer": []}, {"basic": []}],
        "paths": {
            "/api/v1/changes": _changes(),
            "/api/v1/items": _items(),
            **{f"/api/v1/feeds/{{edition}}/{{section}}.{fmt}": _feed(fmt) for fmt in XML_FORMATS},
            "/api/v1/items/{id}": _item(),
        },
        "components": _components(),
    }


def _changes() -> dict[str, Any]:
    return {
        "get": {
            "operationId": "changes",
            "summary": "Every change the partner may see after the cursor, oldest first",
            "parameters": [
                _param(
                    "cursor",
                    "query",
                    {"type": "string", "pattern": "^s[0-9a-f]{1,15}$"},
                    "next_cursor of an earlier answer (opaque).",
                ),
                _number("limit", 1, 100, 50, "Items."),
                _number("wait", 0, 30, 0, "Seconds to long-poll."),
            ],
            "responses": {
                "200": _ok("#/components/schemas/ChangesPage", "A page of changes."),
                # 409: the cursor is ahead of the archive, which was restored or
                # rebuilt; start again without a cursor
                **_errors(409),
            },
        }
    }


def _items() -> dict[str, Any]:
    return {
        "get": {
            "operationId": "items",
            "summary": "Current items, most recently changed first",
            "parameters": [
                _param("section", "query", {"type": "string"}, "One entitled section."),
                _param("topic", "query", {"type": "string"}, "A topic slug."),
                _param(
                    "q",
                    "query",
                    {"type": "string"},
                    "Full-text search, over the newest 5,000 matches; 422 when it matches "
                    "too much to answer within the search budget.",
                ),
                _param("since", "query", _MOMENT, "versionCreated at or after."),
                _param("until", "query", _MOMENT, "versionCreated before."),
                _number("page", 1, 100_000, 1, "Page."),
                _number("limit", 1, 100, 20, "Items."),
            ],
            "responses": {
                "200": _ok("#/components/schemas/ItemsPage", "A page of items."),
                **_errors(403, 404, 422, 503),
            },
        }
    }


def _feed(fmt: str) -> dict[str, Any]:
    return {
        "get": {
            "operationId": f"feed_{fmt}",
            "summary": f"Full-text {fmt.upper()} feed of an entitled section",
            "parameters": [
                _param("edition", "path", {"type": "string", "examples": ["en"]}, "Edition code."),
                _param(
                    "section", "path", {"type": "string", "examples": ["world"]}, "Section slug."
                ),
            ],
            "responses": {
                "200": {
                    "description": "The feed, rights on every entry.",
                    "headers": _RATE_HEADERS,
                    "content": {MEDIA_TYPES[fmt]: {"schema": {"type": "string"}}},
                },
                **_errors(403, 404),
            },
        }
    }


def _item() -> dict[str, Any]:
    return {
        "get": {
            "operationId": "item",
            "summary": "One item",
            "parameters": [_param("id", "path", {"type": "string"}, "Article id.")],
            "responses": {
                "200": _ok("#/components/schemas/NinjsItem", "The item."),
                **_errors(404),
            },
        }
    }


def _components() -> dict[str, Any]:
    item_list = {"type": "array", "items": {"$ref": "#/components/schemas/NinjsItem"}}
    return {
        "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer"},
            "basic": {"type": "http", "scheme": "basic", "description": "Key as password."},
        },
        "responses": {
            "Error": {
                "description": "What went wrong.",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            }
        },
        "schemas": {
            "Error": {
                "type": "object",
                "required": ["ok", "error", "status"],
                "properties": {
                    "ok": {"const": False},
                    "error": {"type": "string"},
                    "status": {"type": "integer"},
                },
            },
            "ChangesPage": {
                "type": "object",
                "required": ["items", "next_cursor", "has_more"],
                "properties": {
                    "items": item_list,
                    "next_cursor": {"type": "string"},
                    "has_more": {"type": "boolean"},
                },
            },
            "ItemsPage": {
                "type": "object",
                "required": ["items", "page", "has_more"],
                "properties": {
                    "items": item_list,
                    "page": {"type": "integer", "minimum": 1},
                    "has_more": {"type": "boolean"},
                },
            },
            "NinjsItem": {
                "description": "An IPTC ninjs 3.1 news item "
                "(http://www.iptc.org/std/ninjs/ninjs-schema_3.1.json).",
                "type": "object",
                "required": ["uri", "type", "version", "versionCreated", "pubStatus"],
                "properties": {
                    "uri": {"type": "string", "format": "uri"},
                    "type": {"const": "text"},
                    "version": {"type": "string"},
                    "versionCreated": {"type": "string", "format": "date-time"},
                    "pubStatus": {"enum": ["usable", "withheld", "canceled"]},
                    "embargoedUntil": {"type": "string", "format": "date-time"},
                    "headlines": {"type": "array"},
                    "bodies": {"type": "array"},
                    "associations": {"type": "array"},
                },
            },
        },
    }


@routes.get(ROUTES["openapi"])
async def openapi(request: web.Request) -> web.Response:
    return web.json_response(document(services(request).settings.site_url))
