"""Supplier gaps (补链), weak links (强链), single sources and extension candidates (延链)."""

from __future__ import annotations

from collections import defaultdict

from ..model import ChainGraph, Row
from ._context import (
    CHAIN,
    FIRM,
    GAP,
    HAS_SEGMENT,
    IN_SEGMENT,
    SEGMENT,
    SUPPLIES,
    WEAK,
    ChainContext,
    attrs_of,
    chain_context,
    edge_grade,
    in_ids,
    kind_of,
    name_of,
    pred,
)


def dependents(ctx: ChainContext, seg: str) -> list[Row]:
    """Local firms in the chain's segments downstream of ``seg`` via FEEDS, nearest first.

    A firm present in several such segments is listed once, at its smallest distance; the
    segment's own local firms are not its dependents. Rows: ``firm, name, segment, hops,
    weight``.
    """
    G = ctx.G
    own = set(ctx.segments[seg].local) if seg in ctx.segments else set()
    best: dict[str, tuple[int, str]] = {}
    for t, hops in ctx.downstream_hops(seg).items():
        for f in ctx.segments[t].local:
            if f in own:
                continue
            if f not in best or (hops, t) < best[f]:
                best[f] = (hops, t)
    rows: list[Row] = [
        {
            "firm": f,
            "name": name_of(G, f),
            "segment": t,
            "hops": hops,
            "weight": round(ctx.weight(f), 4),
        }
        for f, (hops, t) in best.items()
    ]
    rows.sort(key=lambda r: (r["hops"], -r["weight"], r["firm"]))
    return rows


def dependence(rows: list[Row]) -> float:
    """sum over dependent firms f of w(f) / hops(f)."""
    return float(sum(float(r["weight"]) / int(r["hops"]) for r in rows))


def _segment_rows(ctx: ChainContext, status: str) -> list[Row]:
    G = ctx.G
    out: list[Row] = []
    for s in ctx.core:
        seg = ctx.segments[s]
        if seg.status != status:
            continue
        deps = dependents(ctx, s)
        out.append(
            {
                "segment": s,
                "name": seg.name,
                "tier": seg.tier,
                "dependence": round(dependence(deps), 4),
                "dependents": deps,
                "local_firms": [{"id": f, "name": name_of(G, f)} for f in seg.local],
                "external_known": len(seg.external),
                "pipeline": [{"id": p, "name": name_of(G, p)} for p in seg.pipeline],
            }
        )
    out.sort(key=lambda r: (-r["dependence"], r["segment"]))
    return out


def gaps_of(ctx: ChainContext) -> list[Row]:
    """:func:`find_gaps` for a built context."""
    return _segment_rows(ctx, GAP)


def find_gaps(G: ChainGraph, chain_id: str) -> list[Row]:
    """Segments of the chain with no local firm (补链), most depended-on first.

    dependence(s) = sum over local firms f present in a chain segment t downstream of s (and
    not in s itself) of w(f) / d(s, t), where d is the FEEDS distance (walking only the
    chain's own segments; a firm counts once, at its nearest segment) and
    w(f) = 1 + log10(1 + m_f / 1e8) its size,
    m_f being the larger of its ``output_cny`` and the sum of its INVESTS_IN amounts (w = 1
    when unknown). Ties: by segment id.

    Rows: ``segment, name, tier, dependence, dependents`` (the affected local firms:
    ``firm, name, segment, hops, weight``), ``local_firms`` (empty), ``external_known``
    (external firms known in the segment) and ``pipeline`` (projects in the segment without
    a local investor).

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("c", kind="Chain", name="电池")
    >>> for s in ("ore", "cathode", "cell"):
    ...     G.add_node(s, kind="Segment", name=s, tier="upstream")
    ...     _ = G.add_edge("c", s, key="HAS_SEGMENT")
    >>> _ = G.add_edge("ore", "cathode", key="FEEDS")
    >>> _ = G.add_edge("cathode", "cell", key="FEEDS")
    >>> G.add_node("byd", kind="Firm", name="比亚迪", local=True, output_cny=9e8)
    >>> _ = G.add_edge("byd", "cell", key="IN_SEGMENT")
    >>> [(r["segment"], r["dependence"]) for r in find_gaps(G, "c")]
    [('cathode', 2.0), ('ore', 1.0)]
    """
    return gaps_of(chain_context(G, chain_id))


