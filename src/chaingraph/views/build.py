"""Graph -> view data: the nodes and edges a page draws, with positions, styles and details.

A :class:`View` is plain data (JSON-ready): :mod:`chaingraph.views.html` turns it into a page.
Colours and shapes come from one legend table, :data:`KIND_STYLE`, keyed by
:class:`chaingraph.model.Kind`. Node size follows the chain-leader score of firms.

Source nodes are not drawn: the documents appear as the quotes in each node's side panel.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from .. import jsontext
from ..analysis import check_chain, rank_targets, yuan
from ..analysis.coverage import chain_map
from ..errors import UnknownEntity
from ..model import TIER_LABEL_ZH, TIER_ORDER, ChainGraph, Grade, Kind, Rel, node_grade
from ..query import chain_segments
from .layout import Pos, force_layout, tiered_layout

Record = dict[str, Any]
_KINDS = frozenset(k.value for k in Kind)


@dataclass(frozen=True)
class KindStyle:
    """How one node kind is drawn and named in the legend."""

    color: str
    border: str
    shape: str  # a vis-network shape whose size is set by ``size``
    label_zh: str
    base_size: float


#: The legend: one colour and shape per node kind.
KIND_STYLE: dict[Kind, KindStyle] = {
    Kind.ZONE: KindStyle("#8d6e63", "#4e342e", "hexagon", "开发区", 30),
    Kind.PARK: KindStyle("#a1887f", "#5d4037", "triangle", "园区", 22),
    Kind.PLATFORM: KindStyle("#ffb300", "#e65100", "star", "平台", 28),
    Kind.CHAIN: KindStyle("#e53935", "#8e0000", "diamond", "产业链", 30),
    Kind.SEGMENT: KindStyle("#42a5f5", "#0d47a1", "square", "环节", 18),
    Kind.FIRM: KindStyle("#43a047", "#1b5e20", "dot", "企业", 10),
    Kind.PROJECT: KindStyle("#ab47bc", "#4a148c", "triangleDown", "项目", 14),
    Kind.SOURCE: KindStyle("#90a4ae", "#37474f", "square", "来源", 10),
    Kind.AWARD: KindStyle("#fdd835", "#f57f17", "star", "荣誉", 12),
    Kind.PLACE: KindStyle("#bcaaa4", "#6d4c41", "triangle", "地点", 12),
}

GRADE_ZH: dict[str, str] = {
    Grade.SOURCED: "有来源",
    Grade.TEMPLATE: "模板知识",
    Grade.INFERRED: "推断",
}

REL_ZH: dict[str, str] = {
    Rel.FEEDS: "供给",
    Rel.HAS_SEGMENT: "包含环节",
    Rel.IN_SEGMENT: "所属环节",
    Rel.SUPPLIES: "供货",
    Rel.LEADS: "链主/龙头",
    Rel.LOCATED_IN: "位于",
    Rel.HOSTS: "承载",
    Rel.INVESTS_IN: "投资",
    Rel.ATTRACTED: "以商引商",
    Rel.AFFILIATED_WITH: "隶属",
    Rel.RECEIVED: "获评",
    Rel.RECOGNISES: "表彰",
    Rel.BUILDS: "建设",
    Rel.CONNECTS: "连接",
}

FIELD_ZH: dict[str, str] = {
    "id": "编号",
    "name_en": "英文名",
    "aliases": "别名",
    "description": "简介",
    "grade": "可信度",
    "note": "备注",
    "level": "级别",
    "region": "地区",
    "awards": "荣誉",
    "services": "服务机构与改革",
    "promotion_methods": "招商方式",
    "target_sectors": "招商方向",
    "awarded_by": "授予单位",
    "year": "年份",
    "place_type": "地点类型",
    "landed_text": "落地时间(原文)",
    "milestone": "进展节点",
    "platform_type": "平台类型",
    "area_mu": "面积(亩)",
    "sector": "领域",
    "tier": "层级",
    "weight": "权重",
    "products": "产品",
    "extension": "延链环节",
    "local": "本地企业",
    "credit_code": "统一社会信用代码",
    "above_size": "规上企业",
    "output_cny": "年产值",
    "employees": "员工数",
    "chairman": "董事长",
    "amount_cny": "投资额",
    "amount_text": "投资额(原文)",
    "signed": "签约时间",
    "status": "状态",
    "phase": "期次",
    "title": "标题",
    "authors": "作者",
    "publisher": "发布者",
    "published": "发布时间",
    "url": "网址",
    "product": "产品",
    "share": "份额",
    "members": "并入的企业/项目",
    "members_count": "并入数量",
    "count": "汇总关系数",
    "leader_score": "链主得分",
    "full_name": "全称",
    "stock_code": "股票代码",
    "exchange": "交易所",
    "listed_on": "上市日期",
    "sw_l1": "申万一级行业",
    "sw_l2": "申万二级行业",
    "sw_l3": "申万三级行业",
    "business_scope": "经营范围",
    "address": "地址",
    "division_code": "行政区划代码",
    "keywords": "关键词",
    "sw_industries": "申万行业",
    "output_text": "产值(原文)",
}

#: node attributes never shown as rows in the side panel (shown elsewhere, or too large)
_HIDDEN = frozenset(
    {"kind", "name", "sources", "figures", "text", "text_file", "rel", "member_ids"}
)
_MONEY = frozenset({"amount_cny", "output_cny"})
#: keys whose text values are shown with more than the value (see _text)
_KEYED_TEXT = frozenset({"tier", "grade"})

#: above this many firms and projects a view folds the rest into groups (see graph_view)
AGGREGATE_OVER = 5000
#: the kind and grade of a view-only group node ("其余 N 家": members not drawn one by one)
GROUP = "Group"
GROUP_GRADE = "group"
#: a chain view draws at most this many members beside a segment; the rest are folded
PER_SEGMENT = 25
#: ranked 招商 candidates drawn beside each gap or weak segment of the gaps view
CANDIDATES_PER_SEGMENT = 5
#: above this many edges the page draws straight edges and hides edge labels
LARGE_EDGES = 1500


@dataclass
class View:
    """Everything a page shows, as JSON-ready data (see :meth:`to_dict`)."""

    title: str
    subtitle: str = ""
    view_kind: str = "graph"
    nodes: list[Record] = field(default_factory=list)
    edges: list[Record] = field(default_factory=list)
    chains: list[Record] = field(default_factory=list)
    notice: str = ""
    size_by: str = ""
    focus: str | None = None
    omitted: int = 0  # Source nodes not drawn
    report_href: str = ""  # link back to the report page, relative to the view's file
    members: list[Record] = field(default_factory=list)  # firms folded into a group node
    tiers: list[Record] = field(default_factory=list)  # column headings: label, x, y

    def to_dict(self) -> dict[str, Any]:
        """The data the page script reads."""
        kinds_present = {n["kind"] for n in self.nodes}
        counts: dict[str, int] = defaultdict(int)
        for n in self.nodes:
            counts[n["kind"]] += 1
        legend = [
            {
                "kind": k.value,
                "label": s.label_zh,
                "color": s.color,
                "border": s.border,
                "shape": s.shape,
                "count": counts[k.value],
            }
            for k, s in KIND_STYLE.items()
            if k.value in kinds_present
        ]
        if GROUP in kinds_present:
            more = styles()["more"]
            legend.append(
                {
                    "kind": GROUP,
                    "label": "其余企业(汇总)",
                    "color": more["bg"],
                    "border": more["border"],
                    "shape": more["shape"],
                    "count": counts[GROUP],
                }
            )
        large = len(self.edges) > LARGE_EDGES or len(self.nodes) > LARGE_EDGES
        return {
            "title": self.title,
            "subtitle": self.subtitle,
            "viewKind": self.view_kind,
            "notice": self.notice,
            "sizeBy": self.size_by,
            "focus": self.focus,
            "omitted": self.omitted,
            "reportHref": self.report_href,
            "members": self.members,
            "kindLabels": {k.value: st.label_zh for k, st in KIND_STYLE.items()},
            "tiers": self.tiers,
            "legend": legend,
            "marks": _marks(self.nodes),
            "grades": [{"grade": g.value, "label": GRADE_ZH[g]} for g in Grade],
            "chains": self.chains,
            "large": large,
            "flow": self.view_kind in ("chain", "gaps"),
            "nodes": self.nodes,
            "edges": self.edges,
        }


def _marks(nodes: list[Record]) -> list[Record]:
    """Legend rows for the special marks that occur in the view."""
    present = {n.get("flag") for n in nodes} | {n.get("style") for n in nodes}
    rows = [
        ("external", "外地企业(空心)", "dot", "#ffffff", KIND_STYLE[Kind.FIRM].border, False),
        ("candidate", "招商候选(按产品或行业推断归入, 虚线)", "dot", "#fff8e1", "#f9a825", True),
        ("gap", "缺口环节(虚线, 无本地企业)", "square", "#ffffff", "#d32f2f", True),
        ("weak", "薄弱环节(仅一家本地企业)", "square", "#ffe0b2", "#ef6c00", False),
        ("ext", "延链环节", "square", "#e3f2fd", "#1565c0", True),
        ("agg", "汇总节点(企业并入环节)", "square", "#bbdefb", "#0d47a1", False),
    ]
    return [
        {"key": k, "label": label, "shape": shape, "color": bg, "border": bd, "dashes": dashes}
        for k, label, shape, bg, bd, dashes in rows
        if k in present
    ]


Adjacency = dict[str, dict[str, dict[str, dict[str, Any]]]]


def _adjacency(G: ChainGraph) -> tuple[Adjacency, Adjacency]:
    """(successor, predecessor) dicts to read G's edges from: for a node-induced subgraph
    view, the whole graph's plain dicts (the caller keeps only neighbours ``in G``; every
    edge between two nodes of such a view is in it), else G's own. networkx's filtered
    views cost a function call per neighbour and edge."""
    import networkx as nx

    root = getattr(G, "_graph", None)
    if root is not None and getattr(G, "_EDGE_OK", None) is nx.filters.no_filter:
        G = root
    return G._succ, G._pred  # type: ignore[attr-defined]


def _node_dicts(G: ChainGraph) -> dict[str, dict[str, Any]]:
    """The attribute dict of each node, for nodes known to be in G: a subgraph view's are
    its root graph's (read without the view's filter on every lookup)."""
    while getattr(G, "_graph", None) is not None:
        G = G._graph  # type: ignore[attr-defined]
    node: dict[str, dict[str, Any]] = G._node  # type: ignore[attr-defined]
    return node


def _kinds(G: ChainGraph) -> Iterator[tuple[str, str]]:
    """(node, kind) pairs."""
    for n, attrs in G.nodes(data=True):
        yield n, str(attrs.get("kind", ""))


# --- leader score ---------------------------------------------------------------------------


class Scored(NamedTuple):
    """Firm scores for a view: ``size`` in [0, 1] for node size, ``raw`` on the report's
    0-100 scale for the side panel, and the legend note."""

    size: dict[str, float]
    note: str
    raw: dict[str, float]


def leader_scores(G: ChainGraph) -> Scored:
    """Chain-leader scores of G's firms (:func:`chaingraph.analysis.leaders.leader_scores`,
    the score the report prints), and the same divided by the best for node size.

    >>> import networkx as nx
    >>> leader_scores(nx.MultiDiGraph()).raw
    {}
    """
    from ..analysis.leaders import leader_scores as best_scores

    raw = {k: float(v) for k, v in best_scores(G).items() if k in G}
    top = max(raw.values(), default=0.0)
    size = {k: (v / top if top > 0 else 0.0) for k, v in raw.items()}
    return Scored(size, "节点大小: 链主得分 (与报告同一口径, 0-100)", raw)


def score_text(value: float) -> str:
    """A leader score as the report writes it: at most two decimals, no trailing zeros.

    >>> score_text(65.0), score_text(12.345)
    ('65', '12.35')
    """
    text = f"{value:,.2f}"
    return text.rstrip("0").rstrip(".")


@dataclass
class ChainFacts:
    """What the analysis knows of one chain, computed once and shared by the chain's views
    (and by the report, which passes its own): the chain map, the 招商目标, the leader
    table and the coverage sentence."""

    map: list[Record]
    targets: list[Record]
    leaders: list[Record]
    coverage: str

    @property
    def status(self) -> dict[str, str]:
        """Segment -> status, the library's one definition (``chain_map``)."""
        return {str(r["segment"]): str(r["status"]) for r in self.map}

    def scored(self) -> Scored:
        """The chain's leader scores (the report's 0-100) for node size and the panel."""
        raw = {str(r["firm"]): float(r["score"]) for r in self.leaders}
        top = max(raw.values(), default=0.0)
        size = {k: (v / top if top > 0 else 0.0) for k, v in raw.items()}
        return Scored(size, "节点大小: 本链链主得分 (与报告同一口径, 0-100)", raw)


