"""Impact of a firm leaving, and inferred supply, on the hand-built battery chain."""

from __future__ import annotations

import pytest

from chaingraph.analysis import firm_impact, infer_supplies, rank_leaders, with_inferred
from chaingraph.errors import UnknownEntity
from test_analysis_coverage import battery


def test_impact_of_the_leader_by_hand() -> None:
    # Without byd, cell and pack lose their only local firm: 3/5 -> 1/5 covered.
    imp = firm_impact(battery(), "byd")
    assert [c.chain for c in imp.chains] == ["c"]
    c = imp.chains[0]
    assert c.coverage_before == pytest.approx(0.6)
    assert c.coverage_after == pytest.approx(0.2)
    assert [(s["segment"], s["before"], s["after"]) for s in c.segments] == [
        ("cell", "weak", "gap"),
        ("pack", "weak", "gap"),
    ]
    assert c.designated
    assert [(p["project"], p["role"]) for p in c.projects] == [("p", "invests in")]
    assert [a["id"] for a in c.attracted] == ["b"]
    assert c.customers == []  # byd supplies nobody


def test_impact_of_a_supplier_by_hand() -> None:
    # Without a, cathode drops from covered (a, b) to weak (b); coverage is unchanged;
    # byd loses a supplier but keeps b in the same segment, so it is not cut off.
    c = firm_impact(battery(), "a").chains[0]
    assert c.coverage_change == 0.0
    assert [(s["segment"], s["before"], s["after"]) for s in c.segments] == [
        ("cathode", "covered", "weak")
    ]
    assert [(r["firm"], r["cut_off"], r["suppliers_after"]) for r in c.customers] == [
        ("byd", False, 1)
    ]


def test_impact_cut_off_customer() -> None:
    G = battery()
    G.remove_edge("b", "byd", key="SUPPLIES")
    c = firm_impact(G, "a").chains[0]
    assert [(r["firm"], r["cut_off"]) for r in c.customers] == [("byd", True)]


def test_isolated_firm_has_no_impact() -> None:
    G = battery()
    G.add_node("z", kind="Firm", name="孤立企业", local=True)
    imp = firm_impact(G, "z")
    assert imp.chains == [] and imp.rows() == []


def test_impact_rows() -> None:
    rows = firm_impact(battery(), "byd").rows()
    effects = [r["effect"] for r in rows]
    assert effects == ["coverage", "leader", "segment", "segment", "project", "attracted"]
    assert rows[0]["detail"] == "-40%"


def test_impact_rejects_non_firms() -> None:
    with pytest.raises(UnknownEntity, match="not a firm"):
        firm_impact(battery(), "cell")
    with pytest.raises(UnknownEntity):
        firm_impact(battery(), "nope")


def test_infer_by_hand() -> None:
    # ore -> cathode: x may supply b (x -> a is stated). cathode -> cell: a and b already
    # supply byd. cell -> pack: pack has no local firm IN_SEGMENT (byd is there only through
    # a project), so nothing else.
    edges = infer_supplies(battery(), "c")
    assert [(u, v) for u, v, _ in edges] == [("x", "b")]
    attrs = edges[0][2]
    assert attrs["grade"] == "inferred" and attrs["basis"] == "ore FEEDS cathode"


def test_with_inferred_leaves_the_graph_alone() -> None:
    G = battery()
    before = G.number_of_edges()
    H = with_inferred(G)
    assert G.number_of_edges() == before
    assert H.edges["x", "b", "SUPPLIES"]["grade"] == "inferred"


def test_infer_caps_suppliers_per_customer() -> None:
    G = battery()
    for i in range(4):
        G.add_node(f"m{i}", kind="Firm", name=f"矿{i}", local=False)
        G.add_edge(f"m{i}", "ore", key="IN_SEGMENT", rel="IN_SEGMENT")
    edges = infer_supplies(G, "c", per_customer=2)
    assert sorted(u for u, v, _ in edges if v == "b") == ["m0", "m1"]
    assert len(infer_supplies(G, "c", per_customer=None)) == 5 + 4  # 5 to b, 4 to a


def test_inferred_links_raise_pull_and_are_counted() -> None:
    G = battery()
    G.nodes["x"]["local"] = True
    H = with_inferred(G, "c")
    b = next(r for r in rank_leaders(H, "c").rows if r["firm"] == "b")
    assert (b["local_suppliers"], b["inferred_suppliers"]) == (1, 1)
