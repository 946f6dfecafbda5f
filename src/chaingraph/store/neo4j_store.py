"""The Neo4j store: a chain graph in a Neo4j (or Bolt-compatible) database.

Every explore query answers with the same rows as the networkx reference functions of
:mod:`chaingraph.query`. Neighbourhood, up/downstream and path queries walk the graph level
by level in Cypher (one query per kind of node in the frontier, values as ``$parameters``),
so a large database is never pulled into memory for them; the tie-breaking happens in
Python on the small frontier, exactly as in :mod:`chaingraph.query`.

How a graph is stored
---------------------
- A node is a Neo4j node with one label, its :class:`~chaingraph.model.Kind`, and the
  property ``id`` (unique per label: ``db push`` creates the constraints). An edge is a
  relationship whose type is its :class:`~chaingraph.model.Rel`.
- Text, numbers, booleans and non-empty lists of text are stored as native properties.
  Anything else (``sources``, ``figures``, empty lists) is stored as a JSON string under the
  key with ``_json`` appended (``sources_json``) and decoded on the way back.
- Bookkeeping properties: ``dataset`` (the name of the dataset that pushed the item, so
  ``--prune`` deletes only its own items), on nodes also ``attr_order`` (the attribute order,
  so rows come back in the order they were written; the names joined by commas; left out
  when it is the canonical order) and ``search_text`` (the normalised id, name, English name
  and aliases that ``find`` matches, one per line, see
  :func:`chaingraph.model.normalize_text`: Cypher cannot fold full-width characters; left
  out when no name changes under normalising). Both are single strings: lists cost ArcadeDB
  noticeably more per push.
- Labels and relationship types in Cypher text come only from the enums in
  :mod:`chaingraph.model`; every value travels as a parameter.

ArcadeDB (the test server) differs from Neo4j in ways this module codes around: it ignores
the access mode of a transaction (so read-only ``cypher`` checks the query type and rolls
back writes itself); its element ids change when a node's labels change (so everything is
keyed on ``id``); and a MERGE that races another MERGE of the same id fails with a
constraint error instead of waiting (so pushes retry such batches).
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple, TypeVar

import neo4j
import networkx as nx
from neo4j import exceptions as neo4j_errors

from .. import query
from ..errors import ChaingraphError, InvalidGraphData, QueryError, StoreUnavailable
from ..model import (
    FIGURE_COMPARE,
    ID_RULE,
    SUPPLY_RELS,
    ChainGraph,
    Kind,
    Rel,
    is_valid_id,
    normalize_text,
)
from .base import Row

T = TypeVar("T")

SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")
KINDS: tuple[str, ...] = tuple(k.value for k in Kind)
RELS: tuple[str, ...] = tuple(r.value for r in Rel)
DATASET_PROP = "dataset"
ORDER_PROP = "attr_order"
SEARCH_PROP = "search_text"
JSON_SUFFIX = "_json"
#: node properties that are bookkeeping, not attributes of the node
INTERNAL_PROPS = frozenset({DATASET_PROP, ORDER_PROP, SEARCH_PROP})
#: Cypher condition: a name of node ``n`` contains ``$needle`` as it is (used for nodes whose
#: names need no normalising, so they carry no ``search_text``)
RAW_MATCH = (
    "(n.id CONTAINS $needle OR n.name CONTAINS $needle OR "
    "coalesce(n.name_en, '') CONTAINS $needle OR "
    "any(a IN coalesce(n.aliases, []) WHERE a CONTAINS $needle))"
)
#: Cypher expression: the Kind label of node variable ``v`` (null for a foreign node)
KIND_OF = "[l IN labels({v}) WHERE l IN $kinds][0]"


# --- values -------------------------------------------------------------------------------


def _is_native(value: Any) -> bool:
    """True for values stored as a native property (the rest become JSON text)."""
    if isinstance(value, bool | str):
        return True
    if isinstance(value, int):
        return -(2**63) <= value < 2**63
    if isinstance(value, float):
        return value == value  # NaN does not survive a round trip
    if isinstance(value, list):
        return bool(value) and all(isinstance(v, str) for v in value)
    return False


def encode_attrs(attrs: Mapping[str, Any]) -> dict[str, Any]:
    """Attributes as Neo4j properties: native values as they are, others as JSON text.

    >>> encode_attrs({"name": "比亚迪", "aliases": ["BYD"], "sources": [{"source": "a"}]})
    {'name': '比亚迪', 'aliases': ['BYD'], 'sources_json': '[{"source": "a"}]'}
    """
    out: dict[str, Any] = {}
    for key, value in attrs.items():
        if value is None:
            continue
        if _is_native(value):
            out[key] = value
        else:
            out[key + JSON_SUFFIX] = json.dumps(value, ensure_ascii=False)
    return out


def decode_props(props: Mapping[str, Any], order: Iterable[str] = ()) -> dict[str, Any]:
    """Properties back to attributes (JSON decoded), in ``order`` first, then by name.

    Bookkeeping properties and ``id`` are left out.

    >>> decode_props({"id": "x", "sources_json": "[]", "name": "甲"}, ["name", "sources"])
    {'name': '甲', 'sources': []}
    """
    out: dict[str, Any] = {}
    for key in order:
        if key in props:
            out[key] = props[key]
        elif key + JSON_SUFFIX in props:
            out[key] = _loads(props[key + JSON_SUFFIX])
    for key in sorted(props):
        if key == "id" or key in INTERNAL_PROPS:
            continue
        if key.endswith(JSON_SUFFIX) and isinstance(props[key], str):
            name = key[: -len(JSON_SUFFIX)]
            if name not in out:
                out[name] = _loads(props[key])
        elif key not in out:
            out[key] = props[key]
    return out


def _loads(text: Any) -> Any:
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return text


def search_text(node_id: str, attrs: Mapping[str, Any]) -> str:
    """The normalised names ``find`` matches (id, name, name_en, aliases), one per line.

    :func:`~chaingraph.model.normalize_text` leaves no line break inside a name, so a
    normalised needle is contained in this text exactly when it is contained in a name.

    >>> search_text("byd", {"name": "比亚迪", "aliases": ["ＢＹＤ"]})
    'byd\\n比亚迪\\nbyd'
    """
    return "\n".join(normalize_text(n) for n in _names(node_id, attrs))


def _names(node_id: str, attrs: Mapping[str, Any]) -> list[str]:
    names = [node_id, str(attrs.get("name", ""))]
    if attrs.get("name_en"):
        names.append(str(attrs["name_en"]))
    names.extend(str(a) for a in attrs.get("aliases") or ())
    return names


#: attribute order of a dataset file written by chaingraph (see :func:`canonical_order`)
ORDER_HEAD = ("kind", "name", "name_en", "aliases")
ORDER_TAIL = ("grade", "note", "sources", "figures")


def canonical_order(keys: Iterable[str]) -> list[str]:
    """Attribute names in the order chaingraph writes them: kind and names, the other fields
    by name, then grade, note, sources and figures.

    >>> canonical_order(["sources", "name", "local", "kind", "employees"])
    ['kind', 'name', 'employees', 'local', 'sources']
    """
    keys = list(keys)
    head = [k for k in ORDER_HEAD if k in keys]
    tail = [k for k in ORDER_TAIL if k in keys]
    return head + sorted(k for k in keys if k not in ORDER_HEAD and k not in ORDER_TAIL) + tail


def node_properties(node_id: str, attrs: Mapping[str, Any], dataset: str) -> dict[str, Any]:
    """The properties a node is stored with (its kind is the label, not a property).

    ``attr_order`` is stored only when the order is not :func:`canonical_order`, and
    ``search_text`` only when a name changes under :func:`~chaingraph.model.normalize_text`
    (``find`` then matches the names themselves): fewer properties, faster pushes.
    """
    attrs = {k: v for k, v in attrs.items() if k not in ("id", "kind")}
    props: dict[str, Any] = {"id": node_id}
    props.update(encode_attrs(attrs))
    props[DATASET_PROP] = dataset
    order = ["kind", *attrs]
    if order != canonical_order(order):
        props[ORDER_PROP] = ",".join(order)
    text = search_text(node_id, attrs)
    if text != "\n".join(_names(node_id, attrs)):
        props[SEARCH_PROP] = text
    return props


def edge_properties(attrs: Mapping[str, Any], dataset: str) -> dict[str, Any]:
    """The properties an edge is stored with (its rel is the type, not a property)."""
    props = encode_attrs({k: v for k, v in attrs.items() if k != "rel"})
    props[DATASET_PROP] = dataset
    return props


def _order(props: Mapping[str, Any]) -> list[str]:
    """The attribute order of a stored node: recorded (comma-joined), else canonical."""
    order = props.get(ORDER_PROP)
    if isinstance(order, str) and order:
        return order.split(",")
    names = [
        k[: -len(JSON_SUFFIX)] if k.endswith(JSON_SUFFIX) else k
        for k in props
        if k != "id" and k not in INTERNAL_PROPS
    ]
    return canonical_order(["kind", *names])


def node_attrs(kind: str, props: Mapping[str, Any]) -> dict[str, Any]:
    """A stored node's attributes as the networkx graph holds them."""
    order = _order(props)
    attrs = decode_props(props, order)
    attrs["kind"] = kind
    if order and order[0] == "kind":
        attrs = {"kind": kind} | {k: v for k, v in attrs.items() if k != "kind"}
    return attrs


