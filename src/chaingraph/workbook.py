"""Write rows as an Excel workbook (.xlsx) people can filter and sort.

Each sheet gets a bold header row that stays in view (frozen), an autofilter over the table,
column widths that fit the text (CJK characters count double, capped), numbers stored as
numbers, and text that looks like a formula stored as text (see :mod:`chaingraph.cells`).
The file is written to a temporary name beside the target and renamed over it, so an
interrupted write leaves the previous file. The same sheets give the same bytes: every ZIP
member carries :func:`chaingraph.stamp.zip_time` (``SOURCE_DATE_EPOCH``, else 1980-01-01),
never the clock, and no part records when the file was written. Rows are streamed into the
file as XML (text as inline strings), so a workbook of millions of cells needs no spreadsheet
model in memory; openpyxl reads them back (the tests do).

>>> import tempfile, pathlib, openpyxl
>>> path = pathlib.Path(tempfile.mkdtemp()) / "t.xlsx"
>>> sheet = Sheet("企业", [{"id": "x", "name": "=1+1", "score": 2.5}],
...               [Column("id", "编号"), Column("name", "名称"), Column("score", "得分")])
>>> write_workbook(path, [sheet])
>>> ws = openpyxl.load_workbook(path)["企业"]
>>> [c.value for c in ws[1]], [c.value for c in ws[2]], ws.freeze_panes
(['编号', '名称', '得分'], ['x', '=1+1', 2.5], 'A2')
"""

from __future__ import annotations

import contextlib
import math
import numbers
import os
import re
import shutil
import sys
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from openpyxl.styles.numbers import BUILTIN_FORMATS_REVERSE
from openpyxl.utils import get_column_letter

from . import atomic, jsontext, stamp
from .cells import formula_like
from .errors import ChaingraphError

Row = dict[str, Any]

#: widest a column gets, in character cells
MAX_WIDTH = 60
MIN_WIDTH = 6
#: Excel's limit on a sheet name, and the characters it refuses in one
SHEET_NAME_MAX = 31
#: the most characters (UTF-16 units) Excel keeps in one cell; a longer text is cut, ending "…"
CELL_CHARS = 32_767
# Excel keeps this name for a shared workbook's change log and refuses a sheet called so
_RESERVED_SHEET_NAMES = frozenset({"history"})
#: deflate level of the parts: 1 writes several times faster than the default 6 and the
#: file is only about a tenth bigger (rows of repeated markup compress well either way)
COMPRESS_LEVEL = 1
_LEVEL_ATTRIBUTE = "compress_level" if sys.version_info >= (3, 13) else "_compresslevel"
#: characters a sheet name cannot hold: those Excel refuses, and control characters (a tab or
#: line break in the name attribute reads back as a space, so two names could become one)
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\\x00-\x1f]")


class WorkbookError(ChaingraphError):
    """A workbook could not be written."""


@dataclass
class Column:
    """One column: the row key, its header, an optional number format (e.g. '0.0%'), and
    optional ``words``: the text a cell shows for a value (a code), put in as it is written,
    so the rows need no translated copy."""

    key: str
    header: str
    number_format: str | None = None
    words: Mapping[str, str] | None = None


@dataclass
class Sheet:
    """A titled table. ``columns`` default to the rows' keys, headers as the keys."""

    title: str
    rows: Sequence[Row]
    columns: list[Column] = field(default_factory=list)
    note: str = ""  # a line above the header (sources, formulas); '' for none


def cell_value(value: Any) -> Any:
    """A value as stored in a cell: numbers and booleans as they are, None empty, a list of
    plain values joined with ``、``, anything nested as JSON, other values as text.

    >>> cell_value(3), cell_value(None), cell_value(["甲", "乙"]), cell_value(float("nan"))
    (3, None, '甲、乙', None)
    >>> cell_value([{"id": "a", "name": "甲"}, {"id": "b"}])
    '甲、b'
    """
    kind = type(value)
    if value is None or kind is bool or kind is int:
        return value
    if kind is float:
        return value if math.isfinite(value) else None
    # an IntEnum, numpy's integers and floats: the number (their repr is no cell value)
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, numbers.Real):
        number = float(value)
        return number if math.isfinite(number) else None
    if isinstance(value, list | tuple):
        if all(isinstance(v, dict) and ("name" in v or "id" in v) for v in value):
            return "、".join(str(v.get("name") or v.get("id") or "") for v in value)
        if all(not isinstance(v, dict | list | tuple) for v in value):
            return "、".join("" if v is None else str(v) for v in value)
    if isinstance(value, dict | list | tuple):
        return jsontext.dumps(value, sort_keys=True)
    return str(value)


