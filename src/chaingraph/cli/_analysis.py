"""Analysis commands: chain, gaps, targets, leaders, impact, report. Thin: parse, call, print."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..errors import UnknownEntity
from ..model import ChainGraph, Kind, Row
from ._common import emit, get_store, note, output_option

if TYPE_CHECKING:
    from ..analysis import ChainContext


infer_option = click.option(
    "--infer",
    is_flag=True,
    help="Add potential supply links between firms in segments that FEED each other "
    "(graded inferred, shown as such; never saved).",
)


def _chain_ids(ctx: click.Context, chain: str | None) -> list[str]:
    """The chain the user named, or every chain of the store."""
    from ..store import resolve_chain

    store = get_store(ctx)
    if chain is None:
        return store.chain_ids()  # one cheap query, nothing counted
    return [resolve_chain(store, chain)]


def _graph(ctx: click.Context, chain_id: str, infer: bool) -> ChainGraph:
    """The chain's subgraph from the store, with inferred supply links if asked."""
    from ..analysis.infer import count_inferred, with_inferred

    G = get_store(ctx).chain_graph(chain_id)
    if infer:
        G = with_inferred(G, chain_id)
        note(f"{chain_id}: {count_inferred(G)} inferred supply links added (grade inferred)")
    return G


def _context(ctx: click.Context, chain_id: str, infer: bool = False) -> ChainContext:
    """The analysis context of one chain (see :func:`chaingraph.analysis.chain_context`)."""
    from ..analysis import chain_context

    return chain_context(_graph(ctx, chain_id, infer), chain_id)


def _names(items: list[Row], key: str = "name") -> str:
    return "、".join(str(i.get(key) or i.get("id") or "") for i in items)


@click.command()
@click.argument("chain")
@click.option("--coverage", "show_coverage", is_flag=True, help="Show completeness rows instead.")
@output_option
@click.pass_context
def chain(ctx: click.Context, chain: str, show_coverage: bool, fmt: str) -> None:
    """Map a chain: segments by tier, who is in each, a status.

    Its segments run upstream to downstream.

    Status: covered (2+ local firms), weak (exactly one), gap (none), extension (counted
    apart, not in the coverage). A local firm investing in a project of a segment counts as
    present in it; coverage = segments with a local firm / segments.

    \b
    Example:
      chaingraph chain 新能源装备
      chaingraph chain new-energy-equipment --coverage -f json
    """
    from ..analysis.coverage import coverage_of, map_rows, share_text

    (cid,) = _chain_ids(ctx, chain)
    cctx = _context(ctx, cid)
    cov = coverage_of(cctx)
    if show_coverage:
        emit(cov.rows(), fmt)
        return
    rows = map_rows(cctx)
    if fmt == "json":
        emit(rows, fmt)
    else:
        flat = [
            {
                "tier": r["tier"],
                "segment": r["segment"],
                "name": r["name"],
                "status": r["status"],
                "local_firms": _names(r["local_firms"]),
                "external_firms": _names(r["external_firms"]),
                "projects": "、".join(
                    p["name"] + (f"({p['amount']})" if p["amount"] else "") for p in r["projects"]
                ),
            }
            for r in rows
        ]
        emit(flat, fmt)
    note(cov.text_zh + (f";按权重 {share_text(cov.weighted)}" if cov.weights_given else ""))


GAP_TYPES = ("gap", "weak", "single-source", "extension")


@click.command()
@click.argument("chain", required=False)
@click.option(
    "--type",
    "what",
    type=click.Choice(GAP_TYPES),
    default="gap",
    show_default=True,
    help="gap: no local firm (补链); weak: one local firm (强链); single-source: firms with "
    "one known supplier for an input; extension: neighbouring segments (延链).",
)
@infer_option
@output_option
@click.pass_context
def gaps(ctx: click.Context, chain: str | None, what: str, infer: bool, fmt: str) -> None:
    """Segments with no local firm (补链), most depended-on first.

    Or weak links, single sources, extension candidates with --type (--infer matters for
    single-source).

    \b
    Example:
      chaingraph gaps 新能源装备
      chaingraph gaps --type weak -f csv
    """
    from ..analysis.gaps import extension_of, gaps_of, single_source_of, weak_links_of

    rows: list[Row] = []
    for cid in _chain_ids(ctx, chain):
        cctx = _context(ctx, cid, infer and what == "single-source")
        if what in ("gap", "weak"):
            found = gaps_of(cctx) if what == "gap" else weak_links_of(cctx)
            for r in found:
                row = {"chain": cid} | r
                if fmt != "json":
                    row["dependents"] = _names(r["dependents"])
                    row["local_firms"] = _names(r["local_firms"])
                    row["pipeline"] = _names(r["pipeline"])
                rows.append(row)
        elif what == "single-source":
            rows += [{"chain": cid} | r for r in single_source_of(cctx)]
        else:
            for r in extension_of(cctx):
                row = {"chain": cid} | r
                if fmt != "json":
                    row["local_firms"] = _names(r["local_firms"])
                    row["external_firms"] = _names(r["external_firms"])
                rows.append(row)
    emit(rows, fmt)


