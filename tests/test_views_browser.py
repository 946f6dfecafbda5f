"""The exported pages in headless Chromium with every network request blocked.

Screenshots of each view are saved to ``test-artifacts/`` for a person to look at.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from browser_fixtures import Open, assert_clean, click_node, drawn_count, show, wait_until
from chaingraph.dataset import read_graph
from chaingraph.model import ChainGraph
from chaingraph.views import View, chain_view, ego_view, gaps_view, graph_view
from conftest import SHENGZHOU
from test_views import XSS_IMG, XSS_QUOTES, XSS_SCRIPT, drawable, sample_graph

pytestmark = pytest.mark.browser


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
        # some firms folded (已将企业和项目并入…), or all of them when too many have no
        # segment, as the reference layer's outside firms (已全部并入所属环节…)
        assert "并入" in page.inner_text("#notice")


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
    click_node(page, "xss-quotes")  # waits until the page says the focus animation is over
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
    page.click("#fit")
    box = page.locator("#graph").bounding_box()
    pos = page.evaluate(
        "() => window.__cg.network.canvasToDOM(window.__cg.network.getPosition('xss-img'))"
    )
    page.mouse.move(box["x"] + pos["x"] + 1, box["y"] + pos["y"] + 1)
    page.wait_for_selector("#tip", state="visible")
    assert page.evaluate("document.querySelectorAll('img, iframe, object, embed').length") == 0
    assert_clean(page)


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("records-chain", lambda: chain_view(sample_graph(), "ne")),
        ("records-all", lambda: graph_view(shengzhou())),
        ("records-folded", lambda: graph_view(shengzhou(), aggregate_over=20)),
    ],
)
def test_page_makes_the_views_records_again(
    open_view: Open, name: str, make: Callable[[], View]
) -> None:
    """The data travels as columns with repeating values sent once and edge ends as node
    positions (views/html.py); the page's records are the view's, field for field."""
    view = make()
    data = view.to_dict()
    page = open_view(view, name)
    for part in ("nodes", "edges", "members"):
        expected = data[part]
        keys = sorted(set().union(*expected)) if expected else []
        got = page.evaluate(
            """([part, keys]) => window.__cg.data[part].map(r => {
              const out = {}; keys.forEach(k => { if (k in r) out[k] = r[k]; }); return out; })""",
            [part, keys],
        )
        assert got == expected, part


def test_the_bench_times_the_frame_that_shows_the_graph(browser: Any, tmp_path: Path) -> None:
    """``bench_views.presented`` reads a trace of a real load: the first draw it reports is a
    frame swapped after the page's script drew the graph into the canvas (not the page
    shell's first paint before it), and the main-thread CPU it counts fits in that time."""
    import importlib.util

    from chaingraph.views import write_html

    spec = importlib.util.spec_from_file_location(
        "bench_views", Path(__file__).parent.parent / "scripts" / "bench_views.py"
    )
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    path = write_html(graph_view(sample_graph()), tmp_path / "traced.html")
    # a loaded machine may show the frame after the page's wait: then load again, waiting longer
    for pause_ms in (200, 1_000, 4_000):
        context = browser.new_context(viewport={"width": 1366, "height": 768})
        try:
            page = context.new_page()
            browser.start_tracing(categories=bench.TRACE_CATEGORIES)
            page.goto(path.as_uri())
            drawn = float(wait_until(page, "window.__cg && window.__cg.firstDraw", 20_000))
            page.evaluate(bench.after_draw(pause_ms))
            trace = browser.stop_tracing()
        finally:
            context.close()
        try:
            load = bench.presented(trace, path.as_uri(), drawn)
            break
        except bench.FrameNotTraced:
            if pause_ms == 4_000:
                raise
    assert load["presented"] > drawn > load["navigation"] >= 0
    assert 0 < load["cpu"] < load["presented"]
    assert load["pipeline"] > 0
    # everything between navigation start and the frame is accounted for, roughly
    parts = load["navigation"] + load["cpu"] + load["descheduled"] + load["idle"]
    assert parts <= load["presented"] + 1
    # a trace cut before the frame reached the display is told apart from a bad one
    events = json.loads(trace)
    events = events["traceEvents"] if isinstance(events, dict) else events
    cut = [e for e in events if e["name"] != "Activation"]
    with pytest.raises(bench.FrameNotTraced, match="activated"):
        bench.presented(json.dumps(cut).encode(), path.as_uri(), drawn)
