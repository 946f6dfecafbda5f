"""Self-contained interactive HTML views of a chain graph (vis-network inlined, works offline).

>>> import networkx as nx, tempfile
>>> G = nx.MultiDiGraph()
>>> G.add_node("c", kind="Chain", name="电池")
>>> G.add_node("s", kind="Segment", name="电芯", tier="midstream", grade="template")
>>> _ = G.add_edge("c", "s", key="HAS_SEGMENT", rel="HAS_SEGMENT")
>>> [p.name for p in write_chain_views(G, "c", tempfile.mkdtemp())]
['c.panorama.html', 'c.chain.html', 'c.gaps.html']
"""

from __future__ import annotations

from pathlib import Path

from ..cache import gc_paused
from ..model import ChainGraph
from .build import (
    AGGREGATE_OVER,
    KIND_STYLE,
    ChainFacts,
    Panels,
    View,
    chain_facts,
    chain_view,
    ego_view,
    gaps_view,
    graph_view,
    leader_scores,
    segment_status,
)
from .html import render_html, write_html
from .panorama import Panorama, build_panorama, render_panorama, write_panorama

__all__ = [
    "AGGREGATE_OVER",
    "ChainFacts",
    "KIND_STYLE",
    "Panels",
    "Panorama",
    "View",
    "build_panorama",
    "chain_facts",
    "chain_view",
    "chain_view_names",
    "ego_view",
    "gaps_view",
    "graph_view",
    "leader_scores",
    "render_html",
    "render_panorama",
    "segment_status",
    "write_chain_views",
    "write_html",
    "write_panorama",
]


def chain_view_names(chain_id: str) -> tuple[str, str, str]:
    """File names :func:`write_chain_views` uses for a chain: (panorama, chain view, gaps view)."""
    return f"{chain_id}.panorama.html", f"{chain_id}.chain.html", f"{chain_id}.gaps.html"


def write_chain_views(
    G: ChainGraph,
    chain_id: str,
    out_dir: str | Path,
    report_href: str = "",
    facts: ChainFacts | None = None,
    panels: Panels | None = None,
) -> list[Path]:
    """Write the panorama, the chain view and the gaps view of one chain into ``out_dir``.

    Parameters
    ----------
    G : ChainGraph
        A graph holding the chain (the whole graph, or the store's ``chain_graph``).
    chain_id : str
        Id of a Chain node (raises UnknownEntity otherwise).
    out_dir : str or Path
        Folder for the pages (created if missing). Files are named
        ``CHAIN.panorama.html``, ``CHAIN.chain.html`` and ``CHAIN.gaps.html``.
    report_href : str
        Link from each page back to its report page (relative to ``out_dir``), if any.
    facts : ChainFacts, optional
        The chain's analysis (map, targets, leaders, coverage) when the caller has it (the
        report does): computed once here otherwise, and shared by the three pages.
    panels : Panels, optional
        Side-panel rows already built for nodes of G (a report passes one to every chain's
        views: they draw many of the same firms); a new one otherwise, shared by the chain
        and gaps views.

    Returns
    -------
    list of Path
        The files written, panorama first.
    """
    folder = Path(out_dir)
    pano_name, chain_name, gaps_name = chain_view_names(chain_id)
    # the views build some 10^5 small records, all freed when written: collections run
    # meanwhile would only walk the graph again and again (a quarter of a 10k report's views)
    with gc_paused():
        if facts is None:
            facts = chain_facts(G, chain_id)
        if panels is None:
            panels = Panels(G)
        chain = chain_view(G, chain_id, facts=facts, panels=panels)
        gaps = gaps_view(G, chain_id, facts=facts, panels=panels)
        chain.report_href = gaps.report_href = report_href
        return [
            write_panorama(G, chain_id, folder / pano_name, report_href, facts),
            write_html(chain, folder / chain_name),
            write_html(gaps, folder / gaps_name),
        ]
