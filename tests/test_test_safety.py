"""The tests and benchmarks never touch a database they did not create or that is not theirs,
and the server script never installs anything outside the project's .venv."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from neo4j_fixtures import REPO, TEST_MARK, load_bolt_server_script

SCRIPT = REPO / "scripts" / "bolt_server.py"


def count(server: Any, database: str, where: str = "") -> int:
    from neo4j import GraphDatabase

    with GraphDatabase.driver(server.uri, auth=(server.user, server.password)) as driver:
        records, _, _ = driver.execute_query(
            f"MATCH (n) {where} RETURN count(n) AS c", database_=database
        )
    return int(records[0]["c"])


def write(server: Any, database: str, cypher: str) -> None:
    from neo4j import GraphDatabase

    with GraphDatabase.driver(server.uri, auth=(server.user, server.password)) as driver:
        driver.execute_query(cypher, database_=database)


@pytest.mark.neo4j
def test_a_database_with_data_is_refused_and_kept(bolt_server: Any) -> None:
    if not bolt_server.own:
        pytest.skip("creates databases: needs the session's own server")
    script = load_bolt_server_script()
    name = bolt_server.new_database()
    try:
        write(bolt_server, name, "CREATE (:Firm {id: 'users-own', name: '用户的数据'})")
        creds = (bolt_server.uri, bolt_server.user, bolt_server.password, name)
        with pytest.raises(script.ServerError, match="holds 1 nodes and is not marked"):
            script.claim_database(*creds)
        with pytest.raises(script.ServerError, match="not marked"):
            script.empty_database(*creds)  # emptying checks the claim first
        assert count(bolt_server, name) == 1  # the user's node is still there
    finally:
        bolt_server.drop_database(name)


@pytest.mark.neo4j
def test_an_empty_database_is_marked_then_emptied_but_the_mark(bolt_server: Any) -> None:
    if not bolt_server.own:
        pytest.skip("creates databases: needs the session's own server")
    script = load_bolt_server_script()
    name = bolt_server.new_database()
    try:
        creds = (bolt_server.uri, bolt_server.user, bolt_server.password, name)
        script.claim_database(*creds)
        assert count(bolt_server, name, f"WHERE n:{TEST_MARK}") == 1
        write(bolt_server, name, "CREATE (:Firm {id: 'a'})-[:SUPPLIES]->(:Firm {id: 'b'})")
        script.claim_database(*creds)  # marked: accepted although it holds data
        script.empty_database(*creds)
        assert count(bolt_server, name) == 1  # only the mark is left
        assert count(bolt_server, name, f"WHERE n:{TEST_MARK}") == 1
    finally:
        bolt_server.drop_database(name)


def test_chaingraphs_own_variables_never_name_a_test_server(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    script = load_bolt_server_script()
    for key in [k for k in os.environ if k.startswith("CHAINGRAPH_TEST_NEO4J")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("NEO4J_URI", "neo4j+s://users-own.databases.example:7687")
    monkeypatch.setenv("CHAINGRAPH_STORE", "neo4j+s://users-own.databases.example:7687")
    assert script.test_server_from_env() is None
    monkeypatch.setenv("CHAINGRAPH_TEST_NEO4J_URI", "bolt://127.0.0.1:7687")
    assert script.test_server_from_env() == ("bolt://127.0.0.1:7687", "neo4j", "", "neo4j")


def test_the_script_prints_the_settings_chaingraph_reads() -> None:
    script = load_bolt_server_script()
    state = script.ServerState("d", 1, 7687, 2480, "pw word", "neo4j")
    assert set(state.env()) == {
        "CHAINGRAPH_STORE",
        "NEO4J_USERNAME",
        "NEO4J_PASSWORD",
        "NEO4J_DATABASE",
    }
    assert "export CHAINGRAPH_STORE=bolt://127.0.0.1:7687" in state.exports()
    assert "export NEO4J_PASSWORD='pw word'" in state.exports()


def system_python() -> str:
    """A Python that is not in a virtual environment (as a user types ``python``)."""
    base = Path(sys.base_prefix) / "bin" / "python3"
    return str(base if base.is_file() else shutil.which("python3"))


def run_script(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    return subprocess.run(
        [system_python(), str(repo / "scripts" / "bolt_server.py"), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_without_a_venv_the_script_refuses_and_says_what_to_run(tmp_path: Path) -> None:
    repo = tmp_path / "checkout"
    (repo / "scripts").mkdir(parents=True)
    shutil.copy(SCRIPT, repo / "scripts" / "bolt_server.py")
    for command in (["start"], ["install"]):
        done = run_script(repo, "--dir", str(tmp_path / "state"), *command)
        assert done.returncode == 1, done.stderr
        assert 'python3 -m venv .venv && .venv/bin/pip install -e ".[test]"' in done.stderr
        assert "Installing" not in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "state").exists()


def test_with_a_venv_the_script_runs_in_it(tmp_path: Path) -> None:
    repo = tmp_path / "checkout"
    (repo / "scripts").mkdir(parents=True)
    shutil.copy(SCRIPT, repo / "scripts" / "bolt_server.py")
    subprocess.run(
        [system_python(), "-m", "venv", "--without-pip", str(repo / ".venv")], check=True
    )
    done = run_script(repo, "--dir", str(tmp_path / "state"), "start", "--timeout", "5")
    assert "(running with .venv/bin/python)" in done.stderr
    # the empty .venv has no server wheel: it may only be installed there, and pip is missing
    assert done.returncode == 1
    assert "into .venv" in done.stderr and "Traceback" not in done.stderr
