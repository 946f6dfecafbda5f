"""Report, targets, classify and the gaps view on a Neo4j store read one chain's part of the
database (its subgraph and the candidate firms selected in Cypher), never all of it, and
answer exactly as the whole graph in memory does."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from chaingraph.analysis.targets import rank_targets
from chaingraph.model import ChainGraph
from chaingraph.report import write_chain_reports, write_report
from chaingraph.store.neo4j_store import Neo4jStore
from chaingraph.store.neo4j_sync import push
from conftest import SHENGZHOU

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
from gen_synthetic import generate

pytestmark = pytest.mark.neo4j

Run = Callable[..., Result]
T = {"grade": "template"}


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    return result


def hostile() -> ChainGraph:
    """A small synthetic zone plus every case the candidate query could get wrong."""
    G = generate(300, 600, seed=5)
    segments = sorted(n for n, d in G.nodes(data=True) if d.get("kind") == "Segment")
    a, b = segments[0], segments[-1]  # of different chains
    G.nodes[a].update(keywords=["LFP", "EMS", "负极"], sw_industries=["电池化学品Ⅲ"])
    G.nodes[b].update(keywords=["隔膜"], sw_industries=["塑料"])
    G.nodes["syn-zone"].pop("division_code", None)

    def firm(fid: str, **attrs: Any) -> None:
        G.add_node(fid, kind="Firm", name=fid.upper(), **attrs, **T)

    firm("x-fullwidth", local=False, business_scope="ＬＦＰ正极材料")  # folds to lfp
    firm("x-systems", local=False, products=["storage systems"])  # no EMS as a word
    firm("x-ems", local=False, products=["储能EMS系统"])
    firm("x-roman", local=False, sw_l3="电池化学品III")  # NFKC of Ⅲ
    firm("x-no-local", sw_l3="电池化学品Ⅲ")  # local missing: outside
    firm("x-placed", local=False, sw_l3="电池化学品Ⅲ")  # stated elsewhere: not by industry
    G.add_edge("x-placed", b, key="IN_SEGMENT", rel="IN_SEGMENT", **T)
    firm("x-tied", local=False, products=["负极", "隔膜"], division_code="330683")
    locals_ = sorted(n for n, d in G.nodes(data=True) if d.get("local"))
    for i, f in enumerate(locals_[:40]):
        G.nodes[f]["division_code"] = "330683" if i % 3 else "320500"
    G.add_edge("x-tied", locals_[-1], key="SUPPLIES", rel="SUPPLIES", **T)
    G.add_edge(locals_[-2], "x-tied", key="SUPPLIES", rel="SUPPLIES", **T)
    G.add_edge("x-tied", locals_[-3], key="AFFILIATED_WITH", rel="AFFILIATED_WITH", **T)
    G.add_node("p-draw", kind="Project", name="带动项目", **T)
    G.add_edge("p-draw", "x-tied", key="ATTRACTED", rel="ATTRACTED", **T)
    firm("x-local", local=True, sw_l3="电池化学品Ⅲ")  # local: never a candidate
    firm("x-none", local=False, sw_l3="白色家电")
    return G


def pages(folder: Path) -> dict[str, str]:
    return {
        p.name: re.sub(r"生成于 [^<;\n]*", "", p.read_text(encoding="utf-8"))
        for p in sorted([*folder.glob("*.md"), *folder.glob("*.html")])
        if not p.name.startswith("index.")
    }


def no_load(*_: object, **__: object) -> ChainGraph:
    raise AssertionError("the whole database was loaded")


def test_synthetic_report_and_targets_equal_the_graph_in_memory(
    neo4j_target: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    G = hostile()
    store: Neo4jStore = neo4j_target.open()
    push(store, G, dataset="hostile")
    monkeypatch.setattr(Neo4jStore, "load", no_load)
    chains = store.chain_ids()
    for cid in chains:
        part = store.analysis_graph(cid)
        assert part.number_of_nodes() < G.number_of_nodes()
        assert rank_targets(part, cid) == rank_targets(G, cid), cid
    firms = {r["firm"] for cid in chains for r in rank_targets(G, cid)}
    assert {"x-fullwidth", "x-ems", "x-roman", "x-no-local", "x-tied"} <= firms
    assert not {"x-systems", "x-local", "x-none"} & firms
    # a database pushed before firms carried match_text / match_industry: still the same
    store.cypher("MATCH (f:Firm) REMOVE f.match_text, f.match_industry", write=True)
    assert not store.records("MATCH (f:Firm) WHERE f.match_industry IS NOT NULL RETURN f.id")
    for cid in chains:
        assert rank_targets(store.analysis_graph(cid), cid) == rank_targets(G, cid), cid
    write_report(G, tmp_path / "memory", views=False)
    write_chain_reports(store.analysis_graph, chains, tmp_path / "neo4j", views=False)
    assert pages(tmp_path / "neo4j") == pages(tmp_path / "memory")


def test_shengzhou_with_the_reference_layer_reads_a_part_and_answers_the_same(
    run: Run, neo4j_target: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    uri = neo4j_target.uri
    ok(run("db", "push", str(SHENGZHOU), store=uri))
    monkeypatch.setattr(Neo4jStore, "load", no_load)  # report & co. never read it all
    for args in (
        ("targets",),
        ("targets", "--listed", "-n", "3"),
        ("targets", "new-energy-equipment", "--infer", "--region", "浙江"),
        ("classify", "星源材质"),
        ("classify", "byd"),
        ("classify", "cn-002709-sz"),  # a reference-layer firm (天赐材料)
    ):
        here = json.loads(ok(run(*args, "-f", "json", store=SHENGZHOU)).stdout)
        there = json.loads(ok(run(*args, "-f", "json", store=uri)).stdout)
        assert there == here, args
    for store, out in ((uri, "neo4j"), (str(SHENGZHOU), "files")):
        ok(run("report", "--out", str(tmp_path / out), store=store))
        ok(
            run(
                "view",
                "gaps",
                "new-energy-equipment",
                "-o",
                str(tmp_path / f"{out}.html"),
                store=store,
            )
        )
    assert pages(tmp_path / "neo4j") == pages(tmp_path / "files")
    strip = re.compile(r"生成于 [^<;\n]*")
    gaps = [strip.sub("", (tmp_path / f"{o}.html").read_text("utf-8")) for o in ("neo4j", "files")]
    assert gaps[0] == gaps[1]
    # the gaps view fetches the chain once: its analysis graph, nothing read again
    calls: list[str] = []
    for name in ("analysis_graph", "chain_graph", "subgraph"):
        real = getattr(Neo4jStore, name)

        def counted(self: Neo4jStore, *a: Any, _n: str = name, _f: Any = real) -> Any:
            calls.append(_n)
            return _f(self, *a)

        monkeypatch.setattr(Neo4jStore, name, counted)
    again = tmp_path / "again.html"
    ok(run("view", "gaps", "new-energy-equipment", "-o", str(again), store=uri))
    assert calls == ["analysis_graph"]
    assert strip.sub("", again.read_text("utf-8")) == gaps[1]
    for store, out in ((uri, "neo4j-infer"), (str(SHENGZHOU), "files-infer")):
        ok(run("report", "--infer", "--no-views", "--out", str(tmp_path / out), store=store))
    # the stamp of a whole-graph run counts the inferred links of every chain; a run chain
    # by chain has no such total (each page's own count is in its body, compared here)
    total = re.compile(r"含推断供应关系 \d+ 条")
    there = pages(tmp_path / "neo4j-infer")
    here = {k: total.sub("含推断供应关系", v) for k, v in pages(tmp_path / "files-infer").items()}
    assert there == here
    store = neo4j_target.open()
    whole = int(store.records("MATCH (n) RETURN count(n) AS c")[0]["c"])
    part = store.analysis_graph("new-energy-equipment").number_of_nodes()
    assert part < whole / 4, (part, whole)
