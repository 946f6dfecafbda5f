"""Analysis of chains: coverage, gaps, targets, leaders, impact and inferred supply.

Every measure is a pure function of a networkx :data:`~chaingraph.model.ChainGraph` (the whole
embedded graph, or the subgraph of one chain a store returns) with its formula in its
docstring.

Names are imported lazily (PEP 562): ``stats`` needs coverage counts, not igraph or the
keyword matcher, and a command pays only for the modules it uses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

_EXPORTS = {
    "COVERED": "_context",
    "GAP": "_context",
    "WEAK": "_context",
    "ChainContext": "_context",
    "GraphIndex": "_context",
    "SharedIndex": "_context",
    "chain_context": "_context",
    "chains_of": "_context",
    "firm_weight": "_context",
    "INFERRED": "_context",
    "check_chain": "_context",
    "in_ids": "_context",
    "name_of": "_context",
    "yuan": "_context",
    "Coverage": "coverage",
    "chain_coverage": "coverage",
    "chain_map": "coverage",
    "extension": "gaps",
    "find_gaps": "gaps",
    "single_source": "gaps",
    "weak_links": "gaps",
    "ChainImpact": "impact",
    "Impact": "impact",
    "firm_impact": "impact",
    "chains_touching": "impact",
    "infer_supplies": "infer",
    "with_inferred": "infer",
    "betweenness": "kernels",
    "pagerank": "kernels",
    "COMPONENT_DOC": "leaders",
    "LEADER_WEIGHTS": "leaders",
    "Leaders": "leaders",
    "leader_scores": "leaders",
    "rank_leaders": "leaders",
    "TARGET_POINTS": "targets",
    "rank_targets": "targets",
}

__all__ = [
    "COMPONENT_DOC",
    "COVERED",
    "GAP",
    "INFERRED",
    "LEADER_WEIGHTS",
    "TARGET_POINTS",
    "WEAK",
    "ChainContext",
    "GraphIndex",
    "SharedIndex",
    "ChainImpact",
    "Coverage",
    "Impact",
    "Leaders",
    "betweenness",
    "chain_context",
    "chain_map",
    "chains_of",
    "chains_touching",
    "chains_touching",
    "check_chain",
    "chain_coverage",
    "extension",
    "firm_weight",
    "find_gaps",
    "in_ids",
    "name_of",
    "firm_impact",
    "infer_supplies",
    "rank_leaders",
    "leader_scores",
    "pagerank",
    "single_source",
    "rank_targets",
    "weak_links",
    "with_inferred",
    "yuan",
]

if TYPE_CHECKING:
    from ._context import (
        COVERED,
        GAP,
        INFERRED,
        WEAK,
        ChainContext,
        GraphIndex,
        SharedIndex,
        chain_context,
        chains_of,
        check_chain,
        firm_weight,
        in_ids,
        name_of,
        yuan,
    )
    from .coverage import Coverage, chain_coverage, chain_map
    from .gaps import extension, find_gaps, single_source, weak_links
    from .impact import ChainImpact, Impact, chains_touching, firm_impact
    from .infer import infer_supplies, with_inferred
    from .kernels import betweenness, pagerank
    from .leaders import COMPONENT_DOC, LEADER_WEIGHTS, Leaders, leader_scores, rank_leaders
    from .targets import TARGET_POINTS, rank_targets


__getattr__ = lazy_exports(__name__, _EXPORTS)
