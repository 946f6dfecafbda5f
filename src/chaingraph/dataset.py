"""Read, check and write the dataset folders people edit by hand (YAML + CSV).

The format is documented in ``graphs/README.md``. Reading never stops at the first problem:
:func:`load_dataset` collects every problem with its file, line and fix, so one
``chaingraph validate`` run lists them all. :func:`read_graph` is the strict entry point the
stores use: it raises :class:`~chaingraph.errors.InvalidGraphData` if anything is wrong.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import math
import os
import re
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import networkx as nx
import yaml

from .errors import InvalidGraphData
from .model import (
    BOOL,
    DATE,
    FIGURE_COMPARE,
    FIGURE_QUALIFIERS,
    ID_RULE,
    INT,
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
    normalize_text,
    quote_key,
)

MANIFEST = "dataset.yaml"
LIST_SEP = "|"
CITATION_KEYS = ("source", "quote", "about", "locator")
FIGURE_KEYS = ("key", "label", "value", "unit", "qualifier", "year", "compare", "note", "sources")
TRUE_WORDS = {"true", "yes", "y", "1", "是", "t"}
FALSE_WORDS = {"false", "no", "n", "0", "否", "f"}
DATE_RE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_LINE = "__line__"


# --- reading files ------------------------------------------------------------------------


class _LineLoader(yaml.SafeLoader):
    """A safe YAML loader that records the line of every mapping under ``__line__``."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    mapping: dict[Any, Any] = loader.construct_mapping(node, deep=True)
    mapping[_LINE] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _strip_lines(value: Any) -> Any:
    """Remove the ``__line__`` bookkeeping from a parsed value."""
    if isinstance(value, dict):
        return {k: _strip_lines(v) for k, v in value.items() if k != _LINE}
    if isinstance(value, list):
        return [_strip_lines(v) for v in value]
    return value


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


@dataclass
class Item:
    """One node or edge as read from a file, before checks."""

    data: dict[str, Any]
    where: Location
    is_edge: bool


