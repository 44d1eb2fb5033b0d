"""`syndication import wordpress EXPORT.xml`: a WordPress export -> one file per post under
content/imported/<site>/, each checked as ingest would before it is written.

The same post always lands in the same file with the same `id:` (wp-<site>-<post id>, the
site being its host and path, so two blogs on one host never meet), so importing again
writes only what changed at the source, never a second copy, and an import killed halfway
ends, when run again, with the files an uninterrupted one writes. Files are written whole
(a temporary file renamed) or not at all."""

from __future__ import annotations

import contextlib
import email.utils
import hashlib
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

from slugify import slugify

from syndication.config import Settings
from syndication.errors import ContentError
from syndication.importing.fetch import Fetcher, Refused
from syndication.importing.html_markdown import plain, standfirst_of, story_body, without_trackers
from syndication.importing.inline_pictures import Source, copy_pictures, files_twin, uploads_name
from syndication.importing.mapping import Mapping, edition_for
from syndication.importing.report import Report
from syndication.importing.story_files import (
    Ledger,
    clear_leftovers,
    file_text,
    keep_picture,
    read_upload,
    refused_by_check,
    write_whole,
)
from syndication.importing.wordpress_media import Attachment, expand
from syndication.importing.wxr import Export, ExportError, Item, RefusedExport, read_items
from syndication.ingest.check import Claims
from syndication.ingest.fields import MAX_AUTHORS, MAX_TOPICS, is_old_address
from syndication.ingest.imageinfo import MEDIA_TYPES
from syndication.ingest.parse import parse_article
from syndication.ingest.pipeline import start_worker

PUBLISHED = {"publish", "future"}  # a future date is scheduled by ingest
DRAFTS = {"draft", "pending", "private"}  # not public at the source: not public here
MAX_PICTURE = 20 * 1024 * 1024  # bytes of one picture copied from the uploads folder


@dataclass(frozen=True, slots=True)
class Options:
    uploads: Path | None  # the site's wp-content/uploads, for its pictures
    timezone: ZoneInfo  # of the site: the dates of drafts, which have no GMT date
    dry_run: bool = False
    fetch_from: frozenset[str] = frozenset()  # hosts a picture not in uploads may come from
    overwrite_edited: bool = False  # write over files edited or deleted here since
    edition: str | None = None  # the edition the posts join (None: by the export's language)


@dataclass(frozen=True, slots=True)
class Picture:
    file: str  # under uploads (_wp_attached_file)
    title: str
    caption: str
    alt: str
    url: str = ""  # where the old site serves it (attachment_url)
    parent: str = ""  # the post it was uploaded to

    def attachment(self) -> Attachment:
        return Attachment(self.url, self.title, self.caption, self.alt, self.parent)


@dataclass(frozen=True, slots=True)
class _Context:
    """What converting a post needs, sent once to each worker process."""

    settings: Settings
    mapping: Mapping
    options: Options
    export: Export
    site: str
    content: Path
    folder: Path
    edition: str


@dataclass(frozen=True, slots=True)
class _Job:
    item: Item
    label: str
    picture: dict[str, object]  # `image:` for the post, its file already copied; or {}
    inline: dict[str, str]  # the pictures in its text, copied: address -> path under content/


_context: _Context | None = None  # a worker's, set once by _start


def _start(context: _Context) -> None:
    global _context
    _context = context