def _width(text: str) -> int:
    """Character cells ``text`` takes (CJK wide and full-width characters count double)."""
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def sheet_title(text: str, taken: Iterable[str] = ()) -> str:
    """A valid, unused sheet name from text: no ``[]:*?/\\`` nor characters XML cannot
    hold, at most 31 characters as Excel counts them (UTF-16 units), no ``'`` at either end,
    not Excel's reserved ``History`` (in any case).

    >>> sheet_title("新能源/装备", ["新能源_装备"])
    '新能源_装备 (2)'
    """
    base = _NOT_XML.sub("_", _BAD_SHEET_CHARS.sub("_", text))
    base = _cut(base.strip("'"), SHEET_NAME_MAX).rstrip("'") or "Sheet"
    used = {t.lower() for t in taken} | _RESERVED_SHEET_NAMES
    name, n = base, 1
    while name.lower() in used:
        n += 1
        suffix = f" ({n})"
        name = _cut(base, SHEET_NAME_MAX - len(suffix)) + suffix
    return name


def _cut(text: str, units: int) -> str:
    """The longest start of ``text`` that is at most ``units`` UTF-16 code units long
    (a character beyond U+FFFF takes two)."""
    if len(text) <= units // 2 or len(text.encode("utf-16-le")) <= 2 * units:
        return text
    out, used = [], 0
    for ch in text:
        used += 2 if ord(ch) > 0xFFFF else 1
        if used > units:
            break
        out.append(ch)
    return "".join(out)


def _columns(sheet: Sheet) -> list[Column]:
    if sheet.columns:
        return sheet.columns
    keys: list[str] = []
    for row in sheet.rows:
        keys.extend(k for k in row if k not in keys)
    return [Column(k, k) for k in keys]


#: XML 1.0 cannot hold these (C0 controls but tab/newline/CR, lone surrogates, U+FFFE/F): a
#: cell shows U+FFFD in their place
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006"
_XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_SPREADSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml"
#: fonts of the styles part: 0 regular, 1 bold (headers), 2 italic (a sheet's note)
_FONTS = ("", "<b/>", "<i/>")
REGULAR, BOLD, ITALIC = range(3)
#: a ZIP member over this many bytes is written with ZIP64 headers
_ZIP64_OVER = 1 << 31


Stamp = tuple[int, int, int, int, int, int]


def _member(name: str, when: Stamp) -> zipfile.ZipInfo:
    """The entry of one part: its name, the time ``when`` (:func:`chaingraph.stamp.zip_time`),
    deflated, and the same system and mode on every platform (so the bytes are the same)."""
    info = zipfile.ZipInfo(name, date_time=when)
    info.compress_type = zipfile.ZIP_DEFLATED
    # an entry given as a ZipInfo keeps its own level, not the ZipFile's (3.13 names it)
    setattr(info, _LEVEL_ATTRIBUTE, COMPRESS_LEVEL)
    info.create_system = 3  # what zipfile writes on Unix (0 on Windows)
    info.external_attr = 0o600 << 16
    return info


def _esc(text: str, quote: bool = False) -> str:
    """Text as XML character data (or, with ``quote``, as an attribute value)."""
    if _NOT_XML.search(text) is not None:
        text = _NOT_XML.sub("\ufffd", text)
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if quote and '"' in text:
        text = text.replace('"', "&quot;")
    return text


