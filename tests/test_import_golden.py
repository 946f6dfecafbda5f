"""An import's whole output stays exactly what it was when the importer was made faster.

A varied firm list (new, matched and refused firms, bad cells, a totals row, duplicates,
names that look like formulas or hold line breaks, customers that resolve, do not, or are
ambiguous) is imported into the small test dataset, then a newer version of it (rows changed,
moved and dropped), then the CLI lists a dry run and imports a list
long enough that its table is summarised. The written files, the result rows, the
summary and the CLI's output are compared with ``data/import.golden``, which the importer
wrote before its speed work (regenerate it only for an intended change:
``python tests/test_import_golden.py --write``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from chaingraph.cli._import import import_
from chaingraph.ingest import import_file
from test_ingest import CODE_A, CODE_B, CODE_C, make_dataset, row, sheet

GOLDEN = Path(__file__).parent / "data" / "import.golden"


def first_version() -> list[list[str]]:
    return [
        row(name="丙电器有限公司", segment="集成灶", place="艇湖新兴产业园", output="3,000"),
        row(name="丁材料(浙江)有限公司", code=CODE_B, segment="正极材料", place="杭州"),
        row(name="甲动力电池有限公司", code=CODE_A, place="上海", output="12"),  # not applied
        row(name="戊科技", segment="电芯|正极材料", place="嵊州经济开发区", customers="甲动力"),
        row(name="己电池", segment="不存在的环节", place="上海"),  # bad segment
        row(name="庚电池", chain="不存在的链", segment="电芯", place="上海"),  # bad chain
        row(name="辛电池", place="上海", output="约数千"),  # bad output
        row(name="壬电池", code="123", place="上海"),  # bad credit code
        row(name="癸电池"),  # no place
        row(name="=HYPERLINK(1)", place="宁波", products="-电芯|+正极"),
        row(name="子\n电池", place="深圳", size="是", customers="乙电器"),  # ambiguous customer
        row(name="丑电池", place="杭州高新园区", customers="无名公司;丙电器", suppliers="丑电池"),
        row(name="丙电器有限公司", place="上海"),  # duplicate
        row(name="寅电池", code=CODE_B, place="上海"),  # duplicate credit code
        row(name="卯材料", code=CODE_C, chain="新能源装备", segment="电芯", place="合肥"),
        row(name="合计", output="999"),  # a totals row
        row(name="辰电池", place="北京", customers="己电池", source="走访"),
        row(),
        row(name="巳 电池 ", place=" 上海 ", output="5万元"),
    ]


def second_version() -> list[list[str]]:
    rows = first_version()
    rows[0] = row(name="丙电器有限公司", segment="集成灶", place="上海", output="4,000")
    rows[3], rows[4] = rows[4], rows[3]  # a row moved
    del rows[10]  # a row dropped
    rows.append(row(name="午电池", place="杭州", suppliers="丙电器"))
    return rows


def run(tmp: Path) -> dict[str, Any]:
    """Everything the imports say and write, as JSON-ready data."""
    ds = make_dataset(tmp / "ds")
    out: dict[str, Any] = {}
    for step, rows in (("first", first_version()), ("second", second_version())):
        for suffix in (".csv", ".xlsx"):
            path = sheet(tmp, rows, f"名单{suffix}")
            result = import_file(path, ds)
            out[f"{step}{suffix}"] = {
                "summary": result.summary(),
                "written": result.written,
                "rows": result.rows(include_unchanged=True),
                "files": dict(sorted(result.files.items())),
            }
    path = sheet(tmp, [*first_version(), row(name="未名电池", place="上海")], "名单.csv")
    for fmt in ("table", "json"):
        listing = CliRunner().invoke(
            import_, [str(path), "--into", str(ds), "--dry-run", "--all", "-f", fmt]
        )
        out[f"cli {fmt}"] = {
            "exit": listing.exit_code,
            "output": listing.output.replace(str(tmp), "TMP"),
        }
    big = [row(name=f"合成企业{i:03d}", place="上海", customers="合成企业007") for i in range(230)]
    big[50] = row(name="丁", place="上海", output="约3000万")
    big[60] = row(name="合成企业001", place="杭州")
    path = sheet(tmp, big, "大名单.csv")
    listing = CliRunner().invoke(import_, [str(path), "--into", str(ds)])  # a summarised table
    out["cli big"] = {"exit": listing.exit_code, "output": listing.output.replace(str(tmp), "TMP")}
    return out


def test_an_import_writes_and_says_exactly_what_it_did_before(tmp_path: Path) -> None:
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    got = json.loads(json.dumps(run(tmp_path), ensure_ascii=False))
    assert got.keys() == expected.keys()
    for key in expected:
        assert got[key] == expected[key], key


if __name__ == "__main__" and sys.argv[1:] == ["--write"]:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        data = run(Path(folder))
    GOLDEN.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
