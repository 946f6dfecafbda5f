"""Investment-promotion targets (招商目标): outside firms for a chain's gap and weak segments,
ranked by a score whose every part is shown."""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..errors import UnknownEntity
from ..model import ChainGraph, Rel, Row, normalize_text
from ._context import (
    ATTRACTED,
    FIRM,
    GAP,
    INFERRED,
    PROJECT,
    SEGMENT,
    SUPPLIES,
    WEAK,
    ChainContext,
    GraphIndex,
    attrs_of,
    chain_context,
    edge_grade,
    name_of,
    pred,
    succ,
)
from .classify import (
    HOW_ZH,
    INDUSTRY,
    PRODUCTS,
    STATED,
    Membership,
    inferred_candidates,
    matcher_of,
    merge_candidates,
    stated_candidates,
)
from .distance import (
    BAND_ZH,
    NEIGHBOUR,
    SAME_CITY,
    SAME_PROVINCE,
    distance_band,
    parse_region,
    place_of,
    zone_division,
)
from .gaps import dependence, dependents, extension_of
from .leaders import Leaders, leader_ids, leaders_of

EXTENSION = "extension"

#: points of each score component (see :func:`rank_targets` for the formula)
TARGET_POINTS: dict[str, float] = {
    # importance of the segment: its status, plus its share of today's dependence
    GAP: 2.0,
    WEAK: 1.0,
    EXTENSION: 0.5,
    "importance": 4.0,  # times dependence(segment) / max dependence over the chain's segments
    # how the firm's segment is known
    STATED: 3.0,
    PRODUCTS: 2.0,
    INDUSTRY: 1.0,
    # tie to the zone
    "supplies_leader": 5.0,  # supplies a chain leader
    "local_customer": 3.0,  # per local firm it supplies
    "buys_from_local": 2.0,  # buys from a local firm
    "attracted": 4.0,  # an anchor (local firm or zone project) ATTRACTED it
    "affiliated": 2.0,  # AFFILIATED_WITH a local firm, either way
    # distance from the zone (administrative-division codes)
    SAME_CITY: 3.0,
    SAME_PROVINCE: 2.0,
    NEIGHBOUR: 1.0,
    # scale
    "listed": 1.0,  # has a stock code
}

#: the score's components, in the order rows show them
COMPONENTS = ("importance", "known", "tie", "distance", "scale")

NO_FIRM_KNOWN = "数据中没有该环节的外部企业,需另行调研 (no candidate known for this segment)"
NO_FIRM_MATCHES = "有候选企业,但都不符合筛选条件 (candidates exist, none matches the filters)"
STATUS_REASON = {
    GAP: "缺口环节(本地无企业)",
    WEAK: "薄弱环节(仅一家本地企业)",
    EXTENSION: "延链方向",
}

_CANDIDATES: weakref.WeakKeyDictionary[GraphIndex, _Shared] = weakref.WeakKeyDictionary()


@dataclass
class _Shared:
    """What every chain of one graph index shares: candidates per segment, ties, zone code."""

    zone: str | None
    ties: dict[tuple[str, frozenset[str]], tuple[float, list[str], bool]] = field(
        default_factory=dict
    )
    firms: dict[str, tuple[str, str, str, float, str, float, str]] = field(default_factory=dict)
    inferred: dict[str, dict[str, Membership]] | None = None

    def members(self, G: ChainGraph, seg: str) -> list[Membership]:
        """The candidates of one segment (:func:`segment_candidates`), made when asked: the
        stated ones from the segment's own edges, the inferred ones from one scan of every
        firm for all segments, kept. Only the segments a chain targets are asked for; the
        stated members of every segment of 10^6 firms would hold about 100 MB."""
        nodes = attrs_of(G)
        if seg not in nodes or nodes[seg].get("kind") != SEGMENT:
            return []
        if self.inferred is None:
            segs = [s for s, a in nodes.items() if a.get("kind") == SEGMENT]
            self.inferred = inferred_candidates(G, segs, matcher_of(G, segs))
        return merge_candidates(stated_candidates(G, seg), self.inferred.get(seg))

    def firm(self, G: ChainGraph, e: str) -> tuple[str, str, str, float, str, float, str]:
        """(name, region, stock code, distance points, distance words, scale points, region
        basis): see :func:`_region`."""
        found = self.firms.get(e)
        if found is None:
            attrs = attrs_of(G)[e]
            place, basis = place_of(attrs)
            band = distance_band(self.zone, place)
            distance = TARGET_POINTS.get(band, 0.0)
            words = BAND_ZH[band] + (f"({basis},推断)" if basis else "") if distance else ""
            code = str(attrs.get("stock_code") or "")
            region, region_basis = _region(attrs, place, basis)
            found = self.firms[e] = (
                str(attrs.get("name") or e),
                region,
                code,
                distance,
                words,
                TARGET_POINTS["listed"] if code else 0.0,
                region_basis,
            )
        return found


