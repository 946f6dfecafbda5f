"""Places: China's administrative divisions from a real table, and the parser that reads them.

The table (``data/divisions.csv``, 3,511 provinces, prefecture-level cities and counties with
their 6-digit codes and coordinates) comes from the ``cpca`` package (MIT; see
``data/DIVISIONS-LICENSE.txt`` for origin and vintage). Nothing here names a place: every name
is read from the table.

- :func:`division` — a 6-digit code as ``Division(code, province, city, county, lat, lon)``;
- :func:`parse_place` — region or address text (``浙江省绍兴市嵊州市浦口街道…``) as the deepest
  division it names, or the candidates when a name is ambiguous (``新华区`` is in three
  cities): ambiguous text is reported, never guessed;
- :func:`leading_place` — the places a text starts with and the rest (firm names:
  ``浙江汉科新材料`` → 浙江省 + ``汉科新材料``);
- :func:`place_name` — the division a whole text names (a bracket in a firm name);
- :func:`infer_firm_place` — a firm's province / city read from its registered name, graded
  inferred, with the basis;
- :func:`within` / :func:`same_area` — how two codes relate (for "local" and distances).

Names are matched in full (``嵊州市``) and in short form (``嵊州``: the name without its
市 / 县 / 区 / 省 / 自治区 … suffix, at least two characters). A short form directly followed
by 街道 / 镇 / 乡 / 村 / 路 / 街 names a street, not the division, and is not matched.
"""

from __future__ import annotations

import csv
import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from .errors import UnknownEntity
from .model import ChainGraph, Grade, Kind

DATA = Path(__file__).resolve().parent / "data" / "divisions.csv"

#: rows of the table that group divisions but are not places with a name of their own
PSEUDO_NAMES = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})
#: suffixes removed to form a division's short name, longest first
_PROVINCE_SUFFIXES = (
    "维吾尔自治区",
    "壮族自治区",
    "回族自治区",
    "特别行政区",
    "自治区",
    "省",
    "市",
)
_CITY_SUFFIXES = ("地区", "市", "盟")
_COUNTY_SUFFIXES = ("市", "县", "区", "旗")
_AUTONOMOUS_RE = re.compile(r"^(.{2,}?)(?:[^族]{1,3}族)+自治[州县旗]$")
#: what may follow a short name that then names a street or a village, not the division
_NOT_AFTER = ("街道", "镇", "乡", "村", "路", "街", "大道", "社区")
#: words a region text may start with before its first division
_COUNTRY = ("中华人民共和国", "中国")


class Division(NamedTuple):
    """One administrative division: its code and the names of its province, city and county.

    ``city`` is empty for a province and for a county-level city under a province directly
    (仙桃市); for the four municipalities it is the municipality. ``county`` is empty above
    county level. ``lat`` / ``lon`` are None where the table has no coordinates.
    """

    code: str
    province: str
    city: str
    county: str
    lat: float | None
    lon: float | None

    @property
    def level(self) -> str:
        """'province', 'city' or 'county'."""
        if self.code.endswith("0000"):
            return "province"
        return "city" if self.code.endswith("00") else "county"

    @property
    def name(self) -> str:
        """The full name: province, city and county joined (``浙江省绍兴市嵊州市``)."""
        parts = [self.province, self.city if self.city != self.province else "", self.county]
        return "".join(p for p in parts if p)


@dataclass
class _Table:
    names: dict[str, str] = field(default_factory=dict)
    coords: dict[str, tuple[float | None, float | None]] = field(default_factory=dict)
    #: full name or short name -> codes, and whether the key is a short name
    tokens: dict[str, set[str]] = field(default_factory=dict)
    short: set[str] = field(default_factory=set)
    longest: int = 0
    #: the first two characters of the tokens -> the lengths of the tokens they start, longest
    #: first (a text whose start is not here names no division there: one look-up)
    sizes: dict[str, tuple[int, ...]] = field(default_factory=dict)


