"""Heavy graph kernels (PageRank, betweenness) run in igraph behind a networkx API.

networkx is the graph model of the library, but its pure-Python PageRank and betweenness are
far too slow for province-wide firm lists (10^5 firms). These functions take a networkx graph
and return plain ``{node_id: value}`` dicts, so callers never see igraph.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Iterable
from dataclasses import dataclass

import igraph as ig

from ..model import ChainGraph

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


def _to_igraph(
    G: ChainGraph, rels: Collection[str], nodes: Iterable[str] | None
) -> tuple[ig.Graph, list[str]]:
    """A directed igraph of the given relation kinds among ``nodes`` (default: all nodes)."""
    ids = sorted(G.nodes if nodes is None else set(nodes) & set(G.nodes))
    index = {n: i for i, n in enumerate(ids)}
    edges: set[tuple[int, int]] = set()
    for u in ids:
        iu = index[u]
        for _, v, key in G.out_edges(u, keys=True):
            if key in rels and v in index and v != u:
                edges.add((iu, index[v]))
    g = ig.Graph(n=len(ids), edges=sorted(edges), directed=True)
    return g, ids


def pagerank(
    G: ChainGraph,
    rels: Collection[str] = ("SUPPLIES",),
    nodes: Iterable[str] | None = None,
    damping: float = 0.85,
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
    g, ids = _to_igraph(G, rels, nodes)
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
    g, ids = _to_igraph(G, rels, nodes)
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
    g, ids = _to_igraph(G, rels, nodes)
    if not ids:
        return {}
    index = {n: i for i, n in enumerate(ids)}
    wanted = ids if among is None else sorted(set(among) & set(index))
    sizes = g.neighborhood_size([index[w] for w in wanted], order=order, mode="all")
    return {w: int(s) - 1 for w, s in zip(wanted, sizes, strict=True)}
