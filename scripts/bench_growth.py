"""How load, report and a chain view grow with the size of the zone (1k / 10k / 100k firms).

Usage::

    python scripts/bench_growth.py                       # 1k, 10k, 100k firms
    python scripts/bench_growth.py --sizes 1000 10000 --markdown

Zones come from ``scripts/gen_synthetic.py --csv`` (6 supply links per firm, firms and edges in
CSV as long lists are kept), written once under ``out/bench-growth/``. Each step is a fresh
process, timed by its CPU (user + system):

- load: ``load_dataset`` (read, check, build the graph);
- report: ``chaingraph report`` with its views, every chain (includes the load);
- view: ``chaingraph view chain syn-battery`` (includes the load).

Every step runs with the dataset cache off (``CHAINGRAPH_NO_CACHE=1``), so each one reads
and checks the files as the first command after an edit does (``bench_load.py`` measures
warm loads).

The fitted exponent is the least-squares slope of log(CPU) against log(firms): 1 is linear,
n log n reads about 1.1 over these sizes, 2 is quadratic. Start-up (interpreter, imports:
about 0.25 s) weighs on the small sizes, so the slope of the largest step is printed too.
"""

from __future__ import annotations

import argparse
import math
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
LOAD = "import sys; from chaingraph.dataset import load_dataset; load_dataset(sys.argv[1])"


def zone(firms: int) -> Path:
    folder = ROOT / "out" / "bench-growth" / f"syn-{firms}"
    if not (folder / "dataset.yaml").is_file():
        sys.path.insert(0, str(HERE))
        from gen_synthetic import generate, write_synthetic

        folder.parent.mkdir(parents=True, exist_ok=True)
        write_synthetic(generate(firms, 6 * firms, seed=1), folder, seed=1, as_csv=True)
    return folder


def cpu(argv: list[str]) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    env = {**os.environ, "CHAINGRAPH_NO_CACHE": "1"}
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def steps(folder: Path) -> dict[str, float]:
    cli = [sys.executable, "-m", "chaingraph", "--store", str(folder)]
    with tempfile.TemporaryDirectory(prefix="bench-growth-") as tmp:
        return {
            "load": cpu([sys.executable, "-c", LOAD, str(folder)]),
            "report": cpu([*cli, "report", "--out", f"{tmp}/report"]),
            "view": cpu([*cli, "view", "chain", "syn-battery", "-o", f"{tmp}/chain.html"]),
        }


def exponent(sizes: list[int], times: list[float]) -> float:
    xs = [math.log(n) for n in sizes]
    ys = [math.log(t) for t in times]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mx) ** 2 for x in xs
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args(argv)
    results = {}
    start = _load_average()
    for n in args.sizes:
        results[n] = steps(zone(n))
        print(f"{n:>7} firms  " + "  ".join(f"{k} {v:7.2f} s" for k, v in results[n].items()))
    names = ["load", "report", "view"]
    fits = {k: exponent(args.sizes, [results[n][k] for n in args.sizes]) for k in names}
    print("exponent      " + "  ".join(f"{k} {fits[k]:7.2f}  " for k in names))
    top = args.sizes[-2:]  # the largest step, where start-up costs weigh least
    last = {k: exponent(top, [results[n][k] for n in top]) for k in names}
    if args.markdown:
        print("\n| firms (links) | " + " | ".join(names) + " |")
        print("|---:|" + "---:|" * len(names))
        for n in args.sizes:
            cells = " | ".join(f"{results[n][k]:.2f} s" for k in names)
            print(f"| {n:,} ({6 * n:,}) | {cells} |")
        print("| fitted exponent | " + " | ".join(f"{fits[k]:.2f}" for k in names) + " |")
        step = f"{top[0]:,} → {top[1]:,}"
        print(f"| exponent {step} | " + " | ".join(f"{last[k]:.2f}" for k in names) + " |")
    print(f"\n(load average {start} at the start of the run, {_load_average()} at the end)")
    return 0


def _load_average() -> str:
    """The 1-minute load average (other jobs on the machine inflate CPU times too)."""
    path = Path("/proc/loadavg")
    return path.read_text().split()[0] if path.exists() else "?"


if __name__ == "__main__":
    sys.exit(main())
