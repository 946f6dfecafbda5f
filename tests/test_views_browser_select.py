"""Hover and selection as a user meets them, in small views (vis-network draws the edges) and
large ones (the page draws them): what is drawn hovered or selected, the tooltip and the side
panel agree after filters, clicks on edges and the pointer leaving the stage. Headless
Chromium, every request blocked.
"""

from __future__ import annotations

from typing import Any

import pytest

from browser_fixtures import Open, assert_clean, wait_until
from chaingraph.views import View, graph_view
from test_views import sample_graph
from test_views_browser_edges import next_frame

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


def small(open_view: Open, name: str) -> tuple[View, Any]:
    view = graph_view(sample_graph())
    page = open_view(view, name)
    assert_clean(page)
    assert page.evaluate("window.__cg.ownEdges") is False
    wait_until(page, "window.__cg.ready && window.__cg.moving === false")
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