def chain_facts(G: ChainGraph, chain_id: str, targets: bool = True) -> ChainFacts:
    """:class:`ChainFacts` of a chain from one analysis context, as the report computes them
    (raises UnknownEntity). Without ``targets`` the 招商目标 are left empty (the chain view
    draws none, and ranking every outside firm is the costly part)."""
    from ..analysis import chain_context
    from ..analysis.coverage import coverage_of, map_rows
    from ..analysis.leaders import leaders_of
    from ..analysis.targets import targets_of

    ctx = chain_context(G, chain_id)
    board = leaders_of(ctx)
    ranked = targets_of(ctx, board) if targets else []
    return ChainFacts(map_rows(ctx), ranked, board.rows, coverage_of(ctx).text_zh)


def _quoted_sources(G: ChainGraph, H: ChainGraph) -> int:
    """How many Source nodes of G the nodes and edges of H quote (not drawn: their quotes
    are in the side panel)."""
    from ..query import cited_sources

    node = G.nodes
    return sum(1 for s in cited_sources(H) if s in G and node[s].get("kind") == Kind.SOURCE)


# --- segment status -------------------------------------------------------------------------


def segment_status(G: ChainGraph, chain_id: str) -> dict[str, str]:
    """``{segment: 'covered' | 'weak' | 'gap'}`` for a chain's segments (by local firms).

    The status :func:`chaingraph.analysis.coverage.chain_map` gives (0 local firms gap, 1
    weak, 2+ covered).

    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("c", kind="Chain", name="链")
    >>> G.add_node("s", kind="Segment", name="环节", tier="upstream")
    >>> _ = G.add_edge("c", "s", key="HAS_SEGMENT")
    >>> segment_status(G, "c")
    {'s': 'gap'}
    """
    return {str(r["segment"]): str(r["status"]) for r in chain_map(G, chain_id)}


