"""Explore queries on a networkx chain graph: the reference answers every store must give.

The embedded store calls these functions on its graph; the Neo4j store computes the same rows
in Cypher (and the store-contract tests check both agree). Every function is deterministic:
ties are broken by id, so two stores give identical output.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from .model import (
    FIGURE_COMPARE,
    SUPPLY_RELS,
    ChainGraph,
    Kind,
    Rel,
    Row,
    is_local_firm,
)
from .search import KIND_ORDER as KIND_ORDER
from .search import MATCH_NAMES as MATCH_NAMES
from .search import ambiguous as ambiguous
from .search import brief as brief
from .search import find as find
from .search import match_rank as match_rank
from .search import resolve as resolve
from .search import resolve_from_matches as resolve_from_matches
from .search import unknown as unknown

#: attributes the explore rows never carry (large or internal)
HIDDEN_ATTRS = frozenset({"text"})


def node(G: ChainGraph, node_id: str) -> Row:
    """All attributes of a node, with ``id`` first (the full source text left out)."""
    if node_id not in G:
        raise unknown(node_id, find(G, node_id, limit=5))
    attrs = G.nodes[node_id]
    row: Row = {"id": node_id}
    row.update({k: v for k, v in attrs.items() if k not in HIDDEN_ATTRS})
    if "text" in attrs:
        row["text_chars"] = len(attrs["text"])
    return row


EDGE_META = ("rel", "grade", "sources")


def edge_row(G: ChainGraph, u: str, v: str, data: dict[str, Any], direction: str) -> Row:
    """A relation as seen from one end: ``direction`` 'out' (u is the node) or 'in'."""
    other = v if direction == "out" else u
    fields = {k: data[k] for k in sorted(data) if k not in EDGE_META}
    return {
        "direction": direction,
        "rel": data.get("rel", ""),
        "other": other,
        "other_kind": G.nodes[other].get("kind", ""),
        "other_name": G.nodes[other].get("name", ""),
        "grade": data.get("grade", ""),
        "fields": fields,
        "sources": list(data.get("sources") or []),
    }


def relations(G: ChainGraph, node_id: str) -> list[Row]:
    """Every edge at a node, sorted by direction (out first), rel and the other end's id."""
    if node_id not in G:
        raise unknown(node_id, find(G, node_id, limit=5))
    rows = [edge_row(G, u, v, d, "out") for u, v, d in G.out_edges(node_id, data=True)]
    rows += [edge_row(G, u, v, d, "in") for u, v, d in G.in_edges(node_id, data=True)]
    rows.sort(key=lambda r: (r["direction"] != "out", r["rel"], r["other"]))
    return rows


def _steps(
    G: ChainGraph, node_id: str, rels: frozenset[str] | None, direction: str
) -> Iterable[tuple[str, str, str]]:
    """(neighbour, rel, 'out'|'in') for each edge at node_id allowed by rels and direction."""
    if direction in ("both", "out"):
        for _, v, key in G.out_edges(node_id, keys=True):
            if rels is None or key in rels:
                yield v, str(key), "out"
    if direction in ("both", "in"):
        for u, _, key in G.in_edges(node_id, keys=True):
            if rels is None or key in rels:
                yield u, str(key), "in"


def edge_grade(G: ChainGraph, a: str, b: str, rel: str, direction: str) -> str:
    """The grade of the edge of kind rel between a and b ('out': a -> b, 'in': b -> a)."""
    u, v = (a, b) if direction == "out" else (b, a)
    return str(G.edges[u, v, rel].get("grade", ""))


def _rel_set(rels: Iterable[str] | None) -> frozenset[str] | None:
    return None if rels is None else frozenset(str(r) for r in rels)


