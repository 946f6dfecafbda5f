"""Which column holds which attribute: built-in Chinese/English headers and mapping files.

A header cell is normalised before matching (:func:`normalize_header`): NFKC, case folded,
whitespace, quote marks and ``*`` removed, brackets ``（）【】[]`` -> ``()``. A unit in a
trailing bracket or after a slash — ``产值(万元)``, ``产值（亿元）``, ``产值/元`` — is taken
off and becomes the column's unit; a cell with its own unit (``1.2亿``) still wins.

A mapping file (YAML) overrides or extends the defaults::

    columns:                 # header as written in the sheet -> field
      企业全称: name
      年产值（亿元）: output   # the unit comes from the header as usual
      备注: ignore           # ignore a column explicitly
    units:                   # optional: unit of a column whose header carries none
      output: 万元
    sheet: 企业名单           # optional: default sheet (the --sheet option wins)
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import safe_yaml
from ..errors import InvalidGraphData
from .values import UNIT_YUAN

#: the fields a column can fill, and what they mean
FIELDS: dict[str, str] = {
    "name": "firm name (required)",
    "credit_code": "统一社会信用代码, 18 characters",
    "aliases": "other names / 简称, several separated by 、,;",
    "chain": "chain name, alias or id; restricts the segment lookup",
    "segment": "segment (环节) name, alias or id; several separated by 、,;",
    "park": "park, platform or zone the firm is in (decides local vs external)",
    "region": "region of the firm (decides local vs external when no park is given)",
    "above_size": "规上: 是/否",
    "output": "annual output value; unit from the header (万元/亿元/元) or the cell",
    "employees": "number of employees",
    "products": "main products, several separated by 、,;",
    "business_scope": "经营范围 as registered (matched against segment keywords)",
    "sw_l3": "申万 level-3 industry, e.g. 电池化学品 (matched against segment sw_industries)",
    "customers": "main customers (firm names): become SUPPLIES firm -> customer",
    "suppliers": "main suppliers (firm names): become SUPPLIES supplier -> firm",
    "source": "where the row's information comes from (kept in the citation)",
    "ignore": "a column to skip",
}

#: built-in headers (after :func:`normalize_header`, unit removed) for each field
DEFAULT_HEADERS: dict[str, tuple[str, ...]] = {
    "name": (
        "企业名称",
        "企业全称",
        "公司名称",
        "单位名称",
        "企业",
        "名称",
        "name",
        "firm",
        "company",
        "firm_name",
        "company_name",
    ),
    "credit_code": (
        "统一社会信用代码",
        "社会信用代码",
        "信用代码",
        "统一代码",
        "credit_code",
        "creditcode",
        "uscc",
    ),
    "aliases": ("简称", "企业简称", "别名", "aliases", "alias", "short_name"),
    "chain": ("所属产业链", "产业链", "所属链条", "chain"),
    "segment": ("所属环节", "产业链环节", "环节", "所属产业链环节", "segment"),
    "park": (
        "所在园区",
        "园区",
        "所在平台",
        "所在园区/所在地区",
        "所在园区/地区",
        "所属园区",
        "park",
        "park/region",
    ),
    "region": ("所在地区", "地区", "所在地", "注册地", "区域", "region", "location"),
    "above_size": ("是否规上", "规上", "是否规上企业", "规上企业", "above_size"),
    "output": ("产值", "年产值", "工业产值", "总产值", "工业总产值", "output", "output_cny"),
    "employees": ("员工人数", "从业人数", "职工人数", "employees"),
    "products": ("主要产品", "产品", "主营产品", "products"),
    "business_scope": ("经营范围", "经营范围(主营)", "business_scope", "scope"),
    "sw_l3": ("申万三级行业", "申万三级", "申万行业(三级)", "申万行业", "sw_l3", "industry"),
    "customers": ("主要客户", "客户", "customers"),
    "suppliers": ("主要供应商", "供应商", "suppliers"),
    "source": ("来源", "信息来源", "数据来源", "source"),
}

_DROP_RE = re.compile(r"[\s“”‘’\"'*＊]+")
_BRACKETS = str.maketrans({"（": "(", "）": ")", "【": "(", "】": ")", "[": "(", "]": ")"})
_UNITS = "|".join(sorted((re.escape(u) for u in UNIT_YUAN), key=len, reverse=True))
_UNIT_RE = re.compile(
    rf"^(?P<base>.+?)(?:\((?P<u1>{_UNITS})\)|/(?P<u2>{_UNITS})|(?P<u3>{_UNITS}))$"
)


def normalize_header(text: str) -> str:
    """A header cell in the form mappings are matched in.

    >>> normalize_header(" 产值（万元） "), normalize_header("Credit Code")
    ('产值(万元)', 'creditcode')
    """
    folded = unicodedata.normalize("NFKC", text).casefold().translate(_BRACKETS)
    return _DROP_RE.sub("", folded)


def split_unit(header: str) -> tuple[str, str | None]:
    """Split a normalised header into (base, unit): ``产值(万元)`` -> (``产值``, ``万元``).

    >>> split_unit("产值(万元)"), split_unit("产值/亿元"), split_unit("企业名称")
    (('产值', '万元'), ('产值', '亿元'), ('企业名称', None))
    """
    match = _UNIT_RE.match(header)
    if not match:
        return header, None
    unit = match.group("u1") or match.group("u2") or match.group("u3")
    return match.group("base"), unit


@dataclass
class Mapping:
    """Header -> field rules: ``columns`` (normalised header -> field) and ``units``."""

    columns: dict[str, str] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)
    sheet: str | None = None
    file: str = ""

    def field_of(self, header: str) -> tuple[str | None, str | None]:
        """The (field, unit) a header cell maps to; field None if unknown."""
        norm = normalize_header(header)
        if not norm:
            return None, None
        base, unit = split_unit(norm)
        for key in (norm, base):
            if key in self.columns:
                return self.columns[key], unit
        english = base.replace(" ", "_")
        for name, headers in DEFAULT_HEADERS.items():
            if norm in headers or base in headers or english in headers:
                return name, unit
        return None, unit


def _sheet_name(sheet: Any, path: Path) -> str | None:
    """The mapping file's ``sheet:`` as text (a sheet may be named 2023)."""
    if isinstance(sheet, int) and not isinstance(sheet, bool):
        return str(sheet)
    if sheet is not None and not isinstance(sheet, str):
        raise InvalidGraphData(f"Mapping file '{path}': 'sheet' must be the name of a sheet")
    return sheet


