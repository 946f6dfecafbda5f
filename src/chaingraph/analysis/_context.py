"""Shared per-chain facts the measures build on: segments, who is present in each, sizes."""

from __future__ import annotations

import itertools
import math
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import compress
from typing import Any

import networkx as nx

from ..errors import UnknownEntity
from ..model import TIER_ORDER, ChainGraph, Grade, Kind, Rel, node_grade
from ..search import find
from . import kernels
from .status import COVERED as COVERED
from .status import GAP as GAP
from .status import WEAK as WEAK
from .status import segment_status

YI = 1e8  # 亿元


# The kinds and relations as plain str (the enums' values): a StrEnum member is a slow class
# attribute to fetch and a slower dict key to look up than a str, in loops over every node
# and edge of a 10^6-firm graph.
FIRM, PROJECT, SEGMENT, CHAIN = (
    str(k) for k in (Kind.FIRM, Kind.PROJECT, Kind.SEGMENT, Kind.CHAIN)
)
SUPPLIES, IN_SEGMENT, INVESTS_IN, ATTRACTED = (
    str(r) for r in (Rel.SUPPLIES, Rel.IN_SEGMENT, Rel.INVESTS_IN, Rel.ATTRACTED)
)
FEEDS, LEADS, HOSTS, HAS_SEGMENT = (
    str(r) for r in (Rel.FEEDS, Rel.LEADS, Rel.HOSTS, Rel.HAS_SEGMENT)
)


def status_of(n_local: int) -> str:
    """The status of a core segment with n_local local firms (:func:`coverage.segment_status`)."""
    return segment_status(n_local)


# The helpers below read the node and adjacency dicts of the MultiDiGraph directly (``_succ`` /
# ``_pred``: node -> neighbour -> edge key -> attrs). networkx's edge views build a view
# object per call, which costs seconds on 10^5 firms; the dicts are the same data.


def attrs_of(G: ChainGraph) -> dict[str, dict[str, Any]]:
    """The node attribute dicts of G: node -> attrs."""
    return G._node  # type: ignore[attr-defined,no-any-return]


def name_of(G: ChainGraph, node_id: str) -> str:
    """The node's name, else its id."""
    return name_in(attrs_of(G)[node_id], node_id)


def name_in(attrs: dict[str, Any], node_id: str) -> str:
    """:func:`name_of` for a node whose attributes are at hand."""
    return str(attrs.get("name") or node_id)


def succ(G: ChainGraph) -> dict[str, dict[str, dict[str, dict[str, Any]]]]:
    """The successor dicts of G: node -> neighbour -> key -> edge attrs."""
    return G._succ  # type: ignore[attr-defined,no-any-return]


def pred(G: ChainGraph) -> dict[str, dict[str, dict[str, dict[str, Any]]]]:
    """The predecessor dicts of G: node -> neighbour -> key -> edge attrs."""
    return G._pred  # type: ignore[attr-defined,no-any-return]


def out_ids(G: ChainGraph, node_id: str, rel: str) -> list[str]:
    """Sorted targets of ``rel`` edges leaving node_id."""
    rel = str(rel)  # (a plain str is the faster dict key)
    return sorted(v for v, keys in succ(G)[node_id].items() if rel in keys)


def in_ids(G: ChainGraph, node_id: str, rel: str) -> list[str]:
    """Sorted sources of ``rel`` edges entering node_id."""
    rel = str(rel)  # (a plain str is the faster dict key)
    return sorted(u for u, keys in pred(G)[node_id].items() if rel in keys)


def kind_of(G: ChainGraph, node_id: str) -> str:
    return str(attrs_of(G)[node_id].get("kind", ""))


def is_local(G: ChainGraph, node_id: str) -> bool:
    attrs = attrs_of(G)[node_id]
    return attrs.get("kind") == FIRM and bool(attrs.get("local"))