def import_wordpress(
    export_path: Path,
    settings: Settings,
    mapping: Mapping,
    options: Options,
    progress: Callable[[Iterable[Item]], Iterable[Item]] = lambda items: items,
) -> Report:
    report = Report()
    content = settings.content_dir.resolve()
    export = Export()
    pictures = _pictures(export_path, export)  # attachments may follow the posts: a pass first
    if export.dropped_characters:
        report.notes.append(
            f"{export.dropped_characters} control characters XML cannot carry were removed"
        )
    site = urlsplit(export.site_url).hostname or "wordpress"
    folder = content / "imported" / site_key(export.site_url)
    edition = options.edition or edition_for(export.language, settings, report)
    context = _Context(settings, mapping, options, export, site, content, folder, edition)
    # A WordPress.com site named to fetch from: its files host too, where its uploads are.
    allowed = set(options.fetch_from) | {
        twin for host in options.fetch_from if (twin := files_twin(host.split(":")[0]))
    }
    fetcher = Fetcher(allowed, MAX_PICTURE) if allowed else None
    source = Source(site, folder, options.uploads, fetcher, MAX_PICTURE, options.dry_run)
    if not options.dry_run:
        clear_leftovers(folder)
    ledger = Ledger(folder, options.overwrite_edited)
    seen_ids: set[str] = set()
    seen_paths: dict[str, str] = {}
    written: dict[Path, str] = {}  # file -> what was done to it
    checked_files: dict[str, Claims] = {}
    attachments = {key: p.attachment() for key, p in pictures.items() if p.url}
    others: Counter[str] = Counter()  # attachments, menus, settings: not stories
    with _converting(context) as convert:
        items = _until_unreadable(read_items(export_path, Export()), report)
        for batch in _batches(progress(items), WINDOW):
            jobs = []
            for item in batch:
                if item.post_type != "post":
                    _not_a_post(item, report, others)
                    continue
                label = f"post {item.post_id or '?'} {plain(item.title)[:60]!r}"
                if why := _refusal(item, seen_ids):
                    report.skip(label, why)
                    continue
                if item.password and item.status in PUBLISHED:
                    report.notes.append(f"{label}: imported as a draft: it has a password")
                elif item.status == "private":
                    report.notes.append(f"{label}: imported as a draft: it is private")
                if _date(item, options.timezone) is None and _export_date(export):
                    report.notes.append(f"{label}: it has no date: the export's is used")
                featured = item.meta.get("_thumbnail_id", "")
                picture = pictures.get(featured)
                if featured and picture is None:
                    report.notes.append(
                        f"{label}: its featured picture (attachment {featured[:20]}) is not in "
                        "the export"
                    )
                image = (
                    _picture(picture, site, folder, options, fetcher, report, label)
                    if picture
                    else {}
                )
                if left_out := _topics(item, mapping)[1]:
                    report.notes.append(
                        f"{label}: {len(left_out)} tags past the {MAX_TOPICS} kept as topics "
                        f"were left out: {', '.join(left_out[:5])[:200]}"
                    )
                item.content, pixels = without_trackers(item.content)
                item.content, made = expand(item.content, attachments, item.post_id)
                made["tracking pixel taken away"] += pixels
                made = +made  # (no zero counts)
                if made:
                    report.converted.update(made)
                    report.notes.append(
                        f"{label}: " + ", ".join(f"{n} {what}" for what, n in sorted(made.items()))
                    )
                inline = copy_pictures(
                    item.content, item.link or export.site_url, source, report, label
                )
                # A dry run copies nothing: its check reads the text naming the old addresses.
                jobs.append(_Job(item, label, image, {} if options.dry_run else inline))
            # In the export's order, whichever process converted them: the same files.
            for job, done in zip(jobs, convert(jobs), strict=True):
                if isinstance(done, str):
                    report.skip(job.label, done)
                    continue
                target, text, claims = done
                if (other := seen_paths.get(claims.path)) is not None:
                    report.skip(job.label, f"duplicate address: the same as {other}")
                    continue
                seen_paths[claims.path] = job.label
                done = write_whole(target, text, report, options.dry_run, ledger=ledger)
                if done != "kept":
                    written[target] = done
                    checked_files[target.relative_to(content).as_posix()] = claims
    if others:
        report.notes.append(
            "not stories, and not imported: "
            + ", ".join(f"{n} {kind}" for kind, n in sorted(others.items()))
            + " (attachments' pictures come in where posts show them)"
        )
    if not (report.imported or report.updated or report.unchanged or report.skipped):
        report.notes.append("the export holds no posts (was it made with Tools > Export, All?)")
    if not options.dry_run and written:
        refused_by_check(settings, written, checked_files, report, ledger)
    ledger.close(options.dry_run)
    return report


