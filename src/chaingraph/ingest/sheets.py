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
from typing import BinaryIO

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
    #: Set when the encoding was taken on the odds (see :func:`detect_encoding`): say so.
    encoding_note: str = ""


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


#: An .xlsx whose parts unpack to more than this is refused before parsing (a zip bomb).
MAX_XLSX_UNPACKED = 512 * 1024 * 1024
#: ... or whose parts are packed tighter than this ratio (real sheets pack ~10-20:1).
MAX_XLSX_RATIO = 200


def _not_readable(path: Path, reason: str) -> InvalidGraphData:
    return InvalidGraphData(
        f"'{path}' is not a readable xlsx ({reason}). "
        "Open it in Excel or WPS and save it again as .xlsx or .csv"
    )


def _check_zip(path: Path) -> None:
    """Refuse an .xlsx that is not a zip, or whose parts would unpack to a bomb."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise _not_readable(path, f"not a zip archive: {exc}") from exc
    unpacked = sum(info.file_size for info in infos)
    packed = sum(info.compress_size for info in infos) or 1
    if unpacked > MAX_XLSX_UNPACKED or unpacked > MAX_XLSX_RATIO * max(packed, 1 << 16):
        raise _not_readable(
            path, f"its parts would unpack to {unpacked:,} bytes from {packed:,}; a zip bomb?"
        )


def _read_xlsx(path: Path, sheet: str | None) -> Table:
    """Read one sheet with openpyxl, whose XML goes through defusedxml (no entities, no DTD).

    openpyxl is a parser of untrusted bytes: any exception it raises (broken XML, an entity,
    a corrupt deflate stream, a missing part, a bad attribute) means the file is not readable,
    and is reported as one line naming the file. Only our own errors (no such sheet) pass.
    """
    _check_zip(path)
    with path.open("rb") as handle:  # ours to close: openpyxl leaks it when parsing fails
        return _read_book(path, handle, sheet)


def _read_book(path: Path, handle: BinaryIO, sheet: str | None) -> Table:
    import openpyxl  # imported here: only imports need it

    try:
        book = openpyxl.load_workbook(handle, read_only=True, data_only=True)
    except Exception as exc:  # any openpyxl failure: see _read_xlsx
        raise _not_readable(path, _reason(exc)) from exc
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
    except InvalidGraphData:
        raise
    except Exception as exc:  # any openpyxl failure: see _read_xlsx
        raise _not_readable(path, _reason(exc)) from exc
    finally:
        book.close()
    return Table(path, sheet, rows, "", numeric)


def _reason(exc: BaseException) -> str:
    """The innermost cause of a parser failure, short: 'ParseError: unclosed token ...'."""
    while exc.__cause__ is not None or exc.__context__ is not None:
        inner = exc.__cause__ or exc.__context__
        assert inner is not None
        exc = inner
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text[:120]}" if text else type(exc).__name__


#: charset-normalizer's names for the GB family that GB18030 decodes.
GB_FAMILY = frozenset({"gb18030", "gbk", "gb2312", "hz"})
#: Share of non-ASCII characters that must be common simplified Chinese (in GB2312) for a
#: GB18030 decoding to be taken, besides the detector ranking it first: Big5 and Shift-JIS
#: bytes read as GB18030 give rare characters, kana and Greek letters far below it.
GB2312_SHARE = 0.8
#: ... and the share needed when the detector ranks another encoding first (with a note).
GB2312_ODDS = 0.95


def detect_encoding(data: bytes) -> str:
    """The encoding of CSV bytes, or InvalidGraphData (listing guesses) when it is doubtful.

    A BOM decides; else UTF-8 if the bytes decode as UTF-8; else GB18030 (a superset of GBK
    and GB2312) when its decoding reads as simplified Chinese: charset-normalizer ranks the
    GB family first and most non-ASCII characters are common ones (in GB2312). Anything else
    (Big5, Shift-JIS, EUC-KR, CP1252, a GBK file too short to tell) is refused, naming the
    likely encodings, rather than decoded into wrong names.

    >>> gbk = "企业名称,所在地区\\n浙江甲电器有限公司,嵊州\\n".encode("gbk")
    >>> detect_encoding(codecs.BOM_UTF8 + "甲".encode()), detect_encoding(gbk)
    ('utf-8-sig', 'gb18030')
    >>> big5 = "name\\n台積電股份有限公司\\n".encode("big5")
    >>> try:
    ...     detect_encoding(big5)
    ... except InvalidGraphData as exc:
    ...     print(str(exc)[:47])
    its encoding is not UTF-8 or GBK/GB18030 and ca
    """
    encoding, guesses = _detect(data)
    if encoding:
        return encoding
    raise InvalidGraphData(_doubt_message(guesses))


def _detect(data: bytes) -> tuple[str, list[str]]:
    """(encoding, other guesses) or ("", guesses) when the decoding is too doubtful to use.

    GB18030 comes with other guesses when it was taken on the odds: the detector ranked
    another encoding first (short files; EUC-KR Hangul bytes are also valid common Chinese),
    but nearly every character is common simplified Chinese.
    """
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", []
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", []
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8", []
    from charset_normalizer import from_bytes  # only for files that are not UTF-8

    # UTF-16/32 without a BOM would hold NUL bytes, which a text CSV here never has
    found = [m.encoding for m in from_bytes(data[: 1 << 20]) if not m.encoding.startswith("utf")]
    ranked = list(dict.fromkeys("gb18030" if m in GB_FAMILY else m for m in found))
    others = [g for g in ranked if g != "gb18030"][:3]
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        return "", others
    share = _gb2312_share(text)
    if ranked[:1] == ["gb18030"] and share >= GB2312_SHARE:
        return "gb18030", []
    if "gb18030" in ranked and share >= GB2312_ODDS:
        return "gb18030", others
    return "", ranked[:3]


def _gb2312_share(text: str) -> float:
    """The share of non-ASCII characters that GB2312 (common simplified Chinese) can encode.

    >>> _gb2312_share("abc甲乙"), _gb2312_share("縩筿Τそ")
    (1.0, 0.5)
    """
    wide = [c for c in text if ord(c) > 127]
    if not wide:
        return 1.0
    common = 0
    for c in wide:
        try:
            c.encode("gb2312")
        except UnicodeEncodeError:
            continue
        common += 1
    return common / len(wide)


def _doubt_message(guesses: list[str]) -> str:
    maybe = f" It may be {' or '.join(guesses)}." if guesses else ""
    example = guesses[0] if guesses else "big5"
    return (
        "its encoding is not UTF-8 or GBK/GB18030 and cannot be told for sure, so it was not "
        f"read (names would come out garbled).{maybe} Pass --encoding ENC (e.g. --encoding "
        f"{example}) and check the names, or save it in Excel/WPS as 'CSV UTF-8'"
    )


def check_encoding(name: str) -> str:
    """``name`` if it is a text encoding Python knows, else InvalidGraphData with the fix.

    >>> check_encoding("GBK")
    'GBK'
    >>> check_encoding("rot13")
    Traceback (most recent call last):
    ...
    chaingraph.errors.InvalidGraphData: 'rot13' is not a text encoding. Try utf-8, gb18030 or big5
    """
    try:
        info = codecs.lookup(name)
    except LookupError as exc:
        raise InvalidGraphData(f"Unknown encoding '{name}'. Try utf-8, gb18030 or big5") from exc
    if not getattr(info, "_is_text_encoding", True):
        raise InvalidGraphData(f"'{name}' is not a text encoding. Try utf-8, gb18030 or big5")
    return name


def _read_csv(path: Path, encoding: str | None) -> Table:
    data = path.read_bytes()
    guesses: list[str] = []
    if encoding is not None:
        chosen = check_encoding(encoding)
    else:
        chosen, guesses = _detect(data)
    if not chosen.lower().replace("_", "-").startswith("utf-16") and b"\x00" in data[:8192]:
        raise InvalidGraphData(
            f"'{path}' is not a text spreadsheet (it holds binary data). "
            "Give an .xlsx file or a .csv saved as text"
        )
    if not chosen:
        raise InvalidGraphData(f"'{path}': {_doubt_message(guesses)}")
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
            rows.append((line, list(map(str.strip, record))))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise InvalidGraphData(f"'{path}' line {line}: not valid CSV ({exc})") from exc
    note = ""
    if chosen and guesses:
        note = (
            f"'{path.name}' was read as GB18030 (GBK), the likeliest here, but it could also "
            f"be {' or '.join(guesses)}. If the names look wrong, import again with "
            f"--encoding {guesses[0]}"
        )
    return Table(path, "", rows, chosen, encoding_note=note)
