"""The chain panorama (产业链全景图): its data, its safety, and how it looks in Chromium."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from browser_fixtures import assert_clean, overlaps, pdf_pages
from chaingraph.analysis.coverage import chain_map
from chaingraph.analysis.targets import FROM_DATA, FROM_NAME
from chaingraph.dataset import read_graph
from chaingraph.model import ChainGraph
from chaingraph.views import build_panorama, render_panorama, write_panorama
from chaingraph.views.panorama import _targets_by_segment
from conftest import SHENGZHOU

CHAIN = "new-energy-equipment"


def boxes(G: ChainGraph, chain: str) -> list[Any]:
    return [b for _, subs in build_panorama(G, chain).columns for col in subs for b in col]


def test_boxes_follow_chain_map_order_and_status() -> None:
    G = read_graph(SHENGZHOU)
    rows = chain_map(G, CHAIN)
    got = boxes(G, CHAIN)
    assert [(b.segment, b.status) for b in got] == [(r["segment"], r["status"]) for r in rows]
    tiers = [b.tier for b in got]
    assert tiers == sorted(tiers, key=["upstream", "midstream", "downstream"].index)


def test_leader_marked_and_targets_under_gaps() -> None:
    G: ChainGraph = nx.MultiDiGraph()
    G.add_node("c", kind="Chain", name="电池")
    G.add_node("cell", kind="Segment", name="电芯", tier="midstream")
    G.add_node("sep", kind="Segment", name="隔膜", tier="upstream")
    G.add_node("byd", kind="Firm", name="比亚迪", local=True)
    G.add_node("senior", kind="Firm", name="星源材质", local=False, region="广东")
    for s in ("cell", "sep"):
        G.add_edge("c", s, key="HAS_SEGMENT")
    G.add_edge("sep", "cell", key="FEEDS")
    G.add_edge("byd", "cell", key="IN_SEGMENT")
    G.add_edge("senior", "sep", key="IN_SEGMENT")
    G.add_edge("byd", "c", key="LEADS")
    page = render_panorama(build_panorama(G, "c"))
    assert "★比亚迪 (链主)" in page
    assert "星源材质 (广东)" in page
    sep, cell = boxes(G, "c")
    assert (sep.status, sep.targets) == ("gap", ["星源材质 (广东)"])
    assert cell.targets == []  # weak box without an external firm: none listed


def test_text_from_data_is_escaped(tmp_path: Path) -> None:
    G: ChainGraph = nx.MultiDiGraph()
    G.add_node("c", kind="Chain", name="<script>alert(1)</script>")
    G.add_node("s", kind="Segment", name='"><img src=x onerror=alert(1)>', tier="upstream")
    G.add_node("f", kind="Firm", name="<b>厂</b>", local=True)
    G.add_edge("c", "s", key="HAS_SEGMENT")
    G.add_edge("f", "s", key="IN_SEGMENT")
    text = write_panorama(G, "c", tmp_path / "p.html").read_text(encoding="utf-8")
    assert "<script" not in text and "<img" not in text and "<b>厂" not in text
    assert "&lt;b&gt;厂&lt;/b&gt;" in text
    assert "script-src 'none'" in text


def test_cli_writes_panorama(run: Any, tmp_path: Path) -> None:
    out = tmp_path / "p.html"
    result = run("view", "panorama", "新能源装备产业链", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "产业链全景图" in out.read_text(encoding="utf-8")


@pytest.mark.browser
def test_panorama_fits_laptop_and_prints_on_one_page(
    laptop_page: Any, tmp_path: Path, artifacts: Path
) -> None:
    G = read_graph(SHENGZHOU)
    path = write_panorama(G, CHAIN, tmp_path / "p.html")
    page = laptop_page
    page.goto(path.as_uri())
    page.screenshot(path=str(artifacts / "panorama-1366x768.png"))
    assert_clean(page)
    rects = page.evaluate(
        "[...document.querySelectorAll('.box')].map(e => e.getBoundingClientRect().toJSON())"
    )
    assert len(rects) == len(chain_map(G, CHAIN))
    for r in rects:  # every box inside the first screen, nothing to scroll to
        assert r["x"] >= 0 and r["y"] >= 0
        assert r["x"] + r["width"] <= 1366 and r["y"] + r["height"] <= 768
    assert overlaps(rects) == []
    # no two pieces of text overlap (titles, firm lines, tier headings, legend)
    texts = page.evaluate(
        "[...document.querySelectorAll('h1, .sub, .legend > span, .tier, .box h2 span, .box p')]"
        ".map(e => e.getBoundingClientRect().toJSON())"
    )
    inner = [r for r in texts if r["width"] > 0]
    # a badge sits inside its title row, so compare the rows' own spans pairwise
    assert overlaps(inner) == []
    # text is readable: nothing smaller than 12 px on screen
    smallest = page.evaluate(
        "Math.min(...[...document.querySelectorAll('.box *, .tier')]"
        ".map(e => parseFloat(getComputedStyle(e).fontSize)))"
    )
    assert smallest >= 11
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    assert pdf_pages(pdf) == 1


def test_a_region_inferred_from_the_name_is_not_shown_in_a_box() -> None:
    """The boxes give only a region the data states: a target whose region is inferred from
    its registered name (the targets' region_basis) is listed by name alone."""
    rows = [
        {"firm": "r", "name": "己化学", "region": "浙江省(推断)", "region_basis": FROM_NAME},
        {"firm": "b", "name": "乙材料", "region": "浙江省杭州市", "region_basis": FROM_DATA},
    ]
    by_segment = _targets_by_segment([r | {"segment": "sep"} for r in rows])
    assert by_segment == {"sep": ["己化学", "乙材料 (浙江省杭州市)"]}
