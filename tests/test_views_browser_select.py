"""Hover and selection as a user meets them, in small views (vis-network draws the edges) and
large ones (the page draws them): what is drawn hovered or selected, the tooltip and the side
panel agree after filters, clicks on edges and the pointer leaving the stage. Headless
Chromium, every request blocked.
"""

from __future__ import annotations

from typing import Any

import pytest

from browser_fixtures import Open, assert_clean, click_node, next_frame, wait_still, wait_until
from chaingraph.views import View, ego_view, graph_view
from test_views import XSS_IMG, XSS_QUOTES, sample_graph
from test_views_browser_edges import PIXEL, edge_index, large_graph, open_large, point

pytestmark = pytest.mark.browser

#: the node and edge events vis-network sends, recorded in order as "event:id"
RECORD = """() => { const cg = window.__cg; cg.events = [];
  ['hoverNode', 'blurNode', 'hoverEdge', 'blurEdge'].forEach(k =>
    cg.network.on(k, p => cg.events.push(k + ':' + (k.endsWith('Node') ? p.node : p.edge)))); }"""

#: what vis-network holds hovered (its own flags), and the tooltip
HOVER = """() => { const n = window.__cg.network;
  return { nodes: Object.keys(n.body.nodes).filter(id => n.body.nodes[id].hover).sort(),
           edges: Object.keys(n.body.edges).filter(id => n.body.edges[id].hover).sort(),
           tip: getComputedStyle(document.getElementById('tip')).display !== 'none' }; }"""

#: a point (DOM px) of vis-network's edge ``i`` where a click finds that edge and no node,
#: left of where the side panel opens
EDGE_POINT = """(i) => { const n = window.__cg.network, e = n.body.edges[i];
  const W = document.getElementById('graph').clientWidth;
  for (let k = 10; k <= 90; k++) {
    const p = n.canvasToDOM(e.edgeType.getPoint(k / 100));
    if (p.x < 8 || p.y < 8 || p.x > W - 340) continue;
    if (n.getNodeAt(p) === undefined && n.getEdgeAt(p) === i) return p;
  }
  return null; }"""


def small(open_view: Open, name: str) -> tuple[View, Any]:
    view = graph_view(sample_graph())
    page = open_view(view, name)
    assert_clean(page)
    assert page.evaluate("window.__cg.ownEdges") is False
    wait_still(page)
    page.evaluate(RECORD)
    return view, page


def hover_node(page: Any, node_id: str) -> dict[str, float]:
    """Move the pointer onto a node (from 40 px away) until its tooltip shows."""
    box = page.locator("#graph").bounding_box()
    pos = page.evaluate(
        "id => window.__cg.network.canvasToDOM(window.__cg.network.getPosition(id))", node_id
    )
    page.mouse.move(box["x"] + pos["x"] - 40, box["y"] + pos["y"] - 40)
    page.mouse.move(box["x"] + pos["x"], box["y"] + pos["y"])
    page.wait_for_selector("#tip", state="visible")
    return {"x": box["x"] + pos["x"], "y": box["y"] + pos["y"]}


def toggle_firms(page: Any) -> None:
    """Tick or untick firms in the legend with the keyboard: the pointer does not move."""
    page.locator('#legend input[data-kind="Firm"]').focus()
    page.keyboard.press("Space")
    next_frame(page)


def test_a_filter_takes_the_hover_of_a_node_it_hides(open_view: Open) -> None:
    """vis-network kept a node hidden under a still pointer hovered: drawn hovered when
    shown again, with no tooltip, and no hover event while the pointer moved on it (its
    hover was never paired with a blur). Now the hidden node blurs at once, and shown
    again under the pointer it is hovered again, tooltip and all."""
    view, page = small(open_view, "select-hover-filter")
    at = hover_node(page, "byd")
    assert page.evaluate(HOVER)["nodes"] == ["byd"]
    toggle_firms(page)  # hidden
    assert page.evaluate(HOVER) == {"nodes": [], "edges": [], "tip": False}
    assert page.evaluate("window.__cg.events") == ["hoverNode:byd", "blurNode:byd"]
    toggle_firms(page)  # shown again under the pointer
    state = page.evaluate(HOVER)
    assert state["nodes"] == ["byd"] and state["tip"]
    assert "比亚迪" in page.inner_text("#tip")
    page.mouse.move(at["x"] + 1, at["y"])  # moving on the node keeps it
    assert page.evaluate("window.__cg.events") == [
        "hoverNode:byd",
        "blurNode:byd",
        "hoverNode:byd",
    ]
    page.mouse.move(at["x"] - 200, at["y"] - 200)  # off it: one blur, nothing left hovered
    assert page.evaluate("window.__cg.events")[-1] == "blurNode:byd"
    assert page.evaluate(HOVER) == {"nodes": [], "edges": [], "tip": False}


