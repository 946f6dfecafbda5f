"""A large view's edges, drawn by the page on vis-network's canvas (not by vis-network):
drawn, highlighted with the clicked node's relations, hidden by the filters, and explained
by a tooltip that shows the graph's text as text. Headless Chromium, every request blocked.
"""

from __future__ import annotations

from typing import Any

import pytest

from browser_fixtures import (
    ARTIFACTS,
    Open,
    assert_clean,
    click_node,
    next_frame,
    wait_still,
    wait_until,
)
from chaingraph.model import ChainGraph
from chaingraph.views import View, graph_view
from test_views import XSS_QUOTES, sample_graph

pytestmark = pytest.mark.browser

#: the points on edge ``i`` (DOM pixels) with no node, label or other edge within 6 px, left
#: of where the side panel opens
CLEAR_POINTS = """(i) => {
  const cg = window.__cg, n = cg.network, es = cg.data.edges;
  const pos = id => n.canvasToDOM(n.getPosition(id));
  function dist(p, a, b) {
    const dx = b.x - a.x, dy = b.y - a.y, l = dx * dx + dy * dy;
    const t = l ? Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / l)) : 0;
    return Math.hypot(a.x + t * dx - p.x, a.y + t * dy - p.y);
  }
  const a = pos(es[i].from), b = pos(es[i].to), found = [], loop = cg.loop(i);
  const W = document.getElementById('graph').clientWidth;
  for (let k = 4; k <= 36; k++) {
    const t = k / 40, turn = 2 * Math.PI * t;
    const p = loop
      ? n.canvasToDOM({x: loop.x + loop.r * Math.cos(turn), y: loop.y + loop.r * Math.sin(turn)})
      : {x: a.x + t * (b.x - a.x), y: a.y + t * (b.y - a.y)};
    if (p.x < 8 || p.y < 8 || p.x > W - 340) continue;  // not under the side panel
    const near = es.some((e, j) => j !== i && e.from !== e.to
                                   && dist(p, pos(e.from), pos(e.to)) < 6)
      || n.body.nodeIndices.some(id => { const q = pos(id);
           return Math.hypot(q.x - p.x, q.y - p.y) < (cg.data.nodes.find(d => d.id === id).size
             * n.getScale() + 6); })
      || (cg.labels || []).some(l => p.x > l.x - 6 && p.x < l.x + l.width + 6
           && p.y > l.y - 6 && p.y < l.y + l.height + 6);
    if (!near) found.push({x: Math.round(p.x), y: Math.round(p.y)});
  }
  return found;
}"""

#: the darkest channel of the canvas pixels within 2 px of a DOM point (a thin line is
#: antialiased over two), over the stage's white (the canvas is transparent where nothing is
#: drawn): 0 dark .. 255 white
PIXEL = """(p) => { const c = document.querySelector('#graph canvas'), r = c.width / c.clientWidth,
  x = Math.round((p.x - 2) * r), y = Math.round((p.y - 2) * r), s = Math.round(4 * r) + 1,
  d = c.getContext('2d').getImageData(x, y, s, s).data;
  let dark = 255;
  for (let k = 0; k < d.length; k += 4) { const a = d[k + 3] / 255;
    dark = Math.min(dark, Math.min(d[k], d[k + 1], d[k + 2]) * a + 255 * (1 - a)); }
  return Math.round(dark); }"""


def large_graph(extra: int = 1600) -> ChainGraph:
    """The sample chain with enough outside firms (no relations) to make the view large."""
    G = sample_graph()
    G.add_edge("hanke", "hanke", key="SUPPLIES", rel="SUPPLIES", grade="template")  # a loop
    for i in range(extra):
        G.add_node(f"out{i}", kind="Firm", name=f"外地企业{i:04d}", local=False, grade="template")
    return G


def edge_index(view: View, source: str, target: str, rel: str) -> int:
    for i, e in enumerate(view.edges):
        if (e["from"], e["to"], e["rel"]) == (source, target, rel):
            return i
    raise AssertionError(f"no {rel} edge {source} -> {target}")


