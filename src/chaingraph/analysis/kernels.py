"""Heavy graph kernels (PageRank, betweenness) run in igraph behind a networkx API.

networkx is the graph model of the library, but its pure-Python PageRank and betweenness are
far too slow for province-wide firm lists (10^5 firms). These functions take a networkx graph
and return plain ``{node_id: value}`` dicts, so callers never see igraph.
"""

from __future__ import annotations

import random
from array import array
from bisect import bisect_left
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..model import ChainGraph

if TYPE_CHECKING:
    import igraph as ig

#: above this many vertices, :func:`betweenness` samples source vertices
BETWEENNESS_EXACT_LIMIT = 3000
#: number of sampled sources when sampling
BETWEENNESS_SAMPLES = 256


@dataclass(frozen=True)
class Sampling:
    """How a measure was computed: exactly, or estimated from ``k`` of ``n`` sources."""

    sampled: bool
    k: int
    n: int

    def describe(self) -> str:
        """A short phrase for output, e.g. 'exact' or 'sampled: 256 of 100000 sources'."""
        return f"sampled: {self.k} of {self.n} sources" if self.sampled else "exact"


@dataclass
class Network:
    """A directed igraph of some relation kinds among some nodes, with the node ids.

    ``ids`` are sorted (vertex i is ``ids[i]``), so a position is found by bisection: no
    id -> position dict is kept (at 10^6 firms it would hold about 60 MB).
    """

    graph: ig.Graph
    ids: list[str]

    def position(self, node: str) -> int | None:
        """The vertex of ``node``, or None if it is not in the network."""
        i = bisect_left(self.ids, node)
        return i if i < len(self.ids) and self.ids[i] == node else None

    def positions(self, nodes: Iterable[str]) -> list[int]:
        """The vertices of those ``nodes`` that are in the network, sorted, each once."""
        found = {i for i in map(self.position, nodes) if i is not None}
        return sorted(found)

    def induced(self, nodes: Iterable[str]) -> Network:
        """The subnetwork among ``nodes`` (those of this network), vertices in id order."""
        return self.induced_at(self.positions(nodes))

    def induced_at(self, keep: list[int]) -> Network:
        """The subnetwork among the vertices ``keep`` (sorted positions)."""
        sub = self.graph.induced_subgraph(keep, implementation="create_from_scratch")
        ids = self.ids
        return Network(sub, [ids[i] for i in keep])


@dataclass
class Adjacency:
    """A directed network kept as arrays of ints instead of an igraph: 8 bytes an edge
    against igraph's 32, for the SUPPLIES links of every firm of a graph (5 x 10^6 at 10^6
    firms), of which each chain takes an induced :class:`Network`.

    Vertex i is ``ids[i]`` (sorted); its out-neighbours are ``out[out_at[i]:out_at[i + 1]]``
    and its in-neighbours ``inn[in_at[i]:in_at[i + 1]]``, each ascending, each once.
    """

    ids: list[str]
    out_at: array[int]
    out: array[int]
    in_at: array[int]
    inn: array[int]

    @classmethod
    def build(cls, ids: list[str], out_lists: Iterable[list[int]]) -> Adjacency:
        """From the ascending out-neighbour positions of each vertex in turn."""
        out_at, out = array("i", [0]), array("i")
        for targets in out_lists:
            out.extend(targets)
            out_at.append(len(out))
        n = len(ids)
        if len(out_at) != n + 1:
            raise ValueError(f"{len(out_at) - 1} out-neighbour lists for {n} vertices")
        # in-neighbours by counting: vertex q's sources, in the order the sources come (ascending)
        in_at = array("i", bytes(4 * (n + 1)))
        for q in out:
            in_at[q + 1] += 1
        for i in range(n):
            in_at[i + 1] += in_at[i]
        cursor = array("i", in_at)
        inn = array("i", bytes(4 * len(out)))
        for p in range(n):
            for q in out[out_at[p] : out_at[p + 1]]:
                inn[cursor[q]] = p
                cursor[q] += 1
        return cls(ids, out_at, out, in_at, inn)

    def position(self, node: str) -> int | None:
        """The vertex of ``node``, or None if it is not in the network."""
        i = bisect_left(self.ids, node)
        return i if i < len(self.ids) and self.ids[i] == node else None

    def mark_near(self, at: Iterable[int], mark: bytearray) -> None:
        """Set ``mark[j] = 1`` for every neighbour j of the vertices ``at``, either direction."""
        out_at, out, in_at, inn = self.out_at, self.out, self.in_at, self.inn
        for i in at:
            for j in out[out_at[i] : out_at[i + 1]]:
                mark[j] = 1
            for j in inn[in_at[i] : in_at[i + 1]]:
                mark[j] = 1

    def induced(self, keep: Sequence[int]) -> Network:
        """The igraph network among the vertices ``keep`` (sorted positions), vertices in id
        order, edges in (source, target) order: the graph igraph's ``induced_subgraph``
        would give of the same network held as an igraph."""
        new = array("i", [-1]) * len(self.ids)
        for j, p in enumerate(keep):
            new[p] = j
        out_at, out = self.out_at, self.out

        def edges() -> Iterator[tuple[int, int]]:
            for j, p in enumerate(keep):
                for q in out[out_at[p] : out_at[p + 1]]:
                    k = new[q]
                    if k >= 0:
                        yield j, k

        ids = self.ids
        return Network(new_graph(len(keep), edges()), [ids[i] for i in keep])