@dataclass
class Dataset:
    """A dataset folder read into a graph, with every problem found on the way."""

    folder: Path
    name: str = ""
    title: str = ""
    description: str = ""
    graph: ChainGraph = field(default_factory=nx.MultiDiGraph)
    problems: list[Problem] = field(default_factory=list)
    node_locations: dict[str, Location] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when no problem was found."""
        return not self.problems


class _Reader:
    """Collects items and problems from one dataset folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.items: list[Item] = []
        self.problems: list[Problem] = []
        self.manifest: dict[str, Any] = {}

    def rel(self, path: Path) -> str:
        try:
            return path.relative_to(self.folder).as_posix()
        except ValueError:
            return str(path)

    def problem(self, where: Location, message: str, fix: str = "") -> None:
        self.problems.append(Problem(where, message, fix))

    def files(self) -> Iterator[Path]:
        for root, dirs, names in os.walk(self.folder):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(names):
                if not name.startswith("."):
                    yield Path(root) / name

    def read(self) -> None:
        manifest = self.folder / MANIFEST
        if manifest.is_file():
            self.read_manifest(manifest)
        else:
            self.problem(
                Location(str(self.folder)),
                f"no {MANIFEST} in this folder",
                f"Create {MANIFEST} with 'name: <slug>' and 'title: …' (see graphs/README.md)",
            )
        for path in self.files():
            if path.name == MANIFEST and path.parent == self.folder:
                continue
            suffix = path.suffix.lower()
            try:
                if suffix in (".yaml", ".yml"):
                    self.read_yaml(path)
                elif suffix == ".csv":
                    self.read_csv(path)
            except InvalidGraphData as exc:
                self.problem(Location(self.rel(path)), str(exc).split(": ", 1)[-1])

    def load_yaml(self, path: Path) -> Any:
        rel = self.rel(path)
        text = read_text(path, rel)
        try:
            return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark is not None else None
            what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            self.problem(
                Location(rel, line),
                f"malformed YAML: {what}",
                "Fix the syntax there (indentation, a missing ':' or an unclosed quote)",
            )
            return None

    def read_manifest(self, path: Path) -> None:
        data = self.load_yaml(path)
        rel = self.rel(path)
        if data is None:
            return
        if not isinstance(data, dict):
            self.problem(Location(rel, 1), "must be a mapping", "Write 'name: …' and 'title: …'")
            return
        data = _strip_lines(data)
        self.manifest = data
        name = data.get("name")
        if not is_valid_id(name):
            self.problem(
                Location(rel, 1),
                f"dataset name {name!r} is not a valid slug",
                f"Use {ID_RULE}",
            )
        for key in data:
            if key not in ("name", "title", "description"):
                self.problem(
                    Location(rel), f"unknown key '{key}'", "Use only name, title, description"
                )

    def read_yaml(self, path: Path) -> None:
        rel = self.rel(path)
        data = self.load_yaml(path)
        if data is None:
            return
        if not isinstance(data, dict):
            self.problem(
                Location(rel, 1),
                "a data file must be a mapping with 'nodes:' and/or 'edges:'",
                "See graphs/README.md",
            )
            return
        default_grade = data.get("grade")
        if default_grade is not None and default_grade not in (Grade.TEMPLATE, Grade.SOURCED):
            self.problem(
                Location(rel, data.get(_LINE)),
                f"file grade {default_grade!r} is not allowed",
                "Use 'grade: template' (sourced items carry sources instead)",
            )
            default_grade = None
        for key in data:
            if key not in ("nodes", "edges", "grade", _LINE):
                hint = did_you_mean(key, ["nodes", "edges", "grade"], "Use nodes, edges or grade")
                self.problem(Location(rel, data[_LINE]), f"unknown top-level key '{key}'", hint)
        for key, is_edge in (("nodes", False), ("edges", True)):
            entries = data.get(key)
            if entries is None:
                continue
            if not isinstance(entries, list):
                self.problem(
                    Location(rel, data[_LINE]),
                    f"'{key}' must be a list",
                    f"Start each {key[:-1]} with '- '",
                )
                continue
            for entry in entries:
                if not isinstance(entry, dict):
                    self.problem(
                        Location(rel),
                        f"an entry of '{key}' is {type(entry).__name__}, not a mapping",
                        "Write each entry as 'key: value' lines",
                    )
                    continue
                line = entry.get(_LINE)
                clean = _strip_lines(entry)
                if default_grade and "grade" not in clean and not clean.get("sources"):
                    clean["grade"] = default_grade
                self.items.append(Item(clean, Location(rel, line), is_edge))

    def read_csv(self, path: Path) -> None:
        rel = self.rel(path)
        text = read_text(path, rel)
        reader = csv.reader(io.StringIO(text, newline=""))
        try:
            rows = list(reader)
        except csv.Error as exc:
            self.problem(
                Location(rel, reader.line_num or None),
                f"malformed CSV: {exc}",
                'Check for an unclosed quote (") near that line',
            )
            return
        if not rows:
            self.problem(Location(rel), "empty CSV file", "Add a header row or delete the file")
            return
        header = [h.strip() for h in rows[0]]
        if {"from", "rel", "to"} <= set(header):
            is_edge = True
        elif {"id", "kind", "name"} <= set(header):
            is_edge = False
        else:
            self.problem(
                Location(rel, 1),
                f"header {header} has neither id,kind,name (nodes) nor from,rel,to (edges)",
                "Name the columns as in graphs/README.md",
            )
            return
        for number, row in enumerate(rows[1:], start=2):
            if not any(cell.strip() for cell in row):
                continue
            if len(row) > len(header):
                self.problem(
                    Location(rel, number),
                    f"{len(row)} cells but the header has {len(header)}",
                    "Quote cells that contain commas",
                )
                continue
            data: dict[str, Any] = {}
            for col, cell in zip(header, row, strict=False):
                cell = cell.strip()
                if cell:
                    data[col] = cell
            source, quote = data.pop("source", None), data.pop("quote", None)
            locator = data.pop("locator", None)
            if source or quote:
                citation = {"source": source or "", "quote": quote or ""}
                if locator:
                    citation["locator"] = locator
                data["sources"] = [citation]
            self.items.append(Item(data, Location(rel, number), is_edge))


def did_you_mean(value: object, choices: Iterable[object], otherwise: str) -> str:
    """A hint naming the closest choice to a wrong value, else ``otherwise``.

    >>> did_you_mean("Frim", ["Firm", "Chain"], "Use a kind")
    "Did you mean 'Firm'?"
    """
    close = difflib.get_close_matches(str(value), [str(c) for c in choices], 1)
    return f"Did you mean '{close[0]}'?" if close else otherwise


