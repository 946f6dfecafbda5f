"""Benchmark ``chaingraph import`` of a large firm list against the bare read of the same file.

Usage::

    python scripts/bench_import.py                 # 20k rows, CSV and xlsx
    python scripts/bench_import.py --rows 5000 --repeat 3

A made-up list (names ``合成导入企业NNNNN``, segments and regions of the Shengzhou dataset, an
output value, a customer named in a quarter of the rows, one row in twenty with an unreadable
output) is written once under ``out/bench-import/`` as CSV and as xlsx. Each measurement is a
fresh process (allowed to keep compiled modules, as an installed package has them), best CPU
(user + system) of ``--repeat`` runs:

- bare read: ``list(csv.reader(...))`` of the CSV, or openpyxl's read-only ``iter_rows`` of
  the xlsx — what any program must pay to see the rows;
- import: ``chaingraph import FILE --into COPY`` (the CLI as a user runs it, output table
  included) into a fresh copy of ``graphs/shengzhou`` (with the reference layer it includes)
  each run, validated once before (not measured), so that loading it is answered from the
  dataset cache as for a dataset in use, with the import memo the entry's writer made
  beside it (what an import indexes of the dataset: see ``chaingraph.cache.IMPORT_INDEX``).

Both sides of that ratio are fresh processes, so both pay the interpreter's start. More
lines say where the time goes, measured in the same run:

- floor: a process that only imports click and networkx (the project's fixed CLI and graph
  libraries), against the bare read: what any import through the dataset's graph pays
  before its first row;
- in-process: one process reads the file bare, then calls ``import_file`` (modules already
  imported, the output table not made; a library caller writes the cache entry inline,
  without the import memo, so the firms are indexed): the import's own CPU against the
  read's;
- fixed and per-row cost: the CLI importing a one-row list of the same kind is the fixed cost
  (start, modules, loading the dataset with its layers); the rest over the other rows is the
  import's cost per row, beside the bare read's per row;
- steps: where ``import_file``'s CPU goes in one process (loading the dataset, reading the
  file, indexing the firms, planning, rendering the files, checking the change, writing, and
  the guard against another import landing meanwhile: reading the dataset's files before
  the load and checking them just before the write, see ``chaingraph.ingest.guard``);
- re-import: the CSV imported, then a newer version with 1% of its rows changed: the check
  of that change against the loaded dataset (what ``import`` does) against reading the whole
  dataset again with the new files (what it did before), inside one process.

Target (issue 12): import <= 10x the bare read.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from orphans import adopt_orphans, reap_orphans

ROOT = Path(__file__).resolve().parent.parent
DATASET = ROOT / "graphs" / "shengzhou"
HEADER = ["企业名称", "所属环节", "所在地区", "产值(万元)", "主要产品", "主要客户"]
REGIONS = ["上海", "杭州", "宁波", "绍兴", "深圳", "苏州", "合肥", "成都", "西安", "武汉"]

READ_CSV = (
    "import csv, sys\n"
    "with open(sys.argv[1], encoding='utf-8', newline='') as fh:\n"
    "    list(csv.reader(fh))\n"
)
FLOOR = "import click, networkx"
READ_XLSX = (
    "import sys, openpyxl\n"
    "wb = openpyxl.load_workbook(sys.argv[1], read_only=True, data_only=True)\n"
    "list(wb.worksheets[0].iter_rows(values_only=True))\n"
    "wb.close()\n"
)


def segment_names() -> list[str]:
    from chaingraph.dataset import read_graph
    from chaingraph.model import Kind

    G = read_graph(DATASET)
    return sorted(str(a["name"]) for _, a in G.nodes(data=True) if a["kind"] == Kind.SEGMENT)


def make_rows(n: int, seed: int = 1) -> list[list[str]]:
    rng = random.Random(seed)
    segments = segment_names()
    rows = [HEADER]
    for i in range(n):
        output = f"{rng.randint(100, 90000)}" if i % 20 else "约数千"  # one in 20 unreadable
        customer = f"合成导入企业{rng.randrange(n):05d}" if rng.random() < 0.25 else ""
        rows.append(
            [
                f"合成导入企业{i:05d}",
                rng.choice(segments),
                rng.choice(REGIONS),
                output,
                "合成产品",
                customer,
            ]
        )
    return rows


def files(n: int) -> dict[str, Path]:
    folder = ROOT / "out" / "bench-import"
    paths = {"CSV": folder / f"list-{n}.csv", "xlsx": folder / f"list-{n}.xlsx"}
    if all(p.is_file() for p in paths.values()):
        return paths
    folder.mkdir(parents=True, exist_ok=True)
    rows = make_rows(n) if n > 1 else make_rows(2)[::2]  # the header and a row without fault
    with paths["CSV"].open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("企业名单")
    for r in rows:
        ws.append(r)
    wb.save(paths["xlsx"])
    return paths


IN_PROCESS = """
import csv, shutil, sys, tempfile, time
from pathlib import Path
import chaingraph.dataset, chaingraph.dataset_delta, chaingraph.ingest.files
from chaingraph.ingest import import_file
path, dataset = Path(sys.argv[1]), Path(sys.argv[2])
start = time.process_time()
if path.suffix == ".csv":
    with path.open(encoding="utf-8", newline="") as fh:
        list(csv.reader(fh))
