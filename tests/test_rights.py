"""One rights policy, on every surface (docs/rights.md): the policy as syndication.toml and
front matter say it, refused with its line when it is wrong; and a generated test over
policies of the site, an edition, sections, sources, stories and pictures, each site served
and read back by `check --rights`, which must find every surface agreeing."""

from __future__ import annotations

import asyncio
import functools
import io
import tempfile
from dataclasses import replace
from pathlib import Path
from urllib import robotparser
from urllib.parse import quote, unquote

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from syndication.archive.partners import PartnerStore
from syndication.archive.schema import open_writer
from syndication.config import Settings, load_settings
from syndication.edge.tags import scope_tag
from syndication.errors import ConfigError, ContentError
from syndication.ingest.parse import parse_article
from syndication.model import Edition, FeedScope, Section, Source
from syndication.publish import picture_metadata
from syndication.publish.machine_rights import article_policy, picture_policy
from syndication.rights_check import check_rights
from syndication.rights_policy import USES, Permissions, Policy, SiteRights
from syndication.web.app import create_app
from syndication.web.services import SERVICES
from tests.conftest import examples, make_settings, set_clock

AGENCY = "Continental Press Agency"
STAFF = "Harbour Ledger Staff"


def picture(kind: str, shade: int, agency_xmp: bytes | None = None) -> bytes:
    out = io.BytesIO()
    extra = {"xmp": agency_xmp} if agency_xmp else {}
    Image.new("RGB", (700, 420), (shade, 90, 120)).save(out, kind, **extra)
    return out.getvalue()


# What syndication.toml and front matter say, and how a wrong one is told.


def test_the_policy_is_read_from_each_table_and_a_wrong_one_is_told_with_its_line(
    tmp_path: Path,
) -> None:
    path = tmp_path / "syndication.toml"
    path.write_text(
        '[rights]\nai_input = "allowed"\ncontact = "rights@news.example"\n'
        '[editions.en]\nname = "English"\ntdm = "allowed"\n'
        '[sections.world]\nsearch = "reserved"\n'
        f'[sources."{STAFF}"]\nai_training = "allowed"\n'
    )
    loaded = load_settings(path, {})
    assert loaded.rights.default == Policy(search=True, ai_training=False, ai_input=True, tdm=False)
    assert loaded.edition("en").permissions == Permissions(tdm=True)
    world = loaded.section("world")
    assert world is not None and world.permissions == Permissions(search=False)
    assert loaded.sources[0].permissions == Permissions(ai_training=True)
    for text, line, words in (
        ('[rights]\nsearch = "allowed"\nai_training = "maybe"\n', 3, "`allowed` or `reserved`"),
        ('[editions.en]\nname = "E"\ncolour = "red"\n', 3, "`colour` is not a use"),
        ('[sections.world]\nai_trainig = "reserved"\n', 2, "did you mean `ai_training`?"),
        ("[rights]\ntdm = true\n", 2, "not true (a yes or no does not say which)"),
        ('[rights]\nlicence_page = "javascript:alert(1)"\n', 2, "licence_page"),
        (f'[sources."{AGENCY}"]\nlicensed_in = true\n\nai_input = "allowed"\n', 4, "not ours"),
        ('[rights]\nrobots_signals = "yes"\n', 2, "true or false"),
    ):
        path.write_text(text)
        with pytest.raises(ConfigError) as refused:
            load_settings(path, {})
        assert f"syndication.toml:{line}:" in str(refused.value) and words in str(refused.value)


