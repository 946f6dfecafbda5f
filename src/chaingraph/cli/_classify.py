"""``chaingraph classify``: the segments a firm, or each row of a firm list, can serve."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import UnknownEntity
from ..model import Kind
from ._common import emit, get_store, output_option

SHEET_SUFFIXES = (".xlsx", ".xlsm", ".csv", ".tsv", ".txt")
COLUMNS = ["firm", "name", "chain", "segment", "segment_name", "how", "grade", "basis"]
SHEET_COLUMNS = ["row", "input_name", *COLUMNS]


@click.command()
@click.argument("what", metavar="FIRM|FILE")
@click.option("--chain", "chain_names", multiple=True, help="Only this chain (repeatable).")
@click.option(
    "--mapping",
    metavar="MAP.yaml",
    type=click.Path(dir_okay=False),
    help="For a FILE: which column is which field (as for import).",
)
@click.option("--sheet", metavar="NAME", help="For an .xlsx FILE: the sheet (default: first).")
@click.option(
    "--encoding", metavar="ENC", help="For a .csv FILE: its encoding (default: detected)."
)
@output_option
@click.pass_context
def classify(
    ctx: click.Context,
    what: str,
    chain_names: tuple[str, ...],
    mapping: str | None,
    sheet: str | None,
    encoding: str | None,
    fmt: str,
) -> None:
    """Which chain segments a firm can serve, and how that is known.

    Strongest first.

    stated: the dataset says so (grade of that fact, basis its source); products: a
    segment keyword occurs in its 主营产品 / 经营范围; industry: its 申万三级 industry is one
    the segment lists. The last two are graded inferred, shown with their basis, never
    stored. FIRM is an id or name; a FILE (.xlsx/.csv firm list, read like import) gets
    candidates for every row from its 主营产品, 经营范围 and 申万行业 columns.

    \b
    Example:
      chaingraph classify 星源材质
      chaingraph classify 企业名单.xlsx -f csv
    """
    store = get_store(ctx)
    chains = [_chain_id(ctx, c) for c in chain_names] or None
    path = Path(what)
    if path.suffix.lower() in SHEET_SUFFIXES and path.is_file():
        from ..ingest.candidates import classify_sheet

        G = store.load()
        rows = classify_sheet(
            G, path, mapping=mapping, sheet=sheet, encoding=encoding, chains=chains
        )
        emit(rows, fmt, None if fmt == "json" else SHEET_COLUMNS)
        return
    from ..analysis.classify import classify_firm
    from ..store.base import classify_graph

    fid = store.resolve(what)
    if store.node(fid).get("kind") != Kind.FIRM:
        raise UnknownEntity(f"'{what}' is not a firm. Run 'chaingraph find {what}' to search")
    rows = classify_firm(classify_graph(store, fid), fid, chains)
    if not rows:
        click.echo(
            f"No segment known for {store.node(fid).get('name') or fid} ({fid}): no stated "
            "segment, and no keyword or 申万 industry of any segment matched.",
            err=True,
        )
        if fmt == "table":
            return
    emit(rows, fmt, None if fmt == "json" else COLUMNS)


def _chain_id(ctx: click.Context, text: str) -> str:
    store = get_store(ctx)
    cid = store.resolve(text)
    kind = store.node(cid).get("kind")
    if kind != Kind.CHAIN:
        raise UnknownEntity(f"'{text}' is a {kind}, not a chain. Run 'chaingraph stats'")
    return cid
