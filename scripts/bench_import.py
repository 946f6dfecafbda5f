"""Benchmark ``chaingraph import`` of a large firm list against the bare read of the same file.

Usage::

    python scripts/bench_import.py                 # 20k rows, CSV and xlsx
    python scripts/bench_import.py --rows 5000 --repeat 3

A made-up list (names ``合成导入企业NNNNN``, segments and regions of the Shengzhou dataset, an
output value, a customer named in a quarter of the rows, one row in twenty with an unreadable
output) is written once under ``out/bench-import/`` as CSV and as xlsx. Each measurement is a
fresh process, best CPU (user + system) of ``--repeat`` runs:

- bare read: ``list(csv.reader(...))`` of the CSV, or openpyxl's read-only ``iter_rows`` of
  the xlsx — what any program must pay to see the rows;
- import: ``chaingraph import FILE --into COPY`` (the CLI as a user runs it, output table
  included) into a fresh copy of ``graphs/shengzhou`` (with the reference layer it includes)
  each run.

Target (issue 12): import <= 10x the bare read.
"""

from __future__ import annotations

import argparse
import csv
import random
import resource
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATASET = ROOT / "graphs" / "shengzhou"
HEADER = ["企业名称", "所属环节", "所在地区", "产值(万元)", "主要产品", "主要客户"]
REGIONS = ["上海", "杭州", "宁波", "绍兴", "深圳", "苏州", "合肥", "成都", "西安", "武汉"]

READ_CSV = (
    "import csv, sys\n"
    "with open(sys.argv[1], encoding='utf-8', newline='') as fh:\n"
    "    list(csv.reader(fh))\n"
)
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
    rows = make_rows(n)
    with paths["CSV"].open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("企业名单")
    for r in rows:
        ws.append(r)
    wb.save(paths["xlsx"])
    return paths


def cpu(argv: list[str]) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def import_cpu(path: Path) -> float:
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        into = Path(tmp) / "zone"
        shutil.copytree(DATASET, into)
        shutil.copytree(DATASET.parent / "reference", Path(tmp) / "reference")  # its include
        return cpu([sys.executable, "-m", "chaingraph", "import", str(path), "--into", str(into)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    paths = files(args.rows)
    print(f"{args.rows} rows into a copy of {DATASET.relative_to(ROOT)}")
    for label, path in paths.items():
        script = READ_CSV if label == "CSV" else READ_XLSX
        bare = min(cpu([sys.executable, "-c", script, str(path)]) for _ in range(args.repeat))
        full = min(import_cpu(path) for _ in range(args.repeat))
        print(
            f"{label:5} bare read {bare:6.2f} s  import {full:6.2f} s  "
            f"ratio {full / bare:6.1f} (target <= 10)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