def neighbors(
    G: ChainGraph,
    node_id: str,
    depth: int = 1,
    rels: Iterable[str] | None = None,
    direction: str = "both",
) -> list[Row]:
    """Nodes within ``depth`` hops, breadth first.

    Each row is ``id, kind, name, hops, via, rel, direction, grade``: ``via`` is the node one
    hop closer by which it was reached, ``rel`` the edge kind, ``direction`` 'out' if the edge
    points from ``via`` to the node, else 'in', and ``grade`` that edge's grade. Where
    several edges reach a node at the same distance, the smallest ``(via, rel, direction)``
    wins. Sorted by hops then id.

    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_nodes_from(["a", "b", "c"], kind="Segment", name="x")
    >>> G.add_edge("a", "b", key="FEEDS"); G.add_edge("b", "c", key="FEEDS")
    'FEEDS'
    'FEEDS'
    >>> [(r["id"], r["hops"], r["via"]) for r in neighbors(G, "c", depth=2)]
    [('b', 1, 'c'), ('a', 2, 'b')]
    """
    if node_id not in G:
        raise unknown(node_id, find(G, node_id, limit=5))
    allowed = _rel_set(rels)
    seen = {node_id}
    frontier = [node_id]
    rows: list[Row] = []
    for hops in range(1, depth + 1):
        best: dict[str, tuple[str, str, str]] = {}
        for u in frontier:
            for v, rel, dirn in _steps(G, u, allowed, direction):
                if v in seen:
                    continue
                cand = (u, rel, dirn)
                if v not in best or cand < best[v]:
                    best[v] = cand
        if not best:
            break
        for v in sorted(best):
            via, rel, dirn = best[v]
            grade = edge_grade(G, via, v, rel, dirn)
            rows.append(
                brief(G, v)
                | {"hops": hops, "via": via, "rel": rel, "direction": dirn, "grade": grade}
            )
        seen.update(best)
        frontier = sorted(best)
    return rows


def reach(G: ChainGraph, node_id: str, direction: str) -> list[Row]:
    """What lies upstream (``direction='up'``) or downstream (``'down'``) of a node.

    The walk follows FEEDS and SUPPLIES edges against (up) or along (down) their direction.
    A firm or project also starts from the segments it works in (rows with hops 0, rel
    IN_SEGMENT). Firms and projects working in a reached segment are listed with that
    segment's hops, ``via`` the segment and rel IN_SEGMENT. Rows: ``id, kind, name, hops,
    via, rel, grade`` (grade of the edge that reached it), sorted by hops, kind and id; the
    start node itself is not listed.

    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_nodes_from(["cathode", "cell"], kind="Segment", name="s")
    >>> G.add_node("byd", kind="Firm", name="比亚迪")
    >>> _ = G.add_edge("cathode", "cell", key="FEEDS")
    >>> _ = G.add_edge("byd", "cell", key="IN_SEGMENT")
    >>> [(r["id"], r["hops"], r["rel"]) for r in reach(G, "byd", "up")]
    [('cell', 0, 'IN_SEGMENT'), ('cathode', 1, 'FEEDS')]
    """
    if direction not in ("up", "down"):
        raise ValueError(f"direction must be 'up' or 'down', not {direction!r}")
    if node_id not in G:
        raise unknown(node_id, find(G, node_id, limit=5))
    walk = "in" if direction == "up" else "out"
    hops_of: dict[str, Row] = {}
    frontier = [node_id]
    if G.nodes[node_id].get("kind") in (Kind.FIRM, Kind.PROJECT):
        own = sorted(v for _, v, k in G.out_edges(node_id, keys=True) if k == Rel.IN_SEGMENT)
        for seg in own:
            hops_of[seg] = {
                "hops": 0,
                "via": node_id,
                "rel": str(Rel.IN_SEGMENT),
                "grade": edge_grade(G, node_id, seg, Rel.IN_SEGMENT, "out"),
            }
        frontier += own
    seen = {node_id, *hops_of}
    hops_of.update(_supply_walk(G, frontier, seen, walk))
    hops_of.update(_segment_members(G, hops_of, seen))
    rows = [brief(G, v) | info for v, info in hops_of.items()]
    rows.sort(key=lambda r: (r["hops"], KIND_ORDER.get(r["kind"], 99), r["id"]))
    return rows


def _supply_walk(G: ChainGraph, frontier: list[str], seen: set[str], walk: str) -> dict[str, Row]:
    """Breadth first along FEEDS and SUPPLIES from the frontier: node -> its hops row.

    ``seen`` (the nodes not to list) grows with every node reached.
    """
    supply = frozenset(str(r) for r in SUPPLY_RELS)
    found: dict[str, Row] = {}
    hops = 0
    while frontier:
        hops += 1
        best: dict[str, tuple[str, str]] = {}
        for u in frontier:
            for v, rel, _ in _steps(G, u, supply, walk):
                if v not in seen and (v not in best or (u, rel) < best[v]):
                    best[v] = (u, rel)
        for v, (via, rel) in best.items():
            grade = edge_grade(G, via, v, rel, walk)
            found[v] = {"hops": hops, "via": via, "rel": rel, "grade": grade}
        seen.update(best)
        frontier = sorted(best)
    return found


