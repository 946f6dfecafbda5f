"""No zone, park or place name is written into the library's code: it is read from the dataset.

The check reads every module of ``src/chaingraph`` with :mod:`ast` and looks at the strings
the code uses — not comments, not docstrings, and not the ``doc=`` text of the schema fields
(documentation examples are fine) — and at the other files of the package (the view's HTML
and JavaScript). The vendored division table (``data/``) is data and is not checked.
The words: those of the issue, and every name, alias and bracketed part of a name of the
shipped zone's Zone, Park and Platform nodes, so a new zone name is caught too.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from chaingraph.dataset import read_graph
from chaingraph.model import Kind
from conftest import REPO, SHENGZHOU

SRC = REPO / "src" / "chaingraph"
WORDS = ("嵊州", "绍兴", "浙江", "高新园区", "经济开发区", "艇湖")


def forbidden() -> list[str]:
    words = set(WORDS)
    G = read_graph(SHENGZHOU)
    for n, attrs in G.nodes(data=True):
        if attrs["kind"] not in (Kind.ZONE, Kind.PARK, Kind.PLATFORM):
            continue
        names = [attrs["name"], *(attrs.get("aliases") or [])]
        words.add(n)  # its id too: a message must not name the shipped zone's nodes
        names += [part for n in names for part in re.findall(r"[(（]([^()（）]+)[)）]", n)]
        words.update(n for n in names if len(n) >= 4)
    return sorted(words)


def docstrings(tree: ast.AST) -> set[int]:
    """ids of the string constants that are docstrings."""
    out: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                out.add(id(body[0].value))
    return out


def code_strings(path: Path) -> list[tuple[int, str]]:
    """(line, text) of every string constant of a module that is not documentation."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = docstrings(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg == "doc":
            skip.update(id(n) for n in ast.walk(node.value))
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip
    ]


def test_the_check_finds_a_name_in_code(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        '"""嵊州 in a docstring is fine."""\n# 嵊州 in a comment too\n'
        'MARKERS = ("嵊州经济开发区",)\nF = dict(doc="e.g. 嵊州市")\n',
        encoding="utf-8",
    )
    assert code_strings(module) == [(3, "嵊州经济开发区")]


def test_no_zone_or_place_name_in_library_code() -> None:
    words = forbidden()
    assert "嵊州经济开发区" in words and "高新园区" in words
    found = []
    for path in sorted(SRC.rglob("*")):
        if not path.is_file() or "data" in path.relative_to(SRC).parts:
            continue
        if path.suffix == ".py":
            strings = code_strings(path)
        elif path.suffix in (".html", ".js", ".css", ".txt"):
            text = path.read_text(encoding="utf-8")
            strings = [(n, line) for n, line in enumerate(text.splitlines(), start=1)]
        else:
            continue
        for line, text in strings:
            found += [f"{path.relative_to(REPO)}:{line}: {w}" for w in words if w in text]
    assert found == [], "place names in code (read them from the dataset):\n" + "\n".join(found)


@pytest.mark.parametrize("word", WORDS)
def test_the_words_are_real_names_of_the_shipped_data(word: str) -> None:
    """The list is not made up: each word occurs in the shipped zone's files."""
    text = "".join(p.read_text(encoding="utf-8") for p in SHENGZHOU.rglob("*.yaml"))
    assert word in text