TARGET_COLUMNS = [
    "chain",
    "segment",
    "segment_name",
    "status",
    "rank",
    "firm",
    "name",
    "region",
    "region_basis",
    "stock_code",
    "score",
    "importance",
    "known",
    "tie",
    "distance",
    "scale",
    "how",
    "grade",
    "basis",
    "reason",
]


@click.command()
@click.argument("chain", required=False)
@click.option(
    "--segment",
    "segment_names",
    multiple=True,
    metavar="SEGMENT",
    help="Only this segment (id, name or alias; repeatable).",
)
@click.option(
    "--region",
    metavar="TEXT",
    help="Only firms whose region/address contains TEXT, or whose division code starts with "
    "it (330000 = the whole province 33).",
)
@click.option("--listed", is_flag=True, help="Only listed firms (with a stock code).")
@click.option(
    "-n",
    "--limit",
    type=click.IntRange(min=1),
    default=10,
    show_default=True,
    help="Candidates shown per segment.",
)
@click.option("--no-extension", is_flag=True, help="Leave out extension (延链) segments.")
@infer_option
@output_option
@click.pass_context
def targets(
    ctx: click.Context,
    chain: str | None,
    segment_names: tuple[str, ...],
    region: str | None,
    listed: bool,
    limit: int,
    no_extension: bool,
    infer: bool,
    fmt: str,
) -> None:
    """Outside firms to attract (招商目标) for gap and weak segments.

    Ranked per segment.

    score = importance (gap 2 / weak 1 / extension 0.5, + 4 x the segment's share of
    dependence) + known (stated 3 / products 2 / industry 1) + tie (supplies the leader 5,
    each local customer 3, buys from a local firm 2, attracted 4, same group 2) + distance
    (same city 3 / province 2 / neighbouring province 1) + scale (listed 1). Every part is a
    column; how/grade/basis say how the firm's segment is known. A segment with no
    candidate gets a row saying so; nothing is invented.

    \b
    Example:
      chaingraph targets 新能源装备
      chaingraph targets new-energy-equipment --segment 隔膜 --listed -f json
    """
    from ..analysis import SharedIndex, chain_context
    from ..analysis.infer import count_inferred, with_inferred
    from ..analysis.targets import TargetFilter, resolve_segment, targets_of

    store = get_store(ctx)
    rows: list[Row] = []
    shared: tuple[ChainGraph, SharedIndex] | None = None
    for cid in _chain_ids(ctx, chain):
        # the chain's subgraph with its candidates (on Neo4j), or the whole graph in memory
        G = store.analysis_graph(cid)
        if shared is None or shared[0] is not G:
            shared = (G, SharedIndex(G))
        index = shared[1]
        H = G
        if infer:
            H = with_inferred(G, cid)
            note(f"{cid}: {count_inferred(H)} inferred supply links added (grade inferred)")
        cctx = chain_context(H, cid, None if infer else index)
        wanted = None
        if segment_names:
            wanted = frozenset(resolve_segment(cctx, s) for s in segment_names)
        filters = TargetFilter(wanted, region, listed, limit)
        rows += [{"chain": cid} | r for r in targets_of(cctx, None, not no_extension, filters)]
    emit(rows, fmt, None if fmt == "json" else TARGET_COLUMNS)


LEADER_COLUMNS = [
    "chain",
    "rank",
    "firm",
    "name",
    "score",
    "designated",
    "pull",
    "local_suppliers",
    "inferred_suppliers",
    "attracted_firms",
    "attracted_projects",
    "investment_yi",
    "reach",
    "pagerank",
    "betweenness",
    "betweenness_method",
]


