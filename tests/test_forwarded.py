"""X-Forwarded-For is believed only from the proxies named in `proxy_networks`: the desk's
login limit and /metrics judge the address an edge in front forwards, and no reader can
pick another address (and another login budget, or the operator's network) by writing the
header themselves. The test client's peer is 127.0.0.1."""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from unittest import mock

from aiohttp import web
from aiohttp.test_utils import TestClient, make_mocked_request
from hypothesis import given, settings
from hypothesis import strategies as st

from syndication.clock import SetClock
from syndication.web.app import create_app
from syndication.web.desk import LOGINS_PER_MINUTE
from syndication.web.params import client_address
from tests.conftest import examples, make_settings

Client = TestClient[Any, Any]
Make = Callable[..., Awaitable[Client]]
EDGE = ("127.0.0.0/8",)


async def _client(tmp_path: Path, clock: SetClock, aiohttp_client: Make, **kw: Any) -> Client:
    site = make_settings(tmp_path, **kw)
    return await aiohttp_client(create_app(site, clock))


async def _tries(client: Client, forwarded: list[str]) -> list[int]:
    """Logins with a wrong password, each under another name, each saying another address."""
    statuses = []
    for n, address in enumerate(forwarded):
        form = {"name": f"editor{n}", "password": "not the password at all"}
        answer = await client.post("/desk/login", data=form, headers={"X-Forwarded-For": address})
        statuses.append(answer.status)
    return statuses


async def test_a_reader_cannot_buy_login_tries_by_naming_other_addresses(
    tmp_path: Path, clock: SetClock, aiohttp_client: Make
) -> None:
    client = await _client(tmp_path, clock, aiohttp_client)
    forged = [f"198.51.100.{n}" for n in range(LOGINS_PER_MINUTE + 2)]
    statuses = await _tries(client, forged)
    assert statuses[-1] == 429, statuses  # one budget: the peer's


async def test_behind_a_named_edge_each_forwarded_reader_has_a_budget(
    tmp_path: Path, clock: SetClock, aiohttp_client: Make
) -> None:
    client = await _client(tmp_path, clock, aiohttp_client, proxy_networks=EDGE)
    readers = [f"198.51.100.{n}" for n in range(LOGINS_PER_MINUTE + 2)]
    assert 429 not in await _tries(client, readers)
    same = ["203.0.113.7"] * (LOGINS_PER_MINUTE + 1)
    assert (await _tries(client, same))[-1] == 429


async def test_metrics_judge_whom_the_edge_forwards(
    tmp_path: Path, clock: SetClock, aiohttp_client: Make
) -> None:
    client = await _client(tmp_path, clock, aiohttp_client, proxy_networks=EDGE)
    for forwarded, status in (("203.0.113.9", 403), ("10.1.2.3", 200), ("not an address", 403),
                              ("10.1.2.3, 203.0.113.9", 403), (None, 200)):  # fmt: skip
        headers = {"X-Forwarded-For": forwarded} if forwarded is not None else {}
        answer = await client.get("/metrics", headers=headers)
        assert answer.status == status, (forwarded, answer.status)


def _request(peer: str, forwarded: str | None) -> web.Request:
    transport = mock.Mock()
    transport.get_extra_info.side_effect = lambda name, default=None: (
        (peer, 4242) if name == "peername" else default
    )
    headers = {"X-Forwarded-For": forwarded} if forwarded is not None else {}
    return make_mocked_request("GET", "/metrics", headers=headers, transport=transport)


HEADER_TEXT = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=80)


@settings(max_examples=examples(500), deadline=None)
@given(
    peer=st.ip_addresses().map(str),
    forwarded=st.one_of(st.none(), HEADER_TEXT, st.ip_addresses().map(str)),
    proxies=st.sampled_from([(), EDGE, ("10.0.0.0/8", "::1/128")]),
)
def test_only_a_named_proxys_header_is_believed_and_then_only_an_address(
    peer: str, forwarded: str | None, proxies: tuple[str, ...]
) -> None:
    said = client_address(_request(peer, forwarded), proxies)
    behind = any(ipaddress.ip_address(peer) in ipaddress.ip_network(n) for n in proxies)
    if not behind or forwarded is None:
        assert said == peer
    else:
        assert said == "unknown" or ipaddress.ip_address(said)  # an address, never the text
        assert said != peer or forwarded.rsplit(",", 1)[-1].strip() == peer
