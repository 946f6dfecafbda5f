#!/usr/bin/env python3
"""CPU of ``chaingraph stats`` on the Shengzhou dataset with and without the reference layer.

The shipped zone includes ``graphs/reference/cn-listed`` (4,430 listed firms). Target: with
the layer included, ``stats`` stays within 1.5x of the CPU time without it. Three variants run
as fresh processes, interleaved, ``--repeat`` times each (the best and the median of the
child's user+system CPU are printed, and the ratios of the medians):

- ``zone only`` — a copy of graphs/shengzhou without its ``include:`` line;
- ``zone + layer (cached)`` — the shipped zone, the layer answered from the layer cache;
- ``zone + layer (no cache)`` — the shipped zone, the layer read and checked from its files.

    python scripts/bench_layer.py --repeat 7 [--markdown]
"""

from __future__ import annotations

import argparse
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ZONE = REPO / "graphs" / "shengzhou"

RUN = (
    "import sys; from pathlib import Path; import chaingraph.layers as layers; "
    "layers.CACHE_DIR = None if sys.argv[1] == '-' else Path(sys.argv[1]); "
    "from chaingraph.cli import main; sys.argv[1:2] = []; main()"
)


def cpu_of(argv: list[str]) -> float:
    """User + system CPU seconds of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-layer-") as tmp:
        bare = Path(tmp) / "shengzhou"
        shutil.copytree(ZONE, bare)
        manifest = bare / "dataset.yaml"
        manifest.write_text(
            re.sub(r"(?m)^include:.*$", "", manifest.read_text(encoding="utf-8")), "utf-8"
        )
        cache = str(Path(tmp) / "cache")
        py = sys.executable
        variants = {
            "zone only": [py, "-c", RUN, "-", "--store", str(bare), "stats"],
            "zone + layer (cached)": [py, "-c", RUN, cache, "--store", str(ZONE), "stats"],
            "zone + layer (no cache)": [py, "-c", RUN, "-", "--store", str(ZONE), "stats"],
        }
        for argv in variants.values():  # warm the file cache and the layer cache
            cpu_of(argv)
        times: dict[str, list[float]] = {name: [] for name in variants}
        for _ in range(args.repeat):
            for name, argv in variants.items():
                times[name].append(cpu_of(argv))
    base = statistics.median(times["zone only"])
    rows = [
        (name, min(t), statistics.median(t), statistics.median(t) / base)
        for name, t in times.items()
    ]
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