def edge_attrs(rel: str, props: Mapping[str, Any]) -> dict[str, Any]:
    """A stored relationship's attributes as the networkx graph holds them."""
    return {"rel": rel} | decode_props(props)


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
        data = {"id": props.get("id"), "kind": kind} | decode_props(props, _order(props))
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


# --- the store ------------------------------------------------------------------------------


class Step(NamedTuple):
    """One edge at a frontier node: from ``u`` over ``rel`` to ``v`` ('out' or 'in')."""

    u: str
    rel: str
    v: str
    kind: str  # of v
    name: str  # of v
    dirn: str
    grade: str  # of the edge


class Neo4jStore:
    """A chain graph in a Neo4j database, behind the GraphStore interface.

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
    def from_env(cls, url: str, env: Mapping[str, str] | None = None) -> Neo4jStore:
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

    def __enter__(self) -> Neo4jStore:
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

    # --- lookups -------------------------------------------------------------------------

    def kinds_of(self, ids: Iterable[str]) -> dict[str, tuple[str, str]]:
        """id -> (kind, name) for the ids that exist (any Kind label)."""
        wanted = sorted(set(ids))
        if not wanted:
            return {}
        union = " UNION ALL ".join(
            f"UNWIND $ids AS i MATCH (n:{k} {{id: i}}) RETURN n.id AS id, '{k}' AS kind, "
            "n.name AS name"
            for k in KINDS
        )
        return {r["id"]: (r["kind"], r["name"] or "") for r in self.records(union, ids=wanted)}

    def _require(self, node_id: str) -> tuple[str, str]:
        found = self.kinds_of([node_id]).get(node_id)
        if found is None:
            raise query.unknown(node_id, self.find(node_id, limit=5))
        return found

    def _candidates(self, needle: str) -> ChainGraph:
        """A small graph of the nodes whose names contain the normalised needle."""
        union = " UNION ALL ".join(
            # ArcadeDB quirk: CASE WHEN … END as this predicate silently matches nothing
            f"MATCH (n:{k}) WHERE (n.{SEARCH_PROP} IS NULL AND {RAW_MATCH}) "
            f"OR (n.{SEARCH_PROP} IS NOT NULL AND n.{SEARCH_PROP} CONTAINS $needle) "
            f"RETURN n.id AS id, '{k}' AS kind, n.name AS name, n.name_en AS name_en, "
            "n.aliases AS aliases"
            for k in KINDS
        )
        G: ChainGraph = nx.MultiDiGraph()
        for r in self.records(union, needle=needle):
            if r["id"] is None:
                continue
            attrs: dict[str, Any] = {"kind": r["kind"], "name": r["name"] or ""}
            if r["name_en"]:
                attrs["name_en"] = r["name_en"]
            if isinstance(r["aliases"], list):
                attrs["aliases"] = r["aliases"]
            G.add_node(r["id"], **attrs)
        return G

    # --- explore queries -------------------------------------------------------------------

    def find(self, text: str, limit: int = 50) -> list[Row]:
        """See :func:`chaingraph.query.find` (candidates filtered in Cypher, ranked alike)."""
        needle = normalize_text(text)
        if not needle:
            return []
        return query.find(self._candidates(needle), text, limit)

    def resolve(self, text: str) -> str:
        """See :func:`chaingraph.query.resolve`."""
        if self.kinds_of([text]):
            return text
        needle = normalize_text(text)
        G = self._candidates(needle) if needle else nx.MultiDiGraph()
        return query.resolve(G, text)

    def node(self, node_id: str) -> Row:
        """See :func:`chaingraph.query.node`."""
        union = " UNION ALL ".join(
            f"MATCH (n:{k} {{id: $id}}) RETURN '{k}' AS kind, properties(n) AS p" for k in KINDS
        )
        recs = self.records(union, id=node_id)
        if not recs:
            raise query.unknown(node_id, self.find(node_id, limit=5))
        attrs = node_attrs(recs[0]["kind"], recs[0]["p"])
        row: Row = {"id": node_id}
        row.update({k: v for k, v in attrs.items() if k not in query.HIDDEN_ATTRS})
        if "text" in attrs:
            row["text_chars"] = len(attrs["text"])
        return row

    def relations(self, node_id: str) -> list[Row]:
        """See :func:`chaingraph.query.relations`."""
        kind, _ = self._require(node_id)
        union = " UNION ALL ".join(
            f"MATCH (n:{kind} {{id: $id}}){arrow}(m) "
            f"WITH e, m, {KIND_OF.format(v='m')} AS mk WHERE mk IS NOT NULL "
            "RETURN type(e) AS rel, properties(e) AS p, m.id AS other, mk, m.name AS name, "
            f"'{direction}' AS direction"
            for direction, arrow in (("out", "-[e]->"), ("in", "<-[e]-"))
        )
        rows: list[Row] = []
        for r in self.records(union, id=node_id):
            data = edge_attrs(r["rel"], r["p"])
            rows.append(
                {
                    "direction": r["direction"],
                    "rel": r["rel"],
                    "other": r["other"],
                    "other_kind": r["mk"],
                    "other_name": r["name"] or "",
                    "grade": data.get("grade", ""),
                    "fields": {k: data[k] for k in sorted(data) if k not in query.EDGE_META},
                    "sources": list(data.get("sources") or []),
                }
            )
        rows.sort(key=lambda r: (r["direction"] != "out", r["rel"], r["other"]))
        return rows

    def steps(
        self, frontier: Mapping[str, str], rels: Iterable[str] | None, direction: str
    ) -> list[Step]:
        """Every edge at the frontier nodes (id -> kind) allowed by rels and direction.

        One Cypher query per kind and direction; rows ``(u, rel, v, v_kind, v_name, dirn)``.
        """
        by_kind: dict[str, list[str]] = defaultdict(list)
        for node_id, kind in frontier.items():
            if kind in KINDS:
                by_kind[kind].append(node_id)
        if rels is None:
            typed = ""
        else:
            allowed = sorted({str(r) for r in rels} & set(RELS))
            if not allowed:
                return []
            typed = ":" + "|".join(allowed)
        dirs = ("out", "in") if direction == "both" else (direction,)
        params: dict[str, Any] = {"kinds": list(KINDS)}
        parts = []
        for kind, ids in sorted(by_kind.items()):
            params[f"ids_{kind}"] = ids
            for dirn in dirs:
                arrow = f"-[e{typed}]->" if dirn == "out" else f"<-[e{typed}]-"
                parts.append(
                    f"UNWIND $ids_{kind} AS i MATCH (u:{kind} {{id: i}}){arrow}(v) "
                    f"WITH i, e, v, {KIND_OF.format(v='v')} AS vk WHERE vk IS NOT NULL "
                    "RETURN i AS u, type(e) AS rel, v.id AS v, vk, v.name AS name, "
                    f"e.grade AS grade, '{dirn}' AS dirn"
                )
        if not parts:
            return []
        return [
            Step(r["u"], r["rel"], r["v"], r["vk"], r["name"] or "", r["dirn"], r["grade"] or "")
            for r in self.records(" UNION ALL ".join(parts), **params)
        ]

    def neighbors(
        self,
        node_id: str,
        depth: int = 1,
        rels: Iterable[str] | None = None,
        direction: str = "both",
    ) -> list[Row]:
        """See :func:`chaingraph.query.neighbors` (one frontier query per hop)."""
        kind, _ = self._require(node_id)
        rels = None if rels is None else list(rels)
        seen = {node_id}
        frontier = {node_id: kind}
        rows: list[Row] = []
        for hops in range(1, depth + 1):
            best: dict[str, Step] = {}
            for step in self.steps(frontier, rels, direction):
                if step.v in seen:
                    continue
                old = best.get(step.v)
                if old is None or (step.u, step.rel, step.dirn) < (old.u, old.rel, old.dirn):
                    best[step.v] = step
            if not best:
                break
            for v in sorted(best):
                st = best[v]
                rows.append(
                    {"id": v, "kind": st.kind, "name": st.name, "hops": hops, "via": st.u}
                    | {"rel": st.rel, "direction": st.dirn, "grade": st.grade}
                )
            seen.update(best)
            frontier = {v: best[v].kind for v in sorted(best)}
        return rows

    def reach(self, node_id: str, direction: str) -> list[Row]:
        """See :func:`chaingraph.query.reach` (one frontier query per hop)."""
        if direction not in ("up", "down"):
            raise ValueError(f"direction must be 'up' or 'down', not {direction!r}")
        kind, _ = self._require(node_id)
        walk = "in" if direction == "up" else "out"
        supply = [str(r) for r in SUPPLY_RELS]
        info: dict[str, tuple[str, str]] = {}
        hops_of: dict[str, Row] = {}
        frontier = {node_id: kind}
        if kind in (Kind.FIRM, Kind.PROJECT):
            own = self.steps({node_id: kind}, [Rel.IN_SEGMENT], "out")
            for st in sorted(own, key=lambda s: s.v):
                hops_of[st.v] = {
                    "hops": 0,
                    "via": node_id,
                    "rel": str(Rel.IN_SEGMENT),
                    "grade": st.grade,
                }
                info[st.v] = (st.kind, st.name)
                frontier[st.v] = st.kind
        seen = {node_id, *hops_of}
        hops = 0
        while frontier:
            hops += 1
            best: dict[str, Step] = {}
            for st in self.steps(frontier, supply, walk):
                if st.v in seen:
                    continue
                old = best.get(st.v)
                if old is None or (st.u, st.rel) < (old.u, old.rel):
                    best[st.v] = st
            for v, st in best.items():
                hops_of[v] = {"hops": hops, "via": st.u, "rel": st.rel, "grade": st.grade}
                info[v] = (st.kind, st.name)
            seen.update(best)
            frontier = {v: best[v].kind for v in sorted(best)}
        # members of reached segments
        segs = {
            s: str(Kind.SEGMENT)
            for s, i in hops_of.items()
            if info[s][0] == Kind.SEGMENT and i["hops"] != 0
        }
        members: dict[str, Row] = {}
        for st in self.steps(segs, [Rel.IN_SEGMENT], "in"):
            if st.v in seen:
                continue
            cand = {
                "hops": hops_of[st.u]["hops"],
                "via": st.u,
                "rel": str(Rel.IN_SEGMENT),
                "grade": st.grade,
            }
            prev = members.get(st.v)
            if prev is None or (cand["hops"], cand["via"]) < (prev["hops"], prev["via"]):
                members[st.v] = cand
            info[st.v] = (st.kind, st.name)
        hops_of.update(members)
        rows = [{"id": v, "kind": info[v][0], "name": info[v][1]} | i for v, i in hops_of.items()]
        rows.sort(key=lambda r: (r["hops"], query.KIND_ORDER.get(r["kind"], 99), r["id"]))
        return rows

    def path(
        self,
        source: str,
        target: str,
        rels: Iterable[str] | None = None,
        directed: bool = False,
        max_hops: int = 8,
    ) -> list[Row]:
        """See :func:`chaingraph.query.path`: breadth first from the target, one query per
        level, then the smallest next id along the shortest paths."""
        found = {}
        for n in (source, target):
            found[n] = self._require(n)
        rels = None if rels is None else list(rels)
        fwd = "out" if directed else "both"
        back = "in" if directed else "both"
        dist = {target: 0}
        frontier = {target: found[target][0]}
        level = 0
        while frontier and source not in dist and level < max_hops:
            nxt: dict[str, str] = {}
            for st in self.steps(frontier, rels, back):
                if st.v not in dist:
                    dist[st.v] = level + 1
                    nxt[st.v] = st.kind
            frontier = nxt
            level += 1
        if source not in dist:
            return []
        kind, name = found[source]
        rows: list[Row] = [
            {"step": 0, "id": source, "kind": kind, "name": name}
            | {"rel": "", "direction": "", "grade": ""}
        ]
        cur = source
        while cur != target:
            options: dict[str, Step] = {}
            for st in self.steps({cur: kind}, rels, fwd):
                if dist.get(st.v) != dist[cur] - 1:
                    continue
                old = options.get(st.v)
                if old is None or (st.rel, st.dirn) < (old.rel, old.dirn):
                    options[st.v] = st
            cur = min(options)
            st = options[cur]
            kind = st.kind
            rows.append(
                {"step": len(rows), "id": cur, "kind": st.kind, "name": st.name}
                | {"rel": st.rel, "direction": st.dirn, "grade": st.grade}
            )
        return rows

    # --- chains and stats ------------------------------------------------------------------

    def stats(self) -> dict[str, list[Row]]:
        """See :func:`chaingraph.query.stats` (counted in Cypher)."""
        count_kinds = " UNION ALL ".join(
            f"MATCH (n:{k}) RETURN '{k}' AS kind, count(n) AS c" for k in KINDS
        )
        counts = {r["kind"]: r["c"] for r in self.records(count_kinds)}
        kinds = [{"kind": k, "count": counts.get(k, 0)} for k in KINDS]
        types = [
            r["t"]
            for r in self.records(
                "CALL db.relationshipTypes() YIELD relationshipType AS t RETURN t"
            )
        ]
        rel_counts: dict[str, int] = dict.fromkeys(RELS, 0)
        for t in sorted(set(types) | set(RELS)):
            if t not in RELS and not t.replace("_", "").isalnum():
                continue
            c = self.records(f"MATCH ()-[e:`{t}`]->() RETURN count(e) AS c")[0]["c"]
            if t in rel_counts or c:
                rel_counts[t] = c
        chains = [
            {"chain": cid, "name": name} | counts_ for cid, name, counts_ in self._chain_counts()
        ]
        return {
            "kinds": kinds,
            "relations": [{"rel": r, "count": c} for r, c in rel_counts.items()],
            "chains": chains,
            "platforms": self._platform_counts(),
            "reported": self._reported(),
        }

    def _chain_counts(self) -> list[tuple[str, str, dict[str, int]]]:
        cypher = (
            f"MATCH (c:{Kind.CHAIN.value}) OPTIONAL MATCH (c)-[:{Rel.HAS_SEGMENT.value}]->(s) "
            f"OPTIONAL MATCH (m)-[:{Rel.IN_SEGMENT.value}]->(s) "
            f"RETURN c.id AS chain, c.name AS name, s.id AS seg, m.id AS member, "
            f"CASE WHEN m IS NULL THEN null ELSE {KIND_OF.format(v='m')} END AS mk, "
            "m.local AS local"
        )
        names: dict[str, str] = {}
        segs: dict[str, dict[str, list[tuple[str, str, Any]]]] = defaultdict(dict)
        for r in self.records(cypher):
            names[r["chain"]] = r["name"] or ""
            if r["seg"] is None:
                continue
            members = segs[r["chain"]].setdefault(r["seg"], [])
            if r["member"] is not None:
                members.append((r["member"], r["mk"], r["local"]))
        out = []
        for cid in sorted(names):
            local: set[str] = set()
            external: set[str] = set()
            projects: set[str] = set()
            covered = 0
            for members in segs[cid].values():
                has_local = False
                for m, mk, is_local in members:
                    if mk == Kind.PROJECT:
                        projects.add(m)
                    elif mk == Kind.FIRM:
                        if is_local:
                            local.add(m)
                            has_local = True
                        else:
                            external.add(m)
                covered += has_local
            counts = {
                "segments": len(segs[cid]),
                "covered": covered,
                "local_firms": len(local),
                "external_firms": len(external),
                "projects": len(projects),
            }
            out.append((cid, names[cid], counts))
        return out

    def _platform_counts(self) -> list[Row]:
        hosted = self.records(
            f"MATCH (p:{Kind.PLATFORM.value}) OPTIONAL MATCH (p)-[:{Rel.HOSTS.value}]->(c) "
            "RETURN p.id AS id, p.name AS name, count(c) AS chains"
        )
        rows = []
        for r in sorted(hosted, key=lambda r: str(r["id"])):
            members = self._scope_members(r["id"], str(Kind.PLATFORM)).values()
            rows.append(
                {
                    "platform": r["id"],
                    "name": r["name"] or "",
                    "chains": r["chains"],
                    "local_firms": sum(m["mk"] == Kind.FIRM and bool(m["local"]) for m in members),
                    "projects": sum(m["mk"] == Kind.PROJECT for m in members),
                }
            )
        return rows

    def _reported(self) -> list[Row]:
        union = " UNION ALL ".join(
            f"MATCH (n:{k}) WHERE n.figures_json IS NOT NULL "
            f"RETURN n.id AS id, '{k}' AS kind, n.figures_json AS figures"
            for k in KINDS
        )
        reported = []
        whole: dict[str, float] | None = None
        for r in sorted(self.records(union), key=lambda r: str(r["id"])):
            figures = _loads(r["figures"])
            if not isinstance(figures, list):
                continue
            for fig in figures:
                compare = fig.get("compare") if isinstance(fig, dict) else None
                if not compare or compare not in FIGURE_COMPARE:
                    continue
                if r["kind"] in (Kind.CHAIN, Kind.PLATFORM):
                    in_graph = self._scope_counts(r["id"], r["kind"])[compare]
                else:
                    if whole is None:
                        whole = self._whole_counts()
                    in_graph = whole[compare]
                value = fig.get("value")
                share = (
                    round(in_graph / value, 3) if isinstance(value, int | float) and value else None
                )
                reported.append(
                    {
                        "node": r["id"],
                        "figure": fig.get("key", ""),
                        "label": fig.get("label", ""),
                        "reported": value,
                        "qualifier": fig.get("qualifier", "exact"),
                        "in_graph": in_graph,
                        "share": share,
                    }
                )
        return reported

    def _scope_members(self, node_id: str, kind: str) -> dict[str, neo4j.Record]:
        """query.scope_members of a chain or platform: id -> record(mk, local, amount)."""
        to_chain = "" if kind == Kind.CHAIN else f"-[:{Rel.HOSTS.value}]->(c)"
        in_chain = f"-[:{Rel.HAS_SEGMENT.value}]->(s)<-[:{Rel.IN_SEGMENT.value}]-(m)"
        returns = (
            f"RETURN DISTINCT m.id AS id, {KIND_OF.format(v='m')} AS mk, m.local AS local, "
            "m.amount_cny AS amount"
        )
        cypher = f"MATCH (x:{kind} {{id: $id}}){to_chain}{in_chain} " + returns
        members = {r["id"]: r for r in self.records(cypher, id=node_id)}
        if kind == Kind.PLATFORM:
            located = (
                f"MATCH (m)-[:{Rel.LOCATED_IN.value}]->(x:{Kind.PLATFORM.value} {{id: $id}}) "
                + returns
            )
            members.update({r["id"]: r for r in self.records(located, id=node_id)})
        return {k: r for k, r in members.items() if r["mk"] in (Kind.FIRM, Kind.PROJECT)}

    def _scope_counts(self, node_id: str, kind: str) -> dict[str, float]:
        """query.compare_count for a chain's or platform's scope."""
        members = self._scope_members(node_id, kind)
        firms = [r for r in members.values() if r["mk"] == Kind.FIRM]
        projects = [r for r in members.values() if r["mk"] == Kind.PROJECT]
        amounts = [r["amount"] for r in projects]
        return {
            "firms": sum(bool(r["local"]) for r in firms),
            "projects": len(projects),
            "projects_over_100m": sum(isinstance(a, int | float) and a >= 1e8 for a in amounts),
            "investment_cny": sum(a for a in amounts if isinstance(a, int | float)),
        }

    def _whole_counts(self) -> dict[str, float]:
        """query.compare_count over the whole graph, aggregated in Cypher."""
        firms = self.records(
            f"MATCH (f:{Kind.FIRM.value}) WHERE f.local = true RETURN count(f) AS c"
        )[0]["c"]
        r = self.records(
            f"MATCH (p:{Kind.PROJECT.value}) RETURN count(p) AS n, "
            "count(CASE WHEN p.amount_cny >= 100000000 THEN 1 END) AS big, "
            "sum(coalesce(p.amount_cny, 0)) AS total"
        )[0]
        return {
            "firms": firms,
            "projects": r["n"],
            "projects_over_100m": r["big"],
            "investment_cny": r["total"],
        }

    def chain_graph(self, chain_id: str) -> ChainGraph:
        """See :func:`chaingraph.query.chain_node_ids`: the ids are collected in Cypher."""
        found = self.kinds_of([chain_id]).get(chain_id)
        if found is None or found[0] != Kind.CHAIN:
            near = [r for r in self.find(chain_id, 5) if r["kind"] == Kind.CHAIN]
            raise query.unknown(chain_id, near)
        chain = {chain_id: str(Kind.CHAIN)}
        own = {st.v: st.kind for st in self.steps(chain, [Rel.HAS_SEGMENT], "out")}
        segs = dict(own)
        segs.update({st.v: st.kind for st in self.steps(own, [Rel.FEEDS], "both")})
        members = {st.v: st.kind for st in self.steps(segs, [Rel.IN_SEGMENT], "in")}
        context = [str(r) for r in query.CHAIN_CONTEXT_RELS]
        extra = {st.v for st in self.steps(members, context, "both")}
        extra.update(st.v for st in self.steps(chain, [Rel.LEADS, Rel.HOSTS], "in"))
        return self.subgraph({chain_id, *segs, *members, *extra})

    # --- whole graphs ----------------------------------------------------------------------

    def subgraph(self, node_ids: Iterable[str]) -> ChainGraph:
        """The induced subgraph on the given ids (nodes and edges sorted by id)."""
        kinds = self.kinds_of(node_ids)
        by_kind: dict[str, list[str]] = defaultdict(list)
        for node_id, (kind, _) in kinds.items():
            by_kind[kind].append(node_id)
        ids = sorted(kinds)

        def work(tx: neo4j.ManagedTransaction) -> tuple[list[Any], list[Any]]:
            nodes: list[Any] = []
            edges: list[Any] = []
            for kind, some in sorted(by_kind.items()):
                nodes += [
                    (r["id"], kind, r["p"])
                    for r in tx.run(
                        f"UNWIND $ids AS i MATCH (n:{kind} {{id: i}}) "
                        "RETURN n.id AS id, properties(n) AS p",
                        ids=some,
                    )
                ]
                edges += [
                    (r["u"], r["rel"], r["v"], r["p"])
                    for r in tx.run(
                        f"UNWIND $ids AS i MATCH (a:{kind} {{id: i}})-[e]->(b) "
                        "WHERE b.id IN $all AND any(l IN labels(b) WHERE l IN $kinds) "
                        "RETURN a.id AS u, type(e) AS rel, b.id AS v, properties(e) AS p",
                        ids=some,
                        all=ids,
                        kinds=list(KINDS),
                    )
                ]
            return nodes, edges

        nodes, edges = self.read(work)
        return _build(nodes, edges)

    def load(self, dataset: str | None = None) -> ChainGraph:
        """The whole graph, or only the items pushed from ``dataset``."""
        where = f"WHERE n.{DATASET_PROP} = $ds " if dataset else ""
        ewhere = f"WHERE e.{DATASET_PROP} = $ds " if dataset else ""

        def work(tx: neo4j.ManagedTransaction) -> tuple[list[Any], list[Any]]:
            nodes: list[Any] = []
            for kind in KINDS:
                nodes += [
                    (r["id"], kind, r["p"])
                    for r in tx.run(
                        f"MATCH (n:{kind}) {where}RETURN n.id AS id, properties(n) AS p",
                        ds=dataset,
                    )
                ]
            edges = [
                (r["u"], r["rel"], r["v"], r["p"])
                for r in tx.run(
                    f"MATCH (a)-[e]->(b) {ewhere}"
                    "RETURN a.id AS u, type(e) AS rel, b.id AS v, properties(e) AS p",
                    ds=dataset,
                )
            ]
            return nodes, edges

        nodes, edges = self.read(work)
        G = _build(nodes, edges)
        tags = {p.get(DATASET_PROP) for _, _, p in nodes} - {None}
        if len(tags) == 1:
            G.graph["dataset"] = tags.pop()
        return G

    def save(self, G: ChainGraph) -> None:
        """Replace the database's chain graph with G (see :func:`push` with replace)."""
        from .neo4j_sync import push

        push(self, G, dataset=str(G.graph.get("dataset") or "chaingraph"), replace=True)

    # --- raw Cypher and server status ------------------------------------------------------

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


def _build(
    nodes: list[tuple[str, str, Mapping[str, Any]]],
    edges: list[tuple[str, str, str, Mapping[str, Any]]],
) -> ChainGraph:
    """A ChainGraph from stored nodes and edges; nodes and edges added in id order."""
    G: ChainGraph = nx.MultiDiGraph()
    for node_id, kind, props in sorted(nodes, key=lambda n: n[0]):
        if not is_valid_id(node_id):
            # ids become file names and links in reports and views: refuse what the model does
            raise InvalidGraphData(
                f"The database holds a {kind} with id {node_id!r}, which is not a valid "
                f"chaingraph id ({ID_RULE}). Fix it with 'chaingraph db cypher --write', "
                "or push the dataset again"
            )
        G.add_node(node_id, **node_attrs(kind, props))
    for u, rel, v, props in sorted(edges, key=lambda e: (e[0], e[2], e[1])):
        if u in G and v in G:
            G.add_edge(u, v, key=rel, **edge_attrs(rel, props))
    return G
