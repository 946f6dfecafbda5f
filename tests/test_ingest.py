"""Importing firm lists into a dataset: resolution, segments, places, relations, provenance,
bad rows, --strict, --dry-run and idempotence, on a small dataset built here."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path
from typing import Any

import pytest

from chaingraph.dataset import load_dataset, read_graph
from chaingraph.errors import InvalidGraphData
from chaingraph.ingest import FIRMS_FILE, RELATIONS_FILE, SOURCES_FILE, import_file
from chaingraph.ingest.files import _check_copy
from chaingraph.ingest.plan import ImportResult, source_id_for
from test_ingest_sheets import write_csv, write_xlsx
from test_ingest_values import make_code

CODE_A = make_code("91330683000000001")  # the dataset's anchor firm
CODE_B = make_code("91330683000000002")
CODE_C = make_code("91330683000000003")

DATA_YAML = """\
grade: template
nodes:
  - {id: zone, kind: Zone, name: 嵊州经济开发区(高新园区), aliases: [嵊州经济开发区]}
  - {id: lake-park, kind: Park, name: 艇湖新兴产业园}
  - {id: ne-platform, kind: Platform, name: 新能源装备“万亩千亿”新产业平台}
  - {id: ne, kind: Chain, name: 新能源装备产业链, aliases: [新能源装备]}
  - {id: kitchen, kind: Chain, name: 集成智能厨房产业链, aliases: [智能厨房]}
  - {id: ne-cathode, kind: Segment, name: 正极材料, aliases: [锂电正极材料], tier: upstream,
     chain: ne, feeds: [ne-cell]}
  - {id: ne-cell, kind: Segment, name: 动力电池电芯, aliases: [电芯], tier: midstream, chain: ne}
  - {id: kitchen-hood, kind: Segment, name: 集成灶, tier: downstream, chain: kitchen}
  - {id: anchor, kind: Firm, name: 甲动力电池有限公司, aliases: [甲动力], local: true,
     credit_code: CODE_A}
  - {id: twin-1, kind: Firm, name: 乙电器(嵊州)有限公司, local: true}
  - {id: twin-2, kind: Firm, name: 乙电器股份有限公司, local: false, region: 宁波}
edges:
  - {from: anchor, rel: IN_SEGMENT, to: ne-cell}
"""

HEADER = [
    "企业名称",
    "统一社会信用代码",
    "所属产业链",
    "所属环节",
    "所在园区/所在地区",
    "是否规上",
    "产值(万元)",
    "主要产品",
    "主要客户",
    "主要供应商",
    "来源",
]


def make_dataset(folder: Path) -> Path:
    """A small valid dataset: a zone, a park, a platform, two chains, three firms."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "dataset.yaml").write_text("name: tiny\ntitle: 测试\n", encoding="utf-8")
    (folder / "data.yaml").write_text(DATA_YAML.replace("CODE_A", CODE_A), encoding="utf-8")
    assert load_dataset(folder).problems == []
    return folder


def row(**cells: str) -> list[str]:
    """A row under HEADER from keyword cells: name=, code=, chain=, segment=, place=, ..."""
    keys = [
        "name",
        "code",
        "chain",
        "segment",
        "place",
        "size",
        "output",
        "products",
        "customers",
        "suppliers",
        "source",
    ]
    unknown = set(cells) - set(keys)
    assert not unknown, unknown
    return [cells.get(k, "") for k in keys]


@pytest.fixture
def ds(tmp_path: Path) -> Path:
    return make_dataset(tmp_path / "ds")


def sheet(tmp_path: Path, rows: list[list[str]], name: str = "名单.xlsx") -> Path:
    path = tmp_path / name
    if path.suffix == ".xlsx":
        return write_xlsx(path, {"Sheet1": [HEADER, *rows]})
    return write_csv(path, [HEADER, *rows], "utf-8")


def csv_rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def issues(result: ImportResult, status: str = "bad") -> list[tuple[int, str]]:
    return [(i.row, i.reason) for i in result.issues if i.status == status]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


