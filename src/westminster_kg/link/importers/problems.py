"""What an import noticed on the way: records it could not read (skipped, or fatal with ``--strict``),
quirks it kept (duplicates merged, people missing), and what it made of the file.

Real published files are messy: a ministers file repeats an organisation id, a spreadsheet has a
date no calendar knows. One bad row should not cost the other thousands, nor pass unseen: every
skipped record is counted and the first few are listed with their position (``file:line`` for CSV,
the JSON path for Popolo), and ``--strict`` turns the first into the error.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from westminster_kg.errors import InputError

# How many examples of one kind of warning are listed before the rest are only counted.
SHOWN = 5


@dataclass
class Problems:
    """Collects skipped records, warnings by kind and notes, and says them in a few lines."""

    strict: bool = False
    skipped: list[str] = field(default_factory=list)
    warnings: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    notes: list[str] = field(default_factory=list)

    def skip(self, message: str) -> None:
        """A record that cannot be read (``message`` names where and why): left out and listed, or the
        import's error with ``strict``."""
        if self.strict:
            raise InputError(f"{message} (--strict: the first unreadable record stops the import)")
        self.skipped.append(message)

    def warn(self, kind: str, text: str, count: int = 1) -> None:
        """A quirk that was kept (a duplicate merged, a person missing): ``kind`` groups them, ``text``
        is an example with its position, ``count`` how many it stands for."""
        self.warnings[kind].append(text)
        self.counts[kind] += count

    def note(self, text: str) -> None:
        """What the import made of the file (recognised columns, kinds of post): not a problem."""
        self.notes.append(text)

    def lines(self) -> list[str]:
        """The warnings to show: one summary line per kind, then its first few examples, indented."""
        shown: list[str] = []
        groups = dict(self.warnings)
        if self.skipped:
            groups = {"unreadable record(s) left out (--strict makes the first an error)": self.skipped, **groups}
        for kind, items in groups.items():
            more = f"; the first {SHOWN}:" if len(items) > SHOWN else ":"
            shown.append(f"{self.counts.get(kind) or len(items):,} {kind}{more}")
            shown.extend(f"  {item}" for item in items[:SHOWN])
        return shown


__all__ = ["SHOWN", "Problems"]