def invested_cny(G: ChainGraph, firm: str) -> float:
    """Sum over the firm's INVESTS_IN edges of the edge's amount_cny, else the project's."""
    total = 0.0
    nodes = attrs_of(G)
    for p, keys in succ(G)[firm].items():
        data = keys.get(INVESTS_IN)
        if data is not None:
            total += invest_amount(data, nodes[p])
    return total


def invest_amount(edge: dict[str, Any], project: dict[str, Any]) -> float:
    """The yuan of one INVESTS_IN edge: its own ``amount_cny``, else the project's, else 0."""
    amount = edge.get("amount_cny")
    if not isinstance(amount, int | float):
        amount = project.get("amount_cny")
    return float(amount) if isinstance(amount, int | float) else 0.0


def firm_weight(G: ChainGraph, firm: str, invested: float | None = None) -> float:
    """w(f) = 1 + log10(1 + m / 1e8), m = max(output_cny, invested_cny): 1 for a firm of
    unknown size, 2 for one of 9 亿元, about 3 for 100 亿元."""
    output = attrs_of(G)[firm].get("output_cny")
    if invested is None:
        invested = invested_cny(G, firm)
    mass = max(float(output) if isinstance(output, int | float) else 0.0, invested)
    return 1.0 + math.log10(1.0 + max(mass, 0.0) / YI)


def amount_text(G: ChainGraph, project: str) -> str:
    """The project's amount as written, else formatted from amount_cny, else ''."""
    attrs = G.nodes[project]
    if attrs.get("amount_text"):
        return str(attrs["amount_text"])
    amount = attrs.get("amount_cny")
    return yuan(amount) if isinstance(amount, int | float) else ""


def yuan(amount: float) -> str:
    """Format yuan in 亿元 or 万元."""
    if abs(amount) >= YI:
        return f"{amount / YI:,.2f}".rstrip("0").rstrip(".") + "亿元"
    if abs(amount) >= 1e4:
        return f"{amount / 1e4:,.1f}".rstrip("0").rstrip(".") + "万元"
    return f"{amount:,.0f}元"


@dataclass
class Segment:
    """One segment of a chain and who is present in it.

    Presence rule: a segment's *local firms* are the local firms IN_SEGMENT it, plus local
    firms that INVESTS_IN a project IN_SEGMENT it (``via_project`` names those projects). A
    project without a local investor does not make a segment covered; it is listed as a
    *pipeline* project (a signed project may still fall through).
    """

    id: str
    name: str
    tier: str
    weight: float
    extension: bool
    local: list[str] = field(default_factory=list)
    via_project: dict[str, list[str]] = field(default_factory=dict)
    external: list[str] = field(default_factory=list)
    projects: list[str] = field(default_factory=list)
    pipeline: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        """covered / weak / gap / extension: :func:`chaingraph.analysis.coverage.segment_status`."""
        return segment_status(len(self.local), self.extension)


def segment_facts(G: ChainGraph, seg: str) -> Segment:
    """Who is present in one segment (see :class:`Segment` for the presence rule)."""
    attrs = G.nodes[seg]
    weight = attrs.get("weight")
    out = Segment(
        id=seg,
        name=name_of(G, seg),
        tier=str(attrs.get("tier") or ""),
        weight=float(weight) if isinstance(weight, int | float) and weight >= 0 else 1.0,
        extension=bool(attrs.get("extension")),
    )
    direct: set[str] = set()
    via: dict[str, list[str]] = {}
    nodes = attrs_of(G)
    for m in in_ids(G, seg, IN_SEGMENT):
        member = nodes[m]
        kind = member.get("kind")
        if kind == FIRM:
            if member.get("local"):  # (is_local, inlined: asked for every member)
                direct.add(m)
            else:
                out.external.append(m)
        elif kind == PROJECT:
            out.projects.append(m)
            investors = [f for f in in_ids(G, m, INVESTS_IN) if is_local(G, f)]
            for f in investors:
                via.setdefault(f, []).append(m)
            if not investors:
                out.pipeline.append(m)
    out.via_project = {f: sorted(p) for f, p in sorted(via.items()) if f not in direct}
    out.local = sorted(direct | set(out.via_project))
    return out


