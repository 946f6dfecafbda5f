"""Pytest plugin: a Bolt server for the tests marked ``neo4j``, and an emptied database per test.

Tests never touch a database they did not create or that is not marked for them. By default
the session starts ArcadeDB's Bolt server with ``scripts/bolt_server.py`` in a temporary
folder and stops it at the end. The variables chaingraph itself reads (``NEO4J_URI`` of an
Aura credentials file, ``NEO4J_*``, ``CHAINGRAPH_STORE``) are never used to find a server.

To run against another server, e.g. a real Neo4j 5, set ``CHAINGRAPH_TEST_NEO4J_URI`` (and
``CHAINGRAPH_TEST_NEO4J_USERNAME`` / ``_PASSWORD`` / ``_DATABASE``) to a dedicated database.
The session claims it first: an empty database is marked as a test database (one node
labelled ``ChaingraphTestDatabase``); a database that holds data without that mark is
refused and the run stops before anything is deleted.

Either way ``neo4j_target`` empties the session's database (keeping the mark) before each
test (it is not a new database: constraints and label types stay, so a test's first push is
fast; keep test data small, deleting a big graph is slow), while ``module_neo4j_database``
gives the read-only tests of one module a new database of their own (on ArcadeDB; on a
foreign server, the claimed one emptied). A server that cannot start fails the tests; they
never skip.

Fixtures:

- ``bolt_server`` (session): where the server is;
- ``neo4j_target``: an empty database for one test, with the NEO4J_* variables set (and
  ``CHAINGRAPH_STORE``); ``neo4j_target.open()`` opens a :class:`Neo4jStore` on it that the
  fixture closes afterwards.
"""

from __future__ import annotations

import importlib.util
import itertools
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
#: the label of the one node that marks a foreign database as the tests' to empty
TEST_MARK = "ChaingraphTestDatabase"


def load_bolt_server_script() -> ModuleType:
    """scripts/bolt_server.py as a module (scripts/ is not a package)."""
    name = "chaingraph_bolt_server_script"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, REPO / "scripts" / "bolt_server.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@dataclass
class BoltServer:
    """A running Bolt server; ``state`` is set when this session started it (ArcadeDB)."""

    uri: str
    user: str
    password: str
    database: str
    state: Any = None
    _count: Iterator[int] = field(default_factory=itertools.count)

    @property
    def own(self) -> bool:
        """True for the ArcadeDB server this session started (databases can be created)."""
        return self.state is not None

    def claim(self) -> None:
        """Make sure the tests may empty the configured database of a foreign server (see
        ``bolt_server.claim_database``): refuse one that holds data without the mark."""
        load_bolt_server_script().claim_database(self.uri, self.user, self.password, self.database)

    def new_database(self) -> str:
        """A new empty database on our server; on a foreign server, the configured one emptied.

        Creating a database takes milliseconds, but the first push into it pays for creating
        the label types and constraints (about 2 s on ArcadeDB): prefer :meth:`empty`.
        """
        if not self.own:
            return self.empty()
        name = f"t{os.getpid()}x{next(self._count)}"
        load_bolt_server_script().create_database(self.state, name)
        return name

    def empty(self, database: str | None = None) -> str:
        """Delete everything but the mark in a database (default: the configured one, which
        :meth:`claim` accepted) and return its name.

        One DETACH DELETE: fine for the small graphs of tests, slow for big ones.
        """
        from neo4j import GraphDatabase

        name = database or self.database
        with (
            GraphDatabase.driver(self.uri, auth=(self.user, self.password)) as driver,
            driver.session(database=name) as session,
        ):
            session.run(f"MATCH (n) WHERE NOT n:{TEST_MARK} DETACH DELETE n").consume()
        return name

    def drop_database(self, name: str) -> None:
        """Drop a database made by :meth:`new_database` (nothing on a foreign server)."""
        if self.own:
            load_bolt_server_script().drop_database(self.state, name)


@pytest.fixture(scope="session")
def bolt_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BoltServer]:
    """The server of the session: CHAINGRAPH_TEST_NEO4J_URI if set (claimed, see the module
    doc), else ArcadeDB started for the session."""
    script = load_bolt_server_script()
    foreign = script.test_server_from_env()
    if foreign:
        server = BoltServer(*foreign)
        try:
            server.claim()
        except script.ServerError as exc:
            pytest.exit(str(exc), returncode=2)
        yield server
        return
    state_dir = tmp_path_factory.mktemp("bolt-server")
    try:
        state = script.start(state_dir, heap="512m", timeout=120)
    except script.ServerError as exc:
        pytest.fail(f"Could not start the test Bolt server: {exc}", pytrace=False)
    try:
        yield BoltServer(state.uri, state.user, state.password, state.database, state)
    finally:
        script.stop(state_dir)


@dataclass
class Neo4jTarget:
    """One test's empty database on the session's server."""

    uri: str
    user: str
    password: str
    database: str
    stores: list[Any] = field(default_factory=list)

    def env(self) -> dict[str, str]:
        """The NEO4J_* variables that select this database."""
        return {
            "NEO4J_URI": self.uri,
            "NEO4J_USERNAME": self.user,
            "NEO4J_PASSWORD": self.password,
            "NEO4J_DATABASE": self.database,
        }

    def open(self) -> Any:
        """A Neo4jStore on this database (closed when the test ends)."""
        from chaingraph.store.neo4j_store import Neo4jStore

        store = Neo4jStore(self.uri, self.user, self.password, self.database)
        self.stores.append(store)
        return store


@pytest.fixture
def neo4j_target(bolt_server: BoltServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[Neo4jTarget]:
    """An empty database for this test; NEO4J_* and CHAINGRAPH_STORE point at it.

    The session's database is emptied before each test (constraints and types stay, so the
    first push of a test is as fast as any other).
    """
    name = bolt_server.empty()
    target = Neo4jTarget(bolt_server.uri, bolt_server.user, bolt_server.password, name)
    for key, value in target.env().items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("CHAINGRAPH_STORE", target.uri)
    try:
        yield target
    finally:
        for store in target.stores:
            store.close()


@pytest.fixture(scope="module")
def module_neo4j_database(bolt_server: BoltServer) -> Iterator[Neo4jTarget]:
    """An empty database shared by the tests of one module (for read-only tests)."""
    name = bolt_server.new_database()
    target = Neo4jTarget(bolt_server.uri, bolt_server.user, bolt_server.password, name)
    try:
        yield target
    finally:
        for store in target.stores:
            store.close()
        bolt_server.drop_database(name)