class _Styles:
    """The cell formats the sheets use: (font, number format, quote prefix) -> xf index."""

    def __init__(self) -> None:
        self.xfs: dict[tuple[int, str, bool], int] = {(REGULAR, "", False): 0}
        self.formats: dict[str, int] = {}

    def of(self, font: int = REGULAR, number_format: str = "", quoted: bool = False) -> int:
        key = (font, number_format, quoted)
        found = self.xfs.get(key)
        if found is None:
            found = self.xfs[key] = len(self.xfs)
            if number_format and number_format not in BUILTIN_FORMATS_REVERSE:
                self.formats.setdefault(number_format, 164 + len(self.formats))
        return found

    def xml(self) -> str:
        def fmt_id(code: str) -> int:
            if not code:
                return 0
            return int(BUILTIN_FORMATS_REVERSE.get(code, self.formats.get(code, 0)))

        fonts = "".join(
            f'<font>{f}<sz val="11"/><name val="Calibri"/><family val="2"/></font>' for f in _FONTS
        )
        xfs = []
        for font, code, quoted in self.xfs:  # dicts keep insertion order: index order
            attrs = f'numFmtId="{fmt_id(code)}" fontId="{font}" fillId="0" borderId="0" xfId="0"'
            if font:
                attrs += ' applyFont="1"'
            if code:
                attrs += ' applyNumberFormat="1"'
            if quoted:
                attrs += ' quotePrefix="1"'
            xfs.append(f"<xf {attrs}/>")
        formats = "".join(
            f'<numFmt numFmtId="{i}" formatCode="{_esc(code, quote=True)}"/>'
            for code, i in self.formats.items()
        )
        return (
            f'{_XML_HEAD}<styleSheet xmlns="{_MAIN}">'
            + (f'<numFmts count="{len(self.formats)}">{formats}</numFmts>' if formats else "")
            + f'<fonts count="{len(_FONTS)}">{fonts}</fonts>'
            '<fills count="2"><fill><patternFill patternType="none"/></fill>'
            '<fill><patternFill patternType="gray125"/></fill></fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border>'
            "</borders>"
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
            "</cellStyleXfs>"
            f'<cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
            "</styleSheet>"
        )


def _text_cell(ref: str, text: str, style: int) -> str:
    if len(text) > CELL_CHARS // 2 and len(text.encode("utf-16-le")) > 2 * CELL_CHARS:
        text = _cut(text, CELL_CHARS - 1) + "…"  # Excel refuses a longer cell as damage
    space = ' xml:space="preserve"' if text != text.strip() else ""
    s = f' s="{style}"' if style else ""
    return f'<c r="{ref}"{s} t="inlineStr"><is><t{space}>{_esc(text)}</t></is></c>'


def _write_rows(
    body: IO[bytes], sheet: Sheet, cols: list[Column], top: int, styles: _Styles
) -> list[int]:
    """Write the ``<row>`` elements of a sheet (note, header, data) to ``body``; return each
    column's width in character cells."""
    letters = [get_column_letter(j) for j in range(1, len(cols) + 1)]
    quoted = styles.of(quoted=True)
    if sheet.note:
        note = sheet.note
        italic = styles.of(ITALIC, quoted=formula_like(note))
        body.write(f'<row r="1">{_text_cell("A1", note, italic)}</row>'.encode())
    header = [
        _text_cell(f"{c}{top}", col.header, styles.of(BOLD, quoted=formula_like(col.header)))
        for c, col in zip(letters, cols, strict=True)
    ]
    body.write(f'<row r="{top}">{"".join(header)}</row>'.encode())
    widths = [_width(col.header) for col in cols]
    keys = [col.key for col in cols]
    number_style = [styles.of(number_format=c.number_format or "") for c in cols]
    words = [c.words for c in cols]
    capped = MAX_WIDTH - 2  # a column this wide already gets MAX_WIDTH
    for i, row in enumerate(sheet.rows, start=top + 1):
        r = str(i)
        cells = [f'<row r="{r}">']
        get = row.get
        for j, key in enumerate(keys):
            value = get(key)
            if type(value) is not str:  # text, most cells, is stored as it is
                value = cell_value(value)
            elif (shown := words[j]) is not None:
                value = shown.get(value, value)
            if value is None or value == "":
                continue
            if isinstance(value, str):
                cells.append(
                    _text_cell(letters[j] + r, value, quoted if formula_like(value) else 0)
                )
                text = value
            elif isinstance(value, bool):
                style = number_style[j]
                s = f' s="{style}"' if style else ""
                cells.append(f'<c r="{letters[j]}{r}"{s} t="b"><v>{int(value)}</v></c>')
                text = str(value)
            else:
                text = repr(value)
                style = number_style[j]
                s = f' s="{style}"' if style else ""
                cells.append(f'<c r="{letters[j]}{r}"{s}><v>{text}</v></c>')
            width = widths[j]
            if width < capped and len(text) * 2 > width:
                widths[j] = max(width, _width(text))
        cells.append("</row>")
        body.write("".join(cells).encode("utf-8"))
    return widths


