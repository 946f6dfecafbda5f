#!/usr/bin/env python3
"""Generate a synthetic zone for benchmarks: chains, segments, many firms and supply links.

Everything is made up and says so: ids start with ``syn-``, names with ``合成``, every node
and edge is graded ``template`` with the note "synthetic benchmark data". No real firm appears.

The shape follows real firm lists: a few chain templates with upstream / midstream /
downstream segments linked by FEEDS; firms spread over the segments with heavy-tailed sizes
(Pareto output values); SUPPLIES edges from a firm in a segment that FEEDS the customer's
segment, with both ends drawn by preferential attachment (a firm that already supplies or
buys a lot is more likely to get the next link), which gives the skewed degrees of real
supply networks.

    python scripts/gen_synthetic.py out/syn --firms 100000 --supplies 300000 --seed 1
    python scripts/gen_synthetic.py out/syn-csv --firms 10000 --supplies 60000 --csv

``--csv`` writes the firms and every edge as ``firms.csv`` / ``relations.csv`` (the layout a
long firm list takes); chains and the zone stay in YAML.

Library use (the analysis benchmarks reuse it)::

    from gen_synthetic import generate       # with scripts/ on sys.path
    G = generate(n_firms=1000, n_supplies=3000, seed=1)
"""

from __future__ import annotations

import argparse
import csv
import math
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

import networkx as nx

from chaingraph.model import ChainGraph, Kind, Rel

NOTE = "synthetic benchmark data"
GRADE = "template"

#: chain id -> (name, [(segment suffix, name, tier, [downstream suffixes])])
TEMPLATES: dict[str, tuple[str, list[tuple[str, str, str, list[str]]]]] = {
    "battery": (
        "合成动力电池链",
        [
            ("minerals", "锂盐原料", "upstream", ["cathode", "electrolyte"]),
            ("cathode", "正极材料", "upstream", ["cell"]),
            ("anode", "负极材料", "upstream", ["cell"]),
            ("electrolyte", "电解液", "upstream", ["cell"]),
            ("foil", "铜箔铝箔", "upstream", ["cell"]),
            ("cell", "电芯", "midstream", ["pack"]),
            ("bms", "电池管理系统", "midstream", ["pack"]),
            ("pack", "电池包", "midstream", ["ev", "storage"]),
            ("ev", "整车", "downstream", ["recycle"]),
            ("storage", "储能系统", "downstream", ["recycle"]),
            ("recycle", "电池回收", "downstream", []),
        ],
    ),
    "pharma": (
        "合成医药链",
        [
            ("intermediates", "医药中间体", "upstream", ["api"]),
            ("excipients", "药用辅料", "upstream", ["formulation"]),
            ("api", "原料药", "upstream", ["formulation"]),
            ("cro", "研发外包", "midstream", ["formulation"]),
            ("formulation", "制剂生产", "midstream", ["distribution"]),
            ("distribution", "医药流通", "downstream", ["hospital", "retail"]),
            ("hospital", "医疗机构", "downstream", []),
            ("retail", "零售药店", "downstream", []),
        ],
    ),
    "kitchen": (
        "合成厨电链",
        [
            ("steel", "不锈钢板材", "upstream", ["stove", "hood"]),
            ("glass", "钢化玻璃", "upstream", ["stove"]),
            ("motor", "电机风机", "upstream", ["hood"]),
            ("electronics", "控制电路", "upstream", ["stove", "hood"]),
            ("stove", "集成灶", "midstream", ["channel"]),
            ("hood", "吸油烟机", "midstream", ["channel"]),
            ("channel", "销售渠道", "downstream", ["service"]),
            ("service", "安装售后", "downstream", []),
        ],
    ),
    "textile": (
        "合成纺织链",
        [
            ("fiber", "纤维原料", "upstream", ["yarn"]),
            ("yarn", "纺纱", "upstream", ["fabric"]),
            ("fabric", "织造", "midstream", ["dyeing"]),
            ("dyeing", "印染", "midstream", ["garment"]),
            ("garment", "服装家纺", "downstream", ["brand"]),
            ("brand", "品牌零售", "downstream", []),
        ],
    ),
}


