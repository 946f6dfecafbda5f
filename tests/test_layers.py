"""Included datasets: one firm one node, owners, bad includes, the cache, the shipped layer."""

from __future__ import annotations

import csv
import importlib.util
import re
import sys
from pathlib import Path

import pytest

from chaingraph.cache import ENV_DIR, ENV_OFF
from chaingraph.dataset import load_dataset, read_graph, validate
from chaingraph.model import Grade, Kind
from conftest import REPO, SHENGZHOU

LAYER = REPO / "graphs" / "reference" / "cn-listed"

LAYER_SOURCES = """\
nodes:
  - id: table
    kind: Source
    name: 上市公司表
    title: firms.csv
    grade: template
"""
LAYER_FIRMS = """\
id,kind,name,local,full_name,stock_code,sw_l3,source,quote,locator
cn-002594-sz,Firm,比亚迪,false,比亚迪股份有限公司,002594.SZ,电动乘用车,table,"002594.SZ,比亚迪",第2行
cn-300568-sz,Firm,星源材质,false,深圳市星源材质科技股份有限公司,300568.SZ,电池化学品,table,"300568.SZ,星源材质",第3行
"""
ZONE_FIRMS = """\
nodes:
  - id: memo
    kind: Source
    name: 简报
    title: 简报
    grade: template
  - id: byd
    kind: Firm
    name: 比亚迪
    local: true
    stock_code: 002594.sz
    sw_l3: 乘用车(本地写法)
    sources: [{source: memo, quote: 比亚迪}]
  - id: haiwei
    kind: Firm
    name: 海威汽车
    local: true
    grade: template
edges:
  - {from: cn-300568-sz, rel: SUPPLIES, to: cn-002594-sz, grade: template}
  - {from: haiwei, rel: SUPPLIES, to: byd, grade: template}
"""


def make_layer(root: Path, name: str = "ref", include: str = "") -> Path:
    folder = root / "reference" / name
    folder.mkdir(parents=True)
    manifest = f"name: {name}\ntitle: 参考层\n" + (f"include: [{include}]\n" if include else "")
    (folder / "dataset.yaml").write_text(manifest, encoding="utf-8")
    (folder / "sources.yaml").write_text(LAYER_SOURCES, encoding="utf-8")
    (folder / "firms.csv").write_text(LAYER_FIRMS, encoding="utf-8")
    return folder


def make_zone(root: Path, include: str = "../reference/ref", firms: str = ZONE_FIRMS) -> Path:
    folder = root / "zone"
    folder.mkdir()
    (folder / "dataset.yaml").write_text(
        f"name: zone\ntitle: 园区\ninclude: [{include}]\n", encoding="utf-8"
    )
    (folder / "firms.yaml").write_text(firms, encoding="utf-8")
    return folder


