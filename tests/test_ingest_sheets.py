"""Reading spreadsheets: .xlsx sheets, CSV encodings, and files that are not spreadsheets."""

from __future__ import annotations

import codecs
import csv
import io
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import openpyxl
import pytest

from chaingraph.errors import InvalidGraphData
from chaingraph.ingest.sheets import read_table

HEADER = ["企业名称", "产值(万元)"]
ROW = ["甲电器有限公司", "3,000"]


def write_xlsx(path: Path, sheets: Mapping[str, Sequence[Sequence[object]]]) -> Path:
    """An .xlsx file with these sheets (in order) and rows."""
    book = openpyxl.Workbook()
    first = True
    for name, rows in sheets.items():
        ws = book.active if first else book.create_sheet()
        assert ws is not None
        ws.title = name
        first = False
        for row in rows:
            ws.append(row)
    book.save(path)
    return path


def write_csv(path: Path, rows: list[list[str]], encoding: str) -> Path:
    """A CSV file as Excel writes it (CRLF, quoted cells) in this encoding."""
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def test_xlsx_first_sheet_by_default(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "l.xlsx", {"名单": [HEADER, ROW], "其他": [["x"]]})
    table = read_table(path)
    assert table.sheet == "名单"
    assert table.rows == [(1, HEADER), (2, ROW)]


def test_xlsx_named_sheet_and_numbers_as_text(tmp_path: Path) -> None:
    rows: list[Sequence[object]] = [["说明"], [], HEADER, ["乙", 3000.0], ["丙", 1.5]]
    path = write_xlsx(tmp_path / "l.xlsx", {"A": [["x"]], "2024": rows})
    table = read_table(path, sheet="2024")
    assert table.rows[3] == (4, ["乙", "3000"])
    assert table.rows[4] == (5, ["丙", "1.5"])
    assert (4, 1) in table.numeric and (4, 0) not in table.numeric


def test_xlsx_missing_sheet_lists_the_sheets(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "l.xlsx", {"名单": [HEADER]})
    with pytest.raises(InvalidGraphData, match="no sheet 'Sheet9'. Its sheets: '名单'"):
        read_table(path, sheet="Sheet9")


def test_empty_sheet_is_an_error(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "l.xlsx", {"空": [], "名单": [HEADER, ROW]})
    with pytest.raises(InvalidGraphData, match="sheet '空' of '.*l.xlsx' is empty"):
        read_table(path)


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gbk", "gb18030"), ("gb18030", "gb18030")],
)
def test_csv_encodings_are_detected(tmp_path: Path, encoding: str, expected: str) -> None:
    path = write_csv(tmp_path / "l.csv", [HEADER, ["浙江嵊州甲电器有限公司", "3000"]], encoding)
    if encoding == "utf-8-sig":
        assert path.read_bytes().startswith(codecs.BOM_UTF8)
    table = read_table(path)
    assert table.encoding == expected
    assert table.rows[0] == (1, HEADER)  # no BOM left in the first header
    assert table.rows[1][1][0] == "浙江嵊州甲电器有限公司"


def test_csv_encoding_can_be_given(tmp_path: Path) -> None:
    rows = [["企業名稱", "產值(萬元)"], ["甲電器有限公司", "3000"]]
    path = write_csv(tmp_path / "l.csv", rows, "big5")
    assert read_table(path, encoding="big5").rows[1] == (2, rows[1])
    with pytest.raises(InvalidGraphData, match="Unknown encoding 'klingon'"):
        read_table(path, encoding="klingon")
    with pytest.raises(InvalidGraphData, match="cannot be decoded as utf-8"):
        read_table(path, encoding="utf-8")


def test_csv_row_numbers_follow_lines_with_multiline_cells(tmp_path: Path) -> None:
    path = tmp_path / "l.csv"
    path.write_text('企业名称,主要产品\n甲,"电池\n电芯"\n乙,电机\n', encoding="utf-8")
    assert [n for n, _ in read_table(path).rows] == [1, 2, 4]


def test_tab_separated_text_is_read(tmp_path: Path) -> None:
    path = tmp_path / "l.txt"
    path.write_text("企业名称\t产值(万元)\n甲\t1,000\n", encoding="utf-8")
    assert read_table(path).rows[1] == (2, ["甲", "1,000"])


def test_png_renamed_xlsx_is_not_a_spreadsheet(tmp_path: Path) -> None:
    path = tmp_path / "名单.xlsx"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    with pytest.raises(InvalidGraphData, match="'.*名单.xlsx' is not a valid .xlsx spreadsheet"):
        read_table(path)


def test_random_bytes_csv_is_not_a_spreadsheet(tmp_path: Path) -> None:
    path = tmp_path / "名单.csv"
    path.write_bytes(os.urandom(4096) + b"\x00")
    with pytest.raises(InvalidGraphData, match="'.*名单.csv' is not a text spreadsheet"):
        read_table(path)


@pytest.mark.parametrize(
    ("name", "message"),
    [("l.xls", "Excel 97-2003"), ("l.png", "not a spreadsheet this tool reads")],
)
def test_unsupported_suffixes(tmp_path: Path, name: str, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"x")
    with pytest.raises(InvalidGraphData, match=message):
        read_table(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InvalidGraphData, match="does not exist"):
        read_table(tmp_path / "nope.csv")


def test_a_csv_has_no_sheets(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "l.csv", [HEADER, ROW], "utf-8")
    with pytest.raises(InvalidGraphData, match="has no sheets"):
        read_table(path, sheet="A")
