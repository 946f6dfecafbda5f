"""Chain map and coverage on a hand-built battery chain whose answers are worked out below."""

from __future__ import annotations

import networkx as nx
import pytest

from chaingraph.analysis import chain_context, chain_coverage, chain_map, firm_weight
from chaingraph.analysis.coverage import FirmRows, map_rows
from chaingraph.errors import UnknownEntity
from chaingraph.model import ChainGraph


def battery() -> ChainGraph:
    """Chain c: ore -> cathode -> cell -> pack -> ev (-> recycle, an extension).

    Local a, b in cathode; local byd in cell (output 9 亿元, so w = 2) and, through project p
    it invests in, in pack; external x in ore, external y in pack. Weights: cathode 2, cell 3,
    others 1. Another chain d has segment storage, fed by pack.
    """
    G: ChainGraph = nx.MultiDiGraph()
    G.add_node("c", kind="Chain", name="电池链")
    G.add_node("d", kind="Chain", name="储能链")
    segs = [
        ("ore", "upstream", 1),
        ("cathode", "upstream", 2),
        ("cell", "midstream", 3),
        ("pack", "midstream", 1),
        ("ev", "downstream", 1),
    ]
    for s, tier, w in segs:
        G.add_node(s, kind="Segment", name=f"{s}段", tier=tier, weight=w)
        G.add_edge("c", s, key="HAS_SEGMENT", rel="HAS_SEGMENT")
    G.add_node("recycle", kind="Segment", name="回收", tier="downstream", extension=True)
    G.add_edge("c", "recycle", key="HAS_SEGMENT", rel="HAS_SEGMENT")
    G.add_node("storage", kind="Segment", name="储能", tier="downstream")
    G.add_edge("d", "storage", key="HAS_SEGMENT", rel="HAS_SEGMENT")
    for u, v in [
        ("ore", "cathode"),
        ("cathode", "cell"),
        ("cell", "pack"),
        ("pack", "ev"),
        ("ev", "recycle"),
        ("pack", "storage"),
    ]:
        G.add_edge(u, v, key="FEEDS", rel="FEEDS", grade="template")
    G.add_node("a", kind="Firm", name="甲正极", local=True)
    G.add_node("b", kind="Firm", name="乙正极", local=True)
    G.add_node("byd", kind="Firm", name="比亚迪", local=True, output_cny=9e8)
    G.add_node("x", kind="Firm", name="某锂矿", local=False, region="江西")
    G.add_node("y", kind="Firm", name="某电池包", local=False)
    G.add_node("p", kind="Project", name="电池包项目", amount_cny=5e8)
    for f, s in [("a", "cathode"), ("b", "cathode"), ("byd", "cell"), ("x", "ore"), ("y", "pack")]:
        G.add_edge(f, s, key="IN_SEGMENT", rel="IN_SEGMENT")
    G.add_edge("p", "pack", key="IN_SEGMENT", rel="IN_SEGMENT")
    G.add_edge("byd", "p", key="INVESTS_IN", rel="INVESTS_IN")
    for u, v in [("x", "a"), ("a", "byd"), ("b", "byd")]:
        G.add_edge(u, v, key="SUPPLIES", rel="SUPPLIES", grade="sourced")
    G.add_node("pf", kind="Platform", name="新能源平台")
    G.add_edge("pf", "c", key="HOSTS", rel="HOSTS")
    G.add_edge("byd", "pf", key="LEADS", rel="LEADS")
    G.add_edge("byd", "b", key="ATTRACTED", rel="ATTRACTED")
    return G


def test_status_per_segment() -> None:
    # cathode has a and b (covered); cell has byd (weak); pack has byd through project p
    # (weak); ore and ev have no local firm (gap); recycle is an extension.
    rows = chain_map(battery(), "c")
    status = {r["segment"]: r["status"] for r in rows}
    assert status == {
        "ore": "gap",
        "cathode": "covered",
        "cell": "weak",
        "pack": "weak",
        "ev": "gap",
        "recycle": "extension",
    }


def test_map_order_is_tier_then_feeds() -> None:
    order = [r["segment"] for r in chain_map(battery(), "c")]
    assert order == ["ore", "cathode", "cell", "pack", "ev", "recycle"]


