"""The one JSON writer: whatever numbers reach it, its output parses as strict JSON."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chaingraph import jsontext
from chaingraph.cli._output import to_json

SRC = Path(__file__).resolve().parent.parent / "src" / "chaingraph"


def strict_loads(text: str) -> Any:
    def refuse(name: str) -> None:
        raise AssertionError(f"non-standard JSON constant {name}")

    return json.loads(text, parse_constant=refuse)


values = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | st.text(),
    lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
    max_leaves=20,
)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values)
def test_every_output_is_strict_json(value: Any) -> None:
    for text in (jsontext.dumps(value), jsontext.dumps(value, compact=True), to_json(value)):
        strict_loads(text)


def test_overflowing_sums_come_out_as_null() -> None:
    total = 1.7e308 + 1.7e308  # what two huge amounts add up to
    assert math.isinf(total)
    rows = [{"firm": "甲", "score": total - total, "amount": total, "parts": (total, 1)}]
    assert strict_loads(to_json(rows)) == [
        {"firm": "甲", "score": None, "amount": None, "parts": [None, 1]}
    ]


def test_finite_values_are_written_unchanged() -> None:
    value = {"a": 1.5, "b": [1, 2.0, "x"], "名": "乙"}
    assert jsontext.dumps(value) == json.dumps(value, ensure_ascii=False)


@pytest.mark.parametrize("path", sorted(SRC.rglob("*.py")), ids=lambda p: p.name)
def test_json_is_written_only_through_jsontext(path: Path) -> None:
    if path.name == "jsontext.py":
        return
    code = path.read_text(encoding="utf-8")
    assert not re.search(r"\bjson\.dumps?\(", code), f"{path.name}: use chaingraph.jsontext"
