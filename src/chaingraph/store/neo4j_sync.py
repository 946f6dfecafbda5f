"""Push a chain graph into Neo4j and pull it back into a dataset folder.

A push first creates a uniqueness constraint on ``id`` for every node label (from
:class:`~chaingraph.model.Kind`), then writes nodes and then relationships in batches of
``UNWIND $rows … MERGE`` inside write transactions. A node is keyed by (label, ``id``); a
relationship by (start id, type, end id): two nodes have at most one edge of each kind.
Properties are replaced only where they differ, so pushing the same dataset twice creates
and changes nothing (the counters say so).

What an interrupted push guarantees
-----------------------------------
Each batch is one transaction: it is written whole or not at all. A push stopped by a dead
server, a killed process or a rejected batch leaves the batches before it committed and
nothing of the batch that failed. Running the same push again (after fixing the cause)
writes what is missing, changes nothing that is already right, and ends in exactly the state
an uninterrupted push gives. ``--prune`` deletes only after every batch succeeded, so an
interrupted push never deletes anything. What does *not* hold: a push is not one
transaction, so while it runs (or after it stopped) readers can see part of the dataset.

Two pushes of the same dataset at once leave no duplicates: the uniqueness constraints stop
duplicate nodes, and a batch that loses a race (a transient error, or ArcadeDB's constraint
error on a concurrent MERGE) is retried. Relationships have no such constraint: Neo4j's MERGE
locks both end nodes, but ArcadeDB's optimistic transactions let two MERGEs create one each
(5 of 150 concurrent pushes did under load), so a push that created relationships of a
type ends its relationship phase by looking for pairs that hold two of that type
(:func:`edge_duplicates`, one query over the type) and removing the extras
(:func:`edge_dedupe`). A duplicate needs two pushes that each created one, and the push whose
search runs last sees both, so skipping the types a push created none of loses nothing.
"""

from __future__ import annotations

import os
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import neo4j
from neo4j import exceptions as neo4j_errors

from ..cache import gc_paused
from ..dataset import write_dataset
from ..errors import InvalidGraphData, QueryError, StoreUnavailable
from ..layers import EDGE_OWNER, OWNER
from ..model import ID_RULE, ChainGraph, is_valid_id
from .neo4j_conn import Neo4jConnection
from .neo4j_read import load
from .neo4j_schema import (
    DATASET_PROP,
    INTERNAL_PROPS,
    KIND_OF,
    KINDS,
    ORDER_PROP,
    RELS,
    edge_properties,
    node_properties_without_id,
)

T = TypeVar("T")

#: progress(phase, done, total): phase is 'nodes', 'relationships' or 'prune'
Progress = Callable[[str, int, int], None]

DEFAULT_BATCH_SIZE = 2000
RACE_RETRIES = 8


@dataclass
class PushReport:
    """What a push did."""

    dataset: str
    nodes: int = 0
    relationships: int = 0
    nodes_created: int = 0
    nodes_updated: int = 0
    nodes_deleted: int = 0
    relationships_created: int = 0
    relationships_updated: int = 0
    relationships_deleted: int = 0
    constraints_created: int = 0
    batches: int = 0
    retries: int = 0
    seconds: float = 0.0

    def rows(self) -> list[dict[str, Any]]:
        """The counters as ``what, created, updated, unchanged, deleted`` rows."""
        return [
            {
                "what": "nodes",
                "pushed": self.nodes,
                "created": self.nodes_created,
                "updated": self.nodes_updated,
                "unchanged": self.nodes - self.nodes_created - self.nodes_updated,
                "deleted": self.nodes_deleted,
            },
            {
                "what": "relationships",
                "pushed": self.relationships,
                "created": self.relationships_created,
                "updated": self.relationships_updated,
                "unchanged": self.relationships
                - self.relationships_created
                - self.relationships_updated,
                "deleted": self.relationships_deleted,
            },
        ]

    @property
    def rows_per_second(self) -> float:
        """Node and relationship rows written per second."""
        return (self.nodes + self.relationships) / self.seconds if self.seconds else 0.0


