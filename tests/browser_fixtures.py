"""Pytest plugin: headless Chromium (Debian's /usr/bin/chromium) driven by Playwright.

``browser`` is one Chromium per session; ``page`` is a fresh page whose every request other
than the page's own ``file://`` document is aborted (and recorded), and whose console errors,
page errors and dialogs are recorded on ``page.cg_log``. Tests that use them are skipped with a
reason when Chromium or Playwright is missing, except under CI (``CI`` set), where a missing
browser fails them: CI must run them. Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import pytest

if TYPE_CHECKING:
    from chaingraph.views import View

#: ``open_view(view, name)`` -> the page showing it
Open = Callable[["View", str], Any]

CHROMIUM = Path(os.environ.get("CHAINGRAPH_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).parent.parent / "test-artifacts"
#: ``CHAINGRAPH_SLOW_FRAMES=MS``: every animation frame callback comes MS ms later, as on a
#: loaded machine (the main thread stays free): a test that reads the canvas before the frame
#: it needs, or allows a fixed time for frames, fails at once instead of now and then in CI
SLOW_FRAMES = os.environ.get("CHAINGRAPH_SLOW_FRAMES", "")


@dataclass
class BrowserLog:
    """What a page did that a test may check: console errors, blocked requests, dialogs."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[str]:
        return self.console_errors + self.page_errors


def unavailable(reason: str) -> NoReturn:
    """Skip a test whose browser is missing; under CI (``CI`` set) fail it instead."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI is set, so the browser tests must run", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """A headless Chromium for the whole session (see :func:`unavailable` if it is missing)."""
    if not CHROMIUM.exists():
        unavailable(f"headless browser tests need Chromium at {CHROMIUM} (apt install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("browser tests need Playwright for Python (pip install playwright)")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


#: the smallest screen the views are made for: a 1366x768 laptop
LAPTOP = {"width": 1366, "height": 768}


def _open_page(browser: Any, bypass_csp: bool, viewport: dict[str, int] | None = None) -> Any:
    context = browser.new_context(
        viewport=viewport or {"width": 1400, "height": 900},
        accept_downloads=True,
        bypass_csp=bypass_csp,
    )
    pg = context.new_page()
    if SLOW_FRAMES:
        pg.add_init_script(
            "(() => { const raf = window.requestAnimationFrame.bind(window);"
            f" window.requestAnimationFrame = cb => setTimeout(() => raf(cb), {int(SLOW_FRAMES)});"
            " })()"
        )
    log = BrowserLog()
    pg.cg_log = log

    def route(r: Any) -> None:
        req = r.request
        # the document itself (a file:// navigation) may load; nothing else
        if req.is_navigation_request() and req.url.startswith("file://"):
            r.continue_()
        else:
            log.blocked.append(req.url)
            r.abort()

    pg.route("**/*", route)
    pg.on("console", lambda m: log.console_errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: log.page_errors.append(str(e)))

    def on_dialog(d: Any) -> None:
        log.dialogs.append(d.message)
        d.dismiss()

    pg.on("dialog", on_dialog)
    return pg


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A page that may load only its own file: every other request is aborted and logged.

    The page's Content-Security-Policy applies, as in a user's browser; wait with
    :func:`wait_until` (Playwright's ``wait_for_function`` evaluates strings, which a strict
    policy refuses).
    """
    pg = _open_page(browser, bypass_csp=False)
    try:
        yield pg
    finally:
        pg.context.close()


@pytest.fixture
def laptop_page(browser: Any) -> Iterator[Any]:
    """Like ``page`` on a 1366x768 screen."""
    pg = _open_page(browser, bypass_csp=False, viewport=LAPTOP)
    try:
        yield pg
    finally:
        pg.context.close()


@pytest.fixture
def page_without_csp(browser: Any) -> Iterator[Any]:
    """Like ``page`` but ignoring the page's Content-Security-Policy, to test what the page
    does without that second line of defence."""
    pg = _open_page(browser, bypass_csp=True)
    try:
        yield pg
    finally:
        pg.context.close()


def wait_until(pg: Any, expression: str, timeout_ms: int = 10_000) -> Any:
    """Poll a JavaScript expression until it is truthy; return its value (fails on timeout)."""
    waited = 0
    while True:
        value = pg.evaluate(expression)
        if value:
            return value
        if waited >= timeout_ms:
            raise AssertionError(f"timed out after {timeout_ms} ms waiting for {expression}")
        pg.wait_for_timeout(25)
        waited += 25


@pytest.fixture
def artifacts() -> Path:
    """The folder for screenshots (gitignored)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


# --- chaingraph views ---------------------------------------------------------------


def show(page: Any, view: View, path: Path, shot: Path) -> Any:
    """Write a view, open it, wait for the first drawing and screenshot it."""
    from chaingraph.views import write_html

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


def overlaps(rects: list[dict[str, float]]) -> list[tuple[int, int]]:
    """Pairs of indexes of rectangles (x, y, width, height) whose insides intersect."""
    found = []
    for i, a in enumerate(rects):
        for j in range(i + 1, len(rects)):
            b = rects[j]
            if (
                a["x"] < b["x"] + b["width"] - 0.5
                and b["x"] < a["x"] + a["width"] - 0.5
                and a["y"] < b["y"] + b["height"] - 0.5
                and b["y"] < a["y"] + a["height"] - 0.5
            ):
                found.append((i, j))
    return found


def pdf_pages(pdf: bytes) -> int:
    """Pages in a PDF Chromium printed (its page objects are not compressed)."""
    import re

    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def drawn_count(page: Any) -> int:
    """Nodes vis-network draws (visible ones), read from the network itself."""
    return int(page.evaluate("window.__cg.network.body.nodeIndices.length"))


def assert_clean(page: Any) -> None:
    """No console error, no request beyond the file, no dialog, no payload flag."""
    log = page.cg_log
    assert log.errors == []
    assert log.blocked == []  # no request of any kind beyond the file itself
    assert log.dialogs == []
    assert page.evaluate("window.__pwned") is None


def next_frame(page: Any) -> None:
    """Wait until the page has drawn the frame asked for before (its canvas, not the display)."""
    page.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def wait_still(page: Any) -> None:
    """Wait until the view has stopped moving, however long the machine takes.

    The page says when an animated focus or zoom is over (``__cg.moving``, cleared by
    vis-network's ``animationFinished``). vis-network counts an animation in frames (21 for
    a focus), not in time: on a loaded machine whose frames come a second apart that is 21 s,
    so no budget of a few seconds is safe.
    """
    wait_until(page, "window.__cg.ready && window.__cg.moving === false", 120_000)


def click_node(page: Any, node_id: str) -> None:
    """Click where the network draws a node, once the view has stopped moving
    (:func:`wait_still`): a position read mid-animation misses the node on a busy machine."""
    wait_still(page)
    box = page.locator("#graph").bounding_box()
    pos = page.evaluate(
        "id => window.__cg.network.canvasToDOM(window.__cg.network.getPosition(id))", node_id
    )
    page.mouse.click(box["x"] + pos["x"], box["y"] + pos["y"])
