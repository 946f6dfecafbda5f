"""Break-chain risk (断链风险): what the chains lose if a firm leaves the zone."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from ..errors import UnknownEntity
from ..model import ChainGraph, Kind, Rel
from ..query import chains_touching
from ._context import (
    ChainContext,
    Row,
    amount_text,
    chain_context,
    is_local,
    kind_of,
    name_of,
    out_ids,
    status_of,
    supply_edges_in,
    supply_edges_out,
)
from .coverage import round_share, share_text, summarise


@dataclass
class ChainImpact:
    """What one chain loses if the firm leaves (see :func:`firm_impact`)."""

    chain: str
    name: str
    coverage_before: float
    coverage_after: float
    segments: list[Row] = field(default_factory=list)
    customers: list[Row] = field(default_factory=list)
    projects: list[Row] = field(default_factory=list)
    attracted: list[Row] = field(default_factory=list)
    designated: bool = False

    @property
    def coverage_change(self) -> float:
        return self.coverage_after - self.coverage_before

    @property
    def empty(self) -> bool:
        return not (self.segments or self.customers or self.projects or self.attracted) and (
            not self.designated
        )


@dataclass
class Impact:
    """The impact of a firm leaving, per chain it takes part in."""

    firm: str
    name: str
    local: bool
    chains: list[ChainImpact] = field(default_factory=list)

    def rows(self) -> list[Row]:
        """One row per effect: ``chain, effect, item, name, before, after, detail, grade``."""
        out: list[Row] = []
        for c in self.chains:
            base = {"chain": c.chain}
            out.append(
                base
                | {
                    "effect": "coverage",
                    "item": c.chain,
                    "name": c.name,
                    "before": round_share(c.coverage_before),
                    "after": round_share(c.coverage_after),
                    "detail": share_text(c.coverage_change, signed=True),
                    "grade": "",
                }
            )
            if c.designated:
                out.append(
                    base
                    | {
                        "effect": "leader",
                        "item": self.firm,
                        "name": self.name,
                        "before": "designated",
                        "after": "none",
                        "detail": "链主/龙头 role lost",
                        "grade": "",
                    }
                )
            for s in c.segments:
                out.append(
                    base
                    | {
                        "effect": "segment",
                        "item": s["segment"],
                        "name": s["name"],
                        "before": s["before"],
                        "after": s["after"],
                        "detail": f"{s['local_before']} -> {s['local_after']} local firms",
                        "grade": "",
                    }
                )
            for r in c.customers:
                out.append(
                    base
                    | {
                        "effect": "customer",
                        "item": r["firm"],
                        "name": r["name"],
                        "before": r["suppliers_before"],
                        "after": r["suppliers_after"],
                        "detail": "cut off" if r["cut_off"] else "loses one supplier",
                        "grade": r["grade"],
                    }
                )
            for p in c.projects:
                out.append(
                    base
                    | {
                        "effect": "project",
                        "item": p["project"],
                        "name": p["name"],
                        "before": p["amount"],
                        "after": "",
                        "detail": p["role"],
                        "grade": "",
                    }
                )
            for a in c.attracted:
                out.append(
                    base
                    | {
                        "effect": "attracted",
                        "item": a["id"],
                        "name": a["name"],
                        "before": "",
                        "after": "",
                        "detail": f"drawn in by the firm ({a['kind']})",
                        "grade": "",
                    }
                )
        return out


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
    in_chain = {f for s in ctx.segments.values() for f in s.local} | {
        f for s in ctx.segments.values() for f in s.external
    }
    if out.segments or firm in in_chain or out.designated:
        for c, grade in supply_edges_out(G, firm):
            if not is_local(G, c) or c == firm:
                continue
            sups = {u for u, _ in supply_edges_in(G, c) if u != c}
            mine = set(out_ids(G, firm, Rel.IN_SEGMENT))
            same_input = {u for u in sups - {firm} if mine & set(out_ids(G, u, Rel.IN_SEGMENT))}
            out.customers.append(
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
        out.customers.sort(key=lambda r: (not r["cut_off"], r["firm"]))
        projects = dict.fromkeys(out_ids(G, firm, Rel.INVESTS_IN), "invests in")
        drawn = set(out_ids(G, firm, Rel.ATTRACTED))
        for p in list(projects):
            drawn.update(out_ids(G, p, Rel.ATTRACTED))
        for v in sorted(drawn - {firm}):
            if kind_of(G, v) == Kind.PROJECT and v not in projects:
                projects[v] = "attracted by it"
        out.projects = [
            {"project": p, "name": name_of(G, p), "amount": amount_text(G, p), "role": role}
            for p, role in sorted(projects.items())
        ]
        out.attracted = [
            {"id": v, "name": name_of(G, v), "kind": kind_of(G, v)}
            for v in sorted(drawn - {firm})
            if kind_of(G, v) == Kind.FIRM
        ]
    return out


def firm_impact(G: ChainGraph, firm_id: str, chain_id: str | None = None) -> Impact:
    """What the chains lose if a firm leaves the zone (断链风险).

    For each chain (only ``chain_id`` if given) in which the firm is present or which it is
    designated to lead: the coverage before and after (see ``chain_coverage``; removing the firm
    also removes its presence through projects it invests in), the segments whose number of
    local firms drops (with status before and after, e.g. covered -> weak), the local firms
    it SUPPLIES (``cut_off`` when no other supplier of theirs works in a segment the firm
    works in — or, for a firm with no segment, when it was their only supplier), the projects
    it invests in or attracted, and the firms it attracted. A chain where the firm changes
    nothing is left out, so a firm with no relations has no impact at all. Inferred supply
    links (``with_inferred``) are marked in ``grade``.

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
    if kind_of(G, firm_id) != Kind.FIRM:
        raise UnknownEntity(
            f"'{firm_id}' is a {kind_of(G, firm_id) or 'node'}, not a firm. "
            "Give a firm's id or name"
        )
    result = Impact(firm_id, name_of(G, firm_id), is_local(G, firm_id))
    chain_ids = [chain_id] if chain_id else chains_touching(G, firm_id)
    for c in chain_ids:
        part = chain_impact(chain_context(G, c), firm_id)
        if not part.empty:
            result.chains.append(part)
    return result


__all__ = ["ChainImpact", "Impact", "firm_impact"]