# --- rows ---------------------------------------------------------------------------------


@dataclass
class PushRows:
    """A graph as the parameter rows of a push, grouped by label and relationship shape."""

    nodes: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    #: (rel, start label, end label) -> rows {from, to, props}
    edges: dict[tuple[str, str, str], list[dict[str, Any]]] = field(
        default_factory=lambda: defaultdict(list)
    )

    @property
    def node_count(self) -> int:
        """Number of node rows."""
        return sum(len(v) for v in self.nodes.values())

    @property
    def edge_count(self) -> int:
        """Number of relationship rows."""
        return sum(len(v) for v in self.edges.values())


def push_rows(G: ChainGraph, dataset: str) -> PushRows:
    """The rows a push writes; raises InvalidGraphData before anything is written.

    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("byd", kind="Firm", name="比亚迪", local=True)
    >>> rows = push_rows(G, "demo")
    >>> rows.nodes["Firm"][0]["props"]["name"], rows.node_count, rows.edge_count
    ('比亚迪', 1, 0)
    """
    # the rows are plain dicts and lists without cycles, yet allocating a few hundred
    # thousand of them next to a large graph set off full collections that walked the whole
    # graph: more than half of the build time on a 20k-firm graph
    with gc_paused():
        return _push_rows(G, dataset)


def _push_rows(G: ChainGraph, dataset: str) -> PushRows:
    problems: list[str] = []
    out = PushRows()
    kind_of: dict[str, str] = {}
    # items of included datasets are tagged with the dataset that owns them (see layers)
    owner: dict[str, str] = G.graph.get(OWNER) or {}
    edge_owner: dict[tuple[str, str, str], str] = G.graph.get(EDGE_OWNER) or {}
    for node_id, attrs in G.nodes(data=True):
        kind = attrs.get("kind")
        if not isinstance(node_id, str) or not node_id:
            problems.append(f"node id {node_id!r} is not text")
            continue
        if not is_valid_id(node_id):  # the rule load() applies: what is pushed must read back
            problems.append(f"node id {node_id!r} is not a valid id ({ID_RULE})")
            continue
        if kind not in KINDS:
            problems.append(f"node '{node_id}' has kind {kind!r}, not one of {', '.join(KINDS)}")
            continue
        clash = INTERNAL_PROPS.intersection(attrs)
        if clash:
            problems.append(f"node '{node_id}' uses the reserved attribute '{min(clash)}'")
            continue
        kind_of[node_id] = str(kind)
        out.nodes[str(kind)].append(
            {
                "id": node_id,
                "props": node_properties_without_id(node_id, attrs, owner.get(node_id, dataset)),
            }
        )
    for u, v, key, attrs in G.edges(keys=True, data=True):
        rel = str(attrs.get("rel") or key)
        if rel not in RELS:
            problems.append(f"edge {u} -{rel}-> {v}: relation not one of {', '.join(RELS)}")
            continue
        if u not in kind_of or v not in kind_of:
            continue  # its node was refused above
        if DATASET_PROP in attrs:
            problems.append(f"edge {u} -{rel}-> {v} uses the reserved attribute '{DATASET_PROP}'")
            continue
        out.edges[(rel, kind_of[u], kind_of[v])].append(
            {
                "from": u,
                "to": v,
                "props": edge_properties(attrs, edge_owner.get((u, v, rel), dataset)),
            }
        )
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise InvalidGraphData(f"Cannot push: {problems[0]}{more}. Fix the graph first")
    return out


