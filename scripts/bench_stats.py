"""Benchmark the CPU of a quick command against ``chaingraph --help``.

Usage::

    python scripts/bench_stats.py                    # stats on the default dataset
    python scripts/bench_stats.py --repeat 15 -- stats --format json

Each run is a fresh ``python -m chaingraph`` process; its CPU (user + system, from
``resource.getrusage(RUSAGE_CHILDREN)``) is taken, runs of the two commands alternate and the
best of ``--repeat`` is kept, so a busy machine slows both alike. Target (issue 12):
``stats`` on the Shengzhou data costs at most 2x the CPU of ``--help``. The modules each
command imports are listed too, to show which heavy ones a command pulls in.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys

HEAVY = ("networkx", "igraph", "neo4j", "openpyxl", "yaml", "ahocorasick", "pyvis", "jinja2")


def cpu_of(args: list[str]) -> float:
    """CPU seconds of one fresh ``python -m chaingraph ARGS`` run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(
        [sys.executable, "-m", "chaingraph", *args],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def heavy_imports(args: list[str]) -> list[str]:
    """Which of :data:`HEAVY` a command imports."""
    code = (
        "import sys, runpy; sys.argv = ['chaingraph', *sys.argv[1:]]\n"
        "try:\n    runpy.run_module('chaingraph', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        f"print('\\n'.join(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=False
    )
    return [line for line in out.stderr.splitlines() if line in HEAVY]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("command", nargs="*", default=["stats"])
    args = parser.parse_args(argv)
    base, runs = [], []
    for _ in range(args.repeat):
        base.append(cpu_of(["--help"]))
        runs.append(cpu_of(args.command))
    name = " ".join(args.command)
    print(f"chaingraph --help  CPU {min(base):.3f} s  imports {heavy_imports(['--help'])}")
    print(f"chaingraph {name:6}  CPU {min(runs):.3f} s  imports {heavy_imports(args.command)}")
    print(f"ratio {min(runs) / min(base):.2f} (target <= 2)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
