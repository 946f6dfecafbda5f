"""The fast path of a CSV load (chaingraph.dataset_fast) against checking every row as an item.

Each case writes a small dataset whose CSV files are mutated in a hostile way (bad enums,
unknown ends, duplicates, bad numbers, NaN, bad citations, missing and extra columns, a BOM,
blank, short and long rows, cells to trim, spreadsheet-safe apostrophes …), loads it both
ways and requires the same problems (message, file:line, in the same order) and the same
graph: nodes, edges, keys and attribute dicts with their types and key order, the shared
edge dicts of networkx's successor and predecessor maps, and every node and edge location.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from chaingraph import dataset, dataset_fast
from chaingraph.dataset import _load
from chaingraph.edge_places import Positions

MEMO = (
    "测试园区招商简报\n甲电池是动力电池园的龙头企业，带动了乙材料入驻。\n"
    "乙材料生产正极材料，供货给甲电池。\n"
)

YAML_FILES = {
    "dataset.yaml": "name: fast\ntitle: 测试\n",
    "sources.yaml": (
        "nodes:\n  - {id: memo, kind: Source, name: 简报, title: 简报, "
        "text_file: sources/memo.txt, grade: sourced, sources: [{source: memo, quote: 简报}]}\n"
    ),
    "chain.yaml": (
        "grade: template\nnodes:\n"
        "  - {id: bat, kind: Chain, name: 动力电池}\n"
        "  - {id: bat-cell, kind: Segment, name: 电芯, tier: midstream, chain: bat}\n"
        "  - {id: bat-pack, kind: Segment, name: 电池包, tier: downstream, chain: bat}\n"
        "edges:\n  - {from: bat-cell, rel: FEEDS, to: bat-pack}\n"
    ),
    "zone.yaml": "grade: template\nnodes:\n  - {id: park, kind: Park, name: 园区}\n",
}

FIRMS_HEADER = [
    "id", "kind", "name", "aliases", "local", "above_size", "employees", "output_cny",
    "region", "listed_on", "products", "grade", "note", "source", "quote", "locator",
]  # fmt: skip
FIRMS = [
    ["jia", "Firm", "甲电池", "甲|甲公司", "true", "yes", "120", "1.5e9", "", "2020-05", "电芯", "", "", "memo", "甲电池是动力电池园的龙头企业", "p1"],  # noqa: E501
    ["yi", "Firm", "乙材料", "", "false", "否", "30", "2000000", "江苏", "", "", "template", "n", "", "", ""],  # noqa: E501
    ["bing", "Firm", "丙箔业", "", "TRUE", "0", "", "3,000", "", "2021", "箔|铜箔", "template", "", "", "", ""],  # noqa: E501
    ["ding", "Project", "丁项目", "", "", "", "", "", "", "", "", "template", "", "", "", ""],
    ["wu", "Firm", "戊公司", "", "1", "", "7", "12.5", "浙江", "", "", "sourced", "", "memo", "乙材料生产正极材料", ""],  # noqa: E501
    ["ji", "Place", "己路", "", "", "", "", "", "", "", "", "template", "", "", "", ""],
]  # fmt: skip
RELS_HEADER = ["from", "rel", "to", "grade", "note", "product", "share", "source", "quote"]
RELS = [
    ["yi", "SUPPLIES", "jia", "", "", "正极", "0.3", "memo", "乙材料生产正极材料，供货给甲电池"],
    ["jia", "ATTRACTED", "yi", "", "", "", "", "memo", "带动了乙材料入驻"],
    ["jia", "IN_SEGMENT", "bat-cell", "template", "makes cells", "", "", "", ""],
    ["yi", "SUPPLIES", "bing", "template", "", "", "1", "", ""],
    ["bing", "SUPPLIES", "yi", "template", "", "", "", "", ""],
    ["jia", "LOCATED_IN", "park", "template", "", "", "", "", ""],
    ["wu", "SUPPLIES", "wu", "template", "", "", "", "", ""],
    ["ding", "LOCATED_IN", "park", "template", "", "", "", "", ""],
    ["wu", "INVESTS_IN", "ding", "template", "", "", "", "", ""],
    ["yi", "IN_SEGMENT", "bat-cell", "template", "", "", "", "", ""],
]

Table = list[list[str]]


def csv_text(rows: Table) -> str:
    out = []
    for row in rows:
        cells = []
        for cell in row:
            if any(c in cell for c in ',"\n\r') or cell != cell.strip():
                cell = '"' + cell.replace('"', '""') + '"'
            cells.append(cell)
        out.append(",".join(cells))
    return "\n".join(out) + "\n"


def write(folder: Path, files: dict[str, str]) -> Path:
    for rel, text in {**YAML_FILES, "sources/memo.txt": MEMO, **files}.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


def shape(ds: dataset.Dataset) -> dict[str, Any]:
    """Everything a load gives, in a form where types and order show (repr)."""
    G: Any = ds.graph
    for u, nbrs in G._succ.items():
        for v, keydict in nbrs.items():
            assert G._pred[v][u] is keydict  # one key dict for both directions, as networkx
    return {
        "problems": [str(p) for p in ds.problems],
        "graph": repr(G.graph),
        "nodes": repr(list(G._node.items())),
        "succ": repr([(u, list(n.items())) for u, n in G._succ.items()]),
        "pred": repr([(u, list(n.items())) for u, n in G._pred.items()]),
        "where": repr(list(ds.node_locations.items())),
        "edge_where": repr(list((ds.edge_locations or {}).items())),
    }


def both(folder: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    fast = _load(folder, (), fast=True)
    slow = _load(folder, (), fast=False)
    return shape(fast), shape(slow)


def assert_same(folder: Path) -> dict[str, Any]:
    fast, slow = both(folder)
    for key in slow:
        assert fast[key] == slow[key], key
    return fast


@pytest.fixture(params=[dataset_fast.CHUNK_ROWS, 2], ids=["one chunk", "chunks of 2"])
def chunk_rows(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    """A CSV file's columns built from chunks of this many rows (see dataset_fast.read_table):
    with 2, every mutated row is near a chunk's edge."""
    monkeypatch.setattr(dataset_fast, "CHUNK_ROWS", request.param)
    return int(request.param)


