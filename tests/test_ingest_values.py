"""Cell values, firm-name normalisation and header mapping of the importer, one rule a test."""

from __future__ import annotations

from pathlib import Path

import pytest

from chaingraph.errors import InvalidGraphData
from chaingraph.ingest.mapping import Mapping, load_mapping, map_columns, normalize_header
from chaingraph.ingest.names import FirmIndex, new_firm_id, normalize_firm_name
from chaingraph.ingest.values import (
    credit_check_char,
    parse_amount,
    parse_bool,
    parse_count,
    parse_credit_code,
    split_names,
)

# --- amounts --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "unit", "yuan"),
    [
        ("3000", "万元", 30_000_000),
        ("3,000", "万元", 30_000_000),
        ("１２,３４５", "元", 12_345),  # full-width digits
        ("1.2亿", "万元", 120_000_000),  # the cell's unit wins over the header's
        ("1.2亿元", None, 120_000_000),
        ("5000万", None, 50_000_000),
        ("2.5", "亿元", 250_000_000),
        ("1,234,567.5", "元", 1_234_567.5),
        ("¥ 800万元", None, 8_000_000),
    ],
)
def test_amounts_are_normalised_to_yuan_and_keep_the_text(
    text: str, unit: str | None, yuan: float
) -> None:
    amount = parse_amount(text, unit)
    assert amount.yuan == yuan
    assert amount.text == text.strip()


def test_whole_amounts_are_ints() -> None:
    assert isinstance(parse_amount("1.5", "万元").yuan, int)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("1,2亿", "not a thousands separator"),
        ("12,34", "not a thousands separator"),
        ("约3000万", "approximate"),
        ("超1亿", "approximate"),
        ("3000万左右", "approximate"),
        ("3000-5000", "range"),
        ("三千万", "unreadable"),
        ("", "empty"),
    ],
)
def test_bad_amounts_are_refused_with_a_reason(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_amount(text, "万元")


def test_an_amount_without_any_unit_is_refused() -> None:
    with pytest.raises(ValueError, match="no unit"):
        parse_amount("3000", None)


def test_counts() -> None:
    assert parse_count("１,２００人") == 1200
    with pytest.raises(ValueError, match="approximate"):
        parse_count("约500")


# --- yes/no, lists, credit codes ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [("是", True), ("否", False), ("Y", True), ("0", False), ("√", True), ("规下", False)],
)
def test_yes_no(text: str, value: bool) -> None:
    assert parse_bool(text) is value


def test_unreadable_yes_no() -> None:
    with pytest.raises(ValueError, match="是 or 否"):
        parse_bool("大概")


def test_names_split_on_every_separator() -> None:
    assert split_names("甲、乙,丙，丁;戊；己\n庚") == ["甲", "乙", "丙", "丁", "戊", "己", "庚"]


def make_code(body: str) -> str:
    """A credit code with a correct check character (test data, not a real firm's code)."""
    return body + credit_check_char(body)


def test_credit_code_check_character() -> None:
    code = make_code("91330683000000001")
    assert parse_credit_code(code.lower()) == code
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    with pytest.raises(ValueError, match="check character"):
        parse_credit_code(wrong)
    with pytest.raises(ValueError, match="17 characters"):
        parse_credit_code(code[:-1])
    with pytest.raises(ValueError, match="not allowed: IO"):
        parse_credit_code("91330683000000I0OX")


# --- firm names -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("ＡＢＣ电器有限公司", "abc电器"),  # width and case
        ("甲电器（嵊州）有限公司", "甲电器"),  # full-width brackets, place in brackets
        ("甲电器(嵊州市)有限公司", "甲电器"),
        ("甲电器【浙江】", "甲电器"),
        ("甲电器股份有限公司", "甲电器"),
        ("甲电器有限责任公司", "甲电器"),
        ("甲电器集团有限公司", "甲电器"),
        ("甲电器(集团)股份有限公司", "甲电器"),
        ("甲 电器 公司", "甲电器"),
        ("嵊州市甲电器有限公司", "甲电器有限公司"),  # a leading place (the key keeps it apart)
        ("浙江汉科新材料有限公司", "汉科新材料"),
    ],
)
def test_normalised_names_match(a: str, b: str) -> None:
    assert normalize_firm_name(a) == normalize_firm_name(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("甲科技有限公司", "甲有限公司"),  # industry words are kept
        ("甲电器(储能)有限公司", "甲电器有限公司"),  # a bracket that is not a place is kept
        ("上海电气有限公司", "电气有限公司"),  # a leading place is kept when little remains
    ],
)
def test_normalised_names_keep_what_tells_firms_apart(a: str, b: str) -> None:
    assert normalize_firm_name(a) != normalize_firm_name(b)


