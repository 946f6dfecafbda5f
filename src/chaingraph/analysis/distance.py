"""How far a firm is from the zone, from 6-digit administrative-division codes (行政区划代码).

A division code reads ``PPCCXX``: province ``PP``, city ``PPCC``, county ``PPCCXX``. The
zone's code comes from the dataset (the Zone node's ``division_code``, else its ``region``
parsed against the division table, else the code most local firms carry); a firm's from its
``division_code``, else its ``region`` / ``address`` parsed the same way. No place name is
written here: the only table is which province codes share a land border.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

from ..model import ChainGraph, Kind
from ._context import attrs_of

SAME_CITY, SAME_PROVINCE, NEIGHBOUR, FAR, UNKNOWN = (
    "same_city",
    "same_province",
    "neighbour_province",
    "far",
    "unknown",
)
BAND_ZH: dict[str, str] = {
    SAME_CITY: "同市",
    SAME_PROVINCE: "同省",
    NEIGHBOUR: "邻省",
    FAR: "省外",
    UNKNOWN: "所在地不详",
}

_CODE_RE = re.compile(r"^\d{6}$")

#: province-level codes that share a land border (GB/T 2260 first two digits)
_BORDERS: dict[str, tuple[str, ...]] = {
    "11": ("12", "13"),
    "12": ("13",),
    "13": ("14", "15", "21", "37", "41"),
    "14": ("15", "41", "61"),
    "15": ("21", "22", "23", "61", "62", "64"),
    "21": ("22",),
    "22": ("23",),
    "31": ("32", "33"),
    "32": ("33", "34", "37"),
    "33": ("34", "35", "36"),
    "34": ("36", "37", "41", "42"),
    "35": ("36", "44"),
    "36": ("42", "43", "44"),
    "37": ("41",),
    "41": ("42", "61"),
    "42": ("43", "50", "61"),
    "43": ("44", "45", "50", "52"),
    "44": ("45", "81", "82"),
    "45": ("52", "53"),
    "50": ("51", "52", "61"),
    "51": ("52", "53", "54", "61", "62", "63"),
    "52": ("53",),
    "53": ("54",),
    "54": ("63", "65"),
    "61": ("62", "64"),
    "62": ("63", "64", "65"),
    "63": ("65",),
}


def _neighbours() -> dict[str, frozenset[str]]:
    found: dict[str, set[str]] = {}
    for a, bs in _BORDERS.items():
        for b in bs:
            found.setdefault(a, set()).add(b)
            found.setdefault(b, set()).add(a)
    return {k: frozenset(v) for k, v in found.items()}


PROVINCE_NEIGHBOURS: dict[str, frozenset[str]] = _neighbours()


def division_code_of_text(text: str) -> str | None:
    """The 6-digit code of the division a region / address text names, via
    :func:`chaingraph.places.parse_place` (the deepest division all readings agree on).

    >>> division_code_of_text("浙江省宁波市北仑区"), division_code_of_text("新华区")
    ('330206', None)
    """
    from ..places import parse_place

    match = parse_place(text)
    return match.code or None


#: text -> 6-digit code (the division table); replace with :func:`use_place_parser`
_parser: Callable[[str], str | None] | None = division_code_of_text


def use_place_parser(parser: Callable[[str], str | None] | None) -> None:
    """Parse ``region`` / ``address`` text with ``parser`` (text -> 6-digit code or None)."""
    global _parser
    _parser = parser


def _parse(text: object) -> str | None:
    if _parser is None or not isinstance(text, str) or not text.strip():
        return None
    code = _parser(text)
    return code if isinstance(code, str) and _CODE_RE.match(code) else None


def division_of(attrs: Mapping[str, Any]) -> str | None:
    """A node's 6-digit division code: ``division_code``, else parsed ``region``/``address``."""
    code = attrs.get("division_code")
    if isinstance(code, str):
        code = code.strip()
        if len(code) == 6 and code.isascii() and code.isdigit():
            return code
    return _parse(attrs.get("region")) or _parse(attrs.get("address"))


def place_of(attrs: Mapping[str, Any]) -> tuple[str | None, str]:
    """(6-digit code, basis) of a firm's place: :func:`division_of` (basis ''), else the
    place its registered name (``full_name``) starts with, an inference whose basis says so.

    >>> place_of({"division_code": "330683"})
    ('330683', '')
    >>> place_of({"full_name": "浙江永太科技股份有限公司"})
    ('330000', '注册名称以“浙江”开头')
    """
    code = division_of(attrs)
    if code:
        return code, ""
    name = attrs.get("full_name")
    if isinstance(name, str) and name.strip():
        from ..places import infer_firm_place

        found = infer_firm_place(name)
        if found is not None:
            return found.division.code, found.basis
    return None, ""


def parse_region(text: str) -> str | None:
    """The division code a region text names (``湖南`` -> 430000), or None."""
    return _parse(text)


#: key of ``G.graph``: division code -> number of local firms with it, over a whole store,
#: when G is a part cut from it (see :func:`chaingraph.store.base.analysis_graph`)
LOCAL_DIVISIONS = "local_divisions"


def zone_division(G: ChainGraph) -> str | None:
    """The zone's division code from the dataset (see the module docstring), or None.

    The first zone with a code; else the commonest code of the local firms (those of the
    whole store when ``G.graph[LOCAL_DIVISIONS]`` gives them, else G's).
    """
    nodes = attrs_of(G)
    local: Counter[str] = Counter()
    for attrs in nodes.values():
        kind = attrs.get("kind")
        if kind == Kind.ZONE:
            code = division_of(attrs)
            if code:
                return code
        elif kind == Kind.FIRM and attrs.get("local"):
            code = attrs.get("division_code")
            if isinstance(code, str) and _CODE_RE.match(code):
                local[code] += 1
    given = G.graph.get(LOCAL_DIVISIONS)
    if isinstance(given, dict):
        local = Counter(
            {c: n for c, n in given.items() if isinstance(c, str) and _CODE_RE.match(c)}
        )
    if local:
        return sorted(local.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    return None


def distance_band(zone: str | None, code: str | None) -> str:
    """How far ``code`` is from ``zone``: same city, same province, neighbouring province,
    far, or unknown (either code missing).

    >>> distance_band("330683", "330602"), distance_band("330683", "320500")
    ('same_city', 'neighbour_province')
    >>> distance_band("330683", "330100"), distance_band("330683", "440300")
    ('same_province', 'far')
    >>> distance_band(None, "330100")
    'unknown'
    """
    if not zone or not code:
        return UNKNOWN
    if zone[:4] == code[:4]:
        return SAME_CITY
    if zone[:2] == code[:2]:
        return SAME_PROVINCE
    if code[:2] in PROVINCE_NEIGHBOURS.get(zone[:2], frozenset()):
        return NEIGHBOUR
    return FAR
