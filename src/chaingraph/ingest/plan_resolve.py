"""Who a row names: a firm (by credit code, then name), a place, a chain, a segment.

Firms resolve by credit code, then exact name/alias, then normalised name/alias
(:mod:`chaingraph.ingest.names`); see :mod:`chaingraph.ingest.plan` for the rules.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import chain
from operator import itemgetter
from typing import Any, NamedTuple, TypeGuard

from ..model import ChainGraph, Kind, Rel, normalize_text
from ..places import parse_place, place_names, same_area, zone_divisions
from .names import FirmIndex, Match, NearNames, new_firm_id

#: what is not a letter or digit (``\w`` is str.isalnum() and '_')
_NOT_ALNUM_RE = re.compile(r"[\W_]+")


def name_key(text: str) -> str:
    """Letters and digits only, width and case folded: 新能源“万亩千亿” -> 新能源万亩千亿.

    >>> name_key("新能源“万亩千亿”_Ａ 1")
    '新能源万亩千亿a1'
    """
    return _NOT_ALNUM_RE.sub("", unicodedata.normalize("NFKC", text).casefold())


def node_names(attrs: dict[str, Any]) -> list[str]:
    names = [str(attrs.get("name") or ""), str(attrs.get("name_en") or "")]
    names.extend(str(a) for a in attrs.get("aliases") or ())
    return [n for n in names if n]


@dataclass
class Lookup:
    """Places, chains and segments of the dataset, by key (``memo``: what
    :func:`index_memo` kept of them, instead of reading the graph again)."""

    G: ChainGraph
    memo: dict[str, Any] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        G = self.G
        self.places: list[tuple[str, str, str]] = []  # (key, id, kind)
        self.chains: dict[str, set[str]] = {}
        self.segments: dict[str, set[str]] = {}
        self.segment_chain: dict[str, str] = {}
        self.segment_names: dict[str, list[str]] = {}
        self._near: dict[tuple[str, str | None], list[str]] = {}
        self._place: dict[str, tuple[str | None, bool]] = {}
        self._segment: dict[tuple[str, str | None], tuple[list[str], list[str]]] = {}
        self._names: dict[str, str] = {}
        self.zones: list[str] = []
        if self.memo is not None:
            memo, self.memo = self.memo, None
            self.places = [(str(k), str(i), str(kind)) for k, i, kind in memo["places"]]
            self.chains = {k: set(v) for k, v in memo["chains"].items()}
            self.segments = {k: set(v) for k, v in memo["segments"].items()}
            self.segment_chain = dict(memo["segment_chain"])
            self.segment_names = {k: list(v) for k, v in memo["segment_names"].items()}
            self.zones = list(memo["zones"])
            self.divisions = set(memo["divisions"])
            return
        for node_id, attrs in G.nodes(data=True):
            kind = attrs.get("kind")
            names = node_names(attrs)
            if kind in (Kind.ZONE, Kind.PARK, Kind.PLATFORM):
                self.places.extend(
                    (name_key(n), node_id, str(kind)) for n in place_names(attrs) if name_key(n)
                )
                if kind == Kind.ZONE:
                    self.zones.append(node_id)
            elif kind == Kind.CHAIN:
                for n in [node_id, *names]:
                    self.chains.setdefault(name_key(n), set()).add(node_id)
            elif kind == Kind.SEGMENT:
                self.segment_names[node_id] = names
                for n in [node_id, *names]:
                    self.segments.setdefault(name_key(n), set()).add(node_id)
                for u, _, k in G.in_edges(node_id, keys=True):
                    if k == Rel.HAS_SEGMENT:
                        self.segment_chain[node_id] = u
        self.divisions = zone_divisions(G)

    def to_memo(self) -> dict[str, Any]:
        """What was read of the graph, as plain data (see :func:`index_memo`)."""
        return {
            "places": [list(p) for p in self.places],
            "chains": {k: sorted(v) for k, v in self.chains.items()},
            "segments": {k: sorted(v) for k, v in self.segments.items()},
            "segment_chain": dict(self.segment_chain),
            "segment_names": {k: list(v) for k, v in self.segment_names.items()},
            "zones": list(self.zones),
            "divisions": sorted(self.divisions),
        }

    def name(self, node_id: str) -> str:
        if node_id not in self._names:  # asked for the same segments and places on every row
            self._names[node_id] = str(self.G.nodes[node_id].get("name", node_id))
        return self._names[node_id]

    def place(self, text: str) -> tuple[str | None, bool]:
        """(place node id or None, local?) for a park/region cell (a list repeats its places:
        each is looked up once)."""
        if text not in self._place:
            self._place[text] = self._find_place(text)
        return self._place[text]

    def _find_place(self, text: str) -> tuple[str | None, bool]:
        key = name_key(text)
        if not key:
            return None, False
        named = parse_place(text).candidates
        if (
            named
            and self.divisions
            and not any(same_area(a, b) for a in named for b in self.divisions)
        ):
            return None, False  # a place in another county, city or province
        exact = sorted({i for k, i, _ in self.places if k == key})
        if len(exact) == 1:
            return exact[0], True
        if not exact:
            # a place named inside the cell, else the cell inside a place's name; a park or
            # platform beats the zone, then the longest name wins; a tie decides nothing
            inside = [
                (k != Kind.ZONE, len(n), i) for n, i, k in self.places if len(n) >= 4 and n in key
            ]
            around = [
                (k != Kind.ZONE, len(n), i) for n, i, k in self.places if len(key) >= 4 and key in n
            ]
            for found in (inside, around):
                if found:
                    best = max(rank for *rank, _ in found)
                    ids = sorted({i for *rank, i in found if rank == best})
                    if len(ids) == 1:
                        return ids[0], True
                    break
        if exact:
            zone = self.zones[0] if len(self.zones) == 1 else None
            return zone, True
        return None, False

    def chain(self, text: str) -> tuple[str | None, list[str]]:
        """(chain id, []) or (None, closest chain names)."""
        ids = self.chains.get(name_key(text)) or set()
        if len(ids) == 1:
            return next(iter(ids)), []
        names = {self.name(i) for v in self.chains.values() for i in v}
        return None, difflib.get_close_matches(text, sorted(names), 3, 0.3)

    def segment(self, text: str, chain: str | None) -> tuple[list[str], list[str]]:
        """(matching segment ids in scope, closest names if none); a list names the same few
        segments on every row: each (text, chain) is looked up once."""
        found = self._segment.get((text, chain))
        if found is None:
            found = self._segment[text, chain] = self._find_segment(text, chain)
        return list(found[0]), list(found[1])

    def _find_segment(self, text: str, chain: str | None) -> tuple[list[str], list[str]]:
        ids = sorted(
            i
            for i in self.segments.get(name_key(text)) or ()
            if chain is None or self.segment_chain.get(i) == chain
        )
        if ids:
            return ids, []
        if (text, chain) not in self._near:  # a list repeats its typos: look each up once
            self._near[text, chain] = self.near_segments(text, chain)
        return [], list(self._near[text, chain])

    def near_segments(self, text: str, chain: str | None) -> list[str]:
        """The closest segment names to a name that matches none."""
        scope = [
            i for i in self.segment_names if chain is None or self.segment_chain.get(i) == chain
        ]
        names = sorted({n for i in scope for n in self.segment_names[i]})
        near = difflib.get_close_matches(text, names, 3, 0.3)
        if not near and chain is not None:  # nothing close: show what the chain has
            near = sorted(self.name(i) for i in scope)[:8]
        return near


@dataclass
class Taken:
    """Ids in use: nodes of the graph and firms of the imported files."""

    G: ChainGraph
    firms: dict[str, dict[str, str]]

    def __contains__(self, node_id: object) -> bool:
        return node_id in self.G or node_id in self.firms


class Resolved(NamedTuple):
    """The firm a row names (``firm_id``), or why it names none (``problem``, in ``column``)."""

    firm_id: str
    how: str
    problem: str = ""
    column: str = "name"
    candidates: tuple[str, ...] = ()


@dataclass
class FirmResolver:
    """Finds the firm a name and credit code name, among the graph's and imported firms.

    ``firms`` is the planner's table of imported firms (shared, not copied): a firm the
    import adds is known to the rows after it.
    """

    G: ChainGraph
    firms: dict[str, dict[str, str]]
    #: what :func:`index_memo` kept of the graph (its index and owners), else None
    memo: dict[str, Any] | None = field(default=None, repr=False)
    index: FirmIndex = field(init=False)
    owners: dict[str, set[str]] = field(init=False)
    _near: NearNames | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self._taken = Taken(self.G, self.firms)  # (firms is shared: it sees the new ones)
        if self.memo is not None:
            memo, self.memo = self.memo, None
            self.index = FirmIndex.from_memo(memo["index"])
            self.owners = {k: set(v) for k, v in memo["owners"].items()}
            return
        self.index = FirmIndex.from_graph(self.G)
        self.owners = {}
        for node_id, attrs in self.G.nodes(data=True):
            for n in node_names(attrs):
                self.owners.setdefault(normalize_text(n), set()).add(node_id)

    def resolve(self, name: str, code: str | None) -> Resolved:
        """The firm of a row's name and credit code: found, new, or a problem."""
        match: Match = self.index.match(name, code)
        ids = match.ids
        if code and match.how in ("exact", "normalized"):
            # a firm with another credit code is another legal entity, whatever its name
            others = [i for i in ids if self._code_differs(i, code)]
            ids = [i for i in ids if i not in others]
            if others and not ids and match.how == "exact":
                theirs = self.firm_attr(others[0], "credit_code")
                return Resolved(
                    "",
                    match.how,
                    f"name matches firm {others[0]} ({self.index.names.get(others[0], '')}) "
                    f"whose credit code is {theirs}: not merged",
                    "credit_code",
                )
        if not ids:
            return Resolved(new_firm_id(code, name, self._taken), "new")
        if len(ids) > 1:
            listing = [f"{i} ({self.index.names.get(i, '')})" for i in ids]
            how = match.how.replace("_", " ")
            reason = f"ambiguous: matches {len(ids)} firms by {how}"
            return Resolved("", match.how, reason, "name", tuple(listing))
        return Resolved(ids[0], match.how)

    def _code_differs(self, firm_id: str, code: str) -> bool:
        theirs = self.firm_attr(firm_id, "credit_code")
        return bool(theirs) and str(theirs).upper() != code

    def firm_attr(self, firm_id: str, key: str) -> Any:
        """An attribute of an imported or dataset firm (None if it has none)."""
        if firm_id in self.firms:
            return self.firms[firm_id].get(key) or None
        return self.G.nodes[firm_id].get(key) if firm_id in self.G else None

    def name_clash(self, name: str, firm_id: str) -> str:
        """Why a new firm may not take this name ('' if it may)."""
        others = sorted(self.owners.get(normalize_text(name), set()) - {firm_id})
        if not others:
            return ""
        what = ", ".join(
            f"{o} ({self.G.nodes[o].get('kind')})" if o in self.G else o for o in others
        )
        return f"name '{name}' is already used by {what}"

    def owned_by_other(self, name: str, firm_id: str, key: str | None = None) -> bool:
        """True when another node already has this name (``key``: its normalize_text)."""
        owners = self.owners.get(normalize_text(name) if key is None else key)
        return owners is not None and bool(owners - {firm_id})

    def add(self, firm_id: str, names: list[str], code: str | None) -> None:
        """Make a firm of the sheet known to the rows after it."""
        self.index.add(firm_id, names, code)
        for n in names:
            self.owners.setdefault(normalize_text(n), set()).add(firm_id)

    def near_names(self, texts: Iterable[str] | None = None) -> NearNames:
        """The firm-name hint index (ask it once every row's firm is known); ``texts``: the
        only names it will be asked about (built for them alone, not kept)."""
        if texts is not None:
            return NearNames(self.index.names.values(), only=texts, keys=self.index.keys)
        if self._near is None:
            self._near = NearNames(self.index.names.values(), keys=self.index.keys)
        return self._near


