"""The fast path of a load: the rows of a CSV file proved fine in bulk and added at once.

A dataset's long lists are CSV files (a county's firms, their supply links). Checking each row
as an item (:meth:`~chaingraph.dataset_check.Checker.add_node` / ``add_edge``: a dict and a
location per row, a generic coercion per cell, networkx's ``add_edge``) cost 7-8× the csv
module's read of the same files. A :class:`CsvTable` proves its rows fine column by column
instead: each distinct value of a column (a kind, a relation, a grade, a true/false word, a
number) is checked and converted once and shared by every row that holds it; a row's id, ends
and duplicate are one dict look-up each; and the rows go straight into the graph's adjacency
dicts (networkx's documented ``_node`` / ``_succ`` / ``_pred`` data structure), each node and
edge with attribute dicts of its own.

It never reports a problem itself. A row it cannot prove fine — any value it does not know to
be good, a duplicate id or edge, an unknown end, a citation missing its source or quote, a
segment (whose shorthands add edges), a file with a ``sources`` or ``figures`` column or a
column named twice — is handed, at its place in the file, to the checker's own ``add_node`` /
``add_edge`` as the item the reader makes of it. So the graph (nodes, edges, keys, attribute
dicts and their order), the problems and their messages (file:line) are exactly those of
checking every row as an item; ``tests/test_dataset_fast.py`` compares both on many broken
files.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import compress, islice, repeat
from typing import Any, Protocol, overload

from .cells import restore
from .dataset_check import (
    _EDGE_SPECS,
    _KINDS,
    _NODE_SPECS,
    _RELS,
    LIST_SEP,
    Checker,
    Item,
    _coerce,
)
from .edge_places import Positions
from .model import REL_SPECS, STR, STRLIST, Field, Grade, Kind, Location, is_valid_id
from .node_places import NodePlaces, put

#: the columns a row's citation is read from (see :func:`row_item`)
CITATION_COLUMNS = ("source", "quote", "locator")
#: a file with one of these columns is checked row by row (their cells are never valid data)
_ROW_BY_ROW_COLUMNS = frozenset(("sources", "figures"))
#: stands for a cell value no row may hold: the row goes to the checker
_BAD: Any = object()
_SOURCED = str(Grade.SOURCED)
_INFERRED = str(Grade.INFERRED)


def row_item(
    header: Sequence[str], row: Sequence[str], where: Location, is_edge: bool
) -> Item | None:
    """The item one CSV row reads as (None for a blank row): cells trimmed, a spreadsheet-safe
    apostrophe taken off (:func:`~chaingraph.cells.restore`), empty cells left out, and the
    ``source`` / ``quote`` / ``locator`` cells made into the item's one citation."""
    data: dict[str, Any] = {
        col: cell if cell[:1] != "'" else restore(cell)
        for col, cell in zip(header, map(str.strip, row), strict=False)
        if cell
    }
    if not data:
        return None
    source, quote = data.pop("source", None), data.pop("quote", None)
    locator = data.pop("locator", None)
    if source or quote:
        citation = {"source": source or "", "quote": quote or ""}
        if locator:
            citation["locator"] = locator
        data["sources"] = [citation]
    return Item(data, where, is_edge)


_LINE_BREAK = re.compile("\r\n|\r|\n")


def _breaks(row: Sequence[str]) -> int:
    """The line breaks inside a row's cells (a quoted cell may span lines)."""
    return sum(len(_LINE_BREAK.findall(c)) for c in row if "\n" in c or "\r" in c)


def first_lines(rows: Sequence[Sequence[str]]) -> list[int] | None:
    """The line of the file each row starts on, counting the line breaks inside its (quoted)
    cells as the csv module counts lines; None when no cell holds one (row ``i`` is then on
    line ``i + 1``)."""
    for start in range(0, len(rows), 4096):  # most tables have none: seen a block at a time
        block = "\0".join(map("\0".join, rows[start : start + 4096]))
        if "\n" in block or "\r" in block:
            break
    else:
        return None
    breaks = list(map(_breaks, rows))
    if not any(breaks):
        return None
    lines, line = [], 1
    for extra in breaks:
        lines.append(line)
        line += 1 + extra
    return lines