def test_leaving_the_stage_from_a_node_takes_its_hover(open_view: Open) -> None:
    """The pointer goes from a node straight onto the controls beside the stage: vis-network
    saw no move off the node, so it stayed hovered and its tooltip stayed up."""
    view, page = small(open_view, "select-hover-leave")
    hover_node(page, "byd")
    aside = page.locator("#controls").bounding_box()
    page.mouse.move(aside["x"] + 20, aside["y"] + aside["height"] - 20)  # one move, off
    assert page.evaluate(HOVER) == {"nodes": [], "edges": [], "tip": False}
    assert page.evaluate("window.__cg.events") == ["hoverNode:byd", "blurNode:byd"]


def test_a_click_on_an_edge_of_a_small_view_selects_the_edge(open_view: Open) -> None:
    """vis-network unselects the node when an edge is clicked; the page kept the node's
    panel and highlight. Now the edge is selected in both: the panel explains the relation
    (its ends, grade, product, as text), and a click on an end selects that node."""
    view, page = small(open_view, "select-edge-small")
    supply = edge_index(view, "xss-quotes", "byd", "SUPPLIES")
    click_node(page, "byd")
    wait_until(page, "window.__cg.selected === 'byd'")
    page.wait_for_selector("#panel.open")
    at = page.evaluate(EDGE_POINT, supply)
    assert at, "the edge has no point to click"
    box = page.locator("#graph").bounding_box()
    page.mouse.click(box["x"] + at["x"], box["y"] + at["y"])
    wait_until(page, f"window.__cg.selectedEdge() === {supply}")
    assert page.evaluate("window.__cg.selected") is None
    assert page.evaluate("window.__cg.network.getSelection()") == {
        "nodes": [],
        "edges": [supply],
    }
    assert sorted(page.evaluate("window.__cg.keptEdges()")) == [supply]
    panel = page.inner_text("#panel")
    assert "SUPPLIES" in panel and "比亚迪" in panel
    assert XSS_QUOTES.split("`")[0].strip() in panel  # the hostile firm's name, as text
    assert XSS_IMG in panel  # the hostile product, as text
    assert page.evaluate("document.querySelectorAll('#panel img, #panel script').length") == 0
    assert_clean(page)
    # an end of the edge, from the panel: that node is selected, its panel shown
    page.locator("#panel td button", has_text="比亚迪").click()
    wait_until(page, "window.__cg.selected === 'byd'")
    assert page.evaluate("window.__cg.selectedEdge()") is None
    assert page.evaluate("window.__cg.network.getSelectedNodes()") == ["byd"]
    assert page.inner_text("#panel h3") == "比亚迪"


def test_a_click_on_an_edge_of_a_large_view_selects_the_edge(open_view: Open) -> None:
    """The same in a large view, whose edges the page draws: the node's panel closes, the
    edge's opens, and vis-network's node selection (which it drops) matches."""
    view, page = open_large(open_view, "select-edge-large")
    feeds = edge_index(view, "cathode", "cell", "FEEDS")
    at = point(page, feeds)
    click_node(page, "byd")
    wait_until(page, "window.__cg.selected === 'byd'")
    box = page.locator("#graph").bounding_box()
    page.mouse.click(box["x"] + at["x"], box["y"] + at["y"])
    wait_until(page, f"window.__cg.selectedEdge() === {feeds}")
    assert page.evaluate("window.__cg.selected") is None
    assert page.evaluate("window.__cg.network.getSelectedNodes()") == []
    assert page.evaluate("window.__cg.keptEdges()") == [feeds]
    assert page.inner_text("#panel h3") == view.edges[feeds]["label"]
    assert "正极材料" in page.inner_text("#panel") and "电芯" in page.inner_text("#panel")