def open_large(open_view: Open, name: str) -> tuple[View, Any]:
    view = graph_view(large_graph(), aggregate_over=10**9)
    page = open_view(view, name)
    assert_clean(page)
    assert page.evaluate("window.__cg.ownEdges") is True
    # the chain's nodes moved apart on a circle, away from the outside firms, and a close-up
    # of them: edges long enough to point at (the page draws them where the nodes are)
    core = sorted(n for n in sample_graph() if n != "article")
    page.evaluate(
        """ids => new Promise(r => { const n = window.__cg.network;
        ids.forEach((id, k) => n.moveNode(id, 1e5 + 600 * Math.cos(2 * Math.PI * k / ids.length),
                                              600 * Math.sin(2 * Math.PI * k / ids.length)));
        n.fit({nodes: ids, animation: false});
        requestAnimationFrame(() => requestAnimationFrame(r)); })""",
        core,
    )
    page.screenshot(path=str(ARTIFACTS / f"view-{name}-core.png"))
    return view, page


def points(page: Any, i: int) -> list[dict[str, float]]:
    return list(page.evaluate(CLEAR_POINTS, i))


def point(page: Any, i: int) -> dict[str, float]:
    found = points(page, i)
    assert found, f"edge {i} has no clear point to look at"
    return dict(found[0])


def test_small_view_leaves_its_edges_to_vis(open_view: Open) -> None:
    page = open_view(graph_view(sample_graph()), "edges-small")
    assert page.evaluate("window.__cg.ownEdges") is False
    assert page.evaluate("window.__cg.edges.length") > 0


def test_large_view_draws_its_edges_and_a_click_keeps_the_relations(open_view: Open) -> None:
    view, page = open_large(open_view, "edges-large")
    supply = edge_index(view, "hanke", "byd", "SUPPLIES")
    feeds = edge_index(view, "cathode", "cell", "FEEDS")
    at_supply, at_feeds = point(page, supply), point(page, feeds)
    # both drawn while nothing is selected
    assert page.evaluate(PIXEL, at_supply) < 200
    assert page.evaluate(PIXEL, at_feeds) < 200
    click_node(page, "byd")
    wait_until(page, "window.__cg.selected === 'byd'")
    page.wait_for_selector("#panel.open")
    touching = sorted(i for i, e in enumerate(view.edges) if "byd" in (e["from"], e["to"]))
    assert sorted(page.evaluate("window.__cg.keptEdges()")) == touching
    next_frame(page)
    # the firm's relation stays drawn over the veil, the rest is veiled
    assert page.evaluate(PIXEL, at_supply) < 200
    assert page.evaluate(PIXEL, at_feeds) > 200
    # a click on an edge selects that edge instead (test_views_browser_select): it is kept,
    # the firm's relation veiled; a click on empty canvas clears the selection
    box = page.locator("#graph").bounding_box()
    page.mouse.click(box["x"] + at_feeds["x"], box["y"] + at_feeds["y"])
    wait_until(page, f"window.__cg.selectedEdge() === {feeds}")
    assert page.evaluate("window.__cg.keptEdges()") == [feeds]
    next_frame(page)
    assert page.evaluate(PIXEL, at_feeds) < 200
    assert page.evaluate(PIXEL, at_supply) > 200
    assert page.evaluate("window.__cg.edgeAt({x: 3, y: 3})") is None
    page.mouse.click(box["x"] + 3, box["y"] + 3)
    wait_until(page, "window.__cg.selectedEdge() === null")
    assert page.evaluate("window.__cg.selected") is None
    assert page.evaluate("window.__cg.keptEdges()") == []


def test_a_loop_is_drawn_found_and_kept(open_view: Open) -> None:
    view, page = open_large(open_view, "edges-loop")
    loop = edge_index(view, "hanke", "hanke", "SUPPLIES")
    at = point(page, loop)
    assert page.evaluate(PIXEL, at) < 200
    assert page.evaluate("p => window.__cg.edgeAt(p)", at) == loop
    click_node(page, "hanke")
    wait_until(page, "window.__cg.selected === 'hanke'")
    assert loop in page.evaluate("window.__cg.keptEdges()")
    next_frame(page)
    assert page.evaluate(PIXEL, at) < 200  # kept over the veil


def test_hovering_a_drawn_edge_explains_it_as_text(open_view: Open) -> None:
    view, page = open_large(open_view, "edges-hover")
    hostile = edge_index(view, "xss-quotes", "byd", "SUPPLIES")
    at = point(page, hostile)
    assert page.evaluate("p => window.__cg.edgeAt(p)", at) == hostile
    box = page.locator("#graph").bounding_box()
    page.mouse.move(box["x"] + at["x"] - 30, box["y"] + at["y"] - 30)
    page.mouse.move(box["x"] + at["x"], box["y"] + at["y"])
    page.wait_for_selector("#tip", state="visible")
    tip = page.inner_text("#tip")
    assert "SUPPLIES" in tip and "比亚迪" in tip
    assert XSS_QUOTES.split("`")[0].strip() in tip  # the hostile firm's name, as text
    assert page.evaluate("document.querySelectorAll('#tip *').length") == 2  # b and div only
    assert page.evaluate("window.__pwned") is None
    page.mouse.move(box["x"] + 3, box["y"] + 3)
    page.wait_for_selector("#tip", state="hidden")


