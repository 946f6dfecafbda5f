"""What an import plans: the changes to nodes and edges, and the problems of each row."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..model import Kind, Rel

#: sheet fields quoted in a firm's citation
FIRM_QUOTE_FIELDS = (
    "name",
    "credit_code",
    "aliases",
    "park",
    "region",
    "above_size",
    "output",
    "employees",
    "products",
    "source",
)

_BREAK_RE = re.compile(r"\s*\n\s*")


def one_line(text: str) -> str:
    """A cell's text on one line, for a citation's quote."""
    return _BREAK_RE.sub(" ", text).strip() if "\n" in text else text.strip()


@dataclass(slots=True)
class SheetRow:
    """One row of the sheet: its number and the cells of the fields it fills."""

    number: int
    cells: dict[str, tuple[str, str]]  # field -> (header, value), first non-empty column
    cols: dict[str, int] = field(default_factory=dict)  # field -> column index of that value
    firm_id: str = ""
    bad: bool = False
    #: field -> ``header: cell`` (the cell on one line), made on first use (see Planner.quote)
    said: dict[str, str] | None = None


@dataclass(slots=True)
class Issue:
    """A problem with one row (or one name in a row).

    ``status`` is ``bad`` (the row is not imported), ``unresolved`` / ``ambiguous`` (a
    customer/supplier name that became no edge), ``not-applied`` (a value for a firm that
    a file other than the imported ones defines, the dataset's own or an included layer's;
    edit it to take the value) or ``skipped`` (a totals row).
    """

    row: int
    column: str
    value: str
    reason: str
    status: str = "bad"
    candidates: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Change:
    """One node or edge the import adds, changes, removes or finds unchanged."""

    action: str
    kind: str
    id: str
    name: str
    row: int | None = None
    detail: str = ""


@dataclass
class ImportResult:
    """What an import did (or, for a dry run, would do)."""

    file: Path
    sheet: str
    source_id: str
    encoding: str = ""
    encoding_note: str = ""
    header_row: int = 0
    rows_read: int = 0
    changes: list[Change] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)
    written: bool = False

    @property
    def bad_rows(self) -> list[int]:
        """Row numbers refused (sorted)."""
        return sorted({i.row for i in self.issues if i.status == "bad"})

    def count(self, action: str, kind: str | None = None) -> int:
        """How many changes have this action (and kind: 'Firm', 'Source' or a relation)."""
        return sum(1 for c in self.changes if c.action == action and kind in (None, c.kind))

    def row_count(self, include_unchanged: bool = False) -> int:
        """How many rows :meth:`rows` gives (without making them)."""
        changes = sum(1 for c in self.changes if include_unchanged or c.action != "unchanged")
        return changes + len(self.issues)

    def rows(self, include_unchanged: bool = False, changes: bool = True) -> list[dict[str, Any]]:
        """One row per change and per issue, for the CLI's table/json/csv output (with
        ``changes`` False, the issues only)."""
        out: list[dict[str, Any]] = []
        for c in self.changes if changes else ():
            if c.action == "unchanged" and not include_unchanged:
                continue
            out.append(
                {
                    "row": c.row,
                    "status": c.action,
                    "kind": c.kind,
                    "id": c.id,
                    "name": c.name,
                    "detail": c.detail,
                }
            )
        for i in self.issues:
            detail = i.reason
            if i.candidates:
                detail += "; candidates: " + ", ".join(i.candidates)
            out.append(
                {
                    "row": i.row,
                    "status": i.status,
                    "kind": i.column,
                    "id": "",
                    "name": i.value,
                    "detail": detail,
                }
            )
        out.sort(key=lambda r: (r["row"] or 0, _STATUS_ORDER.get(r["status"], 9)))
        return out

    def summary(self) -> str:
        """One line: counts of what changed and what was refused."""
        parts = []
        rels = {r.value for r in Rel}
        firm_counts: dict[str, int] = {}
        edge_counts: dict[str, int] = {}
        for c in self.changes:  # one pass: a big import has some 40,000 changes
            if c.kind == Kind.FIRM:
                firm_counts[c.action] = firm_counts.get(c.action, 0) + 1
            if c.kind in rels:
                edge_counts[c.action] = edge_counts.get(c.action, 0) + 1
        for action in ("added", "changed", "removed"):
            firms, edges = firm_counts.get(action, 0), edge_counts.get(action, 0)
            if firms or edges:
                parts.append(
                    f"{action} {firms} firm{'s' * (firms != 1)}, {edges} edge{'s' * (edges != 1)}"
                )
        if not parts:
            parts.append("nothing to change")
        bad = len(self.bad_rows)
        if bad:
            parts.append(f"{bad} bad row{'s' * (bad != 1)}")
        loose = sum(1 for i in self.issues if i.status in ("unresolved", "ambiguous"))
        if loose:
            parts.append(f"{loose} unresolved name{'s' * (loose != 1)}")
        skipped = sum(1 for i in self.issues if i.status == "not-applied")
        if skipped:
            parts.append(f"{skipped} value{'s' * (skipped != 1)} not applied")
        return "; ".join(parts)


_STATUS_ORDER = {
    "bad": 0,
    "added": 1,
    "changed": 2,
    "removed": 3,
    "unchanged": 4,
    "not-applied": 5,
    "skipped": 5,
    "ambiguous": 6,
    "unresolved": 7,
}
