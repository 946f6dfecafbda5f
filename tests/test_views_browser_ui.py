"""The controls of the exported pages in headless Chromium: search, click, filters, PNG, zoom.

Every network request is blocked; screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from browser_fixtures import (
    Open,
    assert_clean,
    click_node,
    drawn_count,
    next_frame,
    wait_still,
    wait_until,
)
from chaingraph.views import chain_view, graph_view
from test_views import QUOTE, drawable, sample_graph
from test_views_browser import shengzhou

pytestmark = pytest.mark.browser


def test_search_finds_byd_and_focuses_it(open_view: Open) -> None:
    view = graph_view(shengzhou())
    page = open_view(view, "shengzhou-all")
    assert_clean(page)
    assert drawn_count(page) == len(drawable(shengzhou()))
    page.fill("#search", "比亚迪")
    first = page.locator("#results button").first
    assert first.inner_text().startswith("比亚迪")
    page.press("#search", "Enter")
    wait_until(page, "window.__cg.selected === 'byd'")
    # the view comes to rest centred on the node
    wait_still(page)
    off = page.evaluate(
        "(() => { const n = window.__cg.network, p = n.getPosition('byd'),"
        " v = n.getViewPosition(); return Math.hypot(p.x - v.x, p.y - v.y); })()"
    )
    assert off < 2
    assert page.evaluate("window.__cg.network.getSelectedNodes()") == ["byd"]
    assert page.is_visible("#panel")


def test_the_search_example_is_a_firm_of_the_view(open_view: Open) -> None:
    """The search box's example names the view's biggest firm, not a firm written in the
    page: another zone's view shows one of its own firms, a hostile name as text."""
    G = sample_graph()
    for n, attrs in G.nodes.items():
        if attrs.get("kind") == "Firm":
            attrs["name"] = f"<b>{n}</b>电池"
    view = graph_view(G)
    firms = [r for r in view.nodes if r["kind"] == "Firm"]
    assert firms
    biggest = max(firms, key=lambda r: r["size"])
    page = open_view(view, "sample-example")
    assert_clean(page)
    assert page.get_attribute("#search", "placeholder") == "例如 " + biggest["name"]


def test_search_by_alias(open_view: Open) -> None:
    page = open_view(chain_view(sample_graph(), "ne"), "alias")
    page.fill("#search", "ｂｙｄ")  # full-width, other case
    assert page.locator("#results button").first.get_attribute("data-id") == "byd"


#: the darkest channel of the canvas pixel at the centre of each node (0 dark .. 255 white)
CENTRES = """(ids) => ids.map(id => { const n = window.__cg.network,
  p = n.canvasToDOM(n.getPosition(id)), c = document.querySelector('#graph canvas'),
  r = c.width / c.clientWidth,
  d = c.getContext('2d').getImageData(Math.round(p.x * r), Math.round(p.y * r), 1, 1).data;
  return Math.min(d[0], d[1], d[2]); })"""


def test_click_opens_side_panel_with_source_quote(open_view: Open, artifacts: Path) -> None:
    page = open_view(chain_view(shengzhou(), "new-energy-equipment"), "click")
    assert not page.is_visible("#panel")
    # two weak segments (orange fill): one in the firm's neighbourhood, one not
    pair = ["ne-cell", "ne-lightweight"]
    styles = page.evaluate(
        "ids => ids.map(id => window.__cg.data.nodes.find(d => d.id === id).style)", pair
    )
    assert styles == ["weak", "weak"]
    assert max(page.evaluate(CENTRES, pair)) < 200  # neither drawn pale yet
    click_node(page, "byd")
    page.wait_for_selector("#panel.open")
    text = page.inner_text("#panel")
    assert QUOTE in text
    assert "比亚迪" in page.inner_text("#panel h3")
    # the neighbourhood stays, the rest is veiled: the veiled one is drawn pale
    assert page.evaluate("ids => ids.map(id => window.__cg.isDimmed(id))", pair) == [False, True]
    next_frame(page)  # the click asked vis-network for a frame: drawn by now
    pixels = page.evaluate(CENTRES, pair)
    assert pixels[0] < 200 < pixels[1]
    page.screenshot(path=str(artifacts / "view-click-panel.png"))


