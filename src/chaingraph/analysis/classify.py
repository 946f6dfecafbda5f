"""Segment classification: which chain segments a firm can serve, and how that is known.

A firm's segment is known in three ways, strongest first (:data:`HOW_ORDER`):

``stated``
    an ``IN_SEGMENT`` edge in the dataset; its grade is the edge's (``sourced`` when a
    source states it);
``products``
    a word the segment declares in ``keywords`` occurs in the firm's ``products`` (主营产品)
    or ``business_scope`` (经营范围); graded ``inferred``, basis e.g.
    ``经营范围含:负极、石墨``;
``industry``
    the firm's 申万 level-3 industry (``sw_l3``) is one of the segment's ``sw_industries``;
    graded ``inferred``, basis e.g. ``申万三级:电池化学品``. The industry is the coarsest
    evidence, so it is used only for a firm that no ``IN_SEGMENT`` fact places: a separator
    maker the dataset states as such is not also an anode candidate because both trades sit
    in 电池化学品.

The last two are computed here at run time and never stored as facts. A firm-segment pair
is reported once, in its strongest way.

Matching is precomputed once per set of segments (:class:`SegmentMatcher`): one
Aho-Corasick automaton over every keyword, one dict from industry to segments; a firm then
costs one scan of its text and one dict lookup, whatever the number of segments.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import ahocorasick

from ..errors import UnknownEntity
from ..model import ChainGraph, Grade, Kind, Rel, Row
from ._context import attrs_of, edge_grade, name_of, pred, succ

STATED, PRODUCTS, INDUSTRY = "stated", "products", "industry"
#: strongest first
HOW_ORDER: dict[str, int] = {STATED: 0, PRODUCTS: 1, INDUSTRY: 2}
HOW_ZH: dict[str, str] = {STATED: "来源明示", PRODUCTS: "产品/经营范围匹配", INDUSTRY: "行业推断"}

#: basis prefixes, one per matched field or way
BASIS_PRODUCTS = "主营产品含:"
BASIS_SCOPE = "经营范围含:"
BASIS_INDUSTRY = "申万三级:"
BASIS_STATED = "来源:"


@dataclass(frozen=True)
class Membership:
    """One way a firm is known to be in a segment: ``how``, its ``grade`` and ``basis``."""

    firm: str
    segment: str
    how: str
    grade: str
    basis: str

    @property
    def strength(self) -> int:
        """0 for stated, 1 for products, 2 for industry (smaller is stronger)."""
        return HOW_ORDER[self.how]


def fold(text: str) -> str:
    """Text in the form keywords are matched in: NFKC and case folded.

    >>> fold("ＬＦＰ 磷酸铁锂")
    'lfp 磷酸铁锂'
    """
    return unicodedata.normalize("NFKC", text).casefold()


class SegmentMatcher:
    """The keywords and 申万 industries of a set of segments, compiled for fast matching.

    Parameters
    ----------
    segments : mapping
        Segment id -> (keywords, sw_industries). Empty words are skipped; a word declared
        by several segments matches all of them.

    Examples
    --------
    >>> m = SegmentMatcher({"anode": (["负极", "石墨"], ["电池化学品"]), "foil": (["铜箔"], [])})
    >>> m.by_text("人造石墨负极材料、锂电铜箔")
    {'anode': ['石墨', '负极'], 'foil': ['铜箔']}
    >>> m.by_industry("电池化学品")
    ['anode']

    A keyword of ASCII letters and digits matches only as a whole word, so that ``EMS`` is
    found in ``储能EMS系统`` but not in ``systems``.
    """

    def __init__(self, segments: Mapping[str, tuple[Iterable[str], Iterable[str]]]) -> None:
        self.segments = sorted(segments)
        words: dict[str, dict[str, str]] = {}  # folded word -> segment -> word as declared
        industries: dict[str, list[str]] = {}
        for seg in self.segments:
            keywords, sw = segments[seg]
            for word in keywords:
                key = fold(str(word)).strip()
                if key:
                    words.setdefault(key, {}).setdefault(seg, str(word).strip())
            for ind in sw:
                key = fold(str(ind)).strip()
                if key and seg not in industries.get(key, []):
                    industries.setdefault(key, []).append(seg)
        self.industries = {k: sorted(v) for k, v in industries.items()}
        self.has_keywords = bool(words)
        #: every keyword, folded (a firm matches only if its :func:`match_text` contains one)
        self.keywords = sorted(words)
        self._automaton = ahocorasick.Automaton()
        for key, segs in words.items():
            ascii_word = key.isascii() and key.isalnum()
            self._automaton.add_word(key, (len(key), ascii_word, tuple(sorted(segs.items()))))
        if words:
            self._automaton.make_automaton()

    @classmethod
    def from_graph(cls, G: ChainGraph, chains: Iterable[str] | None = None) -> SegmentMatcher:
        """A matcher for every segment of G (or of the given chains) that declares words."""
        nodes = attrs_of(G)
        if chains is None:
            seg_ids: Iterable[str] = (n for n, a in nodes.items() if a.get("kind") == Kind.SEGMENT)
        else:
            S = succ(G)
            seg_ids = {
                s
                for c in chains
                for s, keys in S[c].items()
                if Rel.HAS_SEGMENT in keys and nodes[s].get("kind") == Kind.SEGMENT
            }
        table: dict[str, tuple[list[str], list[str]]] = {}
        for s in seg_ids:
            attrs = nodes[s]
            table[s] = (_strings(attrs.get("keywords")), _strings(attrs.get("sw_industries")))
        return cls(table)

    def by_text(self, text: str) -> dict[str, list[str]]:
        """Segment -> the declared words found in text, in order of first occurrence."""
        found: dict[str, list[str]] = {}
        if not self.has_keywords or not text:
            return found
        folded = fold(text)
        for end, (size, ascii_word, segs) in self._automaton.iter(folded):
            if ascii_word and not _whole_word(folded, end - size + 1, end):
                continue  # "ems" inside "systems" is no EMS
            for seg, word in segs:
                got = found.setdefault(seg, [])
                if word not in got:
                    got.append(word)
        return found

    def by_industry(self, sw_l3: object) -> list[str]:
        """Segments that list this 申万 level-3 industry, sorted."""
        if not isinstance(sw_l3, str) or not sw_l3:
            return []
        return self.industries.get(fold(sw_l3).strip(), [])

    def inferred(
        self, firm: str, attrs: Mapping[str, Any], industry: bool = True
    ) -> Iterator[Membership]:  # keep in step with match_text
        """The products and industry memberships of one firm (attrs: its node attributes).

        A segment matched both ways is yielded once, as ``products``; ``industry=False``
        leaves the industry out (for a firm with a stated segment).
        """
        seen: set[str] = set()
        hits: dict[str, dict[str, list[str]]] = {}
        products = attrs.get("products")
        text = "、".join(_strings(products)) if isinstance(products, list) else products
        for prefix, value in ((BASIS_PRODUCTS, text), (BASIS_SCOPE, attrs.get("business_scope"))):
            if isinstance(value, str) and value:
                for seg, words in self.by_text(value).items():
                    hits.setdefault(seg, {})[prefix] = words
        for seg in sorted(hits):
            basis = ";".join(p + "、".join(w) for p, w in hits[seg].items())
            seen.add(seg)
            yield Membership(firm, seg, PRODUCTS, str(Grade.INFERRED), basis)
        sw = attrs.get("sw_l3")
        for seg in self.by_industry(sw) if industry else ():
            if seg not in seen:
                yield Membership(firm, seg, INDUSTRY, str(Grade.INFERRED), f"{BASIS_INDUSTRY}{sw}")


def match_text(attrs: Mapping[str, Any]) -> str:
    """The folded texts :meth:`SegmentMatcher.inferred` scans (products joined as it joins
    them, then the business scope), one per line: a firm can match a keyword only if this
    contains the folded keyword. A store keeps it to select candidates without reading
    every firm (see :mod:`chaingraph.store.neo4j_schema`).

    >>> match_text({"products": ["ＬＦＰ", "负极"], "business_scope": "石墨"})
    'lfp、负极\\n石墨'
    """
    products = attrs.get("products")
    text = "、".join(_strings(products)) if isinstance(products, list) else products
    scope = attrs.get("business_scope")
    return "\n".join(fold(v) for v in (text, scope) if isinstance(v, str) and v)


def _whole_word(text: str, start: int, end: int) -> bool:
    """True unless an ASCII letter or digit touches text[start:end + 1] on either side."""
    before = text[start - 1] if start > 0 else " "
    after = text[end + 1] if end + 1 < len(text) else " "
    return not (before.isascii() and before.isalnum()) and not (after.isascii() and after.isalnum())


def _strings(value: object) -> list[str]:
    """A list of non-empty strings from a list field (a lone string counts as one)."""
    if isinstance(value, str):
        return [value] if value.strip() else []
    if isinstance(value, list | tuple):
        return [str(v) for v in value if isinstance(v, str | int | float) and str(v).strip()]
    return []


def stated_of(G: ChainGraph, firm: str, segments: Iterable[str] | None = None) -> list[Membership]:
    """The firm's ``IN_SEGMENT`` edges as memberships (grade of the edge, basis its source)."""
    nodes = attrs_of(G)
    allowed = None if segments is None else set(segments)
    found = []
    for seg, keys in succ(G)[firm].items():
        data = keys.get(Rel.IN_SEGMENT)
        if data is None or (allowed is not None and seg not in allowed):
            continue
        if nodes[seg].get("kind") != Kind.SEGMENT:
            continue
        found.append(Membership(firm, seg, STATED, edge_grade(data), _stated_basis(G, data)))
    return sorted(found, key=lambda m: m.segment)