def _segment_members(G: ChainGraph, hops_of: dict[str, Row], seen: set[str]) -> dict[str, Row]:
    """Firms and projects IN_SEGMENT a reached segment, with that segment's hops."""
    members: dict[str, Row] = {}
    for seg, info in hops_of.items():
        if G.nodes[seg].get("kind") != Kind.SEGMENT or info["hops"] == 0:
            continue
        for u, _, key in G.in_edges(seg, keys=True):
            if key != Rel.IN_SEGMENT or u in seen:
                continue
            cand = {
                "hops": info["hops"],
                "via": seg,
                "rel": str(Rel.IN_SEGMENT),
                "grade": edge_grade(G, seg, u, Rel.IN_SEGMENT, "in"),
            }
            old = members.get(u)
            if old is None or (cand["hops"], cand["via"]) < (old["hops"], old["via"]):
                members[u] = cand
    return members


def path(
    G: ChainGraph,
    source: str,
    target: str,
    rels: Iterable[str] | None = None,
    directed: bool = False,
    max_hops: int = 8,
) -> list[Row]:
    """The shortest path from ``source`` to ``target`` as one row per node.

    Edges are followed in both directions unless ``directed``. Among shortest paths the one
    whose id sequence is smallest wins; between two consecutive nodes the smallest
    ``(rel, direction)`` is shown. Rows: ``step, id, kind, name, rel, direction, grade``
    where ``rel``/``direction``/``grade`` describe the edge from the previous node ('' on
    step 0). Returns []
    when no path of at most ``max_hops`` edges exists.

    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_nodes_from("abc", kind="Firm", name="n")
    >>> _ = G.add_edge("a", "b", key="SUPPLIES"); _ = G.add_edge("c", "b", key="SUPPLIES")
    >>> [(r["id"], r["rel"], r["direction"]) for r in path(G, "a", "c")]
    [('a', '', ''), ('b', 'SUPPLIES', 'out'), ('c', 'SUPPLIES', 'in')]
    """
    for n in (source, target):
        if n not in G:
            raise unknown(n, find(G, n, limit=5))
    allowed = _rel_set(rels)
    fwd = "out" if directed else "both"
    back = "in" if directed else "both"
    # distances to target, walking edges backwards
    dist = {target: 0}
    frontier = [target]
    while frontier and source not in dist:
        nxt: list[str] = []
        for u in frontier:
            if dist[u] >= max_hops:
                continue
            for v, _, _ in _steps(G, u, allowed, back):
                if v not in dist:
                    dist[v] = dist[u] + 1
                    nxt.append(v)
        frontier = nxt
    if source not in dist:
        return []
    rows: list[Row] = [brief(G, source) | {"step": 0, "rel": "", "direction": "", "grade": ""}]
    cur = source
    while cur != target:
        options: dict[str, tuple[str, str]] = {}
        for v, rel, dirn in _steps(G, cur, allowed, fwd):
            if dist.get(v) == dist[cur] - 1 and (v not in options or (rel, dirn) < options[v]):
                options[v] = (rel, dirn)
        prev, cur = cur, min(options)
        rel, dirn = options[cur]
        grade = edge_grade(G, prev, cur, rel, dirn)
        rows.append(
            brief(G, cur) | {"step": len(rows), "rel": rel, "direction": dirn, "grade": grade}
        )
    return [
        {k: r[k] for k in ("step", "id", "kind", "name", "rel", "direction", "grade")} for r in rows
    ]


# --- chains and stats -----------------------------------------------------------------------


def nodes_of_kind(G: ChainGraph, kind: str) -> list[str]:
    """Ids of the nodes of one kind, sorted."""
    return sorted(n for n, attrs in G.nodes(data=True) if attrs.get("kind") == kind)


def chain_segments(G: ChainGraph, chain_id: str) -> list[str]:
    """Ids of the chain's segments (HAS_SEGMENT), sorted."""
    return sorted(v for _, v, k in G.out_edges(chain_id, keys=True) if k == Rel.HAS_SEGMENT)


def segment_members(G: ChainGraph, segment_id: str) -> list[str]:
    """Ids of the firms and projects working in a segment (IN_SEGMENT), sorted."""
    return sorted(u for u, _, k in G.in_edges(segment_id, keys=True) if k == Rel.IN_SEGMENT)


def cited_sources(G: ChainGraph) -> set[str]:
    """Ids of the Source nodes quoted by the nodes, figures and edges of G.

    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("byd", kind="Firm", sources=[{"source": "article", "quote": "比亚迪"}])
    >>> cited_sources(G)
    {'article'}
    """
    found: set[str] = set()

    def add(cites: object) -> None:
        if isinstance(cites, list):
            found.update(str(c["source"]) for c in cites if isinstance(c, dict) and c.get("source"))

    for attrs in _node_attrs(G):
        if "sources" in attrs:
            add(attrs["sources"])
        for fig in attrs.get("figures") or ():
            if isinstance(fig, dict):
                add(fig.get("sources"))
    for data in _edge_attrs(G):
        if "sources" in data:  # most edges of a long list cite nothing
            add(data["sources"])
    return found