def test_front_matter_says_a_storys_and_a_pictures_uses_and_cannot_open_others_copy(
    tmp_path: Path,
) -> None:
    made = make_settings(tmp_path)
    (made.content_dir / "world").mkdir()
    (made.content_dir / "world" / "p.png").write_bytes(picture("PNG", 1))

    def parse(front: str) -> object:
        text = (
            f"---\ntitle: Quay\npublished: 2024-03-01T09:30:00+01:00\nsection: world\n{front}"
            "---\n\nThe quay reopened.\n"
        )
        return parse_article(text.encode(), "world/a.md", made.content_dir, made).article

    own = parse("permissions:\n  ai_input: allowed\n")
    assert own.permissions == Permissions(ai_input=True)  # type: ignore[attr-defined]
    agency = parse(f"source: {AGENCY}\npermissions:\n  search: reserved\n")
    assert agency.permissions == Permissions(search=False)  # type: ignore[attr-defined]
    assert agency.licensed_from == AGENCY  # type: ignore[attr-defined]
    # kept as the file says it; what is published keeps others' copy from mining
    assert article_policy(made, agency) == Policy(False, False, False, False)  # type: ignore[arg-type]
    named = parse("rights: © 2024 C.P.A.\n")
    assert named.licensed_from == AGENCY  # type: ignore[attr-defined]
    assert article_policy(made, named).mining_reserved  # type: ignore[arg-type]
    credited = parse(
        "image:\n  src: p.png\n  alt: The quay\n  credit: Photo by CPA\n"
        "  permissions:\n    search: reserved\n"
    )
    image = credited.image  # type: ignore[attr-defined]
    assert image.licensed_from == AGENCY and image.permissions == Permissions(search=False)
    shown = picture_policy(Policy(True, True, True, True), image)
    assert shown == Policy(False, False, False, False)
    for front, line, words in (
        ("permissions:\n  ai_training: yes please\n", 6, "`allowed` or `reserved`"),
        ("permissions:\n  training: allowed\n", 6, "did you mean `ai_training`?"),
        ("permissions:\n  tdm: yes\n", 6, "`permissions.tdm` is `allowed` or `reserved`"),
        ("permissions: allowed\n", 5, "a group of uses"),
        (f"source: {AGENCY}\npermissions:\n  tdm: allowed\n", 7, "not ours"),
        (f"rights: © {AGENCY}\npermissions:\n  ai_input: allowed\n", 7, "not ours"),
        (
            "image:\n  src: p.png\n  alt: The quay\n  credit: CPA\n"
            "  permissions:\n    ai_training: allowed\n",
            10,
            "not ours",
        ),
    ):
        with pytest.raises(ContentError) as refused:
            parse(front)
        assert refused.value.line == line and words in str(refused.value), (front, refused.value)


# Every surface, read back, over generated policies.

partial = st.builds(Permissions, *(st.sampled_from([None, True, False]) for _ in USES))
whole = st.builds(Policy, *(st.booleans() for _ in USES))
own_partial = partial
# licensed-in copy may say nothing, or reserve; it never allows mining
others_partial = st.builds(
    Permissions,
    st.sampled_from([None, True, False]),
    *(st.sampled_from([None, False]) for _ in USES[1:]),
)


@st.composite
def stories(draw: st.DrawFn) -> list[dict[str, object]]:
    found = []
    for number in range(draw(st.integers(2, 5))):
        source = draw(st.sampled_from(["", STAFF, AGENCY]))
        credit = draw(st.sampled_from(["", "Photo: Lena Ortiz", f"Photo: {AGENCY}"]))
        found.append(
            {
                "number": number,
                "section": draw(st.sampled_from(["world", "business", "culture"])),
                "edition": draw(st.sampled_from(["en", "fr"])),
                "source": source,
                "said": draw(others_partial if source == AGENCY else own_partial),
                "image": draw(st.sampled_from(["", "PNG", "JPEG", "WEBP"])),
                "credit": credit,
                # an agency's picture: credited to it, or uncredited on its story
                "image_said": draw(
                    others_partial
                    if AGENCY in credit or (source == AGENCY and not credit)
                    else own_partial
                ),
                "body_picture": draw(st.booleans()),
                # another story's picture shown in this one's body too: it then grants only
                # what both grant it
                "borrows": draw(st.sampled_from([None, *range(number)])),
            }
        )
    return found


def _yaml(said: Permissions, indent: str) -> str:
    uses = said.as_json()
    if not uses:
        return ""
    lines = "".join(f"{indent}  {use}: {word}\n" for use, word in uses.items())
    return f"{indent}permissions:\n{lines}"


def _write(made: Settings, story: dict[str, object], lent: dict[object, str] | None = None) -> None:
    """One story's file (and its pictures); `lent`: the lead pictures of those written
    before it, by number, which it may show too."""
    lent = {} if lent is None else lent
    number = story["number"]
    folder = made.content_dir / str(story["section"])
    folder.mkdir(exist_ok=True)
    front = [
        f"title: Story {number} of the quay",
        f"published: 2024-03-0{int(str(number)) + 1}T09:30:00+01:00",
        f"section: {story['section']}",
        f"edition: {story['edition']}",
    ]
    if story["source"]:
        front.append(f"source: {story['source']}")
    text = "---\n" + "\n".join(front) + "\n" + _yaml(story["said"], "")  # type: ignore[arg-type]
    if story["image"]:
        kind = str(story["image"])
        name = f"lead{number}.{kind.lower()}"
        (folder / name).write_bytes(picture(kind, 20 * int(str(number))))
        text += f"image:\n  src: {name}\n  alt: The quay at dawn\n"
        lent[number] = f"/{story['section']}/{name}"
        if story["credit"]:
            text += f'  credit: "{story["credit"]}"\n'
        text += _yaml(story["image_said"], "  ")  # type: ignore[arg-type]
    body = "The quay reopened on Monday after the repairs.\n"
    if story["body_picture"]:
        (folder / f"body{number}.png").write_bytes(picture("PNG", 5 + int(str(number))))
        body += f"\n![The new crane](body{number}.png)\n"
    if (lender := story.get("borrows")) is not None and lender in lent:
        body += f"\n![The quay, earlier]({lent[lender]})\n"
    (folder / f"s{number}.md").write_text(text + "---\n\n" + body)