def _base() -> dict[str, str]:
    return {"grade": GRADE, "note": NOTE}


def chain_skeleton(G: ChainGraph) -> dict[str, list[str]]:
    """Add the zone, chains and segments; returns segment id -> ids of segments feeding it."""
    G.add_node("syn-zone", kind=Kind.ZONE.value, name="合成经济开发区", **_base())
    feeders: dict[str, list[str]] = defaultdict(list)
    for chain, (chain_name, segments) in TEMPLATES.items():
        cid = f"syn-{chain}"
        G.add_node(cid, kind=Kind.CHAIN.value, name=chain_name, **_base())
        G.add_edge("syn-zone", cid, key=Rel.HOSTS.value, rel=Rel.HOSTS.value, **_base())
        for suffix, name, tier, _ in segments:
            sid = f"{cid}-{suffix}"
            G.add_node(sid, kind=Kind.SEGMENT.value, name=name, tier=tier, **_base())
            G.add_edge(cid, sid, key=Rel.HAS_SEGMENT.value, rel=Rel.HAS_SEGMENT.value, **_base())
            feeders.setdefault(sid, [])
        for suffix, _, _, downstream in segments:
            for down in downstream:
                u, v = f"{cid}-{suffix}", f"{cid}-{down}"
                G.add_edge(u, v, key=Rel.FEEDS.value, rel=Rel.FEEDS.value, **_base())
                feeders[v].append(u)
    return dict(feeders)


def generate(n_firms: int, n_supplies: int, seed: int = 1, local_share: float = 0.3) -> ChainGraph:
    """A synthetic zone with ``n_firms`` firms and (up to) ``n_supplies`` SUPPLIES edges.

    Parameters
    ----------
    n_firms : int
        Firms, spread over the segments of :data:`TEMPLATES` (each firm IN_SEGMENT one).
    n_supplies : int
        SUPPLIES edges wanted; fewer only if the segments cannot hold that many distinct
        supplier -> customer pairs.
    seed : int
        Same seed, same graph.
    local_share : float
        Share of firms located in the zone (``local``).

    Returns
    -------
    ChainGraph
        Every node and edge graded ``template`` and noted as synthetic.

    Examples
    --------
    >>> G = generate(200, 500, seed=3)
    >>> sum(k == "Firm" for _, k in G.nodes(data="kind"))
    200
    >>> sum(1 for *_, k in G.edges(keys=True) if k == "SUPPLIES")
    500
    """
    rng = random.Random(seed)
    G: ChainGraph = nx.MultiDiGraph()
    G.graph.update({"dataset": f"synthetic-{n_firms}", "title": f"合成园区 {n_firms} 家企业"})
    feeders = chain_skeleton(G)
    segments = sorted(feeders)
    # firms: heavy-tailed output (Pareto, alpha 1.2), more firms in some segments than others
    seg_weight = [rng.paretovariate(1.5) for _ in segments]
    members: dict[str, list[str]] = defaultdict(list)
    size: dict[str, float] = {}
    width = len(str(n_firms))
    for i, seg in enumerate(rng.choices(segments, weights=seg_weight, k=n_firms)):
        fid = f"syn-firm-{i:0{width}d}"
        output = round(5e6 * rng.paretovariate(1.2), -4)
        size[fid] = output
        local = rng.random() < local_share
        # attributes in the order chaingraph writes them (kind, name, fields by name, grade)
        attrs: dict[str, object] = {
            "kind": Kind.FIRM.value,
            "name": f"合成企业{i:0{width}d}",
            "above_size": output >= 2e7,
            "employees": max(3, int(output / 1.2e6)),
            "local": local,
            "output_cny": output,
        }
        if not local:
            attrs["region"] = rng.choice(["江苏", "广东", "上海", "安徽", "福建", "四川"])
        G.add_node(fid, **attrs, **_base())
        G.add_edge(fid, seg, key=Rel.IN_SEGMENT.value, rel=Rel.IN_SEGMENT.value, **_base())
        members[seg].append(fid)
    # preferential attachment urns: a firm appears 1 + log-size times, then once more per link
    urn: dict[str, list[str]] = {}
    for seg, firms in members.items():
        urn[seg] = [f for f in firms for _ in range(1 + int(max(0.0, _log10(size[f]) - 6.7)))]
    customers = [s for s in segments if any(f in members for f in feeders[s]) and members.get(s)]
    cust_weight = [len(members[s]) for s in customers]
    products = {s: G.nodes[s]["name"] for s in segments}
    added = 0
    attempts = 0
    while added < n_supplies and attempts < n_supplies * 20 and customers:
        attempts += 1
        seg = rng.choices(customers, weights=cust_weight)[0]
        supplier_segs = [f for f in feeders[seg] if f in members]
        sup_seg = rng.choice(supplier_segs)
        customer = rng.choice(urn[seg])
        supplier = rng.choice(urn[sup_seg])
        if G.has_edge(supplier, customer, key=Rel.SUPPLIES.value):
            continue
        G.add_edge(
            supplier,
            customer,
            key=Rel.SUPPLIES.value,
            rel=Rel.SUPPLIES.value,
            product=products[sup_seg],
            **_base(),
        )
        urn[seg].append(customer)
        urn[sup_seg].append(supplier)
        added += 1
    return G


