"""The network views on small screens: fitted, labelled legibly, folded firms findable.

Headless Chromium at 1280x720 and 1366x768, every request blocked.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from browser_fixtures import _open_page, assert_clean, overlaps, show, wait_still, wait_until
from chaingraph.dataset import read_graph
from chaingraph.model import ChainGraph
from chaingraph.views import View, chain_view, gaps_view, graph_view
from conftest import SHENGZHOU

pytestmark = pytest.mark.browser

SCREENS = [(1280, 720), (1366, 768)]


@pytest.fixture
def screen_page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    width, height = request.param
    pg = _open_page(browser, bypass_csp=False, viewport={"width": width, "height": height})
    try:
        yield pg
    finally:
        pg.context.close()


def crowded_chain(n_firms: int = 120) -> ChainGraph:
    """A chain of three segments with many firms in the middle one."""
    G: ChainGraph = nx.MultiDiGraph()
    G.add_node("c", kind="Chain", name="测试链")
    for s, tier in [("up", "upstream"), ("mid", "midstream"), ("down", "downstream")]:
        G.add_node(s, kind="Segment", name=f"{tier}环节", tier=tier)
        G.add_edge("c", s, key="HAS_SEGMENT", rel="HAS_SEGMENT")
    G.add_edge("up", "mid", key="FEEDS", rel="FEEDS")
    G.add_edge("mid", "down", key="FEEDS", rel="FEEDS")
    for i in range(n_firms):
        G.add_node(f"f{i}", kind="Firm", name=f"拥挤企业{i:03d}号", local=i < 5, region="浙江")
        G.add_edge(f"f{i}", "mid", key="IN_SEGMENT", rel="IN_SEGMENT")
    G.add_node("a", kind="Firm", name="上游企业", local=True)
    G.add_edge("a", "up", key="IN_SEGMENT", rel="IN_SEGMENT")
    return G


def node_boxes(page: Any) -> list[dict[str, float]]:
    """Every drawn node's box on screen (DOM pixels relative to the stage)."""
    return list(
        page.evaluate(
            """() => { const n = window.__cg.network;
            return n.body.nodeIndices.map(id => { const b = n.getBoundingBox(id),
              a = n.canvasToDOM({x: b.left, y: b.top}),
              z = n.canvasToDOM({x: b.right, y: b.bottom});
              return {id: id, x: a.x, y: a.y, right: z.x, bottom: z.y}; }); }"""
        )
    )


def assert_all_inside(page: Any) -> None:
    size = page.evaluate(
        "(() => { const g = document.getElementById('graph'); "
        "return [g.clientWidth, g.clientHeight]; })()"
    )
    outside = [
        b["id"]
        for b in node_boxes(page)
        if b["x"] < 0 or b["y"] < 0 or b["right"] > size[0] or b["bottom"] > size[1]
    ]
    assert outside == []


def open_at(page: Any, view: View, tmp_path: Path, artifacts: Path, name: str) -> Any:
    return show(page, view, tmp_path / f"{name}.html", artifacts / f"view-{name}.png")


VIEWS = {
    "chain": lambda: chain_view(read_graph(SHENGZHOU), "new-energy-equipment"),
    "gaps": lambda: gaps_view(read_graph(SHENGZHOU), "new-energy-equipment"),
    "all": lambda: graph_view(read_graph(SHENGZHOU)),
    "crowded": lambda: chain_view(crowded_chain(), "c"),
}


@pytest.mark.parametrize("screen_page", SCREENS, indirect=True, ids=["1280", "1366"])
@pytest.mark.parametrize("which", sorted(VIEWS))
def test_first_draw_and_fit_show_every_node_with_legible_labels(
    screen_page: Any, which: str, tmp_path: Path, artifacts: Path
) -> None:
    page = screen_page
    view = VIEWS[which]()
    width = page.viewport_size["width"]
    open_at(page, view, tmp_path, artifacts, f"fit-{which}-{width}")
    assert_clean(page)
    assert_all_inside(page)
    labels = page.evaluate("window.__cg.labels")
    assert labels, "no label drawn"
    assert overlaps(labels) == []
    assert min(b["px"] for b in labels) >= 12
    # zoomed in and fitted again: every node back inside
    page.click("#zoom-in")
    page.click("#zoom-in")
    wait_still(page)  # zoomed in (a fit within a zoom's frame: test_views_browser_ui)
    page.click("#fit")
    assert_all_inside(page)
    if which in ("chain", "gaps", "crowded"):
        assert [t["label"] for t in view.tiers] == ["上游", "中游", "下游"][: len(view.tiers)]
        assert len(view.tiers) >= 2


