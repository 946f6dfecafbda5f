"""Included datasets (layers): a zone dataset names others in ``dataset.yaml``.

::

    # graphs/shengzhou/dataset.yaml
    include: [../reference/cn-listed]

Each entry is the path of another dataset folder, relative to the including folder. The
graph of a dataset is the union of its own items and everything its includes hold (their own
includes too), with three rules:

- **One firm, one node.** A firm of the dataset whose ``stock_code`` (``002594.SZ``) or
  ``credit_code`` equals that of an included firm, or whose id is that of an included firm,
  *is* that firm: the
  dataset's id wins, the attributes are merged (the dataset's values win, the included name
  becomes an alias), the sources of both are kept, and edges naming the included id are
  re-pointed to it. The dataset's own edges may name included firms by their ids.
- **Names are not guessed.** A firm with an included firm's name but no matching stock code
  is a problem, not a merge: add the stock code (same firm) or rename it (another firm).
- **Ownership.** Every node and edge belongs to the dataset that defines it. The graph
  records the items of included datasets in ``G.graph["owner"]`` (node id -> dataset name)
  and ``G.graph["edge_owner"]`` ((from, to, rel) -> dataset name); items absent from them
  belong to the including dataset. ``db push`` tags each item with its owner, so ``--prune``
  of a zone deletes only the zone's own items; a merged firm belongs to the zone.

Include paths must be relative, must name a folder with a ``dataset.yaml``, and must not form
a cycle; each problem is reported against ``dataset.yaml`` with the fix.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Protocol

import networkx as nx

from .model import ChainGraph, Kind, Location, Problem, normalize_text
from .node_places import NodePlaces

INCLUDE_KEY = "include"
MANIFEST = "dataset.yaml"
OWNER = "owner"
EDGE_OWNER = "edge_owner"
INCLUDES = "includes"
_CREDIT = "credit:"


class _Loaded(Protocol):
    """What :func:`load_includes` needs of a loaded dataset (a ``dataset.Dataset``)."""

    name: str
    graph: ChainGraph
    problems: list[Problem]
    node_locations: MutableMapping[str, Location]
    #: every include read on the way, nested ones too (see :data:`IncludeRead`)
    includes_read: list[IncludeRead]
    #: a digest of the folder's files taken before it was read ('' without the cache)
    digest: str


#: (including folder, include entry as written, included folder, its digest), all as text:
#: what :mod:`chaingraph.cache` checks again before it answers from a cached dataset
IncludeRead = tuple[str, str, str, str]

#: load(folder, stack) -> the loaded dataset; ``stack`` is the chain of including folders
Loader = Callable[[Path, tuple[Path, ...]], _Loaded]


@dataclass
class Included:
    """What a dataset's includes contribute, before its own items are checked."""

    graph: ChainGraph = field(default_factory=nx.MultiDiGraph)
    #: node id -> where it was read, relative to the including folder
    where: dict[str, Location] = field(default_factory=dict)
    #: node id -> name of the dataset that owns it
    owner: dict[str, str] = field(default_factory=dict)
    #: (from, to, rel) -> name of the dataset that owns the edge
    edge_owner: dict[tuple[str, str, str], str] = field(default_factory=dict)
    #: names of the included datasets, in include order (nested ones too)
    names: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    #: included id -> id of the including dataset's node that is the same firm
    merged: dict[str, str] = field(default_factory=dict)
    #: the attributes and edges of the merged included firms (filled by :func:`seed`)
    merged_attrs: dict[str, dict[str, Any]] = field(default_factory=dict)
    merged_edges: list[tuple[str, str, str, dict[str, Any]]] = field(default_factory=list)
    #: every include read, nested ones too
    read: list[IncludeRead] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.names)


def stock_key(code: object) -> str:
    """A stock code as compared: trimmed, upper case, full-width folded.

    >>> stock_key(" 002594.sz ")
    '002594.SZ'
    """
    return normalize_text(str(code)).upper() if code is not None else ""


