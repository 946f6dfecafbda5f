"""Investment-promotion targets (招商目标): external firms in the chain's gap and weak segments."""

from __future__ import annotations

from ..model import ChainGraph, Kind, Rel
from ._context import (
    GAP,
    INFERRED,
    WEAK,
    ChainContext,
    Row,
    chain_context,
    in_ids,
    is_local,
    kind_of,
    name_of,
    out_ids,
    supply_edges_out,
)
from .gaps import dependence, dependents, extension_of
from .leaders import Leaders, leader_ids, leaders_of

#: points per tie in the target score
TARGET_POINTS: dict[str, float] = {
    "local_customer": 3.0,  # per local firm it supplies
    "supplies_leader": 5.0,  # supplies a chain leader
    "attracted": 4.0,  # an anchor (local firm or zone project) ATTRACTED it
    "affiliated": 2.0,  # AFFILIATED_WITH a local firm, either way
    "importance": 4.0,  # times dependence(segment) / max dependence over the chain's segments
    "gap": 2.0,  # it works in a gap segment
    "weak": 1.0,  # it works in a weak segment
    "extension": 0.5,  # it works in an extension candidate
}

NO_FIRM_KNOWN = "数据中没有该环节的外部企业,需另行调研 (no external firm known for this segment)"


def targets_of(
    ctx: ChainContext, board: Leaders | None = None, include_extension: bool = True
) -> list[Row]:
    """:func:`rank_targets` for a built context (``board``: the chain's leader table, if known)."""
    G = ctx.G
    if board is None:
        board = leaders_of(ctx)
    anchors = leader_ids(ctx, board)
    seg_status: dict[str, str] = {}
    seg_dep: dict[str, float] = {}
    for s in ctx.core:
        st = ctx.segments[s].status
        if st in (GAP, WEAK):
            seg_status[s] = st
            seg_dep[s] = dependence(dependents(ctx, s))
    if include_extension:
        for r in extension_of(ctx):
            seg_status.setdefault(r["segment"], "extension")
            seg_dep.setdefault(r["segment"], 0.0)
    max_dep = max(seg_dep.values(), default=0.0)
    by_firm: dict[str, Row] = {}
    empty: list[str] = []
    for s, st in seg_status.items():
        externals = [
            m
            for m in in_ids(G, s, Rel.IN_SEGMENT)
            if kind_of(G, m) == Kind.FIRM and not is_local(G, m)
        ]
        if not externals:
            empty.append(s)
        importance = seg_dep[s] / max_dep if max_dep > 0 else 0.0
        for e in externals:
            row = by_firm.get(e)
            seg_points = TARGET_POINTS[st] + TARGET_POINTS["importance"] * importance
            if row is None or seg_points > row["_seg_points"]:
                row = _score(G, e, s, st, importance, anchors)
                row["_seg_points"] = seg_points
                segs = by_firm[e]["segments"] if e in by_firm else []
                row["segments"] = sorted({*segs, s})
                by_firm[e] = row
            else:
                row["segments"] = sorted({*row["segments"], s})
    rows = sorted(by_firm.values(), key=lambda r: (-r["_exact"], r["firm"]))
    for r in rows:
        del r["_exact"], r["_seg_points"]
    for s in sorted(empty, key=lambda s: (-seg_dep[s], s)):
        rows.append(
            {
                "firm": "",
                "name": "",
                "region": "",
                "segment": s,
                "segment_name": name_of(G, s),
                "status": seg_status[s],
                "score": None,
                "grade": "",
                "reason": NO_FIRM_KNOWN,
                "segments": [s],
            }
        )
    return rows


