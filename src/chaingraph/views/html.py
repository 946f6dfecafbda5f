"""View data -> one self-contained HTML page (vis-network inlined, no request of any kind).

The page is built from ``template.html`` and ``app.js`` beside this module. The vis-network
standalone script is read from the installed pyvis package and inlined. The view's data
travels as JSON in a ``<script type="application/json">`` element with ``<``, ``>``, ``&``
and U+2028/U+2029 escaped, so no string in the data can close the element; the page script
renders every string with ``textContent``. A Content-Security-Policy allows only the page's
own two scripts (by hash) and no network fetch at all, as a second line of defence.
"""

from __future__ import annotations

import base64
import hashlib
import html
import importlib.util
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any, cast

from .. import jsontext
from ..errors import ChaingraphError
from .build import View, styles

VIS_RELATIVE = Path("lib") / "vis-9.1.2" / "vis-network.min.js"
_HERE = Path(__file__).parent
_PLACEHOLDER = re.compile(r"\{\{([A-Z_]+)\}\}")
_JSON_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}
_JSON_UNSAFE = re.compile("[<>&\u2028\u2029]")


def safe_json(value: Any) -> str:
    """JSON that can sit inside a ``<script>`` element: ``<``, ``>``, ``&``, U+2028 and
    U+2029 are written as ``\\u`` escapes (still valid JSON, same value).

    >>> safe_json({"name": "</script><b>&"})
    '{"name":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026"}'
    >>> import json
    >>> json.loads(safe_json(["</script>"])) == ["</script>"]
    True
    """
    text = jsontext.dumps(value, compact=True)
    return _JSON_UNSAFE.sub(lambda m: _JSON_ESCAPES[m.group(0)], text)


@cache
def vis_js() -> str:
    """The vis-network standalone script shipped inside the pyvis package."""
    spec = importlib.util.find_spec("pyvis")
    if spec is None or not spec.submodule_search_locations:
        raise ChaingraphError("The views need the pyvis package for vis-network: pip install pyvis")
    for folder in spec.submodule_search_locations:
        path = Path(folder) / VIS_RELATIVE
        if path.is_file():
            return _script_safe(path.read_text(encoding="utf-8"))
    raise ChaingraphError(
        f"vis-network not found in the pyvis package (expected {VIS_RELATIVE}). "
        "Reinstall pyvis: pip install --force-reinstall pyvis"
    )


def _script_safe(code: str) -> str:
    """Code that cannot end its ``<script>`` element early."""
    return re.sub(r"</(script)", r"<\\/\1", code, flags=re.IGNORECASE).replace("<!--", "<\\!--")


@cache
def _asset(name: str) -> str:
    return (_HERE / name).read_text(encoding="utf-8")


