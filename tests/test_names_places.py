"""Names and places: the firm-name key, the division table and its parser, table tests with
real-looking names (ambiguous ones included)."""

from __future__ import annotations

import pytest

from chaingraph.errors import UnknownEntity
from chaingraph.ingest.names import FirmIndex, firm_name_key
from chaingraph.places import division, infer_firm_place, parse_place, place_name

# --- the firm-name key ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "core", "places"),
    [
        ("浙江汉科新材料有限公司", "汉科新材料", ("330000",)),  # province prefix
        ("汉科新材料", "汉科新材料", ()),
        ("庚辛负极材料(嵊州)有限公司", "庚辛负极材料", ("330683",)),  # bracketed county
        ("庚辛负极材料（嵊州市）有限公司", "庚辛负极材料", ("330683",)),  # full width, with 市
        ("浙江省绍兴市嵊州市甲电器有限公司", "甲电器", ("330683",)),  # the deepest division
        ("深圳市星源材质科技股份有限公司", "星源材质科技", ("440300",)),
        ("贝达药业(嵊州)有限公司", "贝达药业", ("330683",)),
        ("上海电气集团股份有限公司", "上海电气", ()),  # too little would remain
        ("江山欧派门业股份有限公司", "江山欧派门业", ()),  # a county's short name first
        ("沙河实业股份有限公司", "沙河实业", ()),
        ("西门子(中国)有限公司", "西门子", ()),  # the country
        ("比亚迪(储能)有限公司", "比亚迪(储能)", ()),  # not a place: kept
        ("甲电器(集团)有限公司", "甲电器", ()),
        ("ＡＢＣ新能源科技股份有限公司", "abc新能源科技", ()),
        ("有限公司", "有限公司", ()),  # nothing but a legal form: kept, matches nothing else
    ],
)
def test_firm_name_key(name: str, core: str, places: tuple[str, ...]) -> None:
    key = firm_name_key(name)
    assert (key.core, key.places) == (core, places)


def index() -> FirmIndex:
    idx = FirmIndex()
    idx.add("hanke", ["汉科新材料"])
    idx.add("gengxin", ["庚辛负极材料(嵊州)有限公司"])
    idx.add("yi-sz", ["乙电器(嵊州)有限公司"])
    idx.add("yi-nb", ["乙电器股份有限公司"], places=["330200"])  # its region: 宁波
    idx.add("bing-sh", ["上海丙电器有限公司"])
    return idx


@pytest.mark.parametrize(
    ("name", "how", "ids"),
    [
        ("浙江汉科新材料有限公司", "normalized", ["hanke"]),
        ("汉科新材料股份有限公司", "normalized", ["hanke"]),
        ("庚辛负极材料", "normalized", ["gengxin"]),
        ("绍兴庚辛负极材料有限公司", "normalized", ["gengxin"]),  # 嵊州 lies in 绍兴
        ("杭州庚辛负极材料有限公司", "none", []),  # another city: not this firm
        ("乙电器有限公司", "normalized", ["yi-nb", "yi-sz"]),  # ambiguous: reported
        ("浙江乙电器有限公司", "normalized", ["yi-nb", "yi-sz"]),  # both in 浙江: ambiguous
        ("嵊州市乙电器有限公司", "normalized", ["yi-sz"]),
        ("乙电器(宁波)有限公司", "normalized", ["yi-nb"]),
        ("北京丙电器有限公司", "none", []),  # 上海's 丙电器 is another firm
        ("丙电器", "normalized", ["bing-sh"]),
    ],
)
def test_index_matches_registered_and_short_names(name: str, how: str, ids: list[str]) -> None:
    match = index().match(name)
    assert (match.how, match.ids) == (how, ids)
    assert match.unique == (ids[0] if len(ids) == 1 else None)


