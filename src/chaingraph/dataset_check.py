"""Check the items read from a dataset folder and build the graph from them.

:class:`Checker` turns the nodes and edges read by :mod:`chaingraph.dataset` into a
:data:`~chaingraph.model.ChainGraph`, coercing every value to its field's type and collecting
each problem with its file, line and fix: unknown kinds and fields, bad values, citations
whose quote is not in the source text, names used twice, segments outside a chain and
FEEDS cycles.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
from collections.abc import Callable, Iterable, MutableMapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Protocol

import networkx as nx

from .edge_places import EdgePlaces
from .errors import InvalidGraphData
from .model import (
    BOOL,
    DATE,
    FIGURE_COMPARE,
    FIGURE_QUALIFIERS,
    ID_RULE,
    INT,
    MAX_NUMBER,
    NUM,
    REL_SPECS,
    STR,
    STRLIST,
    ChainGraph,
    Field,
    Grade,
    Kind,
    Location,
    Problem,
    Rel,
    edge_fields_of,
    fields_of,
    is_valid_id,
    normalize_texts,
    quote_key,
)
from .node_places import NodePlaces, put

LIST_SEP = "|"
CITATION_KEYS = ("source", "quote", "about", "locator")
FIGURE_KEYS = (
    "key",
    "label",
    "value",
    "unit",
    "qualifier",
    "year",
    "compare",
    "conflicts_with",
    "note",
    "sources",
)
_FIGURE_WORDS = ("label", "unit", "note", "year", "sources")
TRUE_WORDS = {"true", "yes", "y", "1", "是", "t"}
FALSE_WORDS = {"false", "no", "n", "0", "否", "f"}
DATE_RE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


@dataclass
class Item:
    """One node or edge as read from a file, before checks."""

    data: dict[str, Any]
    where: Location
    is_edge: bool


def read_text(path: Path, rel: str) -> str:
    """A dataset text file as str: UTF-8, a BOM accepted; other encodings refused."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        hint = ""
        try:
            data.decode("gb18030")
            hint = " (it looks like GBK/GB18030)"
        except UnicodeDecodeError:
            pass
        raise InvalidGraphData(
            f"{rel}: not UTF-8{hint} at byte {exc.start}. Re-save it as UTF-8 "
            f"(e.g. iconv -f GB18030 -t UTF-8), or bring spreadsheets in with 'chaingraph import'"
        ) from exc


def inside_folder(rel: str) -> bool:
    """True for a relative path that stays inside its folder (no absolute path, no '..').

    >>> inside_folder("sources/a.txt"), inside_folder("../a.txt"), inside_folder("/etc/x")
    (True, False, False)
    """
    path = PurePosixPath(str(rel).replace("\\", "/"))
    return bool(rel) and not path.is_absolute() and ".." not in path.parts and ":" not in rel


def link_outside(path: Path, folder: Path) -> str:
    """Where ``path`` really leads if a symlink takes it out of ``folder``, else ''.

    Links are resolved before the check, so a file (or a folder on the way) inside the
    dataset that links to ``/etc/passwd`` is outside, whatever its name says.
    """
    real = path.resolve()
    return "" if real.is_relative_to(folder.resolve()) else str(real)


def did_you_mean(value: object, choices: Iterable[object], otherwise: str) -> str:
    """A hint naming the closest choice to a wrong value, else ``otherwise``.

    >>> did_you_mean("Frim", ["Firm", "Chain"], "Use a kind")
    "Did you mean 'Firm'?"
    """
    close = difflib.get_close_matches(str(value), [str(c) for c in choices], 1)
    return f"Did you mean '{close[0]}'?" if close else otherwise


# --- checking values --------------------------------------------------------------------

#: (value in the field's type, None) or (None, what is wrong)
Coerced = tuple[Any, str | None]