def _sheet_part(
    zf: zipfile.ZipFile, part: zipfile.ZipInfo, sheet: Sheet, cols: list[Column], styles: _Styles
) -> str | None:
    """Write one worksheet part; return its autofilter range (None without columns)."""
    top = 2 if sheet.note else 1
    with tempfile.TemporaryFile() as body:
        widths = _write_rows(body, sheet, cols, top, styles)
        size = body.tell()
        body.seek(0)
        head = [f'{_XML_HEAD}<worksheet xmlns="{_MAIN}" xmlns:r="{_RELS}">']
        ref = None
        if cols:
            cell = f"A{top + 1}"
            head.append(
                '<sheetViews><sheetView workbookViewId="0">'
                f'<pane ySplit="{top}" topLeftCell="{cell}" activePane="bottomLeft" '
                'state="frozen"/>'
                f'<selection pane="bottomLeft" activeCell="{cell}" sqref="{cell}"/>'
                "</sheetView></sheetViews>"
            )
            head.append("<cols>")
            for j, w in enumerate(widths, start=1):
                width = min(MAX_WIDTH, max(MIN_WIDTH, w + 2))
                head.append(f'<col min="{j}" max="{j}" width="{width}" customWidth="1"/>')
            head.append("</cols>")
            last = get_column_letter(len(cols))
            ref = f"A{top}:{last}{max(top, top + len(sheet.rows))}"
        head.append("<sheetData>")
        tail = "</sheetData>" + (f'<autoFilter ref="{ref}"/>' if ref else "") + "</worksheet>"
        with zf.open(part, "w", force_zip64=size > _ZIP64_OVER) as out:
            out.write("".join(head).encode())
            shutil.copyfileobj(body, out, 1 << 20)
            out.write(tail.encode())
    return ref


