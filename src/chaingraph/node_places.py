"""Where each node of a dataset was read, kept small until someone asks.

A load remembers the file:line of every node, for the messages that name a node's place and
for checking a change (:mod:`chaingraph.dataset_delta`). As a dict of id to
:class:`~chaingraph.model.Location` that costs about 125 bytes a node (a dict entry, a
Location and its line's int: ~120 MB at 10^6 firms, held through the whole report), yet a
load that finds nothing wrong never reads it. :class:`NodePlaces` keeps the nodes a CSV
table added in bulk as that table's list of ids and its line numbers (a ``range`` when no
cell spans lines), and a cached dataset's as packed integer arrays; either becomes the dict
only when the mapping is first read. What it answers, and in which order, is that dict's.
"""

from __future__ import annotations

from abc import abstractmethod
from array import array
from collections.abc import Hashable, Iterable, Iterator, Mapping, MutableMapping, Sequence
from itertools import repeat
from typing import Any, TypeVar

from .model import Location

#: (node id, file, line) of one node
Row = tuple[str, str, int | None]


class _TableRun:
    """Nodes read from one file: ``ids[i]`` at ``file``:``lines[i]``."""

    __slots__ = ("file", "ids", "lines")

    def __init__(self, file: str, ids: Sequence[str], lines: Sequence[int]) -> None:
        self.file, self.ids, self.lines = file, ids, lines

    def __len__(self) -> int:
        return len(self.ids)

    def rows(self) -> Iterator[Row]:
        file = self.file
        return ((n, file, line) for n, line in zip(self.ids, self.lines, strict=True))

    def into(self, made: dict[str, Location]) -> None:
        made.update(zip(self.ids, map(Location, repeat(self.file), self.lines), strict=True))


class _ItemsRun:
    """Nodes added one at a time (:meth:`NodePlaces.add`) after a table's run."""

    __slots__ = ("items",)

    def __init__(self) -> None:
        self.items: dict[str, Location] = {}

    def __len__(self) -> int:
        return len(self.items)

    def rows(self) -> Iterator[Row]:
        return ((n, w.file, w.line) for n, w in self.items.items())

    def into(self, made: dict[str, Location]) -> None:
        made.update(self.items)


class _PackedRun:
    """Nodes packed by :func:`pack`, unpacked when read; node ids by their index."""

    __slots__ = ("files", "packed", "ids")

    def __init__(self, files: list[str], packed: list[bytes], ids: Sequence[str]) -> None:
        self.files, self.packed, self.ids = files, packed, ids

    def __len__(self) -> int:
        return len(self.packed[0]) // array("i").itemsize

    def rows(self) -> Iterator[Row]:
        at, f, ln = (array("i", b) for b in self.packed)
        ids, files = self.ids, self.files
        for a, b, c in zip(at, f, ln, strict=True):
            yield ids[a], files[b], None if c < 0 else c

    def into(self, made: dict[str, Location]) -> None:
        for node_id, file, line in self.rows():
            made[node_id] = Location(file, line)


_Run = _TableRun | _ItemsRun | _PackedRun


K = TypeVar("K", bound=Hashable)


class LazyPlaces(MutableMapping[K, Location]):
    """key -> the Location it was read at, in the order added, kept as runs (each a table's
    or a cache entry's rows, as they were read) until first used as a dict.

    A subclass says how a run becomes entries (:meth:`_make`); ``len`` counts the runs'
    rows without making them. The node and the edge places share this.
    """

    def __init__(self, items: Mapping[K, Location] | Iterable[tuple[K, Location]] = ()):
        self._made: dict[K, Location] = dict(items)
        self._runs: list[Any] = []
        self._pending = 0

    def _add_run(self, run: Any) -> None:
        """Keep ``run`` (its keys must be new to the mapping) without making its entries."""
        self._runs.append(run)
        self._pending += len(run)

    @abstractmethod
    def _make(self, run: Any, made: dict[K, Location]) -> None:
        """Put ``run``'s entries into ``made``."""

    def _all(self) -> dict[K, Location]:
        if self._runs:
            made = self._made
            for run in self._runs:
                self._make(run, made)
            self._runs, self._pending = [], 0
        return self._made

    def __getitem__(self, key: K) -> Location:
        return self._all()[key]

    def __setitem__(self, key: K, value: Location) -> None:
        self._all()[key] = value

    def __delitem__(self, key: K) -> None:
        del self._all()[key]

    def __contains__(self, key: object) -> bool:
        return key in self._all()

    def __iter__(self) -> Iterator[K]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._made) + self._pending