async def _served_and_checked(made: Settings) -> tuple[int, list[str], int]:
    """Statements read, those that disagree, and the live stories the archive holds."""
    conn = open_writer(made.db_path, set_clock())
    _, key = PartnerStore(conn, set_clock()).add(
        "Coast Weekly", ["world", "business", "culture"], ["en", "fr"]
    )
    conn.close()
    server = TestServer(create_app(made, set_clock()), host="127.0.0.1")
    await server.start_server()
    try:
        report = await check_rights(made, str(server.make_url("")), partner_key=key)
        live = len(await server.app[SERVICES].archive.articles.live_rights())
    finally:
        await server.close()
    found = [f"{d.surface}: {d.url}: {d.says} / {d.policy}" for d in report.disagreements]
    return sum(report.checked.values()), found, live


@settings(
    max_examples=examples(60, least=6),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    site=whole,
    edition=partial,
    sections=st.tuples(partial, partial),
    staff=own_partial,
    agency=others_partial,
    written=stories(),
)
def test_every_surface_agrees_with_the_policy_for_every_combination(
    tmp_path_factory: pytest.TempPathFactory,
    site: Policy,
    edition: Permissions,
    sections: tuple[Permissions, Permissions],
    staff: Permissions,
    agency: Permissions,
    written: list[dict[str, object]],
) -> None:
    root = tmp_path_factory.mktemp("rights")
    made = make_settings(
        root,
        rights=SiteRights(site, licence_page="/about/licensing", contact="rights@news.test"),
        editions=(
            Edition("en", "English", "en", "Europe/Luxembourg", permissions=edition),
            Edition("fr", "Français", "fr", "Europe/Paris"),
        ),
        sections=(
            Section("world", {"en": "World", "fr": "Monde"}, sections[0]),
            Section("business", {"en": "Business"}, sections[1]),
            Section("culture", {"en": "Culture"}),
        ),
        sources=(
            Source(AGENCY, licensed_in=True, aliases=("CPA",), permissions=agency),
            Source(STAFF, permissions=staff),
        ),
    )
    lent: dict[object, str] = {}
    for story in written:
        _write(made, story, lent)
    read, disagreements, live = asyncio.run(_served_and_checked(made))
    assert live == len(written)  # every generated story was published
    assert disagreements == [] and read > 100, disagreements[:10]


def test_a_surface_that_disagrees_is_reported(tmp_path: Path) -> None:
    """The check is not blind: a site serving one policy, read against another, is told."""
    made = make_settings(tmp_path, rights=SiteRights(Policy(True, True, True, True)))
    _write(
        made,
        {"number": 1, "section": "world", "edition": "en", "source": "", "said": Permissions(),
         "image": "PNG", "credit": "", "image_said": Permissions(), "body_picture": False},
    )  # fmt: skip

    async def run() -> list[str]:
        server = TestServer(create_app(made, set_clock()), host="127.0.0.1")
        await server.start_server()
        try:
            other = replace(made, rights=SiteRights(Policy(True, False, True, True)))
            report = await check_rights(other, str(server.make_url("")))
        finally:
            await server.close()
        return sorted({d.surface for d in report.disagreements})

    surfaces = asyncio.run(run())
    for expected in (
        "robots.txt",
        "tdmrep.json",
        "license.xml (RSL)",
        "page tdm-reservation",
        "page Content-Signal",
        "page JSON-LD license",
        "page <meta> tdm",
        "picture IPTC Data Mining",
        "feed rel=license",
    ):
        assert expected in surfaces, surfaces


