"""Firm names: the normalised form used to match a sheet's name to a firm in the graph.

:func:`normalize_firm_name` applies exactly these steps, in order:

1. NFKC (full-width letters, digits and brackets become half-width), case folding, and
   removal of all whitespace and of the quote marks “”‘’"' and the middle dot ·;
2. brackets ``（）【】[]〔〕`` become ``()``;
3. repeatedly, until nothing changes:

   - a bracketed place name anywhere is removed: ``(嵊州)``, ``(浙江)``, ``(嵊州市)`` ... —
     a bracket whose content is one of :data:`PLACE_NAMES`, optionally followed by
     省/市/县/区; a bracket with other content (``(储能)``) is kept;
   - one legal-form suffix is removed from the end, longest first: :data:`LEGAL_SUFFIXES`
     (股份有限公司, 有限责任公司, 有限公司, 股份公司, 集团, (集团), 公司).

Industry words (科技, 实业, 新材料, 电器, 制造 ...) are *not* removed: ``甲科技有限公司`` and
``甲有限公司`` are often two legal entities (a group and its tech subsidiary), and merging
them would be a guess. A place name that leads the name (``嵊州市甲电器``) is kept for the
same reason. A name that normalises to nothing (``有限公司``) matches nothing.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Container, Iterable
from dataclasses import dataclass, field

from ..model import ChainGraph, Kind

_PLACES = (
    # provinces and province-level cities / regions
    "北京 天津 上海 重庆 河北 山西 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 江西 山东 河南 湖北 "
    "湖南 广东 海南 四川 贵州 云南 陕西 甘肃 青海 台湾 内蒙古 广西 西藏 宁夏 新疆 香港 澳门 "
    # Zhejiang: cities, and Shaoxing's districts and counties
    "杭州 宁波 温州 嘉兴 湖州 绍兴 金华 衢州 舟山 台州 丽水 嵊州 新昌 诸暨 上虞 柯桥 越城 "
    # large cities that often appear in a subsidiary's bracket
    "深圳 广州 苏州 南京 无锡 常州 合肥 武汉 长沙 成都 西安 厦门 福州 青岛 济南 郑州 中国"
)
#: place names removed when they stand alone in brackets, e.g. 贝达药业(嵊州)有限公司
PLACE_NAMES: frozenset[str] = frozenset(_PLACES.split(" "))

#: legal-form suffixes removed from the end of a name, tried longest first
LEGAL_SUFFIXES: tuple[str, ...] = (
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "股份公司",
    "(集团)",
    "集团",
    "公司",
)

_STRIP_RE = re.compile(r"[\s“”‘’\"'·]+")
_BRACKETS = str.maketrans({"（": "(", "）": ")", "【": "(", "】": ")", "[": "(", "]": ")"})
_BRACKETS.update(str.maketrans({"〔": "(", "〕": ")"}))
_PLACE_RE = re.compile(r"\(([^()]{2,4}?)(?:省|市|县|区)?\)")


def _drop_place(match: re.Match[str]) -> str:
    return "" if match.group(1) in PLACE_NAMES else match.group(0)


def normalize_firm_name(name: str) -> str:
    """The matching key of a firm name (see the module docstring for the exact rules).

    Examples
    --------
    >>> normalize_firm_name("贝达药业（嵊州）有限公司")
    '贝达药业'
    >>> normalize_firm_name("ＡＢＣ新能源科技股份有限公司")
    'abc新能源科技'
    >>> normalize_firm_name("甲电器(集团)有限公司") == normalize_firm_name("甲电器集团")
    True
    >>> normalize_firm_name("比亚迪(储能)有限公司")
    '比亚迪(储能)'
    """
    text = unicodedata.normalize("NFKC", name).casefold()
    text = _STRIP_RE.sub("", text.translate(_BRACKETS))
    while True:
        before = text
        text = _PLACE_RE.sub(_drop_place, text)
        for suffix in LEGAL_SUFFIXES:
            if text.endswith(suffix):  # the longest suffix that fits decides
                if len(text) > len(suffix):
                    text = text[: -len(suffix)]
                break
        if text == before:
            return text


def exact_key(name: str) -> str:
    """The key of an exact name match: the name with surrounding whitespace removed."""
    return name.strip()


def new_firm_id(credit_code: str | None, name: str, taken: Container[str] = ()) -> str:
    """A stable id for a new firm.

    ``firm-<credit code, lower case>`` when the code is known, else ``firm-`` and the first 8
    hex digits of the SHA-1 of :func:`normalize_firm_name` (UTF-8), so the same name always
    gets the same id. If that id is taken by another node, more digits are used (12, 16 ...).

    Examples
    --------
    >>> new_firm_id("91350100M000100Y43", "甲")
    'firm-91350100m000100y43'
    >>> new_firm_id(None, "甲电器有限公司") == new_firm_id(None, "甲电器")
    True
    """
    if credit_code:
        return f"firm-{credit_code.lower()}"
    digest = hashlib.sha1(normalize_firm_name(name).encode("utf-8")).hexdigest()
    for size in range(8, len(digest) + 1, 4):
        candidate = f"firm-{digest[:size]}"
        if candidate not in taken:
            return candidate
    raise ValueError(f"no free id for firm '{name}'")  # pragma: no cover - 2**-160


@dataclass
class Match:
    """How a name or code resolved: ``how`` is credit_code / exact / normalized / none."""

    how: str
    ids: list[str] = field(default_factory=list)

    @property
    def unique(self) -> str | None:
        """The one id matched, or None when none or several matched."""
        return self.ids[0] if len(self.ids) == 1 else None


@dataclass
class FirmIndex:
    """Firms by credit code, exact name/alias and normalised name/alias.

    Built from the graph's Firm nodes; firms created by an import are added with
    :meth:`add` so that later rows and the customer/supplier cells find them.
    """

    by_code: dict[str, set[str]] = field(default_factory=dict)
    by_exact: dict[str, set[str]] = field(default_factory=dict)
    by_norm: dict[str, set[str]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_graph(cls, G: ChainGraph) -> FirmIndex:
        """Index every Firm node of G."""
        index = cls()
        for node_id, attrs in G.nodes(data=True):
            if attrs.get("kind") != Kind.FIRM:
                continue
            names = [str(attrs.get("name", "")), *(str(a) for a in attrs.get("aliases") or ())]
            index.add(node_id, names, attrs.get("credit_code"))
        return index

    def add(self, node_id: str, names: Iterable[str], credit_code: object = None) -> None:
        """Make node_id findable by these names and code."""
        names = [n for n in names if n and n.strip()]
        if names and node_id not in self.names:
            self.names[node_id] = names[0]
        if credit_code:
            code = str(credit_code).strip().upper()
            self.by_code.setdefault(code, set()).add(node_id)
        for name in names:
            self.by_exact.setdefault(exact_key(name), set()).add(node_id)
            norm = normalize_firm_name(name)
            if norm:
                self.by_norm.setdefault(norm, set()).add(node_id)

    def match(self, name: str, credit_code: str | None = None) -> Match:
        """Resolve: credit code first, then exact name/alias, then normalised name/alias.

        The first step that finds anything decides; several ids at that step means the
        match is ambiguous (``unique`` is None) and the caller must not guess.

        Examples
        --------
        >>> index = FirmIndex()
        >>> index.add("a", ["甲电器有限公司"])
        >>> index.add("b", ["甲电器(嵊州)有限公司"])
        >>> index.match("甲电器有限公司").ids
        ['a']
        >>> m = index.match("甲电器股份有限公司")
        >>> m.how, m.ids
        ('normalized', ['a', 'b'])
        """
        if credit_code:
            ids = self.by_code.get(credit_code.strip().upper())
            if ids:
                return Match("credit_code", sorted(ids))
        ids = self.by_exact.get(exact_key(name))
        if ids:
            return Match("exact", sorted(ids))
        norm = normalize_firm_name(name)
        ids = self.by_norm.get(norm) if norm else None
        if ids:
            return Match("normalized", sorted(ids))
        return Match("none")


class NearNames:
    """The closest names to a text that matched none, fast on long firm lists.

    Names are compared by the character pairs (bigrams) of their normalised form, scored by
    the Dice coefficient ``2·shared / (pairs of a + pairs of b)``; pairs found in more than
    ``common`` names (科技, 电器 ...) are skipped for finding candidates as they tell little,
    and only the 50 names sharing the most pairs are scored.

    >>> NearNames(["甲动力电池有限公司", "乙电器有限公司"]).near("甲动力电池厂")
    ['甲动力电池有限公司']
    """

    def __init__(self, names: Iterable[str], common: int = 500) -> None:
        self.names = sorted(set(names))
        self.common = common
        self.sizes: list[int] = []
        self.grams: dict[str, list[int]] = {}
        for i, name in enumerate(self.names):
            grams = _grams(normalize_firm_name(name))
            self.sizes.append(len(grams))
            for gram in grams:
                self.grams.setdefault(gram, []).append(i)

    def near(self, text: str, n: int = 3, cutoff: float = 0.4) -> list[str]:
        """Up to n names whose score with text is at least cutoff, best first."""
        grams = _grams(normalize_firm_name(text))
        counts: Counter[int] = Counter()
        for gram in grams:
            ids = self.grams.get(gram, [])
            if len(ids) <= self.common:
                counts.update(ids)
        scored = []
        for i, shared in counts.most_common(50):
            score = 2 * shared / (len(grams) + self.sizes[i])
            if score >= cutoff:
                scored.append((-score, self.names[i]))
        return [name for _, name in sorted(scored)[:n]]


def _grams(text: str) -> set[str]:
    if len(text) < 2:
        return {text} if text else set()
    return {text[i : i + 2] for i in range(len(text) - 1)}