def _has_stated(G: ChainGraph, firm: str) -> bool:
    """True if an IN_SEGMENT edge places the firm in some segment."""
    out = succ(G)[firm]
    return bool(out) and any(Rel.IN_SEGMENT in keys for keys in out.values())


def _stated_basis(G: ChainGraph, data: Mapping[str, Any]) -> str:
    """来源:TITLE of the edge's first source, else the dataset's word for a template fact."""
    sources = data.get("sources")
    if isinstance(sources, list):
        for s in sources:
            if isinstance(s, dict) and s.get("source"):
                sid = str(s["source"])
                if sid in G:
                    attrs = attrs_of(G)[sid]
                    return BASIS_STATED + str(attrs.get("title") or attrs.get("name") or sid)
                return BASIS_STATED + sid
    return "数据集所列(未注来源)"


def memberships_of(
    G: ChainGraph, firm: str, matcher: SegmentMatcher | None = None
) -> list[Membership]:
    """Every segment the firm is known in, strongest way per segment, strongest first.

    Parameters
    ----------
    G : ChainGraph
        Segments carry ``keywords`` and ``sw_industries``; the firm ``products``,
        ``business_scope`` and ``sw_l3``.
    firm : str
        A Firm node of G.
    matcher : SegmentMatcher, optional
        Precompiled segments (default: every segment of G).

    Returns
    -------
    list of Membership
        Sorted by strength (stated, products, industry), then segment id. Stated ones keep
        the grade of their edge; the others are ``inferred`` and name their basis.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("anode", kind="Segment", name="负极材料", keywords=["负极"],
    ...            sw_industries=["电池化学品"])
    >>> G.add_node("sep", kind="Segment", name="隔膜", keywords=["隔膜"],
    ...            sw_industries=["电池化学品"])
    >>> G.add_node("x", kind="Firm", name="某材料", local=False, sw_l3="电池化学品",
    ...            business_scope="锂电池负极材料的研发")
    >>> [(m.segment, m.how, m.basis) for m in memberships_of(G, "x")]
    [('anode', 'products', '经营范围含:负极'), ('sep', 'industry', '申万三级:电池化学品')]
    """
    if matcher is None:
        matcher = SegmentMatcher.from_graph(G)
    stated = stated_of(G, firm)
    have = {m.segment for m in stated}
    allowed = set(matcher.segments)
    placed = _has_stated(G, firm)
    inferred = [
        m
        for m in matcher.inferred(firm, attrs_of(G)[firm], industry=not placed)
        if m.segment not in have and m.segment in allowed
    ]
    return sorted([*stated, *inferred], key=lambda m: (m.strength, m.segment))


