"""What every command module of the CLI shares: the store, output options, printing."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from ._output import FORMATS, render

if TYPE_CHECKING:
    from ..store.base import GraphStore

F = TypeVar("F", bound=Callable[..., Any])


#: where ``-o/--output`` is kept in the click context
OUTPUT_KEY = "chaingraph.output"


def _remember_output(ctx: click.Context, _param: click.Parameter, value: Path | None) -> None:
    if value is not None:
        ctx.meta[OUTPUT_KEY] = value


def output_option(func: F) -> F:
    """``-f/--format [table|json|csv|xlsx]`` (default table), passed as ``fmt``, and
    ``-o/--output FILE`` (kept in the context; :func:`emit` writes there)."""
    func = click.option(
        "-o",
        "--output",
        type=click.Path(dir_okay=False, path_type=Path),
        expose_value=False,
        callback=_remember_output,
        help="Write to FILE instead of stdout (needed for xlsx).",
    )(func)
    return click.option(
        "-f",
        "--format",
        "fmt",
        type=click.Choice(FORMATS),
        default="table",
        show_default=True,
        help="Output format: an aligned table for people, json or csv for scripts, xlsx (an "
        "Excel workbook, with -o FILE).",
    )(func)


def _output_path() -> Path | None:
    ctx = click.get_current_context(silent=True)
    found = ctx.meta.get(OUTPUT_KEY) if ctx is not None else None
    return found if isinstance(found, Path) else None


def store_url(ctx: click.Context) -> str:
    """The store URL the user chose (--store / CHAINGRAPH_STORE), or the shipped dataset."""
    root = ctx.find_root()
    url = (root.obj or {}).get("store_url")
    if url:
        return str(url)
    from ..store import default_store_url

    return default_store_url()


def get_store(ctx: click.Context) -> GraphStore:
    """The store for this invocation, opened on first use and closed when the CLI exits."""
    root = ctx.find_root()
    root.ensure_object(dict)
    store = root.obj.get("store")
    if store is None:
        from ..store import open_store

        store = open_store(store_url(ctx))
        root.obj["store"] = store
        root.call_on_close(store.close)
    return store  # type: ignore[no-any-return]


def emit(rows: Sequence[dict[str, Any]], fmt: str, columns: Sequence[str] | None = None) -> None:
    """Print rows to stdout (or -o FILE) in the chosen format (a note on stderr when a table
    has none). xlsx writes one sheet named after the command."""
    if fmt == "xlsx":
        ctx = click.get_current_context()
        emit_sheets({ctx.info_name or "rows": (rows, columns)})
        return
    if not rows and fmt == "table":
        click.echo("(no results)", err=True)
        return
    print_text(render(rows, fmt, columns))


def print_text(text: str) -> None:
    """Print text to stdout, or write it to -o FILE (atomically) and say so on stderr."""
    out = _output_path()
    if out is None:
        click.echo(text)
        return
    from ..atomic import write_text

    try:
        write_text(out, text + "\n")
    except OSError as exc:
        raise click.ClickException(f"Cannot write '{out}': {exc.strerror or exc}") from exc
    note(f"Wrote {out}")


def emit_sheets(
    sheets: dict[str, tuple[Sequence[dict[str, Any]], Sequence[str] | None]],
) -> None:
    """Write a workbook to -o FILE: one sheet per entry (name -> (rows, columns))."""
    out = _output_path()
    if out is None:
        raise click.UsageError("--format xlsx writes a workbook: add -o FILE.xlsx")
    from ..workbook import Column, Sheet, write_workbook
    from ._output import xlsx_rows

    built = []
    for name, (rows, columns) in sheets.items():
        cols, cells = xlsx_rows(rows, columns)
        built.append(Sheet(name, cells, [Column(c, c) for c in cols]))
    write_workbook(out, built)
    note(f"Wrote {out}")


def note(message: str) -> None:
    """A line for people on stderr (progress, 'Wrote …'), never mixed into data."""
    click.echo(message, err=True)
