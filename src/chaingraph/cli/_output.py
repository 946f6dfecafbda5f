"""Rows -> text: aligned tables for people, JSON and CSV for scripts. No click here.

JSON is a list of objects (or one object), keys as given, non-ASCII kept as is. CSV has a
header row; list values are joined with ``|`` and nested values written as JSON; a cell that
a spreadsheet would run as a formula is neutralised (:func:`chaingraph.cells.neutralise`).
Tables align columns by display width, so Chinese text (two cells per character) lines up.
``xlsx`` rows are the CSV cells with numbers kept as numbers (:func:`xlsx_rows`).
"""

from __future__ import annotations

import csv
import functools
import io
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

from .. import jsontext
from ..cells import neutralise

FORMATS = ("table", "json", "csv", "xlsx")


@functools.lru_cache(maxsize=4096)
def display_width(text: str) -> int:
    """Terminal cells a string takes: wide (CJK) characters count two.

    Remembered for the last 4,096 texts: a table repeats its statuses, kinds and headers,
    and measures each cell twice (the column's width, then its padding).

    >>> display_width("比亚迪 BYD")
    10
    """
    if text.isascii():  # (no ASCII character combines or is wide)
        return len(text)
    width = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def cell_text(value: Any) -> str:
    """A value as one table or CSV cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list | tuple) and all(not isinstance(v, dict | list) for v in value):
        return "|".join(cell_text(v) for v in value)
    if isinstance(value, dict | list | tuple):
        return jsontext.dumps(value, sort_keys=True)
    return str(value).replace("\r", " ").replace("\n", " ")


def columns_of(rows: Sequence[dict[str, Any]]) -> list[str]:
    """Keys of the rows in first-seen order."""
    cols: list[str] = []
    for row in rows:
        cols.extend(k for k in row if k not in cols)
    return cols


def table(rows: Sequence[dict[str, Any]], columns: Sequence[str] | None = None) -> str:
    """An aligned plain-text table with a header and a rule.

    >>> print(table([{"id": "byd", "name": "比亚迪"}]))
    id   name
    ---  ------
    byd  比亚迪
    """
    cols = list(columns) if columns is not None else columns_of(rows)
    if not cols:
        return ""
    cells = [[cell_text(r.get(c)) for c in cols] for r in rows]
    widths = [
        max([display_width(c), *(display_width(row[i]) for row in cells)])
        for i, c in enumerate(cols)
    ]

    def line(values: Iterable[str]) -> str:
        parts = [v + " " * (w - display_width(v)) for v, w in zip(values, widths, strict=True)]
        return "  ".join(parts).rstrip()

    out = [line(cols), line("-" * w for w in widths)]
    out.extend(line(row) for row in cells)
    return "\n".join(out)


def to_json(data: Any) -> str:
    """Stable JSON: indented, non-ASCII kept."""
    return jsontext.dumps(data, indent=2)


def to_csv(rows: Sequence[dict[str, Any]], columns: Sequence[str] | None = None) -> str:
    """CSV text with a header row (``\\n`` line ends)."""
    cols = list(columns) if columns is not None else columns_of(rows)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(cols)
    for row in rows:
        writer.writerow([neutralise(cell_text(row.get(c))) for c in cols])
    return buf.getvalue().rstrip("\n")


def xlsx_rows(
    rows: Sequence[dict[str, Any]], columns: Sequence[str] | None = None
) -> tuple[list[str], list[dict[str, Any]]]:
    """(columns, rows) for a workbook sheet: the CSV cells, numbers and booleans kept."""
    cols = list(columns) if columns is not None else columns_of(rows)
    out = []
    for row in rows:
        cells: dict[str, Any] = {}
        for c in cols:
            v = row.get(c)
            cells[c] = v if v is None or isinstance(v, bool | int | float) else cell_text(v)
        out.append(cells)
    return cols, out


def render(
    rows: Sequence[dict[str, Any]], fmt: str = "table", columns: Sequence[str] | None = None
) -> str:
    """Rows in one of :data:`FORMATS`. JSON keeps every key; table/CSV show ``columns``."""
    if fmt == "json":
        return to_json(list(rows))
    if fmt == "csv":
        return to_csv(rows, columns)
    if fmt == "table":
        return table(rows, columns)
    raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