# --- text helpers ---------------------------------------------------------------------------


def _text(key: str, value: Any) -> str:
    """One attribute value as display text."""
    if type(value) is str and key not in _KEYED_TEXT:  # most values: plain text, as it is
        return value
    if isinstance(value, bool):
        return "是" if value else "否"
    if key in _MONEY and isinstance(value, int | float):
        return yuan(float(value))
    if key == "tier" and isinstance(value, str):
        return f"{TIER_LABEL_ZH.get(value, value)} ({value})"
    if key == "grade" and isinstance(value, str):
        return f"{GRADE_ZH.get(value, value)} ({value})"
    if isinstance(value, list | tuple):
        return "、".join(_text(key, v) for v in value)
    if isinstance(value, dict):
        return jsontext.dumps(value)
    return str(value)


_FIELD_ORDER = {k: i for i, k in enumerate(FIELD_ZH)}
_QUALIFIER_ZH = {"exact": "", "over": "超", "about": "约", "at_least": "至少", "up_to": "至多"}


#: the rows a set of attribute keys gives (nodes of a kind share theirs), without the keys
#: skipped: (keys, skip) -> [(key, label)] in display order
_ROW_PLAN: dict[tuple[tuple[str, ...], frozenset[str]], list[tuple[str, str]]] = {}


def _row_plan(keys: tuple[str, ...], skip: frozenset[str]) -> list[tuple[str, str]]:
    plan = _ROW_PLAN.get((keys, skip))
    if plan is None:
        order = sorted(keys, key=lambda k: (_FIELD_ORDER.get(k, len(_FIELD_ORDER)), k))
        plan = [(k, FIELD_ZH.get(k, k)) for k in order if k not in skip]
        if len(_ROW_PLAN) < 4096:
            _ROW_PLAN[(keys, skip)] = plan
    return plan


def _rows(attrs: dict[str, Any], skip: frozenset[str] = _HIDDEN) -> list[list[str]]:
    """Side-panel rows ``[label, value]`` for the attributes of a node or edge."""
    rows = []
    for key, label in _row_plan(tuple(attrs), skip):
        value = attrs[key]
        if type(value) is str:  # most values: plain text, shown as it is
            if not value:
                continue
            if key not in _KEYED_TEXT:
                rows.append([label, value])
                continue
        elif value is None or value == []:
            continue
        rows.append([label, _text(key, value)])
    for fig in attrs.get("figures") or ():
        if not isinstance(fig, dict):
            continue
        value = fig.get("value")
        unit = str(fig.get("unit") or "")
        if unit == "元" and isinstance(value, int | float):
            number = yuan(float(value))
        else:
            number = f"{value}{unit}"
        qualifier = _QUALIFIER_ZH.get(str(fig.get("qualifier") or "exact"), "")
        label = str(fig.get("label") or fig.get("key") or "数据")
        year = f"{fig['year']}年" if fig.get("year") else ""
        suffix = f" ({year})" if year and year not in label else ""
        rows.append([label, f"{qualifier}{number}{suffix}"])
    return rows


def _sources(G: ChainGraph, attrs: dict[str, Any]) -> list[list[str]]:
    """``[source title or id, quote]`` for each citation, figures' citations included."""
    out: list[list[str]] = []
    cites = list(attrs.get("sources") or [])
    for fig in attrs.get("figures") or ():
        if isinstance(fig, dict):
            cites.extend(fig.get("sources") or [])
    for c in cites:
        if not isinstance(c, dict):
            continue
        sid = str(c.get("source", ""))
        title = sid
        if sid in G and G.nodes[sid].get("title"):
            title = str(G.nodes[sid]["title"])
        pair = [title, str(c.get("quote", ""))]
        if pair not in out:
            out.append(pair)
    return out


def _alt_names(attrs: dict[str, Any]) -> list[str]:
    """Names beside id and name that search matches: name_en and aliases."""
    names = [str(attrs["name_en"])] if attrs.get("name_en") else []
    names.extend(str(a) for a in attrs.get("aliases") or ())
    return [n for n in names if n]


class Panels:
    """The side-panel parts of nodes — rows, other names, quotes — each built once per
    attribute dict and shared by every view that draws or lists the node: a chain's chain
    and gaps views, the search entries of folded firms, and (in a report) the other chains'
    views, which draw many of the same firms. Source titles are read from ``G``, the graph
    the views are cut from.

    Keyed by the attribute dict itself (held, so its id is never reused): a view's graph
    shares its nodes' dicts with the graph it was cut from (:func:`induced_copy`), and a
    node a view makes up (a 其余 N 家 group) has a dict of its own.
    """

    def __init__(self, G: ChainGraph) -> None:
        self.graph = G
        self._parts: dict[int, tuple[dict[str, Any], list[list[str]], list[str], list[list[str]]]]
        self._parts = {}

    def of(self, attrs: dict[str, Any]) -> tuple[list[list[str]], list[str], list[list[str]]]:
        """(rows, other names, quotes) of a node; the lists are shared: copy rows before
        adding to them."""
        got = self._parts.get(id(attrs))
        if got is None or got[0] is not attrs:
            got = (attrs, _rows(attrs), _alt_names(attrs), _sources(self.graph, attrs))
            self._parts[id(attrs)] = got
        return got[1], got[2], got[3]


# --- node and edge records ------------------------------------------------------------------


def _node_style(attrs: dict[str, Any], flag: str | None) -> str:
    kind = str(attrs.get("kind", ""))
    if flag == "more":
        return "more"
    if kind == Kind.FIRM and flag == "candidate":
        return "candidate"
    if kind == Kind.FIRM and not attrs.get("local") and flag != "agg":
        return "external"
    if kind == Kind.SEGMENT and flag in ("gap", "weak", "ext", "agg"):
        return flag
    return kind if kind in _KINDS else "Other"


