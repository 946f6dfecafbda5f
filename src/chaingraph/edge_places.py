"""Where each edge of a dataset was read, kept small until someone asks.

A load remembers the file:line of every edge: a duplicate's message names the first one, and
checking a change (:mod:`chaingraph.dataset_delta`) starts from them. As a dict of
``(from, to, rel)`` tuples to :class:`~chaingraph.model.Location` objects that costs about
250 bytes an edge (a quarter of a 100k-firm / 500k-edge zone's memory), yet a load that
finds nothing wrong never reads it. :class:`EdgePlaces` keeps the edges a CSV table added in
bulk as that table's own columns (the node-id strings the graph holds) and its line numbers,
and keeps a cached dataset's as packed integer arrays; either becomes the dict only when the
mapping is first read. What it answers, and in which order, is that dict's.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import repeat
from typing import Protocol, overload

from .model import Location
from .node_places import LazyPlaces

Key = tuple[str, str, str]
#: (from, to, rel, file, line) of one edge
Row = tuple[str, str, str, str, int | None]


class Positions(Sequence[str]):
    """A column of names kept as each row's position in ``names`` (an int array)."""

    def __init__(self, names: Sequence[str], at: Sequence[int]) -> None:
        self.names, self.at = names, at

    def __len__(self) -> int:
        return len(self.at)

    def __iter__(self) -> Iterator[str]:
        return map(self.names.__getitem__, self.at)

    def values(self, start: int, stop: int) -> Iterator[str]:
        """The names of rows ``start`` to ``stop`` (exclusive)."""
        return map(self.names.__getitem__, self.at[start:stop])

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> list[str]: ...

    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [self.names[i] for i in self.at[index]]
        return self.names[self.at[index]]


class _Run(Protocol):
    def __len__(self) -> int: ...

    def rows(self) -> Iterator[Row]: ...


@dataclass(frozen=True, slots=True)
class _TableRun:
    """Rows ``start`` to ``stop`` (exclusive) of a CSV table's columns, each on its line."""

    file: str
    columns: tuple[Sequence[str], Sequence[str], Sequence[str]]
    lines: Sequence[int]
    start: int
    stop: int

    def __len__(self) -> int:
        return self.stop - self.start

    def rows(self) -> Iterator[Row]:
        start, stop = self.start, self.stop
        us, vs, rels = (
            c.values(start, stop) if isinstance(c, Positions) else c[start:stop]
            for c in self.columns
        )
        return zip(us, vs, rels, repeat(self.file), self.lines[start:stop])


class _PackedRun:
    """Edges packed by :func:`pack`, unpacked when read; node ids by their index."""

    def __init__(self, raw: tuple[list[str], list[str], list[bytes]], ids: Sequence[str]) -> None:
        self.raw, self.ids = raw, ids
        self.count = len(raw[2][0]) // array("i").itemsize

    def __len__(self) -> int:
        return self.count

    def rows(self) -> Iterator[Row]:
        rels, files, packed = self.raw
        u, v, r, f, ln = (array("i", b) for b in packed)
        ids = self.ids
        for a, b, c, d, e in zip(u, v, r, f, ln, strict=True):
            yield ids[a], ids[b], rels[c], files[d], None if e < 0 else e


class EdgePlaces(LazyPlaces[Key]):
    """(from, to, rel) -> the Location each edge was read at, in the order they were added.

    ``add_run`` adds rows in bulk without making their keys or Locations; every other use
    makes them first (but ``len``, and :meth:`rows`, which reads them as they are kept).
    A run's edges must be new to the mapping (as the graph's duplicate check makes them).
    """

    def add_run(
        self,
        file: str,
        columns: tuple[Sequence[str], Sequence[str], Sequence[str]],
        lines: Sequence[int],
        start: int,
        stop: int,
    ) -> None:
        """Rows ``start`` to ``stop`` of a table's (from, to, rel) columns, each read at
        ``file``:``lines[i]`` (kept as they are: do not change them afterwards)."""
        if stop > start:
            self._add_run(_TableRun(file, columns, lines, start, stop))

    def _make(self, run: _Run, made: dict[Key, Location]) -> None:
        for u, v, rel, file, line in run.rows():
            made[u, v, rel] = Location(file, line)

    def rows(self) -> Iterator[Row]:
        """Every edge as (from, to, rel, file, line), in order, without making the dict."""
        for (u, v, rel), where in self._made.items():
            yield u, v, rel, where.file, where.line
        for run in self._runs:
            yield from run.rows()


def pack(rows: Iterable[Row], index: Mapping[str, int]) -> tuple[list[str], list[str], list[bytes]]:
    """Edge rows as plain data for the cache: the relation and file names, then the from,
    to, relation, file and line of each edge as int32 arrays' bytes (node ids by ``index``,
    the position of the node in the graph; line -1: none). KeyError: an end not in ``index``."""
    rels: dict[str, int] = {}
    files: dict[str, int] = {}
    u, v, r, f, ln = (array("i") for _ in range(5))
    for a, b, rel, file, line in rows:
        u.append(index[a])
        v.append(index[b])
        r.append(rels.setdefault(rel, len(rels)))
        f.append(files.setdefault(file, len(files)))
        ln.append(-1 if line is None else line)
    return list(rels), list(files), [x.tobytes() for x in (u, v, r, f, ln)]


def unpacked(raw: object, ids: Sequence[str]) -> EdgePlaces:
    """The EdgePlaces :func:`pack` wrote, ``ids`` the graph's nodes in order; read when first
    asked for. ValueError when ``raw`` is not what pack wrote."""
    if not (
        isinstance(raw, tuple)
        and len(raw) == 3
        and isinstance(raw[0], list)
        and isinstance(raw[1], list)
        and isinstance(raw[2], list)
        and len(raw[2]) == 5
        and all(isinstance(b, bytes) for b in raw[2])
        and len({len(b) for b in raw[2]}) == 1
        and len(raw[2][0]) % array("i").itemsize == 0
    ):
        raise ValueError("not packed edge places")
    places = EdgePlaces()
    places._add_run(_PackedRun(raw, ids))
    return places
