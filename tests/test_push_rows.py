"""The rows ``db push`` sends, built without a server: they must not change when their
building is made faster. ``data/push_rows.golden`` holds the ``repr`` of the rows built for
a varied graph (every kind of value the encoding tells apart); it was written by the row
building before it was optimised, so any difference in a value, its type or the order of
properties fails here."""

from __future__ import annotations

import enum
from pathlib import Path

import networkx as nx
import pytest

from chaingraph.layers import EDGE_OWNER, OWNER
from chaingraph.model import ChainGraph, Kind, Rel
from chaingraph.store.neo4j_sync import PushRows, push_rows

HERE = Path(__file__).parent
GOLDEN = HERE / "data" / "push_rows.golden"


class Colour(enum.StrEnum):
    RED = "red"


class Big(int):
    pass


#: values covering each branch of the encoding (native, JSON text, left out)
VALUES: list[object] = [
    "text",
    "",
    "全角ＡＢＣ",
    True,
    False,
    0,
    -7,
    2**63 - 1,
    2**63,
    -(2**63),
    -(2**63) - 1,
    1.5,
    float("nan"),
    float("inf"),
    -0.0,
    ["a", "b"],
    ["a", 1],
    [],
    [True],
    ("a",),
    {"k": [1, 2]},
    [{"source": "s", "quote": "q"}],
    None,
    Colour.RED,
    Big(5),
]


def varied_graph() -> ChainGraph:
    G: ChainGraph = nx.MultiDiGraph()
    owner: dict[str, str] = {}
    edge_owner: dict[tuple[str, str, str], str] = {}
    for i, value in enumerate(VALUES):
        firm = f"f-{i}"
        attrs: dict[str, object] = {"kind": Kind.FIRM.value, "name": f"企业{i}", "extra": value}
        if i % 3 == 0:
            attrs = {"extra": value, **attrs}  # not the canonical order
        if i % 4 == 1:
            attrs["aliases"] = ["ＦＩＲＭ", f"alias{i}"]
            attrs["name_en"] = f"Firm {i}"
        if i % 5 == 2:
            attrs.update(business_scope="负极材料 电池", sw_l3="电池化学品Ⅲ", products=["隔膜"])
        if i % 6 == 3:
            attrs["sources"] = [{"source": "memo", "quote": "x"}]
            attrs["figures"] = []
        G.add_node(firm, **attrs)
        seg = f"s-{i}"
        G.add_node(seg, kind=Kind.SEGMENT.value, name=f"环节{i}", keywords=["电池"], note=value)
        G.add_edge(firm, seg, key=Rel.IN_SEGMENT.value, rel=Rel.IN_SEGMENT, amount=value)
        G.add_edge(f"f-{(i + 1) % len(VALUES)}", firm, key=Rel.SUPPLIES.value, product=value)
        if i % 2:
            owner[firm] = "other"
            edge_owner[(firm, seg, Rel.IN_SEGMENT.value)] = "other"
    G.graph[OWNER] = owner
    G.graph[EDGE_OWNER] = edge_owner
    return G


def shown(rows: PushRows) -> str:
    lines: list[str] = []
    for kind in sorted(rows.nodes):
        lines.extend(f"{kind} {row!r}" for row in rows.nodes[kind])
    for shape in sorted(rows.edges):
        lines.extend(f"{shape} {row!r}" for row in rows.edges[shape])
    return "\n".join(lines) + "\n"


def current() -> str:
    return shown(push_rows(varied_graph(), "zone"))


def test_rows_are_what_they_were_before_the_speed_up() -> None:
    got = current()
    want = GOLDEN.read_text(encoding="utf-8")
    for line_no, (a, b) in enumerate(zip(got.splitlines(), want.splitlines(), strict=False), 1):
        assert a == b, f"line {line_no} of {GOLDEN.name} differs"
    assert got == want


def test_the_varied_graph_reaches_every_encoding() -> None:
    rows = push_rows(varied_graph(), "zone")
    props = [r["props"] for r in rows.nodes["Firm"]]
    assert any("extra_json" in p for p in props)
    assert any(isinstance(p.get("extra"), list) for p in props)
    assert any("attr_order" in p for p in props) and any("attr_order" not in p for p in props)
    assert any("search_text" in p for p in props) and any("match_text" in p for p in props)
    assert {p["dataset"] for p in props} == {"zone", "other"}


if __name__ == "__main__":  # write the golden file (only from the reference row building)
    GOLDEN.write_text(current(), encoding="utf-8")
    pytest.main([__file__, "-q"])
