"""The three files an import writes into a dataset: their columns, what earlier imports wrote
(:class:`Imported`), and their new text (:func:`render_files`).
"""

from __future__ import annotations

import contextlib
import csv
import functools
import io
import operator
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .. import safe_yaml
from ..cells import FORMULA_START, neutralise, restore
from ..dataset import csv_lines
from ..model import Kind, fields_of

FIRMS_FILE = "firms-imported.csv"
RELATIONS_FILE = "relations-imported.csv"
SOURCES_FILE = "sources-imported.yaml"
IMPORT_FILES = (FIRMS_FILE, RELATIONS_FILE, SOURCES_FILE)

EDGE_COLUMNS = ("from", "rel", "to", "product", "source", "quote", "locator")
#: the citation columns of the imported CSV files
CITATION_COLUMNS = ("source", "quote", "locator")
LIST_SEP = "|"

#: firm fields a row can set, in CSV column order (a field the Firm schema lacks is dropped)
_FIRM_FIELDS = (
    "aliases",
    "local",
    "region",
    "division_code",
    "credit_code",
    "above_size",
    "output_cny",
    "output_text",
    "employees",
    "products",
)


@functools.cache
def firm_columns() -> tuple[str, ...]:
    """The columns of ``firms-imported.csv`` (a field the Firm schema lacks is left out)."""
    known = fields_of(Kind.FIRM)
    return (
        "id",
        "kind",
        "name",
        *(f for f in _FIRM_FIELDS if f in known),
        *CITATION_COLUMNS,
    )


@functools.cache
def firm_column_set() -> frozenset[str]:
    """The columns of ``firms-imported.csv``, as a set."""
    return frozenset(firm_columns())


def blank_firm() -> dict[str, str]:
    """A record of ``firms-imported.csv`` with every column empty (a record holding every
    column is written without a look-up per cell: see :func:`csv_rows`)."""
    return dict.fromkeys(firm_columns(), "")


@dataclass
class Imported:
    """The content of the imported files of a dataset: CSV rows as text, Source nodes."""

    firms: dict[str, dict[str, str]] = field(default_factory=dict)
    edges: dict[tuple[str, str, str], dict[str, str]] = field(default_factory=dict)
    sources: dict[str, dict[str, Any]] = field(default_factory=dict)
    firm_header: list[str] = field(default_factory=list)
    edge_header: list[str] = field(default_factory=list)

    @classmethod
    def read(cls, folder: Path, seen: Mapping[str, bytes | None] | None = None) -> Imported:
        """Read the imported files of a dataset folder (missing files are empty); ``seen``:
        their bytes (None: no file) as already read, instead of reading them again."""
        out = cls()
        seen = seen if seen is not None else {n: file_bytes(folder / n) for n in IMPORT_FILES}
        header, rows = _read_csv(seen[FIRMS_FILE])
        out.firm_header = header
        for row in rows:
            if row.get("id"):
                out.firms[row["id"]] = _split_old_quote(row)
        header, rows = _read_csv(seen[RELATIONS_FILE])
        out.edge_header = header
        for row in rows:
            if row.get("from") and row.get("rel") and row.get("to"):
                out.edges[(row["from"], row["rel"], row["to"])] = _split_old_quote(row)
        sources = seen[SOURCES_FILE]
        if sources is not None:
            data = safe_yaml.load_bytes(sources, str(folder / SOURCES_FILE), lines=False) or {}
            nodes = data.get("nodes") if isinstance(data, dict) else None
            for node in nodes if isinstance(nodes, list) else []:
                if isinstance(node, dict) and node.get("id"):
                    out.sources[str(node["id"])] = node
        return out


#: the place prefix earlier versions put into a quote: ``[Sheet1 第12行] `` or ``[第12行] ``
_OLD_PLACE_RE = re.compile(r"\[((?:[^\[\]]+ )?第\d+行)\] ")


