"""The one JSON writer: every JSON chaingraph emits (CLI output, views, stored properties).

``json.dumps`` writes ``NaN`` and ``Infinity`` by default, which no JSON parser accepts.
Here a number that is not finite becomes ``null`` (its meaning: no valid value), so every
output parses, whatever a store or an overflowing sum handed over.
"""

from __future__ import annotations

import json
import math
from typing import Any


def dumps(
    value: Any,
    *,
    indent: int | None = None,
    compact: bool = False,
    sort_keys: bool = False,
) -> str:
    """JSON text with non-ASCII kept, non-finite numbers as ``null``, other objects as str.

    >>> dumps({"score": float("nan"), "sum": [float("inf"), 1.5], "名": "甲"})
    '{"score": null, "sum": [null, 1.5], "名": "甲"}'
    >>> dumps([1, 2], compact=True)
    '[1,2]'
    """
    options: dict[str, Any] = {
        "ensure_ascii": False,
        "allow_nan": False,
        "default": str,
        "indent": indent,
        "sort_keys": sort_keys,
    }
    if compact:
        options["separators"] = (",", ":")
    try:
        return json.dumps(value, **options)
    except ValueError:  # a NaN or an infinity somewhere: replace it, then write again
        return json.dumps(finite(value), **options)


def finite(value: Any) -> Any:
    """``value`` with every non-finite float (in dicts, lists, tuples) replaced by None.

    >>> finite({"a": (1.0, float("-inf"))})
    {'a': [1.0, None]}
    """
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite(v) for v in value]
    return value
