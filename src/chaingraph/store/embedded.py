"""The embedded store: a dataset folder read into a networkx graph. No server needed."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from .. import cache, query
from ..analysis import chains_of
from ..analysis.impact import chains_touching
from ..dataset import invalid, load_dataset, write_dataset
from ..model import ChainGraph, Row


class EmbeddedStore:
    """A dataset folder (the source of truth) behind the GraphStore interface.

    The folder is read once, on first use; every query runs on the in-memory graph.
    """

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)
        self.url = str(self.folder)
        self._G: ChainGraph | None = None
        #: the dataset's key in :mod:`chaingraph.cache` when it was loaded ('' if not cached)
        self.cache_key = ""
        #: True once the load remembered the dataset's stats in the cache (see G)
        self.stats_remembered = False

    @property
    def G(self) -> ChainGraph:
        """The loaded graph (read from the folder on first access)."""
        if self._G is None:
            # the stats go beside a new entry, computed by its writer (behind the command
            # when it is written behind), so the first 'stats' after any command reads them
            # without loading the graph
            ds = load_dataset(self.folder, memos={cache.STATS: query.stats})
            if ds.problems:
                raise invalid(ds.folder, ds.problems)
            self._G, self.cache_key = ds.graph, ds.cache_key
            self.stats_remembered = ds.entry_written
        return self._G

    def load(self) -> ChainGraph:
        """The whole graph."""
        return self.G

    def save(self, G: ChainGraph) -> None:
        """Write G as this store's folder (which must be new or empty)."""
        name = str(G.graph.get("dataset") or self.folder.name)
        write_dataset(G, self.folder, name=name, title=str(G.graph.get("title", "")))
        self._G, self.cache_key = G, ""

    def close(self) -> None:
        """Nothing to release."""

    def resolve(self, text: str) -> str:
        """See GraphStore.resolve."""
        return query.resolve(self.G, text)

    def find(self, text: str, limit: int = 50) -> list[Row]:
        """See GraphStore.find."""
        return query.find(self.G, text, limit)

    def node(self, node_id: str) -> Row:
        """See GraphStore.node."""
        return query.node(self.G, node_id)

    def relations(self, node_id: str) -> list[Row]:
        """See GraphStore.relations."""
        return query.relations(self.G, node_id)

    def neighbors(
        self,
        node_id: str,
        depth: int = 1,
        rels: Iterable[str] | None = None,
        direction: str = "both",
    ) -> list[Row]:
        """See GraphStore.neighbors."""
        return query.neighbors(self.G, node_id, depth, rels, direction)

    def reach(self, node_id: str, direction: str) -> list[Row]:
        """See GraphStore.reach."""
        return query.reach(self.G, node_id, direction)

    def path(
        self,
        source: str,
        target: str,
        rels: Iterable[str] | None = None,
        directed: bool = False,
        max_hops: int = 8,
    ) -> list[Row]:
        """See GraphStore.path."""
        return query.path(self.G, source, target, rels, directed, max_hops)

    def stats(self) -> dict[str, list[Row]]:
        """See GraphStore.stats."""
        return query.stats(self.G)

    def chains_touching(self, node_id: str) -> list[str]:
        """See GraphStore.chains_touching."""
        return chains_touching(self.G, node_id)

    def chain_ids(self) -> list[str]:
        """Ids of all Chain nodes, sorted."""
        return chains_of(self.G)

    def analysis_graph(self, chain_id: str) -> ChainGraph:
        """See GraphStore.analysis_graph: the whole graph, already in memory (not a copy:
        callers must not change it)."""
        from ..analysis import check_chain

        check_chain(self.G, chain_id)
        return self.G

    def chain_graph(self, chain_id: str) -> ChainGraph:
        """See GraphStore.chain_graph."""
        return self.subgraph(query.chain_node_ids(self.G, chain_id))

    def subgraph(self, node_ids: Iterable[str]) -> ChainGraph:
        """A copy of the induced subgraph (callers may change it freely)."""
        ids = [n for n in node_ids if n in self.G]
        sub: ChainGraph = self.G.subgraph(ids).copy()
        return sub