def network(
    G: ChainGraph, rels: Collection[str] = ("SUPPLIES",), nodes: Iterable[str] | None = None
) -> Network:
    """The network of ``rels`` edges among ``nodes`` (default all), as igraph, built once.

    Vertices are in sorted id order, parallel edges count once, self-loops are dropped, so the
    result does not depend on the order nodes and edges were added to G.
    """
    ids = sorted(G.nodes if nodes is None else set(nodes) & set(G.nodes))
    index = {n: i for i, n in enumerate(ids)}
    succ = G._succ  # type: ignore[attr-defined]
    wanted = frozenset(rels)
    (only,) = wanted if len(wanted) == 1 else (None,)
    edges: list[tuple[int, int]] = []
    for u in ids:
        iu = index[u]
        for v, keys in succ[u].items():
            if (only not in keys) if only is not None else wanted.isdisjoint(keys):
                continue
            iv = index.get(v)
            if iv is not None and iv != iu:
                edges.append((iu, iv))
    edges.sort()
    return Network(new_graph(len(ids), edges), ids)


def new_graph(n: int, edges: Iterable[tuple[int, int]]) -> ig.Graph:
    """A directed igraph of ``n`` vertices and these edges, read one at a time (igraph is
    imported here, on first use)."""
    import igraph

    return igraph.Graph(n=n, edges=edges, directed=True)


def _to_igraph(
    G: ChainGraph, rels: Collection[str], nodes: Iterable[str] | None
) -> tuple[ig.Graph, list[str]]:
    net = network(G, rels, nodes)
    return net.graph, net.ids


def pagerank(
    G: ChainGraph,
    rels: Collection[str] = ("SUPPLIES",),
    nodes: Iterable[str] | None = None,
    damping: float = 0.85,
    net: Network | None = None,
    among: Collection[str] | None = None,
) -> dict[str, float]:
    """PageRank of ``nodes`` on the directed network of ``rels`` edges among them.

    PR(v) = (1 - d) / N + d * (sum over in-neighbours u of PR(u) / outdeg(u) + dangling / N),
    with damping d. Edges point supplier -> customer, so a firm that many (well-supplied)
    firms supply ranks high: it pulls the chain. Parallel edges count once; self-loops are
    dropped. Computed exactly by igraph (PRPACK); values sum to 1.

    Parameters
    ----------
    G : ChainGraph
    rels : relation kinds whose edges form the network (default SUPPLIES)
    nodes : the vertex set (default every node of G)
    damping : float
    net : a prebuilt :func:`network` (then ``rels`` and ``nodes`` are ignored)
    among : only these vertices' values are returned (the walk still covers all of them)

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> for s in ("a", "b"):
    ...     _ = G.add_edge(s, "hub", key="SUPPLIES")
    >>> pr = pagerank(G)
    >>> max(pr, key=pr.get), round(sum(pr.values()), 6)
    ('hub', 1.0)
    """
    g, ids = (net.graph, net.ids) if net is not None else _to_igraph(G, rels, nodes)
    if not ids:
        return {}
    values = g.pagerank(directed=True, damping=damping)
    if among is None:
        return dict(zip(ids, values, strict=True))
    net = net if net is not None else Network(g, ids)
    return {ids[i]: values[i] for i in net.positions(among)}


