"""The reference explore queries of chaingraph.query, checked by hand on a seven-node chain.

The store contract compares every store with these functions; here they are compared with
answers worked out by hand, so a wrong reference cannot pass unnoticed.

    ev (Chain) -HAS_SEGMENT-> cathode (upstream) -FEEDS-> cell (midstream) -FEEDS-> pack
    yuneng (external) -IN_SEGMENT-> cathode;  byd (local) -> cell;  haiwei (local) -> pack
    yuneng -SUPPLIES-> byd -SUPPLIES-> haiwei
"""

from __future__ import annotations

import networkx as nx
import pytest

from chaingraph import query
from chaingraph.errors import AmbiguousEntity, UnknownEntity
from chaingraph.model import ChainGraph


def chain() -> ChainGraph:
    G: ChainGraph = nx.MultiDiGraph()
    G.add_node("ev", kind="Chain", name="新能源")
    G.add_node("cathode", kind="Segment", name="正极材料", tier="upstream")
    G.add_node("cell", kind="Segment", name="电芯", tier="midstream")
    G.add_node("pack", kind="Segment", name="电池包", tier="downstream")
    G.add_node("byd", kind="Firm", name="比亚迪", aliases=["BYD"], local=True)
    G.add_node("yuneng", kind="Firm", name="湖南裕能", local=False, region="湖南")
    G.add_node("haiwei", kind="Firm", name="海威", local=True)
    edges = [
        ("ev", "cathode", "HAS_SEGMENT"),
        ("ev", "cell", "HAS_SEGMENT"),
        ("ev", "pack", "HAS_SEGMENT"),
        ("cathode", "cell", "FEEDS"),
        ("cell", "pack", "FEEDS"),
        ("yuneng", "cathode", "IN_SEGMENT"),
        ("byd", "cell", "IN_SEGMENT"),
        ("haiwei", "pack", "IN_SEGMENT"),
        ("byd", "haiwei", "SUPPLIES"),
    ]
    for u, v, rel in edges:
        G.add_edge(u, v, key=rel, rel=rel, grade="template")
    cite = [{"source": "news", "quote": "裕能供货比亚迪"}]
    G.add_edge("yuneng", "byd", key="SUPPLIES", rel="SUPPLIES", grade="sourced", sources=cite)
    return G


def test_find_ranks_prefix_matches_by_kind_and_id() -> None:
    rows = query.find(chain(), "电")
    assert [(r["id"], r["match"], r["field"]) for r in rows] == [
        ("cell", "prefix", "name"),
        ("pack", "prefix", "name"),
    ]
    assert [r["id"] for r in query.find(chain(), "ｂｙｄ")] == ["byd"]  # width and case fold


def test_resolve_by_id_alias_or_unique_text() -> None:
    G = chain()
    assert query.resolve(G, "haiwei") == "haiwei"
    assert query.resolve(G, "BYD") == "byd"
    assert query.resolve(G, "裕能") == "yuneng"
    with pytest.raises(AmbiguousEntity, match="'电' names 2 nodes: cell"):
        query.resolve(G, "电")
    with pytest.raises(UnknownEntity, match="Unknown entity '铜箔'"):
        query.resolve(G, "铜箔")


def test_node_and_relations() -> None:
    G = chain()
    assert query.node(G, "byd") == {
        "id": "byd",
        "kind": "Firm",
        "name": "比亚迪",
        "aliases": ["BYD"],
        "local": True,
    }
    rows = query.relations(G, "byd")
    assert [(r["direction"], r["rel"], r["other"], r["grade"]) for r in rows] == [
        ("out", "IN_SEGMENT", "cell", "template"),
        ("out", "SUPPLIES", "haiwei", "template"),
        ("in", "SUPPLIES", "yuneng", "sourced"),
    ]
    assert rows[2]["sources"] == [{"source": "news", "quote": "裕能供货比亚迪"}]


