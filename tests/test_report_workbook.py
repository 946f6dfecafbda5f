"""report.xlsx: the sheets staff hand on, opened with openpyxl and checked against the json."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import Result

from chaingraph.analysis.classify import HOW_ZH
from chaingraph.cells import formula_like
from chaingraph.report_workbook import VALUE_WORDS, key_of
from chaingraph.workbook import cell_value
from conftest import SHENGZHOU
from test_formula_injection import HOSTILE, hostile_dataset

Run = Callable[..., Result]
KINDS = ("链图", "补链", "强链", "延链", "招商目标", "链主", "断链风险")


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from click.testing import CliRunner

    from chaingraph.cli import cli

    out = tmp_path_factory.mktemp("report")
    result = CliRunner().invoke(
        cli, [f"--store={SHENGZHOU}", "report", "--out", str(out), "--no-views"]
    )
    assert result.exit_code == 0, result.output
    return out / "report.xlsx"


def sheet_rows(ws: Any) -> list[dict[str, Any]]:
    """The rows of a data sheet as dicts keyed by the field name in each header."""
    rows = list(ws.iter_rows(values_only=True))
    keys = [key_of(str(h)) for h in rows[0]]
    return [dict(zip(keys, r, strict=True)) for r in rows[1:]]


def as_cells(rows: list[dict[str, Any]], keys: list[str]) -> list[dict[str, Any]]:
    """JSON rows as a sheet stores them ('' and None both read back as empty)."""
    out = []
    for r in rows:
        cells = {}
        for k in keys:
            v = cell_value(r.get(k))
            cells[k] = None if v == "" else v
        out.append(cells)
    return out


def in_words(row: dict[str, Any]) -> dict[str, Any]:
    """A json row with its coded values in the words the sheets show."""
    return {k: VALUE_WORDS[k].get(v, v) if k in VALUE_WORDS else v for k, v in row.items()}


def chain_names(run: Run) -> dict[str, str]:
    rows = json.loads(ok(run("stats", "-f", "json", store=SHENGZHOU)).stdout)["chains"]
    return {r["chain"]: str(r["name"]).removesuffix("产业链") for r in rows}


def test_sheets_and_layout(book: Path, run: Run) -> None:
    wb = openpyxl.load_workbook(book)
    names = chain_names(run)
    expected = ["概览"]
    for short in names.values():
        expected += [
            f"{short}·{k}" for k in ("链图", "补链", "强链", "延链", "招商目标", "链主", "断链风险")
        ]
    assert wb.sheetnames == [*expected, "来源", "说明"]
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2", ws.title
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:"), ws.title
        assert all("\u4e00" <= str(c.value)[0] <= "\u9fff" for c in ws[1]), ws.title  # 中文 first
        assert ws.column_dimensions["A"].width >= 6
    overview = sheet_rows(wb["概览"])
    stats = json.loads(ok(run("stats", "-f", "json", store=SHENGZHOU)).stdout)["chains"]
    assert [(r["segments"], r["gap"], r["coverage"]) for r in overview] == [
        (r["segments"], r["gap"], r["coverage"]) for r in stats
    ]
    assert wb["概览"]["H2"].number_format == "0.0%"
    sources = sheet_rows(wb["来源"])
    assert sources and all(r["title"] for r in sources)
    assert any(r["url"] for r in sources)


def test_targets_and_gaps_sheets_equal_the_json(book: Path, run: Run) -> None:
    wb = openpyxl.load_workbook(book)
    for cid, short in chain_names(run).items():
        for kind, args in (
            ("招商目标", ["targets", cid, "-n", "100000"]),
            ("补链", ["gaps", cid]),
            ("强链", ["gaps", cid, "--type", "weak"]),
        ):
            got = sheet_rows(wb[f"{short}·{kind}"])
            want = json.loads(ok(run(*args, "-f", "json", store=SHENGZHOU)).stdout)
            keys = [k for k in (got[0] if got else {}) if k != "chain"]
            assert len(got) == len(want), (cid, kind)
            assert got == as_cells([in_words(r) for r in want], keys), (cid, kind)
            if want:
                assert set(keys) == set(want[0]) - {"chain"} - {k for k in want[0] if k[0] == "_"}
            numbers = [r.get("score") or r.get("dependence") for r in got]
            assert all(n is None or isinstance(n, int | float) for n in numbers)


def test_coded_values_are_shown_in_words(book: Path) -> None:
    """A status, region basis or how a segment is known is the words a staff member reads,
    never the code."""
    wb = openpyxl.load_workbook(book)
    seen: dict[str, set[Any]] = {key: set() for key in VALUE_WORDS}
    for ws in wb.worksheets:
        if ws.title.endswith(("补链", "强链", "延链", "招商目标", "链主")):
            for row in sheet_rows(ws):
                for key in seen.keys() & row.keys():
                    seen[key].add(row[key])
    for key, words in VALUE_WORDS.items():
        assert seen[key] - {None} <= set(words.values()), (key, seen[key])
    # the shipped dataset has both kinds of region: its own and one read from the name
    assert set(VALUE_WORDS["region_basis"].values()) <= seen["region_basis"]
    assert "缺口" in seen["status"] and HOW_ZH["industry"] in seen["how"]


def test_impact_sheet_details_are_the_librarys_words(book: Path, run: Run) -> None:
    """断链风险 shows each row's detail as ``impact --format json`` gives it (the coverage
    change after 变化), not words of its own."""
    wb = openpyxl.load_workbook(book)
    checked = 0
    for cid, short in chain_names(run).items():
        rows = sheet_rows(wb[f"{short}·断链风险"])
        for leaver in dict.fromkeys(r["leaver"] for r in rows):
            args = ("impact", leaver, "--chain", cid, "-f", "json")
            want = json.loads(ok(run(*args, store=SHENGZHOU)).stdout)
            want_detail = [
                (r["item"], ("变化 " if r["effect"] == "coverage" else "") + r["detail"])
                for r in want
                if r["chain"] == cid
            ]
            assert [(r["item"], r["detail"]) for r in rows if r["leaver"] == leaver] == want_detail
            checked += len(want_detail)
    assert checked


def test_formula_shaped_names_stay_text(run: Run, tmp_path: Path) -> None:
    ds = hostile_dataset(tmp_path / "ds")
    out = tmp_path / "out"
    ok(run("report", "--out", str(out), "--no-views", store=ds))
    wb = openpyxl.load_workbook(out / "report.xlsx")
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    shaped = [c for c in cells if isinstance(c.value, str) and formula_like(c.value)]
    assert shaped, "the hostile names should be in the workbook"
    assert all(c.data_type == "s" and c.quotePrefix for c in shaped)
    texts = {c.value for c in cells}
    leaders = sheet_rows(next(ws for ws in wb.worksheets if ws.title.endswith("链主")))
    assert {r["name"] for r in leaders} <= set(HOSTILE)
    assert any(name in texts for name in HOSTILE)


def test_a_segment_too_long_for_one_cell_keeps_whole_names_and_the_count() -> None:
    # Excel keeps 32,767 characters in a cell; a segment of 10^5 firms joins to far more
    from chaingraph.report_workbook import _names
    from chaingraph.workbook import CELL_CHARS

    short = [{"name": f"企业{i}"} for i in range(5)]
    assert _names(short) == "企业0、企业1、企业2、企业3、企业4"
    many = [{"name": f"合成企业{i:06d}"} for i in range(100_000)]
    text = _names(many)
    assert len(text) <= CELL_CHARS
    assert text.endswith(" 等 100000 家")
    kept = text.removesuffix(" 等 100000 家").split("、")
    assert kept == [f"合成企业{i:06d}" for i in range(len(kept))]
    assert len(text) + len("、合成企业000000") > CELL_CHARS  # as many as fit
