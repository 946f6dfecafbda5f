#!/usr/bin/env python3
"""Benchmark ``chaingraph report`` on a Neo4j store against the embedded store, in one run.

The graph comes from ``gen_synthetic.generate`` (default 100k firms, 300k SUPPLIES). It is
pushed once into a fresh database of ArcadeDB's Bolt server (started by ``bolt_server.py``
for the run, or ``$CHAINGRAPH_TEST_NEO4J_URI``: an empty or marked database), then each
side runs in a process of its own, so that its peak memory (``VmHWM``) is its own:

- **embedded**: :func:`chaingraph.report.write_report` on the graph in memory (what
  ``report`` does on a dataset folder; the process builds the graph first, as the embedded
  store holds it whole; reading a folder is not counted);
- **Neo4j**: :func:`chaingraph.report.write_chain_reports` over the store's ``chain_ids``
  and ``analysis_graph`` (what ``report`` does on a Neo4j store: each chain's subgraph and
  its candidate firms, one chain at a time, never the whole database).

Pages are written without views into temporary folders and compared (they must be the
same). Prints a Markdown table and the ratio.

    .venv/bin/python scripts/bench_report_neo4j.py
    .venv/bin/python scripts/bench_report_neo4j.py --firms 10000 --supplies 30000
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bolt_server
from gen_synthetic import generate
from peak_rss import peak_rss_mb

from chaingraph.report import write_chain_reports, write_report
from chaingraph.store.neo4j_store import Neo4jStore
from chaingraph.store.neo4j_sync import push


def pages(folder: Path) -> dict[str, str]:
    """The chain pages of a report folder, the generation stamp taken out."""
    return {
        p.name: re.sub(r"生成于 [^<;\n]*", "", p.read_text(encoding="utf-8"))
        for p in sorted([*folder.glob("*.md"), *folder.glob("*.html")])
        if not p.name.startswith("index.")
    }


def leg(args: argparse.Namespace) -> int:
    """One side, in this process: time the report, print seconds and peak RSS as JSON."""
    out = Path(args.out)
    if args.leg == "embedded":
        G = generate(args.firms, args.supplies, args.seed)
        began = time.perf_counter()
        write_report(G, out, views=False)
    else:
        uri, user, password, database = json.loads(os.environ["BENCH_TARGET"])
        with Neo4jStore(uri, user, password, database, timeout=600) as store:
            began = time.perf_counter()
            write_chain_reports(store.analysis_graph, store.chain_ids(), out, views=False)
    seconds = time.perf_counter() - began
    print(json.dumps({"seconds": seconds, "peak_mb": peak_rss_mb()}))
    return 0


def run_leg(name: str, args: argparse.Namespace, out: Path, target: list[str]) -> dict[str, float]:
    cmd = [sys.executable, __file__, "--leg", name, "--out", str(out)]
    cmd += ["--firms", str(args.firms), "--supplies", str(args.supplies), "--seed", str(args.seed)]
    env = os.environ | {"BENCH_TARGET": json.dumps(target)}
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{name} failed:\n{done.stderr}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"{name}: {result['seconds']:.1f} s, peak {result['peak_mb']:.0f} MB", file=sys.stderr)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--firms", type=int, default=100_000)
    parser.add_argument("--supplies", type=int, default=300_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--heap", default="2g", help="JVM heap of the server we start")
    parser.add_argument("--leg", choices=("embedded", "neo4j"), help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.leg:
        return leg(args)

    G = generate(args.firms, args.supplies, args.seed)
    nodes, edges = G.number_of_nodes(), G.number_of_edges()
    print(f"Generated {nodes:,} nodes, {edges:,} edges", file=sys.stderr)
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
        with Neo4jStore(uri, user, password, database, timeout=600) as store:
            began = time.perf_counter()
            push(store, G, dataset="synthetic")
            print(f"push (not compared): {time.perf_counter() - began:.1f} s", file=sys.stderr)
            agent = store.driver.get_server_info().agent
        del G
        out = Path(tempfile.mkdtemp(prefix="bench-report-out-"))
        target = [uri, user, password, database]
        embedded = run_leg("embedded", args, out / "a", target)
        neo4j = run_leg("neo4j", args, out / "b", target)
        same = pages(out / "a") == pages(out / "b")
    finally:
        if not foreign:
            bolt_server.stop(state_dir)
    ratio = neo4j["seconds"] / embedded["seconds"]
    print(
        f"`report --no-views` on a synthetic zone ({args.firms:,} firms, {args.supplies:,} "
        f"SUPPLIES; {nodes:,} nodes, {edges:,} edges), {agent}, {os.cpu_count()} cores, "
        f"one run, each side in its own process; chain pages identical: {same}\n"
    )
    print("| store | how | time | ÷ embedded | peak RSS |")
    print("|---|---|---:|---:|---:|")
    print(
        f"| embedded | whole graph in memory, one shared index | {embedded['seconds']:.1f} s "
        f"| 1.00× | {embedded['peak_mb']:,.0f} MB |"
    )
    print(
        f"| Neo4j | each chain's `analysis_graph`, one at a time | {neo4j['seconds']:.1f} s "
        f"| {ratio:.2f}× | {neo4j['peak_mb']:,.0f} MB |"
    )
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
