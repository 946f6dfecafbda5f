"""Turn the rows of a firm list into changes to a dataset's imported files.

The planner never touches the disk: it takes the dataset's graph, what earlier imports wrote
(:class:`Imported`) and the sheet (:class:`~chaingraph.ingest.sheets.Table`), and returns an
:class:`ImportResult` listing what would be added, changed or removed, every bad row with its
reason, and the new content of the imported files. :mod:`chaingraph.ingest.files` writes it.

Rules (each one is tested):

- **Firms** resolve by credit code, then exact name/alias, then normalised name/alias
  (:mod:`chaingraph.ingest.names`). Several candidates at the deciding step: the row is bad
  and the candidates are listed. A name match whose firm has a *different* credit code is
  refused, not merged. A new firm gets :func:`~chaingraph.ingest.names.new_firm_id`.
- A firm matched to a node of the dataset's own (hand-edited) files is never rewritten: the
  sheet's differing values are reported as ``not-applied``; only new edges are added.
- **Segments**: each name in 所属环节 must be a segment id, name or alias (inside the chain
  of 所属产业链 when given); else the row is bad, with the closest segment names.
- **Local vs external**: a park/region cell naming a Zone/Park/Platform of the dataset (by
  name or alias, punctuation ignored, or containing one; or containing 嵊州经济开发区 or
  高新园区) makes the firm local and adds ``LOCATED_IN``; any other text makes it external
  with that text as ``region``. A new firm with neither cell is a bad row.
- **Relations**: each name in 主要客户 / 主要供应商 becomes ``SUPPLIES`` (supplier ->
  customer) when it resolves to one firm; otherwise it is listed as unresolved/ambiguous
  and the row still imports.
- **Provenance**: each imported firm and edge cites the file's Source node with the row's
  words as ``quote`` (``header: cell; ...``) and the place as ``locator`` (``Sheet1 第12行``,
  ``第12行`` for a CSV); a firm keeps its output as written in ``output_text`` (``3,000万元``:
  the cell, with the header's unit when the cell has none). Citations an older importer wrote
  with the place inside the quote are split on reading.
- **Re-import**: the same file again changes nothing. A newer version of the file updates
  the firms it imported and replaces its own IN_SEGMENT / LOCATED_IN edges of a firm when
  the row states that column, and cites a row again where it moved or its quoted cells
  changed; nothing is ever deleted otherwise.
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import io
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..model import ChainGraph, Kind, Location, Rel, fields_of, normalize_text
from .mapping import Columns, Mapping
from .names import FirmIndex, Match, NearNames, new_firm_id, normalize_firm_name
from .sheets import Table
from .values import (
    parse_amount,
    parse_bool,
    parse_count,
    parse_credit_code,
    split_names,
)

FIRMS_FILE = "firms-imported.csv"
RELATIONS_FILE = "relations-imported.csv"
SOURCES_FILE = "sources-imported.yaml"
IMPORT_FILES = (FIRMS_FILE, RELATIONS_FILE, SOURCES_FILE)

EDGE_COLUMNS = ("from", "rel", "to", "product", "source", "quote", "locator")
#: the citation columns of the imported CSV files
CITATION_COLUMNS = ("source", "quote", "locator")
LIST_SEP = "|"

#: names of totals rows, skipped (after punctuation and spaces are removed)
TOTAL_WORDS = frozenset({"合计", "总计", "小计", "总合计", "total", "subtotal", "sum"})

#: zone names that make a place cell local even when no node of the dataset matches it
LOCAL_MARKERS = ("嵊州经济开发区", "高新园区")

#: firm fields a row can set, in CSV column order (a field the Firm schema lacks is dropped)
_FIRM_FIELDS = (
    "aliases",
    "local",
    "region",
    "credit_code",
    "above_size",
    "output_cny",
    "output_text",
    "employees",
    "products",
)
#: sheet fields quoted in a firm's citation
_FIRM_QUOTE_FIELDS = (
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


def firm_columns() -> tuple[str, ...]:
    """The columns of ``firms-imported.csv`` (a field the Firm schema lacks is left out)."""
    known = fields_of(Kind.FIRM)
    return (
        "id",
        "kind",
        "name",
        *(f for f in _FIRM_FIELDS if f in known),
        *CITATION_COLUMNS,
    )


# --- results ------------------------------------------------------------------------------


@dataclass
class Issue:
    """A problem with one row (or one name in a row).

    ``status`` is ``bad`` (the row is not imported), ``unresolved`` / ``ambiguous`` (a
    customer/supplier name that became no edge), ``not-applied`` (a value for a firm that
    the dataset's own files define; edit them to take it) or ``skipped`` (a totals row).
    """

    row: int
    column: str
    value: str
    reason: str
    status: str = "bad"
    candidates: list[str] = field(default_factory=list)


@dataclass
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

    def rows(self, include_unchanged: bool = False) -> list[dict[str, Any]]:
        """One row per change and per issue, for the CLI's table/json/csv output."""
        out: list[dict[str, Any]] = []
        for c in self.changes:
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
        for action in ("added", "changed", "removed"):
            firms = self.count(action, Kind.FIRM)
            edges = sum(
                1 for c in self.changes if c.action == action and c.kind in {r.value for r in Rel}
            )
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


# --- what earlier imports wrote ---------------------------------------------------------


@dataclass
class Imported:
    """The content of the imported files of a dataset: CSV rows as text, Source nodes."""

    firms: dict[str, dict[str, str]] = field(default_factory=dict)
    edges: dict[tuple[str, str, str], dict[str, str]] = field(default_factory=dict)
    sources: dict[str, dict[str, Any]] = field(default_factory=dict)
    firm_header: list[str] = field(default_factory=list)
    edge_header: list[str] = field(default_factory=list)

    @classmethod
    def read(cls, folder: Path) -> Imported:
        """Read the imported files of a dataset folder (missing files are empty)."""
        out = cls()
        header, rows = _read_csv(folder / FIRMS_FILE)
        out.firm_header = header
        for row in rows:
            if row.get("id"):
                out.firms[row["id"]] = _split_old_quote(row)
        header, rows = _read_csv(folder / RELATIONS_FILE)
        out.edge_header = header
        for row in rows:
            if row.get("from") and row.get("rel") and row.get("to"):
                out.edges[(row["from"], row["rel"], row["to"])] = _split_old_quote(row)
        path = folder / SOURCES_FILE
        if path.is_file():
            data = yaml.safe_load(path.read_text(encoding="utf-8-sig")) or {}
            for node in data.get("nodes") or []:
                if isinstance(node, dict) and node.get("id"):
                    out.sources[str(node["id"])] = node
        return out


#: the place prefix earlier versions put into a quote: ``[Sheet1 第12行] `` or ``[第12行] ``
_OLD_PLACE_RE = re.compile(r"\[((?:[^\[\]]+ )?第\d+行)\] ")


def _split_old_quote(record: dict[str, str]) -> dict[str, str]:
    """Move the place out of a quote written before the ``locator`` column existed.

    >>> _split_old_quote({"source": "import-x", "quote": "[Sheet1 第2行] 企业名称: 丙"})
    {'source': 'import-x', 'quote': '企业名称: 丙', 'locator': 'Sheet1 第2行'}
    """
    quote = record.get("quote", "")
    match = _OLD_PLACE_RE.match(quote)
    if record.get("locator") or not match or not record.get("source", "").startswith("import-"):
        return record
    return {**record, "quote": quote[match.end() :], "locator": match.group(1)}


def _read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    if not path.is_file():
        return [], []
    reader = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline=""))
    rows = [{k: (v or "") for k, v in row.items() if k is not None} for row in reader]
    return list(reader.fieldnames or []), rows


