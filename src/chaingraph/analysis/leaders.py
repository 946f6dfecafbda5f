"""Chain leaders (链主): local firms ranked by a documented composite score."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model import ChainGraph, Row
from . import kernels
from ._context import (
    YI,
    ChainContext,
    chain_context,
    is_local,
    name_of,
)

#: weight of each normalised component in the leader score (they sum to 1)
LEADER_WEIGHTS: dict[str, float] = {
    "designated": 0.20,
    "pull": 0.25,
    "investment": 0.20,
    "reach": 0.15,
    "pagerank": 0.15,
    "betweenness": 0.05,
}

COMPONENT_DOC: dict[str, str] = {
    "designated": "1 if the firm LEADS the chain or a platform that HOSTS it (链主/龙头), else 0",
    "pull": "local firms that SUPPLY it + firms and projects it (or a project it invests in) "
    "ATTRACTED",
    "investment": "sum of its INVESTS_IN amounts, in 亿元",
    "reach": "firms within two SUPPLIES hops of it, either direction, in the chain's network",
    "pagerank": "PageRank on the chain's SUPPLIES network (supplier -> customer, d = 0.85); "
    "0 for a firm with no SUPPLIES link (its PageRank would only be the uniform baseline)",
    "betweenness": "directed betweenness on the SUPPLIES network among the chain's local firms "
    "(how much local supply passes through it)",
}

#: the Chinese name of each component, as the report and its workbook print it
COMPONENT_ZH: dict[str, str] = {
    "designated": "标注链主",
    "pull": "本地拉动",
    "investment": "投资额",
    "reach": "供应网覆盖",
    "pagerank": "供应网中心度",
    "betweenness": "本地中介度",
}


@dataclass
class Leaders:
    """The leader table of a chain: ``rows`` best first, and how each measure was made."""

    chain: str
    rows: list[Row]
    weights: dict[str, float] = field(default_factory=lambda: dict(LEADER_WEIGHTS))
    betweenness: str = "exact"
    network_firms: int = 0
    inferred_edges: int = 0

    def top(self, n: int = 1) -> list[str]:
        """Ids of the n best-ranked firms."""
        return [r["firm"] for r in self.rows[:n]]


def candidates(ctx: ChainContext) -> list[str]:
    """Local firms present in the chain's segments, plus local firms designated to lead it."""
    found = {f for s in ctx.segments.values() for f in s.local}
    found.update(f for f in ctx.leaders_designated() if is_local(ctx.G, f))
    return sorted(found)


def _local_suppliers(ctx: ChainContext, firm: str) -> tuple[list[str], list[str]]:
    """(local suppliers, those of them whose link is inferred) of a firm, sorted
    (:meth:`~chaingraph.analysis._context.GraphIndex.local_suppliers`)."""
    return ctx.index.local_suppliers(firm)


def leaders_of(ctx: ChainContext, limit: int | None = None) -> Leaders:
    """:func:`rank_leaders` for a built context."""
    G = ctx.G
    cands = candidates(ctx)
    designated = ctx.leaders_designated()
    firms = ctx.network_firms()
    net = ctx.index.supply_network(firms)
    local_net = net.induced_at([i for i, f in enumerate(net.ids) if is_local(G, f)])
    # values for the candidates only: a dict over every firm of the chain's network (10^5 and
    # more at province scale) would only be read for the candidates
    pr = kernels.pagerank(G, net=net, among=cands)
    btw, how = kernels.betweenness(G, net=local_net)
    reach = kernels.neighborhood_sizes(G, order=2, among=cands, net=net)
    degree = kernels.degrees(net, cands)
    del net, local_net
    inferred_edges = 0
    # per candidate: the raw components in LEADER_WEIGHTS' order, then the row's details
    raw: dict[str, tuple[float, ...]] = {}
    detail: dict[str, tuple[int, int, list[str], list[str]]] = {}
    for f in cands:
        local_sups, inferred = _local_suppliers(ctx, f)
        inferred_edges += len(inferred)
        a_firms, a_projects = ctx.index.attracted(f)
        raw[f] = (
            1.0 if f in designated else 0.0,
            float(len(local_sups) + len(a_firms) + len(a_projects)),
            ctx.index.invested(f) / YI,
            float(reach.get(f, 0)),
            pr.get(f, 0.0) if degree.get(f, 0) > 0 else 0.0,
            btw.get(f, 0.0),
        )
        detail[f] = (len(local_sups), len(inferred), a_firms, a_projects)
    del pr, btw, reach, degree
    names = tuple(LEADER_WEIGHTS)
    weights = tuple(LEADER_WEIGHTS.values())
    maxima = [max((raw[f][k] for f in cands), default=0.0) for k in range(len(names))]
    rows: list[Row] = []
    for f in cands:
        values = raw.pop(f)
        norm = [(v / m if m > 0 else 0.0) for v, m in zip(values, maxima, strict=True)]
        score = 100.0 * sum(w * x for w, x in zip(weights, norm, strict=True))
        designated_f, pull, investment, reach_f, pagerank, betweenness = values
        local_n, inferred_n, a_firms, a_projects = detail.pop(f)
        rows.append(
            {
                "firm": f,
                "name": name_of(G, f),
                "score": round(score, 2),
                "designated": bool(designated_f),
                "pull": int(pull),
                "local_suppliers": local_n,
                "inferred_suppliers": inferred_n,
                "attracted_firms": len(a_firms),
                "attracted_projects": len(a_projects),
                "attracted": [name_of(G, v) for v in a_firms + a_projects],
                "investment_yi": round(investment, 2),
                "reach": int(reach_f),
                "pagerank": round(pagerank, 6),
                "betweenness": round(betweenness, 3),
                "_exact": round(score, 9),
            }
        )
    rows.sort(key=lambda r: (-r["_exact"], r["firm"]))
    for rank, r in enumerate(rows, 1):
        del r["_exact"]
        r["rank"] = rank
    return Leaders(
        chain=ctx.chain_id,
        rows=rows[:limit] if limit else rows,
        betweenness=how.describe(),
        network_firms=len(firms),
        inferred_edges=inferred_edges,
    )