def test_valid_dataset_same_graph(tmp_path: Path, chunk_rows: int) -> None:
    folder = write(
        tmp_path,
        {"firms.csv": csv_text([FIRMS_HEADER, *FIRMS]), "rel.csv": csv_text([RELS_HEADER, *RELS])},
    )
    got = assert_same(folder)
    assert got["problems"] == []
    assert "'employees': 120" in got["nodes"] and "'local': True" in got["nodes"]


def _cell(rows: Table, header: list[str], row: int, col: str, value: str) -> Table:
    out = [list(r) for r in rows]
    if row < len(out) and col in header and header.index(col) < len(out[row]):
        out[row][header.index(col)] = value  # (an earlier mutation may have taken it away)
    return out


# (name, firms rows incl. header, relations rows incl. header) -> mutated pair
Mutation = Callable[[Table, Table], tuple[Table, Table]]


def on_firm(row: int, col: str, value: str) -> Mutation:
    def mutate(firms: Table, rels: Table) -> tuple[Table, Table]:
        return _cell(firms, firms[0], row, col, value), rels

    return mutate


def on_rel(row: int, col: str, value: str) -> Mutation:
    def mutate(firms: Table, rels: Table) -> tuple[Table, Table]:
        return firms, _cell(rels, rels[0], row, col, value)

    return mutate


def firms_rows(change: Callable[[Table], Table]) -> Mutation:
    return lambda firms, rels: (change([list(r) for r in firms]), rels)


def rels_rows(change: Callable[[Table], Table]) -> Mutation:
    return lambda firms, rels: (firms, change([list(r) for r in rels]))


def drop_column(table: Table, name: str) -> Table:
    if name not in table[0]:
        return table
    j = table[0].index(name)
    return [r[:j] + r[j + 1 :] for r in table]


def add_column(table: Table, name: str, value: str) -> Table:
    return [table[0] + [name]] + [r + [value] for r in table[1:]]


