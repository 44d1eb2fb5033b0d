"""WordPress's galleries, audio, video and embeds -> HTML the Markdown conversion keeps,
before a post's pictures are copied (so a gallery's pictures are copied too): a gallery as
its pictures with their captions, audio and video as a link to the file, an embed as a
link to what it showed (no third-party script is kept). Each conversion is counted, and a
shortcode taken away is named, so the report says what became of everything."""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from syndication.importing.html_markdown import plain
from syndication.importing.shortcodes import outside_pre, removed_shortcodes


@dataclass(frozen=True, slots=True)
class Attachment:
    url: str
    title: str
    caption: str
    alt: str
    parent: str  # the post it was uploaded to: a [gallery] without ids shows those


_ATTRIBUTES = re.compile(r"""([a-z0-9_-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s\]]+))""", re.I)
# Attributes as WordPress writes them (`ids="1,2"`, `mp3=x.mp3`): "[video unavailable]"
# or "[Audio: an interview]" are the writer's words, not shortcodes.
_ATTRS = r"""((?:\s+[\w-]+\s*=\s*(?:"[^"]*"|'[^']*'|[^\s\]"']+))*)\s*"""
_GALLERY = re.compile(rf"\[gallery{_ATTRS}\]")
_AUDIO_VIDEO = re.compile(rf"\[(audio|video|playlist){_ATTRS}\](?:\s*\[/\1\])?")
_EMBED = re.compile(rf"\[embed{_ATTRS}\](.*?)\[/embed\]", re.S)
_EMBED_BLOCK = re.compile(
    r"<!--\s*wp:(?:core-)?embed(?:/[a-z0-9-]+)?\s*(\{.*?\})?\s*/?-->"
    r"(?:(.*?)<!--\s*/wp:(?:core-)?embed(?:/[a-z0-9-]+)?\s*-->)?",
    re.S,
)
_URL_ALONE = re.compile(r"^[ \t]*(https?://[^\s<>\"\[\]]+)[ \t]*$", re.M)
_AUDIO_SOURCES = ("src", "mp3", "m4a", "ogg", "oga", "wav", "wma", "flac")
_VIDEO_SOURCES = ("src", "mp4", "m4v", "webm", "ogv", "wmv", "flv", "mov")


def expand(
    content: str, attachments: Mapping[str, Attachment], post_id: str
) -> tuple[str, Counter[str]]:
    """The post's HTML with its media in plain HTML; what was converted, counted."""
    done: Counter[str] = Counter()
    classic = "<!-- wp:" not in content

    def gallery(found: re.Match[str]) -> str:
        attributes = _attributes(found[1])
        wanted = attributes.get("ids") or attributes.get("include") or ""
        ids = [i.strip() for i in wanted.split(",") if i.strip()]
        if not ids:  # no ids: the pictures uploaded to the post, in the export's order
            ids = [key for key, a in attachments.items() if a.parent == post_id]
        shown = [attachments[i] for i in ids if i in attachments]
        done["gallery"] += 1
        done["gallery picture"] += len(shown)
        done["gallery picture not in the export"] += len(ids) - len(shown)
        return "".join(_picture(a) for a in shown)

    def audio_video(found: re.Match[str]) -> str:
        kind = found[1].lower()
        attributes = _attributes(found[2])
        names = _AUDIO_SOURCES if kind == "audio" else _VIDEO_SOURCES
        url = next((attributes[n] for n in names if attributes.get(n)), "")
        done[kind] += 1
        if not url:
            done[f"{kind} with no file"] += 1
            return ""
        return _link(url, f"{kind.capitalize()}: {_file_name(url)}")

    def embed(found: re.Match[str]) -> str:
        done["embed"] += 1
        url = plain(found[2])
        return _link(url, _shown_as(url, "")) if url.startswith(("http://", "https://")) else ""

    def embed_block(found: re.Match[str]) -> str:
        try:
            settings = json.loads(found[1] or "{}")
        except ValueError:
            settings = {}
        settings = settings if isinstance(settings, dict) else {}
        url = str(settings.get("url") or "")
        if not url.startswith(("http://", "https://")):
            url = next(iter(_URL_ALONE.findall(plain_lines(found[2] or ""))), "")
        done["embed"] += 1
        provider = str(settings.get("providerNameSlug") or "")
        return _link(url, _shown_as(url, provider)) if url else ""

    def alone(found: re.Match[str]) -> str:
        done["embed"] += 1
        return _link(found[1], _shown_as(found[1], ""))

    def converted(part: str) -> str:
        part = _EMBED_BLOCK.sub(embed_block, part)
        part = _GALLERY.sub(gallery, part)
        part = _AUDIO_VIDEO.sub(audio_video, part)
        part = _EMBED.sub(embed, part)
        # a link alone on its line: WordPress showed what it points at (oEmbed)
        return _URL_ALONE.sub(alone, part) if classic else part

    content = outside_pre(content, converted)  # a code block stays as written
    for name in removed_shortcodes(content):
        done[f"shortcode [{name}] taken away, its text kept"] += 1
    return content, done


def plain_lines(text: str) -> str:
    return "\n".join(plain(line) for line in re.sub(r"<[^>]+>", "\n", text).splitlines())


def _attributes(text: str) -> dict[str, str]:
    return {
        m[1].lower(): html.unescape(m[2] if m[2] is not None else m[3] or m[4] or "")
        for m in _ATTRIBUTES.finditer(text)
    }


def _picture(attachment: Attachment) -> str:
    alt = html.escape(attachment.alt or attachment.title or "Picture")
    shown = f'<p><img src="{html.escape(attachment.url)}" alt="{alt}"></p>'
    caption = attachment.caption
    return shown + (f"<p><em>{html.escape(caption)}</em></p>" if caption else "")


def _link(url: str, text: str) -> str:
    return f'<p><a href="{html.escape(url)}">{html.escape(text)}</a></p>'


def _file_name(url: str) -> str:
    return urlsplit(url).path.rsplit("/", 1)[-1] or url


def _shown_as(url: str, provider: str) -> str:
    """What the link says: where it leads, and the address (an embed's title is not in
    the export, and nothing is fetched to find it)."""
    host = urlsplit(url).hostname or ""
    where = provider.replace("-", " ").title() if provider else host.removeprefix("www.")
    return f"{where}: {url}" if where else url
