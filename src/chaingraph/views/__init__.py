"""Self-contained interactive HTML views of a chain graph (vis-network inlined, works offline).

>>> import networkx as nx, tempfile
>>> G = nx.MultiDiGraph()
>>> G.add_node("c", kind="Chain", name="电池")
>>> G.add_node("s", kind="Segment", name="电芯", tier="midstream", grade="template")
>>> _ = G.add_edge("c", "s", key="HAS_SEGMENT", rel="HAS_SEGMENT")
>>> [p.name for p in write_chain_views(G, "c", tempfile.mkdtemp())]
['c.chain.html', 'c.gaps.html']
"""

from __future__ import annotations

from pathlib import Path

from ..model import ChainGraph
from .build import (
    AGGREGATE_OVER,
    KIND_STYLE,
    View,
    chain_view,
    ego_view,
    gaps_view,
    graph_view,
    leader_scores,
    segment_status,
)
from .html import render_html, write_html

__all__ = [
    "AGGREGATE_OVER",
    "KIND_STYLE",
    "View",
    "chain_view",
    "chain_view_names",
    "ego_view",
    "gaps_view",
    "graph_view",
    "leader_scores",
    "render_html",
    "segment_status",
    "write_chain_views",
    "write_html",
]


def chain_view_names(chain_id: str) -> tuple[str, str]:
    """File names :func:`write_chain_views` uses for a chain: (chain view, gaps view)."""
    return f"{chain_id}.chain.html", f"{chain_id}.gaps.html"


def write_chain_views(G: ChainGraph, chain_id: str, out_dir: str | Path) -> list[Path]:
    """Write the chain view and the gaps view of one chain into ``out_dir``.

    Parameters
    ----------
    G : ChainGraph
        A graph holding the chain (the whole graph, or the store's ``chain_graph``).
    chain_id : str
        Id of a Chain node (raises UnknownEntity otherwise).
    out_dir : str or Path
        Folder for the pages (created if missing). Files are named
        ``CHAIN.chain.html`` and ``CHAIN.gaps.html``.

    Returns
    -------
    list of Path
        The two files written, chain view first.
    """
    folder = Path(out_dir)
    chain_name, gaps_name = chain_view_names(chain_id)
    return [
        write_html(chain_view(G, chain_id), folder / chain_name),
        write_html(gaps_view(G, chain_id), folder / gaps_name),
    ]