# --- checking values --------------------------------------------------------------------


def _coerce(value: Any, spec: Field, from_csv: bool) -> tuple[Any, str | None]:
    """Return (value in the field's type, None) or (None, what is wrong)."""
    t = spec.type
    if t == STR:
        if isinstance(value, str):
            out = value.strip()
        elif isinstance(value, int | float) and not isinstance(value, bool) and from_csv:
            out = str(value)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            out = str(value)  # YAML read 2020 as a number where text was meant
        else:
            return None, f"must be text, not {type(value).__name__}"
        if spec.choices and out not in spec.choices:
            return None, f"must be one of {', '.join(spec.choices)}, not '{out}'"
        return out, None
    if t == STRLIST:
        if isinstance(value, str):
            items = value.split(LIST_SEP) if from_csv else [value]
            return [s.strip() for s in items if s.strip()], None
        if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
            return [str(v).strip() for v in value], None
        return None, "must be a list of text"
    if t == BOOL:
        if isinstance(value, bool):
            return value, None
        if isinstance(value, str | int):
            word = str(value).strip().casefold()
            if word in TRUE_WORDS:
                return True, None
            if word in FALSE_WORDS:
                return False, None
        return None, f"must be true or false, not '{value}'"
    if t in (INT, NUM):
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
        if t == INT and not float(value).is_integer():
            return None, f"must be a whole number, not {value}"
        return (int(value) if t == INT or float(value).is_integer() else value), None
    if t == DATE:
        if isinstance(value, dt.date):
            return value.isoformat()[:10], None
        if isinstance(value, int) and 1900 <= value <= 2100:
            return str(value), None
        if isinstance(value, str) and DATE_RE.match(value.strip()):
            return value.strip(), None
        return None, f"must be a date YYYY, YYYY-MM or YYYY-MM-DD, not '{value}'"
    raise AssertionError(f"unknown field type {t}")


