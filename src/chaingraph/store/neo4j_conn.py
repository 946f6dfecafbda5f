"""A connection to a Neo4j (or Bolt-compatible) server: sessions, error messages, raw Cypher.

Every driver failure becomes one :class:`~chaingraph.errors.ChaingraphError` whose message
names the fix (:func:`translate`). The read queries (:mod:`.neo4j_read`) and the writes
(:mod:`.neo4j_sync`) run through a :class:`Neo4jConnection`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Self, TypeVar

import neo4j
from neo4j import exceptions as neo4j_errors

from ..errors import ChaingraphError, QueryError, StoreUnavailable
from .neo4j_schema import KINDS, ORDER_PROP, decode_props, stored_order

T = TypeVar("T")

SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")

# --- errors -------------------------------------------------------------------------------

WRITE_FIX = "Run it again with --write to allow writes"


def _message(exc: BaseException) -> str:
    """The first line of a driver error's message, without the driver's decorations."""
    text = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return " ".join(str(text).split())[:300]


@dataclass
class _Where:
    url: str
    user: str
    database: str


def translate(exc: BaseException, where: _Where) -> ChaingraphError:
    """A driver exception as one ChaingraphError whose message names the fix."""
    if isinstance(exc, ChaingraphError):
        return exc
    if isinstance(exc, neo4j_errors.AuthError):
        return StoreUnavailable(
            f"The server at '{where.url}' rejected user '{where.user}' (wrong user name or "
            "password). Set NEO4J_USERNAME and NEO4J_PASSWORD"
        )
    if isinstance(exc, neo4j_errors.Neo4jError):
        code = exc.code or ""
        if code == "Neo.ClientError.Database.DatabaseNotFound":
            return StoreUnavailable(
                f"Database '{where.database}' does not exist on '{where.url}'. Set "
                "NEO4J_DATABASE to an existing database (default neo4j)"
            )
        if isinstance(exc, neo4j_errors.CypherSyntaxError) or code.endswith("SyntaxError"):
            return QueryError(f"Cypher syntax error: {_message(exc)}. Fix the query")
        if code in ("Neo.ClientError.Statement.AccessMode", "Neo.ClientError.Request.Invalid"):
            return QueryError(f"The query writes to the database. {WRITE_FIX}")
        if code.startswith("Neo.ClientError.Security"):
            return StoreUnavailable(f"Not allowed on '{where.url}': {_message(exc)}")
        if code == "Neo.ClientError.Statement.ParameterMissing":
            return QueryError(f"{_message(exc)}. Pass it with --param NAME=VALUE")
        return QueryError(f"The database refused the query: {_message(exc)}")
    if isinstance(exc, neo4j_errors.DriverError | OSError):
        text = _message(exc)
        reasons = {
            "refused": "connection refused",
            "timed out": "timed out",
            "DNS resolve": "unknown host",
            "looks like HTTP": "not a Bolt port",
        }
        reason = next((v for k, v in reasons.items() if k in text), text[:80])
        return StoreUnavailable(
            f"Cannot reach the Neo4j server at '{where.url}' ({reason}). Start it "
            "(for tests: python scripts/bolt_server.py start) or fix the host and port in "
            "--store / CHAINGRAPH_STORE"
        )
    return ChaingraphError(_message(exc))


# --- Cypher results for the cypher command --------------------------------------------------


@dataclass
class GraphValue:
    """A node or relationship in a Cypher result, shown readably."""

    data: dict[str, Any]
    text: str

    def __str__(self) -> str:
        return self.text


@dataclass
class CypherResult:
    """Columns, rows (dicts in column order) and the update counters of one query."""

    keys: list[str]
    rows: list[dict[str, Any]]
    counters: dict[str, int] = field(default_factory=dict)


def plain(value: Any) -> Any:
    """A driver value as plain Python: nodes and relationships as :class:`GraphValue`."""
    if isinstance(value, neo4j.graph.Node):
        props = dict(value.items())
        kinds = [lbl for lbl in value.labels if lbl in KINDS] or sorted(value.labels)
        kind = kinds[0] if kinds else ""
        data = {"id": props.get("id"), "kind": kind} | decode_props(props, stored_order(props))
        data.pop(ORDER_PROP, None)
        name = props.get("name")
        text = f"({props.get('id', value.element_id)}:{kind}" + (f" {name})" if name else ")")
        return GraphValue(data, text)
    if isinstance(value, neo4j.graph.Relationship):
        # the end nodes carry properties only if the query returned them too
        ends = [
            (n.get("id") or n.element_id) if n is not None else ""
            for n in (value.start_node, value.end_node)
        ]
        start, end = ends
        data = {"from": start, "rel": value.type, "to": end} | decode_props(dict(value.items()))
        return GraphValue(data, f"({start})-[:{value.type}]->({end})")
    if isinstance(value, neo4j.graph.Path):
        parts = [plain(n) for n in value.nodes]
        rels = [plain(r) for r in value.relationships]
        text = str(parts[0]) + "".join(
            f"-[:{r.data['rel']}]-{n}" for r, n in zip(rels, parts[1:], strict=True)
        )
        return GraphValue({"nodes": [p.data for p in parts], "rels": [r.data for r in rels]}, text)
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if hasattr(value, "iso_format"):
        return value.iso_format()
    return value


class Neo4jConnection:
    """A driver and the database its sessions use; raw Cypher and the server's status.

    Parameters
    ----------
    url : str
        ``bolt://``, ``bolt+s://``, ``neo4j://`` or ``neo4j+s://`` URL of the server.
    user, password : str
        Credentials (see :meth:`from_env`).
    database : str
        The database every session uses (always passed to the driver).
    timeout : float
        Seconds to wait for a connection; the store checks connectivity when it opens.
    """

    def __init__(
        self,
        url: str,
        user: str = "neo4j",
        password: str | None = None,
        database: str = "neo4j",
        timeout: float = 5.0,
    ) -> None:
        scheme, sep, _ = url.partition("://")
        if not sep or scheme.lower() not in SCHEMES:
            raise StoreUnavailable(
                f"Unsupported Neo4j URL '{url}'. Use bolt://HOST:7687, bolt+s://, "
                "neo4j://HOST:7687 or neo4j+s://"
            )
        self.url = url
        self.database = database
        self._where = _Where(url, user, database)
        try:
            self.driver = neo4j.GraphDatabase.driver(
                url,
                auth=(user, password or ""),
                connection_timeout=timeout,
                connection_acquisition_timeout=timeout * 2,
                max_transaction_retry_time=15.0,
                user_agent="chaingraph",
            )
        except (neo4j_errors.ConfigurationError, ValueError) as exc:
            raise StoreUnavailable(
                f"Cannot use the Neo4j URL '{url}': {_message(exc)}. Use bolt://HOST:7687 "
                "or neo4j://HOST:7687"
            ) from exc
        try:
            self.driver.verify_connectivity()
            # verify_connectivity does not check the database: run a query on it
            with self.session() as session:
                session.run("RETURN 1 AS ok").consume()
        except Exception as exc:
            self.driver.close()
            raise translate(exc, self._where) from exc

    @classmethod
    def from_env(cls, url: str, env: Mapping[str, str] | None = None) -> Self:
        """Open ``url`` with NEO4J_USERNAME (default neo4j), NEO4J_PASSWORD and
        NEO4J_DATABASE (default neo4j) from the environment."""
        env = os.environ if env is None else env
        return cls(
            url,
            user=env.get("NEO4J_USERNAME") or "neo4j",
            password=env.get("NEO4J_PASSWORD") or "",
            database=env.get("NEO4J_DATABASE") or "neo4j",
        )

    def close(self) -> None:
        """Close the driver and its connections."""
        self.driver.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def session(self, access: str = neo4j.WRITE_ACCESS) -> neo4j.Session:
        """A driver session on this store's database."""
        return self.driver.session(database=self.database, default_access_mode=access)

    def error(self, exc: BaseException) -> ChaingraphError:
        """A driver exception translated for this store."""
        return translate(exc, self._where)

    def read(self, work: Callable[[neo4j.ManagedTransaction], T]) -> T:
        """Run ``work`` in one read transaction (retried on transient errors)."""
        try:
            with self.session(neo4j.READ_ACCESS) as session:
                return session.execute_read(work)
        except ChaingraphError:
            raise
        except (neo4j_errors.Neo4jError, neo4j_errors.DriverError, OSError) as exc:
            raise self.error(exc) from exc

    def records(self, cypher: str, **params: Any) -> list[neo4j.Record]:
        """The records of one read query (auto-commit: one round trip fewer than a managed
        transaction; reads need no retry)."""
        params.setdefault("kinds", list(KINDS))
        try:
            with self.session(neo4j.READ_ACCESS) as session:
                return list(session.run(cypher, params))
        except (neo4j_errors.Neo4jError, neo4j_errors.DriverError, OSError) as exc:
            raise self.error(exc) from exc

    def cypher(
        self, text: str, params: Mapping[str, Any] | None = None, write: bool = False
    ) -> CypherResult:
        """Run one Cypher query; read-only unless ``write``.

        A read-only query runs in a read transaction that is always rolled back; if the
        server reports that it wrote (ArcadeDB does not enforce read transactions), it
        raises QueryError and nothing is kept.
        """
        access = neo4j.WRITE_ACCESS if write else neo4j.READ_ACCESS
        try:
            with self.session(access) as session, session.begin_transaction() as tx:
                result = tx.run(text, dict(params or {}))
                keys = list(result.keys())
                rows = [
                    {k: plain(v) for k, v in zip(keys, rec.values(), strict=True)} for rec in result
                ]
                summary = result.consume()
                counters = {
                    k: v
                    for k, v in vars(summary.counters).items()
                    if isinstance(v, int)
                    and not isinstance(v, bool)
                    and v
                    and not k.startswith("_")
                }
                wrote = (
                    summary.counters.contains_updates or summary.counters.contains_system_updates
                )
                if not write and (wrote or summary.query_type in ("w", "rw", "s")):
                    tx.rollback()
                    raise QueryError(f"The query writes to the database. {WRITE_FIX}")
                if write:
                    tx.commit()
                else:
                    tx.rollback()
        except ChaingraphError:
            raise
        except (neo4j_errors.Neo4jError, neo4j_errors.DriverError, OSError) as exc:
            raise self.error(exc) from exc
        return CypherResult(keys, rows, counters)

    def server_status(self) -> dict[str, Any]:
        """Server agent and version, database, and counts by label and relationship type."""
        info = self.driver.get_server_info()
        comps = self.records(
            "CALL dbms.components() YIELD name, versions, edition RETURN name, versions, edition"
        )
        labels = [r["label"] for r in self.records("CALL db.labels() YIELD label RETURN label")]
        types = [
            r["t"]
            for r in self.records(
                "CALL db.relationshipTypes() YIELD relationshipType AS t RETURN t"
            )
        ]
        label_counts = []
        for label in sorted(labels):
            if not label.replace("_", "").isalnum():
                continue
            c = self.records(f"MATCH (n:`{label}`) RETURN count(n) AS c")[0]["c"]
            label_counts.append({"label": label, "count": c})
        type_counts = []
        for t in sorted(types):
            if not t.replace("_", "").isalnum():
                continue
            c = self.records(f"MATCH ()-[e:`{t}`]->() RETURN count(e) AS c")[0]["c"]
            type_counts.append({"type": t, "count": c})
        return {
            "url": self.url,
            "agent": info.agent,
            "protocol": ".".join(str(p) for p in info.protocol_version),
            "components": [
                {"name": r["name"], "versions": list(r["versions"]), "edition": r["edition"]}
                for r in comps
            ],
            "database": self.database,
            "labels": label_counts,
            "types": type_counts,
        }