def _score(
    G: ChainGraph, e: str, seg: str, status: str, importance: float, anchors: set[str]
) -> Row:
    points = TARGET_POINTS[status] + TARGET_POINTS["importance"] * importance
    reasons = [
        {
            "gap": "所在环节为缺口(本地无企业)",
            "weak": "所在环节仅一家本地企业",
            "extension": "所在环节为延链方向",
        }[status]
    ]
    grades: set[str] = set()
    customers = [(v, g) for v, g in supply_edges_out(G, e) if is_local(G, v)]
    if customers:
        points += TARGET_POINTS["local_customer"] * len(customers)
        names = "、".join(name_of(G, v) + ("(推断)" if g == INFERRED else "") for v, g in customers)
        reasons.append(f"供应本地企业 {names}")
        grades.update(g for _, g in customers)
    to_leader = [(v, g) for v, g in customers if v in anchors]
    if to_leader:
        points += TARGET_POINTS["supplies_leader"]
        reasons.append("供应链主 " + "、".join(name_of(G, v) for v, _ in to_leader))
    attracted_by = [
        a for a in in_ids(G, e, Rel.ATTRACTED) if is_local(G, a) or kind_of(G, a) == Kind.PROJECT
    ]
    if attracted_by:
        points += TARGET_POINTS["attracted"]
        reasons.append("由 " + "、".join(name_of(G, a) for a in attracted_by) + " 带动(以商引商)")
    affiliated = [
        f
        for f in {*out_ids(G, e, Rel.AFFILIATED_WITH), *in_ids(G, e, Rel.AFFILIATED_WITH)}
        if is_local(G, f)
    ]
    if affiliated:
        points += TARGET_POINTS["affiliated"]
        group = "、".join(sorted(name_of(G, f) for f in affiliated))
        reasons.append(f"与本地企业 {group} 同属一个集团")
    if importance > 0:
        reasons.append(f"环节重要度 {importance:.2f}")
    grade = INFERRED if grades == {INFERRED} else ("partly inferred" if INFERRED in grades else "")
    return {
        "firm": e,
        "name": name_of(G, e),
        "region": str(G.nodes[e].get("region") or ""),
        "segment": seg,
        "segment_name": name_of(G, seg),
        "status": status,
        "score": round(points, 2),
        "grade": grade,
        "reason": ";".join(reasons),
        "_exact": round(points, 9),
    }


def rank_targets(G: ChainGraph, chain_id: str, include_extension: bool = True) -> list[Row]:
    """External firms to approach for the chain (招商目标), best first, with the reason.

    Candidates are external firms IN_SEGMENT a gap or weak segment of the chain (and, with
    ``include_extension``, an extension candidate, see ``extension``). A firm in several
    such segments is scored on the one that gives most points. Score (points
    :data:`TARGET_POINTS`):

        score(e) = status(s) + 4 * dep(s) / max dep + 3 * |local customers of e|
                   + 5 * [e supplies an anchor] + 4 * [an anchor ATTRACTED e]
                   + 2 * [e is AFFILIATED_WITH a local firm]

    where status(s) is 2 for a gap, 1 for a weak segment and 0.5 for an extension candidate,
    dep(s) is the segment's dependence (see ``find_gaps``), and the anchors are the designated
    leaders and the top-ranked leader. ``reason`` says each tie in words; ``grade`` is
    ``inferred`` when the supply ties behind the score are inferred. Every gap or weak
    segment with no known external firm gets one row with an empty ``firm`` and a reason
    saying so (nothing is invented). Ties: by id.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("c", kind="Chain", name="电池")
    >>> for s in ("foil", "cell"):
    ...     G.add_node(s, kind="Segment", name=s, tier="midstream")
    ...     _ = G.add_edge("c", s, key="HAS_SEGMENT")
    >>> _ = G.add_edge("foil", "cell", key="FEEDS")
    >>> G.add_node("byd", kind="Firm", name="比亚迪", local=True)
    >>> G.add_node("x", kind="Firm", name="某铜箔", local=False)
    >>> _ = G.add_edge("byd", "cell", key="IN_SEGMENT")
    >>> _ = G.add_edge("x", "foil", key="IN_SEGMENT")
    >>> _ = G.add_edge("x", "byd", key="SUPPLIES", grade="template")
    >>> [(r["firm"], r["segment"], r["score"]) for r in rank_targets(G, "c")]
    [('x', 'foil', 14.0), ('', 'cell', None)]
    """
    return targets_of(chain_context(G, chain_id), include_extension=include_extension)
