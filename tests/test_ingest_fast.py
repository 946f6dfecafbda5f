"""The planner's fast path (:mod:`chaingraph.ingest.plan_fast`) plans exactly as the row planner.

Each firm list here is planned twice into the same dataset, column by column with the row
planner for the rows it cannot prove simple, and by the row planner alone; the changes,
issues (every message, candidate and row number), result rows and the files it would write
must be equal. The lists are hostile: duplicated and normalised names, blank cells, unknown
segments, chains and divisions, firms of the dataset and of earlier imports, names that clash
with other nodes, totals rows, formula-like and multi-line cells, carriage returns, odd
amounts — and seeded random lists drawn from a pool of such cells.
"""

from __future__ import annotations

import csv
import io
import random
from pathlib import Path
from typing import Any

import pytest

from chaingraph.cells import FORMULA_START, neutralise
from chaingraph.dataset import load_dataset
from chaingraph.ingest import import_file, plan_render
from chaingraph.ingest.mapping import load_mapping, map_columns
from chaingraph.ingest.names import new_firm_id
from chaingraph.ingest.plan import Planner
from chaingraph.ingest.plan_render import Imported
from chaingraph.ingest.sheets import read_table
from test_import_golden import first_version, second_version
from test_ingest import CODE_A, CODE_B, make_dataset, row, sheet


