"""The planner's fast path: rows that add a plain new firm, planned column by column.

A firm list repeats its segments, places, units and products on every row, and most rows of
a big list name a firm the dataset does not have yet. :func:`plan_firms` reads each distinct
value of such a column once (segments and chain, park and region, output with its unit,
yes/no, counts, products), then plans each row that it can prove simple straight from those
answers: a row whose cells are all read without a problem, whose name is not a totals word,
and whose name matches no firm, clashes with no node's name and gets a fresh id. Every other
row — a credit code, aliases, a bad cell, a name that matches or clashes, a duplicate — goes
to :meth:`Planner.plan_firm <chaingraph.ingest.plan.Planner.plan_firm>` at its place in the
sheet, so every message, issue, change and written row is the one the row planner gives
(``tests/test_ingest_fast.py`` plans hostile lists both ways and requires the same result).
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from ..model import MAX_NUMBER, Kind, Rel, normalize_texts
from .names import NameKey, firm_name_keys, new_firm_id
from .plan_render import blank_firm, csv_value, firm_column_set
from .plan_resolve import _NOT_ALNUM_RE, Taken
from .plan_result import FIRM_QUOTE_FIELDS, Change, SheetRow, one_line
from .values import (
    TOTAL_WORDS,
    UNIT_YUAN,
    has_unit,
    parse_amount,
    parse_bool,
    parse_count,
    split_names,
)

#: the fields a row may fill and still be planned here (others: the row planner)
FAST_FIELDS = frozenset(
    {
        "name",
        "chain",
        "segment",
        "park",
        "region",
        "above_size",
        "employees",
        "output",
        "products",
        "customers",
        "suppliers",
        "source",
    }
)

if TYPE_CHECKING:
    from .plan import Planner

_FIRM = Kind.FIRM.value
_IN_SEGMENT, _LOCATED_IN = Rel.IN_SEGMENT.value, Rel.LOCATED_IN.value
_NO = object()  # a cell the row planner must read (it refuses it, with its reason)


class FastRows:
    """What the distinct values of a sheet's columns resolve to, and the plan of a simple row."""

    def __init__(self, planner: Planner) -> None:
        self.p = planner
        self.known = firm_column_set()
        self.blank = blank_firm()
        self.segments: dict[tuple[str, str], Any] = {}
        self.values: dict[tuple[str, str, int], Any] = {}
        self.index = planner.resolver.index
        self.owners = planner.resolver.owners
        self.taken = Taken(planner.G, planner.firms)  # (firms grows: it sees the new ones)
        self.firms = planner.firms
        self.first_row = planner.first_row
        self.changes = planner.result.changes
        relations = planner.relations
        self.edges = relations.edges
        self.produced = relations.produced
        self.name_of = planner.lookup.name
        #: the ends of the edges the imported files hold (a new firm's id names none)
        self.edge_ends = {end for u, _, v in relations.edges for end in (u, v)}
        self.words: dict[tuple[str, str], str] = {}
        #: the fields a row fills (in its order) -> those of FIRM_QUOTE_FIELDS, in theirs
        self.orders: dict[tuple[str, ...], list[str]] = {}
        #: (cell, cell) -> their quote (see pair_quote)
        self.pairs: dict[tuple[tuple[str, str] | None, tuple[str, str] | None], str] = {}
        self.places: dict[tuple[str, str], tuple[str | None, list[tuple[str, str]]]] = {}
        self.source_id = planner.source_id
        self.sheet = planner.table.sheet

    def plan_all(self, rows: list[SheetRow]) -> None:
        """Plan each row's firm in sheet order: here when simple, else by the row planner.

        What a row's name gives whatever came before it — its matching key, the digest its
        new id starts from, its folded form — is made for every row at once first."""
        plan_firm = self.p.plan_firm
        fields = FAST_FIELDS
        names = [
            row.cells["name"][1] if "name" in row.cells and row.cells.keys() <= fields else ""
            for row in rows
        ]
        keys = firm_name_keys(names)
        folded = normalize_texts(names)
        sha1 = hashlib.sha1
        digests = [sha1(key.core.encode("utf-8")).hexdigest() for key in keys]
        # a totals row (合计 …) goes to the row planner: name_key of a name is its folded form
        # without what is not a letter or digit (the spaces folded are none either)
        totals = [_NOT_ALNUM_RE.sub("", fold) in TOTAL_WORDS for fold in folded]
        plan = self.plan
        for row, name, key, fold, digest, total in zip(
            rows, names, keys, folded, digests, totals, strict=True
        ):
            if not (name and not total and plan(row, name, key, fold, digest)):
                plan_firm(row)

    # -- the distinct values of a column --

    def segment_ids(self, row: SheetRow) -> Any:
        """The segment ids a row's chain and segment cells name ([] for none), or _NO."""
        cells = row.cells
        chain_text = cells["chain"][1] if "chain" in cells else ""
        seg_text = cells["segment"][1] if "segment" in cells else ""
        key = (chain_text, seg_text)
        found = self.segments.get(key)
        if found is None:
            found = self.segments[key] = self._segment_ids(chain_text, seg_text)
        return found

    def _segment_ids(self, chain_text: str, seg_text: str) -> Any:
        lookup = self.p.lookup
        chain: str | None = None
        if chain_text:
            chain, _ = lookup.chain(chain_text)
            if chain is None:
                return _NO
        ids: list[str] = []
        for part in split_names(seg_text) if seg_text else ():
            found, _ = lookup.segment(part, chain)
            if len(found) != 1:
                return _NO
            if found[0] not in ids:
                ids.append(found[0])
        return ids

    def _value(self, field: str, text: str, col: int) -> Any:
        """The record cells (column, text) a cell of ``field`` in column ``col`` gives, or
        _NO (each distinct cell read once: see :meth:`read`)."""
        sheet: dict[str, Any] = {}
        try:
            if field == "products":
                sheet["products"] = split_names(text)
            elif field == "above_size":
                sheet["above_size"] = parse_bool(text)
            elif field == "employees":
                sheet["employees"] = parse_count(text)
            elif field == "output":
                p = self.p
                unit = p.columns.units.get(col) or p.mapping.units.get("output")
                if unit and text.isascii() and text.isdigit():  # most cells: parse_amount's
                    yuan = int(text) * UNIT_YUAN[unit]  # answer without its steps
                    if yuan > MAX_NUMBER:
                        return _NO
                    return [
                        (k, v)
                        for k, v in (("output_cny", str(yuan)), ("output_text", text + unit))
                        if k in self.known
                    ]
                amount = parse_amount(text, unit)
                sheet["output_cny"] = amount.yuan
                written = has_unit(text) or not unit
                sheet["output_text"] = text if written else f"{text}{unit}"
        except ValueError:
            return _NO
        return [(k, csv_value(v)) for k, v in sheet.items() if k in self.known]

    # -- one row --

    def quote(self, cells: dict[str, tuple[str, str]], fields: tuple[str, ...]) -> str:
        """The row's words for a citation, ``header: cell; ...`` of the fields given (as
        :meth:`Planner.quote <chaingraph.ingest.plan.Planner.quote>`; each distinct cell
        worded once)."""
        words = self.words
        said = []
        for name in fields:
            cell = cells.get(name)
            if cell is not None:
                word = words.get(cell)
                if word is None:
                    word = words[cell] = f"{cell[0]}: {one_line(cell[1])}"
                said.append(word)
        return "; ".join(said)

    def firm_quote(self, cells: dict[str, tuple[str, str]]) -> str:
        """:meth:`quote` of FIRM_QUOTE_FIELDS: which of them a row fills, in quote order, is
        known once per set of filled fields (a list's rows fill the same few)."""
        order = self.orders.get(tuple(cells))
        if order is None:
            order = self.orders[tuple(cells)] = [f for f in FIRM_QUOTE_FIELDS if f in cells]
        words = self.words
        said = []
        for name in order:
            cell = cells[name]
            word = words.get(cell)
            if word is None:
                word = f"{cell[0]}: {one_line(cell[1])}"
                if name != "name":  # (a name is quoted once)
                    words[cell] = word
            said.append(word)
        return "; ".join(said)

    def pair_quote(self, cells: dict[str, tuple[str, str]], first: str, second: str) -> str:
        """:meth:`quote` of two fields (chain and segment, park and region), made once per
        distinct pair of cells."""
        pair = (cells.get(first), cells.get(second))
        found = self.pairs.get(pair)
        if found is None:
            found = self.pairs[pair] = self.quote(cells, (first, second))
        return found

    def place(self, park: str, region: str) -> tuple[str | None, list[tuple[str, str]]]:
        """(the place node, the record cells) of a row's park and region cells."""
        found = self.places.get((park, region))
        if found is None:
            p = self.p
            if (park, region) not in p.places:
                p.places[park, region] = p.find_place(park, region)
            node, values = p.places[park, region]
            cells = [(k, csv_value(v)) for k, v in values.items() if k in self.known]
            found = self.places[park, region] = (node, cells)
        return found

    def plan(self, row: SheetRow, name: str, key: NameKey, folded: str, digest: str) -> bool:
        """Plan a row that adds a plain new firm (its cells only of FAST_FIELDS, its name
        ``name``, no totals word, with its :func:`firm_name_key`, :func:`normalize_text` and
        the SHA-1 hex digest of its key's core); False (nothing done) for any other row."""
        exact = name.strip()
        if exact in self.index.by_exact:
            return False  # (a firm known by this name: a re-import's rows, mostly)
        read = self.read(row)
        if read is None:
            return False
        new = self.new_firm(name, exact, key, folded, digest)
        if new is None:
            return False
        self.add_firm(row, name, new, *read)
        return True

    def read(self, row: SheetRow) -> tuple[list[tuple[str, str]], list[str], str | None] | None:
        """(the record cells, segment ids, place node) a row's cells give; None when a cell
        is one the row planner refuses (or a new firm has no place)."""
        cells = row.cells
        record_cells: list[tuple[str, str]] = []
        values = self.values
        for field in ("products", "above_size", "employees", "output"):
            cell = cells.get(field)
            if cell is not None:
                key = (field, cell[1], row.cols[field])
                found = values.get(key)
                if found is None:
                    found = values[key] = self._value(*key)
                if found is _NO:
                    return None
                record_cells.extend(found)
        segments = self.segment_ids(row)
        if segments is _NO:
            return None
        park = cells["park"][1] if "park" in cells else ""
        region = cells["region"][1] if "region" in cells else ""
        if not park and not region:
            return None  # a new firm needs one: the row planner refuses the row
        place, place_cells = self.place(park, region)
        record_cells.extend(place_cells)
        return record_cells, segments, place

    def new_firm(
        self, name: str, exact: str, key: NameKey, folded: str, digest: str
    ) -> tuple[str, str, NameKey, str] | None:
        """(the firm id, exact key, name key, folded name) of a name that matches no firm
        (as FirmResolver.resolve), gets an id that no edge of the imported files names, and
        clashes with no node's name (as FirmResolver.name_clash); else None. ``digest``:
        the SHA-1 of the key's core, the id's digits (as :func:`new_firm_id`)."""
        if key.core and key.core in self.index.by_norm:
            return None
        firm_id = "firm-" + digest[:8]
        if firm_id in self.taken:  # more digits: as new_firm_id
            firm_id = new_firm_id(None, name, self.taken)
        if firm_id in self.first_row or firm_id in self.firms or firm_id in self.edge_ends:
            return None
        if folded in self.owners:
            return None
        return firm_id, exact, key, folded

    def add_firm(
        self,
        row: SheetRow,
        name: str,
        new: tuple[str, str, NameKey, str],
        record_cells: list[tuple[str, str]],
        segments: list[str],
        place: str | None,
    ) -> None:
        """Add the new firm of a row, with its IN_SEGMENT and LOCATED_IN edges (as
        Planner.plan_firm and upsert_firm do for a new firm)."""
        firm_id, exact, key, folded = new
        cells, number = row.cells, row.number
        self.first_row[firm_id] = number
        row.firm_id = firm_id
        record = self.blank | {"id": firm_id, "kind": _FIRM, "name": name}
        record.update(record_cells)
        locator = f"{self.sheet} 第{number}行" if self.sheet else f"第{number}行"
        record["source"] = self.source_id
        record["quote"] = self.firm_quote(cells)
        record["locator"] = locator
        self.firms[firm_id] = record
        self.changes.append(Change("added", Kind.FIRM, firm_id, name, number))
        # known to the rows after it (as FirmResolver.add)
        index = self.index
        index.firm_places[firm_id] = set()
        index.names[firm_id] = name
        index.keys[name] = key
        index.by_exact[exact] = {firm_id}
        if key.core:
            index.by_norm[key.core] = {firm_id: set(key.places)}
        self.owners[folded] = {firm_id}
        if segments:
            quote = self.pair_quote(cells, "chain", "segment")
            for seg in segments:
                self.new_edge(number, locator, firm_id, _IN_SEGMENT, seg, quote)
        if place:
            quote = self.pair_quote(cells, "park", "region")
            self.new_edge(number, locator, firm_id, _LOCATED_IN, place, quote)

    def new_edge(self, number: int, locator: str, u: str, rel: str, v: str, quote: str) -> None:
        """An edge from a new firm (as RelationPlan.edge: no such edge can exist yet)."""
        key = (u, rel, v)
        self.produced.add(key)
        self.edges[key] = {
            "from": u,
            "rel": rel,
            "to": v,
            "product": "",
            "source": self.source_id,
            "quote": quote,
            "locator": locator,
        }
        self.changes.append(Change("added", rel, f"{u} -{rel}-> {v}", self.name_of(v), number))


__all__ = ["FAST_FIELDS", "FastRows"]
