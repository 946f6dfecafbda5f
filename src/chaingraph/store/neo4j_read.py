"""Read queries on a Neo4j store: lookups, explore queries, stats and subgraphs.

Every function answers with the same rows as its networkx reference in
:mod:`chaingraph.query`. Neighbourhood, up/downstream and path queries walk the graph level
by level in Cypher (one query per kind of node in the frontier, values as ``$parameters``),
so a large database is never pulled into memory for them; the tie-breaking happens in
Python on the small frontier, exactly as in :mod:`chaingraph.query`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

import neo4j
import networkx as nx

from .. import query
from ..analysis.coverage import chain_rows, share
from ..model import FIGURE_COMPARE, SUPPLY_RELS, ChainGraph, Kind, Rel, Row, normalize_text
from .neo4j_conn import Neo4jConnection
from .neo4j_schema import (
    DATASET_PROP,
    INDUSTRY_PROP,
    KIND_OF,
    KINDS,
    MATCH_PROP,
    RAW_MATCH,
    RELS,
    SEARCH_PROP,
    build_graph,
    check_id,
    checked_number,
    decode_json,
    edge_attrs,
    node_attrs,
)


class Step(NamedTuple):
    """One edge at a frontier node: from ``u`` over ``rel`` to ``v`` ('out' or 'in')."""

    u: str
    rel: str
    v: str
    kind: str  # of v
    name: str  # of v
    dirn: str
    grade: str  # of the edge


def kinds_of(conn: Neo4jConnection, ids: Iterable[str]) -> dict[str, tuple[str, str]]:
    """id -> (kind, name) for the ids that exist (any Kind label)."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    union = " UNION ALL ".join(
        f"UNWIND $ids AS i MATCH (n:{k} {{id: i}}) RETURN n.id AS id, '{k}' AS kind, n.name AS name"
        for k in KINDS
    )
    return {r["id"]: (r["kind"], r["name"] or "") for r in conn.records(union, ids=wanted)}


def _require(conn: Neo4jConnection, node_id: str) -> tuple[str, str]:
    found = kinds_of(conn, [node_id]).get(node_id)
    if found is None:
        raise query.unknown(node_id, find(conn, node_id, limit=5))
    return found


def _candidates(conn: Neo4jConnection, needle: str) -> ChainGraph:
    """A small graph of the nodes whose names contain the normalised needle."""
    union = " UNION ALL ".join(
        # ArcadeDB quirk: CASE WHEN … END as this predicate silently matches nothing
        f"MATCH (n:{k}) WHERE (n.{SEARCH_PROP} IS NULL AND {RAW_MATCH}) "
        f"OR (n.{SEARCH_PROP} IS NOT NULL AND n.{SEARCH_PROP} CONTAINS $needle) "
        f"RETURN n.id AS id, '{k}' AS kind, n.name AS name, n.name_en AS name_en, "
        "n.aliases AS aliases"
        for k in KINDS
    )
    G: ChainGraph = nx.MultiDiGraph()
    for r in conn.records(union, needle=needle):
        if r["id"] is None:
            continue
        attrs: dict[str, Any] = {"kind": r["kind"], "name": r["name"] or ""}
        if r["name_en"]:
            attrs["name_en"] = r["name_en"]
        if isinstance(r["aliases"], list):
            attrs["aliases"] = r["aliases"]
        G.add_node(r["id"], **attrs)
    return G


# --- explore queries -------------------------------------------------------------------


def find(conn: Neo4jConnection, text: str, limit: int = 50) -> list[Row]:
    """See :func:`chaingraph.query.find` (candidates filtered in Cypher, ranked alike)."""
    needle = normalize_text(text)
    if not needle:
        return []
    return query.find(_candidates(conn, needle), text, limit)


def resolve(conn: Neo4jConnection, text: str) -> str:
    """See :func:`chaingraph.query.resolve`."""
    if kinds_of(conn, [text]):
        return text
    needle = normalize_text(text)
    G = _candidates(conn, needle) if needle else nx.MultiDiGraph()
    return query.resolve(G, text)


def node(conn: Neo4jConnection, node_id: str) -> Row:
    """See :func:`chaingraph.query.node`."""
    union = " UNION ALL ".join(
        f"MATCH (n:{k} {{id: $id}}) RETURN '{k}' AS kind, properties(n) AS p" for k in KINDS
    )
    recs = conn.records(union, id=node_id)
    if not recs:
        raise query.unknown(node_id, find(conn, node_id, limit=5))
    attrs = node_attrs(recs[0]["kind"], recs[0]["p"])
    row: Row = {"id": node_id}
    row.update({k: v for k, v in attrs.items() if k not in query.HIDDEN_ATTRS})
    if "text" in attrs:
        row["text_chars"] = len(attrs["text"])
    return row