def _node_attrs(G: ChainGraph) -> Iterator[dict[str, Any]]:
    """The attribute dict of every node of G (of a subgraph view: from the whole graph's)."""
    root = getattr(G, "_graph", None)
    if root is None:
        yield from G._node.values()  # type: ignore[attr-defined]
    else:
        node = root._node
        for n in G:
            yield node[n]


def _edge_attrs(G: ChainGraph) -> Iterator[dict[str, Any]]:
    """The attribute dict of every edge of G. For a node-induced subgraph view they are read
    from the whole graph's adjacency dicts (every edge between two of its nodes is in the
    view): the view's filtered edge iteration costs seconds at 10^4 nodes."""
    import networkx as nx

    root = getattr(G, "_graph", None)
    if root is None or getattr(G, "_EDGE_OK", None) is not nx.filters.no_filter:
        for _, _, data in G.edges(data=True):
            yield data
        return
    inside = set(G)
    succ = root._succ
    for u in inside:
        for v, keys in succ[u].items():
            if v in inside:
                yield from keys.values()


CHAIN_CONTEXT_RELS = (
    Rel.SUPPLIES,
    Rel.ATTRACTED,
    Rel.INVESTS_IN,
    Rel.LEADS,
    Rel.AFFILIATED_WITH,
)


def chain_node_ids(G: ChainGraph, chain_id: str) -> set[str]:
    """The nodes an analysis of one chain needs.

    The chain; its segments; segments one FEEDS hop from them (for 延链); the firms and
    projects in any of those segments; every node one SUPPLIES / ATTRACTED / INVESTS_IN /
    LEADS / AFFILIATED_WITH hop from those firms and projects; firms that LEAD the chain; and
    the platforms or zone that HOST it.
    """
    if chain_id not in G or G.nodes[chain_id].get("kind") != Kind.CHAIN:
        raise unknown(chain_id, [r for r in find(G, chain_id, 5) if r["kind"] == Kind.CHAIN])
    own = chain_segments(G, chain_id)
    segs = set(own)
    for s in own:
        segs.update(v for _, v, k in G.out_edges(s, keys=True) if k == Rel.FEEDS)
        segs.update(u for u, _, k in G.in_edges(s, keys=True) if k == Rel.FEEDS)
    members = {m for s in segs for m in segment_members(G, s)}
    context_rels = frozenset(str(r) for r in CHAIN_CONTEXT_RELS)
    extra: set[str] = set()
    # neighbour -> keys, read from the adjacency dicts (filtered ones for a subgraph view):
    # networkx's edge and adjacency views cost seconds at 10^5 members
    S, P = G._succ, G._pred  # type: ignore[attr-defined]
    for m in members:
        extra.update(v for v, keys in S[m].items() if not context_rels.isdisjoint(keys))
        extra.update(u for u, keys in P[m].items() if not context_rels.isdisjoint(keys))
    for u, _, k in G.in_edges(chain_id, keys=True):
        if k in (Rel.LEADS, Rel.HOSTS):
            extra.add(u)
    return {chain_id} | segs | members | extra


