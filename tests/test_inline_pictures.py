"""Pictures in an imported post's text, whatever its `src` says: only files inside the
uploads folder are copied, only under content/imported/<site>/media/, nothing is fetched
without a host named, and nothing raises."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syndication.importing.inline_pictures import MAX_A_POST, Source, copy_pictures
from syndication.importing.report import Report
from syndication.importing.story_files import keep_picture
from tests.conftest import PNG_1x1, examples

SITE = "old.example.org"
BASE = f"https://{SITE}/2019/05/03/a-post/"

# What a hostile or careless export puts in a src: ways out of the folder, odd schemes and
# hosts, encodings, control characters, and plain noise.
PIECES = st.sampled_from(
    [
        "https://old.example.org/wp-content/uploads/", "/wp-content/uploads/", "../", "..%2f",
        "%2e%2e/", "//", "\\", "\x00", "%00", "secret.png", "pic.png", "2019/05/pic.png",
        "javascript:alert(1)//", "data:image/png;base64,AAAA", "https://127.0.0.1/", "?x=1",
        "#frag", "/etc/passwd", ".png", " ", "&amp;", "&#46;&#46;/", "\n", "'", '"',
        "https://evil.example/wp-content/uploads/pic.png", "file:///etc/passwd.png",
    ]
)  # fmt: skip
UPLOADS = st.sampled_from(["", "/wp-content/uploads/", f"https://{SITE}/wp-content/uploads/"])
NEAR = st.sampled_from(
    ["pic.png", "2019/05/pic.png", "2019/05/../pic.png", "./pic.png", "2019%2F05%2Fpic.png",
     "pic.png?w=300", "PIC.PNG", "2019//05/pic.png"]
)  # fmt: skip
SRC = st.one_of(
    st.tuples(UPLOADS, NEAR).map("".join),  # nearly right: some are copied
    st.tuples(UPLOADS, st.lists(PIECES, max_size=4)).map(lambda t: t[0] + "".join(t[1])),
    st.text(max_size=40),
)


def _source(tmp: Path) -> tuple[Source, Path]:
    uploads = tmp / "uploads"
    (uploads / "2019" / "05").mkdir(parents=True, exist_ok=True)
    (uploads / "pic.png").write_bytes(PNG_1x1)
    (uploads / "2019" / "05" / "pic.png").write_bytes(PNG_1x1)
    (tmp / "secret.png").write_bytes(b"not yours")  # next to the uploads, never copied
    folder = tmp / "content" / "imported" / "old-example-org"
    return Source(SITE, folder, uploads, None, 1_000_000, dry_run=False), folder


@settings(max_examples=examples(300), deadline=None, suppress_health_check=list(HealthCheck))
@given(sources=st.lists(SRC, max_size=4), quote=st.sampled_from(['"', "'"]))
def test_any_src_copies_only_uploads_files_under_media(
    tmp_path_factory: object, sources: list[str], quote: str
) -> None:
    tmp = tmp_path_factory.mktemp("inline")  # type: ignore[attr-defined]
    source, folder = _source(tmp)
    body = "".join(f"<p><img alt=x src={quote}{s}{quote}></p>" for s in sources)
    report = Report()
    copied = copy_pictures(body, BASE, source, report, "post 1")
    content = folder.parents[1]
    for address, kept in copied.items():
        assert address.startswith(f"https://{SITE}/") and "/wp-content/uploads/" in address
        target = (content / kept.lstrip("/")).resolve()
        assert target.is_relative_to((folder / "media").resolve()), kept
        assert target.read_bytes() == PNG_1x1
    written = [p for p in (folder / "media").rglob("*") if p.is_file()] if copied else []
    assert len(written) <= 2 and all(p.read_bytes() == PNG_1x1 for p in written)


def test_a_post_may_not_make_us_copy_without_bound(tmp_path: Path) -> None:
    source, _ = _source(tmp_path)
    for n in range(MAX_A_POST + 5):
        (tmp_path / "uploads" / f"p{n}.png").write_bytes(PNG_1x1)
    body = "".join(f'<img src="/wp-content/uploads/p{n}.png">' for n in range(MAX_A_POST + 5))
    report = Report()
    assert len(copy_pictures(body, BASE, source, report, "post 1")) == MAX_A_POST
    assert f"only its first {MAX_A_POST} pictures were copied" in report.notes[0]


NAMES = st.one_of(
    st.text(max_size=300).map(lambda t: t + ".png"),
    st.lists(st.sampled_from(["a", "é" * 200, "%00", "\x00", "..", "x" * 256, "b.png"]),
             min_size=1, max_size=80).map(lambda parts: "/".join(parts) + ".jpg"),
)  # fmt: skip


@settings(max_examples=examples(300), deadline=None, suppress_health_check=list(HealthCheck))
@given(name=NAMES, media_is_a_file=st.booleans())
def test_any_picture_name_is_kept_by_its_digest_or_reported_never_raised(
    tmp_path_factory: object, name: str, media_is_a_file: bool
) -> None:
    """Whatever the old site named a picture (over 255 bytes, a NUL, 80 folders deep), the
    copy is named by a safe stem and the digest of its bytes; a write the system refuses
    (here: `media` is a file where the folder should be) is a note, never a traceback."""
    tmp = tmp_path_factory.mktemp("names")  # type: ignore[attr-defined]
    folder = tmp / "content" / "imported" / "old-example-org"
    folder.mkdir(parents=True)
    if media_is_a_file:
        (folder / "media").write_bytes(b"in the way")
    report = Report()
    src = keep_picture(folder, PurePosixPath(name), PNG_1x1, report, dry_run=False)
    if media_is_a_file:
        assert src is None and "could not be written" in report.notes[0]
        return
    assert src is not None and report.notes == []
    kept = tmp / "content" / src.lstrip("/")
    assert kept.parent == folder / "media" and kept.read_bytes() == PNG_1x1
    assert len(kept.name.encode()) <= 80
