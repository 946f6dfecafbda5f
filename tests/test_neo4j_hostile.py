"""The Neo4j store on hostile data: ids it would not read back, JSON properties edited in the
database, reads after a push, and Cypher results shown by chaingraph id with direction."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from click.testing import Result

from chaingraph.dataset import read_graph
from chaingraph.errors import InvalidGraphData
from chaingraph.model import ChainGraph
from chaingraph.store.neo4j_sync import push
from test_db_cli import TINY, ok, one_line_error

pytestmark = pytest.mark.neo4j

Run = Callable[..., Result]


def count_nodes(store: Any) -> int:
    return int(store.records("MATCH (n) RETURN count(n) AS c")[0]["c"])


@pytest.mark.parametrize(
    "bad_id",
    ["Bad Id", "x\n", "../etc/passwd", "ÄÖ", "a" * 121, "-lead", "trail-", "a..b", ""],
)
def test_push_refuses_ids_that_load_would_refuse(neo4j_target: Any, bad_id: str) -> None:
    store = neo4j_target.open()
    G = read_graph(TINY)
    G.add_node(bad_id, kind="Firm", name="坏")
    with pytest.raises(InvalidGraphData, match="Cannot push: node id"):
        push(store, G, dataset="tiny")
    assert count_nodes(store) == 0  # checked before anything was sent


EDITS = {
    "truncated list": "[1,2",
    "a string": '"str"',
    "a list of numbers": "[1]",
    "a mapping": '{"source": "memo"}',
    "NaN": "NaN",
    "deeply nested": "[" * 50_000 + "]" * 50_000,
}


@pytest.mark.parametrize("case", sorted(EDITS))
@pytest.mark.parametrize("prop", ["sources_json", "figures_json"])
def test_json_edited_in_the_database_is_a_clear_error(
    run: Run, neo4j_target: Any, case: str, prop: str
) -> None:
    store = neo4j_target.open()
    push(store, read_graph(TINY), dataset="tiny")
    store.cypher(f"MATCH (n:Firm {{id: 'yi'}}) SET n.{prop} = $v", {"v": EDITS[case]}, write=True)
    with pytest.raises(InvalidGraphData, match=f"Node 'yi': property '{prop}'"):
        store.node("yi")
    line = one_line_error(run("show", "yi", store=neo4j_target.uri), "'yi'", prop)
    assert "Fix it with 'chaingraph db cypher --write'" in line


def test_json_edited_on_a_relationship_names_it(run: Run, neo4j_target: Any) -> None:
    store = neo4j_target.open()
    push(store, read_graph(TINY), dataset="tiny")
    store.cypher(
        "MATCH (:Firm {id: 'yi'})-[e:SUPPLIES]->() SET e.sources_json = '[1,2'", write=True
    )
    with pytest.raises(InvalidGraphData, match="SUPPLIES relationship of 'yi'.*sources_json"):
        store.relations("yi")
    with pytest.raises(InvalidGraphData, match="Relationship yi -SUPPLIES-> jia.*sources_json"):
        store.load()


def test_a_read_right_after_a_push_sees_it(neo4j_target: Any) -> None:
    writer = neo4j_target.open()
    reader = neo4j_target.open()
    G: ChainGraph = nx.MultiDiGraph()
    for i in range(30):
        G.add_node(f"f{i}", kind="Firm", name=f"企业{i}")
        push(writer, G, dataset="grow")
        assert writer.node(f"f{i}")["name"] == f"企业{i}"  # same store: its own bookmarks
    assert reader.stats()  # another store reads too (a new driver starts from the server)
    assert {r["id"] for r in reader.find("企业", limit=100)} == {f"f{i}" for i in range(30)}


def test_reads_name_the_database_and_route_to_readers(neo4j_target: Any) -> None:
    store = neo4j_target.open()
    sent: list[dict[str, Any]] = []
    real = store.driver.execute_query

    def spy(*args: Any, **kwargs: Any) -> Any:  # the real driver call, its options recorded
        sent.append(kwargs)
        return real(*args, **kwargs)

    store.driver.execute_query = spy
    store.stats()
    assert sent and all(k["database_"] == neo4j_target.database for k in sent)
    assert all(str(k["routing_"]) in ("r", "RoutingControl.READ") for k in sent)


def test_cypher_shows_relationships_by_chaingraph_id(run: Run, neo4j_target: Any) -> None:
    uri = neo4j_target.uri
    ok(run("db", "push", str(TINY), store=uri))
    alone = ok(run("db", "cypher", "MATCH ()-[e:SUPPLIES]->() RETURN e", store=uri)).stdout
    assert "(yi)-[:SUPPLIES]->(jia)" in alone
    assert "#" not in alone and "(?)" not in alone
    rows = json.loads(
        ok(
            run("db", "cypher", "MATCH ()-[e:SUPPLIES]->() RETURN e", "-f", "json", store=uri)
        ).stdout
    )
    assert rows[0]["e"]["from"] == "yi" and rows[0]["e"]["to"] == "jia"


def test_cypher_paths_keep_their_direction(run: Run, neo4j_target: Any) -> None:
    uri = neo4j_target.uri
    ok(run("db", "push", str(TINY), store=uri))
    back = "MATCH p = (:Firm {id: 'jia'})<-[:SUPPLIES]-(:Firm) RETURN p"
    text = ok(run("db", "cypher", back, store=uri)).stdout
    assert "(jia:Firm 甲电池)<-[:SUPPLIES]-(yi:Firm 乙材料)" in text
    forth = "MATCH p = (:Firm {id: 'yi'})-[:SUPPLIES]->(:Firm) RETURN p"
    text = ok(run("db", "cypher", forth, store=uri)).stdout
    assert "(yi:Firm 乙材料)-[:SUPPLIES]->(jia:Firm 甲电池)" in text
    assert "#" not in text


def test_show_of_a_store_that_was_fine_still_works(run: Run, neo4j_target: Any) -> None:
    ok(run("db", "push", str(TINY), store=neo4j_target.uri))
    assert "乙材料" in ok(run("show", "yi", store=neo4j_target.uri)).stdout


def test_chain_ids_from_the_database_are_checked(neo4j_target: Any) -> None:
    store = neo4j_target.open()
    push(store, read_graph(TINY), dataset="tiny")
    store.cypher("CREATE (:Chain {id: '../../evil', name: '坏链'})", write=True)
    with pytest.raises(InvalidGraphData, match="not a valid chaingraph id"):
        store.chain_ids()


#: numbers validation refuses (beyond 10^15 in size, or not finite), as edited in a database
OUT_OF_RANGE = {
    "1.7e308": 1.7e308,
    "-1e16": -1e16,
    "2**62": 2**62,
    "NaN": float("nan"),
    "inf": float("inf"),
    "-inf": float("-inf"),
}


@pytest.mark.parametrize("case", sorted(OUT_OF_RANGE))
def test_a_number_edited_out_of_range_on_a_node_is_one_line(
    run: Run, neo4j_target: Any, case: str, tmp_path: Path
) -> None:
    store = neo4j_target.open()
    push(store, read_graph(TINY), dataset="tiny")
    store.cypher(
        "MATCH (n:Firm {id: 'jia'}) SET n.output_cny = $v", {"v": OUT_OF_RANGE[case]}, write=True
    )
    with pytest.raises(InvalidGraphData, match="Node 'jia': property 'output_cny'"):
        store.node("jia")
    uri = neo4j_target.uri
    for args in (
        ("show", "jia"),
        ("chain", "bat"),
        ("leaders", "bat", "-f", "json"),
        ("report", "--no-views", "--out", str(tmp_path / "out")),
    ):
        line = one_line_error(run(*args, store=uri), "'jia'", "output_cny")
        assert "Fix it with 'chaingraph db cypher --write'" in line
    assert not (tmp_path / "out").exists()  # nothing written


@pytest.mark.parametrize("case", ["1.7e308", "NaN", "-inf"])
def test_a_number_edited_out_of_range_on_a_relationship_is_one_line(
    run: Run, neo4j_target: Any, case: str
) -> None:
    store = neo4j_target.open()
    push(store, read_graph(TINY), dataset="tiny")
    store.cypher(
        "MATCH (:Firm {id: 'yi'})-[e:SUPPLIES]->() SET e.sales_share = $v",
        {"v": OUT_OF_RANGE[case]},
        write=True,
    )
    with pytest.raises(InvalidGraphData, match="Relationship yi -SUPPLIES-> jia.*sales_share"):
        store.load()
    one_line_error(run("chain", "bat", store=neo4j_target.uri), "yi", "sales_share")
    one_line_error(run("show", "yi", store=neo4j_target.uri), "'yi'", "sales_share")


@pytest.mark.parametrize("text", ["1e400", "-1e400", "1e16", "123456789012345678"])
def test_a_figure_value_edited_out_of_range_is_one_line(
    run: Run, neo4j_target: Any, text: str
) -> None:
    store = neo4j_target.open()
    push(store, read_graph(TINY), dataset="tiny")
    figures = '[{"key": "firms", "value": ' + text + ', "compare": "firms", "sources": []}]'
    store.cypher("MATCH (n:Park {id: 'park'}) SET n.figures_json = $v", {"v": figures}, write=True)
    with pytest.raises(InvalidGraphData, match="Node 'park': property 'figures_json'"):
        store.node("park")
    one_line_error(run("stats", store=neo4j_target.uri), "'park'", "figures_json")


@pytest.mark.parametrize("owner", ["Chain {id: 'bat'}", "Park {id: 'park'}"])
def test_a_project_amount_out_of_range_is_one_line_in_stats(
    run: Run, neo4j_target: Any, owner: str
) -> None:
    """stats sums project amounts for figures compared with the graph (a chain's in Python
    over its scope, the rest over the whole graph): never a sum of inf or NaN."""
    store = neo4j_target.open()
    push(store, read_graph(TINY), dataset="tiny")
    figures = '[{"key": "inv", "value": 5, "compare": "investment_cny", "sources": []}]'
    store.cypher(f"MATCH (n:{owner}) SET n.figures_json = $v", {"v": figures}, write=True)
    store.cypher(
        "MATCH (s:Segment {id: 'bat-cell'}) "
        "CREATE (:Project {id: 'pp', name: '坏项目', amount_cny: $v})-[:IN_SEGMENT]->(s)",
        {"v": 1.7e308},
        write=True,
    )
    store.cypher(
        "MATCH (f:Firm {id: 'jia'}), (p:Project {id: 'pp'}) CREATE (f)-[:INVESTS_IN]->(p)",
        write=True,
    )
    line = one_line_error(run("stats", "-f", "json", store=neo4j_target.uri), "'pp'", "amount_cny")
    assert "10^15" in line