else:
    import openpyxl
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    list(wb.worksheets[0].iter_rows(values_only=True))
    wb.close()
bare = time.process_time() - start
with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
    into = Path(tmp) / "zone"
    shutil.copytree(dataset, into)
    shutil.copytree(dataset.parent / "reference", Path(tmp) / "reference")
    chaingraph.dataset.load_dataset(into)  # validated once before, as the CLI's copies are
    start = time.process_time()
    import_file(path, into)
    print(bare, time.process_time() - start)
"""


#: where import_file's CPU goes, one process: each step of chaingraph.ingest.files._import
#: wrapped in a timer (the rest is reading the mapping and the imported files, and the GC)
PHASES = """
import shutil, sys, tempfile, time
from pathlib import Path
import chaingraph.dataset, chaingraph.dataset_delta
from chaingraph.ingest import files, guard, plan
spent = {}
def timed(name, owner, attr):
    inner = getattr(owner, attr)
    def wrapper(*args, **kwargs):
        start = time.process_time()
        try:
            return inner(*args, **kwargs)
        finally:
            spent[name] = spent.get(name, 0.0) + time.process_time() - start
    setattr(owner, attr, wrapper)
timed("load", chaingraph.dataset, "load_dataset")
timed("read", files, "read_table")
timed("plan", plan.Planner, "run")
timed("index", plan, "FirmResolver")
timed("render", plan.Planner, "render")
timed("check", files, "_check_change")
timed("write", files, "_move_in")
timed("guard", files, "Seen")
timed("guard", guard.Seen, "check")
path, dataset = Path(sys.argv[1]), Path(sys.argv[2])
with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
    into = Path(tmp) / "zone"
    shutil.copytree(dataset, into)
    shutil.copytree(dataset.parent / "reference", Path(tmp) / "reference")
    chaingraph.dataset.load_dataset(into)  # validated once before, as the CLI's copies are
    spent.clear()
    start = time.process_time()
    files.import_file(path, into)
    spent["total"] = time.process_time() - start
    print(" ".join(f"{k}={v:.3f}" for k, v in spent.items()))
"""


RECHECK = """
import csv, shutil, sys, tempfile, time
from pathlib import Path
from chaingraph.dataset import load_dataset
from chaingraph.dataset_delta import check_changes
from chaingraph.ingest import import_file
path, dataset, changed = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
    into = Path(tmp) / "zone"
    shutil.copytree(dataset, into)
    shutil.copytree(dataset.parent / "reference", Path(tmp) / "reference")
    import_file(path, into)
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    for row in rows[1 : changed + 1]:
        row[3] = "12345"  # a new output value
    newer = Path(tmp) / path.name
    with newer.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    result = import_file(newer, into, dry_run=True)
    current = {rel: (into / rel).read_text(encoding="utf-8") for rel in result.files}
    base = load_dataset(into)
    start = time.process_time()
    assert check_changes(base, current, result.files) == []
    delta = time.process_time() - start
    start = time.process_time()
    assert load_dataset(into, overrides=result.files).problems == []
    print(delta, time.process_time() - start)