Converted = str | tuple[Path, str, Claims]  # why it is skipped, or its file, text, claims
WINDOW = 512  # posts read ahead of the writing: bounds memory whatever the export's size
PARALLEL_FROM = 200  # fewer posts than this are converted here: a pool costs more


def _start_worker(context: _Context, import_pid: int) -> None:
    """A converting worker: ends when the import is gone (killed, it cannot say so)."""
    start_worker(import_pid)
    _start(context)


@contextlib.contextmanager
def _converting(context: _Context) -> Iterator[Callable[[list[_Job]], list[Converted]]]:
    """Converts jobs in order: in worker processes (one a core) once there are enough."""
    _start(context)
    pool: ProcessPoolExecutor | None = None

    def convert(jobs: list[_Job]) -> list[Converted]:
        nonlocal pool
        workers = os.cpu_count() or 1
        if len(jobs) < PARALLEL_FROM or workers < 2:
            return [_convert(job) for job in jobs]
        if pool is None:
            pool = ProcessPoolExecutor(
                workers, initializer=_start_worker, initargs=(context, os.getpid())
            )
        return list(pool.map(_convert, jobs, chunksize=32))

    try:
        yield convert
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)


def _batches(items: Iterable[Item], size: int) -> Iterator[list[Item]]:
    batch: list[Item] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _convert(job: _Job) -> Converted:
    """A post -> its file's text, checked as ingest would; or why it is skipped."""
    context = _context
    assert context is not None, "_start was not called"
    story = _story(job.item, context, job.inline)
    if isinstance(story, str):
        return story
    fields, body = story
    fields.update(job.picture)
    target = context.folder / f"{post_key(job.item)}.md"
    rel = target.relative_to(context.content).as_posix()
    text = file_text(fields, body)
    # A dry run copies no picture, so it checks the story without it (the copy's source
    # was checked to be a picture file under the uploads folder).
    checked = (
        file_text({k: v for k, v in fields.items() if k != "image"}, body)
        if context.options.dry_run
        else text
    )
    try:
        parsed = parse_article(checked.encode(), rel, context.content, context.settings)
    except ContentError as error:
        return f"would not publish: {error.format(str(context.content))}"
    return target, text, Claims.of(parsed)


def _until_unreadable(items: Iterator[Item], report: Report) -> Iterator[Item]:
    """The items up to where the export stops being readable (a file cut short), with the
    reason in the report. An export refused as a whole (entities, a DTD), or with no item
    readable at all, still raises."""
    read = 0
    try:
        for item in items:
            read += 1
            yield item
    except RefusedExport:
        raise
    except ExportError as exc:
        if not read:
            raise
        report.stopped = str(exc)


def _pictures(export_path: Path, export: Export) -> dict[str, Picture]:
    """The export's attachments by post id: where each is kept in the uploads folder
    (`_wp_attached_file`; WordPress.com's exports leave it out, and the attachment's
    address says it then), and its texts."""
    found = {}
    for item in _until_unreadable(read_items(export_path, export), Report()):
        if item.post_type == "attachment" and (
            item.meta.get("_wp_attached_file") or item.attachment_url
        ):
            found[item.post_id] = Picture(
                item.meta.get("_wp_attached_file", ""),
                plain(item.title),
                plain(item.excerpt),
                plain(item.meta.get("_wp_attachment_image_alt", "")),
                item.attachment_url,
                item.parent,
            )
    return found


def site_key(site_url: str) -> str:
    """The site an export comes from, as a name: its host and its path (example-org,
    example-org-blog for a blog at example.org/blog/)."""
    parts = urlsplit(site_url)
    return slugify(f"{parts.hostname or 'wordpress'} {parts.path}", max_length=40)


_P_LINK = re.compile(r"[?&]p=(\d{1,18})(?:&|$)")