MUTATIONS: dict[str, Mutation] = {
    "bad kind": on_firm(2, "kind", "Frim"),
    "segment kind": on_firm(2, "kind", "Segment"),
    "kind lower case": on_firm(1, "kind", "firm"),
    "bad relation": on_rel(1, "rel", "SUPLIES"),
    "relation lower case": on_rel(3, "rel", "in_segment"),
    "grade inferred": on_firm(2, "grade", "inferred"),
    "grade unknown": on_rel(3, "grade", "guessed"),
    "grade sourced without source": on_firm(2, "grade", "sourced"),
    "edge grade sourced without source": on_rel(4, "grade", "sourced"),
    "no grade no source": on_firm(3, "grade", ""),
    "edge no grade no source": on_rel(4, "grade", ""),
    "unknown from": on_rel(4, "from", "nobody"),
    "unknown to": on_rel(4, "to", "bat-cel"),
    "empty from": on_rel(4, "from", ""),
    "empty rel": on_rel(4, "rel", ""),
    "wrong kinds": on_rel(4, "to", "bat-cell"),
    "reversed segment edge": on_rel(3, "from", "bat-cell"),
    "duplicate id": firms_rows(lambda t: [*t, list(t[2])]),
    "id defined in yaml too": on_firm(6, "id", "park"),
    "id of a segment": on_firm(4, "id", "bat-cell"),
    "duplicate edge": rels_rows(lambda t: [*t, list(t[4])]),
    "edge also in yaml": on_rel(4, "to", "bat-pack"),
    "bad number": on_firm(2, "employees", "12x"),
    "fraction of a whole number": on_firm(2, "employees", "3.5"),
    "nan": on_firm(1, "output_cny", "nan"),
    "inf": on_firm(1, "output_cny", "-inf"),
    "too big": on_firm(1, "output_cny", "1e16"),
    "number with underscores": on_firm(1, "output_cny", "1_000_000"),
    "bad share": on_rel(1, "share", "30%"),
    "bad bool": on_firm(2, "local", "maybe"),
    "empty required bool": on_firm(2, "local", ""),
    "empty name": on_firm(3, "name", ""),
    "empty id": on_firm(3, "id", ""),
    "bad id": on_firm(3, "id", "Bad Id"),
    "long id": on_firm(3, "id", "a" * 121),
    "bad date": on_firm(1, "listed_on", "May 2020"),
    "quote not in source": on_firm(1, "quote", "没有这句话"),
    "unknown source": on_firm(1, "source", "nomemo"),
    "source without quote": on_firm(1, "quote", ""),
    "quote without source": on_firm(1, "source", ""),
    "locator without citation": on_firm(2, "locator", "p9"),
    "edge quote not in source": on_rel(2, "quote", "别的话"),
    "edge source without quote": on_rel(2, "quote", ""),
    "edge quote without source": on_rel(1, "source", ""),
    "missing required column": firms_rows(lambda t: drop_column(t, "local")),
    "missing grade column": rels_rows(lambda t: drop_column(t, "grade")),
    "extra column": firms_rows(lambda t: add_column(t, "colour", "red")),
    "extra empty column": firms_rows(lambda t: add_column(t, "colour", "")),
    "extra edge column": rels_rows(lambda t: add_column(t, "weight", "2")),
    "field of another relation": on_rel(3, "product", "电芯"),
    "field of another kind": on_firm(4, "employees", "3"),
    "column named twice": firms_rows(lambda t: add_column(t, "name", "别名")),
    "sources column": rels_rows(lambda t: add_column(t, "sources", "")),
    "figures column": firms_rows(lambda t: add_column(t, "figures", "1")),
    "empty header cell": firms_rows(lambda t: add_column(t, "", "x")),
    "bom in header": firms_rows(lambda t: [["\ufeffid", *t[0][1:]], *t[1:]]),
    "bom in a cell": on_firm(2, "name", "\ufeff乙"),
    "cell to trim": on_firm(2, "name", "  乙材料 "),
    "id to trim": on_firm(2, "id", " yi\t"),
    "end to trim": on_rel(1, "to", " jia "),
    "kind to trim": on_firm(1, "kind", "Firm "),
    "bool to trim": on_firm(1, "local", " true"),
    "ideographic space": on_firm(2, "region", "\u3000江苏"),
    "apostrophe formula": on_firm(2, "name", "'=HYPERLINK(1)"),
    "apostrophe tab": on_firm(2, "name", "'\t=x"),
    "apostrophe text": on_firm(2, "name", "'乙"),
    "apostrophe id": on_firm(2, "id", "'-yi"),
    "apostrophe end": on_rel(1, "from", "'=yi"),
    "blank row": firms_rows(lambda t: [*t[:3], ["", "", ""], *t[3:]]),
    "whitespace row": rels_rows(lambda t: [*t[:3], ["  ", " "], *t[3:]]),
    "empty line": rels_rows(lambda t: [*t[:3], [], *t[3:]]),
    "short row": firms_rows(lambda t: [*t[:2], t[2][:5], *t[3:]]),
    "long row": rels_rows(lambda t: [*t[:2], [*t[2], "x"], *t[3:]]),
    "long blank row": rels_rows(lambda t: [*t[:2], [*t[2], ""], *t[3:]]),
    "list cell with blanks": on_firm(1, "aliases", " | 甲| |"),
    "list cell of bars": on_firm(1, "products", "|"),
    "name clash": on_firm(2, "name", "甲电池"),
    "alias clash": on_firm(2, "aliases", "园区"),
    "multi-line cell": on_firm(2, "note", "第一行\n第二行"),
    "quoted comma": on_firm(2, "note", "a, b"),
    "self loop of another kind": on_rel(8, "to", "ding"),
    "only header": firms_rows(lambda t: t[:1]),
    "no edges": rels_rows(lambda t: t[:1]),
}