"""


def _two_timings(script: str, *args: object) -> tuple[float, float]:
    """The two CPU-second figures a child ``python -c script args…`` prints."""
    out = subprocess.run(
        [sys.executable, "-c", script, *map(str, args)],
        check=True,
        capture_output=True,
        text=True,
        env=ENV,
    ).stdout.split()
    return float(out[0]), float(out[1])


def recheck(path: Path, changed: int) -> tuple[float, float]:
    """(check of the change, full re-read) CPU seconds for a re-import changing some rows."""
    return _two_timings(RECHECK, path, DATASET, changed)


def in_process(path: Path) -> tuple[float, float]:
    """(bare read, import_file) CPU seconds inside one process."""
    return _two_timings(IN_PROCESS, path, DATASET)


#: the children may keep compiled modules, as an installed package has them (pip compiles
#: them): without, every process compiles chaingraph's modules again (about 0.1 s)
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def cpu(argv: list[str]) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    reap_orphans()  # a new cache entry is written behind the command: there for the next one
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def import_cpu(path: Path, warm: bool = True) -> float:
    """CPU of ``chaingraph import`` into a fresh copy of the dataset; ``warm``: the copy was
    validated once before (as staff look at a dataset before importing into it), so its
    load is answered from the dataset cache."""
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        into = Path(tmp) / "zone"
        shutil.copytree(DATASET, into)
        shutil.copytree(DATASET.parent / "reference", Path(tmp) / "reference")  # its include
        if warm:
            cpu([sys.executable, "-m", "chaingraph", "validate", str(into)])
        return cpu([sys.executable, "-m", "chaingraph", "import", str(path), "--into", str(into)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    adopt_orphans()
    paths = files(args.rows)
    first = files(1)  # a one-row list of the same kind
    n = args.rows
    print(f"{n} rows into a copy of {DATASET.relative_to(ROOT)}")
    for label, path in paths.items():
        script = READ_CSV if label == "CSV" else READ_XLSX
        bare = min(cpu([sys.executable, "-c", script, str(path)]) for _ in range(args.repeat))
        full = min(import_cpu(path) for _ in range(args.repeat))
        print(
            f"{label:5} process:    bare read {bare:6.2f} s  import {full:6.2f} s  "
            f"ratio {full / bare:6.1f} (target <= 10)"
        )
        if label == "CSV":
            # what a process pays before any row: the CLI and graph libraries the project is
            # built on (fixed choices), imported and nothing else
            base = min(cpu([sys.executable, "-c", FLOOR]) for _ in range(args.repeat))
            print(
                f"{label:5} floor:      importing click and networkx alone {base:6.2f} s  "
                f"= {base / bare:4.1f}x the bare read"
            )
        inner = [in_process(path) for _ in range(args.repeat)]
        bare_in, import_in = min(b for b, _ in inner), min(i for _, i in inner)
        print(
            f"{label:5} in-process: bare read {bare_in:6.3f} s  import_file {import_in:6.2f} s  "
            f"ratio {import_in / bare_in:6.1f}"
        )
        fixed = min(import_cpu(first[label]) for _ in range(args.repeat))
        cold = min(import_cpu(first[label], warm=False) for _ in range(args.repeat))
        per_row = (full - fixed) / (n - 1) * 1e6
        print(
            f"{label:5} fixed cost (a one-row list) {fixed:5.2f} s ({cold:4.2f} s into a "
            f"dataset not loaded before); per row: import {per_row:5.0f} µs, "
            f"bare read {bare_in / n * 1e6:5.1f} µs"
        )
    phases = subprocess.run(
        [sys.executable, "-c", PHASES, str(paths["CSV"]), str(DATASET)],
        check=True,
        capture_output=True,
        text=True,
        env=ENV,
    ).stdout.split()
    print(f"CSV   import_file's CPU by step (s): {' '.join(phases)}")
    changed = max(1, n // 100)
    delta, full = recheck(paths["CSV"], changed)
    print(
        f"re-import of the CSV with {changed} rows changed: checking the change {delta:5.2f} s, "
        f"reading the whole dataset again {full:5.2f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