def relations(conn: Neo4jConnection, node_id: str) -> list[Row]:
    """See :func:`chaingraph.query.relations`."""
    kind, _ = _require(conn, node_id)
    union = " UNION ALL ".join(
        f"MATCH (n:{kind} {{id: $id}}){arrow}(m) "
        f"WITH e, m, {KIND_OF.format(v='m')} AS mk WHERE mk IS NOT NULL "
        "RETURN type(e) AS rel, properties(e) AS p, m.id AS other, mk, m.name AS name, "
        f"'{direction}' AS direction"
        for direction, arrow in (("out", "-[e]->"), ("in", "<-[e]-"))
    )
    rows: list[Row] = []
    for r in conn.records(union, id=node_id):
        data = edge_attrs(r["rel"], r["p"], f"A {r['rel']} relationship of '{node_id}'")
        rows.append(
            {
                "direction": r["direction"],
                "rel": r["rel"],
                "other": r["other"],
                "other_kind": r["mk"],
                "other_name": r["name"] or "",
                "grade": data.get("grade", ""),
                "fields": {k: data[k] for k in sorted(data) if k not in query.EDGE_META},
                "sources": list(data.get("sources") or []),
            }
        )
    rows.sort(key=lambda r: (r["direction"] != "out", r["rel"], r["other"]))
    return rows


def steps(
    conn: Neo4jConnection, frontier: Mapping[str, str], rels: Iterable[str] | None, direction: str
) -> list[Step]:
    """Every edge at the frontier nodes (id -> kind) allowed by rels and direction.

    One Cypher query per kind and direction; rows ``(u, rel, v, v_kind, v_name, dirn)``.
    """
    by_kind: dict[str, list[str]] = defaultdict(list)
    for node_id, kind in frontier.items():
        if kind in KINDS:
            by_kind[kind].append(node_id)
    if rels is None:
        typed = ""
    else:
        allowed = sorted({str(r) for r in rels} & set(RELS))
        if not allowed:
            return []
        typed = ":" + "|".join(allowed)
    dirs = ("out", "in") if direction == "both" else (direction,)
    params: dict[str, Any] = {"kinds": list(KINDS)}
    parts = []
    for kind, ids in sorted(by_kind.items()):
        params[f"ids_{kind}"] = ids
        for dirn in dirs:
            arrow = f"-[e{typed}]->" if dirn == "out" else f"<-[e{typed}]-"
            parts.append(
                f"UNWIND $ids_{kind} AS i MATCH (u:{kind} {{id: i}}){arrow}(v) "
                f"WITH i, e, v, {KIND_OF.format(v='v')} AS vk WHERE vk IS NOT NULL "
                "RETURN i AS u, type(e) AS rel, v.id AS v, vk, v.name AS name, "
                f"e.grade AS grade, '{dirn}' AS dirn"
            )
    if not parts:
        return []
    return [
        Step(r["u"], r["rel"], r["v"], r["vk"], r["name"] or "", r["dirn"], r["grade"] or "")
        for r in conn.records(" UNION ALL ".join(parts), **params)
    ]


def neighbors(
    conn: Neo4jConnection,
    node_id: str,
    depth: int = 1,
    rels: Iterable[str] | None = None,
    direction: str = "both",
) -> list[Row]:
    """See :func:`chaingraph.query.neighbors` (one frontier query per hop)."""
    kind, _ = _require(conn, node_id)
    rels = None if rels is None else list(rels)
    seen = {node_id}
    frontier = {node_id: kind}
    rows: list[Row] = []
    for hops in range(1, depth + 1):
        best: dict[str, Step] = {}
        for step in steps(conn, frontier, rels, direction):
            if step.v in seen:
                continue
            old = best.get(step.v)
            if old is None or (step.u, step.rel, step.dirn) < (old.u, old.rel, old.dirn):
                best[step.v] = step
        if not best:
            break
        for v in sorted(best):
            st = best[v]
            rows.append(
                {"id": v, "kind": st.kind, "name": st.name, "hops": hops, "via": st.u}
                | {"rel": st.rel, "direction": st.dirn, "grade": st.grade}
            )
        seen.update(best)
        frontier = {v: best[v].kind for v in sorted(best)}
    return rows


