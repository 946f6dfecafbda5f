"""Inferred supply (--infer): potential SUPPLIES links where segments FEED each other.

An inferred link is computed at run time, carries ``grade: inferred`` and is never written to
a dataset: :func:`with_inferred` returns a copy of the graph.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..model import ChainGraph, Grade, Kind, Rel
from ._context import (
    chain_context,
    firm_weight,
    in_ids,
    is_local,
    kind_of,
    name_of,
    out_ids,
)

#: at most this many inferred suppliers per (customer, input segment)
DEFAULT_PER_CUSTOMER = 5


def _scope_segments(G: ChainGraph, chain_id: str | None) -> list[str]:
    if chain_id is None:
        return sorted(n for n in G.nodes if G.nodes[n].get("kind") == Kind.SEGMENT)
    ctx = chain_context(G, chain_id)
    segs = set(ctx.segments)
    for s in ctx.segments:
        segs.update(out_ids(G, s, Rel.FEEDS))
        segs.update(in_ids(G, s, Rel.FEEDS))
    return sorted(s for s in segs if kind_of(G, s) == Kind.SEGMENT)


def _firms_in(G: ChainGraph, seg: str) -> list[str]:
    return [m for m in in_ids(G, seg, Rel.IN_SEGMENT) if kind_of(G, m) == Kind.FIRM]


def infer_supplies(
    G: ChainGraph,
    chain_id: str | None = None,
    per_customer: int | None = DEFAULT_PER_CUSTOMER,
) -> list[tuple[str, str, dict[str, object]]]:
    """Potential supply links: ``(supplier, customer, attrs)`` with ``grade`` inferred.

    For each FEEDS edge s -> t among the chain's segments and their FEEDS neighbours (all
    segments if ``chain_id`` is None), each local firm b IN_SEGMENT t and each firm a != b
    IN_SEGMENT s with no stated SUPPLIES a -> b, a -> b is a potential supply. Per customer
    and input segment at most ``per_customer`` suppliers are kept (local first, then larger
    ``firm_weight``, then id; None keeps all). attrs: ``rel`` SUPPLIES, ``grade`` inferred,
    ``product`` (the input segment's name) and ``basis`` ("s FEEDS t").

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> for s in ("cathode", "cell"):
    ...     G.add_node(s, kind="Segment", name=s, tier="midstream")
    >>> _ = G.add_edge("cathode", "cell", key="FEEDS")
    >>> G.add_node("byd", kind="Firm", name="比亚迪", local=True)
    >>> G.add_node("x", kind="Firm", name="X", local=False)
    >>> _ = G.add_edge("byd", "cell", key="IN_SEGMENT")
    >>> _ = G.add_edge("x", "cathode", key="IN_SEGMENT")
    >>> [(u, v, a["grade"]) for u, v, a in infer_supplies(G)]
    [('x', 'byd', 'inferred')]
    """
    found: dict[tuple[str, str], dict[str, object]] = {}
    for s in _scope_segments(G, chain_id):
        suppliers = _firms_in(G, s)
        if not suppliers:
            continue
        ranked = sorted(
            suppliers, key=lambda a: (not is_local(G, a), -round(firm_weight(G, a), 9), a)
        )
        for t in out_ids(G, s, Rel.FEEDS):
            if kind_of(G, t) != Kind.SEGMENT or t == s:
                continue
            for b in _firms_in(G, t):
                if not is_local(G, b):
                    continue
                kept = 0
                for a in ranked:
                    if per_customer is not None and kept >= per_customer:
                        break
                    if a == b or G.has_edge(a, b, key=Rel.SUPPLIES):
                        continue
                    kept += 1
                    found.setdefault(
                        (a, b),
                        {
                            "rel": str(Rel.SUPPLIES),
                            "grade": str(Grade.INFERRED),
                            "product": name_of(G, s),
                            "basis": f"{s} FEEDS {t}",
                        },
                    )
    return [(a, b, attrs) for (a, b), attrs in sorted(found.items())]


def with_inferred(
    G: ChainGraph,
    chain_id: str | None = None,
    per_customer: int | None = DEFAULT_PER_CUSTOMER,
) -> ChainGraph:
    """A copy of G with the links of :func:`infer_supplies` added (G is not changed).

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> H = with_inferred(G)
    >>> H is G
    False
    """
    H = G.copy()
    add_edges(H, infer_supplies(G, chain_id, per_customer))
    return H


def add_edges(H: ChainGraph, edges: Iterable[tuple[str, str, dict[str, object]]]) -> None:
    """Add inferred SUPPLIES edges to H in place."""
    for a, b, attrs in edges:
        H.add_edge(a, b, key=str(Rel.SUPPLIES), **attrs)


def count_inferred(G: ChainGraph) -> int:
    """Number of edges graded inferred in G."""
    return sum(1 for _, _, d in G.edges(data=True) if d.get("grade") == Grade.INFERRED)
