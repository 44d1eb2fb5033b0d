"""Pictures resized for pages: made with Pillow on first request, one file per picture, width,
format and metadata, kept in a folder beside the archive so each is made once. Each carries
the IPTC metadata (publish/picture_metadata.py) it is given, and so does the picture at its
own size (`stamped_original`)."""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from pathlib import Path

from PIL import Image, ImageOps

from syndication.publish import picture_metadata
from syndication.publish.urls import RENDITION_WIDTHS

MAX_PIXELS = 50_000_000  # a bigger picture is served as it is, never decoded here
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
Image.MAX_IMAGE_PIXELS = MAX_PIXELS  # Pillow refuses beyond twice this: a decompression bomb


class CannotResize(Exception):
    """The picture cannot be made smaller here (too big, not decodable, another format)."""


def folder_for(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + "-renditions")


def allowed_width(source: Path, width: int) -> bool:
    """A standard width below the picture's own, or its own (when no wider than the widest)."""
    try:
        with Image.open(source) as image:
            own = image.width
    except Image.DecompressionBombError:
        return width in RENDITION_WIDTHS  # pages offer it: `rendition` will refuse, not break
    except (OSError, ValueError):
        return False
    return (width in RENDITION_WIDTHS and width < own) or width == own <= RENDITION_WIDTHS[-1]


def _name(source: Path, width: int, webp: bool, xmp: bytes | None) -> str:
    """A rendition's file name: this version of the file (its size and time), this width,
    this metadata (a changed policy makes new files; None: the picture's own kept)."""
    stat = source.stat()
    stamp = hashlib.blake2b(xmp, digest_size=8).hexdigest() if xmp is not None else "own"
    key = f"{source}\0{stat.st_size}\0{stat.st_mtime_ns}\0{width}\0{webp}\0{stamp}"
    return hashlib.blake2b(key.encode(), digest_size=12).hexdigest()


def kept(
    folder: Path, source: Path, width: int, webp: bool, xmp: bytes | None
) -> tuple[Path, str] | None:
    """The rendition made before, and its media type; None when it must be made."""
    name = _name(source, width, webp, xmp)
    for kind, media_type in FORMATS.items():
        if (found := folder / f"{name}.{kind.lower()}").is_file():
            return found, media_type
    return None


def make(folder: Path, source: Path, width: int, webp: bool, xmp: bytes | None) -> tuple[Path, str]:
    """`source` resized to `width` (as WebP, or in its own format) with `xmp` as its
    metadata (None: the source's own packet, if it has one), kept in `folder`, and its
    media type. Blocking: run in a thread."""
    name = _name(source, width, webp, xmp)
    data, kind = _resized(source, width, webp)
    data = _with_metadata(data, source, xmp)
    return _keep(folder, name, kind, data), FORMATS[kind]


def stamped_original(folder: Path, source: Path, xmp: bytes) -> Path:
    """The picture at its own size, its bytes untouched but for `xmp` as its metadata (a
    JPEG, PNG or WebP, told by its bytes whatever its name says); made once, kept in
    `folder`. Blocking: run in a thread. Raises CannotStamp."""
    name = _name(source, 0, False, xmp)
    for kind in FORMATS:
        if (found := folder / f"{name}.{kind.lower()}").is_file():
            return found
    data = source.read_bytes()
    made = picture_metadata.stamped(data, xmp)  # CannotStamp for any other kind
    kind = next(k for k, t in FORMATS.items() if t == picture_metadata.kind_of(data))
    return _keep(folder, name, kind, made)


def _with_metadata(data: bytes, source: Path, xmp: bytes | None) -> bytes:
    if xmp is None:  # another's picture keeps its own metadata, if it had any
        xmp = picture_metadata.own_xmp(source.read_bytes())
        if xmp is None:
            return data
    try:
        return picture_metadata.stamped(data, xmp)
    except picture_metadata.CannotStamp as exc:  # Pillow's own output: never expected
        raise CannotResize(f"{source.name}: {exc}") from None


def _keep(folder: Path, name: str, kind: str, data: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    kept = folder / f"{name}.{kind.lower()}"
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".making-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, kept)  # whole or not at all, whoever asks at the same time
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return kept


def _resized(source: Path, width: int, webp: bool) -> tuple[bytes, str]:
    try:
        with Image.open(source) as opened:
            kind = opened.format or ""
            if kind not in FORMATS or opened.width * opened.height > MAX_PIXELS:
                raise CannotResize(f"{source.name}: {kind or 'unknown'} format or too big")
            if kind == "JPEG":
                opened.draft("RGB", (width, width))  # decode at a fraction of the size
            picture = ImageOps.exif_transpose(opened)
            if picture.mode not in ("RGB", "RGBA", "L", "LA"):  # a palette resizes badly
                picture = picture.convert("RGBA")
            if width < picture.width:
                height = max(1, round(picture.height * width / picture.width))
                picture = picture.resize((width, height), Image.Resampling.LANCZOS)
            out = io.BytesIO()
            if webp:
                kind = "WEBP"
                picture.save(out, "WEBP", quality=80, method=4)
            elif kind == "JPEG":
                picture.convert("RGB").save(
                    out, "JPEG", quality=82, optimize=True, progressive=True
                )
            elif kind == "PNG":
                picture.save(out, "PNG", optimize=True)
            else:
                picture.save(out, "WEBP", quality=80, method=4)
            return out.getvalue(), kind
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise CannotResize(f"{source.name}: {exc}") from None