def styles() -> dict[str, Record]:
    """Node styles by name: one per kind, plus the marks (external firm, gap, weak, ...)."""
    out: dict[str, Record] = {}
    for k, s in KIND_STYLE.items():
        out[k.value] = {"shape": s.shape, "bg": s.color, "border": s.border, "dashes": False}
    firm = KIND_STYLE[Kind.FIRM]
    seg = KIND_STYLE[Kind.SEGMENT]
    out["external"] = {"shape": firm.shape, "bg": "#ffffff", "border": firm.border, "dashes": False}
    out["candidate"] = {"shape": firm.shape, "bg": "#fff8e1", "border": "#f9a825", "dashes": True}
    out["gap"] = {"shape": seg.shape, "bg": "#ffffff", "border": "#d32f2f", "dashes": True}
    out["weak"] = {"shape": seg.shape, "bg": "#ffe0b2", "border": "#ef6c00", "dashes": False}
    out["ext"] = {"shape": seg.shape, "bg": "#e3f2fd", "border": "#1565c0", "dashes": True}
    out["agg"] = {"shape": seg.shape, "bg": "#bbdefb", "border": "#0d47a1", "dashes": False}
    out["more"] = {"shape": "dot", "bg": "#eceff1", "border": "#607d8b", "dashes": True}
    out["Other"] = {"shape": "dot", "bg": "#cfd8dc", "border": "#455a64", "dashes": False}
    return out


_FLAG_SUFFIX = {"gap": "【缺口】", "weak": "【薄弱】", "ext": "【延链】"}


def node_size(kind: str, score: float | None) -> float:
    """Drawn size: the kind's base size; a firm grows with the square root of its score."""
    style = KIND_STYLE.get(Kind(kind)) if kind in _KINDS else None
    base = style.base_size if style else 16.0 if kind == GROUP else 10.0
    if kind == Kind.FIRM and score is not None:
        return base + 22.0 * math.sqrt(max(score, 0.0))
    return base


def _sizes(G: ChainGraph, scores: dict[str, float]) -> dict[str, float]:
    return {n: node_size(str(k), scores.get(n)) for n, k in _kinds(G)}


def _node_record(
    n: str,
    attrs: dict[str, Any],
    pos: Pos,
    scored: Scored,
    chain_index: dict[str, int],
    chains_of: dict[str, set[str]],
    panels: Panels,
    flag: str | None = None,
) -> Record:
    kind = str(attrs.get("kind", ""))
    score = scored.size.get(n)
    size = node_size(kind, score)
    name = str(attrs.get("name") or n)
    label = name + ("\n" + _FLAG_SUFFIX[flag] if flag in _FLAG_SUFFIX else "")
    rows, alt, src = panels.of(attrs)
    info = list(rows)  # the page adds kind and id rows itself; views add their own
    if n in scored.raw:
        info.append(["链主得分", score_text(scored.raw[n])])
    x, y = pos.get(n, (0.0, 0.0))
    chains = chains_of.get(n)
    return {
        "id": n,
        "label": label,
        "name": name,
        "kind": kind,
        "grade": node_grade(attrs),
        "style": _node_style(attrs, flag),
        "flag": flag,
        "x": round(x, 1),
        "y": round(y, 1),
        "size": round(size, 1),
        "chains": sorted(chain_index[c] for c in chains if c in chain_index) if chains else [],
        "alt": alt,
        "info": info,
        "src": src,
    }


#: edge attributes shown elsewhere than in the edge's rows (the label carries the product)
_EDGE_SHOWN = frozenset({"rel", "grade", "sources", "product", "count"})


def _edge_label(rel: str, product: Any, count: Any) -> str:
    label = REL_ZH.get(rel, rel)
    if product:
        label += f": {product}"
    if isinstance(count, int) and count > 1:
        label += f" ×{count}"
    return label


def _edge_record(G: ChainGraph, u: str, v: str, key: str, data: dict[str, Any]) -> Record:
    rel = str(data.get("rel") or key)
    label = _edge_label(rel, data.get("product"), data.get("count"))
    grade = node_grade(data)
    if data.keys() <= _EDGE_SHOWN:  # most edges: no rows of their own
        info: list[list[str]] = []
    else:
        info = _rows({k: val for k, val in data.items() if k not in _EDGE_SHOWN}, frozenset())
    cited = "sources" in data or "figures" in data
    return {
        "from": u,
        "to": v,
        "rel": rel,
        "grade": grade,
        "label": label,
        "dashes": grade == Grade.INFERRED,
        "info": info,
        "src": _sources(G, data) if cited else [],
    }


def _chain_membership(G: ChainGraph, nodes: Iterable[str]) -> dict[str, set[str]]:
    """Chains each node belongs to: a chain itself, a segment's chains, a member's segments'
    chains; any other node takes the chains of its neighbours."""
    found: dict[str, set[str]] = defaultdict(set)
    for c, kind in _kinds(G):
        if kind != Kind.CHAIN:
            continue
        found[c].add(c)
        for _, s, key in G.out_edges(c, keys=True):
            if key != Rel.HAS_SEGMENT:
                continue
            found[s].add(c)
            for m, _, k2 in G.in_edges(s, keys=True):
                if k2 == Rel.IN_SEGMENT:
                    found[m].add(c)
    rest = [n for n in nodes if not found.get(n)]
    succ, pred = G._succ, G._pred  # type: ignore[attr-defined]
    for n in rest:
        near: set[str] = set()
        for m in (*pred[n], *succ[n]):
            near |= found.get(m, set())
        if near:
            found[n] = near
    return found


def _records(
    G: ChainGraph,
    pos: Pos,
    flags: dict[str, str] | None = None,
    scored: Scored | None = None,
    panels: Panels | None = None,
) -> tuple[list[Record], list[Record], list[Record], str, int]:
    """Node, edge and chain records of every drawable node of G (Source nodes left out),
    nodes by id, edges by (from, to, key)."""
    flags = flags or {}
    attrs_of = G.nodes
    drawn = sorted(n for n, k in _kinds(G) if k != Kind.SOURCE)
    drawn_set = set(drawn)
    chain_ids = sorted(n for n in drawn if attrs_of[n].get("kind") == Kind.CHAIN)
    chain_index = {c: i for i, c in enumerate(chain_ids)}
    chains = [{"id": c, "name": str(attrs_of[c].get("name") or c)} for c in chain_ids]
    membership = _chain_membership(G, drawn)
    if scored is None:
        scored = leader_scores(G)
    if panels is None:
        panels = Panels(G)
    nodes = [
        _node_record(n, attrs_of[n], pos, scored, chain_index, membership, panels, flags.get(n))
        for n in drawn
    ]
    # G's edges from its adjacency dicts (every edge between two drawn nodes of a
    # node-induced view is in it), in (from, to, key) order, without networkx's edge views
    succ = _adjacency(G)[0]
    edges = []
    for u in drawn:
        out = succ[u]
        for v in sorted(v for v in out if v in drawn_set):
            keyed = out[v]
            for k in sorted(keyed) if len(keyed) > 1 else keyed:
                edges.append(_edge_record(panels.graph, u, v, str(k), keyed[k]))
    omitted = len(G) - len(drawn)
    return nodes, edges, chains, scored.note, omitted


