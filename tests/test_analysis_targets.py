"""Ranked targets on a hand-built graph; every score below is worked out by hand.

Chain c: 隔膜 (sep, upstream) FEEDS 电芯 (cell, midstream). The local leader L makes cells
(weight 1, no output), so dep(sep) = 1/1 = 1 = max dep, dep(cell) = 0:
importance(sep) = gap 2 + 4 * 1 = 6, importance(cell) = weak 1 + 0 = 1.
The zone's division code is L's, 330683 (no Zone node carries one).
"""

from __future__ import annotations

import networkx as nx
import pytest

from chaingraph.analysis.distance import PROVINCE_NEIGHBOURS, distance_band
from chaingraph.analysis.targets import NO_FIRM_KNOWN, NO_FIRM_MATCHES, rank_targets
from chaingraph.errors import UnknownEntity
from chaingraph.model import ChainGraph


def graph() -> ChainGraph:
    G: ChainGraph = nx.MultiDiGraph()
    G.add_node("c", kind="Chain", name="电池")
    G.add_node(
        "sep",
        kind="Segment",
        name="隔膜",
        tier="upstream",
        keywords=["隔膜"],
        sw_industries=["电池化学品"],
    )
    G.add_node("cell", kind="Segment", name="电芯", tier="midstream")
    G.add_edge("c", "sep", key="HAS_SEGMENT")
    G.add_edge("c", "cell", key="HAS_SEGMENT")
    G.add_edge("sep", "cell", key="FEEDS")
    G.add_node("L", kind="Firm", name="链主", local=True, division_code="330683")
    G.add_edge("L", "cell", key="IN_SEGMENT")
    G.add_edge("L", "c", key="LEADS")
    G.add_node("src", kind="Source", name="公告", title="某公告")
    cite = [{"source": "src", "quote": "q"}]
    # A: stated, supplies the leader, listed, far away: 6 + 3 + (5 + 3) + 0 + 1 = 18
    G.add_node(
        "A", kind="Firm", name="甲隔膜", local=False, stock_code="300568.SZ", division_code="440300"
    )
    G.add_edge("A", "sep", key="IN_SEGMENT", sources=cite)
    G.add_edge("A", "L", key="SUPPLIES", sources=cite)
    # B: products, same province: 6 + 2 + 0 + 2 + 0 = 10
    G.add_node(
        "B",
        kind="Firm",
        name="乙材料",
        local=False,
        business_scope="锂电池隔膜生产",
        region="浙江省杭州市",
        division_code="330100",
    )
    # D: industry, neighbouring province, listed: 6 + 1 + 0 + 1 + 1 = 9
    G.add_node(
        "D",
        kind="Firm",
        name="丁化学",
        local=False,
        sw_l3="电池化学品",
        stock_code="002709.SZ",
        division_code="320500",
    )
    # E: industry, buys from the leader, place unknown: 6 + 1 + 2 + 0 + 0 = 9
    G.add_node("E", kind="Firm", name="戊化学", local=False, sw_l3="电池化学品")
    G.add_edge("L", "E", key="SUPPLIES", sources=cite)
    return G


def brief(rows: list[dict[str, object]]) -> list[tuple[object, ...]]:
    return [(r["segment"], r["rank"], r["firm"], r["score"]) for r in rows]


def test_scores_worked_by_hand() -> None:
    rows = rank_targets(graph(), "c")
    assert brief(rows) == [
        ("sep", 1, "A", 18.0),
        ("sep", 2, "B", 10.0),
        ("sep", 3, "D", 9.0),  # ties with E on score and how: by id
        ("sep", 4, "E", 9.0),
        ("cell", None, "", None),
    ]
    a = rows[0]
    parts = {k: a[k] for k in ("importance", "known", "tie", "distance", "scale")}
    assert parts == {"importance": 6.0, "known": 3.0, "tie": 8.0, "distance": 0.0, "scale": 1.0}
    assert sum(parts.values()) == a["score"]
    assert (a["how"], a["grade"], a["basis"]) == ("stated", "sourced", "来源:某公告")
    assert "供应链主 链主" in a["reason"] and "上市公司 300568.SZ" in a["reason"]
    d = rows[2]
    assert (d["how"], d["grade"], d["basis"]) == ("industry", "inferred", "申万三级:电池化学品")
    assert "邻省" in d["reason"]
    assert "采购本地企业 链主" in rows[3]["reason"]
    assert rows[-1]["reason"] == NO_FIRM_KNOWN


