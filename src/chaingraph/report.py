"""The chain reports investment staff act on: Markdown and standalone HTML per chain, plus an index.

:func:`build_chain_report` gathers every measure of :mod:`chaingraph.analysis` for one chain;
:func:`chain_markdown` / :func:`chain_html` render it; :func:`write_report` writes
``index.md``, ``index.html``, ``<chain>.md`` and ``<chain>.html`` into a folder. The HTML pages
make no external requests (inline CSS, system CJK fonts) and escape every string that comes
from the data.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import networkx as nx

from . import atomic, stamp
from .analysis import (
    INFERRED,
    GraphIndex,
    SharedIndex,
    chain_context,
    chains_of,
    in_ids,
    name_of,
    yuan,
)
from .analysis.coverage import STATUS_ZH, Coverage, coverage_of, map_rows, share_text
from .analysis.gaps import extension_of, gaps_of, single_source_of, weak_links_of
from .analysis.impact import (
    CUT_OFF_ZH,
    LOSES_SUPPLIER_ZH,
    SUPPLIER_LOSS_ZH,
    Impact,
    chain_impact,
    sales_part,
)
from .analysis.infer import count_inferred, with_inferred
from .analysis.leaders import COMPONENT_DOC, COMPONENT_ZH, LEADER_WEIGHTS, Leaders, leaders_of
from .analysis.targets import TARGET_POINTS, targets_of
from .model import FIGURE_COMPARE, TIER_LABEL_ZH, ChainGraph, Kind, Rel, Row
from .query import compare_count
from .report_workbook import chain_part, report_sheets
from .workbook import Sheet, WorkbookWriter

#: at most this many firms listed per segment, and rows per table, in a report
LIST_LIMIT = 12
TABLE_LIMIT = 40
#: Beijing time (Asia/Shanghai: UTC+8, no daylight saving since 1991), for the report's stamp
BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")
#: the workbook written beside index.html
WORKBOOK = "report.xlsx"
#: leaders whose departure the report simulates
IMPACT_TOP = 3


#: what each leader-score component measures (the Chinese of ``COMPONENT_DOC``)
COMPONENT_DOC_ZH = {
    "designated": "数据中该企业领衔(LEADS)本链或承载本链的平台(链主/龙头)记 1,否则 0",
    "pull": "向它供货的本地企业数 + 它(或它投资的项目)带动(ATTRACTED)的企业和项目数",
    "investment": "它的投资(INVESTS_IN)金额之和,单位亿元",
    "reach": "本链供应网中与它相距两跳以内(上游或下游)的企业数",
    "pagerank": "本链供应网(供应商 → 客户,阻尼 0.85)上的 PageRank;没有供应关系的企业记 0",
    "betweenness": "本链本地企业供应网上的有向介数:有多少本地供应经过它",
}
_SAMPLED = re.compile(r"sampled: (\d+) of (\d+) sources")


def betweenness_zh(how: str) -> str:
    """How the betweenness was computed, in Chinese.

    >>> betweenness_zh("exact"), betweenness_zh("sampled: 20 of 300 sources")
    ('精确', '抽样:300 个起点中取 20 个')
    """
    if how == "exact":
        return "精确"
    m = _SAMPLED.fullmatch(how)
    return f"抽样:{m.group(2)} 个起点中取 {m.group(1)} 个" if m else how


#: a status as the pages show it: its word (STATUS_ZH), then the code, e.g. 缺口(gap)
STATUS_LABEL = {code: f"{word}({code})" for code, word in STATUS_ZH.items()}


@dataclass
class ChainReport:
    """Everything the report says about one chain."""

    chain: str
    name: str
    sector: str
    hosts: list[str]
    designated: list[str]
    coverage: Coverage
    map: list[Row]
    gaps: list[Row]
    weak: list[Row]
    single_source: list[Row]
    extension: list[Row]
    targets: list[Row]
    leaders: Leaders
    impacts: list[Impact]
    reported: list[Row]
    counts: dict[str, Any]
    infer: bool = False
    inferred_edges: int = 0
    views: list[tuple[str, str]] = field(default_factory=list)  # (label, relative href)


def build_chain_report(
    G: ChainGraph,
    chain_id: str,
    infer: bool = False,
    impact_top: int = IMPACT_TOP,
    index: GraphIndex | None = None,
) -> ChainReport:
    """Gather every measure for one chain (G already carries inferred links if ``infer``).

    ``index``: a shared :class:`~chaingraph.analysis.GraphIndex` of G, so that
    several chains reuse per-firm facts and one SUPPLIES network.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("c", kind="Chain", name="电池")
    >>> G.add_node("cell", kind="Segment", name="电芯", tier="midstream")
    >>> _ = G.add_edge("c", "cell", key="HAS_SEGMENT")
    >>> rep = build_chain_report(G, "c")
    >>> rep.coverage.text, [r["status"] for r in rep.targets]
    ('0 of 1 segments have a local firm (0%; 0 with two or more)', ['gap'])
    """
    ctx = chain_context(G, chain_id, index)
    board = leaders_of(ctx)
    impacts = []
    for row in board.rows[:impact_top]:
        part = chain_impact(ctx, row["firm"])
        imp = Impact(row["firm"], row["name"], True, [] if part.empty else [part])
        impacts.append(imp)
    hosts = in_ids(G, chain_id, Rel.HOSTS)
    cov = coverage_of(ctx)
    projects = {p for s in ctx.segments.values() for p in s.projects}
    amounts = [G.nodes[p].get("amount_cny") for p in projects]
    return ChainReport(
        chain=chain_id,
        name=ctx.name,
        sector=str(G.nodes[chain_id].get("sector") or ""),
        hosts=[name_of(G, h) for h in hosts],
        designated=[name_of(G, f) for f in sorted(ctx.leaders_designated())],
        coverage=cov,
        map=map_rows(ctx, lazy=True),  # a firm's row made only where a page shows it
        gaps=gaps_of(ctx),
        weak=weak_links_of(ctx),
        single_source=single_source_of(ctx),
        extension=extension_of(ctx),
        targets=targets_of(ctx, board),
        leaders=board,
        impacts=impacts,
        reported=reported_figures(G, [chain_id, *hosts]),
        counts={
            "local_firms": cov.local_firms,
            "external_firms": cov.external_firms,
            "projects": cov.projects,
            "investment_cny": sum(a for a in amounts if isinstance(a, int | float)),
            "projects_with_amount": sum(isinstance(a, int | float) for a in amounts),
        },
        infer=infer,
        inferred_edges=board.inferred_edges,
    )


def reported_figures(G: ChainGraph, node_ids: Iterable[str]) -> list[Row]:
    """Figures a source reports about these nodes, beside the graph's own count.

    Rows: ``node, name, label, reported, qualifier, in_graph, what, cited`` for every figure
    with a ``compare`` key (see :data:`chaingraph.model.FIGURE_COMPARE`); ``cited`` is
    :func:`cited_by_title` of its sources.
    """
    rows = []
    for nid in node_ids:
        if nid not in G:
            continue
        for fig in G.nodes[nid].get("figures") or ():
            compare = fig.get("compare")
            if compare not in FIGURE_COMPARE:
                continue
            rows.append(
                {
                    "node": nid,
                    "name": name_of(G, nid),
                    "label": str(fig.get("label") or fig.get("key") or ""),
                    "reported": fig.get("value"),
                    "qualifier": str(fig.get("qualifier") or "exact"),
                    "in_graph": compare_count(G, nid, compare),
                    "what": compare,
                    "cited": cited_by_title(G, fig.get("sources")),
                }
            )
    return rows


def cited_by_title(G: ChainGraph, citations: object) -> str:
    """Citations as people read them: 《source title》“quote”, joined with ;.

    A source is named by its title (else its name, else its id when the graph lacks it).

    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("article", kind="Source", title="向新而生")
    >>> cited_by_title(G, [{"source": "article", "quote": "标志性项目27个"}, {"source": "x"}])
    '《向新而生》“标志性项目27个”;《x》'
    """
    parts = []
    for c in citations if isinstance(citations, list) else []:
        if not isinstance(c, dict):
            continue
        sid = str(c.get("source") or "")
        attrs = G.nodes[sid] if sid in G else {}
        title = str(attrs.get("title") or attrs.get("name") or sid)
        quote = str(c.get("quote") or "")
        parts.append(f"《{title}》" + (f"“{quote}”" if quote else ""))
    return ";".join(parts)


# --- sections: one structure, two renderers ----------------------------------------------


@dataclass
class Table:
    """A table of plain-text cells; ``status_col`` is shown as a coloured badge in HTML."""

    columns: list[str]
    rows: list[list[str]]
    more: int = 0  # rows left out
    status_col: int | None = None


@dataclass
class Section:
    """A titled part of a report: paragraphs, then an optional table, then notes."""

    anchor: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    table: Table | None = None
    notes: list[str] = field(default_factory=list)


def _names(
    items: Sequence[Row],
    key: str = "name",
    limit: int = LIST_LIMIT,
    label: Callable[[Row], str] | None = None,
) -> str:
    """The names (or ``label`` of each item) joined with 、, the first ``limit`` of them and
    how many there are; only the names shown are made (a segment may hold 10^5 firms)."""
    shown = items[:limit]
    if label is None:
        names = [str(i.get(key) or i.get("id") or "") for i in shown]
    else:
        names = list(map(label, shown))
    if len(items) > limit:
        return "、".join(names) + f" 等 {len(items)} 家"
    return "、".join(names)


def _num(value: float, digits: int = 2) -> str:
    text = f"{value:,.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _pct(value: float) -> str:
    return share_text(value)


def _firm_label(f: Row) -> str:
    text = str(f.get("name") or f.get("id") or "")
    via = f.get("via_project")
    if via:
        text += "(经项目 " + "、".join(str(p["name"]) for p in via) + ")"
    return text


def sections(rep: ChainReport) -> list[Section]:
    """The report of one chain as sections, in reading order."""
    out = [
        _summary(rep),
        _leaders(rep),
        _map(rep),
        _coverage(rep),
        _gaps(rep),
        _weak(rep),
        _extension(rep),
        _targets(rep),
        _impact(rep),
        _method(rep),
    ]
    return out


def _summary(rep: ChainReport) -> Section:
    cov = rep.coverage
    c = rep.counts
    paras = [f"{cov.text_zh}。薄弱 = 仅一家本地企业;缺口 = 没有本地企业。"]
    facts = [f"本地企业 {c['local_firms']} 家", f"已知外部企业 {c['external_firms']} 家"]
    if c["projects"]:
        inv = (
            f",已知金额 {c['projects_with_amount']} 个合计 {yuan(c['investment_cny'])}"
            if c["projects_with_amount"]
            else ""
        )
        facts.append(f"项目 {c['projects']} 个{inv}")
    paras.append("图谱中:" + ";".join(facts) + "。")
    if rep.hosts:
        paras.append("承载平台:" + "、".join(rep.hosts) + "。")
    if rep.designated:
        paras.append("链主/龙头(数据中标注):" + "、".join(rep.designated) + "。")
    notes = []
    for r in rep.reported:
        reported = r["reported"]
        if not isinstance(reported, int | float) or not reported:
            continue
        in_graph = r["in_graph"]
        fmt = yuan if r["what"] == "investment_cny" else (lambda v: _num(v, 0))
        notes.append(
            f"数据完整度:来源报道「{r['name']}」{r['label']} {fmt(reported)}"
            + (f"(据{r['cited']})" if r["cited"] else "")
            + f",图谱中录入 "
            f"{fmt(in_graph)}({_pct(in_graph / reported)})。缺口可能只是图谱未录入,"
            "招商前请以企业名录核对。"
        )
    if not c["local_firms"]:
        notes.append(
            "数据完整度:图谱中本链尚未录入任何本地企业,覆盖率 0% 反映的是数据现状,"
            "不一定是实际情况;请先补充本链企业名录(chaingraph import)。"
        )
    if rep.infer:
        notes.append(
            f"本报告含推断供应关系(--infer,共 {rep.inferred_edges} 条进入链主计算):"
            "推断 = 上下游环节相邻但数据中没有明确供应关系,一律标注「推断 inferred」,不写入数据集。"
        )
    return Section("summary", "概览(Summary)", paras, notes=notes)


def _leaders(rep: ChainReport) -> Section:
    board = rep.leaders
    cols = [
        "排名",
        "企业",
        "得分",
        "标注链主",
        "本地供应/带动",
        "投资(亿元)",
        "两跳供应网",
        "供应网中心度(PageRank)",
        f"本地中介度({betweenness_zh(board.betweenness)})",
    ]
    rows = []
    for r in board.rows[:15]:
        pull = f"{r['pull']}(供应 {r['local_suppliers']}"
        if r["inferred_suppliers"]:
            pull += f",其中推断 {r['inferred_suppliers']}"
        pull += f";带动 {r['attracted_firms'] + r['attracted_projects']}"
        if r["attracted"]:
            pull += ":" + _names([{"name": a} for a in r["attracted"]], limit=4)
        pull += ")"
        rows.append(
            [
                str(r["rank"]),
                r["name"],
                _num(r["score"]),
                "是" if r["designated"] else "",
                pull,
                _num(r["investment_yi"]),
                str(r["reach"]),
                _num(r["pagerank"], 4),
                _num(r["betweenness"], 1),
            ]
        )
    more = max(0, len(board.rows) - 15)
    paras = []
    if not board.rows:
        paras.append("该链没有本地企业,无法排出链主。")
    elif board.rows[0]["score"] <= 0:
        paras.append("数据中没有任何企业有链主证据(各项指标均为 0);排名仅按编号。")
    else:
        top = board.rows[0]
        paras.append(
            f"综合得分最高:{top['name']}({_num(top['score'])} 分)。"
            "得分由数据和下式算出,不使用任何预设名单。"
        )
    formula = " + ".join(f"{w:.2f}×{COMPONENT_ZH.get(k, k)}" for k, w in LEADER_WEIGHTS.items())
    notes = [f"得分 = 100 × ({formula}),每项先除以本链候选企业中的最大值。"]
    notes += [
        f"{COMPONENT_ZH[k]}({k}):{COMPONENT_DOC_ZH.get(k, v)}" for k, v in COMPONENT_DOC.items()
    ]
    if board.betweenness != "exact":
        notes.append(
            f"本地中介度为抽样估计({betweenness_zh(board.betweenness)}),"
            f"网络 {board.network_firms} 家企业。"
        )
    table = Table(cols, rows, more) if rows else None
    return Section("leaders", "链主(Chain leaders)", paras, table, notes)


def _map(rep: ChainReport) -> Section:
    cols = ["层级", "环节", "状态", "本地企业", "外部企业", "项目"]
    rows = []
    for r in rep.map:
        projects = [
            p["name"]
            + (f"({p['amount']})" if p["amount"] else "")
            + ("[待落地]" if p["pipeline"] else "")
            for p in r["projects"]
        ]
        rows.append(
            [
                TIER_LABEL_ZH.get(r["tier"], r["tier"]),
                r["name"],
                STATUS_LABEL.get(r["status"], r["status"]),
                _names(r["local_firms"], label=_firm_label),
                _names(r["external_firms"]),
                _names([{"name": p} for p in projects], limit=6),
            ]
        )
    paras = [
        "环节按上游 → 中游 → 下游排列。状态:已覆盖 = 两家及以上本地企业;薄弱 = 仅一家;"
        "缺口 = 没有本地企业;延链 = 可延伸的相邻环节(不计入覆盖率)。"
    ]
    return Section("map", "产业链图谱(Chain map)", paras, Table(cols, rows, 0, status_col=2))


def _coverage(rep: ChainReport) -> Section:
    cov = rep.coverage
    rows = [["全链(all)", str(cov.present), str(cov.segments), _pct(cov.ratio)]]
    for tier, (p, n) in cov.by_tier.items():
        rows.append([f"{TIER_LABEL_ZH.get(tier, tier)}({tier})", str(p), str(n), _pct(p / n)])
    if cov.weights_given:
        rows.append(["按权重(weighted)", "", "", _pct(cov.weighted)])
    paras = [f"{cov.text_zh}。覆盖率 = 有本地企业的环节数 ÷ 环节数(延链环节不计)。"]
    if cov.weights_given:
        paras.append("加权覆盖率按模板中的环节权重(weight,缺省为 1)计算。")
    table = Table(["范围", "有本地企业", "环节数", "覆盖率"], rows)
    return Section("coverage", "完整度(Completeness)", paras, table)


def _gaps(rep: ChainReport) -> Section:
    cols = ["环节", "层级", "依赖度", "受影响的本地企业(下游)", "已知外部企业", "在建/签约项目"]
    rows = []
    for r in rep.gaps[:TABLE_LIMIT]:
        deps = [{"name": f"{d['name']}({d['hops']}跳)"} for d in r["dependents"]]
        rows.append(
            [
                r["name"],
                TIER_LABEL_ZH.get(r["tier"], r["tier"]),
                _num(r["dependence"]),
                _names(deps) or "—",
                str(r["external_known"]),
                _names(r["pipeline"]) or "",
            ]
        )
    more = max(0, len(rep.gaps) - TABLE_LIMIT)
    paras = (
        ["没有缺口环节。"]
        if not rep.gaps
        else [
            f"{len(rep.gaps)} 个环节没有本地企业,按下游本地企业对它的依赖排序。"
            "依赖度 = Σ 下游本地企业规模 w ÷ 距离(FEEDS 跳数);"
            "w = 1 + log10(1 + 产值或投资/1亿元)。"
        ]
    )
    return Section("gaps", "补链(Gaps)", paras, Table(cols, rows, more) if rep.gaps else None)


def _weak(rep: ChainReport) -> Section:
    paras = []
    table = None
    if rep.weak:
        paras.append(f"{len(rep.weak)} 个环节只有一家本地企业:这家企业一旦离开,环节即成缺口。")
        rows = [
            [
                r["name"],
                _names(r["local_firms"]),
                _num(r["dependence"]),
                _names([{"name": d["name"]} for d in r["dependents"]]) or "—",
            ]
            for r in rep.weak[:TABLE_LIMIT]
        ]
        more = max(0, len(rep.weak) - TABLE_LIMIT)
        table = Table(["环节", "唯一本地企业", "依赖度", "下游本地企业"], rows, more)
    else:
        paras.append("没有只靠一家本地企业的环节。")
    notes = []
    if rep.single_source:
        items = [
            f"{r['customer_name']} 的「{r['input_name'] or '未标环节'}」只有一家已知供应商:"
            f"{r['supplier_name']}" + ("(推断 inferred)" if r["grade"] == INFERRED else "")
            for r in rep.single_source[:TABLE_LIMIT]
        ]
        notes.append("单一来源(single source):" + ";".join(items) + "。")
    else:
        notes.append(
            "单一来源:数据中没有本地企业的供应关系可供判断(没有 SUPPLIES 记录);"
            "加 --infer 可查看按上下游环节推断的潜在供应关系(标注为推断)。"
        )
    return Section("weak", "强链(Weak links)", paras, table, notes)


def _extension(rep: ChainReport) -> Section:
    rows = []
    for r in rep.extension[:TABLE_LIMIT]:
        links = []
        if r["fed_by"]:
            links.append("承接 " + "、".join(_seg_name(rep, s) for s in r["fed_by"]))
        if r["feeds"]:
            links.append("供给 " + "、".join(_seg_name(rep, s) for s in r["feeds"]))
        rows.append(
            [
                r["name"],
                "本链模板" if r["marked_extension"] else "其他链",
                ";".join(links) or "与已覆盖环节尚不相邻",
                _names(r["local_firms"]) or "—",
                _names(r["external_firms"]) or "—",
            ]
        )
    more = max(0, len(rep.extension) - TABLE_LIMIT)
    paras = [
        "延链候选:模板中标为延伸方向的环节,以及与本链有本地企业的环节直接相连(FEEDS)的其他环节。"
        if rep.extension
        else "没有延链候选。"
    ]
    table = Table(["环节", "来源", "与本链的衔接", "本地企业", "外部企业"], rows, more)
    return Section("extension", "延链(Extension)", paras, table if rep.extension else None)


def _seg_name(rep: ChainReport, seg: str) -> str:
    for r in rep.map:
        if r["segment"] == seg:
            return str(r["name"])
    return seg


TARGETS_PER_SEGMENT = 3


def _targets(rep: ChainReport) -> Section:
    found = [r for r in rep.targets if r["firm"]]
    empty = [r for r in rep.targets if not r["firm"]]
    top = [r for r in found if r["rank"] <= TARGETS_PER_SEGMENT]
    paras = []
    table = None
    if found:
        n_segs = len({r["segment"] for r in found})
        paras.append(
            f"{n_segs} 个缺口、薄弱或延链环节共有 {len(found)} 家外部候选企业;每个环节列出得分"
            f"最高的 {TARGETS_PER_SEGMENT} 家(全部见 chaingraph targets)。"
            "“依据”说明该企业属于此环节的根据:来源明示最可靠,产品/经营范围匹配与行业推断均为推断。"
        )
        rows = [
            [
                r["segment_name"],
                STATUS_LABEL.get(r["status"], r["status"]),
                str(r["rank"]),
                r["name"] + ("(推断)" if "inferred" in r["grade"] else ""),
                r["region"],
                _num(r["score"]),
                r["basis"],
                r["reason"],
            ]
            for r in top[:TABLE_LIMIT]
        ]
        more = max(0, len(top) - TABLE_LIMIT)
        table = Table(
            ["环节", "环节状态", "名次", "企业", "所在地", "得分", "依据", "理由"], rows, more, 1
        )
    else:
        paras.append("数据中没有任何外部企业位于本链的缺口或薄弱环节,因此不列出招商目标(不编造)。")
    notes = []
    if empty:
        segs = [r["segment_name"] for r in empty if r["status"] != "extension"]
        if segs:
            paras.append(
                f"以下 {len(segs)} 个缺口/薄弱环节没有候选企业(no candidate),需另行调研"
                "(可导入行业名录后重新生成本报告):" + "、".join(segs) + "。"
            )
    p = {k: f"{v:g}" for k, v in TARGET_POINTS.items()}
    notes.append(
        f"得分 = 环节重要度(缺口 {p['gap']} / 薄弱 {p['weak']} / 延链 {p['extension']},"
        f"加 {p['importance']} × 依赖度占比)+ 环节依据(来源明示 {p['stated']} / 产品或经营范围 "
        f"{p['products']} / 申万行业 {p['industry']})+ 与本区关联(供应链主 {p['supplies_leader']},"
        f"每家本地客户 {p['local_customer']},采购本地企业 {p['buys_from_local']},以商引商 "
        f"{p['attracted']},同属集团 {p['affiliated']})+ 距离(同市 {p['same_city']} / 同省 "
        f"{p['same_province']} / 邻省 {p['neighbour_province']})+ 规模(上市 {p['listed']})。"
    )
    return Section("targets", "招商目标(Targets)", paras, table, notes)


def _impact(rep: ChainReport) -> Section:
    paras = []
    rows = []
    for imp in rep.impacts:
        if not imp.chains:
            paras.append(f"{imp.name}:离开不会改变本链的覆盖(数据中它不在本链环节内)。")
            continue
        c = imp.chains[0]
        degraded = [
            f"{s['name']}:{STATUS_LABEL[s['before']]} → {STATUS_LABEL[s['after']]}"
            for s in c.segments
        ]
        cut = [x["name"] for x in c.customers if x["cut_off"]]
        losing = [x["name"] for x in c.customers if not x["cut_off"]]
        projects = [p["name"] + (f"({p['amount']})" if p["amount"] else "") for p in c.projects]
        rows.append(
            [
                imp.name,
                f"{_pct(c.coverage_before)} → {_pct(c.coverage_after)}",
                ";".join(degraded) or "—",
                ";".join(
                    f"{label}:" + "、".join(names)
                    for label, names in ((CUT_OFF_ZH, cut), (LOSES_SUPPLIER_ZH, losing))
                    if names
                )
                or "—",
                _supplier_text(c.suppliers) or "—",
                "、".join(projects) or "—",
                _names(c.attracted) or "—",
                "是" if c.designated else "",
            ]
        )
    if not rep.impacts:
        paras.append("该链没有本地企业,无从模拟。")
    else:
        paras.append(f"模拟链主排名前 {len(rep.impacts)} 的企业离开本区:本链失去什么。")
    cols = [
        "若离开",
        "覆盖率",
        "环节变化",
        "本地客户(下游)",
        "本地供应商(上游)",
        "涉及项目",
        "其带动的企业",
        "失去链主",
    ]
    return Section("impact", "断链风险(Impact)", paras, Table(cols, rows) if rows else None)


def _supplier_text(suppliers: Sequence[Row]) -> str:
    """Upstream losses: suppliers whose only / main local customer leaves, with sales share."""
    parts = []
    for role in ("only", "main"):
        found = [x for x in suppliers if x["role"] == role]
        names = [str(x["name"]) + sales_part(x["sales_share"]) for x in found]
        if names:
            parts.append(SUPPLIER_LOSS_ZH[role] + ":" + "、".join(names))
    others = [x["name"] for x in suppliers if x["role"] == "other"]
    if others:
        parts.append(SUPPLIER_LOSS_ZH["other"] + ":" + "、".join(others))
    return ";".join(parts)


def _method(rep: ChainReport) -> Section:
    paras = [
        "在场规则:本地企业直接属于某环节(IN_SEGMENT),或投资(INVESTS_IN)了属于该环节的项目,"
        "即视为该环节有这家本地企业;没有本地投资方的项目只列为「待落地」,不计入覆盖。",
        "事实分三级:sourced(有来源原文)、template(产业链结构常识,如环节与上下游关系)、"
        "inferred(本工具推断,仅在 --infer 时使用并逐条标注)。",
        "所有数值由 chaingraph 从数据集算出;同一命令在嵌入式存储与 Neo4j 上结果相同。",
    ]
    return Section("method", "方法说明(Method)", paras)


# --- Markdown ---------------------------------------------------------------------------

_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<>|~&"})
_MD_LEADING = re.compile(r"^(\s*)([#+\-=>]|\d+[.)])")


def md(text: object) -> str:
    """Escape a data string for Markdown (one line): inline markup, HTML, table pipes, and a
    leading character that would start a heading or a list.

    >>> md("a|b *c* (d)")
    'a\\\\|b \\\\*c\\\\* (d)'
    >>> md("1. 第一")
    '1\\\\. 第一'
    """
    one = str(text).replace("\r", " ").replace("\n", " ").translate(_MD_SPECIAL)
    return _MD_LEADING.sub(_escape_leading, one)


def _escape_leading(m: re.Match[str]) -> str:
    mark = m.group(2)
    return m.group(1) + mark[:-1] + "\\" + mark[-1]


def _md_table(t: Table) -> list[str]:
    out = ["| " + " | ".join(md(c) for c in t.columns) + " |"]
    out.append("|" + "|".join(" --- " for _ in t.columns) + "|")
    out.extend("| " + " | ".join(md(c) for c in row) + " |" for row in t.rows)
    if t.more:
        out.append("")
        out.append(md(f"…另有 {t.more} 行未列出(用 CLI 的 -f csv 导出全部)。"))
    return out


def chain_markdown(rep: ChainReport, generated: str = "") -> str:
    """The report of one chain as Markdown (data strings escaped).

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("c", kind="Chain", name="电池")
    >>> chain_markdown(build_chain_report(G, "c")).splitlines()[0]
    '# 电池 产业链报告'
    """
    lines = [f"# {md(rep.name)} 产业链报告", ""]
    if generated:
        lines += [md(generated), ""]
    if rep.views:
        links = " · ".join(f"[{md(label)}]({href})" for label, href in rep.views)
        lines += ["交互视图(Interactive views):" + links, ""]
    for sec in sections(rep):
        lines += [f"## {md(sec.title)}", ""]
        for p in sec.paragraphs:
            lines += [md(p), ""]
        if sec.table is not None:
            lines += [*_md_table(sec.table), ""]
        for n in sec.notes:
            lines += [f"- {md(n)}"]
        if sec.notes:
            lines.append("")
    lines += ["[← 全部产业链(All chains)](index.md)", ""]
    return "\n".join(lines)


# --- HTML -------------------------------------------------------------------------------

CSS = """
:root { --ink:#1f2933; --muted:#616e7c; --line:#d9e2ec; --bg:#f5f7fa; --card:#fff;
  --covered:#2f855a; --weak:#b7791f; --gap:#c53030; --extension:#5a67d8; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--ink); line-height:1.6;
  font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Hiragino Sans GB",
  "Microsoft YaHei", "WenQuanYi Micro Hei", system-ui, sans-serif; font-size:15px; }
