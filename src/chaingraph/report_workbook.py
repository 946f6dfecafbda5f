"""The report as an Excel workbook (report.xlsx): one sheet per question staff are asked.

Sheets: 概览 (every chain's coverage, gaps, leader, top gap, top targets); per chain 链图
(segments by tier with status and firms), 补链, 强链, 延链, 招商目标, 链主 (every score
component) and 断链风险; 来源 (every source: title, publisher, date, URL); 说明 (what each
number means). Headers are Chinese with the field name in parentheses; the data sheets hold
the very rows the library gives ``gaps`` / ``targets`` / ``leaders`` ``--format json`` (one
column per key, nested lists as names joined with 、, codes such as a status in words), so
the workbook and the CLI agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .analysis.classify import HOW_ZH
from .analysis.coverage import STATUS_ZH, round_share
from .analysis.leaders import COMPONENT_ZH, LEADER_WEIGHTS
from .analysis.targets import REGION_BASIS_ZH
from .model import TIER_LABEL_ZH, ChainGraph, Kind
from .workbook import CELL_CHARS, Column, Sheet

if TYPE_CHECKING:
    from .report import ChainReport

Row = dict[str, Any]

SHARE_FORMAT = "0.0%"

#: Chinese headers of the row keys the analysis functions return
HEADERS_ZH: dict[str, str] = {
    "chain": "产业链",
    "segment": "环节编号",
    "segment_name": "环节",
    "name": "名称",
    "tier": "层级",
    "status": "状态",
    "dependence": "依赖度",
    "dependents": "依赖它的本地企业",
    "local_firms": "本地企业",
    "external_firms": "外地企业",
    "external_known": "已知外地企业数",
    "pipeline": "待落地项目",
    "in_chains": "所属产业链",
    "marked_extension": "标注为延链",
    "fed_by": "上游环节",
    "feeds": "下游环节",
    "adjacent": "相邻环节数",
    "rank": "排名",
    "firm": "企业编号",
    "region": "地区",
    "region_basis": "地区依据",
    "stock_code": "股票代码",
    "score": "得分",
    "importance": "环节重要性",
    "known": "环节依据分",
    "tie": "与本区关联分",
    "distance": "距离分",
    "scale": "规模分",
    "how": "环节依据",
    "grade": "等级",
    "basis": "依据",
    "reason": "理由",
    "designated": "标注链主",
    "pull": "本地拉动",
    "local_suppliers": "本地供应商数",
    "inferred_suppliers": "推断供应商数",
    "attracted_firms": "带动企业数",
    "attracted_projects": "带动项目数",
    "attracted": "带动的企业和项目",
    "investment_yi": "投资额(亿元)",
    "reach": "供应网覆盖",
    "pagerank": "供应网中心度",
    "betweenness": "本地中介度",
    "leaver": "若离开",
    "effect": "影响",
    "item": "对象编号",
    "before": "之前",
    "after": "之后",
    "detail": "说明",
    "share": "占其销售",
}

#: the keys of each data sheet when it has no rows (so an empty sheet still has its header)
EMPTY_KEYS = {
    "补链": ["segment", "name", "tier", "dependence", "dependents", "local_firms"],
    "强链": ["segment", "name", "tier", "dependence", "dependents", "local_firms"],
    "延链": ["segment", "name", "tier", "fed_by", "feeds", "local_firms", "external_firms"],
    "招商目标": ["segment", "segment_name", "status", "rank", "firm", "name", "score", "reason"],
    "链主": ["rank", "firm", "name", "score"],
    "断链风险": ["leaver", "effect", "item", "name", "before", "after", "detail"],
}


#: the row keys whose values are codes, and the words a sheet shows for each code
VALUE_WORDS: dict[str, dict[str, str]] = {
    "status": STATUS_ZH,
    "region_basis": REGION_BASIS_ZH,
    "how": HOW_ZH,
}


def header(key: str) -> str:
    """The column header of a row key: Chinese, then the key, e.g. '依赖度 (dependence)'."""
    zh = HEADERS_ZH.get(key)
    return f"{zh} ({key})" if zh else key


def key_of(text: str) -> str:
    """The row key a :func:`header` stands for (the text in the last parentheses).

    >>> key_of(header("dependence")), key_of("other")
    ('dependence', 'other')
    """
    if text.endswith(")") and " (" in text:
        return text[text.rindex(" (") + 2 : -1]
    return text


def data_columns(rows: Sequence[Row], empty: Sequence[str] = ()) -> list[Column]:
    """One column per key of the rows (first seen first; keys starting with _ left out), a
    coded key's values shown in words (:data:`VALUE_WORDS`)."""
    keys: list[str] = []
    for row in rows:
        keys.extend(k for k in row if k not in keys and not k.startswith("_"))
    return [Column(k, header(k), words=VALUE_WORDS.get(k)) for k in (keys or list(empty))]