def post_key(item: Item) -> str:
    """What tells a post from the site's others: its post id; without one (an export built
    by hand), the id in its `?p=` link, else a digest of its guid or link. Guids are not
    unique in WordPress, so a guid never makes two posts one: only the post id does."""
    if item.post_id.isdigit():
        return item.post_id
    for text in (item.guid, item.link):
        if found := _P_LINK.search(text):
            return found[1]
    seed = item.guid or item.link
    return "g" + hashlib.blake2b(seed.encode(), digest_size=6).hexdigest() if seed else ""


# What WordPress keeps as items that are not anyone's story: counted in one line.
_NOT_STORIES = frozenset(
    ("attachment", "nav_menu_item", "revision", "custom_css", "customize_changeset",
     "oembed_cache", "user_request", "wp_block", "wp_template", "wp_template_part",
     "wp_global_styles", "wp_navigation", "wp_font_family", "wp_font_face")
)  # fmt: skip


def _not_a_post(item: Item, report: Report, others: Counter[str]) -> None:
    """A page, or a post type a plugin made (an `article`, an `event`), is a skip line of
    its own: a newsroom's About page or a plugin's stories are never lost without a word.
    WordPress's own bookkeeping is counted."""
    kind = item.post_type or "none"
    if kind in _NOT_STORIES:
        others[kind] += 1
        return
    label = f"{kind[:20]} {item.post_id or '?'} {plain(item.title)[:60]!r}"
    why = "a page, not a post" if kind == "page" else f"its type is {kind[:20]!r}, not post"
    report.skip(label, f"not a post: {why}")


def _refusal(item: Item, seen_ids: set[str]) -> str:
    """Why the post is not imported ("" when it is). A post id counts as seen only once a
    post with it is kept, so a skipped post never takes a later one with it."""
    if item.too_big:
        return f"too large: {item.too_big:,} characters (at most 5 MB of text an item)"
    key = post_key(item)
    if not key:
        return "no post id, guid or link to know it by"
    if item.status not in PUBLISHED | DRAFTS:
        return f"not a post to keep: its status is {item.status[:20] or 'none'}"
    if not plain(item.title):
        return "no title"
    if key in seen_ids:
        return f"duplicate post id: {key} came before"
    seen_ids.add(key)
    return ""


def _story(
    item: Item, context: _Context, pictures: dict[str, str]
) -> tuple[dict[str, object], str] | str:
    """The post's front matter (but its picture) and body; or why it is skipped."""
    export, site, mapping = context.export, context.site, context.mapping
    published = _date(item, context.options.timezone) or _export_date(export)
    if published is None:
        return f"no date: {item.date_gmt or item.pub_date or 'none'}, and the export has none"
    base = item.link or export.site_url
    body = story_body(item.content, base, site, pictures, plain(item.title), wordpress=True)
    if not body.strip():
        return "empty body"
    categories = [(slug, name) for domain, slug, name in item.categories if domain == "category"]
    author = plain(export.authors.get(item.creator, item.creator))
    fields: dict[str, object] = {
        "id": f"wp-{context.folder.name}-{post_key(item)}",
        "title": plain(item.title),
        "published": published.isoformat(),
        "section": mapping.section_of(categories),
        "edition": context.edition,
    }
    if item.status in DRAFTS or item.password:  # private, pending or behind a password
        fields["status"] = "draft"
    if slug := slugify(unquote(item.name), max_length=80):
        fields["slug"] = slug
    if author:
        fields["authors"] = [author][:MAX_AUTHORS]
    if topics := _topics(item, mapping)[0]:
        fields["topics"] = topics
    if standfirst := standfirst_of(item.excerpt):
        fields["standfirst"] = standfirst
    if source := mapping.source_of([author, *(name for _, name in categories)]):
        fields["source"] = source
    fields["aliases"] = _old_addresses(item, site, urlsplit(export.site_url).path)
    if not fields["aliases"]:
        del fields["aliases"]
    return fields, body