header { background:#102a43; color:#fff; padding:20px 32px; }
header a { color:#bcccdc; }
header h1 { margin:4px 0; font-size:26px; }
header .sub { color:#d9e2ec; font-size:14px; }
main { max-width:1200px; margin:0 auto; padding:16px 32px 48px; }
nav.toc { display:flex; flex-wrap:wrap; gap:8px; margin:12px 0 4px; }
nav.toc a { background:var(--card); border:1px solid var(--line); border-radius:16px;
  padding:2px 12px; color:var(--ink); text-decoration:none; font-size:13px; }
section { background:var(--card); border:1px solid var(--line); border-radius:8px;
  padding:16px 22px; margin:16px 0; }
h2 { margin:0 0 8px; font-size:20px; border-left:4px solid #334e68; padding-left:10px; }
p { margin:6px 0; }
.kpis { display:grid; grid-template-columns:repeat(auto-fit,minmax(170px,1fr)); gap:12px;
  margin:8px 0 12px; }
.kpi { border:1px solid var(--line); border-radius:8px; padding:10px 14px; }
.kpi b { display:block; font-size:24px; }
.kpi span { color:var(--muted); font-size:13px; }
.bar { height:8px; background:#e4e7eb; border-radius:4px; overflow:hidden; margin-top:6px; }
.bar i { display:block; height:100%; background:var(--covered); }
table { border-collapse:collapse; width:100%; margin:8px 0; font-size:14px; }
th, td { border-bottom:1px solid var(--line); padding:6px 8px; text-align:left;
  vertical-align:top; }
th { background:#f0f4f8; font-weight:600; white-space:nowrap; }
.badge { display:inline-block; border-radius:10px; padding:0 8px; font-size:12px;
  color:#fff; white-space:nowrap; }
.badge.covered { background:var(--covered); } .badge.weak { background:var(--weak); }
.badge.gap { background:var(--gap); } .badge.extension { background:var(--extension); }
.notes { color:var(--muted); font-size:13px; padding-left:18px; }
.warn { background:#fffbea; border:1px solid #f0b429; border-radius:6px; padding:8px 12px;
  margin:8px 0; }
.tiers { display:grid; grid-template-columns:repeat(3,1fr); gap:12px; }
.tier h3 { margin:4px 0 8px; font-size:15px; color:var(--muted); }
.seg { border:1px solid var(--line); border-left:5px solid var(--gap); border-radius:6px;
  padding:8px 10px; margin-bottom:10px; }
.seg.covered { border-left-color:var(--covered); } .seg.weak { border-left-color:var(--weak); }
.seg.extension { border-left-color:var(--extension); border-style:dashed; }
.seg .name { font-weight:600; }
.seg .who { font-size:13px; margin-top:4px; }
.seg .who em { color:var(--muted); font-style:normal; }
.views a { margin-right:12px; }
footer { color:var(--muted); font-size:12px; text-align:center; padding:16px; }
@media (max-width: 800px) { .tiers { grid-template-columns:1fr; } main { padding:8px; } }
"""


def h(text: object) -> str:
    """Escape a data string for HTML text or attribute values.

    >>> h('<script>"x"</script>')
    '&lt;script&gt;&quot;x&quot;&lt;/script&gt;'
    """
    return html.escape(str(text), quote=True)


def _status_key(label: str) -> str:
    for key, text in STATUS_LABEL.items():
        if label == text:
            return key
    return ""


def _html_table(t: Table) -> str:
    head = "".join(f"<th>{h(c)}</th>" for c in t.columns)
    body = []
    for row in t.rows:
        cells = []
        for i, cell in enumerate(row):
            if i == t.status_col and _status_key(cell):
                cells.append(f'<td><span class="badge {_status_key(cell)}">{h(cell)}</span></td>')
            else:
                cells.append(f"<td>{h(cell)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    more = (
        f'<p class="notes">…另有 {t.more} 行未列出(用 CLI 的 -f csv 导出全部)。</p>'
        if t.more
        else ""
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>{more}"


def _html_map(rep: ChainReport) -> str:
    cols = []
    for tier in ("upstream", "midstream", "downstream"):
        cards = []
        for r in rep.map:
            if r["tier"] != tier:
                continue
            status = r["status"]
            who = []
            if r["local_firms"]:
                who.append("<em>本地:</em>" + h(_names(r["local_firms"], label=_firm_label)))
            if r["external_firms"]:
                who.append("<em>外部:</em>" + h(_names(r["external_firms"])))
            if r["projects"]:
                items = [
                    p["name"]
                    + (f"({p['amount']})" if p["amount"] else "")
                    + ("[待落地]" if p["pipeline"] else "")
                    for p in r["projects"]
                ]
                who.append("<em>项目:</em>" + h(_names([{"name": x} for x in items], limit=4)))
            if not who:
                who.append("<em>数据中暂无企业</em>")
            cards.append(
                f'<div class="seg {h(status)}"><span class="name">{h(r["name"])}</span> '
                f'<span class="badge {h(status)}">{h(STATUS_LABEL.get(status, status))}</span>'
                + "".join(f'<div class="who">{w}</div>' for w in who)
                + "</div>"
            )
        label = f"{TIER_LABEL_ZH.get(tier, tier)}({tier})"
        cols.append(f'<div class="tier"><h3>{h(label)}</h3>{"".join(cards)}</div>')
    return f'<div class="tiers">{"".join(cols)}</div>'


def _kpis(rep: ChainReport) -> str:
    cov = rep.coverage
    cards: list[tuple[str, str, float | None]] = [
        (_pct(cov.ratio), f"覆盖率:{cov.present}/{cov.segments} 环节有本地企业", cov.ratio),
    ]
    if cov.weights_given:
        cards.append((_pct(cov.weighted), "加权覆盖率", cov.weighted))
    cards += [
        (str(cov.gap), "缺口环节", None),
        (str(cov.weak), "薄弱环节(仅一家)", None),
        (str(rep.counts["local_firms"]), "本地企业(图谱中)", None),
        (str(rep.counts["projects"]), "项目(图谱中)", None),
    ]
    out = []
    for value, label, ratio in cards:
        bar = (
            f'<div class="bar"><i style="width:{ratio * 100:.0f}%"></i></div>'
            if ratio is not None
            else ""
        )
        out.append(f'<div class="kpi"><b>{h(value)}</b><span>{h(label)}</span>{bar}</div>')
    return f'<div class="kpis">{"".join(out)}</div>'


def _page(title: str, header: str, body: str, footer: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        # no script at all, no request: a link or text from the data can never run code
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">"
        f"<title>{h(title)}</title><style>{CSS}</style></head><body>"
        f"<header>{header}</header><main>{body}</main><footer>{footer}</footer></body></html>\n"
    )


def chain_html(rep: ChainReport, generated: str = "") -> str:
    """The report of one chain as a standalone HTML page (no external requests).

    Every string from the data is escaped.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("c", kind="Chain", name="<b>电池</b>")
    >>> page = chain_html(build_chain_report(G, "c"))
    >>> "<b>电池" in page, "&lt;b&gt;电池" in page
    (False, True)
    """
    secs = sections(rep)
    sub = []
    if rep.sector:
        sub.append(f"行业:{rep.sector}")
    if rep.hosts:
        sub.append("承载平台:" + "、".join(rep.hosts))
    if rep.designated:
        sub.append("链主:" + "、".join(rep.designated))
    header = (
        '<a href="index.html">← 全部产业链 All chains</a>'
        f"<h1>{h(rep.name)} 产业链报告</h1>"
        f'<div class="sub">{h(" · ".join(sub))}</div>'
    )
    toc = "".join(f'<a href="#{s.anchor}">{h(s.title)}</a>' for s in secs)
    parts = [f'<nav class="toc">{toc}</nav>']
    if rep.views:
        links = "".join(f'<a href="{h(href)}">{h(label)}</a>' for label, href in rep.views)
        parts.append(
            f'<section class="views"><h2>交互视图(Interactive views)</h2>{links}</section>'
        )
    for sec in secs:
        inner = [f"<h2>{h(sec.title)}</h2>"]
        if sec.anchor == "summary":
            inner.append(_kpis(rep))
        inner += [f"<p>{h(p)}</p>" for p in sec.paragraphs]
        if sec.anchor == "map":
            inner.append(_html_map(rep))
        elif sec.table is not None:
            inner.append(_html_table(sec.table))
        warn = [n for n in sec.notes if n.startswith(("数据完整度", "本报告含推断"))]
        rest = [n for n in sec.notes if n not in warn]
        inner += [f'<div class="warn">{h(n)}</div>' for n in warn]
        if rest:
            inner.append('<ul class="notes">' + "".join(f"<li>{h(n)}</li>" for n in rest) + "</ul>")
        parts.append(f'<section id="{h(sec.anchor)}">{"".join(inner)}</section>')
    return _page(f"{rep.name} 产业链报告", header, "".join(parts), h(generated))


# --- index ------------------------------------------------------------------------------


@dataclass
class IndexEntry:
    """What the index page says about one chain."""

    chain: str
    ratio: float
    cells: list[str]


def index_entry(r: ChainReport) -> IndexEntry:
    """The index row of a chain report."""
    top = r.leaders.rows[0] if r.leaders.rows and r.leaders.rows[0]["score"] > 0 else None
    first_gap = "—"
    if r.gaps:
        tied = sum(1 for g in r.gaps if g["dependence"] == r.gaps[0]["dependence"])
        first_gap = r.gaps[0]["name"] + (f" 等 {tied} 个" if tied > 1 else "")
    n_targets = sum(1 for t in r.targets if t["firm"])
    cells = [
        r.name,
        f"{r.coverage.present}/{r.coverage.segments}({_pct(r.coverage.ratio)})",
        str(r.coverage.gap),
        str(r.coverage.weak),
        top["name"] if top else "—",
        first_gap,
        str(n_targets) if n_targets else "0(无候选企业)",
    ]
    return IndexEntry(r.chain, r.coverage.ratio, cells)


INDEX_COLUMNS = ["产业链", "覆盖", "缺口", "薄弱", "链主(得分最高)", "首要缺口", "招商目标"]


def _entries(items: Sequence[ChainReport | IndexEntry]) -> list[IndexEntry]:
    return [i if isinstance(i, IndexEntry) else index_entry(i) for i in items]


def index_markdown(
    reps: Sequence[ChainReport | IndexEntry], title: str, generated: str = ""
) -> str:
    """The index page as Markdown: one row per chain, linking its report."""
    lines = [f"# {md(title)}", ""]
    if generated:
        lines += [md(generated), ""]
    lines += [
        "| " + " | ".join(INDEX_COLUMNS) + " |",
        "|" + "|".join(" --- " for _ in INDEX_COLUMNS) + "|",
    ]
    for e in _entries(reps):
        cells = [f"[{md(e.cells[0])}]({e.chain}.md)", *(md(c) for c in e.cells[1:])]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    return "\n".join(lines)


def index_html(reps: Sequence[ChainReport | IndexEntry], title: str, generated: str = "") -> str:
    """The index page as standalone HTML."""
    head = "".join(f"<th>{h(c)}</th>" for c in INDEX_COLUMNS)
    body = []
    for e in _entries(reps):
        first = f'<td><a href="{h(e.chain)}.html">{h(e.cells[0])}</a></td>'
        second = (
            f'<td>{h(e.cells[1])}<div class="bar"><i style="width:{e.ratio * 100:.0f}%"></i>'
            "</div></td>"
        )
        rest = "".join(f"<td>{h(c)}</td>" for c in e.cells[2:])
        body.append(f"<tr>{first}{second}{rest}</tr>")
    table = f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    intro = (
        "<p>每条产业链一页:产业链图谱、完整度、补链缺口、强链薄弱环节、延链方向、招商目标、"
        "链主排名与断链风险。覆盖 = 有本地企业的环节数 / 环节数。</p>"
    )
    header = f'<h1>{h(title)}</h1><div class="sub">产业链分析报告 Chain reports</div>'
    return _page(title, header, f"<section>{intro}{table}</section>", h(generated))


# --- writing ----------------------------------------------------------------------------

ViewWriter = Callable[..., list[Path]]


def find_view_writer(G: ChainGraph) -> ViewWriter:
    """:func:`chaingraph.views.write_chain_views` for the chains of G (imported on first use:
    views are optional per run, and a report without them needs no view code), with one
    :class:`chaingraph.views.Panels` of G shared by every chain's views: they draw many of
    the same firms, whose side-panel rows are then built once."""
    from functools import partial

    from .views import Panels, write_chain_views

    return partial(write_chain_views, panels=Panels(G))


VIEW_LABELS = {
    "panorama": "产业链全景图 (可打印)",
    "chain": "产业链网络图 (交互)",
    "gaps": "缺口与招商目标网络图 (交互)",
}


def view_label(path: Path) -> str:
    """A reader's label for a view file named ``<chain>.<view>.html``."""
    kind = path.stem.rpartition(".")[2]
    return VIEW_LABELS.get(kind, path.stem)


@dataclass
class _Job:
    """What every chain's pages need."""

    G: ChainGraph
    H: ChainGraph
    out: Path
    infer: bool
    index: GraphIndex
    writer: ViewWriter | None
    generated: str = ""  # the pages' line (generated_line), set by _write
    workbook: list[tuple[Row, list[Sheet]]] = field(default_factory=list)


def _chain_pages(job: _Job, cid: str) -> tuple[list[Path], IndexEntry]:
    """Write one chain's Markdown and HTML pages (and its views); return them and its row."""
    rep = build_chain_report(job.H, cid, infer=job.infer, index=job.index)
    if job.writer is not None:
        from .views import ChainFacts  # the views reuse this report's numbers, not redo them

        facts = ChainFacts(rep.map, rep.targets, rep.leaders.rows, rep.coverage.text_zh)
        for p in job.writer(job.G, cid, job.out, f"{cid}.html", facts):
            rel = Path(p).resolve().relative_to(job.out.resolve()).as_posix()
            rep.views.append((view_label(Path(p)), rel))
    md_path = job.out / f"{cid}.md"
    md_path.write_text(chain_markdown(rep, job.generated), encoding="utf-8")
    html_path = job.out / f"{cid}.html"
    html_path.write_text(chain_html(rep, job.generated), encoding="utf-8")
    job.workbook.append(chain_part(rep))
    return [md_path, html_path], index_entry(rep)


def write_report(
    G: ChainGraph,
    out_dir: str | Path,
    chains: Sequence[str] | None = None,
    infer: bool = False,
    title: str = "产业链分析报告",
    views: bool = True,
) -> list[Path]:
    """Write ``index.md``, ``index.html``, ``report.xlsx`` (see :mod:`chaingraph.report_workbook`)
    and ``<chain>.md`` / ``<chain>.html`` per chain.

    With ``infer`` the measures run on a copy of G with inferred supply links (labelled
    inferred everywhere). With ``views``, each chain page links the interactive views
    :func:`chaingraph.views.write_chain_views` writes beside it. The chains
    share one :class:`~chaingraph.analysis.GraphIndex` (one pass over the graph).
    Returns the written paths (index first).

    Every file is written into a hidden staging folder inside ``out_dir`` and renamed into
    place only when all are written, the index last (:mod:`chaingraph.atomic`): an
    interrupted run or a full disk leaves the previous report as it was.

    Examples
    --------
    >>> import networkx as nx, tempfile
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("c", kind="Chain", name="电池")
    >>> with tempfile.TemporaryDirectory() as d:
    ...     [p.name for p in write_report(G, d, views=False)]
    ['index.html', 'index.md', 'report.xlsx', 'c.md', 'c.html']
    """
    chain_ids = list(chains) if chains is not None else chains_of(G)
    H = with_inferred(G) if infer else G
    inferred = f";含推断供应关系 {count_inferred(H)} 条(标注 inferred)" if infer else ""
    writer = find_view_writer(G) if views else None
    index = SharedIndex(H)
    return _write(
        Path(out_dir),
        chain_ids,
        lambda stage, _cid: _Job(G, H, stage, infer, index, writer),
        title,
        inferred,
        lambda: G,
    )


def write_chain_reports(
    graph_of: Callable[[str], ChainGraph],
    chain_ids: Sequence[str],
    out_dir: str | Path,
    infer: bool = False,
    title: str = "产业链分析报告",
    views: bool = True,
) -> list[Path]:
    """Like :func:`write_report`, but each chain's pages come from ``graph_of(chain_id)``.

    For a store that should never be loaded whole (Neo4j): ``graph_of`` fetches what one
    chain's report reads (:meth:`~chaingraph.store.base.GraphStore.analysis_graph`: its
    subgraph and its candidate firms) and only one chain's graph is held at a time; the
    pages equal :func:`write_report`'s on the whole graph (tested). The workbook's 来源
    sheet lists the sources the chains cite. ``chaingraph report`` on a Neo4j store.
    """
    inferred = ";含推断供应关系(标注 inferred)" if infer else ""

    cited: ChainGraph = nx.MultiDiGraph()  # the Source nodes of every chain, for 来源

    def job_for(stage: Path, cid: str) -> _Job:
        G = graph_of(cid)
        cited.add_nodes_from((n, a) for n, a in G.nodes(data=True) if a.get("kind") == Kind.SOURCE)
        H = with_inferred(G, cid) if infer else G
        index = SharedIndex(H)
        writer = find_view_writer(G) if views else None  # G: this chain's graph only
        return _Job(G, H, stage, infer, index, writer)

    return _write(Path(out_dir), list(chain_ids), job_for, title, inferred, lambda: cited)


def generated_line(when: datetime | None, inferred: str = "") -> str:
    """The line saying who made a report and when, in Beijing time, then ``inferred`` (what
    it says about inferred links). The pages show when they were made
    (:func:`chaingraph.stamp.now`); the workbook only a pinned time
    (:func:`chaingraph.stamp.pinned`), so the same data gives the same file.

    >>> from datetime import UTC
    >>> generated_line(datetime(2024, 5, 1, 2, 30, tzinfo=UTC))
    'chaingraph 生成于 2024-05-01 10:30 北京时间'
    >>> generated_line(None, ";含推断供应关系 3 条(标注 inferred)")
    'chaingraph 生成(同一数据生成同一文件,故不记时间);含推断供应关系 3 条(标注 inferred)'
    """
    if when is None:
        return "chaingraph 生成(同一数据生成同一文件,故不记时间)" + inferred
    return f"chaingraph 生成于 {when.astimezone(BEIJING):%Y-%m-%d %H:%M} 北京时间" + inferred


def _write(
    out: Path,
    chain_ids: list[str],
    job_for: Callable[[Path, str], _Job],
    title: str,
    inferred: str,
    book_graph: Callable[[], ChainGraph],
) -> list[Path]:
    """Stage every chain's pages, the workbook and the index, then publish them, index last.

    ``job_for(stage, chain_id)`` gives the job of one chain (jobs share one workbook list);
    ``inferred`` what the generated line says about inferred links (:func:`generated_line`);
    ``book_graph()`` the graph whose Source nodes the workbook's 来源 sheet lists.
    """
    generated = generated_line(stamp.now(), inferred)
    workbook: list[tuple[Row, list[Sheet]]] = []
    with atomic.staging(out) as stage, WorkbookWriter(stage / WORKBOOK) as book:
        results = []
        overview: list[Row] = []
        chain_sheets: list[int] = []
        for cid in chain_ids:
            job = job_for(stage, cid)
            job.workbook, job.generated = workbook, generated
            results.append(_chain_pages(job, cid))
            job.index.end_chain()  # the chain's per-firm memos, before the next chain's
            # each chain's sheets go into the file now, so their rows are not all kept
            for row, sheets in workbook:
                overview.append(row)
                chain_sheets += [book.add(sheet) for sheet in sheets]
            workbook.clear()
            del job  # before the next chain's graph is fetched (chain by chain: one at a time)
        entries = [entry for _, entry in results]
        (stage / "index.html").write_text(index_html(entries, title, generated), "utf-8")
        (stage / "index.md").write_text(index_markdown(entries, title, generated), "utf-8")
        # 概览 first, the chains' sheets, then 来源 and 说明 (report_sheets' order)
        first, *rest = [
            book.add(sheet)
            for sheet in report_sheets(
                [(row, []) for row in overview],
                book_graph(),
                generated_line(stamp.pinned(), inferred),
            )
        ]
        book.close([first, *chain_sheets, *rest])
        atomic.publish(stage, out, last=["index.md", "index.html"])
    pages = [out / p.relative_to(stage) for paths, _ in results for p in paths]
    return [out / "index.html", out / "index.md", out / WORKBOOK, *pages]


__all__ = [
    "ChainReport",
    "build_chain_report",
    "chain_html",
    "chain_markdown",
    "index_html",
    "index_markdown",
    "write_chain_reports",
    "write_report",
]
