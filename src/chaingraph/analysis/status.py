"""The status vocabulary of a segment: covered, weak, gap, extension, and how a share is
rounded and written (see :mod:`chaingraph.analysis.coverage` for the rules and how every
number uses them; it re-exports all of this). Imports nothing heavy, so a command answered
from the dataset cache can word its numbers without networkx."""

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


#: decimals a share keeps (0.1852 = 18.52%); share_text shows one decimal of the percent
SHARE_DIGITS = 4


def round_share(ratio: float) -> float:
    """A ratio rounded the one way every output rounds it (``SHARE_DIGITS`` decimals).

    >>> round_share(5 / 27)
    0.1852
    """
    return round(float(ratio), SHARE_DIGITS)


def share(part: float, whole: float) -> float:
    """part / whole rounded by :func:`round_share`; 0.0 when whole is 0.

    >>> share(5, 27), share(3, 0)
    (0.1852, 0.0)
    """
    return round_share(part / whole) if whole else 0.0


def share_text(ratio: float | None, signed: bool = False) -> str:
    """A share for people: the percent with at most one decimal ("18.5%", "50%").

    Rounds through :func:`round_share` first, so the text of a JSON value and of the exact
    ratio agree. ``None`` (unknown) gives ''. ``signed`` adds + to a positive change.

    >>> share_text(5 / 27), share_text(0.1852), share_text(0.5), share_text(-1 / 14, signed=True)
    ('18.5%', '18.5%', '50%', '-7.1%')
    >>> share_text(None), share_text(1 / 3, signed=True)
    ('', '+33.3%')
    """
    if ratio is None:
        return ""
    pct = round(round_share(ratio) * 100, 1)
    if pct == 0:
        pct = 0.0  # no "-0%"
    text = f"{pct:.1f}".removesuffix(".0") + "%"
    return f"+{text}" if signed and pct > 0 else text
