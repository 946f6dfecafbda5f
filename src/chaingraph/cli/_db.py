"""``chaingraph db``: push, pull, query and inspect a Neo4j database.

The database is the --store URL (or CHAINGRAPH_STORE): ``bolt://``, ``bolt+s://``,
``neo4j://`` or ``neo4j+s://``; credentials come only from NEO4J_USERNAME, NEO4J_PASSWORD and
NEO4J_DATABASE.
"""

from __future__ import annotations

import json
import sys
import time
from typing import TYPE_CHECKING, Any

import click

from ..errors import StoreUnavailable
from ._common import emit, get_store, note, output_option, print_text, store_url
from ._output import to_json

if TYPE_CHECKING:
    from ..store.neo4j_store import Neo4jStore

NEO4J_URL_HELP = "bolt://HOST:7687 or neo4j://HOST:7687"


def neo4j_store(ctx: click.Context) -> Neo4jStore:
    """The store of this invocation, which must be a Neo4j database."""
    from ..store import NEO4J_SCHEMES
    from ..store.neo4j_store import Neo4jStore

    url = store_url(ctx)
    scheme, sep, _ = url.partition("://")
    if not sep or scheme.lower() not in NEO4J_SCHEMES:
        raise StoreUnavailable(
            f"'db' commands need a Neo4j store, not '{url}'. Set --store or CHAINGRAPH_STORE to "
            f"{NEO4J_URL_HELP} (credentials in NEO4J_USERNAME / NEO4J_PASSWORD)"
        )
    store = get_store(ctx)
    assert isinstance(store, Neo4jStore)
    return store


@click.group()
def db() -> None:
    """Push, pull and query a Neo4j database.

    The database is the --store bolt:// or neo4j:// URL.

    \b
      export CHAINGRAPH_STORE=bolt://127.0.0.1:7687 NEO4J_USERNAME=neo4j NEO4J_PASSWORD=…
      chaingraph db push graphs/shengzhou
      chaingraph db status
    """


class _Progress:
    """A click progress bar on stderr, shown only once a push takes more than a moment."""

    def __init__(self, label: str, delay: float = 0.5) -> None:
        self.label = label
        self.began = time.monotonic()
        self.delay = delay
        self.bar: Any = None
        self.shown = 0

    def __call__(self, phase: str, done: int, total: int) -> None:
        if self.bar is None:
            if time.monotonic() - self.began < self.delay or done >= total:
                return
            self.bar = click.progressbar(length=total, label=self.label, file=sys.stderr)
            self.bar.__enter__()
        if phase == "prune" and self.bar.label != "Pruning":
            self.bar.label = "Pruning"
            self.bar.length = total
            self.shown = 0
            self.bar.pos = 0
        self.bar.update(done - self.shown)
        self.shown = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


@db.command()
@click.argument("dataset", required=False, type=click.Path(file_okay=False, dir_okay=True))
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    default=2000,
    show_default=True,
    help="Rows per transaction.",
)
@click.option(
    "--prune",
    is_flag=True,
    help="Also delete what this dataset pushed before but no longer holds (only its own items).",
)
@output_option
@click.pass_context
def push(ctx: click.Context, dataset: str | None, batch_size: int, prune: bool, fmt: str) -> None:
    """Write a dataset folder into the database.

    Running it again changes nothing. DATASET defaults to the shipped Shengzhou dataset.
    Nodes and relationships are merged on their ids in batches, one transaction each, and
    tagged with the dataset's name. An interrupted push can simply be run again: it resumes
    and ends in the same state.

    \b
      chaingraph db push graphs/shengzhou --prune
    """
    from ..dataset import read_graph
    from ..store import default_store_url
    from ..store.neo4j_sync import push as push_graph

    store = neo4j_store(ctx)
    folder = dataset or default_store_url()
    G = read_graph(folder)
    name = str(G.graph.get("dataset") or "")
    progress = _Progress(f"Pushing {name}")
    try:
        report = push_graph(store, G, name, batch_size=batch_size, prune=prune, progress=progress)
    finally:
        progress.close()
    emit(report.rows(), fmt)
    note(
        f"Pushed '{name}' ({report.nodes} nodes, {report.relationships} relationships) to "
        f"{store.url} database {store.database} in {report.seconds:.1f} s"
    )