def member_records(source: ChainGraph, H: ChainGraph, panels: Panels | None = None) -> list[Record]:
    """Search entries for the firms and projects folded into H's group nodes: id, name,
    other names, kind, the group that holds them and their side-panel rows (from source)."""
    out: list[Record] = []
    if panels is None:
        panels = Panels(source)
    node = source.nodes
    for g, attrs in H.nodes(data=True):
        for m in attrs.get("member_ids") or ():
            if m not in source:
                continue
            mattrs = node[m]
            rows, alt, _ = panels.of(mattrs)
            out.append(
                {
                    "id": m,
                    "name": str(mattrs.get("name") or m),
                    "alt": alt,
                    "kind": str(mattrs.get("kind", "")),
                    "grade": node_grade(mattrs),
                    "group": g,
                    "info": rows,
                }
            )
    return out


def tier_headings(G: ChainGraph, pos: Pos, segments: Iterable[str]) -> list[Record]:
    """上游 / 中游 / 下游 headings over the laid-out segment columns: ``label, x, y``.

    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("a", kind="Segment", tier="upstream")
    >>> G.add_node("b", kind="Segment", tier="downstream")
    >>> tier_headings(G, {"a": (0.0, 0.0), "b": (500.0, 40.0)}, ["a", "b"])
    [{'label': '上游', 'x': 0.0, 'y': -110.0}, {'label': '下游', 'x': 500.0, 'y': -110.0}]
    """
    xs: dict[str, list[float]] = defaultdict(list)
    top = math.inf
    for s in segments:
        if s in pos and s in G:
            xs[str(G.nodes[s].get("tier") or "")].append(pos[s][0])
            top = min(top, pos[s][1])
    order = sorted(xs, key=lambda t: (TIER_ORDER.get(t, 9), t))
    return [
        {
            "label": TIER_LABEL_ZH.get(t, t or "其他"),
            "x": round((min(xs[t]) + max(xs[t])) / 2, 1),
            "y": round(top - 110.0, 1),
        }
        for t in order
    ]


def _fold_notice(shown: int, folded: int, per_segment: int) -> str:
    return (
        f"每个环节最多画出 {per_segment} 家企业/项目(本地优先, 再按链主得分), 其余 {folded} 家"
        "并入灰色虚线的「其余 N 家」节点: 点击该节点可看名单; 在左侧搜索框输入名称可找到"
        f"每一家(包括未画出的)。图中画出 {shown} 家。"
    )


# --- views ----------------------------------------------------------------------------------


def _chain_flags(
    G: ChainGraph, chain_id: str, status: dict[str, str] | None = None
) -> tuple[dict[str, str], list[str]]:
    """Flags of the chain's segments (gap/weak/ext) and the segments to lay out in columns."""
    flags: dict[str, str] = {}
    own = chain_segments(G, chain_id)
    if status is None:
        status = segment_status(G, chain_id)
    for s in own:
        if G.nodes[s].get("extension"):
            flags[s] = "ext"
        elif status.get(s) in ("gap", "weak"):
            flags[s] = status[s]
    columns = set(own)
    S, P = _adjacency(G)
    for s in own:
        for v, keys in S[s].items():
            if Rel.FEEDS in keys and v not in columns and v in G:
                columns.add(v)
                flags.setdefault(v, "ext")
        for u, keys in P[s].items():
            if Rel.FEEDS in keys and u not in columns and u in G:
                columns.add(u)
                flags.setdefault(u, "ext")
    return flags, sorted(columns)


def chain_view(
    G: ChainGraph,
    chain_id: str,
    per_segment: int = PER_SEGMENT,
    facts: ChainFacts | None = None,
    panels: Panels | None = None,
) -> View:
    """The view of one chain: segments by tier left to right, firms beside their segments.

    Gap segments (no local firm) are drawn dashed and labelled 【缺口】, weak ones (a single
    local firm) orange with 【薄弱】, neighbouring segments outside the chain 【延链】.

    Parameters
    ----------
    G : ChainGraph
        A graph holding the chain (the whole graph or ``store.chain_graph(chain_id)``).
    chain_id : str
        Id of a Chain node.
    per_segment : int
        At most this many firms and projects are drawn beside a segment (local ones first,
        then by leader score and size); the rest become one "其余 N 家" node (see
        :func:`cap_members`).

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("c", kind="Chain", name="电池")
    >>> G.add_node("s", kind="Segment", name="电芯", tier="midstream", grade="template")
    >>> _ = G.add_edge("c", "s", key="HAS_SEGMENT", rel="HAS_SEGMENT")
    >>> v = chain_view(G, "c")
    >>> [(n["id"], n["flag"]) for n in v.nodes]
    [('c', None), ('s', 'gap')]
    """
    check_chain(G, chain_id)
    from ..query import chain_node_ids

    if facts is None:  # the report's numbers of the chain, by the report's own path
        facts = chain_facts(G, chain_id, targets=False)
    keep = chain_node_ids(G, chain_id)
    H = G.subgraph(keep)  # Sources stay out: the quotes' titles are read from G (Panels)
    flags, columns = _chain_flags(H, chain_id, facts.status)
    scored = facts.scored()
    plan = _fold_plan(H, columns, scored[0], per_segment)
    if plan:  # firms linked only to folded members lose their place in the picture
        alive = keep - {m for rest in plan.values() for m in rest}
        lonely = {
            n
            for n in alive
            if G.nodes[n].get("kind") in (Kind.FIRM, Kind.PROJECT)
            and not any(m in alive and m != n for m in (*G._succ[n], *G._pred[n]))  # type: ignore[attr-defined]
        }
        H, more = _apply_fold(G.subgraph(alive - lonely), G, plan)  # one copy of what is drawn
        flags.update(more)
    pos = tiered_layout(H, columns, _sizes(H, scored[0]))
    panels = panels if panels is not None else Panels(G)
    nodes, edges, chains, size_by, _ = _records(H, pos, flags, scored, panels)
    members = member_records(G, H, panels)
    drawn_members = sum(1 for n in nodes if n["kind"] in (Kind.FIRM, Kind.PROJECT))
    notice = _fold_notice(drawn_members, len(members), per_segment) if members else ""
    name = str(G.nodes[chain_id].get("name") or chain_id)
    subtitle = f"{facts.coverage};上游在左,下游在右"
    omitted = _quoted_sources(G, H)
    return View(
        title=f"{name} · 产业链图",
        subtitle=subtitle,
        view_kind="chain",
        nodes=nodes,
        edges=edges,
        chains=chains,
        size_by=size_by,
        focus=chain_id,
        omitted=omitted,
        notice=notice,
        members=members,
        tiers=tier_headings(H, pos, columns),
    )