def stats(G: ChainGraph) -> dict[str, list[Row]]:
    """Counts by kind, relation, chain and platform, and reported figures beside the graph.

    Sections (each a list of rows):

    - ``kinds``: ``kind, count`` in model order;
    - ``relations``: ``rel, count``;
    - ``chains``: ``chain, name`` and the counts of
      :meth:`chaingraph.analysis.coverage.Coverage.row` (``segments, extension, present,
      covered, weak, gap, coverage, local_firms, external_firms, projects``), the one
      definition of those numbers;
    - ``platforms``: ``platform, name, chains, local_firms, projects``: chains it HOSTS, and
      local firms and projects in those chains' segments or LOCATED_IN it (as ``scope_members``);
    - ``reported``: for every figure with ``compare``, ``node, figure, label, reported,
      qualifier, in_graph, share`` where ``in_graph`` is the matching count in the graph
      (see :data:`chaingraph.model.FIGURE_COMPARE`) and share = in_graph / reported
      (:func:`chaingraph.analysis.coverage.share`).
    """
    counts = dict.fromkeys((k.value for k in Kind), 0)
    for _, attrs in G.nodes(data=True):
        kind = str(attrs.get("kind"))
        if kind in counts:
            counts[kind] += 1
    kinds = [{"kind": k, "count": c} for k, c in counts.items()]
    rel_counts: dict[str, int] = {r.value: 0 for r in Rel}
    for _, _, key in G.edges(keys=True):
        rel_counts[str(key)] = rel_counts.get(str(key), 0) + 1
    from .analysis.coverage import chain_rows, share  # analysis builds on this module

    chains = chain_rows(G, nodes_of_kind(G, Kind.CHAIN))
    platforms = []
    for pid in nodes_of_kind(G, Kind.PLATFORM):
        hosted = [v for _, v, k in G.out_edges(pid, keys=True) if k == Rel.HOSTS]
        members = scope_members(G, pid)
        platforms.append(
            {
                "platform": pid,
                "name": G.nodes[pid].get("name", ""),
                "chains": len(hosted),
                "local_firms": sum(is_local_firm(G.nodes[u]) for u in members),
                "projects": sum(G.nodes[u].get("kind") == Kind.PROJECT for u in members),
            }
        )
    reported = []
    for nid in sorted(G.nodes):
        for fig in G.nodes[nid].get("figures") or ():
            compare = fig.get("compare")
            if not compare or compare not in FIGURE_COMPARE:
                continue
            in_graph = compare_count(G, nid, compare)
            value = fig.get("value")
            ratio = share(in_graph, value) if isinstance(value, int | float) and value else None
            reported.append(
                {
                    "node": nid,
                    "figure": fig.get("key", ""),
                    "label": fig.get("label", ""),
                    "reported": value,
                    "qualifier": fig.get("qualifier", "exact"),
                    "in_graph": in_graph,
                    "share": ratio,
                }
            )
    return {
        "kinds": kinds,
        "relations": [{"rel": r, "count": c} for r, c in rel_counts.items()],
        "chains": chains,
        "platforms": platforms,
        "reported": reported,
    }


def scope_members(G: ChainGraph, node_id: str) -> set[str]:
    """Firms and projects in a figure's scope: a chain's segments, a platform's hosted chains
    and what is LOCATED_IN it, or (for a zone and anything else) the whole graph.

    In a chain's segments, a local firm that INVESTS_IN a project of a segment is in scope,
    as it is present there for the chain's coverage (:mod:`chaingraph.analysis.coverage`).
    """
    kind = str(G.nodes[node_id].get("kind"))
    if kind == Kind.CHAIN:
        chains = [node_id]
    elif kind == Kind.PLATFORM:
        chains = [v for _, v, k in G.out_edges(node_id, keys=True) if k == Rel.HOSTS]
    else:
        return {*nodes_of_kind(G, Kind.FIRM), *nodes_of_kind(G, Kind.PROJECT)}
    found = {m for c in chains for s in chain_segments(G, c) for m in segment_members(G, s)}
    for p in [m for m in found if G.nodes[m].get("kind") == Kind.PROJECT]:
        found.update(
            u
            for u, _, k in G.in_edges(p, keys=True)
            if k == Rel.INVESTS_IN and is_local_firm(G.nodes[u])
        )
    if kind == Kind.PLATFORM:
        found.update(u for u, _, k in G.in_edges(node_id, keys=True) if k == Rel.LOCATED_IN)
    return {n for n in found if str(G.nodes[n].get("kind")) in (Kind.FIRM, Kind.PROJECT)}


def compare_count(G: ChainGraph, node_id: str, compare: str) -> float:
    """The graph's count for a figure's ``compare`` key (see FIGURE_COMPARE)."""
    members = scope_members(G, node_id)
    firms = [G.nodes[n] for n in members if G.nodes[n].get("kind") == Kind.FIRM]
    projects = [G.nodes[n] for n in members if G.nodes[n].get("kind") == Kind.PROJECT]
    counts = scope_counts(
        sum(bool(f.get("local")) for f in firms), [p.get("amount_cny") for p in projects]
    )
    if compare not in counts:
        raise ValueError(f"unknown figure comparison {compare!r}")
    return counts[compare]


def scope_counts(local_firms: int, project_amounts: list[Any]) -> dict[str, float]:
    """Every FIGURE_COMPARE count of a scope, from how many of its firms are local and its
    projects' ``amount_cny`` (None where unknown): the one definition both stores count with.

    >>> scope_counts(1, [2e8, None, 5e7])
    {'firms': 1, 'projects': 3, 'projects_over_100m': 1, 'investment_cny': 250000000.0}
    """
    amounts = [a for a in project_amounts if isinstance(a, int | float)]
    return {
        "firms": local_firms,
        "projects": len(project_amounts),
        "projects_over_100m": sum(a >= 1e8 for a in amounts),
        "investment_cny": sum(amounts),
    }