def test_neighbors_by_depth_relation_and_direction() -> None:
    G = chain()
    one = query.neighbors(G, "byd", 1)
    assert [(r["id"], r["hops"], r["rel"], r["direction"]) for r in one] == [
        ("cell", 1, "IN_SEGMENT", "out"),
        ("haiwei", 1, "SUPPLIES", "out"),
        ("yuneng", 1, "SUPPLIES", "in"),
    ]
    two = query.neighbors(G, "byd", 2, ["SUPPLIES", "IN_SEGMENT"], "out")
    assert [(r["id"], r["hops"], r["via"]) for r in two] == [
        ("cell", 1, "byd"),
        ("haiwei", 1, "byd"),
        ("pack", 2, "haiwei"),
    ]


def test_reach_up_from_a_firm_starts_at_its_segment() -> None:
    rows = query.reach(chain(), "byd", "up")
    assert [(r["id"], r["hops"], r["via"], r["rel"]) for r in rows] == [
        ("cell", 0, "byd", "IN_SEGMENT"),
        ("cathode", 1, "cell", "FEEDS"),
        ("yuneng", 1, "byd", "SUPPLIES"),
    ]


def test_reach_lists_the_members_of_reached_segments() -> None:
    rows = query.reach(chain(), "pack", "up")
    assert [(r["id"], r["hops"], r["via"], r["rel"]) for r in rows] == [
        ("cell", 1, "pack", "FEEDS"),
        ("byd", 1, "cell", "IN_SEGMENT"),
        ("cathode", 2, "cell", "FEEDS"),
        ("yuneng", 2, "cathode", "IN_SEGMENT"),
    ]
    # down from yuneng: its segment (hops 0), then cell and byd, then pack and haiwei;
    # segments before firms at equal hops
    down = query.reach(chain(), "yuneng", "down")
    assert [(r["id"], r["hops"]) for r in down] == [
        ("cathode", 0),
        ("cell", 1),
        ("byd", 1),
        ("pack", 2),
        ("haiwei", 2),
    ]


def test_path_follows_edges_or_finds_none() -> None:
    G = chain()
    steps = query.path(G, "yuneng", "haiwei")
    assert [(r["step"], r["id"], r["rel"], r["direction"]) for r in steps] == [
        (0, "yuneng", "", ""),
        (1, "byd", "SUPPLIES", "out"),
        (2, "haiwei", "SUPPLIES", "out"),
    ]
    assert query.path(G, "haiwei", "yuneng", directed=True) == []
    assert len(query.path(G, "haiwei", "yuneng")) == 3  # undirected: the same two hops


def test_stats_counts_by_hand() -> None:
    stats = query.stats(chain())
    kinds = {r["kind"]: r["count"] for r in stats["kinds"]}
    assert (kinds["Chain"], kinds["Segment"], kinds["Firm"], kinds["Project"]) == (1, 3, 3, 0)
    rels = {r["rel"]: r["count"] for r in stats["relations"]}
    assert (rels["HAS_SEGMENT"], rels["FEEDS"], rels["IN_SEGMENT"], rels["SUPPLIES"]) == (
        3,
        2,
        3,
        2,
    )
    (row,) = stats["chains"]
    # cell (byd) and pack (haiwei) have a local firm, cathode only an external one
    assert {k: row[k] for k in ("segments", "present", "covered", "weak", "gap")} == {
        "segments": 3,
        "present": 2,
        "covered": 0,
        "weak": 2,
        "gap": 1,
    }
    assert row["coverage"] == pytest.approx(2 / 3, abs=1e-4)
    assert (row["local_firms"], row["external_firms"]) == (2, 1)


def test_chain_node_ids_and_unknown_chain() -> None:
    G = chain()
    G.add_node("far", kind="Firm", name="远方", local=False)
    G.add_edge("far", "yuneng", key="SUPPLIES", rel="SUPPLIES")  # one hop from a member
    G.add_node("other", kind="Firm", name="无关", local=False)
    assert query.chain_node_ids(G, "ev") == set(chain()) | {"far"}
    with pytest.raises(UnknownEntity):
        query.chain_node_ids(G, "byd")