def rank_leaders(G: ChainGraph, chain_id: str, limit: int | None = None) -> Leaders:
    """Rank the chain's local firms as chain leaders (链主) by a composite score.

    Candidates: local firms present in the chain's segments (presence rule: see
    ``chain_map``) and local firms designated to lead it. For each candidate f, each
    component c_k(f) (see :data:`COMPONENT_DOC`) is divided by its maximum over the candidates
    (0 if that maximum is 0), and

        score(f) = 100 * sum_k w_k * c_k(f) / max_g c_k(g)

    with weights :data:`LEADER_WEIGHTS` (designated 0.20, pull 0.25, investment 0.20, reach
    0.15, PageRank 0.15, betweenness 0.05). The chain's network is the SUPPLIES edges among
    the firms of the chain's subgraph (``query.chain_node_ids``), so the score is the same on
    the whole graph and on the subgraph a store returns; betweenness uses only its local
    firms, and is sampled on large networks (``Leaders.betweenness`` says so). Ties: by id.
    Rows carry every component.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("c", kind="Chain", name="电池")
    >>> G.add_node("cell", kind="Segment", name="电芯", tier="midstream")
    >>> _ = G.add_edge("c", "cell", key="HAS_SEGMENT")
    >>> for f in ("byd", "a", "b"):
    ...     G.add_node(f, kind="Firm", name=f, local=True)
    ...     _ = G.add_edge(f, "cell", key="IN_SEGMENT")
    >>> _ = G.add_edge("a", "byd", key="SUPPLIES")
    >>> _ = G.add_edge("b", "byd", key="SUPPLIES")
    >>> [(r["firm"], r["pull"], r["score"]) for r in rank_leaders(G, "c").rows]
    [('byd', 2, 55.0), ('a', 0, 20.56), ('b', 0, 20.56)]
    """
    return leaders_of(chain_context(G, chain_id), limit)


def leader_ids(ctx: ChainContext, board: Leaders | None = None) -> set[str]:
    """The chain's anchors for targeting: designated leaders and the top-ranked firm."""
    found = set(ctx.leaders_designated())
    if board is not None and board.rows:
        found.add(board.rows[0]["firm"])
    return found


def leader_scores(G: ChainGraph) -> dict[str, float]:
    """Each local firm's best chain-leader score over all chains (0-100), for views.

    score(f) = max over chains c of rank_leaders(G, c) score of f; firms in no chain are
    left out.

    Examples
    --------
    >>> import networkx as nx
    >>> leader_scores(nx.MultiDiGraph())
    {}
    """
    from ._context import chains_of

    best: dict[str, float] = {}
    for c in chains_of(G):
        for r in rank_leaders(G, c).rows:
            best[r["firm"]] = max(best.get(r["firm"], 0.0), float(r["score"]))
    return dict(sorted(best.items()))
