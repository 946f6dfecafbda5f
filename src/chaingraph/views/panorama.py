"""The chain panorama (产业链全景图): one static page a director reads at a glance.

Columns 上游 / 中游 / 下游 in FEEDS order, one box per segment coloured by its status
(the library's one definition: :func:`chaingraph.analysis.coverage.chain_map`), the local
firms written inside, the chain leader marked, and under every gap or weak box the top
招商目标 from :func:`chaingraph.analysis.targets.rank_targets`. Plain HTML and CSS: no
script, no physics, no request; it fits a 1366×768 screen and prints on one A4 landscape
page. Every string from the data is escaped.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..analysis.targets import FROM_NAME
from ..model import TIER_LABEL_ZH, TIER_ORDER, ChainGraph
from .build import ChainFacts, chain_facts

#: names written inside a box before "等 N 家"
FIRMS_PER_BOX = 4
#: targets listed under a gap or weak box
TARGETS_PER_BOX = 3
#: boxes stacked in one column before a tier takes a second column
ROWS_MIN = 3

#: status -> (label, background, border, dashed)
STATUS_STYLE: dict[str, tuple[str, str, str, bool]] = {
    "covered": ("已覆盖 (两家及以上本地企业)", "#e8f5e9", "#2e7d32", False),
    "present": ("有本地企业", "#f1f8e9", "#689f38", False),
    "weak": ("薄弱 (仅一家本地企业)", "#fff3e0", "#ef6c00", False),
    "gap": ("缺口 (无本地企业)", "#ffebee", "#c62828", True),
    "extension": ("延链环节", "#e3f2fd", "#1565c0", True),
}
_SHORT = {
    "covered": "已覆盖",
    "present": "有本地",
    "weak": "薄弱",
    "gap": "缺口",
    "extension": "延链",
}
_OTHER = ("其他", "#f5f5f5", "#757575", False)


@dataclass
class Box:
    """One segment's box."""

    segment: str
    name: str
    tier: str
    status: str
    local: list[str]  # names, leader first
    local_total: int
    leaders: list[str]  # names of local firms in this box that lead the chain
    external_total: int
    targets: list[str]  # "name (region)" of the top targets


@dataclass
class Panorama:
    """Everything the panorama page shows (built by :func:`build_panorama`)."""

    chain: str
    title: str
    coverage: str
    leaders: list[str]
    columns: list[tuple[str, list[list[Box]]]]  # (tier label, sub-columns of boxes)
    counts: dict[str, int] = field(default_factory=dict)
    report_href: str = ""


def _leader_ids(rows: list[dict[str, Any]]) -> list[str]:
    """Designated leaders (LEADS), else the best-ranked firm if it scores above 0."""
    found = [str(r["firm"]) for r in rows if r.get("designated")]
    if not found and rows and float(rows[0].get("score") or 0) > 0:
        found = [str(rows[0]["firm"])]
    return found