def mutated(tmp_path: Path, names: list[str], *more: Mutation) -> Path:
    firms: Table = [FIRMS_HEADER, *FIRMS]
    rels: Table = [RELS_HEADER, *RELS]
    for mutate in [*(MUTATIONS[name] for name in names), *more]:
        firms, rels = mutate(firms, rels)
    return write(tmp_path, {"firms.csv": csv_text(firms), "rel.csv": csv_text(rels)})


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_mutation_same_result(tmp_path: Path, name: str, chunk_rows: int) -> None:
    assert_same(mutated(tmp_path, [name]))


def repeated_edges(firms: Table, rels: Table) -> tuple[Table, Table]:
    """Many edges with few combinations of cells (as a big zone's relations are), some
    duplicates and some graded by their citation: their attribute dicts are made once per
    combination and copied (dataset_fast._copied_dicts)."""
    ends = ["jia", "yi", "bing", "wu"]
    pairs = [(a, b) for a in ends for b in ends]
    more = [
        [a, "SUPPLIES", b, "template", "", "正极" if k % 2 else ""]
        for k, (a, b) in enumerate(pairs)
    ]
    more += [[a, "SUPPLIES", b, "template", "", ""] for a, b in pairs[::3]]  # (duplicates)
    more += [[a, "IN_SEGMENT", "bat-pack", "template", "", ""] for a in ends]
    cited = ["", "", "", "", "memo", "带动了乙材料入驻"]
    more += [["jia", "ATTRACTED", b, *cited] for b in ("bing", "wu")]
    width = len(RELS_HEADER)
    return firms, [*rels, *([*row, *[""] * (width - len(row))] for row in more)]


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_mutation_of_repeated_edges_same_result(tmp_path: Path, name: str, chunk_rows: int) -> None:
    assert_same(mutated(tmp_path, [name], repeated_edges))