class WorkbookWriter:
    """A workbook written a sheet at a time, each as soon as it is added, so the rows of one
    sheet can be dropped before the next is built; the sheets' order and names are fixed
    when it is closed. Written to a temporary file beside ``path``, renamed over it by
    :meth:`close`; :meth:`discard` (or leaving a ``with`` block by an exception) leaves the
    old file.

    >>> import tempfile, pathlib, openpyxl
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "t.xlsx"
    >>> with WorkbookWriter(path) as book:
    ...     late = book.add(Sheet("明细", [{"a": 1}]))
    ...     first = book.add(Sheet("概览", [{"b": 2}]))
    ...     book.close([first, late])
    >>> openpyxl.load_workbook(path).sheetnames
    ['概览', '明细']
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.target = Path(path)
        self.styles = _Styles()
        self.parts: list[tuple[str, str | None]] = []  # (wanted title, autofilter range)
        self.when = stamp.zip_time()  # read first: a bad SOURCE_DATE_EPOCH leaves no file
        try:
            fd, self.tmp = atomic.temp_beside(self.target)
        except OSError as exc:
            raise WorkbookError(f"Cannot write '{self.target}': {exc.strerror or exc}") from exc
        self.file = os.fdopen(fd, "wb")
        self.zip = zipfile.ZipFile(
            self.file, "w", zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL
        )
        self.done = False

    def __enter__(self) -> WorkbookWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        if not self.done:
            self.discard()

    def add(self, sheet: Sheet) -> int:
        """Write one sheet; returns its number for :meth:`close`."""
        part = f"xl/worksheets/sheet{len(self.parts) + 1}.xml"
        try:
            ref = _sheet_part(
                self.zip, _member(part, self.when), sheet, _columns(sheet), self.styles
            )
        except OSError as exc:
            self.discard()
            raise WorkbookError(f"Cannot write '{self.target}': {exc.strerror or exc}") from exc
        self.parts.append((sheet.title, ref))
        return len(self.parts) - 1

    def close(self, order: Sequence[int] | None = None) -> None:
        """Finish the file with the sheets in ``order`` (numbers from :meth:`add`, each once;
        default: as added) and rename it into place. Names are made valid and unique in
        that order (:func:`sheet_title`)."""
        if order is None:
            order = range(len(self.parts))
        if sorted(order) != list(range(len(self.parts))):
            self.discard()
            raise ValueError("order must list every added sheet once")
        try:
            if not self.parts:
                order = [self.add(Sheet("Sheet", [], []))]
            self._finish(order)
            self.zip.close()
            self.file.close()
            os.replace(self.tmp, self.target)
            self.done = True
        except OSError as exc:
            self.discard()
            raise WorkbookError(f"Cannot write '{self.target}': {exc.strerror or exc}") from exc

    def discard(self) -> None:
        """Give up: close and remove the temporary file (the old workbook stays)."""
        self.done = True
        for closing in (self.zip.close, self.file.close):
            with contextlib.suppress(OSError, ValueError):  # already closed, or the disk is
                closing()
        if os.path.exists(self.tmp):
            os.unlink(self.tmp)

    def _finish(self, order: Sequence[int]) -> None:
        zf, when = self.zip, self.when
        titles: list[str] = []
        for i in order:
            titles.append(sheet_title(self.parts[i][0], titles))
        zf.writestr(_member("xl/styles.xml", when), self.styles.xml())
        entries = "".join(
            f'<sheet name="{_esc(t, quote=True)}" sheetId="{i + 1}" r:id="rId{i + 1}"/>'
            for t, i in zip(titles, order, strict=True)
        )
        names = "".join(
            f'<definedName name="_xlnm._FilterDatabase" localSheetId="{n}" hidden="1">'
            + _esc("'" + t.replace("'", "''") + "'!" + _absolute(ref))
            + "</definedName>"
            for n, (t, i) in enumerate(zip(titles, order, strict=True))
            if (ref := self.parts[i][1])
        )
        zf.writestr(
            _member("xl/workbook.xml", when),
            f'{_XML_HEAD}<workbook xmlns="{_MAIN}" xmlns:r="{_RELS}">'
            f'<bookViews><workbookView activeTab="0"/></bookViews><sheets>{entries}</sheets>'
            + (f"<definedNames>{names}</definedNames>" if names else "")
            + "</workbook>",
        )
        count = len(self.parts)
        rels = [
            f'<Relationship Id="rId{n}" Type="{_RELS}/worksheet" Target="worksheets/sheet{n}.xml"/>'
            for n in range(1, count + 1)
        ]
        rels.append(
            f'<Relationship Id="rId{count + 1}" Type="{_RELS}/styles" Target="styles.xml"/>'
        )
        zf.writestr(
            _member("xl/_rels/workbook.xml.rels", when),
            f'{_XML_HEAD}<Relationships xmlns="{_PKG}/relationships">{"".join(rels)}'
            "</Relationships>",
        )
        zf.writestr(
            _member("_rels/.rels", when),
            f'{_XML_HEAD}<Relationships xmlns="{_PKG}/relationships">'
            f'<Relationship Id="rId1" Type="{_RELS}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>",
        )
        overrides = [
            f'<Override PartName="/xl/worksheets/sheet{n}.xml" '
            f'ContentType="{_SPREADSHEET}.worksheet+xml"/>'
            for n in range(1, count + 1)
        ]
        zf.writestr(
            _member("[Content_Types].xml", when),
            f'{_XML_HEAD}<Types xmlns="{_PKG}/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{_SPREADSHEET}.sheet.main+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{_SPREADSHEET}.styles+xml"/>'
            f"{''.join(overrides)}</Types>",
        )


def _absolute(ref: str) -> str:
    """'A1:C5' -> '$A$1:$C$5'."""
    return ":".join(re.sub(r"^([A-Z]+)(\d+)$", r"$\1$\2", part) for part in ref.split(":"))


def write_workbook(path: str | os.PathLike[str], sheets: Sequence[Sheet]) -> None:
    """Write the sheets to ``path`` (.xlsx) atomically: a temporary file, then a rename.

    The sheets are streamed into the file row by row (no spreadsheet model in memory): a
    report of a million firms writes millions of cells."""
    with WorkbookWriter(path) as book:
        for sheet in sheets:
            book.add(sheet)
        book.close()
