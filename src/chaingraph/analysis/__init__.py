"""Analysis of chains: coverage, gaps, targets, leaders, impact and inferred supply.

Every measure is a pure function of a networkx :data:`~chaingraph.model.ChainGraph` (the whole
embedded graph, or the subgraph of one chain a store returns) with its formula in its
docstring.
"""

from __future__ import annotations

from ._context import (
    COVERED,
    GAP,
    WEAK,
    ChainContext,
    GraphIndex,
    chain_context,
    chains_of,
    firm_weight,
)
from .coverage import Coverage, chain_coverage, chain_map
from .gaps import extension, find_gaps, single_source, weak_links
from .impact import ChainImpact, Impact, firm_impact
from .infer import infer_supplies, with_inferred
from .kernels import betweenness, pagerank
from .leaders import COMPONENT_DOC, LEADER_WEIGHTS, Leaders, leader_scores, rank_leaders
from .targets import TARGET_POINTS, rank_targets

__all__ = [
    "COMPONENT_DOC",
    "COVERED",
    "GAP",
    "LEADER_WEIGHTS",
    "TARGET_POINTS",
    "WEAK",
    "ChainContext",
    "GraphIndex",
    "ChainImpact",
    "Coverage",
    "Impact",
    "Leaders",
    "betweenness",
    "chain_context",
    "chain_map",
    "chains_of",
    "chain_coverage",
    "extension",
    "firm_weight",
    "find_gaps",
    "firm_impact",
    "infer_supplies",
    "rank_leaders",
    "leader_scores",
    "pagerank",
    "single_source",
    "rank_targets",
    "weak_links",
    "with_inferred",
]
