"""`syndication check`: validate files exactly as ingest would, writing nothing."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from syndication.config import Settings
from syndication.errors import ContentError, SyndicationError
from syndication.ingest import files
from syndication.ingest.parse import parse_article


def check_paths(settings: Settings, paths: Iterable[Path]) -> tuple[int, list[ContentError]]:
    """(files checked, errors). Duplicate ids and addresses are found among the checked files."""
    content_dir = settings.content_dir.resolve()
    rels: list[str] = []
    errors: list[ContentError] = []
    for path in paths:
        resolved = path.resolve()
        if not resolved.is_relative_to(content_dir):
            raise SyndicationError(
                f"{path} is not inside the content folder {settings.content_dir}"
            )
        if resolved.is_dir():
            rel_dir = resolved.relative_to(content_dir).as_posix()
            prefix = "" if rel_dir == "." else rel_dir + "/"
            rels += [prefix + r for r, st in files.scan(resolved).items() if not st.is_dir]
        elif resolved.exists():
            rels.append(resolved.relative_to(content_dir).as_posix())
        else:
            raise SyndicationError(f"{path}: no such file or folder")

    owners: dict[tuple[str, str], str] = {}
    for rel in sorted(set(rels)):
        try:
            data = files.read_source(content_dir, rel, settings.max_file_bytes)
            parsed = parse_article(data, rel, content_dir, settings)
            article, lines = parsed.article, parsed.lines
        except ContentError as error:
            errors.append(error)
            continue
        claims = [("address", article.path, "slug" if "slug" in lines else "title")]
        if article.id_given:
            claims.append(("id", article.id, "id"))
        for kind, value, field in claims:
            owner = owners.setdefault((kind, value), rel)
            if owner != rel:
                errors.append(
                    ContentError(
                        rel,
                        f"the {kind} {value} is already used by {owner}",
                        line=lines.get(field),
                        field=field,
                    )
                )
    return len(set(rels)), errors
