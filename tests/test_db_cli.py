"""``chaingraph db …`` and the explore commands over Bolt, run as a user runs them."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from chaingraph.dataset import read_graph, validate
from conftest import SHENGZHOU

pytestmark = pytest.mark.neo4j

Run = Callable[..., Result]
TINY = Path(__file__).parent / "data" / "tiny"


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    return result


def one_line_error(result: Result, *words: str) -> str:
    """The result is exit 1 with exactly one 'Error: …' line naming ``words``."""
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    for word in words:
        assert word in lines[0], lines[0]
    assert "Traceback" not in result.output
    return lines[0]


def test_push_twice_prints_counters_and_creates_nothing_again(run: Run, neo4j_target: Any) -> None:
    uri = neo4j_target.uri
    first = json.loads(ok(run("db", "push", str(TINY), "-f", "json", store=uri)).stdout)
    G = read_graph(TINY)
    assert first[0] | {"what": "nodes"} == first[0]
    assert (first[0]["created"], first[1]["created"]) == (G.number_of_nodes(), G.number_of_edges())
    second = ok(run("db", "push", str(TINY), "--batch-size", "3", "-f", "json", store=uri))
    rows = json.loads(second.stdout)
    assert [(r["created"], r["updated"], r["deleted"]) for r in rows] == [(0, 0, 0), (0, 0, 0)]
    assert "Pushed 'tiny'" in second.stderr
    table = ok(run("db", "push", str(TINY), "--prune", store=uri)).stdout
    assert table.splitlines()[0].split() == [
        "what",
        "pushed",
        "created",
        "updated",
        "unchanged",
        "deleted",
    ]


def test_pull_writes_a_folder_that_validates(run: Run, neo4j_target: Any, tmp_path: Path) -> None:
    uri = neo4j_target.uri
    ok(run("db", "push", str(TINY), store=uri))
    result = ok(run("db", "pull", str(tmp_path / "copy"), store=uri))
    assert "Wrote" in result.stderr
    assert validate(tmp_path / "copy") == []
    pulled = read_graph(tmp_path / "copy")
    G = read_graph(TINY)
    assert sorted(pulled.nodes(data=True)) == sorted(G.nodes(data=True))
    assert sorted(pulled.edges(keys=True, data=True)) == sorted(G.edges(keys=True, data=True))
    again = json.loads(
        ok(run("db", "push", str(tmp_path / "copy"), "-f", "json", store=uri)).stdout
    )
    assert [(r["created"], r["updated"]) for r in again] == [(0, 0), (0, 0)]


def test_cypher_reads_and_prints_nodes_readably(run: Run, neo4j_target: Any) -> None:
    uri = neo4j_target.uri
    ok(run("db", "push", str(TINY), store=uri))
    query = "MATCH (a:Firm {id: $id})-[r:SUPPLIES]->(b) RETURN a, r, b.name AS customer"
    table = ok(run("db", "cypher", query, "--param", "id=yi", store=uri)).stdout
    assert "(yi:Firm 乙材料)" in table and "(yi)-[:SUPPLIES]->" in table and "甲电池" in table
    rows = json.loads(ok(run("db", "cypher", query, "-p", "id=yi", "-f", "json", store=uri)).stdout)
    assert rows[0]["a"]["name"] == "乙材料" and rows[0]["a"]["kind"] == "Firm"
    assert rows[0]["r"]["product"] == "正极材料" and rows[0]["customer"] == "甲电池"
    csv = ok(run("db", "cypher", "RETURN $n + 1 AS n", "-p", "n=41", "-f", "csv", store=uri))
    assert csv.stdout.splitlines() == ["n", "42"]


def test_cypher_write_needs_the_flag(run: Run, neo4j_target: Any) -> None:
    uri = neo4j_target.uri
    create = "CREATE (n:Firm {id: 'w', name: '写'}) RETURN n.id AS id"
    one_line_error(run("db", "cypher", create, store=uri), "--write")
    count = "MATCH (n:Firm) RETURN count(n) AS n"
    assert json.loads(ok(run("db", "cypher", count, "-f", "json", store=uri)).stdout) == [{"n": 0}]
    result = ok(run("db", "cypher", create, "--write", store=uri))
    assert "nodes created: 1" in result.stderr
    assert json.loads(ok(run("db", "cypher", count, "-f", "json", store=uri)).stdout) == [{"n": 1}]


def test_status_shows_server_database_and_counts(run: Run, neo4j_target: Any) -> None:
    uri = neo4j_target.uri
    ok(run("db", "push", str(TINY), store=uri))
    out = ok(run("db", "status", store=uri)).stdout
    assert "agent" in out and neo4j_target.database in out
    info = json.loads(ok(run("db", "status", "-f", "json", store=uri)).stdout)
    assert info["database"] == neo4j_target.database
    assert {"label": "Firm", "count": 3} in info["labels"]
    assert {"type": "SUPPLIES", "count": 1} in info["types"]
    assert info["datasets"] == [{"dataset": "tiny", "nodes": read_graph(TINY).number_of_nodes()}]


def test_errors_are_one_line_with_the_fix(
    run: Run, neo4j_target: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    uri = neo4j_target.uri
    one_line_error(run("db", "status", store="bolt://127.0.0.1:1"), "Cannot reach", "--store")
    one_line_error(run("db", "status", store="http://127.0.0.1:7474"), "bolt://")
    one_line_error(run("db", "status", store=str(TINY)), "Neo4j store")
    one_line_error(run("stats", store="mongodb://127.0.0.1:1"), "Unsupported")
    one_line_error(run("db", "cypher", "MATCH (n RETURN n", store=uri), "syntax")
    one_line_error(run("db", "cypher", "MATCH (n) SET n.x = 1", store=uri), "--write")
    one_line_error(run("db", "cypher", "RETURN $x", store=uri), "--param")
    monkeypatch.setenv("NEO4J_DATABASE", "no_such_database")
    one_line_error(run("db", "status", store=uri), "no_such_database", "NEO4J_DATABASE")
    monkeypatch.setenv("NEO4J_DATABASE", neo4j_target.database)
    monkeypatch.setenv("NEO4J_PASSWORD", "wrong-password")
    one_line_error(run("db", "status", store=uri), "NEO4J_PASSWORD")
    one_line_error(run("stats", store=uri), "NEO4J_PASSWORD")


def test_bad_param_is_a_usage_error(run: Run, neo4j_target: Any) -> None:
    result = run("db", "cypher", "RETURN 1", "--param", "novalue", store=neo4j_target.uri)
    assert result.exit_code == 2


# --- the explore commands give the same output on both stores -----------------------------


@pytest.fixture(scope="module")
def shipped_in_neo4j(module_neo4j_database: Any) -> Iterator[Any]:
    """The shipped dataset pushed into a database of its own (shared by this module)."""
    from chaingraph.store.neo4j_sync import push

    store = module_neo4j_database.open()
    G = read_graph(SHENGZHOU)
    push(store, G, str(G.graph["dataset"]))
    yield module_neo4j_database


EXPLORE = [
    ["stats"],
    ["find", "比亚迪"],
    ["find", "电池", "--limit", "5"],
    ["show", "byd"],
    ["show", "比亚迪"],
    ["show", "article"],
    ["neighbors", "byd", "--depth", "2"],
    ["neighbors", "ne-cell", "--rel", "FEEDS", "--direction", "in", "--depth", "3"],
    ["upstream", "byd"],
    ["downstream", "ne-cathode"],
    ["path", "byd", "haiwei-phase2"],
    ["path", "ne-minerals", "ne-ev", "--directed"],
]


@pytest.mark.parametrize("args", EXPLORE, ids=lambda a: "-".join(a[:2]))
@pytest.mark.parametrize("fmt", ["table", "json"])
def test_explore_commands_match_the_embedded_store(
    run: Run,
    shipped_in_neo4j: Any,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    fmt: str,
) -> None:
    for key, value in shipped_in_neo4j.env().items():
        monkeypatch.setenv(key, value)
    embedded = ok(run(*args, "-f", fmt, store=str(SHENGZHOU)))
    neo4j = ok(run(*args, "-f", fmt, store=shipped_in_neo4j.uri))
    assert neo4j.stdout == embedded.stdout
    assert neo4j.stdout.strip()


def test_explore_errors_match_the_embedded_store(
    run: Run, shipped_in_neo4j: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in shipped_in_neo4j.env().items():
        monkeypatch.setenv(key, value)
    for args in (["show", "no-such-thing"], ["path", "byd", "ne-minerals", "--max-hops", "1"]):
        embedded = run(*args, store=str(SHENGZHOU))
        neo4j = run(*args, store=shipped_in_neo4j.uri)
        assert (neo4j.exit_code, neo4j.stderr) == (embedded.exit_code, embedded.stderr)
        assert embedded.exit_code == 1


def test_an_id_edited_in_the_database_cannot_become_a_link_or_a_path(
    run: Run, neo4j_target: Any, tmp_path: Path
) -> None:
    uri = neo4j_target.uri
    ok(run("db", "push", str(TINY), store=uri))
    ok(
        run(
            "db",
            "cypher",
            "MATCH (c {id: $old}) SET c.id = $new RETURN c.id",
            "-p",
            "old=bat",
            "-p",
            "new=javascript:alert(1)//../x",
            "--write",
            store=uri,
        )
    )
    result = run("report", "--out", str(tmp_path / "out"), store=uri)
    one_line_error(result, "not a valid chaingraph id", "javascript:alert(1)//../x")
    assert not (tmp_path / "x.html").exists()