def _old_addresses(item: Item, site: str, base: str) -> list[str]:
    """Where the old site served the post: its permalink, and `<blog>/?p=<post id>`, which
    WordPress answers for every post whatever its permalinks (old short links use it)."""
    old = urlsplit(item.link)
    found = []
    on_site = (old.hostname or "").removeprefix("www.") == site.removeprefix("www.")
    if on_site and not old.query and is_old_address(unquote(old.path)):
        found.append(old.path)
    if on_site and (plain_link := _P_LINK.search(f"?{old.query}")):
        found.append(f"{old.path or '/'}?p={plain_link[1]}")  # "Plain" permalinks: /?p=123
    if (key := post_key(item)).isdigit():
        found.append(f"/{base.strip('/')}/?p={key}".replace("//", "/"))
    return list(dict.fromkeys(found))


def _topics(item: Item, mapping: Mapping) -> tuple[list[str], list[str]]:
    """The post's tags, then its categories no section takes (lost otherwise), as topics:
    those kept (at most MAX_TOPICS), and those past them."""
    tags = [name for domain, _, name in item.categories if domain == "post_tag"]
    loose = [
        name
        for domain, slug, name in item.categories
        if domain == "category" and slug != "uncategorized" and not mapping.maps(slug, name)
    ]
    names = list(dict.fromkeys(shown for t in [*tags, *loose] if (shown := plain(t))))
    return names[:MAX_TOPICS], names[MAX_TOPICS:]


def _export_date(export: Export) -> datetime | None:
    """When the export was made (its channel's pubDate): the date of a post that has none,
    as WordPress's importer gives such a post the date it is imported."""
    return _rss_date(export.pub_date)


def _rss_date(text: str) -> datetime | None:
    try:
        parsed = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed.tzinfo is None or not 1800 <= parsed.year <= 2999:
        return None
    return parsed.astimezone(UTC)


def _date(item: Item, zone: ZoneInfo) -> datetime | None:
    """The GMT date WordPress kept, else the site's local date, else the RSS pubDate."""
    for text, tz in ((item.date_gmt, UTC), (item.date_local, zone)):
        try:
            moment = datetime.strptime(text, "%Y-%m-%d %H:%M:%S")
        except ValueError:
            continue
        if 1800 <= moment.year <= 2999:
            return moment.replace(tzinfo=tz).astimezone(UTC)
    return _rss_date(item.pub_date)


def _picture(
    picture: Picture,
    site: str,
    folder: Path,
    options: Options,
    fetcher: Fetcher | None,
    report: Report,
    label: str,
) -> dict[str, object]:
    """The featured picture, from the uploads folder or fetched from a host named, copied
    under content/, as `image:`; {} when it cannot be (and a note says why)."""
    file = (
        picture.file
        or uploads_name(picture.url, site)
        or PurePosixPath(urlsplit(picture.url).path).name
    )
    parts = PurePosixPath(file).parts
    if (
        not parts
        or any(part in ("..", "/") for part in parts)
        or PurePosixPath(file).suffix.lower() not in MEDIA_TYPES
    ):
        report.notes.append(f"{label}: its picture {file[:80]!r} is not one we take")
        return {}
    data = read_upload(options.uploads, file, MAX_PICTURE) if options.uploads else None
    if data is None and fetcher is not None and picture.url:
        try:
            data, kind = fetcher.get(picture.url)
        except Refused as exc:
            report.notes.append(f"{label}: its picture was not fetched: {exc}")
            return {}
        if not kind.startswith("image/"):
            report.notes.append(f"{label}: {picture.url[:120]} is {kind}, not a picture")
            return {}
    if data is None:
        report.notes.append(
            f"{label}: its picture {file[:80]!r} was not found in the uploads folder (or is "
            "over 20 MB), and its host was not named to fetch from"
        )
        return {}
    src = keep_picture(folder, PurePosixPath(*parts), data, report, options.dry_run)
    if src is None:
        return {}
    image: dict[str, str] = {"src": src, "alt": picture.alt or picture.title or "Picture"}
    if picture.caption:
        image["caption"] = picture.caption[:1000]
    return {"image": image}
