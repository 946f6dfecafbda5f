"""Benchmark the full chain report on synthetic zones of 10k, 100k and 1M firms.

Usage::

    python scripts/bench_analysis.py                 # 10k and 100k firms
    python scripts/bench_analysis.py --sizes 10000 100000 1000000
    python scripts/bench_analysis.py --markdown      # the table for the README

Each size runs in a fresh subprocess, so peak memory (``VmHWM``) is that run's own. The zone
comes from ``scripts/gen_synthetic.py``'s ``generate(n_firms, n_supplies, seed)`` when that
script exists, else from :func:`generate` below (tiered segments, heavy-tailed firm sizes,
preferential supply along FEEDS). Timed: ``write_report`` over every chain (all measures,
Markdown and HTML, no interactive views), i.e. what ``chaingraph report --no-views`` does
after loading the graph.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import networkx as nx
from peak_rss import peak_rss_mb

from chaingraph.model import ChainGraph

HERE = Path(__file__).resolve().parent
TIERS = ("upstream", "midstream", "downstream")


# a straight recipe over one random stream: splitting it would only pass the stream around
def generate(n_firms: int, n_supplies: int, seed: int = 0) -> ChainGraph:  # noqa: C901
    """A synthetic zone: about one chain per 10k firms (4-12), 12-16 tiered segments each.

    Firms sit in one segment (a tenth in two), 30% are local, sizes are Pareto-distributed
    (alpha 1.2, median about 2000万元); suppliers are drawn from segments that FEED the
    customer's segment, customers with probability proportional to size (preferential
    attachment). One project per 20 firms, invested in by local firms; the largest local firm
    of each chain LEADS it and ATTRACTED a few firms and projects; each chain has a platform.
    """
    rng = random.Random(seed)
    G: ChainGraph = nx.MultiDiGraph()
    n_chains = max(4, min(12, n_firms // 10_000))
    segs_of: dict[str, list[str]] = {}
    feeds_in: dict[str, list[str]] = {}
    all_segs: list[str] = []
    G.add_node("zone", kind="Zone", name="合成开发区")
    for c in range(n_chains):
        cid = f"chain{c}"
        G.add_node(cid, kind="Chain", name=f"合成产业链{c}", grade="template")
        pid = f"platform{c}"
        G.add_node(pid, kind="Platform", name=f"产业平台{c}")
        G.add_edge(pid, cid, key="HOSTS", rel="HOSTS", grade="template")
        n_seg = rng.randint(12, 16)
        tiers = sorted(rng.choice(TIERS) for _ in range(n_seg))
        tiers.sort(key=TIERS.index)
        ids = []
        for i, tier in enumerate(tiers):
            sid = f"c{c}s{i}"
            G.add_node(
                sid,
                kind="Segment",
                name=f"环节{c}-{i}",
                tier=tier,
                weight=rng.choice([1, 1, 2, 3]),
                extension=i == n_seg - 1,
                grade="template",
            )
            G.add_edge(cid, sid, key="HAS_SEGMENT", rel="HAS_SEGMENT", grade="template")
            ids.append(sid)
        for sid in ids:
            feeds_in[sid] = []
        for i in range(1, len(ids)):
            for j in rng.sample(range(i), k=min(i, rng.randint(1, 3))):
                G.add_edge(ids[j], ids[i], key="FEEDS", rel="FEEDS", grade="template")
                feeds_in[ids[i]].append(ids[j])
        segs_of[cid] = ids
        all_segs += ids
    # cross-chain FEEDS: a few, for extension candidates
    for c in range(n_chains):
        a, b = f"chain{c}", f"chain{(c + 1) % n_chains}"
        up, down = segs_of[a][-2], segs_of[b][0]
        G.add_edge(up, down, key="FEEDS", rel="FEEDS", grade="template")
        feeds_in[down].append(up)
    members: dict[str, list[str]] = {s: [] for s in all_segs}
    sizes: dict[str, float] = {}
    seg_of: dict[str, str] = {}
    for i in range(n_firms):
        fid = f"f{i}"
        size = 2e7 * (rng.paretovariate(1.2))
        local = rng.random() < 0.3
        G.add_node(
            fid,
            kind="Firm",
            name=f"企业{i}",
            local=local,
            output_cny=round(size),
            region="" if local else rng.choice(["上海", "深圳", "江苏", "宁波", "杭州"]),
            grade="sourced",
        )
        seg = rng.choice(all_segs)
        G.add_edge(fid, seg, key="IN_SEGMENT", rel="IN_SEGMENT")
        members[seg].append(fid)
        seg_of[fid] = seg
        sizes[fid] = size
        if rng.random() < 0.1:
            other = rng.choice(all_segs)
            if other != seg:
                G.add_edge(fid, other, key="IN_SEGMENT", rel="IN_SEGMENT")
                members[other].append(fid)
    firms = list(sizes)
    # preferential supply: customers by size, suppliers from the segments feeding theirs
    cum: list[float] = []
    total = 0.0
    for f in firms:
        total += sizes[f] ** 0.8
        cum.append(total)
    made = 0
    tries = 0
    while made < n_supplies and tries < n_supplies * 4:
        tries += 1
        customer = firms[_bisect(cum, rng.random() * total)]
        ups = feeds_in[seg_of[customer]]
        if not ups:
            continue
        pool = members[rng.choice(ups)]
        if not pool:
            continue
        supplier = pool[min(len(pool) - 1, int(len(pool) * rng.random() ** 2))]
        if supplier == customer or G.has_edge(supplier, customer, key="SUPPLIES"):
            continue
        G.add_edge(supplier, customer, key="SUPPLIES", rel="SUPPLIES", product="部件")
        made += 1
    local_firms = [f for f in firms if G.nodes[f]["local"]]
    for j in range(n_firms // 20):
        pid = f"p{j}"
        investor = rng.choice(local_firms)
        amount = round(1e7 * rng.paretovariate(1.1))
        G.add_node(pid, kind="Project", name=f"项目{j}", amount_cny=amount, status="signed")
        G.add_edge(pid, seg_of[investor], key="IN_SEGMENT", rel="IN_SEGMENT")
        G.add_edge(investor, pid, key="INVESTS_IN", rel="INVESTS_IN")
        G.add_edge(pid, "zone", key="LOCATED_IN", rel="LOCATED_IN")
    for c in range(n_chains):
        cid = f"chain{c}"
        in_chain = [f for s in segs_of[cid] for f in members[s] if G.nodes[f]["local"]]
        if not in_chain:
            continue
        anchor = max(in_chain, key=lambda f: sizes[f])
        G.add_edge(anchor, f"platform{c}", key="LEADS", rel="LEADS")
        for f in rng.sample(in_chain, k=min(5, len(in_chain))):
            if f != anchor:
                G.add_edge(anchor, f, key="ATTRACTED", rel="ATTRACTED")
    return G


def _bisect(cum: list[float], x: float) -> int:
    lo, hi = 0, len(cum) - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if cum[mid] < x:
            lo = mid + 1
        else:
            hi = mid
    return lo


def _generator() -> tuple[Any, str]:
    path = HERE / "gen_synthetic.py"
    if path.exists():
        spec = importlib.util.spec_from_file_location("gen_synthetic", path)
        if spec and spec.loader:
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            if hasattr(module, "generate"):
                return module.generate, "scripts/gen_synthetic.py"
    return generate, "scripts/bench_analysis.py"


def run_one(n_firms: int, seed: int, own: bool) -> dict[str, Any]:
    """Generate one zone and time the full report on it (in this process)."""
    from chaingraph.analysis import _context as C
    from chaingraph.report import write_report

    gen, where = (generate, "scripts/bench_analysis.py") if own else _generator()
    t0 = time.perf_counter()
    G = gen(n_firms, n_firms * 5, seed)
    t_gen = time.perf_counter() - t0
    # the graph's own memory, and the generation's peak, apart from the report's
    graph_mb, gen_peak_mb = _rss_mb(), peak_rss_mb()
    n_supplies = sum(1 for *_, k in G.edges(keys=True) if k == "SUPPLIES")
    with tempfile.TemporaryDirectory() as out:
        t0, c0 = time.perf_counter(), time.process_time()
        paths = write_report(G, out, views=False)
        t_report, c_report = time.perf_counter() - t0, time.process_time() - c0
        size = sum(p.stat().st_size for p in paths)
        # the pages say how betweenness was made in Chinese (抽样 = sampled)
        sampled = any(
            "抽样" in Path(p).read_text(encoding="utf-8") for p in paths if p.suffix == ".md"
        )
    rss_mb = peak_rss_mb()
    return {
        "firms": sum(1 for _, k in G.nodes(data="kind") if k == "Firm"),
        "supplies": n_supplies,
        "nodes": G.number_of_nodes(),
        "edges": G.number_of_edges(),
        "chains": len(C.chains_of(G)),
        "generate_s": round(t_gen, 2),
        "report_s": round(t_report, 2),
        "report_cpu_s": round(c_report, 2),
        "peak_rss_mb": round(rss_mb),
        "graph_rss_mb": None if graph_mb is None else round(graph_mb),
        "generate_peak_rss_mb": round(gen_peak_mb),
        "report_kb": round(size / 1024),
        "betweenness_sampled": sampled,
        "generator": where,
    }


def _rss_mb() -> float | None:
    """This process's resident memory now, in MiB (Linux; None elsewhere)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            pages = int(fh.read().split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return pages * resource.getpagesize() / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--own-generator", action="store_true", help="Ignore gen_synthetic.py.")
    parser.add_argument("--markdown", action="store_true", help="Print a Markdown table.")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, args.seed, args.own_generator)))
        return
    results = []
    for n in args.sizes:
        cmd = [sys.executable, __file__, "--one", str(n), "--seed", str(args.seed)]
        if args.own_generator:
            cmd.append("--own-generator")
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            results.append({"firms": n, "error": done.stderr.strip().splitlines()[-1:]})
        else:
            results.append(json.loads(done.stdout))
        print(json.dumps(results[-1]), file=sys.stderr)
    if args.markdown:
        print(
            "| firms | SUPPLIES edges | all edges | chains | report wall (s) | report CPU (s) "
            "| peak RSS (MB) |"
        )
        print("|---:|---:|---:|---:|---:|---:|---:|")
        for r in results:
            if "error" in r:
                print(f"| {r['firms']:,} | failed: {r['error']} | | | | | |")
                continue
            print(
                f"| {r['firms']:,} | {r['supplies']:,} | {r['edges']:,} | {r['chains']} "
                f"| {r['report_s']} | {r['report_cpu_s']} | {r['peak_rss_mb']:,} |"
            )
    else:
        print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