def induced_copy(G: ChainGraph, nodes: Iterable[str]) -> ChainGraph:
    """A new graph of the given nodes of G and the edges among them, read straight from G's
    adjacency (much faster than copying a subgraph view). The node and edge attribute dicts
    are G's own, shared as a subgraph view shares them: a view reads them, never changes
    them, and side-panel rows built for a node are found again by its dict (:class:`Panels`).

    >>> import networkx as nx
    >>> G = nx.MultiDiGraph([("a", "b"), ("b", "c")])
    >>> H = induced_copy(G, ["a", "b"])
    >>> sorted(H.edges()), H.nodes["a"] is G.nodes["a"]
    ([('a', 'b')], True)
    """
    import networkx as nx

    keep = {n for n in nodes if n in G}
    H: ChainGraph = nx.MultiDiGraph()
    H.graph.update(G.graph)
    node, succ, pred = H._node, H._succ, H._pred  # type: ignore[attr-defined]
    g_node, g_succ = G._node, G._succ  # type: ignore[attr-defined]
    for n in keep:
        node[n] = g_node[n]
        succ[n] = {}
        pred[n] = {}
    # straight into H's adjacency dicts (node -> neighbour -> key -> attrs, one key dict
    # shared by both directions as add_edge makes): add_edge per edge costs most of a
    # view's copy at 10^4 firms
    for u in keep:
        out = succ[u]
        for v, kd in g_succ[u].items():
            if v in keep:
                out[v] = pred[v][u] = dict(kd)
    return H


def cap_members(
    G: ChainGraph, segments: Iterable[str], scores: dict[str, float], per_segment: int
) -> tuple[ChainGraph, dict[str, str]]:
    """Keep at most ``per_segment`` firms/projects per segment; fold the rest into one node.

    Members are ranked local first, then by leader score, output_cny and id. A segment with
    more members keeps the first ``per_segment - 1`` and gets a node ``more:SEGMENT`` (flag
    ``'more'``) listing the others; their edges are not drawn. Returns the (possibly new)
    graph and the flags of the added nodes.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("s", kind="Segment", name="电芯", tier="midstream")
    >>> for i in range(4):
    ...     G.add_node(f"f{i}", kind="Firm", name=f"厂{i}", local=i == 3)
    ...     _ = G.add_edge(f"f{i}", "s", key="IN_SEGMENT", rel="IN_SEGMENT")
    >>> H, flags = cap_members(G, ["s"], {}, 3)
    >>> sorted(H), flags
    (['f0', 'f3', 'more:s', 's'], {'more:s': 'more'})
    """
    plan = _fold_plan(G, segments, scores, per_segment)
    return _apply_fold(G, G, plan)


def _fold_plan(
    G: ChainGraph, segments: Iterable[str], scores: dict[str, float], per_segment: int
) -> dict[str, list[str]]:
    """``{segment: members not drawn}`` for segments with more than per_segment members."""
    plan: dict[str, list[str]] = {}
    taken: set[str] = set()

    node = _node_dicts(G)

    def rank(m: str) -> tuple[bool, float, float, str]:
        attrs = node[m]
        out = attrs.get("output_cny")
        size = float(out) if isinstance(out, int | float) else 0.0
        return (not attrs.get("local"), -scores.get(m, 0.0), -size, m)

    P = _adjacency(G)[1]
    for seg in sorted(set(segments)):
        if seg not in G:
            continue
        members = [
            u for u, keys in P[seg].items() if Rel.IN_SEGMENT in keys and u not in taken and u in G
        ]
        members.sort(key=rank)
        shown = members if len(members) <= per_segment else members[: per_segment - 1]
        taken.update(shown)
        if len(members) > per_segment:
            plan[seg] = members[per_segment - 1 :]
    drawn_elsewhere = taken
    return {seg: [m for m in rest if m not in drawn_elsewhere] for seg, rest in plan.items()}


def _apply_fold(
    G: ChainGraph, names_from: ChainGraph, plan: dict[str, list[str]]
) -> tuple[ChainGraph, dict[str, str]]:
    """G without the planned members, plus one ``more:SEGMENT`` node per folded segment."""

    if not plan:
        return G, {}
    drop = {m for rest in plan.values() for m in rest}
    # the nodes from G (possibly a view), the edges from the full graph: one fast copy
    H = induced_copy(names_from, (n for n in G if n not in drop))
    flags: dict[str, str] = {}
    for seg, rest in plan.items():
        node_id = f"more:{seg}"
        names = [str(names_from.nodes[m].get("name") or m) for m in rest[:60]]
        listing = "、".join(names) + (f" 等 {len(rest)} 个" if len(rest) > len(names) else "")
        n_local = sum(1 for m in rest if names_from.nodes[m].get("local"))
        H.add_node(
            node_id,
            kind=GROUP,
            name=f"其余 {len(rest)} 家",
            grade=GROUP_GRADE,
            members_count=len(rest),
            members=listing,
            member_ids=list(rest),
            note=f"其中本地 {n_local} 家; 未逐一画出, 可在搜索框中按名称查找",
        )
        H.add_edge(node_id, seg, key=Rel.IN_SEGMENT, rel=Rel.IN_SEGMENT, grade=GROUP_GRADE)
        flags[node_id] = "more"
    return H, flags