def segment_candidates(
    G: ChainGraph,
    segments: Iterable[str],
    matcher: SegmentMatcher | None = None,
    *,
    outside_only: bool = True,
) -> dict[str, list[Membership]]:
    """For each of ``segments``, the firms known in it (strongest way each), in one pass.

    Stated members come from the segments' ``IN_SEGMENT`` in-edges; inferred ones from one
    scan of every (outside, by default: ``local`` false) firm through ``matcher`` (default:
    compiled from ``segments``). Lists are sorted by strength, then firm id.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("sep", kind="Segment", name="隔膜", keywords=["隔膜"],
    ...            sw_industries=["电池化学品"])
    >>> G.add_node("a", kind="Firm", name="甲", local=False, sw_l3="电池化学品")
    >>> G.add_node("b", kind="Firm", name="乙", local=False, products=["湿法隔膜"])
    >>> G.add_node("c", kind="Firm", name="丙", local=False, sw_l3="电池化学品")
    >>> G.add_node("d", kind="Firm", name="丁", local=True, products=["隔膜"])
    >>> _ = G.add_edge("c", "sep", key="IN_SEGMENT", sources=[{"source": "s1", "quote": "q"}])
    >>> [(m.firm, m.how, m.grade) for m in segment_candidates(G, ["sep"])["sep"]]
    [('c', 'stated', 'sourced'), ('b', 'products', 'inferred'), ('a', 'industry', 'inferred')]
    """
    wanted = sorted(set(segments))
    if matcher is None:
        matcher = matcher_of(G, wanted)
    inferred = inferred_candidates(G, wanted, matcher, outside_only=outside_only)
    return {
        s: merge_candidates(stated_candidates(G, s, outside_only=outside_only), inferred.get(s))
        for s in wanted
    }