def _hash(code: str) -> str:
    digest = hashlib.sha256(code.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


#: fields every node, edge and folded member record has, sent as one list each (_columns)
_NODE_DENSE = ("id", "name", "kind", "grade", "style", "x", "y", "size", "chains", "info")
_EDGE_DENSE = ("from", "to", "rel", "grade", "label")
_MEMBER_DENSE = ("id", "name", "kind", "grade", "group", "info")
#: fields most records hold at their default, sent only where they differ: name -> is it
#: at its default (the page script puts the default back before anything reads them)
_NODE_SPARSE: dict[str, Callable[[dict[str, Any]], bool]] = {
    "label": lambda r: r.get("label") == r.get("name"),  # the name, unless flagged
    "flag": lambda r: r.get("flag") is None,
    "alt": lambda r: not r.get("alt"),
    "src": lambda r: not r.get("src"),
}
_EDGE_SPARSE: dict[str, Callable[[dict[str, Any]], bool]] = {
    "dashes": lambda r: not r.get("dashes"),
    "info": lambda r: not r.get("info"),
    "src": lambda r: not r.get("src"),
}
_MEMBER_SPARSE: dict[str, Callable[[dict[str, Any]], bool]] = {"alt": lambda r: not r.get("alt")}


#: dense fields whose values repeat (a kind, a relation, a chain list): sent once each, and a
#: number per record (_coded); "info", a list of [name, value] rows per record, row by row
_CODED = frozenset({"kind", "grade", "style", "chains", "rel", "label"})
_CODED_ROWS = frozenset({"info"})


def _coded(values: list[Any]) -> dict[str, list[Any]]:
    """``values`` as the distinct ones (first seen first) and each one's index among them.

    >>> _coded(["Firm", "Segment", "Firm", "Firm"])
    {'values': ['Firm', 'Segment'], 'codes': [0, 1, 0, 0]}
    >>> _coded([[1], [1], 1, True])
    {'values': [[1], 1, True], 'codes': [0, 0, 1, 2]}
    """
    index: dict[Any, int] = {}
    if all(type(v) is str for v in values):  # most columns: a string is its own key
        codes = [index.setdefault(v, len(index)) for v in values]
        return {"values": list(index), "codes": codes}
    keys = [repr(v) for v in values]  # the same for equal JSON values only (1, 1.0, True differ)
    codes = [index.setdefault(k, len(index)) for k in keys]
    first: dict[Any, Any] = {}
    for k, v in zip(keys, values, strict=True):
        first.setdefault(k, v)
    return {"values": [first[k] for k in index], "codes": codes}


def _coded_rows(values: list[list[Any]]) -> dict[str, list[Any]]:
    """Lists of rows as the distinct rows and, per record, the indexes of its rows.

    >>> _coded_rows([[["可信度", "有来源"]], [["可信度", "有来源"], ["地区", "浙江"]], []])
    {'rows': [['可信度', '有来源'], ['地区', '浙江']], 'lists': [[0], [0, 1], []]}
    """
    index: dict[str, int] = {}
    rows: list[Any] = []
    lists = []
    for record in values:
        codes = []
        for row in record:
            key = repr(row)
            i = index.get(key)
            if i is None:
                i = index[key] = len(rows)
                rows.append(row)
            codes.append(i)
        lists.append(codes)
    return {"rows": rows, "lists": lists}


def _node_refs(ids: list[Any], node_ids: dict[Any, int]) -> Any:
    """An edge end column as positions in the nodes' ``id`` column, when every end is a node."""
    try:
        return {"nodes": [node_ids[i] for i in ids]}
    except (KeyError, TypeError):
        return ids


def _columns(
    records: list[dict[str, Any]],
    dense: tuple[str, ...],
    sparse: dict[str, Callable[[dict[str, Any]], bool]],
    node_ids: dict[Any, int] | None = None,
) -> dict[str, Any]:
    """Records as columns: a list per field every record has (``dense``), and for each other
    field its value by position where it is not at its default (``sparse``; a field no
    rule knows is sent wherever it is present).

    A large view's thousands of nodes and edges are alike but for a few values: one object
    each repeated every field name, and their encoding and the defaults left out took a
    fifth of a report's views. Repeating values are sent once (:data:`_CODED`), and with
    ``node_ids`` an edge's ends as positions among the nodes: a 5k-node page's data is 40%
    smaller, so it arrives and parses sooner. The page script makes one record each again.

    >>> _columns([{"from": "a", "to": "b", "rel": "SUPPLIES", "grade": "inferred",
    ...            "label": "供货", "dashes": True, "info": [], "src": []}],
    ...          _EDGE_DENSE, _EDGE_SPARSE)["sparse"]
    {'dashes': {'0': True}}
    """
    out: dict[str, Any] = {}
    for k in dense:
        values = [r.get(k) for r in records]
        if k in _CODED:
            out[k] = _coded(values)
        elif k in _CODED_ROWS and all(isinstance(v, list) for v in values):
            out[k] = _coded_rows(cast(list[list[Any]], values))
        elif k in ("from", "to") and node_ids is not None:
            out[k] = _node_refs(values, node_ids)
        else:
            out[k] = values
    rest: dict[str, dict[str, Any]] = {}
    for key, at_default in sparse.items():
        found = {str(i): r[key] for i, r in enumerate(records) if key in r and not at_default(r)}
        if found:
            rest[key] = found
    known = set(dense) | set(sparse)
    other = set().union(*records) - known
    for key in sorted(other):
        rest[key] = {str(i): r[key] for i, r in enumerate(records) if key in r}
    return {"dense": out, "sparse": rest}


def render_html(view: View) -> str:
    """The page for a view, as a string.

    Examples
    --------
    >>> page = render_html(View(title="<b>链</b>"))
    >>> page.startswith("<!DOCTYPE html>") and "<title>&lt;b&gt;链&lt;/b&gt;</title>" in page
    True
    >>> "<script src" in page or "<link" in page
    False
    """
    data = view.to_dict()
    node_ids: dict[Any, int] = {}
    for i, n in enumerate(data["nodes"]):
        node_ids.setdefault(n.get("id"), i)
    data["nodes"] = _columns(data["nodes"], _NODE_DENSE, _NODE_SPARSE)
    data["edges"] = _columns(data["edges"], _EDGE_DENSE, _EDGE_SPARSE, node_ids)
    data["members"] = _columns(data["members"], _MEMBER_DENSE, _MEMBER_SPARSE)
    data["styles"] = styles()
    vis = vis_js()
    app = _script_safe(_asset("app.js"))
    csp = "; ".join(
        [
            "default-src 'none'",
            f"script-src {_hash(vis)} {_hash(app)}",
            "style-src 'unsafe-inline'",
            "img-src data: blob:",
            "font-src data:",
            "connect-src 'none'",
            "form-action 'none'",
            "base-uri 'none'",
        ]
    )
    parts = {
        "TITLE": html.escape(view.title, quote=True),
        "CSP": html.escape(csp, quote=False),  # in a double-quoted attribute
        "VIS_JS": vis,
        "APP_JS": app,
        "DATA": safe_json(data),
    }
    # one pass, so text put in by one placeholder is never read as another
    return _PLACEHOLDER.sub(lambda m: parts[m.group(1)], _asset("template.html"))


def write_html(view: View, path: str | Path) -> Path:
    """Write the page for a view to ``path`` as UTF-8 (parent folders created) and return it.

    Examples
    --------
    >>> import tempfile
    >>> out = write_html(View(title="测试"), Path(tempfile.mkdtemp()) / "v.html")
    >>> out.read_text(encoding="utf-8").count("<title>测试</title>")
    1
    """
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_html(view), encoding="utf-8", newline="\n")
    return out
