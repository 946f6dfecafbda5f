"""The chain reports: content, escaping, offline HTML, links to the views, and in Chromium."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from chaingraph.dataset import read_graph
from chaingraph.model import ChainGraph
from chaingraph.report import (
    build_chain_report,
    chain_html,
    chain_markdown,
    md,
    write_report,
)
from conftest import SHENGZHOU
from test_analysis_coverage import battery

EVIL = '<script>alert("x")</script>|*_'


def hostile() -> ChainGraph:
    G = battery()
    G.nodes["c"]["name"] = "电池链" + EVIL
    G.nodes["a"]["name"] = "甲" + EVIL
    G.nodes["x"]["region"] = "<img src=x onerror=alert(1)>"
    return G


def test_report_content_by_hand() -> None:
    rep = build_chain_report(battery(), "c")
    assert rep.coverage.present == 3 and rep.gaps[0]["segment"] == "ore"
    assert rep.leaders.rows[0]["firm"] == "byd"
    assert [i.firm for i in rep.impacts] == ["byd", "a", "b"]
    assert rep.targets[0]["firm"] == "x"
    text = chain_markdown(rep)
    for heading in ("链主", "产业链图谱", "完整度", "补链", "强链", "延链", "招商目标", "断链风险"):
        assert f"## {heading}" in text
    assert "5 个环节中 3 个有本地企业(60%)" in text
    assert "某锂矿" in text  # the target


def test_html_escapes_every_data_string() -> None:
    page = chain_html(build_chain_report(hostile(), "c"))
    assert "<script" not in page and "<img" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "onerror=alert(1)&gt;" in page


def test_html_makes_no_external_requests() -> None:
    page = chain_html(build_chain_report(battery(), "c"))
    assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", page)
    assert "@import" not in page and "url(" not in page
    assert "Noto Sans CJK SC" in page  # the CJK font stack, from the system


def test_markdown_escapes_data() -> None:
    text = chain_markdown(build_chain_report(hostile(), "c"))
    assert "<script>" not in text
    assert md("a|b") == "a\\|b"


def test_inferred_links_are_labelled_in_the_report(tmp_path: Path) -> None:
    G = battery()
    G.remove_edge("a", "byd", key="SUPPLIES")
    write_report(G, tmp_path, infer=True, views=False)
    text = (tmp_path / "c.md").read_text(encoding="utf-8")
    assert "推断" in text and "inferred" in text
    assert "含推断供应关系" in (tmp_path / "c.html").read_text(encoding="utf-8")


def test_write_report_links_the_views(tmp_path: Path) -> None:
    paths = write_report(battery(), tmp_path, chains=["c"])
    assert [p.name for p in paths] == ["index.html", "index.md", "report.xlsx", "c.md", "c.html"]
    page = (tmp_path / "c.html").read_text(encoding="utf-8")
    views = re.findall(r'href="(c\.[a-z]+\.html)"', page)
    assert views and all((tmp_path / v).exists() for v in views)


def test_shengzhou_report_puts_byd_first(tmp_path: Path) -> None:
    G = read_graph(SHENGZHOU)
    write_report(G, tmp_path, views=False)
    page = (tmp_path / "new-energy-equipment.html").read_text(encoding="utf-8")
    assert "综合得分最高:比亚迪" in page
    # honest about the data: the platform's 91 firms against the few in the graph
    assert "数据完整度" in page and "91" in page
    # a gap with no candidate says so; one with candidates names them with their basis
    assert "没有候选企业" in page or "依据" in page


@pytest.mark.browser
def test_report_reads_in_chromium(page: Any, tmp_path: Path, artifacts: Path) -> None:
    G = read_graph(SHENGZHOU)
    write_report(G, tmp_path, views=False)
    page.goto((tmp_path / "new-energy-equipment.html").as_uri())
    assert page.cg_log.blocked == [] and page.cg_log.errors == []
    assert page.title() == "新能源装备产业链 产业链报告"
    assert page.locator(".seg").count() == 24  # the template's segments, extensions included
    cell = page.locator(".seg", has_text="动力电池电芯")
    assert "比亚迪" in cell.inner_text()
    # the CJK text is drawn with a CJK font (glyphs wider than Latin ones)
    width = page.evaluate(
        "() => { const c = document.createElement('canvas').getContext('2d');"
        " c.font = getComputedStyle(document.body).font; return c.measureText('链主').width; }"
    )
    assert width > 20
    page.screenshot(path=str(artifacts / "report-new-energy.png"), full_page=True)
    page.goto((tmp_path / "index.html").as_uri())
    page.click("text=新能源装备产业链")
    assert page.url.endswith("new-energy-equipment.html")


def test_synthetic_zone_report_says_when_betweenness_is_sampled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.util

    from chaingraph.analysis import kernels

    scripts = Path(__file__).parent.parent / "scripts"
    monkeypatch.syspath_prepend(str(scripts))  # its own imports (peak_rss) sit beside it
    spec = importlib.util.spec_from_file_location("bench_analysis", scripts / "bench_analysis.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    G = bench.generate(2000, 10_000, seed=3)
    monkeypatch.setattr(kernels, "BETWEENNESS_EXACT_LIMIT", 50)
    monkeypatch.setattr(kernels, "BETWEENNESS_SAMPLES", 20)
    paths = write_report(G, tmp_path, views=False)
    page = (tmp_path / "chain0.html").read_text(encoding="utf-8")
    assert "本地中介度(抽样:" in page and "中取 20 个" in page
    assert "本地中介度为抽样估计" in page
    assert len(paths) == 3 + 2 * 4
    # long member lists are cut, not dumped
    assert "等 " in page and page.count("<tr>") < 400


def test_pages_forbid_scripts_and_requests() -> None:
    page = chain_html(build_chain_report(battery(), "c"))
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
    assert csp is not None
    assert "default-src 'none'" in csp.group(1) and "script-src" not in csp.group(1)


# --- interrupted runs: the previous report stays whole -------------------------------------


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (hidden ones too) by relative path."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.mark.parametrize("when", ["first chain page", "second chain page", "the index"])
def test_interrupted_report_leaves_the_previous_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, when: str
) -> None:
    import chaingraph.report as report

    G = read_graph(SHENGZHOU)
    out = tmp_path / "out"
    write_report(G, out, views=False)
    before = tree(out)
    assert "index.html" in before and len(before) > 4
    calls = {"n": 0}
    real_page, real_index = report.chain_html, report.index_markdown

    def page(*args: Any) -> str:
        calls["n"] += 1
        if when != "the index" and calls["n"] == (1 if when == "first chain page" else 2):
            raise KeyboardInterrupt  # Ctrl-C while this page is made
        return real_page(*args)

    def index(*args: Any) -> str:
        if when == "the index":
            raise KeyboardInterrupt
        return real_index(*args)

    monkeypatch.setattr(report, "chain_html", page)
    monkeypatch.setattr(report, "index_markdown", index)
    G.nodes[next(iter(G))]["name"] = "改过的名字"  # a run that would change pages
    with pytest.raises(KeyboardInterrupt):
        write_report(G, out, views=False)
    assert tree(out) == before  # byte for byte, and no staging folder left behind


def test_report_on_a_full_disk_is_one_line_and_keeps_the_old_one(tmp_path: Path) -> None:
    import os
    import resource
    import signal
    import subprocess
    import sys

    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "chaingraph", "--store", str(SHENGZHOU), "report"]
    cmd += ["--out", str(out), "--no-views"]
    subprocess.run(cmd, check=True, capture_output=True)
    before = tree(out)

    def small_files() -> None:  # a real write failure: files may not grow past 2 KiB
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (2048, 2048))

    env = {k: v for k, v in os.environ.items() if k != "CHAINGRAPH_STORE"}
    done = subprocess.run(
        cmd, capture_output=True, text=True, preexec_fn=small_files, env=env, check=False
    )
    assert done.returncode == 1
    assert done.stderr.startswith("Error: File too large")
    assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1
    assert tree(out) == before
