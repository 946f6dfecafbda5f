"""The chain map and its completeness: which segments have local firms, overall and by tier.

This module is the one place the numbers about a chain's completeness are defined. Every
command (``stats``, ``chain``, ``report``, ``impact``), both stores and the views count and
word them through it:

Vocabulary (:func:`segment_status`), from L(s) = the number of local firms *present* in
segment s (a local firm IN_SEGMENT s, or INVESTS_IN a project IN_SEGMENT s):

============  ==========  ==========================================================
status        中文        rule
============  ==========  ==========================================================
covered       已覆盖      L(s) >= 2
weak          薄弱        L(s) == 1 (one firm leaving opens a gap: 强链)
gap           缺口        L(s) == 0 (补链)
extension     延链        the segment is marked ``extension``: counted apart, never in
                          the segment count or the coverage
============  ==========  ==========================================================

*present* (有本地企业) is not a status but a count: covered + weak, the segments with at
least one local firm. ``segments`` always means the chain's core segments (extension ones
excluded); ``extension`` counts the others.

Shares: :func:`share` gives a ratio rounded once (4 decimals, what JSON carries) and
:func:`share_text` writes it for people with one decimal ("18.5%"); every page, table and
header that shows a share goes through them, so 5/27 reads 18.5% everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import overload

from ..model import ChainGraph, Row, Tier
from . import _context as C
from .status import COVERED as COVERED
from .status import COVERED_AT as COVERED_AT
from .status import EXTENSION as EXTENSION
from .status import GAP as GAP
from .status import SHARE_DIGITS as SHARE_DIGITS
from .status import STATUS_ZH as STATUS_ZH
from .status import STATUSES as STATUSES
from .status import WEAK as WEAK
from .status import round_share as round_share
from .status import segment_status as segment_status
from .status import share as share
from .status import share_text as share_text
from .status import status_zh as status_zh


def _firm_row(G: ChainGraph, f: str, via: dict[str, list[str]] | None = None) -> Row:
    attrs = C.attrs_of(G)[f]
    row: Row = {"id": f, "name": C.name_in(attrs, f)}
    if via is not None and f in via:
        row["via_project"] = [{"id": p, "name": C.name_of(G, p)} for p in via[f]]
    region = attrs.get("region")
    if region:
        row["region"] = str(region)
    return row


class FirmRows(Sequence[Row]):
    """The firm rows of one map segment, each made when it is read (:func:`_firm_row`): a
    report reads only the first few of a segment's 10^5 firms and how many there are, so
    it holds their ids, not a dict per firm. Equal to the list of the same rows."""

    __slots__ = ("_G", "_ids", "_via")

    def __init__(
        self, G: ChainGraph, ids: list[str], via: dict[str, list[str]] | None = None
    ) -> None:
        self._G, self._ids, self._via = G, ids, via

    def __len__(self) -> int:
        return len(self._ids)

    @overload
    def __getitem__(self, i: int) -> Row: ...
    @overload
    def __getitem__(self, i: slice) -> list[Row]: ...
    def __getitem__(self, i: int | slice) -> Row | list[Row]:
        if isinstance(i, slice):
            return [_firm_row(self._G, f, self._via) for f in self._ids[i]]
        return _firm_row(self._G, self._ids[i], self._via)

    def __iter__(self) -> Iterator[Row]:
        return (_firm_row(self._G, f, self._via) for f in self._ids)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FirmRows | list | tuple):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(list(self))


def _by_size(ctx: C.ChainContext, firms: list[str]) -> list[str]:
    # not memoised: every firm of every segment would stay in the memo until the chain ends
    weight = ctx.index.weight_once
    return sorted(firms, key=lambda f: (-round(weight(f), 9), f))


def map_rows(ctx: C.ChainContext, lazy: bool = False) -> list[Row]:
    """The rows of :func:`chain_map` for a built context; with ``lazy`` each segment's
    ``local_firms`` / ``external_firms`` are :class:`FirmRows` (made when read) instead of
    lists, for a report of 10^6 firms that shows few of them."""
    G = ctx.G
    rows = []
    for s in ctx.order:
        seg = ctx.segments[s]
        local, external = _by_size(ctx, seg.local), _by_size(ctx, seg.external)
        if lazy:
            local_rows: Sequence[Row] = FirmRows(G, local, seg.via_project)
            external_rows: Sequence[Row] = FirmRows(G, external)
        else:
            local_rows = [_firm_row(G, f, seg.via_project) for f in local]
            external_rows = [_firm_row(G, f) for f in external]
        rows.append(
            {
                "segment": s,
                "name": seg.name,
                "tier": seg.tier,
                "weight": seg.weight,
                "extension": seg.extension,
                "status": seg.status,
                "local_firms": local_rows,
                "external_firms": external_rows,
                "projects": [
                    {
                        "id": p,
                        "name": C.name_of(G, p),
                        "amount": C.amount_text(G, p),
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
    return map_rows(C.chain_context(G, chain_id))


@dataclass
class Coverage:
    """The completeness numbers of one chain, each defined once (see the module doc).

    ``segments`` counts the core segments (extension ones apart, in ``extension``);
    ``present`` = ``covered`` + ``weak``; ``ratio`` = present / segments and ``weighted`` the
    same by segment weight (both exact; :meth:`row` and :func:`share_text` round them);
    ``by_tier`` maps tier -> (present, segments). ``local_firms`` / ``external_firms`` /
    ``projects`` count distinct members of all the chain's segments, extension ones included
    (a local firm present only through a project it invests in counts).
    """

    chain: str
    segments: int
    present: int
    covered: int
    weak: int
    gap: int
    ratio: float
    weighted: float
    weights_given: bool
    by_tier: dict[str, tuple[int, int]] = field(default_factory=dict)
    extension: int = 0
    local_firms: int = 0
    external_firms: int = 0
    projects: int = 0

    @property
    def text(self) -> str:
        """E.g. '4 of 14 segments have a local firm (28.6%; 2 with two or more)'."""
        return (
            f"{self.present} of {self.segments} segments have a local firm "
            f"({share_text(self.ratio)}; {self.covered} with two or more)"
        )

    @property
    def text_zh(self) -> str:
        """The headline every page and header shows, e.g. '14 个环节中 4 个有本地企业(28.6%),
        其中 2 个有两家及以上;薄弱 2 个,缺口 10 个;另有延链环节 2 个' (one line)."""
        text = (
            f"{self.segments} 个环节中 {self.present} 个有本地企业({share_text(self.ratio)}),"
            f"其中 {self.covered} 个有两家及以上;薄弱 {self.weak} 个,缺口 {self.gap} 个"
        )
        if self.extension:
            text += f";另有延链环节 {self.extension} 个"
        return text

    def row(self) -> Row:
        """The chain's counts as one row (``stats`` and the stores use it): ``segments,
        extension, present, covered, weak, gap, coverage, local_firms, external_firms,
        projects``; ``coverage`` = :func:`round_share` of ``ratio``."""
        return {
            "segments": self.segments,
            "extension": self.extension,
            "present": self.present,
            "covered": self.covered,
            "weak": self.weak,
            "gap": self.gap,
            "coverage": round_share(self.ratio),
            "local_firms": self.local_firms,
            "external_firms": self.external_firms,
            "projects": self.projects,
        }

    def rows(self) -> list[Row]:
        """Overall, weighted and per-tier rows: ``scope, present, segments, ratio``."""
        out: list[Row] = [
            {
                "scope": "all",
                "present": self.present,
                "segments": self.segments,
                "ratio": round_share(self.ratio),
            },
        ]
        if self.weights_given:
            out.append(
                {
                    "scope": "weighted",
                    "present": None,
                    "segments": None,
                    "ratio": round_share(self.weighted),
                }
            )
        for tier, (p, n) in self.by_tier.items():
            out.append({"scope": tier, "present": p, "segments": n, "ratio": share(p, n)})
        return out


