#!/usr/bin/env python3
"""Benchmark ``chaingraph db push`` against two baselines, in one run, on the same server.

- **chaingraph push**: :func:`chaingraph.store.neo4j_sync.push` (batched ``UNWIND … MERGE``
  in write transactions, with its change detection and bookkeeping properties);
- **(a) one row per transaction**: the same Cypher and rows, one row per write transaction,
  timed on a sample of node and relationship rows and extrapolated to the whole graph;
- **(b) bare driver**: a plain loop over the neo4j driver with ``UNWIND $rows AS r MERGE …
  SET … += r.props`` in batches of the same size, rows built straight from the graph, no
  chaingraph code.

Each method writes into a new, empty database with the same uniqueness constraints, on a
freshly started server warmed up by a small push (a long-lived ArcadeDB gets slower with
every database it has held, which would favour whichever method runs first). The
graph comes from ``gen_synthetic.generate`` (default 100k firms, 300k SUPPLIES edges).
The server is ``$CHAINGRAPH_TEST_NEO4J_URI`` (with ``_USERNAME`` / ``_PASSWORD`` /
``_DATABASE``: an empty database, or one marked for tests; it is emptied between methods)
or, by default, ArcadeDB started by ``bolt_server.py`` for the run.

    python scripts/bench_push.py                       # prints a Markdown table
    python scripts/bench_push.py --firms 10000 --supplies 30000
    python scripts/bench_push.py --batched-only        # without (a), the slow baseline
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import neo4j

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bolt_server
from gen_synthetic import generate

from chaingraph.model import ChainGraph, Kind
from chaingraph.store.neo4j_store import Neo4jStore
from chaingraph.store.neo4j_sync import (
    edge_merge,
    ensure_constraints,
    node_merge,
    push,
    push_rows,
)


@dataclass
class Result:
    """Seconds spent writing node rows and relationship rows."""

    method: str
    node_rows: int
    rel_rows: int
    node_seconds: float
    rel_seconds: float
    note: str = ""

    @property
    def seconds(self) -> float:
        return self.node_seconds + self.rel_seconds

    def rate(self, rows: int, seconds: float) -> float:
        return rows / seconds if seconds else 0.0


class Server:
    """Where the benchmark writes: one fresh database per method."""

    def __init__(self, heap: str) -> None:
        self.state: Any = None
        self.tmp: Path | None = None
        self.count = 0
        foreign = bolt_server.test_server_from_env()
        if foreign:
            self.uri, self.user, self.password, self.database = foreign
            bolt_server.claim_database(*foreign)  # refuses a user's database with data in it
        else:
            self.tmp = Path(tempfile.mkdtemp(prefix="bench-push-"))
            print(f"Starting ArcadeDB in {self.tmp} …", file=sys.stderr)
            self.state = bolt_server.start(self.tmp, heap=heap, timeout=180)
            self.uri, self.user, self.password = (
                self.state.uri,
                self.state.user,
                self.state.password,
            )
            self.database = self.state.database
        info = neo4j.GraphDatabase.driver(self.uri, auth=(self.user, self.password))
        with info:
            self.agent = info.get_server_info().agent

    def fresh(self) -> str:
        """An empty database for the next method."""
        if self.state is None:
            bolt_server.empty_database(self.uri, self.user, self.password, self.database)
            return self.database
        self.count += 1
        name = f"bench{self.count}"
        bolt_server.create_database(self.state, name)
        return name

    def drop(self, database: str) -> None:
        """Free a method's database (ArcadeDB keeps every open database in memory)."""
        if self.state is not None:
            bolt_server.drop_database(self.state, database)

    def store(self, database: str) -> Neo4jStore:
        return Neo4jStore(self.uri, self.user, self.password, database, timeout=30)

    def stop(self) -> None:
        if self.tmp is not None:
            bolt_server.stop(self.tmp)


def bench_chaingraph(server: Server, G: ChainGraph, batch_size: int) -> Result:
    """chaingraph's push, timing the node and the relationship phase."""
    database = server.fresh()
    with server.store(database) as store:
        ensure_constraints(store)  # same for every method, not timed
        marks: dict[str, float] = {}

        def progress(phase: str, done: int, total: int) -> None:
            marks[phase] = time.perf_counter()

        began = time.perf_counter()
        report = push(store, G, "bench", batch_size=batch_size, progress=progress)
        ended = time.perf_counter()
    server.drop(database)
    node_end = marks.get("nodes", began)
    return Result(
        "chaingraph push",
        report.nodes,
        report.relationships,
        node_end - began,
        ended - node_end,
        f"{report.batches} transactions of ≤{batch_size} rows",
    )


