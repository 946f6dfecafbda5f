"""The chain map and its completeness: which segments have local firms, overall and by tier."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..model import TIER_LABEL_ZH, ChainGraph, Tier
from ._context import (
    COVERED,
    GAP,
    WEAK,
    ChainContext,
    Row,
    amount_text,
    chain_context,
    name_of,
)


def _firm_row(G: ChainGraph, f: str, seg: Any = None) -> Row:
    row: Row = {"id": f, "name": name_of(G, f)}
    if seg is not None and f in seg.via_project:
        row["via_project"] = [{"id": p, "name": name_of(G, p)} for p in seg.via_project[f]]
    region = G.nodes[f].get("region")
    if region:
        row["region"] = str(region)
    return row


def _by_size(ctx: ChainContext, firms: list[str]) -> list[str]:
    return sorted(firms, key=lambda f: (-round(ctx.weight(f), 9), f))


def map_rows(ctx: ChainContext) -> list[Row]:
    """The rows of :func:`chain_map` for a built context."""
    G = ctx.G
    rows = []
    for s in ctx.order:
        seg = ctx.segments[s]
        rows.append(
            {
                "segment": s,
                "name": seg.name,
                "tier": seg.tier,
                "weight": seg.weight,
                "extension": seg.extension,
                "status": "extension" if seg.extension else seg.status,
                "local_firms": [_firm_row(G, f, seg) for f in _by_size(ctx, seg.local)],
                "external_firms": [_firm_row(G, f) for f in _by_size(ctx, seg.external)],
                "projects": [
                    {
                        "id": p,
                        "name": name_of(G, p),
                        "amount": amount_text(G, p),
                        "amount_cny": G.nodes[p].get("amount_cny"),
                        "status": G.nodes[p].get("status", ""),
                        "pipeline": p in seg.pipeline,
                    }
                    for p in seg.projects
                ],
                "feeds": ctx.feeds_out(s),
            }
        )
    return rows


def chain_map(G: ChainGraph, chain_id: str) -> list[Row]:
    """The chain's segments upstream -> downstream with who is in each and a status.

    Status of a segment: ``covered`` if at least 2 local firms are present, ``weak`` if
    exactly 1, ``gap`` if none; segments marked ``extension`` get status ``extension`` and do
    not count. A local firm is *present* in a segment if it is IN_SEGMENT it, or if it
    INVESTS_IN a project that is IN_SEGMENT it (then ``via_project`` names the projects). A
    project without a local investor is listed with ``pipeline: true`` and does not count.

    Rows: ``segment, name, tier, weight, extension, status, local_firms, external_firms,
    projects, feeds``; firms sorted by size (see ``firm_weight``) then id, segments by tier,
    then FEEDS order, then id.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("c", kind="Chain", name="电池")
    >>> G.add_node("cell", kind="Segment", name="电芯", tier="midstream")
    >>> G.add_node("byd", kind="Firm", name="比亚迪", local=True)
    >>> _ = G.add_edge("c", "cell", key="HAS_SEGMENT")
    >>> _ = G.add_edge("byd", "cell", key="IN_SEGMENT")
    >>> row = chain_map(G, "c")[0]
    >>> row["segment"], row["status"], [f["name"] for f in row["local_firms"]]
    ('cell', 'weak', ['比亚迪'])
    """
    return map_rows(chain_context(G, chain_id))


@dataclass
class Coverage:
    """Completeness of a chain. ``ratio`` = present / segments; ``weighted`` likewise by
    segment weight; ``by_tier`` maps tier -> (present, segments)."""

    chain: str
    segments: int
    present: int  # segments with at least one local firm (covered + weak)
    covered: int
    weak: int
    gap: int
    ratio: float
    weighted: float
    weights_given: bool
    by_tier: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """E.g. '4 of 14 segments have a local firm (2 with two or more)'."""
        return (
            f"{self.present} of {self.segments} segments have a local firm "
            f"({self.covered} with two or more)"
        )

    @property
    def text_zh(self) -> str:
        """E.g. '14 个环节中 4 个有本地企业(其中 2 个有两家及以上)'."""
        return (
            f"{self.segments} 个环节中 {self.present} 个有本地企业"
            f"(其中 {self.covered} 个有两家及以上)"
        )

    def rows(self) -> list[Row]:
        """Overall, weighted and per-tier rows: ``scope, present, segments, ratio``."""
        out: list[Row] = [
            {
                "scope": "all",
                "present": self.present,
                "segments": self.segments,
                "ratio": round(self.ratio, 4),
            },
        ]
        if self.weights_given:
            out.append(
                {
                    "scope": "weighted",
                    "present": None,
                    "segments": None,
                    "ratio": round(self.weighted, 4),
                }
            )
        for tier, (p, n) in self.by_tier.items():
            out.append(
                {"scope": tier, "present": p, "segments": n, "ratio": round(p / n, 4) if n else 0.0}
            )
        return out


def coverage_of(ctx: ChainContext) -> Coverage:
    """:func:`chain_coverage` for a built context."""
    core = [ctx.segments[s] for s in ctx.core]
    present = [s for s in core if s.status != GAP]
    total_w = sum(s.weight for s in core)
    by_tier: dict[str, tuple[int, int]] = {}
    for tier in (*Tier, *sorted({s.tier for s in core} - set(Tier))):
        segs = [s for s in core if s.tier == tier]
        if segs:
            by_tier[str(tier)] = (sum(s.status != GAP for s in segs), len(segs))
    return Coverage(
        chain=ctx.chain_id,
        segments=len(core),
        present=len(present),
        covered=sum(s.status == COVERED for s in core),
        weak=sum(s.status == WEAK for s in core),
        gap=sum(s.status == GAP for s in core),
        ratio=len(present) / len(core) if core else 0.0,
        weighted=sum(s.weight for s in present) / total_w if total_w > 0 else 0.0,
        weights_given=any("weight" in ctx.G.nodes[s.id] for s in core),
        by_tier=by_tier,
    )


def chain_coverage(G: ChainGraph, chain_id: str) -> Coverage:
    """Completeness of a chain: the share of its segments that have a local firm.

    coverage = |{s in S : L(s) >= 1}| / |S| and weighted = sum of w(s) over those s /
    sum of w(s) over S, where S are the chain's segments not marked ``extension``, L(s) the
    number of local firms present in s (presence rule: see :func:`chain_map`) and w(s) the
    segment's ``weight`` (default 1). Also per tier. 0 for a chain without segments. Adding a
    local firm never lowers it.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("c", kind="Chain", name="电池")
    >>> for s, tier, w in [("ore", "upstream", 1), ("cell", "midstream", 3)]:
    ...     G.add_node(s, kind="Segment", name=s, tier=tier, weight=w)
    ...     _ = G.add_edge("c", s, key="HAS_SEGMENT")
    >>> G.add_node("byd", kind="Firm", name="比亚迪", local=True)
    >>> _ = G.add_edge("byd", "cell", key="IN_SEGMENT")
    >>> cov = chain_coverage(G, "c")
    >>> cov.ratio, cov.weighted, cov.by_tier
    (0.5, 0.75, {'upstream': (0, 1), 'midstream': (1, 1)})
    >>> cov.text
    '1 of 2 segments have a local firm (0 with two or more)'

    """
    return coverage_of(chain_context(G, chain_id))


TIER_NAMES = TIER_LABEL_ZH
