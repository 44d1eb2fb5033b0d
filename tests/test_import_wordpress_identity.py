"""Which posts of a WordPress export are one post, and which may be public: a post is its
site (host and path) and its post id, never its guid; a post without a post id is known by
its `?p=` link or its guid; a password-protected post comes in as a draft; a post with no
date takes the export's, with a note."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path
from xml.sax.saxutils import escape

from syndication.cli import main
from syndication.importing.inline_pictures import files_twin
from tests.live import REPO


def item(
    title: str,
    post_id: str | None = None,
    guid: str = "",
    link: str = "",
    status: str = "publish",
    password: str = "",
    date: str | None = "2019-05-03 10:00:00",
) -> str:
    parts = [f"<item><title>{escape(title)}</title><wp:post_type>post</wp:post_type>"]
    if post_id is not None:
        parts.append(f"<wp:post_id>{post_id}</wp:post_id>")
    if guid:
        parts.append(f'<guid isPermaLink="false">{escape(guid)}</guid>')
    if link:
        parts.append(f"<link>{escape(link)}</link>")
    if date is not None:
        parts.append(f"<wp:post_date_gmt>{date}</wp:post_date_gmt>")
    parts.append(f"<wp:status>{status}</wp:status><wp:post_password>{password}</wp:post_password>")
    parts.append(f"<content:encoded>{escape(f'The text of {title}.')}</content:encoded></item>")
    return "".join(parts)


def export(site: str, *items: str, pub_date: str = "") -> str:
    channel_date = f"<pubDate>{pub_date}</pubDate>" if pub_date else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:wp="http://wordpress.org/export/1.2/"><channel>'
        f"<link>{site}</link>{channel_date}<wp:base_blog_url>{site}</wp:base_blog_url>"
        + "".join(items)
        + "</channel></rss>"
    )


def imported(root: Path, text: str) -> str:
    path = root / f"export-{len(list(root.glob('export-*')))}.xml"
    path.write_text(text, encoding="utf-8")
    said = io.StringIO()
    with contextlib.redirect_stdout(said):
        code = main(
            ["import", "wordpress", str(path), "--content", str(root / "content"),
             "--db", str(root / "a.db"), "--config", str(REPO / "syndication.toml")]
        )  # fmt: skip
    assert code == 0, said.getvalue()
    return said.getvalue()


def files(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root / "content").as_posix(): p.read_text()
        for p in sorted((root / "content").rglob("*.md"))
    }


def test_posts_sharing_a_guid_are_each_imported(tmp_path: Path) -> None:
    said = imported(
        tmp_path,
        export(
            "https://old.example.org/",
            item("First", "1", guid="https://old.example.org/?p=1"),
            item("Second", "2", guid="https://old.example.org/?p=1"),  # WordPress allows it
            item("Third", "3", guid="https://old.example.org/?p=1", status="inherit"),
        ),
    )
    assert said.startswith("2 imported"), said
    assert sorted(files(tmp_path)) == [
        "imported/old-example-org/1.md",
        "imported/old-example-org/2.md",
    ]


def test_a_skipped_post_never_makes_a_later_one_a_duplicate(tmp_path: Path) -> None:
    said = imported(
        tmp_path,
        export(
            "https://old.example.org/",
            item("", "7"),  # skipped: no title
            item("Kept", "7"),
        ),
    )
    assert said.startswith("1 imported") and "no title" in said, said


def test_a_post_without_a_post_id_is_known_by_its_link_or_guid(tmp_path: Path) -> None:
    site = "https://old.example.org/"
    posts = [
        item("By link", link=site + "?p=41"),
        item("By guid", guid="tag:old.example.org,2019:story-9"),
        item("Neither"),
    ]
    said = imported(tmp_path, export(site, *posts))
    assert said.startswith("2 imported") and "no post id, guid or link" in said, said
    written = files(tmp_path)
    assert "imported/old-example-org/41.md" in written
    again = imported(tmp_path, export(site, *posts))  # the same files, nothing new
    assert again.startswith("0 imported, 0 updated, 2 unchanged"), again
    assert files(tmp_path) == written


def test_two_blogs_on_one_host_never_meet(tmp_path: Path) -> None:
    imported(tmp_path, export("https://example.org/news/", item("News one", "1")))
    imported(tmp_path, export("https://example.org/sport/", item("Sport one", "1")))
    written = files(tmp_path)
    assert sorted(written) == [
        "imported/example-org-news/1.md",
        "imported/example-org-sport/1.md",
    ]
    assert "id: wp-example-org-news-1" in written["imported/example-org-news/1.md"]


def test_a_password_protected_post_comes_in_as_a_draft(tmp_path: Path) -> None:
    said = imported(
        tmp_path,
        export(
            "https://old.example.org/",
            item("Members only", "5", password="s3cret"),
            item("Private note", "6", status="private"),
        ),
    )
    assert "post 5 'Members only': imported as a draft: it has a password" in said, said
    assert "post 6 'Private note': imported as a draft: it is private" in said
    written = files(tmp_path)
    for name in ("5", "6"):
        assert "\nstatus: draft\n" in written[f"imported/old-example-org/{name}.md"]
    assert "s3cret" not in "".join(written.values())


def test_a_post_with_no_date_takes_the_exports_with_a_note(tmp_path: Path) -> None:
    said = imported(
        tmp_path,
        export(
            "https://old.example.org/",
            item("Undated", "8", date=None),
            pub_date="Sat, 09 Oct 2010 15:12:29 +0000",
        ),
    )
    assert "post 8 'Undated': it has no date: the export's is used" in said, said
    assert (
        "published: '2010-10-09T15:12:29+00:00'" in files(tmp_path)["imported/old-example-org/8.md"]
    )


def attachment(post_id: str, url: str, attached: str = "") -> str:
    meta = (
        f"<wp:postmeta><wp:meta_key>_wp_attached_file</wp:meta_key>"
        f"<wp:meta_value>{attached}</wp:meta_value></wp:postmeta>"
        if attached
        else ""
    )
    return (
        f"<item><title>Picture {post_id}</title><wp:post_id>{post_id}</wp:post_id>"
        f"<wp:post_type>attachment</wp:post_type><wp:status>inherit</wp:status>"
        f"<wp:attachment_url>{url}</wp:attachment_url>{meta}</item>"
    )


def featured(text: str, thumbnail: str) -> str:
    meta = (
        f"<wp:postmeta><wp:meta_key>_thumbnail_id</wp:meta_key>"
        f"<wp:meta_value>{thumbnail}</wp:meta_value></wp:postmeta></item>"
    )
    return text.removesuffix("</item>") + meta


def test_featured_pictures_are_found_by_their_address_when_the_export_omits_their_file(
    tmp_path: Path,
) -> None:
    """WordPress.com's exports leave out `_wp_attached_file`: the attachment's address
    says where the picture is in the uploads folder, on the site or its files host."""
    png = bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
    )
    uploads = tmp_path / "uploads" / "2019" / "05"
    uploads.mkdir(parents=True)
    (uploads / "quay.png").write_bytes(png)
    (uploads / "boats.png").write_bytes(png)
    for site, kept_at in (
        ("https://old.example.org/", "https://old.example.org/wp-content/uploads"),
        ("https://harbour.wordpress.com/", "https://harbour.files.wordpress.com"),
    ):
        path = tmp_path / "export.xml"
        path.write_text(
            export(
                site,
                attachment("90", f"{kept_at}/2019/05/quay.png"),
                featured(item("With a picture", "1"), "90"),
                featured(item("Its picture is not there", "2"), "91"),
                item("Inline", "3").replace(
                    "The text of Inline.",
                    f'Boats. &lt;img src="{kept_at}/2019/05/boats.png" alt="b"&gt;',
                ),
            ),
            encoding="utf-8",
        )
        said = io.StringIO()
        with contextlib.redirect_stdout(said):
            code = main(
                ["import", "wordpress", str(path), "--uploads", str(tmp_path / "uploads"),
                 "--content", str(tmp_path / "content"), "--db", str(tmp_path / "a.db"),
                 "--config", str(REPO / "syndication.toml")]
            )  # fmt: skip
        assert code == 0, said.getvalue()
        written = files(tmp_path)
        folder = "imported/" + ("old-example-org" if "example" in site else "harbour-wordpress-com")
        assert "image:" in written[f"{folder}/1.md"] and "media/quay-" in written[f"{folder}/1.md"]
        assert "featured picture (attachment 91) is not in the export" in said.getvalue()
        assert "media/boats-" in written[f"{folder}/3.md"], written[f"{folder}/3.md"]


def test_a_wordpress_com_sites_files_host_is_its_own() -> None:
    assert files_twin("harbour.wordpress.com") == "harbour.files.wordpress.com"
    assert files_twin("harbour.files.wordpress.com") == files_twin("example.org") == ""


def test_a_plain_permalink_and_the_post_id_are_both_old_addresses(tmp_path: Path) -> None:
    """A site with "Plain" permalinks linked a post as /path/?p=1 though its id is 10 (an
    export from a copy of the site): both ?p= addresses reach it."""
    imported(tmp_path, export("https://old.example.org/path", item("Hello", "10", link=(
        "https://old.example.org/path/?p=1"))))  # fmt: skip
    text = files(tmp_path)["imported/old-example-org-path/10.md"]
    assert "- /path/?p=1\n" in text and "- /path/?p=10\n" in text, text


def test_pages_and_other_types_are_named_and_an_export_without_posts_says_so(
    tmp_path: Path,
) -> None:
    page = item("About us", "3").replace("<wp:post_type>post", "<wp:post_type>page")
    article = item("A plugin's story", "4").replace("<wp:post_type>post", "<wp:post_type>article")
    menu = item("Menu", "5").replace("<wp:post_type>post", "<wp:post_type>nav_menu_item")
    said = imported(tmp_path, export("https://old.example.org/", page, article, menu))
    assert "skipped page 3 'About us': not a post: a page, not a post" in said, said
    assert "skipped article 4 \"A plugin's story\": not a post: its type is 'article'" in said
    assert "not stories, and not imported: 1 nav_menu_item" in said
    empty = imported(tmp_path, export("https://old.example.org/"))
    assert "the export holds no posts" in empty


def test_unquoted_pictures_and_links_to_full_size_pictures_are_copied(tmp_path: Path) -> None:
    png = bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
    )
    uploads = tmp_path / "uploads" / "2019" / "05"
    uploads.mkdir(parents=True)
    for name in ("unq.png", "full.png"):
        (uploads / name).write_bytes(png)
    (uploads / "page.png").write_bytes(b"<html>not a picture</html>")
    kept_at = "https://old.example.org/wp-content/uploads/2019/05"
    body = (
        f"Text &lt;img src={kept_at}/unq.png alt=x&gt; and "
        f'&lt;a href="{kept_at}/full.png"&gt;the full size&lt;/a&gt; and '
        f'&lt;img src="{kept_at}/page.png" alt="p"&gt;'
    )
    path = tmp_path / "export.xml"
    post = item("Pictures", "1").replace("The text of Pictures.", body)
    path.write_text(export("https://old.example.org/", post), encoding="utf-8")
    said = io.StringIO()
    with contextlib.redirect_stdout(said):
        main(["import", "wordpress", str(path), "--uploads", str(tmp_path / "uploads"),
              "--content", str(tmp_path / "content"), "--db", str(tmp_path / "a.db"),
              "--config", str(REPO / "syndication.toml")])  # fmt: skip
    text = files(tmp_path)["imported/old-example-org/1.md"]
    assert "media/unq-" in text and "media/full-" in text, text
    assert "'2019/05/page.png' was not copied: its bytes are not a" in said.getvalue()
