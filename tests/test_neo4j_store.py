"""The Neo4j store against a real Bolt server: push, prune, pull, transactions, errors."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from chaingraph import query
from chaingraph.dataset import read_graph, validate
from chaingraph.errors import InvalidGraphData, QueryError, StoreUnavailable
from chaingraph.model import ChainGraph, Kind
from chaingraph.store.neo4j_schema import decode_props, encode_attrs
from chaingraph.store.neo4j_store import Neo4jStore
from chaingraph.store.neo4j_sync import pull, push

pytestmark = pytest.mark.neo4j

TINY = Path(__file__).parent / "data" / "tiny"


def small_graph() -> ChainGraph:
    """Two firms, a segment and a chain: the smallest graph with every value type."""
    G: ChainGraph = nx.MultiDiGraph()
    G.add_node("c", kind="Chain", name="链", grade="template")
    G.add_node("s", kind="Segment", name="电芯", tier="midstream", weight=2.5, grade="template")
    G.add_node(
        "a",
        kind="Firm",
        name="甲",
        local=True,
        employees=120,
        output_cny=1.5e9,
        aliases=["甲公司", "ＪＩＡ"],
        grade="sourced",
        sources=[{"source": "memo", "quote": "甲，“龙头”企业", "about": ["name"]}],
        figures=[{"key": "out", "label": "产值", "value": 10, "unit": "亿元", "sources": []}],
    )
    G.add_node("b", kind="Firm", name="乙", local=False, region="江苏", grade="template")
    G.add_edge("c", "s", key="HAS_SEGMENT", rel="HAS_SEGMENT", grade="template")
    G.add_edge("a", "s", key="IN_SEGMENT", rel="IN_SEGMENT", grade="template")
    G.add_edge(
        "b", "a", key="SUPPLIES", rel="SUPPLIES", product="正极", share=0.5, grade="template"
    )
    return G


def dump(G: ChainGraph) -> tuple[list[Any], list[Any]]:
    return sorted(G.nodes(data=True)), sorted(G.edges(keys=True, data=True))


def count(store: Neo4jStore, cypher: str, **params: Any) -> int:
    return int(store.records(cypher, **params)[0][0])


def test_values_round_trip_through_properties() -> None:
    attrs = {"a": [], "b": [1, "x"], "c": {"k": 1}, "d": "文", "e": 10**15, "f": -(10**15)}
    assert decode_props(encode_attrs(attrs), list(attrs)) == attrs
    # beyond what validation accepts: written (a codec keeps what it is given), refused on read
    with pytest.raises(InvalidGraphData, match="'e_json'.*beyond 10\\^15"):
        decode_props(encode_attrs({"e": 2**70}), ["e"])


def test_push_twice_creates_nothing_the_second_time(neo4j_target: Any) -> None:
    store = neo4j_target.open()
    G = small_graph()
    first = push(store, G, "demo", batch_size=2)
    assert (first.nodes_created, first.relationships_created) == (4, 3)
    assert first.constraints_created in (0, len(Kind))  # 0 when an earlier test made them
    second = push(store, G, "demo", batch_size=2)
    assert (second.nodes_created, second.nodes_updated) == (0, 0)
    assert (second.relationships_created, second.relationships_updated) == (0, 0)
    assert second.rows()[0]["unchanged"] == 4
    assert dump(store.load()) == dump(G)


def test_push_updates_only_what_changed(neo4j_target: Any) -> None:
    store = neo4j_target.open()
    G = small_graph()
    push(store, G, "demo")
    G.nodes["b"]["name"] = "乙材料"
    del G.nodes["a"]["employees"]
    G.edges["b", "a", "SUPPLIES"]["share"] = 0.7
    report = push(store, G, "demo")
    assert (report.nodes_updated, report.relationships_updated) == (2, 1)
    assert store.node("b")["name"] == "乙材料"
    assert "employees" not in store.node("a")
    assert dump(store.load()) == dump(G)


def test_prune_deletes_only_the_datasets_own_items(neo4j_target: Any) -> None:
    store = neo4j_target.open()
    G = small_graph()
    other: ChainGraph = nx.MultiDiGraph()
    other.add_node("z", kind="Firm", name="丁", local=True, grade="template")
    push(store, G, "demo")
    push(store, other, "other")
    G.remove_node("b")
    G.nodes["s"]["kind"] = "Segment"
    kept = push(store, G, "demo")  # without --prune nothing is deleted
    assert kept.nodes_deleted == 0 and store.kinds_of(["b"])
    pruned = push(store, G, "demo", prune=True)
    assert (pruned.nodes_deleted, pruned.relationships_deleted) == (1, 1)
    assert not store.kinds_of(["b"])
    assert store.kinds_of(["z"]) == {"z": ("Firm", "丁")}
    assert push(store, G, "demo", prune=True).nodes_deleted == 0


def test_prune_deletes_a_dropped_relationship(neo4j_target: Any) -> None:
    store = neo4j_target.open()
    G = small_graph()
    push(store, G, "demo")
    G.remove_edge("b", "a", key="SUPPLIES")
    report = push(store, G, "demo", prune=True)
    assert (report.nodes_deleted, report.relationships_deleted) == (0, 1)
    assert dump(store.load()) == dump(G)


def test_a_node_that_changes_kind_is_replaced_by_prune(neo4j_target: Any) -> None:
    store = neo4j_target.open()
    G = small_graph()
    push(store, G, "demo")
    G.nodes["b"]["kind"] = "Project"
    G.nodes["b"].pop("local")
    G.remove_edge("b", "a", key="SUPPLIES")
    push(store, G, "demo", prune=True)
    assert store.kinds_of(["b"]) == {"b": ("Project", "乙")}
    assert count(store, "MATCH (n) WHERE n.id = 'b' RETURN count(n)") == 1


def test_save_replaces_everything(neo4j_target: Any) -> None:
    store = neo4j_target.open()
    push(store, small_graph(), "demo")
    tiny = read_graph(TINY)
    store.save(tiny)
    assert dump(store.load()) == dump(tiny)


def test_interrupted_push_can_be_run_again_to_completion(neo4j_target: Any) -> None:
    store = neo4j_target.open()
    G = read_graph(TINY)

    class Killed(Exception):
        pass

    def die_after_first_batch(phase: str, done: int, total: int) -> None:
        raise Killed

    with pytest.raises(Killed):
        push(store, G, "tiny", batch_size=2, progress=die_after_first_batch)
    written = count(store, "MATCH (n) RETURN count(n)")
    assert 0 < written <= 2  # the first batch was committed, nothing after it
    report = push(store, G, "tiny", batch_size=2)
    assert report.nodes_created == G.number_of_nodes() - written
    assert dump(store.load()) == dump(G)


def test_a_failing_transaction_rolls_back(neo4j_target: Any) -> None:
    store = neo4j_target.open()
    with pytest.raises(QueryError, match="refused"):
        store.cypher(
            "UNWIND [1, 0] AS x CREATE (n:Firm {id: 'r' + toString(x)}) RETURN 10 / x AS y",
            write=True,
        )
    assert count(store, "MATCH (n:Firm) RETURN count(n)") == 0


def test_read_only_cypher_refuses_writes_and_keeps_nothing(neo4j_target: Any) -> None:
    store = neo4j_target.open()
    with pytest.raises(QueryError, match="--write"):
        store.cypher("CREATE (n:Firm {id: 'w'}) RETURN n")
    assert count(store, "MATCH (n:Firm) RETURN count(n)") == 0
    result = store.cypher("CREATE (n:Firm {id: 'w', name: $n}) RETURN n", {"n": "写"}, write=True)
    assert result.counters["nodes_created"] == 1
    assert str(result.rows[0]["n"]) == "(w:Firm 写)"
    with pytest.raises(QueryError, match="syntax"):
        store.cypher("MATCH (n RETURN n")


def test_two_pushes_at_once_leave_no_duplicates(neo4j_target: Any) -> None:
    G = read_graph(TINY)
    stores = [neo4j_target.open(), neo4j_target.open()]
    errors: list[BaseException] = []

    def run(store: Neo4jStore) -> None:
        try:
            push(store, G, "tiny", batch_size=3)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    store = stores[0]
    assert count(store, "MATCH (n) RETURN count(n)") == G.number_of_nodes()
    assert count(store, "MATCH (n) RETURN count(DISTINCT n.id)") == G.number_of_nodes()
    assert count(store, "MATCH ()-[e]->() RETURN count(e)") == G.number_of_edges()


def test_push_removes_a_duplicate_relationship_of_a_type_it_created(neo4j_target: Any) -> None:
    # what a lost race on a server with optimistic transactions leaves, made on purpose:
    # a second FEEDS between one pair, and another FEEDS missing so the next push creates one
    G = read_graph(TINY)
    store = neo4j_target.open()
    push(store, G, "tiny")
    store.cypher(
        "MATCH (a:Segment {id: 'bat-cathode'}), (b:Segment {id: 'bat-cell'}) "
        "CREATE (a)-[:FEEDS {dataset: 'tiny'}]->(b)",
        write=True,
    )
    store.cypher(
        "MATCH (:Segment {id: 'bat-pack'})-[e:FEEDS]->(:Segment {id: 'bat-recycle'}) DELETE e",
        write=True,
    )
    assert count(store, "MATCH ()-[e:FEEDS]->() RETURN count(e)") == 4
    assert count(store, "MATCH ()-[e]->() RETURN count(DISTINCT e)") == G.number_of_edges()
    report = push(store, G, "tiny")
    assert report.relationships_created == 1
    assert count(store, "MATCH ()-[e]->() RETURN count(e)") == G.number_of_edges()
    pairs = "MATCH (a)-[e]->(b) WITH a, b, type(e) AS t, count(*) AS n WHERE n > 1 RETURN count(*)"
    assert count(store, pairs) == 0


def test_chinese_text_and_cypher_like_values_are_stored_exactly(neo4j_target: Any) -> None:
    store = neo4j_target.open()
    evil = "x}) DETACH DELETE n //"  # as a name, alias and property: ids must follow the rule
    text = "嵊州经济开发区（高新园区）“万亩千亿”\n第二行\t😀 ＡＢＣ"
    G: ChainGraph = nx.MultiDiGraph()
    G.add_node("x", kind="Firm", name=evil, local=True, grade="template", note=text)
    G.add_node("b", kind="Firm", name=text, local=True, grade="template", aliases=[evil])
    G.add_edge("x", "b", key="SUPPLIES", rel="SUPPLIES", product="' OR 1=1 --", grade="template")
    push(store, G, "demo")
    assert count(store, "MATCH (n) RETURN count(n)") == 2
    assert store.node("x") == query.node(G, "x")
    assert store.node("b")["name"] == text
    assert store.find(evil) == query.find(G, evil)
    assert store.find("ａｂｃ") == query.find(G, "ａｂｃ")
    assert store.relations("x") == query.relations(G, "x")


def test_pull_round_trip(neo4j_target: Any, tmp_path: Path) -> None:
    store = neo4j_target.open()
    G = read_graph(TINY)
    push(store, G, "tiny")
    pulled, files = pull(store, tmp_path / "copy")
    assert files and validate(tmp_path / "copy") == []
    again = read_graph(tmp_path / "copy")
    assert dump(again) == dump(G)
    assert again.graph["dataset"] == "tiny"
    report = push(store, again, "tiny")
    assert (report.nodes_created, report.nodes_updated, report.relationships_created) == (0, 0, 0)


def test_push_refuses_a_graph_without_kinds_before_writing(neo4j_target: Any) -> None:
    store = neo4j_target.open()
    G = small_graph()
    G.add_node("nokind", name="x")
    with pytest.raises(InvalidGraphData, match="nokind"):
        push(store, G, "demo")
    assert count(store, "MATCH (n) RETURN count(n)") == 0


def test_pull_of_an_empty_database_says_what_to_do(neo4j_target: Any, tmp_path: Path) -> None:
    with pytest.raises(InvalidGraphData, match="Push a dataset first"):
        pull(neo4j_target.open(), tmp_path / "x")


def test_open_errors_name_the_fix(bolt_server: Any) -> None:
    good = (bolt_server.uri, bolt_server.user, bolt_server.password)
    with pytest.raises(StoreUnavailable, match="NEO4J_PASSWORD"):
        Neo4jStore(good[0], good[1], good[2] + "-wrong", bolt_server.database)
    with pytest.raises(StoreUnavailable, match="NEO4J_DATABASE"):
        Neo4jStore(*good, database="no_such_database")
    with pytest.raises(StoreUnavailable, match="Cannot reach"):
        Neo4jStore("bolt://127.0.0.1:1", *good[1:], database=bolt_server.database)
    with pytest.raises(StoreUnavailable, match="Unsupported"):
        Neo4jStore("http://127.0.0.1:7474", *good[1:])


def test_from_env_reads_the_credentials(bolt_server: Any) -> None:
    env = {
        "NEO4J_USERNAME": bolt_server.user,
        "NEO4J_PASSWORD": bolt_server.password,
        "NEO4J_DATABASE": bolt_server.database,
    }
    with Neo4jStore.from_env(bolt_server.uri, env) as store:
        assert store.database == bolt_server.database
    with pytest.raises(StoreUnavailable, match="rejected user 'neo4j'"):
        Neo4jStore.from_env(bolt_server.uri, {"NEO4J_PASSWORD": "x" * 9})
