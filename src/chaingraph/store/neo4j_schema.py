"""How a chain graph is stored in Neo4j: labels, property encoding and decoding, id checks.

No driver here: these functions turn graph attributes into properties and back, and build a
:class:`~chaingraph.model.ChainGraph` from stored rows. Connections live in
:mod:`.neo4j_conn`, queries in :mod:`.neo4j_read`, writes in :mod:`.neo4j_sync`.

How a graph is stored
---------------------
- A node is a Neo4j node with one label, its :class:`~chaingraph.model.Kind`, and the
  property ``id`` (unique per label: ``db push`` creates the constraints). An edge is a
  relationship whose type is its :class:`~chaingraph.model.Rel`.
- Text, numbers, booleans and non-empty lists of text are stored as native properties.
  Anything else (``sources``, ``figures``, empty lists) is stored as a JSON string under the
  key with ``_json`` appended (``sources_json``) and decoded on the way back.
- Bookkeeping properties: ``dataset`` (the name of the dataset that pushed the item, so
  ``--prune`` deletes only its own items), on nodes also ``attr_order`` (the attribute order,
  so rows come back in the order they were written; the names joined by commas; left out
  when it is the canonical order) and ``search_text`` (the normalised id, name, English name
  and aliases that ``find`` matches, one per line, see
  :func:`chaingraph.model.normalize_text`: Cypher cannot fold full-width characters; left
  out when no name changes under normalising). Both are single strings: lists cost ArcadeDB
  noticeably more per push. On a firm with products, business scope or a 申万 industry also
  ``match_text`` (:func:`chaingraph.analysis.classify.match_text`) and ``match_industry``
  (the folded ``sw_l3``), so that the outside firms a chain's segments may classify are
  selected in Cypher (see :func:`.neo4j_read.analysis_graph`) and not read one by one.
- Labels and relationship types in Cypher text come only from the enums in
  :mod:`chaingraph.model`; every value travels as a parameter.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Iterable, Mapping
from typing import Any

import networkx as nx

from .. import jsontext
from ..errors import InvalidGraphData
from ..model import ID_RULE, MAX_NUMBER, ChainGraph, Kind, Rel, is_valid_id, normalize_text

KINDS: tuple[str, ...] = tuple(k.value for k in Kind)
RELS: tuple[str, ...] = tuple(r.value for r in Rel)
DATASET_PROP = "dataset"
ORDER_PROP = "attr_order"
SEARCH_PROP = "search_text"
MATCH_PROP = "match_text"
INDUSTRY_PROP = "match_industry"
JSON_SUFFIX = "_json"
#: node properties that are bookkeeping, not attributes of the node
INTERNAL_PROPS = frozenset({DATASET_PROP, ORDER_PROP, SEARCH_PROP, MATCH_PROP, INDUSTRY_PROP})
#: Cypher condition: a name of node ``n`` contains ``$needle`` as it is (used for nodes whose
#: names need no normalising, so they carry no ``search_text``)
RAW_MATCH = (
    "(n.id CONTAINS $needle OR n.name CONTAINS $needle OR "
    "coalesce(n.name_en, '') CONTAINS $needle OR "
    "any(a IN coalesce(n.aliases, []) WHERE a CONTAINS $needle))"
)
#: Cypher expression: the Kind label of node variable ``v`` (null for a foreign node)
KIND_OF = "[l IN labels({v}) WHERE l IN $kinds][0]"


# --- values -------------------------------------------------------------------------------


_MIN_INT = -(2**63)
_MAX_INT = 2**63  # exclusive: the range of a 64-bit integer property


def _is_native(value: Any) -> bool:
    """True for values stored as a native property (the rest become JSON text)."""
    if isinstance(value, bool | str):
        return True
    if isinstance(value, int):
        return _MIN_INT <= value < _MAX_INT
    if isinstance(value, float):
        return value == value  # NaN does not survive a round trip
    if isinstance(value, list):
        return bool(value) and all(isinstance(v, str) for v in value)
    return False


def encode_attrs(attrs: Mapping[str, Any], skip: frozenset[str] = frozenset()) -> dict[str, Any]:
    """Attributes as Neo4j properties: native values as they are, others as JSON text; the
    names in ``skip`` are left out.

    >>> encode_attrs({"name": "比亚迪", "aliases": ["BYD"], "sources": [{"source": "a"}]})
    {'name': '比亚迪', 'aliases': ['BYD'], 'sources_json': '[{"source": "a"}]'}
    """
    out: dict[str, Any] = {}
    for key, value in attrs.items():
        if value is None or key in skip:
            continue
        # the common exact types first: one type() call instead of _is_native's isinstance
        # chain (which still decides everything else, subclasses included)
        kind = type(value)
        if (
            kind is str
            or kind is bool
            or (kind is int and _MIN_INT <= value < _MAX_INT)
            or (kind is not int and _is_native(value))
        ):
            out[key] = value
        else:
            out[key + JSON_SUFFIX] = jsontext.dumps(value)
    return out


def decode_props(
    props: Mapping[str, Any], order: Iterable[str] = (), what: str = ""
) -> dict[str, Any]:
    """Properties back to attributes (JSON decoded), in ``order`` first, then by name.

    Bookkeeping properties and ``id`` are left out. The JSON properties come from the
    database, where anyone may have edited them: a value that is not JSON, or ``sources`` /
    ``figures`` that are not lists of mappings, raise InvalidGraphData naming ``what`` (by
    default the node's id) and the property.

    >>> decode_props({"id": "x", "sources_json": "[]", "name": "甲"}, ["name", "sources"])
    {'name': '甲', 'sources': []}
    >>> try:
    ...     decode_props({"id": "x", "sources_json": "[1]"})
    ... except InvalidGraphData as exc:
    ...     print(str(exc)[:73])
    Node 'x': property 'sources_json' in the database holds [1], not a list o
    """
    what = what or f"Node '{props.get('id')}'"
    out: dict[str, Any] = {}
    for key in order:
        if key in props:
            out[key] = checked_number(props[key], what, key)
        elif key + JSON_SUFFIX in props:
            out[key] = decode_json(key, props[key + JSON_SUFFIX], what)
    for key in sorted(props):
        if key == "id" or key in INTERNAL_PROPS:
            continue
        if key.endswith(JSON_SUFFIX):
            name = key[: -len(JSON_SUFFIX)]
            if name not in out:
                out[name] = decode_json(name, props[key], what)
        elif key not in out:
            out[key] = checked_number(props[key], what, key)
    return out


_FIX = "Fix it with 'chaingraph db cypher --write', or push the dataset again"


def checked_number(value: Any, what: str, prop: str) -> Any:
    """``value`` as it is, unless it is a number validation would refuse: one that is not
    finite or is beyond :data:`~chaingraph.model.MAX_NUMBER` in size (a number edited in the
    database), which raises InvalidGraphData naming ``what`` and the property.

    Numbers inside a list property are checked alike; other values pass unchanged.

    >>> checked_number(2.5e9, "Node 'p'", "amount_cny")
    2500000000.0
    >>> try:
    ...     checked_number(1.7e308, "Node 'p'", "amount_cny")
    ... except InvalidGraphData as exc:
    ...     print(str(exc)[:78])
    Node 'p': property 'amount_cny' in the database holds 1.7e+308, beyond 10^15 i
    """
    if isinstance(value, list):
        for item in value:
            checked_number(item, what, prop)
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    if isinstance(value, float) and not math.isfinite(value):
        raise InvalidGraphData(
            f"{what}: property '{prop}' in the database holds {value}, not a finite number. " + _FIX
        )
    if abs(value) > MAX_NUMBER:
        shown = f"{value:.3g}" if isinstance(value, float) else f"{float(value):.3g}"
        raise InvalidGraphData(
            f"{what}: property '{prop}' in the database holds {shown}, beyond 10^15 in size "
            f"(validation refuses such a number: no real amount is larger). {_FIX}"
        )
    return value


#: attributes whose stored JSON must be a list of mappings (citations, figures)
LISTS_OF_MAPPINGS = frozenset({"sources", "figures"})


def decode_json(name: str, text: Any, what: str) -> Any:
    """The value of the stored property ``<name>_json``, checked; InvalidGraphData if bad."""
    fix = _FIX
    prop = f"property '{name}{JSON_SUFFIX}' in the database"
    if not isinstance(text, str):
        raise InvalidGraphData(f"{what}: {prop} holds a {type(text).__name__}, not JSON. {fix}")
    try:
        value = json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:
        raise InvalidGraphData(f"{what}: {prop} is not valid JSON ({exc}). {fix}") from exc
    if name in LISTS_OF_MAPPINGS and not (
        isinstance(value, list) and all(isinstance(v, dict) for v in value)
    ):
        shown = text if len(text) <= 40 else text[:40] + "…"
        raise InvalidGraphData(f"{what}: {prop} holds {shown}, not a list of mappings. {fix}")
    _check_json_numbers(value, what, f"{name}{JSON_SUFFIX}")
    return value


def _check_json_numbers(value: Any, what: str, prop: str) -> None:
    """Every number inside decoded JSON passes :func:`checked_number` (``1e400`` decodes to
    inf), walked without recursion (the JSON may be deeply nested)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        else:
            checked_number(item, what, prop)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def search_text(node_id: str, attrs: Mapping[str, Any]) -> str:
    """The normalised names ``find`` matches (id, name, name_en, aliases), one per line.

    :func:`~chaingraph.model.normalize_text` leaves no line break inside a name, so a
    normalised needle is contained in this text exactly when it is contained in a name.

    >>> search_text("byd", {"name": "比亚迪", "aliases": ["ＢＹＤ"]})
    'byd\\n比亚迪\\nbyd'
    """
    return "\n".join(normalize_text(n) for n in _names(node_id, attrs))


def _names(node_id: str, attrs: Mapping[str, Any]) -> list[str]:
    names = [node_id, str(attrs.get("name", ""))]
    if attrs.get("name_en"):
        names.append(str(attrs["name_en"]))
    names.extend(str(a) for a in attrs.get("aliases") or ())
    return names


#: attribute order of a dataset file written by chaingraph (see :func:`canonical_order`)
ORDER_HEAD = ("kind", "name", "name_en", "aliases")
ORDER_TAIL = ("grade", "note", "sources", "figures")


def canonical_order(keys: Iterable[str]) -> list[str]:
    """Attribute names in the order chaingraph writes them: kind and names, the other fields
    by name, then grade, note, sources and figures.

    >>> canonical_order(["sources", "name", "local", "kind", "employees"])
    ['kind', 'name', 'employees', 'local', 'sources']
    """
    keys = list(keys)
    head = [k for k in ORDER_HEAD if k in keys]
    tail = [k for k in ORDER_TAIL if k in keys]
    return head + sorted(k for k in keys if k not in ORDER_HEAD and k not in ORDER_TAIL) + tail


def node_properties(node_id: str, attrs: Mapping[str, Any], dataset: str) -> dict[str, Any]:
    """The properties a node is stored with (its kind is the label, not a property).

    ``attr_order`` is stored only when the order is not :func:`canonical_order`, and
    ``search_text`` only when a name changes under :func:`~chaingraph.model.normalize_text`
    (``find`` then matches the names themselves): fewer properties, faster pushes.
    """
    return {"id": node_id, **node_properties_without_id(node_id, attrs, dataset)}


_ID_AND_KIND = frozenset({"id", "kind"})


def node_properties_without_id(
    node_id: str, attrs: Mapping[str, Any], dataset: str
) -> dict[str, Any]:
    """:func:`node_properties` but ``id`` (a push sets it in the MERGE)."""
    is_firm = attrs.get("kind") == Kind.FIRM
    props = encode_attrs(attrs, _ID_AND_KIND)
    if is_firm:
        props.update(match_properties(attrs))
    props[DATASET_PROP] = dataset
    keys = tuple(k for k in attrs if k not in _ID_AND_KIND)
    if not _is_canonical(keys):
        props[ORDER_PROP] = ",".join(("kind", *keys))
    names = _names(node_id, attrs)
    text = "\n".join(normalize_text(n) for n in names)
    if text != "\n".join(names):
        props[SEARCH_PROP] = text
    return props


@functools.lru_cache(maxsize=1024)
def _is_canonical(keys: tuple[str, ...]) -> bool:
    """True if ``kind`` followed by ``keys`` is :func:`canonical_order` (a graph has a few
    key patterns, so the answer is cached)."""
    order = ["kind", *keys]
    return order == canonical_order(order)


def match_properties(attrs: Mapping[str, Any]) -> dict[str, str]:
    """``match_text`` and ``match_industry`` of a firm, each only when it is not empty.

    >>> match_properties({"sw_l3": "电池化学品Ⅲ", "business_scope": "负极材料"})
    {'match_text': '负极材料', 'match_industry': '电池化学品iii'}
    """
    from ..analysis.classify import fold, match_text

    out = {}
    text = match_text(attrs)
    if text:
        out[MATCH_PROP] = text
    sw = attrs.get("sw_l3")
    if isinstance(sw, str):
        industry = fold(sw).strip()
        if industry:
            out[INDUSTRY_PROP] = industry
    return out


_REL = frozenset({"rel"})


def edge_properties(attrs: Mapping[str, Any], dataset: str) -> dict[str, Any]:
    """The properties an edge is stored with (its rel is the type, not a property)."""
    props = encode_attrs(attrs, _REL)
    props[DATASET_PROP] = dataset
    return props


def stored_order(props: Mapping[str, Any]) -> list[str]:
    """The attribute order of a stored node: recorded (comma-joined), else canonical."""
    order = props.get(ORDER_PROP)
    if isinstance(order, str) and order:
        return order.split(",")
    names = [
        k[: -len(JSON_SUFFIX)] if k.endswith(JSON_SUFFIX) else k
        for k in props
        if k != "id" and k not in INTERNAL_PROPS
    ]
    return canonical_order(["kind", *names])


def node_attrs(kind: str, props: Mapping[str, Any]) -> dict[str, Any]:
    """A stored node's attributes as the networkx graph holds them."""
    order = stored_order(props)
    attrs = decode_props(props, order)
    attrs["kind"] = kind
    if order and order[0] == "kind":
        attrs = {"kind": kind} | {k: v for k, v in attrs.items() if k != "kind"}
    return attrs


def edge_attrs(rel: str, props: Mapping[str, Any], what: str = "") -> dict[str, Any]:
    """A stored relationship's attributes as the networkx graph holds them."""
    return {"rel": rel} | decode_props(props, (), what or f"A {rel} relationship")


def check_id(node_id: object, kind: str) -> None:
    """Refuse an id read from the database that the model would refuse.

    Ids become file names and links in reports and views: what the model does not accept
    never leaves the store.
    """
    if not is_valid_id(node_id):
        raise InvalidGraphData(
            f"The database holds a {kind} with id {node_id!r}, which is not a valid "
            f"chaingraph id ({ID_RULE}). Fix it with 'chaingraph db cypher --write', "
            "or push the dataset again"
        )


def build_graph(
    nodes: list[tuple[str, str, Mapping[str, Any]]],
    edges: list[tuple[str, str, str, Mapping[str, Any]]],
) -> ChainGraph:
    """A ChainGraph from stored nodes and edges; nodes and edges added in id order.

    The lists are consumed (sorted in place, emptied as the graph is built), so a row's
    properties are freed as its attributes are made: the rows and the graph are not both
    held whole.
    """
    G: ChainGraph = nx.MultiDiGraph()
    nodes.sort(key=lambda n: str(n[0]))
    nodes.reverse()  # popped from the end: ascending, equal keys in their first order
    while nodes:
        node_id, kind, props = nodes.pop()
        check_id(node_id, kind)
        G.add_node(node_id, **node_attrs(kind, props))
    edges.sort(key=lambda e: (e[0], e[2], e[1]))
    edges.reverse()
    while edges:
        u, rel, v, props = edges.pop()
        if u in G and v in G:
            G.add_edge(u, v, key=rel, **edge_attrs(rel, props, f"Relationship {u} -{rel}-> {v}"))
    return G
