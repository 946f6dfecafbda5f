"""Heavy graph kernels (PageRank, betweenness) run in igraph behind a networkx API.

networkx is the graph model of the library, but its pure-Python PageRank and betweenness are
far too slow for province-wide firm lists (10^5 firms). These functions take a networkx graph
and return plain ``{node_id: value}`` dicts, so callers never see igraph.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Iterable
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
    """A directed igraph of some relation kinds among some nodes, with the node ids."""

    graph: ig.Graph
    ids: list[str]
    _index: dict[str, int] | None = None

    @property
    def index(self) -> dict[str, int]:
        """Position of each id (built once)."""
        if self._index is None:
            self._index = {n: i for i, n in enumerate(self.ids)}
        return self._index

    def induced(self, nodes: Iterable[str]) -> Network:
        """The subnetwork among ``nodes`` (those of this network), vertices in id order."""
        pos = self.index
        keep = sorted(pos[n] for n in set(nodes) if n in pos)
        sub = self.graph.induced_subgraph(keep, implementation="create_from_scratch")
        return Network(sub, [self.ids[i] for i in keep])


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
    return dict(zip(ids, values, strict=True))


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
    index = {n: i for i, n in enumerate(ids)}
    wanted = ids if among is None else sorted(set(among) & set(index))
    sizes = g.neighborhood_size([index[w] for w in wanted], order=order, mode="all")
    return {w: int(s) - 1 for w, s in zip(wanted, sizes, strict=True)}