def test_folded_firm_is_found_and_opens(page: Any, tmp_path: Path, artifacts: Path) -> None:
    view = chain_view(crowded_chain(), "c")
    assert "「其余 N 家」" in view.notice
    open_at(page, view, tmp_path, artifacts, "folded-search")
    assert "其余" in page.inner_text("#notice")
    folded = view.members[-1]
    page.fill("#search", folded["name"])
    button = page.locator("#results button").first
    assert button.get_attribute("data-id") == folded["id"]
    assert "并入" in button.inner_text()
    button.click()
    page.wait_for_selector("#panel.open")
    assert page.inner_text("#panel h3") == folded["name"]
    assert page.evaluate("window.__cg.selected") == folded["group"]
    assert page.evaluate("window.__cg.member") == folded["id"]
    kinds = page.evaluate("window.__cg.data.legend.map(k => k.kind)")
    assert "Group" in kinds


def test_status_counts_edges_after_filters_and_chain_filter_refits(
    page: Any, tmp_path: Path, artifacts: Path
) -> None:
    view = graph_view(read_graph(SHENGZHOU))
    open_at(page, view, tmp_path, artifacts, "status")
    total = len(view.edges)
    assert f"{total} / {total} 条关系" in page.inner_text("#status")
    page.locator('#legend input[data-kind="Firm"]').uncheck()
    shown = page.evaluate("window.__cg.data.edges.filter(e => !e.hidden).length")
    assert shown < total
    assert f"{shown} / {total} 条关系" in page.inner_text("#status")
    page.locator('#legend input[data-kind="Firm"]').check()
    before = page.evaluate("window.__cg.network.getScale()")
    page.select_option("#chain-filter", label="丝素蛋白产业链")
    after = page.evaluate("window.__cg.network.getScale()")
    assert after > before * 1.2  # fewer nodes: zoomed in on them
    assert_all_inside(page)


def test_png_has_title_and_legend_above_the_picture(
    page: Any, tmp_path: Path, artifacts: Path
) -> None:
    view = chain_view(read_graph(SHENGZHOU), "new-energy-equipment")
    open_at(page, view, tmp_path, artifacts, "png-legend")
    # hover a node first: the picture must not show its hover state or tooltip
    box = page.locator("#graph").bounding_box()
    pos = page.evaluate("window.__cg.network.canvasToDOM(window.__cg.network.getPosition('byd'))")
    page.mouse.move(box["x"] + pos["x"], box["y"] + pos["y"])
    page.wait_for_selector("#tip", state="visible")
    sizes = page.evaluate(
        """() => { const out = window.__cg.picture(), src = document.querySelector('#graph canvas');
        return [out.width, out.height, src.width, src.height,
                window.__cg.network.body.nodes['byd'].hover, out.toDataURL('image/png')]; }"""
    )
    assert sizes[0] == sizes[2] and sizes[1] > sizes[3] + 60  # room for title and legend
    assert sizes[4] is False
    assert not page.is_visible("#tip")
    shot = artifacts / "view-export.png"
    import base64

    shot.write_bytes(base64.b64decode(sizes[5].split(",", 1)[1]))


def test_view_links_back_to_its_report(page: Any, tmp_path: Path, artifacts: Path) -> None:
    view = chain_view(read_graph(SHENGZHOU), "new-energy-equipment")
    view.report_href = "new-energy-equipment.html"
    open_at(page, view, tmp_path, artifacts, "back-link")
    link = page.locator("#back")
    assert link.is_visible() and link.get_attribute("href") == "new-energy-equipment.html"
    wait_until(page, "window.__cg.ready")