def test_repeated_edges_dicts_copied_and_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The dicts copied per combination of cells are each edge's own (not shared), as the
    graph made row by row has them; the copying was used (the test above is of it)."""
    made: list[Any] = []

    def spy(*args: Any) -> Any:
        made.append(got := copied(*args))
        return got

    copied = dataset_fast._copied_dicts
    monkeypatch.setattr(dataset_fast, "_copied_dicts", spy)
    folder = write(tmp_path, {})
    firms, rels = repeated_edges([FIRMS_HEADER, *FIRMS], [RELS_HEADER, *RELS])
    write(folder, {"firms.csv": csv_text(firms), "rel.csv": csv_text(rels)})
    got = assert_same(folder)
    assert [m is not None for m in made] == [True]  # (the firms are too distinct)
    G: Any = _load(folder, (), fast=True).graph
    dicts = [d for _, _, d in G.edges(data=True)]
    assert len(dicts) > 25 and len({id(d) for d in dicts}) == len(dicts)
    assert "duplicate edge" in " ".join(got["problems"])


def many_firms(firms: Table, rels: Table) -> tuple[Table, Table]:
    """Many firms whose region, size and grade repeat while their names, numbers and lists
    do not."""
    more = [
        [
            f"f{k}", "Firm", f"企业{k}", "" if k % 2 else f"别名{k}|甲{k}",
            "true" if k % 2 else "false", "" if k % 2 else "yes", str(k * 3),
            "" if k % 2 else f"{k}e6", "江苏" if k % 2 else "", "",
            "" if k % 2 else "电芯|箔", "template", "", "", "", "",
        ]
        for k in range(48)
    ]  # fmt: skip
    return [*firms, *more], rels


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_mutation_of_many_firms_same_result(tmp_path: Path, name: str, chunk_rows: int) -> None:
    assert_same(mutated(tmp_path, [name], many_firms))


def one_note(firms: Table, rels: Table) -> tuple[Table, Table]:
    """Every edge's note the same: the column is kept as one str and a byte a row once the
    edges are proved (see dataset_fast._compact), and refused rows are read back from it."""
    j = RELS_HEADER.index("note")
    return firms, [rels[0], *([*r[:j], "n", *r[j + 1 :]] for r in rels[1:])]


@pytest.mark.parametrize(
    "name",
    ["as is", "bad relation", "duplicate edge", "unknown to", "end to trim", "bad share"],
)
def test_one_note_same_result(tmp_path: Path, name: str, chunk_rows: int) -> None:
    more = [] if name == "as is" else [name]
    got = assert_same(mutated(tmp_path, more, repeated_edges, one_note))
    assert "'note': 'n'" in got["succ"]


def test_clean_node_table_added_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A node table with no refused row is added in one go (the tests above compare it)."""
    done: list[bool] = []

    def spy(*args: Any) -> bool:
        done.append(at_once(*args))
        return done[-1]

    at_once = dataset_fast._all_nodes_at_once
    monkeypatch.setattr(dataset_fast, "_all_nodes_at_once", spy)
    assert assert_same(mutated(tmp_path / "a", []))["problems"] == []
    assert done == [True]
    assert_same(mutated(tmp_path / "b", ["id of a segment"]))  # (read before the table)
    assert_same(mutated(tmp_path / "c", ["duplicate id"]))
    assert done[1:] == [False, False]


def test_node_places_stay_unmade_and_name_the_first(tmp_path: Path, chunk_rows: int) -> None:
    """A load that finds nothing wrong keeps its node places as the tables' ids and lines
    (node_places: the checker asks its map of kinds, not them, whether an id is known); a
    duplicate still names the first definition's file:line, as the slow path does."""
    for fast in (True, False):
        ds = _load(mutated(tmp_path / f"ok{fast}", []), (), fast=fast)
        places: Any = ds.node_locations
        assert ds.problems == [] and bool(places._runs) == fast  # (slow: items, no runs)
        assert str(places["jia"]) == "firms.csv:2" and str(places["park"]) == "zone.yaml:3"
    got = assert_same(mutated(tmp_path / "dup", ["id defined in yaml too"]))
    assert got["problems"][0] == (
        "zone.yaml:3: duplicate id 'park' (first defined at firms.csv:7). "
        "Rename one of them or merge the two entries"
    )