@dataclass
class CsvTable:
    """The rows of one CSV file of a dataset, as csv.reader gave them, none wider than the
    header. ``lines`` holds the line each row starts on when a cell spans lines; None: row
    ``i`` is on line ``i + 2`` (the header is line 1). Once its columns are made for adding
    in bulk, ``rows`` reads each row from them (:class:`_RowsOfColumns`) and the row lists
    and the cells as read are freed: they would otherwise be held beside the whole graph."""

    rel: str
    header: list[str]
    rows: Sequence[list[str]]
    is_edge: bool
    lines: Sequence[int] | None = None

    def line_of(self) -> Sequence[int]:
        """The line of each row (see ``lines``)."""
        return self.lines if self.lines is not None else range(2, len(self.rows) + 2)

    def item(self, index: int) -> Item | None:
        """The item row ``index`` reads as (see :func:`row_item`)."""
        where = Location(self.rel, self.line_of()[index])
        return row_item(self.header, self.rows[index], where, self.is_edge)

    def items(self) -> list[Item]:
        """Every row's item, in order (blank rows have none)."""
        found = (self.item(i) for i in range(len(self.rows)))
        return [item for item in found if item is not None]

    def has_items(self) -> bool:
        """True when some row is not blank."""
        return any(any(map(str.strip, row)) for row in self.rows)

    def rename_ends(self, merged: Mapping[str, str]) -> None:
        """Edge ends naming an included firm merged into one of the dataset's own are
        rewritten to the dataset's id, as :func:`chaingraph.layers.plan_merges` rewrites the
        ends of edge items (the cell as the reader takes it, compared whole)."""
        ends = [j for j, name in enumerate(self.header) if name in ("from", "to")]
        if not merged or not self.is_edge:
            return
        if isinstance(self.rows, _RowsOfColumns):
            for j in ends:
                column = self.rows.columns[j] = list(self.rows.columns[j])
                for i, cell in enumerate(column):
                    cell = cell.strip()
                    cell = cell if cell[:1] != "'" else restore(cell)
                    if cell in merged:
                        column[i] = merged[cell]
            return
        for row in self.rows:
            for j in ends:
                if j < len(row):
                    cell = row[j].strip()
                    cell = cell if cell[:1] != "'" else restore(cell)
                    if cell in merged:
                        row[j] = merged[cell]

    def add_to(self, checker: Checker) -> None:
        """Add every row to the checker's graph: in bulk what is proved fine, the rest as
        items at their place (see the module doc)."""
        if not self.rows:
            return
        names = set(self.header)
        if (
            len(names) < len(self.header)  # a column named twice: the item keeps one cell
            or names & _ROW_BY_ROW_COLUMNS
            or not self.rel.endswith(".csv")  # (a '.CSV' file's lists are not split on '|')
        ):
            self.one_by_one(checker, range(len(self.rows)))
        elif self.is_edge:
            _add_edges(self, checker)
        else:
            _add_nodes(self, checker)
        cached = getattr(checker.G, "__networkx_cache__", None)
        if cached:
            cached.clear()  # what networkx's own add_node / add_edge do
        # the graph holds what the rows said: they are not held beside it until the load ends
        self.rows, self.lines = (), None

    def one_by_one(self, checker: Checker, rows: Iterable[int]) -> None:
        """Check and add these rows as items, one by one."""
        add = checker.add_edge if self.is_edge else checker.add_node
        for index in rows:
            item = self.item(index)
            if item is not None:
                add(item)


# --- columns ------------------------------------------------------------------------------


@dataclass
class _Column:
    """One column of a table: its cells as the reader takes them (trimmed, a spreadsheet-safe
    apostrophe taken off; equal cells of a column of few distinct values share one str) and
    its distinct cells; ``raw``: the cells as read when they differ from ``cells``."""

    cells: Sequence[str]
    distinct: set[str]
    raw: Sequence[str] | None = None


class _RowsOfColumns(Sequence[list[str]]):
    """A table's rows made again from its columns, each row a new list of the cells as read
    (equal strings; a short row padded with empty cells, which an item leaves out).
    ``shared``: the columns whose equal cells are one str already (see read_table)."""

    def __init__(self, columns: list[Sequence[str]], shared: frozenset[int] = frozenset()):
        self.columns = columns
        self.shared = shared

    def __len__(self) -> int:
        return len(self.columns[0])

    @overload
    def __getitem__(self, index: int) -> list[str]: ...

    @overload
    def __getitem__(self, index: slice) -> list[list[str]]: ...

    def __getitem__(self, index: int | slice) -> list[str] | list[list[str]]:
        if isinstance(index, slice):
            return [self[i] for i in range(len(self))[index]]
        return [col[index] for col in self.columns]


