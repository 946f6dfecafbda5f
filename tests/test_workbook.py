"""The streaming xlsx writer: what openpyxl (and so Excel) reads back from it."""

from __future__ import annotations

import enum
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pytest

from chaingraph.workbook import CELL_CHARS, MAX_WIDTH, Column, Sheet, WorkbookError, write_workbook


def test_cells_styles_and_layout_read_back(tmp_path: Path) -> None:
    rows = [
        {"name": "  两端有空格 ", "share": 0.125, "ok": True, "n": 3, "none": None, "x": "a<b&c>"},
        {"name": "=SUM(1)", "share": 1 / 3, "ok": False, "n": -7, "none": "", "x": "长" * 80},
    ]
    cols = [
        Column("name", "名称"),
        Column("share", "占比", "0.0%"),
        Column("ok", "是否"),
        Column("n", "=数"),
        Column("none", "空"),
        Column("x", "文本"),
    ]
    path = tmp_path / "t.xlsx"
    write_workbook(path, [Sheet("甲'乙/丙", rows, cols, note="说明一行"), Sheet("空", [], [])])
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["甲'乙_丙", "空"]
    ws = book["甲'乙_丙"]
    assert ws["A1"].value == "说明一行" and ws["A1"].font.i
    assert [c.value for c in ws[2]] == ["名称", "占比", "是否", "=数", "空", "文本"]
    assert all(c.font.b for c in ws[2]) and ws["D2"].quotePrefix
    assert [c.value for c in ws[3]] == ["  两端有空格 ", 0.125, True, 3, None, "a<b&c>"]
    assert [c.value for c in ws[4]][:4] == ["=SUM(1)", 1 / 3, False, -7]  # exact float
    assert ws["A4"].quotePrefix and ws["A4"].data_type == "s"
    assert ws["B3"].number_format == "0.0%" and ws["D3"].number_format == "General"
    assert ws.freeze_panes == "A3" and ws.auto_filter.ref == "A2:F4"
    widths = {k: d.width for k, d in ws.column_dimensions.items()}
    assert widths["F"] == MAX_WIDTH and widths["E"] == 6  # capped; at least the minimum
    assert widths["A"] == len("  两端有空格 ") + 5 + 2  # CJK characters count double, +2
    assert book["空"].max_row == 1 and book["空"]["A1"].value is None


def test_text_xml_cannot_hold_is_replaced_not_fatal(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    write_workbook(path, [Sheet("s", [{"a": "x\x00y\x1bz\ud800", "b": "ok\tok\n"}])])
    ws = openpyxl.load_workbook(path)["s"]
    assert [c.value for c in ws[2]] == ["x\ufffdy\ufffdz\ufffd", "ok\tok\n"]


class Score(enum.IntEnum):
    HIGH = 3


class Share(float):
    def __repr__(self) -> str:  # as numpy's float64 does
        return f"Share({float(self)})"


def test_number_subclasses_are_numbers_and_every_part_is_xml(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    rows = [{"a": Score.HIGH, "b": Share(0.25), "c": Share(float("inf")), "d": "<&]]>"}]
    write_workbook(path, [Sheet("s", rows)])
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            ElementTree.fromstring(zf.read(name))  # well-formed
    ws = openpyxl.load_workbook(path)["s"]
    assert [c.value for c in ws[2]] == [3, 0.25, None, "<&]]>"]


def test_sheet_names_excel_accepts(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    titles = ["a\x01", "a\x02", "a\ud800", "𠀀" * 20, "x" * 30 + "'y", "'q'", "a\nb", "a b"]
    write_workbook(path, [Sheet(t, [{"n": i}]) for i, t in enumerate(titles)])
    names = openpyxl.load_workbook(path).sheetnames
    assert len({n.lower() for n in names}) == len(titles)  # unique once written as XML
    for name in names:
        assert len(name.encode("utf-16-le")) <= 2 * 31  # Excel counts UTF-16 units
        assert not name.startswith("'") and not name.endswith("'")
        assert "\ufffd" not in name and not any(ch < " " for ch in name)
    assert names[3] == "𠀀" * 15 and names[-1] == "a b"


def test_excel_reserved_sheet_name_is_not_used(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    write_workbook(path, [Sheet(t, [{"n": 1}]) for t in ("History", "HISTORY", "Historys")])
    assert openpyxl.load_workbook(path).sheetnames == ["History (2)", "HISTORY (3)", "Historys"]


def test_failed_write_leaves_the_old_file(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    write_workbook(path, [Sheet("s", [{"a": 1}])])
    before = path.read_bytes()

    class Boom(dict[str, object]):
        def get(self, key: str, default: object = None) -> object:
            raise OSError(28, "No space left on device")

    with pytest.raises(WorkbookError, match="No space left"):
        write_workbook(path, [Sheet("s", [Boom(a=2)], [Column("a", "a")])])
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["t.xlsx"]


def test_a_text_longer_than_excel_keeps_is_cut_to_fit(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    texts = ["甲" * 40_000, "𠀀" * 20_000, "乙" * CELL_CHARS]  # the second: 40,000 UTF-16 units
    write_workbook(path, [Sheet("s", [{"t": t} for t in texts])])
    cells = [row[0] for row in openpyxl.load_workbook(path)["s"].iter_rows(values_only=True)]
    long_cells = [c for c in cells if isinstance(c, str) and len(c) > 100]
    assert len(long_cells) == 3
    first, second, third = long_cells
    assert len(first) == CELL_CHARS and first.endswith("甲…")
    assert len(second.encode("utf-16-le")) <= 2 * CELL_CHARS and second.endswith("𠀀…")
    assert third == "乙" * CELL_CHARS  # at the limit: kept whole
