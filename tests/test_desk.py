"""The editors' desk: a login first (argon2 accounts, a signed session cookie, tries limited),
then a live view of what is broken, waiting, changed and withdrawn, never kept by a cache."""

from __future__ import annotations

import asyncio
import re
import shutil
import time
import urllib.error
import urllib.request
from collections.abc import AsyncIterator, Iterator
from http.client import HTTPException
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import aiohttp
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import article_text, examples
from tests.live import REPO, Server, _opener, serving, syndication

pytestmark = pytest.mark.processes

PASSWORD = "a long enough password"


def _editor(workdir: Path, name: str, password: str = PASSWORD, *extra: str) -> None:
    made = syndication("editors", "add", name, *extra, cwd=workdir, stdin=password + "\n")
    assert made.returncode == 0, made.stderr


@pytest.fixture
def desk_site(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "content", tmp_path / "content")
    (tmp_path / "content" / "world" / "draft.md").write_text(
        article_text(
            title="Quay plan goes to the council",
            published="2026-11-30T08:00:00+01:00",
            status="draft",
        )
    )
    return tmp_path


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as session:
        yield session


def _private(response: aiohttp.ClientResponse) -> None:
    assert response.headers["Cache-Control"] == "private, no-store", response.url
    assert "public" not in response.headers["Cache-Control"]


async def _login(
    http: aiohttp.ClientSession, server: Server, name: str, password: str
) -> aiohttp.ClientResponse:
    response = await http.post(
        server.base + "/desk/login",
        data={"name": name, "password": password},
        allow_redirects=False,
    )
    await response.read()
    _private(response)
    return response


def _session_cookie(response: aiohttp.ClientResponse) -> dict[str, str]:
    jar = SimpleCookie(response.headers["Set-Cookie"])
    return {"Cookie": f"desk_session={jar['desk_session'].value}"}


async def test_the_desk_wants_a_login_and_refuses_the_sixth_try_in_a_minute(
    desk_site: Path, http: aiohttp.ClientSession
) -> None:
    with serving(desk_site) as server:
        _editor(desk_site, "greta")
        for path, status in (("/desk/", 303), ("/desk/events", 401), ("/desk/nothing/", 404)):
            bare = await http.get(server.base + path, allow_redirects=False)
            assert bare.status == status, path
            _private(bare)
        assert bare.headers["X-Robots-Tag"] == "noindex"
        form = await http.get(server.base + "/desk/login")
        assert form.status == 200 and 'type="password"' in await form.text()
        _private(form)
        for _ in range(5):
            assert (await _login(http, server, "greta", "not the password")).status == 401
        refused = await _login(http, server, "greta", PASSWORD)  # the 6th try in a minute
        assert refused.status == 429 and int(refused.headers["Retry-After"]) > 0
        assert "Set-Cookie" not in refused.headers
        for name in ("nobody", "", "x" * 500, "../etc"):  # another name, the same address
            assert (await _login(http, server, name, PASSWORD)).status == 429