# --- new firms, ids, fields ---------------------------------------------------------------


def test_new_firms_get_stable_ids_fields_and_citations(tmp_path: Path, ds: Path) -> None:
    path = sheet(
        tmp_path,
        [
            row(
                name="丙新材料有限公司",
                code=CODE_B,
                chain="新能源装备",
                segment="正极材料",
                place="艇湖新兴产业园",
                size="是",
                output="3,000",
                products="三元正极、磷酸铁锂",
                source="2024年走访",
            ),
            row(name="丁科技有限公司", place="江苏省常州市", size="否", output="1.2亿"),
        ],
    )
    result = import_file(path, ds)
    assert result.written and result.bad_rows == []
    G = read_graph(ds)
    firm = G.nodes[f"firm-{CODE_B.lower()}"]
    assert firm["name"] == "丙新材料有限公司"
    assert firm["local"] is True and firm["above_size"] is True
    assert firm["output_cny"] == 30_000_000
    assert firm["products"] == ["三元正极", "磷酸铁锂"]
    assert firm["credit_code"] == CODE_B
    (citation,) = firm["sources"]
    assert citation["source"] == source_id_for(path)
    assert citation["locator"] == "Sheet1 第2行"  # the place is the locator, not in the quote
    assert citation["quote"].startswith("企业名称: 丙新材料有限公司; ")
    assert "产值(万元): 3,000" in citation["quote"]  # the amount as written is kept
    assert "来源: 2024年走访" in citation["quote"]
    assert "第2行" not in citation["quote"]
    assert firm["output_text"] == "3,000万元"  # the cell with the header's unit
    other = [n for n, a in G.nodes(data=True) if a.get("name") == "丁科技有限公司"]
    assert len(other) == 1 and other[0].startswith("firm-") and len(other[0]) == 13
    assert G.nodes[other[0]]["local"] is False
    assert G.nodes[other[0]]["region"] == "江苏省常州市"
    assert G.nodes[other[0]]["output_cny"] == 120_000_000
    assert G.nodes[other[0]]["output_text"] == "1.2亿"  # the cell's own unit, as written
    assert G.nodes[other[0]]["sources"][0]["locator"] == "Sheet1 第3行"


def test_the_source_node_names_the_file_and_sheet(tmp_path: Path, ds: Path) -> None:
    path = sheet(tmp_path, [row(name="丙", place="上海")])
    import_file(path, ds)
    G = read_graph(ds)
    src = G.nodes[source_id_for(path)]
    assert src["kind"] == "Source" and src["title"] == "名单.xlsx"
    assert "Sheet1" in src["description"]


# --- resolution ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cells", "how"),
    [
        ({"name": "完全不同的名字", "code": CODE_A}, "credit code"),
        ({"name": "甲动力"}, "exact alias"),
        ({"name": "甲动力电池(嵊州)股份有限公司"}, "normalised name"),
    ],
)
def test_rows_match_existing_firms(
    tmp_path: Path, ds: Path, cells: dict[str, str], how: str
) -> None:
    path = sheet(tmp_path, [row(**cells, segment="正极材料", place="嵊州经济开发区")])
    result = import_file(path, ds)
    assert result.bad_rows == [], how
    G = read_graph(ds)
    assert G.has_edge("anchor", "ne-cathode", key="IN_SEGMENT"), how
    assert G.has_edge("anchor", "zone", key="LOCATED_IN"), how
    assert not (ds / FIRMS_FILE).exists()  # the hand-edited firm is not copied


def test_ambiguous_names_are_reported_with_candidates_not_guessed(tmp_path: Path, ds: Path) -> None:
    path = sheet(tmp_path, [row(name="乙电器有限公司", place="上海")])
    result = import_file(path, ds)
    (issue,) = [i for i in result.issues if i.status == "bad"]
    assert issue.row == 2 and "ambiguous" in issue.reason
    assert issue.candidates == ["twin-1 (乙电器(嵊州)有限公司)", "twin-2 (乙电器股份有限公司)"]
    assert not result.written


