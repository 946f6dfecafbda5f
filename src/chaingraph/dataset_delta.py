"""Check a change to a few data files against the already-valid dataset, not a full re-read.

``import`` rewrites its own files (``firms-imported.csv`` …) and must refuse a change that
would make the dataset invalid. Reading and checking the whole dataset again with the new
files costs as much as the first load, and more as the imported files grow. When the dataset
as loaded had no problem, :func:`check_changes` checks only what changed:

- the rows of a CSV file whose cells changed, were added or were removed (by ``id``, or by
  ``from, rel, to``), and the entries of a YAML file that changed, are read exactly as the
  full reader reads them (:func:`chaingraph.dataset.read_items`, the same file:line);
- removed and changed items leave the loaded graph; new and changed items are checked into it
  with the same :class:`~chaingraph.dataset_check.Checker` (ids, kinds, fields, values,
  citations, references, duplicates), then the dataset-wide rules that a change can break:
  quotes and cited sources of the new items, names and aliases that the new items share
  with any node, firms of included layers (one firm, one node), and the segment rules with
  FEEDS cycles only when a segment edge changed.

The problems are the ones the full check reports for the same files (tested by running both
on hostile imports). A change the shortcut cannot judge exactly — an id or edge that the
new files define twice across files, a removed node, a changed segment, kind or source
document, figures (new ones, or those of a changed node: another's figure may name them), a
firm that is (or may become) an included firm — returns None, and the caller reads the
whole dataset again.
"""

from __future__ import annotations

import csv
import itertools
import operator
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from . import cache, layers
from .cells import restore
from .dataset import (
    SOURCES_DIR,
    Dataset,
    csv_lines,
    read_csv_rows,
    read_csv_table,
    read_items,
)
from .dataset_check import Checker, Item
from .dataset_fast import CsvTable, first_lines
from .edge_places import EdgePlaces
from .model import Kind, Location, Problem, Rel, normalize_text, normalize_texts

#: node kinds whose change or removal the shortcut checks (others: the full check)
_NODE_KINDS = frozenset({Kind.FIRM.value, Kind.SOURCE.value})
#: relations whose change may break the segment rules (one chain each, no FEEDS cycle)
_SEGMENT_RELS = frozenset({Rel.HAS_SEGMENT.value, Rel.FEEDS.value})


def disjoint(keys: set[Any], mapping: Mapping[Any, Any]) -> bool:
    """True when no key of ``keys`` is in ``mapping``, walking the smaller of the two: a
    set's ``isdisjoint`` walks any argument that is not a set, and a dataset's node or
    edge mapping can hold millions of keys where an imported table has thousands."""
    if len(keys) < len(mapping):
        return not any(map(mapping.__contains__, keys))
    return keys.isdisjoint(mapping)


class _Unsure(Exception):
    """The change needs the full check."""


def included_firm_keys(G: Any) -> tuple[set[str], set[str], set[str]]:
    """The stock and credit codes and the names (as compared) of the included layers' firms
    of a loaded dataset's graph, and the ids of its included nodes: what a change's new
    firms are compared with (a pure function of the loaded graph, so an import may have it
    from the dataset cache's memo: see ``included`` of :func:`check_changes`)."""
    owner = G.graph.get(layers.OWNER) or {}
    inc = layers.Included(
        graph=G.subgraph([n for n in owner if n in G]),
        owner=owner,
        names=list(G.graph.get(layers.INCLUDES) or []),
    )
    by_code, by_name = layers._firm_keys(inc)
    return {k.removeprefix(layers._CREDIT) for k in by_code}, set(by_name), set(inc.graph)


def check_changes(
    base: Dataset,
    old: Mapping[str, str],
    new: Mapping[str, str],
    rows: Mapping[str, list[list[str]]] | None = None,
    included: tuple[set[str], set[str], set[str]] | None = None,
) -> list[Problem] | None:
    """The problems of the dataset with the ``new`` files; None if only a full check can tell.

    Parameters
    ----------
    base : Dataset
        The dataset as loaded (its graph is changed in place: do not use it afterwards).
    old, new : mapping
        Relative path -> the file's current text and its new text ('' for no file).
    rows : mapping, optional
        Relative path of a new CSV file -> its rows, exactly as the csv module reads them
        from its new text (the header first): given by a writer that has them, so that the
        text it just wrote is not parsed again. A file not here is parsed from its text.
    included : tuple of sets, optional
        :func:`included_firm_keys` of ``base.graph`` as loaded, when known.

    Returns
    -------
    list of Problem or None
        Every problem of the changed dataset (empty: it is valid), or None when ``base`` had
        problems or the change is one the shortcut cannot judge exactly.
    """
    if base.problems or base.edge_locations is None or base.merged is None:
        return None
    try:
        with cache.gc_paused():  # as a load: many new objects, none to collect
            return _Delta(base, rows or {}, included).check(old, new)
    except _Unsure:
        return None


