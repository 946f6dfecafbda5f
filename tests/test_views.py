"""Views without a browser: view data, layouts, aggregation, the page text and the CLI."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import networkx as nx
import pytest
from click.testing import Result
from hypothesis import given
from hypothesis import strategies as st

from chaingraph.model import ChainGraph
from chaingraph.views import (
    chain_view,
    ego_view,
    gaps_view,
    graph_view,
    render_html,
    write_chain_views,
    write_html,
)
from chaingraph.views.build import fold_members, leader_scores
from chaingraph.views.html import safe_json
from chaingraph.views.layout import force_layout, tiered_layout
from conftest import SHENGZHOU

Run = Callable[..., Result]

XSS_IMG = '<img src=x onerror="window.__pwned=1;alert(1)">'
XSS_SCRIPT = "</script><script>window.__pwned=2;alert(2)</script>"
XSS_QUOTES = "\"'\\ \\u003c/script> ${x} `&amp; \u2028 {{DATA}}"
QUOTE = "新能源装备“万亩千亿”产业平台的龙头企业——比亚迪"


def cite(quote: str) -> list[dict[str, str]]:
    return [{"source": "article", "quote": quote}]


def sample_graph() -> ChainGraph:
    """A small chain with one gap, one weak and one covered segment, and hostile names."""
    G: ChainGraph = nx.MultiDiGraph()
    G.graph["title"] = "测试图谱 " + XSS_SCRIPT
    G.add_node("article", kind="Source", name="文章", title="嵊州开发区介绍 " + XSS_IMG)
    G.add_node("zone", kind="Zone", name="嵊州经济开发区", grade="template")
    G.add_node("plat", kind="Platform", name="新能源装备平台", grade="template")
    G.add_node("ne", kind="Chain", name="新能源装备产业链" + XSS_SCRIPT, grade="template")
    segs = {
        "cathode": ("正极材料", "upstream"),
        "foil": ("集流体", "upstream"),
        "cell": ("电芯", "midstream"),
        "pack": ("电池包", "downstream"),
        "recycle": ("电池回收", "downstream"),
    }
    for sid, (name, tier) in segs.items():
        G.add_node(sid, kind="Segment", name=name, tier=tier, grade="template")
        G.add_edge("ne", sid, key="HAS_SEGMENT", rel="HAS_SEGMENT", grade="template")
    G.nodes["recycle"]["extension"] = True
    for u, v in [("cathode", "cell"), ("foil", "cell"), ("cell", "pack"), ("pack", "recycle")]:
        G.add_edge(u, v, key="FEEDS", rel="FEEDS", grade="template")
    firms = {
        "byd": {
            "name": "比亚迪",
            "aliases": ["BYD", "比亚迪股份"],
            "local": True,
            "sources": cite(QUOTE),
        },
        "xss-img": {
            "name": XSS_IMG,
            "aliases": [XSS_SCRIPT],
            "local": True,
            "sources": cite(XSS_IMG),
        },
        "hanke": {"name": "汉科新材料", "local": True, "output_cny": 3e8, "grade": "template"},
        "xss-quotes": {"name": XSS_QUOTES, "local": False, "region": XSS_IMG, "grade": "template"},
    }
    for fid, attrs in firms.items():
        G.add_node(fid, kind="Firm", **attrs)
    for f, s in [
        ("byd", "cell"),
        ("xss-img", "cell"),
        ("hanke", "foil"),
        ("xss-quotes", "cathode"),
    ]:
        G.add_edge(f, s, key="IN_SEGMENT", rel="IN_SEGMENT", grade="template")
    G.add_node("p1", kind="Project", name="比亚迪电池基地", amount_cny=1.3e10, grade="template")
    G.add_edge("p1", "cell", key="IN_SEGMENT", rel="IN_SEGMENT", grade="template")
    G.add_edge("byd", "p1", key="INVESTS_IN", rel="INVESTS_IN", grade="template")
    G.add_edge("byd", "ne", key="LEADS", rel="LEADS", sources=cite(QUOTE))
    G.add_edge("plat", "ne", key="HOSTS", rel="HOSTS", grade="template")
    G.add_edge("plat", "zone", key="LOCATED_IN", rel="LOCATED_IN", grade="template")
    G.add_edge("hanke", "byd", key="SUPPLIES", rel="SUPPLIES", product="铜箔", grade="template")
    G.add_edge(
        "xss-quotes", "byd", key="SUPPLIES", rel="SUPPLIES", product=XSS_IMG, grade="inferred"
    )
    return G


def drawable(G: ChainGraph) -> set[str]:
    return {n for n, a in G.nodes(data=True) if a.get("kind") != "Source"}


# --- view data ------------------------------------------------------------------------------


def test_chain_view_marks_gap_weak_and_extension_segments() -> None:
    v = chain_view(sample_graph(), "ne")
    flags = {n["id"]: n["flag"] for n in v.nodes}
    assert flags["cathode"] == "gap"  # only an external firm
    assert flags["foil"] == "weak"  # one local firm
    assert flags["cell"] is None  # two local firms: covered
    assert flags["pack"] == "gap"
    assert flags["recycle"] == "ext"
    labels = {n["id"]: n["label"] for n in v.nodes}
    assert labels["cathode"].endswith("【缺口】") and labels["foil"].endswith("【薄弱】")


def test_chain_view_lays_tiers_out_left_to_right_and_firms_by_their_segment() -> None:
    v = chain_view(sample_graph(), "ne")
    x = {n["id"]: n["x"] for n in v.nodes}
    y = {n["id"]: n["y"] for n in v.nodes}
    assert max(x["cathode"], x["foil"]) < x["cell"] < x["pack"]
    assert abs(x["hanke"] - x["foil"]) < 100 and y["hanke"] > y["foil"]
    assert len({(n["x"], n["y"]) for n in v.nodes}) == len(v.nodes)  # no two on one spot


def test_chain_view_folds_a_crowded_segment_and_keeps_local_firms() -> None:
    G = sample_graph()
    for i in range(60):
        G.add_node(f"x{i}", kind="Firm", name=f"外地{i}", local=False, grade="template")
        G.add_edge(f"x{i}", "cell", key="IN_SEGMENT", rel="IN_SEGMENT", grade="template")
        G.add_edge(f"x{i}", f"x{i}-customer", key="SUPPLIES", rel="SUPPLIES", grade="template")
        G.nodes[f"x{i}-customer"].update(kind="Firm", name="客户", local=False, grade="template")
    v = chain_view(G, "ne", per_segment=10)
    in_cell = [e["from"] for e in v.edges if e["to"] == "cell" and e["rel"] == "IN_SEGMENT"]
    assert len(in_cell) == 10
    assert {"byd", "xss-img", "p1", "more:cell"} <= set(in_cell)  # local firms first
    more = next(n for n in v.nodes if n["id"] == "more:cell")
    assert more["name"] == "其余 54 家" and more["style"] == "more" and more["kind"] == "Group"
    assert "「其余 N 家」" in v.notice  # the chain view says it folded
    ids = {n["id"] for n in v.nodes}
    assert sum(1 for i in ids if i.endswith("-customer")) == 6  # only shown firms' customers


def test_chain_view_leaves_source_nodes_out_but_quotes_them_with_titles() -> None:
    G = sample_graph()
    v = chain_view(G, "ne")
    assert "article" not in {n["id"] for n in v.nodes}
    assert v.omitted == 1
    byd = next(n for n in v.nodes if n["id"] == "byd")
    assert byd["src"] == [["嵊州开发区介绍 " + XSS_IMG, QUOTE]]


def test_gaps_view_shows_gap_and_weak_segments_with_targets() -> None:
    v = gaps_view(sample_graph(), "ne")
    ids = {n["id"] for n in v.nodes}
    assert {"cathode", "foil", "pack", "xss-quotes", "hanke"} <= ids
    assert "recycle" in ids  # context: FEEDS from a gap segment
    target = next(n for n in v.nodes if n["id"] == "xss-quotes")
    assert "推荐理由" in [row[0] for row in target["info"]]  # the analysis' 招商目标 reason


def test_gaps_view_draws_inferred_candidates_beside_their_segment() -> None:
    G = sample_graph()
    G.nodes["cathode"]["sw_industries"] = ["电池化学品"]
    G.nodes["cathode"]["keywords"] = ["正极"]
    outside = G.copy()
    outside.add_node("chem", kind="Firm", name="某化学", local=False, sw_l3="电池化学品")
    outside.add_node("far", kind="Firm", name="某正极", local=False, products=["正极材料"])
    v = gaps_view(G, "ne", outside=outside)
    by_id = {n["id"]: n for n in v.nodes}
    assert by_id["chem"]["style"] == "candidate" and by_id["far"]["style"] == "candidate"
    assert by_id["xss-quotes"]["style"] == "external"  # stated: drawn as before
    info = {row[0]: row[1] for row in by_id["chem"]["info"]}
    assert info["归入依据"] == "申万三级:电池化学品"
    links = {(e["from"], e["to"]) for e in v.edges}
    assert ("chem", "cathode") in links and ("far", "cathode") in links
    assert "candidate" in [m["key"] for m in v.to_dict()["marks"]]


def test_ego_view_centres_the_firm() -> None:
    v = ego_view(sample_graph(), "byd")
    assert v.focus == "byd"
    assert next(n for n in v.nodes if n["id"] == "byd")["flag"] == "center"


def test_ego_view_folds_all_but_the_centre_when_too_large() -> None:
    v = ego_view(sample_graph(), "byd", aggregate_over=2)
    ids = {n["id"] for n in v.nodes}
    assert "byd" in ids and "hanke" not in ids and "xss-img" not in ids
    assert "超过可清晰绘制的 2 家" in v.notice and "点击" in v.notice
    assert "chaingraph" not in v.notice and "--" not in v.notice  # what to click, no CLI
    assert {"hanke", "xss-img"} <= {m["id"] for m in v.members}  # still findable


def test_unknown_chain_raises() -> None:
    from chaingraph.errors import UnknownEntity

    with pytest.raises(UnknownEntity, match="'byd'"):
        chain_view(sample_graph(), "byd")


def test_all_view_folds_by_firm_count_and_keeps_firms_findable() -> None:
    G: ChainGraph = nx.MultiDiGraph()
    G.add_node("s", kind="Segment", name="电芯", tier="midstream")
    G.add_node("t", kind="Segment", name="隔膜", tier="upstream")
    for i in range(40):
        G.add_node(f"f{i}", kind="Firm", name=f"厂{i}", local=i % 2 == 0)
        G.add_edge(f"f{i}", "s" if i < 30 else "t", key="IN_SEGMENT", rel="IN_SEGMENT")
    full = graph_view(G)  # 42 nodes, 40 firms: under the firm limit, nothing folded
    assert full.notice == "" and len(full.nodes) == 42 and full.members == []
    folded = graph_view(G, aggregate_over=20)  # 10 per segment: firms stay, the rest grouped
    firms = [n for n in folded.nodes if n["kind"] == "Firm"]
    assert len(firms) == 9 + 10  # segment t has exactly 10: not folded
    in_s = {e["from"] for e in folded.edges if e["to"] == "s"} - {"more:s"}
    assert in_s <= {f"f{i}" for i in range(0, 30, 2)}  # local firms first
    groups = [n for n in folded.nodes if n["kind"] == "Group"]
    assert [g["name"] for g in groups] == ["其余 21 家"]
    assert groups[0]["grade"] == "group" and groups[0]["style"] == "more"
    assert {m["id"] for m in folded.members} | {n["id"] for n in firms} == set(G) - {"s", "t"}
    assert {m["group"] for m in folded.members} == {"more:s"}
    assert "超过可清晰绘制" not in folded.notice and "「其余 N 家」" in folded.notice
    assert "搜索" in folded.notice and "chaingraph" not in folded.notice


def test_all_view_folds_every_firm_when_most_have_no_segment() -> None:
    G = sample_graph()
    folded = graph_view(G, aggregate_over=2)
    kinds = {n["kind"] for n in folded.nodes}
    assert "Firm" not in kinds and "Project" not in kinds
    cell = next(n for n in folded.nodes if n["id"] == "cell")
    assert cell["flag"] == "agg" and ["并入数量", "3"] in cell["info"]
    assert "byd" in {m["id"] for m in folded.members}


def test_fold_members_turns_firm_edges_into_counted_segment_edges() -> None:
    H, flags = fold_members(sample_graph())
    assert H.has_edge("foil", "cell", "SUPPLIES")  # hanke (foil) supplies byd (cell)
    assert H.edges["cathode", "cell", "SUPPLIES"]["grade"] == "inferred"  # weakest grade wins
    assert H.has_edge("foil", "cell", "FEEDS")  # segment links kept with their data
    assert flags == {"cell": "agg", "foil": "agg", "cathode": "agg"}


def test_leader_score_is_the_reports_score() -> None:
    from chaingraph.analysis.leaders import rank_leaders

    G = sample_graph()
    scored = leader_scores(G)
    assert "链主得分" in scored.note
    assert max(scored.size, key=lambda k: scored.size[k]) == "byd" and scored.size["byd"] == 1.0
    best = rank_leaders(G, "ne").rows[0]
    assert scored.raw[best["firm"]] == best["score"]
    row = next(n for n in chain_view(G, "ne").nodes if n["id"] == best["firm"])
    assert ["链主得分", f"{best['score']:g}"] in row["info"]


def test_force_layout_is_deterministic_and_spread() -> None:
    G: ChainGraph = nx.relabel_nodes(nx.MultiDiGraph(nx.path_graph(30)), str)
    a, b = force_layout(G), force_layout(G)
    assert a == b
    xs = [p[0] for p in a.values()]
    assert max(xs) - min(xs) > 300


def test_tiered_layout_survives_a_feeds_cycle() -> None:
    G: ChainGraph = nx.MultiDiGraph()
    for s in "ab":
        G.add_node(s, kind="Segment", tier="midstream")
    G.add_edge("a", "b", key="FEEDS")
    G.add_edge("b", "a", key="FEEDS")
    assert set(tiered_layout(G, ["a", "b"])) == {"a", "b"}


# --- the page -------------------------------------------------------------------------------


def test_page_is_self_contained_and_payloads_never_appear_raw(tmp_path: Path) -> None:
    page = render_html(chain_view(sample_graph(), "ne"))
    assert page.count("</script>") == 3  # data, vis-network, the page script
    assert "<img src=x" not in page and "<script><" not in page
    assert not re.search(r"<(link|iframe|img|object|embed)\b", page)
    assert not re.search(r"<script[^>]*\bsrc=", page)
    assert "@import" not in page and "url(http" not in page
    assert "default-src 'none'" in page
    title = re.search(r"<title>(.*)</title>", page)
    assert title and "&lt;/script&gt;" in title.group(1)


def test_page_data_round_trips() -> None:
    view = chain_view(sample_graph(), "ne")
    page = render_html(view)
    raw = re.search(r'<script type="application/json" id="cg-data">(.*?)</script>', page, re.S)
    assert raw
    data = json.loads(raw.group(1))
    assert data["title"] == view.title
    assert set(data["nodes"]["dense"]["name"]) >= {XSS_IMG, XSS_QUOTES, "比亚迪"}
    # an edge's ends as positions among the nodes, repeating values once each
    ids = data["nodes"]["dense"]["id"]
    ends = data["edges"]["dense"]["from"]["nodes"]
    assert [ids[i] for i in ends] == [e["from"] for e in view.edges]
    rel = data["edges"]["dense"]["rel"]
    assert [rel["values"][i] for i in rel["codes"]] == [e["rel"] for e in view.edges]
    assert len(rel["values"]) == len({e["rel"] for e in view.edges})


@given(st.text())
def test_safe_json_cannot_close_a_script(text: str) -> None:
    out = safe_json({"s": text})
    assert not re.search("[<>&\u2028\u2029]", out)
    assert json.loads(out) == {"s": text}


def test_write_html_is_utf8_and_writes_nothing_else(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    out = write_html(chain_view(sample_graph(), "ne"), "sub/chain.html")
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == [
        "sub",
        "sub/chain.html",
    ]
    assert "比亚迪".encode() in out.read_bytes()


def test_write_chain_views_writes_three_pages_linking_back(tmp_path: Path) -> None:
    paths = write_chain_views(sample_graph(), "ne", tmp_path / "views", report_href="ne.html")
    assert [p.name for p in paths] == ["ne.panorama.html", "ne.chain.html", "ne.gaps.html"]
    assert all(p.stat().st_size > 100_000 for p in paths[1:])  # vis-network inlined
    assert all('"reportHref":"ne.html"' in p.read_text(encoding="utf-8") for p in paths[1:])
    assert 'href="ne.html"' in paths[0].read_text(encoding="utf-8")


# --- the command ----------------------------------------------------------------------------


def test_view_chain_by_name(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "c.html"
    result = run("view", "chain", "新能源装备产业链", "-o", str(out), store=SHENGZHOU)
    assert result.exit_code == 0, result.output
    assert result.stderr == f"Wrote {out}\n" and result.stdout == ""
    assert "比亚迪" in out.read_text(encoding="utf-8")


def _page_data(path: Path) -> dict[str, object]:
    page = path.read_text(encoding="utf-8")
    raw = re.search(r'<script type="application/json" id="cg-data">(.*?)</script>', page, re.S)
    assert raw
    data: dict[str, object] = json.loads(raw.group(1))
    return data


def test_view_chain_draws_the_reports_chain_page(run: Run, tmp_path: Path) -> None:
    # one path to a chain's numbers: the standalone page is the report's, link back aside
    cid = "new-energy-equipment"
    result = run("report", "--out", str(tmp_path / "out"), "--chain", cid, store=SHENGZHOU)
    assert result.exit_code == 0, result.output
    result = run("view", "chain", cid, "-o", str(tmp_path / "c.html"), store=SHENGZHOU)
    assert result.exit_code == 0, result.output
    report = _page_data(tmp_path / "out" / f"{cid}.chain.html")
    alone = _page_data(tmp_path / "c.html")
    assert report.pop("reportHref") == f"{cid}.html" and alone.pop("reportHref") == ""
    assert alone == report
    assert "本链链主得分" in str(alone["sizeBy"])


@pytest.mark.parametrize(
    ("args", "name"),
    [
        (["gaps", "new-energy-equipment"], "new-energy-equipment.gaps.html"),
        (["firm", "比亚迪", "--depth", "2"], "byd.html"),
        (["all"], "graph.html"),
    ],
)
def test_view_commands_default_file_names(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], name: str
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("view", *args, store=SHENGZHOU)
    assert result.exit_code == 0, result.output
    assert (tmp_path / name).is_file()
    assert [p.name for p in tmp_path.iterdir()] == [name]


def test_view_all_aggregates_on_request(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "all.html"
    result = run("view", "all", "--aggregate-over", "3", "-o", str(out), store=SHENGZHOU)
    assert result.exit_code == 0, result.output
    assert "已全部并入所属环节" in out.read_text(encoding="utf-8")


def test_view_chain_of_a_firm_is_an_error(run: Run, tmp_path: Path) -> None:
    result = run("view", "chain", "比亚迪", "-o", str(tmp_path / "x.html"), store=SHENGZHOU)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: '比亚迪' is a Firm, not a chain")
    assert not (tmp_path / "x.html").exists()


def test_view_firm_depth_is_checked(run: Run) -> None:
    result = run("view", "firm", "byd", "--depth", "9", store=SHENGZHOU)
    assert result.exit_code == 2