def test_valid_rows_are_not_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The fast path adds every row of valid files itself: a row it refuses needlessly is
    added the same by the checker (the comparisons above cannot see it), only slower."""
    refused: list[tuple[str, list[int]]] = []

    def spy(table: dataset_fast.CsvTable, checker: Any, rows: Any) -> None:
        refused.append((table.rel, list(rows)))
        one_by_one(table, checker, rows)

    one_by_one = dataset_fast.CsvTable.one_by_one
    monkeypatch.setattr(dataset_fast.CsvTable, "one_by_one", spy)
    for i, more in enumerate([[], [many_firms], [one_note]]):
        got = assert_same(mutated(tmp_path / str(i), [], *more))
        assert got["problems"] == [] and refused == []
    assert_same(mutated(tmp_path / "bad", ["wrong kinds"]))
    assert refused == [("rel.csv", [3])]  # (the spy sees a refused row)


def test_mutations_are_hostile(tmp_path: Path) -> None:
    """Most mutations are problems (the comparison above is not of valid data only)."""
    refused = 0
    for i, name in enumerate(MUTATIONS):
        fast = _load(mutated(tmp_path / str(i), [name]), (), fast=True)
        refused += bool(fast.problems)
    assert refused >= len(MUTATIONS) * 2 // 3


def test_random_mutations_same_result(tmp_path: Path, chunk_rows: int) -> None:
    rng = random.Random(12)
    names = sorted(set(MUTATIONS) - {"only header", "no edges"})  # (the others need rows)
    for i in range(120):
        assert_same(mutated(tmp_path / str(i), rng.sample(names, rng.randint(2, 4))))


def test_uppercase_csv_name(tmp_path: Path) -> None:
    """A '.CSV' file is read as CSV, but its list cells are not split (as before)."""
    folder = write(tmp_path, {"firms.CSV": csv_text([FIRMS_HEADER, *FIRMS])})
    assert_same(folder)


def test_files_in_order(tmp_path: Path, chunk_rows: int) -> None:
    """Nodes of CSV and YAML files interleave in file order, edges after all nodes."""
    rows = [FIRMS_HEADER, *FIRMS]
    folder = write(
        tmp_path,
        {
            "a-firms.csv": csv_text(rows[:3]),
            "b.yaml": "nodes:\n  - {id: mid, kind: Place, name: 中, grade: template}\n",
            "c-firms.csv": csv_text([rows[0], *rows[3:]]),
            "d-rel.csv": csv_text([RELS_HEADER, *RELS[:5]]),
            "e.yaml": "edges:\n  - {from: ji, rel: LOCATED_IN, to: park, grade: template}\n",
            "f-rel.csv": csv_text([RELS_HEADER, *RELS[5:]]),
        },
    )
    got = assert_same(folder)
    assert got["problems"] == []


LAYER_FIRMS = [
    ["id", "kind", "name", "stock_code", "local", "grade"],
    ["cn-000001-sz", "Firm", "上市甲", "000001.SZ", "false", "template"],
    ["cn-000002-sz", "Firm", "上市乙", "000002.SZ", "false", "template"],
    ["cn-000003-sz", "Firm", "上市丙", "000003.SZ", "false", "template"],
]
LAYER_RELS = [
    ["from", "rel", "to", "grade"],
    ["cn-000001-sz", "SUPPLIES", "cn-000002-sz", "template"],
    ["cn-000003-sz", "SUPPLIES", "cn-000001-sz", "template"],
]
ZONE_FIRMS = [
    ["id", "kind", "name", "stock_code", "local", "grade"],
    ["jia", "Firm", "甲电池", "000001.sz", "true", "template"],  # the listed 000001, merged
    ["cn-000002-sz", "Firm", "乙", "", "true", "template"],  # the listed firm by its id
    ["ding", "Firm", "丁", "", "true", "template"],
]
ZONE_RELS = [
    ["from", "rel", "to", "grade"],
    ["cn-000001-sz", "SUPPLIES", "ding", "template"],  # an end naming the merged firm
    ["jia", "SUPPLIES", "cn-000002-sz", "template"],  # the included edge, again
    ["cn-000003-sz", "SUPPLIES", "ding", "template"],  # an included firm by its id
    [" cn-000001-sz", "SUPPLIES", "cn-000003-sz", "template"],  # to trim, merged
    ["ding", "ATTRACTED", "jia", "template"],
]
INCLUDE_MUTATIONS: dict[str, Callable[[Table, Table], tuple[Table, Table]]] = {
    "as is": lambda f, r: (f, r),
    "name of a listed firm": lambda f, r: (
        [*f, ["wu", "Firm", "上市丙", "", "true", "template"]],
        r,
    ),
    "two firms, one code": lambda f, r: (
        [*f, ["wu", "Firm", "戊", "000001.SZ", "true", "template"]],
        r,
    ),
    "id of a listed firm, other kind": lambda f, r: (
        [*f, ["cn-000003-sz", "Place", "丙地", "", "", "template"]],
        r,
    ),
    "unknown end": lambda f, r: (f, [*r, ["ding", "SUPPLIES", "cn-000009-sz", "template"]]),
    "duplicate merged edge": lambda f, r: (f, [*r, ["jia", "SUPPLIES", "ding", "template"]]),
}


@pytest.mark.parametrize("name", sorted(INCLUDE_MUTATIONS))
def test_with_an_included_layer_same_result(tmp_path: Path, name: str, chunk_rows: int) -> None:
    layer = tmp_path / "layer"
    layer.mkdir()
    (layer / "dataset.yaml").write_text("name: layer\ntitle: 上市\n", encoding="utf-8")
    (layer / "firms.csv").write_text(csv_text(LAYER_FIRMS), encoding="utf-8")
    (layer / "rel.csv").write_text(csv_text(LAYER_RELS), encoding="utf-8")
    firms, rels = INCLUDE_MUTATIONS[name](
        [list(r) for r in ZONE_FIRMS], [list(r) for r in ZONE_RELS]
    )
    zone = write(
        tmp_path / "zone",
        {
            "dataset.yaml": "name: zone\ntitle: 园区\ninclude: [../layer]\n",
            "firms.csv": csv_text(firms),
            "rel.csv": csv_text(rels),
        },
    )
    got = assert_same(zone)
    if name == "as is":
        assert got["problems"] == []
        assert "('ding', [('jia'" in got["pred"]  # the merged end, renamed


CHUNK_EDGE_CASES: dict[str, list[Mutation]] = {
    "cells spanning lines": [
        on_firm(1, "note", "一\n二"),
        on_firm(4, "note", "三\r\n四\r五"),
        on_rel(3, "note", "x\ny"),
        on_rel(10, "note", "z\n"),
    ],
    "header spanning lines": [firms_rows(lambda t: add_column(t, "col\nour", "red"))],
    "a late cell spanning lines": [on_rel(9, "note", "a\n\nb")],
    "blank, short and empty rows": [
        firms_rows(lambda t: [*t[:2], [], t[2][:4], ["", ""], *t[3:]]),
        rels_rows(lambda t: [*t[:5], ["  "], t[5][:3], *t[5:], []]),
    ],
    "a late long row": [rels_rows(lambda t: [*t[:8], [*t[8], "x"], *t[8:]])],
    "a late long blank row": [rels_rows(lambda t: [*t, ["", "", "", "", "", "", "", "", "", ""]])],
    "a late bad end": [on_rel(9, "from", "nobody"), on_rel(10, "to", " jia")],
}


@pytest.mark.parametrize("size", [1, 3, 4])
@pytest.mark.parametrize("case", sorted(CHUNK_EDGE_CASES))
def test_chunk_edges_same_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str, size: int
) -> None:
    """Rows on either side of a chunk's edge: lines counted across it, short and long rows."""
    monkeypatch.setattr(dataset_fast, "CHUNK_ROWS", size)
    assert_same(mutated(tmp_path, [], *CHUNK_EDGE_CASES[case]))