class _Delta:
    def __init__(
        self,
        base: Dataset,
        rows: Mapping[str, list[list[str]]],
        included: tuple[set[str], set[str], set[str]] | None = None,
    ) -> None:
        self.base = base
        self.known_included = included
        self.rows = rows
        G = base.graph
        self.checker = Checker(base.folder, [])
        self.checker.G = G
        self.checker.where = dict(base.node_locations)
        self.checker.kind_of = {n: str(k) for n, k in G.nodes(data="kind")}
        places = base.edge_locations
        # used up as the graph is: a copy made key by key cost ~1 s for 500,000 edges
        self.checker.edge_where = (
            places if isinstance(places, EdgePlaces) else EdgePlaces(places or {})
        )
        self.checker.pending_edges = []
        self.merged: dict[str, str] = dict(base.merged or {})
        self.included_owner: dict[str, str] = G.graph.get(layers.OWNER) or {}
        self.included_edges: dict[Any, str] = G.graph.get(layers.EDGE_OWNER) or {}
        self.nodes: list[Item] = []
        self.edges: list[Item] = []
        #: new CSV files kept as rows, each with how many node (or edge) items came before it:
        #: the checker proves them in bulk when nothing in them needs the items (see apply)
        self.tables: list[tuple[int, CsvTable]] = []
        self.problems: list[Problem] = []
        #: node ids and edge keys that the new files define or that left them
        self.touched_nodes: set[str] = set()
        self.touched_edges: set[tuple[str, str, str]] = set()
        self._included_keys: tuple[set[str], set[str], set[str]] | None = None

    # -- reading the change --

    def check(self, old: Mapping[str, str], new: Mapping[str, str]) -> list[Problem]:
        for rel, text in new.items():
            before = old.get(rel, "")
            if text == before:
                continue
            if not _data_file(rel):
                raise _Unsure(rel)
            if rel.lower().endswith(".csv"):
                self.csv_change(rel, before, text)
            else:
                self.yaml_change(rel, before, text)
        return self.apply()

    def csv_change(self, rel: str, before: str, after: str) -> None:
        if not before:  # a new file: every row is new, read as it is
            self.read_new(rel, after)
            return
        new_rows = self.rows.get(rel) or _rows(after)
        changed, lines = self.diff_rows(rel, _rows(before), new_rows)
        if not lines:
            return
        if len(lines) == len(new_rows) - 1:  # every row changed: read the file as it is
            self.read_new(rel, after)
            return
        # read as if one line each, then put at their lines in the file
        items, problems = read_csv_rows(self.base.folder, rel, changed, one_line_each=True)
        line_of = dict(enumerate(lines, start=2))
        for item in items:
            self.add(Item(item.data, _at(item.where, line_of), item.is_edge))
        self.problems += [Problem(_at(p.where, line_of), p.message, p.fix) for p in problems]

    def diff_rows(
        self, rel: str, old_rows: list[list[str]], new_rows: list[list[str]]
    ) -> tuple[list[list[str]], list[int]]:
        """The header and the new or changed rows of a CSV file, with their lines (header
        first, line 1); unchanged rows keep their items, at their new lines, and the rows
        that left take their items out."""
        old_keys = _keyed(old_rows)
        seen: set[Any] = set()
        changed: list[list[str]] = new_rows[:1]
        lines: list[int] = []
        is_edge = _is_edge_header(new_rows[0]) if new_rows else False
        key_of = _key_function(new_rows[0]) if new_rows else None
        same_header = new_rows[:1] == old_rows[:1]
        starts = first_lines(new_rows) or range(1, len(new_rows) + 1)
        for number, row in zip(starts[1:], new_rows[1:], strict=True):
            key = key_of(row) if key_of else None
            if key is not None and key not in seen:
                seen.add(key)
                if same_header and old_keys.get(key) == row:
                    self.moved(rel, key, is_edge, number)  # unchanged: only its line may differ
                    continue
                if key in old_keys:
                    self.leave(key, is_edge)  # changed: the old row leaves, the new one is read
            changed.append(row)
            lines.append(number)
        for key in old_keys:
            if key not in seen:
                self.leave(key, _is_edge_header(old_rows[0]))
        return changed, lines

    def read_new(self, rel: str, text: str) -> None:
        """Every item of a file whose rows are all new or changed."""
        rows = self.rows.get(rel)
        if rows:
            table, items, problems = read_csv_table(self.base.folder, rel, rows)
            if table is not None:
                self.tables.append((len(self.edges if table.is_edge else self.nodes), table))
        else:
            items, problems = read_items(self.base.folder, rel, text)
        for item in items:
            self.add(item)
        self.problems += problems

    def yaml_change(self, rel: str, before: str, after: str) -> None:
        old_items, old_problems = read_items(self.base.folder, rel, before) if before else ([], [])
        new_items, problems = read_items(self.base.folder, rel, after) if after else ([], [])
        if old_problems:
            raise _Unsure(rel)
        old_keys = {_item_key(i): i for i in old_items}
        seen: set[Any] = set()
        for item in new_items:
            key = _item_key(item)
            same = key in old_keys and dict(old_keys[key].data) == dict(item.data)
            if key is not None and key not in seen and same:
                seen.add(key)
                self.moved(rel, key, item.is_edge, item.where.line)
                continue
            if key is not None and key not in seen:
                seen.add(key)
                if key in old_keys:
                    self.leave(key, item.is_edge)
            self.add(item)
        for key, item in old_keys.items():
            if key not in seen:
                self.leave(key, item.is_edge)
        self.problems += problems

    def moved(self, rel: str, key: Any, is_edge: bool, line: int | None) -> None:
        """An unchanged item: keep it, at its line in the new file."""
        places: Any = self.checker.where  # node id -> Location, or edge key -> Location
        if is_edge:
            u, rel_name, v = key
            key = (self.merged.get(u, u), self.merged.get(v, v), rel_name)
            places = self.checker.edge_where
        old = places.get(key)
        if old is not None and (old.line != line or old.file != rel):
            places[key] = Location(rel, line)

    def leave(self, key: Any, is_edge: bool) -> None:
        """A removed or changed item: take it out of the graph."""
        G = self.checker.G
        if not is_edge:
            if key not in G or key in self.merged.values():
                raise _Unsure(key)  # a node the file did not hold, or an included firm's twin
            if self.checker.kind_of.get(key) not in _NODE_KINDS or G.nodes[key].get("figures"):
                raise _Unsure(key)  # (another node's figure may name one of its figures)
            self.touched_nodes.add(key)
            return  # a node leaves only when its new item replaces it (see apply)
        u, rel_name, v = key
        edge = (self.merged.get(u, u), self.merged.get(v, v), rel_name)
        if edge in self.included_edges or not G.has_edge(edge[0], edge[1], rel_name):
            raise _Unsure(key)
        G.remove_edge(edge[0], edge[1], rel_name)
        self.checker.edge_where.pop(edge, None)
        self.touched_edges.add(edge)

    def add(self, item: Item) -> None:
        if item.is_edge:
            self.edges.append(item)
            return
        _judgeable(item)
        self.nodes.append(item)

    # -- checking it --

    def apply(self) -> list[Problem]:
        checker = self.checker
        problems = checker.problems
        problems += self.problems
        node_parts, edge_parts = self.settle_tables()
        new_ids = {str(i.data.get("id")) for i in self.nodes if i.data.get("id")}
        for part in node_parts:
            if isinstance(part, _Bulk):
                new_ids.update(part.keys)
        if self.touched_nodes - new_ids:
            raise _Unsure("a node left the dataset")
        problems += self.plan_merges()
        for part in node_parts:
            if isinstance(part, _Bulk):
                part.table.add_to(checker)
            else:
                self.add_node(part)
        self.add_edges(edge_parts)
        checker.check_sources_text()
        checker.check_citation_targets()
        checker.check_names(new_ids)
        if any(rel in _SEGMENT_RELS for _, _, rel in self.touched_edges):
            checker.check_segments()
        self.drop_reported_clashes(problems)
        return problems

    def add_edges(self, parts: list[Item | _Bulk]) -> None:
        """Check the new edges into the graph, the segments' shorthand edges first."""
        checker = self.checker
        for item in self.edges:  # as plan_merges: an included firm's id names its twin
            for end in ("from", "to"):
                value = item.data.get(end)
                if isinstance(value, str) and value in self.merged:
                    item.data[end] = self.merged[value]
        for part in [*checker.pending_edges, *parts]:
            if isinstance(part, _Bulk):
                self.touched_edges.update(part.keys)
                part.table.add_to(checker)
                continue
            data = part.data
            u, v = data.get("from"), data.get("to")
            key = (str(u), str(v), str(data.get("rel")))
            if key in checker.edge_where or key in self.included_edges:
                raise _Unsure(key)  # defined twice: which one is "first" is file order
            self.touched_edges.add(key)
            checker.add_edge(part)

    def settle_tables(self) -> tuple[list[Item | _Bulk], list[Item | _Bulk]]:
        """The node and the edge items and tables in the order read (as the items were).

        A table goes to the checker in bulk only when none of its rows is one the items
        would send to the full check or treat apart: a node id or edge defined before (in
        the dataset, another changed file, or twice in the table), a segment, a figures
        column, an edge end an included firm merged into, or a firm that shares a code, a
        name or an id with an included firm. Otherwise its rows become items at its place.
        """
        bulks: dict[int, _Bulk] = {}
        node_ids = [str(i.data.get("id")) for i in self.nodes if i.data.get("id")]
        edge_keys = [_item_key(i) for i in self.edges]
        for number, (_, table) in enumerate(self.tables):
            bulk = _Bulk.of(table)
            if bulk is not None:
                bulks[number] = bulk
                (edge_keys if table.is_edge else node_ids).extend(bulk.keys)
        # (sets compared in C: a big import's tables have some 20,000 keys each)
        twice = {k for k, n in Counter(node_ids).items() if n > 1}
        twice.update(k for k, n in Counter(edge_keys).items() if n > 1)
        where, edge_where = self.checker.where, self.checker.edge_where
        merged = set(self.merged)
        for number, bulk in list(bulks.items()):
            keys = set(bulk.keys)
            fine = keys.isdisjoint(twice)
            if bulk.table.is_edge:
                fine = (
                    fine
                    and disjoint(keys, edge_where)
                    and disjoint(keys, self.included_edges)
                    and merged.isdisjoint(map(operator.itemgetter(0), keys))
                    and merged.isdisjoint(map(operator.itemgetter(1), keys))
                )
            else:
                fine = fine and disjoint(keys, where)
                fine = fine and not bulk.segments and self.apart_from_includes(bulk)
            if not fine:
                del bulks[number]
        nodes: list[Item | _Bulk] = list(self.nodes)
        edges: list[Item | _Bulk] = list(self.edges)
        for number, (at, table) in reversed(list(enumerate(self.tables))):
            parts = edges if table.is_edge else nodes
            if number in bulks:
                parts.insert(at, bulks[number])
                continue
            items = table.items()
            for item in items:
                if not item.is_edge:
                    _judgeable(item)  # (as when read)
            parts[at:at] = items
        self.nodes = [p for p in nodes if not isinstance(p, _Bulk)]
        self.edges = [p for p in edges if not isinstance(p, _Bulk)]
        return nodes, edges

    def apart_from_includes(self, bulk: _Bulk) -> bool:
        """True when no firm of the table has an id, code or name of an included firm (or of
        a firm merged with one): then merging with the included firms has nothing to plan."""
        if not self.checker.G.graph.get(layers.INCLUDES):
            return True
        codes, names, ids = self.included_keys()
        if any(i in ids for i in bulk.keys):
            return False
        return not (bulk.codes() & codes or bulk.names() & names)

    def included_keys(self) -> tuple[set[str], set[str], set[str]]:
        """The codes and names (as compared) of the included firms and of the firms merged
        with one, and the ids of the included nodes."""
        if self._included_keys is None:
            codes, names = self.merged_keys()
            inc_codes, inc_names, ids = self.known_included or included_firm_keys(self.checker.G)
            self._included_keys = ((codes | inc_codes) - {""}, names | inc_names, set(ids))
        return self._included_keys

    def merged_keys(self) -> tuple[set[str], set[str]]:
        """The stock/credit codes and the names (as compared) of the dataset's firms that an
        included firm was merged into."""
        G = self.checker.G
        codes: set[str] = set()
        names: set[str] = set()
        for own in self.merged.values():
            attrs = G.nodes[own] if own in G else {}
            codes |= {layers.stock_key(attrs.get(k)) for k in ("stock_code", "credit_code")}
            names |= {normalize_text(str(n)) for n in _names(attrs)}
        return codes, names

    def included(self) -> layers.Included:
        """The included layers' nodes, as :func:`chaingraph.layers.plan_merges` takes them."""
        G = self.checker.G
        return layers.Included(
            graph=G.subgraph([n for n in self.included_owner if n in G]),
            owner=self.included_owner,
            names=list(G.graph.get(layers.INCLUDES) or []),
        )

    def add_node(self, item: Item) -> None:
        """Check one new or changed node into the graph (a changed one replaces its old self)."""
        checker, G = self.checker, self.checker.G
        node_id = str(item.data.get("id") or "")
        if node_id in self.touched_nodes:
            old = G.nodes[node_id]
            if str(item.data.get("kind")) != old.get("kind") or (
                old.get("kind") == Kind.SOURCE
                and item.data.get("text_file") != old.get("text_file")
            ):
                raise _Unsure(node_id)  # edges or citations of others may depend on it
            self.touched_nodes.discard(node_id)  # replaced once; a second entry is a duplicate
            old.clear()
            checker.where.pop(node_id, None)
            checker.kind_of.pop(node_id, None)
            checker.add_node(item)
            if node_id not in checker.where:
                raise _Unsure(node_id)  # refused: the full check also reports its edges
        elif node_id in checker.where:
            raise _Unsure(node_id)  # defined twice: which one is "first" is file order
        else:
            checker.add_node(item)

    def plan_merges(self) -> list[Problem]:
        """Included firms among the new firms: a name clash is a problem, a merge unsure."""
        includes = self.checker.G.graph.get(layers.INCLUDES) or []
        if not includes:
            return []
        # a firm merged already no longer shows its included twin: codes and names of the
        # twin are those of the merged firm, and only the full check words their clash
        codes, names = self.merged_keys()
        for item in self.nodes:
            mine = {layers.stock_key(item.data.get(k)) for k in ("stock_code", "credit_code")}
            theirs = {normalize_text(str(n)) for n in _names(item.data)}
            if (mine - {""}) & codes or theirs & names:
                raise _Unsure(item.data.get("id"))
        ids = self.included_keys()[2]
        if not any(
            i.data.get("kind") == Kind.FIRM.value or str(i.data.get("id")) in ids
            for i in self.nodes
            if i.data.get("id")
        ):
            return []  # only a firm, or a node taking an included id, can merge or clash
        inc = self.included()
        problems = layers.plan_merges(inc, [*self.nodes, *self.edges])
        if inc.merged:
            raise _Unsure(inc.merged)
        return problems

    @staticmethod
    def drop_reported_clashes(problems: list[Problem]) -> None:
        """As :func:`chaingraph.layers.finish`: a clash with an included firm is said once."""
        clashes = {str(p.extra["name_clash"]) for p in problems if "name_clash" in p.extra}
        if clashes:
            problems[:] = [
                p
                for p in problems
                if not any(p.message.startswith(f"name or alias '{c}' is used by") for c in clashes)
            ]


