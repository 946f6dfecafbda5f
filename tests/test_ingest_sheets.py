"""Reading spreadsheets: .xlsx sheets, CSV encodings, and files that are not spreadsheets."""

from __future__ import annotations

import codecs
import csv
import io
import os
import zipfile
from collections.abc import Callable, Mapping, Sequence
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
    with pytest.raises(InvalidGraphData, match="'.*名单.xlsx' is not a readable xlsx"):
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


# --- hostile spreadsheets: every one is one InvalidGraphData naming the file, never a crash ---

XML_DECL = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
SHEET = "xl/worksheets/sheet1.xml"


def rewrite_part(good: Path, out: Path, part: str, change: Callable[[bytes], bytes]) -> Path:
    """A copy of the .xlsx ``good`` with one part's bytes changed (re-zipped with deflate)."""
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            dst.writestr(info.filename, change(data) if info.filename == part else data)
    return out


def with_doctype(doctype: bytes, entity: bytes) -> Callable[[bytes], bytes]:
    """Put a DOCTYPE before the root element and the entity reference into the last cell."""

    def change(data: bytes) -> bytes:
        body = data.replace(XML_DECL, b"").replace("上海".encode(), entity)
        return XML_DECL + doctype + body

    return change


LAUGHS = (
    b'<!DOCTYPE worksheet [<!ENTITY a "hahahahaha">'
    + b"".join(
        b'<!ENTITY %c "%s">' % (c, b"".join([b"&%c;" % (c - 1)] * 10)) for c in range(98, 107)
    )
    + b"]>"
)

