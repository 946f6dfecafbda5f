"""The firm map (企业分布图): places from division codes, markers only for known places."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from browser_fixtures import assert_clean
from chaingraph.model import ChainGraph
from chaingraph.places import division
from chaingraph.views.map import build_map, render_map, write_map

XSS = '<img src=x onerror="window.__pwned=1">'


def zone_graph() -> ChainGraph:
    """A zone in 嵊州, a chain with a gap, firms with and without a known place."""
    G: ChainGraph = nx.MultiDiGraph()
    G.add_node("z", kind="Zone", name="嵊州经济开发区")
    G.add_node("c", kind="Chain", name="电池")
    G.add_node("cell", kind="Segment", name="电芯", tier="midstream")
    G.add_node("sep", kind="Segment", name="隔膜", tier="upstream")
    for s in ("cell", "sep"):
        G.add_edge("c", s, key="HAS_SEGMENT")
    G.add_edge("sep", "cell", key="FEEDS")
    firms: dict[str, dict[str, object]] = {
        "byd": {"name": "比亚迪", "local": True},  # local, no own place: at the zone
        # the data's place wins over the one its registered name suggests
        "sz": {
            "name": "深圳隔膜",
            "local": False,
            "division_code": "440300",
            "full_name": "杭州深隔膜有限公司",
        },
        "gd": {"name": XSS, "local": False, "region": "广东"},
        "hz": {"name": "杭州隔膜", "local": False, "address": "浙江省杭州市余杭区某路1号"},
        # a reference-layer firm: no address, a place read from its registered name only
        "gz": {"name": "广州隔膜", "local": False, "full_name": "广州市某某隔膜股份有限公司"},
        "nowhere": {"name": "无地址公司", "local": False, "full_name": "无地址科技股份有限公司"},
        "vague": {"name": "含糊公司", "local": False, "region": "新华区"},  # three cities
    }
    for f, attrs in firms.items():
        G.add_node(f, kind="Firm", **attrs)
    G.add_edge("byd", "cell", key="IN_SEGMENT")
    G.add_edge("byd", "c", key="LEADS")
    for f in ("sz", "gd", "hz", "gz", "nowhere", "vague"):
        G.add_edge(f, "sep", key="IN_SEGMENT")
    return G


def test_markers_for_known_places_only() -> None:
    m = build_map(zone_graph())
    by_id = {x.id: x for x in m.markers}
    assert set(by_id) == {"z", "byd", "sz", "gd", "hz", "gz"}
    assert sorted(m.unplaced) == ["含糊公司", "无地址公司"]
    assert by_id["sz"].code == "440300" and by_id["sz"].how == "division_code"
    assert by_id["gd"].code == "440000" and by_id["gd"].how == "region"
    assert by_id["hz"].code.startswith("3301") and by_id["hz"].how == "address"
    assert by_id["byd"].how == "zone" and by_id["byd"].role == "leader"
    assert by_id["gz"].code == "440100" and by_id["gz"].how == "name"
    assert by_id["gz"].inferred and "广州市" in by_id["gz"].basis
    assert [x.id for x in m.markers if x.inferred] == ["gz"]
    assert {by_id[f].role for f in ("sz", "gd", "hz", "gz")} == {"candidate"}
    assert by_id["sz"].segments == ["sep"] and by_id["sz"].chains == ["c"]
    # Shenzhen lies south-west of Hangzhou on the map too
    assert by_id["sz"].x < by_id["hz"].x and by_id["sz"].y > by_id["hz"].y
    assert division("440300").lat is not None


def test_inferred_places_are_drawn_hollow_and_counted_apart() -> None:
    page = render_map(build_map(zone_graph()))
    assert page.count('class="m inferred"') == 1
    assert "推断位置(据注册名称)" in page
    assert '<b id="inferred">1</b>' in page


def test_names_are_escaped_and_no_request_is_possible() -> None:
    page = render_map(build_map(zone_graph()))
    assert XSS not in page and "&lt;img src=x" in page
    assert "default-src 'none'" in page and "connect-src 'none'" in page
    assert "http" not in page.replace("http-equiv", "")


def test_cli_writes_the_map(run: Any, tmp_path: Path) -> None:
    out = tmp_path / "m.html"
    result = run("view", "map", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "企业分布图" in out.read_text(encoding="utf-8")


@pytest.mark.browser
def test_map_in_chromium_draws_one_marker_per_placed_firm_and_filters(
    laptop_page: Any, tmp_path: Path, artifacts: Path
) -> None:
    G = zone_graph()
    path = write_map(G, tmp_path / "map.html")
    page = laptop_page
    page.goto(path.as_uri())
    page.screenshot(path=str(artifacts / "map-1366x768.png"))
    assert_clean(page)
    ids = page.evaluate("[...document.querySelectorAll('.m[data-id]')].map(e => e.dataset.id)")
    # a marker for every firm with a known or inferred place, none for the rest
    assert sorted(ids) == ["byd", "gd", "gz", "hz", "sz", "z"]
    assert page.evaluate("window.__map.shown") == 5  # firms, the zone not counted
    assert page.evaluate("window.__map.inferred") == 1
    assert page.inner_text("#inferred") == "1"
    inferred = page.evaluate(
        "[...document.querySelectorAll('.m.inferred')].map(e => [e.dataset.id,"
        " getComputedStyle(e).fill, getComputedStyle(e).strokeDasharray])"
    )
    assert len(inferred) == 1 and inferred[0][0] == "gz"
    assert inferred[0][1] == "rgb(255, 255, 255)" and inferred[0][2] not in ("", "none")
    solid = page.evaluate("getComputedStyle(document.querySelector('.m[data-id=gd]')).fill")
    assert solid != "rgb(255, 255, 255)"
    assert "推断位置(据注册名称)" in page.inner_text(".legend")
    boxes = page.evaluate(
        "[...document.querySelectorAll('.m')].map(e => e.getBoundingClientRect().toJSON())"
    )
    assert all(b["width"] > 4 and b["x"] >= 0 and b["x"] + b["width"] <= 1366 for b in boxes)
    page.select_option("#chain", "c")
    page.select_option("#segment", "cell")
    assert page.evaluate("window.__map.shown") == 1  # only 比亚迪 is in 电芯
    hidden = page.evaluate("[...document.querySelectorAll('.m.off')].map(e => e.dataset.id).sort()")
    assert hidden == ["gd", "gz", "hz", "sz"]
    page.select_option("#segment", "sep")
    rows = page.evaluate(
        "[...document.querySelectorAll('#by-province tr')].map(r => r.innerText.split('\\t'))"
    )
    assert rows[0][0] == "广东省" and rows[0][2] == "3"  # 隔膜 candidates: 广东 3, 浙江 1
    assert page.evaluate("window.__map.inferred") == 1
    assert page.evaluate("window.__pwned") is None
