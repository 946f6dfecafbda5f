#!/usr/bin/env python3
"""Benchmark ``chaingraph report`` on a Neo4j store against the embedded store, in one run.

The graph comes from ``gen_synthetic.generate`` (default 100k firms, 300k SUPPLIES). It is
pushed once into a fresh database of ArcadeDB's Bolt server (started by ``bolt_server.py``
for the run, or ``$CHAINGRAPH_TEST_NEO4J_URI``: an empty or marked database), then:

- **embedded**: :func:`chaingraph.report.write_report` on the graph in memory (what
  ``report`` does on a dataset folder, reading the folder not counted);
- **Neo4j, chain by chain**: :func:`chaingraph.report.write_chain_reports` with the store's
  ``chain_ids`` and ``chain_graph_with_sources`` (what ``report`` does on a Neo4j store);
- **Neo4j, whole load**: ``store.load()`` then ``write_report`` (what ``report`` did before).

Pages are written without views, into temporary folders; the chain pages of the three runs
are compared (they must be the same). Prints a Markdown table and the ratios.

    .venv/bin/python scripts/bench_report_neo4j.py
    .venv/bin/python scripts/bench_report_neo4j.py --firms 10000 --supplies 30000
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bolt_server
from gen_synthetic import generate

from chaingraph.report import write_chain_reports, write_report
from chaingraph.store.base import chain_graph_with_sources
from chaingraph.store.neo4j_store import Neo4jStore
from chaingraph.store.neo4j_sync import push


def pages(folder: Path) -> dict[str, str]:
    """The chain pages of a report folder, the generation stamp taken out."""
    return {
        p.name: re.sub(r"生成于 [^<;\n]*", "", p.read_text(encoding="utf-8"))
        for p in sorted([*folder.glob("*.md"), *folder.glob("*.html")])
        if not p.name.startswith("index.")
    }


def timed(label: str, fn: Callable[[], object]) -> float:
    began = time.perf_counter()
    fn()
    seconds = time.perf_counter() - began
    print(f"{label}: {seconds:.1f} s", file=sys.stderr)
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--firms", type=int, default=100_000)
    parser.add_argument("--supplies", type=int, default=300_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--heap", default="2g", help="JVM heap of the server we start")
    args = parser.parse_args(argv)

    G = generate(args.firms, args.supplies, args.seed)
    print(
        f"Generated {G.number_of_nodes():,} nodes, {G.number_of_edges():,} edges", file=sys.stderr
    )
    foreign = bolt_server.test_server_from_env()
    state_dir = Path(tempfile.mkdtemp(prefix="bench-report-"))
    if foreign:
        bolt_server.claim_database(*foreign)
        bolt_server.empty_database(*foreign)
        uri, user, password, database = foreign
    else:
        state = bolt_server.start(state_dir, heap=args.heap, timeout=180)
        uri, user, password, database = state.uri, state.user, state.password, "bench"
        bolt_server.create_database(state, database)
    try:
        with Neo4jStore(uri, user, password, database, timeout=30) as store:
            timed("push (not compared)", lambda: push(store, G, dataset="synthetic"))
            out = Path(tempfile.mkdtemp(prefix="bench-report-out-"))
            embedded = timed(
                "embedded write_report", lambda: write_report(G, out / "a", views=False)
            )
            chains = timed(
                "Neo4j chain by chain",
                lambda: write_chain_reports(
                    lambda cid: chain_graph_with_sources(store, cid),
                    store.chain_ids(),
                    out / "b",
                    views=False,
                ),
            )
            whole = timed(
                "Neo4j whole load + write_report",
                lambda: write_report(store.load(), out / "c", views=False),
            )
            same = pages(out / "a") == pages(out / "b") == pages(out / "c")
            agent = store.driver.get_server_info().agent
    finally:
        if not foreign:
            bolt_server.stop(state_dir)
    firms = args.firms
    print(
        f"`report --no-views` on a synthetic zone ({firms:,} firms, {args.supplies:,} SUPPLIES; "
        f"{G.number_of_nodes():,} nodes, {G.number_of_edges():,} edges), {agent}, "
        f"{os.cpu_count()} cores, one run; chain pages identical in all three: {same}\n"
    )
    print("| store | how | time | ÷ embedded |")
    print("|---|---|---:|---:|")
    print(f"| embedded | graph in memory, one shared index | {embedded:.1f} s | 1.00× |")
    print(f"| Neo4j | each chain's subgraph (now) | {chains:.1f} s | {chains / embedded:.2f}× |")
    print(f"| Neo4j | whole database loaded (before) | {whole:.1f} s | {whole / embedded:.2f}× |")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