def test_a_name_match_with_another_credit_code_is_not_merged(tmp_path: Path, ds: Path) -> None:
    path = sheet(tmp_path, [row(name="甲动力电池有限公司", code=CODE_B, place="上海")])
    result = import_file(path, ds)
    assert issues(result) == [
        (
            2,
            f"name matches firm anchor (甲动力电池有限公司) whose credit code is {CODE_A}: "
            "not merged",
        )
    ]


def test_a_normalised_match_with_another_credit_code_is_another_firm(
    tmp_path: Path, ds: Path
) -> None:
    path = sheet(tmp_path, [row(name="甲动力电池(浙江)有限公司", code=CODE_B, place="上海")])
    result = import_file(path, ds)
    assert result.bad_rows == []
    assert [(c.action, c.id) for c in result.changes if c.kind == "Firm"] == [
        ("added", f"firm-{CODE_B.lower()}")
    ]


def test_a_code_narrows_an_ambiguous_name(tmp_path: Path, ds: Path) -> None:
    rows = [row(name="乙电器(上海)有限公司", code=CODE_B, place="上海")]
    import_file(sheet(tmp_path, rows, "a.csv"), ds)  # now three firms normalise to 乙电器
    result = import_file(
        sheet(tmp_path, [row(name="乙电器有限公司", code=CODE_C, place="上海")], "b.csv"), ds
    )
    (issue,) = result.issues
    assert issue.candidates == ["twin-1 (乙电器(嵊州)有限公司)", "twin-2 (乙电器股份有限公司)"]


def test_values_for_hand_edited_firms_are_reported_not_applied(tmp_path: Path, ds: Path) -> None:
    path = sheet(
        tmp_path, [row(name="甲动力电池股份有限公司", output="5000", place="嵊州经济开发区")]
    )
    before = (ds / "data.yaml").read_bytes()
    result = import_file(path, ds)
    skipped = {i.column: i.reason for i in result.issues if i.status == "not-applied"}
    assert "output_cny" in skipped and "data.yaml" in skipped["output_cny"]
    assert "aliases" in skipped
    assert (ds / "data.yaml").read_bytes() == before


# --- segments and places ----------------------------------------------------------------------


def test_unknown_segment_is_a_bad_row_with_the_closest_segments(tmp_path: Path, ds: Path) -> None:
    path = sheet(tmp_path, [row(name="丙", chain="新能源装备", segment="正极材", place="上海")])
    result = import_file(path, ds)
    (issue,) = result.issues
    assert (issue.row, issue.status, issue.value) == (2, "bad", "正极材")
    assert "unknown segment '正极材' in chain '新能源装备产业链'" in issue.reason
    assert issue.candidates[0] == "正极材料"


def test_a_segment_nothing_like_the_chains_lists_the_chains_segments(
    tmp_path: Path, ds: Path
) -> None:
    path = sheet(tmp_path, [row(name="丙", chain="新能源装备", segment="XYZ", place="上海")])
    (issue,) = import_file(path, ds).issues
    assert issue.candidates == ["动力电池电芯", "正极材料"]


def test_the_chain_restricts_the_segment(tmp_path: Path, ds: Path) -> None:
    path = sheet(tmp_path, [row(name="丙", chain="智能厨房", segment="电芯", place="上海")])
    result = import_file(path, ds)
    assert issues(result) == [(2, "unknown segment '电芯' in chain '集成智能厨房产业链'")]


def test_unknown_chain_is_a_bad_row(tmp_path: Path, ds: Path) -> None:
    result = import_file(sheet(tmp_path, [row(name="丙", chain="航天", place="上海")]), ds)
    assert issues(result) == [(2, "unknown chain '航天'")]


def test_segments_by_alias_and_several_in_one_cell(tmp_path: Path, ds: Path) -> None:
    path = sheet(tmp_path, [row(name="丙", segment="锂电正极材料、电芯", place="上海")])
    import_file(path, ds)
    G = read_graph(ds)
    (firm,) = [n for n, a in G.nodes(data=True) if a.get("name") == "丙"]
    assert {v for _, v, k in G.out_edges(firm, keys=True) if k == "IN_SEGMENT"} == {
        "ne-cathode",
        "ne-cell",
    }