def _write_one(session: neo4j.Session, cypher: str, row: dict[str, Any]) -> None:
    """One row in its own write transaction."""

    def work(tx: neo4j.ManagedTransaction) -> None:
        tx.run(cypher, rows=[row]).consume()

    session.execute_write(work)


def warm_up(server: Server, seed: int) -> None:
    """Push and re-push a small graph so every method meets a warmed-up server (JIT)."""
    database = server.fresh()
    with server.store(database) as store:
        small = generate(5000, 15000, seed + 1)
        push(store, small, "warm-up")
        push(store, small, "warm-up")
    server.drop(database)


def bench_one_per_tx(server: Server, G: ChainGraph, sample: int, seed: int) -> Result:
    """The same Cypher and rows, one row per transaction, on a sample; extrapolated."""
    rows = push_rows(G, "bench")
    rng = random.Random(seed)
    database = server.fresh()
    with server.store(database) as store:
        ensure_constraints(store)
        node_items = [(k, r) for k, rs in rows.nodes.items() for r in rs]
        edge_items = [(k, r) for k, rs in rows.edges.items() for r in rs]
        picked_nodes = rng.sample(node_items, min(sample, len(node_items)))
        with store.session() as session:
            began = time.perf_counter()
            for kind, row in picked_nodes:
                cypher = node_merge(kind)
                _write_one(session, cypher, row)
            node_rate = len(picked_nodes) / (time.perf_counter() - began)
        # the rest of the nodes in batches (not timed), then a sample of relationships
        G_nodes = G.copy()
        G_nodes.remove_edges_from(list(G_nodes.edges(keys=True)))
        push(store, G_nodes, "bench", batch_size=5000)
        picked_edges = rng.sample(edge_items, min(sample, len(edge_items)))
        with store.session() as session:
            began = time.perf_counter()
            for (rel, start, end), row in picked_edges:
                cypher = edge_merge(rel, start, end)
                _write_one(session, cypher, row)
            edge_rate = len(picked_edges) / (time.perf_counter() - began)
    server.drop(database)
    return Result(
        "(a) one row per transaction",
        rows.node_count,
        rows.edge_count,
        rows.node_count / node_rate,
        rows.edge_count / edge_rate,
        f"measured on {len(picked_nodes)} node and {len(picked_edges)} relationship rows, "
        "extrapolated",
    )


def bench_bare_driver(server: Server, G: ChainGraph, batch_size: int) -> Result:
    """A plain driver loop: UNWIND batches of MERGE + SET +=, rows straight from the graph."""
    database = server.fresh()
    with server.store(database) as store:
        ensure_constraints(store)
    nodes: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for node_id, attrs in G.nodes(data=True):
        props = {k: v for k, v in attrs.items() if k != "kind"}
        nodes[attrs["kind"]].append({"id": node_id, "props": props})
    kind_of = {n: a["kind"] for n, a in G.nodes(data=True)}
    edges: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for u, v, key, attrs in G.edges(keys=True, data=True):
        props = {k: val for k, val in attrs.items() if k != "rel"}
        edges[(key, kind_of[u], kind_of[v])].append({"from": u, "to": v, "props": props})
    driver = neo4j.GraphDatabase.driver(server.uri, auth=(server.user, server.password))

    def write(session: neo4j.Session, cypher: str, batch: list[dict[str, Any]]) -> None:
        session.execute_write(lambda tx: tx.run(cypher, rows=batch).consume())

    with driver, driver.session(database=database) as session:
        began = time.perf_counter()
        for kind, rs in nodes.items():
            cypher = f"UNWIND $rows AS r MERGE (n:{kind} {{id: r.id}}) SET n += r.props"
            for i in range(0, len(rs), batch_size):
                write(session, cypher, rs[i : i + batch_size])
        mid = time.perf_counter()
        for (rel, a, b), rs in edges.items():
            cypher = (
                f"UNWIND $rows AS r MATCH (a:{a} {{id: r.from}}) MATCH (b:{b} {{id: r.to}}) "
                f"MERGE (a)-[e:{rel}]->(b) SET e += r.props"
            )
            for i in range(0, len(rs), batch_size):
                write(session, cypher, rs[i : i + batch_size])
        ended = time.perf_counter()
    server.drop(database)
    n_nodes = sum(map(len, nodes.values()))
    n_edges = sum(map(len, edges.values()))
    return Result(
        "(b) bare driver UNWIND loop", n_nodes, n_edges, mid - began, ended - mid, "same batches"
    )


