"""The analysis commands as a user runs them, on the shipped Shengzhou dataset."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from conftest import SHENGZHOU

Run = Callable[..., Result]


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    return result


def test_chain_map_table(run: Run) -> None:
    result = ok(run("chain", "新能源装备", store=SHENGZHOU))
    lines = result.stdout.splitlines()
    assert lines[0].split()[:4] == ["tier", "segment", "name", "status"]
    cell = next(line for line in lines if "ne-cell" in line)
    assert "weak" in cell and "比亚迪" in cell and "130亿元" in cell
    assert re.search(r"\d+ 个环节中 \d+ 个有本地企业\([\d.]+%\)", result.stderr), result.stderr


def test_chain_coverage_json(run: Run) -> None:
    rows = json.loads(
        ok(run("chain", "new-energy-equipment", "--coverage", "-f", "json", store=SHENGZHOU)).stdout
    )
    overall = rows[0]
    assert overall["scope"] == "all" and 0 < overall["ratio"] < 1
    assert overall["present"] <= overall["segments"]


def test_leaders_byd_tops_new_energy(run: Run) -> None:
    rows = json.loads(
        ok(run("leaders", "new-energy-equipment", "-f", "json", store=SHENGZHOU)).stdout
    )
    assert rows[0]["firm"] == "byd" and rows[0]["rank"] == 1
    assert rows[0]["score"] > rows[1]["score"]
    assert rows[0]["betweenness_method"] == "exact"
    for key in ("designated", "pull", "investment_yi", "reach", "pagerank", "betweenness"):
        assert key in rows[0]


def test_gaps_csv_for_all_chains(run: Run) -> None:
    out = ok(run("gaps", "-f", "csv", store=SHENGZHOU)).stdout.splitlines()
    assert out[0].startswith("chain,segment,name,tier,dependence")
    assert {line.split(",")[0] for line in out[1:]} >= {"new-energy-equipment", "smart-kitchen"}


def test_gap_types(run: Run) -> None:
    weak = json.loads(
        ok(
            run("gaps", "new-energy-equipment", "--type", "weak", "-f", "json", store=SHENGZHOU)
        ).stdout
    )
    assert "ne-cell" in {r["segment"] for r in weak}
    ext = json.loads(
        ok(
            run(
                "gaps", "new-energy-equipment", "--type", "extension", "-f", "json", store=SHENGZHOU
            )
        ).stdout
    )
    assert "ne-recycling" in {r["segment"] for r in ext}


def test_single_source_with_infer_is_labelled(run: Run) -> None:
    result = ok(
        run(
            "gaps",
            "new-energy-equipment",
            "--type",
            "single-source",
            "--infer",
            "-f",
            "json",
            store=SHENGZHOU,
        )
    )
    rows = json.loads(result.stdout)
    # BYD's single suppliers of cathode and separator are stated by public documents; the
    # copper-foil input has two suppliers (诺德 sourced, 汉科 inferred), so it is not listed.
    assert sorted((r["input_segment"], r["supplier"], r["grade"]) for r in rows) == [
        ("ne-cathode", "hunan-yuneng", "sourced"),
        ("ne-separator", "senior-tech", "sourced"),
    ]
    assert "inferred supply links added" in result.stderr


def test_targets_say_when_a_segment_has_no_candidate(run: Run) -> None:
    rows = json.loads(ok(run("targets", "新能源装备", "-f", "json", store=SHENGZHOU)).stdout)
    # the leader's sourced suppliers rank first in their segments, each with the tie
    first = {r["segment"]: r for r in rows if r["rank"] == 1}
    for seg, firm in [
        ("ne-cathode", "hunan-yuneng"),
        ("ne-foil", "nuode"),
        ("ne-separator", "senior-tech"),
    ]:
        assert first[seg]["firm"] == firm and "供应链主 比亚迪" in first[seg]["reason"]
        assert (first[seg]["how"], first[seg]["grade"]) == ("stated", "sourced")
    for r in rows:
        if r["firm"]:
            assert r["how"] in ("stated", "products", "industry") and r["basis"]
        else:
            assert "no candidate known" in r["reason"]


def test_impact_of_byd(run: Run) -> None:
    rows = json.loads(ok(run("impact", "比亚迪", "-f", "json", store=SHENGZHOU)).stdout)
    effects = {(r["effect"], r["item"]) for r in rows}
    assert ("segment", "ne-cell") in effects and ("leader", "byd") in effects
    assert ("project", "byd-battery-base") in effects


def test_impact_errors(run: Run) -> None:
    result = run("impact", "ne-cell", store=SHENGZHOU)
    assert result.exit_code == 1 and "not a firm" in result.stderr
    result = run("chain", "比亚迪", store=SHENGZHOU)
    assert result.exit_code == 1 and "not a chain" in result.stderr


def test_report_writes_every_page(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = ok(run("report", "--out", str(out), "--no-views", store=SHENGZHOU))
    names = sorted(p.name for p in out.iterdir())
    assert "index.html" in names and "index.md" in names
    assert "new-energy-equipment.html" in names and "new-energy-equipment.md" in names
    assert "Wrote" in result.stderr and result.stdout == ""
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "嵊州" in index and 'href="new-energy-equipment.html"' in index


@pytest.mark.neo4j
def test_same_answers_on_neo4j(run: Run, neo4j_target: Any, tmp_path: Path) -> None:
    uri = neo4j_target.uri
    ok(run("db", "push", str(SHENGZHOU), store=uri))
    for args in (
        ("chain", "new-energy-equipment"),
        ("chain", "new-energy-equipment", "--coverage"),
        ("gaps",),
        ("gaps", "--type", "weak"),
        ("gaps", "new-energy-equipment", "--type", "single-source", "--infer"),
        ("targets", "new-energy-equipment"),
        ("leaders",),
        ("impact", "比亚迪"),
    ):
        here = json.loads(ok(run(*args, "-f", "json", store=SHENGZHOU)).stdout)
        there = json.loads(ok(run(*args, "-f", "json", store=uri)).stdout)
        assert there == here, args

    def pages(store: str, out: Path) -> dict[str, str]:
        ok(run("report", "--out", str(out), "--no-views", store=store))
        return {
            p.name: "\n".join(
                x for x in p.read_text(encoding="utf-8").splitlines() if "生成于" not in x
            )
            for p in sorted(out.glob("*.md"))
        }

    there, here = pages(uri, tmp_path / "neo4j"), pages(str(SHENGZHOU), tmp_path / "files")
    # the index title comes from the dataset's title, which a Neo4j store does not keep
    assert there.pop("index.md").splitlines()[1:] == here.pop("index.md").splitlines()[1:]
    assert there == here
