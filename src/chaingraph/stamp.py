"""The time written into output files, so the same data gives the same bytes.

A file's own timestamps (a workbook's ZIP members) never come from the clock: they take
``SOURCE_DATE_EPOCH`` when it is set (seconds since 1970-01-01 UTC, the variable
reproducible-build tools honour, e.g. ``SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)``),
else :data:`ZIP_EPOCH`, the earliest time a ZIP entry can hold. A line a person reads
("生成于 …") may show the clock, but also takes ``SOURCE_DATE_EPOCH`` when it is set, so a
pinned run reproduces every file.

>>> import os
>>> saved = os.environ.pop("SOURCE_DATE_EPOCH", None)
>>> pinned(), zip_time()
(None, (1980, 1, 1, 0, 0, 0))
>>> os.environ["SOURCE_DATE_EPOCH"] = "1700000000"
>>> now().isoformat(), zip_time()
('2023-11-14T22:13:20+00:00', (2023, 11, 14, 22, 13, 20))
>>> _ = os.environ.pop("SOURCE_DATE_EPOCH") if saved is None else os.environ.update(
...     SOURCE_DATE_EPOCH=saved)
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

from .errors import ChaingraphError

#: the environment variable that pins the time of a run (reproducible-builds.org)
VARIABLE = "SOURCE_DATE_EPOCH"
#: the time on a ZIP member when nothing pins one: the earliest a ZIP entry holds
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
#: the latest a ZIP entry holds (its year has 7 bits from 1980; seconds count in twos)
ZIP_LAST = (2107, 12, 31, 23, 59, 58)


class StampError(ChaingraphError):
    """``SOURCE_DATE_EPOCH`` is set but is not a time."""


def pinned() -> datetime | None:
    """The time ``SOURCE_DATE_EPOCH`` pins (UTC), or None when it is unset or empty.

    The value is ASCII decimal digits (``date +%s`` of a time since 1970), as the
    reproducible-builds.org specification has it; anything else raises :class:`StampError`.
    """
    text = os.environ.get(VARIABLE, "").strip()
    if not text:
        return None
    try:
        if not (text.isascii() and text.isdigit()):  # (int() also takes 1_0, +1, -1, １)
            raise ValueError(text)
        return datetime.fromtimestamp(int(text), UTC)
    except (ValueError, OverflowError, OSError):
        raise StampError(
            f"{VARIABLE}={text!r} is not a time: set it to whole seconds since "
            f"1970-01-01 UTC (e.g. {VARIABLE}=$(git log -1 --format=%ct)) or unset it"
        ) from None


def now() -> datetime:
    """The time a person is told a file was made: the pinned time, else the clock (UTC)."""
    return pinned() or datetime.now(UTC)


def zip_time() -> tuple[int, int, int, int, int, int]:
    """The (year, month, day, hour, minute, second) stamped on every member of a ZIP file
    written here: the pinned time in UTC, kept within what ZIP can hold, else
    :data:`ZIP_EPOCH`. Never the clock."""
    when = pinned()
    if when is None:
        return ZIP_EPOCH
    fields = (when.year, when.month, when.day, when.hour, when.minute, when.second)
    return min(max(fields, ZIP_EPOCH), ZIP_LAST)