@pytest.mark.parametrize(
    ("place", "local", "located_in", "region"),
    [
        ("艇湖新兴产业园", True, "lake-park", None),
        ("新能源装备万亩千亿新产业平台", True, "ne-platform", None),  # punctuation ignored
        ("嵊州经济开发区", True, "zone", None),  # an alias of the zone
        ("嵊州经济开发区艇湖新兴产业园", True, "lake-park", None),  # the most specific place
        ("高新园区", True, "zone", None),
        ("浙江省宁波市", False, None, "浙江省宁波市"),
        ("嵊州市", False, None, "嵊州市"),  # the city is not the zone
    ],
)
def test_local_or_external_follows_the_place_column(
    tmp_path: Path,
    ds: Path,
    place: str,
    local: bool,
    located_in: str | None,
    region: str | None,
) -> None:
    import_file(sheet(tmp_path, [row(name="丙", place=place)]), ds)
    G = read_graph(ds)
    (firm,) = [n for n, a in G.nodes(data=True) if a.get("name") == "丙"]
    assert G.nodes[firm]["local"] is local
    assert G.nodes[firm].get("region") == region
    places = [v for _, v, k in G.out_edges(firm, keys=True) if k == "LOCATED_IN"]
    assert places == ([located_in] if located_in else [])


def test_a_new_firm_without_place_is_a_bad_row(tmp_path: Path, ds: Path) -> None:
    result = import_file(sheet(tmp_path, [row(name="丙")]), ds)
    assert issues(result) == [
        (2, "no park or region: cannot tell a local firm from an external one")
    ]


# --- relations --------------------------------------------------------------------------------


def test_customers_and_suppliers_become_supplies_edges(tmp_path: Path, ds: Path) -> None:
    path = sheet(
        tmp_path,
        [
            row(name="丙材料有限公司", place="上海", customers="甲动力、丁电池；不存在的公司"),
            row(name="丁电池有限公司", place="嵊州经济开发区", suppliers="戊矿业,乙电器"),
            row(name="戊矿业", place="江西"),
        ],
    )
    result = import_file(path, ds)
    G = read_graph(ds)
    ids = {a["name"]: n for n, a in G.nodes(data=True) if a.get("kind") == "Firm"}
    c, d, e = ids["丙材料有限公司"], ids["丁电池有限公司"], ids["戊矿业"]
    supplies = {(u, v) for u, v, k in G.edges(keys=True) if k == "SUPPLIES"}
    assert supplies == {(c, "anchor"), (c, d), (e, d)}  # supplier -> customer
    edge = G.edges[c, d, "SUPPLIES"]
    assert edge["sources"][0]["quote"] == "主要客户: 甲动力、丁电池；不存在的公司"
    assert edge["sources"][0]["locator"] == "Sheet1 第2行"
    assert G.edges[e, d, "SUPPLIES"]["sources"][0]["locator"] == "Sheet1 第3行"
    assert [(i.row, i.status, i.value) for i in result.issues] == [
        (2, "unresolved", "不存在的公司"),
        (3, "ambiguous", "乙电器"),
    ]


def test_a_name_whose_row_was_refused_says_so(tmp_path: Path, ds: Path) -> None:
    path = sheet(
        tmp_path,
        [
            row(name="丙", place="上海", customers="丁公司"),
            row(name="丁公司", place="上海", output="约1亿"),
        ],
    )
    result = import_file(path, ds)
    assert [(i.row, i.status, i.reason) for i in result.issues if i.status != "bad"] == [
        (2, "unresolved", "no firm named '丁公司' (row 3 names it but was refused)")
    ]


def test_a_name_resolving_to_the_row_itself_is_listed(tmp_path: Path, ds: Path) -> None:
    result = import_file(sheet(tmp_path, [row(name="丙", place="上海", customers="丙")]), ds)
    assert [(i.status, i.reason) for i in result.issues] == [
        ("unresolved", "names the row's own firm")
    ]