def _split_old_quote(record: dict[str, str]) -> dict[str, str]:
    """Move the place out of a quote written before the ``locator`` column existed.

    >>> _split_old_quote({"source": "import-x", "quote": "[Sheet1 第2行] 企业名称: 丙"})
    {'source': 'import-x', 'quote': '企业名称: 丙', 'locator': 'Sheet1 第2行'}
    """
    if record.get("locator"):
        return record  # (what this importer writes: no regular expression needed)
    quote = record.get("quote", "")
    match = _OLD_PLACE_RE.match(quote)
    if not match or not record.get("source", "").startswith("import-"):
        return record
    return {**record, "quote": quote[match.end() :], "locator": match.group(1)}


def file_bytes(path: Path) -> bytes | None:
    """A file's bytes (None: there is no file)."""
    return path.read_bytes() if path.is_file() else None


def _read_csv(data: bytes | None) -> tuple[list[str], list[dict[str, str]]]:
    """The header and the records of an imported CSV file (its bytes; None: no file), as
    csv.DictReader reads them (a blank line skipped, a short row's missing cells empty, a
    long row's extra cells left out) with each spreadsheet-safe cell restored; without
    DictReader's Python code per row (a 20,000-firm file is read again by every import into
    the dataset)."""
    if data is None:
        return [], []
    reader = csv.reader(csv_lines(data.decode("utf-8-sig")))
    header = next(reader, [])
    width = len(header)
    rows = []
    for cells in reader:
        if not cells:
            continue
        if len(cells) < width:
            cells += [""] * (width - len(cells))
        if "'" in "".join(cells):  # (restore changes only a cell starting with one)
            cells = [restore(c) for c in cells]
        rows.append(dict(zip(header, cells, strict=False)))
    return header, rows


# --- rendering ----------------------------------------------------------------------------


def render_files(
    firms: dict[str, dict[str, str]],
    edges: dict[tuple[str, str, str], dict[str, str]],
    sources: dict[str, dict[str, Any]],
    imported: Imported,
) -> dict[str, str]:
    """The new text of each imported file (all three; unchanged ones included)."""
    return render(firms, edges, sources, imported)[0]


def render(
    firms: dict[str, dict[str, str]],
    edges: dict[tuple[str, str, str], dict[str, str]],
    sources: dict[str, dict[str, Any]],
    imported: Imported,
) -> tuple[dict[str, str], dict[str, list[list[str]]]]:
    """(the new text of each imported file, the rows of each CSV file as the csv module
    reads them back from that text): the rows let the import check its change without
    parsing the text it just wrote (:func:`chaingraph.dataset_delta.check_changes`).

    A CSV text with a carriage return has no rows here: the csv module writes a cell with a
    lone ``\r`` unquoted, so reading that text back gives other rows than the ones written.
    """
    columns = list(firm_columns())
    extra = [c for c in imported.firm_header if c not in columns]
    firm_rows = csv_rows([*columns, *extra], firms.values()) if firms else []
    edge_cols = list(EDGE_COLUMNS) + [c for c in imported.edge_header if c not in EDGE_COLUMNS]
    edge_rows = csv_rows(edge_cols, edges.values()) if edges else []
    source_text = _sources_text(list(sources.values())) if sources else ""
    texts = {
        FIRMS_FILE: _csv_text(firm_rows),
        RELATIONS_FILE: _csv_text(edge_rows),
        SOURCES_FILE: source_text,
    }
    rows = {FIRMS_FILE: firm_rows, RELATIONS_FILE: edge_rows}
    return texts, {rel: r for rel, r in rows.items() if r and "\r" not in texts[rel]}


def split_list(text: str) -> list[str]:
    """Items of a ``|``-separated CSV cell."""
    return [s.strip() for s in text.split(LIST_SEP) if s.strip()]