@db.command()
@click.argument("folder", type=click.Path(file_okay=False, dir_okay=True))
@click.option("--dataset", "dataset", help="Only the items pushed from this dataset.")
@click.option("--name", help="Name for dataset.yaml (default: the dataset's name).")
@click.option("--title", default="", help="Title for dataset.yaml.")
@click.pass_context
def pull(
    ctx: click.Context, folder: str, dataset: str | None, name: str | None, title: str
) -> None:
    """Write the database into a new dataset folder, then validate it.

    \b
      chaingraph db pull out/shengzhou-copy
      chaingraph validate out/shengzhou-copy
    """
    from ..dataset import validate
    from ..errors import InvalidGraphData
    from ..store.neo4j_sync import pull as pull_graph

    store = neo4j_store(ctx)
    G, files = pull_graph(store, folder, dataset=dataset, name=name, title=title)
    note(
        f"Wrote {len(files)} files to {folder} ({G.number_of_nodes()} nodes, "
        f"{G.number_of_edges()} relationships)"
    )
    problems = validate(folder)
    if problems:
        raise InvalidGraphData(
            f"The pulled folder has {len(problems)} problems, first: {problems[0]}. "
            f"Run 'chaingraph validate {folder}'",
            problems,
        )


def _param(text: str) -> tuple[str, Any]:
    name, sep, raw = text.partition("=")
    if not sep or not name.isidentifier():
        raise click.BadParameter(f"'{text}' is not NAME=VALUE", param_hint="--param")
    try:
        value: Any = json.loads(raw)
    except ValueError:
        value = raw
    return name, value


def _shown(value: Any, fmt: str) -> Any:
    """A result value for output: graph values as data (json) or short text (table/csv)."""
    from ..store.neo4j_conn import GraphValue

    if isinstance(value, GraphValue):
        return value.data if fmt == "json" else str(value)
    if isinstance(value, list):
        return [_shown(v, fmt) for v in value]
    if isinstance(value, dict):
        return {k: _shown(v, fmt) for k, v in value.items()}
    return value


@db.command()
@click.argument("query")
@click.option(
    "--param",
    "-p",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="A query parameter ($NAME); VALUE is read as JSON if it parses, else as text.",
)
@click.option("--write", is_flag=True, help="Allow the query to write (default: read-only).")
@output_option
@click.pass_context
def cypher(ctx: click.Context, query: str, params: tuple[str, ...], write: bool, fmt: str) -> None:
    """Run a Cypher query; read-only unless --write.

    Nodes print as (id:Kind name).

    \b
      chaingraph db cypher 'MATCH (f:Firm {local: true}) RETURN f.id, f.name'
      chaingraph db cypher 'MATCH (n {id: $id})-[r]-(m) RETURN r, m' --param id=byd
    """
    values = dict(_param(p) for p in params)
    store = neo4j_store(ctx)
    result = store.cypher(query, values, write=write)
    rows = [{k: _shown(v, fmt) for k, v in row.items()} for row in result.rows]
    if rows or fmt != "table":
        emit(rows, fmt, result.keys)
    else:
        note("(no rows)")
    if result.counters:
        note(", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in sorted(result.counters.items())))


@db.command()
@output_option
@click.pass_context
def status(ctx: click.Context, fmt: str) -> None:
    """Server version and counts by label and relationship type.

    Also the server agent and the database in use.

    \b
      chaingraph db status
    """
    from ..store.neo4j_sync import datasets

    store = neo4j_store(ctx)
    info = store.server_status()
    info["datasets"] = [{"dataset": k, "nodes": v} for k, v in sorted(datasets(store).items())]
    if fmt == "json":
        print_text(to_json(info))
        return
    rows: list[dict[str, Any]] = [
        {"what": "server", "name": "agent", "count": info["agent"]},
        {"what": "server", "name": "bolt protocol", "count": info["protocol"]},
    ]
    for comp in info["components"]:
        versions = "/".join(comp["versions"])
        rows.append(
            {"what": "server", "name": comp["name"], "count": f"{versions} {comp['edition']}"}
        )
    rows.append({"what": "database", "name": info["database"], "count": info["url"]})
    rows += [{"what": "label", "name": r["label"], "count": r["count"]} for r in info["labels"]]
    rows += [{"what": "type", "name": r["type"], "count": r["count"]} for r in info["types"]]
    rows += [
        {"what": "dataset", "name": r["dataset"], "count": r["nodes"]} for r in info["datasets"]
    ]
    emit(rows, fmt, ["what", "name", "count"])