# --- bad rows, strict -------------------------------------------------------------------------


BAD_ROWS = [
    (row(code=CODE_B, place="上海"), "missing firm name"),
    (row(name="丙", place="上海", segment="航空发动机"), "unknown segment '航空发动机'"),
    (row(name="丁", code=CODE_C, place="上海"), None),
    (row(name="戊", code=CODE_C, place="上海"), f"duplicate credit code {CODE_C}"),
    (row(name="己", place="上海", output="1,2亿"), "not a thousands separator"),
    (row(name="庚", place="上海", output="约3000万"), "approximate amount '约3000万'"),
    (row(name="辛", place="上海", code="12345"), "has 5 characters, not 18"),
    (row(name="壬", place="上海", size="也许"), "unreadable yes/no '也许'"),
    (row(name="嵊州经济开发区", place="上海"), "already used by zone (Zone)"),
]


def test_bad_rows_are_listed_and_good_rows_still_import(tmp_path: Path, ds: Path) -> None:
    path = sheet(tmp_path, [r for r, _ in BAD_ROWS] + [row(name="癸", place="上海")])
    result = import_file(path, ds)
    found = issues(result)
    for number, (_, reason) in enumerate(BAD_ROWS, start=2):
        if reason is None:
            assert all(n != number for n, _ in found)
            continue
        assert any(n == number and reason in text for n, text in found), (number, found)
    assert result.bad_rows == [2, 3, 5, 6, 7, 8, 9, 10]
    names = {r["name"] for r in csv_rows(ds / FIRMS_FILE)}
    assert names == {"丁", "癸"}


def test_totals_rows_and_rows_of_ignored_cells_are_skipped(tmp_path: Path, ds: Path) -> None:
    path = write_xlsx(
        tmp_path / "t.xlsx",
        {
            "S": [
                ["序号", *HEADER],
                ["1", *row(name="丙", place="上海")],
                ["2"],
                ["", *row(name="合 计", output="3000")],
            ]
        },
    )
    result = import_file(path, ds, strict=True)
    assert result.written and result.bad_rows == []
    assert [(i.row, i.status) for i in result.issues] == [(4, "skipped")]
    assert [r["name"] for r in csv_rows(ds / FIRMS_FILE)] == ["丙"]


def test_strict_imports_nothing_if_any_row_is_bad(tmp_path: Path, ds: Path) -> None:
    path = sheet(
        tmp_path, [row(name="丙", place="上海"), row(name="丁", place="上海", output="约5万")]
    )
    before = snapshot(ds)
    with pytest.raises(
        InvalidGraphData, match=r"1 bad row in .*--strict: nothing imported"
    ) as info:
        import_file(path, ds, strict=True)
    assert "名单.xlsx[Sheet1]:3: 产值(万元) '约5万'" in str(info.value)
    assert info.value.problems[0].where.line == 3
    assert snapshot(ds) == before


def test_a_numeric_credit_code_cell_is_refused(tmp_path: Path, ds: Path) -> None:
    path = write_xlsx(
        tmp_path / "n.xlsx", {"S": [HEADER, ["丙", 913306830000000010, "", "", "上海"]]}
    )
    result = import_file(path, ds)
    assert issues(result) == [
        (2, "credit code stored as a number (digits may be lost): format the column as text")
    ]


# --- files: encodings, mapping, provenance ------------------------------------------------------


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig", "utf-8"])
def test_csv_in_each_encoding_imports_the_same(tmp_path: Path, encoding: str) -> None:
    target = make_dataset(tmp_path / encoding)
    path = write_csv(
        tmp_path / f"list-{encoding}.csv",
        [HEADER, row(name="丙电器有限公司", place="嵊州经济开发区", output="1,500")],
        encoding,
    )
    result = import_file(path, target)
    assert result.written
    (firm,) = csv_rows(target / FIRMS_FILE)
    assert firm["name"] == "丙电器有限公司" and firm["output_cny"] == "15000000"
    assert firm["quote"].startswith("企业名称: 丙电器有限公司")
    assert firm["locator"] == "第2行"  # a CSV has no sheet
    assert firm["output_text"] == "1,500万元"