#: ``region_basis``: the firm's own ``region``, or the place its registered name starts with
FROM_DATA, FROM_NAME = "data", "registered-name"
#: the words for each ``region_basis`` (the workbook's cells; the map says how a place is known)
REGION_BASIS_ZH: dict[str, str] = {FROM_DATA: "数据所载", FROM_NAME: "注册名称推断"}


def _region(attrs: dict[str, Any], place: str | None, basis: str) -> tuple[str, str]:
    """(region text, region basis) of a firm: its ``region`` (basis ``data``); else, when
    the place the distance uses is inferred from its registered name, that division's name
    marked ``(推断)`` (basis ``registered-name``); else empty.

    >>> _region({"region": "广东"}, "440000", ""), _region({}, None, "")
    (('广东', 'data'), ('', ''))
    >>> _region({}, "440300", "注册名称以“深圳市”开头")
    ('广东省深圳市(推断)', 'registered-name')
    """
    region = str(attrs.get("region") or "")
    if region:
        return region, FROM_DATA
    if place and basis:
        from ..places import division

        try:
            return f"{division(place).name}(推断)", FROM_NAME
        except UnknownEntity:
            return "", ""
    return "", ""


def _shared(ctx: ChainContext) -> _Shared:
    """What the chains of one :class:`GraphIndex` share (made once per index); its per-firm
    memos are emptied with the index's at the end of each chain (:meth:`GraphIndex.end_chain`)."""
    found = _CANDIDATES.get(ctx.index)
    if found is None:
        found = _Shared(zone_division(ctx.G))
        _CANDIDATES[ctx.index] = found
        ctx.index.chain_memos += [found.ties, found.firms]
    return found


@dataclass(frozen=True)
class TargetFilter:
    """Which candidates to keep: ``segments`` (ids), ``region`` (text or division-code
    prefix), ``listed`` only, at most ``limit`` per segment."""

    segments: frozenset[str] | None = None
    region: str | None = None
    listed: bool = False
    limit: int | None = None

    def keeps(self, attrs: dict[str, Any]) -> bool:
        """True if a firm with these attributes passes the region and listed filters."""
        if self.listed and not attrs.get("stock_code"):
            return False
        if self.region:
            return region_matches(attrs, self.region)
        return True


def region_matches(attrs: dict[str, Any], text: str) -> bool:
    """True if the firm's place (:func:`~chaingraph.analysis.distance.place_of`) lies in the
    division ``text`` is the code of (trailing zero pairs dropped: 330000 -> 33) or names
    (parsed with the division table: 湖南 -> 43), or its region / address / registered name
    contains the text.

    >>> region_matches({"division_code": "330602"}, "330000")
    True
    >>> region_matches({"region": "湖南省湘潭市"}, "湖南"), region_matches({}, "湖南")
    (True, False)
    """
    want = text.strip()
    parsed = want if want.isdigit() else parse_region(want)
    if parsed:
        prefix = parsed
        while len(prefix) > 2 and prefix.endswith("00"):
            prefix = prefix[:-2]
        code, _ = place_of(attrs)
        if code and code.startswith(prefix):
            return True
        if want.isdigit():
            return False
    key = normalize_text(want)
    for f in ("region", "address", "full_name"):
        value = attrs.get(f)
        if isinstance(value, str) and key in normalize_text(value):
            return True
    return False