def check_chain(G: ChainGraph, chain_id: str) -> None:
    """Raise UnknownEntity unless chain_id is a Chain node of G."""
    if chain_id not in G or G.nodes[chain_id].get("kind") != CHAIN:
        near = [r for r in find(G, chain_id, 5) if r["kind"] == CHAIN]
        hint = ", ".join(f"{r['id']} ({r['name']})" for r in near)
        raise UnknownEntity(
            f"Unknown chain '{chain_id}'. "
            + (f"Did you mean: {hint}?" if hint else "Run 'chaingraph find TEXT' to list chains")
        )


def chains_of(G: ChainGraph) -> list[str]:
    """Ids of all Chain nodes, sorted."""
    return sorted(n for n, a in attrs_of(G).items() if a.get("kind") == CHAIN)


CONTEXT_RELS = frozenset(
    str(r) for r in (SUPPLIES, ATTRACTED, INVESTS_IN, LEADS, Rel.AFFILIATED_WITH)
)


#: the context relations other than SUPPLIES (few: kept as lists, not in the int arrays)
_RARE_RELS = CONTEXT_RELS - {SUPPLIES}


class GraphIndex:
    """Per-node facts the measures look up again and again, computed once and memoised.

    Each fact is read from the node's own edges when first asked: right for one chain's
    subgraph. For every chain of a whole graph use :class:`SharedIndex`, which answers the
    same questions from one pass over the graph. The graph must not change while an index is
    in use.
    """

    def __init__(self, G: ChainGraph) -> None:
        self.G = G
        self._weights: dict[str, float] = {}
        self._segments: dict[str, list[str]] = {}
        self._segment_lists: dict[tuple[str, ...], list[str]] = {}  # one list per segment set
        self._context: dict[str, set[str]] = {}
        #: other per-chain memos kept on behalf of this index (emptied by :meth:`end_chain`)
        self.chain_memos: list[dict[Any, Any]] = []

    def invested(self, firm: str) -> float:
        """:func:`invested_cny` of the firm."""
        return invested_cny(self.G, firm)

    def weight(self, firm: str) -> float:
        """:func:`firm_weight`, memoised."""
        w = self._weights.get(firm)
        if w is None:
            w = self._weights[firm] = firm_weight(self.G, firm, self.invested(firm))
        return w

    def weight_once(self, firm: str) -> float:
        """:func:`firm_weight`, the memoised value if there is one, else not memoised: for
        a firm asked once (sorting every firm of a segment by size)."""
        w = self._weights.get(firm)
        return firm_weight(self.G, firm, self.invested(firm)) if w is None else w

    def segments_of(self, node: str) -> list[str]:
        """Sorted segments the node is IN_SEGMENT, memoised (the list is shared with every
        node in the same segments: do not change it)."""
        segs = self._segments.get(node)
        if segs is None:
            found = out_ids(self.G, node, IN_SEGMENT)
            segs = self._segments[node] = self._segment_lists.setdefault(tuple(found), found)
        return segs

    def context_neighbours(self, node: str) -> set[str]:
        """Nodes one SUPPLIES / ATTRACTED / INVESTS_IN / LEADS / AFFILIATED_WITH hop away."""
        found = self._context.get(node)
        if found is None:
            found = set()
            for adj in (succ(self.G)[node], pred(self.G)[node]):
                for v, keys in adj.items():
                    if not CONTEXT_RELS.isdisjoint(keys):
                        found.add(v)
            self._context[node] = found
        return found

    def neighbours_of_all(self, nodes: set[str]) -> set[str]:
        """``nodes`` and every node one context hop from them (see :meth:`context_neighbours`)."""
        found = set(nodes)
        for m in nodes:
            found.update(self.context_neighbours(m))
        return found

    def firms_near(self, nodes: set[str], extra: Iterable[str] = ()) -> list[str]:
        """The firms among ``nodes``, the nodes one context hop from them and ``extra``
        (not widened), sorted."""
        found = self.neighbours_of_all(nodes)
        found.update(extra)
        kinds = attrs_of(self.G)
        return sorted(f for f in found if kinds[f].get("kind") == FIRM)

    def end_chain(self) -> None:
        """Forget the per-firm memos of the chain just done (weights, segments, context
        neighbours), before the next chain: few firms are in two chains, and over every
        chain of 10^6 firms the memos would hold a few hundred MB. Answers do not change."""
        self._weights.clear()
        self._segments.clear()
        self._segment_lists.clear()
        self._context.clear()
        for memo in self.chain_memos:
            memo.clear()

    def attracted(self, firm: str) -> tuple[list[str], list[str]]:
        """(firms, projects) ATTRACTED by the firm or by a project it INVESTS_IN, sorted."""
        S = succ(self.G)
        anchors = {firm}
        drawn = set()
        for v, keys in S[firm].items():
            if INVESTS_IN in keys:
                anchors.add(v)
            if ATTRACTED in keys:
                drawn.add(v)
        for p in anchors - {firm}:
            drawn.update(v for v, keys in S[p].items() if ATTRACTED in keys)
        return self._by_kind(drawn - anchors)

    def _by_kind(self, drawn: set[str]) -> tuple[list[str], list[str]]:
        """(firms, projects) among ``drawn``, sorted."""
        nodes = attrs_of(self.G)
        firms = sorted(v for v in drawn if nodes[v].get("kind") == FIRM)
        projects = sorted(v for v in drawn if nodes[v].get("kind") == PROJECT)
        return firms, projects

    def local_suppliers(self, firm: str) -> tuple[list[str], list[str]]:
        """(local firms that SUPPLY the firm, those of them whose link is inferred), sorted;
        the firm itself is not its own supplier."""
        local: list[str] = []
        inferred: list[str] = []
        nodes = attrs_of(self.G)
        for u, keys in pred(self.G)[firm].items():
            data = keys.get(SUPPLIES)
            if data is None or u == firm:
                continue
            attrs = nodes[u]
            if attrs.get("kind") != FIRM or not attrs.get("local"):
                continue
            local.append(u)
            if data.get("grade") == INFERRED:
                inferred.append(u)
        return sorted(local), sorted(inferred)

    def supply_network(self, firms: list[str]) -> kernels.Network:
        """The SUPPLIES network among ``firms`` (sorted ids)."""
        return kernels.network(self.G, (SUPPLIES,), firms)


