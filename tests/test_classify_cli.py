"""``classify`` and ``targets`` as a user runs them, on the tiny dataset plus outside firms."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

Run = Callable[..., Result]

OUTSIDE = """\
grade: template
nodes:
  - {id: far-foil, kind: Firm, name: 远方铜箔, local: false, stock_code: 600110.SH,
     sw_l3: 金属新材料, division_code: '440300'}
  - {id: near-chem, kind: Firm, name: 近邻化学, local: false, sw_l3: 电池化学品,
     business_scope: 锂离子电池正极材料的研发与生产, region: 江苏省苏州市}
"""


@pytest.fixture
def store(tiny: Path) -> Path:
    """The tiny dataset with segment keywords / industries and two outside firms."""
    chain = (tiny / "chain.yaml").read_text(encoding="utf-8")
    chain = chain.replace(
        "name: 正极材料,", "name: 正极材料, keywords: [正极材料], sw_industries: [电池化学品],"
    ).replace("name: 铜箔,", "name: 铜箔, sw_industries: [金属新材料],")
    (tiny / "chain.yaml").write_text(chain, encoding="utf-8")
    (tiny / "outside.yaml").write_text(OUTSIDE, encoding="utf-8")
    return tiny


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    return result


def test_classify_firm_json(run: Run, store: Path) -> None:
    rows = json.loads(ok(run("classify", "近邻化学", "-f", "json", store=store)).stdout)
    assert [(r["segment"], r["how"], r["grade"], r["basis"]) for r in rows] == [
        ("bat-cathode", "products", "inferred", "经营范围含:正极材料")
    ]


def test_classify_stated_firm_table(run: Run, store: Path) -> None:
    out = ok(run("classify", "bing", store=store)).stdout
    assert "bat-foil" in out and "stated" in out and "sourced" in out


def test_classify_file_csv(run: Run, store: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "名单.csv"
    sheet.write_text("企业名称,申万三级行业\n某铜箔有限公司,金属新材料\n", encoding="gbk")
    out = ok(run("classify", str(sheet), "-f", "csv", store=store)).stdout.splitlines()
    assert out[0] == "row,input_name,firm,name,chain,segment,segment_name,how,grade,basis"
    assert out[1] == "2,某铜箔有限公司,,,bat,bat-foil,铜箔,industry,inferred,申万三级:金属新材料"


def test_classify_non_firm_is_one_error_line(run: Run, store: Path) -> None:
    result = run("classify", "bat-foil", store=store)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: 'bat-foil' is not a firm")


def test_targets_rank_with_components(run: Run, store: Path) -> None:
    rows = json.loads(ok(run("targets", "bat", "-f", "json", store=store)).stdout)
    foil = [r for r in rows if r["segment"] == "bat-foil"]
    # bat-foil is a gap: bing (stated) first, far-foil (industry) after
    assert [(r["rank"], r["firm"], r["how"]) for r in foil] == [
        (1, "bing", "stated"),
        (2, "far-foil", "industry"),
    ]
    for r in foil:
        parts = sum(r[k] for k in ("importance", "known", "tie", "distance", "scale"))
        assert parts == pytest.approx(r["score"])
    cathode = [r for r in rows if r["segment"] == "bat-cathode"]
    assert [(r["firm"], r["grade"]) for r in cathode] == [("near-chem", "inferred")]


def test_targets_filters(run: Run, store: Path) -> None:
    rows = json.loads(
        ok(run("targets", "bat", "--segment", "铜箔", "--listed", "-f", "json", store=store)).stdout
    )
    assert [r["firm"] for r in rows] == ["far-foil"]
    rows = json.loads(
        ok(
            run("targets", "bat", "--segment", "bat-foil", "-n", "1", "-f", "json", store=store)
        ).stdout
    )
    assert [r["firm"] for r in rows] == ["bing"]
    rows = json.loads(
        ok(run("targets", "bat", "--region", "江苏", "-f", "json", store=store)).stdout
    )
    assert {r["firm"] for r in rows if r["firm"]} == {"bing", "near-chem"}


def test_targets_unknown_segment(run: Run, store: Path) -> None:
    result = run("targets", "bat", "--segment", "负极", store=store)
    assert result.exit_code == 1 and "Unknown segment '负极'" in result.stderr


def test_import_dry_run_gives_candidates_to_rows_without_a_segment(
    run: Run, store: Path, tmp_path: Path
) -> None:
    sheet = tmp_path / "名单.csv"
    sheet.write_text(
        "企业名称,所在地区,所属环节,经营范围\n"
        "某正极材料有限公司,湖南省长沙市,,锂电池正极材料生产\n"
        "某铜箔有限公司,江西省,铜箔,正极材料贸易\n",
        encoding="utf-8",
    )
    before = sorted(p.name for p in store.iterdir())
    result = ok(run("import", str(sheet), "--into", str(store), "--dry-run", "-f", "json"))
    rows = json.loads(result.stdout)
    found = [r for r in rows if r["status"] == "candidate"]
    # row 3 states its segment: no candidates for it
    assert [(r["row"], r["id"]) for r in found] == [(2, "bat-cathode")]
    assert found[0]["detail"] == "某正极材料有限公司: products, inferred (经营范围含:正极材料)"
    assert "1 segment candidates" in result.stderr
    assert sorted(p.name for p in store.iterdir()) == before  # a dry run writes nothing
