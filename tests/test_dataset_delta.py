"""Checking a change (what an import writes) against the loaded dataset finds exactly what
reading the whole dataset again finds: every error class, each at its file:line."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path
from typing import Any

import pytest

from chaingraph.dataset import load_dataset
from chaingraph.dataset_delta import check_changes
from chaingraph.errors import InvalidGraphData
from chaingraph.ingest import FIRMS_FILE, RELATIONS_FILE, SOURCES_FILE, import_file
from chaingraph.ingest.files import _check_change
from test_ingest import make_dataset, row, sheet, snapshot

FIRM_HEADER = "id,kind,name,local,region,credit_code,output_cny,aliases,source,quote,locator\n"
EDGE_HEADER = "from,rel,to,product,source,quote,locator\n"
SOURCE_NODE = """\
nodes:
  - id: import-list
    kind: Source
    name: list.xlsx
    title: list.xlsx
    sources: [{source: import-list, quote: list.xlsx}]
"""
GOOD_FIRM = "firm-ok,Firm,丙电器有限公司,false,上海,,,,import-list,企业名称: 丙,第2行\n"
#: a layer the zone includes: one listed firm, cited
LAYER_FIRMS = """\
id,kind,name,local,stock_code,source,quote
cn-000001-sz,Firm,庚银行,false,000001.SZ,layer-src,庚银行
"""


def layered(folder: Path) -> Path:
    """The small dataset of test_ingest, including a layer with one listed firm."""
    layer = folder.parent / "layer"
    layer.mkdir(parents=True)
    (layer / "dataset.yaml").write_text("name: layer\ntitle: 层\n", encoding="utf-8")
    (layer / "firms.csv").write_text(LAYER_FIRMS, encoding="utf-8")
    (layer / "sources.yaml").write_text(
        "nodes:\n  - {id: layer-src, kind: Source, name: 名录, title: 名录, grade: template}\n",
        encoding="utf-8",
    )
    make_dataset(folder)
    (folder / "dataset.yaml").write_text(
        "name: tiny\ntitle: 测试\ninclude: [../layer]\n", encoding="utf-8"
    )
    (folder / "sources").mkdir()
    (folder / "sources" / "visit.txt").write_text("走访纪要:丙电器生产集成灶。", encoding="utf-8")
    (folder / "visits.yaml").write_text(
        "nodes:\n  - {id: visit, kind: Source, name: 走访纪要, title: 走访纪要, grade: template,"
        " text_file: sources/visit.txt}\n",
        encoding="utf-8",
    )
    assert load_dataset(folder).problems == []
    return folder


def both(folder: Path, files: dict[str, str]) -> tuple[list[str], list[str] | None]:
    """(the full check's problems, the change check's problems or None), as sorted text."""
    full = sorted(str(p) for p in load_dataset(folder, overrides=files).problems)
    base = load_dataset(folder)
    assert base.problems == []
    current = {
        rel: (folder / rel).read_text(encoding="utf-8") if (folder / rel).is_file() else ""
        for rel in files
    }
    found = check_changes(base, current, files)
    delta = None if found is None else sorted(str(p) for p in found)
    # the same check given the rows of the CSV files (as an import passes them) finds the same
    rows = {rel: _parsed(text) for rel, text in files.items() if rel.endswith(".csv") and text}
    again = check_changes(
        load_dataset(folder), current, files, {r: v for r, v in rows.items() if v}
    )
    assert (None if again is None else sorted(str(p) for p in again)) == delta
    return full, delta


def _parsed(text: str) -> list[list[str]]:
    """The rows the csv module reads from a text ([] when it cannot)."""
    try:
        return list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error:
        return []


#: hostile imported files, each with a fragment of the problem (file:line and words) it must
#: bring; the change check must judge each itself and word it as the full check does
HOSTILE: dict[str, tuple[dict[str, str], list[str]]] = {
    "bad values": (
        {
            FIRMS_FILE: FIRM_HEADER
            + GOOD_FIRM
            + "firm-a,Firm,丁,maybe,,,,,import-list,企业名称: 丁,第3行\n"
            + "firm-b,Firm,戊,false,,,1e20,,import-list,企业名称: 戊,第4行\n",
            SOURCES_FILE: SOURCE_NODE,
        },
        [
            "firms-imported.csv:3: node 'firm-a': 'local' must be true or false",
            "firms-imported.csv:4: node 'firm-b': 'output_cny' must be at most 10^15",
        ],
    ),
    "ids, kinds, fields": (
        {
            FIRMS_FILE: "id,kind,name,colour,source,quote\n"
            "Bad Id,Firm,丁,,import-list,x\n"
            "firm-k,Frim,己,,import-list,x\n"
            "firm-c,Firm,,,import-list,x\n"
            "firm-d,Firm,庚,red,import-list,x\n"
            ",Firm,辛,,import-list,x\n",
            SOURCES_FILE: SOURCE_NODE,
        },
        [
            "firms-imported.csv:2: id 'Bad Id' is not a valid id",
            "firms-imported.csv:3: node 'firm-k': unknown kind 'Frim'",
            "firms-imported.csv:4: node 'firm-c': missing required field 'name'",
            "firms-imported.csv:5: node 'firm-d': unknown field 'colour' for a Firm",
            "firms-imported.csv:6: node without 'id'",
        ],
    ),
    "edges": (
        {
            FIRMS_FILE: FIRM_HEADER + GOOD_FIRM,
            RELATIONS_FILE: EDGE_HEADER
            + "firm-ok,IN_SEGMENT,ne-cel,,import-list,所属环节: 电芯,第2行\n"
            + "firm-ok,IN_SEGMENT,anchor,,import-list,所属环节: 甲,第2行\n"
            + "firm-ok,SUPPLY,anchor,,import-list,主要客户: 甲,第2行\n"
            + "firm-ok,SUPPLIES,anchor,,,,\n",
            SOURCES_FILE: SOURCE_NODE,
        },
        [
            "relations-imported.csv:2: edge firm-ok -IN_SEGMENT-> ne-cel: unknown node 'ne-cel'",
            "relations-imported.csv:3: edge firm-ok -IN_SEGMENT-> anchor: IN_SEGMENT cannot go",
            "relations-imported.csv:4: edge firm-ok -SUPPLY-> anchor: unknown relation 'SUPPLY'",
            "relations-imported.csv:5: edge firm-ok -SUPPLIES-> anchor has no sources and no grade",
        ],
    ),
    "citations": (
        {
            FIRMS_FILE: FIRM_HEADER
            + GOOD_FIRM
            + "firm-e,Firm,壬,false,,,,,no-such-source,企业名称: 壬,第3行\n"
            + "firm-f,Firm,癸,false,,,,,visit,丙电器生产电芯,\n"
            + "firm-g,Firm,子,false,,,,,anchor,企业名称: 子,\n"
            + "firm-h,Firm,丑,false,,,,,visit,,\n",
            SOURCES_FILE: SOURCE_NODE,
        },
        [
            "firms-imported.csv:3: node 'firm-e': unknown source 'no-such-source'",
            "firms-imported.csv:4: node 'firm-f': quote \"丙电器生产电芯\" does not occur",
            "firms-imported.csv:5: node 'firm-g': unknown source 'anchor'",
            "firms-imported.csv:6: node 'firm-h': the citation of 'visit' has no quote",
        ],
    ),
    "names": (
        {
            FIRMS_FILE: FIRM_HEADER
            + GOOD_FIRM
            + "firm-i,Firm,正极材料,false,,,,,import-list,企业名称: 正极材料,第3行\n"
            + "firm-j,Firm,寅,false,,,,甲动力,import-list,企业名称: 寅,第4行\n"
            + "firm-l,Firm,庚银行,false,,,,,import-list,企业名称: 庚银行,第5行\n",
            SOURCES_FILE: SOURCE_NODE,
        },
        [
            "name or alias '正极材料' is used by firm-i, ne-cathode",
            "name or alias '甲动力' is used by anchor, firm-j",
            "firms-imported.csv:5: firm 'firm-l' has the name '庚银行' of the included firm",
        ],
    ),
    "segments": (
        {
            RELATIONS_FILE: EDGE_HEADER
            + "ne-cell,FEEDS,ne-cathode,,visit,丙电器生产集成灶,\n"
            + "kitchen,HAS_SEGMENT,ne-cell,,visit,丙电器生产集成灶,\n",
        },
        [
            "FEEDS cycle: ne-c",
            "segment 'ne-cell' belongs to several chains: kitchen, ne",
        ],
    ),
    "sources file": (
        {
            FIRMS_FILE: FIRM_HEADER + GOOD_FIRM,
            SOURCES_FILE: SOURCE_NODE + "  - {id: import-b, kind: Source, title: b}\n",
        },
        [
            "sources-imported.yaml:7: node 'import-b': missing required field 'name'",
            "sources-imported.yaml:7: node 'import-b' has no sources and no grade",
        ],
    ),
    "unreadable CSV": (
        {
            FIRMS_FILE: FIRM_HEADER + GOOD_FIRM + 'firm-x,Firm,"卯,false\n',
            SOURCES_FILE: SOURCE_NODE,
        },
        ["firms-imported.csv"],
    ),
}


HOSTILE["cells over several lines"] = (
    {
        FIRMS_FILE: FIRM_HEADER
        + GOOD_FIRM
        + 'firm-a,Firm,"丁\n电器",false,,,,,import-list,"企业名称: 丁\n电器",第3行\n'
        + "firm-b,Firm,戊,false,,,lots,,import-list,企业名称: 戊,第4行\n",
    },
    ["firms-imported.csv:6: node 'firm-b': 'output_cny'"],  # firm-a takes lines 3-5
)


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_the_change_check_finds_what_the_full_check_finds(tmp_path: Path, case: str) -> None:
    folder = layered(tmp_path / "ds")
    files, expected = HOSTILE[case]
    full, delta = both(folder, files)
    assert delta is not None, "the change check gave up"
    assert delta == full
    for fragment in expected:
        assert any(fragment in p for p in delta), (fragment, delta)


def test_a_change_to_earlier_imports_is_checked_at_its_new_lines(tmp_path: Path) -> None:
    folder = layered(tmp_path / "ds")
    edges = "".join(
        f"firm-ok,SUPPLIES,{to},,import-list,主要客户: x,第2行\n" for to in ("anchor", "twin-1")
    )
    firms = FIRM_HEADER + GOOD_FIRM + "firm-m,Firm,辰,false,,,5,,import-list,企业名称: 辰,第3行\n"
    (folder / FIRMS_FILE).write_text(firms, encoding="utf-8")
    (folder / RELATIONS_FILE).write_text(EDGE_HEADER + edges, encoding="utf-8")
    (folder / SOURCES_FILE).write_text(SOURCE_NODE, encoding="utf-8")
    files = {
        FIRMS_FILE: firms.replace(",5,", ",lots,") + "firm-n,Firm,巳,false,,,,辰,import-list,x,\n",
        RELATIONS_FILE: EDGE_HEADER + edges.split("\n", 1)[1] + "firm-m,SUPPLIES,nobody,,,,\n",
    }
    full, delta = both(folder, files)
    assert delta is not None and delta == full
    assert any(p.startswith("firms-imported.csv:3: node 'firm-m': 'output_cny'") for p in delta)
    assert any(p.startswith("relations-imported.csv:3: edge firm-m") for p in delta)
    assert any("name or alias '辰' is used by firm-m, firm-n" in p for p in delta)
    assert len(delta) == 3, delta  # the removed edge row and the unchanged rows are fine


@pytest.mark.parametrize(
    "files",
    [
        {FIRMS_FILE: FIRM_HEADER + GOOD_FIRM.replace("firm-ok", "anchor")},  # id defined twice
        {RELATIONS_FILE: EDGE_HEADER + "anchor,IN_SEGMENT,ne-cell,,visit,丙电器,\n"},  # edge too
        {  # a hand-edited file removed
            "visits.yaml": "",
            FIRMS_FILE: FIRM_HEADER + "firm-v,Firm,午,false,,,,,visit,走访纪要,\n",
        },
    ],
)
def test_what_the_change_check_cannot_judge_goes_to_the_full_check(
    tmp_path: Path, files: dict[str, str]
) -> None:
    folder = layered(tmp_path / "ds")
    full, delta = both(folder, files)
    assert delta is None and full
    before = snapshot(folder)
    current = dict.fromkeys(files, "")
    current.update(
        {r: (folder / r).read_text(encoding="utf-8") for r in files if (folder / r).exists()}
    )
    with pytest.raises(InvalidGraphData, match="would make .* invalid") as info:
        _check_change(load_dataset(folder), current, files)
    assert sorted(str(p) for p in info.value.problems) == full
    assert snapshot(folder) == before


def test_a_real_import_into_the_shipped_dataset_is_checked_by_its_change(tmp_path: Path) -> None:
    from conftest import SHENGZHOU

    target = tmp_path / "shengzhou"
    shutil.copytree(SHENGZHOU, target)
    shutil.copytree(SHENGZHOU.parent / "reference", tmp_path / "reference")
    path = sheet(
        tmp_path,
        [
            row(name="测试正极材料有限公司", segment="正极材料", place="上海", customers="比亚迪"),
            row(name="测试隔膜有限公司", place="嵊州经济开发区", suppliers="测试正极材料"),
        ],
    )
    result = import_file(path, target, dry_run=True)
    full, delta = both(target, result.files)
    assert delta == full == []
    assert set(result.files) == {FIRMS_FILE, RELATIONS_FILE, SOURCES_FILE}
    assert import_file(path, target).written
    again = sheet(tmp_path, [row(name="测试正极材料有限公司", segment="正极材料", place="杭州")])
    result = import_file(again, target, dry_run=True)  # an imported firm changes
    full, delta = both(target, result.files)
    assert delta == full == []


def test_a_dataset_from_the_cache_knows_what_the_change_check_needs(tmp_path: Path) -> None:
    folder = layered(tmp_path / "ds")
    cold = load_dataset(folder)
    warm = load_dataset(folder)
    assert warm.cache_key, "the second load came from the cache"
    assert warm.edge_locations == cold.edge_locations and warm.edge_locations
    assert warm.merged == cold.merged == {}
    files, _ = HOSTILE["names"]
    current = dict.fromkeys(files, "")
    found = check_changes(warm, current, files)
    assert found is not None and len(found) == 3


@pytest.mark.parametrize(
    ("row", "fragment"),
    [
        ("firm-z,Firm,庚银行,false,,,,,import-list,x,\n", "has the name '庚银行' of the included"),
        ("firm-z,Firm,壬银行,false,,,,庚银行股份,import-list,x,\n", "is used by firm-z, geng"),
    ],
)
def test_a_firm_merged_with_an_included_one_sends_a_clash_to_the_full_check(
    tmp_path: Path, row: str, fragment: str
) -> None:
    folder = layered(tmp_path / "ds")
    (folder / "own.yaml").write_text(
        "nodes:\n  - {id: geng, kind: Firm, name: 庚银行股份, stock_code: 000001.SZ,"
        " local: false, grade: template}\n",
        encoding="utf-8",
    )
    base = load_dataset(folder)
    assert base.problems == [] and base.merged == {"cn-000001-sz": "geng"}
    full, delta = both(folder, {FIRMS_FILE: FIRM_HEADER + row, SOURCES_FILE: SOURCE_NODE})
    assert delta is None  # the twin is no longer in the graph: only the full check words it
    assert any(fragment in p for p in full), full


def test_a_figure_another_names_in_conflict_cannot_leave_unseen(tmp_path: Path) -> None:
    folder = layered(tmp_path / "ds")

    def figure(other: str) -> str:
        return (
            "    figures:\n      - {key: n, value: 3, conflicts_with: [" + other + "],"
            " sources: [{source: visit, quote: 丙电器}]}\n"
        )

    visits = (folder / "visits.yaml").read_text(encoding="utf-8")
    (folder / "visits.yaml").write_text(
        visits + "  - id: note\n    kind: Source\n    name: 笔记\n    title: 笔记\n"
        "    grade: template\n" + figure("import-list/n"),
        encoding="utf-8",
    )
    (folder / SOURCES_FILE).write_text(SOURCE_NODE + figure("note/n"), encoding="utf-8")
    assert load_dataset(folder).problems == []
    full, delta = both(folder, {SOURCES_FILE: SOURCE_NODE})  # the named figure left
    assert full and any("conflicts_with 'import-list/n' names no figure" in p for p in full)
    assert delta is None or delta == full


def test_an_imports_new_files_go_to_the_checker_in_bulk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rows an import hands over are proved in bulk (dataset_fast), not item by item,
    unless a row needs its item; the problems are the same either way (see ``both``)."""
    from chaingraph.dataset_fast import CsvTable

    bulk: list[str] = []
    add_to = CsvTable.add_to

    def counted(table: CsvTable, checker: Any) -> None:
        bulk.append(table.rel)
        add_to(table, checker)

    monkeypatch.setattr(CsvTable, "add_to", counted)
    folder = layered(tmp_path / "ds")
    path = sheet(tmp_path, [row(name="丙电器", place="上海", customers="甲动力电池有限公司")])
    assert import_file(path, folder).written
    assert sorted(r for r in bulk if "imported" in r) == [FIRMS_FILE, RELATIONS_FILE]
    bulk.clear()
    files, _ = HOSTILE["names"]  # a firm named as an included one: its rows need their items
    full, delta = both(layered(tmp_path / "other" / "ds"), files)
    assert delta == full and FIRMS_FILE not in bulk


@pytest.mark.parametrize("size", [0, 1, 3, 50])
def test_disjoint_walks_either_side_with_the_same_answer(size: int) -> None:
    """An imported table's keys against a dataset's mapping, smaller or larger than it."""
    from chaingraph.dataset_delta import disjoint
    from chaingraph.edge_places import EdgePlaces
    from chaingraph.model import Location

    keys = {("a", str(i), "SUPPLIES") for i in range(10)}
    apart = EdgePlaces({("b", str(i), "SUPPLIES"): Location("r.csv", i) for i in range(size)})
    meets = EdgePlaces(apart)
    meets[("a", "7", "SUPPLIES")] = Location("r.csv", 99)
    assert disjoint(keys, apart) and disjoint(keys, dict(apart))
    assert not disjoint(keys, meets) and not disjoint(keys, dict(meets))
    assert disjoint(set(), meets) and not disjoint({("a", "7", "SUPPLIES")}, meets)