def include_paths(
    folder: Path, value: Any, stack: tuple[Path, ...]
) -> tuple[list[tuple[str, Path]], list[Problem]]:
    """The (as written, resolved folder) pairs of an ``include:`` value, and its problems."""
    where = Location(MANIFEST)
    if value is None:
        return [], []
    entries = [value] if isinstance(value, str) else value
    if not isinstance(entries, list):
        fix = "Write 'include: [../reference/cn-listed]' (a list of folder paths)"
        return [], [Problem(where, "'include' must be a list of dataset folders", fix)]
    out: list[tuple[str, Path]] = []
    problems: list[Problem] = []
    here = folder.resolve()
    seen: set[Path] = set()
    for entry in entries:
        if not isinstance(entry, str) or not entry.strip():
            problems.append(
                Problem(where, f"include entry {entry!r} is not a folder path", "Write a path")
            )
            continue
        text = entry.strip().replace("\\", "/")
        if PurePosixPath(text).is_absolute() or ":" in text:
            problems.append(
                Problem(
                    where,
                    f"include '{entry}' is not a relative path",
                    "Give the folder relative to this dataset, e.g. ../reference/cn-listed",
                )
            )
            continue
        target = (here / text).resolve()
        if not (target / MANIFEST).is_file():
            problems.append(
                Problem(
                    where,
                    f"include '{entry}': no dataset at {target}",
                    f"Give a folder holding {MANIFEST}, relative to {here} "
                    "(e.g. ../reference/cn-listed), or remove the entry",
                )
            )
            continue
        if target == here or target in stack:
            loop = " -> ".join(p.name for p in (*stack, here, target))
            problems.append(
                Problem(
                    where,
                    f"include '{entry}' forms a cycle: {loop}",
                    "A dataset cannot include itself, directly or through another; "
                    "remove one include",
                )
            )
            continue
        if target in seen:
            continue
        seen.add(target)
        out.append((text.rstrip("/"), target))
    return out, problems


def load_includes(folder: Path, value: Any, stack: tuple[Path, ...], load: Loader) -> Included:
    """Load every dataset ``value`` (the manifest's ``include:``) names, into one graph."""
    inc = Included()
    paths, inc.problems = include_paths(folder, value, stack)
    here = folder.resolve()
    for rel, target in paths:
        ds = load(target, (*stack, here))
        inc.read += [(str(here), rel, str(target), ds.digest), *ds.includes_read]
        for p in ds.problems:
            inc.problems.append(
                Problem(Location(f"{rel}/{p.where.file}", p.where.line), p.message, p.fix)
            )
        G = ds.graph
        nested_owner: dict[str, str] = G.graph.get(OWNER) or {}
        nested_edges: dict[tuple[str, str, str], str] = G.graph.get(EDGE_OWNER) or {}
        for name in [*(G.graph.get(INCLUDES) or []), ds.name]:
            if name not in inc.names:
                inc.names.append(name)
        new: list[str] = []
        for node_id in G:
            owner = nested_owner.get(node_id, ds.name)
            if node_id in inc.owner:
                if inc.owner[node_id] != owner:
                    inc.problems.append(
                        Problem(
                            Location(MANIFEST),
                            f"node '{node_id}' is defined by both included datasets "
                            f"'{inc.owner[node_id]}' and '{owner}'",
                            "Include only one of them, or rename the node in one",
                        )
                    )
                continue
            new.append(node_id)
            inc.owner[node_id] = owner
            loc = ds.node_locations.get(node_id, Location("?"))
            inc.where[node_id] = Location(f"{rel}/{loc.file}", loc.line)
        if not inc.graph and len(new) == len(G):
            inc.graph = G  # the first include: adopt its graph, no copy
            G.graph.clear()
        else:
            inc.graph.add_nodes_from((n, G.nodes[n]) for n in new)
        for u, v, key, attrs in G.edges(keys=True, data=True):
            if inc.graph is not G:
                if inc.graph.has_edge(u, v, key):
                    continue
                inc.graph.add_edge(u, v, key=key, **attrs)
            inc.edge_owner[(u, v, str(key))] = nested_edges.get((u, v, str(key)), ds.name)
    return inc


class _NodeItem(Protocol):
    data: dict[str, Any]
    where: Location
    is_edge: bool


