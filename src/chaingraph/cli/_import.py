"""``chaingraph import``: bring a firm list (XLSX/CSV) into a dataset folder."""

from __future__ import annotations

from collections import Counter
from operator import attrgetter
from typing import TYPE_CHECKING, Any

import click

from ..errors import ChaingraphError
from ._common import emit, note, output_option

if TYPE_CHECKING:
    from ..ingest import ImportResult

COLUMNS = ["row", "status", "kind", "id", "name", "detail"]
#: above this many rows the table lists only the rows with a problem, and counts the changes
LIST_LIMIT = 200
CHANGES = ("added", "changed", "removed", "unchanged")
_ACTION_KIND = attrgetter("action", "kind")


@click.command(name="import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--into",
    "into",
    required=True,
    metavar="DATASET",
    type=click.Path(file_okay=False),
    help="The dataset folder to import into (e.g. graphs/shengzhou).",
)
@click.option(
    "--mapping",
    metavar="MAP.yaml",
    type=click.Path(dir_okay=False),
    help="Which column is which field, for headers the built-in defaults do not know.",
)
@click.option("--sheet", metavar="NAME", help="Sheet of an .xlsx file (default: the first).")
@click.option(
    "--encoding",
    metavar="ENC",
    help="Encoding of a .csv file (default: detected — UTF-8, UTF-8 BOM or GBK/GB18030).",
)
@click.option("--dry-run", is_flag=True, help="Only list what would be added or changed.")
@click.option("--strict", is_flag=True, help="Import nothing if any row is bad.")
@click.option(
    "--all",
    "show_all",
    is_flag=True,
    help=f"List every row, also what is unchanged (a table of over {LIST_LIMIT} rows lists "
    "only the rows with a problem and counts the rest).",
)
@output_option
def import_(
    file: str,
    into: str,
    mapping: str | None,
    sheet: str | None,
    encoding: str | None,
    dry_run: bool,
    strict: bool,
    show_all: bool,
    fmt: str,
) -> None:
    """Import a firm list (企业名单, .xlsx or .csv) into a dataset.

    Rows match existing firms by credit code, then name or alias, then normalised name;
    new firms get stable ids. 主要客户 / 主要供应商 become SUPPLIES links. Every row is
    cited (file, sheet, row). Output: one line per change and per bad row; bad rows are
    skipped (exit 0) unless --strict. Re-importing the same file changes nothing. With
    --dry-run, a row with 经营范围 / 主营产品 / 申万行业 but no 所属环节 also gets its segment
    candidates (status candidate, inferred; see classify).

    \b
      chaingraph import 企业名单.xlsx --into graphs/shengzhou --dry-run
      chaingraph import list.csv --into graphs/shengzhou --mapping map.yaml --strict
    """
    from ..ingest import import_file
    from ..ingest.files import ImportInterrupted

    try:
        result = import_file(
            file,
            into,
            mapping=mapping,
            sheet=sheet,
            encoding=encoding,
            dry_run=dry_run,
            strict=strict,
        )
    except ChaingraphError as exc:
        raise click.ClickException(str(exc)) from exc
    except ImportInterrupted as exc:
        note(f"Interrupted, but the import is complete: wrote {', '.join(exc.files)} in {into}")
        raise SystemExit(130) from None
    except KeyboardInterrupt:
        note(f"Interrupted before anything was written: {into} is unchanged")
        raise SystemExit(130) from None
    try:
        candidates = []
        if dry_run:
            from ..ingest.candidates import import_candidates

            candidates = import_candidates(
                into, file, mapping=mapping, sheet=sheet, encoding=encoding
            )
        _list(result, candidates, fmt, show_all)
        _notes(result, candidates, dry_run, into)
    except KeyboardInterrupt:
        if result.written:  # only the listing was cut short
            files = ", ".join(sorted(result.files))
            note(f"Interrupted while listing; the import is complete: wrote {files} in {into}")
            raise SystemExit(130) from None
        note(f"Interrupted; nothing was written: {into} is unchanged")
        raise SystemExit(130) from None


def _list(result: ImportResult, candidates: list[Any], fmt: str, show_all: bool) -> None:
    """The result's rows (and a dry run's candidates), by row; a table of more than
    LIST_LIMIT rows lists only the rows with a problem and counts the changes (their rows are
    not even made: a 20,000-row import has some 40,000)."""
    total = result.row_count(include_unchanged=show_all) + len(candidates)
    summarise = fmt == "table" and not show_all and total > LIST_LIMIT
    rows = result.rows(include_unchanged=show_all, changes=not summarise)
    if candidates:
        rows = sorted([*rows, *candidates], key=lambda r: int(r.get("row") or 0))
    emit(rows, fmt, COLUMNS)
    if summarise:
        pairs = Counter(map(_ACTION_KIND, result.changes))  # (counted in C: some 40,000)
        counts = {
            f"{action} {kind}": n
            for (action, kind), n in pairs.items()
            if action in CHANGES and action != "unchanged"
        }
        if counts:
            listing = ", ".join(f"{n} {key}" for key, n in sorted(counts.items()))
            note(f"Not listed: {listing} (--all lists every row)")


def _notes(result: ImportResult, candidates: list[Any], dry_run: bool, into: str) -> None:
    where = result.file.name + (f" [{result.sheet}]" if result.sheet else "")
    if result.encoding_note:
        note(result.encoding_note)
    if result.ignored_columns:
        note(f"Ignored columns: {', '.join(result.ignored_columns)} (map them with --mapping)")
    if candidates:
        note(
            f"{len(candidates)} segment candidates for rows without 所属环节 (inferred from "
            "经营范围 / 主营产品 / 申万行业; fill 所属环节 to state one)"
        )
    if dry_run:
        note(f"Dry run, nothing written. {where}: would have {result.summary()}")
    elif result.written:
        files = ", ".join(sorted(result.files))
        note(f"{where}: {result.summary()}. Wrote {files} in {into}")
    else:
        note(f"{where}: {result.summary()}")