def resolve_segment(ctx: ChainContext, text: str) -> str:
    """The chain segment named by id, name or alias (raises UnknownEntity)."""
    key = normalize_text(text)
    G = ctx.G
    for s in ctx.order:
        attrs = attrs_of(G)[s]
        names = [s, str(attrs.get("name") or ""), *(attrs.get("aliases") or [])]
        if any(normalize_text(str(n)) == key for n in names):
            return s
    listing = ", ".join(f"{s} ({name_of(G, s)})" for s in ctx.order)
    raise UnknownEntity(f"Unknown segment '{text}' in chain '{ctx.name}'. Segments: {listing}")


def targets_of(
    ctx: ChainContext,
    board: Leaders | None = None,
    include_extension: bool = True,
    filters: TargetFilter | None = None,
) -> list[Row]:
    """:func:`rank_targets` for a built context (``board``: the chain's leader table, if known)."""
    G = ctx.G
    filters = filters or TargetFilter()
    if board is None:
        board = leaders_of(ctx)
    anchors = frozenset(leader_ids(ctx, board))
    seg_status: dict[str, str] = {}
    seg_dep: dict[str, float] = {}
    for s in ctx.core:
        st = ctx.segments[s].status
        if st in (GAP, WEAK):
            seg_status[s] = st
            seg_dep[s] = dependence(dependents(ctx, s))
    if include_extension:
        for r in extension_of(ctx):
            seg_status.setdefault(r["segment"], EXTENSION)
            seg_dep.setdefault(r["segment"], 0.0)
    max_dep = max(seg_dep.values(), default=0.0)
    shared = _shared(ctx)
    nodes = attrs_of(G)
    order = {GAP: 0, WEAK: 1, EXTENSION: 2}
    segs = sorted(seg_status, key=lambda s: (order[seg_status[s]], -seg_dep[s], s))
    if filters.segments is not None:
        segs = [s for s in segs if s in filters.segments]
    rows: list[Row] = []
    for s in segs:
        st = seg_status[s]
        share = seg_dep[s] / max_dep if max_dep > 0 else 0.0
        importance = TARGET_POINTS[st] + TARGET_POINTS["importance"] * share
        head = STATUS_REASON[st] + (f",依赖度占比 {share:.2f}" if share > 0 else "")
        members = [m for m in shared.members(G, s) if not nodes[m.firm].get("local")]
        kept = [m for m in members if filters.keeps(nodes[m.firm])]
        # score every candidate first (cheap, memoised parts), build rows only for the kept
        order_of = [
            (-round(_score(G, shared, m, importance, anchors), 9), m.strength, m.firm, m)
            for m in kept
        ]
        order_of.sort(key=lambda t: t[:3])
        if filters.limit is not None:
            order_of = order_of[: filters.limit]
        for rank, (*_, m) in enumerate(order_of, 1):
            rows.append({"rank": rank} | _row(ctx, shared, m, st, importance, head, anchors))
        if not order_of:
            rows.append(_empty(G, s, st, importance, NO_FIRM_MATCHES if members else NO_FIRM_KNOWN))
    return rows


def _empty(G: ChainGraph, seg: str, status: str, importance: float, reason: str) -> Row:
    return {
        "rank": None,
        "segment": seg,
        "segment_name": name_of(G, seg),
        "status": status,
        "firm": "",
        "name": "",
        "region": "",
        "region_basis": "",
        "stock_code": "",
        "score": None,
        "importance": round(importance, 2),
        "known": None,
        "tie": None,
        "distance": None,
        "scale": None,
        "how": "",
        "grade": "",
        "basis": "",
        "reason": reason,
    }


def _score(
    G: ChainGraph, shared: _Shared, m: Membership, importance: float, anchors: frozenset[str]
) -> float:
    """The target score of one candidate (see :func:`rank_targets`), from memoised parts."""
    _, _, _, distance, _, scale, _ = shared.firm(G, m.firm)
    tie = _tie(G, shared, m.firm, anchors)[0]
    return importance + TARGET_POINTS[m.how] + tie + distance + scale


