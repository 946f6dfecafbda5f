"""Read, check and write the dataset folders people edit by hand (YAML + CSV).

The format is documented in ``graphs/README.md``. Reading never stops at the first problem:
:func:`load_dataset` collects every problem with its file, line and fix, so one
``chaingraph validate`` run lists them all. :func:`read_graph` is the strict entry point the
stores use: it raises :class:`~chaingraph.errors.InvalidGraphData` if anything is wrong.
The checks themselves (values, citations, names, segments) live in
:mod:`chaingraph.dataset_check`.
"""

from __future__ import annotations

import contextlib
import csv
import ctypes
import os
import re
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path, PurePosixPath
from typing import Any

import networkx as nx
import yaml

from . import cache, layers, node_places, safe_yaml
from .dataset_check import (
    Checker,
    Item,
    did_you_mean,
    inside_folder,
    link_outside,
    read_text,
)
from .dataset_fast import CsvTable, Interned, first_lines, read_table
from .edge_places import EdgePlaces, pack, unpacked
from .errors import InvalidGraphData
from .model import (
    ID_RULE,
    ChainGraph,
    Grade,
    Kind,
    Location,
    Problem,
    is_valid_id,
)
from .node_places import NodePlaces

MANIFEST = "dataset.yaml"
#: top-level folder of source documents: files there are never read as data
SOURCES_DIR = "sources"


@dataclass
class Dataset:
    """A dataset folder read into a graph, with every problem found on the way."""

    folder: Path
    name: str = ""
    title: str = ""
    description: str = ""
    graph: ChainGraph = field(default_factory=nx.MultiDiGraph)
    problems: list[Problem] = field(default_factory=list)
    #: node id -> where it was read (a NodePlaces from a load: made into a dict when read)
    node_locations: MutableMapping[str, Location] = field(default_factory=NodePlaces)
    #: every include read, nested ones too: (including folder, entry, included folder, digest)
    includes_read: list[layers.IncludeRead] = field(default_factory=list)
    #: a digest of the folder's files taken before it was read ('' without the cache)
    digest: str = ""
    #: the key of this dataset in the cache ('' when it is not cached): memos are kept by it
    cache_key: str = ""
    #: True when this load wrote the dataset's cache entry, or had it written behind (with
    #: the memos asked for, see load_dataset)
    entry_written: bool = False
    #: (from, to, rel) -> where each of the dataset's own edges was read; None: not known
    #: (then a change is checked by reading the whole dataset again, see dataset_delta)
    edge_locations: Mapping[tuple[str, str, str], Location] | None = None
    #: included firm id -> the dataset's firm that is the same firm (see layers); None: not known
    merged: dict[str, str] | None = None

    @property
    def ok(self) -> bool:
        """True when no problem was found."""
        return not self.problems