def weak_links_of(ctx: ChainContext) -> list[Row]:
    """:func:`weak_links` for a built context."""
    return _segment_rows(ctx, WEAK)


def weak_links(G: ChainGraph, chain_id: str) -> list[Row]:
    """Segments that hang on exactly one local firm (强链), most depended-on first.

    Same rows and ``dependence`` as :func:`find_gaps`; ``local_firms`` names the one firm.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("c", kind="Chain", name="电池")
    >>> G.add_node("cell", kind="Segment", name="电芯", tier="midstream")
    >>> G.add_node("byd", kind="Firm", name="比亚迪", local=True)
    >>> _ = G.add_edge("c", "cell", key="HAS_SEGMENT")
    >>> _ = G.add_edge("byd", "cell", key="IN_SEGMENT")
    >>> [(r["segment"], [f["id"] for f in r["local_firms"]]) for r in weak_links(G, "c")]
    [('cell', ['byd'])]
    """
    return weak_links_of(ctx=chain_context(G, chain_id))


def single_source_of(ctx: ChainContext) -> list[Row]:
    """:func:`single_source` for a built context."""
    G = ctx.G
    own = set(ctx.segments)
    customers = sorted({f for s in ctx.core for f in ctx.segments[s].local})
    rows: list[Row] = []
    P = pred(G)
    nodes = attrs_of(G)
    segments_of = ctx.index.segments_of
    # the segments a supplier is grouped under, found once per list of segments
    # (segments_of shares one list between the nodes in the same segments; each list is
    # kept beside its answer, so its id is not reused meanwhile)
    under: dict[int, tuple[list[str], list[str]]] = {}
    for c in customers:
        groups: dict[str, list[str]] = defaultdict(list)
        for supplier, keys in P[c].items():
            if SUPPLIES not in keys or nodes[supplier].get("kind") != FIRM:
                continue
            segs = segments_of(supplier)
            known = under.get(id(segs))
            if known is None:
                known = under[id(segs)] = (segs, [s for s in segs if s in own] or segs or [""])
            for s in known[1]:
                groups[s].append(supplier)
        for s, sups in sorted(groups.items()):
            if len(sups) != 1:
                continue
            supplier = sups[0]
            grade = edge_grade(P[c][supplier][SUPPLIES])
            rows.append(
                {
                    "customer": c,
                    "customer_name": name_of(G, c),
                    "input_segment": s,
                    "input_name": name_of(G, s) if s else "",
                    "supplier": supplier,
                    "supplier_name": name_of(G, supplier),
                    "supplier_local": bool(nodes[supplier].get("local")),
                    "grade": grade,
                }
            )
    return rows


def single_source(G: ChainGraph, chain_id: str) -> list[Row]:
    """Local firms whose only known supplier for an input segment is a single firm.

    For each local firm c present in the chain, its SUPPLIES in-edges are grouped by the
    supplier's segment (the supplier's segments in this chain, else all its segments, else
    ``''`` for a supplier with no segment); a group of exactly one supplier is a single
    source. Rows: ``customer, customer_name, input_segment, input_name, supplier,
    supplier_name, supplier_local, grade`` (``inferred`` when the link is inferred), sorted by
    customer and segment. "Only known": the dataset may not name every supplier.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("c", kind="Chain", name="电池")
    >>> for s in ("cathode", "cell"):
    ...     G.add_node(s, kind="Segment", name=s, tier="midstream")
    ...     _ = G.add_edge("c", s, key="HAS_SEGMENT")
    >>> G.add_node("byd", kind="Firm", name="比亚迪", local=True)
    >>> G.add_node("x", kind="Firm", name="X", local=False)
    >>> _ = G.add_edge("byd", "cell", key="IN_SEGMENT")
    >>> _ = G.add_edge("x", "cathode", key="IN_SEGMENT")
    >>> _ = G.add_edge("x", "byd", key="SUPPLIES", grade="template")
    >>> [(r["customer"], r["input_segment"], r["supplier"]) for r in single_source(G, "c")]
    [('byd', 'cathode', 'x')]
    """
    return single_source_of(chain_context(G, chain_id))