class _Checker:
    """Turns items into a graph, collecting problems."""

    def __init__(self, reader: _Reader) -> None:
        self.reader = reader
        self.problems = reader.problems
        self.G: ChainGraph = nx.MultiDiGraph()
        self.where: dict[str, Location] = {}
        self.edge_where: dict[tuple[str, str, str], Location] = {}
        self.citations: list[tuple[Location, str, dict[str, Any]]] = []

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
            if about is not None:
                clean["about"] = [about] if isinstance(about, str) else [str(a) for a in about]
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

    def check_figures(self, value: Any, where: Location, what: str) -> list[dict[str, Any]]:
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
            qual = fig.get("qualifier", "exact")
            if qual not in FIGURE_QUALIFIERS:
                self.problem(
                    where,
                    f"{label}: qualifier '{qual}' is not known",
                    f"Use one of {', '.join(FIGURE_QUALIFIERS)}",
                )
            compare = fig.get("compare")
            if compare is not None and compare not in FIGURE_COMPARE:
                self.problem(
                    where,
                    f"{label}: compare '{compare}' is not known",
                    f"Use one of {', '.join(FIGURE_COMPARE)}",
                )
            sources = self.check_citations(fig.get("sources"), where, label)
            if not sources:
                self.problem(where, f"{label} has no sources", "Every figure needs its quote")
            clean = {k: fig[k] for k in FIGURE_KEYS if k in fig and k != "sources"}
            clean["qualifier"] = qual
            clean["sources"] = sources
            out.append(clean)
        return out

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
            coerced, error = _coerce(value, spec[key], from_csv)
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
        try:
            kind = Kind(str(kind_name))
        except ValueError:
            hint = did_you_mean(kind_name, list(Kind), f"Use one of {', '.join(Kind)}")
            self.problem(where, f"{label}: unknown kind {kind_name!r}", hint)
            return
        if node_id in self.where:
            self.problem(
                where,
                f"duplicate id '{node_id}' (first defined at {self.where[node_id]})",
                "Rename one of them or merge the two entries",
            )
            return
        spec = fields_of(kind)
        attrs: dict[str, Any] = {"kind": kind.value}
        sources = self.check_citations(data.pop("sources", None), where, label)
        figures = data.pop("figures", None)
        attrs.update(self.check_fields(data, spec, ("id", "kind"), where, label, kind, from_csv))
        for f in spec.values():
            if f.required and data.get(f.name) is None and f.name not in ("id", "kind"):
                self.problem(
                    where, f"{label}: missing required field '{f.name}'", f"Add '{f.name}:'"
                )
        attrs["grade"] = self.check_grade(attrs, sources, where, label)
        if sources:
            attrs["sources"] = sources
        if figures is not None:
            figs = self.check_figures(figures, where, label)
            if figs:
                attrs["figures"] = figs
        # shorthands on segments become edges
        chain = attrs.pop("chain", None)
        feeds = attrs.pop("feeds", None) or []
        self.G.add_node(node_id, **attrs)
        self.where[node_id] = where
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
        missing = [k for k, val in (("from", u), ("rel", rel_name), ("to", v)) if not val]
        if missing:
            self.problem(
                where, f"{label}: missing '{missing[0]}'", "Every edge needs from, rel, to"
            )
            return
        u, v = str(u), str(v)
        try:
            rel = Rel(str(rel_name))
        except ValueError:
            hint = did_you_mean(rel_name, list(Rel), f"Use one of {', '.join(Rel)}")
            self.problem(where, f"{label}: unknown relation {rel_name!r}", hint)
            return
        ok = True
        for end in (u, v):
            if end not in self.G:
                hint = did_you_mean(end, self.G.nodes, "Define that node or fix the id")
                self.problem(where, f"{label}: unknown node '{end}'", hint)
                ok = False
        if not ok:
            return
        spec = REL_SPECS[rel]
        ku, kv = self.G.nodes[u]["kind"], self.G.nodes[v]["kind"]
        if ku not in spec.sources or kv not in spec.targets:
            allowed = f"{'/'.join(spec.sources)} -> {'/'.join(spec.targets)}"
            self.problem(
                where,
                f"{label}: {rel} cannot go from a {ku} to a {kv}",
                f"{rel} links {allowed}; check the direction (edges point downstream)",
            )
            return
        key = (str(u), str(v), rel.value)
        if key in self.edge_where:
            self.problem(
                where,
                f"duplicate {label} (first at {self.edge_where[key]})",
                "Merge the two entries into one",
            )
            return
        fields = edge_fields_of(rel)
        sources = self.check_citations(data.pop("sources", None), where, label)
        attrs: dict[str, Any] = {"rel": rel.value}
        attrs.update(
            self.check_fields(data, fields, ("from", "to", "rel"), where, label, rel, from_csv)
        )
        attrs["grade"] = self.check_grade(attrs, sources, where, label)
        if sources:
            attrs["sources"] = sources
        self.G.add_edge(u, v, key=rel.value, **attrs)
        self.edge_where[key] = where

    def run(self, items: Iterable[Item]) -> None:
        self.pending_edges = []
        items = list(items)
        for item in items:
            if not item.is_edge:
                self.add_node(item)
        for item in [*self.pending_edges, *(i for i in items if i.is_edge)]:
            self.add_edge(item)
        self.check_sources_text()
        self.check_citation_targets()
        self.check_names()
        self.check_segments()

    def check_sources_text(self) -> None:
        for node_id, attrs in self.G.nodes(data=True):
            if str(attrs["kind"]) != Kind.SOURCE or not attrs.get("text_file"):
                continue
            if not inside_folder(attrs["text_file"]):
                self.problem(
                    self.where[node_id],
                    f"source '{node_id}': text_file '{attrs['text_file']}' is outside the dataset",
                    "Give a relative path inside the dataset folder, e.g. sources/article.txt",
                )
                continue
            path = self.reader.folder / attrs["text_file"]
            if not path.is_file():
                self.problem(
                    self.where[node_id],
                    f"source '{node_id}': text_file '{attrs['text_file']}' does not exist",
                    "Put the document's text there (path relative to the dataset folder)",
                )
                continue
            try:
                attrs["text"] = read_text(path, self.reader.rel(path))
            except InvalidGraphData as exc:
                self.problem(self.where[node_id], str(exc))

    def check_citation_targets(self) -> None:
        keys: dict[str, str] = {}
        for where, what, cit in self.citations:
            src = cit["source"]
            if src not in self.G or self.G.nodes[src]["kind"] != Kind.SOURCE:
                sources = [n for n, a in self.G.nodes(data=True) if a["kind"] == Kind.SOURCE]
                hint = did_you_mean(src, sources, "Add a Source node with that id")
                self.problem(where, f"{what}: unknown source '{src}'", hint)
                continue
            text = self.G.nodes[src].get("text")
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

    def check_names(self) -> None:
        owners: dict[str, set[str]] = defaultdict(set)
        for node_id, attrs in self.G.nodes(data=True):
            names = [attrs.get("name", ""), attrs.get("name_en", ""), *(attrs.get("aliases") or ())]
            for name in names:
                if name:
                    owners[normalize_text(str(name))].add(node_id)
        for name, ids in sorted(owners.items()):
            if len(ids) > 1:
                first, *others = sorted(ids, key=lambda i: (str(self.where[i]), i))
                self.problem(
                    self.where[others[0]],
                    f"name or alias '{name}' is used by {', '.join(sorted(ids))}",
                    f"Make the names distinct (first used by '{first}' at {self.where[first]})",
                )

    def check_segments(self) -> None:
        for node_id, attrs in self.G.nodes(data=True):
            if attrs["kind"] != Kind.SEGMENT:
                continue
            chains = [u for u, _, k in self.G.in_edges(node_id, keys=True) if k == Rel.HAS_SEGMENT]
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
        feeds = nx.DiGraph((u, v) for u, v, k in self.G.edges(keys=True) if k == Rel.FEEDS)
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


