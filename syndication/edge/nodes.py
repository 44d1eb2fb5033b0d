"""The edge nodes a change is purged from, each in the way its own documentation describes.

- Varnish (the VCL we ship, deploy/varnish.vcl): `PURGE /` with the tags in `xkey-purge`.
- Fastly: `POST /service/{id}/purge` with the keys in a `Surrogate-Key` header and the API
  token in `Fastly-Key` (at most 256 keys a request).
- Cloudflare: `POST /zones/{id}/purge_cache` with `{"tags": [...]}` and a bearer token (at
  most 100 tags a request); the answer's `success` says whether it was done.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import aiohttp

from syndication.config import Settings

MAX_ANSWER = 65_536  # bytes of a node's answer read: a purge's answer is a few hundred


class PurgeFailed(Exception):
    """The node did not acknowledge the purge; it will be sent again."""


@dataclass(frozen=True, slots=True)
class Varnish:
    url: str
    batch = 200  # tags a request; xkey takes any number, a header line should stay short

    @property
    def name(self) -> str:
        return f"varnish {self.url}"

    async def purge(self, session: aiohttp.ClientSession, tags: Sequence[str]) -> None:
        async with session.request(
            "PURGE", self.url.rstrip("/") + "/", headers={"xkey-purge": " ".join(tags)}
        ) as answer:
            await _taken(answer, self.name)


@dataclass(frozen=True, slots=True)
class Fastly:
    api: str
    service_id: str
    token: str = ""
    batch = 256

    @property
    def name(self) -> str:
        return f"fastly {self.service_id}"

    async def purge(self, session: aiohttp.ClientSession, tags: Sequence[str]) -> None:
        async with session.post(
            f"{self.api.rstrip('/')}/service/{self.service_id}/purge",
            headers={
                "Fastly-Key": self.token,
                "Surrogate-Key": " ".join(tags),
                "Accept": "application/json",
            },
        ) as answer:
            await _taken(answer, self.name)


@dataclass(frozen=True, slots=True)
class Cloudflare:
    api: str
    zone_id: str
    token: str = ""
    batch = 100

    @property
    def name(self) -> str:
        return f"cloudflare {self.zone_id}"

    async def purge(self, session: aiohttp.ClientSession, tags: Sequence[str]) -> None:
        async with session.post(
            f"{self.api.rstrip('/')}/zones/{self.zone_id}/purge_cache",
            headers={"Authorization": f"Bearer {self.token}"},
            json={"tags": list(tags)},
        ) as answer:
            body = await answer.content.read(MAX_ANSWER)
            if not cloudflare_took(answer.status, body):
                text = body[:200].decode("utf-8", "replace")
                raise PurgeFailed(f"{self.name} answered {answer.status}: {text}")


Node = Varnish | Fastly | Cloudflare


def cloudflare_took(status: int, body: bytes) -> bool:
    """Whether Cloudflare's answer says the purge was done: 200 and `"success": true`.
    Whatever else it holds (not JSON, a list, nesting deep enough to exhaust the parser) is a
    purge not done, to be sent again, never an error that stops the purger."""
    if status != 200:
        return False
    try:
        found = json.loads(body)
    except (ValueError, RecursionError):
        return False
    return isinstance(found, dict) and found.get("success") is True


async def _taken(answer: aiohttp.ClientResponse, name: str) -> None:
    """A purge is taken when the node answers 200; anything else is sent again."""
    await answer.content.read(MAX_ANSWER)  # what is left unread is dropped with the connection
    if answer.status != 200:
        raise PurgeFailed(f"{name} answered {answer.status}")


def configured(settings: Settings) -> list[Node]:
    """Every node the settings name."""
    nodes: list[Node] = [Varnish(url) for url in settings.edge_varnish]
    if settings.fastly_service_id:
        nodes.append(Fastly(settings.fastly_api, settings.fastly_service_id, settings.fastly_token))
    if settings.cloudflare_zone_id:
        nodes.append(
            Cloudflare(
                settings.cloudflare_api, settings.cloudflare_zone_id, settings.cloudflare_token
            )
        )
    return nodes


def batches(tags: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(tags), size):
        yield tags[start : start + size]