def test_a_bare_legal_form_normalises_to_itself_not_to_nothing() -> None:
    assert normalize_firm_name("有限公司") == "有限公司"


def test_new_ids_are_stable_ascii() -> None:
    code = make_code("91330683000000001")
    assert new_firm_id(code, "甲") == f"firm-{code.lower()}"
    first = new_firm_id(None, "甲电器(嵊州)有限公司")
    assert first == new_firm_id(None, "甲电器股份有限公司")
    assert first.startswith("firm-") and len(first) == 13 and first.isascii()
    assert new_firm_id(None, "甲电器", taken=[first]) != first


def test_index_order_code_then_exact_then_normalised() -> None:
    index = FirmIndex()
    code = make_code("91330683000000001")
    index.add("by-code", ["丙"], code)
    index.add("by-alias", ["甲公司", "甲"])
    index.add("by-norm", ["乙电器有限公司"])
    assert (index.match("甲", code).how, index.match("甲", code).ids) == (
        "credit_code",
        ["by-code"],
    )
    assert index.match("甲").ids == ["by-alias"]
    assert (index.match("乙电器(嵊州)股份有限公司").how) == "normalized"
    assert index.match("丁").how == "none"


# --- headers --------------------------------------------------------------------------------


def test_header_normalisation_and_units() -> None:
    mapping = Mapping()
    assert normalize_header(" 产值（ 万元 ） ") == "产值(万元)"
    assert mapping.field_of("产值（亿元）") == ("output", "亿元")
    assert mapping.field_of("年产值/万元") == ("output", "万元")
    assert mapping.field_of("Credit Code") == ("credit_code", None)
    assert mapping.field_of("所在园区/所在地区") == ("park", None)
    assert mapping.field_of("备注") == (None, None)


def test_mapping_file_overrides_defaults(tmp_path: Path) -> None:
    path = tmp_path / "map.yaml"
    path.write_text(
        "columns:\n  企业全称（工商）: name\n  名称: ignore\n  年度营收: output\n"
        "units:\n  output: 万元\n",
        encoding="utf-8",
    )
    mapping = load_mapping(path)
    assert mapping.field_of("企业全称(工商)") == ("name", None)
    assert mapping.field_of("名称") == ("ignore", None)
    assert mapping.units == {"output": "万元"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("columns:\n  A: nonsense\n", "unknown field 'nonsense'"),
        ("units:\n  output: 斤\n", "only 'output' takes a unit"),
        ("colums:\n  A: name\n", "unknown key 'colums'"),
        ("- a\n", "must be a mapping"),
        ("columns:\n  企业名称: [name]\n", r"unknown field '\['name'\]'"),
        ("units:\n  output: [万元]\n", "only 'output' takes a unit"),
    ],
)
def test_bad_mapping_files_name_the_file(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "map.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidGraphData, match=message) as info:
        load_mapping(path)
    assert "map.yaml" in str(info.value)


def test_a_title_row_above_the_header_is_skipped() -> None:
    rows = [(1, ["嵊州经济开发区企业名单", "", ""]), (2, ["序号", "企业名称", "产值(万元)"])]
    columns = map_columns(rows, Mapping(), "list.xlsx")
    assert columns.header_row == 2
    assert columns.fields == {"name": [1], "output": [2]}
    assert columns.units == {2: "万元"}
    assert columns.ignored == ["序号"]


def test_no_name_column_is_an_error_that_lists_the_headers() -> None:
    with pytest.raises(InvalidGraphData, match="no column holds the firm name.*'单位', '金额'"):
        map_columns([(1, ["单位", "金额"])], Mapping(), "list.csv")


@pytest.mark.parametrize("text", ["99999999999亿元", "10000000000000000", "2000000000000万"])
def test_amounts_beyond_the_bound_are_bad_cells(text: str) -> None:
    with pytest.raises(ValueError, match="beyond 10\\^15"):
        parse_amount(text)


def test_counts_beyond_the_bound_are_bad_cells() -> None:
    with pytest.raises(ValueError, match="beyond 10\\^15"):
        parse_count("9" * 400)