#: rows read at a time while a CSV file's columns are built (see read_table): a chunk's rows
#: and cells stay in the CPU's cache while they are parsed, turned into columns and freed
#: (16,384 rows, about 6 MB of objects, did not: reading a 300k-firm zone took 6.1 s CPU
#: instead of 3.3-3.7 s)
CHUNK_ROWS = 1_024


class CsvReader(Protocol):
    """What read_table needs of a csv.reader: its rows and the lines it has read."""

    @property
    def line_num(self) -> int: ...

    def __iter__(self) -> Iterator[list[str]]: ...


class Interned(dict[str, int]):
    """The id cells of the tables read (a node's id, an edge's ends): each distinct cell's
    position in ``names``, which holds one str per id (the first cell read). A cell not yet
    known is added by the look-up itself (``interned[cell]``)."""

    def __init__(self) -> None:
        super().__init__()
        self.names: list[str] = []

    def __missing__(self, cell: str) -> int:
        self[cell] = at = len(self.names)
        self.names.append(cell)
        return at


def read_table(reader: CsvReader, rel: str, ids: Interned) -> CsvTable | list[list[str]]:
    """The rows of a CSV file as a table whose columns are built while the file is read, a
    chunk of rows at a time, so that its row lists and repeated cells are never all held at
    once: equal cells of a column of few distinct values are one str, and every id column
    (a node's id, an edge's ends) is kept as each cell's position in ``ids.names`` (shared
    by every file read with it; :class:`~chaingraph.edge_places.Positions`). The table is
    the one :meth:`_Reader.csv_rows` would make of the rows; its lines are counted as
    :func:`first_lines` counts them.

    Returns every row as read instead (the header first; [] for an empty file) when the
    header is neither a node's nor an edge's or a row is wider than the header: those are
    read as items. csv.Error as the csv module raises it.
    """
    rows = iter(reader)
    header_row = next(rows, None)
    if header_row is None:
        return []
    header = [h.strip() for h in header_row]
    if {"from", "rel", "to"} <= set(header):
        is_edge = True
    elif {"id", "kind", "name"} <= set(header):
        is_edge = False
    else:
        return [header_row, *rows]
    lines = _Lines(header_row)
    built = _Built(header, ("from", "to") if is_edge else ("id",), ids)
    while True:
        before = reader.line_num
        chunk = list(islice(rows, CHUNK_ROWS))
        if not chunk:
            break
        if max(map(len, chunk)) > len(header):
            made = built.rows()
            return [header_row, *(made[i] for i in range(built.count)), *chunk, *rows]
        lines.add(chunk, spans=reader.line_num - before != len(chunk))
        built.add(chunk)
    return CsvTable(rel, header, built.rows(), is_edge, lines.lines)


class _Lines:
    """The line each row of a CSV file starts on, counted a chunk of rows at a time as
    :func:`first_lines` counts them: ``lines`` stays None while no cell spans lines."""

    def __init__(self, header_row: list[str]) -> None:
        breaks = _breaks(header_row)
        self.lines = array("i") if breaks else None
        self.next = 2 + breaks  # the line the next row starts on

    def add(self, chunk: list[list[str]], spans: bool) -> None:
        """Count the lines of a chunk of rows; ``spans``: some row took more than one line
        of the file (else no cell holds a line break)."""
        if not spans:
            if self.lines is not None:
                self.lines.extend(range(self.next, self.next + len(chunk)))
            self.next += len(chunk)
            return
        starts = array("i")
        for row in chunk:
            starts.append(self.next)
            self.next += 1 + _breaks(row)
        if self.lines is None and self.next - starts[0] != len(chunk):
            self.lines = array("i", range(2, starts[0]))  # the rows before: one line each
        if self.lines is not None:
            self.lines.extend(starts)


class _Built:
    """A table's columns built from chunks of rows. A column's equal cells are one str
    while it has few distinct values; an id column is its cells' positions in ``ids``."""

    def __init__(self, header: list[str], keys: tuple[str, ...], ids: Interned) -> None:
        self.columns: list[list[str] | array[int]] = [
            array("i") if n in keys else [] for n in header
        ]
        # a column's cells by value (None: kept as read, its values are mostly distinct)
        self.memos: list[dict[str, str] | None] = [None if n in keys else {} for n in header]
        self.ids = ids
        self.count = 0

    def add(self, chunk: list[list[str]]) -> None:
        width = len(self.columns)
        if min(map(len, chunk)) < width:
            chunk = [r if len(r) == width else [*r, *[""] * (width - len(r))] for r in chunk]
        columns = zip(self.columns, self.memos, zip(*chunk, strict=True), strict=True)
        for column, memo, cells in columns:
            if isinstance(column, array):
                column.extend(map(self.ids.__getitem__, cells))  # (adds the new ids)
            elif memo is None:
                column.extend(cells)
            elif cells.count(first := cells[0]) == len(cells):
                column.extend(repeat(memo.setdefault(first, first), len(cells)))  # (compared)
            else:
                column.extend(map(memo.setdefault, cells, cells))
        self.count += len(chunk)
        for j, memo in enumerate(self.memos):
            if memo is not None and len(memo) * 2 > self.count:
                self.memos[j] = None

    def rows(self) -> _RowsOfColumns:
        names = self.ids.names
        shared = frozenset(j for j, memo in enumerate(self.memos) if memo is not None)
        columns = [Positions(names, c) if isinstance(c, array) else c for c in self.columns]
        return _RowsOfColumns(list[Sequence[str]](columns), shared)