def gaps_view(
    G: ChainGraph,
    chain_id: str,
    per_segment: int = PER_SEGMENT,
    outside: ChainGraph | None = None,
    facts: ChainFacts | None = None,
    panels: Panels | None = None,
) -> View:
    """The gap and weak segments of a chain with the firms to approach (招商目标).

    Shows the chain, its gap and weak segments, the segments that FEED into or out of them
    (for context), and every firm or project in a gap or weak segment (external firms there
    are the targets) with the suppliers and customers of those firms. Beside each gap or
    weak segment stand its top ranked candidates, at most :data:`CANDIDATES_PER_SEGMENT`
    (``rank_targets`` on ``outside``, default G: a store's chain subgraph lacks the outside
    firms a reference layer adds); one known only by products or industry is drawn as a
    candidate (dashed, its link to the segment inferred).

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("c", kind="Chain", name="电池")
    >>> G.add_node("s", kind="Segment", name="电芯", tier="midstream", grade="template")
    >>> G.add_node("t", kind="Firm", name="外地电芯厂", local=False, grade="template")
    >>> _ = G.add_edge("c", "s", key="HAS_SEGMENT", rel="HAS_SEGMENT")
    >>> _ = G.add_edge("t", "s", key="IN_SEGMENT", rel="IN_SEGMENT")
    >>> sorted(n["id"] for n in gaps_view(G, "c").nodes)
    ['c', 's', 't']
    """
    check_chain(G, chain_id)
    flags, _ = _chain_flags(G, chain_id, facts.status if facts else None)
    weak = sorted(s for s, f in flags.items() if f in ("gap", "weak"))
    keep, context = _around_segments(G, weak)
    keep |= {chain_id, *weak}
    # at most per_segment members per segment, then their suppliers and customers
    scores0 = facts.scored().size if facts else leader_scores(G.subgraph(keep)).size
    plan = _fold_plan(G.subgraph(keep), weak, scores0, per_segment)
    folded = {m for rest in plan.values() for m in rest}
    members = [
        m for m in keep if G.nodes[m].get("kind") in (Kind.FIRM, Kind.PROJECT) and m not in folded
    ]
    keep |= _partners(G, members)
    keep |= context
    keep -= folded  # as chain_view: Sources stay out, quote titles are read from G (Panels)
    H, more = _apply_fold(G.subgraph(keep), G, plan)
    n_ranked = min(per_segment, CANDIDATES_PER_SEGMENT)
    if facts is not None and outside is None:
        ranked = _top_per_segment(facts.targets, n_ranked)
    else:
        ranked = _ranked_targets(outside if outside is not None else G, chain_id, n_ranked)
    H, candidates = _add_candidates(H, outside if outside is not None else G, ranked)
    view_flags = {s: f for s, f in flags.items() if s in keep}
    for s in context:
        view_flags.setdefault(s, "ext" if s not in chain_segments(G, chain_id) else "")
    view_flags = {k: v for k, v in view_flags.items() if v}
    view_flags.update(more)
    view_flags.update(candidates)
    scored = facts.scored() if facts else leader_scores(H)
    pos = tiered_layout(H, weak + sorted(context), _sizes(H, scored[0]))
    panels = panels if panels is not None else Panels(G)
    nodes, edges, chains, size_by, _ = _records(H, pos, view_flags, scored, panels)
    omitted = _quoted_sources(G, H)
    folded_records = member_records(G, H, panels)
    laid_out = weak + sorted(context)
    _add_target_notes(ranked, nodes)
    name = str(G.nodes[chain_id].get("name") or chain_id)
    n_gap = sum(1 for s in weak if flags[s] == "gap")
    targets = sum(
        1 for n in nodes if n["kind"] == Kind.FIRM and n["style"] in ("external", "candidate")
    )
    subtitle = (
        f"缺口 {n_gap} 个, 薄弱 {len(weak) - n_gap} 个; 外地企业(招商目标候选) {targets} 家; "
        "蓝色为相邻的已覆盖环节"
    )
    if not weak:
        subtitle = "该链没有缺口或薄弱环节"
    return View(
        title=f"{name} · 缺口与薄弱环节",
        subtitle=subtitle,
        view_kind="gaps",
        nodes=nodes,
        edges=edges,
        chains=chains,
        size_by=size_by,
        focus=chain_id,
        omitted=omitted,
        members=folded_records,
        tiers=tier_headings(H, pos, laid_out),
    )


def _around_segments(G: ChainGraph, segments: list[str]) -> tuple[set[str], set[str]]:
    """(members IN_SEGMENT the segments, segments that FEED into or out of them)."""
    members: set[str] = set()
    context: set[str] = set()
    for s in segments:
        for u, _, key in G.in_edges(s, keys=True):
            if key == Rel.FEEDS:
                context.add(u)
            elif key == Rel.IN_SEGMENT:
                members.add(u)
        for _, v, key in G.out_edges(s, keys=True):
            if key == Rel.FEEDS:
                context.add(v)
    return members, context


def _partners(G: ChainGraph, members: list[str]) -> set[str]:
    """Suppliers, investors and attractors of the members, and their customers and projects."""
    found: set[str] = set()
    for m in members:
        for u, _, key in G.in_edges(m, keys=True):
            if key in (Rel.SUPPLIES, Rel.INVESTS_IN, Rel.ATTRACTED):
                found.add(u)
        for _, v, key in G.out_edges(m, keys=True):
            if key in (Rel.SUPPLIES, Rel.INVESTS_IN):
                found.add(v)
    return found


def _top_per_segment(rows: list[Record], per_segment: int) -> list[Record]:
    """The gap and weak rows of a ranked target list, at most per_segment per segment."""
    seen: dict[str, int] = defaultdict(int)
    out = []
    for r in rows:
        seg = str(r.get("segment") or "")
        if r.get("status") not in ("gap", "weak") or seen[seg] >= per_segment:
            continue
        seen[seg] += 1
        out.append(r)
    return out


def _ranked_targets(G: ChainGraph, chain_id: str, per_segment: int) -> list[Record]:
    """The analysis' 招商目标 rows of the chain's gap and weak segments, top per_segment each."""
    return rank_targets(G, chain_id, include_extension=False, limit=per_segment)


def _add_candidates(
    H: ChainGraph, outside: ChainGraph, rows: list[Record]
) -> tuple[ChainGraph, dict[str, str]]:
    """H plus each ranked candidate not yet drawn, linked to its segment (flag candidate)."""
    import networkx as nx

    new = [r for r in rows if r["firm"] and (r["firm"] not in H or r["how"] != "stated")]
    if not new:
        return H, {}
    out: ChainGraph = nx.MultiDiGraph(H)
    out.graph.update(H.graph)
    flags: dict[str, str] = {}
    for r in new:
        firm, seg = str(r["firm"]), str(r["segment"])
        if seg not in out or firm not in outside:
            continue
        if firm not in out:
            out.add_node(firm, **outside.nodes[firm])
        if r["how"] != "stated":
            flags[firm] = "candidate"
            out.add_edge(
                firm,
                seg,
                key=Rel.IN_SEGMENT,
                rel=Rel.IN_SEGMENT,
                grade="inferred",
                note=str(r["basis"]),
            )
    return out, flags


def _add_target_notes(rows: list[Record], nodes: list[Record]) -> None:
    """Add the 招商目标 score, basis and reason to target firms and empty gap segments."""
    by_id = {n["id"]: n for n in nodes}
    for row in rows:
        firm, seg = str(row.get("firm") or ""), str(row.get("segment") or "")
        reason = str(row.get("reason") or "")
        if firm and firm in by_id:
            label = f"{row.get('segment_name')}: {row.get('score')}"
            by_id[firm]["info"].append(["招商目标得分", label])
            by_id[firm]["info"].append(["归入依据", str(row.get("basis") or "")])
            by_id[firm]["info"].append(["推荐理由", reason])
            by_id[firm]["flag"] = by_id[firm]["flag"] or "target"
        elif not firm and seg in by_id and reason:
            by_id[seg]["info"].append(["招商目标", reason])