def reach(conn: Neo4jConnection, node_id: str, direction: str) -> list[Row]:
    """See :func:`chaingraph.query.reach` (one frontier query per hop)."""
    if direction not in ("up", "down"):
        raise ValueError(f"direction must be 'up' or 'down', not {direction!r}")
    kind, _ = _require(conn, node_id)
    walk = "in" if direction == "up" else "out"
    supply = [str(r) for r in SUPPLY_RELS]
    info: dict[str, tuple[str, str]] = {}
    hops_of: dict[str, Row] = {}
    frontier = {node_id: kind}
    if kind in (Kind.FIRM, Kind.PROJECT):
        own = steps(conn, {node_id: kind}, [Rel.IN_SEGMENT], "out")
        for st in sorted(own, key=lambda s: s.v):
            hops_of[st.v] = {
                "hops": 0,
                "via": node_id,
                "rel": str(Rel.IN_SEGMENT),
                "grade": st.grade,
            }
            info[st.v] = (st.kind, st.name)
            frontier[st.v] = st.kind
    seen = {node_id, *hops_of}
    hops = 0
    while frontier:
        hops += 1
        best: dict[str, Step] = {}
        for st in steps(conn, frontier, supply, walk):
            if st.v in seen:
                continue
            old = best.get(st.v)
            if old is None or (st.u, st.rel) < (old.u, old.rel):
                best[st.v] = st
        for v, st in best.items():
            hops_of[v] = {"hops": hops, "via": st.u, "rel": st.rel, "grade": st.grade}
            info[v] = (st.kind, st.name)
        seen.update(best)
        frontier = {v: best[v].kind for v in sorted(best)}
    # members of reached segments
    segs = {
        s: str(Kind.SEGMENT)
        for s, i in hops_of.items()
        if info[s][0] == Kind.SEGMENT and i["hops"] != 0
    }
    members: dict[str, Row] = {}
    for st in steps(conn, segs, [Rel.IN_SEGMENT], "in"):
        if st.v in seen:
            continue
        cand = {
            "hops": hops_of[st.u]["hops"],
            "via": st.u,
            "rel": str(Rel.IN_SEGMENT),
            "grade": st.grade,
        }
        prev = members.get(st.v)
        if prev is None or (cand["hops"], cand["via"]) < (prev["hops"], prev["via"]):
            members[st.v] = cand
        info[st.v] = (st.kind, st.name)
    hops_of.update(members)
    rows = [{"id": v, "kind": info[v][0], "name": info[v][1]} | i for v, i in hops_of.items()]
    rows.sort(key=lambda r: (r["hops"], query.KIND_ORDER.get(r["kind"], 99), r["id"]))
    return rows


def path(
    conn: Neo4jConnection,
    source: str,
    target: str,
    rels: Iterable[str] | None = None,
    directed: bool = False,
    max_hops: int = 8,
) -> list[Row]:
    """See :func:`chaingraph.query.path`: breadth first from the target, one query per
    level, then the smallest next id along the shortest paths."""
    found = {}
    for n in (source, target):
        found[n] = _require(conn, n)
    rels = None if rels is None else list(rels)
    fwd = "out" if directed else "both"
    back = "in" if directed else "both"
    dist = {target: 0}
    frontier = {target: found[target][0]}
    level = 0
    while frontier and source not in dist and level < max_hops:
        nxt: dict[str, str] = {}
        for st in steps(conn, frontier, rels, back):
            if st.v not in dist:
                dist[st.v] = level + 1
                nxt[st.v] = st.kind
        frontier = nxt
        level += 1
    if source not in dist:
        return []
    kind, name = found[source]
    rows: list[Row] = [
        {"step": 0, "id": source, "kind": kind, "name": name}
        | {"rel": "", "direction": "", "grade": ""}
    ]
    cur = source
    while cur != target:
        options: dict[str, Step] = {}
        for st in steps(conn, {cur: kind}, rels, fwd):
            if dist.get(st.v) != dist[cur] - 1:
                continue
            old = options.get(st.v)
            if old is None or (st.rel, st.dirn) < (old.rel, old.dirn):
                options[st.v] = st
        cur = min(options)
        st = options[cur]
        kind = st.kind
        rows.append(
            {"step": len(rows), "id": cur, "kind": st.kind, "name": st.name}
            | {"rel": st.rel, "direction": st.dirn, "grade": st.grade}
        )
    return rows


# --- chains and stats ------------------------------------------------------------------


def stats(conn: Neo4jConnection) -> dict[str, list[Row]]:
    """See :func:`chaingraph.query.stats` (counted in Cypher)."""
    count_kinds = " UNION ALL ".join(
        f"MATCH (n:{k}) RETURN '{k}' AS kind, count(n) AS c" for k in KINDS
    )
    counts = {r["kind"]: r["c"] for r in conn.records(count_kinds)}
    kinds = [{"kind": k, "count": counts.get(k, 0)} for k in KINDS]
    types = [
        r["t"]
        for r in conn.records("CALL db.relationshipTypes() YIELD relationshipType AS t RETURN t")
    ]
    rel_counts: dict[str, int] = dict.fromkeys(RELS, 0)
    for t in sorted(set(types) | set(RELS)):
        if t not in RELS and not t.replace("_", "").isalnum():
            continue
        c = conn.records(f"MATCH ()-[e:`{t}`]->() RETURN count(e) AS c")[0]["c"]
        if t in rel_counts or c:
            rel_counts[t] = c
    chains = _chain_rows(conn)
    return {
        "kinds": kinds,
        "relations": [{"rel": r, "count": c} for r, c in rel_counts.items()],
        "chains": chains,
        "platforms": _platform_counts(
            conn,
        ),
        "reported": _reported(
            conn,
        ),
    }


