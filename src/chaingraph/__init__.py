"""chaingraph: industrial-chain knowledge graphs (产业链知识图谱) for investment promotion.

The public API is re-exported here and imported lazily (PEP 562), so that the command line
starts fast: ``import chaingraph`` costs nothing until a name is used.

Map (one line a module; every module imports only modules listed below it)::

    __main__.py                python -m chaingraph
    cli/__init__.py            the chaingraph command: explore commands, lazy loading, errors
    cli/_analysis.py           chain, gaps, targets, leaders, impact, report commands
    cli/_classify.py           classify command
    cli/_db.py                 db push / pull / cypher / status commands
    cli/_import.py             import command
    cli/_view.py               view commands
    cli/_common.py             store of the invocation, --format option, printing
    cli/_output.py             rows -> table / json / csv text
    report.py                  chain reports: Markdown, HTML, index page
    report_workbook.py         the report as an Excel workbook (report.xlsx)
    workbook.py                rows -> an .xlsx workbook
    views/__init__.py          view API: write_html, chain/gaps/ego/graph views, panorama
    views/panorama.py          the printable chain panorama (产业链全景图)
    views/map.py               where the firms are: a map by division code (企业分布图)
    views/html.py              view data -> one self-contained HTML page
    views/build.py             graph -> view data: nodes, edges, positions, styles, details
    views/layout.py            node positions (tiered chains, force layouts)
    ingest/__init__.py         import API: import_file and the pieces of an import
    ingest/files.py            import a sheet into a dataset: plan, validate the change, move in
    ingest/guard.py            two imports at once: the check and lock before an import writes
    ingest/plan.py             Planner: a sheet's rows -> changes to the imported files
    ingest/plan_fast.py        the rows that add a plain new firm, planned column by column
    ingest/plan_relations.py   the edges an import adds, cites again or removes
    ingest/plan_resolve.py     who a row names: firms, places, chains, segments
    ingest/plan_render.py      the imported files: columns, reading, new text
    ingest/plan_result.py      ImportResult, Change, Issue, SheetRow
    ingest/candidates.py       segment candidates for the rows of a firm list
    ingest/mapping.py          which column holds which field
    ingest/names.py            firm-name normalising and matching
    ingest/sheets.py           .xlsx / .csv -> text rows
    ingest/values.py           amounts, yes/no, name lists, credit codes as staff type them
    store/__init__.py          open_store(url): a dataset folder or a Neo4j URL
    store/base.py              GraphStore protocol; resolve_chain, with_cited_sources
    store/embedded.py          EmbeddedStore: a dataset folder in memory
    store/neo4j_store.py       Neo4jStore: the GraphStore face over the four below
    store/neo4j_sync.py        push, prune, pull
    store/neo4j_read.py        lookups, explore queries, stats, subgraphs in Cypher
    store/neo4j_conn.py        driver, sessions, error messages, raw Cypher
    store/neo4j_schema.py      labels, property encoding and decoding, id checks
    query.py                   reference explore queries on a networkx graph
    analysis/__init__.py       analysis API (lazy)
    analysis/targets.py        招商目标: outside firms for gap and weak segments, scored
    analysis/impact.py         断链风险: what the chains lose if a firm leaves
    analysis/leaders.py        链主: local firms ranked by a composite score
    analysis/gaps.py           补链 / 强链 / 延链: gaps, weak links, single sources, extension
    analysis/coverage.py       chain map and completeness: the one definition of the numbers
    analysis/classify.py       which segments a firm can serve, and how that is known
    analysis/distance.py       distance from the zone by administrative-division code
    analysis/infer.py          inferred supply links where segments FEED each other
    analysis/_context.py       per-chain facts every measure builds on (ChainContext)
    analysis/kernels.py        PageRank and betweenness in igraph
    analysis/status.py         segment status vocabulary (covered / weak / gap / extension), shares
    dataset_delta.py           check a change to a few files against the loaded dataset
    dataset.py                 read and write dataset folders (YAML + CSV)
    dataset_fast.py            CSV rows proved fine in bulk and added at once (the fast load)
    dataset_check.py           check a dataset's items and build the graph
    edge_places.py             where each edge was read, kept compact until asked for
    layers.py                  included datasets (layers): a zone dataset names others
    node_places.py             where each node was read, kept compact until asked for
    cache.py                   the cache of validated datasets, keyed by digests of every file
    search.py                  find and resolve nodes by name
    places.py                  administrative divisions and the place parser
    safe_yaml.py               safe, fast YAML reading
    cells.py                   spreadsheet cells: formula-looking text stays text
    jsontext.py                the one JSON writer: non-finite numbers as null, never NaN
    atomic.py                  writes an interruption cannot leave half done (temp + rename)
    stamp.py                   the time written into files: SOURCE_DATE_EPOCH, never the clock
    model.py                   kinds, relations, fields, ids, Row: the one place labels come from
    errors.py                  ChaingraphError and its kinds
    _lazy.py                   lazy exports (PEP 562) of the package APIs
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._lazy import lazy_exports

__version__ = "0.1.0"

_EXPORTS = {
    "Dataset": "dataset",
    "load_dataset": "dataset",
    "read_graph": "dataset",
    "validate": "dataset",
    "write_dataset": "dataset",
    "AmbiguousEntity": "errors",
    "ChaingraphError": "errors",
    "InvalidGraphData": "errors",
    "QueryError": "errors",
    "StoreUnavailable": "errors",
    "UnknownEntity": "errors",
    "ChainGraph": "model",
    "Grade": "model",
    "Kind": "model",
    "Rel": "model",
    "Tier": "model",
    "GraphStore": "store",
    "default_store_url": "store",
    "open_store": "store",
}

__all__ = [
    "AmbiguousEntity",
    "ChainGraph",
    "ChaingraphError",
    "Dataset",
    "Grade",
    "GraphStore",
    "InvalidGraphData",
    "Kind",
    "QueryError",
    "Rel",
    "StoreUnavailable",
    "Tier",
    "UnknownEntity",
    "default_store_url",
    "load_dataset",
    "open_store",
    "read_graph",
    "validate",
    "write_dataset",
]

if TYPE_CHECKING:
    from .dataset import Dataset, load_dataset, read_graph, validate, write_dataset
    from .errors import (
        AmbiguousEntity,
        ChaingraphError,
        InvalidGraphData,
        QueryError,
        StoreUnavailable,
        UnknownEntity,
    )
    from .model import ChainGraph, Grade, Kind, Rel, Tier
    from .store import GraphStore, default_store_url, open_store


__getattr__ = lazy_exports(__name__, _EXPORTS)