def test_filters_hide_drawn_edges(open_view: Open) -> None:
    view, page = open_large(open_view, "edges-filter")
    supply = edge_index(view, "hanke", "byd", "SUPPLIES")
    clear = points(page, supply)
    page.locator('#legend input[data-kind="Firm"]').uncheck()
    next_frame(page)
    # other labels take the room of the firms' labels: a point clear with and without them
    at = next(p for p in points(page, supply) if p in clear)
    assert page.evaluate(PIXEL, at) > 245  # no firm, so no firm's edge
    assert page.evaluate("p => window.__cg.edgeAt(p)", at) is None
    shown = page.evaluate("window.__cg.data.edges.filter(e => !e.hidden).length")
    total = len(view.edges)
    assert shown < total
    assert f"{shown} / {total} 条关系" in page.inner_text("#status")
    page.locator('#legend input[data-kind="Firm"]').check()
    next_frame(page)
    assert page.evaluate(PIXEL, at) < 200


#: the darkest channel within 2 px of a DOM point of the stage, in the exported picture
#: (the stage's canvas is drawn below the picture's heading)
PICTURE_PIXEL = """(p) => { const out = window.__cg.picture(),
  c = document.querySelector('#graph canvas'), r = c.width / c.clientWidth,
  head = out.height - c.height, s = Math.round(4 * r) + 1,
  d = out.getContext('2d').getImageData(Math.round((p.x - 2) * r),
                                        Math.round((p.y - 2) * r) + head, s, s).data;
  let dark = 255;
  for (let k = 0; k < d.length; k += 4) dark = Math.min(dark, d[k], d[k + 1], d[k + 2]);
  return dark; }"""


def test_the_png_shows_drawn_edges_without_the_hover(open_view: Open) -> None:
    """The exported picture has the page's own edges, as a small view's has vis-network's,
    and not the hovered edge's darker stroke."""
    view, page = open_large(open_view, "edges-png")
    at = point(page, edge_index(view, "hanke", "byd", "SUPPLIES"))
    plain = page.evaluate(PICTURE_PIXEL, at)
    assert plain < 200
    box = page.locator("#graph").bounding_box()
    page.mouse.move(box["x"] + at["x"] - 30, box["y"] + at["y"] - 30)
    page.mouse.move(box["x"] + at["x"], box["y"] + at["y"])
    page.wait_for_selector("#tip", state="visible")
    next_frame(page)
    assert page.evaluate(PIXEL, at) < plain  # hovered: darker on the page
    assert page.evaluate(PICTURE_PIXEL, at) == plain  # not in the picture


def hover(page: Any, at: dict[str, float]) -> dict[str, float]:
    """Move the mouse onto a point of the stage (from 30 px away) until the tooltip shows."""
    box = page.locator("#graph").bounding_box()
    page.mouse.move(box["x"] + at["x"] - 30, box["y"] + at["y"] - 30)
    page.mouse.move(box["x"] + at["x"], box["y"] + at["y"])
    page.wait_for_selector("#tip", state="visible")
    return dict(box)


def test_a_second_look_in_one_frame_keeps_the_tooltip(open_view: Open) -> None:
    """The pointer leaves the stage (over the side panel) and comes back onto the edge
    within one frame: two looks for the edge under it run in that frame, and the second
    one must not take the pointer for gone and hide the tooltip until the next move."""
    view, page = open_large(open_view, "edges-two-looks")
    at = point(page, edge_index(view, "hanke", "byd", "SUPPLIES"))
    hover(page, at)
    # the three events in one task, so that their looks share the next animation frame
    page.evaluate(
        """p => { const g = document.getElementById('graph'), r = g.getBoundingClientRect();
        const at = {clientX: r.left + p.x, clientY: r.top + p.y, bubbles: true};
        g.dispatchEvent(new MouseEvent('mousemove', at));
        g.dispatchEvent(new MouseEvent('mouseleave', {}));
        g.dispatchEvent(new MouseEvent('mousemove', at)); }""",
        at,
    )
    next_frame(page)
    next_frame(page)
    assert page.is_visible("#tip")
    assert "SUPPLIES" in page.inner_text("#tip")