@pytest.mark.parametrize("size", ["small", "large"])
def test_a_filter_hiding_the_selection_closes_its_panel(open_view: Open, size: str) -> None:
    """A selected node, or edge, hidden by a filter: its panel and highlight went on as if
    it were drawn (and vis-network kept the hidden node selected). Now the selection ends,
    as a click on empty canvas ends it."""
    if size == "small":
        view, page = small(open_view, "select-filter-small")
    else:
        view, page = open_large(open_view, "select-filter-large")
    click_node(page, "byd")
    wait_until(page, "window.__cg.selected === 'byd'")
    page.wait_for_selector("#panel.open")
    toggle_firms(page)
    assert page.evaluate("window.__cg.selected") is None
    assert not page.is_visible("#panel")
    assert page.evaluate("window.__cg.network.getSelection()") == {"nodes": [], "edges": []}
    assert page.evaluate("window.__cg.keptEdges()") == []
    assert page.evaluate("window.__cg.isDimmed('cell')") is False
    toggle_firms(page)
    # an edge selected, then hidden with its firm
    supply = edge_index(view, "hanke", "byd", "SUPPLIES")
    page.evaluate("i => window.__cg.selectEdge(i)", supply)
    page.wait_for_selector("#panel.open")
    toggle_firms(page)
    assert page.evaluate("window.__cg.selectedEdge()") is None
    assert not page.is_visible("#panel")


@pytest.mark.parametrize("size", ["small", "large"])
def test_closing_the_panel_lifts_the_veil(open_view: Open, size: str) -> None:
    """The panel's × ends the selection: the rest of the graph is drawn unveiled again at
    once (vis-network redrew as it unselected, before the page dropped its highlight, and
    nothing redrew after)."""
    if size == "small":
        view, page = small(open_view, "select-close-small")
        at = page.evaluate(EDGE_POINT, edge_index(view, "cathode", "cell", "FEEDS"))
    else:
        view, page = open_large(open_view, "select-close-large")
        at = point(page, edge_index(view, "cathode", "cell", "FEEDS"))
    plain = page.evaluate(PIXEL, at)
    assert plain < 200
    click_node(page, "byd")
    wait_until(page, "window.__cg.selected === 'byd'")
    next_frame(page)
    assert page.evaluate(PIXEL, at) > 200  # veiled
    page.locator("#panel button.close").click()
    next_frame(page)
    assert page.evaluate("window.__cg.selected") is None
    assert not page.is_visible("#panel")
    assert page.evaluate(PIXEL, at) == plain


def test_an_input_method_enter_in_the_search_box_picks_nothing(open_view: Open) -> None:
    """A Chinese name is typed with an input method: the Enter that confirms the word
    comes while composing and is the method's, not a pick of the first result."""
    view, page = small(open_view, "select-search-ime")
    page.fill("#search", "比亚")
    assert page.locator("#results button").first.get_attribute("data-id") == "byd"
    page.evaluate(
        """() => document.getElementById('search').dispatchEvent(new KeyboardEvent('keydown',
        {key: 'Enter', isComposing: true, keyCode: 229, bubbles: true, cancelable: true}))"""
    )
    assert page.evaluate("window.__cg.selected") is None
    assert not page.is_visible("#panel")
    page.press("#search", "Enter")  # the word is there: now Enter picks
    wait_until(page, "window.__cg.selected === 'byd'")


def test_escape_closes_the_panel(open_view: Open) -> None:
    """Escape ends the selection as the panel's × does; in the search box with text it
    empties the box first and leaves the panel."""
    view, page = small(open_view, "select-escape")
    click_node(page, "byd")
    page.wait_for_selector("#panel.open")
    page.keyboard.press("Escape")
    assert page.evaluate("window.__cg.selected") is None
    assert not page.is_visible("#panel")
    assert page.evaluate("window.__cg.network.getSelectedNodes()") == []
    page.fill("#search", "比亚迪")
    page.press("#search", "Enter")
    wait_until(page, "window.__cg.selected === 'byd'")
    page.press("#search", "Escape")
    assert page.input_value("#search") == ""
    assert page.is_visible("#panel")
    page.press("#search", "Escape")
    assert not page.is_visible("#panel")