def _too_big(value: float) -> str:
    """The message for a number beyond :data:`~chaingraph.model.MAX_NUMBER`.

    >>> _too_big(1.7e308)[:40]
    'must be at most 10^15 in size, not 1.7e+'
    """
    if isinstance(value, float):
        shown = f"{value:.3g}"
    else:  # an int may have thousands of digits: never format it whole
        shown = f"a {int(abs(value).bit_length() * 0.30103) + 1}-digit number"
    return (
        f"must be at most 10^15 in size, not {shown}: no real amount is larger "
        "(check the unit: amounts are in yuan, e.g. 1.3e10 for 130亿元)"
    )


def _coerce(value: Any, spec: Field, from_csv: bool) -> Coerced:
    """Return (value in the field's type, None) or (None, what is wrong)."""
    convert = _COERCE.get(spec.type)
    if convert is None:
        raise AssertionError(f"unknown field type {spec.type}")
    return convert(value, spec, from_csv)


def _to_text(value: Any, spec: Field, from_csv: bool) -> Coerced:
    if isinstance(value, str):
        out = value.strip()
    elif isinstance(value, int | float) and not isinstance(value, bool):
        out = str(value)  # a CSV cell, or YAML read 2020 as a number where text was meant
    else:
        return None, f"must be text, not {type(value).__name__}"
    if spec.choices and out not in spec.choices:
        return None, f"must be one of {', '.join(spec.choices)}, not '{out}'"
    return out, None


def _to_text_list(value: Any, spec: Field, from_csv: bool) -> Coerced:
    if isinstance(value, str):
        items = value.split(LIST_SEP) if from_csv else [value]
        return [s.strip() for s in items if s.strip()], None
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        return [str(v).strip() for v in value], None
    return None, "must be a list of text"


def _to_bool(value: Any, spec: Field, from_csv: bool) -> Coerced:
    if isinstance(value, bool):
        return value, None
    if isinstance(value, str | int):
        word = str(value).strip().casefold()
        if word in TRUE_WORDS:
            return True, None
        if word in FALSE_WORDS:
            return False, None
    return None, f"must be true or false, not '{value}'"


def _to_number(value: Any, spec: Field, from_csv: bool) -> Coerced:
    if isinstance(value, bool):
        return None, "must be a number, not true/false"
    if isinstance(value, str):
        text = value.strip().replace(",", "").replace("_", "")
        try:
            num: float = float(text)
        except ValueError:
            return None, f"must be a number in plain digits, not '{value}'"
        value = int(num) if num.is_integer() else num
    if not isinstance(value, int | float):
        return None, f"must be a number, not {type(value).__name__}"
    if not math.isfinite(value):
        return None, f"must be a finite number, not {value}"
    if abs(value) > MAX_NUMBER:
        return None, _too_big(value)
    whole = float(value).is_integer()
    if spec.type == INT and not whole:
        return None, f"must be a whole number, not {value}"
    return (int(value) if spec.type == INT or whole else value), None


def _to_date(value: Any, spec: Field, from_csv: bool) -> Coerced:
    if isinstance(value, dt.date):
        return value.isoformat()[:10], None
    if isinstance(value, int) and 1900 <= value <= 2100:
        return str(value), None
    if isinstance(value, str) and DATE_RE.match(value.strip()):
        return value.strip(), None
    return None, f"must be a date YYYY, YYYY-MM or YYYY-MM-DD, not '{value}'"


_COERCE: dict[str, Callable[[Any, Field, bool], Coerced]] = {
    STR: _to_text,
    STRLIST: _to_text_list,
    BOOL: _to_bool,
    INT: _to_number,
    NUM: _to_number,
    DATE: _to_date,
}


#: the model's fields, kinds and relations by name, built once (looked up per item)
_NODE_SPECS = {kind: fields_of(kind) for kind in Kind}
#: the required fields of each kind besides id and kind
_REQUIRED = {
    kind: tuple(f.name for f in spec.values() if f.required and f.name not in ("id", "kind"))
    for kind, spec in _NODE_SPECS.items()
}
_EDGE_SPECS = {rel: edge_fields_of(rel) for rel in Rel}
_KINDS = {kind.value: kind for kind in Kind}
_RELS = {rel.value: rel for rel in Rel}


