"""The data model: node kinds, relation kinds, fact grades and the rules they obey.

This module is the one place that names labels and relationship types. Everything that
writes Cypher, draws a legend or validates a dataset takes them from here.

Conventions
-----------
- A graph is a networkx ``MultiDiGraph`` (:data:`ChainGraph`). Nodes are keyed by their
  ``id``; node attributes hold ``kind`` (a :class:`Kind` value), ``name``, ``grade`` and the
  kind's fields. Edges are keyed by their relation kind (a :class:`Rel` value), so two nodes
  have at most one edge of each kind; edge attributes hold ``rel`` (same value), ``grade``
  and the relation's fields.
- Edges point downstream: supplier -> customer, upstream segment -> downstream segment.
  "Upstream of X" is always predecessors, "downstream" successors.
- Every node and edge may carry ``sources``: a list of ``{"source": SOURCE_ID, "quote": str}``
  dicts (optionally ``"about": [field, ...]`` naming the attributes the quote supports).
- ``figures`` on a node: reported numbers, each ``{"key", "label", "value", "unit",
  "qualifier", "year", "sources"}``, optionally ``"compare"`` (a :data:`FIGURE_COMPARE`
  key) and ``"conflicts_with"`` (``["NODE_ID/FIGURE_KEY", ...]``: figures that cannot all be
  true; both sides name each other and both are kept).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:
    import networkx as nx

ChainGraph: TypeAlias = "nx.MultiDiGraph[str]"
#: one output row (a node, an edge, a finding): column name -> value
Row: TypeAlias = dict[str, Any]


class Kind(StrEnum):
    """Node kinds; the value is the Neo4j label."""

    ZONE = "Zone"
    PARK = "Park"
    PLATFORM = "Platform"
    CHAIN = "Chain"
    SEGMENT = "Segment"
    FIRM = "Firm"
    PROJECT = "Project"
    SOURCE = "Source"
    AWARD = "Award"  # an honour, title or listing something received (荣誉、称号、入选名单)
    PLACE = "Place"  # a named place that is not the zone, a park or a platform: a city, a
    # block (区块), a road, a bridge, a designated area


class Rel(StrEnum):
    """Relation kinds; the value is the Neo4j relationship type."""

    FEEDS = "FEEDS"
    HAS_SEGMENT = "HAS_SEGMENT"
    IN_SEGMENT = "IN_SEGMENT"
    SUPPLIES = "SUPPLIES"
    LEADS = "LEADS"
    LOCATED_IN = "LOCATED_IN"
    HOSTS = "HOSTS"
    INVESTS_IN = "INVESTS_IN"
    ATTRACTED = "ATTRACTED"
    AFFILIATED_WITH = "AFFILIATED_WITH"
    RECEIVED = "RECEIVED"
    RECOGNISES = "RECOGNISES"
    BUILDS = "BUILDS"
    CONNECTS = "CONNECTS"


class Grade(StrEnum):
    """How a fact is known."""

    SOURCED = "sourced"  # a quote from a source document supports it
    TEMPLATE = "template"  # chain-structure knowledge (which segments make up a chain)
    INFERRED = "inferred"  # computed by the tool; never stored as sourced


class Tier(StrEnum):
    """Position of a segment in its chain."""

    UPSTREAM = "upstream"
    MIDSTREAM = "midstream"
    DOWNSTREAM = "downstream"


TIER_ORDER: dict[str, int] = {Tier.UPSTREAM: 0, Tier.MIDSTREAM: 1, Tier.DOWNSTREAM: 2}
TIER_LABEL_ZH: dict[str, str] = {
    Tier.UPSTREAM: "上游",
    Tier.MIDSTREAM: "中游",
    Tier.DOWNSTREAM: "下游",
}

# --- attribute schema -------------------------------------------------------------------

#: type names used in the schema tables below
STR, INT, NUM, BOOL, STRLIST, DATE = "str", "int", "number", "bool", "list[str]", "date"

#: The largest size of any number in a dataset (amounts in yuan, output, figures, counts):
#: 10^15 yuan is about seven years of China's GDP, so no real project, output or figure is
#: larger, and sums of many such numbers stay far from float overflow (no inf/NaN scores).
MAX_NUMBER = 10**15


@dataclass(frozen=True)
class Field:
    """One attribute of a node or edge kind."""

    name: str
    type: str
    required: bool = False
    choices: tuple[str, ...] = ()
    doc: str = ""


COMMON_NODE_FIELDS: tuple[Field, ...] = (
    Field("id", STR, True, doc="stable ASCII slug, e.g. 'byd'"),
    Field("kind", STR, True, tuple(Kind), doc="node kind"),
    Field("name", STR, True, doc="name in Chinese as the source writes it"),
    Field("name_en", STR, doc="English name"),
    Field("aliases", STRLIST, doc="other names and abbreviations"),
    Field("description", STR, doc="one or two sentences"),
    Field("grade", STR, False, tuple(Grade), doc="sourced / template / inferred"),
    Field("note", STR, doc="an editor's remark; not a fact"),
)

#: the stages a project can be in (a project's ``status`` is one of them)
PROJECT_STATUSES = (
    "planned",
    "negotiating",
    "signed",
    "under_construction",
    "trial_production",
    "in_production",
    "completed",
)


NODE_FIELDS: dict[Kind, tuple[Field, ...]] = {
    Kind.ZONE: (
        Field("level", STR, doc="e.g. 省级经济开发区"),
        Field("region", STR, doc="administrative region, e.g. 浙江省绍兴市嵊州市"),
        Field(
            "awards",
            STRLIST,
            doc="titles and awards the zone holds, as plain names (an Award node with a "
            "RECEIVED edge carries its grantor, year and sources)",
        ),
        Field("services", STRLIST, doc="service institutions and service reforms for firms"),
        Field(
            "promotion_methods",
            STRLIST,
            doc="how the zone attracts investment (招商方式), e.g. 乡贤招商, 产业链招商",
        ),
        Field("target_sectors", STRLIST, doc="sectors the zone's 招商 aims at, e.g. 新能源"),
    ),
    Kind.PARK: (Field("region", STR),),
    Kind.PLATFORM: (
        Field("platform_type", STR, doc="e.g. 万亩千亿 / 千亩"),
        Field("area_mu", NUM, doc="planned area in mu"),
    ),
    Kind.CHAIN: (Field("sector", STR, doc="broad sector, e.g. 新能源"),),
    Kind.SEGMENT: (
        Field("tier", STR, True, tuple(Tier)),
        Field("chain", STR, doc="shorthand: id of the chain (adds HAS_SEGMENT)"),
        Field("feeds", STRLIST, doc="shorthand: ids of downstream segments (adds FEEDS)"),
        Field("weight", NUM, doc="relative importance in its chain (default 1)"),
        Field("products", STRLIST, doc="typical products of the segment"),
        Field(
            "keywords",
            STRLIST,
            doc="words in a firm's products or business scope (经营范围, 主营产品) that place it "
            "in this segment; a match is an inferred membership, shown with the words",
        ),
        Field(
            "sw_industries",
            STRLIST,
            doc="申万 2021 level-3 industries whose firms can serve this segment, e.g. 电池化学品; "
            "a match is an inferred membership, shown with the industry",
        ),
        Field(
            "extension",
            BOOL,
            doc="a neighbouring segment the chain could extend into (延链); not counted in "
            "the chain's coverage",
        ),
    ),
    Kind.FIRM: (
        Field("local", BOOL, True, doc="true if the firm operates in the zone"),
        Field("region", STR, doc="where an external firm is based"),
        Field("credit_code", STR, doc="统一社会信用代码 (18 characters)"),
        Field("above_size", BOOL, doc="规上企业"),
        Field("output_cny", NUM, doc="annual output value in yuan"),
        Field("output_text", STR, doc="the output as the source writes it, e.g. 3,000万元"),
        Field("employees", INT),
        Field("products", STRLIST),
        Field("chairman", STR, doc="董事长, as the source names them"),
        Field("full_name", STR, doc="registered name (工商注册名), e.g. 比亚迪股份有限公司"),
        Field("stock_code", STR, doc="listing code with exchange suffix, e.g. 002594.SZ"),
        Field("exchange", STR, doc="stock exchange, e.g. 深圳证券交易所"),
        Field("listed_on", DATE, doc="listing date"),
        Field("sw_l1", STR, doc="申万 2021 level-1 industry"),
        Field("sw_l2", STR, doc="申万 2021 level-2 industry"),
        Field("sw_l3", STR, doc="申万 2021 level-3 industry"),
        Field("business_scope", STR, doc="经营范围 as registered"),
        Field("address", STR, doc="registered address (住所) as the source writes it"),
        Field("division_code", STR, doc="6-digit administrative-division code of its place"),
    ),
    Kind.PROJECT: (
        Field("amount_cny", NUM, doc="total investment in yuan"),
        Field("amount_text", STR, doc="the amount as the source writes it, e.g. 130亿元"),
        Field("signed", DATE, doc="signing date, YYYY, YYYY-MM or YYYY-MM-DD"),
        Field("status", STR, choices=PROJECT_STATUSES, doc="where the project stands"),
        Field("phase", STR),
        Field(
            "landed_text",
            STR,
            doc="when the project landed (落地) as the source writes it, e.g. 去年底; "
            "a relative time stays as written when the source's own date is unknown",
        ),
    ),
    Kind.AWARD: (
        Field("awarded_by", STR, doc="who grants it, as the source writes it, e.g. 工信部"),
        Field("year", DATE, doc="the year (or date) it was granted"),
        Field("level", STR, doc="e.g. 国家级 / 省级"),
    ),
    Kind.PLACE: (
        Field("place_type", STR, doc="e.g. 城市 / 区块 / 道路 / 桥梁 / 服务业创新发展区"),
        Field("region", STR, doc="administrative region it lies in, where a source says"),
        Field("division_code", STR, doc="6-digit administrative-division code"),
    ),
    Kind.SOURCE: (
        Field("title", STR, True),
        Field("authors", STRLIST),
        Field("publisher", STR),
        Field("published", DATE),
        Field("url", STR),
        Field("text_file", STR, doc="path of the full text, relative to the dataset folder"),
    ),
}

#: what ``stats`` counts in the graph beside a reported figure (figure field ``compare``).
#: The scope is the figure's node: a Chain (its segments), a Platform (the chains it HOSTS and
#: what is LOCATED_IN it) or the Zone (everything).
FIGURE_COMPARE: dict[str, str] = {
    "firms": "local firms in scope",
    "projects": "projects in scope",
    "projects_over_100m": "projects in scope with amount_cny >= 100,000,000 (亿元以上)",
    "investment_cny": "sum of amount_cny of the projects in scope",
}
FIGURE_QUALIFIERS = ("exact", "over", "about", "at_least", "up_to")


@dataclass(frozen=True)
class RelSpec:
    """Which node kinds a relation may connect, and its fields."""

    sources: tuple[Kind, ...]
    targets: tuple[Kind, ...]
    fields: tuple[Field, ...] = ()
    doc: str = ""


COMMON_EDGE_FIELDS: tuple[Field, ...] = (
    Field("from", STR, True),
    Field("rel", STR, True, tuple(Rel)),
    Field("to", STR, True),
    Field("grade", STR, False, tuple(Grade)),
    Field("note", STR),
)

REL_SPECS: dict[Rel, RelSpec] = {
    Rel.FEEDS: RelSpec((Kind.SEGMENT,), (Kind.SEGMENT,), doc="upstream segment -> downstream"),
    Rel.HAS_SEGMENT: RelSpec((Kind.CHAIN,), (Kind.SEGMENT,), doc="chain -> its segment"),
    Rel.IN_SEGMENT: RelSpec(
        (Kind.FIRM, Kind.PROJECT), (Kind.SEGMENT,), doc="firm or project works in a segment"
    ),
    Rel.SUPPLIES: RelSpec(
        (Kind.FIRM,),
        (Kind.FIRM,),
        (
            Field("product", STR),
            Field("share", NUM, doc="share of the customer's need, 0..1"),
            Field("sales_share", NUM, doc="share of the supplier's sales to this customer, 0..1"),
        ),
        doc="supplier -> customer",
    ),
    Rel.LEADS: RelSpec(
        (Kind.FIRM,), (Kind.CHAIN, Kind.PLATFORM), doc="链主 / 龙头: firm leads a chain or platform"
    ),
    Rel.LOCATED_IN: RelSpec(
        (Kind.FIRM, Kind.PROJECT, Kind.PARK, Kind.PLATFORM, Kind.PLACE),
        (Kind.ZONE, Kind.PARK, Kind.PLATFORM, Kind.PLACE),
        doc="where something is (a Place such as a city is not the zone: it does not make a "
        "firm local)",
    ),
    Rel.HOSTS: RelSpec((Kind.PLATFORM, Kind.ZONE), (Kind.CHAIN,), doc="platform hosts a chain"),
    Rel.INVESTS_IN: RelSpec(
        (Kind.FIRM,),
        (Kind.PROJECT,),
        (Field("amount_cny", NUM, doc="the firm's investment in yuan"),),
        doc="firm invests in a project",
    ),
    Rel.ATTRACTED: RelSpec(
        (Kind.FIRM, Kind.PROJECT),
        (Kind.FIRM, Kind.PROJECT),
        doc="以商引商: an anchor drew a firm or project to the zone",
    ),
    Rel.AFFILIATED_WITH: RelSpec(
        (Kind.FIRM,), (Kind.FIRM,), doc="subsidiary or sister company -> group"
    ),
    Rel.RECEIVED: RelSpec(
        (Kind.ZONE, Kind.PARK, Kind.PLATFORM, Kind.PLACE, Kind.FIRM, Kind.PROJECT, Kind.CHAIN),
        (Kind.AWARD,),
        doc="holder -> the award, title or listing it received",
    ),
    Rel.RECOGNISES: RelSpec(
        (Kind.AWARD,),
        (Kind.CHAIN, Kind.PLATFORM),
        doc="award -> the chain or platform whose industry it honours",
    ),
    Rel.BUILDS: RelSpec(
        (Kind.PROJECT,),
        (Kind.PLACE,),
        (Field("milestone", STR, doc="the latest milestone as the source writes it, e.g. 合龙"),),
        doc="construction project -> the road, bridge or block it builds",
    ),
    Rel.CONNECTS: RelSpec((Kind.PLACE,), (Kind.PLACE,), doc="road or bridge -> a place it links"),
}

# Relations the up/downstream traversals follow.
SUPPLY_RELS: tuple[Rel, ...] = (Rel.FEEDS, Rel.SUPPLIES)

# --- ids and names ------------------------------------------------------------------------

ID_RE = re.compile(r"^[a-z0-9]+(?:[-_.][a-z0-9]+)*$")
ID_RULE = "lower-case ASCII letters and digits joined by '-', '_' or '.', e.g. 'byd-battery-base'"


def is_valid_id(value: object) -> bool:
    """True if value is a valid node id (see :data:`ID_RULE`)."""
    return isinstance(value, str) and len(value) <= 120 and bool(ID_RE.fullmatch(value))


_SPACE_RE = re.compile(r"\s+")


@functools.lru_cache(maxsize=1 << 17)
def normalize_text(text: str) -> str:
    """Fold width (NFKC), case and whitespace, for matching names and quotes.

    Remembered for the last 131,072 texts: an import folds each new name several times (its
    resolution, the name check of the dataset, the check of its change).

    >>> normalize_text("ＢＹＤ  比亚迪（嵊州）") == normalize_text("byd 比亚迪(嵊州)")
    True
    """
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _SPACE_RE.sub(" ", folded).strip()


def normalize_texts(texts: Sequence[str]) -> list[str]:
    """:func:`normalize_text` of each text, folded in one go: a third of the time for many
    short texts (a dataset's names), without filling normalize_text's memory.

    The texts are joined with NUL, which no text holds here (else each is folded alone): no
    character folds to or from it, it is not whitespace, and as a starter no combining mark
    or jamo after it composes across it, so each part folds as its text would alone.
    """
    joined = "\0".join(texts)
    if len(texts) < 2 or joined.count("\0") != len(texts) - 1:
        return [normalize_text(text) for text in texts]
    folded = _SPACE_RE.sub(" ", unicodedata.normalize("NFKC", joined).casefold())
    return [part.strip() for part in folded.split("\0")]


def quote_key(text: str) -> str:
    """Normalise text for quote matching: NFKC, casefold, all whitespace removed.

    A quote may be typed with full- or half-width punctuation and may span the line breaks of
    the source text.
    """
    return _SPACE_RE.sub("", unicodedata.normalize("NFKC", text).casefold())


def node_grade(attrs: dict[str, Any]) -> str:
    """The grade of a node or edge: its explicit ``grade``, else sourced if it has sources."""
    grade = attrs.get("grade")
    if grade:
        return str(grade)
    return Grade.SOURCED if attrs.get("sources") else Grade.TEMPLATE


@dataclass(slots=True)
class Location:
    """Where a dataset item was read from, for error messages (one per node, and per edge
    once asked for: slots keep it at 56 bytes instead of about 150)."""

    file: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


@dataclass
class Problem:
    """One problem found in a dataset: where, what and how to fix it."""

    where: Location
    message: str
    fix: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}"
        return f"{text}. {self.fix}" if self.fix else text


def fields_of(kind: Kind) -> dict[str, Field]:
    """All fields a node of this kind may have."""
    return {f.name: f for f in (*COMMON_NODE_FIELDS, *NODE_FIELDS[kind])}


def edge_fields_of(rel: Rel) -> dict[str, Field]:
    """All fields an edge of this kind may have."""
    return {f.name: f for f in (*COMMON_EDGE_FIELDS, *REL_SPECS[rel].fields)}


def is_local_firm(attrs: dict[str, Any]) -> bool:
    """True for a node that is a firm located in the zone."""
    return attrs.get("kind") == Kind.FIRM and bool(attrs.get("local"))