def load_mapping(path: str | Path | None) -> Mapping:
    """Read a mapping YAML file (see the module docstring); None gives the defaults.

    Raises InvalidGraphData naming the file for an unknown field, unit or key.
    """
    if path is None:
        return Mapping()
    path = Path(path)
    try:
        data: Any = safe_yaml.load(path, str(path), lines=False)
    except safe_yaml.YamlError as exc:
        raise InvalidGraphData(f"Mapping file {exc}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InvalidGraphData(f"Mapping file '{path}' must be a mapping with 'columns:'")
    unknown_keys = sorted(set(data) - {"columns", "units", "sheet"})
    if unknown_keys:
        raise InvalidGraphData(
            f"Mapping file '{path}': unknown key '{unknown_keys[0]}'. "
            "Use columns:, units: and sheet:"
        )
    mapping = Mapping(file=str(path), sheet=_sheet_name(data.get("sheet"), path))
    columns = data.get("columns") or {}
    if not isinstance(columns, dict):
        raise InvalidGraphData(f"Mapping file '{path}': 'columns' must map header -> field")
    for header, name in columns.items():
        if not isinstance(name, str) or name not in FIELDS:
            raise InvalidGraphData(
                f"Mapping file '{path}': column '{header}' maps to unknown field '{name}'. "
                f"Fields: {', '.join(FIELDS)}"
            )
        mapping.columns[normalize_header(str(header))] = str(name)
    units = data.get("units") or {}
    if not isinstance(units, dict):
        raise InvalidGraphData(f"Mapping file '{path}': 'units' must map field -> unit")
    for name, unit in units.items():
        if name != "output" or not isinstance(unit, str) or unit not in UNIT_YUAN:
            raise InvalidGraphData(
                f"Mapping file '{path}': units: '{name}: {unit}' — only 'output' takes a unit, "
                f"one of {', '.join(UNIT_YUAN)}"
            )
        mapping.units[str(name)] = str(unit)
    return mapping


@dataclass
class Columns:
    """The columns of a sheet: header row, field -> column indexes, units, ignored headers."""

    header_row: int
    headers: list[str]
    fields: dict[str, list[int]]
    units: dict[int, str]
    ignored: list[str]


def map_columns(rows: list[tuple[int, list[str]]], mapping: Mapping, where: str) -> Columns:
    """Find the header row (the first of the first 10 rows with a name column) and map it.

    A title row above the header (a merged cell such as ``嵊州经济开发区企业名单``) is
    skipped. Raises InvalidGraphData when no row has a firm-name column.
    """
    for number, cells in rows[:10]:
        mapped = [mapping.field_of(cell) for cell in cells]
        if not any(name == "name" for name, _ in mapped):
            continue
        fields: dict[str, list[int]] = {}
        units: dict[int, str] = {}
        ignored: list[str] = []
        for col, ((name, unit), header) in enumerate(zip(mapped, cells, strict=True)):
            if name is None:
                if header:
                    ignored.append(header)
                continue
            if name == "ignore":
                continue
            fields.setdefault(name, []).append(col)
            if unit:
                units[col] = unit
        if len(fields["name"]) > 1:
            names = ", ".join(f"'{cells[c]}'" for c in fields["name"])
            raise InvalidGraphData(
                f"{where}: several columns hold the firm name ({names}). "
                "Say which one in a mapping file (columns: {HEADER: ignore})"
            )
        return Columns(number, cells, fields, units, ignored)
    first = next((cells for _, cells in rows if any(cells)), [])
    listing = ", ".join(f"'{c}'" for c in first if c) or "none"
    raise InvalidGraphData(
        f"{where}: no column holds the firm name (企业名称 / name); headers: {listing}. "
        "Give a mapping file: --mapping MAP.yaml with 'columns: {HEADER: name}'"
    )
