"""Segment candidates for the rows of a firm list (``chaingraph classify FILE``).

Each row is read with the import's sheet reader and header mapping; its 主营产品
(``products``), 经营范围 (``business_scope``) and 申万 industry (``sw_l3``) are matched
against the segments' keywords and industries (:mod:`chaingraph.analysis.classify`). A row
that names a firm already in the graph (credit code, name or alias, normalised name; an
ambiguous name is not guessed) also gets that firm's stated segments and the fields the
graph knows and the row leaves empty; as everywhere, its industry then adds nothing (see
:mod:`chaingraph.analysis.classify`). Nothing is written.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..analysis.classify import (
    SegmentMatcher,
    classify_record,
    membership_rows,
    segment_chains,
    stated_of,
)
from ..model import ChainGraph, Row
from .mapping import load_mapping, map_columns
from .names import FirmIndex
from .sheets import read_table
from .values import split_names

#: the fields of a row that classification reads
ROW_FIELDS = ("products", "business_scope", "sw_l3")


def classify_sheet(
    G: ChainGraph,
    path: str | Path,
    *,
    mapping: str | Path | None = None,
    sheet: str | None = None,
    encoding: str | None = None,
    chains: Iterable[str] | None = None,
    unsegmented_only: bool = False,
) -> list[Row]:
    """Segment candidates for every row of a sheet, strongest first within a row.

    ``unsegmented_only``: only rows whose 所属环节 (``segment``) cell is empty.

    Rows: ``row`` (as a spreadsheet program numbers it), ``input_name``, ``firm`` (the
    matched firm id, or ''), then the columns of
    :func:`~chaingraph.analysis.classify.membership_rows`. A row with no candidate gets one
    row with an empty ``segment`` and ``how`` = ``none``. Raises InvalidGraphData for an
    unreadable file or a sheet without a name column.
    """
    mp = load_mapping(mapping)
    table = read_table(path, sheet or mp.sheet, encoding)
    where = f"{table.file.name}" + (f" [{table.sheet}]" if table.sheet else "")
    cols = map_columns(table.rows, mp, where)
    chain_list = None if chains is None else list(chains)
    matcher = SegmentMatcher.from_graph(G, chain_list)
    allowed = set(matcher.segments)
    by_chain = segment_chains(G)
    if chain_list is not None:
        keep = set(chain_list)
        by_chain = {s: [c for c in cs if c in keep] for s, cs in by_chain.items()}
    index = FirmIndex.from_graph(G)
    out: list[Row] = []
    for number, cells in table.rows:
        if number <= cols.header_row or not any(cells):
            continue
        values: dict[str, str] = {}
        for name, idx in cols.fields.items():
            for i in idx:
                if i < len(cells) and cells[i]:
                    values[name] = cells[i]
                    break
        name = values.get("name", "")
        if not name or (unsegmented_only and values.get("segment")):
            continue
        match = index.match(name, values.get("credit_code"))
        firm = match.unique or ""
        record: dict[str, Any] = dict(G.nodes[firm]) if firm else {}
        for f in ROW_FIELDS:
            if values.get(f):
                record[f] = split_names(values[f]) if f == "products" else values[f]
        found = stated_of(G, firm, allowed) if firm else []
        placed = bool(firm) and bool(stated_of(G, firm))
        have = {m.segment for m in found}
        found += [
            m
            for m in classify_record(record, matcher, firm, industry=not placed)
            if m.segment not in have and m.segment in allowed
        ]
        head: Row = {"row": number, "input_name": name, "firm": firm}
        rows = membership_rows(G, found, by_chain)
        if not rows:
            note = "ambiguous name: several firms match" if len(match.ids) > 1 else ""
            out.append(
                head
                | {
                    "name": G.nodes[firm].get("name", "") if firm else "",
                    "chain": "",
                    "segment": "",
                    "segment_name": "",
                    "how": "none",
                    "grade": "",
                    "basis": note or "no keyword or industry matched",
                }
            )
        for r in rows:
            out.append(head | r)
    return out


def import_candidates(
    into: str | Path,
    path: str | Path,
    *,
    mapping: str | Path | None = None,
    sheet: str | None = None,
    encoding: str | None = None,
) -> list[Row]:
    """Segment candidates for the rows of a sheet that name no 所属环节, as import rows.

    For ``import --dry-run``: rows ``row, status`` (``candidate``), ``kind`` (Segment),
    ``id``, ``name`` (the segment) and ``detail`` (the firm, how, grade and basis). Nothing is
    imported from them: a candidate is inferred until someone fills 所属环节.
    """
    from ..dataset import read_graph

    G = read_graph(Path(into))
    out: list[Row] = []
    for r in classify_sheet(
        G, path, mapping=mapping, sheet=sheet, encoding=encoding, unsegmented_only=True
    ):
        if not r["segment"]:
            continue
        out.append(
            {
                "row": r["row"],
                "status": "candidate",
                "kind": "Segment",
                "id": r["segment"],
                "name": r["segment_name"],
                "detail": f"{r['input_name']}: {r['how']}, {r['grade']} ({r['basis']})",
            }
        )
    return out
