"""Store contract: the embedded store and the Neo4j store give identical answers.

Every query is checked against the reference functions of chaingraph.query run on the graph
read from the dataset folder, on the tiny test dataset and on the shipped Shengzhou dataset.
Those reference functions are checked by hand in ``test_query.py``: the embedded store runs
them itself, so this contract alone could not catch a wrong reference.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from chaingraph import query
from chaingraph.analysis import chains_touching
from chaingraph.dataset import read_graph
from chaingraph.errors import AmbiguousEntity, UnknownEntity
from chaingraph.model import ChainGraph, Kind
from chaingraph.store.base import GraphStore
from chaingraph.store.embedded import EmbeddedStore

DATA = Path(__file__).parent / "data"
SHENGZHOU = Path(__file__).parent.parent / "graphs" / "shengzhou"
DATASETS = {"tiny": DATA / "tiny", "shengzhou": SHENGZHOU}


@pytest.fixture(
    scope="module",
    params=[
        pytest.param(("embedded", "tiny"), id="embedded-tiny"),
        pytest.param(("embedded", "shengzhou"), id="embedded-shengzhou"),
        pytest.param(("neo4j", "tiny"), id="neo4j-tiny", marks=pytest.mark.neo4j),
        pytest.param(("neo4j", "shengzhou"), id="neo4j-shengzhou", marks=pytest.mark.neo4j),
    ],
)
def case(request: pytest.FixtureRequest) -> Iterator[tuple[GraphStore, ChainGraph]]:
    """(store, reference graph) for one store kind and dataset."""
    kind, name = request.param
    G = read_graph(DATASETS[name])
    if kind == "embedded":
        yield EmbeddedStore(DATASETS[name]), G
        return
    from chaingraph.store.neo4j_sync import push

    target = request.getfixturevalue("bolt_server")
    database = target.new_database()
    from chaingraph.store.neo4j_store import Neo4jStore

    store = Neo4jStore(target.uri, target.user, target.password, database)
    try:
        push(store, G, str(G.graph["dataset"]))
        yield store, G
    finally:
        store.close()
        target.drop_database(database)


def _sample(G: ChainGraph, n: int, seed: int = 7) -> list[str]:
    ids = sorted(G.nodes)
    return ids if len(ids) <= n else sorted(random.Random(seed).sample(ids, n))


def _outcome(fn: Any, *args: Any) -> Any:
    try:
        return fn(*args)
    except (UnknownEntity, AmbiguousEntity) as exc:
        return (type(exc).__name__, str(exc))


def test_find(case: tuple[GraphStore, ChainGraph]) -> None:
    store, G = case
    for text in ["比亚迪", "ＢＹＤ", "电", "bat", "a", "正极", "集流体", "甲", "zzz", " "]:
        assert store.find(text) == query.find(G, text), text
    assert store.find("a", limit=3) == query.find(G, "a", limit=3)


def test_resolve(case: tuple[GraphStore, ChainGraph]) -> None:
    store, G = case
    texts = ["比亚迪", "byd", "电池", "集流体", "甲", "nope-nope", "正极材料", *_sample(G, 5)]
    for text in texts:
        assert _outcome(store.resolve, text) == _outcome(query.resolve, G, text), text


def test_node_and_relations(case: tuple[GraphStore, ChainGraph]) -> None:
    store, G = case
    for node_id in sorted(G.nodes):
        assert store.node(node_id) == query.node(G, node_id)
        assert list(store.node(node_id)) == list(query.node(G, node_id)), "key order"
        assert store.relations(node_id) == query.relations(G, node_id)
    assert _outcome(store.node, "no-such") == _outcome(query.node, G, "no-such")


def test_neighbors(case: tuple[GraphStore, ChainGraph]) -> None:
    store, G = case
    for node_id in _sample(G, 15):
        for depth in (1, 2):
            assert store.neighbors(node_id, depth) == query.neighbors(G, node_id, depth)
        for direction in ("out", "in"):
            got = store.neighbors(node_id, 3, ["FEEDS", "SUPPLIES", "IN_SEGMENT"], direction)
            assert got == query.neighbors(
                G, node_id, 3, ["FEEDS", "SUPPLIES", "IN_SEGMENT"], direction
            )
    assert store.neighbors(sorted(G.nodes)[0], 2, []) == []


def test_chains_touching(case: tuple[GraphStore, ChainGraph]) -> None:
    store, G = case
    firms = query.nodes_of_kind(G, Kind.FIRM)
    touched = {f: chains_touching(G, f) for f in firms}
    assert any(touched.values()), "the datasets have firms in chains"
    for firm, chains in touched.items():
        assert store.chains_touching(firm) == chains, firm
    assert _outcome(store.chains_touching, "no-such") == _outcome(chains_touching, G, "no-such")


def test_reach(case: tuple[GraphStore, ChainGraph]) -> None:
    store, G = case
    firms = [n for n, a in G.nodes(data=True) if a["kind"] in (Kind.FIRM, Kind.PROJECT)]
    for node_id in sorted(set(_sample(G, 12)) | set(firms[:8])):
        for direction in ("up", "down"):
            assert store.reach(node_id, direction) == query.reach(G, node_id, direction)


def test_path(case: tuple[GraphStore, ChainGraph]) -> None:
    store, G = case
    ids = sorted(G.nodes)
    rng = random.Random(3)
    pairs = [tuple(rng.sample(ids, 2)) for _ in range(12)] + [(ids[0], ids[0])]
    for a, b in pairs:
        assert store.path(a, b) == query.path(G, a, b), (a, b)
        assert store.path(a, b, directed=True) == query.path(G, a, b, directed=True)
        assert store.path(a, b, max_hops=2) == query.path(G, a, b, max_hops=2)
        rels = ["FEEDS", "IN_SEGMENT", "SUPPLIES"]
        assert store.path(a, b, rels) == query.path(G, a, b, rels)


def test_stats(case: tuple[GraphStore, ChainGraph]) -> None:
    store, G = case
    assert store.stats() == query.stats(G)


def _dump(G: ChainGraph) -> tuple[list[Any], list[Any]]:
    return sorted(G.nodes(data=True)), sorted(G.edges(keys=True, data=True))


def test_chain_graph_and_subgraph(case: tuple[GraphStore, ChainGraph]) -> None:
    store, G = case
    for chain in query.nodes_of_kind(G, Kind.CHAIN):
        expected = G.subgraph(query.chain_node_ids(G, chain))
        assert _dump(store.chain_graph(chain)) == _dump(expected)
    some = _sample(G, 12)
    assert _dump(store.subgraph([*some, "no-such"])) == _dump(G.subgraph(some))
    with pytest.raises(UnknownEntity):
        store.chain_graph(sorted(n for n, a in G.nodes(data=True) if a["kind"] != Kind.CHAIN)[0])


def test_load(case: tuple[GraphStore, ChainGraph]) -> None:
    store, G = case
    assert _dump(store.load()) == _dump(G)