def test_a_filter_hiding_the_hovered_edge_takes_its_tooltip(open_view: Open) -> None:
    """The pointer stays on an edge while a filter (here the keyboard on the legend) hides
    it: its tooltip goes, as the edge is no longer drawn."""
    view, page = open_large(open_view, "edges-filter-tip")
    at = point(page, edge_index(view, "hanke", "byd", "SUPPLIES"))
    hover(page, at)
    page.locator('#legend input[data-kind="Firm"]').focus()
    page.keyboard.press("Space")  # the pointer does not move
    assert not page.locator('#legend input[data-kind="Firm"]').is_checked()
    next_frame(page)
    next_frame(page)
    assert not page.is_visible("#tip")
    assert page.evaluate("p => window.__cg.edgeAt(p)", at) is None


def test_a_clicked_edge_is_shown_selected(open_view: Open) -> None:
    """A click on an edge selects it, as vis-network shows a clicked edge of a small view
    (test_views_browser_select): black and wider, also once the pointer has moved off it;
    a click on empty canvas or a node clears it."""
    view, page = open_large(open_view, "edges-select")
    supply = edge_index(view, "hanke", "byd", "SUPPLIES")
    at = point(page, supply)
    plain = page.evaluate(PIXEL, at)
    box = hover(page, at)
    page.mouse.click(box["x"] + at["x"], box["y"] + at["y"])
    assert page.evaluate("window.__cg.selected") is None  # no node was clicked
    page.mouse.move(box["x"] + 3, box["y"] + 3)  # off the edge: no hover
    page.wait_for_selector("#tip", state="hidden")
    next_frame(page)
    selected = page.evaluate(PIXEL, at)
    assert selected < 25 < plain  # black, where the plain edge is green
    assert page.evaluate("window.__cg.selectedEdge()") == supply
    page.screenshot(path=str(ARTIFACTS / "view-edges-select-clicked.png"))
    page.mouse.click(box["x"] + 3, box["y"] + 3)  # empty canvas
    wait_until(page, "window.__cg.selectedEdge() === null")
    next_frame(page)
    assert page.evaluate(PIXEL, at) == plain
    # selected again, then a click on a node takes the selection
    page.mouse.click(box["x"] + at["x"], box["y"] + at["y"])
    wait_until(page, f"window.__cg.selectedEdge() === {supply}")
    click_node(page, "cell")
    wait_until(page, "window.__cg.selected === 'cell'")
    assert page.evaluate("window.__cg.selectedEdge()") is None


def test_after_a_zoom_the_edge_under_the_pointer_explains_itself_again(open_view: Open) -> None:
    """A zoom hides the tooltip; moving the pointer on along the same edge shows it again
    (the page had kept that edge as hovered, so the next look saw no change)."""
    view, page = open_large(open_view, "edges-zoom-tip")
    supply = edge_index(view, "hanke", "byd", "SUPPLIES")
    at = point(page, supply)
    box = hover(page, at)
    page.mouse.wheel(0, -120)  # zooms in around the pointer, which stays
    page.wait_for_selector("#tip", state="hidden")
    wait_until(page, "!window.__cg.network.renderer.zooming")
    next_frame(page)
    # the point under the pointer is still on the edge: zooming keeps it in place
    at = {"x": at["x"] + 1, "y": at["y"]}
    assert page.evaluate("p => window.__cg.edgeAt(p)", at) == supply
    page.mouse.move(box["x"] + at["x"], box["y"] + at["y"])
    page.wait_for_selector("#tip", state="visible", timeout=5000)
    assert "SUPPLIES" in page.inner_text("#tip")


def test_a_filter_hiding_the_hovered_node_takes_its_tooltip(open_view: Open) -> None:
    """The pointer stays on a firm while the keyboard unticks firms in the legend: the
    firm is no longer drawn, so its tooltip goes (vis-network sends no blur for it)."""
    page = open_view(graph_view(sample_graph()), "node-filter-tip")
    wait_still(page)
    box = page.locator("#graph").bounding_box()
    pos = page.evaluate(
        "id => window.__cg.network.canvasToDOM(window.__cg.network.getPosition(id))", "byd"
    )
    page.mouse.move(box["x"] + pos["x"] - 40, box["y"] + pos["y"] - 40)
    page.mouse.move(box["x"] + pos["x"], box["y"] + pos["y"])
    page.wait_for_selector("#tip", state="visible")
    assert "比亚迪" in page.inner_text("#tip")
    page.locator('#legend input[data-kind="Firm"]').focus()
    page.keyboard.press("Space")  # the pointer does not move
    next_frame(page)
    next_frame(page)
    assert not page.is_visible("#tip")
