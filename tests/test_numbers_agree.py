"""One definition per number: every command and both stores say the same coverage numbers.

The expected numbers come from :func:`chaingraph.analysis.coverage.chain_coverage` on the
dataset read from its folder; each headline number is then read back from what a user sees:
``stats`` (json and table), ``chain`` (json, --coverage and the note), ``gaps``, ``impact``,
``report`` (index and chain pages) and the chain view's header, through the embedded store
and through the Neo4j store over Bolt.
"""

from __future__ import annotations

import html
import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from chaingraph.analysis.coverage import (
    Coverage,
    chain_coverage,
    round_share,
    share_text,
)
from chaingraph.dataset import read_graph
from chaingraph.query import compare_count
from conftest import DATA, SHENGZHOU

Run = Callable[..., Result]
DATASETS = {"tiny": DATA / "tiny", "shengzhou": SHENGZHOU}


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(
    params=[
        pytest.param(("embedded", "tiny"), id="embedded-tiny"),
        pytest.param(("embedded", "shengzhou"), id="embedded-shengzhou"),
        pytest.param(("neo4j", "tiny"), id="neo4j-tiny", marks=pytest.mark.neo4j),
        pytest.param(("neo4j", "shengzhou"), id="neo4j-shengzhou", marks=pytest.mark.neo4j),
    ]
)
def case(request: pytest.FixtureRequest, run: Run) -> tuple[str, dict[str, Coverage]]:
    """(store URL, chain id -> expected Coverage) for one store kind and dataset."""
    kind, name = request.param
    folder = DATASETS[name]
    G = read_graph(folder)
    expected = {
        c: chain_coverage(G, c) for c in sorted(G.nodes) if G.nodes[c].get("kind") == "Chain"
    }
    if kind == "embedded":
        return str(folder), expected
    target = request.getfixturevalue("neo4j_target")
    ok(run("db", "push", str(folder), store=target.uri))
    return str(target.uri), expected


def _json(result: Result) -> Any:
    return json.loads(ok(result).stdout)


def test_stats_rows_are_the_library_numbers(
    run: Run, case: tuple[str, dict[str, Coverage]]
) -> None:
    store, expected = case
    rows = {r["chain"]: r for r in _json(run("stats", "-f", "json", store=store))["chains"]}
    assert sorted(rows) == sorted(expected)
    for cid, cov in expected.items():
        row = rows[cid]
        assert {k: row[k] for k in cov.row()} == cov.row(), cid
        assert row["present"] == row["covered"] + row["weak"]
        assert row["segments"] == row["present"] + row["gap"]
    table = ok(run("stats", store=store)).stdout
    for cid, cov in expected.items():
        line = next(t for t in table.splitlines() if t.startswith(cid + " "))
        assert share_text(cov.ratio) in line.split(), line


def test_chain_command_agrees(run: Run, case: tuple[str, dict[str, Coverage]]) -> None:
    store, expected = case
    for cid, cov in expected.items():
        rows = _json(run("chain", cid, "-f", "json", store=store))
        statuses = Counter(r["status"] for r in rows)
        got = (statuses["covered"], statuses["weak"], statuses["gap"], statuses["extension"])
        assert got == (cov.covered, cov.weak, cov.gap, cov.extension), cid
        assert sum(bool(r["local_firms"]) for r in rows if not r["extension"]) == cov.present
        whole = _json(run("chain", cid, "--coverage", "-f", "json", store=store))[0]
        assert (whole["present"], whole["segments"]) == (cov.present, cov.segments)
        assert whole["ratio"] == round_share(cov.ratio)
        note = ok(run("chain", cid, store=store)).stderr
        assert cov.text_zh in note


def test_gaps_and_impact_agree(run: Run, case: tuple[str, dict[str, Coverage]]) -> None:
    store, expected = case
    for cid, cov in expected.items():
        assert len(_json(run("gaps", cid, "-f", "json", store=store))) == cov.gap
        weak = _json(run("gaps", cid, "--type", "weak", "-f", "json", store=store))
        assert len(weak) == cov.weak
        chain = _json(run("chain", cid, "-f", "json", store=store))
        firms = sorted({f["id"] for r in chain for f in r["local_firms"]})
        if not firms:
            continue
        rows = _json(run("impact", firms[0], "--chain", cid, "-f", "json", store=store))
        head = next(r for r in rows if r["effect"] == "coverage")
        assert head["before"] == round_share(cov.ratio)


def test_report_and_view_say_the_same(
    run: Run, case: tuple[str, dict[str, Coverage]], tmp_path: Path
) -> None:
    store, expected = case
    out = tmp_path / "out"
    ok(run("report", "--out", str(out), "--no-views", store=store))
    index_md = (out / "index.md").read_text(encoding="utf-8")
    index_html = (out / "index.html").read_text(encoding="utf-8")
    for cid, cov in expected.items():
        headline = f"{cov.present}/{cov.segments}({share_text(cov.ratio)})"
        assert headline in index_md and headline in index_html, cid
        page = (out / f"{cid}.md").read_text(encoding="utf-8")
        assert cov.text_zh in page
        assert cov.text_zh in (out / f"{cid}.html").read_text(encoding="utf-8")
        view = tmp_path / f"{cid}.html"
        ok(run("view", "chain", cid, "-o", str(view), store=store))
        assert cov.text_zh in view.read_text(encoding="utf-8")
        panorama = tmp_path / f"{cid}.panorama.html"
        ok(run("view", "panorama", cid, "-o", str(panorama), store=store))
        assert html.escape(cov.text_zh) in panorama.read_text(encoding="utf-8")
        gaps = tmp_path / f"{cid}.gaps.html"
        ok(run("view", "gaps", cid, "-o", str(gaps), store=store))
        page = gaps.read_text(encoding="utf-8")
        if cov.gap or cov.weak:
            assert f"缺口 {cov.gap} 个, 薄弱 {cov.weak} 个" in page


def test_a_share_reads_the_same_everywhere() -> None:
    # 5/27 was 19% in the report and 18.5% in impact: one rounding now.
    assert share_text(5 / 27) == share_text(round_share(5 / 27)) == "18.5%"
    assert round_share(5 / 27) == 0.1852
    assert [share_text(x) for x in (0, 1, 0.5, 2 / 3, 0.99996)] == [
        "0%",
        "100%",
        "50%",
        "66.7%",
        "100%",
    ]


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_figure_scope_counts_the_same_local_firms(name: str) -> None:
    # A figure about a chain ("firms" reported vs in the graph) counts the chain's local firms
    # by the coverage's presence rule: an investor in a project of a segment is in the chain.
    G = read_graph(DATASETS[name])
    for cid in sorted(n for n, a in G.nodes(data=True) if a.get("kind") == "Chain"):
        assert compare_count(G, cid, "firms") == chain_coverage(G, cid).local_firms, cid


def test_an_investor_only_firm_counts_in_the_figure_scope() -> None:
    from test_analysis_coverage import battery

    G = battery()
    G.add_node("inv", kind="Firm", name="投资方", local=True)
    G.add_edge("inv", "p", key="INVESTS_IN", rel="INVESTS_IN")  # present in pack only via p
    cov = chain_coverage(G, "c")
    assert cov.local_firms == 4
    assert compare_count(G, "c", "firms") == cov.local_firms