def test_chunk_edge_lines_are_counted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The line of a row after cells spanning lines, in another chunk, is the file's."""
    monkeypatch.setattr(dataset_fast, "CHUNK_ROWS", 2)
    folder = mutated(tmp_path, [], on_firm(1, "note", "一\n二\n三"), on_firm(5, "employees", "x"))
    problems = [str(p) for p in assert_same(folder)["problems"]]
    assert any(p.startswith("firms.csv:8:") and "employees" in p for p in problems), problems


@pytest.mark.parametrize("size", [1, 3, dataset_fast.CHUNK_ROWS])
def test_malformed_after_a_chunk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: int
) -> None:
    """A row the csv module refuses after rows already built into columns: the whole file is
    one problem, as when it was read at once."""
    monkeypatch.setattr(dataset_fast, "CHUNK_ROWS", size)
    folder = mutated(tmp_path, [], on_rel(7, "note", "x" * 140_000))
    problems = assert_same(folder)["problems"]
    assert any(p.startswith("rel.csv:8: malformed CSV") for p in problems), problems


@pytest.mark.parametrize("size", [1, dataset_fast.CHUNK_ROWS])
@pytest.mark.parametrize("malformed", [False, True])
def test_not_utf8_late_in_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: int, malformed: bool
) -> None:
    """Bytes that are not UTF-8 after many rows (and after a row the csv module refuses):
    the file is refused as not UTF-8, naming the byte, as when it was read at once."""
    monkeypatch.setattr(dataset_fast, "CHUNK_ROWS", size)
    folder = mutated(tmp_path, [], on_rel(3, "note", "x" * 140_000 if malformed else "ok"))
    with (folder / "rel.csv").open("ab") as fh:
        fh.write("yi,SUPPLIES,jia,template,坏".encode("gb18030") + b"\n")
    problems = assert_same(folder)["problems"]
    assert any(p.startswith("rel.csv: not UTF-8 (it looks like GBK") for p in problems), problems


