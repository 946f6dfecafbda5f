"""The ``chaingraph`` command: parse, call the library, print. No graph logic here.

Commands of other areas (Neo4j, analysis, views, import) live in their own ``cli/_*`` modules
and are imported only when run, so ``chaingraph --help`` starts in a blink.
"""

from __future__ import annotations

import importlib
import logging
from typing import Any

import click

from ..errors import ChaingraphError
from ._common import emit, emit_sheets, get_store, note, output_option, print_text, store_url

#: name -> "module:attribute" of a command whose module is imported only when it is run or listed
LAZY_COMMANDS: dict[str, str] = {
    "chain": "chaingraph.cli._analysis:chain",
    "gaps": "chaingraph.cli._analysis:gaps",
    "targets": "chaingraph.cli._analysis:targets",
    "classify": "chaingraph.cli._classify:classify",
    "leaders": "chaingraph.cli._analysis:leaders",
    "impact": "chaingraph.cli._analysis:impact",
    "report": "chaingraph.cli._analysis:report",
    "view": "chaingraph.cli._view:view",
    "import": "chaingraph.cli._import:import_",
    "db": "chaingraph.cli._db:db",
}

EXPLORE_RELS = click.Choice(
    [
        "FEEDS",
        "HAS_SEGMENT",
        "IN_SEGMENT",
        "SUPPLIES",
        "LEADS",
        "LOCATED_IN",
        "HOSTS",
        "INVESTS_IN",
        "ATTRACTED",
        "AFFILIATED_WITH",
        "RECEIVED",
        "RECOGNISES",
        "BUILDS",
        "CONNECTS",
    ],
    case_sensitive=False,
)


