"""What an import did: counts, and each item skipped with the reason."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class Report:
    imported: int = 0  # files written for the first time
    updated: int = 0  # files written again: the source changed, or the mapping did
    unchanged: int = 0  # files already as the source says: nothing written
    copied: set[str] = field(default_factory=set)  # pictures copied
    converted: Counter[str] = field(default_factory=Counter)  # galleries, embeds... made plain
    # files edited or deleted here since the last import: left as they are (file, which)
    kept: list[tuple[str, str]] = field(default_factory=list)
    overwritten: list[str] = field(default_factory=list)  # edits replaced (--overwrite-edited)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (item, why)
    notes: list[str] = field(default_factory=list)  # what was cleaned, what is missing
    stopped: str = ""  # why the source could be read no further (what came before is in)

    def skip(self, item: str, why: str) -> None:
        self.skipped.append((item, why))

    def text(self, dry_run: bool) -> str:
        verb = "would be" if dry_run else "were"
        lines = [
            f"{self.imported} imported, {self.updated} updated, {self.unchanged} unchanged, "
            f"{len(self.skipped)} skipped; {len(self.copied)} pictures copied"
            + (" (dry run: nothing written)" if dry_run else "")
        ]
        if self.converted:
            lines.append(
                "converted: "
                + ", ".join(f"{n} {what}" for what, n in sorted(self.converted.items()))
            )
        reasons = Counter(why.split(":")[0] for _, why in self.skipped)
        if reasons:
            lines.append(f"skipped {verb}: " + ", ".join(f"{n} {r}" for r, n in reasons.items()))
        lines += [f"  skipped {item}: {why}" for item, why in self.skipped]
        if self.kept:
            lines.append(
                f"kept {len(self.kept)} files edited or deleted here since the last import as "
                "they are (--overwrite-edited writes the source's version)"
            )
            lines += [f"  kept {file}: {_KEPT[how]}" for file, how in self.kept]
        lines += [
            f"  overwrote {file}: its edit or deletion here was replaced (--overwrite-edited)"
            for file in self.overwritten
        ]
        lines += [f"  note: {note}" for note in self.notes]
        if self.stopped:
            lines.append(f"stopped: {self.stopped}; the items before it {verb} imported")
        return "\n".join(lines)


_KEPT = {
    "edited": "edited here since the last import",
    "deleted": "deleted here since the last import",
    "unknown": "it differs from the source, and there is no record of what the last import "
    "wrote (.imported is missing): it may be an edit",
}