def _data_file(rel: str) -> bool:
    """A file the reader reads as data (not the manifest, not a source document)."""
    parts = Path(rel).parts
    return (
        rel.lower().endswith((".csv", ".yaml", ".yml"))
        and rel != "dataset.yaml"
        and parts[:1] != (SOURCES_DIR,)
        and not any(p.startswith(".") for p in parts)
    )


def _rows(text: str) -> list[list[str]]:
    if not text:
        return []
    return list(csv.reader(csv_lines(text)))


def _is_edge_header(header: list[str]) -> bool:
    return {"from", "rel", "to"} <= {h.strip() for h in header}


def _key_function(header: list[str]) -> Any:
    """row -> the key of its item (id, or (from, rel, to)); None when the row has none."""
    names = [h.strip() for h in header]
    if _is_edge_header(header):
        a, r, b = names.index("from"), names.index("rel"), names.index("to")

        def edge_key(row: list[str]) -> tuple[str, str, str] | None:
            if len(row) <= max(a, r, b):
                return None
            return (row[a].strip(), row[r].strip(), row[b].strip())

        return edge_key
    if "id" not in names:
        return None
    i = names.index("id")

    def node_key(row: list[str]) -> str | None:
        return row[i].strip() or None if len(row) > i else None

    return node_key


