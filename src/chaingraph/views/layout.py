"""Node positions for the views, computed in Python so the browser draws with physics off.

Two layouts:

- :func:`tiered_layout` for chain views: the chain's segments in columns by tier (upstream on
  the left, downstream on the right, FEEDS order inside a tier), each segment's firms and
  projects in a small grid beside it, everything else near what it is linked to.
- :func:`force_layout` for the others: igraph's Fruchterman-Reingold (grid variant on large
  graphs, which runs in well under a second for 20k nodes).

Coordinates are in vis-network canvas units (about one unit per pixel at zoom 1).
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Iterable, Mapping

from ..model import TIER_ORDER, ChainGraph, Kind, Rel

Pos = dict[str, tuple[float, float]]

#: horizontal distance between segment columns, and vertical room per firm row
COLUMN_GAP = 260.0
ROW_GAP = 58.0
SEGMENT_GAP = 40.0
SEGMENT_ROOM = 70.0  # a segment and its two-line label
#: a tier takes at most this many columns (FEEDS order inside a tier beyond that is stacked)
COLUMNS_PER_TIER = 2
MEMBER_DX = 24.0
#: a segment with many members shows them in rows of up to this many, this far apart
MAX_PER_ROW = 4
MEMBER_STEP = 170.0


def _feeds_rank(G: ChainGraph, segments: list[str]) -> dict[str, int]:
    """Longest FEEDS path reaching each segment from a segment with no FEEDS input (cycles
    broken by ignoring edges that close one)."""
    inside = set(segments)
    preds: dict[str, list[str]] = {s: [] for s in segments}
    for s in segments:
        for u, _, key in G.in_edges(s, keys=True):
            if key == Rel.FEEDS and u in inside and u != s:
                preds[s].append(u)
    rank: dict[str, int] = {}
    visiting: set[str] = set()

    def visit(s: str) -> int:
        if s in rank:
            return rank[s]
        if s in visiting:  # a cycle: stop here
            return 0
        visiting.add(s)
        best = 0
        for p in sorted(preds[s]):
            best = max(best, visit(p) + 1)
        visiting.discard(s)
        rank[s] = best
        return best

    for s in sorted(segments):
        visit(s)
    return rank


def _segment_columns(G: ChainGraph, segs: list[str]) -> list[list[str]]:
    """Segments in columns: tier-major, FEEDS rank inside the tier (ranks compressed per tier)."""
    rank = _feeds_rank(G, segs)
    tiers: dict[int, list[str]] = defaultdict(list)
    for s in segs:
        tiers[TIER_ORDER.get(str(G.nodes[s].get("tier")), 1)].append(s)
    columns: list[list[str]] = []
    for tier in sorted(tiers):
        ranks = sorted({rank[s] for s in tiers[tier]})
        sub = {r: min(i, COLUMNS_PER_TIER - 1) for i, r in enumerate(ranks)}
        by_sub: dict[int, list[str]] = defaultdict(list)
        for s in sorted(tiers[tier], key=lambda s: (rank[s], s)):
            by_sub[sub[rank[s]]].append(s)
        for c in sorted(by_sub):
            columns.append(by_sub[c])
    return columns


def _column_members(G: ChainGraph, columns: list[list[str]]) -> dict[str, list[str]]:
    """Members of each segment (the first segment by column order wins for a firm in several)."""
    members: dict[str, list[str]] = {}
    placed: set[str] = {s for col in columns for s in col}
    for col in columns:
        for s in col:
            own = sorted(
                u
                for u, _, key in G.in_edges(s, keys=True)
                if key == Rel.IN_SEGMENT and u not in placed
            )
            members[s] = own
            placed.update(own)
    return members


def tiered_layout(
    G: ChainGraph, segments: Iterable[str], sizes: Mapping[str, float] | None = None
) -> Pos:
    """Positions for a chain view: segments by tier left to right, members beside them.

    Parameters
    ----------
    G : ChainGraph
        The view's graph (a chain's subgraph).
    segments : iterable of str
        The segments to lay out in columns (the chain's own and its 延链 neighbours).
    sizes : mapping, optional
        Drawn node radius by id; a big member gets more room below its segment.

    Returns
    -------
    dict
        ``{node_id: (x, y)}`` for every node of ``G``.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("a", kind="Segment", tier="upstream")
    >>> G.add_node("b", kind="Segment", tier="downstream")
    >>> G.add_node("f", kind="Firm")
    >>> _ = G.add_edge("a", "b", key="FEEDS"); _ = G.add_edge("f", "b", key="IN_SEGMENT")
    >>> pos = tiered_layout(G, ["a", "b"])
    >>> pos["a"][0] < pos["b"][0] < pos["f"][0]
    True
    """
    segs = sorted(s for s in set(segments) if s in G)
    columns = _segment_columns(G, segs)
    members = _column_members(G, columns)
    sizes = sizes or {}

    def room(m: str) -> float:  # vertical room of a member: its shape and its label
        return max(ROW_GAP, 2.0 * sizes.get(m, 10.0) + 30.0)

    def per_row(n: int) -> int:  # members side by side: 1 up to 6, then up to 4 per row
        return 1 if n <= 6 else min(MAX_PER_ROW, math.ceil(math.sqrt(n / 2)))

    def rows_of(s: str) -> list[list[str]]:
        k = per_row(len(members[s]))
        return [members[s][i : i + k] for i in range(0, len(members[s]), k)]

    pos: Pos = {}
    heights: list[float] = []
    widths: list[float] = []
    for col in columns:
        h = sum(SEGMENT_ROOM + sum(max(map(room, r)) for r in rows_of(s)) for s in col)
        heights.append(h + SEGMENT_GAP * (len(col) - 1))
        wide = max((per_row(len(members[s])) for s in col), default=1)
        widths.append(COLUMN_GAP + (wide - 1) * MEMBER_STEP)
    x = 0.0
    for ci, col in enumerate(columns):
        y = -heights[ci] / 2
        for s in col:
            pos[s] = (x, y)
            y += SEGMENT_ROOM
            for row in rows_of(s):
                r = max(map(room, row))
                for j, m in enumerate(row):
                    pos[m] = (x + MEMBER_DX + j * MEMBER_STEP, y + r / 2 - 14.0)
                y += r
            y += SEGMENT_GAP
        x += widths[ci]
    top = -max(heights, default=0.0) / 2
    _place_rest(G, pos, top=top, right=x)
    return pos


_TOP_KINDS = (Kind.ZONE, Kind.PARK, Kind.PLATFORM, Kind.CHAIN)


def _place_rest(G: ChainGraph, pos: Pos, top: float, right: float) -> None:
    """Put nodes without a position: zone/park/platform/chain in a row above the columns;
    others beside the placed neighbours they are linked to, else in a row below."""
    rest = sorted(n for n in G if n not in pos)
    top_row = [n for n in rest if G.nodes[n].get("kind") in _TOP_KINDS]
    order: dict[str, int] = {k.value: i for i, k in enumerate(_TOP_KINDS)}
    top_row.sort(key=lambda n: (order.get(str(G.nodes[n].get("kind")), 9), n))
    width = max(right - COLUMN_GAP, 0.0)
    for i, n in enumerate(top_row):
        x = width / 2 + (i - (len(top_row) - 1) / 2) * 260.0
        pos[n] = (x, top - 220.0)
    others = [n for n in rest if n not in pos]
    taken = _Cells(pos.values(), cell=70.0)
    # repeat so that a node linked only to another unplaced node still lands near it
    for _ in range(3):
        left = []
        for n in others:
            anchors = [pos[m] for m in sorted(_neighbours(G, n)) if m in pos]
            if not anchors:
                left.append(n)
                continue
            ax = sum(p[0] for p in anchors) / len(anchors)
            ay = sum(p[1] for p in anchors) / len(anchors)
            pos[n] = taken.nearest_free(ax, ay, start=1)
        others = left
    max_y = max((p[1] for p in pos.values()), default=0.0)
    for i, n in enumerate(others):
        pos[n] = ((i % 8) * 150.0, max_y + 200.0 + (i // 8) * 60.0)


class _Cells:
    """Square cells of the canvas, each holding at most one placed node: finding a free spot
    near a point is a walk over rings of cells, each test a set lookup."""

    def __init__(self, points: Iterable[tuple[float, float]], cell: float) -> None:
        self.cell = cell
        self.used: set[tuple[int, int]] = {self._key(p[0], p[1]) for p in points}
        # per anchor cell: the ring being filled, its free cells nearest first, how many of
        # those are known to be taken since
        self.walk: dict[tuple[int, int], tuple[int, list[tuple[int, int]], int]] = {}

    def _key(self, x: float, y: float) -> tuple[int, int]:
        return (math.floor(x / self.cell + 0.5), math.floor(y / self.cell + 0.5))

    def nearest_free(self, x: float, y: float, start: int = 0) -> tuple[float, float]:
        """The centre of the free cell nearest (x, y), at least ``start`` rings away; taken.
        Ties go to the smaller cell key.

        Many nodes share an anchor: the search resumes where the last one ended, in the
        ring's free cells sorted nearest first (cells are only ever taken, never freed)."""
        cx, cy = self._key(x, y)
        used = self.used
        walk = self.walk.get((cx, cy))
        cells: list[tuple[int, int]]
        if walk is None:
            ring, cells, i = self._first_ring(cx, cy, start), [], 0
        else:
            ring, cells, i = walk
        if ring < start:
            ring, cells, i = start, [], 0
        while True:
            if not cells:
                # the ring's free cells, nearest first (ties: the smaller cell key)
                cells = [k for dx, dy in _ring_order(ring) if (k := (cx + dx, cy + dy)) not in used]
                if not cells:
                    ring += 1
                    continue
                i = 0
            while i < len(cells) and cells[i] in used:
                i += 1
            if i < len(cells):
                best = cells[i]
                used.add(best)
                self.walk[(cx, cy)] = (ring, cells, i + 1)
                return (best[0] * self.cell, best[1] * self.cell)
            ring, cells = ring + 1, []

    def _first_ring(self, cx: int, cy: int, start: int) -> int:
        """The first ring around a new anchor cell that can hold a free cell, from the walks
        of taken anchor cells nearby: a walk at ring R around a taken cell o has found rings
        0..R-1 around o full (cells are never freed), and every ring r < R - d around a cell
        d away from o lies inside them. Skipping rings known full changes no answer; it
        spares the scan of the crowded rings many anchors near each other share."""
        best = start
        used, walk = self.used, self.walk
        for dx in range(-_NEAR, _NEAR + 1):
            for dy in range(-_NEAR, _NEAR + 1):
                o = (cx + dx, cy + dy)
                w = walk.get(o)
                if w is not None and o in used:
                    best = max(best, w[0] - max(abs(dx), abs(dy)))
        return best


#: how far (in cells) a new anchor looks for the walks of others (see _Cells._first_ring)
_NEAR = 1


def _ring(cx: int, cy: int, r: int) -> list[tuple[int, int]]:
    """The cells at Chebyshev distance r from (cx, cy)."""
    if r == 0:
        return [(cx, cy)]
    cells = [(cx + i, cy - r) for i in range(-r, r + 1)]
    cells += [(cx + i, cy + r) for i in range(-r, r + 1)]
    cells += [(cx - r, cy + j) for j in range(-r + 1, r)]
    cells += [(cx + r, cy + j) for j in range(-r + 1, r)]
    return cells


def _ring_order(r: int) -> tuple[tuple[int, int], ...]:
    """The offsets of ring r, nearest first, ties by offset: the same order for every
    centre (the smaller offset is the smaller cell key), so sorted once per ring (the
    first few hundred rings are kept)."""
    order = _RING_ORDER.get(r)
    if order is None:
        order = tuple(sorted(_ring(0, 0, r), key=lambda k: (k[0] ** 2 + k[1] ** 2, k)))
        if r < 256:
            _RING_ORDER[r] = order
    return order


_RING_ORDER: dict[int, tuple[tuple[int, int], ...]] = {}


def _neighbours(G: ChainGraph, n: str) -> set[str]:
    return set(G._pred[n]) | set(G._succ[n])  # type: ignore[attr-defined]


def force_layout(G: ChainGraph, seed: int = 7) -> Pos:
    """Positions from a force-directed layout (igraph Fruchterman-Reingold), scaled so that
    nodes sit about 90 canvas units apart on average.

    Parameters
    ----------
    G : ChainGraph
        Any graph; edge direction and multiplicity are ignored.
    seed : int
        Seed of the random start, so the same graph gives the same picture.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph([("a", "b"), ("b", "c")])
    >>> sorted(force_layout(G))
    ['a', 'b', 'c']
    """
    import igraph as ig

    nodes = sorted(G.nodes)
    n = len(nodes)
    if n == 0:
        return {}
    if n == 1:
        return {nodes[0]: (0.0, 0.0)}
    index = {v: i for i, v in enumerate(nodes)}
    edges = {(min(index[u], index[v]), max(index[u], index[v])) for u, v in G.edges() if u != v}
    g = ig.Graph(n=n, edges=sorted(edges))
    # igraph draws its random start from the Python RNG it is given: seed a private one
    ig.set_random_number_generator(random.Random(seed))
    try:
        if n > 5000:
            layout = g.layout_fruchterman_reingold(grid=True, niter=100)
        elif n > 300:
            layout = g.layout_fruchterman_reingold(grid=True, niter=500)
        else:  # small: Kamada-Kawai spreads clusters evenly, leaving room for labels
            layout = g.layout_kamada_kawai(maxiter=50 * n)
    finally:
        ig.set_random_number_generator(random)
    coords = list(layout.coords)
    xs = [c[0] for c in coords]
    ys = [c[1] for c in coords]
    span = max(max(xs) - min(xs), max(ys) - min(ys), 1e-9)
    target = (130.0 if n <= 300 else 90.0) * math.sqrt(n) * 1.2
    scale = target / span
    cx = (max(xs) + min(xs)) / 2
    cy = (max(ys) + min(ys)) / 2
    return {
        v: (round((coords[i][0] - cx) * scale, 1), round((coords[i][1] - cy) * scale, 1))
        for i, v in enumerate(nodes)
    }