def test_filter_hides_a_kind(open_view: Open) -> None:
    view = chain_view(shengzhou(), "new-energy-equipment")
    page = open_view(view, "filter")
    firms = sum(1 for n in view.nodes if n["kind"] == "Firm")
    assert firms > 0
    page.locator('#legend input[data-kind="Firm"]').uncheck()
    assert drawn_count(page) == len(view.nodes) - firms
    hidden = page.evaluate(
        "window.__cg.nodes.get({filter: n => n.hidden}).map(n => window.__cg.data.nodes"
        ".find(d => d.id === n.id).kind)"
    )
    assert set(hidden) == {"Firm"}
    page.locator('#legend input[data-kind="Firm"]').check()
    assert drawn_count(page) == len(view.nodes)


def test_grade_and_chain_filters(open_view: Open) -> None:
    view = graph_view(shengzhou())
    page = open_view(view, "chain-filter")
    page.select_option("#chain-filter", label="丝素蛋白产业链")
    shown = drawn_count(page)
    assert 0 < shown < len(view.nodes)
    assert page.evaluate("window.__cg.network.body.nodes['byd'].options.hidden") is True
    page.select_option("#chain-filter", value="-1")
    page.locator('#grades input[data-grade="template"]').uncheck()
    assert drawn_count(page) == sum(1 for n in view.nodes if n["grade"] != "template")


def test_png_button_downloads_an_image(open_view: Open) -> None:
    page = open_view(chain_view(sample_graph(), "ne"), "png")
    with page.expect_download() as info:
        page.click("#png")
    path = info.value.path()
    assert Path(path).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert info.value.suggested_filename == "chaingraph-chain.png"


def test_fit_and_zoom_buttons(open_view: Open) -> None:
    page = open_view(graph_view(shengzhou()), "zoom")
    before = page.evaluate("window.__cg.network.getScale()")
    page.click("#zoom-in")
    wait_until(page, f"window.__cg.network.getScale() > {before} * 1.3")
    page.click("#fit")
    assert abs(page.evaluate("window.__cg.network.getScale()") - before) < before * 0.05


#: the view's scale after ``n`` synchronous redraws of vis-network (each one a frame's step of
#: an animation still registered)
SCALE_AFTER_REDRAWS = """(n) => { const net = window.__cg.network;
  for (let k = 0; k < n; k++) net.redraw();
  return net.getScale(); }"""


def test_two_zooms_within_one_frame_zoom_twice_and_the_view_then_stays(open_view: Open) -> None:
    """Two clicks on + before vis-network draws a frame (a double click on a large view, or
    a busy machine): vis-network ends an animation cut short only once it has taken a step,
    so the first zoom's stayed registered for good and moved the view on every later redraw
    (a hover, a click), back towards where it started."""
    page = open_view(graph_view(sample_graph()), "zoom-twice")
    wait_still(page)
    fitted = page.evaluate("window.__cg.network.getScale()")
    # both clicks in one task: no frame between them
    page.evaluate("() => { const b = document.getElementById('zoom-in'); b.click(); b.click(); }")
    wait_still(page)
    next_frame(page)
    zoomed = page.evaluate("window.__cg.network.getScale()")
    assert zoomed == pytest.approx(fitted * 1.4 * 1.4)
    assert page.evaluate(SCALE_AFTER_REDRAWS, 3) == zoomed


def test_a_fit_within_the_frame_of_a_zoom_fits_at_once(open_view: Open) -> None:
    """+ then 适应窗口 before vis-network draws a frame: the zoom's animation, not yet
    started, ran after the fit, from the zoomed view back to the fitted one."""
    page = open_view(graph_view(sample_graph()), "zoom-fit")
    wait_still(page)
    fitted = page.evaluate("window.__cg.network.getScale()")
    page.evaluate("() => ['zoom-in', 'fit'].forEach(id => document.getElementById(id).click())")
    assert page.evaluate("window.__cg.network.getScale()") == pytest.approx(fitted)
    next_frame(page)
    assert page.evaluate("window.__cg.network.getScale()") == pytest.approx(fitted)
    assert page.evaluate("window.__cg.moving") is False
    assert page.evaluate(SCALE_AFTER_REDRAWS, 3) == pytest.approx(fitted)
