"""Issue 9's done-when on the shipped data: the Shengzhou zone with the listed-firm layer."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from click.testing import Result

from conftest import SHENGZHOU

Run = Callable[..., Result]
Row = dict[str, Any]


def by_segment(run: Run) -> dict[str, list[Row]]:
    result = run("targets", "new-energy-equipment", "-n", "1000", "-f", "json", store=SHENGZHOU)
    assert result.exit_code == 0, result.output
    out: dict[str, list[Row]] = {}
    for r in json.loads(result.stdout):
        out.setdefault(r["segment"], []).append(r)
    return out


def test_sourced_suppliers_of_the_leader_rank_first(run: Run) -> None:
    segs = by_segment(run)
    separator = segs["ne-separator"]
    assert separator[0]["name"] == "星源材质"
    assert (separator[0]["how"], separator[0]["grade"]) == ("stated", "sourced")
    cathode = segs["ne-cathode"]
    yuneng = next(r for r in cathode if r["name"] == "湖南裕能")
    industry_only = [r for r in cathode if r["how"] == "industry"]
    assert industry_only, "the layer's battery-chemical firms are 正极材料 candidates"
    assert all(yuneng["rank"] < r["rank"] and yuneng["score"] > r["score"] for r in industry_only)
    assert "供应链主 比亚迪" in yuneng["reason"]


def test_anode_and_electrolyte_list_listed_battery_chemical_firms_as_inferred(run: Run) -> None:
    segs = by_segment(run)
    for seg in ("ne-anode", "ne-electrolyte"):
        rows = [r for r in segs[seg] if r["basis"] == "申万三级:电池化学品"]
        assert len(rows) >= 5, seg
        for r in rows:
            assert (r["how"], r["grade"], r["known"]) == ("industry", "inferred", 1.0)
            assert r["stock_code"] and r["scale"] == 1.0
            assert "行业推断(申万三级:电池化学品)" in r["reason"]
    # a firm the dataset places elsewhere is not proposed on its industry alone
    assert "星源材质" not in {r["name"] for r in segs["ne-anode"]}
