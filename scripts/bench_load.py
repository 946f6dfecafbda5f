"""Benchmark loading a dataset folder against the bare parse of the same files.

Usage::

    python scripts/bench_load.py                      # 10k firms / 60k supply links
    python scripts/bench_load.py --firms 1000 --supplies 6000 --repeat 5
    python scripts/bench_load.py --markdown           # the table for the README

The synthetic zone comes from ``scripts/gen_synthetic.py`` (written once under
``out/bench-load/``), once with firms and edges in YAML and once in CSV. Every measurement
runs in a fresh subprocess and is the best CPU time (``time.process_time``) of ``--repeat``
runs, a baseline's and its loads' runs interleaved, so the ratios compare like with like on a
busy machine:

- YAML: ``chaingraph.dataset.load_dataset`` against ``yaml.load(..., Loader=yaml.CSafeLoader)``
  of every YAML file (PyYAML's C loader: parse only, no checks, no graph);
- CSV: ``load_dataset`` against ``list(csv.reader(...))`` of every CSV file;
- graph floor: building the same ``networkx.MultiDiGraph`` straight from the CSV rows with
  ``add_nodes_from`` / ``add_edges_from`` (no checks), i.e. the least a load into networkx costs.

Each load is measured four ways (see ``chaingraph.cache``): ``no cache`` (every file read
and checked, ``CHAINGRAPH_NO_CACHE=1``), ``cold, entry written behind`` (an empty cache
folder: read and check, then a forked process writes the entry, as the command line does:
what the first command after an edit pays; the writer's own CPU and peak are shown beside),
``cold, entry written inline`` (the load writes the entry itself, a library caller's default)
and ``warm`` (answered from the entry written by an earlier run: the files are only hashed).

Peak memory is the load subprocess's own peak RSS (``VmHWM``), beside that of a process that
only imports chaingraph; a writer's peak (``ru_maxrss``) counts the pages it shares with the
load it was forked from. Targets (issue 12): YAML <= 2x, CSV <= 3x, peak <= 300 MB at 10k firms.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

CHILD = r"""
import csv, json, os, sys, time
from pathlib import Path
mode, folder = sys.argv[1], Path(sys.argv[2])
sys.path.insert(0, sys.argv[3])
from orphans import adopt_orphans, reap_orphans
from peak_rss import peak_rss_mb
import yaml
import networkx as nx
from chaingraph import cache
from chaingraph.dataset import load_dataset
if os.environ.get("BENCH_WRITE_BEHIND"):
    cache.write_behind()  # as the command line does
    adopt_orphans()
