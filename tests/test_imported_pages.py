"""Imported posts as readers see them: a classic post's paragraphs, its captioned picture,
a gallery and an embed are on the served page (its HTML parsed), and neither a headline of
one long unbroken word nor a long line of code widens the page in Chromium at 390 and
1280 px. The export is generated here (tests/wordpress_export.py's pieces)."""

from __future__ import annotations

import io
from collections.abc import Iterator

import html5lib
import pytest
from PIL import Image

from tests.live import Server, serving, syndication
from tests.test_browser import Visit
from tests.wordpress_export import AUTHOR, HEAD, SITE, TAIL, _attachment, _post

pytestmark = [pytest.mark.processes]

LONG_WORD = "Harbourmasterdeputyassistantcoordinator" * 4  # 156 letters, no break
CLASSIC = (
    "The first paragraph of a classic post.\n\nThe second, with a line\nbreak in it.\n\n"
    '<p style="text-align: center">A centred paragraph.</p>\n\n'
    "<pre>code = 'a line of code far longer than any phone is wide, " + "x" * 200 + "'</pre>\n\n"
    f'[caption id="attachment_901" caption="The quay at dawn"]<img src="{SITE}/wp-content/'
    'uploads/2019/05/quay.png" alt="The quay">[/caption]\n\n'
    '[gallery ids="902,903"]\n\n'
    "https://www.youtube.com/watch?v=abc123\n\nThe last paragraph."
)
ARTICLE = "/en/world/2019/05/03/a-classic-post"
WIDE = "/en/world/2019/05/03/post-2"  # its slug, from its post_name


def _png(shade: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 400), (shade, 90, 160)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("imported")
    uploads = root / "uploads" / "2019" / "05"
    uploads.mkdir(parents=True)
    for n, name in enumerate(("quay.png", "boats.png", "crane.png")):
        (uploads / name).write_bytes(_png(40 * n))
    export = root / "export.xml"
    export.write_text(
        HEAD.format(site=SITE, authors=AUTHOR.format(n=1, login="greta", name="Greta Fischer"))
        + _attachment(902, "2019/05/boats.png", alt="Boats")
        + _attachment(903, "2019/05/crane.png", alt="The crane")
        + _post(1, "A classic post", CLASSIC, slug="a-classic-post")
        + _post(2, LONG_WORD, "<p>A post whose headline is one long word.</p>", slug="")
        + TAIL,
        encoding="utf-8",
    )
    (root / "content").mkdir()
    done = syndication("import", "wordpress", str(export), "--uploads", str(root / "uploads"),
                       cwd=root)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "converted: 1 embed, 1 gallery, 2 gallery picture" in done.stdout, done.stdout
    with serving(root) as server:
        yield server


def test_an_imported_post_has_its_paragraphs_pictures_gallery_and_embed(site: Server) -> None:
    page = site.get(ARTICLE)
    assert page.status == 200, page.body[:300]
    tree = html5lib.parse(page.body, namespaceHTMLElements=False)
    body = tree.find(".//article")
    assert body is not None
    paragraphs = ["".join(p.itertext()).strip() for p in body.iter("p")]
    for expected in (
        "The first paragraph of a classic post.",
        "A centred paragraph.",
        "The last paragraph.",
    ):
        assert expected in paragraphs, paragraphs
    assert any(p.startswith("The second, with a line") and "break in it." in p for p in paragraphs)
    assert any("The quay at dawn" in p for p in paragraphs)  # the caption
    pictures = [img.get("alt") for img in body.iter("img")]
    assert {"The quay", "Boats", "The crane"} <= set(pictures), pictures
    links = [a.get("href") for a in body.iter("a")]
    assert "https://www.youtube.com/watch?v=abc123" in links  # the embed, as a link
    assert body.find(".//pre") is not None


@pytest.mark.browser
@pytest.mark.parametrize("width", [390, 1280])
async def test_a_long_word_or_line_of_code_never_widens_the_page(
    site: Server,
    browser,
    width: int,
) -> None:
    visit = Visit(await browser.new_page(viewport={"width": width, "height": 900}))
    for path in (ARTICLE, WIDE):
        response = await visit.page.goto(site.base + path)
        assert response is not None and response.status == 200, path
        wide = await visit.page.evaluate(
            "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )
        assert wide, (path, width)
    await visit.check(f"imported-{width}")
    assert visit.errors == []