def test_a_file_made_utf8_while_it_is_read_is_a_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file that was not UTF-8 when streamed but is by the time it is read again (edited
    meanwhile) is one problem asking for another run, not a traceback."""
    folder = mutated(tmp_path, [], on_rel(3, "note", "ok"))
    good = (folder / "rel.csv").read_bytes()
    with (folder / "rel.csv").open("ab") as fh:
        fh.write("yi,SUPPLIES,jia,template,坏".encode("gb18030") + b"\n")
    from chaingraph.dataset_check import read_text as real

    def edited_meanwhile(path: Path, rel: str) -> str:
        if rel == "rel.csv":
            path.write_bytes(good)
        return real(path, rel)

    monkeypatch.setattr(dataset, "read_text", edited_meanwhile)
    problems = [str(p) for p in _load(folder, (), fast=True).problems]
    assert any("not UTF-8 at byte" in p and "Run the command again" in p for p in problems), (
        problems
    )


def test_overridden_csv_text_same_result(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A CSV file's text given instead of the file (how a change is checked) reads the same."""
    monkeypatch.setattr(dataset_fast, "CHUNK_ROWS", 2)
    folder = mutated(tmp_path, ["multi-line cell", "long row", "duplicate edge"])
    text = (folder / "rel.csv").read_text(encoding="utf-8")
    (folder / "rel.csv").unlink()
    overrides = {"rel.csv": text}
    fast = shape(_load(folder, (), overrides, fast=True))
    assert fast == shape(_load(folder, (), overrides, fast=False))
    assert fast["problems"]


def test_edge_ends_are_the_node_ids(tmp_path: Path, chunk_rows: int) -> None:
    """Every edge end read from a CSV file is the node's own id str (one str per node)."""
    ds = _load(mutated(tmp_path, []), (), fast=True)
    G: Any = ds.graph
    own = {n: n for n in G._node}
    read = {(u, v) for (u, v, _), w in (ds.edge_locations or {}).items() if w.file == "rel.csv"}
    assert len(read) > 5
    for u, v in read:
        (to,) = (x for x in G._succ[u] if x == v)
        (back,) = (x for x in G._pred[v] if x == u)
        assert to is own[v] and back is own[u]


def test_id_columns_are_positions_of_one_id_list(tmp_path: Path, chunk_rows: int) -> None:
    """The id columns of the tables read (a node's id, an edge's ends) are kept as positions
    in one list of the ids read, shared by the files; every end of an edge in the graph, also
    one naming a node from YAML (a segment, the park), is the node's own id str."""
    folder = mutated(tmp_path, ["unknown to", "duplicate edge"])
    reader = dataset._Reader(folder, tables=True)
    reader.read()
    tables = {table.rel: table.rows for _, table in reader.tables or []}
    firms, rels = tables["firms.csv"], tables["rel.csv"]
    assert isinstance(firms, dataset_fast._RowsOfColumns)
    assert isinstance(rels, dataset_fast._RowsOfColumns)
    id_columns = [firms.columns[0], rels.columns[0], rels.columns[2]]
    assert all(isinstance(c, Positions) for c in id_columns)
    names = {id(getattr(c, "names", None)) for c in id_columns}
    assert len(names) == 1
    assert "bat-cel" in set(rels.columns[2])  # (kept as read, refused later)

    ds = _load(folder, (), fast=True)
    G: Any = ds.graph
    own = {n: n for n in G._node}
    places = (ds.edge_locations or {}).items()
    ends = [(u, v) for (u, v, _), where in places if where.file == "rel.csv"]
    assert ("jia", "park") in ends and ("jia", "bat-cell") in ends
    for u, v in ends:
        assert next(x for x in G._succ[u] if x == v) is own[v]
        assert next(x for x in G._pred[v] if x == u) is own[u]
    assert [p.where.line for p in ds.problems] == [5, 12]  # (the unknown end, twice)