def matcher_of(G: ChainGraph, segments: Iterable[str]) -> SegmentMatcher:
    """A :class:`SegmentMatcher` of these segments' keywords and 申万 industries."""
    nodes = attrs_of(G)
    return SegmentMatcher(
        {
            s: (_strings(nodes[s].get("keywords")), _strings(nodes[s].get("sw_industries")))
            for s in segments
        }
    )


def stated_candidates(
    G: ChainGraph, segment: str, *, outside_only: bool = True
) -> dict[str, Membership]:
    """Firm -> its stated membership, for the firms ``IN_SEGMENT`` the segment (outside ones
    only, by default): the stated part of :func:`segment_candidates`."""
    nodes = attrs_of(G)
    found: dict[str, Membership] = {}
    for f, keys in pred(G)[segment].items():
        data = keys.get(Rel.IN_SEGMENT)
        attrs = nodes[f]
        if data is None or attrs.get("kind") != Kind.FIRM:
            continue
        if outside_only and attrs.get("local"):
            continue
        found[f] = Membership(f, segment, STATED, edge_grade(data), _stated_basis(G, data))
    return found


def inferred_candidates(
    G: ChainGraph, segments: Iterable[str], matcher: SegmentMatcher, *, outside_only: bool = True
) -> dict[str, dict[str, Membership]]:
    """Segment -> firm -> the firm's first products / industry membership in it, from one
    scan of every (outside, by default) firm: the inferred part of
    :func:`segment_candidates`. Only segments with a candidate get an entry."""
    wanted = set(segments)
    found: dict[str, dict[str, Membership]] = {}
    industries = matcher.industries
    by_text = matcher.has_keywords
    for f, attrs in attrs_of(G).items():
        if attrs.get("kind") != Kind.FIRM or (outside_only and attrs.get("local")):
            continue
        # fast exits: most firms have neither text nor a matching industry
        sw = attrs.get("sw_l3")
        if not (by_text and (attrs.get("products") or attrs.get("business_scope"))) and not (
            isinstance(sw, str) and fold(sw).strip() in industries
        ):
            continue
        for m in matcher.inferred(f, attrs, industry=not _has_stated(G, f)):
            if m.segment in wanted:
                found.setdefault(m.segment, {}).setdefault(f, m)
    return found