HOSTILE_XLSX: dict[str, tuple[str, Callable[[bytes], bytes]]] = {
    "broken workbook.xml": ("xl/workbook.xml", lambda b: b[: len(b) // 2]),
    "truncated sheet": (SHEET, lambda b: b[:-40]),
    "sheet that is not XML": (SHEET, lambda b: b"\x00\xff" * 100),
    "shared string out of range": (
        SHEET,
        lambda b: b.replace(
            b'<c r="A2" t="inlineStr"><is><t>', b'<c r="A2" t="s"><v>99</v><x>', 1
        ).replace(b"</t></is></c>", b"</x></c>", 2),
    ),
    "bad row number": (SHEET, lambda b: b.replace(b'r="2"', b'r="two"', 1)),
    "external entity (file)": (
        SHEET,
        with_doctype(b'<!DOCTYPE w [<!ENTITY e SYSTEM "file:///etc/passwd">]>', b"&e;"),
    ),
    "external entity (http)": (
        SHEET,
        with_doctype(b'<!DOCTYPE w [<!ENTITY e SYSTEM "http://127.0.0.1:9/x">]>', b"&e;"),
    ),
    "entity bomb": (SHEET, with_doctype(LAUGHS, b"&j;")),
    "missing workbook part": ("xl/workbook.xml", lambda b: b""),
}


@pytest.fixture
def good_xlsx(tmp_path: Path) -> Path:
    return write_xlsx(tmp_path / "good.xlsx", {"名单": [["企业名称", "所在地区"], ["甲", "上海"]]})


@pytest.mark.parametrize("case", sorted(HOSTILE_XLSX))
def test_hostile_xlsx_is_not_a_readable_xlsx(tmp_path: Path, good_xlsx: Path, case: str) -> None:
    assert read_table(good_xlsx).rows[1] == (2, ["甲", "上海"])  # the unchanged file reads
    part, change = HOSTILE_XLSX[case]
    path = rewrite_part(good_xlsx, tmp_path / "坏.xlsx", part, change)
    with pytest.raises(InvalidGraphData, match=r"'.*坏\.xlsx' is not a readable xlsx \(") as err:
        read_table(path)
    assert "root:" not in str(err.value)  # never the contents of /etc/passwd
    assert "\n" not in str(err.value)


def corrupt_member(good: Path, out: Path, member: str, flip: slice) -> Path:
    """Flip bits inside one member's compressed bytes, leaving the zip directory intact."""
    raw = bytearray(good.read_bytes())
    with zipfile.ZipFile(good) as archive:
        info = archive.getinfo(member)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for i in range(start + (flip.start or 0), start + (flip.stop or 0)):
        raw[i] ^= 0x55
    out.write_bytes(bytes(raw))
    return out


@pytest.mark.parametrize("member", [SHEET, "xl/workbook.xml", "[Content_Types].xml"])
def test_corrupt_deflate_stream_is_not_a_readable_xlsx(
    tmp_path: Path, good_xlsx: Path, member: str
) -> None:
    path = corrupt_member(good_xlsx, tmp_path / "坏.xlsx", member, slice(2, 30))
    with pytest.raises(InvalidGraphData, match=r"'.*坏\.xlsx' is not a readable xlsx"):
        read_table(path)


def test_truncated_zip_is_not_a_readable_xlsx(tmp_path: Path, good_xlsx: Path) -> None:
    data = good_xlsx.read_bytes()
    for cut in (10, len(data) // 2, len(data) - 10):
        path = tmp_path / f"cut{cut}.xlsx"
        path.write_bytes(data[:cut])
        with pytest.raises(InvalidGraphData, match="is not a readable xlsx"):
            read_table(path)


def test_zip_bomb_is_refused_before_parsing(tmp_path: Path, good_xlsx: Path) -> None:
    # a sheet part that unpacks from ~1 MB to 600 MB of spaces: refused from the zip directory
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(good_xlsx) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename != SHEET:
                dst.writestr(info.filename, src.read(info.filename))
        with dst.open(SHEET, "w", force_zip64=True) as part:
            chunk = b" " * (1 << 20)
            for _ in range(600):
                part.write(chunk)
    with pytest.raises(InvalidGraphData, match="would unpack to 629,1"):
        read_table(path)


# --- encodings: a file is decoded only when the encoding is sure ---

DOUBTFUL = {
    "big5": [["name", "region"], ["台積電股份有限公司", "新竹"], ["鴻海精密工業", "台北"]],
    "big5-one-name": [["name"], ["台積電"]],
    "shift_jis": [["name", "region"], ["トヨタ自動車株式会社", "愛知"]],
    "shift_jis-kanji-only": [["name", "region"], ["東芝", "東京"]],
    "cp1252": [["name", "city"], ["Café Müller GmbH", "München"], ["Société Générale", "Paris"]],
    "cp1251": [["name"], ["Газпром"]],
}


@pytest.mark.parametrize("case", sorted(DOUBTFUL))
def test_doubtful_encoding_is_refused_with_the_fix(tmp_path: Path, case: str) -> None:
    encoding = case.split("-")[0]
    path = write_csv(tmp_path / "外商.csv", DOUBTFUL[case], encoding)
    with pytest.raises(InvalidGraphData, match=r"'.*外商\.csv': its encoding is not UTF-8") as err:
        read_table(path)
    assert "--encoding" in str(err.value) and "CSV UTF-8" in str(err.value)
    # the fix works: naming the encoding reads the names as written
    assert read_table(path, encoding=encoding).rows[1][1] == DOUBTFUL[case][1]


@pytest.mark.parametrize(
    "names",
    [["甲电器有限公司"], ["嵊州市甲电器有限公司", "浙江乙厨具股份有限公司"], ["堃喆科技有限公司"]],
)
def test_gbk_files_still_read_without_options(tmp_path: Path, names: list[str]) -> None:
    path = write_csv(tmp_path / "l.csv", [["企业名称"], *([n] for n in names)], "gbk")
    table = read_table(path)
    assert table.encoding == "gb18030"
    assert [cells[0] for _, cells in table.rows[1:]] == names


@pytest.mark.parametrize("name", ["rot13", "base64", "hex", "zlib", "bz2", "uu", "quopri"])
def test_encoding_option_takes_only_text_encodings(tmp_path: Path, name: str) -> None:
    path = write_csv(tmp_path / "l.csv", [HEADER, ROW], "utf-8")
    with pytest.raises(InvalidGraphData, match=f"'{name}' is not a text encoding"):
        read_table(path, encoding=name)


def test_utf16_without_bom_given_by_name(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "l.csv", [HEADER, ROW], "utf-16-le")
    assert read_table(path, encoding="utf_16_le").rows[1] == (2, ROW)


def test_gbk_taken_on_the_odds_says_so(tmp_path: Path) -> None:
    # EUC-KR Hangul bytes are also valid common Chinese: read as GBK, but never silently
    path = write_csv(tmp_path / "k.csv", [["name"], ["삼성전자"], ["현대자동차"]], "euc_kr")
    table = read_table(path)
    assert table.encoding == "gb18030"
    assert "could also be cp949" in table.encoding_note
    assert "--encoding cp949" in table.encoding_note
    assert read_table(path, encoding="cp949").rows[1] == (2, ["삼성전자"])
    plain = write_csv(
        tmp_path / "l.csv", [["企业名称", "所在地区"], ["甲电器有限公司", "上海"]], "gbk"
    )
    assert read_table(plain).encoding_note == ""


def test_external_dtd_is_never_fetched(tmp_path: Path, good_xlsx: Path) -> None:
    # a DOCTYPE naming an outside file, with no entity used: the file is not opened
    dtd = b'<!DOCTYPE w SYSTEM "file:///etc/passwd">'
    path = rewrite_part(
        good_xlsx, tmp_path / "dtd.xlsx", SHEET, lambda b: b.replace(XML_DECL, XML_DECL + dtd)
    )
    assert read_table(path).rows == [(1, ["企业名称", "所在地区"]), (2, ["甲", "上海"])]