def test_english_headers_and_a_mapping_file(tmp_path: Path, ds: Path) -> None:
    path = write_csv(
        tmp_path / "firms.csv",
        [
            ["Company Name", "Region", "Revenue (亿元)", "Segment"],
            ["Acme Ltd", "Shanghai", "2", "电芯"],
        ],
        "utf-8",
    )
    mapping = tmp_path / "map.yaml"
    mapping.write_text("columns:\n  Company Name: name\n  Revenue: output\n", encoding="utf-8")
    import_file(path, ds, mapping=mapping)
    G = read_graph(ds)
    (firm,) = [n for n, a in G.nodes(data=True) if a.get("name") == "Acme Ltd"]
    assert G.nodes[firm]["output_cny"] == 200_000_000
    assert G.nodes[firm]["output_text"] == "2亿元"  # unit from the header "Revenue (亿元)"
    assert G.nodes[firm]["region"] == "Shanghai"
    assert G.has_edge(firm, "ne-cell", key="IN_SEGMENT")
    assert source_id_for(path) == "import-firms"


def test_a_named_sheet(tmp_path: Path, ds: Path) -> None:
    path = write_xlsx(
        tmp_path / "book.xlsx",
        {
            "封面": [["说明"]],
            "2024名单": [["2024年企业名单"], HEADER, row(name="丙", place="上海")],
        },
    )
    result = import_file(path, ds, sheet="2024名单")
    assert result.header_row == 2 and result.written
    (firm,) = csv_rows(ds / FIRMS_FILE)
    assert firm["locator"] == "2024名单 第3行"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "is not a readable xlsx"),
        (None, "is empty"),
        ([HEADER], "has a header row but no data rows"),
    ],
)
def test_files_that_cannot_be_imported(
    tmp_path: Path, ds: Path, content: Any, message: str
) -> None:
    path = tmp_path / "x.xlsx"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        write_xlsx(path, {"S": content or []})
    before = snapshot(ds)
    with pytest.raises(InvalidGraphData, match=message) as info:
        import_file(path, ds)
    assert "x.xlsx" in str(info.value)
    assert snapshot(ds) == before


# --- dry run, idempotence, validation ---------------------------------------------------------


def test_dry_run_lists_changes_and_writes_nothing(tmp_path: Path, ds: Path) -> None:
    path = sheet(tmp_path, [row(name="丙", place="上海", customers="甲动力")])
    before = snapshot(ds)
    result = import_file(path, ds, dry_run=True)
    assert not result.written
    assert snapshot(ds) == before
    assert sorted((c.action, c.kind) for c in result.changes) == [
        ("added", "Firm"),
        ("added", "SUPPLIES"),
        ("added", "Source"),
    ]
    assert set(result.files) == {FIRMS_FILE, RELATIONS_FILE, SOURCES_FILE}


def test_importing_the_same_file_again_changes_nothing(tmp_path: Path, ds: Path) -> None:
    path = sheet(
        tmp_path,
        [
            row(
                name="丙电器(嵊州)有限公司",
                code=CODE_B,
                segment="电芯",
                place="嵊州经济开发区",
                output="3000",
                customers="甲动力",
            ),
            row(name="丁", place="上海", suppliers="丙电器"),
        ],
    )
    first = import_file(path, ds)
    assert first.written
    after_first = snapshot(ds)
    second = import_file(path, ds)
    assert not second.written and second.files == {}
    assert second.summary() == "nothing to change"
    assert {c.action for c in second.changes} == {"unchanged"}
    assert snapshot(ds) == after_first
    cited = sorted((r["rel"], r["to"], r["locator"]) for r in csv_rows(ds / RELATIONS_FILE))
    assert [(rel, loc) for rel, _, loc in cited] == [
        ("IN_SEGMENT", "Sheet1 第2行"),
        ("LOCATED_IN", "Sheet1 第2行"),
        ("SUPPLIES", "Sheet1 第2行"),  # to anchor, 主要客户 of row 2
        ("SUPPLIES", "Sheet1 第3行"),  # 主要供应商 of row 3
    ]