def test_presence_through_a_project_is_named() -> None:
    pack = next(r for r in chain_map(battery(), "c") if r["segment"] == "pack")
    assert [f["id"] for f in pack["local_firms"]] == ["byd"]
    assert pack["local_firms"][0]["via_project"] == [{"id": "p", "name": "电池包项目"}]
    assert [f["id"] for f in pack["external_firms"]] == ["y"]
    assert pack["projects"][0]["pipeline"] is False
    assert pack["projects"][0]["amount"] == "5亿元"


def test_project_without_local_investor_is_pipeline_and_does_not_count() -> None:
    G = battery()
    G.add_node("q", kind="Project", name="回收项目")
    G.add_edge("q", "ev", key="IN_SEGMENT", rel="IN_SEGMENT")
    ev = next(r for r in chain_map(G, "c") if r["segment"] == "ev")
    assert ev["status"] == "gap"
    assert ev["projects"][0]["pipeline"] is True


def test_coverage_by_hand() -> None:
    # 3 of 5 core segments have a local firm; weights 1+2+3+1+1 = 8, present 2+3+1 = 6.
    cov = chain_coverage(battery(), "c")
    assert (cov.segments, cov.present, cov.covered, cov.weak, cov.gap) == (5, 3, 1, 2, 2)
    assert cov.ratio == pytest.approx(0.6)
    assert cov.weighted == pytest.approx(0.75)
    assert cov.by_tier == {"upstream": (1, 2), "midstream": (2, 2), "downstream": (0, 1)}
    assert cov.text == "3 of 5 segments have a local firm (60%; 1 with two or more)"
    assert (cov.extension, cov.local_firms, cov.external_firms, cov.projects) == (1, 3, 2, 1)
    assert cov.weights_given


def test_coverage_rows() -> None:
    rows = chain_coverage(battery(), "c").rows()
    assert rows[0] == {"scope": "all", "present": 3, "segments": 5, "ratio": 0.6}
    assert rows[1]["scope"] == "weighted" and rows[1]["ratio"] == 0.75


def test_chain_without_segments_has_zero_coverage() -> None:
    G: ChainGraph = nx.MultiDiGraph()
    G.add_node("e", kind="Chain", name="空链")
    cov = chain_coverage(G, "e")
    assert (cov.segments, cov.ratio, cov.weighted) == (0, 0.0, 0.0)


def test_unknown_chain_raises() -> None:
    with pytest.raises(UnknownEntity, match="Unknown chain 'nope'"):
        chain_coverage(battery(), "nope")
    with pytest.raises(UnknownEntity):
        chain_map(battery(), "byd")  # a firm, not a chain


def test_firm_weight_by_hand() -> None:
    G = battery()
    assert firm_weight(G, "a") == 1.0  # size unknown
    assert firm_weight(G, "byd") == pytest.approx(2.0)  # max(9e8 output, 5e8 invested)
    G.nodes["byd"]["output_cny"] = None
    assert firm_weight(G, "byd") == pytest.approx(1.0 + 0.7781512503836436)  # log10(6)


def test_context_designated_leaders() -> None:
    assert chain_context(battery(), "c").leaders_designated() == {"byd"}


def test_lazy_map_rows_read_as_the_lists() -> None:
    """A report's map (lazy: firm rows made when read) reads exactly as chain_map's lists:
    every row, its length, an index, a slice and via_project."""
    G = battery()
    G.add_node("z", kind="Firm", name="z", local=True, region="外省")
    G.add_edge("z", "cathode", key="IN_SEGMENT")
    ctx = chain_context(G, "c")
    plain, lazy = map_rows(ctx), map_rows(ctx, lazy=True)
    assert lazy == plain
    for p, q in zip(plain, lazy, strict=True):
        for key in ("local_firms", "external_firms"):
            assert isinstance(q[key], FirmRows)
            assert list(q[key]) == p[key] and len(q[key]) == len(p[key])
            assert q[key][:2] == p[key][:2] and q[key][1:] == p[key][1:]
            if p[key]:
                assert q[key][0] == p[key][0] and q[key][-1] == p[key][-1]
    pack = next(r for r in lazy if r["segment"] == "pack")
    assert pack["local_firms"][0]["via_project"] == [{"id": "p", "name": "电池包项目"}]
    cathode = next(r for r in lazy if r["segment"] == "cathode")
    assert [f["id"] for f in cathode["local_firms"]] == ["a", "b", "z"]
    assert cathode["local_firms"][2]["region"] == "外省"
