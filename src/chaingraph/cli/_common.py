"""What every command module of the CLI shares: the store, output options, printing."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import click

from ._output import FORMATS, render

if TYPE_CHECKING:
    from ..store.base import GraphStore

F = TypeVar("F", bound=Callable[..., Any])


def output_option(func: F) -> F:
    """``-f/--format [table|json|csv]`` (default table), passed as ``fmt``."""
    return click.option(
        "-f",
        "--format",
        "fmt",
        type=click.Choice(FORMATS),
        default="table",
        show_default=True,
        help="Output format: an aligned table for people, json or csv for scripts.",
    )(func)


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
    """Print rows to stdout in the chosen format (a note on stderr when there are none)."""
    if not rows and fmt == "table":
        click.echo("(no results)", err=True)
        return
    click.echo(render(rows, fmt, columns))


def note(message: str) -> None:
    """A line for people on stderr (progress, 'Wrote …'), never mixed into data."""
    click.echo(message, err=True)