def text_of(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def csv_value(value: Any) -> str:
    if type(value) is str:  # most values
        return value
    if isinstance(value, list):
        return LIST_SEP.join(str(v).replace(LIST_SEP, "/") for v in value)
    return text_of(value)


#: first characters of a cell that :func:`~chaingraph.cells.neutralise` may change
_RISKY = frozenset(("'", *FORMULA_START))


def csv_rows(columns: list[str], rows: Iterable[dict[str, str]]) -> list[list[str]]:
    """The header and the cells of each record, neutralised for spreadsheets (the dataset
    reader restores the text). Records holding every column (those read from a file, those
    the planners make: see :func:`blank_firm`) are read with one C-level getter."""
    records = rows if isinstance(rows, list) else list(rows)
    risky = _RISKY
    if len(columns) > 1:
        get = operator.itemgetter(*columns)
        with contextlib.suppress(KeyError):  # (a record lacks a column: looked up one by one)
            cells = list(map(get, records))
            if not _any_risky(cells):  # most tables: no cell to neutralise
                return [list(columns), *map(list, cells)]
            return [
                list(columns),
                *([neutralise(v) if v[:1] in risky else v for v in row] for row in cells),
            ]
    out = [list(columns)]
    for row in records:
        cells = [row.get(c, "") for c in columns]
        out.append([neutralise(v) if v[:1] in risky else v for v in cells])
    return out


#: a cell (after the NUL that starts it) whose first character may need neutralising
_RISKY_START = re.compile("\0[" + re.escape("".join(sorted(_RISKY))) + "]")


def _any_risky(rows: list[tuple[str, ...]]) -> bool:
    """True when a cell of the rows starts with a character of :data:`_RISKY` (or is not
    text), seen a block of rows at a time with one C-level search."""
    try:
        for start in range(0, len(rows), 4096):
            block = "\0" + "\0".join(map("\0".join, rows[start : start + 4096]))
            if _RISKY_START.search(block):
                return True
    except TypeError:  # (a cell that is not text: looked at one by one)
        return True
    return False


def _csv_text(rows: list[list[str]]) -> str:
    """The CSV text of ``rows``. A carriage return in a cell becomes a line feed, in ``rows``
    too (so they stay what the text reads back as): Python's writer, ending lines with
    ``\\n``, would leave a cell holding a lone ``\\r`` unquoted, and the file would split
    the row there.

    What Python's writer gives: a row none of whose cells holds a comma, a quote mark or a
    line break is its cells joined by commas (made for every row at once); only the other
    rows go through the writer."""
    if not rows:
        return ""
    lines = list(map(",".join, rows))
    width = len(rows[0])
    text = "\n".join(lines) + "\n"
    plain = (
        width > 1
        and all(len(row) == width for row in rows)
        and text.count(",") == (width - 1) * len(rows)
        and text.count("\n") == len(rows)
        and '"' not in text
    )
    if not plain:
        buf = io.StringIO(newline="")
        writer = csv.writer(buf, lineterminator="\n")
        for i, (row, line) in enumerate(zip(rows, lines, strict=True)):
            if len(row) < 2 or line.count(",") != len(row) - 1 or _QUOTED.search(line):
                writer.writerow(row)  # (a row of one cell: the writer quotes an empty one)
                lines[i] = buf.getvalue()[:-1]
                buf.seek(0)
                buf.truncate()
        text = "\n".join(lines) + "\n"
    if "\r" not in text:
        return text
    for row in rows:
        row[:] = [v.replace("\r\n", "\n").replace("\r", "\n") if "\r" in v else v for v in row]
    return _csv_text(rows)


#: what makes the writer quote a cell (besides the comma)
_QUOTED = re.compile('["\r\n]')


_SHEETS_RE = re.compile(r"sheets: (.*)$")


def sheets_of(node: dict[str, Any]) -> list[str]:
    match = _SHEETS_RE.search(str(node.get("description", "")))
    return [s.strip() for s in match.group(1).split(",")] if match else []


_SOURCES_HEADER = (
    "# Sources of the rows that `chaingraph import` brought in: one node per imported file.\n"
    "# Written by the importer; each imported row cites its file's Source with the row's words\n"
    "# (quote: 'header: cell; ...') and where they are (locator: 'Sheet1 第12行').\n"
)


def _sources_text(nodes: list[dict[str, Any]]) -> str:
    body = yaml.safe_dump(
        {"nodes": nodes}, allow_unicode=True, sort_keys=False, width=100, indent=2
    )
    return _SOURCES_HEADER + body