def _columns(rows: Sequence[list[str]], width: int, ids: set[int]) -> list[_Column] | None:
    """The table's columns; None when a cell would still need trimming (checked row by row).

    The columns ``ids`` (a node's id, an edge's ends) are kept as read, unchecked: a cell
    there that the reader would trim or restore is never a valid, known id (ids are slugs),
    so its row is refused by the id check and read as an item.
    """
    shared: frozenset[int] = frozenset()
    found: Iterable[Sequence[str]]
    if isinstance(rows, _RowsOfColumns):  # columns built as the file was read
        found, shared = rows.columns, rows.shared
    else:
        if min(map(len, rows)) < width:
            rows = [r if len(r) == width else [*r, *[""] * (width - len(r))] for r in rows]
        found = zip(*rows, strict=True)
    out: list[_Column] = []
    for j, col in enumerate(found):
        if j in ids:
            out.append(_Column(col, set()))
            continue
        cells: Sequence[str] = col
        raw: Sequence[str] | None = None
        first = col[0]
        # one value throughout (a grade, a note): compared without hashing every cell
        distinct = {first} if col.count(first) == len(col) else set(col)
        if not all(v == v.strip() and v[:1] != "'" for v in distinct):
            cells = tuple(c if c[:1] != "'" else restore(c) for c in map(str.strip, col))
            raw = col
            distinct = set(cells)
            if not all(v == v.strip() for v in distinct):
                return None  # '\t… restored to a tab: the checker trims it (or refuses it)
        if j in shared and raw is None:
            pass  # equal cells are one str already
        elif len(distinct) == 1:
            cells = (next(iter(distinct)),) * len(cells)
        elif len(distinct) * 2 <= len(cells):
            same = {v: v for v in distinct}
            cells = tuple(map(same.__getitem__, cells))
        out.append(_Column(cells, distinct, raw))
    return out


def _split(cell: str) -> list[str]:
    """A list cell as the checker reads it from CSV (a new list for each row)."""
    return [s.strip() for s in cell.split(LIST_SEP) if s.strip()]


def _convert(field: Field, value: str) -> Any:
    """The value the checker stores for this cell, or _BAD if it reports a problem."""
    if field.type == STR:
        if field.choices and value not in field.choices:
            return _BAD
        return _BAD if field.name == "grade" and value == _INFERRED else value
    coerced, error = _coerce(value, field, True)
    return _BAD if error else coerced


def _values(
    col: _Column,
    groups: _Column,
    spec_of: Callable[[str], dict[str, Field] | None],
    name: str,
    p: _Prepared,
) -> Sequence[Any] | None:
    """The column ``name`` as the checker stores it, row by row (empty cells: any value), the
    rows holding a value it would report added to ``p.bad``; None when the whole file is
    checked row by row. ``groups`` holds each row's kind or relation, whose fields ``spec_of``
    gives (None: the row is refused anyway)."""
    bad = p.bad
    cells = col.cells
    if not col.distinct - {""}:
        return cells  # no value at all
    # the kinds or relations of the rows holding a value in this column
    holders = set(compress(groups.cells, cells)) if "" in col.distinct else groups.distinct
    fields = {g: spec.get(name) for g in holders if (spec := spec_of(g)) is not None}
    same = set(fields.values())
    if len(same) == 1 and None not in same:
        (field,) = same
        assert field is not None
        if field.type == STRLIST:
            p.lists = True  # (a new list for each row: see _attr_dicts)
            return [_split(c) if c else c for c in cells]
        if field.type == STR and not field.choices and field.name != "grade":
            return cells  # text as it is
        memo = {v: _convert(field, v) for v in col.distinct if v}
        if any(v is _BAD for v in memo.values()):
            bad.update(i for i, c in enumerate(cells) if memo.get(c) is _BAD)
        return cells if field.type == STR else list(map(memo.get, cells))
    if not same:
        return cells  # only rows refused anyway hold values
    if any(f is not None and f.type == STRLIST for f in same):
        return None
    # the column means different fields for different kinds or relations
    pairs = set(zip(groups.cells, cells, strict=True))
    known: dict[tuple[str, str], Any] = {}
    for group, cell in pairs:
        if cell and group in fields:
            field = fields[group]
            known[group, cell] = _BAD if field is None else _convert(field, cell)
    if any(v is _BAD for v in known.values()):
        in_order = zip(groups.cells, cells, strict=True)
        bad.update(i for i, key in enumerate(in_order) if known.get(key) is _BAD)
    return list(map(known.get, zip(groups.cells, cells, strict=True)))