def load_dataset(path: str | os.PathLike[str]) -> Dataset:
    """Read a dataset folder into a graph, collecting every problem.

    Parameters
    ----------
    path : path-like
        The dataset folder (holding ``dataset.yaml``).

    Returns
    -------
    Dataset
        ``graph`` holds what could be read; ``problems`` lists what is wrong (empty when the
        dataset is valid). Raises InvalidGraphData only when ``path`` is not a folder.
    """
    folder = Path(path)
    if not folder.exists():
        raise InvalidGraphData(
            f"Dataset folder '{folder}' does not exist. Give the path of a folder with "
            f"{MANIFEST} (e.g. graphs/shengzhou)"
        )
    if not folder.is_dir():
        raise InvalidGraphData(
            f"'{folder}' is a file, not a dataset folder. Give the folder that holds {MANIFEST}"
        )
    reader = _Reader(folder)
    reader.read()
    if not reader.items:
        reader.problem(Location(str(folder)), "the dataset holds no nodes", "Add YAML or CSV files")
    checker = _Checker(reader)
    checker.run(reader.items)
    G = checker.G
    name = str(reader.manifest.get("name") or folder.name)
    G.graph.update({"dataset": name, "title": str(reader.manifest.get("title") or "")})
    return Dataset(
        folder=folder,
        name=name,
        title=str(reader.manifest.get("title") or ""),
        description=str(reader.manifest.get("description") or ""),
        graph=G,
        problems=reader.problems,
        node_locations=checker.where,
    )


def validate(path: str | os.PathLike[str]) -> list[Problem]:
    """Every problem of a dataset folder (empty list: valid)."""
    return load_dataset(path).problems


def read_graph(path: str | os.PathLike[str]) -> ChainGraph:
    """The graph of a valid dataset folder; raises InvalidGraphData naming the first problems."""
    ds = load_dataset(path)
    if ds.problems:
        raise invalid(ds.folder, ds.problems)
    return ds.graph


def invalid(folder: Path, problems: list[Problem]) -> InvalidGraphData:
    """One error for a failed load: the first problem and how many more there are."""
    more = len(problems) - 1
    tail = (
        f" (and {more} more problem{'s' if more > 1 else ''}: run 'chaingraph validate {folder}')"
    )
    return InvalidGraphData(f"{folder}/{problems[0]}" + (tail if more else ""), problems)


# --- writing ------------------------------------------------------------------------------

FILE_OF_KIND = {
    Kind.SOURCE: "sources.yaml",
    Kind.ZONE: "zone.yaml",
    Kind.PARK: "zone.yaml",
    Kind.PLATFORM: "zone.yaml",
    Kind.CHAIN: "chains.yaml",
    Kind.SEGMENT: "chains.yaml",
    Kind.FIRM: "firms.yaml",
    Kind.PROJECT: "projects.yaml",
}
NODE_KEY_ORDER = ("id", "kind", "name", "name_en", "aliases")
NODE_TAIL = ("grade", "note", "sources", "figures")


