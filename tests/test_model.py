"""The model's rules: ids, names, grades, and that it is the one source of labels."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from chaingraph.model import (
    REL_SPECS,
    Grade,
    Kind,
    Rel,
    fields_of,
    is_valid_id,
    node_grade,
    normalize_text,
    quote_key,
)

SRC = Path(__file__).parent.parent / "src" / "chaingraph"


@pytest.mark.parametrize("value", ["byd", "ne-cell", "a.b_c-1", "x9"])
def test_valid_ids(value: str) -> None:
    assert is_valid_id(value)


@pytest.mark.parametrize(
    "value",
    ["", "BYD", "比亚迪", "a b", "-a", "a-", "a--b", "x}) DETACH DELETE n //", 7, None]
    + ["x\n", "byd\n", "a-b\r\n", "\nx", "x\x00"],
)
def test_invalid_ids(value: object) -> None:
    assert not is_valid_id(value)


def test_normalize_folds_width_case_and_space() -> None:
    assert normalize_text("　ＢＹＤ（嵊州）  ") == normalize_text("byd(嵊州)")


def test_quote_key_ignores_line_breaks_and_punctuation_width() -> None:
    assert quote_key("双超\n百亿元，") == quote_key("双超百亿元,")


def test_grade_from_sources() -> None:
    assert node_grade({"sources": [{"source": "a", "quote": "q"}]}) == Grade.SOURCED
    assert node_grade({}) == Grade.TEMPLATE
    assert node_grade({"grade": "inferred"}) == Grade.INFERRED


def test_every_relation_has_a_spec_and_every_kind_fields() -> None:
    assert set(REL_SPECS) == set(Rel)
    for kind in Kind:
        assert {"id", "kind", "name"} <= set(fields_of(kind))


def test_labels_appear_in_code_only_through_the_model() -> None:
    """No library module outside model.py spells a label or relationship type in a Cypher
    pattern (the CLI's help texts may show example queries)."""
    rels = "|".join(r.value for r in Rel)
    labels = "|".join(k.value for k in Kind)
    pattern = re.compile(rf"\[[a-z_]*:({rels})\b|\([a-z_]*:({labels})\b")
    offenders = [
        str(p.relative_to(SRC))
        for p in SRC.rglob("*.py")
        if p.name != "model.py"
        and "cli" not in p.relative_to(SRC).parts
        and pattern.search(p.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_names_folded_together_are_folded_alone() -> None:
    """normalize_texts joins the texts to fold them at once: each part must be what its text
    gives alone, whatever is at the joins (combining marks, jamo, final sigma, full-width
    and odd spaces, ligatures, a NUL)."""
    import random

    from chaingraph.model import normalize_texts

    pieces = [
        "a", "Σ", "ς", "ß", "İ", "ﬁ", "Ａ", "（", "嵊", "州", " ", "\u3000", "\t", "\n", "\x1c",
        "\u0301", "\u0327", "e", "\u1100", "\u1161", "\u11a8", "가", "\u2028", "\x85", "\x00",
        "①", "㍿", "ﾊ", "ﾟ",
    ]  # fmt: skip
    rng = random.Random(7)
    for _ in range(300):
        texts = [
            "".join(rng.choice(pieces) for _ in range(rng.randint(0, 6)))
            for _ in range(rng.randint(0, 8))
        ]
        assert normalize_texts(texts) == [normalize_text(t) for t in texts], texts