# --- ids of imported sources ------------------------------------------------------------


def source_id_for(path: Path) -> str:
    """The id of the Source node of an imported file: ``import-`` + a slug of the file name.

    A name with characters other than ASCII letters and digits gets the first 8 hex digits of
    the SHA-1 of the file name appended, so two Chinese file names never share an id. Moving
    the file does not change the id; renaming it does.

    >>> source_id_for(Path("data/Firms 2024.xlsx"))
    'import-firms-2024'
    >>> source_id_for(Path("企业名单.xlsx"))
    'import-896dec15'
    """
    stem = unicodedata.normalize("NFKC", path.stem).casefold()
    slug = re.sub(r"[^a-z0-9]+", "-", stem).strip("-")[:60].strip("-")
    if re.fullmatch(r"[a-z0-9 _.\-]+", stem) and slug:
        return f"import-{slug}"
    digest = hashlib.sha1(path.name.encode("utf-8")).hexdigest()[:8]
    return f"import-{slug}-{digest}" if slug else f"import-{digest}"


# --- places, chains, segments -------------------------------------------------------------


def _key(text: str) -> str:
    """Letters and digits only, width and case folded: 新能源“万亩千亿” -> 新能源万亩千亿."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in folded if ch.isalnum())


def _node_names(attrs: dict[str, Any]) -> list[str]:
    names = [str(attrs.get("name") or ""), str(attrs.get("name_en") or "")]
    names.extend(str(a) for a in attrs.get("aliases") or ())
    return [n for n in names if n]


@dataclass
class _Lookup:
    """Places, chains and segments of the dataset, by key."""

    G: ChainGraph

    def __post_init__(self) -> None:
        G = self.G
        self.places: list[tuple[str, str, str]] = []  # (key, id, kind)
        self.chains: dict[str, set[str]] = {}
        self.segments: dict[str, set[str]] = {}
        self.segment_chain: dict[str, str] = {}
        self.segment_names: dict[str, list[str]] = {}
        self.zones: list[str] = []
        for node_id, attrs in G.nodes(data=True):
            kind = attrs.get("kind")
            names = _node_names(attrs)
            if kind in (Kind.ZONE, Kind.PARK, Kind.PLATFORM):
                self.places.extend((_key(n), node_id, str(kind)) for n in names if _key(n))
                if kind == Kind.ZONE:
                    self.zones.append(node_id)
            elif kind == Kind.CHAIN:
                for n in [node_id, *names]:
                    self.chains.setdefault(_key(n), set()).add(node_id)
            elif kind == Kind.SEGMENT:
                self.segment_names[node_id] = names
                for n in [node_id, *names]:
                    self.segments.setdefault(_key(n), set()).add(node_id)
                for u, _, k in G.in_edges(node_id, keys=True):
                    if k == Rel.HAS_SEGMENT:
                        self.segment_chain[node_id] = u

    def name(self, node_id: str) -> str:
        return str(self.G.nodes[node_id].get("name", node_id))

    def place(self, text: str) -> tuple[str | None, bool]:
        """(place node id or None, local?) for a park/region cell."""
        key = _key(text)
        if not key:
            return None, False
        exact = sorted({i for k, i, _ in self.places if k == key})
        if len(exact) == 1:
            return exact[0], True
        if not exact:
            # a place named inside the cell, else the cell inside a place's name; a park or
            # platform beats the zone, then the longest name wins; a tie decides nothing
            inside = [
                (k != Kind.ZONE, len(n), i) for n, i, k in self.places if len(n) >= 4 and n in key
            ]
            around = [
                (k != Kind.ZONE, len(n), i) for n, i, k in self.places if len(key) >= 4 and key in n
            ]
            for found in (inside, around):
                if found:
                    best = max(rank for *rank, _ in found)
                    ids = sorted({i for *rank, i in found if rank == best})
                    if len(ids) == 1:
                        return ids[0], True
                    break
        if exact or any(_key(m) in key for m in LOCAL_MARKERS):
            zone = self.zones[0] if len(self.zones) == 1 else None
            return zone, True
        return None, False

    def chain(self, text: str) -> tuple[str | None, list[str]]:
        """(chain id, []) or (None, closest chain names)."""
        ids = self.chains.get(_key(text)) or set()
        if len(ids) == 1:
            return next(iter(ids)), []
        names = {self.name(i) for v in self.chains.values() for i in v}
        return None, difflib.get_close_matches(text, sorted(names), 3, 0.3)

    def segment(self, text: str, chain: str | None) -> tuple[list[str], list[str]]:
        """(matching segment ids in scope, closest names if none)."""
        ids = sorted(
            i
            for i in self.segments.get(_key(text)) or ()
            if chain is None or self.segment_chain.get(i) == chain
        )
        if ids:
            return ids, []
        scope = [
            i for i in self.segment_names if chain is None or self.segment_chain.get(i) == chain
        ]
        names = sorted({n for i in scope for n in self.segment_names[i]})
        near = difflib.get_close_matches(text, names, 3, 0.3)
        if not near and chain is not None:  # nothing close: show what the chain has
            near = sorted(self.name(i) for i in scope)[:8]
        return [], near


# --- the planner --------------------------------------------------------------------------


@dataclass
class _Taken:
    """Ids in use: nodes of the graph and firms of the imported files."""

    G: ChainGraph
    firms: dict[str, dict[str, str]]

    def __contains__(self, node_id: object) -> bool:
        return node_id in self.G or node_id in self.firms


@dataclass
class _Row:
    number: int
    cells: dict[str, tuple[str, str]]  # field -> (header, value), first non-empty column
    cols: dict[str, int] = field(default_factory=dict)  # field -> column index of that value
    firm_id: str = ""
    bad: bool = False


class Planner:
    """Plans the import of one table into a dataset (see the module docstring)."""

    def __init__(
        self,
        G: ChainGraph,
        imported: Imported,
        table: Table,
        columns: Columns,
        mapping: Mapping,
        locations: dict[str, Location] | None = None,
    ) -> None:
        self.G = G
        self.imported = imported
        self.table = table
        self.columns = columns
        self.mapping = mapping
        self.locations = locations or {}
        self.lookup = _Lookup(G)
        self.index = FirmIndex.from_graph(G)
        self.source_id = source_id_for(table.file)
        self.result = ImportResult(
            file=table.file,
            sheet=table.sheet,
            source_id=self.source_id,
            encoding=table.encoding,
            header_row=columns.header_row,
            ignored_columns=list(columns.ignored),
        )
        self.firms: dict[str, dict[str, str]] = {k: dict(v) for k, v in imported.firms.items()}
        self.edges: dict[tuple[str, str, str], dict[str, str]] = {
            k: dict(v) for k, v in imported.edges.items()
        }
        self.produced: set[tuple[str, str, str]] = set()
        self._near: NearNames | None = None
        self.refused: dict[str, int] = {}  # normalised name of a refused row -> row number
        self.first_row: dict[str, int] = {}
        self.owners: dict[str, set[str]] = {}
        for node_id, attrs in G.nodes(data=True):
            for n in _node_names(attrs):
                self.owners.setdefault(normalize_text(n), set()).add(node_id)

    # -- helpers --

    def locator(self, row: int) -> str:
        """Where a row is, for a citation's ``locator``: ``Sheet1 第12行`` (``第12行`` for CSV)."""
        return f"{self.table.sheet} 第{row}行" if self.table.sheet else f"第{row}行"

    def quote(self, row: _Row, names: Iterable[str]) -> str:
        """The row's words for a citation: ``header: cell; ...`` of the fields given."""
        parts = []
        for name in names:
            if name in row.cells:
                header, value = row.cells[name]
                parts.append(f"{header}: {_one_line(value)}")
        return "; ".join(parts)

    def bad(
        self, row: _Row, column: str, value: str, reason: str, near: Iterable[str] = ()
    ) -> None:
        row.bad = True
        name = self.value(row, "name")
        if name:
            self.refused.setdefault(normalize_firm_name(name), row.number)
        self.result.issues.append(Issue(row.number, column, value, reason, "bad", list(near)))

    def header(self, name: str, fallback: str) -> str:
        cols = self.columns.fields.get(name)
        return self.columns.headers[cols[0]] if cols else fallback

    # -- main --

    def run(self) -> ImportResult:
        rows = self.read_rows()
        self.result.rows_read = len(rows)
        for row in rows:
            self.plan_firm(row)
        for row in rows:
            if not row.bad:
                self.plan_relations(row)
        self.plan_removals(rows)
        self.plan_source()
        return self.result

    def read_rows(self) -> list[_Row]:
        rows: list[_Row] = []
        for number, cells in self.table.rows:
            if number <= self.columns.header_row or not any(cells):
                continue
            values: dict[str, tuple[str, str]] = {}
            where: dict[str, int] = {}
            for name, cols in self.columns.fields.items():
                for col in cols:
                    value = cells[col] if col < len(cells) else ""
                    if value:
                        values[name] = (self.columns.headers[col], value)
                        where[name] = col
                        break
            if values:  # a row with only ignored columns (序号 ...) is no firm
                rows.append(_Row(number, values, where))
        return rows

    def value(self, row: _Row, name: str) -> str:
        return row.cells[name][1] if name in row.cells else ""

    def plan_firm(self, row: _Row) -> None:
        name = self.value(row, "name")
        if not name:
            self.bad(row, self.header("name", "企业名称"), "", "missing firm name")
            return
        if _key(name) in TOTAL_WORDS:
            row.bad = True  # not imported, but not an error either
            self.result.issues.append(
                Issue(row.number, self.header("name", "企业名称"), name, "a totals row", "skipped")
            )
            return
        sheet: dict[str, Any] = {}
        self.read_code(row, sheet)
        self.read_values(row, sheet)
        segments = self.read_segments(row)
        place = self.read_place(row, sheet)
        if row.bad:
            return
        firm_id, how = self.resolve(row, name, sheet.get("credit_code"))
        if row.bad or not firm_id:
            return
        if firm_id in self.first_row:
            reason = (
                f"duplicate credit code {sheet['credit_code']}"
                if how == "credit_code"
                else "duplicate firm"
            )
            self.bad(
                row,
                self.header("credit_code" if how == "credit_code" else "name", "企业名称"),
                sheet.get("credit_code") or name,
                f"{reason}: row {self.first_row[firm_id]} already gives this firm ({firm_id})",
            )
            return
        is_new = firm_id not in self.G and firm_id not in self.firms
        if is_new and "local" not in sheet:
            park, region = self.header("park", "所在园区"), self.header("region", "所在地区")
            self.bad(
                row,
                f"{park}/{region}",
                "",
                "no park or region: cannot tell a local firm from an external one",
            )
            return
        if is_new:
            clash = self.name_clash(name, firm_id)
            if clash:
                self.bad(row, self.header("name", "企业名称"), name, clash)
                return
        self.first_row[firm_id] = row.number
        row.firm_id = firm_id
        aliases = list(sheet.pop("aliases", []))
        if firm_id in self.G and firm_id not in self.firms:
            self.not_applied(row, firm_id, name, aliases, sheet)
        else:
            self.upsert_firm(row, firm_id, name, aliases, sheet, is_new)
        self.index.add(firm_id, [name, *aliases], sheet.get("credit_code"))
        for n in [name, *aliases]:
            self.owners.setdefault(normalize_text(n), set()).add(firm_id)
        for seg in segments:
            self.edge(row, firm_id, Rel.IN_SEGMENT, seg, self.quote(row, ("chain", "segment")))
        if place:
            self.edge(row, firm_id, Rel.LOCATED_IN, place, self.quote(row, ("park", "region")))

    def read_code(self, row: _Row, sheet: dict[str, Any]) -> None:
        if "credit_code" not in row.cells:
            return
        header, value = row.cells["credit_code"]
        if (row.number, row.cols["credit_code"]) in self.table.numeric:
            self.bad(
                row,
                header,
                value,
                "credit code stored as a number (digits may be lost): format the column as text",
            )
            return
        try:
            sheet["credit_code"] = parse_credit_code(value)
        except ValueError as exc:
            self.bad(row, header, value, str(exc))

    def read_values(self, row: _Row, sheet: dict[str, Any]) -> None:
        if "aliases" in row.cells:
            sheet["aliases"] = split_names(row.cells["aliases"][1])
        if "products" in row.cells:
            sheet["products"] = split_names(row.cells["products"][1])
        if "above_size" in row.cells:
            header, value = row.cells["above_size"]
            try:
                sheet["above_size"] = parse_bool(value)
            except ValueError as exc:
                self.bad(row, header, value, str(exc))
        if "employees" in row.cells:
            header, value = row.cells["employees"]
            try:
                sheet["employees"] = parse_count(value)
            except ValueError as exc:
                self.bad(row, header, value, str(exc))
        if "output" in row.cells:
            header, value = row.cells["output"]
            unit = self.columns.units.get(row.cols["output"]) or self.mapping.units.get("output")
            try:
                amount = parse_amount(value, unit)
            except ValueError as exc:
                self.bad(row, header, value, str(exc))
            else:
                sheet["output_cny"] = amount.yuan
                has_unit = re.search(r"[元万亿]", value)
                sheet["output_text"] = value if has_unit or not unit else f"{value}{unit}"

    def read_segments(self, row: _Row) -> list[str]:
        chain: str | None = None
        if "chain" in row.cells:
            header, value = row.cells["chain"]
            chain, near = self.lookup.chain(value)
            if chain is None:
                self.bad(row, header, value, f"unknown chain '{value}'", near)
                return []
        if "segment" not in row.cells:
            return []
        header, value = row.cells["segment"]
        found: list[str] = []
        for part in split_names(value):
            ids, near = self.lookup.segment(part, chain)
            if not ids:
                where = f" in chain '{self.lookup.name(chain)}'" if chain else ""
                self.bad(row, header, part, f"unknown segment '{part}'{where}", near)
            elif len(ids) > 1:
                chains = [
                    f"{i} ({self.lookup.name(self.lookup.segment_chain.get(i, i))})" for i in ids
                ]
                self.bad(
                    row,
                    header,
                    part,
                    f"segment '{part}' is in several chains: fill 所属产业链 to choose",
                    chains,
                )
            elif ids[0] not in found:
                found.append(ids[0])
        return found

    def read_place(self, row: _Row, sheet: dict[str, Any]) -> str | None:
        park, region = self.value(row, "park"), self.value(row, "region")
        if not park and not region:
            return None
        for text in (park, region):
            if not text:
                continue
            node, local = self.lookup.place(text)
            if local:
                sheet["local"] = True
                return node
        sheet["local"] = False
        sheet["region"] = region or park
        return None

    def resolve(self, row: _Row, name: str, code: str | None) -> tuple[str, str]:
        match: Match = self.index.match(name, code)
        header = self.header("name", "企业名称")
        ids = match.ids
        if code and match.how in ("exact", "normalized"):
            # a firm with another credit code is another legal entity, whatever its name
            others = [i for i in ids if self._code_differs(i, code)]
            ids = [i for i in ids if i not in others]
            if others and not ids and match.how == "exact":
                theirs = self.firm_attr(others[0], "credit_code")
                self.bad(
                    row,
                    self.header("credit_code", "统一社会信用代码"),
                    code,
                    f"name matches firm {others[0]} ({self.index.names.get(others[0], '')}) "
                    f"whose credit code is {theirs}: not merged",
                )
                return "", match.how
        if not ids:
            return new_firm_id(code, name, _Taken(self.G, self.firms)), "new"
        if len(ids) > 1:
            listing = [f"{i} ({self.index.names.get(i, '')})" for i in ids]
            how = match.how.replace("_", " ")
            self.bad(row, header, name, f"ambiguous: matches {len(ids)} firms by {how}", listing)
            return "", match.how
        return ids[0], match.how

    def _code_differs(self, firm_id: str, code: str) -> bool:
        theirs = self.firm_attr(firm_id, "credit_code")
        return bool(theirs) and str(theirs).upper() != code

    def firm_attr(self, firm_id: str, key: str) -> Any:
        if firm_id in self.firms:
            return self.firms[firm_id].get(key) or None
        return self.G.nodes[firm_id].get(key) if firm_id in self.G else None

    def name_clash(self, name: str, firm_id: str) -> str:
        others = sorted(self.owners.get(normalize_text(name), set()) - {firm_id})
        if not others:
            return ""
        what = ", ".join(
            f"{o} ({self.G.nodes[o].get('kind')})" if o in self.G else o for o in others
        )
        return f"name '{name}' is already used by {what}"

    def not_applied(
        self, row: _Row, firm_id: str, name: str, aliases: list[str], sheet: dict[str, Any]
    ) -> None:
        attrs = self.G.nodes[firm_id]
        where = self.locations.get(firm_id)
        place = f" in {where.file}" if where else ""
        for key, value in sheet.items():
            if key == "output_text":
                continue
            if attrs.get(key) != value:
                self.result.issues.append(
                    Issue(
                        row.number,
                        key,
                        _text(value),
                        f"{firm_id} is defined{place} (has {_text(attrs.get(key)) or 'none'}); "
                        "edit that file to take the sheet's value",
                        "not-applied",
                    )
                )
        known = {normalize_text(n) for n in _node_names(attrs)}
        for alias in [name, *aliases]:
            if normalize_text(alias) not in known:
                self.result.issues.append(
                    Issue(
                        row.number,
                        "aliases",
                        alias,
                        f"{firm_id} is defined{place} without this name; add it to its aliases",
                        "not-applied",
                    )
                )
        self.result.changes.append(
            Change(
                "unchanged",
                Kind.FIRM,
                firm_id,
                str(attrs.get("name", "")),
                row.number,
                "defined in the dataset's own files",
            )
        )

    def upsert_firm(
        self,
        row: _Row,
        firm_id: str,
        name: str,
        aliases: list[str],
        sheet: dict[str, Any],
        is_new: bool,
    ) -> None:
        columns = firm_columns()
        old = self.firms.get(firm_id)
        record: dict[str, str] = (
            dict(old) if old else {"id": firm_id, "kind": Kind.FIRM.value, "name": name}
        )
        names = [record["name"], *split_list(record.get("aliases", ""))]
        known = {normalize_text(n) for n in names}
        for alias in [name, *aliases]:
            key = normalize_text(alias)
            if key in known or (self.owners.get(key, set()) - {firm_id}):
                continue
            known.add(key)
            names.append(alias.strip())
        record["aliases"] = LIST_SEP.join(names[1:])
        if sheet.get("local") is True and "region" not in sheet:
            record.pop("region", None)  # an earlier import's outside region no longer holds
        for key, value in sheet.items():
            if key in columns:
                record[key] = _csv_value(value)
        before = {k: v for k, v in (old or {}).items() if k not in CITATION_COLUMNS}
        after = {k: v for k, v in record.items() if k not in CITATION_COLUMNS}
        display = record["name"]
        quote, locator = self.quote(row, _FIRM_QUOTE_FIELDS), self.locator(row.number)
        if old is not None and _same(before, after):
            moved = self.citation_moved(old, quote, locator)
            if moved:
                self.firms[firm_id] = {**record, "quote": quote, "locator": locator}
            action = "changed" if moved else "unchanged"
            self.result.changes.append(
                Change(action, Kind.FIRM, firm_id, display, row.number, moved)
            )
            return
        record["source"] = self.source_id
        record["quote"] = quote
        record["locator"] = locator
        self.firms[firm_id] = record
        if is_new or old is None:
            self.result.changes.append(Change("added", Kind.FIRM, firm_id, display, row.number))
        else:
            diff = [
                f"{k}: {before.get(k) or '—'} → {after.get(k) or '—'}"
                for k in columns
                if k not in CITATION_COLUMNS and (before.get(k) or "") != (after.get(k) or "")
            ]
            self.result.changes.append(
                Change("changed", Kind.FIRM, firm_id, display, row.number, "; ".join(diff))
            )

    def edge(self, row: _Row, u: str, rel: Rel, v: str, quote: str, product: str = "") -> None:
        key = (u, rel.value, v)
        label = f"{u} -{rel.value}-> {v}"
        name = self.lookup.name(v) if v in self.G else self.index.names.get(v, v)
        if key in self.produced:
            return
        self.produced.add(key)
        locator = self.locator(row.number)
        if key in self.edges:
            old = self.edges[key]
            moved = self.citation_moved(old, quote, locator)
            if moved:
                self.edges[key] = {**old, "quote": quote, "locator": locator}
            action = "changed" if moved else "unchanged"
            self.result.changes.append(Change(action, rel.value, label, name, row.number, moved))
            return
        if self.G.has_edge(u, v, key=rel.value):
            self.result.changes.append(
                Change("unchanged", rel.value, label, name, row.number, "already in the dataset")
            )
            return
        self.edges[key] = {
            "from": u,
            "rel": rel.value,
            "to": v,
            "product": product,
            "source": self.source_id,
            "quote": quote,
            "locator": locator,
        }
        self.result.changes.append(Change("added", rel.value, label, name, row.number))

    def citation_moved(self, old: dict[str, str], quote: str, locator: str) -> str:
        """What changed in the citation of a record this file wrote before ('' if nothing).

        A row that moved, or whose quoted cells changed, is cited afresh; a record another
        file wrote keeps its own citation.
        """
        if old.get("source") != self.source_id:
            return ""
        parts = []
        if old.get("locator", "") != locator:
            parts.append(f"locator: {old.get('locator') or '—'} → {locator}")
        if old.get("quote", "") != quote:
            parts.append("quote: the row's words changed")
        return "; ".join(parts)

    def near_names(self) -> NearNames:
        """The firm-name hint index, built on first use (after every row's firm is known)."""
        if self._near is None:
            self._near = NearNames(self.index.names.values())
        return self._near

    def plan_relations(self, row: _Row) -> None:
        for name, customer_side in (("customers", True), ("suppliers", False)):
            if name not in row.cells:
                continue
            header, value = row.cells[name]
            quote = self.quote(row, (name,))
            for part in split_names(value):
                match = self.index.match(part)
                if match.how == "none":
                    near = self.near_names().near(part)
                    reason = f"no firm named '{part}'"
                    refused = self.refused.get(normalize_firm_name(part))
                    if refused:
                        reason += f" (row {refused} names it but was refused)"
                    self.result.issues.append(
                        Issue(row.number, header, part, reason, "unresolved", near)
                    )
                    continue
                other = match.unique
                if other is None:
                    listing = [f"{i} ({self.index.names.get(i, '')})" for i in match.ids]
                    self.result.issues.append(
                        Issue(
                            row.number,
                            header,
                            part,
                            f"'{part}' matches {len(match.ids)} firms",
                            "ambiguous",
                            listing,
                        )
                    )
                    continue
                if other == row.firm_id:
                    self.result.issues.append(
                        Issue(row.number, header, part, "names the row's own firm", "unresolved")
                    )
                    continue
                u, v = (row.firm_id, other) if customer_side else (other, row.firm_id)
                self.edge(row, u, Rel.SUPPLIES, v, quote)

    def plan_removals(self, rows: list[_Row]) -> None:
        stated: dict[str, set[str]] = {}
        for row in rows:
            if row.bad or not row.firm_id:
                continue
            rels = stated.setdefault(row.firm_id, set())
            if "segment" in row.cells:
                rels.add(Rel.IN_SEGMENT.value)
            if "park" in row.cells or "region" in row.cells:
                rels.add(Rel.LOCATED_IN.value)
        for key, record in list(self.edges.items()):
            u, rel, v = key
            if (
                rel in stated.get(u, ())
                and record.get("source") == self.source_id
                and key not in self.produced
            ):
                del self.edges[key]
                self.result.changes.append(
                    Change(
                        "removed",
                        rel,
                        f"{u} -{rel}-> {v}",
                        self.lookup.name(v) if v in self.G else v,
                        self.first_row.get(u),
                        "no longer in the sheet",
                    )
                )

    def plan_source(self) -> None:
        cited = any(r.get("source") == self.source_id for r in self.firms.values()) or any(
            r.get("source") == self.source_id for r in self.edges.values()
        )
        old = self.imported.sources.get(self.source_id)
        if not cited and old is None:
            return
        sheets = _sheets_of(old) if old else []
        if self.table.sheet and self.table.sheet not in sheets:
            sheets.append(self.table.sheet)
        name = self.table.file.name
        node: dict[str, Any] = {
            "id": self.source_id,
            "kind": Kind.SOURCE.value,
            "name": name,
            "title": name,
            "description": "Firm list imported with chaingraph import"
            + (f"; sheets: {', '.join(sheets)}" if sheets else ""),
            "sources": [{"source": self.source_id, "quote": name}],
        }
        if old == node:
            self.result.changes.append(Change("unchanged", Kind.SOURCE, self.source_id, name))
        else:
            action = "added" if old is None else "changed"
            self.result.changes.append(Change(action, Kind.SOURCE, self.source_id, name))
        self.sources = dict(self.imported.sources)
        self.sources[self.source_id] = node

    # -- files --

    def render_files(self) -> dict[str, str]:
        """The new text of each imported file (all three; unchanged ones included)."""
        sources = getattr(self, "sources", self.imported.sources)
        columns = list(firm_columns())
        extra = [c for c in self.imported.firm_header if c not in columns]
        firm_text = _csv_text([*columns, *extra], self.firms.values()) if self.firms else ""
        edge_cols = list(EDGE_COLUMNS) + [
            c for c in self.imported.edge_header if c not in EDGE_COLUMNS
        ]
        edge_text = _csv_text(edge_cols, self.edges.values()) if self.edges else ""
        source_text = _sources_text(list(sources.values())) if sources else ""
        return {FIRMS_FILE: firm_text, RELATIONS_FILE: edge_text, SOURCES_FILE: source_text}