class SharedIndex(GraphIndex):
    """A :class:`GraphIndex` for every chain of one graph (the report and ``targets`` use it).

    The same answers, from one pass over the whole graph: the investments of every firm, the
    ATTRACTED and INVESTS_IN links, and the SUPPLIES network of all firms, of which each chain
    takes its induced subgraph. Kept small for 10^6 firms: the network is held as arrays of
    ints (:class:`~chaingraph.analysis.kernels.Adjacency`: ids sorted, positions found by
    bisection, no id -> position dict), the rarer links as lists.
    """

    def __init__(self, G: ChainGraph) -> None:
        super().__init__(G)
        self._supply: kernels.Adjacency | None = None
        self._invested: dict[str, float] | None = None
        self._rare: dict[str, list[str]] | None = None
        self._drew: dict[str, list[str]] = {}
        self._invests: dict[str, list[str]] = {}
        #: a byte per firm of the network of all firms: 1 if local
        self._local: bytearray | None = None
        #: the last firms_near answer and its positions in the network of all firms
        self._near_at: tuple[list[str], array[int]] | None = None

    def end_chain(self) -> None:
        """As :meth:`GraphIndex.end_chain`, and the chain's firm positions."""
        super().end_chain()
        self._near_at = None

    def invested(self, firm: str) -> float:
        """:func:`invested_cny`, summed for every firm in one pass over the projects."""
        if self._invested is None:
            self._invested = {}
            nodes, P = attrs_of(self.G), pred(self.G)
            for p, attrs in nodes.items():
                if attrs.get("kind") != PROJECT:
                    continue
                for f, keys in P[p].items():
                    data = keys.get(INVESTS_IN)
                    if data is not None:
                        self._invested[f] = self._invested.get(f, 0.0) + invest_amount(data, attrs)
        return self._invested.get(firm, 0.0)

    def neighbours_of_all(self, nodes: set[str]) -> set[str]:
        """As :meth:`GraphIndex.neighbours_of_all`: SUPPLIES neighbours from the network of
        all firms, the rarer relations from a dict."""
        net, rare = self._global()
        found = set(nodes)
        found.update(compress(net.ids, self._near(nodes)))
        for m in nodes:
            found.update(rare.get(m, ()))
        return found

    def firms_near(self, nodes: set[str], extra: Iterable[str] = ()) -> list[str]:
        """As :meth:`GraphIndex.firms_near`, marked in a byte per firm of the network of
        all firms (which holds every firm, in id order) instead of sets of ids."""
        net, _ = self._global()
        position = net.position
        at = [i for i in map(position, nodes) if i is not None]  # (found once for both uses)
        mark = self._near(nodes, at)
        for i in at:
            mark[i] = 1
        for f in extra:
            found = position(f)
            if found is not None:
                mark[found] = 1
        firms = list(compress(net.ids, mark))
        # their positions, for supply_network (asked next, for these firms) to skip the search
        self._near_at = (firms, array("i", compress(range(len(mark)), mark)))
        return firms

    def _near(self, nodes: set[str], at: Iterable[int] | None = None) -> bytearray:
        """A byte per firm, 1 for the firms one context hop from ``nodes`` (``at``: their
        positions in the network of all firms, if known)."""
        net, rare = self._global()
        mark = bytearray(len(net.ids))
        position = net.position
        if at is None:
            at = (i for i in map(position, nodes) if i is not None)
        net.mark_near(at, mark)
        for m in nodes:
            for v in rare.get(m, ()):
                i = position(v)
                if i is not None:
                    mark[i] = 1
        return mark

    def _global(self) -> tuple[kernels.Adjacency, dict[str, list[str]]]:
        """The SUPPLIES network of all firms and the non-SUPPLIES context neighbours, from
        one pass over every node's out-edges (the firms' in id order)."""
        if self._supply is None or self._rare is None:
            nodes = attrs_of(self.G)
            firms = sorted(n for n, a in nodes.items() if a.get("kind") == FIRM)
            rare: dict[str, list[str]] = {}
            self._supply = kernels.Adjacency.build(firms, self._firm_links(firms, rare))
            for u, nbrs in succ(self.G).items():  # the other nodes' (projects, platforms...)
                if nodes[u].get("kind") != FIRM:
                    self._rare_links(rare, u, nbrs)
            self._rare = rare
        return self._supply, self._rare

    def _firm_links(self, firms: list[str], rare: dict[str, list[str]]) -> Iterator[list[int]]:
        """Each firm's SUPPLIES customers (positions, ascending) in turn; on the way, its
        other context links into ``rare``."""
        pos = {n: i for i, n in enumerate(firms)}  # only while the network is built
        get = pos.get
        S = succ(self.G)
        supplies = SUPPLIES
        for iu, u in enumerate(firms):
            nbrs = S[u]
            found = [get(v, -1) for v, keys in nbrs.items() if supplies in keys]
            if -1 in found or iu in found:  # a customer that is not a firm, a self-loop
                found = [i for i in found if i >= 0 and i != iu]
            found.sort()
            yield found
            self._rare_links(rare, u, nbrs)

    def _rare_links(
        self, rare: dict[str, list[str]], u: str, nbrs: dict[str, dict[str, Any]]
    ) -> None:
        """Note u's non-SUPPLIES context links (both ways) and what they say."""
        # the relations of all u's edges, checked in one C call: most nodes have none
        if _RARE_RELS.isdisjoint(itertools.chain.from_iterable(nbrs.values())):
            return
        for v, keys in nbrs.items():
            if _RARE_RELS.isdisjoint(keys):
                continue
            rare.setdefault(u, []).append(v)
            rare.setdefault(v, []).append(u)
            if ATTRACTED in keys:
                self._drew.setdefault(u, []).append(v)
            if INVESTS_IN in keys:
                self._invests.setdefault(u, []).append(v)

    def attracted(self, firm: str) -> tuple[list[str], list[str]]:
        """As :meth:`GraphIndex.attracted`, from the links gathered in one pass."""
        self._global()
        anchors = {firm, *self._invests.get(firm, ())}
        drawn = {v for a in anchors for v in self._drew.get(a, ())}
        return self._by_kind(drawn - anchors)

    def local_suppliers(self, firm: str) -> tuple[list[str], list[str]]:
        """As :meth:`GraphIndex.local_suppliers`: the firm's suppliers from the network of
        all firms (each once, ascending, no self-loop), kept if local (a byte per firm)."""
        net, _ = self._global()
        i = net.position(firm)
        if i is None:  # not a firm: no SUPPLIES link in the network
            return super().local_suppliers(firm)
        if self._local is None:
            nodes = attrs_of(self.G)
            self._local = bytearray(bool(nodes[f].get("local")) for f in net.ids)
        is_local, ids = self._local, net.ids
        local = [ids[j] for j in net.inn[net.in_at[i] : net.in_at[i + 1]] if is_local[j]]
        edges = pred(self.G)[firm]
        inferred = [u for u in local if edges[u][SUPPLIES].get("grade") == INFERRED]
        return local, inferred

    def supply_network(self, firms: list[str]) -> kernels.Network:
        """The SUPPLIES network among ``firms``: induced from the network of all firms."""
        net, _ = self._global()
        near = self._near_at
        if near is not None and near[0] is firms:
            return net.induced(near[1])
        keep = sorted({i for i in map(net.position, firms) if i is not None})
        return net.induced(keep)


