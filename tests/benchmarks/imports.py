"""Import rates (part of `make bench`): a generated 10,000-post WordPress export without
pictures, and a local WordPress-style paged RSS feed of 2,000 entries, 20 a page.

    python -m tests.benchmarks.imports
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import shutil
import tempfile
import threading
import time
from pathlib import Path

from aiohttp import web

from syndication.cli import main
from tests.live import REPO
from tests.wordpress_export import write_export

ENTRIES, PER_PAGE = 2000, 20


def _run(*argv: str) -> tuple[float, str]:
    said = io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stdout(said):
        assert main([*argv, "--config", str(REPO / "syndication.toml")]) == 0
    return time.perf_counter() - started, said.getvalue().split("\n")[0]


def wordpress(posts: int = 10_000) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        export, _, _ = write_export(root / "source", posts)
        (root / "content").mkdir()
        content, db = str(root / "content"), str(root / "a.db")
        seconds, said = _run("import", "wordpress", str(export), "--content", content, "--db", db)
        again, _ = _run("import", "wordpress", str(export), "--content", content, "--db", db)
        print(
            f"  WordPress export of {posts:,} posts, no pictures: {seconds:.1f} s, "
            f"{posts / seconds:,.0f} posts/s ({said}); again, nothing to write: {again:.1f} s "
            f"(target 1,000 posts/s)"
        )


def _feed_app() -> web.Application:
    async def page(request: web.Request) -> web.Response:
        number = int(request.query.get("paged", "1"))
        if number > ENTRIES // PER_PAGE:
            raise web.HTTPNotFound()
        items = "".join(
            f"<item><title>Story {n}</title><guid>entry-{n}</guid>"
            f"<link>http://old.example/{n}/</link><pubDate>Fri, 03 May 2019 10:00:00 +0000"
            f"</pubDate><content:encoded><![CDATA[<p>The body of story {n}, long enough to be "
            f"a paragraph of a news story about the harbour.</p>]]></content:encoded></item>"
            for n in range((number - 1) * PER_PAGE, number * PER_PAGE)
        )
        return web.Response(
            text='<?xml version="1.0"?><rss version="2.0" xmlns:content='
            '"http://purl.org/rss/1.0/modules/content/"><channel><title>Old</title>'
            "<generator>https://wordpress.org/?v=6.4</generator>"
            f"<link>http://old.example/</link><description>d</description>{items}</channel></rss>",
            content_type="application/rss+xml",
        )

    app = web.Application()
    app.router.add_get("/feed/", page)
    return app


def feed() -> None:
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(_feed_app())
    loop.run_until_complete(runner.setup())
    site = web.TCPSite(runner, "127.0.0.1", 0)
    loop.run_until_complete(site.start())
    port = runner.addresses[0][1]
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    root = Path(tempfile.mkdtemp())
    try:
        (root / "content").mkdir()
        seconds, said = _run(
            "import", "feed", f"http://127.0.0.1:{port}/feed/",
            "--content", str(root / "content"), "--db", str(root / "a.db"),
        )  # fmt: skip
        print(
            f"  paged RSS feed, {ENTRIES:,} entries in {ENTRIES // PER_PAGE} pages on 127.0.0.1: "
            f"{seconds:.1f} s, {ENTRIES / seconds:,.0f} entries/s ({said})"
        )
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    print("imports:")
    wordpress()
    feed()
