"""Turn the rows of a firm list into changes to a dataset's imported files.

The planner never touches the disk: it takes the dataset's graph, what earlier imports wrote
(:class:`Imported`) and the sheet (:class:`~chaingraph.ingest.sheets.Table`), and returns an
:class:`ImportResult` listing what would be added, changed or removed, every bad row with its
reason, and the new content of the imported files. :mod:`chaingraph.ingest.files` writes it.

:class:`Planner` reads the firm of each row; it leans on :mod:`.plan_resolve` (who a row
names: firms, places, chains, segments), :mod:`.plan_relations` (the edges: IN_SEGMENT,
LOCATED_IN, SUPPLIES, removals), :mod:`.plan_render` (the imported files: columns, reading,
new text) and :mod:`.plan_result` (what it returns).

Rules (each one is tested):

- **Firms** resolve by credit code, then exact name/alias, then normalised name/alias
  (:mod:`chaingraph.ingest.names`). Several candidates at the deciding step: the row is bad
  and the candidates are listed. A name match whose firm has a *different* credit code is
  refused, not merged. A new firm gets :func:`~chaingraph.ingest.names.new_firm_id`.
- A firm matched to a node of the dataset's own (hand-edited) files is never rewritten: the
  sheet's differing values are reported as ``not-applied``; only new edges are added.
- **Segments**: each name in 所属环节 must be a segment id, name or alias (inside the chain
  of 所属产业链 when given); else the row is bad, with the closest segment names.
- **Local vs external** is decided by the dataset's own Zone, Park and Platform nodes, never
  by words in the code: a park/region cell naming one of them (by name, alias or the part of
  a name in brackets, punctuation ignored; or containing one, or contained in one) makes the
  firm local and adds ``LOCATED_IN`` — unless the cell names an administrative division
  (:func:`chaingraph.places.parse_place`) outside the divisions of those places
  (:func:`chaingraph.places.zone_divisions`): ``杭州高新园区`` is not the zone's ``高新园区``.
  Any other text makes the firm external with that text as ``region``, and with the
  ``division_code`` the region names when it names one unambiguously. A new firm with
  neither cell is a bad row.
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

import hashlib
import re
import unicodedata
from collections.abc import Iterable, MutableMapping
from functools import partial
from pathlib import Path
from typing import Any

from ..model import ChainGraph, Kind, Location, Rel, normalize_text
from ..places import parse_place
from .mapping import Columns, Mapping
from .names import normalize_firm_name
from .plan_fast import FastRows
from .plan_relations import RelationPlan, citation_moved
from .plan_render import (
    CITATION_COLUMNS,
    LIST_SEP,
    Imported,
    blank_firm,
    csv_value,
    firm_column_set,
    firm_columns,
    render,
    sheets_of,
    split_list,
    text_of,
)
from .plan_resolve import FirmResolver, Lookup, name_key, node_names
from .plan_result import FIRM_QUOTE_FIELDS, Change, ImportResult, Issue, SheetRow, one_line
from .sheets import Table
from .values import (
    TOTAL_WORDS,
    has_unit,
    parse_amount,
    parse_bool,
    parse_count,
    parse_credit_code,
    split_names,
)

__all__ = ["ImportResult", "Planner", "source_id_for"]

_FIRM, _IN_SEGMENT, _LOCATED_IN = Kind.FIRM.value, Rel.IN_SEGMENT.value, Rel.LOCATED_IN.value


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


# --- the planner --------------------------------------------------------------------------


class Planner:
    """Plans the import of one table into a dataset (see the module docstring)."""

    def __init__(
        self,
        G: ChainGraph,
        imported: Imported,
        table: Table,
        columns: Columns,
        mapping: Mapping,
        locations: MutableMapping[str, Location] | None = None,
        *,
        fast: bool = True,
        memo: dict[str, Any] | None = None,
    ) -> None:
        """``memo``: what :func:`~chaingraph.ingest.plan_resolve.index_memo` kept of G
        (its firm index, names, places, chains and segments), instead of reading G for
        them again; of the layout :func:`~chaingraph.ingest.plan_resolve.usable_memo`
        checks (the caller checks it)."""
        self.G = G
        self.imported = imported
        self.table = table
        self.columns = columns
        self.mapping = mapping
        self.locations = locations or {}
        self.lookup = Lookup(G, memo["lookup"] if memo is not None else None)
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
        self.resolver = FirmResolver(G, self.firms, memo)
        self.relations = RelationPlan(
            G, imported.edges, self.source_id, self.result, self.lookup, self.resolver
        )
        self.sources = imported.sources
        self.refused: dict[str, int] = {}  # normalised name of a refused row -> row number
        self.places: dict[tuple[str, str], tuple[str | None, dict[str, Any]]] = {}
        self.first_row: dict[str, int] = {}
        #: plan the rows that add a plain new firm column by column (:mod:`.plan_fast`)
        self.fast = fast

    # -- helpers --

    def locator(self, row: int) -> str:
        """Where a row is, for a citation's ``locator``: ``Sheet1 第12行`` (``第12行`` for CSV)."""
        return f"{self.table.sheet} 第{row}行" if self.table.sheet else f"第{row}行"

    def quote(self, row: SheetRow, names: Iterable[str]) -> str:
        """The row's words for a citation: ``header: cell; ...`` of the fields given."""
        said = row.said
        if said is None:  # a row is quoted for its firm and each of its edges: word it once
            said = row.said = {k: f"{h}: {one_line(v)}" for k, (h, v) in row.cells.items()}
        return "; ".join([said[name] for name in names if name in said])

    def bad(
        self, row: SheetRow, column: str, value: str, reason: str, near: Iterable[str] = ()
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
        if self.fast:
            FastRows(self).plan_all(rows)
        else:
            for row in rows:
                self.plan_firm(row)
        for row in rows:
            if not row.bad and ("customers" in row.cells or "suppliers" in row.cells):
                self.relations.supplies(
                    row, self.locator(row.number), partial(self.quote, row), self.refused
                )
        self.relations.hint_unresolved()
        self.plan_removals(rows)
        self.plan_source()
        return self.result

    def read_rows(self) -> list[SheetRow]:
        rows: list[SheetRow] = []
        headers = self.columns.headers
        fields = [
            (name, [(col, headers[col]) for col in cols])
            for name, cols in self.columns.fields.items()
        ]
        for number, cells in self.table.rows:
            if number <= self.columns.header_row or not any(cells):
                continue
            values: dict[str, tuple[str, str]] = {}
            where: dict[str, int] = {}
            width = len(cells)
            for name, cols in fields:
                for col, header in cols:
                    value = cells[col] if col < width else ""
                    if value:
                        values[name] = (header, value)
                        where[name] = col
                        break
            if values:  # a row with only ignored columns (序号 ...) is no firm
                rows.append(SheetRow(number, values, where))
        return rows

    def value(self, row: SheetRow, name: str) -> str:
        return row.cells[name][1] if name in row.cells else ""

    def plan_firm(self, row: SheetRow) -> None:
        name = self.value(row, "name")
        if not name:
            self.bad(row, self.header("name", "企业名称"), "", "missing firm name")
            return
        if name_key(name) in TOTAL_WORDS:
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
            clash = self.resolver.name_clash(name, firm_id)
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
        self.resolver.add(firm_id, [name, *aliases], sheet.get("credit_code"))
        locator = self.locator(row.number)
        quote = self.quote(row, ("chain", "segment")) if segments else ""
        for seg in segments:
            self.relations.edge(row.number, locator, firm_id, Rel.IN_SEGMENT, seg, quote)
        if place:
            quote = self.quote(row, ("park", "region"))
            self.relations.edge(row.number, locator, firm_id, Rel.LOCATED_IN, place, quote)

    def read_code(self, row: SheetRow, sheet: dict[str, Any]) -> None:
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

    def read_values(self, row: SheetRow, sheet: dict[str, Any]) -> None:
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
                written = has_unit(value) or not unit
                sheet["output_text"] = value if written else f"{value}{unit}"

    def read_segments(self, row: SheetRow) -> list[str]:
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

    def read_place(self, row: SheetRow, sheet: dict[str, Any]) -> str | None:
        park, region = self.value(row, "park"), self.value(row, "region")
        if not park and not region:
            return None
        if (park, region) not in self.places:  # a list repeats its places: read each once
            self.places[park, region] = self.find_place(park, region)
        node, values = self.places[park, region]
        sheet.update(values)
        return node

    def find_place(self, park: str, region: str) -> tuple[str | None, dict[str, Any]]:
        """(the place node a local firm is in, the firm's fields) for a row's park and region."""
        for text in (park, region):
            if not text:
                continue
            node, local = self.lookup.place(text)
            if local:
                return node, {"local": True}
        values: dict[str, Any] = {"local": False, "region": region or park}
        place = parse_place(values["region"])
        if place.division is not None and not place.ambiguous:
            values["division_code"] = place.code  # the region's division, when unambiguous
        return None, values

    def resolve(self, row: SheetRow, name: str, code: str | None) -> tuple[str, str]:
        """(firm id, how it matched) of a row; ('', how) after marking a refused row bad."""
        found = self.resolver.resolve(name, code)
        if found.problem:
            if found.column == "credit_code":
                header, value = self.header("credit_code", "统一社会信用代码"), code or ""
            else:
                header, value = self.header("name", "企业名称"), name
            self.bad(row, header, value, found.problem, found.candidates)
        return found.firm_id, found.how

    def not_applied(
        self, row: SheetRow, firm_id: str, name: str, aliases: list[str], sheet: dict[str, Any]
    ) -> None:
        attrs = self.G.nodes[firm_id]
        where = self.locations.get(firm_id)  # its own files' or an included layer's
        defined = f"defined in {where.file}" if where else "defined outside the imported files"
        for key, value in sheet.items():
            if key == "output_text":
                continue
            if attrs.get(key) != value:
                self.result.issues.append(
                    Issue(
                        row.number,
                        key,
                        text_of(value),
                        f"{firm_id} is {defined} (has {text_of(attrs.get(key)) or 'none'}); "
                        "edit that file to take the sheet's value",
                        "not-applied",
                    )
                )
        known = {normalize_text(n) for n in [*node_names(attrs), attrs.get("full_name") or ""]}
        for alias in [name, *aliases]:
            if normalize_text(alias) not in known:
                self.result.issues.append(
                    Issue(
                        row.number,
                        "aliases",
                        alias,
                        f"{firm_id} is {defined} without this name; add it to its aliases",
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
                defined,
            )
        )

    def upsert_firm(
        self,
        row: SheetRow,
        firm_id: str,
        name: str,
        aliases: list[str],
        sheet: dict[str, Any],
        is_new: bool,
    ) -> None:
        columns = firm_columns()
        old = self.firms.get(firm_id)
        # a new record holds every column (empty), as one read from the file does
        record = dict(old) if old else blank_firm() | {"id": firm_id, "kind": _FIRM, "name": name}
        names = [record["name"], *split_list(record.get("aliases", ""))] if old else [name]
        known = {normalize_text(n) for n in names}
        for alias in aliases if old is None else [name, *aliases]:  # a new firm: name known
            key = normalize_text(alias)
            if key in known or self.resolver.owned_by_other(alias, firm_id, key):
                continue
            known.add(key)
            names.append(alias.strip())
        record["aliases"] = LIST_SEP.join(names[1:])
        if sheet.get("local") is True and "region" not in sheet:
            record.pop("region", None)  # an earlier import's outside region no longer holds
            record.pop("division_code", None)
        known_columns = firm_column_set()
        for key, value in sheet.items():
            if key in known_columns:
                record[key] = csv_value(value)
        display = record["name"]
        quote, locator = self.quote(row, FIRM_QUOTE_FIELDS), self.locator(row.number)
        if old is None:  # a new firm
            self.firms[firm_id] = record | {
                "source": self.source_id,
                "quote": quote,
                "locator": locator,
            }
            self.result.changes.append(Change("added", Kind.FIRM, firm_id, display, row.number))
            return
        before = {k: v for k, v in old.items() if k not in CITATION_COLUMNS}
        after = {k: v for k, v in record.items() if k not in CITATION_COLUMNS}
        if _same(before, after):
            moved = citation_moved(old, self.source_id, quote, locator)
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
        if is_new:
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

    def plan_removals(self, rows: list[SheetRow]) -> None:
        if not self.relations.removable():
            return  # (a first import of the file: none of its edges can leave)
        stated: dict[str, set[str]] = {}
        for row in rows:
            if row.bad or not row.firm_id:
                continue
            rels = stated.setdefault(row.firm_id, set())
            if "segment" in row.cells:
                rels.add(_IN_SEGMENT)
            if "park" in row.cells or "region" in row.cells:
                rels.add(_LOCATED_IN)
        self.relations.removals(stated, self.first_row)

    def plan_source(self) -> None:
        cited = (
            any(r.get("source") == self.source_id for r in self.firms.values())
            or self.relations.cites_source()
        )
        old = self.imported.sources.get(self.source_id)
        if not cited and old is None:
            return
        sheets = sheets_of(old) if old else []
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
        return self.render()[0]

    def render(self) -> tuple[dict[str, str], dict[str, list[list[str]]]]:
        """(the new text of each imported file, the rows of its CSV files): see
        :func:`~chaingraph.ingest.plan_render.render`."""
        return render(self.firms, self.relations.edges, self.sources, self.imported)


def _same(a: dict[str, str], b: dict[str, str]) -> bool:
    keys = set(a) | set(b)
    return all((a.get(k) or "") == (b.get(k) or "") for k in keys)
