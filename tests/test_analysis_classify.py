"""Segment classification on hand-built graphs of a few nodes."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

from chaingraph.analysis.classify import (
    SegmentMatcher,
    classify_firm,
    memberships_of,
    segment_candidates,
)
from chaingraph.errors import UnknownEntity
from chaingraph.ingest.candidates import classify_sheet
from chaingraph.model import ChainGraph


def graph() -> ChainGraph:
    """Chain c with 隔膜 (sep) and 电解液 (ele), both served by 电池化学品 firms."""
    G: ChainGraph = nx.MultiDiGraph()
    G.add_node("c", kind="Chain", name="电池")
    G.add_node("d", kind="Chain", name="厨电")
    G.add_node(
        "sep", kind="Segment", name="隔膜", keywords=["隔膜", "LFP"], sw_industries=["电池化学品"]
    )
    G.add_node(
        "ele",
        kind="Segment",
        name="电解液",
        keywords=["电解液", "六氟磷酸锂"],
        sw_industries=["电池化学品"],
    )
    G.add_node("hood", kind="Segment", name="油烟机", keywords=["油烟机"])
    G.add_edge("c", "sep", key="HAS_SEGMENT")
    G.add_edge("c", "ele", key="HAS_SEGMENT")
    G.add_edge("d", "hood", key="HAS_SEGMENT")
    G.add_node("src", kind="Source", name="年报", title="某公司年报")
    return G


def test_overlapping_and_shared_keywords_all_match() -> None:
    m = SegmentMatcher({"a": (["负极", "负极材料"], []), "b": (["材料"], []), "c": (["负极"], [])})
    found = m.by_text("人造石墨负极材料")
    assert {k: set(v) for k, v in found.items()} == {
        "a": {"负极", "负极材料"},
        "b": {"材料"},
        "c": {"负极"},
    }


def test_keywords_match_across_width_and_case() -> None:
    m = SegmentMatcher({"sep": (["LFP"], [])})
    assert m.by_text("ＬＦＰ正极、lfp") == {"sep": ["LFP"]}
    assert m.by_text("") == {} and m.by_industry(None) == []


def test_stated_beats_products_and_industry_for_the_same_segment() -> None:
    G = graph()
    G.add_node(
        "x", kind="Firm", name="某隔膜", local=False, products=["湿法隔膜"], sw_l3="电池化学品"
    )
    G.add_edge("x", "sep", key="IN_SEGMENT", sources=[{"source": "src", "quote": "q"}])
    got = [(m.segment, m.how, m.grade, m.basis) for m in memberships_of(G, "x")]
    # its industry would also place it in ele; a stated segment makes the industry moot
    assert got == [("sep", "stated", "sourced", "来源:某公司年报")]


def test_a_stated_firm_still_gets_segments_its_products_name() -> None:
    G = graph()
    G.add_node(
        "x", kind="Firm", name="某隔膜", local=False, products=["电解液"], sw_l3="电池化学品"
    )
    G.add_edge("x", "sep", key="IN_SEGMENT", sources=[{"source": "src", "quote": "q"}])
    got = [(m.segment, m.how) for m in memberships_of(G, "x")]
    assert got == [("sep", "stated"), ("ele", "products")]
    assert [m.firm for m in segment_candidates(G, ["ele"])["ele"]] == ["x"]


def test_products_beat_industry_and_name_each_field() -> None:
    G = graph()
    G.add_node(
        "x",
        kind="Firm",
        name="某化学",
        local=False,
        products=["六氟磷酸锂"],
        business_scope="锂电池电解液的生产;隔膜销售",
        sw_l3="电池化学品",
    )
    got = [(m.segment, m.how, m.basis) for m in memberships_of(G, "x")]
    assert got == [
        ("ele", "products", "主营产品含:六氟磷酸锂;经营范围含:电解液"),
        ("sep", "products", "经营范围含:隔膜"),
    ]


def test_template_edge_is_stated_with_its_grade() -> None:
    G = graph()
    G.add_node("x", kind="Firm", name="某厂", local=False)
    G.add_edge("x", "sep", key="IN_SEGMENT", grade="template")
    (m,) = memberships_of(G, "x")
    assert (m.how, m.grade, m.basis) == ("stated", "template", "数据集所列(未注来源)")


def test_segment_candidates_skip_local_firms_and_order_by_strength() -> None:
    G = graph()
    G.add_node("loc", kind="Firm", name="本地", local=True, products=["隔膜"])
    G.add_node("a", kind="Firm", name="甲", local=False, sw_l3="电池化学品")
    G.add_node("b", kind="Firm", name="乙", local=False, business_scope="隔膜")
    G.add_node("z", kind="Firm", name="丙", local=False, sw_l3="家电")
    G.add_edge("loc", "sep", key="IN_SEGMENT")
    found = segment_candidates(G, ["sep", "hood"])
    assert [(m.firm, m.how) for m in found["sep"]] == [("b", "products"), ("a", "industry")]
    assert found["hood"] == []
    with_local = segment_candidates(G, ["sep"], outside_only=False)["sep"]
    assert [m.firm for m in with_local] == ["loc", "b", "a"]


def test_classify_firm_rows_and_chain_filter() -> None:
    G = graph()
    G.add_node(
        "x", kind="Firm", name="某化学", local=False, sw_l3="电池化学品", products=["油烟机"]
    )
    rows = classify_firm(G, "x")
    assert [(r["chain"], r["segment"], r["how"]) for r in rows] == [
        ("d", "hood", "products"),
        ("c", "ele", "industry"),
        ("c", "sep", "industry"),
    ]
    assert [r["segment"] for r in classify_firm(G, "x", ["d"])] == ["hood"]


def test_classify_firm_refuses_a_non_firm() -> None:
    with pytest.raises(UnknownEntity, match="'sep' is not a firm"):
        classify_firm(graph(), "sep")


def test_classify_sheet_rows(tmp_path: Path) -> None:
    G = graph()
    G.add_node("known", kind="Firm", name="已知隔膜有限公司", local=False)
    G.add_edge("known", "sep", key="IN_SEGMENT", sources=[{"source": "src", "quote": "q"}])
    sheet = tmp_path / "list.csv"
    sheet.write_text(
        "企业名称,经营范围,申万行业\n"
        "甲新材料有限公司,电解液研发,\n"
        "已知隔膜有限公司,,电池化学品\n"
        "乙餐饮,餐饮服务,餐饮\n",
        encoding="utf-8",
    )
    rows = classify_sheet(G, sheet)
    got = [(r["row"], r["firm"], r["segment"], r["how"], r["basis"]) for r in rows]
    assert got == [
        (2, "", "ele", "products", "经营范围含:电解液"),
        (3, "known", "sep", "stated", "来源:某公司年报"),  # stated: its industry adds nothing
        (4, "", "", "none", "no keyword or industry matched"),
    ]


def test_ascii_keywords_match_whole_words_only() -> None:
    m = SegmentMatcher({"ems": (["EMS"], []), "bms": (["BMS"], [])})
    assert m.by_text("储能EMS系统") == {"ems": ["EMS"]}
    assert m.by_text("Energy systems, BMSx, xBMS") == {}
    assert m.by_text("BMS") == {"bms": ["BMS"]}