def betweenness(
    G: ChainGraph,
    rels: Collection[str] = ("SUPPLIES",),
    nodes: Iterable[str] | None = None,
    samples: int | None = None,
    seed: int = 0,
    net: Network | None = None,
) -> tuple[dict[str, float], Sampling]:
    """Directed betweenness of ``nodes`` on the network of ``rels`` edges, exact or sampled.

    B(v) = sum over s != v != t of sigma_st(v) / sigma_st, where sigma_st counts shortest
    s -> t paths and sigma_st(v) those through v. With more than
    :data:`BETWEENNESS_EXACT_LIMIT` vertices (or when ``samples`` is given) only ``k`` random
    source vertices s are used and the sum is scaled by n / k, an unbiased estimate (Brandes
    and Pich 2007); the returned :class:`Sampling` says which was done, and every output that
    shows the measure must say so.

    Parameters
    ----------
    G : ChainGraph
    rels : relation kinds whose edges form the network (default SUPPLIES)
    nodes : the vertex set (default every node of G)
    samples : number of sampled sources; None chooses exact up to the limit
    seed : random seed for the sample (results are reproducible)
    net : a prebuilt :func:`network` (then ``rels`` and ``nodes`` are ignored)

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> _ = G.add_edge("a", "b", key="SUPPLIES")
    >>> _ = G.add_edge("b", "c", key="SUPPLIES")
    >>> values, how = betweenness(G)
    >>> values, how.describe()
    ({'a': 0.0, 'b': 1.0, 'c': 0.0}, 'exact')
    """
    g, ids = (net.graph, net.ids) if net is not None else _to_igraph(G, rels, nodes)
    n = len(ids)
    if n == 0:
        return {}, Sampling(False, 0, 0)
    if samples is None and n <= BETWEENNESS_EXACT_LIMIT:
        values = g.betweenness(directed=True)
        return dict(zip(ids, map(float, values), strict=True)), Sampling(False, n, n)
    k = min(n, samples if samples is not None else BETWEENNESS_SAMPLES)
    if k >= n:
        values = g.betweenness(directed=True)
        return dict(zip(ids, map(float, values), strict=True)), Sampling(False, n, n)
    sources = sorted(random.Random(seed).sample(range(n), k))
    values = g.betweenness(directed=True, sources=sources)
    scale = n / k
    return (
        {i: float(v) * scale for i, v in zip(ids, values, strict=True)},
        Sampling(True, k, n),
    )


def neighborhood_sizes(
    G: ChainGraph,
    rels: Collection[str] = ("SUPPLIES",),
    nodes: Iterable[str] | None = None,
    order: int = 2,
    among: Collection[str] | None = None,
    net: Network | None = None,
) -> dict[str, int]:
    """Number of other vertices within ``order`` hops (either direction) of each vertex.

    The network is the ``rels`` edges among ``nodes``; ``among`` restricts the result to
    those vertices (the walk still passes through all of ``nodes``).

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> _ = G.add_edge("a", "b", key="SUPPLIES")
    >>> _ = G.add_edge("b", "c", key="SUPPLIES")
    >>> neighborhood_sizes(G, order=1)
    {'a': 1, 'b': 2, 'c': 1}
    """
    g, ids = (net.graph, net.ids) if net is not None else _to_igraph(G, rels, nodes)
    if not ids:
        return {}
    at = list(range(len(ids))) if among is None else Network(g, ids).positions(among)
    sizes = g.neighborhood_size(at, order=order, mode="all")
    return {ids[i]: int(s) - 1 for i, s in zip(at, sizes, strict=True)}


def degrees(net: Network, among: Collection[str]) -> dict[str, int]:
    """Edges at each of ``among`` in the network (in and out), for those in it."""
    at = net.positions(among)
    return {net.ids[i]: int(d) for i, d in zip(at, net.graph.degree(at), strict=True)}