class ChaingraphGroup(click.Group):
    """A group that loads area commands lazily and turns library errors into one line.

    A command's module imports only click and the light model; the library loads when the
    command runs. So ``--help`` lists every command with the first line of its own docstring.
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is not None or cmd_name not in LAZY_COMMANDS:
            return command
        module_name, _, attr = LAZY_COMMANDS[cmd_name].partition(":")
        found: click.Command = getattr(importlib.import_module(module_name), attr)
        return found

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ChaingraphError as exc:
            raise click.ClickException(str(exc)) from exc
        except OSError as exc:
            where = f" '{exc.filename}'" if exc.filename else ""
            raise click.ClickException(f"{exc.strerror or exc}{where}") from exc


@click.group(cls=ChaingraphGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--store",
    "store",
    envvar="CHAINGRAPH_STORE",
    show_envvar=True,
    metavar="URL",
    help="A dataset folder, or neo4j:// / bolt:// URL (credentials from NEO4J_USERNAME, "
    "NEO4J_PASSWORD, NEO4J_DATABASE). Default: the shipped Shengzhou dataset.",
)
@click.option("-v", "--verbose", is_flag=True, help="Show the Neo4j driver's log lines.")
@click.option(
    "--no-cache",
    is_flag=True,
    envvar="CHAINGRAPH_NO_CACHE",
    show_envvar=True,
    help="Read and check the dataset folder even if the dataset cache holds it unchanged "
    "(cache folder: CHAINGRAPH_CACHE_DIR, else XDG_CACHE_HOME/chaingraph, else "
    "~/.cache/chaingraph).",
)
@click.version_option(package_name="chaingraph")
@click.pass_context
def cli(ctx: click.Context, store: str | None, verbose: bool, no_cache: bool) -> None:
    """Industrial-chain knowledge graph (产业链知识图谱): chain leaders, supplier gaps,
    HTML views and Neo4j, for investment-promotion staff.

    \b
    Start with:
      chaingraph stats
      chaingraph find 比亚迪
      chaingraph report --out out/
    """
    ctx.ensure_object(dict)
    ctx.obj["store_url"] = store
    if no_cache:
        from .. import cache

        was = cache.disable()
        ctx.call_on_close(lambda: cache.disable(was))  # an in-process caller gets it back
    logging.basicConfig(level=logging.WARNING, format="%(name)s: %(message)s")
    logging.getLogger("neo4j").setLevel(logging.DEBUG if verbose else logging.CRITICAL)


#: the largest dataset (nodes) whose entry's writer also makes the import's memo: it costs
#: the writer about 0.02 ms a node (about 0.1 s for a zone of 86 nodes with the 4,430-firm
#: listed-firm layer it includes)
IMPORT_MEMO_MAX = 50_000


def import_index(G: Any) -> Any:
    """What ``import`` reads of a dataset first, remembered beside its cache entry (see
    :func:`chaingraph.ingest.plan_resolve.index_memo`); None (an import indexes the graph
    itself) for a dataset of more than IMPORT_MEMO_MAX nodes."""
    if len(G) > IMPORT_MEMO_MAX:
        return None
    from ..ingest.plan_resolve import index_memo

    return index_memo(G)


def main() -> None:
    """Entry point of the console script."""
    from .. import cache

    cache.write_behind()  # a command does not wait for the dataset cache's new entry
    cache.memo_behind(cache.IMPORT_INDEX, import_index)  # made by that entry's writer
    cli(prog_name="chaingraph")


# --- validate -----------------------------------------------------------------------------


@cli.command()
@click.argument("path", required=False, type=click.Path(file_okay=True, dir_okay=True))
@output_option
@click.pass_context
def validate(ctx: click.Context, path: str | None, fmt: str) -> None:
    """Check a dataset folder: every problem with file, line, fix.

    PATH defaults to the --store folder (or the shipped dataset). Exits 1 if any problem.

    \b
      chaingraph validate graphs/shengzhou
    """
    from ..dataset import load_dataset

    folder = path or store_url(ctx)
    if "://" in folder and not folder.startswith("file://"):
        raise click.UsageError(f"validate checks a dataset folder, not '{folder}'")
    ds = load_dataset(folder.removeprefix("file://"))
    rows = [
        {"file": p.where.file, "line": p.where.line, "message": p.message, "fix": p.fix}
        for p in ds.problems
    ]
    if fmt == "table":
        for p in ds.problems:
            click.echo(str(p))
    elif rows or fmt == "json":
        emit(rows, fmt, ["file", "line", "message", "fix"])
    G = ds.graph
    if ds.problems:
        n = len(ds.problems)
        note(f"{n} problem{'s' if n > 1 else ''} in {folder}")
        ctx.exit(1)
    note(f"OK: {folder} — {G.number_of_nodes()} nodes, {G.number_of_edges()} edges")


# --- stats --------------------------------------------------------------------------------

STATS_TITLES = {
    "kinds": "Nodes by kind",
    "relations": "Relations by kind",
    "chains": "Chains (产业链): segments excl. extension; present = with a local firm; covered = "
    "with two or more; coverage = present / segments",
    "platforms": "Platforms",
    "reported": "Reported by the sources vs in the graph",
}


@cli.command()
@output_option
@click.pass_context
def stats(ctx: click.Context, fmt: str) -> None:
    """Counts by kind, chain and platform; reported vs in the graph.

    How much of what the sources report is in the graph.

    \b
      chaingraph stats
      chaingraph stats --format json
    """
    from ..analysis.status import share_text

    sections = _stats_sections(ctx)
    if fmt == "json":
        print_text(_json(sections))
        return
    if fmt == "xlsx":
        emit_sheets({name: (rows_, None) for name, rows_ in sections.items()})
        return
    if fmt == "csv":
        rows = [{"section": name} | row for name, rows_ in sections.items() for row in rows_]
        emit(rows, "csv")
        return
    blocks = []
    for name, rows_ in sections.items():
        shown = rows_
        if name == "reported":
            shown = [_reported_row(r) for r in rows_]
        elif name == "chains":
            shown = [r | {"coverage": share_text(r["coverage"])} for r in rows_]
        body = emit_text(shown) if shown else "(none)"
        blocks.append(f"{STATS_TITLES.get(name, name)}\n{body}")
    print_text("\n\n".join(blocks))


def _stats_sections(ctx: click.Context) -> dict[str, list[dict[str, Any]]]:
    """The store's stats; of a dataset folder, remembered in the dataset cache.

    The sections are what ``store.stats()`` (:func:`chaingraph.query.stats`) returns for the
    folder as it is: computed once after each change of the folder (or of chaingraph) — by
    whichever command first loads it and writes its cache entry (the embedded store), or
    here — then read from the cache without loading the graph or importing networkx.
    """
    from .. import cache
    from ..store import store_folder

    folder = store_folder(store_url(ctx))
    known = cache.memo(folder, cache.STATS) if folder is not None and folder.is_dir() else None
    if isinstance(known, dict):
        return known
    store = get_store(ctx)
    sections = store.stats()
    key = getattr(store, "cache_key", "")
    if folder is not None and key and not getattr(store, "stats_remembered", False):
        cache.remember(folder, key, cache.STATS, sections)  # (a load that wrote the entry did)
    return sections


def _reported_row(row: dict[str, Any]) -> dict[str, Any]:
    from ..analysis.status import share_text

    qualifier = {"over": "> ", "about": "~ ", "at_least": ">= ", "up_to": "<= "}.get(
        str(row.get("qualifier")), ""
    )
    share = row.get("share")
    return {
        "node": row["node"],
        "figure": row["label"] or row["figure"],
        "reported": f"{qualifier}{_num(row['reported'])}",
        "in_graph": _num(row["in_graph"]),
        "share": share_text(share) if isinstance(share, float | int) else "",
    }


def _num(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and abs(value) >= 100_000_000:
        return f"{value / 100_000_000:g}亿"
    return str(value)


def emit_text(rows: list[dict[str, Any]]) -> str:
    from ._output import table

    return table(rows)


def _json(data: Any) -> str:
    from ._output import to_json

    return to_json(data)


# --- find / show ----------------------------------------------------------------------------


@cli.command()
@click.argument("text")
@click.option(
    "--kind",
    type=click.Choice(
        ["Zone", "Park", "Platform", "Chain", "Segment", "Firm", "Project", "Source"],
        case_sensitive=False,
    ),
    help="Only nodes of this kind.",
)
@click.option("--limit", type=click.IntRange(1), default=50, show_default=True)
@output_option
@click.pass_context
def find(ctx: click.Context, text: str, kind: str | None, limit: int, fmt: str) -> None:
    """Search ids, names and aliases (case- and width-insensitive).

    \b
      chaingraph find 比亚迪
      chaingraph find byd --format json
    """
    rows = get_store(ctx).find(text, limit=limit if kind is None else 10_000)
    if kind:
        rows = [r for r in rows if r["kind"].lower() == kind.lower()][:limit]
    emit(rows, fmt, ["id", "kind", "name", "match", "field", "value"])


@cli.command()
@click.argument("entity")
@output_option
@click.pass_context
def show(ctx: click.Context, entity: str, fmt: str) -> None:
    """Show one entity: attributes, figures, relations, sources.

    Sources come with their quotes.

    ENTITY is an id, a name or an alias.

    \b
      chaingraph show 比亚迪
    """
    store = get_store(ctx)
    node_id = store.resolve(entity)
    node = store.node(node_id)
    rels = store.relations(node_id)
    if fmt == "json":
        print_text(_json({"node": node, "relations": rels}))
        return
    if fmt == "xlsx":
        attrs = [{"field": k, "value": v} for k, v in node.items()]
        relations = [_relation_row(r) for r in rels]
        emit_sheets({"node": (attrs, None), "relations": (relations, RELATION_COLUMNS)})
        return
    if fmt == "csv":
        emit([_relation_row(r) for r in rels], "csv", RELATION_COLUMNS)
        return
    print_text(_show_text(node, rels))


RELATION_COLUMNS = ["direction", "rel", "other", "other_kind", "other_name", "grade", "fields"]


def _relation_row(r: dict[str, Any]) -> dict[str, Any]:
    return {k: r[k] for k in RELATION_COLUMNS}


def _show_text(node: dict[str, Any], rels: list[dict[str, Any]]) -> str:
    lines = [f"{node['name']}  [{node['kind']}: {node['id']}]  ({node.get('grade', '')})"]
    skip = {"id", "kind", "name", "grade", "sources", "figures"}
    for key, value in node.items():
        if key not in skip:
            from ._output import cell_text

            lines.append(f"  {key}: {cell_text(value)}")
    figures = node.get("figures") or []
    if figures:
        lines.append("")
        lines.append("Figures")
        for fig in figures:
            unit = fig.get("unit", "")
            qual = {"over": "超 ", "about": "约 ", "at_least": "≥ ", "up_to": "≤ "}.get(
                fig.get("qualifier", ""), ""
            )
            year = f" ({fig['year']})" if fig.get("year") else ""
            amount = _amount(fig["value"], unit)
            lines.append(f"  {fig.get('label') or fig['key']}{year}: {qual}{amount}")
            lines.extend(_quote_lines(fig.get("sources") or [], indent="    "))
    if rels:
        lines.append("")
        lines.append("Relations")
        for r in rels:
            arrow = f"-{r['rel']}->" if r["direction"] == "out" else f"<-{r['rel']}-"
            detail = ", ".join(f"{k}={v}" for k, v in r["fields"].items() if k != "note")
            detail = f" ({detail})" if detail else ""
            lines.append(f"  {arrow} {r['other_name']} [{r['other']}] ({r['grade']}){detail}")
            lines.extend(_quote_lines(r["sources"], indent="      "))
    sources = node.get("sources") or []
    if sources:
        lines.append("")
        lines.append("Sources")
        lines.extend(_quote_lines(sources, indent="  "))
    return "\n".join(lines)


def _amount(value: Any, unit: str) -> str:
    """A figure for people: yuan in 亿元/万元, other units as given."""
    if unit == "元" and isinstance(value, int | float) and abs(value) >= 10_000:
        big = abs(value) >= 100_000_000
        scaled = value / (100_000_000 if big else 10_000)
        return f"{scaled:,.2f}".rstrip("0").rstrip(".") + (" 亿元" if big else " 万元")
    return f"{_num(value)} {unit}".strip()


def _quote_lines(sources: list[dict[str, Any]], indent: str) -> list[str]:
    out = []
    for s in sources:
        where = f" @{s['locator']}" if s.get("locator") else ""
        out.append(f"{indent}“{s.get('quote', '')}” — {s.get('source', '')}{where}")
    return out


# --- traversals -------------------------------------------------------------------------------

NEIGHBOR_COLUMNS = ["hops", "id", "kind", "name", "rel", "direction", "via", "grade"]
REACH_COLUMNS = ["hops", "id", "kind", "name", "rel", "via", "grade"]
PATH_COLUMNS = ["step", "id", "kind", "name", "rel", "direction", "grade"]


@cli.command()
@click.argument("entity")
@click.option("--depth", type=click.IntRange(1, 6), default=1, show_default=True)
@click.option(
    "--rel", "rels", type=EXPLORE_RELS, multiple=True, help="Follow only this kind (repeatable)."
)
@click.option(
    "--direction",
    type=click.Choice(["both", "out", "in"]),
    default="both",
    show_default=True,
    help="out: along edges (downstream), in: against them.",
)
@output_option
@click.pass_context
def neighbors(
    ctx: click.Context, entity: str, depth: int, rels: tuple[str, ...], direction: str, fmt: str
) -> None:
    """Entities within N hops of ENTITY, with how each is reached.

    Each row names the relation that reaches the entity.

    \b
      chaingraph neighbors 比亚迪 --depth 2
      chaingraph neighbors byd --rel ATTRACTED --rel INVESTS_IN
    """
    store = get_store(ctx)
    node_id = store.resolve(entity)
    allowed = [r.upper() for r in rels] or None
    emit(store.neighbors(node_id, depth, allowed, direction), fmt, NEIGHBOR_COLUMNS)


def _reach_command(direction: str) -> Any:
    word = "upstream" if direction == "up" else "downstream"

    @output_option
    @click.argument("entity")
    @click.pass_context
    def command(ctx: click.Context, entity: str, fmt: str) -> None:
        store = get_store(ctx)
        node_id = store.resolve(entity)
        emit(store.reach(node_id, direction), fmt, REACH_COLUMNS)

    command.__doc__ = f"""What lies {word} of ENTITY through FEEDS and SUPPLIES.

    Rows carry hop counts. A firm or project starts from the segments it works in (hops 0);
    firms and projects in a reached segment are listed with that segment's hops.

    \b
      chaingraph {word} 比亚迪
    """
    return cli.command(name=word)(command)


upstream = _reach_command("up")
downstream = _reach_command("down")


@cli.command()
@click.argument("source")
@click.argument("target")
@click.option(
    "--rel", "rels", type=EXPLORE_RELS, multiple=True, help="Follow only this kind (repeatable)."
)
@click.option("--directed", is_flag=True, help="Follow edges only in their direction.")
@click.option("--max-hops", type=click.IntRange(1, 20), default=8, show_default=True)
@output_option
@click.pass_context
def path(
    ctx: click.Context,
    source: str,
    target: str,
    rels: tuple[str, ...],
    directed: bool,
    max_hops: int,
    fmt: str,
) -> None:
    """The shortest path between two entities, one row per step.

    \b
      chaingraph path 比亚迪 浙江海威汽车二期
    """
    store = get_store(ctx)
    a, b = store.resolve(source), store.resolve(target)
    allowed = [r.upper() for r in rels] or None
    rows = store.path(a, b, allowed, directed, max_hops)
    if not rows:
        raise ChaingraphError(
            f"No path from '{a}' to '{b}' within {max_hops} hops"
            + (" along edge directions" if directed else "")
            + ". Try --max-hops, fewer --rel filters, or without --directed"
        )
    emit(rows, fmt, PATH_COLUMNS)


if __name__ == "__main__":  # pragma: no cover
    main()