def _log10(x: float) -> float:
    return math.log10(x) if x > 0 else 0.0


def write_synthetic(G: ChainGraph, out: Path, seed: int = 1, as_csv: bool = False) -> list[Path]:
    """Write G as a dataset folder; with ``as_csv`` firms and edges go to CSV files."""
    from chaingraph.dataset import write_dataset

    firms = [{"id": n, **a} for n, a in G.nodes(data=True) if a["kind"] == Kind.FIRM]
    edges = [{"from": u, "to": v, **a} for u, v, a in G.edges(data=True)]
    if as_csv:  # only the small rest goes through YAML
        rest: ChainGraph = nx.MultiDiGraph(
            G.subgraph(n for n, a in G.nodes(data=True) if a["kind"] != Kind.FIRM)
        )
        rest.remove_edges_from(list(rest.edges(keys=True)))
        rest.graph.update(G.graph)
        G = rest
    files = write_dataset(
        G,
        out,
        name=str(G.graph["dataset"]),
        title=str(G.graph["title"]),
        description=f"Synthetic zone from gen_synthetic.py (seed {seed}). Not real firms.",
    )
    if not as_csv:
        return files
    _write_csv(out / "firms.csv", ("id", "kind", "name"), firms)
    _write_csv(out / "relations.csv", ("from", "rel", "to"), edges)
    return sorted(out.iterdir())


def _write_csv(path: Path, first: tuple[str, ...], rows: list[dict[str, object]]) -> None:
    columns = [*first, *sorted({k for row in rows for k in row} - set(first))]

    def cell(value: object) -> object:
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, list):
            return "|".join(str(v) for v in value)
        return "" if value is None else value

    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([cell(row.get(c)) for c in columns])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="new dataset folder to write")
    parser.add_argument("--firms", type=int, default=1000)
    parser.add_argument("--supplies", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--csv", action="store_true", help="firms and edges as CSV files")
    args = parser.parse_args(argv)
    began = time.perf_counter()
    G = generate(args.firms, args.supplies, args.seed)
    files = write_synthetic(G, args.out, args.seed, as_csv=args.csv)
    print(
        f"Wrote {len(files)} files to {args.out}: {G.number_of_nodes()} nodes, "
        f"{G.number_of_edges()} edges in {time.perf_counter() - began:.1f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