def test_a_newer_version_of_the_file_updates_its_firms(tmp_path: Path, ds: Path) -> None:
    rows = [row(name="丙电器有限公司", code=CODE_B, segment="电芯", place="上海", output="3000")]
    import_file(sheet(tmp_path, rows), ds)
    rows = [
        row(
            name="丙电器股份有限公司",
            code=CODE_B,
            segment="正极材料",
            place="艇湖新兴产业园",
            output="4000",
        )
    ]
    result = import_file(sheet(tmp_path, rows), ds)
    actions = sorted((c.action, c.kind) for c in result.changes if c.action != "unchanged")
    assert actions == [
        ("added", "IN_SEGMENT"),
        ("added", "LOCATED_IN"),
        ("changed", "Firm"),
        ("removed", "IN_SEGMENT"),  # its own earlier edge to 电芯, replaced by the new cell
    ]
    G = read_graph(ds)
    firm = G.nodes[f"firm-{CODE_B.lower()}"]
    assert firm["output_cny"] == 40_000_000 and firm["local"] is True and "region" not in firm
    assert firm["aliases"] == ["丙电器股份有限公司"]
    segs = {v for _, v, k in G.out_edges(f"firm-{CODE_B.lower()}", keys=True) if k == "IN_SEGMENT"}
    assert segs == {"ne-cathode"}


def test_output_text_keeps_the_amount_as_written(tmp_path: Path, ds: Path) -> None:
    numeric = write_xlsx(
        tmp_path / "num.xlsx", {"S": [HEADER, ["丙电器有限公司", CODE_B, "", "", "上海", "", 3000]]}
    )
    import_file(numeric, ds)
    firm_id = f"firm-{CODE_B.lower()}"
    firm = read_graph(ds).nodes[firm_id]
    assert (firm["output_cny"], firm["output_text"]) == (30_000_000, "3000万元")
    # the same amount written another way: output_cny stays, the text as written follows
    changed = write_xlsx(
        tmp_path / "num.xlsx",
        {"S": [HEADER, ["丙电器有限公司", CODE_B, "", "", "上海", "", "3,000"]]},
    )
    result = import_file(changed, ds)
    (change,) = [c for c in result.changes if c.kind == "Firm"]
    assert (change.action, change.detail) == ("changed", "output_text: 3000万元 → 3,000万元")
    assert read_graph(ds).nodes[firm_id]["output_text"] == "3,000万元"
    # a unit from the mapping file, not the header
    path = write_csv(
        tmp_path / "m.csv", [["企业名称", "所在地区", "年度营收"], ["丁", "上海", "800"]], "utf-8"
    )
    mapping = tmp_path / "map.yaml"
    mapping.write_text("columns:\n  年度营收: output\nunits:\n  output: 万元\n", encoding="utf-8")
    import_file(path, ds, mapping=mapping)
    rows = {r["name"]: r for r in csv_rows(ds / FIRMS_FILE)}
    assert (rows["丁"]["output_cny"], rows["丁"]["output_text"]) == ("8000000", "800万元")


def test_a_row_that_moved_is_cited_at_its_new_place(tmp_path: Path, ds: Path) -> None:
    first = [row(name="丙", place="上海", customers="丁"), row(name="丁", place="江苏")]
    import_file(sheet(tmp_path, first), ds)
    result = import_file(sheet(tmp_path, first[::-1]), ds)
    moved = sorted((c.kind, c.detail) for c in result.changes if c.action != "unchanged")
    assert moved == [
        ("Firm", "locator: Sheet1 第2行 → Sheet1 第3行"),
        ("Firm", "locator: Sheet1 第3行 → Sheet1 第2行"),
        ("SUPPLIES", "locator: Sheet1 第2行 → Sheet1 第3行"),
    ]
    locators = {r["name"]: r["locator"] for r in csv_rows(ds / FIRMS_FILE)}
    assert locators == {"丙": "Sheet1 第3行", "丁": "Sheet1 第2行"}
    (edge,) = csv_rows(ds / RELATIONS_FILE)
    assert edge["locator"] == "Sheet1 第3行" and edge["quote"] == "主要客户: 丁"
    assert not import_file(sheet(tmp_path, first[::-1]), ds).written