async def test_an_editor_sees_errors_waiting_stories_and_changes_live(
    desk_site: Path, http: aiohttp.ClientSession
) -> None:
    with serving(desk_site) as server:
        _editor(desk_site, "greta")
        accepted = await _login(http, server, "greta", PASSWORD)
        assert accepted.status == 303 and accepted.headers["Location"] == "/desk/"
        cookie = SimpleCookie(accepted.headers["Set-Cookie"])["desk_session"]
        assert cookie["httponly"] and cookie["samesite"] == "Strict"
        assert cookie["path"] == "/desk/" and not cookie["secure"]  # plain HTTP here
        headers = _session_cookie(accepted)
        page = await http.get(server.base + "/desk/", headers=headers)
        _private(page)
        text = await page.text()
        assert page.status == 200 and "Quay plan goes to the council" in text
        assert "Draft" in text and "world/draft.md" in text
        preview = re.search(r'<a href="([^"]+/preview/[^"]+)">Quay plan', text)
        assert preview is not None
        shown = await http.get(server.base + urlsplit(preview[1]).path)
        assert (
            shown.status == 200 and "<h1>Quay plan goes to the council</h1>" in await shown.text()
        )
        _private(shown)

        events = await http.get(server.base + "/desk/events", headers=headers)
        _private(events)
        assert events.headers["Content-Type"].startswith("text/event-stream")
        broken = desk_site / "content" / "world" / "broken.md"
        saved = time.monotonic()
        broken.write_text("---\ntitle: Half a story\npublished: 2026-13-45\n---\n\nBody.\n")
        data = await _next_event(events, "broken.md")
        took = time.monotonic() - saved
        assert "world/broken.md:3" in data and "published" in data
        assert took < 1.0, f"the desk showed the broken file after {took:.2f} s"
        events.close()

        draft = desk_site / "content" / "world" / "draft.md"
        draft.write_text(draft.read_text().replace("status: draft\n", ""))
        server.wait_for("/en/world/2026/11/30/quay-plan-goes-to-the-council", 200)
        gone = await http.get(server.base + urlsplit(preview[1]).path, allow_redirects=False)
        assert gone.status == 303  # published: the preview link leads to the public page
        assert gone.headers["Location"] == "/en/world/2026/11/30/quay-plan-goes-to-the-council"
        _private(gone)
        later = await (await http.get(server.base + "/desk/", headers=headers)).text()
        waiting, changes = later.split('id="desk-changes"')[0], later.split('id="desk-changes"')[1]
        assert "Quay plan" not in waiting and "world/draft.md" not in waiting
        assert re.search(r"<strong>published</strong>[^<]*<a href=\"[^\"]+\">Quay plan", changes)

        _editor(desk_site, "greta", "a brand new password", "--replace")
        ended = await http.get(server.base + "/desk/", headers=headers, allow_redirects=False)
        assert ended.status == 303  # a new password ends the sessions made with the old one
        out = await http.post(server.base + "/desk/logout", allow_redirects=False)
        assert out.status == 303 and 'desk_session=""' in out.headers["Set-Cookie"]


async def _next_event(events: aiohttp.ClientResponse, wanted: str) -> str:
    """The data of the next `desk` event holding `wanted` (a few seconds at most)."""
    buffer = ""
    async with asyncio.timeout(5):
        while True:
            buffer += (await events.content.readany()).decode()
            while "\n\n" in buffer:
                block, buffer = buffer.split("\n\n", 1)
                data = "\n".join(
                    line[6:] for line in block.splitlines() if line.startswith("data: ")
                )
                if "event: desk" in block and wanted in data:
                    return data


def test_editors_names_and_passwords_are_checked_and_the_archive_left_alone(
    desk_site: Path,
) -> None:
    with serving(desk_site):
        pass  # the archive exists
    for name, password, said in (
        ("greta", "short", "12 to 1024 characters"),
        ("no spaces", PASSWORD, "cannot be an editor's name"),
        ("../root", PASSWORD, "cannot be an editor's name"),
    ):
        made = syndication("editors", "add", name, cwd=desk_site, stdin=password + "\n")
        assert made.returncode == 2 and said in made.stderr, made.stderr
    _editor(desk_site, "greta")
    twice = syndication("editors", "add", "greta", cwd=desk_site, stdin=PASSWORD + "\n")
    assert twice.returncode == 2 and "--replace" in twice.stderr
    listed = syndication("editors", "list", cwd=desk_site)
    assert listed.stdout.startswith("greta\tadded ")
    assert syndication("editors", "remove", "greta", cwd=desk_site).returncode == 0
    assert syndication("editors", "remove", "greta", cwd=desk_site).returncode == 2
    assert syndication("editors", "list", cwd=desk_site).stdout == ""


@settings(max_examples=examples(80), deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data(), path=st.sampled_from(["/desk/", "/desk/events"]))
def test_no_cookie_but_a_signed_one_opens_the_desk(
    desk_server: tuple[Server, str], data: st.DataObject, path: str
) -> None:
    """Any text, and the real cookie with one character changed, cut short, given another
    editor's name or a later end: a login asked for, never a 500 and never the desk."""
    server, real = desk_server
    name, ends, signature = real.rsplit(".", 2)
    forged = data.draw(
        st.one_of(
            st.text(
                st.characters(min_codepoint=0x20, max_codepoint=0x7E, exclude_characters=';,"\\'),
                max_size=300,
            ),
            st.integers(0, len(real) - 1).flatmap(
                lambda at: st.sampled_from("AbZ09-_.").map(
                    lambda c: real[:at] + c + real[at + 1 :] if real[at] != c else real[:at]
                )
            ),
            st.integers(0, len(real) - 1).map(lambda at: real[:at]),
            st.sampled_from([f"olga.{ends}.{signature}", f"{name}.{int(ends) + 1}.{signature}"]),
        )
    )
    request = urllib.request.Request(
        server.base + path, headers={"Cookie": f"desk_session={forged.strip()}"}
    )
    try:
        with _opener.open(request, timeout=5) as reply:
            answer = int(reply.status)
    except urllib.error.HTTPError as error:
        answer = int(error.code)
    assert answer in (303, 400, 401), (forged, answer)  # 400: a header HTTP cannot carry