def summarise(
    chain_id: str, segments: Iterable[C.Segment], weights_given: bool | None = None
) -> Coverage:
    """The :class:`Coverage` of a chain from its segments' presence facts.

    Both stores call this: the embedded one with the segments of
    :func:`~chaingraph.analysis._context.chain_context`, the Neo4j one with segments it
    builds from one Cypher query. ``weights_given`` (default: any segment's weight is not 1)
    says whether a weighted coverage is worth showing.
    """
    segs = list(segments)
    core = [s for s in segs if not s.extension]
    present = [s for s in core if s.status != GAP]
    total_w = sum(s.weight for s in core)
    by_tier: dict[str, tuple[int, int]] = {}
    for tier in (*Tier, *sorted({s.tier for s in core} - set(Tier))):
        in_tier = [s for s in core if s.tier == tier]
        if in_tier:
            by_tier[str(tier)] = (sum(s.status != GAP for s in in_tier), len(in_tier))
    if weights_given is None:
        weights_given = any(s.weight != 1.0 for s in core)
    return Coverage(
        chain=chain_id,
        segments=len(core),
        present=len(present),
        covered=sum(s.status == COVERED for s in core),
        weak=sum(s.status == WEAK for s in core),
        gap=sum(s.status == GAP for s in core),
        ratio=len(present) / len(core) if core else 0.0,
        weighted=sum(s.weight for s in present) / total_w if total_w > 0 else 0.0,
        weights_given=weights_given,
        by_tier=by_tier,
        extension=len(segs) - len(core),
        local_firms=len({f for s in segs for f in s.local}),
        external_firms=len({f for s in segs for f in s.external}),
        projects=len({p for s in segs for p in s.projects}),
    )


def coverage_of(ctx: C.ChainContext) -> Coverage:
    """:func:`chain_coverage` for a built context."""
    given = any("weight" in ctx.G.nodes[s] for s in ctx.core)
    return summarise(ctx.chain_id, (ctx.segments[s] for s in ctx.order), given)


def chain_rows(G: ChainGraph, chain_ids: Sequence[str] | None = None) -> list[Row]:
    """``stats``' chain rows: ``chain, name`` and :meth:`Coverage.row` for each chain (all
    chains of G, sorted, unless ``chain_ids`` are given)."""
    ids = C.chains_of(G) if chain_ids is None else chain_ids
    index = C.GraphIndex(G)
    rows = []
    for cid in ids:
        ctx = C.chain_context(G, cid, index)
        rows.append({"chain": cid, "name": ctx.name} | coverage_of(ctx).row())
    return rows


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
    '1 of 2 segments have a local firm (50%; 0 with two or more)'

    """
    return coverage_of(C.chain_context(G, chain_id))