def merge_candidates(
    stated: dict[str, Membership], inferred: dict[str, Membership] | None
) -> list[Membership]:
    """One segment's candidates: each firm in its stated way if it has one, else its inferred
    one, sorted by strength, then firm id."""
    found = dict(stated)
    for f, m in (inferred or {}).items():
        found.setdefault(f, m)
    return sorted(found.values(), key=lambda m: (m.strength, m.firm))


def segment_chains(G: ChainGraph) -> dict[str, list[str]]:
    """Segment id -> the chains that have it (HAS_SEGMENT), sorted."""
    nodes = attrs_of(G)
    out: dict[str, list[str]] = {}
    for c, a in nodes.items():
        if a.get("kind") != Kind.CHAIN:
            continue
        for s, keys in succ(G)[c].items():
            if Rel.HAS_SEGMENT in keys:
                out.setdefault(s, []).append(c)
    return {s: sorted(cs) for s, cs in out.items()}


def membership_rows(
    G: ChainGraph, memberships: Iterable[Membership], chains: Mapping[str, list[str]] | None = None
) -> list[Row]:
    """Memberships as output rows: ``firm, name, chain, segment, segment_name, how, grade,
    basis`` (one row per chain the segment belongs to)."""
    if chains is None:
        chains = segment_chains(G)
    rows: list[Row] = []
    for m in memberships:
        for c in chains.get(m.segment) or [""]:
            rows.append(
                {
                    "firm": m.firm,
                    "name": name_of(G, m.firm) if m.firm in G else "",
                    "chain": c,
                    "segment": m.segment,
                    "segment_name": name_of(G, m.segment),
                    "how": m.how,
                    "grade": m.grade,
                    "basis": m.basis,
                }
            )
    return rows


def classify_firm(G: ChainGraph, firm: str, chains: Iterable[str] | None = None) -> list[Row]:
    """The segments a firm is known in, as rows (see :func:`membership_rows`).

    ``chains``: only their segments (default all). Raises UnknownEntity if ``firm`` is not a
    Firm node of G.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("c", kind="Chain", name="电池")
    >>> G.add_node("ele", kind="Segment", name="电解液", sw_industries=["电池化学品"])
    >>> _ = G.add_edge("c", "ele", key="HAS_SEGMENT")
    >>> G.add_node("x", kind="Firm", name="某化学", local=False, sw_l3="电池化学品")
    >>> [(r["chain"], r["segment"], r["grade"], r["basis"]) for r in classify_firm(G, "x")]
    [('c', 'ele', 'inferred', '申万三级:电池化学品')]
    """
    if firm not in G or attrs_of(G)[firm].get("kind") != Kind.FIRM:
        raise UnknownEntity(f"'{firm}' is not a firm. Run 'chaingraph find {firm}' to search")
    chain_list = None if chains is None else list(chains)
    matcher = SegmentMatcher.from_graph(G, chain_list)
    found = memberships_of(G, firm, matcher)
    if chain_list is not None:
        allowed = set(matcher.segments)
        found = [m for m in found if m.segment in allowed]
    by_chain = segment_chains(G)
    if chain_list is not None:
        keep = set(chain_list)
        by_chain = {s: [c for c in cs if c in keep] for s, cs in by_chain.items()}
    return membership_rows(G, found, by_chain)


def classify_record(
    record: Mapping[str, Any], matcher: SegmentMatcher, firm: str = "", industry: bool = True
) -> list[Membership]:
    """Inferred memberships of a firm described by a record (a sheet row, not yet a node).

    ``record`` holds any of ``products`` (list or text), ``business_scope`` and ``sw_l3``.

    >>> m = SegmentMatcher({"ele": (["电解液"], ["电池化学品"])})
    >>> [(x.how, x.basis) for x in classify_record({"business_scope": "锂电池电解液生产"}, m)]
    [('products', '经营范围含:电解液')]
    """
    found = matcher.inferred(firm, record, industry)
    return sorted(found, key=lambda m: (m.strength, m.segment))


__all__ = [
    "HOW_ORDER",
    "INDUSTRY",
    "PRODUCTS",
    "STATED",
    "Membership",
    "SegmentMatcher",
    "classify_firm",
    "classify_record",
    "match_text",
    "memberships_of",
    "inferred_candidates",
    "matcher_of",
    "merge_candidates",
    "segment_candidates",
    "stated_candidates",
]
