"""The Neo4j store: a chain graph in a Neo4j (or Bolt-compatible) database.

:class:`Neo4jStore` puts the GraphStore interface over four modules that depend one way only::

    neo4j_schema   labels, property encoding and decoding, id checks (no driver)
    neo4j_conn     driver, sessions, error messages, raw Cypher      -> schema
    neo4j_read     lookups, explore queries, stats, subgraphs        -> conn, schema
    neo4j_sync     push, prune and pull                              -> read, conn, schema

Every explore query answers with the same rows as the networkx reference functions of
:mod:`chaingraph.query`; how a graph is stored is described in :mod:`.neo4j_schema`.

ArcadeDB (the test server) differs from Neo4j in ways these modules code around: it ignores
the access mode of a transaction (so read-only ``cypher`` checks the query type and rolls
back writes itself); its element ids change when a node's labels change (so everything is
keyed on ``id``); and a MERGE that races another MERGE of the same id fails with a
constraint error instead of waiting (so pushes retry such batches).
"""

from __future__ import annotations

from collections.abc import Iterable

from ..model import ChainGraph, Row
from . import neo4j_read as read
from .neo4j_conn import Neo4jConnection
from .neo4j_sync import push


class Neo4jStore(Neo4jConnection):
    """A chain graph in a Neo4j database, behind the GraphStore interface.

    Opened like :class:`~chaingraph.store.neo4j_conn.Neo4jConnection` (URL, credentials,
    database, timeout); usually with :meth:`from_env`.
    """

    # --- lookups -------------------------------------------------------------------------

    def kinds_of(self, ids: Iterable[str]) -> dict[str, tuple[str, str]]:
        """id -> (kind, name) for the ids that exist (any Kind label)."""
        return read.kinds_of(self, ids)

    # --- explore queries -------------------------------------------------------------------

    def find(self, text: str, limit: int = 50) -> list[Row]:
        """See :func:`chaingraph.query.find` (candidates filtered in Cypher, ranked alike)."""
        return read.find(self, text, limit)

    def resolve(self, text: str) -> str:
        """See :func:`chaingraph.query.resolve`."""
        return read.resolve(self, text)

    def node(self, node_id: str) -> Row:
        """See :func:`chaingraph.query.node`."""
        return read.node(self, node_id)

    def relations(self, node_id: str) -> list[Row]:
        """See :func:`chaingraph.query.relations`."""
        return read.relations(self, node_id)

    def neighbors(
        self,
        node_id: str,
        depth: int = 1,
        rels: Iterable[str] | None = None,
        direction: str = "both",
    ) -> list[Row]:
        """See :func:`chaingraph.query.neighbors` (one frontier query per hop)."""
        return read.neighbors(self, node_id, depth, rels, direction)

    def reach(self, node_id: str, direction: str) -> list[Row]:
        """See :func:`chaingraph.query.reach` (one frontier query per hop)."""
        return read.reach(self, node_id, direction)

    def path(
        self,
        source: str,
        target: str,
        rels: Iterable[str] | None = None,
        directed: bool = False,
        max_hops: int = 8,
    ) -> list[Row]:
        """See :func:`chaingraph.query.path` (breadth first in Cypher, one query per level)."""
        return read.path(self, source, target, rels, directed, max_hops)

    def stats(self) -> dict[str, list[Row]]:
        """See :func:`chaingraph.query.stats` (counted in Cypher)."""
        return read.stats(self)

    def chains_touching(self, node_id: str) -> list[str]:
        """See :func:`chaingraph.analysis.chains_touching` (one frontier query per step)."""
        return read.chains_touching(self, node_id)

    def chain_ids(self) -> list[str]:
        """Ids of all Chain nodes, sorted: one indexed query, nothing else read."""
        return read.chain_ids(self)

    def chain_graph(self, chain_id: str) -> ChainGraph:
        """See :func:`chaingraph.query.chain_node_ids`: the ids are collected in Cypher."""
        return read.chain_graph(self, chain_id)

    def analysis_graph(self, chain_id: str) -> ChainGraph:
        """See :func:`.neo4j_read.analysis_graph`: the chain's subgraph and the candidate
        outside firms selected in Cypher; never the whole database."""
        return read.analysis_graph(self, chain_id)

    # --- whole graphs ----------------------------------------------------------------------

    def subgraph(self, node_ids: Iterable[str]) -> ChainGraph:
        """The induced subgraph on the given ids (nodes and edges sorted by id)."""
        return read.subgraph(self, node_ids)

    def load(self, dataset: str | None = None) -> ChainGraph:
        """The whole graph, or only the items pushed from ``dataset``."""
        return read.load(self, dataset)

    def save(self, G: ChainGraph) -> None:
        """Replace the database's chain graph with G (see :func:`.neo4j_sync.push` with replace)."""
        push(self, G, dataset=str(G.graph.get("dataset") or "chaingraph"), replace=True)