@dataclass
class ChainContext:
    """A chain's segments in tier order, with presence, and the FEEDS links among them."""

    G: ChainGraph
    chain_id: str
    name: str
    segments: dict[str, Segment]  # the chain's own segments, extension ones included
    order: list[str]  # segment ids upstream -> downstream
    index: GraphIndex

    def weight(self, firm: str) -> float:
        """:func:`firm_weight`, memoised."""
        return self.index.weight(firm)

    @property
    def core(self) -> list[str]:
        """Segments that count for coverage (not ``extension``), in tier order."""
        return [s for s in self.order if not self.segments[s].extension]

    def feeds_out(self, seg: str) -> list[str]:
        return out_ids(self.G, seg, FEEDS)

    def feeds_in(self, seg: str) -> list[str]:
        return in_ids(self.G, seg, FEEDS)

    def downstream_hops(self, seg: str) -> dict[str, int]:
        """FEEDS distance from seg to each core segment below it (walking only core ones)."""
        core = set(self.core)
        dist = {seg: 0}
        frontier = [seg]
        while frontier:
            nxt = []
            for u in frontier:
                for v in self.feeds_out(u):
                    if v in core and v not in dist:
                        dist[v] = dist[u] + 1
                        nxt.append(v)
            frontier = sorted(nxt)
        del dist[seg]
        return dist

    def network_firms(self) -> list[str]:
        """The firms of the chain's subgraph (``query.chain_node_ids``), sorted.

        The chain's segments and their FEEDS neighbours; the firms in them and the firms of
        projects in them; firms one SUPPLIES / ATTRACTED / AFFILIATED_WITH hop from those
        firms and projects; firms that LEAD the chain. Same set as the firms of
        ``query.chain_node_ids``, read from the adjacency dicts.
        """
        G = self.G
        S, P = succ(G), pred(G)
        segs = set(self.segments)
        for s in self.segments:
            segs.update(v for v, keys in S[s].items() if FEEDS in keys)
            segs.update(u for u, keys in P[s].items() if FEEDS in keys)
        members = {u for s in segs for u, keys in P[s].items() if IN_SEGMENT in keys}
        leads = [u for u, keys in P[self.chain_id].items() if LEADS in keys]
        return self.index.firms_near(members, leads)

    def leaders_designated(self) -> set[str]:
        """Firms that LEAD the chain or a platform/zone that HOSTS it."""
        G = self.G
        hosts = in_ids(G, self.chain_id, HOSTS)
        found = {f for f in in_ids(G, self.chain_id, LEADS) if kind_of(G, f) == FIRM}
        for h in hosts:
            found.update(f for f in in_ids(G, h, LEADS) if kind_of(G, f) == FIRM)
        return found