def _row(
    ctx: ChainContext,
    shared: _Shared,
    m: Membership,
    status: str,
    importance: float,
    head: str,
    anchors: frozenset[str],
) -> Row:
    G = ctx.G
    e = m.firm
    name, region, code, distance, far, scale, region_basis = shared.firm(G, e)
    known = TARGET_POINTS[m.how]
    tie, tie_reasons, tie_inferred = _tie(G, shared, e, anchors)
    reasons = [head, f"{HOW_ZH[m.how]}({m.basis})", *tie_reasons]
    if far:
        reasons.append(far)
    if code:
        reasons.append(f"上市公司 {code}")
    score = importance + known + tie + distance + scale
    grade = m.grade
    if tie_inferred and grade != INFERRED:
        grade = f"{grade}, tie inferred"
    return {
        "segment": m.segment,
        "segment_name": name_of(G, m.segment),
        "status": status,
        "firm": e,
        "name": name,
        "region": region,
        "region_basis": region_basis,
        "stock_code": code,
        "score": round(score, 2),
        "importance": round(importance, 2),
        "known": known,
        "tie": tie,
        "distance": distance,
        "scale": scale,
        "how": m.how,
        "grade": grade,
        "basis": m.basis,
        "reason": ";".join(reasons),
    }


def _tie(
    G: ChainGraph, shared: _Shared, e: str, anchors: frozenset[str]
) -> tuple[float, list[str], bool]:
    """(points, reasons, any inferred link) of a firm's ties to the zone, memoised."""
    if not succ(G)[e] and not pred(G)[e]:
        return _NO_TIE  # most candidates: a reference-layer firm with no edge at all
    key = (e, anchors)
    found = shared.ties.get(key)
    if found is None:
        found = shared.ties[key] = _tie_of(G, e, anchors)
    return found


_NO_TIE: tuple[float, list[str], bool] = (0.0, [], False)


def _is_local(attrs: dict[str, Any]) -> bool:
    return attrs.get("kind") == FIRM and bool(attrs.get("local"))


def _tie_of(G: ChainGraph, e: str, anchors: frozenset[str]) -> tuple[float, list[str], bool]:
    nodes = attrs_of(G)
    S, P = succ(G), pred(G)
    points = 0.0
    reasons: list[str] = []
    inferred = False

    def named(pairs: Iterable[tuple[str, str]]) -> str:
        return "、".join(name_of(G, v) + ("(推断)" if g == INFERRED else "") for v, g in pairs)

    customers = sorted(
        (v, edge_grade(keys[SUPPLIES]))
        for v, keys in S[e].items()
        if SUPPLIES in keys and _is_local(nodes[v])
    )
    to_leader = [(v, g) for v, g in customers if v in anchors]
    if to_leader:
        points += TARGET_POINTS["supplies_leader"]
        reasons.append("供应链主 " + named(to_leader))
    if customers:
        points += TARGET_POINTS["local_customer"] * len(customers)
        reasons.append("供应本地企业 " + named(customers))
    suppliers = sorted(
        (u, edge_grade(keys[SUPPLIES]))
        for u, keys in P[e].items()
        if SUPPLIES in keys and _is_local(nodes[u])
    )
    if suppliers:
        points += TARGET_POINTS["buys_from_local"]
        reasons.append("采购本地企业 " + named(suppliers) + " 的产品")
    inferred = any(g == INFERRED for _, g in (*customers, *suppliers))
    attracted_by = sorted(
        a
        for a, keys in P[e].items()
        if ATTRACTED in keys and (_is_local(nodes[a]) or nodes[a].get("kind") == PROJECT)
    )
    if attracted_by:
        points += TARGET_POINTS["attracted"]
        reasons.append("由 " + "、".join(name_of(G, a) for a in attracted_by) + " 带动(以商引商)")
    affiliated = sorted(
        {v for v, keys in S[e].items() if Rel.AFFILIATED_WITH in keys and _is_local(nodes[v])}
        | {u for u, keys in P[e].items() if Rel.AFFILIATED_WITH in keys and _is_local(nodes[u])}
    )
    if affiliated:
        points += TARGET_POINTS["affiliated"]
        reasons.append(
            "与本地企业 " + "、".join(name_of(G, f) for f in affiliated) + " 同属一个集团"
        )
    return points, reasons, inferred


