"""Impact of a firm leaving, and inferred supply, on the hand-built battery chain."""

from __future__ import annotations

import re

import pytest

from chaingraph.analysis import firm_impact, infer_supplies, rank_leaders, with_inferred
from chaingraph.errors import UnknownEntity
from chaingraph.model import ChainGraph
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
    assert effects == [
        "coverage",
        "leader",
        "segment",
        "segment",
        "supplier",
        "supplier",
        "project",
        "attracted",
    ]
    assert rows[0]["detail"] == "-40%"


def test_impact_details_are_in_the_reports_language() -> None:
    """Every detail a person reads is Chinese, as the report is; only the coverage change is
    a bare number. A cut-off customer and a supplier losing one of two customers too."""
    G = battery()
    G.remove_edge("b", "byd", key="SUPPLIES")
    rows = [*firm_impact(battery(), "byd").rows(), *firm_impact(G, "a").rows()]
    G.add_node("q", kind="Firm", name="另一客户", local=True)
    G.add_edge("a", "q", key="SUPPLIES")
    rows += firm_impact(G, "byd").rows()
    effects = {"coverage", "leader", "segment", "customer", "supplier", "project", "attracted"}
    assert {r["effect"] for r in rows} == effects
    for r in rows:
        detail = str(r["detail"])
        if r["effect"] == "coverage":
            assert re.fullmatch(r"[+-]?\d+(\.\d)?%", detail), r
        else:
            assert re.search("[\u4e00-\u9fff]", detail), r
            assert not re.search("[A-Za-z]", detail), r


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


# --- both directions ------------------------------------------------------------------------


def test_leaving_leader_takes_its_suppliers_only_customer() -> None:
    # a and b supply byd and nobody else local: byd is the only local customer of both.
    c = firm_impact(battery(), "byd").chains[0]
    assert [
        (r["firm"], r["role"], r["customers_before"], r["customers_after"]) for r in c.suppliers
    ] == [
        ("a", "only", 1, 0),
        ("b", "only", 1, 0),
    ]
    assert all(r["at_risk"] for r in c.suppliers)
    rows = [r for r in firm_impact(battery(), "byd").rows() if r["effect"] == "supplier"]
    assert [r["detail"] for r in rows] == ["失去唯一本地客户"] * 2


def two_customers(share_byd: float | None, share_other: float | None) -> ChainGraph:
    """battery() where a also supplies local firm q (in cathode's chain, segment pack)."""
    G = battery()
    G.add_node("q", kind="Firm", name="丁电池包", local=True)
    G.add_edge("q", "pack", key="IN_SEGMENT", rel="IN_SEGMENT")
    G.add_edge("a", "q", key="SUPPLIES", rel="SUPPLIES", grade="sourced")
    if share_other is not None:
        G.edges["a", "q", "SUPPLIES"]["sales_share"] = share_other
    if share_byd is not None:
        G.edges["a", "byd", "SUPPLIES"]["sales_share"] = share_byd
    return G


@pytest.mark.parametrize(
    ("share_byd", "share_other", "role"),
    [
        (None, None, "other"),  # two customers, nothing known: not called main
        (0.6, None, "main"),  # at least half of a's sales
        (0.3, 0.2, "main"),  # the largest of all known shares
        (0.3, None, "other"),  # larger than nothing known: cannot say
        (0.2, 0.3, "other"),
        (1.5, None, "other"),  # out of 0..1: ignored
    ],
)
def test_main_customer_by_share_of_sales(
    share_byd: float | None, share_other: float | None, role: str
) -> None:
    c = firm_impact(two_customers(share_byd, share_other), "byd").chains[0]
    a = next(r for r in c.suppliers if r["firm"] == "a")
    assert (a["role"], a["customers_before"], a["customers_after"]) == (role, 2, 1)
    assert a["sales_share"] == (share_byd if share_byd is not None and share_byd <= 1 else None)


def test_share_of_sales_shows_in_rows() -> None:
    rows = firm_impact(two_customers(0.6, 0.1), "byd").rows()
    a = next(r for r in rows if r["effect"] == "supplier" and r["item"] == "a")
    assert a["detail"] == "失去主要本地客户(占其销售 60%)"
    assert a["share"] == 0.6 and (a["before"], a["after"]) == (2, 1)


def test_counterparts_only_under_their_own_chain() -> None:
    # f works in cathode (chain c) and storage (chain d). It supplies u (in c), v (in d) and w
    # (in no chain); it buys from s (in d). Each is listed once, under its own chain.
    G = battery()
    for n in ("f", "u", "v", "w", "s"):
        G.add_node(n, kind="Firm", name=n, local=True)
    for firm, seg in [("f", "cathode"), ("f", "storage"), ("u", "cell"), ("v", "storage")]:
        G.add_edge(firm, seg, key="IN_SEGMENT", rel="IN_SEGMENT")
    G.add_edge("s", "storage", key="IN_SEGMENT", rel="IN_SEGMENT")
    for cust in ("u", "v", "w"):
        G.add_edge("f", cust, key="SUPPLIES", rel="SUPPLIES", grade="sourced")
    G.add_edge("s", "f", key="SUPPLIES", rel="SUPPLIES", grade="sourced")
    imp = firm_impact(G, "f")
    got = {
        c.chain: ([r["firm"] for r in c.customers], [r["firm"] for r in c.suppliers])
        for c in imp.chains
    }
    assert got == {"c": (["u"], []), "d": (["v"], ["s"]), "": (["w"], [])}
    rows = imp.rows()
    assert [r["chain"] for r in rows if r["effect"] in ("customer", "supplier")] == [
        "c",
        "d",
        "d",
        "",
    ]
    # asked about one chain, only that chain's counterparts
    (only,) = firm_impact(G, "f", "d").chains
    assert [r["firm"] for r in only.customers] == ["v"]


def test_supplier_outside_every_chain_still_reported() -> None:
    # The held-out case: the leader's only local supplier sits in no segment.
    G = battery()
    G.add_node("t", kind="Firm", name="戊配件", local=True)
    G.add_edge("t", "byd", key="SUPPLIES", rel="SUPPLIES", grade="sourced")
    imp = firm_impact(G, "byd")
    outside = imp.chains[-1]
    assert outside.chain == "" and [r["firm"] for r in outside.suppliers] == ["t"]
    assert outside.suppliers[0]["role"] == "only"
