"""``chaingraph view``: export interactive HTML graph views (one self-contained file each)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from ..errors import UnknownEntity
from ..model import ChainGraph, Kind
from ._common import get_store, note

if TYPE_CHECKING:
    from ..store.base import GraphStore
    from ..views import View

F = TypeVar("F", bound=Callable[..., Any])


def _output(default_suffix: str) -> Callable[[F], F]:
    """``-o/--output FILE.html``."""
    return click.option(
        "-o",
        "--output",
        "output",
        type=click.Path(dir_okay=False, writable=True, path_type=Path),
        default=None,
        help=f"HTML file to write [default: ID{default_suffix} in the current folder].",
    )


def _cited_sources(G: ChainGraph) -> set[str]:
    """Ids of the Source nodes quoted by nodes and edges of G."""
    found: set[str] = set()

    def add(cites: object) -> None:
        if isinstance(cites, list):
            found.update(str(c["source"]) for c in cites if isinstance(c, dict) and c.get("source"))

    for _, attrs in G.nodes(data=True):
        add(attrs.get("sources"))
        for fig in attrs.get("figures") or ():
            if isinstance(fig, dict):
                add(fig.get("sources"))
    for _, _, data in G.edges(data=True):
        add(data.get("sources"))
    return found


def _with_sources(store: GraphStore, G: ChainGraph) -> ChainGraph:
    """G plus the Source nodes it quotes (their titles label the quotes in the side panel)."""
    missing = _cited_sources(G) - set(G)
    if not missing:
        return G
    found = store.subgraph(set(G) | missing)
    found.graph.update(G.graph)
    return found


def _chain_id(store: GraphStore, text: str) -> str:
    node_id = store.resolve(text)
    kind = store.node(node_id).get("kind")
    if kind != Kind.CHAIN:
        raise UnknownEntity(
            f"'{text}' is a {kind}, not a chain. Run 'chaingraph find TEXT' to list chains"
        )
    return node_id


def _write(view: View, output: Path | None, default: str) -> None:
    from ..views import write_html

    path = write_html(view, output if output is not None else Path(default))
    note(f"Wrote {path}")


@click.group(name="view")
def view() -> None:
    """Export an interactive HTML graph view: one file that opens offline.

    \b
    Example:
        chaingraph view chain new-energy-equipment -o chain.html
    """


@view.command(name="chain")
@click.argument("chain")
@_output(".chain.html")
@click.pass_context
def view_chain(ctx: click.Context, chain: str, output: Path | None) -> None:
    """A chain: segments by tier, firms beside them, gaps dashed.

    Upstream segments on the left, downstream on the right; gap segments (no local firm)
    dashed, weak ones (one local firm) orange, 延链 neighbours light blue.

    \b
    Example:
        chaingraph view chain 新能源装备产业链 -o chain.html
    """
    from ..views import chain_view

    store = get_store(ctx)
    cid = _chain_id(store, chain)
    G = _with_sources(store, store.chain_graph(cid))
    _write(chain_view(G, cid), output, f"{cid}.chain.html")


@view.command(name="panorama")
@click.argument("chain")
@_output(".panorama.html")
@click.pass_context
def view_panorama(ctx: click.Context, chain: str, output: Path | None) -> None:
    """A chain's panorama (产业链全景图): one static page that prints on A4.

    Columns 上游 / 中游 / 下游, a box per segment coloured by status with the local firms
    inside, the chain leader marked and the top targets under each gap.

    \b
    Example:
        chaingraph view panorama new-energy-equipment -o panorama.html
    """
    from ..views import write_panorama

    store = get_store(ctx)
    cid = _chain_id(store, chain)
    path = write_panorama(store.chain_graph(cid), cid, output or Path(f"{cid}.panorama.html"))
    note(f"Wrote {path}")


@view.command(name="gaps")
@click.argument("chain")
@_output(".gaps.html")
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
    from ..views import gaps_view

    store = get_store(ctx)
    cid = _chain_id(store, chain)
    G = _with_sources(store, store.chain_graph(cid))
    _write(gaps_view(G, cid, outside=store.load()), output, f"{cid}.gaps.html")


@view.command(name="firm")
@click.argument("entity")
@click.option(
    "--depth",
    type=click.IntRange(1, 4),
    default=1,
    show_default=True,
    help="How many hops of neighbours to show.",
)
@_output(".html")
@click.pass_context
def view_firm(ctx: click.Context, entity: str, depth: int, output: Path | None) -> None:
    """A firm (or any node) and its neighbours within --depth hops.

    \b
    Example:
        chaingraph view firm 比亚迪 --depth 2 -o byd.html
    """
    from ..views import ego_view

    store = get_store(ctx)
    node_id = store.resolve(entity)
    ids = {node_id} | {str(r["id"]) for r in store.neighbors(node_id, depth=depth)}
    G = _with_sources(store, store.subgraph(ids))
    _write(ego_view(G, node_id, depth), output, f"{node_id}.html")


@view.command(name="all")
@click.option(
    "--aggregate-over",
    type=click.IntRange(1),
    default=None,
    help="Above this many firms and projects, draw the first of each segment and group the "
    "rest [default: 5000].",
)
@_output("")
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