@dataclass
class _Prepared:
    """The columns of a table ready for adding rows."""

    keys: list[_Column]  # id and kind (nodes), from, rel and to (edges); ids as read
    names: list[str]  # the data columns, in header order
    values: list[Sequence[Any]]  # their values as the checker stores them
    cells: list[_Column]  # their cells (an empty cell: no value)
    citations: list[Sequence[str]] | None  # the source, quote and locator columns
    bad: set[int]  # rows to check as items
    lists: bool = False  # some column's values are lists (a new one for each row)

    def column(self, name: str) -> _Column | None:
        return self.cells[self.names.index(name)] if name in self.names else None


def _prepare(
    table: CsvTable,
    key_names: tuple[str, ...],
    group_of: int,
    spec_of: Callable[[str], dict[str, Field] | None],
) -> _Prepared | None:
    """Columns converted and rows refused, or None when every row is checked as an item."""
    header = table.header
    at = {name: j for j, name in enumerate(header)}
    ids = {at[k] for i, k in enumerate(key_names) if i != group_of}
    cols = _columns(table.rows, len(header), ids)
    if cols is None:
        return None
    keys = [cols[at[k]] for k in key_names]
    p = _Prepared(keys, [], [], [], None, set())
    for j, name in enumerate(header):
        if name in key_names or name in CITATION_COLUMNS:
            continue
        converted = _values(cols[j], keys[group_of], spec_of, name, p)
        if converted is None:
            return None
        p.names.append(name)
        p.values.append(converted)
        p.cells.append(cols[j])
    if any(c in at and cols[at[c]].distinct - {""} for c in CITATION_COLUMNS[:2]):
        empty = ("",) * len(table.rows)
        p.citations = [cols[at[c]].cells if c in at else empty for c in CITATION_COLUMNS]
    # the rows from here on are read from the columns: the row lists and the cells as read
    # that the columns do not hold (equal cells shared) are freed
    shared = table.rows.shared if isinstance(table.rows, _RowsOfColumns) else frozenset()
    table.rows = _RowsOfColumns([c.cells if c.raw is None else c.raw for c in cols], shared)
    return p


def _attr_dicts(
    first: str, values: Sequence[Any], p: _Prepared, cites: dict[int, dict[str, Any]]
) -> list[dict[str, Any] | None]:
    """Each row's attribute dict as the checker makes it: ``first`` (kind or rel) and the
    fields of its non-empty cells in header order, then its grade and citation; None for the
    rows the checker would report (``p.bad``, or a grade or citation it would refuse)."""
    names = (first, *p.names)
    out: list[dict[str, Any] | None] | None = None
    n = len(values)
    if not p.lists and all(len(c.distinct) * 2 <= n for c in p.cells):
        out = _copied_dicts(names, values, p)
    if out is None:
        rows_values = zip(values, *p.values, strict=True)
        rows_cells = zip(values, *(c.cells for c in p.cells), strict=True)
        out = list(map(dict, map(compress, map(zip, repeat(names), rows_values), rows_cells)))
    grade = p.column("grade")
    if grade is None:  # every row takes its grade from its citation
        p.bad.update(i for i in range(len(out)) if i not in cites)
        ungraded: Iterable[int] = cites
    else:
        if _SOURCED in grade.distinct:  # sourced needs a citation
            p.bad.update(i for i, g in enumerate(grade.cells) if g == _SOURCED and i not in cites)
        ungraded = [i for i, g in enumerate(grade.cells) if not g] if "" in grade.distinct else ()
    for i in ungraded:
        attrs = out[i]
        if i not in cites:
            p.bad.add(i)
        elif attrs is not None:
            attrs["grade"] = _SOURCED
    for i, citation in cites.items():
        attrs = out[i]
        if attrs is not None:
            attrs["sources"] = [citation]
    for i in p.bad:
        out[i] = None
    return out