class _Dumper(yaml.SafeDumper):
    """Block style, Chinese unescaped, multi-line text as literal blocks."""


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_representer)


def _ordered_node(node_id: str, attrs: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"id": node_id}
    for key in NODE_KEY_ORDER[1:]:
        if key in attrs:
            out[key] = attrs[key]
    for key in sorted(attrs):
        if key not in out and key not in NODE_TAIL and key != "text":
            out[key] = attrs[key]
    for key in NODE_TAIL:
        if key in attrs and (key != "grade" or not attrs.get("sources")):
            out[key] = attrs[key]
    return out


def _ordered_edge(u: str, v: str, attrs: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"from": u, "rel": attrs["rel"], "to": v}
    for key in sorted(attrs):
        if key not in out and key not in ("rel", "grade", "sources"):
            out[key] = attrs[key]
    if attrs.get("grade") and not attrs.get("sources"):
        out["grade"] = attrs["grade"]
    if attrs.get("sources"):
        out["sources"] = attrs["sources"]
    return out


def dataset_files(
    G: ChainGraph, name: str, title: str = "", description: str = ""
) -> dict[str, str]:
    """The files (relative path -> text) of a dataset folder holding G.

    Nodes go to one YAML file per group of kinds, edges to ``relations.yaml``, and the text of
    each Source to ``sources/<id>.txt``. Inferred edges are left out: they are never stored.
    """
    manifest = {"name": name, "title": title or name}
    if description:
        manifest["description"] = description
    files: dict[str, str] = {MANIFEST: _dump(manifest)}
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for node_id in sorted(G.nodes, key=lambda n: (list(Kind).index(Kind(G.nodes[n]["kind"])), n)):
        attrs = dict(G.nodes[node_id])
        if attrs["kind"] == Kind.SOURCE and "text" in attrs:
            rel = attrs.get("text_file") or ""
            if not inside_folder(rel):  # never write outside the folder, whatever a store holds
                rel = f"sources/{node_id}.txt"
            attrs["text_file"] = rel
            files[rel] = attrs["text"]
        groups[FILE_OF_KIND[Kind(attrs["kind"])]].append(_ordered_node(node_id, attrs))
    for fname, nodes in groups.items():
        files[fname] = _dump({"nodes": nodes})
    edges = [
        _ordered_edge(u, v, d)
        for u, v, d in sorted(G.edges(data=True), key=lambda e: (e[2]["rel"], e[0], e[1]))
        if d.get("grade") != Grade.INFERRED
    ]
    if edges:
        files["relations.yaml"] = _dump({"edges": edges})
    return files


def inside_folder(rel: str) -> bool:
    """True for a relative path that stays inside its folder (no absolute path, no '..').

    >>> inside_folder("sources/a.txt"), inside_folder("../a.txt"), inside_folder("/etc/x")
    (True, False, False)
    """
    path = PurePosixPath(str(rel).replace("\\", "/"))
    return bool(rel) and not path.is_absolute() and ".." not in path.parts and ":" not in rel


def _dump(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100, indent=2)


def write_dataset(
    G: ChainGraph,
    folder: str | os.PathLike[str],
    name: str,
    title: str = "",
    description: str = "",
) -> list[Path]:
    """Write G as a dataset folder; returns the files written.

    The folder must not exist or be empty (nothing is overwritten). Files are written to a
    temporary folder first and moved into place, so a failure leaves nothing half-written.
    """
    target = Path(folder)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise InvalidGraphData(
            f"'{target}' exists and is not empty. Give a new folder name, or remove it first"
        )
    files = dataset_files(G, name, title, description)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".chaingraph-", dir=target.parent))
    try:
        for rel, text in files.items():
            path = tmp / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        if target.exists():
            target.rmdir()
        tmp.rename(target)
    except BaseException:
        for p in sorted(tmp.rglob("*"), reverse=True):
            p.unlink() if p.is_file() else p.rmdir()
        tmp.rmdir()
        raise
    return [target / rel for rel in files]
