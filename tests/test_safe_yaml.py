"""Hostile YAML: every class of bad file gives one clear error with file:line, never a traceback.

The same reader serves dataset files and ``import --mapping`` files, so each class is tried in
both, through the CLI as a user runs it.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import Result
from hypothesis import given, settings
from hypothesis import strategies as st

from chaingraph import safe_yaml
from chaingraph.dataset import load_dataset, validate
from chaingraph.safe_yaml import YamlError, line_of, loads
from chaingraph.store.neo4j_schema import encode_attrs

BOMB = "\n".join(
    ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    + [
        f"{c}: &{c} [{', '.join(['*' + p] * 9)}]"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    ]
)

#: (name, YAML text, words the error must contain, line it must name)
HOSTILE: list[tuple[str, str, str, int | None]] = [
    ("impossible date", "x: 1\nsigned: 2023-02-30\n", "'2023-02-30' is not a real date", 2),
    ("day 0", "signed: 2024-01-00\n", "not a real date", 1),
    ("impossible time", "at: 2023-01-01 25:61:00\n", "not a real date", 1),
    ("5000 digits", "n: " + "9" * 5000 + "\n", "5000 digits is too long", 1),
    ("long negative", "n: -" + "1_0" * 40 + "\n", "digits is too long", 1),
    ("5000 nested [", "a: " + "[" * 5000 + "]" * 5000 + "\n", "nest", 1),
    ("70 nested [", "a: " + "[" * 70 + "]" * 70 + "\n", "nested more than 64 levels", 1),
    ("deep block nesting", "".join(" " * i + "k:\n" for i in range(80)) + "\n", "nest", None),
    ("billion laughs", BOMB, "expand to more than 10,000 values", None),
    ("python object", "x: !!python/object/apply:os.system ['echo hi']\n", "not allowed", 1),
    ("python name", "x: !!python/name:os.system\n", "not allowed", 1),
    ("binary", "x: !!binary aGVsbG8=\n", "not allowed", 1),
    ("set", "x: !!set {a, b}\n", "not allowed", 1),
    ("local tag", "x: !secret abc\n", "not allowed", 1),
    ("recursive alias", "a: &x [1, *x]\n", "names no anchor", 1),
    ("undefined alias", "a: *nothing\n", "names no anchor", 1),
    ("list as key", "? [a, b]\n: 1\n", "a key must be plain text", 1),
    ("repeated key", "name: a\nkind: Firm\nname: b\n", "'name' appears twice", 3),
    ("two documents", "a: 1\n---\nb: 2\n", "more than one document", 2),
    ("syntax", "a: [1, 2\nb: 3\n", "malformed YAML", None),
]


@pytest.mark.parametrize(
    ("text", "words", "line"), [h[1:] for h in HOSTILE], ids=[h[0] for h in HOSTILE]
)
def test_hostile_text_is_one_error_with_its_line(text: str, words: str, line: int | None) -> None:
    with pytest.raises(YamlError) as info:
        loads(text, "f.yaml")
    assert words in str(info.value)
    assert str(info.value).startswith("f.yaml:" if info.value.line else "f.yaml")
    if line is not None:
        assert info.value.line == line


def test_billion_laughs_is_refused_before_expanding() -> None:
    # nine levels of nine aliases would be 387 million values; a few levels are fine
    small = "a: &a [1, 2]\nb: [*a, *a, *a]\n"
    assert loads(small) == {"a": [1, 2], "b": [[1, 2]] * 3}
    with pytest.raises(YamlError, match="aliases"):
        loads(BOMB)


def test_values_are_plain_data_that_json_takes() -> None:
    text = (
        "d: 2023-02-01\nt: 2023-02-01 10:00:00\nn: ~\nb: [yes, off]\n"
        "i: [0x1f, 0o17, 017, 1_000, 1:30]\n"
        "f: [1.5e+3, .inf, -.inf]\nbase: &b {x: 1, y: 2}\nm:\n  <<: *b\n  y: 3\n2023: year\n"
    )
    data = loads(text)
    assert data["d"] == "2023-02-01" and data["t"] == "2023-02-01 10:00:00"
    assert data["n"] is None and data["b"] == [True, False]
    assert data["i"] == [31, "0o17", 15, 1000, 90]  # as PyYAML (YAML 1.1) reads them
    assert data["f"][0] == 1500.0 and math.isinf(data["f"][1]) and data["f"][2] < 0
    assert data["m"] == {"x": 1, "y": 3}
    assert data["2023"] == "year"  # keys are text as written
    json.dumps({k: v for k, v in data.items() if k != "f"}, allow_nan=False)


def test_lines_of_mappings_and_lists() -> None:
    data = loads("nodes:\n  - id: a\n    kind: Firm\n  - id: b\nedges: []\n")
    assert line_of(data) == 1
    assert line_of(data["nodes"]) == 2
    assert [line_of(n) for n in data["nodes"]] == [2, 4]
    assert line_of("text") is None
    plain = loads("a: {b: [1]}\n", lines=False)
    assert type(plain) is dict and type(plain["a"]["b"]) is list


def test_a_file_too_large_is_refused_unread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("nodes:\n" + "  - {id: a, kind: Firm}\n" * 100, encoding="utf-8")
    monkeypatch.setattr(safe_yaml, "MAX_BYTES", 1000)
    with pytest.raises(YamlError, match="more than the 0 MB a YAML file may hold; put long"):
        safe_yaml.load(path, "big.yaml")


def test_not_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "gbk.yaml"
    path.write_bytes("a: 1\nb: 2\nname: 嵊州\n".encode("gb18030"))
    with pytest.raises(YamlError) as info:
        safe_yaml.load(path, "gbk.yaml")
    assert info.value.line == 3 and "not UTF-8" in str(info.value)


# PyYAML's safe loader is the reference for everything plain: same values, dates as ISO text
_plain = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**20), 10**20)
    | st.floats(allow_nan=False)
    | st.text(max_size=20)
    | st.dates(min_value=dt.date(1000, 1, 1)),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


def _expected(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return [_expected(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _expected(v) for k, v in value.items()}
    return value


@settings(max_examples=200, deadline=None)
@given(value=_plain, flow=st.booleans())
def test_same_values_as_pyyaml_safe_load(value: Any, flow: bool) -> None:
    text = yaml.safe_dump({"v": value}, allow_unicode=True, default_flow_style=flow)
    assert loads(text) == _expected(yaml.safe_load(text))


# --- the same classes through the CLI, in datasets and mapping files -----------------------

CLI_CASES = [
    h
    for h in HOSTILE
    if h[0]
    in {
        "impossible date",
        "5000 digits",
        "5000 nested [",
        "billion laughs",
        "python object",
        "repeated key",
    }
]


@pytest.mark.parametrize(
    ("text", "words"), [(h[1], h[2]) for h in CLI_CASES], ids=[h[0] for h in CLI_CASES]
)
def test_validate_reports_hostile_file(run: Any, tiny: Path, text: str, words: str) -> None:
    (tiny / "bad.yaml").write_text(text, encoding="utf-8")
    result: Result = run("validate", str(tiny))
    assert result.exit_code == 1
    assert "Traceback" not in result.output + result.stderr
    assert "bad.yaml" in result.output + result.stderr and words in result.output + result.stderr


@pytest.mark.parametrize(
    ("text", "words"), [(h[1], h[2]) for h in CLI_CASES], ids=[h[0] for h in CLI_CASES]
)
def test_import_mapping_reports_hostile_file(
    run: Any, tiny: Path, tmp_path: Path, text: str, words: str
) -> None:
    sheet = tmp_path / "list.csv"
    sheet.write_text("企业名称\n丁公司\n", encoding="utf-8")
    mapping = tmp_path / "map.yaml"
    mapping.write_text(text, encoding="utf-8")
    before = sorted(p.read_bytes() for p in tiny.rglob("*") if p.is_file())
    result: Result = run("import", str(sheet), "--into", str(tiny), "--mapping", str(mapping))
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("Error: Mapping file ")
    assert str(mapping) in result.stderr and words in result.stderr
    assert sorted(p.read_bytes() for p in tiny.rglob("*") if p.is_file()) == before


def test_hostile_dataset_keeps_reporting_other_files(tiny: Path) -> None:
    (tiny / "a.yaml").write_text("x: 2023-02-30\n", encoding="utf-8")
    (tiny / "b.yaml").write_text(BOMB, encoding="utf-8")
    problems = [str(p) for p in validate(tiny)]
    assert problems[0].startswith("a.yaml:1: '2023-02-30' is not a real date")
    assert problems[1].startswith("b.yaml:") and "aliases" in problems[1]


def test_an_id_with_a_trailing_newline_is_refused(tiny: Path) -> None:
    (tiny / "more.yaml").write_text(
        'grade: template\nnodes:\n  - {id: "ding\\n", kind: Firm, name: 丁}\n', encoding="utf-8"
    )
    (problem,) = [str(p) for p in validate(tiny)]
    assert problem.startswith("more.yaml:3: id 'ding\\n' is not a valid id")


# --- values of the wrong shape inside a valid file -----------------------------------------

CITE = "sources: [{source: memo, quote: 动力电池园"
WRONG_SHAPES = [
    ("about number", f"{CITE}, about: 5}}]", "'about' of the citation of 'memo' must name fields"),
    ("about mapping", f"{CITE}, about: {{a: 1}}}}]", "must name fields"),
    (
        "figure year date",
        "figures: [{key: f, value: 1, year: 2023-01-01, " + CITE + "}]}]",
        "year '2023-01-01' is not a year",
    ),
    (
        "figure year words",
        "figures: [{key: f, value: 1, year: 去年, " + CITE + "}]}]",
        "year '去年' is not a year",
    ),
    (
        "figure label list",
        "figures: [{key: f, value: 1, label: [a], " + CITE + "}]}]",
        "'label' must be text",
    ),
    (
        "figure note mapping",
        "figures: [{key: f, value: 1, note: {a: 1}, " + CITE + "}]}]",
        "'note' must be text",
    ),
]


@pytest.mark.parametrize(
    ("tail", "words"), [w[1:] for w in WRONG_SHAPES], ids=[w[0] for w in WRONG_SHAPES]
)
def test_wrong_shapes_are_problems_with_their_line(tiny: Path, tail: str, words: str) -> None:
    (tiny / "more.yaml").write_text(
        "nodes:\n\n  - {id: ding, kind: Firm, name: 丁, local: true, grade: template, "
        + tail
        + "}\n",
        encoding="utf-8",
    )
    (problem,) = [str(p) for p in validate(tiny)]
    assert problem.startswith("more.yaml:3: node 'ding'") and words in problem


def test_whatever_validates_can_be_pushed(tiny: Path) -> None:
    """Dates, years and numbers anywhere YAML allows them end up as plain JSON-able values."""
    (tiny / "more.yaml").write_text(
        "nodes:\n  - id: ding\n    kind: Project\n    name: 2023-01-01\n    signed: 2023-02-01\n"
        "    aliases: [2024-01-01, 12]\n    note: 2023-03-01\n    grade: template\n"
        "    figures:\n      - {key: f, value: 1, year: '2023', label: 2023-01-01, unit: 5,\n"
        "         note: 2023-05-05, " + CITE + ", locator: 2023-06-06, about: [name]}]}\n",
        encoding="utf-8",
    )
    ds = load_dataset(tiny)
    assert [str(p) for p in ds.problems] == []
    attrs = ds.graph.nodes["ding"]
    assert attrs["signed"] == "2023-02-01" and attrs["name"] == "2023-01-01"
    assert attrs["figures"][0]["year"] == 2023 and attrs["figures"][0]["label"] == "2023-01-01"
    for _, data in ds.graph.nodes(data=True):
        json.dumps(encode_attrs(data), allow_nan=False)
    for _, _, data in ds.graph.edges(data=True):
        json.dumps(encode_attrs(data), allow_nan=False)