#: the layout of :func:`index_memo`'s answer (bump when it changes: a memo of another
#: version is not used, see :func:`usable_memo`)
MEMO_VERSION = 1


def index_memo(G: ChainGraph) -> dict[str, Any]:
    """What an import's planner reads of a dataset's graph before its first row — the firm
    index (codes, names and their keys, places), the owners of each node name, the places,
    chains and segments — as plain data: remembered beside the dataset's cache entry when it
    is written behind (:mod:`chaingraph.cache`, keyed like the entry, so invalidated
    exactly), an import's planner takes it instead of indexing the graph again (some 9,000
    names with a listed-firm layer; see :class:`~chaingraph.ingest.plan.Planner`), and the
    check of its change the included firms' keys
    (:func:`~chaingraph.dataset_delta.included_firm_keys`).
    """
    from ..dataset_delta import included_firm_keys

    resolver = FirmResolver(G, {})
    owners = {k: sorted(v) for k, v in resolver.owners.items()}
    return {
        "version": MEMO_VERSION,
        "index": resolver.index.to_memo(),
        "owners": owners,
        "lookup": Lookup(G).to_memo(),
        # what the check of the import's change compares new firms with
        "included": [sorted(keys) for keys in included_firm_keys(G)],
    }


def usable_memo(memo: object) -> TypeGuard[dict[str, Any]]:
    """True when ``memo`` has the layout :func:`index_memo` gives (:data:`MEMO_VERSION`): its
    keys, and plain str, list and dict where it has them, all the way down.

    A memo that passes is one the planner's constructors read without error, so an error
    they raise on it is a bug, not a bad memo. The checks run in C (``map(type, …)``).
    """
    if not _keys(memo, _MEMO) or memo["version"] != MEMO_VERSION:
        return False
    index, lookup = memo["index"], memo["lookup"]
    if not _keys(index, _INDEX) or not _keys(lookup, _LOOKUP):
        return False
    keys, by_norm = index["keys"], index["by_norm"]
    return (
        all(map(_to_strs, (memo["owners"], index["by_code"], index["by_exact"])))
        and all(map(_to_strs, (index["firm_places"], lookup["chains"], lookup["segments"])))
        and _to_strs(lookup["segment_names"])
        and _to_str(index["names"])
        and _to_str(lookup["segment_chain"])
        and _dict_of(by_norm, dict)
        and _strs(chain.from_iterable(by_norm.values()))  # (its dicts give their keys)
        and _lists_of_str(list(chain.from_iterable(map(dict.values, by_norm.values()))))
        and _dict_of(keys, list)
        and set(map(len, keys.values())) <= {2}
        and _strs(map(itemgetter(0), keys.values()))
        and _lists_of_str(list(map(itemgetter(1), keys.values())))
        and _lists_of_str(lookup["places"])
        and set(map(len, lookup["places"])) <= {3}
        and _lists_of_str([lookup["zones"], lookup["divisions"]])
        and _lists_of_str(memo["included"])
        and len(memo["included"]) == 3
    )


