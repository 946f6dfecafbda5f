"""Break-chain risk (断链风险): what the chains lose if a firm leaves the zone."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from ..errors import UnknownEntity
from ..model import ChainGraph, Row
from ..search import find, unknown
from ._context import (
    ATTRACTED,
    CHAIN,
    FIRM,
    HAS_SEGMENT,
    HOSTS,
    IN_SEGMENT,
    INVESTS_IN,
    LEADS,
    PROJECT,
    SUPPLIES,
    ChainContext,
    amount_text,
    chain_context,
    edge_grade,
    is_local,
    kind_of,
    name_of,
    out_ids,
    pred,
    status_of,
    succ,
    supply_edges_in,
    supply_edges_out,
)
from .coverage import round_share, share_text, summarise

#: the words of the impact rows' ``detail``, which the report's pages and workbook show too
LEADER_LOST_ZH = "失去链主/龙头"
CUT_OFF_ZH = "断供"  # a local customer left with no supplier in the segment
LOSES_SUPPLIER_ZH = "少一家供应商"
#: a local supplier's loss, by what the leaving firm was among its local customers
SUPPLIER_LOSS_ZH = {
    "only": "失去唯一本地客户",
    "main": "失去主要本地客户",
    "other": "少一家本地客户",
}
#: a project, by how the leaving firm is tied to it
PROJECT_ROLE_ZH = {"invests in": "其投资的项目", "attracted by it": "由其带动的项目"}
ATTRACTED_ZH = "由其带动"


def sales_part(share: float | None) -> str:
    """What a supplier's loss adds when its share of sales is known.

    >>> sales_part(0.7), sales_part(None)
    ('(占其销售 70%)', '')
    """
    text = share_text(share)
    return f"(占其销售 {text})" if text else ""


@dataclass
class ChainImpact:
    """What one chain loses if the firm leaves (see :func:`firm_impact`)."""

    chain: str
    name: str
    coverage_before: float
    coverage_after: float
    segments: list[Row] = field(default_factory=list)
    customers: list[Row] = field(default_factory=list)
    suppliers: list[Row] = field(default_factory=list)
    projects: list[Row] = field(default_factory=list)
    attracted: list[Row] = field(default_factory=list)
    designated: bool = False

    @property
    def coverage_change(self) -> float:
        return self.coverage_after - self.coverage_before

    @property
    def empty(self) -> bool:
        found = self.segments or self.customers or self.suppliers
        return not (found or self.projects or self.attracted) and not self.designated


@dataclass
class Impact:
    """The impact of a firm leaving, per chain it takes part in."""

    firm: str
    name: str
    local: bool
    chains: list[ChainImpact] = field(default_factory=list)

    def rows(self) -> list[Row]:
        """One row per effect: ``chain, effect, item, name, before, after, detail, grade,
        share``. Effects: coverage, leader, segment, customer (downstream: a local firm it
        supplies; before/after = its suppliers), supplier (upstream: a local firm that
        supplies it; before/after = that firm's local customers; ``share`` = the share of the
        supplier's sales it took, when known), project, attracted. Customers and suppliers in
        none of the firm's chains come last under chain ''."""
        out: list[Row] = []
        for c in self.chains:
            if c.chain:
                change = share_text(c.coverage_change, signed=True)
                before, after = round_share(c.coverage_before), round_share(c.coverage_after)
                out.append(_row(c.chain, "coverage", c.chain, c.name, before, after, change))
                if c.designated:
                    lost = LEADER_LOST_ZH
                    out.append(
                        _row(c.chain, "leader", self.firm, self.name, "designated", "none", lost)
                    )
            for effect, items, cells in _EFFECTS:
                out.extend(_row(c.chain, effect, *cells(r)) for r in getattr(c, items))
        return out


def _row(
    chain: str,
    effect: str,
    item: str,
    name: str,
    before: object = "",
    after: object = "",
    detail: str = "",
    grade: str = "",
    share: float | None = None,
) -> Row:
    """One row of :meth:`Impact.rows`, its columns always in the same order."""
    return {
        "chain": chain,
        "effect": effect,
        "item": item,
        "name": name,
        "before": before,
        "after": after,
        "detail": detail,
        "grade": grade,
        "share": share,
    }


Cells = tuple[str, str, object, object, str, str, "float | None"]


def _segment_cells(s: Row) -> Cells:
    detail = f"本地企业 {s['local_before']} → {s['local_after']} 家"
    return s["segment"], s["name"], s["before"], s["after"], detail, "", None


def _customer_cells(r: Row) -> Cells:
    detail = CUT_OFF_ZH if r["cut_off"] else LOSES_SUPPLIER_ZH
    return (
        r["firm"],
        r["name"],
        r["suppliers_before"],
        r["suppliers_after"],
        detail,
        r["grade"],
        None,
    )


def _supplier_cells(r: Row) -> Cells:
    detail = SUPPLIER_LOSS_ZH.get(r["role"], SUPPLIER_LOSS_ZH["other"])
    detail += sales_part(r["sales_share"])
    before, after = r["customers_before"], r["customers_after"]
    return r["firm"], r["name"], before, after, detail, r["grade"], r["sales_share"]


def _project_cells(p: Row) -> Cells:
    role = PROJECT_ROLE_ZH.get(p["role"], str(p["role"]))
    return p["project"], p["name"], p["amount"], "", role, "", None


def _attracted_cells(a: Row) -> Cells:
    return a["id"], a["name"], "", "", ATTRACTED_ZH, "", None


#: each effect after coverage and leader: (effect, the ChainImpact list, its row's cells)
_EFFECTS: tuple[tuple[str, str, Callable[[Row], Cells]], ...] = (
    ("segment", "segments", _segment_cells),
    ("customer", "customers", _customer_cells),
    ("supplier", "suppliers", _supplier_cells),
    ("project", "projects", _project_cells),
    ("attracted", "attracted", _attracted_cells),
)


def _coverage(ctx: ChainContext, without: str | None) -> tuple[float, dict[str, tuple[int, int]]]:
    """Coverage ratio (:func:`coverage.summarise`) and, per core segment, (local before,
    local after) without a firm."""
    segs = [ctx.segments[s] for s in ctx.order]
    if without is not None:
        segs = [replace(s, local=[f for f in s.local if f != without]) for s in segs]
    counts = {s.id: (len(ctx.segments[s.id].local), len(s.local)) for s in segs if not s.extension}
    return summarise(ctx.chain_id, segs).ratio, counts


def chain_impact(ctx: ChainContext, firm: str) -> ChainImpact:
    """The impact of ``firm`` leaving on one chain (see :func:`firm_impact`)."""
    G = ctx.G
    before, _ = _coverage(ctx, None)
    after, counts = _coverage(ctx, firm)
    out = ChainImpact(ctx.chain_id, ctx.name, before, after)
    out.designated = firm in ctx.leaders_designated()
    for s in ctx.core:
        b, a = counts[s]
        if a != b:
            out.segments.append(
                {
                    "segment": s,
                    "name": ctx.segments[s].name,
                    "before": status_of(b),
                    "after": status_of(a),
                    "local_before": b,
                    "local_after": a,
                    "degraded": status_of(a) != status_of(b),
                }
            )
    local = members_of(ctx)
    # in the chain: asked of the segments' lists, not of a set of the chain's 10^6 firms
    in_chain = firm in local or any(firm in s.external for s in ctx.segments.values())
    if out.segments or in_chain or out.designated:
        out.customers = customer_rows(G, firm, local)
        out.suppliers = supplier_rows(G, firm, local)
        projects = dict.fromkeys(out_ids(G, firm, INVESTS_IN), "invests in")
        drawn = set(out_ids(G, firm, ATTRACTED))
        for p in list(projects):
            drawn.update(out_ids(G, p, ATTRACTED))
        for v in sorted(drawn - {firm}):
            if kind_of(G, v) == PROJECT and v not in projects:
                projects[v] = "attracted by it"
        out.projects = [
            {"project": p, "name": name_of(G, p), "amount": amount_text(G, p), "role": role}
            for p, role in sorted(projects.items())
        ]
        out.attracted = [
            {"id": v, "name": name_of(G, v), "kind": kind_of(G, v)}
            for v in sorted(drawn - {firm})
            if kind_of(G, v) == FIRM
        ]
    return out


def members_of(ctx: ChainContext) -> set[str]:
    """The local firms present in the chain's segments (extension ones included)."""
    return {f for s in ctx.segments.values() for f in s.local}


def customer_rows(G: ChainGraph, firm: str, among: set[str] | None = None) -> list[Row]:
    """Downstream: the local firms ``firm`` SUPPLIES (only those in ``among`` if given).

    Rows ``firm, name, suppliers_before, suppliers_after, same_segment_alternatives, cut_off,
    grade``, cut-off customers first. ``cut_off``: no other supplier of the customer works in
    a segment the firm works in (for a firm in no segment: it was the only supplier).
    """
    rows = []
    mine = set(out_ids(G, firm, IN_SEGMENT))
    for c, grade in supply_edges_out(G, firm):
        if not is_local(G, c) or c == firm or (among is not None and c not in among):
            continue
        sups = {u for u, _ in supply_edges_in(G, c) if u != c}
        same_input = {u for u in sups - {firm} if mine & set(out_ids(G, u, IN_SEGMENT))}
        rows.append(
            {
                "firm": c,
                "name": name_of(G, c),
                "suppliers_before": len(sups),
                "suppliers_after": len(sups - {firm}),
                "same_segment_alternatives": len(same_input),
                "cut_off": not same_input if mine else len(sups) == 1,
                "grade": grade,
            }
        )
    return sorted(rows, key=lambda r: (not r["cut_off"], r["firm"]))


#: a known sales share at or above this makes a customer a supplier's main one
MAIN_CUSTOMER_SHARE = 0.5
SUPPLIER_ROLES = ("only", "main", "other")


def _sales_share(data: dict[str, Any]) -> float | None:
    value = data.get("sales_share")
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if 0.0 <= value <= 1.0 else None


def supplier_rows(G: ChainGraph, firm: str, among: set[str] | None = None) -> list[Row]:
    """Upstream: the local firms that SUPPLY ``firm`` and what they lose if it leaves.

    For each local supplier u (only those in ``among`` if given), C(u) = the local firms u
    SUPPLIES. ``role`` is ``only`` when C(u) = {firm}; ``main`` when the SUPPLIES edge's
    ``sales_share`` (the share of u's sales that goes to the firm, 0..1) is known and either
    >= 0.5 or larger than that of every other customer in C(u), all of which are known;
    else ``other``. Rows ``firm, name, customers_before, customers_after, sales_share,
    role, at_risk, grade`` (at_risk = only or main), at-risk first, then by sales share.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> for f in ("byd", "foil", "gear"):
    ...     G.add_node(f, kind="Firm", name=f, local=True)
    >>> _ = G.add_edge("foil", "byd", key="SUPPLIES", grade="sourced")
    >>> _ = G.add_edge("gear", "byd", key="SUPPLIES", sales_share=0.6)
    >>> _ = G.add_edge("gear", "foil", key="SUPPLIES", sales_share=0.1)
    >>> [(r["firm"], r["role"], r["sales_share"]) for r in supplier_rows(G, "byd")]
    [('foil', 'only', None), ('gear', 'main', 0.6)]
    """
    rows = []
    S, P = succ(G), pred(G)
    for u, keys in sorted(P[firm].items()):
        data = keys.get(SUPPLIES)
        if data is None or u == firm or not is_local(G, u):
            continue
        if among is not None and u not in among:
            continue
        customers = {
            v: _sales_share(d[SUPPLIES])
            for v, d in S[u].items()
            if SUPPLIES in d and v != u and is_local(G, v)
        }
        mine = customers[firm]
        others = [x for v, x in customers.items() if v != firm]
        if not others:
            role = "only"
        elif mine is not None and (
            mine >= MAIN_CUSTOMER_SHARE or all(x is not None and mine > x for x in others)
        ):
            role = "main"
        else:
            role = "other"
        rows.append(
            {
                "firm": u,
                "name": name_of(G, u),
                "customers_before": len(customers),
                "customers_after": len(customers) - 1,
                "sales_share": mine,
                "role": role,
                "at_risk": role != "other",
                "grade": edge_grade(data),
            }
        )
    return sorted(
        rows,
        key=lambda r: (SUPPLIER_ROLES.index(r["role"]), -(r["sales_share"] or 0.0), r["firm"]),
    )


#: the name of the group of customers and suppliers in none of the firm's chains
OUTSIDE_ZH = "其他(不在该企业所在的产业链中)"


def firm_impact(G: ChainGraph, firm_id: str, chain_id: str | None = None) -> Impact:
    """What the chains lose if a firm leaves the zone (断链风险).

    For each chain (only ``chain_id`` if given) in which the firm is present or which it is
    designated to lead: the coverage before and after (see ``chain_coverage``; removing the firm
    also removes its presence through projects it invests in), the segments whose number of
    local firms drops (with status before and after, e.g. covered -> weak), the local firms
    it SUPPLIES that are present in that chain (downstream, see :func:`customer_rows`), the
    local firms that SUPPLY it present in that chain and whether it is their only or main
    local customer (upstream, see :func:`supplier_rows`), the projects it invests in or
    attracted, and the firms it attracted. A chain where the firm changes nothing is left
    out, so a firm with no relations has no impact at all. Without ``chain_id``, customers
    and suppliers present in none of those chains come last, in a part whose ``chain`` is ''
    (named :data:`OUTSIDE_ZH`), so each counterpart is listed once. Inferred supply links
    (``with_inferred``) are marked in ``grade``.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("c", kind="Chain", name="电池")
    >>> for s in ("foil", "cell"):
    ...     G.add_node(s, kind="Segment", name=s, tier="midstream")
    ...     _ = G.add_edge("c", s, key="HAS_SEGMENT")
    >>> for f, s in (("x", "foil"), ("byd", "cell")):
    ...     G.add_node(f, kind="Firm", name=f, local=True)
    ...     _ = G.add_edge(f, s, key="IN_SEGMENT")
    >>> _ = G.add_edge("x", "byd", key="SUPPLIES", grade="template")
    >>> hit = firm_impact(G, "x").chains[0]
    >>> hit.coverage_before, hit.coverage_after
    (1.0, 0.5)
    >>> hit.segments[0]["after"], hit.customers[0]["cut_off"]
    ('gap', True)
    """
    if firm_id not in G:
        raise UnknownEntity(f"Unknown firm '{firm_id}'. Run 'chaingraph find TEXT' to search")
    if kind_of(G, firm_id) != FIRM:
        raise UnknownEntity(
            f"'{firm_id}' is a {kind_of(G, firm_id) or 'node'}, not a firm. "
            "Give a firm's id or name"
        )
    result = Impact(firm_id, name_of(G, firm_id), is_local(G, firm_id))
    chain_ids = [chain_id] if chain_id else chains_touching(G, firm_id)
    placed: set[str] = set()
    for c in chain_ids:
        ctx = chain_context(G, c)
        placed |= members_of(ctx)
        part = chain_impact(ctx, firm_id)
        if not part.empty:
            result.chains.append(part)
    if chain_id is None:
        rest = ChainImpact("", OUTSIDE_ZH, 0.0, 0.0)
        rest.customers = [r for r in customer_rows(G, firm_id) if r["firm"] not in placed]
        rest.suppliers = [r for r in supplier_rows(G, firm_id) if r["firm"] not in placed]
        if not rest.empty:
            result.chains.append(rest)
    return result


def chains_touching(G: ChainGraph, node_id: str) -> list[str]:
    """Chains a firm takes part in: it (or a project it INVESTS_IN) works in one of their
    segments, or it LEADS the chain or a platform/zone that HOSTS it. Sorted ids.

    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("c", kind="Chain", name="电池"); G.add_node("s", kind="Segment", name="电芯")
    >>> G.add_node("p", kind="Platform", name="基地"); G.add_node("d", kind="Chain", name="储能")
    >>> G.add_node("byd", kind="Firm", name="比亚迪")
    >>> _ = G.add_edge("c", "s", key="HAS_SEGMENT"); _ = G.add_edge("byd", "s", key="IN_SEGMENT")
    >>> _ = G.add_edge("byd", "p", key="LEADS"); _ = G.add_edge("p", "d", key="HOSTS")
    >>> chains_touching(G, "byd")
    ['c', 'd']
    """
    if node_id not in G:
        raise unknown(node_id, find(G, node_id, limit=5))

    def out(u: str, rel: str) -> list[str]:
        return [v for _, v, k in G.out_edges(u, keys=True) if k == rel]

    segs = set(out(node_id, IN_SEGMENT))
    for p in out(node_id, INVESTS_IN):
        segs.update(out(p, IN_SEGMENT))
    chains = {u for s in segs for u, _, k in G.in_edges(s, keys=True) if k == HAS_SEGMENT}
    for target in out(node_id, LEADS):
        if G.nodes[target].get("kind") == CHAIN:
            chains.add(target)
        else:
            chains.update(out(target, HOSTS))
    return sorted(c for c in chains if G.nodes[c].get("kind") == CHAIN)


__all__ = [
    "ChainImpact",
    "Impact",
    "chains_touching",
    "customer_rows",
    "firm_impact",
    "supplier_rows",
]
