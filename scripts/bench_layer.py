#!/usr/bin/env python3
"""CPU of ``chaingraph stats`` on the Shengzhou dataset with and without the reference layer.

The shipped zone includes ``graphs/reference/cn-listed`` (4,430 listed firms). Target: with
the layer included, ``stats`` stays within 1.5x of the CPU time without it. Four variants run
as fresh processes, interleaved, ``--repeat`` times each (the best and the median of the
child's user+system CPU are printed, and the ratio of the medians to the zone alone read the
same way):

- ``zone only`` — a copy of graphs/shengzhou without its ``include:`` line;
- ``zone + layer`` — the shipped zone;

each once with ``--no-cache`` (every file read and checked) and once answered from a warm
dataset cache (in a temporary folder, filled by a first run).

    python scripts/bench_layer.py --repeat 7 [--markdown]
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from orphans import adopt_orphans, reap_orphans

REPO = Path(__file__).resolve().parent.parent
ZONE = REPO / "graphs" / "shengzhou"


def cpu_of(argv: list[str], env: dict[str, str]) -> float:
    """User + system CPU seconds of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, env=env)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    reap_orphans()  # a new cache entry is written behind the command: there for the next one
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    adopt_orphans()
    with tempfile.TemporaryDirectory(prefix="bench-layer-") as tmp:
        bare = Path(tmp) / "shengzhou"
        shutil.copytree(ZONE, bare)
        manifest = bare / "dataset.yaml"
        manifest.write_text(
            re.sub(r"(?m)^include:.*$", "", manifest.read_text(encoding="utf-8")), "utf-8"
        )
        env = {**os.environ, "CHAINGRAPH_CACHE_DIR": str(Path(tmp) / "cache")}
        env.pop("CHAINGRAPH_NO_CACHE", None)
        off = {**env, "CHAINGRAPH_NO_CACHE": "1"}
        py = [sys.executable, "-m", "chaingraph"]
        variants = {
            "zone only (no cache)": ([*py, "--store", str(bare), "stats"], off),
            "zone + layer (no cache)": ([*py, "--store", str(ZONE), "stats"], off),
            "zone only (warm cache)": ([*py, "--store", str(bare), "stats"], env),
            "zone + layer (warm cache)": ([*py, "--store", str(ZONE), "stats"], env),
        }
        for argv, child_env in variants.values():  # warm the file cache and the dataset cache
            cpu_of(argv, child_env)
        times: dict[str, list[float]] = {name: [] for name in variants}
        for _ in range(args.repeat):
            for name, (argv, child_env) in variants.items():
                times[name].append(cpu_of(argv, child_env))
    rows = []
    for name, t in times.items():
        base = statistics.median(times[name.replace("zone + layer", "zone only")])
        rows.append((name, min(t), statistics.median(t), statistics.median(t) / base))
    if args.markdown:
        print("| variant | best CPU s | median CPU s | ratio (medians) |")
        print("|---|---:|---:|---:|")
        for name, best, med, ratio in rows:
            print(f"| {name} | {best:.3f} | {med:.3f} | {ratio:.2f}× |")
    else:
        for name, best, med, ratio in rows:
            print(f"{name:26s} best {best:.3f} s  median {med:.3f} s  ratio {ratio:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
