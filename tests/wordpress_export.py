"""A generator of WordPress exports (WXR 1.2) for the import tests: a few hundred posts with
what real exports hold (categories, tags, excerpts, featured pictures, [caption] shortcodes,
block-editor comments, drafts, scheduled and private posts, pages, attachments) and what a
hostile or broken one holds (invalid dates, duplicate ids, shared guids, control characters, an
oversized item, scripts, `javascript:` links, a picture path leading out of the uploads)."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from PIL import Image

SITE = "https://old.example.org"
HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
<title>The Old Ledger</title>
<link>{site}</link>
<wp:wxr_version>1.2</wp:wxr_version>
<wp:base_site_url>{site}</wp:base_site_url>
<wp:base_blog_url>{site}</wp:base_blog_url>
{authors}"""
AUTHOR = (
    "<wp:author><wp:author_id>{n}</wp:author_id><wp:author_login><![CDATA[{login}]]>"
    "</wp:author_login><wp:author_display_name><![CDATA[{name}]]></wp:author_display_name>"
    "</wp:author>\n"
)
TAIL = "</channel>\n</rss>\n"
CATEGORIES = [("harbour-news", "Harbour News"), ("sport", "Sport"), ("arts", "Arts")]
WORDS = ("tide quay pilot ferry council harbour regatta crane salt estuary museum tram").split()  # noqa: SIM905


@dataclass
class Expected:
    """What an import of the export must do."""

    published: int = 0  # public posts, now or scheduled
    drafts: int = 0
    skipped: dict[str, int] = field(default_factory=dict)  # reason (its first words) -> count
    permalinks: dict[str, str] = field(default_factory=dict)  # old path -> title
    # posts whose picture in the text is in the uploads folder (the others' are not)
    inline_in_uploads: list[int] = field(default_factory=list)


def _post(
    post_id: int,
    title: str,
    body: str,
    *,
    status: str = "publish",
    date: str = "2019-05-03 10:00:00",
    date_gmt: str | None = None,
    guid: str | None = None,
    kind: str = "post",
    creator: str = "greta",
    category: int = 0,
    tags: tuple[str, ...] = (),
    excerpt: str = "",
    thumbnail: int | None = None,
    slug: str = "",
) -> str:
    slug = slug or f"post-{post_id}"
    link = f"{SITE}/{date[:4]}/{date[5:7]}/{date[8:10]}/{slug}/"
    cat_slug, cat_name = CATEGORIES[category % len(CATEGORIES)]
    meta = (
        f"<wp:postmeta><wp:meta_key>_thumbnail_id</wp:meta_key>"
        f"<wp:meta_value>{thumbnail}</wp:meta_value></wp:postmeta>"
        if thumbnail is not None
        else ""
    )
    tag_xml = "".join(
        f'<category domain="post_tag" nicename="{t}"><![CDATA[{t.title()}]]></category>'
        for t in tags
    )
    return f"""<item>
<title>{escape(title)}</title>
<link>{link}</link>
<pubDate>Fri, 03 May 2019 10:00:00 +0000</pubDate>
<dc:creator><![CDATA[{creator}]]></dc:creator>
<guid isPermaLink="false">{guid or f"{SITE}/?p={post_id}"}</guid>
<content:encoded><![CDATA[{body}]]></content:encoded>
<excerpt:encoded><![CDATA[{excerpt}]]></excerpt:encoded>
<wp:post_id>{post_id}</wp:post_id>
<wp:post_date><![CDATA[{date}]]></wp:post_date>
<wp:post_date_gmt><![CDATA[{date_gmt if date_gmt is not None else date}]]></wp:post_date_gmt>
<wp:post_name><![CDATA[{slug}]]></wp:post_name>
<wp:status><![CDATA[{status}]]></wp:status>
<wp:post_type><![CDATA[{kind}]]></wp:post_type>
<category domain="category" nicename="{cat_slug}"><![CDATA[{cat_name}]]></category>
{tag_xml}{meta}
</item>
"""


def _attachment(post_id: int, file: str, alt: str = "A picture", url: str = "") -> str:
    return f"""<item>
<title>Picture {post_id}</title>
<excerpt:encoded><![CDATA[The caption of picture {post_id}]]></excerpt:encoded>
<content:encoded><![CDATA[]]></content:encoded>
<wp:post_id>{post_id}</wp:post_id>
<wp:status><![CDATA[inherit]]></wp:status>
<wp:post_type><![CDATA[attachment]]></wp:post_type>
<wp:attachment_url>{url or f"{SITE}/wp-content/uploads/{file}"}</wp:attachment_url>
<wp:postmeta><wp:meta_key>_wp_attached_file</wp:meta_key><wp:meta_value>{file}</wp:meta_value></wp:postmeta>
<wp:postmeta><wp:meta_key>_wp_attachment_image_alt</wp:meta_key><wp:meta_value>{alt}</wp:meta_value></wp:postmeta>
</item>
"""