def _targets_by_segment(rows: list[dict[str, Any]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for row in rows:
        firm = str(row.get("firm") or "")
        if not firm:
            continue
        name = str(row.get("name") or firm)
        # the boxes are small: only a region the data gives, not one inferred from the name
        region = str(row.get("region") or "") if row.get("region_basis") != FROM_NAME else ""
        text = f"{name} ({region})" if region else name
        if "inferred" in str(row.get("grade") or ""):
            text += "(推断)"  # known by products or industry only, see analysis.classify
        for seg in row.get("segments") or [row.get("segment")]:
            listed = out.setdefault(str(seg), [])
            if len(listed) < TARGETS_PER_BOX and text not in listed:
                listed.append(text)
    return out


def _rows_per_column(counts: list[int]) -> int:
    """Boxes per sub-column: the largest tier takes at most two sub-columns."""
    return max(ROWS_MIN, math.ceil(max(counts, default=0) / 2))


def build_panorama(
    G: ChainGraph, chain_id: str, report_href: str = "", facts: ChainFacts | None = None
) -> Panorama:
    """Gather the panorama of one chain (raises UnknownEntity for an unknown chain).

    ``facts``: the chain's analysis when already computed (the report passes its own),
    else computed here (:func:`chaingraph.views.build.chain_facts`).

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("c", kind="Chain", name="电池")
    >>> G.add_node("cell", kind="Segment", name="电芯", tier="midstream")
    >>> G.add_node("byd", kind="Firm", name="比亚迪", local=True)
    >>> _ = G.add_edge("c", "cell", key="HAS_SEGMENT")
    >>> _ = G.add_edge("byd", "cell", key="IN_SEGMENT")
    >>> _ = G.add_edge("byd", "c", key="LEADS")
    >>> p = build_panorama(G, "c")
    >>> [(b.name, b.status, b.local, b.leaders) for _, cols in p.columns for c in cols for b in c]
    [('电芯', 'weak', ['比亚迪'], ['比亚迪'])]
    """
    if facts is None:
        facts = chain_facts(G, chain_id)
    rows = facts.map
    leader_ids = _leader_ids(facts.leaders)
    targets = _targets_by_segment(facts.targets)
    boxes: dict[str, list[Box]] = {}
    counts: dict[str, int] = {}
    for r in rows:
        firms = list(r["local_firms"])
        firms.sort(key=lambda f: f["id"] not in leader_ids)  # leader first, else size order
        names = [str(f["name"]) for f in firms]
        leads = [str(f["name"]) for f in firms if f["id"] in leader_ids]
        status = str(r["status"])
        counts[status] = counts.get(status, 0) + 1
        box = Box(
            segment=str(r["segment"]),
            name=str(r["name"]),
            tier=str(r["tier"]),
            status=status,
            local=names[:FIRMS_PER_BOX],
            local_total=len(names),
            leaders=leads,
            external_total=len(r["external_firms"]),
            targets=targets.get(str(r["segment"]), []) if status in ("gap", "weak") else [],
        )
        boxes.setdefault(box.tier, []).append(box)
    tiers = sorted(boxes, key=lambda t: (TIER_ORDER.get(t, 9), t))
    per_col = _rows_per_column([len(boxes[t]) for t in tiers])
    columns = []
    for t in tiers:
        items = boxes[t]  # chain_map order: FEEDS order inside the tier
        subs = [items[i : i + per_col] for i in range(0, len(items), per_col)]
        columns.append((TIER_LABEL_ZH.get(t, t), subs))
    name = str(G.nodes[chain_id].get("name") or chain_id)
    return Panorama(
        chain=chain_id,
        title=f"{name} · 产业链全景图",
        coverage=facts.coverage,
        leaders=[str(G.nodes[f].get("name") or f) for f in leader_ids],
        columns=columns,
        counts=counts,
        report_href=report_href,
    )


def _h(text: object) -> str:
    return html.escape(str(text), quote=True)


CSP = "; ".join(
    [
        "default-src 'none'",
        "script-src 'none'",
        "style-src 'unsafe-inline'",
        "img-src data:",
        "connect-src 'none'",
        "form-action 'none'",
        "base-uri 'none'",
    ]
)

_CSS = """
:root { --cjk: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC",
  sans-serif; }
* { box-sizing: border-box; }
html, body { margin: 0; font-family: var(--cjk); color: #1f2933; background: #fff; }
body { padding: 10px 16px; font-size: 13px; }
header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 4px 18px; }
h1 { font-size: 20px; margin: 0; }
.sub { color: #455a64; font-size: 13px; }
.back { font-size: 13px; color: #1565c0; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 14px; margin: 6px 0 8px; font-size: 12px; }
.legend span.sw { display: inline-block; width: 14px; height: 11px; margin-right: 4px;
  vertical-align: -1px; border: 2px solid; }
.grid { display: grid; gap: 8px 10px; align-items: start; }
.tier { font-size: 15px; font-weight: 700; text-align: center; padding: 3px 0;
  background: #eceff1; border-radius: 3px; }
.tier .arrow { color: #78909c; font-weight: 400; }
.col { display: flex; flex-direction: column; gap: 8px; min-width: 0; }
.box { border: 2px solid; border-radius: 5px; padding: 4px 7px 5px; min-width: 0;
  break-inside: avoid; }
.box.dashed { border-style: dashed; }
.box h2 { font-size: 14px; margin: 0 0 2px; display: flex; justify-content: space-between;
  gap: 6px; overflow-wrap: anywhere; }
.box h2 .st { font-size: 11px; font-weight: 400; white-space: nowrap; padding: 0 4px;
  border-radius: 3px; background: rgba(255,255,255,0.8); }
.box p { margin: 1px 0; font-size: 12px; line-height: 1.4; overflow-wrap: anywhere; }
.box .none { color: #78909c; }
.box .lead { font-weight: 700; color: #b71c1c; }
.box .targets { margin-top: 3px; padding-top: 2px; border-top: 1px dotted #c62828; }
.box .targets b { color: #c62828; }
footer { margin-top: 8px; color: #607d8b; font-size: 11px; }
@media print {
  @page { size: A4 landscape; margin: 7mm; }
  body { padding: 0; font-size: 10px; }
  .back { display: none; }
  h1 { font-size: 16px; }
  .grid { gap: 5px 6px; }
  .col { gap: 5px; }
  .box h2 { font-size: 11px; }
  .box p { font-size: 9.5px; line-height: 1.3; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""


def _box_html(b: Box) -> str:
    label, bg, border, dashed = STATUS_STYLE.get(b.status, _OTHER)
    cls = "box dashed" if dashed else "box"
    parts = [
        f'<div class="{cls}" data-segment="{_h(b.segment)}" data-status="{_h(b.status)}" '
        f'style="background:{bg};border-color:{border}">',
        f'<h2><span>{_h(b.name)}</span><span class="st">{_h(_SHORT.get(b.status, b.status))}'
        "</span></h2>",
    ]
    if b.local:
        names = [
            f'<span class="lead">★{_h(n)} (链主)</span>' if n in b.leaders else _h(n)
            for n in b.local
        ]
        more = f" 等 {b.local_total} 家" if b.local_total > len(b.local) else ""
        parts.append(f"<p>本地: {'、'.join(names)}{_h(more)}</p>")
    else:
        parts.append('<p class="none">本地: 无</p>')
    if b.status in ("gap", "weak"):
        if b.targets:
            parts.append(
                f'<p class="targets"><b>招商目标:</b> {"、".join(_h(t) for t in b.targets)}</p>'
            )
        else:
            parts.append('<p class="targets none">招商目标: 数据中暂无外部企业</p>')
    elif b.external_total:
        parts.append(f'<p class="none">已知外部企业 {b.external_total} 家</p>')
    parts.append("</div>")
    return "".join(parts)


def render_panorama(p: Panorama) -> str:
    """The panorama page as a string: static HTML, no script, everything escaped.

    Examples
    --------
    >>> page = render_panorama(Panorama("c", "<b>链</b>", "", [], []))
    >>> "<title>&lt;b&gt;链&lt;/b&gt;</title>" in page and "<script" not in page
    True
    """
    n_cols = sum(len(subs) for _, subs in p.columns) or 1
    head: list[str] = []
    body: list[str] = []
    for i, (tier, subs) in enumerate(p.columns):
        arrow = ' <span class="arrow">→</span>' if i < len(p.columns) - 1 else ""
        head.append(
            f'<div class="tier" style="grid-column: span {len(subs)}">{_h(tier)}{arrow}</div>'
        )
        for col in subs:
            body.append('<div class="col">' + "".join(_box_html(b) for b in col) + "</div>")
    legend = []
    for key, (label, bg, border, dashed) in STATUS_STYLE.items():
        style = f"background:{bg};border-color:{border}" + (
            ";border-style:dashed" if dashed else ""
        )
        count = p.counts.get(key, 0)
        legend.append(f'<span><span class="sw" style="{style}"></span>{_h(label)} {count}</span>')
    legend.append('<span><span class="lead">★</span> 链主企业</span>')
    lead = "链主: " + "、".join(p.leaders) if p.leaders else "链主: 数据中未标注"
    back = f'<a class="back" href="{_h(p.report_href)}">← 返回报告</a>' if p.report_href else ""
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{html.escape(CSP, quote=False)}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="generator" content="chaingraph">'
        f"<title>{_h(p.title)}</title><style>{_CSS}</style></head><body>"
        f'<header><h1>{_h(p.title)}</h1><span class="sub">{_h(p.coverage)}; {_h(lead)}</span>'
        f"{back}</header>"
        f'<div class="legend">{"".join(legend)}</div>'
        f'<main class="grid" style="grid-template-columns: repeat({n_cols}, minmax(0, 1fr))">'
        f"{''.join(head)}{''.join(body)}</main>"
        "<footer>方框颜色按环节状态 (本地企业数); 缺口与薄弱环节下列出排名靠前的招商目标; "
        "上游在左, 下游在右, 同层按供给顺序。</footer>"
        "</body></html>\n"
    )


def write_panorama(
    G: ChainGraph,
    chain_id: str,
    path: str | Path,
    report_href: str = "",
    facts: ChainFacts | None = None,
) -> Path:
    """Write the panorama page of a chain to ``path`` (parent folders created)."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    page = render_panorama(build_panorama(G, chain_id, report_href, facts))
    out.write_text(page, encoding="utf-8", newline="\n")
    return out


def panorama_dict(p: Panorama) -> dict[str, Any]:
    """The panorama as JSON-ready data (for tests and other writers)."""
    return {
        "chain": p.chain,
        "title": p.title,
        "coverage": p.coverage,
        "leaders": p.leaders,
        "columns": [
            {"tier": tier, "boxes": [b.__dict__ for col in subs for b in col]}
            for tier, subs in p.columns
        ],
    }
