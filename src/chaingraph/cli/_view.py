"""``chaingraph view``: export interactive HTML graph views (one self-contained file each)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from ._common import get_store, note

if TYPE_CHECKING:
    from ..views import View

F = TypeVar("F", bound=Callable[..., Any])


def _output(default: str) -> Callable[[F], F]:
    """``-o/--output FILE.html``; ``default`` names the file written without it."""
    return click.option(
        "-o",
        "--output",
        "output",
        type=click.Path(dir_okay=False, writable=True, path_type=Path),
        default=None,
        help=f"HTML file to write [default: {default} in the current folder].",
    )


def _write(view: View, output: Path | None, default: str) -> None:
    from ..views import write_html

    path = write_html(view, output if output is not None else Path(default))
    note(f"Wrote {path}")


@click.group(name="view")
@click.pass_context
def view(ctx: click.Context) -> None:
    """Export an interactive HTML graph view that opens offline.

    \b
    Example:
        chaingraph view chain new-energy-equipment -o chain.html
    """
    from ..cache import gc_paused

    # a view builds some 10^5 small objects, all freed once its page is written: the cyclic
    # collector's runs meanwhile only walk the graph again (a third of a 100k chain view)
    ctx.with_resource(gc_paused())


@view.command(name="chain")
@click.argument("chain")
@_output("ID.chain.html")
@click.pass_context
def view_chain(ctx: click.Context, chain: str, output: Path | None) -> None:
    """A chain: segments by tier, firms beside them, gaps dashed.

    Upstream segments on the left, downstream on the right; gap segments (no local firm)
    dashed, weak ones (one local firm) orange, 延链 neighbours light blue.

    \b
    Example:
        chaingraph view chain 新能源装备产业链 -o chain.html
    """
    from ..store import resolve_chain
    from ..views import chain_view

    store = get_store(ctx)
    cid = resolve_chain(store, chain)
    # what the report's chain view reads (a store in memory: its graph, not a copy), and
    # the report's numbers of the chain: the same page as the report's
    G = store.analysis_graph(cid)
    _write(chain_view(G, cid), output, f"{cid}.chain.html")


@view.command(name="panorama")
@click.argument("chain")
@_output("ID.panorama.html")
@click.pass_context
def view_panorama(ctx: click.Context, chain: str, output: Path | None) -> None:
    """A chain's panorama (产业链全景图): a static page for A4.

    Columns 上游 / 中游 / 下游, a box per segment coloured by status with the local firms
    inside, the chain leader marked and the top targets under each gap.

    \b
    Example:
        chaingraph view panorama new-energy-equipment -o panorama.html
    """
    from ..store import resolve_chain
    from ..views import write_panorama

    store = get_store(ctx)
    cid = resolve_chain(store, chain)
    path = write_panorama(store.chain_graph(cid), cid, output or Path(f"{cid}.panorama.html"))
    note(f"Wrote {path}")


@view.command(name="map")
@click.option(
    "-o",
    "--output",
    "output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    default=None,
    help="HTML file to write [default: map.html in the current folder].",
)
@click.pass_context
def view_map(ctx: click.Context, output: Path | None) -> None:
    """Where the firms are: zone, local firms and candidates on a map.

    Each firm sits at its division code (else the place its address or region names,
    else, drawn hollow as inferred, the place its registered name starts with); a firm
    with none of these gets no marker. Filter by chain and segment on the page; a table
    counts the firms shown per province.

    \b
    Example:
        chaingraph view map -o map.html
    """
    from ..views.map import write_map

    G = get_store(ctx).load()
    path = write_map(G, output or Path("map.html"))
    note(f"Wrote {path}")


@view.command(name="gaps")
@click.argument("chain")
@_output("ID.gaps.html")
@click.pass_context
def view_gaps(ctx: click.Context, chain: str, output: Path | None) -> None:
    """A chain's gap and weak segments with the firms to approach.

    Gap segments (no local firm), weak ones (one local firm), their neighbours, and the
    external firms in them (招商目标) with the analysis' score and reason; beside each, its
    top ranked candidates (those known by products or industry drawn dashed, as candidates).

    \b
    Example:
        chaingraph view gaps new-energy-equipment -o gaps.html
    """
    from ..store import resolve_chain
    from ..store.base import gaps_view_graphs
    from ..views import gaps_view

    store = get_store(ctx)
    cid = resolve_chain(store, chain)
    # one fetch: the chain's candidates (never the whole database), the chain cut from it
    G, outside = gaps_view_graphs(store, cid)
    _write(gaps_view(G, cid, outside=outside), output, f"{cid}.gaps.html")


@view.command(name="firm")
@click.argument("entity")
@click.option(
    "--depth",
    type=click.IntRange(1, 4),
    default=1,
    show_default=True,
    help="How many hops of neighbours to show.",
)
@_output("ID.html")
@click.pass_context
def view_firm(ctx: click.Context, entity: str, depth: int, output: Path | None) -> None:
    """A firm (or any node) and its neighbours within --depth hops.

    \b
    Example:
        chaingraph view firm 比亚迪 --depth 2 -o byd.html
    """
    from ..store import with_cited_sources
    from ..views import ego_view

    store = get_store(ctx)
    node_id = store.resolve(entity)
    ids = {node_id} | {str(r["id"]) for r in store.neighbors(node_id, depth=depth)}
    G = with_cited_sources(store, store.subgraph(ids))
    _write(ego_view(G, node_id, depth), output, f"{node_id}.html")


@view.command(name="all")
@click.option(
    "--aggregate-over",
    type=click.IntRange(1),
    default=None,
    help="Above this many firms and projects, draw the first of each segment and group the "
    "rest [default: 5000].",
)
@_output("graph.html")
@click.pass_context
def view_all(ctx: click.Context, aggregate_over: int | None, output: Path | None) -> None:
    """The whole graph; crowded segments grouped when too large.

    Above --aggregate-over firms and projects, each segment shows its first members (local
    first) and groups the rest as "其余 N 家"; the page says so and its search still finds
    every firm.

    \b
    Example:
        chaingraph view all -o graph.html
    """
    from ..views import AGGREGATE_OVER, graph_view

    G = get_store(ctx).load()
    title = str(G.graph.get("title") or "产业链图谱")
    limit = aggregate_over if aggregate_over is not None else AGGREGATE_OVER
    _write(graph_view(G, title=title, aggregate_over=limit), output, "graph.html")