def _chain_rows(conn: Neo4jConnection) -> list[Row]:
    """``stats``' chain rows: the chains, their segments, the segments' members and the local
    investors of member projects are fetched in Cypher into a small graph, whose numbers
    :func:`chaingraph.analysis.coverage.chain_rows` computes, the same function the embedded
    store uses (one definition per number)."""
    chain, seg, firm = Kind.CHAIN.value, Kind.SEGMENT.value, Kind.FIRM.value
    project = Kind.PROJECT.value
    has, member, invests = Rel.HAS_SEGMENT.value, Rel.IN_SEGMENT.value, Rel.INVESTS_IN.value
    H: ChainGraph = nx.MultiDiGraph()
    for r in conn.records(
        f"MATCH (c:{chain}) OPTIONAL MATCH (c)-[:{has}]->(s:{seg}) "
        "RETURN c.id AS chain, c.name AS name, s.id AS seg, s.name AS seg_name, "
        "s.tier AS tier, s.weight AS weight, s.extension AS extension"
    ):
        H.add_node(r["chain"], kind=chain, name=r["name"] or "")
        if r["seg"] is None:
            continue
        attrs = {"kind": seg, "name": r["seg_name"] or "", "tier": r["tier"] or ""}
        if r["weight"] is not None:
            attrs["weight"] = checked_number(r["weight"], f"Node '{r['seg']}'", "weight")
        H.add_node(r["seg"], **attrs, extension=bool(r["extension"]))
        H.add_edge(r["chain"], r["seg"], key=has)
    for r in conn.records(
        f"MATCH (:{chain})-[:{has}]->(s:{seg})<-[:{member}]-(m) "
        f"RETURN DISTINCT s.id AS seg, m.id AS member, {KIND_OF.format(v='m')} AS mk, "
        "m.local AS local"
    ):
        H.add_node(r["member"], kind=r["mk"], local=bool(r["local"]))
        H.add_edge(r["member"], r["seg"], key=member)
    for r in conn.records(
        f"MATCH (:{chain})-[:{has}]->(:{seg})<-[:{member}]-(p:{project})"
        f"<-[:{invests}]-(f:{firm}) WHERE f.local = true "
        "RETURN DISTINCT p.id AS project, f.id AS firm"
    ):
        if r["firm"] not in H:
            H.add_node(r["firm"], kind=firm, local=True)
        H.add_edge(r["firm"], r["project"], key=invests)
    return chain_rows(H)


def _platform_counts(conn: Neo4jConnection) -> list[Row]:
    hosted = conn.records(
        f"MATCH (p:{Kind.PLATFORM.value}) OPTIONAL MATCH (p)-[:{Rel.HOSTS.value}]->(c) "
        "RETURN p.id AS id, p.name AS name, count(c) AS chains"
    )
    rows = []
    for r in sorted(hosted, key=lambda r: str(r["id"])):
        members = _scope_members(conn, r["id"], str(Kind.PLATFORM)).values()
        rows.append(
            {
                "platform": r["id"],
                "name": r["name"] or "",
                "chains": r["chains"],
                "local_firms": sum(m["mk"] == Kind.FIRM and bool(m["local"]) for m in members),
                "projects": sum(m["mk"] == Kind.PROJECT for m in members),
            }
        )
    return rows


def _reported(conn: Neo4jConnection) -> list[Row]:
    union = " UNION ALL ".join(
        f"MATCH (n:{k}) WHERE n.figures_json IS NOT NULL "
        f"RETURN n.id AS id, '{k}' AS kind, n.figures_json AS figures"
        for k in KINDS
    )
    reported = []
    whole: dict[str, float] | None = None
    for r in sorted(conn.records(union), key=lambda r: str(r["id"])):
        figures = decode_json("figures", r["figures"], f"Node '{r['id']}'")
        for fig in figures:
            compare = fig.get("compare") if isinstance(fig, dict) else None
            if not compare or compare not in FIGURE_COMPARE:
                continue
            if r["kind"] in (Kind.CHAIN, Kind.PLATFORM):
                in_graph = _scope_counts(conn, r["id"], r["kind"])[compare]
            else:
                if whole is None:
                    whole = _whole_counts(
                        conn,
                    )
                in_graph = whole[compare]
            value = fig.get("value")
            ratio = share(in_graph, value) if isinstance(value, int | float) and value else None
            reported.append(
                {
                    "node": r["id"],
                    "figure": fig.get("key", ""),
                    "label": fig.get("label", ""),
                    "reported": value,
                    "qualifier": fig.get("qualifier", "exact"),
                    "in_graph": in_graph,
                    "share": ratio,
                }
            )
    return reported