def test_an_agencys_picture_keeps_its_own_metadata_through_resizing(tmp_path: Path) -> None:
    agency_xmp = (
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
        b'22-rdf-syntax-ns#"><rdf:Description rdf:about="" xmlns:photoshop="http://ns.adobe.'
        b'com/photoshop/1.0/" photoshop:Credit="CPA / Jan Roth"/></rdf:RDF></x:xmpmeta>'
    )
    made = make_settings(tmp_path)
    (made.content_dir / "world").mkdir()
    (made.content_dir / "world" / "wire.jpg").write_bytes(picture("JPEG", 3, agency_xmp))
    (made.content_dir / "world" / "a.md").write_text(
        "---\ntitle: Quay\npublished: 2024-03-01T09:30:00+01:00\nsection: world\n"
        "image:\n  src: wire.jpg\n  alt: The quay\n  credit: CPA / Jan Roth\n---\n\nText.\n"
    )

    async def run() -> list[bytes]:
        server = TestServer(create_app(made, set_clock()), host="127.0.0.1")
        await server.start_server()
        try:
            found = []
            async with aiohttp.ClientSession() as session:
                for query in ("", "?w=320", "?w=320&f=webp"):
                    url = str(server.make_url("/media/world/wire.jpg")) + query
                    async with session.get(url) as answer:
                        assert answer.status == 200
                        assert answer.headers["tdm-reservation"] == "1"
                        found.append(await answer.read())
        finally:
            await server.close()
        return found

    for served in asyncio.run(run()):
        assert picture_metadata.own_xmp(served) == agency_xmp


def test_robots_txt_holds_ai_crawlers_and_never_feed_readers_or_search_engines(
    tmp_path: Path,
) -> None:
    made = make_settings(
        tmp_path,
        rights=SiteRights(Policy(True, False, True, False)),
        sections=(Section("world", {"en": "World"}, Permissions(ai_training=True, tdm=True)),),
    )

    async def run() -> str:
        server = TestServer(create_app(made, set_clock()), host="127.0.0.1")
        await server.start_server()
        try:
            async with (
                aiohttp.ClientSession() as session,
                session.get(server.make_url("/robots.txt")) as answer,
            ):
                return await answer.text()
        finally:
            await server.close()

    text = asyncio.run(run())
    robots = robotparser.RobotFileParser()
    robots.parse(text.splitlines())
    for reader in ("Googlebot", "bingbot", "Feedly", "NewsBlur", "*"):
        for path in ("/en/feed.atom", "/en/world/feed.rss", "/sitemap.xml", "/en/world/x"):
            assert robots.can_fetch(reader, f"http://news.test{path}"), (reader, path)
    assert not robots.can_fetch("GPTBot", "http://news.test/en/feed.atom")
    assert robots.can_fetch("GPTBot", "http://news.test/en/world/2024/01/01/x")
    assert robots.can_fetch("PerplexityBot", "http://news.test/en/feed.atom")  # ai_input
    assert robots.can_fetch("CCBot", "http://news.test/en/world/2024/01/01/x")  # tdm too
    assert not robots.can_fetch("CCBot", "http://news.test/en/2024/")
    assert robots.can_fetch("GPTBot", "http://news.test/sitemap.xml")
    assert "Content-Signal" not in text and "License:" not in text  # unless asked for
    made = replace(made, rights=replace(made.rights, robots_signals=True))
    text = asyncio.run(run())
    assert "Content-Signal: search=yes, ai-input=yes, ai-train=no" in text
    assert "License: http://testserver/license.xml" in text


def test_a_changed_permission_reaches_every_surface_at_once(tmp_path: Path) -> None:
    """An editor's `permissions:` is a change like any other: the next answers of every
    surface say the new policy, and robots.txt, TDMRep's file and RSL's licence are tagged
    for the edge with the story's edition, so its purge takes them too."""
    made = make_settings(tmp_path, edge_tag_header="xkey")
    story = {"number": 1, "section": "world", "edition": "en", "source": "",
             "said": Permissions(), "image": "JPEG", "credit": "", "image_said": Permissions(),
             "body_picture": True}  # fmt: skip
    _write(made, story)

    async def run() -> tuple[list[str], list[str], dict[str, str]]:
        server = TestServer(create_app(made, set_clock()), host="127.0.0.1")
        await server.start_server()
        try:
            before = await check_rights(made, str(server.make_url("")))
            _write(made, {**story, "said": Permissions(ai_training=True, search=False)})
            ingest = server.app[SERVICES].ingest
            assert ingest is not None
            await ingest.ingest_paths({"world/s1.md"})
            after = await check_rights(made, str(server.make_url("")))
            tags = {}
            async with aiohttp.ClientSession() as session:
                for path in ("/robots.txt", "/.well-known/tdmrep.json", "/license.xml"):
                    async with session.get(server.make_url(path)) as answer:
                        tags[path] = answer.headers.get("xkey", "")
        finally:
            await server.close()
        said = [f"{d.surface}: {d.url}" for d in before.disagreements + after.disagreements]
        changed = [d.surface for d in after.disagreements]
        return said, changed, tags

    said, _, tags = asyncio.run(run())
    assert said == []
    edition = scope_tag(FeedScope("en"))
    assert all(edition in found.split() for found in tags.values()), tags