@pytest.fixture(autouse=True)
def no_shared_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test caches datasets in its own folder."""
    cache = tmp_path / "cache"
    monkeypatch.setenv(ENV_DIR, str(cache))
    return cache


def test_same_stock_code_is_one_node_zone_id_wins(tmp_path: Path) -> None:
    make_layer(tmp_path)
    G = read_graph(make_zone(tmp_path))
    assert "cn-002594-sz" not in G
    byd = G.nodes["byd"]
    assert byd["local"] is True and byd["sw_l3"] == "乘用车(本地写法)"  # the zone's values win
    assert byd["full_name"] == "比亚迪股份有限公司"  # the layer's fill the rest
    assert [s["source"] for s in byd["sources"]] == ["memo", "table"]
    assert byd["sources"][1]["locator"] == "第2行"
    # the zone's edge naming the layer id now points at the zone's node
    assert G.has_edge("cn-300568-sz", "byd", key="SUPPLIES")
    assert G.has_edge("haiwei", "byd", key="SUPPLIES")
    assert G.nodes["cn-300568-sz"]["local"] is False


def test_owners_name_the_dataset_of_each_item(tmp_path: Path) -> None:
    make_layer(tmp_path)
    G = read_graph(make_zone(tmp_path))
    assert G.graph["dataset"] == "zone"
    assert G.graph["includes"] == ["ref"]
    assert G.graph["owner"] == {"cn-300568-sz": "ref", "table": "ref"}  # byd is the zone's
    assert G.graph["edge_owner"] == {}


def test_same_id_as_an_included_firm_merges(tmp_path: Path) -> None:
    make_layer(tmp_path)
    firms = (
        "nodes:\n  - {id: cn-300568-sz, kind: Firm, name: 星源, local: false, grade: template}\n"
    )
    G = read_graph(make_zone(tmp_path, firms=firms))
    node = G.nodes["cn-300568-sz"]
    assert node["name"] == "星源" and node["aliases"] == ["星源材质"]
    assert node["stock_code"] == "300568.SZ"
    assert "cn-300568-sz" not in G.graph["owner"]  # now the zone's


def test_a_firm_with_an_included_name_but_no_code_is_a_problem(tmp_path: Path) -> None:
    make_layer(tmp_path)
    firms = (
        "nodes:\n  - {id: xingyuan, kind: Firm, name: 星源材质, local: false, grade: template}\n"
    )
    problems = [str(p) for p in validate(make_zone(tmp_path, firms=firms))]
    assert problems == [
        "firms.yaml:2: firm 'xingyuan' has the name '星源材质' of the included firm "
        "'cn-300568-sz' (300568.SZ, dataset 'ref'). If it is the same firm add its "
        "stock_code (300568.SZ) or credit_code to 'xingyuan' (one node, your id wins); if not, "
        "give it a distinct name"
    ]


def test_same_credit_code_is_one_node(tmp_path: Path) -> None:
    layer = make_layer(tmp_path)
    (layer / "more.csv").write_text(
        "id,kind,name,local,credit_code,grade\n"
        "firm-1,Firm,丁材料有限公司,false,91330683MA2D0000X1,template\n",
        encoding="utf-8",
    )
    firms = (
        "nodes:\n  - {id: ding, kind: Firm, name: 丁材料, local: true, "
        "credit_code: 91330683ma2d0000x1, grade: template}\n"
    )
    G = read_graph(make_zone(tmp_path, firms=firms))
    assert "firm-1" not in G and G.nodes["ding"]["aliases"] == ["丁材料有限公司"]


def test_two_firms_with_one_stock_code_are_a_problem(tmp_path: Path) -> None:
    make_layer(tmp_path)
    firms = (
        "nodes:\n"
        "  - {id: a, kind: Firm, name: 甲, local: true, stock_code: 002594.SZ, grade: template}\n"
        "  - {id: b, kind: Firm, name: 乙, local: true, stock_code: 002594.SZ, grade: template}\n"
    )
    (problem,) = validate(make_zone(tmp_path, firms=firms))
    assert "firms 'a' and 'b' are both the included firm 'cn-002594-sz'" in str(problem)
    assert str(problem).startswith("firms.yaml:3:")


@pytest.mark.parametrize(
    ("include", "expected"),
    [
        ("../reference/nope", "include '../reference/nope': no dataset at"),
        ("/etc", "include '/etc' is not a relative path"),
        ("{a: 1}", "include entry {'a': 1} is not a folder path"),
        (".", "include '.' forms a cycle: zone -> zone"),
    ],
)
def test_bad_includes_are_problems_of_the_manifest(
    tmp_path: Path, include: str, expected: str
) -> None:
    make_layer(tmp_path)
    problems = [str(p) for p in validate(make_zone(tmp_path, include=include))]
    assert any(p.startswith("dataset.yaml: " + expected) for p in problems), problems


def test_a_cycle_through_another_dataset_is_named(tmp_path: Path) -> None:
    make_layer(tmp_path, include="../../zone")
    problems = [str(p) for p in validate(make_zone(tmp_path))]
    assert any("forms a cycle: zone -> ref -> zone" in p for p in problems), problems


def test_problems_inside_an_include_name_its_file(tmp_path: Path) -> None:
    layer = make_layer(tmp_path)
    with (layer / "firms.csv").open("a", encoding="utf-8") as out:
        out.write("cn-1-x,Firm,坏,maybe,,,,table,坏,第4行\n")
    problems = [str(p) for p in validate(make_zone(tmp_path))]
    assert problems == [
        "../reference/ref/firms.csv:4: node 'cn-1-x': 'local' must be true or false, not "
        "'maybe'. Fix the value of 'local'"
    ]


def test_csv_in_sources_is_a_document_not_data(tmp_path: Path) -> None:
    layer = make_layer(tmp_path)
    (layer / "sources").mkdir()
    (layer / "sources" / "table.csv").write_text("code,name\n002594.SZ,比亚迪\n", "utf-8")
    assert validate(layer) == []


def test_cache_answers_the_same_and_follows_edits(tmp_path: Path, no_shared_cache: Path) -> None:
    layer = make_layer(tmp_path)
    zone = make_zone(tmp_path)
    first = read_graph(zone)
    assert len(list(no_shared_cache.glob("datasets/*.pickle"))) == 2  # the layer, the zone
    again = read_graph(zone)
    assert sorted(again.nodes(data=True)) == sorted(first.nodes(data=True))
    assert again.graph == first.graph
    text = (layer / "firms.csv").read_text(encoding="utf-8").replace("星源材质,false", "星源,false")
    (layer / "firms.csv").write_text(text, encoding="utf-8")
    assert read_graph(zone).nodes["cn-300568-sz"]["name"] == "星源"


def test_without_cache_the_same_graph(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_layer(tmp_path)
    zone = make_zone(tmp_path)
    cached = read_graph(zone)
    monkeypatch.setenv(ENV_OFF, "1")
    assert sorted(read_graph(zone).nodes(data=True)) == sorted(cached.nodes(data=True))


# --- the shipped layer ------------------------------------------------------------------------


def test_shipped_layer_is_valid_every_firm_external_and_cited() -> None:
    ds = load_dataset(LAYER)
    assert ds.problems == []
    firms = [(n, a) for n, a in ds.graph.nodes(data=True) if a["kind"] == Kind.FIRM]
    assert len(firms) == 4430
    for node_id, attrs in firms:
        assert re.fullmatch(r"cn-\d{6}-(sh|sz)", node_id)
        assert attrs["local"] is False
        assert attrs["stock_code"].lower().replace(".", "-") == node_id[3:]
        (cit,) = attrs["sources"]
        assert cit["source"] == "cn-listed-sw2021"
        assert cit["quote"].startswith(attrs["stock_code"] + ",")
        assert re.fullmatch(r"listed-firms-sw2021\.csv 第\d+行", cit["locator"])
        assert attrs["grade"] == Grade.SOURCED


def test_shipped_layer_rows_quote_their_line_of_the_copied_table() -> None:
    lines = (LAYER / "sources" / "listed-firms-sw2021.csv").read_text("utf-8").splitlines()
    with (LAYER / "firms.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            number = int(re.findall(r"\d+", row["locator"])[-1])
            assert lines[number - 1] == row["quote"]


def test_build_script_rebuilds_the_shipped_layer(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location(
        "build_reference", REPO / "scripts" / "build_reference.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_reference"] = module
    spec.loader.exec_module(module)
    out = tmp_path / "cn-listed"
    assert module.build(LAYER / "sources", out) == 4430
    for name in ("dataset.yaml", "sources.yaml", "firms.csv"):
        assert (out / name).read_bytes() == (LAYER / name).read_bytes(), name


def test_shengzhou_includes_the_layer_as_one_graph() -> None:
    G = read_graph(SHENGZHOU)
    assert "cn-002594-sz" not in G and "cn-300558-sz" not in G
    byd = G.nodes["byd"]
    assert byd["local"] is True and byd["stock_code"] == "002594.SZ"
    assert byd["sw_l3"] == "电动乘用车" and byd["listed_on"] == "2011-06-30"
    assert byd["sources"][-1]["source"] == "cn-listed-sw2021"
    assert G.graph["includes"] == ["cn-listed"]
    assert G.graph["owner"]["cn-000001-sz"] == "cn-listed"
    # a zone firm with a listing code is its listed firm: 星源材质 (300568.SZ)
    (senior,) = [n for n, a in G.nodes(data=True) if a.get("stock_code") == "300568.SZ"]
    assert senior != "cn-300568-sz" and "cn-300568-sz" not in G
    assert G.nodes[senior]["sw_l3"] == "电池化学品"