def _scope_members(conn: Neo4jConnection, node_id: str, kind: str) -> dict[str, neo4j.Record]:
    """query.scope_members of a chain or platform: id -> record(mk, local, amount)."""
    to_chain = "" if kind == Kind.CHAIN else f"-[:{Rel.HOSTS.value}]->(c)"
    in_chain = f"-[:{Rel.HAS_SEGMENT.value}]->(s)<-[:{Rel.IN_SEGMENT.value}]-(m)"
    returns = (
        f"RETURN DISTINCT m.id AS id, {KIND_OF.format(v='m')} AS mk, m.local AS local, "
        "m.amount_cny AS amount"
    )
    cypher = f"MATCH (x:{kind} {{id: $id}}){to_chain}{in_chain} " + returns
    members = {r["id"]: r for r in conn.records(cypher, id=node_id)}
    # local investors of a member project are in scope (the coverage's presence rule)
    investors = (
        f"MATCH (x:{kind} {{id: $id}}){to_chain}{in_chain.replace('(m)', '(p)')} "
        f"MATCH (m:{Kind.FIRM.value})-[:{Rel.INVESTS_IN.value}]->(p:{Kind.PROJECT.value}) "
        "WHERE m.local = true " + returns
    )
    members.update({r["id"]: r for r in conn.records(investors, id=node_id)})
    if kind == Kind.PLATFORM:
        located = (
            f"MATCH (m)-[:{Rel.LOCATED_IN.value}]->(x:{Kind.PLATFORM.value} {{id: $id}}) " + returns
        )
        members.update({r["id"]: r for r in conn.records(located, id=node_id)})
    return {k: r for k, r in members.items() if r["mk"] in (Kind.FIRM, Kind.PROJECT)}


def _scope_counts(conn: Neo4jConnection, node_id: str, kind: str) -> dict[str, float]:
    """query.compare_count for a chain's or platform's scope."""
    members = _scope_members(conn, node_id, kind)
    firms = [r for r in members.values() if r["mk"] == Kind.FIRM]
    projects = [r for r in members.values() if r["mk"] == Kind.PROJECT]
    amounts = [checked_number(r["amount"], f"Node '{r['id']}'", "amount_cny") for r in projects]
    return query.scope_counts(sum(bool(r["local"]) for r in firms), amounts)


def _whole_counts(conn: Neo4jConnection) -> dict[str, float]:
    """query.compare_count over the whole graph, aggregated in Cypher."""
    firms = conn.records(f"MATCH (f:{Kind.FIRM.value}) WHERE f.local = true RETURN count(f) AS c")[
        0
    ]["c"]
    # the amounts come back one by one (projects are few), each checked: a sum in Cypher
    # would turn an amount edited out of range into inf or NaN without a word
    amounts = [
        checked_number(r["amount"], f"Node '{r['id']}'", "amount_cny")
        for r in conn.records(
            f"MATCH (p:{Kind.PROJECT.value}) RETURN p.id AS id, p.amount_cny AS amount"
        )
    ]
    return query.scope_counts(firms, amounts)


def chains_touching(conn: Neo4jConnection, node_id: str) -> list[str]:
    """See :func:`chaingraph.analysis.chains_touching`: the same walk, one query per step."""
    kind, _ = _require(conn, node_id)
    start = {node_id: kind}
    segs = {st.v: st.kind for st in steps(conn, start, [Rel.IN_SEGMENT], "out")}
    projects = {st.v: st.kind for st in steps(conn, start, [Rel.INVESTS_IN], "out")}
    segs.update({st.v: st.kind for st in steps(conn, projects, [Rel.IN_SEGMENT], "out")})
    found = {st.v: st.kind for st in steps(conn, segs, [Rel.HAS_SEGMENT], "in")}
    led = steps(conn, start, [Rel.LEADS], "out")
    found.update({st.v: st.kind for st in led if st.kind == Kind.CHAIN})
    hosts = {st.v: st.kind for st in led if st.kind != Kind.CHAIN}
    found.update({st.v: st.kind for st in steps(conn, hosts, [Rel.HOSTS], "out")})
    return sorted(c for c, k in found.items() if k == Kind.CHAIN)