def chain_context(G: ChainGraph, chain_id: str, index: GraphIndex | None = None) -> ChainContext:
    """Build the :class:`ChainContext` of one chain (raises UnknownEntity).

    ``index``: a :class:`GraphIndex` of G to share with other chains (default: a new one).
    """
    check_chain(G, chain_id)
    seg_ids = [s for s in out_ids(G, chain_id, HAS_SEGMENT) if kind_of(G, s) == SEGMENT]
    segments = {s: segment_facts(G, s) for s in seg_ids}
    return ChainContext(
        G,
        chain_id,
        name_of(G, chain_id),
        segments,
        _tier_order(G, seg_ids),
        index if index is not None else GraphIndex(G),
    )


def _tier_order(G: ChainGraph, seg_ids: Iterable[str]) -> list[str]:
    """Segments by tier, then FEEDS order (lexicographic topological sort), then id."""
    ids = sorted(seg_ids)
    sub: nx.DiGraph[str] = nx.DiGraph()
    sub.add_nodes_from(ids)
    inside = set(ids)
    for s in ids:
        sub.add_edges_from((s, v) for v in out_ids(G, s, FEEDS) if v in inside and v != s)
    try:
        topo = list(nx.lexicographical_topological_sort(sub))
    except nx.NetworkXUnfeasible:
        topo = ids
    pos = {s: i for i, s in enumerate(topo)}

    def key(s: str) -> tuple[int, int, str]:
        tier = str(G.nodes[s].get("tier") or "")
        return (TIER_ORDER.get(tier, 3), pos[s], s)

    return sorted(ids, key=key)


def edge_grade(data: dict[str, Any]) -> str:
    """The grade of an edge (explicit, else sourced if it has sources, else template)."""
    return str(node_grade(data))


INFERRED = str(Grade.INFERRED)


def supply_edges_in(G: ChainGraph, firm: str) -> list[tuple[str, str]]:
    """(supplier, grade) for each SUPPLIES edge into firm, sorted."""
    found = []
    for u, keys in pred(G)[firm].items():
        data = keys.get(SUPPLIES)
        if data is not None:
            found.append((u, edge_grade(data)))
    return sorted(found)


def supply_edges_out(G: ChainGraph, firm: str) -> list[tuple[str, str]]:
    """(customer, grade) for each SUPPLIES edge out of firm, sorted."""
    found = []
    for v, keys in succ(G)[firm].items():
        data = keys.get(SUPPLIES)
        if data is not None:
            found.append((v, edge_grade(data)))
    return sorted(found)