def _copied_dicts(
    names: tuple[str, ...], values: Sequence[Any], p: _Prepared
) -> list[dict[str, Any] | None] | None:
    """_attr_dicts' dicts of a table whose rows hold few distinct combinations of cells (an
    edge table's relation, grade, note, product): the dict of each combination made once and
    copied for each row (a copy of a small dict is a copy of its memory, not the dict built
    again a key at a time); None when there are many. A row's dict is a function of its
    first value and its cells (the values are converted from them, see _values) and holds
    no object of its own (no list: ``p.lists``)."""
    n = len(values)
    columns = (values, *(c.cells for c in p.cells))
    row_of: dict[tuple[Any, ...], int] = {}  # combination -> the first row holding it
    first = list(map(row_of.setdefault, zip(*columns, strict=True), range(n)))  # each row's
    if len(row_of) * 4 > n:
        return None
    made = {
        i: dict(compress(zip(names, (values[i], *(v[i] for v in p.values)), strict=True), key))
        for key, i in row_of.items()
    }
    del row_of
    return list(map(dict.copy, map(made.__getitem__, first)))


def _citations(p: _Prepared) -> dict[int, dict[str, Any]]:
    """Row -> its citation as the checker keeps it; a row whose citation the checker would
    report (a source without a quote or the reverse) is added to ``p.bad``."""
    found: dict[int, dict[str, Any]] = {}
    if p.citations is None:
        return found
    sources, quotes, locators = p.citations
    for i, (source, quote) in enumerate(zip(sources, quotes, strict=True)):
        if source or quote:
            if not (source and quote):
                p.bad.add(i)
                continue
            clean: dict[str, Any] = {"source": source, "quote": quote}
            if locators[i]:
                clean["locator"] = locators[i]
            found[i] = clean
    return found


def _node_spec(kind: str) -> dict[str, Field] | None:
    found = _KINDS.get(kind)
    # a segment's chain and feeds add edges: checked as items
    return None if found is None or found is Kind.SEGMENT else _NODE_SPECS[found]


def _edge_spec(rel: str) -> dict[str, Field] | None:
    found = _RELS.get(rel)
    return None if found is None else _EDGE_SPECS[found]


def _refuse_incomplete(p: _Prepared, kinds: _Column, kind: str, spec: dict[str, Field]) -> None:
    """Refuse the rows of ``kind`` that leave a required field empty."""
    for field in spec.values():
        if not field.required or field.name in ("id", "kind"):
            continue
        col = p.column(field.name)
        if col is None:
            p.bad.update(i for i, k in enumerate(kinds.cells) if k == kind)
        elif "" in col.distinct and (kind, "") in set(zip(kinds.cells, col.cells, strict=True)):
            in_order = zip(kinds.cells, col.cells, strict=True)
            p.bad.update(i for i, (k, c) in enumerate(in_order) if k == kind and not c)


def _add_nodes(table: CsvTable, checker: Checker) -> None:
    n = len(table.rows)
    p = _prepare(table, ("id", "kind"), 1, _node_spec)
    if p is None:
        table.one_by_one(checker, range(n))
        return
    ids, kinds = p.keys
    if not all(map(is_valid_id, ids.cells)):
        p.bad.update(i for i, node_id in enumerate(ids.cells) if not is_valid_id(node_id))
    kind_value: dict[str, str] = {}
    for kind in kinds.distinct:
        spec = _node_spec(kind)
        if spec is None:
            p.bad.update(i for i, k in enumerate(kinds.cells) if k == kind)
        else:
            kind_value[kind] = _KINDS[kind].value
            _refuse_incomplete(p, kinds, kind, spec)
    cites = _citations(p)
    G: Any = checker.G  # networkx's documented data structure, written as add_node does
    node, succ, pred = G._node, G._succ, G._pred
    where, kind_of, file, line = checker.where, checker.kind_of, table.rel, table.line_of()
    kinds_of = list(map(kind_value.get, kinds.cells))
    made = _attr_dicts("kind", kinds_of, p, cites)
    if not p.bad and _all_nodes_at_once(checker, list(ids.cells), kinds_of, made, table, cites):
        return
    for i, node_id, attrs in zip(range(n), ids.cells, made, strict=True):
        # (kind_of holds the ids where does: asking where would make a NodePlaces' dict)
        if attrs is None or node_id in kind_of or node_id in node:
            table.one_by_one(checker, (i,))
            continue
        node[node_id] = attrs
        succ[node_id] = {}
        pred[node_id] = {}
        put(where, node_id, place := Location(file, line[i]))
        kind_of[node_id] = attrs["kind"]
        if i in cites:
            checker.citations.append((place, f"node '{node_id}'", cites[i]))