def _batches(rows: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


# --- Cypher -------------------------------------------------------------------------------


def node_merge(kind: str) -> str:
    """Cypher that merges a batch of node rows ``{id, props}`` of one label; returns how many
    existing nodes changed.

    ``props`` holds every property but ``id``, which only the MERGE sets: setting the indexed
    property again costs an index update. A new node gets its properties added; an existing
    node's are replaced only when they differ, so an unchanged node costs a lookup and no
    write. The attribute order alone (``attr_order``) does not count as a change: a pulled and
    re-pushed dataset may list attributes in another order.
    """
    assert kind in KINDS
    return (
        f"UNWIND $rows AS r MERGE (n:{kind} {{id: r.id}}) ON CREATE SET n += r.props "
        f"WITH n, r WHERE size([k IN keys(n) WHERE k <> '{ORDER_PROP}' AND k <> 'id']) <> "
        f"size([k IN keys(r.props) WHERE k <> '{ORDER_PROP}']) OR any(k IN keys(r.props) "
        f"WHERE k <> '{ORDER_PROP}' AND NOT coalesce(n[k] = r.props[k], false)) "
        "SET n = r.props, n.id = r.id RETURN count(n) AS changed"
    )


def edge_merge(rel: str, start: str, end: str) -> str:
    """Cypher that merges a batch of relationship rows of one type between two labels.

    Returns how many rows found both end nodes and how many relationships changed.
    """
    assert rel in RELS and start in KINDS and end in KINDS
    return (
        f"UNWIND $rows AS r MATCH (a:{start} {{id: r.from}}) MATCH (b:{end} {{id: r.to}}) "
        f"MERGE (a)-[e:{rel}]->(b) "
        "WITH e, r, properties(e) <> r.props AS changed "
        "FOREACH (_ IN CASE WHEN changed THEN [1] ELSE [] END | SET e = r.props) "
        "RETURN count(*) AS matched, sum(CASE WHEN changed THEN 1 ELSE 0 END) AS changed"
    )


def edge_dedupe(rel: str, start: str, end: str) -> str:
    """Cypher that deletes all but one relationship of one type between each pair of a batch.

    Two pushes of the same dataset at once can both find no relationship and both create
    one: Neo4j's MERGE locks the end nodes, but a server with optimistic transactions
    (ArcadeDB) does not. Every push that created relationships runs this, after its own
    relationship batches, on the pairs :func:`edge_duplicates` found, so the push that looked
    last removes the extra; both keep the same one (the smallest ``elementId``), so two of
    these at once never delete both. Returns how many it deleted.
    """
    assert rel in RELS and start in KINDS and end in KINDS
    return (
        f"UNWIND $rows AS r MATCH (a:{start} {{id: r.from}})-[e:{rel}]->(b:{end} {{id: r.to}}) "
        "WITH a, b, e ORDER BY elementId(e) "
        "WITH a, b, collect(e) AS es WHERE size(es) > 1 "
        "UNWIND tail(es) AS extra DELETE extra RETURN count(*) AS removed"
    )


def edge_duplicates(rel: str, start: str, end: str) -> str:
    """Cypher that returns the pairs ``{from, to}`` holding more than one relationship of a type.

    One pass over the relationships of that type between the two labels, whoever pushed
    them: at 60,000 relationships it took a seventh of the time of :func:`edge_dedupe` over
    the same rows in batches (one index lookup per row), and nothing is written unless it
    finds a pair.
    """
    assert rel in RELS and start in KINDS and end in KINDS
    return (
        f"MATCH (a:{start})-[e:{rel}]->(b:{end}) WITH a, b, count(e) AS n WHERE n > 1 "
        "RETURN a.id AS from, b.id AS to"
    )


def constraint_name(kind: str) -> str:
    """The name of the uniqueness constraint on ``id`` of a label."""
    return f"chaingraph_{kind.lower()}_id"


def ensure_constraints(store: Neo4jConnection) -> int:
    """Create the uniqueness constraint on ``id`` for every label; returns how many were new.

    Only uniqueness constraints: NOT NULL and node-key constraints need Neo4j Enterprise.
    """
    created = 0
    try:
        with store.session() as session:
            for kind in KINDS:
                cypher = (
                    f"CREATE CONSTRAINT {constraint_name(kind)} IF NOT EXISTS "
                    f"FOR (n:{kind}) REQUIRE n.id IS UNIQUE"
                )
                summary = session.run(cypher).consume()
                created += summary.counters.constraints_added
    except (neo4j_errors.Neo4jError, neo4j_errors.DriverError, OSError) as exc:
        raise store.error(exc) from exc
    return created


class _Writer:
    """Runs write batches with retries and translates failures into one-line errors."""

    def __init__(self, store: Neo4jConnection, report: PushReport, retries: int) -> None:
        self.store = store
        self.report = report
        self.retries = retries
        self.done = 0
        self.total = 0

    def run(self, cypher: str, params: dict[str, Any], what: str) -> tuple[neo4j.Record, Any]:
        def work(tx: neo4j.ManagedTransaction) -> tuple[neo4j.Record, Any]:
            result = tx.run(cypher, params)
            record = result.single(strict=True)
            return record, result.consume().counters

        attempt = 0
        while True:
            try:
                with self.store.session() as session:
                    out = session.execute_write(work)
                self.report.batches += 1
                return out
            except neo4j_errors.ConstraintError:
                # ArcadeDB: a MERGE that races another MERGE of the same id fails instead of
                # waiting. The batch rolled back; MERGE finds the other node on the next try.
                attempt += 1
                self.report.retries += 1
                if attempt > self.retries:
                    raise QueryError(
                        f"{what} kept failing on the uniqueness constraint after {attempt} "
                        f"tries. Run the push again: it resumes where it stopped"
                    ) from None
                time.sleep(0.05 * attempt)
            except (neo4j_errors.Neo4jError, neo4j_errors.DriverError, OSError) as exc:
                err = self.store.error(exc)
                done = f"{self.done} of {self.total} rows were written"
                hint = "Fix the cause and run the push again: it resumes where it stopped"
                if isinstance(err, StoreUnavailable):
                    raise StoreUnavailable(f"{err} — {what} failed; {done}. {hint}") from exc
                raise QueryError(f"{what} failed: {err}; {done}. {hint}") from exc


def push(
    store: Neo4jConnection,
    G: ChainGraph,
    dataset: str,
    batch_size: int = DEFAULT_BATCH_SIZE,
    prune: bool = False,
    replace: bool = False,
    progress: Progress | None = None,
    retries: int = RACE_RETRIES,
) -> PushReport:
    """Write G into the store, tagged with ``dataset``; idempotent.

    Parameters
    ----------
    store : Neo4jConnection
        Where to write.
    G : ChainGraph
        The graph (every node has a ``kind``; edges are keyed by their relation).
    dataset : str
        Name stored in the ``dataset`` property of every node and relationship, except the
        items of included datasets, tagged with their own dataset (``G.graph["owner"]``, see
        :mod:`chaingraph.layers`): ``prune`` never deletes them.
    batch_size : int
        Rows per transaction.
    prune : bool
        Afterwards delete the nodes and relationships tagged with ``dataset`` that G no
        longer holds (nothing pushed from other datasets).
    replace : bool
        Afterwards delete every chain-graph node and relationship G does not hold, whatever
        its dataset (what ``Neo4jStore.save`` does).
    progress : callable, optional
        Called as ``progress(phase, done, total)`` after every batch.

    Returns
    -------
    PushReport
        Counters: created / updated / deleted nodes and relationships.

    Examples
    --------
    With a server running (so not a doctest; ``tests/test_neo4j_store.py`` runs it)::

        G = read_graph("graphs/shengzhou")
        with Neo4jStore.from_env("bolt://127.0.0.1:7687") as store:
            report = push(store, G, "shengzhou", prune=True)
        report.rows()  # created / updated / unchanged / deleted nodes and relationships
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    began = time.perf_counter()
    rows = push_rows(G, dataset)
    report = PushReport(dataset, nodes=rows.node_count, relationships=rows.edge_count)
    report.constraints_created = ensure_constraints(store)
    writer = _Writer(store, report, retries)
    writer.total = rows.node_count + rows.edge_count

    for kind in KINDS:
        cypher = node_merge(kind)
        for batch in _batches(rows.nodes.get(kind, []), batch_size):
            record, counters = writer.run(
                cypher, {"rows": list(batch)}, f"Writing {len(batch)} {kind} nodes"
            )
            report.nodes_created += counters.nodes_created
            report.nodes_updated += record["changed"]
            writer.done += len(batch)
            if progress:
                progress("nodes", writer.done, writer.total)

    # per type: relationships this push created, plus pairs it found holding two
    suspect: dict[tuple[str, str, str], int] = defaultdict(int)
    for (rel, start, end), edge_rows in sorted(rows.edges.items()):
        cypher = edge_merge(rel, start, end)
        for batch in _batches(edge_rows, batch_size):
            what = f"Writing {len(batch)} {rel} relationships"
            record, counters = writer.run(cypher, {"rows": list(batch)}, what)
            if record["matched"] < len(batch):
                # only if a concurrent prune deleted an end node between our two phases
                raise QueryError(
                    f"{what}: {len(batch) - record['matched']} end nodes vanished during the "
                    "push (another push or prune running?). Run the push again"
                )
            # more: a pair already held two (a race whose push stopped before removing it)
            extra = record["matched"] - len(batch)
            report.relationships_created += counters.relationships_created
            suspect[(rel, start, end)] += counters.relationships_created + extra
            report.relationships_updated += record["changed"] - counters.relationships_created
            writer.done += len(batch)
            if progress:
                progress("relationships", writer.done, writer.total)

    for (rel, start, end), n in sorted(suspect.items()):
        if n:  # a new duplicate needs two pushes that created one: the later looks after both
            _remove_duplicates(store, rel, start, end, batch_size, writer)

    if prune or replace:
        _prune(store, G, None if replace else dataset, batch_size, writer, progress)
    report.seconds = time.perf_counter() - began
    return report


def _remove_duplicates(
    store: Neo4jConnection, rel: str, start: str, end: str, batch_size: int, writer: _Writer
) -> None:
    """Find the pairs with more than one ``rel`` relationship and keep one of each."""
    try:
        with store.session() as session:
            pairs = session.execute_read(lambda tx: tx.run(edge_duplicates(rel, start, end)).data())
    except (neo4j_errors.Neo4jError, neo4j_errors.DriverError, OSError) as exc:
        raise store.error(exc) from exc
    cypher = edge_dedupe(rel, start, end)
    for batch in _batches(pairs, batch_size):
        what = f"Removing duplicates of {len(batch)} {rel} relationships"
        writer.run(cypher, {"rows": list(batch)}, what)


def _prune(
    store: Neo4jConnection,
    G: ChainGraph,
    dataset: str | None,
    batch_size: int,
    writer: _Writer,
    progress: Progress | None,
) -> None:
    """Delete the stored items (of ``dataset``, or all when None) that G does not hold."""
    report = writer.report
    tag = f"WHERE x.{DATASET_PROP} = $ds " if dataset else ""
    stale_edges, stale_nodes = _stale(store, G, dataset, tag)
    total = sum(map(len, stale_edges.values())) + sum(map(len, stale_nodes.values()))
    done = 0
    for (rel, start, end), items in sorted(stale_edges.items()):
        cypher = (
            f"UNWIND $rows AS r MATCH (a:{start} {{id: r.from}})-[x:{rel}]->(b:{end} {{id: r.to}}) "
            f"{tag}DELETE x RETURN count(*) AS n"
        )
        for batch in _batches(items, batch_size):
            _, counters = writer.run(cypher, {"rows": list(batch), "ds": dataset}, "Pruning")
            report.relationships_deleted += counters.relationships_deleted
            done += len(batch)
            if progress:
                progress("prune", done, total)
    for kind, ids in sorted(stale_nodes.items()):
        cypher = (
            f"UNWIND $ids AS i MATCH (x:{kind} {{id: i}}) {tag}DETACH DELETE x RETURN count(*) AS n"
        )
        for some in _batches(ids, batch_size):
            _, counters = writer.run(cypher, {"ids": list(some), "ds": dataset}, "Pruning")
            report.nodes_deleted += counters.nodes_deleted
            report.relationships_deleted += counters.relationships_deleted
            done += len(some)
            if progress:
                progress("prune", done, total)


def _stale(
    store: Neo4jConnection, G: ChainGraph, dataset: str | None, tag: str
) -> tuple[dict[tuple[str, str, str], list[dict[str, str]]], dict[str, list[str]]]:
    """The stored relationships (by type and end labels) and nodes (by label) G does not hold."""
    keep_edges = {(u, str(k), v) for u, v, k in G.edges(keys=True)}
    stale_edges: dict[tuple[str, str, str], list[dict[str, str]]] = defaultdict(list)
    for rel in RELS:
        cypher = (
            f"MATCH (a)-[x:{rel}]->(b) {tag}"
            f"RETURN a.id AS u, b.id AS v, {KIND_OF.format(v='a')} AS ak, "
            f"{KIND_OF.format(v='b')} AS bk"
        )
        for r in store.records(cypher, ds=dataset):
            if (r["u"], rel, r["v"]) not in keep_edges and r["ak"] and r["bk"]:
                stale_edges[(rel, r["ak"], r["bk"])].append({"from": r["u"], "to": r["v"]})
    stale_nodes: dict[str, list[str]] = defaultdict(list)
    for kind in KINDS:
        for r in store.records(f"MATCH (x:{kind}) {tag}RETURN x.id AS id", ds=dataset):
            node_id = r["id"]
            if node_id not in G or G.nodes[node_id].get("kind") != kind:
                stale_nodes[kind].append(node_id)
    return stale_edges, stale_nodes


# --- pull ---------------------------------------------------------------------------------


def datasets(store: Neo4jConnection) -> dict[str, int]:
    """Dataset name -> number of nodes tagged with it."""
    union = " UNION ALL ".join(
        f"MATCH (n:{k}) RETURN n.{DATASET_PROP} AS ds, count(n) AS c" for k in KINDS
    )
    out: dict[str, int] = {}
    for r in store.records(union):
        if r["ds"] is not None:
            out[str(r["ds"])] = out.get(str(r["ds"]), 0) + r["c"]
    return out


def pull(
    store: Neo4jConnection,
    folder: str | os.PathLike[str],
    dataset: str | None = None,
    name: str | None = None,
    title: str = "",
    description: str = "",
) -> tuple[ChainGraph, list[Path]]:
    """Write the database (or one dataset of it) into a new dataset folder.

    The dataset name defaults to ``dataset``, else the one dataset the database holds,
    else the folder's name. Returns the graph and the files written. The dataset's title
    and description are not stored in the database: pass them again.

    Examples
    --------
    With a server running (so not a doctest; ``tests/test_neo4j_store.py`` runs it)::

        with Neo4jStore.from_env("bolt://127.0.0.1:7687") as store:
            G, files = pull(store, "out/shengzhou-copy", title="嵊州")
    """
    G = load(store, dataset)
    if G.number_of_nodes() == 0:
        which = f"no nodes of dataset '{dataset}'" if dataset else "no chain-graph nodes"
        raise InvalidGraphData(
            f"The database '{store.database}' holds {which}. Push a dataset first, or pick "
            "one with --dataset"
        )
    label = name or dataset or str(G.graph.get("dataset") or "") or Path(folder).name
    files = write_dataset(G, folder, name=label, title=title, description=description)
    return G, files


__all__ = [
    "DEFAULT_BATCH_SIZE",
    "Progress",
    "PushReport",
    "PushRows",
    "datasets",
    "ensure_constraints",
    "pull",
    "push",
    "push_rows",
]
