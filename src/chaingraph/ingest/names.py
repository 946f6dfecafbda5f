"""Firm names: the normalised form used to match a sheet's name to a firm in the graph.

:func:`firm_name_key` applies exactly these steps, in order:

1. NFKC (full-width letters, digits and brackets become half-width), case folding, and
   removal of all whitespace and of the quote marks “”‘’"' and the middle dot ·;
2. brackets ``（）【】[]〔〕`` become ``()``;
3. repeatedly, until nothing changes:

   - a bracketed place anywhere is removed and remembered: ``(嵊州)``, ``(浙江)``,
     ``(嵊州市)``, ``(中国)`` — a bracket whose whole content names a division of the
     division table (:mod:`chaingraph.places`, full or short name) or the country; a bracket
     with other content (``(储能)``, ``(集团)`` aside) is kept;
   - one legal-form suffix is removed from the end, longest first: :data:`LEGAL_SUFFIXES`
     (股份有限公司, 有限责任公司, 有限公司, 股份公司, 集团, (集团), 公司);
4. the divisions the name starts with are removed and remembered (``浙江汉科新材料`` →
   ``汉科新材料``, province 浙江) when at least :data:`MIN_CORE` characters remain
   (``上海电气`` stays whole) — a county's short name cannot stand first (``江山欧派``).

The result is a :class:`NameKey`: the ``core`` and the division codes of the places removed.
Two names are the same firm's when their cores are equal and their places agree: one of them
names no place, or a place of one lies within a place of the other (``浙江汉科新材料`` and
``汉科新材料``; ``嵊州市甲电器`` and ``浙江甲电器``; not ``上海甲电器`` and ``北京甲电器``).

Industry words (科技, 实业, 新材料, 电器, 制造 ...) are *not* removed: ``甲科技有限公司`` and
``甲有限公司`` are often two legal entities (a group and its tech subsidiary), and merging
them would be a guess. A name that normalises to nothing (``有限公司``) matches nothing.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from ..model import ChainGraph, Kind
from ..places import leading_place, parse_place, place_name, same_area, zone_divisions

#: characters a core must keep for a leading place to be removed from a name
MIN_CORE = 3
#: bracket contents removed as "the country", not a division (西门子(中国)有限公司)
COUNTRY_WORDS = frozenset({"中国", "中华人民共和国"})

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
#: brackets that become ``(`` / ``)``
_OPEN, _CLOSE = "（【[〔", "）】]〕"
_BRACKETS = str.maketrans(_OPEN + _CLOSE, "(" * len(_OPEN) + ")" * len(_CLOSE))
_BRACKET_CHARS_RE = re.compile(f"[{re.escape(_OPEN + _CLOSE)}]")
_BRACKET_RE = re.compile(r"\(([^()]{2,12})\)")
_CODE_RE = re.compile(r"\d{6}")


class NameKey(NamedTuple):
    """A firm name's matching key: its core and the division codes of the places removed
    (a tuple: an import makes one for every name of the dataset and of the sheet)."""

    core: str
    places: tuple[str, ...] = ()

    def agrees(self, other: NameKey) -> bool:
        """Same core, and places that agree (either names none, or one lies in the other).

        >>> firm_name_key("浙江汉科新材料有限公司").agrees(firm_name_key("汉科新材料"))
        True
        >>> firm_name_key("上海甲电器有限公司").agrees(firm_name_key("北京甲电器有限公司"))
        False
        """
        if not self.core or self.core != other.core:
            return False
        return places_agree(self.places, other.places)


def places_agree(a: Iterable[str], b: Iterable[str]) -> bool:
    """True when either side names no place or some place of one lies in one of the other."""
    a, b = list(a), list(b)
    return not a or not b or any(same_area(x, y) for x in a for y in b)


@functools.lru_cache(maxsize=1 << 16)
def firm_name_key(name: str) -> NameKey:
    """The matching key of a firm name (see the module docstring for the exact rules).

    Remembered for the last 65,536 names: an import keys each row's name several times
    (matching, a new id, the index of the firms it adds, the hints), and keys are immutable.

    Examples
    --------
    >>> firm_name_key("庚辛负极材料(嵊州)有限公司")
    NameKey(core='庚辛负极材料', places=('330683',))
    >>> firm_name_key("浙江汉科新材料有限公司").core
    '汉科新材料'
    >>> firm_name_key("上海电气集团股份有限公司")
    NameKey(core='上海电气', places=())
    """
    text = unicodedata.normalize("NFKC", name).casefold()
    if _BRACKET_CHARS_RE.search(text):  # (str.translate costs more than the search)
        text = text.translate(_BRACKETS)
    text = _STRIP_RE.sub("", text)
    places: set[str] = set()

    def drop_place(match: re.Match[str]) -> str:
        content = match.group(1)
        if content in COUNTRY_WORDS:
            return ""
        found = place_name(content)
        if not found.candidates:
            return match.group(0)
        places.update(found.candidates)
        return ""

    while True:
        before = text
        if "(" in text:
            text = _BRACKET_RE.sub(drop_place, text)
        for suffix in LEGAL_SUFFIXES if text.endswith(LEGAL_SUFFIXES) else ():
            if text.endswith(suffix):  # the longest suffix that fits decides
                if len(text) > len(suffix):
                    text = text[: -len(suffix)]
                break
        if text == before:
            break
    lead, rest = leading_place(text, keep=MIN_CORE)
    if lead.candidates:
        places.update(lead.candidates)
        text = rest
    return NameKey(text, tuple(sorted(places)))


def firm_name_keys(names: Sequence[str]) -> list[NameKey]:
    """:func:`firm_name_key` of each name, the same keys for a fraction of the time on a long
    list (an import keys every name of the dataset and of the sheet).

    The names are folded in one go (NFKC, case, brackets, the characters removed), joined
    with NUL as :func:`chaingraph.model.normalize_texts` joins them (no character folds to
    or from NUL, it is no whitespace or bracket, and nothing composes across it); a name
    holding a bracket after folding is keyed alone by :func:`firm_name_key`, the others take
    its suffix and leading-place steps here (without a bracket, those are all it does).

    >>> names = ["浙江汉科新材料有限公司", "庚辛负极材料(嵊州)有限公司", "有限公司"]
    >>> [key.core for key in firm_name_keys(names)]
    ['汉科新材料', '庚辛负极材料', '有限公司']
    >>> firm_name_keys(names) == [firm_name_key(name) for name in names]
    True
    """
    joined = "\0".join(names)
    if len(names) < 2 or joined.count("\0") != len(names) - 1:
        return [firm_name_key(name) for name in names]
    text = unicodedata.normalize("NFKC", joined).casefold()
    if _BRACKET_CHARS_RE.search(text):
        text = text.translate(_BRACKETS)
    parts = _STRIP_RE.sub("", text).split("\0")
    out: list[NameKey] = []
    for name, part in zip(names, parts, strict=True):
        if "(" in part:
            out.append(firm_name_key(name))
            continue
        while part.endswith(LEGAL_SUFFIXES):
            suffix = next(s for s in LEGAL_SUFFIXES if part.endswith(s))  # the longest
            if len(part) <= len(suffix):
                break
            part = part[: -len(suffix)]
        lead, rest = leading_place(part, keep=MIN_CORE)
        if lead.candidates:
            out.append(NameKey(rest, tuple(sorted(set(lead.candidates)))))
        else:
            out.append(NameKey(part))
    return out


def normalize_firm_name(name: str) -> str:
    """The core of a firm name's matching key (:func:`firm_name_key`).

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
    return firm_name_key(name).core


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
    #: core -> {firm id: division codes its names with that core carry}
    by_norm: dict[str, dict[str, set[str]]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    #: firm id -> division codes known of the firm itself (its region, the zone if local)
    firm_places: dict[str, set[str]] = field(default_factory=dict)
    #: name -> its :func:`firm_name_key`, for every name added (the hints key them again)
    keys: dict[str, NameKey] = field(default_factory=dict)

    @classmethod
    def from_graph(cls, G: ChainGraph) -> FirmIndex:
        """Index every Firm node of G: its name, aliases and registered name (``full_name``),
        its credit code, and the places known of it — ``division_code``, the division its
        ``region`` names, and the zone's divisions for a local firm
        (:func:`~chaingraph.places.zone_divisions`)."""
        index = cls()
        zone = zone_divisions(G)
        regions: dict[str, set[str]] = {}  # a region's division, read once per region text
        firms = []
        for node_id, attrs in G.nodes(data=True):
            if attrs.get("kind") != Kind.FIRM:
                continue
            names = [str(attrs.get("name", "")), *(str(a) for a in attrs.get("aliases") or ())]
            if attrs.get("full_name"):
                names.append(str(attrs["full_name"]))  # the registered name (工商注册名)
            names = [n for n in names if n and n.strip()]
            places = _firm_places(attrs, zone, regions)
            firms.append((node_id, names, attrs.get("credit_code"), places))
        # every name keyed in one go (a listed-firm layer brings some 9,000 names)
        keys = iter(firm_name_keys([n for _, names, _, _ in firms for n in names]))
        for node_id, names, code, places in firms:
            index.add(node_id, names, code, places, [next(keys) for _ in names])
        return index

    def to_memo(self) -> dict[str, Any]:
        """The index as plain data (lists for sets, pairs for keys): see :meth:`from_memo`."""
        return {
            "by_code": {k: sorted(v) for k, v in self.by_code.items()},
            "by_exact": {k: sorted(v) for k, v in self.by_exact.items()},
            "by_norm": {
                core: {i: sorted(p) for i, p in ids.items()} for core, ids in self.by_norm.items()
            },
            "names": dict(self.names),
            "firm_places": {i: sorted(p) for i, p in self.firm_places.items()},
            "keys": {name: [key.core, list(key.places)] for name, key in self.keys.items()},
        }

    @classmethod
    def from_memo(cls, memo: dict[str, Any]) -> FirmIndex:
        """The index :meth:`to_memo` gave (see
        :func:`~chaingraph.ingest.plan_resolve.usable_memo` for a check of its layout)."""
        return cls(
            by_code={str(k): set(v) for k, v in memo["by_code"].items()},
            by_exact={str(k): set(v) for k, v in memo["by_exact"].items()},
            by_norm={
                str(core): {str(i): set(p) for i, p in ids.items()}
                for core, ids in memo["by_norm"].items()
            },
            names={str(k): str(v) for k, v in memo["names"].items()},
            firm_places={str(i): set(p) for i, p in memo["firm_places"].items()},
            keys={str(n): NameKey(str(c), tuple(p)) for n, (c, p) in memo["keys"].items()},
        )

    def add(
        self,
        node_id: str,
        names: Iterable[str],
        credit_code: object = None,
        places: Iterable[str] = (),
        keys: Sequence[NameKey] | None = None,
    ) -> None:
        """Make node_id findable by these names and code; ``places``: division codes of it;
        ``keys``: the :func:`firm_name_key` of each name when known (names without text
        already left out)."""
        self.firm_places.setdefault(node_id, set()).update(places)
        if keys is None:
            names = [n for n in names if n and n.strip()]
            keys = [firm_name_key(n) for n in names]
        else:
            names = list(names)
        if names and node_id not in self.names:
            self.names[node_id] = names[0]
        if credit_code:
            code = str(credit_code).strip().upper()
            self.by_code.setdefault(code, set()).add(node_id)
        known = self.keys
        for name, key in zip(names, keys, strict=True):
            known[name] = key
            self.by_exact.setdefault(exact_key(name), set()).add(node_id)
            if key.core:
                places = self.by_norm.setdefault(key.core, {}).setdefault(node_id, set())
                places.update(key.places)

    def match(self, name: str, credit_code: str | None = None) -> Match:
        """Resolve: credit code first, then exact name/alias, then normalised name/alias.

        The first step that finds anything decides; several ids at that step means the
        match is ambiguous (``unique`` is None) and the caller must not guess. A normalised
        match needs the places of the two names to agree (:meth:`NameKey.agrees`).

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
        >>> index.match("北京甲电器有限公司").ids  # b is 嵊州's: another place
        ['a']
        """
        if credit_code:
            ids = self.by_code.get(credit_code.strip().upper())
            if ids:
                return Match("credit_code", sorted(ids))
        ids = self.by_exact.get(exact_key(name))
        if ids:
            return Match("exact", sorted(ids))
        key = firm_name_key(name)
        found = self.by_norm.get(key.core, {}) if key.core else {}
        agreed = [
            i
            for i, places in found.items()
            if places_agree(key.places, places | self.firm_places.get(i, set()))
        ]
        if agreed:
            return Match("normalized", sorted(agreed))
        return Match("none")


def _firm_places(
    attrs: dict[str, object], zone: set[str], regions: dict[str, set[str]] | None = None
) -> set[str]:
    """Division codes known of a firm: its code, its region's division, the zone if local
    (``regions``: the division of each region text read so far, filled in)."""
    codes: set[str] = set()
    code = str(attrs.get("division_code") or "")
    if _CODE_RE.fullmatch(code):
        codes.add(code)
    if attrs.get("region"):
        text = str(attrs["region"])
        found = regions.get(text) if regions is not None else None
        if found is None:
            match = parse_place(text)
            found = set()
            if match.division is not None and not match.ambiguous:
                found.add(match.division.code)
            if regions is not None:
                regions[text] = found
        codes |= found
    if attrs.get("local") is True:
        codes |= zone
    return codes


class NearNames:
    """The closest names to a text that matched none, fast on long firm lists.

    Names are compared by the character pairs (bigrams) of their normalised form, scored by
    the Dice coefficient ``2·shared / (pairs of a + pairs of b)``; pairs found in more than
    ``common`` names (科技, 电器 ...) are skipped for finding candidates as they tell little,
    and only the 50 names sharing the most pairs are scored.

    >>> NearNames(["甲动力电池有限公司", "乙电器有限公司"]).near("甲动力电池厂")
    ['甲动力电池有限公司']
    """

    def __init__(
        self,
        names: Iterable[str],
        common: int = 500,
        only: Iterable[str] | None = None,
        keys: Mapping[str, NameKey] | None = None,
    ) -> None:
        """``only``: the texts :meth:`near` will be asked about, when known (the index then
        keeps only the pairs they have: the same answers for them, built faster); ``keys``:
        the :func:`firm_name_key` of names keyed before (the others are keyed here)."""
        self.names = sorted(set(names))
        self.common = common
        self.sizes: list[int] = []
        wanted = None if only is None else set().union(*map(_core_grams, only))
        by_gram: defaultdict[str, list[int]] = defaultdict(list)
        known = keys or {}
        missing = [n for n in self.names if n not in known]
        found = dict(zip(missing, firm_name_keys(missing), strict=True)) if missing else {}
        cores = [(known.get(n) or found[n]).core for n in self.names]
        for i, core in enumerate(cores):
            grams = _grams(core)
            self.sizes.append(len(grams))
            for gram in grams if wanted is None else grams & wanted:
                by_gram[gram].append(i)
        self.grams: dict[str, list[int]] = dict(by_gram)

    def near(self, text: str, n: int = 3, cutoff: float = 0.4) -> list[str]:
        """Up to n names whose score with text is at least cutoff, best first."""
        grams = _core_grams(text)
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


def _core_grams(text: str) -> set[str]:
    return _grams(normalize_firm_name(text))


def _grams(text: str) -> set[str]:
    if len(text) < 2:
        return {text} if text else set()
    return {text[i : i + 2] for i in range(len(text) - 1)}