def _all_nodes_at_once(
    checker: Checker,
    ids: list[str],
    kinds: list[Any],
    made: list[dict[str, Any] | None],
    table: CsvTable,
    cites: dict[int, dict[str, Any]],
) -> bool:
    """Add a node table's rows in one go when none is refused (``made`` holds no None) and
    no id is known already or twice: each map gets the keys in the order _add_nodes' loop
    gives them (``kinds``: each row's kind, its dict's "kind"). False (nothing added)
    otherwise."""
    G: Any = checker.G
    node, where, kind_of, n = G._node, checker.where, checker.kind_of, len(ids)
    # (kind_of holds the ids where does: asking where would make a NodePlaces' dict)
    if len(set(ids)) < n or any(map(kind_of.__contains__, ids)) or any(map(node.__contains__, ids)):
        return False
    attrs: list[dict[str, Any]] = made  # type: ignore[assignment]  # (no None: no row refused)
    node.update(zip(ids, attrs, strict=True))
    G._succ.update(zip(ids, map(dict.copy, repeat({}, n)), strict=True))  # (new dicts)
    G._pred.update(zip(ids, map(dict.copy, repeat({}, n)), strict=True))
    file, line = table.rel, table.line_of()
    if isinstance(where, NodePlaces):
        where.add_run(file, ids, line)  # (the list of ids and the lines kept, not copied)
    else:
        where.update(zip(ids, map(Location, repeat(file), line), strict=True))
    kind_of.update(zip(ids, kinds, strict=True))
    checker.citations += [
        (Location(file, line[i]), f"node '{ids[i]}'", cited) for i, cited in cites.items()
    ]
    return True


_Ends = tuple[tuple[Callable[[Any], str | None], Sequence[Any]], ...]
_KeptColumns = dict[str, tuple[Sequence[str], Sequence[str], Sequence[int]]]


def _end_positions(
    table: CsvTable, checker: Checker, us: Sequence[str], vs: Sequence[str]
) -> tuple[Sequence[str], Sequence[int], Sequence[int], _Ends, _KeptColumns]:
    """Each end of a table's edges by its position in ``ids`` (kept as the table's edge
    locations, see edge_places: 4 bytes an end instead of a str), the kind of each end's
    node (None: no node) as (look-up, column) pairs, and the columns _compact is to keep."""
    kind_of = checker.kind_of
    if isinstance(us, Positions) and isinstance(vs, Positions) and us.names is vs.names:
        # (as read_table keeps them) each id's kind looked up once, not once per end; a
        # node added as an item (not from a table) by its own id str
        ids: Sequence[str] = us.names
        if checker.item_ids:
            ids = list(map(checker.item_ids.get, ids, ids))
        kinds = list(map(kind_of.get, ids))
        if ids is not us.names and isinstance(table.rows, _RowsOfColumns):
            read = table.rows.columns  # (a row read again names the node's own str)
            for j, col in enumerate(read):
                if col is us or col is vs:
                    read[j] = Positions(ids, us.at if col is us else vs.at)
        on_list: _Ends = (kinds.__getitem__, us.at), (kinds.__getitem__, vs.at)
        return ids, us.at, vs.at, on_list, {}
    # each end by the position of its node (-1: no node, its row is refused)
    ids = list(kind_of)
    at = {node: i for i, node in enumerate(ids)}
    u_at, v_at = (array("i", map(at.get, col, repeat(-1))) for col in (us, vs))
    del at
    kept: _KeptColumns = {"from": (ids, us, u_at), "to": (ids, vs, v_at)}
    ends = (kind_of.get, us), (kind_of.get, vs)
    return ids, u_at, v_at, ends, kept