def _keyed(rows: list[list[str]]) -> dict[Any, list[str]]:
    if not rows:
        return {}
    key_of = _key_function(rows[0])
    if key_of is None:
        return {}
    out: dict[Any, list[str]] = {}
    for row in rows[1:]:
        key = key_of(row)
        if key is not None:
            out.setdefault(key, row)
    return out


def _item_key(item: Item) -> Any:
    data = item.data
    if item.is_edge:
        return (str(data.get("from")), str(data.get("rel")), str(data.get("to")))
    return str(data["id"]) if data.get("id") else None


def _at(where: Location, line_of: dict[int, int]) -> Location:
    return Location(where.file, line_of.get(where.line or 0, where.line))


def _names(data: Mapping[str, Any]) -> list[Any]:
    """The name, English name and aliases of a node's attributes or of an item's data."""
    aliases = data.get("aliases") or []
    if isinstance(aliases, str):
        aliases = aliases.split("|")
    return [n for n in [data.get("name"), data.get("name_en"), *aliases] if n]


def _judgeable(node: Item) -> None:
    """Raise _Unsure for a node the shortcut cannot judge: one with figures (figures name
    each other) or a segment (it needs its chain)."""
    data = node.data
    if data.get("figures") is not None or data.get("kind") == Kind.SEGMENT.value:
        raise _Unsure(data.get("id"))