def ego_view(
    G: ChainGraph, center: str, depth: int = 1, aggregate_over: int = AGGREGATE_OVER
) -> View:
    """A node and its neighbourhood (G is usually already that neighbourhood).

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("a", kind="Firm", name="甲", local=True, grade="template")
    >>> G.add_node("b", kind="Firm", name="乙", local=True, grade="template")
    >>> _ = G.add_edge("a", "b", key="SUPPLIES", rel="SUPPLIES")
    >>> ego_view(G, "a").focus
    'a'
    """
    if center not in G:
        raise UnknownEntity(f"Unknown entity '{center}'. Run 'chaingraph find TEXT' to search")
    n_members = _member_count(G)
    flags = {center: "center"}
    notice = ""
    source = G
    if n_members > aggregate_over:
        G, folded = fold_members(G, keep=[center])
        flags.update(folded)
        notice = (
            f"关联的企业和项目共 {n_members} 家, 超过可清晰绘制的 {aggregate_over} 家: "
            "除中心节点外, "
            "它们已并入所属环节(方块)。点击环节方块可看名单; 在左侧搜索框输入名称可找到每一家。"
        )
    drawn = G.subgraph(n for n, k in _kinds(G) if k != Kind.SOURCE)
    pos = force_layout(drawn)
    nodes, edges, chains, size_by, omitted = _records(G, pos, flags)
    members = member_records(source, G)
    name = str(G.nodes[center].get("name") or center)
    return View(
        title=f"{name} · 关系网络",
        subtitle=f"{depth} 度以内的关联: {len(nodes)} 个节点, {len(edges)} 条关系",
        view_kind="ego",
        nodes=nodes,
        edges=edges,
        chains=chains,
        notice=notice,
        size_by=size_by,
        focus=center,
        omitted=omitted,
        members=members,
    )


def _member_count(G: ChainGraph) -> int:
    return sum(1 for _, k in _kinds(G) if k in (Kind.FIRM, Kind.PROJECT))


def graph_view(
    G: ChainGraph, title: str = "产业链图谱", aggregate_over: int = AGGREGATE_OVER
) -> View:
    """The whole graph. Above ``aggregate_over`` firms and projects, each segment keeps its
    first members (local first, then by leader score; at least 3, about ``aggregate_over``
    in all) and folds the rest into a "其余 N 家" group; if firms without a segment still
    exceed the limit, every firm and project is folded into its segment. The page says so,
    and its search finds every folded firm.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("s", kind="Segment", name="电芯", tier="midstream", grade="template")
    >>> for i in range(5):
    ...     G.add_node(f"f{i}", kind="Firm", name=f"厂{i}", local=True, grade="template")
    ...     _ = G.add_edge(f"f{i}", "s", key="IN_SEGMENT", rel="IN_SEGMENT")
    >>> v = graph_view(G, aggregate_over=4)
    >>> [n["id"] for n in v.nodes], [m["id"] for m in v.members]
    (['f0', 'f1', 'f2', 'more:s', 's'], ['f3', 'f4'])
    """
    n_members = _member_count(G)
    notice = ""
    flags: dict[str, str] = {}
    H = G
    scored = leader_scores(G)
    if n_members > aggregate_over:
        segs = [n for n, k in _kinds(G) if k == Kind.SEGMENT]
        per = max(3, aggregate_over // max(1, len(segs)))
        H, flags = cap_members(G, segs, scored.size, per)
        shown = _member_count(H)
        if shown < n_members:
            notice = _fold_notice(shown, n_members - shown, per)
        if shown > aggregate_over * 1.2:  # firms without a segment: fold them all
            H, flags = fold_members(G)
            notice = (
                f"图中共有 {n_members} 家企业/项目, 超过可清晰绘制的 {aggregate_over} 家: "
                "已全部并入"
                "所属环节(方块大小表示并入数量)。点击环节方块可看名单; 在左侧搜索框输入名称"
                "可找到每一家。"
            )
    drawn = H.subgraph(n for n, k in _kinds(H) if k != Kind.SOURCE)
    pos = force_layout(drawn)
    nodes, edges, chains, size_by, omitted = _records(H, pos, flags, scored)
    agg = [n for n in nodes if n["flag"] == "agg"]
    if agg:  # a folded segment's size grows with the square root of its member count
        top = max((int(H.nodes[n["id"]].get("members_count", 0)) for n in agg), default=1) or 1
        for n in agg:
            count = int(H.nodes[n["id"]].get("members_count", 0))
            n["size"] = round(12.0 + 24.0 * math.sqrt(count / top), 1)
    return View(
        title=title,
        subtitle=f"{len(nodes)} 个节点, {len(edges)} 条关系",
        view_kind="all",
        nodes=nodes,
        edges=edges,
        chains=chains,
        notice=notice,
        size_by=size_by if not agg else "节点大小: 并入的企业/项目数",
        omitted=omitted,
        members=member_records(G, H),
    )


def fold_members(
    G: ChainGraph, list_limit: int = 30, keep: Iterable[str] = ()
) -> tuple[ChainGraph, dict[str, str]]:
    """Fold every firm and project (except those in ``keep``) into its first segment (by id);
    members without a segment into one node per kind. Edges between folded nodes become one
    edge per (rel, ends) with ``count``. Returns the folded graph and the flags (``'agg'``)
    of the grouping nodes."""
    import networkx as nx

    kept = set(keep)
    home: dict[str, str] = {}
    for n, kind in _kinds(G):
        if kind not in (Kind.FIRM, Kind.PROJECT) or n in kept:
            continue
        segs = sorted(v for _, v, k in G.out_edges(n, keys=True) if k == Rel.IN_SEGMENT)
        home[n] = segs[0] if segs else f"_unsegmented_{str(kind).lower()}"
    H: ChainGraph = nx.MultiDiGraph()
    for n, attrs in G.nodes(data=True):
        if n not in home:
            H.add_node(n, **attrs)
    groups: dict[str, list[str]] = defaultdict(list)
    for n, g in home.items():
        groups[g].append(n)
    flags: dict[str, str] = {}
    for g, members in groups.items():
        members.sort(key=lambda m: (not G.nodes[m].get("local"), str(G.nodes[m].get("name"))))
        names = [str(G.nodes[m].get("name") or m) for m in members[:list_limit]]
        more = len(members) - len(names)
        listing = "、".join(names) + (f" 等 {len(members)} 个" if more > 0 else "")
        if g not in H:
            what = "企业" if "firm" in g else "项目"
            H.add_node(
                g, kind=Kind.SEGMENT, name=f"未分环节的{what}", tier="midstream", grade="inferred"
            )
        H.nodes[g]["members_count"] = len(members)
        H.nodes[g]["members"] = listing
        H.nodes[g]["member_ids"] = list(members)
        flags[g] = "agg"
    merged: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for u, v, key, data in G.edges(keys=True, data=True):
        if u not in home and v not in home:
            H.add_edge(u, v, key=key, **data)
            continue
        a, b = home.get(u, u), home.get(v, v)
        if a == b:
            continue  # a link inside one group is listed on the group, not drawn
        merged[(a, b, str(key))].append(node_grade(data))
    rank: dict[str, int] = {Grade.SOURCED: 0, Grade.TEMPLATE: 1, Grade.INFERRED: 2}
    for (a, b, key), grades in merged.items():
        weakest = max(grades, key=lambda g: rank.get(g, 2))
        H.add_edge(a, b, key=key, rel=key, grade=weakest, count=len(grades))
    return H, flags
