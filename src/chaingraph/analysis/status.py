"""The status vocabulary of a segment: covered, weak, gap, extension (see
:mod:`chaingraph.analysis.coverage` for the rules and how every number uses them)."""

from __future__ import annotations

COVERED, WEAK, GAP, EXTENSION = "covered", "weak", "gap", "extension"
#: the statuses a segment can have, strongest first
STATUSES = (COVERED, WEAK, GAP, EXTENSION)
STATUS_ZH = {COVERED: "已覆盖", WEAK: "薄弱", GAP: "缺口", EXTENSION: "延链"}
#: how many local firms make a segment covered
COVERED_AT = 2


def segment_status(n_local: int, extension: bool = False) -> str:
    """The status of a segment with ``n_local`` local firms present (see the module doc).

    >>> [segment_status(n) for n in (0, 1, 2, 5)], segment_status(3, extension=True)
    (['gap', 'weak', 'covered', 'covered'], 'extension')
    """
    if extension:
        return EXTENSION
    return COVERED if n_local >= COVERED_AT else WEAK if n_local == 1 else GAP


def status_zh(status: str) -> str:
    """The Chinese word for a status, e.g. 缺口 for gap (the status itself if unknown)."""
    return STATUS_ZH.get(status, status)