def extension_of(ctx: ChainContext) -> list[Row]:
    """:func:`extension` for a built context."""
    G = ctx.G
    core = set(ctx.core)
    present = {s for s in core if ctx.segments[s].status != GAP}
    touch: dict[str, dict[str, list[str]]] = {}
    for s in sorted(present):
        for v in ctx.feeds_out(s):
            if v not in core and kind_of(G, v) == SEGMENT:
                touch.setdefault(v, {"fed_by": [], "feeds": []})["fed_by"].append(s)
        for u in ctx.feeds_in(s):
            if u not in core and kind_of(G, u) == SEGMENT:
                touch.setdefault(u, {"fed_by": [], "feeds": []})["feeds"].append(s)
    for s in ctx.order:
        if ctx.segments[s].extension:
            touch.setdefault(s, {"fed_by": [], "feeds": []})
    rows: list[Row] = []
    for s, links in touch.items():
        chains = [c for c in in_ids(G, s, HAS_SEGMENT) if kind_of(G, c) == CHAIN]
        members = in_ids(G, s, IN_SEGMENT)
        local = [m for m in members if kind_of(G, m) == FIRM and G.nodes[m].get("local")]
        external = [m for m in members if kind_of(G, m) == FIRM and not G.nodes[m].get("local")]
        rows.append(
            {
                "segment": s,
                "name": name_of(G, s),
                "tier": str(G.nodes[s].get("tier") or ""),
                "in_chains": chains,
                "marked_extension": s in ctx.segments,
                "fed_by": sorted(links["fed_by"]),
                "feeds": sorted(links["feeds"]),
                "adjacent": len(links["fed_by"]) + len(links["feeds"]),
                "local_firms": [{"id": f, "name": name_of(G, f)} for f in local],
                "external_firms": [{"id": f, "name": name_of(G, f)} for f in external],
            }
        )
    rows.sort(key=lambda r: (-r["adjacent"], not r["marked_extension"], r["segment"]))
    return rows


def extension(G: ChainGraph, chain_id: str) -> list[Row]:
    """Segments the chain could extend into (延链).

    Candidates are the chain's own segments marked ``extension: true`` and every segment not
    in the chain that is one FEEDS hop (either way) from a chain segment with a local firm.
    Rows: ``segment, name, tier, in_chains, marked_extension, fed_by`` (chain segments with a
    local firm that FEED it), ``feeds`` (those it FEEDS), ``adjacent`` (their number),
    ``local_firms``, ``external_firms``; sorted by adjacency (most first), marked ones first,
    then id.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("c", kind="Chain", name="储能")
    >>> G.add_node("ess", kind="Segment", name="储能系统", tier="downstream")
    >>> G.add_node("recycle", kind="Segment", name="电池回收", tier="downstream", extension=True)
    >>> for s in ("ess", "recycle"):
    ...     _ = G.add_edge("c", s, key="HAS_SEGMENT")
    >>> _ = G.add_edge("ess", "recycle", key="FEEDS")
    >>> G.add_node("byd", kind="Firm", name="比亚迪", local=True)
    >>> _ = G.add_edge("byd", "ess", key="IN_SEGMENT")
    >>> [(r["segment"], r["fed_by"]) for r in extension(G, "c")]
    [('recycle', ['ess'])]
    """
    return extension_of(chain_context(G, chain_id))


__all__ = ["dependents", "extension", "find_gaps", "single_source", "weak_links"]