@pytest.fixture(scope="module")
def desk_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, str]]:
    """A server with the editors greta and olga, and greta's session cookie."""
    root = tmp_path_factory.mktemp("desk")
    shutil.copytree(REPO / "content", root / "content")
    with serving(root) as server:
        _editor(root, "greta")
        _editor(root, "olga")
        request = urllib.request.Request(
            server.base + "/desk/login",
            data=urlencode({"name": "greta", "password": PASSWORD}).encode(),
        )
        try:
            _opener.open(request, timeout=5)
        except urllib.error.HTTPError as error:  # the 303, not followed
            cookie = SimpleCookie(error.headers["Set-Cookie"])["desk_session"].value
        assert desk_server_sees(server, cookie)
        yield server, cookie


def desk_server_sees(server: Server, cookie: str) -> bool:
    request = urllib.request.Request(
        server.base + "/desk/", headers={"Cookie": f"desk_session={cookie}"}
    )
    with _opener.open(request, timeout=5) as reply:
        return int(reply.status) == 200


async def test_the_desk_names_the_partners_who_had_a_withdrawn_story(
    desk_site: Path, http: aiohttp.ClientSession
) -> None:
    from tests.test_partner_e2e import Puller, add_partner

    with serving(desk_site) as server:
        _editor(desk_site, "greta")
        headers = _session_cookie(await _login(http, server, "greta", PASSWORD))
        key = add_partner(desk_site, "Coast Weekly", "--sections", "world")
        assert Puller(server, key).pull()  # the delivery log records what it received
        story = desk_site / "content" / "world" / "2024-06-08-night-ferry-returns.md"
        story.write_text(story.read_text().replace("\n---\n", "\nstatus: withdrawn\n---\n", 1))
        server.wait_for(
            "/en/world/2024/06/08/night-ferry-to-the-islands-returns-after-four-years", 410
        )
        text = await (await http.get(server.base + "/desk/", headers=headers)).text()
        withdrawn = text.split('id="desk-withdrawn"')[1].split("</section>")[0]
        assert re.search(
            r"Night ferry to the islands[^<]*<span[^>]*>[^<]*</span>: had by Coast Weekly",
            withdrawn,
        )
        pulls = text.split('id="desk-partners"')[1].split("</section>")[0]
        assert "Coast Weekly: 20" in pulls  # a date: when it last received something


@settings(max_examples=examples(40), deadline=None, suppress_health_check=list(HealthCheck))
@given(
    name=st.text(max_size=120),
    password=st.one_of(st.text(max_size=60), st.just("x" * 5000)),
    forwarded=st.one_of(st.none(), st.text(max_size=80)),
)
def test_any_login_form_is_refused_plainly(
    desk_server: tuple[Server, str], name: str, password: str, forwarded: str | None
) -> None:
    """Whatever the name, password and X-Forwarded-For hold: refused (401), limited (429),
    unreadable (400) or too large (413); never a session, never a 500."""
    server, _ = desk_server
    headers = {"X-Forwarded-For": forwarded} if forwarded is not None else {}
    request = urllib.request.Request(
        server.base + "/desk/login",
        data=urlencode({"name": name, "password": password}).encode(),
        headers={k: v.encode("latin-1", "replace").decode("latin-1") for k, v in headers.items()},
    )
    try:
        with _opener.open(request, timeout=10) as reply:
            answer, cookie = int(reply.status), reply.headers.get("Set-Cookie")
    except urllib.error.HTTPError as error:
        answer, cookie = int(error.code), error.headers.get("Set-Cookie")
    except (ValueError, HTTPException):
        return  # a header urllib itself will not send
    assert answer in (400, 401, 413, 429) and cookie is None, (answer, name, forwarded)
