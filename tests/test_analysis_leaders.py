"""Chain-leader scores on the hand-built battery chain; igraph kernels against networkx."""

from __future__ import annotations

import networkx as nx
import pytest

from chaingraph.analysis import (
    LEADER_WEIGHTS,
    betweenness,
    kernels,
    leader_scores,
    pagerank,
    rank_leaders,
)
from chaingraph.model import ChainGraph
from test_analysis_coverage import battery


def test_leader_components_by_hand() -> None:
    board = rank_leaders(battery(), "c")
    rows = {r["firm"]: r for r in board.rows}
    assert list(rows) == ["byd", "a", "b"]
    byd, a, b = rows["byd"], rows["a"], rows["b"]
    # byd LEADS platform pf, which HOSTS c
    assert (byd["designated"], a["designated"]) == (True, False)
    # pull: suppliers a and b are local, and byd ATTRACTED b: 2 + 1
    assert (byd["pull"], byd["local_suppliers"], byd["attracted_firms"]) == (3, 2, 1)
    assert a["pull"] == 0  # its supplier x is external
    assert byd["investment_yi"] == 5.0  # project p, 5 亿元
    # two SUPPLIES hops either way in x -> a -> byd <- b: byd {a, b, x}, a {x, byd, b}, b {byd, a}
    assert (byd["reach"], a["reach"], b["reach"]) == (3, 3, 2)
    # betweenness counts local supply only: x is external, so no local path runs through a
    assert (byd["betweenness"], a["betweenness"], b["betweenness"]) == (0.0, 0.0, 0.0)
    assert board.betweenness == "exact"


def test_leader_score_by_hand() -> None:
    # byd has the maximum of every component but betweenness (0):
    # 100 x (0.20 + 0.25 + 0.20 + 0.15 + 0.15) = 95.
    rows = {r["firm"]: r for r in rank_leaders(battery(), "c").rows}
    assert rows["byd"]["score"] == 95.0
    # b: reach 2/3 of the max, PageRank below byd's, nothing else
    pr = rows["b"]["pagerank"] / rows["byd"]["pagerank"]
    assert rows["b"]["score"] == pytest.approx(100 * (0.15 * 2 / 3 + 0.15 * pr), abs=0.01)


def test_betweenness_counts_local_brokers() -> None:
    G = battery()
    G.nodes["x"]["local"] = True  # now x -> a -> byd is a local path through a
    rows = {r["firm"]: r for r in rank_leaders(G, "c").rows}
    assert (rows["a"]["betweenness"], rows["byd"]["betweenness"]) == (1.0, 0.0)


def test_the_anchor_wins_without_being_designated() -> None:
    G = battery()
    G.remove_edge("byd", "pf", key="LEADS")
    board = rank_leaders(G, "c")
    assert board.top() == ["byd"]
    assert board.rows[0]["designated"] is False


def test_weights_sum_to_one() -> None:
    assert sum(LEADER_WEIGHTS.values()) == pytest.approx(1.0)


def test_firm_without_supply_links_gets_no_pagerank() -> None:
    G = battery()
    G.add_node("z", kind="Firm", name="孤立", local=True)
    G.add_edge("z", "cell", key="IN_SEGMENT", rel="IN_SEGMENT")
    z = next(r for r in rank_leaders(G, "c").rows if r["firm"] == "z")
    assert (z["pagerank"], z["score"]) == (0.0, 0.0)


def test_limit_and_leader_scores() -> None:
    assert len(rank_leaders(battery(), "c", limit=1).rows) == 1
    scores = leader_scores(battery())
    assert scores["byd"] == 95.0 and set(scores) == {"a", "b", "byd"}


def _random_supply_graph(n: int, m: int, seed: int) -> ChainGraph:
    D = nx.gnm_random_graph(n, m, seed=seed, directed=True)
    G: ChainGraph = nx.MultiDiGraph()
    G.add_nodes_from(f"f{i}" for i in D)
    for u, v in D.edges:
        G.add_edge(f"f{u}", f"f{v}", key="SUPPLIES")
    return G


def test_pagerank_matches_networkx() -> None:
    G = _random_supply_graph(40, 120, 1)
    expected = nx.pagerank(nx.DiGraph(G), alpha=0.85, tol=1e-12)
    got = pagerank(G)
    assert got == pytest.approx(expected, abs=1e-6)


def test_betweenness_exact_matches_networkx() -> None:
    G = _random_supply_graph(30, 80, 2)
    expected = nx.betweenness_centrality(nx.DiGraph(G), normalized=False)
    got, how = betweenness(G)
    assert how.sampled is False and how.describe() == "exact"
    assert got == pytest.approx(expected, abs=1e-9)


def test_betweenness_sampled_is_labelled_and_scaled() -> None:
    G = _random_supply_graph(60, 240, 3)
    got, how = betweenness(G, samples=20, seed=1)
    assert how.sampled and how.describe() == "sampled: 20 of 60 sources"
    exact = nx.betweenness_centrality(nx.DiGraph(G), normalized=False)
    # an estimate: same total order of magnitude, and reproducible with the seed
    assert sum(got.values()) == pytest.approx(sum(exact.values()), rel=0.5)
    assert betweenness(G, samples=20, seed=1)[0] == got


def test_large_chain_network_reports_sampling(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kernels, "BETWEENNESS_EXACT_LIMIT", 2)
    monkeypatch.setattr(kernels, "BETWEENNESS_SAMPLES", 2)
    board = rank_leaders(battery(), "c")
    assert board.betweenness == "sampled: 2 of 3 sources"  # the local firms a, b, byd
