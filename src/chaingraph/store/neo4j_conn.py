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
            "(a local test server: .venv/bin/python scripts/bolt_server.py start) or fix the "
            "host and port in --store / CHAINGRAPH_STORE"
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


def plain(value: Any, ends: Mapping[str, str] | None = None) -> Any:
    """A driver value as plain Python: nodes and relationships as :class:`GraphValue`.

    Nodes show as ``(id:Kind name)`` by their chaingraph id, never a server's internal id;
    ``ends`` maps the element ids of relationship ends the query did not return to their
    chaingraph ids. A path keeps each relationship's direction (``->`` or ``<-``).
    """
    ends = ends or {}
    if isinstance(value, neo4j.graph.Node):
        props = dict(value.items())
        kinds = [lbl for lbl in value.labels if lbl in KINDS] or sorted(value.labels)
        kind = kinds[0] if kinds else ""
        data = {"id": props.get("id"), "kind": kind} | decode_props(props, stored_order(props))
        data.pop(ORDER_PROP, None)
        name = props.get("name")
        shown = props.get("id") or ends.get(value.element_id, "")
        text = f"({shown}:{kind}" + (f" {name})" if name else ")")
        return GraphValue(data, text)
    if isinstance(value, neo4j.graph.Relationship):
        start, end = (_end_id(n, ends) for n in (value.start_node, value.end_node))
        what = f"Relationship {start} -{value.type}-> {end}"
        data = {"from": start, "rel": value.type, "to": end} | decode_props(
            dict(value.items()), (), what
        )
        return GraphValue(data, f"({start})-[:{value.type}]->({end})")
    if isinstance(value, neo4j.graph.Path):
        parts = [plain(n, ends) for n in value.nodes]
        rels = [plain(r, ends) for r in value.relationships]
        text = str(parts[0])
        for node, rel, nxt, part in zip(
            value.nodes[:-1], value.relationships, parts[1:], rels, strict=True
        ):
            forward = rel.start_node is None or rel.start_node.element_id == node.element_id
            label = f"[:{part.data['rel']}]"
            text += f"-{label}->{nxt}" if forward else f"<-{label}-{nxt}"
        return GraphValue({"nodes": [p.data for p in parts], "rels": [r.data for r in rels]}, text)
    if isinstance(value, list):
        return [plain(v, ends) for v in value]
    if isinstance(value, dict):
        return {k: plain(v, ends) for k, v in value.items()}
    if hasattr(value, "iso_format"):
        return value.iso_format()
    return value


def _end_id(node: neo4j.graph.Node | None, ends: Mapping[str, str]) -> str:
    """The chaingraph id of a relationship's end node ('?' when the server gave none)."""
    if node is None:
        return "?"
    found = node.get("id") or ends.get(node.element_id)
    return str(found) if found else "?"


def unnamed_ends(value: Any) -> set[str]:
    """Element ids of relationship ends in ``value`` that came without their properties."""
    found: set[str] = set()
    if isinstance(value, neo4j.graph.Relationship):
        for n in (value.start_node, value.end_node):
            if n is not None and n.get("id") is None:
                found.add(n.element_id)
    elif isinstance(value, neo4j.graph.Path):
        for rel in value.relationships:
            found |= unnamed_ends(rel)
    elif isinstance(value, list):
        for v in value:
            found |= unnamed_ends(v)
    elif isinstance(value, dict):
        for v in value.values():
            found |= unnamed_ends(v)
    return found


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
    query_timeout : float
        Seconds a query or transaction may run on the server before it is stopped.

    Reads go through ``driver.execute_query`` (or a managed read transaction) routed to
    readers of a cluster, with the database named and transient errors retried. Every
    session and query shares the driver's bookmark manager, so a read after a push sees the
    push, on any member of a cluster.
    """

    def __init__(
        self,
        url: str,
        user: str = "neo4j",
        password: str | None = None,
        database: str = "neo4j",
        timeout: float = 5.0,
        query_timeout: float = 120.0,
    ) -> None:
        scheme, sep, _ = url.partition("://")
        if not sep or scheme.lower() not in SCHEMES:
            raise StoreUnavailable(
                f"Unsupported Neo4j URL '{url}'. Use bolt://HOST:7687, bolt+s://, "
                "neo4j://HOST:7687 or neo4j+s://"
            )
        self.url = url
        self.database = database
        self.query_timeout = query_timeout
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
        """A driver session on this store's database, sharing the store's bookmarks."""
        return self.driver.session(
            database=self.database,
            default_access_mode=access,
            bookmark_manager=self.driver.execute_query_bookmark_manager,
        )

    def error(self, exc: BaseException) -> ChaingraphError:
        """A driver exception translated for this store."""
        return translate(exc, self._where)

    def read(self, work: Callable[[neo4j.ManagedTransaction], T]) -> T:
        """Run ``work`` in one read transaction (retried on transient errors)."""
        timed = neo4j.unit_of_work(timeout=self.query_timeout)(work)
        try:
            with self.session(neo4j.READ_ACCESS) as session:
                return session.execute_read(timed)
        except ChaingraphError:
            raise
        except (neo4j_errors.Neo4jError, neo4j_errors.DriverError, OSError) as exc:
            raise self.error(exc) from exc

    def records(self, cypher: str, **params: Any) -> list[neo4j.Record]:
        """The records of one read query: ``driver.execute_query`` routed to readers, on
        this database, with the query timeout and the store's bookmarks (retried on
        transient errors, as a cluster or Aura needs)."""
        params.setdefault("kinds", list(KINDS))
        try:
            records, _, _ = self.driver.execute_query(
                neo4j.Query(cypher, timeout=self.query_timeout),
                params,
                routing_=neo4j.RoutingControl.READ,
                database_=self.database,
            )
        except (neo4j_errors.Neo4jError, neo4j_errors.DriverError, OSError) as exc:
            raise self.error(exc) from exc
        return records

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
            with (
                self.session(access) as session,
                session.begin_transaction(timeout=self.query_timeout) as tx,
            ):
                result = tx.run(text, dict(params or {}))
                keys = list(result.keys())
                records = [rec.values() for rec in result]
                summary = result.consume()
                ends = self._end_ids(tx, unnamed_ends(records))
                rows = [
                    {k: plain(v, ends) for k, v in zip(keys, values, strict=True)}
                    for values in records
                ]
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

    @staticmethod
    def _end_ids(tx: neo4j.Transaction, element_ids: set[str]) -> dict[str, str]:
        """element id -> chaingraph id of the given nodes (those that have one)."""
        if not element_ids:
            return {}
        found = tx.run(
            "MATCH (n) WHERE elementId(n) IN $eids AND n.id IS NOT NULL "
            "RETURN elementId(n) AS e, n.id AS id",
            eids=sorted(element_ids),
        )
        return {r["e"]: str(r["id"]) for r in found}

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