def test_sourced_supplier_ranks_above_industry_only_even_when_they_are_near() -> None:
    G = graph()
    G.add_node(
        "N",
        kind="Firm",
        name="近邻化学",
        local=False,
        sw_l3="电池化学品",
        stock_code="600000.SH",
        division_code="330602",
    )  # 6 + 1 + 0 + 3 + 1 = 11
    sep = [r for r in rank_targets(G, "c") if r["segment"] == "sep"]
    assert [r["firm"] for r in sep][:2] == ["A", "N"]
    assert sep[1]["score"] == 11.0 and sep[1]["distance"] == 3.0


def test_a_firm_known_two_ways_is_listed_once_in_its_strongest() -> None:
    G = graph()
    G.nodes["A"]["sw_l3"] = "电池化学品"
    G.nodes["A"]["products"] = ["隔膜"]
    sep = [r for r in rank_targets(G, "c") if r["firm"] == "A"]
    assert len(sep) == 1 and sep[0]["how"] == "stated"


def test_filters() -> None:
    G = graph()
    assert [r["firm"] for r in rank_targets(G, "c", listed=True)] == ["A", "D", ""]
    assert [r["firm"] for r in rank_targets(G, "c", region="320000")] == ["D", ""]
    assert [r["firm"] for r in rank_targets(G, "c", region="浙江")] == ["B", ""]
    assert [r["firm"] for r in rank_targets(G, "c", limit=1)] == ["A", ""]
    assert [r["firm"] for r in rank_targets(G, "c", segments=["电芯"])] == [""]
    only = rank_targets(G, "c", region="新疆")
    assert only[0]["reason"] == NO_FIRM_MATCHES and only[1]["reason"] == NO_FIRM_KNOWN


def test_unknown_segment_names_the_chain_segments() -> None:
    with pytest.raises(UnknownEntity, match=r"Unknown segment '负极'.*sep \(隔膜\)"):
        rank_targets(graph(), "c", segments=["负极"])


def test_local_firms_are_never_targets() -> None:
    G = graph()
    G.nodes["B"]["local"] = True
    assert "B" not in [r["firm"] for r in rank_targets(G, "c")]


def test_inferred_supply_tie_is_marked() -> None:
    G = graph()
    G.add_edge("B", "L", key="SUPPLIES", grade="inferred")
    b = next(r for r in rank_targets(G, "c") if r["firm"] == "B")
    assert b["tie"] == 8.0 and b["grade"] == "inferred"
    assert "链主(推断)" in b["reason"]
    G.add_edge("A", "L", key="SUPPLIES", grade="inferred")
    a = next(r for r in rank_targets(G, "c") if r["firm"] == "A")
    assert a["grade"] == "sourced, tie inferred"


def test_distance_bands_and_neighbour_table_is_symmetric() -> None:
    assert distance_band("330683", "330683") == "same_city"
    assert distance_band("330683", "360100") == "neighbour_province"
    assert distance_band("330683", "") == "unknown"
    for a, bs in PROVINCE_NEIGHBOURS.items():
        for b in bs:
            assert a in PROVINCE_NEIGHBOURS[b] and a != b


def test_place_from_the_registered_name_is_an_inference_with_its_basis() -> None:
    G = graph()
    G.add_node(
        "R",
        kind="Firm",
        name="己化学",
        local=False,
        sw_l3="电池化学品",
        full_name="浙江己化学股份有限公司",
    )  # 6 + 1 + 0 + 2 (same province) + 0 = 9
    r = next(r for r in rank_targets(G, "c") if r["firm"] == "R")
    assert (r["score"], r["distance"]) == (9.0, 2.0)
    assert "同省(注册名称以“浙江”开头,推断)" in r["reason"]
    # the region column shows the inferred place, marked, and says where it came from
    assert (r["region"], r["region_basis"]) == ("浙江省(推断)", "registered-name")
    rows = {x["firm"]: x for x in rank_targets(G, "c")}
    assert (rows["B"]["region"], rows["B"]["region_basis"]) == ("浙江省杭州市", "data")
    assert (rows["E"]["region"], rows["E"]["region_basis"]) == ("", "")  # nothing to infer
    assert (rows[""]["region"], rows[""]["region_basis"]) == ("", "")
    assert [x["firm"] for x in rank_targets(G, "c", region="浙江")] == ["B", "R", ""]
    assert [x["firm"] for x in rank_targets(G, "c", region="江苏")] == ["D", ""]
