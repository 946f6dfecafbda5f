"""Cells people open in a spreadsheet: text that looks like a formula stays text.

A name such as ``=HYPERLINK("http://evil", "点击")`` or ``@SUM(1+1)`` in a CSV file runs as a
formula when the file is opened in Excel or WPS (CSV / formula injection). Every CSV chaingraph
writes goes through :func:`neutralise`, which follows OWASP's advice: a cell whose text starts
with ``= + - @``, a tab or a carriage return gets a leading apostrophe, which spreadsheets take
as "this is text" and do not show. The workbook writer (:mod:`chaingraph.workbook`) stores such
a cell as a text cell with Excel's quote-prefix mark instead, so the cell shows the exact text.

The escape is reversible: :func:`restore` gives the exact text back, and the dataset reader
applies it to the CSV files of a dataset (``firms-imported.csv`` that ``import`` writes), so a
name survives a write and a read unchanged. A text that already starts with apostrophes before
one of those characters gets one more, so ``'=x`` reads back as ``'=x``.
"""

from __future__ import annotations

#: first characters that make a spreadsheet read a cell as a formula (OWASP)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"


def formula_like(text: str) -> bool:
    """True if a spreadsheet would read ``text`` as a formula.

    >>> formula_like("=1+1"), formula_like("-3"), formula_like("比亚迪"), formula_like("")
    (True, True, False, False)
    """
    return text.startswith(FORMULA_START)


def neutralise(text: str) -> str:
    """The text as a CSV cell that no spreadsheet runs (see the module doc).

    >>> neutralise("=HYPERLINK(1)"), neutralise("@SUM(1)"), neutralise("比亚迪")
    ("'=HYPERLINK(1)", "'@SUM(1)", '比亚迪')
    >>> neutralise("'=x"), neutralise("'ok")
    ("''=x", "'ok")
    """
    if formula_like(text.lstrip(QUOTE)):
        return QUOTE + text
    return text


def restore(text: str) -> str:
    """The exact text a :func:`neutralise` d cell stands for.

    >>> all(restore(neutralise(t)) == t for t in ["=1", "'=1", "''+x", "'ok", "x", "", "-"])
    True
    """
    if text.startswith(QUOTE) and formula_like(text.lstrip(QUOTE)):
        return text[1:]
    return text
