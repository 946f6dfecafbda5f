"""The exported pages in headless Chromium with every network request blocked.

Screenshots of each view are saved to ``test-artifacts/`` for a person to look at.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from browser_fixtures import wait_until
from chaingraph.dataset import read_graph
from chaingraph.model import ChainGraph
from chaingraph.views import View, chain_view, ego_view, gaps_view, graph_view, write_html
from conftest import SHENGZHOU
from test_views import QUOTE, XSS_IMG, XSS_QUOTES, XSS_SCRIPT, drawable, sample_graph

pytestmark = pytest.mark.browser

Open = Callable[[View, str], Any]


def show(page: Any, view: View, path: Path, shot: Path) -> Any:
    """Write a view, open it, wait for the first drawing and screenshot it."""
    write_html(view, path)
    page.goto(path.as_uri())
    wait_until(page, "window.__cg && window.__cg.firstDraw !== null", 20_000)
    page.screenshot(path=str(shot))
    return page


@pytest.fixture
def open_view(page: Any, tmp_path: Path, artifacts: Path) -> Open:
    """``open_view(view, name)``: the page showing the view (screenshot view-NAME.png)."""

    def go(view: View, name: str) -> Any:
        return show(page, view, tmp_path / f"{name}.html", artifacts / f"view-{name}.png")

    return go


def drawn_count(page: Any) -> int:
    """Nodes vis-network draws (visible ones), read from the network itself."""
    return int(page.evaluate("window.__cg.network.body.nodeIndices.length"))


def assert_clean(page: Any) -> None:
    log = page.cg_log
    assert log.errors == []
    assert log.blocked == []  # no request of any kind beyond the file itself
    assert log.dialogs == []
    assert page.evaluate("window.__pwned") is None


def shengzhou() -> ChainGraph:
    return read_graph(SHENGZHOU)


@pytest.mark.parametrize(
    ("name", "make", "expected"),
    [
        ("sample-chain", lambda: chain_view(sample_graph(), "ne"), None),
        ("sample-gaps", lambda: gaps_view(sample_graph(), "ne"), None),
        ("sample-firm", lambda: ego_view(sample_graph(), "byd"), None),
        ("sample-all", lambda: graph_view(sample_graph()), len(drawable(sample_graph()))),
        ("shengzhou-chain", lambda: chain_view(shengzhou(), "new-energy-equipment"), None),
        ("shengzhou-gaps", lambda: gaps_view(shengzhou(), "silk-fibroin"), None),
        ("shengzhou-all-folded", lambda: graph_view(shengzhou(), aggregate_over=20), None),
    ],
)
def test_view_loads_clean_and_draws_every_node(
    open_view: Open, name: str, make: Callable[[], View], expected: int | None
) -> None:
    view = make()
    page = open_view(view, name)
    assert_clean(page)
    assert drawn_count(page) == len(view.nodes)
    if expected is not None:
        assert drawn_count(page) == expected
    assert page.title() == view.title
    if view.notice:
        assert "已将企业和项目并入" in page.inner_text("#notice")


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
    wait_until(
        page,
        "(() => { const n = window.__cg.network, p = n.getPosition('byd'),"
        " v = n.getViewPosition(); return Math.hypot(p.x - v.x, p.y - v.y) < 2; })()",
        5_000,
    )
    assert page.evaluate("window.__cg.network.getSelectedNodes()") == ["byd"]
    assert page.is_visible("#panel")


def test_search_by_alias(open_view: Open) -> None:
    page = open_view(chain_view(sample_graph(), "ne"), "alias")
    page.fill("#search", "ｂｙｄ")  # full-width, other case
    assert page.locator("#results button").first.get_attribute("data-id") == "byd"


def click_node(page: Any, node_id: str) -> None:
    box = page.locator("#graph").bounding_box()
    pos = page.evaluate(
        "id => window.__cg.network.canvasToDOM(window.__cg.network.getPosition(id))", node_id
    )
    page.mouse.click(box["x"] + pos["x"], box["y"] + pos["y"])


def test_click_opens_side_panel_with_source_quote(open_view: Open, artifacts: Path) -> None:
    page = open_view(chain_view(shengzhou(), "new-energy-equipment"), "click")
    assert not page.is_visible("#panel")
    click_node(page, "byd")
    page.wait_for_selector("#panel.open")
    text = page.inner_text("#panel")
    assert QUOTE in text
    assert "比亚迪" in page.inner_text("#panel h3")
    # the neighbourhood stays, the rest is dimmed
    colors = page.evaluate(
        "[window.__cg.nodes.get('ne-cell').color.background,"
        " window.__cg.nodes.get('ne-separator').color.background]"
    )
    assert colors[0] != "#eceff1" and colors[1] == "#eceff1"
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


def test_payloads_show_as_text_and_run_nothing(open_view: Open, artifacts: Path) -> None:
    view = chain_view(sample_graph(), "ne")
    page = open_view(view, "xss")
    assert page.title() == view.title  # the chain name with </script> in it, as text
    assert XSS_SCRIPT in page.inner_text("h1")
    # search by the payload alias, open its panel, hover it for the tooltip
    page.fill("#search", "</script>")
    assert XSS_IMG in page.locator("#results").inner_text()
    page.locator('#results button[data-id="xss-img"]').click()
    page.wait_for_selector("#panel.open")
    assert page.inner_text("#panel h3") == XSS_IMG
    assert XSS_IMG in page.inner_text("#panel")  # its quote and the source title
    click_node(page, "xss-quotes")
    wait_until(page, "window.__cg.selected === 'xss-quotes'")
    assert page.inner_text("#panel h3") == XSS_QUOTES
    box = page.locator("#graph").bounding_box()
    pos = page.evaluate(
        "() => window.__cg.network.canvasToDOM(window.__cg.network.getPosition('xss-quotes'))"
    )
    page.mouse.move(box["x"] + pos["x"] + 1, box["y"] + pos["y"] + 1)
    page.wait_for_selector("#tip", state="visible")
    assert page.inner_text("#tip").startswith(XSS_QUOTES)
    # nothing executed, no element was made from the data, nothing was requested
    assert page.evaluate("document.querySelectorAll('img, iframe, object, embed').length") == 0
    assert page.evaluate("document.querySelectorAll('script').length") == 3
    assert_clean(page)
    page.screenshot(path=str(artifacts / "view-xss-panel.png"))


def test_payloads_are_inert_even_without_the_csp(
    page_without_csp: Any, tmp_path: Path, artifacts: Path
) -> None:
    """The escaping alone keeps the payloads inert; the policy is only a second line."""
    view = chain_view(sample_graph(), "ne")
    page = show(page_without_csp, view, tmp_path / "x.html", artifacts / "view-xss-nocsp.png")
    page.fill("#search", "<")
    for button in page.locator("#results button").all():
        button.click()
    click_node(page, "xss-quotes")
    box = page.locator("#graph").bounding_box()
    pos = page.evaluate(
        "() => window.__cg.network.canvasToDOM(window.__cg.network.getPosition('xss-img'))"
    )
    page.mouse.move(box["x"] + pos["x"] + 1, box["y"] + pos["y"] + 1)
    page.wait_for_selector("#tip", state="visible")
    assert page.evaluate("document.querySelectorAll('img, iframe, object, embed').length") == 0
    assert_clean(page)


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
