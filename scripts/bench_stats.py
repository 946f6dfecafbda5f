"""Benchmark the CPU of a quick command against ``chaingraph --help``.

Usage::

    python scripts/bench_stats.py                    # stats on the default dataset
    python scripts/bench_stats.py --repeat 15 -- stats --format json

Each run is a fresh ``python -m chaingraph`` process; its CPU (user + system, from
``resource.getrusage(RUSAGE_CHILDREN)``) is taken, runs of the variants alternate and the
best of ``--repeat`` is kept, so a busy machine slows all alike. Target (issue 12):
``stats`` on the Shengzhou data (with its included reference layer) costs at most 2x the
CPU of ``--help``. The command runs three ways (see ``chaingraph.cache``; the cache lives in
a temporary folder, filled by a first run that is not counted):

- ``warm cache``: the dataset and its stats are in the cache, unchanged since;
- ``after another command``: the cache emptied, then ``chaingraph find`` run (not counted),
  which loads the dataset and writes its entry — and, with it, its stats: what the first
  ``stats`` after another command pays;
- ``dataset cached, stats not remembered``: the stats memo deleted, so the graph comes from
  the cache and the stats are computed (networkx imported) — an entry written without its
  stats (by an older chaingraph, or a memo that was deleted);
- ``no cache`` (``--no-cache``): every file read and checked, what the first command after
  an edit of the dataset pays.

The modules each run imports are listed too, to show which heavy ones it pulls in.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from orphans import adopt_orphans, reap_orphans

HEAVY = ("networkx", "igraph", "neo4j", "openpyxl", "yaml", "ahocorasick", "pyvis", "jinja2")


def cpu_of(args: list[str], env: dict[str, str]) -> float:
    """CPU seconds of one fresh ``python -m chaingraph ARGS`` run (not counting the process
    that writes a new cache entry behind it, waited for before the next run)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(
        [sys.executable, "-m", "chaingraph", *args],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    reap_orphans()
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def heavy_imports(args: list[str], env: dict[str, str]) -> list[str]:
    """Which of :data:`HEAVY` a command imports."""
    code = (
        "import sys, runpy; sys.argv = ['chaingraph', *sys.argv[1:]]\n"
        "try:\n    runpy.run_module('chaingraph', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        f"print('\\n'.join(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=False, env=env
    )
    return [line for line in out.stderr.splitlines() if line in HEAVY]


def forget_memos(cache: Path) -> None:
    """Remove the remembered answers, keep the cached datasets."""
    for memo in cache.glob("datasets/*.*.pickle"):
        memo.unlink()


def another_command_first(cache: Path) -> None:
    """Empty the cache, then run another command that loads the dataset (not counted)."""
    shutil.rmtree(cache, ignore_errors=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHAINGRAPH_NO_CACHE")}
    env["CHAINGRAPH_CACHE_DIR"] = str(cache)
    subprocess.run(
        [sys.executable, "-m", "chaingraph", "find", "产业"],
        check=True,
        stdout=subprocess.DEVNULL,
        env=env,
    )
    reap_orphans()  # the entry is written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("command", nargs="*", default=["stats"])
    args = parser.parse_args(argv)
    adopt_orphans()  # the cache entries written behind the commands: waited for
    with tempfile.TemporaryDirectory(prefix="bench-stats-") as tmp:
        cache = Path(tmp) / "cache"
        env = {k: v for k, v in os.environ.items() if not k.startswith("CHAINGRAPH_NO_CACHE")}
        env["CHAINGRAPH_CACHE_DIR"] = str(cache)
        cmd = list(args.command)
        variants = {
            "--help": (["--help"], None),
            "warm cache": (cmd, None),
            "after another command": (cmd, another_command_first),
            "dataset cached, stats not remembered": (cmd, forget_memos),
            "no cache": (["--no-cache", *cmd], None),
        }
        cpu_of(cmd, env)  # fill the cache
        times: dict[str, list[float]] = {name: [] for name in variants}
        for _ in range(args.repeat):
            for name, (command, before) in variants.items():
                if before is not None:
                    before(cache)
                times[name].append(cpu_of(command, env))
        imports = {}
        for variant, (command, before) in variants.items():
            if before is not None:
                before(cache)
            imports[variant] = heavy_imports(command, env)
            reap_orphans()
    base = min(times["--help"])
    name = " ".join(args.command)
    for variant, t in times.items():
        label = "chaingraph --help" if variant == "--help" else f"chaingraph {name} ({variant})"
        print(
            f"{label:58s} CPU {min(t):.3f} s  ratio {min(t) / base:4.2f}  "
            f"imports {imports[variant]}"
        )
    print("target: <= 2 x --help")
    return 0


if __name__ == "__main__":
    sys.exit(main())