def chain_ids(conn: Neo4jConnection) -> list[str]:
    """Ids of all Chain nodes, sorted (checked: they become file names in a report)."""
    ids = [r["id"] for r in conn.records(f"MATCH (c:{Kind.CHAIN}) RETURN c.id AS id")]
    for chain_id in ids:
        check_id(chain_id, str(Kind.CHAIN))
    return sorted(ids)


def chain_graph(conn: Neo4jConnection, chain_id: str) -> ChainGraph:
    """See :func:`chaingraph.query.chain_node_ids`: the ids are collected in Cypher."""
    # the walk already knows every node's kind: no second lookup of the ids
    return _subgraph_of_kinds(conn, _chain_node_kinds(conn, chain_id))


def _chain_node_kinds(conn: Neo4jConnection, chain_id: str) -> dict[str, str]:
    """id -> kind of :func:`chaingraph.query.chain_node_ids`, walked in Cypher."""
    found = kinds_of(conn, [chain_id]).get(chain_id)
    if found is None or found[0] != Kind.CHAIN:
        near = [r for r in find(conn, chain_id, 5) if r["kind"] == Kind.CHAIN]
        raise query.unknown(chain_id, near)
    chain = {chain_id: str(Kind.CHAIN)}
    own = {st.v: st.kind for st in steps(conn, chain, [Rel.HAS_SEGMENT], "out")}
    segs = dict(own)
    segs.update({st.v: st.kind for st in steps(conn, own, [Rel.FEEDS], "both")})
    members = {st.v: st.kind for st in steps(conn, segs, [Rel.IN_SEGMENT], "in")}
    extra = _neighbour_kinds(conn, members, [str(r) for r in query.CHAIN_CONTEXT_RELS])
    extra.update({st.v: st.kind for st in steps(conn, chain, [Rel.LEADS, Rel.HOSTS], "in")})
    return {**chain, **segs, **members, **extra}


def _neighbour_kinds(
    conn: Neo4jConnection, frontier: Mapping[str, str], rels: list[str]
) -> dict[str, str]:
    """id -> kind of every node one ``rels`` hop (either way) from the frontier nodes.

    One ``UNWIND`` query per kind of frontier node, each neighbour once (DISTINCT): the
    widest step of a chain's walk (every SUPPLIES edge of its members) sends back nodes,
    not edges.
    """
    by_kind: dict[str, list[str]] = defaultdict(list)
    for node_id, kind in frontier.items():
        if kind in KINDS:
            by_kind[kind].append(node_id)
    typed = "|".join(sorted(set(rels) & set(RELS)))
    found: dict[str, str] = {}
    for kind, ids in sorted(by_kind.items()):
        for r in conn.records(
            f"UNWIND $ids AS i MATCH (:{kind} {{id: i}})-[:{typed}]-(v) "
            f"WITH DISTINCT v RETURN v.id AS v, {KIND_OF.format(v='v')} AS vk",
            ids=ids,
            kinds=list(KINDS),
        ):
            if r["vk"] is not None and r["v"] is not None:
                found[r["v"]] = str(r["vk"])
    return found


def analysis_graph(conn: Neo4jConnection, chain_id: str) -> ChainGraph:
    """Everything the report of one chain reads, and nothing else (the whole store is never
    read): see :func:`chaingraph.store.base.analysis_graph` for what that is.

    The candidate firms are selected in Cypher with the segments' folded keywords and
    industries as parameters (the stored ``match_text`` / ``match_industry`` of
    :mod:`.neo4j_schema`; a firm pushed before those existed is selected whenever it has
    products, a business scope or an industry): a superset of the firms the classifier
    accepts, which then decides in Python exactly as on a graph in memory.
    """
    kinds = _chain_node_kinds(conn, chain_id)
    segments = sorted(n for n, k in kinds.items() if k == Kind.SEGMENT)
    found: dict[str, str] = {}
    params = _match_params(conn, segments)
    candidates = [r["id"] for r in conn.records(_CANDIDATES, **params) if r["id"] is not None]
    found.update(dict.fromkeys(candidates, str(Kind.FIRM)))
    if candidates:
        # their ties to the zone (targets' tie), and their stated segments: a firm that an
        # IN_SEGMENT places anywhere is never an industry candidate
        ties = conn.records(_TIES, ids=candidates, kinds=list(KINDS))
        found.update({r["id"]: str(r["kind"]) for r in ties})
        stated = conn.records(_STATED, ids=candidates)
        found.update({r["id"]: str(Kind.SEGMENT) for r in stated})
    zones = conn.records(f"MATCH (z:{Kind.ZONE.value}) RETURN z.id AS id")
    found.update({r["id"]: str(Kind.ZONE) for r in zones})
    for host, kind in [(h, k) for h, k in kinds.items() if k in (Kind.PLATFORM, Kind.ZONE)]:
        found.update(_figure_scope(conn, host, kind))
    found.update(kinds)
    G = _subgraph_of_kinds(conn, found)
    missing = query.cited_sources(G) - set(G)
    if missing:
        G.update(_subgraph_of_kinds(conn, dict.fromkeys(sorted(missing), str(Kind.SOURCE))))
    if not _zone_has_code(G):
        from ..analysis.distance import LOCAL_DIVISIONS

        G.graph[LOCAL_DIVISIONS] = _local_divisions(conn)
    return G