#: counts vis-network's node drawing calls (each node's draw) from now on
COUNT_DRAWS = """() => { const cg = window.__cg, at = cg.network.body.nodes; cg.draws = 0;
  if (cg.counting) return;
  cg.counting = true;
  Object.keys(at).forEach(id => { const nd = at[id], draw = nd.draw;
    nd.draw = function (ctx) { cg.draws++; return draw.call(this, ctx); }; }); }"""


#: keep the canvas's pixels (``keep``), or compare them with those kept: the largest
#: difference of a channel, 0..255
FRAME = """(keep) => { const c = document.querySelector('#graph canvas'), cg = window.__cg,
  d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  if (keep) { cg.kept = d; return 0; }
  let most = 0;
  for (let k = 0; k < d.length; k++) most = Math.max(most, Math.abs(d[k] - cg.kept[k]));
  return most; }"""


def test_a_click_in_a_large_view_draws_only_its_neighbourhood_again(open_view: Open) -> None:
    """A click changes what is kept over the veil, not the nodes under it: the frame puts
    back the copy of those and vis-network draws no node outside the kept neighbourhood
    (it drew every node on screen: a 20k view's click took a full redraw). The frame so
    drawn looks as a full redraw."""
    view = graph_view(large_graph(), aggregate_over=10**9)
    page = open_view(view, "select-kept-frame")
    assert page.evaluate("window.__cg.ownEdges") is True
    page.evaluate("window.__cg.select(null)")  # a full frame with nothing selected
    next_frame(page)
    page.evaluate(COUNT_DRAWS)
    page.evaluate("window.__cg.network.redraw()")  # the same frame again: put back
    assert page.evaluate("window.__cg.draws") == 0
    page.evaluate("window.__cg.select('byd', false)")
    next_frame(page)
    kept = page.evaluate(
        "Object.keys(window.__cg.network.body.nodes).filter(id => !window.__cg.isDimmed(id)).length"
    )
    assert 0 < page.evaluate("window.__cg.draws") <= kept
    page.evaluate(FRAME, True)
    page.evaluate("window.__cg.picture() && null")  # draws every node again
    assert page.evaluate("window.__cg.draws") > 1000
    # the same to the eye: the selected node's rim, antialiased over the copy of it
    # unselected, differs by a few levels
    assert page.evaluate(FRAME, False) <= 16
    # an edge selected: no node drawn again but the edge's two ends
    page.evaluate(COUNT_DRAWS)
    feeds = edge_index(view, "cathode", "cell", "FEEDS")
    page.evaluate(f"window.__cg.selectEdge({feeds})")
    next_frame(page)
    assert page.evaluate("window.__cg.draws") == 2
    # the view moved, and no frame drawn since (one task; else that frame, drawn in full, is
    # the one kept): every node on screen drawn again
    page.evaluate(COUNT_DRAWS)
    page.evaluate(
        """() => { const n = window.__cg.network;
        n.moveTo({scale: n.getScale() * 1.2}); window.__cg.select('byd', false); }"""
    )
    next_frame(page)
    assert page.evaluate("window.__cg.draws") > kept


def test_an_ego_view_opens_with_nothing_selected(open_view: Open) -> None:
    """The firm an ego view is drawn around was shown selected by vis-network with no
    panel open (Escape and x had nothing to close, a filter hiding it left it selected).
    It is marked by its wider border instead, and nothing is selected until a click."""
    page = open_view(ego_view(sample_graph(), "byd"), "select-ego")
    assert_clean(page)
    assert page.evaluate("window.__cg.network.getSelectedNodes()") == []
    assert page.evaluate("window.__cg.selected") is None
    assert page.evaluate("window.__cg.network.body.nodes['byd'].options.borderWidth") == 4
    click_node(page, "byd")
    wait_until(page, "window.__cg.selected === 'byd'")
    assert page.evaluate("window.__cg.network.getSelectedNodes()") == ["byd"]