def data_sheet(title: str, rows: Sequence[Row]) -> Sheet:
    """A sheet of library rows under Chinese headers, coded values in words."""
    kind = title.rpartition("·")[2]
    return Sheet(title, list(rows), data_columns(rows, EMPTY_KEYS.get(kind, ())))


def _short(name: str) -> str:
    return name.removesuffix("产业链") or name


def _names(items: Sequence[Row]) -> str:
    """The names joined with 、; a list too long for one cell (a segment of 10^5 firms)
    keeps the names that fit whole and says how many there are: "…、X 等 N 家"."""
    names: list[str] = []
    size = -1  # the joined length so far (no 、 before the first name)
    for i in items:  # only until the cell is full: the rest are counted, not named
        name = str(i.get("name") or i.get("id") or "")
        size += len(name) + 1
        if size > CELL_CHARS:
            break
        names.append(name)
    else:
        return "、".join(names)
    tail = f" 等 {len(items)} 家"
    room = CELL_CHARS - len(tail)
    size, kept = 0, 0
    for name in names:
        grown = size + len(name) + (1 if kept else 0)
        if grown > room:
            break
        size, kept = grown, kept + 1
    return "、".join(names[:kept]) + tail


def overview_rows(reps: Sequence[ChainReport]) -> list[Row]:
    """概览: one row per chain (the same numbers as ``stats`` and the index page)."""
    rows = []
    for r in reps:
        cov = r.coverage
        top = r.leaders.rows[0] if r.leaders.rows and r.leaders.rows[0]["score"] > 0 else None
        found = [t for t in r.targets if t.get("firm")]
        rows.append(
            {
                "chain": r.chain,
                "name": r.name,
                "segments": cov.segments,
                "present": cov.present,
                "covered": cov.covered,
                "weak": cov.weak,
                "gap": cov.gap,
                "extension": cov.extension,
                "coverage": round_share(cov.ratio),
                "weighted": round_share(cov.weighted) if cov.weights_given else None,
                "local_firms": cov.local_firms,
                "external_firms": cov.external_firms,
                "projects": cov.projects,
                "leader": top["name"] if top else "",
                "top_gap": r.gaps[0]["name"] if r.gaps else "",
                "top_targets": "、".join(str(t["name"]) for t in found[:3]),
            }
        )
    return rows


OVERVIEW_COLUMNS = [
    Column("name", "产业链 (name)"),
    Column("segments", "环节数 (segments)"),
    Column("present", "有本地企业 (present)"),
    Column("covered", "已覆盖·两家及以上 (covered)"),
    Column("weak", "薄弱·仅一家 (weak)"),
    Column("gap", "缺口 (gap)"),
    Column("extension", "延链环节 (extension)"),
    Column("coverage", "覆盖率 (coverage)", SHARE_FORMAT),
    Column("weighted", "按权重覆盖率 (weighted)", SHARE_FORMAT),
    Column("local_firms", "本地企业 (local_firms)"),
    Column("external_firms", "外地企业 (external_firms)"),
    Column("projects", "项目 (projects)"),
    Column("leader", "链主·得分最高 (leader)"),
    Column("top_gap", "首要缺口 (top_gap)"),
    Column("top_targets", "首要招商目标 (top_targets)"),
]


def map_rows_zh(rep: ChainReport) -> list[Row]:
    """链图: the chain's segments by tier with status and who is in each, in Chinese."""
    names = {r["segment"]: r["name"] for r in rep.map}
    rows = []
    for r in rep.map:
        rows.append(
            {
                "tier": TIER_LABEL_ZH.get(r["tier"], r["tier"]),
                "segment": r["segment"],
                "name": r["name"],
                "status": STATUS_ZH.get(r["status"], r["status"]),
                "local_firms": _names(r["local_firms"]),
                "external_firms": _names(r["external_firms"]),
                "projects": "、".join(
                    p["name"] + (f"({p['amount']})" if p.get("amount") else "")
                    for p in r["projects"]
                ),
                "feeds": "、".join(names.get(s, s) for s in r["feeds"]),
            }
        )
    return rows


MAP_COLUMNS = [
    Column("tier", "层级 (tier)"),
    Column("segment", "环节编号 (segment)"),
    Column("name", "环节 (name)"),
    Column("status", "状态 (status)"),
    Column("local_firms", "本地企业 (local_firms)"),
    Column("external_firms", "外地企业 (external_firms)"),
    Column("projects", "项目 (projects)"),
    Column("feeds", "下游环节 (feeds)"),
]


EFFECT_ZH = {
    "coverage": "覆盖率",
    "leader": "链主",
    "segment": "环节",
    "customer": "本地客户(下游)",
    "supplier": "本地供应商(上游)",
    "project": "项目",
    "attracted": "其带动的企业",
}