began = time.process_time()
if mode == "yaml":
    for f in sorted(folder.rglob("*.yaml")):
        yaml.load(f.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
elif mode == "csv":
    for f in sorted(folder.rglob("*.csv")):
        with f.open(encoding="utf-8", newline="") as fh:
            list(csv.reader(fh))
elif mode == "floor":
    G = nx.MultiDiGraph()
    with (folder / "firms.csv").open(encoding="utf-8", newline="") as fh:
        rows = csv.reader(fh)
        head = next(rows)
        G.add_nodes_from((r[0], dict(zip(head[1:], r[1:]))) for r in rows)
    with (folder / "relations.csv").open(encoding="utf-8", newline="") as fh:
        rows = csv.reader(fh)
        head = next(rows)
        G.add_edges_from((r[0], r[2], r[1], dict(zip(head[3:], r[3:]))) for r in rows)
elif mode == "load":
    ds = load_dataset(folder)
    assert not ds.problems, ds.problems[:3]
cpu = time.process_time() - began
peak = peak_rss_mb()
writers = reap_orphans()
print(json.dumps({"cpu": cpu, "peak_mb": peak, "writers": writers}))
"""


FORMATS = r"""
import gc, json, marshal, pickle, sys, time
from pathlib import Path
import networkx as nx
from chaingraph import cache
from chaingraph.dataset import load_dataset
cache.disable()
ds = load_dataset(Path(sys.argv[1]))
G = ds.graph
plain = json.loads(json.dumps([list(G.nodes(data=True)), list(G.edges(keys=True, data=True))]))
nodes, edges = plain
def rebuild(n, e):
    H = nx.MultiDiGraph()
    H.add_nodes_from(n)
    H.add_edges_from(e)
    return H
def adopt(data):
    H = nx.MultiDiGraph()
    H._node, H._adj, H._pred = data
    return H
adj = pickle.loads(pickle.dumps((G._node, G._succ, G._pred)))
cases = {
    "json, flat lists + add_edges_from": (
        json.dumps(plain).encode(), lambda b: rebuild(*json.loads(b))),
    "marshal, flat lists + add_edges_from": (
        marshal.dumps(plain), lambda b: rebuild(*marshal.loads(b))),
    "pickle, flat lists + add_edges_from": (
        pickle.dumps(plain, protocol=5), lambda b: rebuild(*pickle.loads(b))),
    "pickle (plain-data unpickler), adjacency dicts adopted": (
        cache.dumps(adj), lambda b: adopt(cache.loads(b))),
}
out = {}
for name, (data, load) in cases.items():
    best = []
    for _ in range(3):
        gc.disable()
        began = time.process_time()
        H = load(data)
        best.append(time.process_time() - began)
        gc.enable()
        assert H.number_of_edges() == G.number_of_edges()
    out[name] = [min(best), len(data)]
print(json.dumps(out))
"""


def formats(folder: Path) -> dict[str, list[float]]:
    """CPU of reading the loaded dataset back into a graph from each candidate cache format."""
    out = subprocess.run(
        [sys.executable, "-c", FORMATS, str(folder)], check=True, capture_output=True, text=True
    )
    found: dict[str, list[float]] = json.loads(out.stdout)
    return found


def one_run(mode: str, folder: Path, cache: str, where: Path) -> dict[str, Any]:
    """One fresh process running ``mode`` with the dataset cache in ``where``: its CPU, peak
    and the (CPU, peak) of each cache writer it left.

    ``cache``: ``off`` (no dataset cache), ``cold`` (the entry written behind as the command
    line does), ``inline`` (the entry written by the load itself, a library's default) or
    ``warm`` (whatever ``where`` holds).
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHAINGRAPH_")}
    if cache == "off":
        env["CHAINGRAPH_NO_CACHE"] = "1"
    if cache == "cold":
        env["BENCH_WRITE_BEHIND"] = "1"
    out = subprocess.run(
        [sys.executable, "-c", CHILD, mode, str(folder), str(HERE)],
        check=True,
        capture_output=True,
        text=True,
        env={**env, "CHAINGRAPH_CACHE_DIR": str(where)},
    )
    found: dict[str, Any] = json.loads(out.stdout)
    return found


def best(runs: list[dict[str, Any]]) -> dict[str, float]:
    """The best CPU and the largest peak of some runs, and of the cache writers they left
    (each run's writers summed)."""
    found = {"cpu": min(r["cpu"] for r in runs), "peak_mb": max(r["peak_mb"] for r in runs)}
    if any(r["writers"] for r in runs):
        found["writer_cpu"] = min(sum(cpu for cpu, _ in r["writers"]) for r in runs)
        found["writer_peak_mb"] = max(peak for r in runs for _, peak in r["writers"])
    return found


def measure(mode: str, folder: Path, repeat: int, cache: str = "off") -> dict[str, float]:
    """:func:`best` of ``repeat`` fresh runs of ``mode`` (``cold`` and ``inline``: a new
    empty cache folder each time; ``warm``: one, filled by a first run not counted)."""
    return measure_together([(mode, cache)], folder, repeat)[0]


def measure_together(
    variants: list[tuple[str, str]], folder: Path, repeat: int
) -> list[dict[str, float]]:
    """:func:`measure` of several (mode, cache) variants, their runs interleaved (a round of
    each in turn, ``repeat`` rounds), so a change in the machine's load hits all alike."""
    runs: list[list[dict[str, Any]]] = [[] for _ in variants]
    with tempfile.TemporaryDirectory(prefix="bench-load-cache-") as tmp:
        warm = Path(tmp) / "warm"
        if any(cache == "warm" for _, cache in variants):
            one_run("load", folder, "warm", warm)  # fills it
        for round_ in range(repeat):
            for i, (mode, cache) in enumerate(variants):
                where = warm if cache == "warm" else Path(tmp) / f"{i}-{round_}"
                runs[i].append(one_run(mode, folder, cache, where))
    return [best(r) for r in runs]


CACHE_LABELS = {
    "off": "no cache",
    "cold": "cold, entry written behind",
    "inline": "cold, entry written inline",
    "warm": "warm",
}


def zone(firms: int, supplies: int, as_csv: bool) -> Path:
    """The synthetic zone folder, written on first use."""
    folder = ROOT / "out" / "bench-load" / f"syn-{firms}-{supplies}-{'csv' if as_csv else 'yaml'}"
    if not (folder / "dataset.yaml").is_file():
        sys.path.insert(0, str(HERE))
        from gen_synthetic import generate, write_synthetic

        folder.parent.mkdir(parents=True, exist_ok=True)
        write_synthetic(generate(firms, supplies, seed=1), folder, seed=1, as_csv=as_csv)
    return folder


def size_mb(folder: Path, suffix: str) -> float:
    return sum(f.stat().st_size for f in folder.rglob(f"*{suffix}")) / 2**20


def run(firms: int, supplies: int, repeat: int) -> list[dict[str, Any]]:
    yaml_dir, csv_dir = zone(firms, supplies, False), zone(firms, supplies, True)
    rows: list[dict[str, Any]] = []
    for label, folder, base_mode, base_name, target in (
        ("YAML", yaml_dir, "yaml", "yaml.CSafeLoader parse", 2.0),
        ("CSV", csv_dir, "csv", "csv.reader read", 3.0),
    ):
        suffix = ".yaml" if base_mode == "yaml" else ".csv"
        caches = ("off", "cold", "inline", "warm")
        base, *loads = measure_together(
            [(base_mode, "off"), *(("load", cache) for cache in caches)], folder, repeat
        )
        for cache, load in zip(caches, loads, strict=True):
            rows.append(
                {
                    "format": label,
                    "cache": CACHE_LABELS[cache],
                    "mb": size_mb(folder, suffix),
                    "baseline": base_name,
                    "base_s": base["cpu"],
                    "load_s": load["cpu"],
                    "ratio": load["cpu"] / base["cpu"],
                    "target": target,
                    "peak_mb": load["peak_mb"],
                    "writer": load.get("writer_cpu"),
                    "writer_peak_mb": load.get("writer_peak_mb"),
                }
            )
    floor = measure("floor", csv_dir, repeat)
    csv_base = float(rows[-1]["base_s"])
    rows.append(
        {
            "format": "CSV",
            "cache": "",
            "mb": size_mb(csv_dir, ".csv"),
            "baseline": "graph floor: csv rows -> MultiDiGraph, no checks",
            "base_s": csv_base,
            "load_s": floor["cpu"],
            "ratio": floor["cpu"] / csv_base,
            "target": None,
            "peak_mb": floor["peak_mb"],
            "writer": None,
            "writer_peak_mb": None,
        }
    )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--firms", type=int, default=10_000)
    parser.add_argument("--supplies", type=int, default=60_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument(
        "--formats", action="store_true", help="only compare candidate cache formats (CSV zone)"
    )
    args = parser.parse_args(argv)
    if args.formats:
        base = measure("csv", zone(args.firms, args.supplies, True), args.repeat)["cpu"]
        found = formats(zone(args.firms, args.supplies, True))
        print(f"csv.reader read of the same zone: {base:.3f} s")
        for name, (cpu, size) in found.items():
            print(f"{name:56s} {cpu:6.3f} s  {cpu / base:5.2f}x  {size / 2**20:5.1f} MB")
        return 0
    rows = run(args.firms, args.supplies, args.repeat)
    idle = measure("none", zone(args.firms, args.supplies, True), 1)["peak_mb"]
    print(f"{args.firms} firms, {args.supplies} supply links; idle process {idle:.0f} MB")
    if args.markdown:
        print(
            "| files | size | baseline | baseline CPU | cache | load CPU | ratio | target | peak "
            "| entry writer CPU, peak |"
        )
        print("|---|---:|---|---:|---|---:|---:|---:|---:|---:|")
    for r in rows:
        target = f"≤ {r['target']:.0f}×" if r["target"] else ""
        writer = (
            f"{r['writer']:.2f} s, {r['writer_peak_mb']:.0f} MB" if r["writer"] is not None else ""
        )
        if args.markdown:
            print(
                f"| {r['format']} | {r['mb']:.1f} MB | {r['baseline']} | {r['base_s']:.2f} s "
                f"| {r['cache']} | {r['load_s']:.2f} s | {r['ratio']:.2f}× | {target} "
                f"| {r['peak_mb']:.0f} MB | {writer} |"
            )
        else:
            print(
                f"{r['format']:5} {r['mb']:6.1f} MB  {r['baseline']:48} {r['base_s']:6.2f} s  "
                f"{r['cache']:26} load {r['load_s']:6.2f} s  ratio {r['ratio']:5.2f}  "
                f"{target:6} peak {r['peak_mb']:4.0f} MB  {writer and 'writer ' + writer}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
