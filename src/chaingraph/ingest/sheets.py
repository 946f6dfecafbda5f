"""Read a spreadsheet (.xlsx, or .csv in UTF-8 / UTF-8 BOM / GBK / GB18030) into text rows.

Every cell becomes a string (numbers without a spurious ``.0``, dates as ISO text); row
numbers are the ones a spreadsheet program shows (the first line is 1), so a bad-row report
can be checked against the file.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InvalidGraphData

XLSX_SUFFIXES = (".xlsx", ".xlsm")
CSV_SUFFIXES = (".csv", ".tsv", ".txt")


@dataclass
class Table:
    """The rows of one sheet: ``rows`` are (row number, cells) with cells as stripped text.

    ``numeric`` holds the (row number, column index) of cells the file stored as numbers,
    so that a credit code that lost its digits to a number format can be refused.
    """

    file: Path
    sheet: str
    rows: list[tuple[int, list[str]]]
    encoding: str = ""
    numeric: set[tuple[int, int]] = field(default_factory=set)


def cell_text(value: object) -> str:
    """A cell value as text: ``3000.0`` -> ``3000``, dates as ISO, None as ''.

    >>> cell_text(3000.0), cell_text(1.5), cell_text(None), cell_text(" 甲 ")
    ('3000', '1.5', '', '甲')
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def read_table(path: str | Path, sheet: str | None = None, encoding: str | None = None) -> Table:
    """Read the rows of a .xlsx sheet (the first, or ``sheet``) or of a .csv file.

    Parameters
    ----------
    path : str or Path
        The file; its suffix decides the reader (.xlsx/.xlsm, or .csv/.tsv/.txt).
    sheet : str, optional
        Sheet name of an .xlsx file; default the first sheet.
    encoding : str, optional
        Encoding of a .csv file; default detected (see :func:`detect_encoding`).

    Raises
    ------
    InvalidGraphData
        The file is missing, not a spreadsheet, cannot be decoded, has no such sheet, or the
        sheet is empty. The message names the file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "list.csv").write_bytes("企业名称,产值(万元)\\n甲电器,3000\\n".encode("gbk"))
    >>> table = read_table(folder / "list.csv")
    >>> table.encoding, table.rows
    ('gb18030', [(1, ['企业名称', '产值(万元)']), (2, ['甲电器', '3000'])])
    """
    path = Path(path)
    if not path.is_file():
        raise InvalidGraphData(f"File '{path}' does not exist. Check the path")
    suffix = path.suffix.lower()
    if suffix in XLSX_SUFFIXES:
        table = _read_xlsx(path, sheet)
    elif suffix in CSV_SUFFIXES:
        if sheet:
            raise InvalidGraphData(f"'{path}' is a CSV file and has no sheets; drop --sheet")
        table = _read_csv(path, encoding)
    elif suffix == ".xls":
        raise InvalidGraphData(
            f"'{path}' is an old Excel 97-2003 (.xls) file. Re-save it as .xlsx or .csv"
        )
    else:
        raise InvalidGraphData(
            f"'{path}' is not a spreadsheet this tool reads. Give an .xlsx or .csv file"
        )
    if not any(any(cells) for _, cells in table.rows):
        where = f"sheet '{table.sheet}' of '{path}'" if table.sheet else f"'{path}'"
        raise InvalidGraphData(f"The {where} is empty. Check that you gave the right file/sheet")
    return table


def _read_xlsx(path: Path, sheet: str | None) -> Table:
    import openpyxl  # imported here: only imports need it
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise InvalidGraphData(
            f"'{path}' is not a valid .xlsx spreadsheet ({type(exc).__name__}). "
            "Open it in Excel or WPS and save it as .xlsx or .csv"
        ) from exc
    try:
        names = list(book.sheetnames)
        if sheet is None:
            if not names:  # pragma: no cover - openpyxl refuses workbooks without sheets
                raise InvalidGraphData(f"'{path}' has no sheets")
            sheet = names[0]
        elif sheet not in names:
            listing = ", ".join(f"'{n}'" for n in names)
            raise InvalidGraphData(f"'{path}' has no sheet '{sheet}'. Its sheets: {listing}")
        ws = book[sheet]
        rows: list[tuple[int, list[str]]] = []
        numeric: set[tuple[int, int]] = set()
        for number, values in enumerate(ws.iter_rows(min_row=1, values_only=True), start=1):
            cells = [cell_text(v) for v in values]
            for col, value in enumerate(values):
                if isinstance(value, int | float) and not isinstance(value, bool):
                    numeric.add((number, col))
            rows.append((number, cells))
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError) as exc:
        raise InvalidGraphData(f"'{path}' could not be read as .xlsx: {exc}") from exc
    finally:
        book.close()
    return Table(path, sheet, rows, "", numeric)


def detect_encoding(data: bytes) -> str:
    """The encoding of CSV bytes: a BOM decides; else UTF-8 if it decodes, else GB18030.

    GB18030 is a superset of GBK and GB2312, so GBK files decode with it.

    >>> detect_encoding(codecs.BOM_UTF8 + "甲".encode()), detect_encoding("甲".encode("gbk"))
    ('utf-8-sig', 'gb18030')
    """
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


def _read_csv(path: Path, encoding: str | None) -> Table:
    data = path.read_bytes()
    chosen = encoding or detect_encoding(data)
    if not chosen.lower().startswith("utf-16") and b"\x00" in data[:8192]:
        raise InvalidGraphData(
            f"'{path}' is not a text spreadsheet (it holds binary data). "
            "Give an .xlsx file or a .csv saved as text"
        )
    try:
        codecs.lookup(chosen)
    except LookupError as exc:
        raise InvalidGraphData(f"Unknown encoding '{chosen}'. Try utf-8 or gb18030") from exc
    try:
        text = data.decode(chosen)
    except UnicodeDecodeError as exc:
        hint = "" if encoding else " Pass --encoding (e.g. utf-8, gb18030, big5)"
        raise InvalidGraphData(
            f"'{path}' cannot be decoded as {chosen} (byte {exc.start}).{hint}"
        ) from exc
    text = text.removeprefix("\ufeff")
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", "\t", ";"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[str]]] = []
    line = 1
    try:
        for record in reader:
            rows.append((line, [cell.strip() for cell in record]))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise InvalidGraphData(f"'{path}' line {line}: not valid CSV ({exc})") from exc
    return Table(path, "", rows, chosen)