def _body(n: int) -> str:
    words = " ".join(WORDS[(n + i) % len(WORDS)] for i in range(40))
    return (
        f"<!-- wp:paragraph --><p>Story {n}: the {words}.</p><!-- /wp:paragraph -->\n"
        f'<!-- wp:paragraph --><p>See <a href="/2019/05/03/post-{max(1, n - 1)}/">the one '
        f'before</a> and <a href="https://elsewhere.example/x">elsewhere</a>.</p>'
        "<!-- /wp:paragraph -->\n"
        f'[caption id="attachment_{n}" align="alignnone" width="300"]<img '
        f'src="{SITE}/wp-content/uploads/inline-{n}.jpg" alt="Inline {n}" width="300" '
        f'height="200"> Caption {n}[/caption]\n'
    )


def write_export(folder: Path, posts: int = 300) -> tuple[Path, Path, Expected]:
    """The export, its uploads folder, and what an import of it must do."""
    uploads = folder / "uploads"
    (uploads / "2019" / "05").mkdir(parents=True)
    expected = Expected()
    authors = AUTHOR.format(n=1, login="greta", name="Greta Fischer") + AUTHOR.format(
        n=2, login="wire", name="Wire Desk"
    )
    parts = [HEAD.format(site=SITE, authors=authors)]
    for picture in range(3):
        buffer = io.BytesIO()
        Image.new("RGB", (800, 500), (40 * picture, 90, 140)).save(buffer, "JPEG")
        (uploads / "2019" / "05" / f"photo-{picture}.jpg").write_bytes(buffer.getvalue())
        parts.append(_attachment(9000 + picture, f"2019/05/photo-{picture}.jpg"))
    for n in range(1, posts + 1):
        if n % 7 == 0:  # the picture in its text is in the uploads folder
            Image.new("RGB", (300, 200), (n % 256, 60, 90)).save(uploads / f"inline-{n}.jpg")
            expected.inline_in_uploads.append(n)
        day = 1 + n % 28
        date = f"2019-05-{day:02d} {n % 24:02d}:{n % 60:02d}:00"
        status = "draft" if n % 10 == 0 else "publish"
        parts.append(
            _post(
                n, f"Harbour story number {n}", _body(n), status=status, date=date,
                date_gmt="0000-00-00 00:00:00" if status == "draft" else date,
                category=n, tags=(WORDS[n % 12], WORDS[(n + 3) % 12]),
                excerpt=f"<p>The short of story {n}.</p>" if n % 2 else "",
                thumbnail=9000 + n % 3 if n % 5 == 0 else None,
                slug=f"post-{n}",
            )
        )  # fmt: skip
        if status == "draft":
            expected.drafts += 1
        else:
            expected.published += 1
            expected.permalinks[f"/2019/05/{day:02d}/post-{n}/"] = f"Harbour story number {n}"
    hostile = [
        (_post(5001, "Scheduled for later", _body(5001), status="future",
               date="2099-01-01 08:00:00"), "published"),
        (_post(5002, "Private note", _body(5002), status="private"), "draft"),
        (_post(5003, "Binned", _body(5003), status="trash"), "not a post to keep"),
        (_post(5004, "An about page", _body(5004), kind="page"), "not a post"),
        (_post(5005, "Never dated", _body(5005), date="2019-02-30 10:00:00",
               date_gmt="not a date").replace("Fri, 03 May 2019 10:00:00 +0000", "soon"),
         "no date"),
        # WordPress's guids are not unique: a post sharing one is a post of its own
        (_post(5006, "Same guid", _body(5006), guid=f"{SITE}/?p=1", slug="same-guid"),
         "published"),
        (_post(1, "Same post id", _body(1)), "duplicate post id"),
        (_post(5007, "Bell\x07 and \x1b escape", _body(5007) + "<p>\x0bvertical</p>",
               slug="bell"), "published"),
        (_post(5008, "Far too long", "<p>" + "x" * (6 * 1024 * 1024) + "</p>"), "too large"),
        (_post(5009, "", _body(5009)), "no title"),
        (_post(5010, "Nothing in it", "<!-- wp:paragraph --><p></p><!-- /wp:paragraph -->"),
         "empty body"),
        (_post(5011, "Scripts and tricks",
               '<p>Hello<script>alert(1)</script> <a href="javascript:alert(2)">click</a> '
               '<img src="x" onerror="alert(3)"></p>', slug="scripts"), "published"),
        (_post(5012, "A picture out of bounds", _body(5012), thumbnail=9100, slug="bounds"),
         "published"),
        (_attachment(9100, "../../../etc/passwd"), ""),
        (_post(5013, "Wire copy", _body(5013), creator="wire", slug="wire"), "published"),
    ]  # fmt: skip
    for xml, outcome in hostile:
        parts.append(xml)
        if outcome == "published":
            expected.published += 1
        elif outcome == "draft":
            expected.drafts += 1
        elif outcome:
            expected.skipped[outcome] = expected.skipped.get(outcome, 0) + 1
    parts.append(TAIL)
    export = folder / "export.xml"
    export.write_text("".join(parts), encoding="utf-8")
    return export, uploads, expected