class _Bulk:
    """A new CSV file's table, with its rows' keys: node ids, or edge keys (from, to, rel)."""

    def __init__(self, table: CsvTable, keys: list[Any], segments: bool) -> None:
        self.table = table
        self.keys = keys
        self.segments = segments

    @classmethod
    def of(cls, table: CsvTable) -> _Bulk | None:
        """The table with its keys, read as its items read them; None when a column is named
        twice or is ``figures`` (their items decide)."""
        header = table.header
        if len(set(header)) < len(header) or "figures" in header:
            return None
        if table.is_edge:
            u, r, v = (_column(table, name) for name in ("from", "rel", "to"))
            keys: list[Any] = [k for k in zip(u, v, r, strict=True) if any(k)]
            return cls(table, keys, False)
        ids, kinds = _column(table, "id"), _column(table, "kind")
        segment = Kind.SEGMENT.value
        return cls(table, [i for i in ids if i], any(k == segment for k in kinds))

    def codes(self) -> set[str]:
        """The stock and credit codes of its rows, as compared."""
        out: set[str] = set()
        for name in ("stock_code", "credit_code"):
            if name in self.table.header:
                out |= {layers.stock_key(c) for c in _column(self.table, name) if c}
        return out - {""}

    def names(self) -> set[str]:
        """Every name, English name and alias of its rows, as compared."""
        out: set[str] = set()
        for name in ("name", "name_en", "aliases"):
            if name in self.table.header:
                cells = filter(None, _column(self.table, name))
                if name == "aliases":
                    cells = filter(None, itertools.chain.from_iterable(c.split("|") for c in cells))
                texts = list(cells)
                for start in range(0, len(texts), 4096):  # folded a block at a time
                    out.update(normalize_texts(texts[start : start + 4096]))
        return out


def _column(table: CsvTable, name: str) -> list[str]:
    """A column's cells as an item reads them (trimmed, a spreadsheet-safe apostrophe taken
    off); '' for a row too short. (C-level maps over the rows: a big import's tables have
    some 20,000 rows, read here for their keys, codes and names.)"""
    i = table.header.index(name)
    rows = table.rows
    if min(map(len, rows), default=i + 1) > i:
        cells = list(map(str.strip, map(operator.itemgetter(i), rows)))
    else:
        cells = [row[i].strip() if i < len(row) else "" for row in rows]
    if "\0'" in "\0" + "\0".join(cells):  # a cell starting with an apostrophe
        cells = [restore(c) if c[:1] == "'" else c for c in cells]
    return cells


__all__ = ["check_changes", "included_firm_keys"]
