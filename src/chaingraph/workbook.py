"""Write rows as an Excel workbook (.xlsx) people can filter and sort.

Each sheet gets a bold header row that stays in view (frozen), an autofilter over the table,
column widths that fit the text (CJK characters count double, capped), numbers stored as
numbers, and text that looks like a formula stored as text (see :mod:`chaingraph.cells`).
The file is written to a temporary name beside the target and renamed over it, so an
interrupted write leaves the previous file.

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

import io
import math
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from . import jsontext
from .cells import formula_like
from .errors import ChaingraphError

Row = dict[str, Any]

#: widest a column gets, in character cells
MAX_WIDTH = 60
MIN_WIDTH = 6
#: Excel's limit on a sheet name, and the characters it refuses in one
SHEET_NAME_MAX = 31
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


class WorkbookError(ChaingraphError):
    """A workbook could not be written."""


@dataclass
class Column:
    """One column: the row key, its header, and an optional number format (e.g. '0.0%')."""

    key: str
    header: str
    number_format: str | None = None


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
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, list | tuple):
        if all(isinstance(v, dict) and ("name" in v or "id" in v) for v in value):
            return "、".join(str(v.get("name") or v.get("id") or "") for v in value)
        if all(not isinstance(v, dict | list | tuple) for v in value):
            return "、".join("" if v is None else str(v) for v in value)
    if isinstance(value, dict | list | tuple):
        return jsontext.dumps(value, sort_keys=True)
    return str(value)


def _width(value: Any) -> int:
    text = "" if value is None else str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def sheet_title(text: str, taken: Iterable[str] = ()) -> str:
    """A valid, unused sheet name from text: no ``[]:*?/\\``, at most 31 characters.

    >>> sheet_title("新能源/装备", ["新能源_装备"])
    '新能源_装备 (2)'
    """
    base = _BAD_SHEET_CHARS.sub("_", text).strip("'") or "Sheet"
    base = base[:SHEET_NAME_MAX]
    used = {t.lower() for t in taken}
    name, n = base, 1
    while name.lower() in used:
        n += 1
        suffix = f" ({n})"
        name = base[: SHEET_NAME_MAX - len(suffix)] + suffix
    return name


def _columns(sheet: Sheet) -> list[Column]:
    if sheet.columns:
        return sheet.columns
    keys: list[str] = []
    for row in sheet.rows:
        keys.extend(k for k in row if k not in keys)
    return [Column(k, k) for k in keys]


def build_workbook(sheets: Sequence[Sheet]) -> Workbook:
    """The openpyxl workbook of these sheets (see the module doc)."""
    wb = Workbook()
    if wb.active is not None:
        wb.remove(wb.active)
    taken: list[str] = []
    bold = Font(bold=True)
    for sheet in sheets:
        title = sheet_title(sheet.title, taken)
        taken.append(title)
        ws = wb.create_sheet(title)
        cols = _columns(sheet)
        top = 1
        if sheet.note:
            _text_cell(ws.cell(1, 1), sheet.note)
            ws.cell(1, 1).font = Font(italic=True)
            top = 2
        widths = [_width(c.header) for c in cols]
        for j, col in enumerate(cols, start=1):
            cell = ws.cell(top, j)
            _text_cell(cell, col.header)
            cell.font = bold
        for i, row in enumerate(sheet.rows, start=top + 1):
            for j, col in enumerate(cols, start=1):
                value = cell_value(row.get(col.key))
                cell = ws.cell(i, j)
                if isinstance(value, str):
                    _text_cell(cell, value)
                else:
                    cell.value = value
                    if col.number_format and isinstance(value, int | float):
                        cell.number_format = col.number_format
                widths[j - 1] = max(widths[j - 1], _width(value))
        for j, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(j)].width = min(MAX_WIDTH, max(MIN_WIDTH, w + 2))
        if cols:
            ws.freeze_panes = ws.cell(top + 1, 1)
            last = get_column_letter(len(cols))
            ws.auto_filter.ref = f"A{top}:{last}{max(top, top + len(sheet.rows))}"
    if not sheets:
        wb.create_sheet("Sheet")
    return wb


def _text_cell(cell: Any, text: str) -> None:
    """Store text as a text cell; one that looks like a formula is marked as text for Excel
    (quote prefix) so it is shown, and kept on edit, as typed."""
    cell.value = text
    cell.data_type = "s"
    if formula_like(text):
        cell.quotePrefix = True


def write_workbook(path: str | os.PathLike[str], sheets: Sequence[Sheet]) -> None:
    """Write the sheets to ``path`` (.xlsx) atomically: a temporary file, then a rename."""
    buf = io.BytesIO()
    build_workbook(sheets).save(buf)
    write_atomic(path, buf.getvalue())


def write_atomic(path: str | os.PathLike[str], data: bytes) -> None:
    """Write bytes to ``path`` through a temporary file in the same folder and a rename, so a
    reader never sees half a file and a failed write leaves the old one."""
    target = Path(path)
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, target)
        tmp = None
    except OSError as exc:
        raise WorkbookError(f"Cannot write '{target}': {exc.strerror or exc}") from exc
    finally:
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)