def _match_params(conn: Neo4jConnection, segments: list[str]) -> dict[str, Any]:
    """The folded keywords and industries of the segments (the classifier's own tables)."""
    from ..analysis.classify import SegmentMatcher, _strings

    table: dict[str, tuple[list[str], list[str]]] = {}
    for r in conn.records(
        f"UNWIND $ids AS i MATCH (s:{Kind.SEGMENT.value} {{id: i}}) "
        "RETURN s.id AS id, properties(s) AS p",
        ids=segments,
    ):
        attrs = node_attrs(str(Kind.SEGMENT), r["p"])
        table[r["id"]] = (_strings(attrs.get("keywords")), _strings(attrs.get("sw_industries")))
    matcher = SegmentMatcher(table)
    return {"keywords": matcher.keywords, "industries": sorted(matcher.industries)}


#: outside firms a segment's keywords or industries may classify (a superset, see
#: analysis_graph); ``NOT (local = true)`` keeps firms whose ``local`` is missing or odd
_CANDIDATES = (
    f"MATCH (f:{Kind.FIRM.value}) WHERE NOT coalesce(f.local = true, false) AND ("
    f"f.{INDUSTRY_PROP} IN $industries "
    f"OR any(k IN $keywords WHERE f.{MATCH_PROP} CONTAINS k) "
    f"OR (f.{INDUSTRY_PROP} IS NULL AND f.sw_l3 IS NOT NULL) "
    f"OR (f.{MATCH_PROP} IS NULL AND (f.products IS NOT NULL OR f.products_json IS NOT NULL "
    "OR f.business_scope IS NOT NULL))) RETURN f.id AS id"
)
#: nodes a candidate's tie to the zone counts: local firms it supplies, buys from or is
#: affiliated with, and local firms or projects that ATTRACTED it (``local`` not false)
_TIES = (
    f"UNWIND $ids AS i MATCH (f:{Kind.FIRM.value} {{id: i}})"
    f"-[:{Rel.SUPPLIES.value}|{Rel.AFFILIATED_WITH.value}]-(v:{Kind.FIRM.value}) "
    "WHERE NOT coalesce(v.local = false, true) "
    f"RETURN DISTINCT v.id AS id, '{Kind.FIRM.value}' AS kind "
    f"UNION UNWIND $ids AS i MATCH (f:{Kind.FIRM.value} {{id: i}})"
    f"<-[:{Rel.ATTRACTED.value}]-(v) "
    f"WITH v, {KIND_OF.format(v='v')} AS kind "
    f"WHERE kind = '{Kind.PROJECT.value}' OR "
    f"(kind = '{Kind.FIRM.value}' AND NOT coalesce(v.local = false, true)) "
    "RETURN DISTINCT v.id AS id, kind"
)
_STATED = (
    f"UNWIND $ids AS i MATCH (:{Kind.FIRM.value} {{id: i}})"
    f"-[:{Rel.IN_SEGMENT.value}]->(s:{Kind.SEGMENT.value}) RETURN DISTINCT s.id AS id"
)


def _zone_has_code(G: ChainGraph) -> bool:
    from ..analysis.distance import division_of

    return any(a.get("kind") == Kind.ZONE and division_of(a) for _, a in G.nodes(data=True))


def _local_divisions(conn: Neo4jConnection) -> dict[str, int]:
    """Division code -> number of local firms with it, over the whole store (counted in
    Cypher; ``local`` tested as Python tests it)."""
    counts: dict[str, int] = {}
    for r in conn.records(
        f"MATCH (f:{Kind.FIRM.value}) WHERE f.division_code IS NOT NULL "
        "RETURN f.local AS local, f.division_code AS code, count(f) AS n"
    ):
        if r["local"] and isinstance(r["code"], str):
            counts[r["code"]] = counts.get(r["code"], 0) + int(r["n"])
    return counts