#: the keys of :func:`index_memo`'s answer, of its ``index`` and of its ``lookup``
_MEMO = frozenset({"version", "index", "owners", "lookup", "included"})
_INDEX = frozenset({"by_code", "by_exact", "by_norm", "names", "firm_places", "keys"})
_LOOKUP = frozenset(
    {"places", "chains", "segments", "segment_chain", "segment_names", "zones", "divisions"}
)


def _keys(value: object, keys: frozenset[str]) -> TypeGuard[dict[str, Any]]:
    """A dict with exactly these keys."""
    return type(value) is dict and value.keys() == keys


def _strs(values: Iterable[object]) -> bool:
    """Every value a str."""
    return set(map(type, values)) <= {str}


def _dict_of(value: object, kind: type) -> TypeGuard[dict[str, Any]]:
    """A dict of str to values of type ``kind``."""
    return type(value) is dict and _strs(value) and set(map(type, value.values())) <= {kind}


def _to_str(value: object) -> bool:
    """A dict of str to str."""
    return _dict_of(value, str)


def _to_strs(value: object) -> bool:
    """A dict of str to lists of str."""
    return _dict_of(value, list) and _strs(chain.from_iterable(value.values()))


def _lists_of_str(value: object) -> bool:
    """A list of lists of str."""
    return (
        type(value) is list
        and set(map(type, value)) <= {list}
        and _strs(chain.from_iterable(value))
    )
