"""``impact`` both ways, as a user runs it, through the embedded store and Neo4j over Bolt."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from conftest import DATA

Run = Callable[..., Result]

# tiny: yi (cathode) SUPPLIES jia (cell). Added: ding, local and in no segment, supplies jia
# (70% of its sales) and yi; wu, local in the foil segment, supplies only yi.
MEMO = "丁配件七成产品供货给甲电池，也供货给乙材料。戊铜箔生产铜箔，供货给乙材料。\n"
EXTRA_FIRMS = (
    "ding,Firm,丁配件,,true,,memo,丁配件七成产品供货给甲电池\n"
    "wu,Firm,戊铜箔,,true,,memo,戊铜箔生产铜箔\n"
)
Q1 = "{source: memo, quote: 丁配件七成产品供货给甲电池}"
Q2 = "{source: memo, quote: 也供货给乙材料}"
Q3 = "{source: memo, quote: 戊铜箔生产铜箔，供货给乙材料}"
EXTRA_EDGES = f"""\
  - {{from: ding, rel: SUPPLIES, to: jia, sales_share: 0.7, sources: [{Q1}]}}
  - {{from: ding, rel: SUPPLIES, to: yi, sources: [{Q2}]}}
  - {{from: wu, rel: SUPPLIES, to: yi, sources: [{Q3}]}}
  - {{from: wu, rel: IN_SEGMENT, to: bat-foil, sources: [{Q3}]}}
"""


@pytest.fixture(
    params=["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)],
)
def store(request: pytest.FixtureRequest, tmp_path: Path, run: Run) -> str:
    folder = tmp_path / "tiny"
    shutil.copytree(DATA / "tiny", folder)
    with (folder / "sources" / "memo.txt").open("a", encoding="utf-8") as f:
        f.write(MEMO)
    with (folder / "firms.csv").open("a", encoding="utf-8") as f:
        f.write(EXTRA_FIRMS)
    with (folder / "relations.yaml").open("a", encoding="utf-8") as f:
        f.write(EXTRA_EDGES)
    checked = run("validate", str(folder))
    assert checked.exit_code == 0, checked.output
    if request.param == "embedded":
        return str(folder)
    target = request.getfixturevalue("neo4j_target")
    assert run("db", "push", str(folder), store=target.uri).exit_code == 0
    return str(target.uri)


def _rows(run: Run, store: str, *args: str) -> list[dict[str, Any]]:
    result = run("impact", *args, "-f", "json", store=store)
    assert result.exit_code == 0, result.output
    rows: list[dict[str, Any]] = json.loads(result.stdout)
    return rows


def test_leader_leaving_shows_upstream_losses(run: Run, store: str) -> None:
    rows = _rows(run, store, "jia")
    ups = [
        (r["chain"], r["item"], r["before"], r["after"], r["share"])
        for r in rows
        if r["effect"] == "supplier"
    ]
    # yi (in the chain) loses its only local customer; ding (in no chain) its main one
    assert ups == [("bat", "yi", 1, 0, None), ("", "ding", 2, 1, 0.7)]
    details = {r["item"]: r["detail"] for r in rows if r["effect"] == "supplier"}
    assert details == {
        "yi": "失去唯一本地客户",
        "ding": "失去主要本地客户(占其销售 70%)",
    }


def test_customers_only_under_their_chain(run: Run, store: str) -> None:
    rows = _rows(run, store, "wu")
    assert [(r["chain"], r["effect"], r["item"]) for r in rows if r["effect"] == "customer"] == [
        ("bat", "customer", "yi")
    ]
    rows = _rows(run, store, "ding")
    customers = [(r["chain"], r["item"]) for r in rows if r["effect"] == "customer"]
    assert customers == [("", "jia"), ("", "yi")]  # ding is in no chain: one group, once each