def split_list(text: str) -> list[str]:
    """Items of a ``|``-separated CSV cell."""
    return [s.strip() for s in text.split(LIST_SEP) if s.strip()]


def _same(a: dict[str, str], b: dict[str, str]) -> bool:
    keys = set(a) | set(b)
    return all((a.get(k) or "") == (b.get(k) or "") for k in keys)


def _one_line(text: str) -> str:
    return re.sub(r"\s*\n\s*", " ", text).strip()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _csv_value(value: Any) -> str:
    if isinstance(value, list):
        return LIST_SEP.join(str(v).replace(LIST_SEP, "/") for v in value)
    return _text(value)


def _csv_text(columns: list[str], rows: Iterable[dict[str, str]]) -> str:
    buf = io.StringIO(newline="")
    writer = csv.DictWriter(buf, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: row.get(c, "") for c in columns})
    return buf.getvalue()


_SHEETS_RE = re.compile(r"sheets: (.*)$")


def _sheets_of(node: dict[str, Any]) -> list[str]:
    match = _SHEETS_RE.search(str(node.get("description", "")))
    return [s.strip() for s in match.group(1).split(",")] if match else []


_SOURCES_HEADER = (
    "# Sources of the rows that `chaingraph import` brought in: one node per imported file.\n"
    "# Written by the importer; each imported row cites its file's Source with the row's words\n"
    "# (quote: 'header: cell; ...') and where they are (locator: 'Sheet1 第12行').\n"
)


def _sources_text(nodes: list[dict[str, Any]]) -> str:
    body = yaml.safe_dump(
        {"nodes": nodes}, allow_unicode=True, sort_keys=False, width=100, indent=2
    )
    return _SOURCES_HEADER + body
