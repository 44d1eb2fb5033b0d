"""How an import maps the source's categories and names onto ours: `[import]` in
syndication.toml.

    [import]
    default_section = "world"          # a post whose categories map to no section
    [import.sections]                   # category (its slug or its name) -> section
    news = "world"
    [import.sources]                    # an author or category -> one of [sources]
    "Wire Desk" = "Continental Press Agency"
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from syndication.config import Settings
from syndication.errors import ConfigError
from syndication.importing.report import Report


@dataclass(frozen=True, slots=True)
class Mapping:
    default_section: str
    sections: dict[str, str] = field(default_factory=dict)  # folded category -> section
    sources: dict[str, str] = field(default_factory=dict)  # folded name -> source name

    def section_of(self, categories: list[tuple[str, str]]) -> str:
        """The first category (slug, name) that maps to a section, else the default."""
        for slug, name in categories:
            for key in (slug.casefold(), name.casefold()):
                if key in self.sections:
                    return self.sections[key]
        return self.default_section

    def maps(self, slug: str, name: str) -> bool:
        """Whether a category (slug, name) is one that names a section."""
        return slug.casefold() in self.sections or name.casefold() in self.sections

    def source_of(self, names: list[str]) -> str:
        """The source a licensed-in author or category names, or ""."""
        return next((self.sources[n.casefold()] for n in names if n.casefold() in self.sources), "")


def load_mapping(config: Path, settings: Settings) -> Mapping:
    raw: Any = {}
    if config.exists():
        try:
            raw = tomllib.loads(config.read_text(encoding="utf-8")).get("import", {})
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{config}: {exc}") from None
    tables = (raw, raw.get("sections", {}), raw.get("sources", {})) if isinstance(raw, dict) else ()
    if not tables or not all(isinstance(t, dict) for t in tables):
        raise ConfigError(f"{config}: [import], [import.sections] and [import.sources] are tables")
    default = str(raw.get("default_section", settings.sections[0].slug))
    known = {s.slug for s in settings.sections}
    sections = {str(k).casefold(): str(v) for k, v in raw.get("sections", {}).items()}
    for section in (default, *sections.values()):
        if section not in known:
            raise ConfigError(f"{config}: [import] names the section {section!r}, which is not one")
    names = {s.name for s in settings.sources}
    sources = {str(k).casefold(): str(v) for k, v in raw.get("sources", {}).items()}
    for source in sources.values():
        if source not in names:
            raise ConfigError(f"{config}: [import.sources] names {source!r}, not one of [sources]")
    return Mapping(default, sections, sources)


def edition_for(language: str, settings: Settings, report: Report) -> str:
    """The edition whose language the source names (`de-AT` joins a `de` edition), else
    the default one, with a note when the source named another language."""
    wanted = language.strip().lower().replace("_", "-")
    for edition in settings.editions:
        ours = edition.language.lower()
        if wanted and (wanted == ours or wanted.split("-")[0] == ours.split("-")[0]):
            return edition.code
    if wanted:
        report.notes.append(
            f"the source's language is {language[:20]!r}, which no edition has: its stories "
            f"join the default edition, {settings.default_edition} (say --edition to choose)"
        )
    return settings.default_edition