def test_the_new_policy_is_what_the_surfaces_say_after_the_change(tmp_path: Path) -> None:
    made = make_settings(tmp_path)
    _write(
        made,
        {"number": 2, "section": "world", "edition": "en", "source": "", "said": Permissions(),
         "image": "PNG", "credit": "", "image_said": Permissions(), "body_picture": False},
    )  # fmt: skip

    async def run() -> tuple[str, str]:
        server = TestServer(create_app(made, set_clock()), host="127.0.0.1")
        await server.start_server()
        try:
            async with aiohttp.ClientSession() as session:
                path = "/en/world/2024/03/03/story-2-of-the-quay"
                first = (await session.get(server.make_url(path))).headers["Content-Signal"]
                (made.content_dir / "world" / "s2.md").write_text(
                    (made.content_dir / "world" / "s2.md")
                    .read_text()
                    .replace("image:", "permissions:\n  ai_input: allowed\nimage:")
                )
                ingest = server.app[SERVICES].ingest
                assert ingest is not None
                await ingest.ingest_paths({"world/s2.md"})
                second = (await session.get(server.make_url(path))).headers["Content-Signal"]
        finally:
            await server.close()
        return first, second

    first, second = asyncio.run(run())
    assert "ai-input=no" in first and "ai-input=yes" in second