def _impact_zh(row: Row) -> Row:
    """One impact row with its effect and statuses in Chinese (its detail already is: the
    words of :mod:`chaingraph.analysis.impact`)."""
    effect = str(row["effect"])
    out = dict(row) | {"effect": EFFECT_ZH.get(effect, effect)}
    if effect == "coverage":
        out["detail"] = f"变化 {row['detail']}"
    elif effect == "leader":
        out |= {"before": "标注链主", "after": "无"}
    elif effect == "segment":
        out["before"] = STATUS_ZH.get(str(row["before"]), row["before"])
        out["after"] = STATUS_ZH.get(str(row["after"]), row["after"])
    return out


def impact_rows(rep: ChainReport) -> list[Row]:
    """断链风险: the impact rows of each simulated leader (see ``Impact.rows``), with who
    leaves, effect, statuses and detail in Chinese."""
    return [{"leaver": imp.name} | _impact_zh(r) for imp in rep.impacts for r in imp.rows()]


def chain_sheets(rep: ChainReport) -> list[Sheet]:
    """The seven sheets of one chain."""
    short = _short(rep.name)
    return [
        Sheet(f"{short}·链图", map_rows_zh(rep), MAP_COLUMNS),
        data_sheet(f"{short}·补链", rep.gaps),
        data_sheet(f"{short}·强链", rep.weak),
        data_sheet(f"{short}·延链", rep.extension),
        data_sheet(f"{short}·招商目标", rep.targets),
        data_sheet(f"{short}·链主", rep.leaders.rows),
        data_sheet(f"{short}·断链风险", impact_rows(rep)),
    ]


SOURCE_COLUMNS = [
    Column("title", "标题 (title)"),
    Column("publisher", "发布者 (publisher)"),
    Column("published", "日期 (published)"),
    Column("url", "网址 (url)"),
    Column("authors", "作者 (authors)"),
    Column("id", "编号 (id)"),
]


def source_rows(G: ChainGraph) -> list[Row]:
    """来源: every Source node, by title."""
    rows = []
    for n, a in G.nodes(data=True):
        if a.get("kind") != Kind.SOURCE:
            continue
        published = a.get("published")
        rows.append(
            {
                "title": str(a.get("title") or a.get("name") or n),
                "publisher": a.get("publisher") or "",
                "published": "" if published is None else str(published),
                "url": a.get("url") or "",
                "authors": a.get("authors") or [],
                "id": n,
            }
        )
    return sorted(rows, key=lambda r: (r["title"], r["id"]))


def notes() -> list[tuple[str, str]]:
    """说明: what each number of the workbook means (formulas from the library's constants)."""
    leader = " + ".join(f"{w:.2f} {COMPONENT_ZH.get(k, k)}" for k, w in LEADER_WEIGHTS.items())
    return [
        (
            "环节状态",
            "已覆盖 = 两家及以上本地企业;薄弱 = 仅一家;缺口 = 没有本地企业;"
            "延链 = 可延伸的相邻环节,单独计数",
        ),
        ("有本地企业", "已覆盖 + 薄弱的环节数;本地企业直接属于该环节,或投资了属于该环节的项目"),
        ("覆盖率", "有本地企业的环节数 ÷ 环节数(延链环节不计);按权重覆盖率按环节权重计算"),
        (
            "依赖度",
            "Σ 下游依赖该环节的本地企业规模 w(f) ÷ 距离(FEEDS 步数);"
            "w(f) = 1 + log10(1 + 产值或投资额 ÷ 1亿元)",
        ),
        ("招商目标得分", "环节重要性 + 环节依据 + 与本区关联 + 距离 + 规模,各部分单独成列"),
        ("链主得分", f"100 × ({leader}),各项除以本链候选企业中的最大值"),
        (
            "断链风险",
            "模拟得分最高的链主离开:覆盖率变化、失去本地企业的环节、断供的本地客户(下游)、"
            "失去唯一或主要本地客户的供应商(上游)",
        ),
        (
            "等级",
            "sourced = 有来源原文;template = 产业链结构常识;inferred = 本工具推断,不写入数据集",
        ),
    ]


def chain_part(rep: ChainReport) -> tuple[Row, list[Sheet]]:
    """What one chain adds to the workbook: its 概览 row and its sheets (built as each chain
    is reported, so the reports need not be kept)."""
    return overview_rows([rep])[0], chain_sheets(rep)


def report_sheets(
    parts: Sequence[tuple[Row, list[Sheet]]], G: ChainGraph, generated: str = ""
) -> list[Sheet]:
    """Every sheet of report.xlsx, in order (see the module doc), from :func:`chain_part` s."""
    sheets = [Sheet("概览", [row for row, _ in parts], OVERVIEW_COLUMNS)]
    for _, more in parts:
        sheets += more
    sheets.append(Sheet("来源", source_rows(G), SOURCE_COLUMNS))
    rows = [{"term": t, "meaning": m} for t, m in notes()]
    if generated:
        rows.append({"term": "生成", "meaning": generated})
    sheets.append(
        Sheet("说明", rows, [Column("term", "名词 (term)"), Column("meaning", "含义 (meaning)")])
    )
    return sheets
