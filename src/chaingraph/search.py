"""Finding nodes by name: the matching every store and command shares.

:func:`find` ranks the nodes whose id, name, English name or an alias contains a text
(case- and width-insensitive); :func:`resolve` picks the one node a text names, else raises
:class:`~chaingraph.errors.UnknownEntity` / :class:`~chaingraph.errors.AmbiguousEntity`
with the hints :func:`unknown` and :func:`ambiguous` write.
"""

from __future__ import annotations

from typing import Any

from .errors import AmbiguousEntity, UnknownEntity
from .model import ChainGraph, Kind, Row, normalize_text

KIND_ORDER: dict[str, int] = {k.value: i for i, k in enumerate(Kind)}


def _names(attrs: dict[str, Any], node_id: str) -> list[tuple[str, str]]:
    """(field, value) pairs a node can be found by."""
    out = [("id", node_id), ("name", str(attrs.get("name", "")))]
    if attrs.get("name_en"):
        out.append(("name_en", str(attrs["name_en"])))
    out.extend(("aliases", str(a)) for a in attrs.get("aliases") or ())
    return out


def brief(G: ChainGraph, node_id: str) -> Row:
    """The id, kind and name of a node."""
    attrs = G.nodes[node_id]
    return {"id": node_id, "kind": attrs.get("kind", ""), "name": attrs.get("name", "")}


def match_rank(text: str, value: str) -> int | None:
    """0 exact, 1 prefix, 2 contains, None no match (after :func:`normalize_text`)."""
    needle, hay = normalize_text(text), normalize_text(value)
    if not needle:
        return None
    if hay == needle:
        return 0
    if hay.startswith(needle):
        return 1
    if needle in hay:
        return 2
    return None


MATCH_NAMES = ("exact", "prefix", "contains")


def find(G: ChainGraph, text: str, limit: int = 50) -> list[Row]:
    """Nodes whose id, name, name_en or an alias contains ``text``.

    Matching folds case and full/half width. Rows are ``id, kind, name, match, field,
    value``: the best match of the node (exact < prefix < contains, then id < name < name_en
    < aliases), sorted by match, kind and id.

    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("byd", kind="Firm", name="比亚迪", aliases=["BYD"])
    >>> [(r["id"], r["match"], r["field"]) for r in find(G, "ｂｙｄ")]
    [('byd', 'exact', 'id')]
    """
    found: list[tuple[int, int, int, str, Row]] = []
    for node_id, attrs in G.nodes(data=True):
        best: tuple[int, int, str, str] | None = None
        for field_rank, (field, value) in enumerate(_names(attrs, node_id)):
            rank = match_rank(text, value)
            if rank is None:
                continue
            cand = (rank, min(field_rank, 3), field, value)
            if best is None or cand[:2] < best[:2]:
                best = cand
        if best is None:
            continue
        row = brief(G, node_id) | {
            "match": MATCH_NAMES[best[0]],
            "field": best[2],
            "value": best[3],
        }
        kind_rank = KIND_ORDER.get(str(attrs.get("kind")), 99)
        found.append((best[0], kind_rank, best[1], node_id, row))
    found.sort(key=lambda t: t[:4])
    return [t[4] for t in found[:limit]]


def resolve(G: ChainGraph, text: str) -> str:
    """The id of the node that ``text`` names.

    In order: an id; else the one node whose name, name_en or alias equals ``text`` (width-
    and case-insensitive); else the one node whose id, name or alias contains it. Several
    candidates at the first level that has any raise AmbiguousEntity listing them; none at
    all raises UnknownEntity.

    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("byd", kind="Firm", name="比亚迪", aliases=["BYD"])
    >>> G.add_node("byd-base", kind="Project", name="比亚迪电池基地")
    >>> resolve(G, "比亚迪"), resolve(G, "电池基地")
    ('byd', 'byd-base')
    """
    if text in G:
        return text
    return resolve_from_matches(text, find(G, text, limit=1000))


def resolve_from_matches(text: str, matches: list[Row]) -> str:
    """Apply the rules of :func:`resolve` to the rows :func:`find` gave for ``text``."""
    exact = [r for r in matches if r["match"] == "exact"]
    pool = exact or matches
    ids = sorted({r["id"] for r in pool})
    if len(ids) == 1:
        return str(ids[0])
    if ids:
        by_id = {r["id"]: r for r in pool}
        candidates = [{k: by_id[i][k] for k in ("id", "kind", "name")} for i in ids]
        raise ambiguous(text, candidates)
    raise unknown(text, [])


def ambiguous(text: str, candidates: list[Row]) -> AmbiguousEntity:
    """The error for a name several nodes share."""
    listing = "; ".join(f"{c['id']} ({c['kind']} {c['name']})" for c in candidates)
    return AmbiguousEntity(
        f"'{text}' names {len(candidates)} nodes: {listing}. Give one of these ids instead",
        candidates,
    )


def unknown(text: str, near: list[Row]) -> UnknownEntity:
    """The error for a name no node has, with near matches as hints."""
    if near:
        hint = ", ".join(f"{r['id']} ({r['name']})" for r in near)
        return UnknownEntity(f"Unknown entity '{text}'. Did you mean: {hint}?")
    return UnknownEntity(
        f"Unknown entity '{text}'. Run 'chaingraph find TEXT' to search names and aliases"
    )