class NodePlaces(LazyPlaces[str]):
    """node id -> the Location it was read at, in the order the nodes were added.

    :meth:`add_run` and :meth:`add` add nodes without making the dict (a run's ids, and an
    added id, must be new to the mapping: the checker refuses a duplicate before it adds);
    every other use makes it first (but ``len`` and :meth:`rows`, which read the nodes as
    they are kept).
    """

    def add_run(self, file: str, ids: Sequence[str], lines: Sequence[int]) -> None:
        """Nodes ``ids[i]`` read at ``file``:``lines[i]`` (both kept as they are: do not
        change them afterwards)."""
        if len(ids) != len(lines):
            raise ValueError("a run needs one line per id")
        if ids:
            self._add_run(_TableRun(file, ids, lines))

    def add(self, node_id: str, where: Location) -> None:
        """A node new to the mapping, read at ``where``."""
        if not self._runs:
            self._made[node_id] = where
            return
        last = self._runs[-1]
        if not isinstance(last, _ItemsRun):
            last = _ItemsRun()
            self._runs.append(last)
        last.items[node_id] = where
        self._pending += 1

    def _make(self, run: _Run, made: dict[str, Location]) -> None:
        run.into(made)

    def rows(self) -> Iterator[Row]:
        """Every node as (id, file, line), in order, without making the dict."""
        for node_id, where in self._made.items():
            yield node_id, where.file, where.line
        for run in self._runs:
            yield from run.rows()


def rows_of(places: Mapping[str, Location]) -> Iterator[Row]:
    """Every (id, file, line) of a mapping of node places, in order (a NodePlaces' without
    making its dict)."""
    if isinstance(places, NodePlaces):
        return places.rows()
    return ((n, w.file, w.line) for n, w in places.items())


def pack(rows: Iterable[Row], index: Mapping[str, int]) -> tuple[list[str], list[bytes]]:
    """Node rows as plain data for the cache: the file names, then the node (by ``index``,
    its position in the graph), file and line of each as int32 arrays' bytes (line -1:
    none). KeyError: a node not in ``index``."""
    files: dict[str, int] = {}
    at, f, ln = array("i"), array("i"), array("i")
    for node_id, file, line in rows:
        at.append(index[node_id])
        f.append(files.setdefault(file, len(files)))
        ln.append(-1 if line is None else line)
    return list(files), [x.tobytes() for x in (at, f, ln)]


def unpacked(raw: object, ids: Sequence[str]) -> NodePlaces:
    """The NodePlaces :func:`pack` wrote, ``ids`` the graph's nodes in order; read when
    first asked for. ValueError when ``raw`` is not what pack wrote."""
    if not (
        isinstance(raw, tuple)
        and len(raw) == 2
        and isinstance(raw[0], list)
        and all(isinstance(f, str) for f in raw[0])
        and isinstance(raw[1], list)
        and len(raw[1]) == 3
        and all(isinstance(b, bytes) for b in raw[1])
        and len({len(b) for b in raw[1]}) == 1
        and len(raw[1][0]) % array("i").itemsize == 0
    ):
        raise ValueError("not packed node places")
    places = NodePlaces()
    run = _PackedRun(raw[0], raw[1], ids)
    if len(run):
        places._add_run(run)
    return places


def put(places: MutableMapping[str, Location], node_id: str, where: Location) -> None:
    """Add a node new to ``places`` (a NodePlaces without making its dict)."""
    if isinstance(places, NodePlaces):
        places.add(node_id, where)
    else:
        places[node_id] = where
