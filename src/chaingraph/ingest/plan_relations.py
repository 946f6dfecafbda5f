"""The edges an import plans: IN_SEGMENT and LOCATED_IN of each firm, SUPPLIES from the
customer and supplier columns, and the removal of edges a newer sheet no longer states.
"""

from __future__ import annotations

from collections.abc import Callable

from ..model import ChainGraph, Rel
from .names import normalize_firm_name
from .plan_resolve import FirmResolver, Lookup
from .plan_result import Change, ImportResult, Issue, SheetRow
from .values import split_names


def citation_moved(old: dict[str, str], source_id: str, quote: str, locator: str) -> str:
    """What changed in the citation of a record this file wrote before ('' if nothing).

    A row that moved, or whose quoted cells changed, is cited afresh; a record another
    file wrote keeps its own citation.

    >>> old = {"source": "import-a", "quote": "名称: 甲", "locator": "第2行"}
    >>> citation_moved(old, "import-a", "名称: 甲", "第3行")
    'locator: 第2行 → 第3行'
    >>> citation_moved(old, "import-b", "名称: 乙", "第3行")
    ''
    """
    if old.get("source") != source_id:
        return ""
    parts = []
    if old.get("locator", "") != locator:
        parts.append(f"locator: {old.get('locator') or '—'} → {locator}")
    if old.get("quote", "") != quote:
        parts.append("quote: the row's words changed")
    return "; ".join(parts)


class RelationPlan:
    """The relations file of an import: which edges it adds, cites again or removes."""

    def __init__(
        self,
        G: ChainGraph,
        edges: dict[tuple[str, str, str], dict[str, str]],
        source_id: str,
        result: ImportResult,
        lookup: Lookup,
        firms: FirmResolver,
    ) -> None:
        self.G = G
        self.edges = {k: dict(v) for k, v in edges.items()}
        #: the edges the imported files held, in their order (only they can be removed)
        self.old = list(self.edges)
        self.source_id = source_id
        self.result = result
        self.lookup = lookup
        self.firms = firms
        self.produced: set[tuple[str, str, str]] = set()
        #: the unresolved customer/supplier names, still without their closest names
        self.unnamed: list[Issue] = []

    def edge(
        self, row: int, locator: str, u: str, rel: Rel, v: str, quote: str, product: str = ""
    ) -> None:
        """Plan one edge a row states, cited with the row's words."""
        value = rel.value
        key = (u, value, v)
        if key in self.produced:
            return
        self.produced.add(key)
        label = f"{u} -{value}-> {v}"
        name = self.lookup.name(v) if v in self.G else self.firms.index.names.get(v, v)
        if key in self.edges:
            old = self.edges[key]
            moved = citation_moved(old, self.source_id, quote, locator)
            if moved:
                self.edges[key] = {**old, "quote": quote, "locator": locator}
            action = "changed" if moved else "unchanged"
            self.result.changes.append(Change(action, value, label, name, row, moved))
            return
        if self.G.has_edge(u, v, key=value):
            self.result.changes.append(
                Change("unchanged", value, label, name, row, "already in the dataset")
            )
            return
        self.edges[key] = {
            "from": u,
            "rel": value,
            "to": v,
            "product": product,
            "source": self.source_id,
            "quote": quote,
            "locator": locator,
        }
        self.result.changes.append(Change("added", value, label, name, row))

    def supplies(
        self,
        row: SheetRow,
        locator: str,
        quote: Callable[[tuple[str, ...]], str],
        refused: dict[str, int],
    ) -> None:
        """SUPPLIES edges from the row's customer and supplier columns.

        A name that resolves to no firm, to several, or to the row's own firm becomes an
        issue (``unresolved`` / ``ambiguous``), not an edge; ``refused`` names the rows
        refused by firm name, so the issue can say why a name is unknown.
        """
        for name, customer_side in (("customers", True), ("suppliers", False)):
            if name not in row.cells:
                continue
            header, value = row.cells[name]
            words = quote((name,))
            for part in split_names(value):
                other = self._other_firm(row, header, part, refused)
                if other is None:
                    continue
                u, v = (row.firm_id, other) if customer_side else (other, row.firm_id)
                self.edge(row.number, locator, u, Rel.SUPPLIES, v, words)

    def hint_unresolved(self) -> None:
        """Give each unresolved name the closest firm names, once every row's firm is known
        (one hint index for all of them)."""
        if self.unnamed:
            near = self.firms.near_names([i.value for i in self.unnamed])
            for issue in self.unnamed:
                issue.candidates = near.near(issue.value)
            self.unnamed = []

    def _other_firm(
        self, row: SheetRow, header: str, part: str, refused: dict[str, int]
    ) -> str | None:
        """The one firm a customer/supplier name names, else None (and an issue)."""
        index = self.firms.index
        match = index.match(part)
        if match.how == "none":
            reason = f"no firm named '{part}'"
            refused_at = refused.get(normalize_firm_name(part))
            if refused_at:
                reason += f" (row {refused_at} names it but was refused)"
            issue = Issue(row.number, header, part, reason, "unresolved")
            self.unnamed.append(issue)  # its closest names: see hint_unresolved
            self.result.issues.append(issue)
            return None
        other = match.unique
        if other is None:
            listing = [f"{i} ({index.names.get(i, '')})" for i in match.ids]
            reason = f"'{part}' matches {len(match.ids)} firms"
            self.result.issues.append(Issue(row.number, header, part, reason, "ambiguous", listing))
            return None
        if other == row.firm_id:
            self.result.issues.append(
                Issue(row.number, header, part, "names the row's own firm", "unresolved")
            )
            return None
        return other

    def removals(self, stated: dict[str, set[str]], first_row: dict[str, int]) -> None:
        """Remove this file's edges of the kinds a row states that the sheet no longer has.

        ``stated`` maps a firm to the relations its row states (IN_SEGMENT when it has a
        segment column, LOCATED_IN when it has a park or region column).
        """
        for key in self.removable():
            u, rel, v = key
            if rel in stated.get(u, ()):
                del self.edges[key]
                self.result.changes.append(
                    Change(
                        "removed",
                        rel,
                        f"{u} -{rel}-> {v}",
                        self.lookup.name(v) if v in self.G else v,
                        first_row.get(u),
                        "no longer in the sheet",
                    )
                )

    def removable(self) -> list[tuple[str, str, str]]:
        """The edges of the imported files that cite this file and that no row stated
        again (the edges :meth:`removals` may remove), in their order."""
        return [
            key
            for key in self.old
            if key not in self.produced and self.edges[key].get("source") == self.source_id
        ]

    def cites_source(self) -> bool:
        """True when an edge cites this import's file."""
        return any(r.get("source") == self.source_id for r in self.edges.values())
