"""The edge nodes a change is purged from, each in the way its own documentation describes.

- Varnish (the VCL we ship, deploy/varnish.vcl): `PURGE /` with the tags in `xkey-purge`.
- Fastly: `POST /service/{id}/purge` with the keys in a `Surrogate-Key` header and the API
  token in `Fastly-Key` (at most 256 keys a request).
- Cloudflare: `POST /zones/{id}/purge_cache` with `{"tags": [...]}` and a bearer token (at
  most 100 tags a request); the answer's `success` says whether it was done.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import aiohttp

from syndication.config import Settings

MAX_ANSWER = 65_536  # bytes of a node's answer read: a purge's answer is a few hundred


class PurgeFailed(Exception):
    """The node did not acknowledge the purge; it will be sent again."""


@dataclass(frozen=True, slots=True)
class PurgeRequest:
    """What one purge sends: each node's own API, as its documentation describes it."""

    method: str
    url: str
    headers: dict[str, str]
    json: object = None


class _Node(ABC):
    """Sends a node's purge request and reads its answer, the same way for every node."""

    __slots__ = ()
    name: str

    @abstractmethod
    def request(self, tags: Sequence[str]) -> PurgeRequest:
        """The node's own API call for these tags (each node says it)."""

    def took(self, status: int, body: bytes) -> bool:
        """A purge is taken when the node answers 200; anything else is sent again."""
        return status == 200

    def said(self, body: bytes) -> str:
        """What of a refusal's body the log shows: nothing, but where the answer explains."""
        return ""

    async def purge(self, session: aiohttp.ClientSession, tags: Sequence[str]) -> None:
        sent = self.request(tags)
        async with session.request(
            sent.method, sent.url, headers=sent.headers, json=sent.json
        ) as answer:
            # what is left unread past MAX_ANSWER is dropped with the connection
            body = await answer.content.read(MAX_ANSWER)
            if not self.took(answer.status, body):
                raise PurgeFailed(f"{self.name} answered {answer.status}{self.said(body)}")


@dataclass(frozen=True, slots=True)
class Varnish(_Node):
    url: str
    batch = 200  # tags a request; xkey takes any number, a header line should stay short

    @property
    def name(self) -> str:  # type: ignore[override]
        return f"varnish {self.url}"

    def request(self, tags: Sequence[str]) -> PurgeRequest:
        return PurgeRequest("PURGE", self.url.rstrip("/") + "/", {"xkey-purge": " ".join(tags)})


@dataclass(frozen=True, slots=True)
class _CdnNode(_Node):
    """A CDN purged through its HTTP API: one account there (a Fastly service, a
    Cloudflare zone) and the token its API takes."""

    api: str
    account: str
    token: str = ""
    kind = ""

    @property
    def name(self) -> str:  # type: ignore[override]
        return f"{self.kind} {self.account}"

    def at(self, path: str) -> str:
        return f"{self.api.rstrip('/')}{path}"


@dataclass(frozen=True, slots=True)
class Fastly(_CdnNode):
    kind = "fastly"
    batch = 256

    def request(self, tags: Sequence[str]) -> PurgeRequest:
        keys = " ".join(tags)
        headers = {"Fastly-Key": self.token, "Surrogate-Key": keys, "Accept": "application/json"}
        return PurgeRequest("POST", self.at(f"/service/{self.account}/purge"), headers)


@dataclass(frozen=True, slots=True)
class Cloudflare(_CdnNode):
    kind = "cloudflare"
    batch = 100

    def request(self, tags: Sequence[str]) -> PurgeRequest:
        return PurgeRequest(
            "POST",
            self.at(f"/zones/{self.account}/purge_cache"),
            {"Authorization": f"Bearer {self.token}"},
            {"tags": list(tags)},
        )

    def took(self, status: int, body: bytes) -> bool:
        return cloudflare_took(status, body)

    def said(self, body: bytes) -> str:
        # its JSON says why; escaped, so no answer can write a line or a control into the log
        return ": " + ascii(body[:200].decode("utf-8", "replace"))


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