#: the search results as a list box: ids in order, the highlighted ones (class and
#: aria-selected), what the box names as its active descendant, and the backgrounds of the
#: highlighted result and of another
RESULTS = """() => { const bs = [...document.querySelectorAll('#results button')];
  const box = document.getElementById('search'), at = box.getAttribute('aria-activedescendant');
  const on = bs.filter(b => b.classList.contains('active'));
  const off = bs.filter(b => !b.classList.contains('active')), id = b => b.dataset.id;
  return { ids: bs.map(id), active: on.map(id),
           selected: bs.filter(b => b.getAttribute('aria-selected') === 'true').map(id),
           options: bs.filter(b => b.getAttribute('role') === 'option').length,
           descendant: at ? document.getElementById(at).dataset.id : null,
           role: box.getAttribute('role'), expanded: box.getAttribute('aria-expanded'),
           look: on.length && off.length ? [getComputedStyle(on[0]).backgroundColor,
                                            getComputedStyle(off[0]).backgroundColor] : null };
}"""

#: an ArrowDown that moves through an input method's candidates, not the results
IME_DOWN = """() => document.getElementById('search').dispatchEvent(new KeyboardEvent('keydown',
  {key: 'ArrowDown', isComposing: true, keyCode: 229, bubbles: true, cancelable: true}))"""


def test_the_arrow_keys_move_through_the_search_results(open_view: Open) -> None:
    """The results of the search box could only be clicked (or the first picked with Enter):
    ArrowDown and ArrowUp now move a highlight through them, wrapping round at the ends, shown
    and named to screen readers as the box's active descendant; Enter picks the highlighted
    one. An input method's arrows move its own candidates, not the highlight."""
    view, page = small(open_view, "select-search-keys")
    page.fill("#search", "电")
    state = page.evaluate(RESULTS)
    assert state["ids"] == ["cell", "pack", "recycle", "p1"]
    assert state["role"] == "combobox" and state["expanded"] == "true"
    assert state["options"] == 4
    assert state["active"] == state["selected"] == [] and state["descendant"] is None
    moves = [
        ("ArrowDown", "cell"),
        ("ArrowDown", "pack"),
        ("ArrowUp", "cell"),
        ("ArrowUp", "p1"),  # round to the last
        ("ArrowDown", "cell"),  # and back to the first
        ("ArrowUp", "p1"),
        ("ArrowUp", "recycle"),
    ]
    for key, expected in moves:
        page.press("#search", key)
        state = page.evaluate(RESULTS)
        assert state["active"] == state["selected"] == [expected], key
        assert state["descendant"] == expected
        assert state["look"][0] != state["look"][1]  # the highlight is seen
    page.evaluate(IME_DOWN)
    assert page.evaluate(RESULTS)["active"] == ["recycle"]
    assert page.evaluate("document.activeElement.id") == "search"  # typing goes on in the box
    page.press("#search", "Enter")
    wait_until(page, "window.__cg.selected === 'recycle'")
    assert page.inner_text("#panel h3") == "电池回收"
    # new text, new results: nothing highlighted, Enter picks the first again
    page.fill("#search", "电池")
    state = page.evaluate(RESULTS)
    assert state["ids"] == ["pack", "recycle", "p1"] and state["active"] == []
    assert state["descendant"] is None
    page.press("#search", "Enter")
    wait_until(page, "window.__cg.selected === 'pack'")
    # no results: the arrows leave the box as it is
    page.fill("#search", "无此节点")
    page.press("#search", "ArrowDown")
    state = page.evaluate(RESULTS)
    assert state["ids"] == [] and state["expanded"] == "false" and state["descendant"] is None
    assert_clean(page)


#: the node drawn farthest from the middle of the stage (but ``not``), inside it and left of
#: where the side panel opens (a panel opening under the pointer takes the hover anyway)
FARTHEST = """(not) => { const n = window.__cg.network, g = document.getElementById('graph');
  const W = g.clientWidth, H = g.clientHeight;
  let best = null, far = -1;
  n.body.nodeIndices.forEach(id => { const p = n.canvasToDOM(n.getPosition(id));
    const d = Math.hypot(p.x - W / 2, p.y - H / 2);
    if (id !== not && p.x > 40 && p.y > 40 && p.x < W - 380 && p.y < H - 40 && d > far) {
      far = d; best = id; } });
  return best; }"""