def _old_format(path: Path) -> None:
    """Rewrite an imported CSV as the importer wrote it before the locator column."""
    rows = csv_rows(path)
    columns = [c for c in rows[0] if c != "locator"]
    for r in rows:
        r["quote"] = f"[{r.pop('locator')}] {r['quote']}"
    buf = io.StringIO(newline="")
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def test_citations_written_before_the_locator_column_are_split(tmp_path: Path, ds: Path) -> None:
    path = sheet(
        tmp_path, [row(name="丙", segment="电芯", place="嵊州经济开发区", customers="甲动力")]
    )
    import_file(path, ds)
    current = snapshot(ds)
    for name in (FIRMS_FILE, RELATIONS_FILE):
        _old_format(ds / name)
    assert csv_rows(ds / FIRMS_FILE)[0]["quote"].startswith("[Sheet1 第2行] 企业名称: 丙")
    result = import_file(path, ds)
    assert result.summary() == "nothing to change"  # the same citations, written the new way
    assert snapshot(ds) == current
    for record in [*csv_rows(ds / FIRMS_FILE), *csv_rows(ds / RELATIONS_FILE)]:
        assert record["locator"] == "Sheet1 第2行" and not record["quote"].startswith("[")
    assert not import_file(path, ds).written


def test_an_import_that_would_break_the_dataset_writes_nothing(tmp_path: Path, ds: Path) -> None:
    before = snapshot(ds)
    broken = {FIRMS_FILE: "id,kind,name,local\nfirm-x,Firm,甲动力,maybe\n"}
    with pytest.raises(InvalidGraphData, match="would make .* invalid; nothing was written"):
        _check_copy(ds, broken, [])
    assert snapshot(ds) == before


def test_shipped_dataset_import(tmp_path: Path) -> None:
    from conftest import SHENGZHOU

    target = tmp_path / "shengzhou"
    shutil.copytree(SHENGZHOU, target)
    shutil.copytree(SHENGZHOU.parent / "reference", tmp_path / "reference")  # its include
    path = sheet(
        tmp_path,
        [
            row(
                name="测试正极材料有限公司",
                chain="新能源装备",
                segment="正极材料",
                place="新能源装备“万亩千亿”产业平台",
                customers="比亚迪",
            ),
        ],
    )
    result = import_file(path, target)
    assert result.written and result.bad_rows == []
    G = read_graph(target)
    (firm,) = [n for n, a in G.nodes(data=True) if a.get("name") == "测试正极材料有限公司"]
    assert G.has_edge(firm, "byd", key="SUPPLIES")
    assert G.nodes[firm]["local"] is True


def test_a_row_naming_a_listed_firm_says_where_it_is_defined(tmp_path: Path) -> None:
    """A firm of the included listed-firm layer is defined in that layer's file, not in the
    dataset's own files: the row's change and its not-applied values say the same place."""
    from conftest import SHENGZHOU

    target = tmp_path / "shengzhou"
    shutil.copytree(SHENGZHOU, target)
    shutil.copytree(SHENGZHOU.parent / "reference", tmp_path / "reference")  # its include
    listed = "../reference/cn-listed/firms.csv"
    path = tmp_path / "list.csv"
    path.write_text("企业名称,所在地区\n万科A,深圳\n比亚迪,深圳\n", encoding="utf-8")
    result = import_file(path, target, dry_run=True)
    details = {
        c.row: c.detail for c in result.changes if c.action == "unchanged" and c.kind == "Firm"
    }
    assert details == {2: f"defined in {listed}", 3: "defined in firms.yaml"}
    where = {i.row: i.reason for i in result.issues if i.status == "not-applied"}
    assert f"defined in {listed}" in where[2] and "defined in firms.yaml" in where[3]