def _add_edges(table: CsvTable, checker: Checker) -> None:
    n = len(table.rows)
    p = _prepare(table, ("from", "rel", "to"), 1, _edge_spec)
    if p is None:
        table.one_by_one(checker, range(n))
        return
    us, rels, vs = (c.cells for c in p.keys)
    ids, u_at, v_at, ends, kept = _end_positions(table, checker, us, vs)
    links = set(zip(rels, *(map(*end) for end in ends), strict=True))
    allowed = {link: _allowed(*link) for link in links}
    if not all(allowed.values()):
        in_order = zip(rels, *(map(*end) for end in ends), strict=True)
        p.bad.update(i for i, link in enumerate(in_order) if not allowed[link])
    del ends, links
    names = sorted(p.keys[1].distinct)
    code = {rel: i for i, rel in enumerate(names)}
    r_at = array("B" if len(names) <= 256 else "i", map(code.__getitem__, rels))
    if isinstance(table.rows, _RowsOfColumns):  # the rows' cells so kept too (see _compact)
        kept["rel"] = (names, rels, r_at)
        _compact(table.header, table.rows, kept)
    del kept
    cites = _citations(p)
    made = _attr_dicts("rel", rels, p, cites)
    del p, us, vs, rels  # (the ends and relations as read are freed)
    G: Any = checker.G  # networkx's documented data structure, written as add_edge does
    succ, pred = G._succ, G._pred
    # each run of the rows added here goes in before a row checked as an item, to keep the
    # order they came in
    edge_where, file, line = checker.edge_where, table.rel, table.line_of()
    columns = (Positions(ids, u_at), Positions(ids, v_at), Positions(names, r_at))
    start = 0
    # the attribute dicts taken from the end of the list, which shrinks as the graph grows
    made.append(_BAD)
    made.reverse()
    rows = zip(
        range(n), u_at, map(names.__getitem__, r_at), v_at, iter(made.pop, _BAD), strict=True
    )
    # each node's adjacency dicts by its position: a look-up by id str reads the str's
    # hash and the graph's dict of nodes, two cache misses an end in a big graph
    succ_of, pred_of = list(map(succ.get, ids)), list(map(pred.get, ids))
    for i, a, rel, b, attrs in rows:  # (an unknown end is in a refused row)
        if attrs is not None:
            v = ids[b]  # the node's own id str
            nbrs = succ_of[a]
            keydict = nbrs.get(v)
            # an edge of the graph is refused: edge_where holds only edges of the graph
            if keydict is None:
                nbrs[v] = pred_of[b][ids[a]] = {rel: attrs}
            elif rel in keydict:
                attrs = None
            else:
                keydict[rel] = attrs
        if attrs is None:
            edge_where.add_run(file, columns, line, start, i)
            start = i + 1
            table.one_by_one(checker, (i,))
            continue
        if i in cites:
            place = Location(file, line[i])
            checker.citations.append((place, f"edge {ids[a]} -{rel}-> {v}", cites[i]))
    edge_where.add_run(file, columns, line, start, n)


def _compact(
    header: list[str],
    rows: _RowsOfColumns,
    kept: Mapping[str, tuple[Sequence[str], Sequence[str], Sequence[int]]],
) -> None:
    """Keep a table's columns as positions once its edges are proved: a row is read again
    only when it is checked as an item. ``kept``: column -> (names, cells, each cell's
    position in names) known already (the ends, the relations); the other columns of few
    distinct values (one str each already) are made so."""
    for name, (names, cells, found) in kept.items():
        j = header.index(name)
        if rows.columns[j] is cells:  # (not when the cells as read differ)
            rows.columns[j] = _Kept(names, found, cells)
    for j in rows.shared:
        column = rows.columns[j]
        if isinstance(column, list) and column.count(column[0]) == len(column):
            rows.columns[j] = Positions(column[:1], array("B", bytes(len(column))))  # (a note)
        elif isinstance(column, list):
            names = list(dict.fromkeys(column))
            code = {name: i for i, name in enumerate(names)}
            kind = "B" if len(names) <= 1 << 8 else "H" if len(names) <= 1 << 16 else "i"
            rows.columns[j] = Positions(names, array(kind, map(code.__getitem__, column)))


class _Kept(Positions):
    """A column of a table's ends (or relations) kept as positions in ``names``; the cells
    naming no node (position -1) as read."""

    def __init__(self, names: Sequence[str], at: Sequence[int], cells: Sequence[str]) -> None:
        super().__init__(names, at)
        self.odd = {i: cells[i] for i, a in enumerate(at) if a < 0} if -1 in at else {}

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, int) and self.at[index] < 0:
            return self.odd[index % len(self.at)]
        return super().__getitem__(index)


def _allowed(rel: str, ku: str | None, kv: str | None) -> bool:
    """True when a relation may go from a node of kind ``ku`` to one of kind ``kv``."""
    found = _RELS.get(rel)
    if found is None or ku is None or kv is None:
        return False
    spec = REL_SPECS[found]
    return ku in spec.sources and kv in spec.targets