class Bulk(Protocol):
    """Rows of one file that add themselves to a checker in one go (a CSV table: see
    :mod:`chaingraph.dataset_fast`), with exactly the nodes, edges and problems their items
    would give one by one."""

    is_edge: bool

    def add_to(self, checker: Checker) -> None: ...


def _same_or(text: str, other: str) -> str:
    """``text`` when ``other`` equals it, else ``other`` (one str kept, not two)."""
    return text if other == text else other


class Checker:
    """Turns items into a graph, collecting problems."""

    def __init__(self, folder: Path, problems: list[Problem]) -> None:
        self.folder = folder
        self.problems = problems
        self.G: ChainGraph = nx.MultiDiGraph()
        #: node id -> where it was read (kept small, see node_places)
        self.where: MutableMapping[str, Location] = NodePlaces()
        #: node id -> its kind: the same keys as ``where`` (asked instead of it, which a
        #: NodePlaces would answer by making its dict)
        self.kind_of: dict[str, str] = {}
        #: the nodes added as items, each id -> the node's own id str (see dataset_fast)
        self.item_ids: dict[str, str] = {}
        #: every edge of the dataset's own -> where it was read (all of them edges of G)
        self.edge_where = EdgePlaces()
        self.citations: list[tuple[Location, str, dict[str, Any]]] = []
        #: (where, label, owning node id, figure key, ["node/key", ...]) of figures in conflict
        self.figure_conflicts: list[tuple[Location, str, str, str, list[str]]] = []

    def problem(self, where: Location, message: str, fix: str = "") -> None:
        self.problems.append(Problem(where, message, fix))

    def check_citations(self, value: Any, where: Location, what: str) -> list[dict[str, Any]]:
        if value in (None, []):
            return []
        if not isinstance(value, list):
            self.problem(
                where,
                f"{what}: 'sources' must be a list",
                'Write sources: [{source: ID, quote: "…"}]',
            )
            return []
        out = []
        for cit in value:
            if not isinstance(cit, dict):
                self.problem(where, f"{what}: a source entry must be a mapping {{source, quote}}")
                continue
            extra = [k for k in cit if k not in CITATION_KEYS]
            if extra:
                self.problem(
                    where,
                    f"{what}: unknown key '{extra[0]}' in a source entry",
                    f"Use {', '.join(CITATION_KEYS)}",
                )
            src, quote = cit.get("source"), cit.get("quote")
            if not isinstance(src, str) or not src:
                self.problem(where, f"{what}: a source entry has no 'source'", "Name a Source id")
                continue
            if not isinstance(quote, str) or not quote.strip():
                self.problem(
                    where,
                    f"{what}: the citation of '{src}' has no quote",
                    "Add the words of the source that state the fact",
                )
                continue
            clean: dict[str, Any] = {"source": src, "quote": quote.strip()}
            about = cit.get("about")
            if isinstance(about, str):
                about = [about]
            if about is not None and not (
                isinstance(about, list) and all(isinstance(a, str) for a in about)
            ):
                self.problem(
                    where,
                    f"{what}: 'about' of the citation of '{src}' must name fields",
                    "Write about: [name] (the fields the quote supports)",
                )
                about = None
            if about is not None:
                clean["about"] = about
            if cit.get("locator") is not None:
                clean["locator"] = str(cit["locator"])
            out.append(clean)
            self.citations.append((where, what, clean))
        return out

    def check_grade(
        self, data: dict[str, Any], sources: list[Any], where: Location, what: str
    ) -> str:
        grade = data.get("grade")
        if grade == Grade.INFERRED:
            self.problem(
                where,
                f"{what} is marked inferred",
                "Inferred facts are computed by the tool, not stored; "
                "give sources or mark it template",
            )
            return str(Grade.INFERRED)
        if grade == Grade.SOURCED and not sources:
            self.problem(where, f"{what} is marked sourced but has no sources", "Add sources")
        if grade is None:
            if sources:
                return str(Grade.SOURCED)
            self.problem(
                where,
                f"{what} has no sources and no grade",
                "Add sources: [{source: ID, quote: \"…\"}] or mark it 'grade: template'",
            )
            return str(Grade.TEMPLATE)
        return str(grade)

    def check_figures(
        self, value: Any, where: Location, what: str, owner: str = ""
    ) -> list[dict[str, Any]]:
        if not isinstance(value, list):
            self.problem(where, f"{what}: 'figures' must be a list")
            return []
        out: list[dict[str, Any]] = []
        keys: set[str] = set()
        for fig in value:
            if not isinstance(fig, dict):
                self.problem(where, f"{what}: a figure must be a mapping")
                continue
            label = f"{what}, figure '{fig.get('key', '?')}'"
            for k in fig:
                if k not in FIGURE_KEYS:
                    self.problem(
                        where, f"{label}: unknown key '{k}'", f"Use {', '.join(FIGURE_KEYS)}"
                    )
            key = fig.get("key")
            if not is_valid_id(key):
                self.problem(where, f"{label}: 'key' must be a slug", f"Use {ID_RULE}")
                continue
            if key in keys:
                self.problem(
                    where, f"{label}: duplicate figure key", "Give each figure its own key"
                )
            keys.add(str(key))
            val = fig.get("value")
            if isinstance(val, bool) or not isinstance(val, int | float) or not math.isfinite(val):
                self.problem(where, f"{label}: value {val!r} is not a number", "Write digits")
                continue
            if abs(val) > MAX_NUMBER:
                self.problem(where, f"{label}: value {_too_big(val)}")
                continue
            qual = fig.get("qualifier", "exact")
            self.check_choice(where, label, "qualifier", qual, FIGURE_QUALIFIERS)
            if fig.get("compare") is not None:
                self.check_choice(where, label, "compare", fig["compare"], FIGURE_COMPARE)
            self.check_conflicts(fig, where, label, owner, str(key))
            sources = self.check_citations(fig.get("sources"), where, label)
            if not sources:
                self.problem(where, f"{label} has no sources", "Every figure needs its quote")
            clean = {k: fig[k] for k in FIGURE_KEYS if k in fig and k not in _FIGURE_WORDS}
            clean.update(self.figure_words(fig, where, label))
            clean["qualifier"] = qual
            clean["sources"] = sources
            out.append(clean)
        return out

    def figure_words(self, fig: dict[str, Any], where: Location, label: str) -> dict[str, Any]:
        """A figure's label, unit and note as text and its year as a whole year.

        Whatever passes is plain text or a number, so it can be pushed and shown as it is.
        """
        out: dict[str, Any] = {}
        for name in ("label", "unit", "note"):
            text = fig.get(name)
            if isinstance(text, bool) or not isinstance(text, str | int | float | None):
                self.problem(where, f"{label}: '{name}' must be text", f"Write {name}: …")
            elif text is not None:
                out[name] = str(text)
        year = fig.get("year")
        if isinstance(year, str) and re.fullmatch(r"[0-9]{4}", year.strip()):
            year = int(year)
        if year is not None and (
            isinstance(year, bool) or not isinstance(year, int) or not 1000 <= year <= 2999
        ):
            self.problem(
                where,
                f"{label}: year '{year}' is not a year",
                "Write the year alone, e.g. year: 2023 (a full date goes in the note)",
            )
        elif year is not None:
            out["year"] = year
        return out

    def check_choice(
        self, where: Location, label: str, name: str, value: Any, choices: Iterable[str]
    ) -> None:
        """Report a figure's ``name`` whose value is not one of ``choices``."""
        if value not in choices:
            self.problem(
                where,
                f"{label}: {name} '{value}' is not known",
                f"Use one of {', '.join(choices)}",
            )

    def check_conflicts(
        self, fig: dict[str, Any], where: Location, label: str, owner: str, key: str
    ) -> None:
        """Note a figure's ``conflicts_with`` for checking once every node is read."""
        conflicts = fig.get("conflicts_with")
        if conflicts is None:
            return
        if isinstance(conflicts, str):
            conflicts = fig["conflicts_with"] = [conflicts]
        if not isinstance(conflicts, list) or not all(isinstance(c, str) for c in conflicts):
            self.problem(
                where,
                f"{label}: 'conflicts_with' must be a list of NODE_ID/FIGURE_KEY",
                "Write a list of the other figures, e.g. conflicts_with: [NODE_ID/FIGURE_KEY]",
            )
            fig.pop("conflicts_with")
        else:
            self.figure_conflicts.append((where, label, owner, key, conflicts))

    def check_fields(
        self,
        data: dict[str, Any],
        spec: dict[str, Field],
        skip: tuple[str, ...],
        where: Location,
        label: str,
        kind: str,
        from_csv: bool,
    ) -> dict[str, Any]:
        """The item's fields coerced to their types; unknown fields and bad values reported."""
        out: dict[str, Any] = {}
        for key, value in data.items():
            if key in skip:
                continue
            if key not in spec:
                hint = did_you_mean(key, spec, f"{kind} fields: {', '.join(spec)}")
                self.problem(where, f"{label}: unknown field '{key}' for a {kind}", hint)
                continue
            if value is None:
                continue
            field = spec[key]
            if field.type == STR and type(value) is str:  # most fields: plain text
                text = value.strip()
                if not field.choices or text in field.choices:
                    out[key] = text
                    continue
            coerced, error = _coerce(value, field, from_csv)
            if error:
                self.problem(where, f"{label}: '{key}' {error}", f"Fix the value of '{key}'")
                continue
            out[key] = coerced
        return out

    def add_node(self, item: Item) -> None:
        data, where = dict(item.data), item.where
        from_csv = where.file.endswith(".csv")
        node_id = data.get("id")
        label = f"node '{node_id}'" if node_id else "a node"
        if not node_id:
            self.problem(where, "node without 'id'", f"Add 'id:' ({ID_RULE})")
            return
        if not is_valid_id(node_id):
            self.problem(where, f"id {node_id!r} is not a valid id", f"Use {ID_RULE}")
            return
        kind_name = data.get("kind")
        kind = _KINDS.get(str(kind_name))
        if kind is None:
            hint = did_you_mean(kind_name, list(Kind), f"Use one of {', '.join(Kind)}")
            self.problem(where, f"{label}: unknown kind {kind_name!r}", hint)
            return
        if node_id in self.kind_of:
            self.problem(
                where,
                f"duplicate id '{node_id}' (first defined at {self.where[node_id]})",
                "Rename one of them or merge the two entries",
            )
            return
        spec = _NODE_SPECS[kind]
        attrs: dict[str, Any] = {"kind": kind.value}
        sources = self.check_citations(data.pop("sources", None), where, label)
        figures = data.pop("figures", None)
        attrs.update(self.check_fields(data, spec, ("id", "kind"), where, label, kind, from_csv))
        for name in _REQUIRED[kind]:
            if data.get(name) is None:
                self.problem(where, f"{label}: missing required field '{name}'", f"Add '{name}:'")
        attrs["grade"] = self.check_grade(attrs, sources, where, label)
        if sources:
            attrs["sources"] = sources
        if figures is not None:
            figs = self.check_figures(figures, where, label, node_id)
            if figs:
                attrs["figures"] = figs
        # shorthands on segments become edges
        chain = attrs.pop("chain", None)
        feeds = attrs.pop("feeds", None) or []
        self.G.add_node(node_id, **attrs)
        put(self.where, node_id, where)
        self.kind_of[node_id] = kind.value
        self.item_ids[node_id] = node_id
        edge_base = {"grade": attrs["grade"]} | ({"sources": sources} if sources else {})
        if chain:
            self.pending_edges.append(
                Item(
                    {"from": chain, "rel": Rel.HAS_SEGMENT.value, "to": node_id} | edge_base,
                    where,
                    True,
                )
            )
        for target in feeds:
            self.pending_edges.append(
                Item(
                    {"from": node_id, "rel": Rel.FEEDS.value, "to": target} | edge_base, where, True
                )
            )

    pending_edges: list[Item]

    def add_edge(self, item: Item) -> None:
        data, where = dict(item.data), item.where
        from_csv = where.file.endswith(".csv")
        u, rel_name, v = data.get("from"), data.get("rel"), data.get("to")
        label = f"edge {u} -{rel_name}-> {v}"
        if not (u and rel_name and v):
            missing = "from" if not u else "rel" if not rel_name else "to"
            self.problem(where, f"{label}: missing '{missing}'", "Every edge needs from, rel, to")
            return
        u, v = str(u), str(v)
        rel_value = str(rel_name)
        rel = _RELS.get(rel_value)
        if rel is None:
            hint = did_you_mean(rel_name, list(Rel), f"Use one of {', '.join(Rel)}")
            self.problem(where, f"{label}: unknown relation {rel_name!r}", hint)
            return
        ku, kv = self.kind_of.get(u), self.kind_of.get(v)
        if ku is None or kv is None:
            for end, known in ((u, ku), (v, kv)):
                if known is None:
                    hint = did_you_mean(end, self.G.nodes, "Define that node or fix the id")
                    self.problem(where, f"{label}: unknown node '{end}'", hint)
            return
        spec = REL_SPECS[rel]
        if ku not in spec.sources or kv not in spec.targets:
            allowed = f"{'/'.join(spec.sources)} -> {'/'.join(spec.targets)}"
            self.problem(
                where,
                f"{label}: {rel} cannot go from a {ku} to a {kv}",
                f"{rel} links {allowed}; check the direction (edges point downstream)",
            )
            return
        key = (u, v, rel_value)
        # (an edge not in the graph is not in edge_where: that needs no look-up there)
        if self.G.has_edge(u, v, rel_value) and key in self.edge_where:
            self.problem(
                where,
                f"duplicate {label} (first at {self.edge_where[key]})",
                "Merge the two entries into one",
            )
            return
        fields = _EDGE_SPECS[rel]
        sources = self.check_citations(data.pop("sources", None), where, label)
        attrs: dict[str, Any] = {"rel": rel_value}
        attrs.update(
            self.check_fields(data, fields, ("from", "to", "rel"), where, label, rel, from_csv)
        )
        attrs["grade"] = self.check_grade(attrs, sources, where, label)
        if sources:
            attrs["sources"] = sources
        self.G.add_edge(u, v, key=rel_value, **attrs)
        self.edge_where[key] = where

    def run(self, items: Iterable[Item], bulks: Sequence[tuple[int, Bulk]] = ()) -> None:
        """Check and add every item, then the dataset-wide rules.

        ``bulks`` are (position, rows) pairs: rows read from a file that add themselves in
        one go (:mod:`chaingraph.dataset_fast`), where ``position`` items were read before
        them. Nodes come first, in the order read, then the segments' shorthand edges, then
        the edges in the order read.
        """
        self.pending_edges = []
        items = list(items)
        parts: list[list[Item] | Bulk] = []
        done = 0
        for at, bulk in bulks:
            parts += [items[done:at], bulk]
            done = at
        parts.append(items[done:])
        self.add_parts(parts, edges=False)
        for item in self.pending_edges:
            self.add_edge(item)
        self.add_parts(parts, edges=True)
        self.check_sources_text()
        self.check_citation_targets()
        self.check_names()
        self.check_segments()
        self.check_figure_conflicts()

    def add_parts(self, parts: list[list[Item] | Bulk], edges: bool) -> None:
        """Add the nodes (or the edges) of every part, in order."""
        for part in parts:
            if isinstance(part, list):
                for item in part:
                    if item.is_edge == edges:
                        (self.add_edge if edges else self.add_node)(item)
            elif part.is_edge == edges:
                part.add_to(self)

    def check_sources_text(self) -> None:
        # the Source nodes that name a text file, from networkx's own map of nodes (not its
        # node view's tuples): at 10^6 firms most nodes are not sources
        G: Any = self.G
        source = Kind.SOURCE.value
        texts = [(n, a) for n, a in G._node.items() if a["kind"] == source and a.get("text_file")]
        for node_id, attrs in texts:
            if "text" in attrs:
                continue  # an included dataset's source, read and checked there
            if not inside_folder(attrs["text_file"]):
                self.problem(
                    self.where[node_id],
                    f"source '{node_id}': text_file '{attrs['text_file']}' is outside the dataset",
                    "Give a relative path inside the dataset folder, e.g. sources/article.txt",
                )
                continue
            path = self.folder / attrs["text_file"]
            if real := link_outside(path, self.folder):
                self.problem(
                    self.where[node_id],
                    f"source '{node_id}': text_file '{attrs['text_file']}' is a link to "
                    f"'{real}', outside the dataset; it was not read",
                    "Copy the document's text into the dataset folder instead of linking to it",
                )
                continue
            if not path.is_file():
                self.problem(
                    self.where[node_id],
                    f"source '{node_id}': text_file '{attrs['text_file']}' does not exist",
                    "Put the document's text there (path relative to the dataset folder)",
                )
                continue
            try:
                attrs["text"] = read_text(path, path.relative_to(self.folder).as_posix())
            except InvalidGraphData as exc:
                self.problem(self.where[node_id], str(exc))

    def check_citation_targets(self) -> None:
        keys: dict[str, str] = {}
        #: each cited id: a Source node's attributes, or None (a row cites the same few)
        cited: dict[str, dict[str, Any] | None] = {}
        node = self.G.nodes
        for where, what, cit in self.citations:
            src = cit["source"]
            if src not in cited:
                attrs = node[src] if src in self.G else None
                cited[src] = attrs if attrs is not None and attrs["kind"] == Kind.SOURCE else None
            found = cited[src]
            if found is None:
                sources = [n for n, a in self.G.nodes(data=True) if a["kind"] == Kind.SOURCE]
                hint = did_you_mean(src, sources, "Add a Source node with that id")
                self.problem(where, f"{what}: unknown source '{src}'", hint)
                continue
            text = found.get("text")
            if text is None:
                continue  # a source without text (e.g. an imported spreadsheet): not checkable
            if src not in keys:
                keys[src] = quote_key(text)
            if quote_key(cit["quote"]) not in keys[src]:
                short = cit["quote"] if len(cit["quote"]) <= 40 else cit["quote"][:40] + "…"
                self.problem(
                    where,
                    f"{what}: quote \"{short}\" does not occur in source '{src}'",
                    "Copy the words exactly from the source text "
                    "(line breaks and width are ignored)",
                )

    def check_figure_conflicts(self) -> None:
        """Each ``conflicts_with`` names an existing figure that names this one back."""
        declared: set[tuple[str, str]] = set()
        for _, _, owner, key, others in self.figure_conflicts:
            for other in others:
                declared.add((f"{owner}/{key}", other))
        for where, label, owner, key, others in self.figure_conflicts:
            for other in others:
                node_id, sep, other_key = other.partition("/")
                figs = self.G.nodes[node_id].get("figures") or [] if node_id in self.G else []
                if not sep or not any(f.get("key") == other_key for f in figs):
                    self.problem(
                        where,
                        f"{label}: conflicts_with '{other}' names no figure",
                        "Write NODE_ID/FIGURE_KEY of a figure in this dataset",
                    )
                elif (other, f"{owner}/{key}") not in declared:
                    self.problem(
                        where,
                        f"{label}: conflicts with '{other}', which does not name it back",
                        f"Add conflicts_with: [{owner}/{key}] to figure '{other}' too, "
                        "so that both show the conflict",
                    )

    def check_names(self, only: set[str] | None = None) -> None:
        """Report each name or alias (normalised) that several nodes use; with ``only``, just
        the names of those nodes (the rest are known to be distinct)."""
        user: dict[str, str] = {}  # name -> the first node using it
        shared: dict[str, set[str]] = {}  # name -> every node using it, when several do
        owners: list[str] = []  # the node of each name, in order
        names: list[str] = []
        G: Any = self.G  # networkx's own map of nodes, not its node view's tuples
        for node_id, attrs in G._node.items():
            name, name_en, aliases = attrs.get("name"), attrs.get("name_en"), attrs.get("aliases")
            if name:
                owners.append(node_id)
                names.append(str(name))
            if name_en:
                owners.append(node_id)
                names.append(str(name_en))
            for name in aliases or ():
                if name:
                    owners.append(node_id)
                    names.append(str(name))
        # folded a block at a time, a name that folds to itself its own key: at 10^6 names
        # the folded copies of them all would be ~250 MB beside the whole graph
        for start in range(0, len(names), 4096):
            block = names[start : start + 4096]
            keys = map(_same_or, block, normalize_texts(block))
            for node_id, key in zip(owners[start : start + 4096], keys, strict=True):
                owner = user.setdefault(key, node_id)
                if owner != node_id:
                    shared.setdefault(key, {owner}).add(node_id)
        for name, ids in sorted(shared.items()):
            if only is None or not ids.isdisjoint(only):
                first, *others = sorted(ids, key=lambda i: (str(self.where[i]), i))
                self.problem(
                    self.where[others[0]],
                    f"name or alias '{name}' is used by {', '.join(sorted(ids))}",
                    f"Make the names distinct (first used by '{first}' at {self.where[first]})",
                )

    def check_segments(self) -> None:
        # each node's kind and each predecessor's key dict looked up in networkx's own dicts,
        # not made into tuples through views: most nodes are firms, and a segment's firms
        # are most of its in-edges
        G: Any = self.G
        segment = Kind.SEGMENT.value
        segments = [n for n, attrs in G._node.items() if attrs["kind"] == segment]
        pred = G._pred
        for node_id in segments:
            chains = [u for u, keys in pred[node_id].items() if Rel.HAS_SEGMENT in keys]
            if not chains:
                self.problem(
                    self.where[node_id],
                    f"segment '{node_id}' belongs to no chain",
                    "Add 'chain: <chain id>' to it (or a HAS_SEGMENT edge)",
                )
            elif len(chains) > 1:
                self.problem(
                    self.where[node_id],
                    f"segment '{node_id}' belongs to several chains: {', '.join(sorted(chains))}",
                    "A segment belongs to one chain; split it into one segment per chain",
                )
        # FEEDS links segments only: their out-edges, in the order of G.edges
        succ = self.G.succ
        feeds = nx.DiGraph(
            (u, v) for u in segments for v, keys in succ[u].items() if Rel.FEEDS in keys
        )
        try:
            cycle = nx.find_cycle(feeds)
        except nx.NetworkXNoCycle:
            return
        loop = " -> ".join([str(u) for u, _ in cycle] + [str(cycle[0][0])])
        self.problem(
            self.edge_where.get((str(cycle[-1][0]), str(cycle[-1][1]), "FEEDS"), Location("?")),
            f"FEEDS cycle: {loop}",
            "Segments feed downstream only; remove or reverse one of these links",
        )