#: the node vis-network finds at a point of the stage (DOM px), or null
NODE_AT = """(p) => { const id = window.__cg.network.getNodeAt(p);
  return id === undefined ? null : id; }"""


@pytest.mark.parametrize(
    ("size", "how"), [("small", "focus"), ("large", "focus"), ("small", "zoom"), ("small", "fit")]
)
def test_a_move_of_the_view_takes_the_hover_from_under_a_still_pointer(
    open_view: Open, size: str, how: str
) -> None:
    """The pointer rests on a node, tooltip up, while the page moves the view (Enter in the
    search box focuses another node; the zoom or fit button pressed from the keyboard):
    vis-network looks for what is under the pointer only when the pointer moves, so the node
    that moved away stayed hovered with its tooltip. Now the hover ends as the view moves,
    and once it is still what is under the pointer then (if anything) is hovered, as after a
    filter."""
    if size == "small":
        view, page = small(open_view, f"select-move-{how}")
    else:
        view, page = open_large(open_view, f"select-move-{how}-large")
        wait_still(page)
        page.evaluate(RECORD)
    if how == "fit":  # a close-up, for 适应窗口 to move out of
        page.evaluate("window.__cg.network.moveTo({scale: window.__cg.network.getScale() * 1.6})")
        next_frame(page)
    # a focus, zoom or fit moves a node far from the middle of the stage most
    node = page.evaluate(FARTHEST, "recycle")
    at = hover_node(page, node)
    assert page.evaluate(HOVER)["nodes"] == [node]
    if how == "focus":
        page.fill("#search", "电池回收")  # the keyboard only: the pointer stays
        page.press("#search", "Enter")
        wait_until(page, "window.__cg.selected === 'recycle'")
    else:
        page.locator("#zoom-in" if how == "zoom" else "#fit").focus()
        page.keyboard.press("Enter")
    wait_still(page)
    next_frame(page)
    box = page.locator("#graph").bounding_box()
    here = {"x": at["x"] - box["x"], "y": at["y"] - box["y"]}
    under = page.evaluate(NODE_AT, here)
    assert under != node, "the view did not move the node away from the pointer"
    state = page.evaluate(HOVER)
    assert state["nodes"] == ([under] if under else [])
    events = page.evaluate("window.__cg.events")
    assert events[:2] == [f"hoverNode:{node}", f"blurNode:{node}"]
    if under:
        assert f"hoverNode:{under}" in events[2:]
        name = page.evaluate("id => window.__cg.data.nodes.find(n => n.id === id).name", under)
        assert state["tip"] and name in page.inner_text("#tip")
    else:  # a tooltip only for an edge under the pointer now
        edge = bool(state["edges"]) or page.evaluate("p => window.__cg.edgeAt(p) !== null", here)
        assert state["tip"] == edge
    # the pointer moves on: vis-network and the page agree with it again
    page.mouse.move(at["x"] + 1, at["y"])
    assert page.evaluate(HOVER)["nodes"] == ([under] if under else [])


def test_after_a_wheel_zoom_the_node_under_the_pointer_shows_its_tooltip(open_view: Open) -> None:
    """The wheel zooms over a node: its tooltip went, but vis-network held the node hovered,
    so moving on over it sent no hoverNode and showed no tooltip. Now the zoom blurs it, and
    the pointer's next move hovers what is under it again."""
    view, page = small(open_view, "select-wheel")
    at = hover_node(page, "byd")
    page.mouse.wheel(0, -120)
    wait_until(page, "getComputedStyle(document.getElementById('tip')).display === 'none'")
    next_frame(page)
    page.mouse.move(at["x"] + 1, at["y"])
    box = page.locator("#graph").bounding_box()
    under = page.evaluate(NODE_AT, {"x": at["x"] + 1 - box["x"], "y": at["y"] - box["y"]})
    assert under == "byd", "the zoom moved byd from under the pointer"
    state = page.evaluate(HOVER)
    assert state["nodes"] == ["byd"] and state["tip"]
    assert "比亚迪" in page.inner_text("#tip")
    assert page.evaluate("window.__cg.events") == [
        "hoverNode:byd",
        "blurNode:byd",
        "hoverNode:byd",
    ]
