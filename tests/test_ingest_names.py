"""Import with registered names, places and segment names the way real sheets write them:
province prefixes, (嵊州), 有限公司, a 高新园区 in another city, a segment with 、 inside."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from chaingraph.dataset import read_graph
from chaingraph.ingest import import_file
from conftest import SHENGZHOU
from test_ingest import make_dataset, row, sheet


@pytest.fixture
def ds(tmp_path: Path) -> Path:
    return make_dataset(tmp_path / "ds")


@pytest.mark.parametrize(
    ("name", "firm"),
    [
        ("浙江甲动力电池有限公司", "anchor"),  # province prefix + legal form
        ("浙江省绍兴市嵊州市甲动力电池有限公司", "anchor"),  # the zone's divisions in full
        ("甲动力电池(嵊州)有限公司", "anchor"),
        ("乙电器(宁波)有限公司", "twin-2"),  # twin-1 is 嵊州's, twin-2's region is 宁波
        ("嵊州市乙电器有限公司", "twin-1"),
    ],
)
def test_registered_names_match_the_existing_firm(
    tmp_path: Path, ds: Path, name: str, firm: str
) -> None:
    result = import_file(sheet(tmp_path, [row(name=name, segment="电芯", place="上海")]), ds)
    assert result.bad_rows == [], result.issues
    assert [(c.action, c.id) for c in result.changes if c.kind == "Firm"] == [
        ("unchanged", firm)  # no new firm
    ]
    assert read_graph(ds).has_edge(firm, "ne-cell", key="IN_SEGMENT")


@pytest.mark.parametrize(
    "name",
    ["乙电器有限公司", "浙江乙电器股份有限公司"],  # both twins lie in 浙江
)
def test_a_name_two_firms_could_bear_is_reported(tmp_path: Path, ds: Path, name: str) -> None:
    result = import_file(sheet(tmp_path, [row(name=name, place="上海")]), ds)
    (issue,) = [i for i in result.issues if i.status == "bad"]
    assert "ambiguous" in issue.reason
    assert [c.split(" ")[0] for c in issue.candidates] == ["twin-1", "twin-2"]


def test_another_citys_firm_of_the_same_core_name_is_a_new_firm(tmp_path: Path, ds: Path) -> None:
    result = import_file(sheet(tmp_path, [row(name="北京甲动力电池有限公司", place="北京")]), ds)
    assert result.bad_rows == []
    assert [c.action for c in result.changes if c.kind == "Firm"] == ["added"]


@pytest.mark.parametrize(
    ("place", "local", "located_in"),
    [
        ("杭州高新园区", False, None),  # the words of the zone's name, in another city
        ("杭州市余杭区高新园区", False, None),
        ("宁波市经济开发区", False, None),
        ("嵊州高新园区", True, "zone"),  # the zone's county and the bracketed name
        ("高新园区", True, "zone"),  # the part of the zone's name in brackets
        ("嵊州经济开发区艇湖新兴产业园", True, "lake-park"),
    ],
)
def test_local_comes_from_the_datasets_places_and_their_division(
    tmp_path: Path, ds: Path, place: str, local: bool, located_in: str | None
) -> None:
    import_file(sheet(tmp_path, [row(name="丙", place=place)]), ds)
    G = read_graph(ds)
    (firm,) = [n for n, a in G.nodes(data=True) if a.get("name") == "丙"]
    assert G.nodes[firm]["local"] is local
    assert G.nodes[firm].get("region") == (None if local else place)
    places = [v for _, v, k in G.out_edges(firm, keys=True) if k == "LOCATED_IN"]
    assert places == ([located_in] if located_in else [])


def test_a_segment_name_with_a_list_inside_is_one_segment(tmp_path: Path, ds: Path) -> None:
    (ds / "more.yaml").write_text(
        "grade: template\nnodes:\n"
        "  - {id: ne-foil, kind: Segment, name: 集流体(铜箔、铝箔), tier: upstream, chain: ne}\n",
        encoding="utf-8",
    )
    rows = [row(name="丁", segment="集流体(铜箔、铝箔)、电芯", place="上海")]
    result = import_file(sheet(tmp_path, rows), ds)
    assert result.bad_rows == [], result.issues
    G = read_graph(ds)
    (firm,) = [n for n, a in G.nodes(data=True) if a.get("name") == "丁"]
    segments = {v for _, v, k in G.out_edges(firm, keys=True) if k == "IN_SEGMENT"}
    assert segments == {"ne-foil", "ne-cell"}


def test_shipped_zone_recognises_registered_names_of_its_firms(tmp_path: Path) -> None:
    target = tmp_path / "shengzhou"
    shutil.copytree(SHENGZHOU, target)
    shutil.copytree(SHENGZHOU.parent / "reference", tmp_path / "reference")
    G = read_graph(target)
    by_code = {a["stock_code"]: n for n, a in G.nodes(data=True) if a.get("stock_code")}
    names = {
        "比亚迪股份有限公司": by_code["002594.SZ"],  # its registered name
        "贝达药业(嵊州)有限公司": by_code["300558.SZ"],  # (嵊州) + legal form
        "深圳市星源材质科技股份有限公司": by_code["300568.SZ"],
        "浙江帅丰电器股份有限公司": by_code["605336.SH"],
    }
    rows = [row(name=name, place="上海") for name in names]
    result = import_file(sheet(tmp_path, rows), target, dry_run=True)
    assert result.bad_rows == [], result.issues
    assert sorted((c.action, c.id) for c in result.changes if c.kind == "Firm") == sorted(
        ("unchanged", firm) for firm in names.values()
    )


@pytest.mark.parametrize(
    ("place", "code"),
    [("浙江省宁波市", "330200"), ("杭州市余杭区", "330110"), ("新华区", None), ("海外", None)],
)
def test_an_external_firm_gets_the_division_its_region_names(
    tmp_path: Path, ds: Path, place: str, code: str | None
) -> None:
    import_file(sheet(tmp_path, [row(name="戊", place=place)]), ds)
    G = read_graph(ds)
    (firm,) = [n for n, a in G.nodes(data=True) if a.get("name") == "戊"]
    assert G.nodes[firm]["region"] == place
    assert G.nodes[firm].get("division_code") == code  # ambiguous or none: left empty


def test_a_listed_firm_of_the_layer_is_found_by_its_registered_name(tmp_path: Path) -> None:
    target = tmp_path / "shengzhou"
    shutil.copytree(SHENGZHOU, target)
    shutil.copytree(SHENGZHOU.parent / "reference", tmp_path / "reference")
    rows = [row(name="宁德时代新能源科技股份有限公司", place="福建省宁德市", customers="比亚迪")]
    result = import_file(sheet(tmp_path, rows), target)
    assert result.bad_rows == []
    assert [c for c in result.changes if c.kind == "Firm" and c.action == "added"] == []
    # the registered name is the layer firm's full_name: not reported as a missing alias
    assert [i.column for i in result.issues if i.status == "not-applied"] == [
        "region",
        "division_code",
    ]
    G = read_graph(target)
    assert G.has_edge("cn-300750-sz", "byd", key="SUPPLIES")


#: names that take every step of a firm name's key: width and case, quote marks and spaces,
#: brackets of every shape (a place, the country, other words, nested), legal forms (stacked,
#: alone), leading places (kept when too little remains), combining marks, empty and NUL-free
HOSTILE_NAMES = [
    "浙江汉科新材料有限公司",
    "庚辛负极材料(嵊州)有限公司",
    "庚辛负极材料（嵊州市）有限公司",
    "西门子(中国)有限公司",
    "比亚迪(储能)有限公司",
    "甲电器(集团)有限公司",
    "甲电器【集团】股份有限公司",
    "甲电器〔浙江〕集团公司",
    "甲(乙(嵊州))公司",
    "有限公司",
    "集团有限公司",
    "公司公司",
    "上海电气集团股份有限公司",
    "江山欧派门业股份有限公司",
    "浙江省绍兴市嵊州市甲动力电池有限公司",
    "中华人民共和国甲公司",
    "中国甲乙丙有限公司",
    "ＡＢＣ新能源科技股份有限公司",
    "“丙”·丁 有限\t公司",
    "e\u0301 company",
    "\u0301甲",
    "",
    "  ",
    "嵊州",
    "嵊州甲",
    "Ǆ Straße ΣΑΣ",
    "合成导入企业00001",
]


def test_keys_of_a_list_are_each_names_key() -> None:
    import random

    from chaingraph.ingest.names import firm_name_key, firm_name_keys

    rng = random.Random(5)
    pieces = [*HOSTILE_NAMES, "(", ")", "（", "）", "有限", "公司", "浙江", "嵊州", "·", " "]
    names = [*HOSTILE_NAMES]
    names += ["".join(rng.choices(pieces, k=rng.randint(1, 5))) for _ in range(3000)]
    firm_name_key.cache_clear()
    assert firm_name_keys(names) == [firm_name_key(n) for n in names]
    assert firm_name_keys(["甲\0乙", "丙"]) == [firm_name_key("甲\0乙"), firm_name_key("丙")]
    assert firm_name_keys(["甲有限公司"]) == [firm_name_key("甲有限公司")]
