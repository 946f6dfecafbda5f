"""The store interface: where a chain graph lives. Analysis and the CLI never know which one.

Every store answers the explore queries with the same rows (see :mod:`chaingraph.query`,
whose networkx functions define the answers; the Neo4j store computes them in Cypher).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, runtime_checkable

from ..errors import UnknownEntity
from ..model import ChainGraph, Kind, Row
from ..query import chain_node_ids, cited_sources


@runtime_checkable
class GraphStore(Protocol):
    """Where a ChainGraph lives."""

    url: str

    def load(self) -> ChainGraph:
        """The whole graph (small stores; analysis of one chain uses :meth:`chain_graph`)."""
        ...

    def save(self, G: ChainGraph) -> None:
        """Replace the store's content with G."""
        ...

    def close(self) -> None:
        """Release connections and files."""
        ...

    # --- explore queries (same rows on every store) ------------------------------------

    def resolve(self, text: str) -> str:
        """The id of the node named by id, name or alias; raises Unknown/AmbiguousEntity."""
        ...

    def find(self, text: str, limit: int = 50) -> list[Row]:
        """Nodes whose id, name, name_en or alias contains text (width/case-insensitive)."""
        ...

    def node(self, node_id: str) -> Row:
        """All attributes of one node (raises UnknownEntity)."""
        ...

    def relations(self, node_id: str) -> list[Row]:
        """Every edge at the node, both directions, as rows (see query.relations)."""
        ...

    def neighbors(
        self,
        node_id: str,
        depth: int = 1,
        rels: Iterable[str] | None = None,
        direction: str = "both",
    ) -> list[Row]:
        """Nodes within depth hops (see query.neighbors)."""
        ...

    def reach(self, node_id: str, direction: str) -> list[Row]:
        """Upstream ('up') or downstream ('down') through FEEDS and SUPPLIES."""
        ...

    def path(
        self,
        source: str,
        target: str,
        rels: Iterable[str] | None = None,
        directed: bool = False,
        max_hops: int = 8,
    ) -> list[Row]:
        """The shortest path as step rows (see query.path); [] if none."""
        ...

    def stats(self) -> dict[str, list[Row]]:
        """Counts by kind, chain, platform and reported-vs-graph (see query.stats)."""
        ...

    def chains_touching(self, node_id: str) -> list[str]:
        """Chains a firm takes part in (see analysis.chains_touching)."""
        ...

    def chain_ids(self) -> list[str]:
        """Ids of all Chain nodes, sorted (a cheap listing: no counts, no graph)."""
        ...

    def chain_graph(self, chain_id: str) -> ChainGraph:
        """The subgraph an analysis of one chain needs (see query.chain_node_ids)."""
        ...

    def subgraph(self, node_ids: Iterable[str]) -> ChainGraph:
        """The induced subgraph on the given ids."""
        ...

    def analysis_graph(self, chain_id: str) -> ChainGraph:
        """What every analysis of one chain reads (its report, targets, gaps view), so that
        the answers equal those on the whole graph; a store in memory returns its whole
        graph (do not change it).

        That is :meth:`chain_graph`; the outside firms its segments (own and one FEEDS hop
        away) may classify (``sw_l3`` among their ``sw_industries``, a keyword in products or
        business scope: any superset, :mod:`chaingraph.analysis.classify` decides) with
        the local firms and projects their targets' ``tie`` counts and the segments they
        are stated in; every Zone, and the whole store's local division codes when no zone
        has one (``G.graph['local_divisions']``, see
        :func:`~chaingraph.analysis.distance.zone_division`); what the hosts' compared
        figures count (:func:`~chaingraph.query.scope_members`); and the Sources cited.
        """
        ...


def resolve_chain(store: GraphStore, text: str) -> str:
    """The id of the chain named by id, name or alias; UnknownEntity if it names another kind."""
    node_id = store.resolve(text)
    kind = store.node(node_id).get("kind")
    if kind != Kind.CHAIN:
        raise UnknownEntity(
            f"'{text}' is a {kind}, not a chain. Run 'chaingraph stats' to list the chains"
        )
    return node_id


def with_cited_sources(store: GraphStore, G: ChainGraph) -> ChainGraph:
    """G plus the Source nodes it quotes, fetched from the store (their titles label quotes)."""
    missing = cited_sources(G) - set(G)
    if not missing:
        return G
    found = store.subgraph(set(G) | missing)
    found.graph.update(G.graph)
    return found


def classify_graph(store: GraphStore, firm_id: str) -> ChainGraph:
    """What :func:`~chaingraph.analysis.classify.classify_firm` reads for one firm: every
    chain and segment, the firm, its stated segments and the Sources they cite."""
    ids = {firm_id}
    for cid in store.chain_ids():
        ids.add(cid)
        ids.update(str(r["id"]) for r in store.neighbors(cid, 1, ["HAS_SEGMENT"], "out"))
    ids.update(str(r["id"]) for r in store.neighbors(firm_id, 1, ["IN_SEGMENT"], "out"))
    return with_cited_sources(store, store.subgraph(ids))


def impact_graph(store: GraphStore, firm_id: str, chain_ids: Iterable[str]) -> ChainGraph:
    """The subgraph ``analysis.impact.firm_impact`` needs: the chains' subgraphs and every node
    two SUPPLIES hops from the firm (its suppliers' other customers decide "only customer",
    its customers' other suppliers "cut off")."""
    ids = {firm_id, *(r["id"] for r in store.neighbors(firm_id, 2, ["SUPPLIES"], "both"))}
    for cid in chain_ids:
        ids.update(store.chain_graph(cid).nodes)
    return store.subgraph(ids)


def chain_graph_with_sources(store: GraphStore, chain_id: str) -> ChainGraph:
    """A chain's subgraph with the Source nodes its facts cite (a report shows their titles).

    What a chain report reads, fetched without loading the whole store. Unlike
    :func:`with_cited_sources` only the missing Source nodes are fetched and added (Sources
    have no edges to the chain), not the whole subgraph again: on Neo4j that halves a
    report's reads.
    """
    import networkx as nx  # here: the CLI imports this module for --help

    G = store.chain_graph(chain_id)
    missing = cited_sources(G) - set(G)
    if not missing:
        return G
    both: ChainGraph = nx.MultiDiGraph(G)
    both.update(store.subgraph(sorted(missing)))
    return both


def gaps_view_graphs(store: GraphStore, chain_id: str) -> tuple[ChainGraph, ChainGraph]:
    """What the gaps view of one chain reads: its subgraph with the Sources it cites, and
    :meth:`GraphStore.analysis_graph` (its candidates), from one fetch of the store.

    The analysis graph is induced on a superset of the chain's nodes and already holds
    every Source cited, so the chain's part is cut out of it rather than read again (the
    same nodes, edges and graph attributes as :meth:`GraphStore.chain_graph` plus
    :func:`with_cited_sources`).
    """
    from ..analysis.distance import LOCAL_DIVISIONS

    outside = store.analysis_graph(chain_id)
    ids = chain_node_ids(outside, chain_id)
    ids |= cited_sources(outside.subgraph(ids)) & set(outside)
    G: ChainGraph = outside.subgraph(ids).copy()
    G.graph.pop(LOCAL_DIVISIONS, None)  # a database store's, for its analysis graph only
    return G, outside