def _num(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _short(name: str, level: str) -> str:
    """The short name of a division, or '' when it has none of at least two characters.

    >>> _short("浙江省", "province"), _short("延边朝鲜族自治州", "city"), _short("城区", "county")
    ('浙江', '延边', '')
    """
    match = _AUTONOMOUS_RE.match(name)
    if match:
        return match.group(1)
    suffixes = {"province": _PROVINCE_SUFFIXES, "city": _CITY_SUFFIXES}.get(level, _COUNTY_SUFFIXES)
    for suffix in suffixes:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return ""


@functools.cache
def _table() -> _Table:
    table = _Table()
    with DATA.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            code = row["code"]
            table.names[code] = row["name"]
            table.coords[code] = (_num(row["lat"]), _num(row["lon"]))
    for code, name in table.names.items():
        if name in PSEUDO_NAMES:
            continue
        level = _level(code)
        keys = [name]
        short = _short(name, level)
        if short and short != name:
            keys.append(short)
            table.short.add(short)
        for key in keys:
            table.tokens.setdefault(key, set()).add(code)
    for key in list(table.short):  # a full name of one division is never a short name
        if any(table.names.get(c) == key for c in table.tokens[key]):
            table.short.discard(key)
    table.longest = max(map(len, table.tokens))
    sizes: dict[str, set[int]] = {}
    for key in table.tokens:
        sizes.setdefault(key[:2], set()).add(len(key))
    table.sizes = {start: tuple(sorted(n, reverse=True)) for start, n in sizes.items()}
    return table


def _level(code: str) -> str:
    if code.endswith("0000"):
        return "province"
    return "city" if code.endswith("00") else "county"


def within(code: str, area: str) -> bool:
    """True when division ``code`` lies in division ``area`` (or is it).

    >>> within("330683", "330000"), within("330683", "330600"), within("330683", "330100")
    (True, True, False)
    """
    if area.endswith("0000"):
        return code[:2] == area[:2]
    if area.endswith("00"):
        return code[:4] == area[:4]
    return code == area


def same_area(a: str, b: str) -> bool:
    """True when one of two division codes lies within the other."""
    return within(a, b) or within(b, a)


def division(code: str) -> Division:
    """The division with this 6-digit code (a 12-digit code is cut to its first six).

    Raises UnknownEntity for a code the table does not hold.

    >>> d = division("330683")
    >>> d.province, d.city, d.county, d.level
    ('浙江省', '绍兴市', '嵊州市', 'county')
    >>> round(d.lat, 2), round(d.lon, 2)
    (29.56, 120.83)
    >>> division("330600").county, division("330000").city
    ('', '')
    """
    table = _table()
    key = str(code).strip()[:6]
    if key not in table.names:
        raise UnknownEntity(
            f"Unknown administrative division code '{code}'. Give a 6-digit code of the "
            "division table (e.g. the code 'parse_place' returns)"
        )
    return _division(key)


@functools.cache
def _division(key: str) -> Division:
    """The division of a code the table holds (made once: names name the same few often)."""
    table = _table()
    province = table.names.get(key[:2] + "0000", "")
    city_code = key[:4] + "00"
    city = "" if key.endswith("0000") else table.names.get(city_code, "")
    if city == "市辖区" or (city in PSEUDO_NAMES and key[:2] in _MUNICIPALITIES):
        city = province
    elif city in PSEUDO_NAMES:
        city = ""
    county = table.names[key] if _level(key) == "county" else ""
    lat, lon = table.coords[key]
    if lat is None and _level(key) == "county":
        lat, lon = table.coords.get(city_code, (None, None))
    return Division(key, province, city, county, lat, lon)


#: province-level codes of the four municipalities (their counties sit under 市辖区 / 县)
_MUNICIPALITIES = frozenset({"11", "12", "31", "50"})


@dataclass
class PlaceMatch:
    """What a text says about a place.

    ``text`` is the part of the input that named it; ``division`` the deepest division every
    reading agrees on (None when nothing was named, or the readings share no province);
    ``candidates`` the codes of all readings, more than one when a name is ambiguous.
    """

    text: str = ""
    division: Division | None = None
    candidates: list[str] = field(default_factory=list)

    @property
    def ambiguous(self) -> bool:
        """True when the readings disagree below ``division`` (or share nothing)."""
        return len(self.candidates) > 1

    @property
    def code(self) -> str:
        """The 6-digit code of ``division``, '' when none."""
        return self.division.code if self.division else ""


def _fold(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _token_at(text: str, pos: int, table: _Table) -> tuple[str, set[str]] | None:
    """The longest division name starting at ``pos`` (not a street's name)."""
    room = len(text) - pos
    for size in table.sizes.get(text[pos : pos + 2], ()):
        if size > room:
            continue
        word = text[pos : pos + size]
        codes = table.tokens.get(word)
        if codes is None:
            continue
        if word in table.short and text.startswith(_NOT_AFTER, pos + size):
            continue
        return word, codes
    return None


def _scan(text: str, table: _Table, short_first: bool = True) -> tuple[int, set[str]]:
    """How many leading characters name places, and the codes they agree on.

    With ``short_first`` False, a county's short name cannot stand first (``江山欧派``,
    ``沙河实业``: brand words more often than places); after a province or city it can.
    """
    pos = 0
    for word in _COUNTRY:
        if text.startswith(word):
            pos = len(word)
            break
    start = pos
    found: set[str] = set()
    while pos < len(text):
        hit = _token_at(text, pos, table)
        if hit is None:
            break
        word, codes = hit
        if not found and not short_first and word in table.short:
            codes = {c for c in codes if _level(c) != "county"}
            if not codes:
                break
        if found:
            deeper = {c for c in codes if any(within(c, f) and c != f for f in found)}
            if not deeper:
                break  # a name of another area: not part of this place
            found = deeper
        else:
            found = set(codes)
        pos += len(word)
    return (pos if found else start), found


def _agreed(codes: Iterable[str]) -> Division | None:
    """The deepest division that contains every code (None if they share no province)."""
    codes = sorted(codes)
    if not codes:
        return None
    first = codes[0]
    for size in (6, 4, 2):
        prefix = first[:size]
        if all(c[:size] == prefix for c in codes):
            area = prefix.ljust(6, "0")
            if area in _table().names and _table().names[area] not in PSEUDO_NAMES:
                return division(area)
            if size == 4 and area in _table().names:  # a pseudo city: take the province
                continue
    return None


def parse_place(text: str) -> PlaceMatch:
    """The division a region or address text names at its start.

    Names are read left to right, each one inside the previous (province, city, county);
    a county or city may stand first (``嵊州市…``). The rest of the text (street, number,
    park) is ignored.

    Examples
    --------
    >>> m = parse_place("浙江省绍兴市嵊州市浦口街道浙锻路68号")
    >>> m.text, m.code, m.division.county
    ('浙江省绍兴市嵊州市', '330683', '嵊州市')
    >>> parse_place("嵊州经济开发区").division.name
    '浙江省绍兴市嵊州市'
    >>> m = parse_place("新华区")
    >>> m.ambiguous, m.division, len(m.candidates) > 1
    (True, None, True)
    >>> parse_place("某某路1号").division is None
    True
    """
    table = _table()
    folded = _fold(text)
    end, codes = _scan(folded, table)
    if not codes:
        return PlaceMatch()
    return PlaceMatch(folded[:end], _agreed(codes), sorted(codes))


def leading_place(text: str, keep: int = 2) -> tuple[PlaceMatch, str]:
    """The places a text starts with, and the rest; at least ``keep`` characters are kept.

    >>> m, rest = leading_place("浙江汉科新材料")
    >>> m.division.province, rest
    ('浙江省', '汉科新材料')
    >>> leading_place("上海电气", keep=3)[1]
    '上海电气'
    >>> leading_place("江山欧派门业")[1]  # a county's short name standing first is kept
    '江山欧派门业'
    """
    table = _table()
    if text[:2] not in table.sizes and not text.startswith(_COUNTRY):
        return PlaceMatch(), text  # (what _scan finds then: most firm names start so)
    end, codes = _scan(text, table, short_first=False)
    if not codes or len(text) - end < keep:
        return PlaceMatch(), text
    return PlaceMatch(text[:end], _agreed(codes), sorted(codes)), text[end:]


def place_name(text: str) -> PlaceMatch:
    """The division a whole text names (``嵊州``, ``嵊州市``, ``浙江``), else an empty match.

    >>> place_name("嵊州").code, place_name("储能").code
    ('330683', '')
    """
    table = _table()
    folded = _fold(text)
    end, codes = _scan(folded, table)
    if not codes or end != len(folded):
        return PlaceMatch()
    return PlaceMatch(folded, _agreed(codes), sorted(codes))


@dataclass
class InferredPlace:
    """A firm's place read from its registered name: always graded inferred, with its basis."""

    division: Division
    basis: str
    grade: str = Grade.INFERRED.value


def infer_firm_place(full_name: str) -> InferredPlace | None:
    """The province / city a registered firm name starts with (``深圳市星源材质…`` → 深圳市).

    Registered names (企业名称) usually begin with the division where the firm registered;
    many listed firms' do not (``比亚迪股份有限公司``): then None. A name whose leading place
    is ambiguous gives the area all readings share, or None.

    >>> p = infer_firm_place("深圳市星源材质科技股份有限公司")
    >>> p.division.province, p.division.city, p.grade, p.basis
    ('广东省', '深圳市', 'inferred', '注册名称以“深圳市”开头')
    >>> infer_firm_place("比亚迪股份有限公司") is None
    True
    """
    match, _ = leading_place(_fold(full_name), keep=2)
    if match.division is None:
        return None
    return InferredPlace(match.division, f"注册名称以“{match.text}”开头")


# --- the dataset's own places -------------------------------------------------------------

_PLACE_KINDS = (Kind.ZONE, Kind.PARK, Kind.PLATFORM)
_BRACKET_RE = re.compile(r"[(（]([^()（）]+)[)）]")


def place_names(attrs: dict[str, object]) -> list[str]:
    """A zone's, park's or platform's names and aliases, and the parts of them in brackets.

    >>> place_names({"name": "甲开发区(乙园区)", "aliases": ["甲区"]})
    ['甲开发区(乙园区)', '甲区', '乙园区']
    """
    aliases = attrs.get("aliases")
    names = [str(attrs.get("name") or "")]
    names += [str(a) for a in aliases] if isinstance(aliases, list) else []
    names = [n for n in names if n]
    return names + [m for n in names for m in _BRACKET_RE.findall(n) if len(m) >= 2]


def zone_divisions(G: ChainGraph) -> set[str]:
    """Division codes of a dataset's own places: the ``region`` of its Zone, Park and
    Platform nodes and the division their names start with (``嵊州经济开发区`` → 嵊州市).

    Deciding "local" uses them as a veto: a place in another division is not the zone's,
    whatever its name shares with the zone's.

    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("z", kind="Zone", name="嵊州经济开发区(高新园区)")
    >>> G.add_node("p", kind="Park", name="某园", region="浙江省绍兴市")
    >>> sorted(zone_divisions(G))
    ['330600', '330683']
    """
    codes: set[str] = set()
    for _, attrs in G.nodes(data=True):
        if attrs.get("kind") not in _PLACE_KINDS:
            continue
        texts = [str(attrs["region"])] if attrs.get("region") else []
        texts += place_names(attrs)
        for text in texts:
            match = parse_place(text)
            if match.division is not None and not match.ambiguous:
                codes.add(match.division.code)
    return codes