def plan_merges(inc: Included, items: Iterable[_NodeItem]) -> list[Problem]:
    """Decide which of the dataset's firms are included firms (fills ``inc.merged``).

    Rewrites the ends of the dataset's edge items that name a merged included id, and
    returns the problems: two firms claiming one stock code, a firm that has an included
    firm's name without its stock code, an id reused for another kind.
    """
    if not inc:
        return []
    by_code, by_name = _firm_keys(inc)
    claimed: dict[str, tuple[str, Location]] = {}
    item_list = list(items)
    problems = []
    for item in item_list:
        if not item.is_edge and item.data.get("id"):
            problem = _plan_node(inc, item, by_code, by_name, claimed)
            if problem is not None:
                problems.append(problem)
    for item in item_list:
        if item.is_edge:
            for end in ("from", "to"):
                value = item.data.get(end)
                if isinstance(value, str) and value in inc.merged:
                    item.data[end] = inc.merged[value]
    return problems


def _firm_keys(inc: Included) -> tuple[dict[str, str], dict[str, str]]:
    """The included firms by stock / credit code and by name."""
    by_code: dict[str, str] = {}
    by_name: dict[str, str] = {}
    for node_id, attrs in inc.graph.nodes(data=True):
        if attrs.get("kind") == Kind.FIRM:
            if attrs.get("stock_code"):
                by_code[stock_key(attrs["stock_code"])] = node_id
            if attrs.get("credit_code"):
                by_code[_CREDIT + stock_key(attrs["credit_code"])] = node_id
            by_name[normalize_text(str(attrs.get("name", "")))] = node_id
    return by_code, by_name


def _plan_node(
    inc: Included,
    item: _NodeItem,
    by_code: dict[str, str],
    by_name: dict[str, str],
    claimed: dict[str, tuple[str, Location]],
) -> Problem | None:
    """Merge one node item of the dataset with an included firm, or say why not."""
    data = item.data
    node_id, kind = str(data["id"]), data.get("kind")
    target: str | None = None
    if node_id in inc.graph:
        if kind != Kind.FIRM or inc.graph.nodes[node_id].get("kind") != Kind.FIRM:
            return Problem(
                item.where,
                f"id '{node_id}' is already a {inc.graph.nodes[node_id].get('kind')} "
                f"of the included dataset '{inc.owner[node_id]}'",
                "Use another id",
            )
        target = node_id
    elif kind == Kind.FIRM:
        for key in (
            stock_key(data.get("stock_code")) if data.get("stock_code") else "",
            _CREDIT + stock_key(data.get("credit_code")) if data.get("credit_code") else "",
        ):
            target = target or by_code.get(key)
    if kind != Kind.FIRM:
        return None
    if target is None:
        return _name_clash(inc, item, by_name)
    if target in claimed and claimed[target][0] != node_id:
        first, where = claimed[target]
        return Problem(
            item.where,
            f"firms '{first}' and '{node_id}' are both the included firm "
            f"'{target}' ({inc.graph.nodes[target].get('stock_code', '')})",
            f"Merge them into one entry (first at {where})",
        )
    claimed[target] = (node_id, item.where)
    inc.merged[target] = node_id
    return None


def _name_clash(inc: Included, item: _NodeItem, by_name: dict[str, str]) -> Problem | None:
    """A firm that bears an included firm's name without being it: a problem with the fix."""
    node_id = item.data["id"]
    for name in [item.data.get("name"), *(_as_list(item.data.get("aliases")))]:
        other = by_name.get(normalize_text(str(name))) if name else None
        if other is None:
            continue
        code = inc.graph.nodes[other].get("stock_code", "")
        return Problem(
            item.where,
            f"firm '{node_id}' has the name '{name}' of the included firm '{other}' "
            f"({code}, dataset '{inc.owner[other]}')",
            f"If it is the same firm add its stock_code ({code or 'none'}) or credit_code to "
            f"'{node_id}' (one node, your id wins); if not, give it a distinct name",
            {"name_clash": normalize_text(str(name))},
        )
    return None


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str):
        return value.split("|")
    return list(value) if isinstance(value, list) else [value]