@click.command()
@click.argument("chain", required=False)
@click.option("-n", "--limit", type=click.IntRange(min=1), help="Show only the top N.")
@infer_option
@output_option
@click.pass_context
def leaders(
    ctx: click.Context, chain: str | None, limit: int | None, infer: bool, fmt: str
) -> None:
    """Rank chain-leader firms (链主) by a composite score.

    Every component is shown.

    score = 100 x (0.20 designated + 0.25 pull + 0.20 investment + 0.15 reach + 0.15 PageRank
    + 0.05 betweenness), each component divided by its maximum over the chain's local firms.

    \b
    Example:
      chaingraph leaders 新能源装备
    """
    from ..analysis.leaders import leaders_of

    rows: list[Row] = []
    for cid in _chain_ids(ctx, chain):
        board = leaders_of(_context(ctx, cid, infer), limit)
        if board.betweenness != "exact":
            note(f"{cid}: betweenness is {board.betweenness}")
        for r in board.rows:
            rows.append({"chain": cid} | r | {"betweenness_method": board.betweenness})
    emit(rows, fmt, None if fmt == "json" else LEADER_COLUMNS)


@click.command()
@click.argument("firm")
@click.option("--chain", "chain_name", help="Only this chain.")
@infer_option
@output_option
@click.pass_context
def impact(ctx: click.Context, firm: str, chain_name: str | None, infer: bool, fmt: str) -> None:
    """What is lost if a firm leaves (断链风险), downstream and upstream.

    Segments that lose their local firm, local customers (downstream), local suppliers whose
    only or main local customer it is (upstream), projects. Customers and suppliers are
    listed under the chain they are present in; those in none of the firm's chains come
    last, with chain ''.

    \b
    Example:
      chaingraph impact 比亚迪
      chaingraph impact 比亚迪 --chain new-energy-equipment -f json
    """
    from ..analysis.impact import firm_impact
    from ..analysis.infer import count_inferred, with_inferred
    from ..store.base import impact_graph

    store = get_store(ctx)
    fid = store.resolve(firm)
    if store.node(fid).get("kind") != Kind.FIRM:
        raise UnknownEntity(f"'{firm}' is not a firm. Run 'chaingraph find {firm}' to search")
    chain_ids = _chain_ids(ctx, chain_name) if chain_name else store.chains_touching(fid)
    name = str(store.node(fid).get("name") or fid)
    G = impact_graph(store, fid, chain_ids)
    for cid in chain_ids if infer else ():
        G = with_inferred(G, cid)
    if infer:
        note(f"{count_inferred(G)} inferred supply links added (grade inferred)")
    rows = firm_impact(G, fid, chain_ids[0] if chain_name else None).rows()
    if not rows:
        note(f"{name} ({fid}) takes part in no chain: its leaving changes nothing known.")
        if fmt != "table":
            emit(rows, fmt)
        return
    emit(rows, fmt)


@click.command()
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("out"),
    show_default=True,
    help="Folder for index.html, index.md, report.xlsx and one .md/.html per chain.",
)
@click.option("--chain", "chain_names", multiple=True, help="Only these chains (repeatable).")
@click.option("--no-views", is_flag=True, help="Do not write the interactive graph views.")
@infer_option
@click.pass_context
def report(
    ctx: click.Context,
    out_dir: Path,
    chain_names: tuple[str, ...],
    no_views: bool,
    infer: bool,
) -> None:
    """Write the chain reports (Markdown + HTML) and an index page.

    This is the main job.

    For every chain: chain map, completeness, gaps, weak links, extension, targets, leaders
    and the impact of the top leaders; HTML pages open offline.

    \b
    Example:
      chaingraph report --out out/
    """
    from ..cache import gc_paused
    from ..report import write_chain_reports, write_report
    from ..store import EmbeddedStore

    # a report builds millions of small objects a chain and frees them by reference count:
    # each run of the cyclic collector would only walk the whole graph again (2 s at 1M firms)
    ctx.with_resource(gc_paused())
    store = get_store(ctx)
    chain_ids = [c for name in chain_names for c in _chain_ids(ctx, name)] or None
    if isinstance(store, EmbeddedStore):  # in memory already: one shared pass over it all
        G = store.load()
        title = _title(G)
        paths = write_report(G, out_dir, chain_ids, infer=infer, title=title, views=not no_views)
    else:  # a database: one chain at a time, only what its report reads (never all of it)
        paths = write_chain_reports(
            store.analysis_graph,
            chain_ids or store.chain_ids(),
            out_dir,
            infer=infer,
            views=not no_views,
        )
    for p in paths:
        note(f"Wrote {p}")


def _title(G: ChainGraph) -> str:
    """The dataset's title for the index page, when the graph carries it."""
    title = G.graph.get("title")
    if isinstance(title, str) and title:
        return f"{title} · 产业链分析报告"
    return "产业链分析报告"


__all__ = ["chain", "gaps", "impact", "leaders", "report", "targets"]