def plan(
    folder: Path, path: Path, fast: bool = True, memo: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Everything one planning of ``path`` into ``folder`` gives (``memo``: the import memo
    the planner reads instead of indexing the dataset)."""
    loaded = load_dataset(folder)
    mapping = load_mapping(None)
    table = read_table(path, None, None)
    columns = map_columns(table.rows, mapping, "list")
    planner = Planner(
        loaded.graph,
        Imported.read(folder),
        table,
        columns,
        mapping,
        loaded.node_locations,
        fast=fast,
        memo=memo,
    )
    result = planner.run()
    files, rows = planner.render()
    return {
        "changes": result.changes,
        "issues": result.issues,
        "rows": result.rows(include_unchanged=True),
        "summary": result.summary(),
        "files": files,
        "csv rows": rows,
    }


def same_both_ways(folder: Path, path: Path) -> dict[str, Any]:
    slow, fast = plan(folder, path, False), plan(folder, path, True)
    for key in slow:
        assert fast[key] == slow[key], key
    return fast


SIMPLE = [
    row(name=f"简单企业{i:03d}有限公司", segment="电芯", place="上海", output=str(100 + i))
    for i in range(6)
]

HOSTILE = [
    row(name="丙电器有限公司", segment="集成灶", place="艇湖新兴产业园", output="3,000"),
    row(name="丙电器", place="上海"),  # the same firm by its normalised name
    row(name="丙电器股份有限公司", place="北京"),
    row(name="甲动力电池有限公司", place="上海", output="12"),  # the dataset's firm
    row(name="甲动力", place="宁波"),  # by its alias
    row(name="乙电器有限公司", place="杭州"),  # ambiguous: two firms of the dataset
    row(name="乙电器(上海)有限公司", place="上海"),
    row(name="浙江丁材料有限公司", place="杭州", segment="正极材料"),
    row(name="丁材料", place="嵊州"),  # places agree: the same firm
    row(name="上海丁材料", place="上海"),  # another place: refused as ambiguous or new
    row(name="正极材料", place="上海"),  # a segment's name
    row(name="艇湖新兴产业园", place="上海"),  # a park's name
    row(name="合计", output="1"),
    row(name="总 计", place="上海"),
    row(name="TOTAL", place="上海"),
    row(name="=HYPERLINK(1)", place="宁波", products="-电芯|+正极"),
    row(name="@SUM", place="宁波", output="+5"),
    row(name="子\n电池", place="深圳", customers="乙电器"),
    row(name="丑\r电池", place="深圳"),
    row(name="寅电池", place="上\r\n海", products="甲\n乙"),
    row(name="卯电池", segment="不存在的环节", place="上海"),
    row(name="辰电池", chain="不存在的链", segment="电芯", place="上海"),
    row(name="巳电池", chain="新能源装备", segment="电芯、正极材料、电芯", place="合肥"),
    row(name="午电池", segment="集成灶,电芯", place="杭州高新园区"),
    row(name="未电池", place="嵊州经济开发区"),
    row(name="申电池", place="新能源装备万亩千亿新产业平台"),
    row(name="酉电池"),  # no place
    row(name="戌电池", place="上海", output="约数千"),
    row(name="亥电池", place="上海", output="1,2亿"),
    row(name="甲一电池", place="上海", output="99999999999999"),
    row(name="甲二电池", place="上海", output="１２"),
    row(name="甲三电池", place="上海", output="5万元"),
    row(name="甲四电池", place="上海", output="0012"),
    row(name="甲五电池", place="上海", size="是", products="电芯、正极"),
    row(name="甲六电池", place="上海", size="也许"),
    row(name="甲七电池", code=CODE_B, place="上海"),
    row(name="甲八电池", code="123", place="上海"),
    row(name="甲九电池", place="上海", customers="无名公司;丙电器;甲九电池"),
    row(name="乙一电池", place="上海", suppliers="戌电池"),  # a refused row's name
    row(name="乙一电池", place="北京"),  # a duplicate
    row(name="乙一电池有限公司", place="北京"),  # a duplicate by normalised name
    row(name="乙二电池", place="上海", source="走访"),
    row(name="Ｂ３电池", place="上海"),
    row(name="b3电池", place="上海"),
    row(name="乙三电池（嵊州）有限公司", place="嵊州"),
    row(name="乙三电池", place="上海"),
    row(name="中国乙四电池", place="上海"),
    row(),
    row(name=" 乙五 电池 ", place=" 上海 ", output="5"),
    row(name="乙六电池", place="湖北省", segment="电芯"),
    row(name="乙七电池", place="某某县"),
    *SIMPLE,
    row(name="简单企业000", place="上海"),  # an earlier row by its normalised name
]


def test_a_hostile_list_plans_the_same_both_ways(tmp_path: Path) -> None:
    folder = make_dataset(tmp_path / "ds")
    for suffix in (".csv", ".xlsx"):
        found = same_both_ways(folder, sheet(tmp_path, HOSTILE, f"hostile{suffix}"))
        added = [c.id for c in found["changes"] if c.action == "added" and c.kind == "Firm"]
        assert len(added) > 20  # (the fast path had work to do)


def test_the_golden_lists_plan_the_same_both_ways_also_as_a_reimport(tmp_path: Path) -> None:
    folder = make_dataset(tmp_path / "ds")
    first = sheet(tmp_path, first_version(), "名单.csv")
    same_both_ways(folder, first)
    import_file(first, folder)
    second = sheet(tmp_path, [*second_version(), *SIMPLE], "名单.csv")
    same_both_ways(folder, second)  # the imported files hold its firms and edges
    same_both_ways(folder, sheet(tmp_path, HOSTILE, "other.csv"))  # another file's list


def test_a_firm_list_naming_an_imported_firm_anew(tmp_path: Path) -> None:
    folder = make_dataset(tmp_path / "ds")
    import_file(sheet(tmp_path, SIMPLE, "a.csv"), folder)
    again = [row(name=f"简单企业{i:03d}", place="北京", segment="正极材料") for i in range(3)]
    found = same_both_ways(folder, sheet(tmp_path, [*again, *HOSTILE[:5]], "b.csv"))
    assert not any(c.action == "added" and c.kind == "Firm" for c in found["changes"][:3])


#: cells of each column the random lists draw from
POOL: dict[str, list[str]] = {
    "name": [
        "",
        "合计",
        "丙电器有限公司",
        "丙电器",
        "甲动力",
        "乙电器有限公司",
        "正极材料",
        "浙江戊材料有限公司",
        "戊材料",
        "北京戊材料",
        "己\n电池",
        "庚\r电池",
        "=1+1",
        "'辛电池",
        "壬电池",
        "壬电池有限公司",
        "癸(嵊州)电池",
        "ＡＢＣ电池",
        "abc电池",
        "中国子电池",
    ],
    "code": ["", "", "", CODE_A, CODE_B, "123"],
    "chain": ["", "", "", "新能源装备", "智能厨房", "未知链"],
    "segment": ["", "电芯", "正极材料", "集成灶", "电芯、集成灶", "未知环节", "锂电正极材料"],
    "place": [
        "",
        "上海",
        "嵊州",
        "艇湖新兴产业园",
        "杭州高新园区",
        "某某县",
        "宁波\n北仑",
        "湖北省",
    ],
    "size": ["", "是", "否", "也许"],
    "output": ["", "12", "3,000", "5万元", "约数千", "１２", "1.5", "99999999999999", "-3"],
    "products": ["", "电芯", "电芯、正极", "-负极", "甲|乙"],
    "customers": ["", "", "丙电器", "无名公司", "壬电池", "乙电器", "戊材料;丙电器"],
    "suppliers": ["", "", "甲动力", "壬电池有限公司"],
    "source": ["", "", "走访"],
}


@pytest.mark.parametrize("seed", range(12))
def test_random_hostile_lists_plan_the_same_both_ways(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    folder = make_dataset(tmp_path / "ds")
    if seed % 3 == 0:  # some lists meet the firms of an earlier import
        import_file(sheet(tmp_path, SIMPLE, "earlier.csv"), folder)
    rows: list[list[str]] = []
    for i in range(40):
        cells = {k: rng.choice(v) for k, v in POOL.items()}
        if rng.random() < 0.5:  # many rows of a real list are plain new firms
            cells.update(name=f"随机企业{rng.randrange(30)}", code="", chain="")
        if rng.random() < 0.1 and rows:
            rows.append(list(rng.choice(rows)))  # a row given twice
        rows.append(row(**cells) if i % 7 else row(**{**cells, "name": f"随机{i}", "code": ""}))
    suffix = ".xlsx" if seed % 4 == 1 else ".csv"
    same_both_ways(folder, sheet(tmp_path, rows, f"random{suffix}"))


def test_the_dataset_firm_with_a_code_is_never_fast(tmp_path: Path) -> None:
    """A row with a credit code goes to the row planner (it may match by code)."""
    folder = make_dataset(tmp_path / "ds")
    found = same_both_ways(
        folder, sheet(tmp_path, [row(name="新名字", code=CODE_A, place="上海")], "c.csv")
    )
    assert [c.id for c in found["changes"] if c.kind == "Firm"] == ["anchor"]


def test_an_edge_of_the_imported_files_naming_a_new_firms_id(tmp_path: Path) -> None:
    """A broken dataset: its imported relations name the id a new firm would get. The row
    planner finds that edge; so must the fast path (it leaves such a row to it)."""
    folder = make_dataset(tmp_path / "ds")
    name = "简单企业000有限公司"
    firm_id = new_firm_id(None, name)
    (folder / "relations-imported.csv").write_text(
        "from,rel,to,product,source,quote,locator\n"
        f"{firm_id},IN_SEGMENT,ne-cell,,import-x,所属环节: 电芯,第2行\n",
        encoding="utf-8",
    )
    found = same_both_ways(folder, sheet(tmp_path, SIMPLE[:2], "d.csv"))
    assert any(c.action == "unchanged" and c.id.startswith(firm_id) for c in found["changes"])


CELLS = ["", " ", "甲", "a,b", '"', 'x"y', "\n", "a\nb", "\r", "a\r\nb", "'=1", "=1", "-2", "+3",
         "@x", "\t", "\x00", ",", "  甲 ", "3,000", "''", "'", "|", "a|b"]  # fmt: skip


def writer_text(rows: list[list[str]]) -> str:
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


@pytest.mark.parametrize("cell", CELLS)
def test_one_odd_cell_among_plain_rows_is_written_as_the_writer_writes_it(cell: str) -> None:
    for rows in ([["plain", "row"]] * 3 + [[cell, "x"]], [[cell]], [["a", "b"], [cell, cell]]):
        text = plan_render._csv_text([list(r) for r in rows])
        if "\r" in cell:
            rows = [[c.replace("\r\n", "\n").replace("\r", "\n") for c in r] for r in rows]
        assert text == writer_text(rows)


@pytest.mark.parametrize("seed", range(30))
def test_the_imported_files_text_is_the_csv_writers(seed: int) -> None:
    """plan_render words plain rows itself: the text must be the writer's, for any cells."""
    rng = random.Random(seed)
    width = rng.choice([1, 2, 7])
    rows = [[rng.choice(CELLS) for _ in range(width)] for _ in range(rng.randrange(1, 30))]
    if seed % 5 == 0:
        rows = [["plain", "row"]] * 5 + [[rng.choice(CELLS)] * 2]
    text = plan_render._csv_text([list(r) for r in rows])
    if "\r" in writer_text(rows):  # a carriage return is written as a line feed
        rows = [[c.replace("\r\n", "\n").replace("\r", "\n") for c in r] for r in rows]
    assert text == writer_text(rows)
    assert list(csv.reader(io.StringIO(text, newline=""))) == rows


@pytest.mark.parametrize("seed", range(20))
def test_the_imported_files_cells_are_neutralised_as_one_by_one(seed: int) -> None:
    rng = random.Random(seed)
    columns = ["id", "name", "quote"]
    records = [
        {c: rng.choice(CELLS) for c in columns if rng.random() < (0.7 if seed % 2 else 1.1)}
        for _ in range(rng.randrange(1, 20))
    ]
    expected = [columns] + [
        [neutralise(v) if v[:1] in ("'", *FORMULA_START) else v for v in cells]
        for cells in ([r.get(c, "") for c in columns] for r in records)
    ]
    assert plan_render.csv_rows(columns, records) == expected
    assert plan_render.csv_rows(["id"], records) == [
        ["id"],
        *([neutralise(r.get("id", ""))] for r in records),
    ]


def test_a_reimport_of_the_hostile_list_and_of_a_newer_version(tmp_path: Path) -> None:
    folder = make_dataset(tmp_path / "ds")
    path = sheet(tmp_path, HOSTILE, "hostile.csv")
    import_file(path, folder)
    found = same_both_ways(folder, path)  # the same file again: its firms are known
    assert not any(c.action == "added" and c.kind == "Firm" for c in found["changes"])
    newer = [list(r) for r in HOSTILE[::-1]]  # rows moved
    newer[5][3] = "集成灶"  # a segment changed
    newer.append(row(name="新来的电池", place="上海", customers="丙电器"))
    same_both_ways(folder, sheet(tmp_path, newer, "hostile.csv"))


def test_a_names_key_is_its_folded_form_without_what_is_no_letter_or_digit() -> None:
    """plan_fast tells totals rows by the names folded in one go: the same words."""
    from chaingraph.ingest.plan_resolve import _NOT_ALNUM_RE, name_key
    from chaingraph.model import normalize_texts
    from test_ingest_names import HOSTILE_NAMES

    totals = ["合计", "总 计", " TOTAL ", "Ｓｕｍ", "小\u3000计", "sub_total", "合\t计"]
    names = [*HOSTILE_NAMES, *totals]
    names += [n + "\n" + m for n, m in zip(names, reversed(names), strict=True)]
    folded = normalize_texts(names)
    assert [_NOT_ALNUM_RE.sub("", f) for f in folded] == [name_key(n) for n in names]
