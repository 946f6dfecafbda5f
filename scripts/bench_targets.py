"""Benchmark: classify and rank 100k outside firms against the four Shengzhou chains.

Usage::

    python scripts/bench_targets.py                  # 100,000 outside firms
    python scripts/bench_targets.py --firms 20000 --markdown

The shipped Shengzhou dataset (its four chains with their segment ``keywords`` and
``sw_industries``) gets N synthetic outside firms (``local: false``): each has a 申万 L3
industry (a third of them one a segment lists, the rest others), a 经营范围 of about 120
characters built from filler words, a quarter of them with one segment keyword mixed in, a
tenth with 主营产品, a stock code for one in five, a division code, and one in a hundred
SUPPLIES a local firm. Timed in one run, one process:

- ``baseline``: one pass over the firms reading the fields classification reads (sw_l3,
  products, business_scope) — the least any classifier has to do;
- ``classify``: :func:`chaingraph.analysis.classify.segment_candidates` for every segment;
- ``classify + rank``: ``targets_of`` for each of the four chains with one shared index
  (classification once, then every candidate scored and sorted), keeping the top 10 rows per
  segment as ``chaingraph targets`` prints them, and again building every row as the report
  does.

Prints the times and the ratio of each to the baseline. Target: classify + rank <= 10 s.
"""

from __future__ import annotations

import argparse
import os
import random
import time
from pathlib import Path

from chaingraph.analysis import _context as C
from chaingraph.analysis.classify import segment_candidates
from chaingraph.analysis.targets import TargetFilter, targets_of
from chaingraph.dataset import read_graph
from chaingraph.model import ChainGraph, Kind

REPO = Path(__file__).resolve().parent.parent
FILLER = [
    *("技术开发", "技术咨询", "技术服务", "货物进出口", "技术进出口", "销售", "制造", "加工"),
    *("研发", "新材料", "机械设备", "五金产品", "电子产品", "日用品", "金属材料", "建筑材料"),
    *("化工产品(不含危险化学品)", "软件开发", "信息咨询", "企业管理", "会议服务", "仓储服务"),
    *("普通货运", "道路运输", "市场营销策划", "广告设计", "包装服务"),
]
PROVINCES = (33, 32, 31, 44, 43, 51)
OTHER_INDUSTRIES = [f"其他行业{i}" for i in range(120)]


def add_outside_firms(G: ChainGraph, n: int, seed: int = 0) -> None:
    """Add n synthetic outside firms to G (see the module docstring)."""
    rng = random.Random(seed)
    nodes = G.nodes
    segs = [s for s, a in nodes(data=True) if a.get("kind") == Kind.SEGMENT]
    keywords = sorted({str(k) for s in segs for k in nodes[s].get("keywords") or ()})
    industries = sorted({str(i) for s in segs for i in nodes[s].get("sw_industries") or ()})
    local = sorted(f for f, a in nodes(data=True) if a.get("kind") == Kind.FIRM and a.get("local"))
    if not keywords or not industries:
        raise SystemExit("the dataset's segments declare no keywords or sw_industries")
    for i in range(n):
        fid = f"bench-{i:06d}"
        scope = [rng.choice(FILLER) for _ in range(14)]
        if rng.random() < 0.25:
            scope.insert(rng.randrange(len(scope)), rng.choice(keywords))
        attrs: dict[str, object] = {
            "kind": Kind.FIRM.value,
            "name": f"合成企业{i}",
            "local": False,
            "sw_l3": rng.choice(industries)
            if rng.random() < 1 / 3
            else rng.choice(OTHER_INDUSTRIES),
            "business_scope": "、".join(scope),
            "division_code": f"{rng.choice(PROVINCES):02d}{rng.randrange(1, 20):02d}00",
        }
        if rng.random() < 0.1:
            attrs["products"] = [rng.choice(keywords), rng.choice(FILLER)]
        if rng.random() < 0.2:
            attrs["stock_code"] = f"{600000 + i % 400000:06d}.SH"
        G.add_node(fid, **attrs)
        if local and rng.random() < 0.01:
            G.add_edge(fid, rng.choice(local), key="SUPPLIES", rel="SUPPLIES", grade="template")


def baseline(G: ChainGraph) -> int:
    """One pass over the firms, touching the fields classification reads."""
    seen = 0
    for attrs in C.attrs_of(G).values():
        if attrs.get("kind") != Kind.FIRM or attrs.get("local"):
            continue
        sw, products, scope = attrs.get("sw_l3"), attrs.get("products"), attrs.get("business_scope")
        seen += bool(sw) + bool(products) + len(scope or "")
    return seen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--firms", type=int, default=100_000)
    parser.add_argument("--dataset", type=Path, default=REPO / "graphs" / "shengzhou")
    parser.add_argument("--markdown", action="store_true", help="print a README table row")
    args = parser.parse_args()

    G = read_graph(args.dataset)
    add_outside_firms(G, args.firms)
    chains = C.chains_of(G)
    segs = [s for s, a in G.nodes(data=True) if a.get("kind") == Kind.SEGMENT]

    t0, c0 = time.perf_counter(), time.process_time()
    baseline(G)
    t_base, c_base = time.perf_counter() - t0, time.process_time() - c0

    t0, c0 = time.perf_counter(), time.process_time()
    found = segment_candidates(G, segs)
    t_classify, c_classify = time.perf_counter() - t0, time.process_time() - c0
    pairs = sum(len(v) for v in found.values())

    t0, c0 = time.perf_counter(), time.process_time()
    index = C.SharedIndex(G)
    top = 0
    for cid in chains:
        ctx = C.chain_context(G, cid, index)
        top += sum(1 for r in targets_of(ctx, filters=TargetFilter(limit=10)) if r["firm"])
    t_top, c_top = time.perf_counter() - t0, time.process_time() - c0

    t0, c0 = time.perf_counter(), time.process_time()
    index = C.SharedIndex(G)
    rows = 0
    for cid in chains:
        rows += sum(1 for r in targets_of(C.chain_context(G, cid, index)) if r["firm"])
    t_total, c_total = time.perf_counter() - t0, time.process_time() - c0

    outside = sum(
        1 for _, a in G.nodes(data=True) if a.get("kind") == Kind.FIRM and not a.get("local")
    )
    print(f"outside firms: {outside:,}; chains: {len(chains)}; segments: {len(segs)}")
    print(f"firm-segment candidates: {pairs:,}; ranked target rows: {rows:,}")
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print("                                     wall s    CPU s   CPU / baseline CPU")
    print(f"baseline (one pass over the firms): {t_base:7.3f}  {c_base:7.3f}")
    for label, wall, cpu in (
        ("classify (all segments):        ", t_classify, c_classify),
        ("classify + rank, top 10 rows:   ", t_top, c_top),
        ("classify + rank, every row:     ", t_total, c_total),
    ):
        print(f"{label}    {wall:7.3f}  {cpu:7.3f}  {cpu / c_base:6.1f}x")
    print(f"target <= 10 s (every row): {'met' if t_total <= 10 else 'MISSED'} in wall time")
    if args.markdown:
        print(
            f"| {outside:,} | {len(chains)} | {pairs:,} | {rows:,} | {t_base:.2f} / {c_base:.2f} | "
            f"{t_classify:.2f} / {c_classify:.2f} | {t_top:.2f} / {c_top:.2f} | "
            f"{t_total:.2f} / {c_total:.2f} | {c_total / c_base:.0f}× |"
        )


if __name__ == "__main__":
    main()
