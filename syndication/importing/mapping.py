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