# --- the division table and the place parser ----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code", "province", "city", "county"),
    [
        ("浙江省绍兴市嵊州市浦口街道浙锻路68号", "330683", "浙江省", "绍兴市", "嵊州市"),
        ("浙江省绍兴市嵊州市经济开发区城东区", "330683", "浙江省", "绍兴市", "嵊州市"),
        ("嵊州经济开发区", "330683", "浙江省", "绍兴市", "嵊州市"),
        ("中国浙江省宁波市", "330200", "浙江省", "宁波市", ""),
        ("宁波", "330200", "浙江省", "宁波市", ""),
        ("浙江", "330000", "浙江省", "", ""),
        ("杭州市余杭区", "330110", "浙江省", "杭州市", "余杭区"),
        ("北京市海淀区中关村大街1号", "110108", "北京市", "北京市", "海淀区"),
        ("南京市浦口区", "320111", "江苏省", "南京市", "浦口区"),
        ("湖北省仙桃市", "429004", "湖北省", "", "仙桃市"),  # under the province directly
        ("广西南宁", "450100", "广西壮族自治区", "南宁市", ""),
        ("  浙江省 绍兴市 ", "330600", "浙江省", "绍兴市", ""),  # spaces ignored
    ],
)
def test_parse_place(text: str, code: str, province: str, city: str, county: str) -> None:
    match = parse_place(text)
    assert match.division is not None, text
    assert match.code == code
    assert (match.division.province, match.division.city, match.division.county) == (
        province,
        city,
        county,
    )


@pytest.mark.parametrize(
    ("text", "code", "candidates"),
    [
        ("新华区", "", 3),  # in three cities of two provinces: nothing agreed, reported
        ("吉林", "220000", 2),  # the province and its city: only the province is sure
        ("朝阳区", "", 2),  # 北京 and 长春
    ],
)
def test_ambiguous_places_are_reported_not_guessed(text: str, code: str, candidates: int) -> None:
    match = parse_place(text)
    assert match.ambiguous
    assert match.code == code
    assert len(match.candidates) >= candidates


@pytest.mark.parametrize("text", ["浦口街道", "某某路1号", "", "新能源装备产业平台", "储能"])
def test_text_without_a_division(text: str) -> None:
    assert parse_place(text).division is None
    assert parse_place(text).candidates == [] or text == ""


def test_division_has_coordinates_and_rejects_unknown_codes() -> None:
    d = division("330683")
    assert d.name == "浙江省绍兴市嵊州市" and d.level == "county"
    assert d.lat is not None and d.lon is not None
    assert 29 < d.lat < 30 and 120 < d.lon < 121
    assert division("330683000000") == d  # a 12-digit code is cut to six
    assert division("110108").city == "北京市"  # a municipality is its own city
    with pytest.raises(UnknownEntity, match="'999999'"):
        division("999999")


def test_place_name_needs_the_whole_text() -> None:
    assert place_name("嵊州").code == "330683"
    assert place_name("嵊州市").code == "330683"
    assert place_name("嵊州高新").code == ""


@pytest.mark.parametrize(
    ("full_name", "province", "city"),
    [
        ("深圳市星源材质科技股份有限公司", "广东省", "深圳市"),
        ("湖南裕能新能源电池材料股份有限公司", "湖南省", ""),
        ("浙江帅丰电器股份有限公司", "浙江省", ""),
        ("宁波美诺华药业股份有限公司", "浙江省", "宁波市"),
        ("比亚迪股份有限公司", None, None),
        ("沙河实业股份有限公司", None, None),  # a county's short name is not read first
        ("中国石油天然气股份有限公司", None, None),
    ],
)
def test_infer_firm_place_from_registered_name(
    full_name: str, province: str | None, city: str | None
) -> None:
    place = infer_firm_place(full_name)
    if province is None:
        assert place is None
        return
    assert place is not None
    assert (place.division.province, place.division.city) == (province, city)
    assert place.grade == "inferred" and place.basis.startswith("注册名称以")