def rank_targets(
    G: ChainGraph,
    chain_id: str,
    include_extension: bool = True,
    *,
    segments: Iterable[str] | None = None,
    region: str | None = None,
    listed: bool = False,
    limit: int | None = None,
) -> list[Row]:
    """Outside firms to approach for the chain (招商目标), per segment, best first.

    The segments are the chain's gap and weak segments (and, with ``include_extension``, its
    extension candidates, see ``extension``), gap before weak before extension, then by
    dependence. A segment's candidates are the outside firms (``local`` false) known in it
    in any of the three ways of :mod:`chaingraph.analysis.classify` (stated, products,
    industry), each in its strongest way. Score, in points :data:`TARGET_POINTS`:

        score = importance + known + tie + distance + scale
        importance = status(s) + 4 * dep(s) / max dep       status: gap 2, weak 1, extension 0.5
        known      = 3 stated | 2 products/business scope | 1 industry (申万三级)
        tie        = 5 * [supplies a chain leader] + 3 * |local firms it supplies|
                     + 2 * [buys from a local firm] + 4 * [an anchor ATTRACTED it]
                     + 2 * [AFFILIATED_WITH a local firm]
        distance   = 3 same city | 2 same province | 1 neighbouring province | 0 else/unknown
        scale      = 1 if listed (has a stock code)

    dep(s) is the segment's dependence (see ``find_gaps``: today's reliance of local firms
    downstream on it); the leaders are the designated ones and the top-ranked firm
    (``leader_ids``); distances compare 6-digit division codes with the zone's (see
    :mod:`chaingraph.analysis.distance`). Each row shows every component, ``how`` the
    segment is known, its ``grade`` (``inferred`` for products and industry; ``…, tie
    inferred`` when a supply tie is an inferred link) and ``basis``; ``region`` is the firm's
    own (``region_basis`` ``data``) or, without one, the place its registered name starts
    with, marked ``(推断)`` (``region_basis`` ``registered-name``); ``reason`` says it all in
    words. A segment with no candidate gets one row with an empty ``firm`` saying so (nothing
    is invented). Ties: stronger ``how``, then firm id.

    Filters: ``segments`` (ids), ``region`` (text in region/address, or a division-code
    prefix), ``listed`` (only firms with a stock code), ``limit`` (per segment).

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("c", kind="Chain", name="电池")
    >>> G.add_node("foil", kind="Segment", name="铜箔", tier="upstream",
    ...            sw_industries=["金属新材料"])
    >>> G.add_node("cell", kind="Segment", name="电芯", tier="midstream")
    >>> for s in ("foil", "cell"):
    ...     _ = G.add_edge("c", s, key="HAS_SEGMENT")
    >>> _ = G.add_edge("foil", "cell", key="FEEDS")
    >>> G.add_node("byd", kind="Firm", name="比亚迪", local=True)
    >>> _ = G.add_edge("byd", "cell", key="IN_SEGMENT")
    >>> G.add_node("x", kind="Firm", name="某铜箔", local=False)
    >>> _ = G.add_edge("x", "foil", key="IN_SEGMENT", sources=[{"source": "s", "quote": "q"}])
    >>> _ = G.add_edge("x", "byd", key="SUPPLIES", grade="template")
    >>> G.add_node("y", kind="Firm", name="某新材", local=False, sw_l3="金属新材料")
    >>> [(r["firm"], r["score"], r["known"], r["tie"]) for r in rank_targets(G, "c")]
    [('x', 17.0, 3.0, 8.0), ('y', 7.0, 1.0, 0.0), ('', None, None, None)]
    """
    ctx = chain_context(G, chain_id)
    wanted = None if segments is None else frozenset(resolve_segment(ctx, s) for s in segments)
    filters = TargetFilter(wanted, region, listed, limit)
    return targets_of(ctx, include_extension=include_extension, filters=filters)