def table(results: list[Result]) -> str:
    """The results as a Markdown table with ratios to chaingraph's push."""
    ours = results[0]
    lines = [
        "| method | node rows/s | relationship rows/s | all rows/s | time for all rows | "
        "chaingraph ÷ method |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        total = r.node_rows + r.rel_rows
        ratio = r.seconds / ours.seconds if ours.seconds else 0.0
        lines.append(
            f"| {r.method} | {r.rate(r.node_rows, r.node_seconds):,.0f} | "
            f"{r.rate(r.rel_rows, r.rel_seconds):,.0f} | {r.rate(total, r.seconds):,.0f} | "
            f"{r.seconds:,.1f} s | {ratio:.2f}× |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--firms", type=int, default=100_000)
    parser.add_argument("--supplies", type=int, default=300_000)
    parser.add_argument("--batch-size", type=int, default=2000)
    parser.add_argument("--sample", type=int, default=1500, help="rows timed one per tx")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--heap", default="3g", help="ArcadeDB JVM heap")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each batched method")
    parser.add_argument(
        "--batched-only",
        action="store_true",
        help="skip (a), the slow one-row-per-transaction baseline",
    )
    args = parser.parse_args(argv)

    def step(label: str, fn: Callable[[], Result]) -> Result:
        print(f"{label} …", file=sys.stderr)
        result = fn()
        print(f"  {result.seconds:.1f} s", file=sys.stderr)
        return result

    began = time.perf_counter()
    G = generate(args.firms, args.supplies, args.seed)
    firms = sum(1 for _, attrs in G.nodes(data=True) if attrs["kind"] == Kind.FIRM)
    print(
        f"Generated {G.number_of_nodes():,} nodes ({firms:,} firms), {G.number_of_edges():,} "
        f"edges in {time.perf_counter() - began:.1f} s",
        file=sys.stderr,
    )
    own_server = bolt_server.test_server_from_env() is None

    def isolated(label: str, fn: Callable[[Server], Result]) -> Result:
        """Run one method on its own freshly started, warmed-up server (when we start
        ArcadeDB): runs on a long-lived server slow down with every database it held."""
        server = Server(args.heap)
        try:
            warm_up(server, args.seed)
            agents.add(server.agent)
            return step(label, lambda: fn(server))
        finally:
            server.stop()
            if server.tmp is not None and own_server:
                shutil.rmtree(server.tmp, ignore_errors=True)

    agents: set[str] = set()
    ours: Result | None = None
    bare: Result | None = None
    for round_ in range(args.repeat):
        # alternate the order and keep each method's best run (a shared machine is not
        # equally fast all the time)
        order = ["bare", "ours"] if round_ % 2 == 0 else ["ours", "bare"]
        for which in order:
            if which == "ours":
                r = isolated("chaingraph push", lambda s: bench_chaingraph(s, G, args.batch_size))
                ours = r if ours is None or r.seconds < ours.seconds else ours
            else:
                r = isolated("(b) bare driver", lambda s: bench_bare_driver(s, G, args.batch_size))
                bare = r if bare is None or r.seconds < bare.seconds else bare
    one = None
    if not args.batched_only:
        one = isolated(
            "(a) one row per transaction", lambda s: bench_one_per_tx(s, G, args.sample, args.seed)
        )
    assert ours is not None and bare is not None
    results = [ours, bare] if one is None else [ours, one, bare]
    print(
        f"Push of {G.number_of_nodes():,} nodes and {G.number_of_edges():,} relationships "
        f"({firms:,} firms, {args.supplies:,} SUPPLIES) to {', '.join(sorted(agents))}, "
        f"batch size {args.batch_size}, {os.cpu_count()} cores; each run on a freshly started "
        f"and warmed-up server, best of {args.repeat} runs for the batched methods:\n"
    )
    print(table(results))
    faster = (
        "(a) not run"
        if one is None
        else f"chaingraph push is {one.seconds / ours.seconds:.1f}× faster than one row per "
        "transaction (target ≥ 10×)"
    )
    print(
        f"\n{faster}; chaingraph push runs at {bare.seconds / ours.seconds:.2f}× the speed "
        "of the bare driver loop (target ≥ 0.8×)."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