def seed(
    inc: Included, G: ChainGraph, where: MutableMapping[str, Location]
) -> tuple[ChainGraph, MutableMapping[str, Location]]:
    """The graph and locations a dataset's own items are checked into: the included nodes
    and edges that are not merged (``G`` and ``where`` when there are no includes).

    The included graph itself is returned (no copy); the merged firms are taken out of it
    and kept in ``inc.merged_attrs`` / ``inc.merged_edges`` for :func:`finish`.
    """
    if not inc:
        return G, where
    out = inc.graph
    for included_id in inc.merged:
        inc.merged_attrs[included_id] = dict(out.nodes[included_id])
        inc.merged_edges += [
            (u, v, str(k), dict(d))
            for u, v, k, d in (
                *out.in_edges(included_id, keys=True, data=True),
                *out.out_edges(included_id, keys=True, data=True),
            )
        ]
    out.remove_nodes_from(inc.merged)
    kept = NodePlaces((n, w) for n, w in inc.where.items() if n not in inc.merged)
    kept.update(where)
    return out, kept


def finish(G: ChainGraph, inc: Included, problems: list[Problem]) -> None:
    """Merge the included firms into the dataset's, re-point their edges, record owners.

    Also drops the generic "name used twice" problem where :func:`plan_merges` already
    reported the clash with its fix.
    """
    if not inc:
        return
    owner = {n: o for n, o in inc.owner.items() if n not in inc.merged and n in G}
    edge_owner: dict[tuple[str, str, str], str] = {}
    for (u, v, key), name in inc.edge_owner.items():
        edge_owner[(inc.merged.get(u, u), inc.merged.get(v, v), key)] = name
    for included_id, own_id in inc.merged.items():
        if own_id not in G:
            continue  # the dataset's entry was refused; its problem is reported
        attrs = G.nodes[own_id]
        merged = merge_attrs(attrs, inc.merged_attrs[included_id])
        attrs.clear()
        attrs.update(merged)
    for u, v, key, attrs in inc.merged_edges:
        a, b = inc.merged.get(u, u), inc.merged.get(v, v)
        if a in G and b in G and not G.has_edge(a, b, key):
            G.add_edge(a, b, key=key, **attrs)
    G.graph[OWNER] = owner
    G.graph[EDGE_OWNER] = edge_owner
    G.graph[INCLUDES] = list(inc.names)
    clashes = {str(p.extra["name_clash"]) for p in problems if "name_clash" in p.extra}
    if clashes:
        problems[:] = [
            p
            for p in problems
            if not any(p.message.startswith(f"name or alias '{c}' is used by") for c in clashes)
        ]


def merge_attrs(own: dict[str, Any], included: dict[str, Any]) -> dict[str, Any]:
    """The attributes of one firm known to the dataset (``own``) and to an included one.

    The dataset's values win; the included name becomes an alias when it differs; the
    sources of both are kept (the dataset's first).

    >>> merge_attrs(
    ...     {"kind": "Firm", "name": "比亚迪", "local": True, "sources": [{"source": "a"}]},
    ...     {"kind": "Firm", "name": "比亚迪股份", "local": False, "stock_code": "002594.SZ",
    ...      "sources": [{"source": "t"}]},
    ... )  # doctest: +NORMALIZE_WHITESPACE
    {'kind': 'Firm', 'name': '比亚迪', 'local': True, 'stock_code': '002594.SZ',
     'aliases': ['比亚迪股份'], 'sources': [{'source': 'a'}, {'source': 't'}]}
    """
    out = {k: v for k, v in own.items() if k not in ("sources", "grade")}
    for key, value in included.items():
        if key not in out and key not in ("sources", "grade", "aliases", "name"):
            out[key] = value
    names = {normalize_text(str(n)) for n in [own.get("name"), *(own.get("aliases") or [])]}
    extra = [
        n
        for n in [included.get("name"), *(included.get("aliases") or [])]
        if n and normalize_text(str(n)) not in names
    ]
    if extra:
        out["aliases"] = [*(own.get("aliases") or []), *extra]
    if "grade" in own:
        out["grade"] = own["grade"]
    sources = list(own.get("sources") or [])
    sources += [s for s in included.get("sources") or [] if s not in sources]
    if sources:
        out["sources"] = sources
    return out