def _figure_scope(conn: Neo4jConnection, host: str, kind: str) -> dict[str, str]:
    """The nodes a host's figures compare against (:func:`chaingraph.query.scope_members`),
    only if it has a figure with ``compare``: a platform's hosted chains, their segments and
    members, local investors and what is LOCATED_IN it; for a zone every local firm and
    project (its scope is the whole graph; other firms count for nothing there)."""
    props = conn.records(f"MATCH (n:{kind} {{id: $id}}) RETURN n.figures_json AS f", id=host)
    text = props[0]["f"] if props else None
    figures = decode_json("figures", text, f"Node '{host}'") if text is not None else []
    if not any(isinstance(f, dict) and f.get("compare") in FIGURE_COMPARE for f in figures):
        return {}
    if kind == Kind.PLATFORM:
        found = {r["id"]: str(r["mk"]) for r in _scope_members(conn, host, kind).values()}
        for r in conn.records(
            f"MATCH (:{kind} {{id: $id}})-[:{Rel.HOSTS.value}]->(c:{Kind.CHAIN.value}) "
            f"OPTIONAL MATCH (c)-[:{Rel.HAS_SEGMENT.value}]->(s:{Kind.SEGMENT.value}) "
            "RETURN c.id AS c, s.id AS s",
            id=host,
        ):
            found[r["c"]] = str(Kind.CHAIN)
            if r["s"] is not None:
                found[r["s"]] = str(Kind.SEGMENT)
        return found
    found = {
        r["id"]: str(Kind.FIRM)
        for r in conn.records(
            f"MATCH (f:{Kind.FIRM.value}) WHERE NOT coalesce(f.local = false, true) "
            "RETURN f.id AS id"
        )
    }
    found.update(
        {
            r["id"]: str(Kind.PROJECT)
            for r in conn.records(f"MATCH (p:{Kind.PROJECT.value}) RETURN p.id AS id")
        }
    )
    return found


# --- whole graphs ----------------------------------------------------------------------


def subgraph(conn: Neo4jConnection, node_ids: Iterable[str]) -> ChainGraph:
    """The induced subgraph on the given ids (nodes and edges sorted by id)."""
    kinds = kinds_of(conn, node_ids)
    return _subgraph_of_kinds(conn, {node_id: kind for node_id, (kind, _) in kinds.items()})


def _subgraph_of_kinds(conn: Neo4jConnection, kinds: Mapping[str, str]) -> ChainGraph:
    """The induced subgraph on nodes whose kinds are known (id -> kind).

    Edges are fetched per start node and kept when their end is in the set here, not by a
    ``b.id IN $all`` test on the server (a list scan per edge on some servers).
    """
    by_kind: dict[str, list[str]] = defaultdict(list)
    for node_id, kind in kinds.items():
        if kind in KINDS:
            by_kind[kind].append(node_id)
    wanted = set(kinds)

    def work(tx: neo4j.ManagedTransaction) -> tuple[list[Any], list[Any]]:
        nodes: list[Any] = []
        edges: list[Any] = []
        for kind, some in sorted(by_kind.items()):
            nodes += [
                (r["id"], kind, r["p"])
                for r in tx.run(
                    f"UNWIND $ids AS i MATCH (n:{kind} {{id: i}}) "
                    "RETURN n.id AS id, properties(n) AS p",
                    ids=some,
                )
            ]
            edges += [
                (r["u"], r["rel"], r["v"], r["p"])
                for r in tx.run(
                    f"UNWIND $ids AS i MATCH (a:{kind} {{id: i}})-[e]->(b) "
                    "WHERE any(l IN labels(b) WHERE l IN $kinds) "
                    "RETURN a.id AS u, type(e) AS rel, b.id AS v, properties(e) AS p",
                    ids=some,
                    kinds=list(KINDS),
                )
                if r["v"] in wanted
            ]
        return nodes, edges

    nodes, edges = conn.read(work)
    return build_graph(nodes, edges)


def load(conn: Neo4jConnection, dataset: str | None = None) -> ChainGraph:
    """The whole graph, or only the items pushed from ``dataset``."""
    where = f"WHERE n.{DATASET_PROP} = $ds " if dataset else ""
    ewhere = f"WHERE e.{DATASET_PROP} = $ds " if dataset else ""

    def work(tx: neo4j.ManagedTransaction) -> tuple[list[Any], list[Any]]:
        nodes: list[Any] = []
        for kind in KINDS:
            nodes += [
                (r["id"], kind, r["p"])
                for r in tx.run(
                    f"MATCH (n:{kind}) {where}RETURN n.id AS id, properties(n) AS p",
                    ds=dataset,
                )
            ]
        edges = [
            (r["u"], r["rel"], r["v"], r["p"])
            for r in tx.run(
                f"MATCH (a)-[e]->(b) {ewhere}"
                "RETURN a.id AS u, type(e) AS rel, b.id AS v, properties(e) AS p",
                ds=dataset,
            )
        ]
        return nodes, edges

    nodes, edges = conn.read(work)
    tags = {p.get(DATASET_PROP) for _, _, p in nodes} - {None}
    G = build_graph(nodes, edges)  # consumes the lists
    if len(tags) == 1:
        G.graph["dataset"] = tags.pop()
    return G