@pytest.mark.parametrize(
    "hostile",
    [
        {"/.well-known/tdmrep.json": b'{"location": "/"}', "/rights/x.json": b"[1, 2]"},
        {"/.well-known/tdmrep.json": b'[{"tdm-reservation": 1}, 7, "x"]'},
        {"/license.xml": b"<rsl><content url='" + b"*" * 40 + b"Z'>" + b"</rsl>"},
        {"/license.xml": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'},
        {"/license.xml": b"<not xml"},
        {"/robots.txt": b"User-agent: *\nDisallow: /" + b"x" * 3_000_000},
        {"PAGE": b'<script type="application/ld+json">[1, "x", {"@type": "NewsArticle", '
                 b'"image": "https://elsewhere.example/p.jpg", "license": []}]</script>'},
        {"PAGE": b'<script type="application/ld+json">{"@type": "NewsArticle", "license": '
                 b'"https://elsewhere.example/steal"}</script>'},
    ],
)  # fmt: skip
def test_the_check_reads_a_hostile_site_without_crashing_or_hanging(
    tmp_path: Path, hostile: dict[str, bytes]
) -> None:
    """Whatever a site serves, the check reads it within its bounds and reports what
    disagrees; it never fetches another host's address a page names."""
    made = make_settings(tmp_path)
    _write(
        made,
        {"number": 1, "section": "world", "edition": "en", "source": "", "said": Permissions(),
         "image": "", "credit": "", "image_said": Permissions(), "body_picture": False},
    )  # fmt: skip
    asked: list[str] = []

    async def run() -> int:
        real = TestServer(create_app(made, set_clock()), host="127.0.0.1")
        await real.start_server()
        await real.close()  # the archive is made; now a hostile site answers in its place

        async def answer(request: web.Request) -> web.Response:
            asked.append(request.host)
            if request.path.startswith("/en/world/2024"):
                return web.Response(body=hostile.get("PAGE", b"<html></html>"))
            return web.Response(body=hostile.get(request.path, b""))

        app = web.Application()
        app.router.add_get("/{tail:.*}", answer)
        fake = TestServer(app, host="127.0.0.1")
        await fake.start_server()
        try:
            report = await asyncio.wait_for(check_rights(made, str(fake.make_url(""))), 60)
        finally:
            await fake.close()
        return len(report.disagreements)

    assert asyncio.run(run()) > 0  # a site saying nothing of the policy disagrees with it
    assert all(host.startswith("127.0.0.1") for host in asked)


def test_odd_picture_names_and_shared_pictures_agree_on_every_surface(tmp_path: Path) -> None:
    """A name with a space, `%`, `*` or `$` is the file's (never an escape, a wildcard or an
    end in robots.txt, TDMRep or RSL); a picture shown by a story of ours and, credited,
    by an agency's story is the agency's everywhere; a story's address that begins
    another's has its own rule."""
    made = make_settings(tmp_path, rights=SiteRights(Policy(True, True, True, True)))
    world = made.content_dir / "world"
    world.mkdir()
    for name in ("cpa%20photo.jpg", "*.jpg", "a$.png", "shared.png", "plain.png"):
        world.joinpath(name).write_bytes(picture("PNG" if name.endswith("png") else "JPEG", 9))
    front = "---\ntitle: {title}\npublished: 2024-03-0{day}T09:30:00+01:00\nsection: world\n"
    stories = {
        "one.md": (front.format(title="Quay", day=1) + "source: CPA\nimage:\n  src: "
                   '"cpa%20photo.jpg"\n  alt: The quay\n---\n\nText.\n\n'
                   "![Photo: CPA](shared.png)\n"),
        "two.md": (front.format(title="Quay 2", day=1) + "image:\n  src: shared.png\n"
                   "  alt: The quay\n---\n\nText.\n\n![A crane](*.jpg)\n![A$](a$.png)\n"),
        "three.md": (front.format(title="Quay", day=1) + "slug: quay-2x\nimage:\n  src: "
                     "plain.png\n  alt: The quay\n---\n\nText.\n"),
    }  # fmt: skip
    for name, text in stories.items():
        world.joinpath(name).write_text(text)

    async def run() -> tuple[list[str], dict[str, str]]:
        server = TestServer(create_app(made, set_clock()), host="127.0.0.1")
        await server.start_server()
        try:
            report = await check_rights(made, str(server.make_url("")))
            said = {}
            async with aiohttp.ClientSession() as session:
                for name in ("cpa%2520photo.jpg", "%2A.jpg", "shared.png", "plain.png"):
                    async with session.get(server.make_url(f"/media/world/{name}")) as answer:
                        said[name] = answer.headers.get("tdm-reservation", "")
        finally:
            await server.close()
        return [f"{d.surface}: {d.url}: {d.says}" for d in report.disagreements], said

    disagreements, said = asyncio.run(run())
    assert disagreements == []
    assert said == {"cpa%2520photo.jpg": "1", "%2A.jpg": "0", "shared.png": "1", "plain.png": "0"}


def test_names_that_would_break_an_address_or_a_rule_are_refused(tmp_path: Path) -> None:
    for sections in ({"x/\nUser-agent: *\nDisallow: /": {}}, {"wor ld": {}}, {"a*b": {}}):
        with pytest.raises(ConfigError, match="a name of an address"):
            make_settings(tmp_path, sections=tuple(Section(k, {"en": "S"}) for k in sections))
    with pytest.raises(ConfigError, match="its own names"):
        make_settings(
            tmp_path,
            sources=(
                Source("continental press agency"),
                Source(AGENCY, licensed_in=True),
            ),
        )


@settings(max_examples=examples(150), deadline=None)
@given(key=st.text(max_size=40), query=st.text(max_size=20))
def test_any_policy_name_or_query_is_a_policy_or_a_404_never_a_500(key: str, query: str) -> None:
    """The policy documents' one path part, and the site-wide documents' query strings, as a
    stranger writes them."""
    made = _hostile_site()

    async def run() -> list[int]:
        server = TestServer(create_app(made, set_clock()), host="127.0.0.1")
        await server.start_server()
        try:
            async with aiohttp.ClientSession() as session:
                statuses = []
                for path in (f"/rights/{quote(key, safe='')}.json",
                             f"/.well-known/tdmrep.json?{quote(query)}",
                             f"/license.xml?{quote(query)}"):  # fmt: skip
                    async with session.get(str(server.make_url("")) + path) as answer:
                        statuses.append(answer.status)
                        if answer.status == 200 and path.startswith("/rights/"):
                            assert Policy.from_key(unquote(key)) is not None
        finally:
            await server.close()
        return statuses

    rights_status, *documents = asyncio.run(run())
    assert rights_status in (200, 404) and documents == [200, 200], (key, query)


@functools.cache
def _hostile_site() -> Settings:
    root = Path(tempfile.mkdtemp(prefix="rights-hostile-"))
    return make_settings(root)