class _Reader:
    """Collects items and problems from one dataset folder."""

    def __init__(
        self, folder: Path, overrides: Mapping[str, str] | None = None, tables: bool = False
    ) -> None:
        self.folder = folder
        #: relative path -> text read instead of the file ('' reads as if it were absent)
        self.overrides = dict(overrides or {})
        self.items: list[Item] = []
        self.problems: list[Problem] = []
        self.manifest: dict[str, Any] = {}
        #: CSV files kept as rows, each with the number of items read before it; None: every
        #: row is read into an item at once (see read_csv)
        self.tables: list[tuple[int, CsvTable]] | None = [] if tables else None
        #: every id cell of the tables read (a node's id, an edge's ends): one str per id
        self.ids = Interned()

    def rel(self, path: Path) -> str:
        try:
            return path.relative_to(self.folder).as_posix()
        except ValueError:
            return str(path)

    def problem(self, where: Location, message: str, fix: str = "") -> None:
        self.problems.append(Problem(where, message, fix))

    def files(self) -> Iterator[Path]:
        found: list[Path] = []
        for root, dirs, names in os.walk(self.folder):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            found += [Path(root) / n for n in sorted(names) if not n.startswith(".")]
        on_disk = {self.rel(p) for p in found}
        found += [self.folder / rel for rel in sorted(self.overrides) if rel not in on_disk]
        for path in found:
            if self.overrides.get(self.rel(path), None) != "":
                yield path

    def text(self, path: Path, rel: str) -> str:
        """A file's text: the override if there is one, else the file (see read_text)."""
        if rel in self.overrides:
            return self.overrides[rel]
        return read_text(path, rel)

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
            if path.parent == self.folder / SOURCES_DIR:
                continue  # source documents (texts, copied tables), never data
            suffix = path.suffix.lower()
            if suffix in (".yaml", ".yml", ".csv") and (real := link_outside(path, self.folder)):
                self.problem(
                    Location(self.rel(path)),
                    f"is a link to '{real}', outside the dataset; it was not read",
                    "Copy the file into the dataset folder instead of linking to it",
                )
                continue
            try:
                if suffix in (".yaml", ".yml"):
                    self.read_yaml(path)
                elif suffix == ".csv":
                    self.read_csv(path)
            except InvalidGraphData as exc:
                self.problem(Location(self.rel(path)), str(exc).split(": ", 1)[-1])
        self.ids = Interned()  # (the tables hold its names)

    def load_yaml(self, path: Path) -> Any:
        """The file's data (see :mod:`chaingraph.safe_yaml`), or None after a problem."""
        rel = self.rel(path)
        try:
            if rel in self.overrides:
                return safe_yaml.loads(self.overrides[rel], rel)
            return safe_yaml.load(path, rel)
        except safe_yaml.YamlError as exc:
            self.problem(Location(rel, exc.line), exc.detail)
            return None

    def read_manifest(self, path: Path) -> None:
        data = self.load_yaml(path)
        rel = self.rel(path)
        if data is None:
            return
        if not isinstance(data, dict):
            self.problem(Location(rel, 1), "must be a mapping", "Write 'name: …' and 'title: …'")
            return
        self.manifest = data
        name = data.get("name")
        if not is_valid_id(name):
            self.problem(
                Location(rel, 1),
                f"dataset name {name!r} is not a valid slug",
                f"Use {ID_RULE}",
            )
        for key in data:
            if key not in ("name", "title", "description", "include"):
                self.problem(
                    Location(rel),
                    f"unknown key '{key}'",
                    "Use only name, title, description, include",
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
        top = Location(rel, safe_yaml.line_of(data))
        default_grade = data.get("grade")
        if default_grade is not None and default_grade not in (Grade.TEMPLATE, Grade.SOURCED):
            self.problem(
                top,
                f"file grade {default_grade!r} is not allowed",
                "Use 'grade: template' (sourced items carry sources instead)",
            )
            default_grade = None
        for key in data:
            if key not in ("nodes", "edges", "grade"):
                hint = did_you_mean(key, ["nodes", "edges", "grade"], "Use nodes, edges or grade")
                self.problem(top, f"unknown top-level key '{key}'", hint)
        for key, is_edge in (("nodes", False), ("edges", True)):
            entries = data.get(key)
            if entries is None:
                continue
            if not isinstance(entries, list):
                self.problem(
                    top,
                    f"'{key}' must be a list",
                    f"Start each {key[:-1]} with '- '",
                )
                continue
            for entry in entries:
                if not isinstance(entry, dict):
                    self.problem(
                        Location(rel, safe_yaml.line_of(entries)),
                        f"an entry of '{key}' is {type(entry).__name__}, not a mapping",
                        "Write each entry as 'key: value' lines",
                    )
                    continue
                where = Location(rel, safe_yaml.line_of(entry))
                if default_grade and "grade" not in entry and not entry.get("sources"):
                    entry = {**entry, "grade": default_grade}  # an alias may share the entry
                self.items.append(Item(entry, where, is_edge))

    def read_csv(self, path: Path) -> None:
        rel = self.rel(path)
        if self.tables is not None:
            self.read_csv_stream(path, rel)
            return
        text = self.text(path, rel)
        reader = csv.reader(csv_lines(text))
        try:
            rows = list(reader)
        except csv.Error as exc:
            self.malformed(rel, reader.line_num, exc)
            return
        self.csv_rows(rel, rows, one_line_each=reader.line_num == len(rows))

    def read_csv_stream(self, path: Path, rel: str) -> None:
        """read_csv, the file's rows kept as a table read a chunk at a time (see
        :func:`dataset_fast.read_table`): the file is read as a stream, not as one text."""
        with contextlib.ExitStack() as stack:
            if rel in self.overrides:
                lines: Iterable[str] = csv_lines(self.overrides[rel])
            else:
                lines = stack.enter_context(path.open(encoding="utf-8-sig", newline=""))
            reader = csv.reader(lines)
            try:
                read = read_table(reader, rel, self.ids)
            except (csv.Error, UnicodeDecodeError) as exc:
                # the file is refused as a whole, as read_text refuses it first
                if rel not in self.overrides:
                    read_text(path, rel)  # not UTF-8: InvalidGraphData naming the byte
                if isinstance(exc, UnicodeDecodeError):  # (changed since: UTF-8 now)
                    raise InvalidGraphData(
                        f"{rel}: not UTF-8 at byte {exc.start} when it was read, and the "
                        "file changed meanwhile. Run the command again"
                    ) from exc
                self.malformed(rel, reader.line_num, exc)
                return
        if isinstance(read, CsvTable):
            self.tables_append(read)
        else:
            self.csv_rows(rel, read, one_line_each=reader.line_num == len(read))

    def malformed(self, rel: str, line: int, exc: csv.Error) -> None:
        self.problem(
            Location(rel, line or None),
            f"malformed CSV: {exc}",
            'Check for an unclosed quote (") near that line',
        )

    def csv_rows(self, rel: str, rows: list[list[str]], one_line_each: bool = False) -> None:
        """The items of a CSV file's rows (the cells as the csv module reads them); unless
        ``one_line_each``, the rows' lines are counted from the line breaks in their cells."""
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
        lines = None if one_line_each else first_lines(rows)
        table = CsvTable(rel, header, rows[1:], is_edge, lines and lines[1:])
        width = len(header)
        if self.tables is not None and max(map(len, table.rows), default=0) <= width:
            self.tables_append(table)
            return
        line = table.line_of()
        for index, row in enumerate(table.rows):
            if len(row) > width:
                if not "".join(row).strip():
                    continue
                self.problem(
                    Location(rel, line[index]),
                    f"{len(row)} cells but the header has {width}",
                    "Quote cells that contain commas",
                )
                continue
            item = table.item(index)
            if item is not None:
                self.items.append(item)

    def tables_append(self, table: CsvTable) -> None:
        """Keep a table's rows for the checker to prove in bulk (see dataset_fast)."""
        assert self.tables is not None
        self.tables.append((len(self.items), table))

    def items_of_nodes(self) -> None:
        """Read the rows of the kept node tables into items, in place (edge tables stay)."""
        items: list[Item] = []
        tables: list[tuple[int, CsvTable]] = []
        done = 0
        for at, table in self.tables or ():
            items += self.items[done:at]
            done = at
            if table.is_edge:
                tables.append((len(items), table))
            else:
                items += table.items()
        self.items, self.tables = items + self.items[done:], tables


#: one line of a CSV file's text, with its line break: as io.StringIO(text, newline="") splits
_LINE = re.compile(r"[^\r\n]+(?:\r\n?|\n)?|\r\n?|\n")
#: characters of text cut into lines at a time by csv_lines (about 1 MB of lines held at once)
_BLOCK = 1 << 18


def csv_lines(text: str) -> Iterator[str]:
    """The lines of ``text`` one by one, as io.StringIO(text, newline="") gives them to the
    csv module, without the copy of the whole text (4 bytes a character) a StringIO keeps.

    The text is cut after a line feed every :data:`_BLOCK` characters or so and each block
    split by ``str.splitlines``, a third faster than a regular expression's matches. That also
    splits at \v, \f, \x1c-\x1e, \x85, \u2028 and \u2029, which the csv module keeps in a
    line: a block is split so only if it then has as many lines as its \n, \r and \r\n
    breaks make (each other break would add one), else by the regular expression.
    """
    start, size = 0, len(text)
    while start < size:
        end = text.find("\n", start + _BLOCK)
        end = size if end < 0 else end + 1
        block = text[start:end]
        lines = block.splitlines(True)
        breaks = block.count("\n") + block.count("\r") - block.count("\r\n")
        if len(lines) == breaks + (block[-1] not in "\r\n"):
            yield from lines
        else:
            yield from map(re.Match.group, _LINE.finditer(block))
        start = end


def load_dataset(
    path: str | os.PathLike[str],
    overrides: Mapping[str, str] | None = None,
    *,
    write_cache: bool = True,
    memos: Mapping[str, Callable[[ChainGraph], Any]] | None = None,
) -> Dataset:
    """Read a dataset folder into a graph, collecting every problem.

    Parameters
    ----------
    path : path-like
        The dataset folder (holding ``dataset.yaml``).
    overrides : mapping, optional
        Relative path -> text to read instead of that file ('' as if it were absent): how a
        change is checked before anything is written (``import`` does).
    write_cache : bool
        False: when the cache does not hold the folder, it is read and checked as usual but
        no entry is written for it (its includes' entries still are): for a caller about to
        change the folder (``import``), whose entry would be stale at once.
    memos : mapping, optional
        Name -> a pure function of the dataset's graph, whose answer is remembered beside a
        new cache entry (:func:`chaingraph.cache.remember`, read by :func:`cache.memo`): it is
        computed by whoever writes the entry, so with the entry written behind the caller
        does not pay for it (the embedded store's stats).

    Returns
    -------
    Dataset
        ``graph`` holds what could be read; ``problems`` lists what is wrong (empty when the
        dataset is valid). Raises InvalidGraphData only when ``path`` is not a folder.

    A valid dataset is answered from :mod:`chaingraph.cache` when none of the files it was
    read from (its own, its includes', the package's code) has changed since; the graph is
    the same either way. ``overrides`` never use the cache.
    """
    if overrides:
        with cache.gc_paused():
            return _load(Path(path), (), overrides)
    return _cached(Path(path), (), write_cache, memos)


def _cached(
    folder: Path,
    stack: tuple[Path, ...],
    write: bool = True,
    memos: Mapping[str, Callable[[ChainGraph], Any]] | None = None,
) -> Dataset:
    """_load, answered from the cache when it holds the folder as it is (and stored after,
    with its ``memos``, unless not ``write``)."""
    probe = cache.Probe.of(folder) if folder.is_dir() else None
    if probe is not None:
        body = probe.read()
        if body is not None and probe.header is not None:
            found = _from_cache(folder, body, probe.header)
            if found is not None:
                return found
    with cache.gc_paused():  # the write too: it copies every edge location once more
        ds = _load(folder, stack)
        if probe is not None:
            ds.digest = probe.digest
            if write and not ds.problems and _cacheable(ds.graph):
                # (made by the writer: when written behind, the command does not wait for it)
                behind = len(ds.graph) <= cache.BEHIND_MAX
                if behind and not stack:  # (what a command's writer behind also computes)
                    memos = {**cache.behind_memos(), **(memos or {})}
                answers = {name: partial(f, ds.graph) for name, f in (memos or {}).items()}
                ds.cache_key = (
                    probe.write(lambda: _to_cache(ds), ds.includes_read, behind, answers) or ""
                )
                ds.entry_written = bool(ds.cache_key)
    return ds


def _to_cache(ds: Dataset) -> dict[str, Any]:
    """A valid dataset as the plain data :mod:`chaingraph.cache` keeps."""
    G: Any = ds.graph  # its adjacency dicts are networkx's documented internals
    return {
        "name": ds.name,
        "title": ds.title,
        "description": ds.description,
        "graph": dict(G.graph),
        # the graph's own adjacency dicts: pickle keeps the edge dicts shared by both
        "node": G._node,
        "succ": G._succ,
        "pred": G._pred,
        # where each node and edge was read, packed as integer arrays (node ids by their
        # position in "node"; the edges' are what checking a change needs, dataset_delta)
        **_packed_places(ds),
        "merged": ds.merged,
    }


def _packed_places(ds: Dataset) -> dict[str, Any]:
    """The dataset's node locations as :func:`node_places.pack` keeps them ("where") and
    its edge locations as :func:`edge_places.pack` does ("edge_where", None: not known)."""
    index = {node: i for i, node in enumerate(ds.graph)}
    try:
        where = node_places.pack(node_places.rows_of(ds.node_locations), index)
    except KeyError as exc:  # a place of no node: not plain graph data
        raise ValueError(f"node {exc} is not in the graph") from exc
    if ds.edge_locations is None:
        return {"where": where, "edge_where": None}
    places = ds.edge_locations
    rows = (
        places.rows()
        if isinstance(places, EdgePlaces)
        else ((*key, w.file, w.line) for key, w in places.items())
    )
    try:
        return {"where": where, "edge_where": pack(rows, index)}
    except KeyError as exc:  # an edge whose end is no node: not plain graph data
        raise ValueError(f"edge end {exc} is not a node") from exc


def _from_cache(folder: Path, body: dict[str, Any], header: dict[str, Any]) -> Dataset | None:
    """The Dataset a cache entry holds, or None if the entry is not what _to_cache wrote."""
    try:
        graph, node, succ, pred = body["graph"], body["node"], body["succ"], body["pred"]
        if not all(isinstance(d, dict) for d in (graph, node, succ, pred)):
            return None
        if not node.keys() == succ.keys() == pred.keys():
            return None
        edge_where = body.get("edge_where")
        merged = body.get("merged")
        ids = list(node)
        where = node_places.unpacked(body["where"], ids)
        G: ChainGraph = nx.MultiDiGraph()
        G.graph.update(graph)
        # networkx's documented way to hand a graph its data structure (setting _adj and
        # _pred resets its cached views): _adj (= _succ) and _pred share each edge-key
        # dict, as pickle kept them
        raw: Any = G
        raw._node = node
        raw._adj = succ
        raw._pred = pred
        return Dataset(
            folder=folder,
            name=str(body["name"]),
            title=str(body["title"]),
            description=str(body["description"]),
            graph=G,
            node_locations=where,
            includes_read=[tuple(i) for i in header["includes"]],
            digest=str(header["digest"]),
            cache_key=str(header["key"]),
            edge_locations=None if edge_where is None else unpacked(edge_where, ids),
            merged=None if not isinstance(merged, dict) else merged,
        )
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def _cacheable(G: ChainGraph) -> bool:
    """False when a source's text was read from a hidden path (the digests skip those)."""
    for _, attrs in G.nodes(data=True):
        if attrs.get("kind") == Kind.SOURCE and attrs.get("text_file"):
            parts = PurePosixPath(str(attrs["text_file"]).replace("\\", "/")).parts
            if any(part.startswith(".") for part in parts):
                return False
    return True


def _load(
    folder: Path,
    stack: tuple[Path, ...],
    overrides: Mapping[str, str] | None = None,
    fast: bool = True,
) -> Dataset:
    """load_dataset of a folder included through ``stack`` (the including folders).

    ``fast``: CSV files are proved fine in bulk where they can be (:mod:`dataset_fast`);
    False checks every row as an item (the same graph and problems, slower).
    """
    if not folder.exists():
        raise InvalidGraphData(
            f"Dataset folder '{folder}' does not exist. Give the path of a folder that "
            f"holds a {MANIFEST}"
        )
    if not folder.is_dir():
        raise InvalidGraphData(
            f"'{folder}' is a file, not a dataset folder. Give the folder that holds {MANIFEST}"
        )
    reader = _Reader(folder, overrides, tables=fast)
    reader.read()
    release_freed()  # what reading the files freed (its chunks of rows), before the graph
    included = layers.load_includes(folder, reader.manifest.get("include"), stack, _cached)
    if included and reader.tables:
        reader.items_of_nodes()  # merging with included firms plans on node items
    reader.problems += included.problems + layers.plan_merges(included, reader.items)
    for _, table in reader.tables or ():
        table.rename_ends(included.merged)  # as plan_merges does for edge items
    if not reader.items and not included and not any(t.has_items() for _, t in reader.tables or ()):
        reader.problem(Location(str(folder)), "the dataset holds no nodes", "Add YAML or CSV files")
    checker = Checker(reader.folder, reader.problems)
    checker.G, checker.where = layers.seed(included, checker.G, checker.where)
    checker.kind_of.update((n, str(k)) for n, k in checker.G.nodes(data="kind"))
    checker.run(reader.items, reader.tables or ())
    layers.finish(checker.G, included, reader.problems)
    G, where, edge_where = checker.G, checker.where, checker.edge_where
    del checker  # (its map of kinds, its citations)
    release_freed()  # what checking freed: the tables' columns, the checker's maps
    name = str(reader.manifest.get("name") or folder.name)
    G.graph.update({"dataset": name, "title": str(reader.manifest.get("title") or "")})
    return Dataset(
        folder=folder,
        name=name,
        title=str(reader.manifest.get("title") or ""),
        description=str(reader.manifest.get("description") or ""),
        graph=G,
        problems=reader.problems,
        node_locations=where,
        includes_read=included.read,
        edge_locations=edge_where,
        merged=dict(included.merged),
    )


_TRIM: list[Any] = []


def release_freed() -> None:
    """Hand the memory the C allocator keeps after frees back to the system (glibc's
    ``malloc_trim``; nothing where there is none). A load frees much of what it built (rows,
    columns, maps of ids), and glibc keeps freed heap pages for its own later use: ~190 MB
    after a 1M-firm CSV load, which the small objects of what comes next (allocated by
    Python in arenas of their own) cannot use."""
    if not _TRIM:
        try:
            _TRIM.append(ctypes.CDLL(None).malloc_trim)
        except (OSError, AttributeError):
            _TRIM.append(None)
    if _TRIM[0] is not None:
        _TRIM[0](0)


def read_items(folder: Path, rel: str, text: str) -> tuple[list[Item], list[Problem]]:
    """The items of one data file of a dataset folder, read from ``text``, and its problems.

    Exactly what :func:`load_dataset` reads from that file (same values, same file:line), for
    checking a change to one file without reading the others (:mod:`chaingraph.dataset_delta`).
    """
    reader = _Reader(folder, {rel: text})
    path = folder / rel
    if path.suffix.lower() == ".csv":
        reader.read_csv(path)
    else:
        reader.read_yaml(path)
    return reader.items, reader.problems


def read_csv_rows(
    folder: Path, rel: str, rows: list[list[str]], one_line_each: bool = False
) -> tuple[list[Item], list[Problem]]:
    """:func:`read_items` of a CSV file given as its rows (what the csv module reads from its
    text): the same items and problems, without writing and parsing the text again.
    ``one_line_each``: row ``i`` is put on line ``i + 1`` even if a cell spans lines."""
    reader = _Reader(folder, {})
    reader.csv_rows(rel, rows, one_line_each)
    return reader.items, reader.problems


def read_csv_table(
    folder: Path, rel: str, rows: list[list[str]]
) -> tuple[CsvTable | None, list[Item], list[Problem]]:
    """:func:`read_csv_rows`, with the rows kept as a table for the checker to prove in bulk
    (:mod:`chaingraph.dataset_fast`) when the file allows it: (table, [], []) then, else
    (None, items, problems)."""
    reader = _Reader(folder, {}, tables=True)
    reader.csv_rows(rel, rows)
    if reader.tables:
        return reader.tables[0][1], [], reader.problems
    return None, reader.items, reader.problems


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
    Kind.AWARD: "awards.yaml",
    Kind.PLACE: "places.yaml",
}
NODE_KEY_ORDER = ("id", "kind", "name", "name_en", "aliases")
NODE_TAIL = ("grade", "note", "sources", "figures")


class _Dumper(yaml.SafeDumper):
    """Block style, Chinese unescaped, multi-line text as literal blocks."""


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_representer)
_Dumper.add_representer(safe_yaml.LineDict, yaml.SafeDumper.represent_dict)
_Dumper.add_representer(safe_yaml.LineList, yaml.SafeDumper.represent_list)


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
