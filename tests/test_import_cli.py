"""``chaingraph import`` as a user runs it: output formats, --dry-run, --strict, errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from chaingraph.cli._import import import_
from chaingraph.dataset import read_graph
from chaingraph.ingest import FIRMS_FILE
from test_ingest import CODE_B, HEADER, make_dataset, row, sheet, snapshot
from test_ingest_sheets import write_csv

Run = Callable[..., Result]


@pytest.fixture
def ds(tmp_path: Path) -> Path:
    return make_dataset(tmp_path / "ds")


def test_import_prints_changes_and_bad_rows(run: Run, tmp_path: Path, ds: Path) -> None:
    path = sheet(
        tmp_path,
        [
            row(
                name="丙新材料有限公司",
                code=CODE_B,
                segment="正极材料",
                place="上海",
                customers="甲动力",
            ),
            row(name="丁", place="上海", output="约3000万"),
        ],
    )
    result = run("import", str(path), "--into", str(ds))
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["row", "status", "kind", "id", "name", "detail"]
    assert any(line.startswith("2") and "added" in line and "Firm" in line for line in lines)
    assert any("bad" in line and "约3000万" in line for line in lines)
    assert "added 1 firm, 2 edges; 1 bad row" in result.stderr
    assert "Wrote firms-imported.csv, relations-imported.csv, sources-imported.yaml" in (
        result.stderr
    )
    assert (ds / FIRMS_FILE).is_file()


def test_json_rows_are_stable_for_scripts(run: Run, tmp_path: Path, ds: Path) -> None:
    path = sheet(tmp_path, [row(name="丙", place="上海", customers="无名公司")])
    result = run("import", str(path), "--into", str(ds), "--format", "json", "--dry-run")
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert {r["status"] for r in rows} == {"added", "unresolved"}
    assert all(set(r) == {"row", "status", "kind", "id", "name", "detail"} for r in rows)
    unresolved = [r for r in rows if r["status"] == "unresolved"]
    assert unresolved == [
        {
            "row": 2,
            "status": "unresolved",
            "kind": "主要客户",
            "id": "",
            "name": "无名公司",
            "detail": "no firm named '无名公司'",
        }
    ]


def test_a_big_table_lists_the_problems_and_counts_the_rest(
    run: Run, tmp_path: Path, ds: Path
) -> None:
    rows = [row(name=f"合成企业{i:03d}", place="上海") for i in range(250)]
    rows[100] = row(name="丁", place="上海", output="约3000万")
    path = sheet(tmp_path, rows, "list.csv")
    result = run("import", str(path), "--into", str(ds), "--dry-run")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 3  # header, rule, the one bad row
    assert "bad" in lines[2] and "约3000万" in lines[2]
    assert "Not listed: 249 added Firm, 1 added Source (--all lists every row)" in result.stderr
    listed = run("import", str(path), "--into", str(ds), "--dry-run", "--all")
    assert sum(" Firm " in line for line in listed.stdout.splitlines()) == 249
    as_json = run("import", str(path), "--into", str(ds), "--dry-run", "-f", "json")
    statuses = [r["status"] for r in json.loads(as_json.stdout)]  # machine formats are never cut
    assert statuses.count("added") == 250 and statuses.count("bad") == 1


def test_dry_run_writes_nothing(run: Run, tmp_path: Path, ds: Path) -> None:
    path = sheet(tmp_path, [row(name="丙", place="上海")])
    before = snapshot(ds)
    result = run("import", str(path), "--into", str(ds), "--dry-run")
    assert result.exit_code == 0
    assert "Dry run, nothing written" in result.stderr
    assert "would have added 1 firm" in result.stderr
    assert snapshot(ds) == before


def test_second_import_reports_nothing_to_change(run: Run, tmp_path: Path, ds: Path) -> None:
    path = sheet(tmp_path, [row(name="丙", place="上海")])
    assert run("import", str(path), "--into", str(ds)).exit_code == 0
    result = run("import", str(path), "--into", str(ds))
    assert result.exit_code == 0
    assert "nothing to change" in result.stderr
    assert "(no results)" in result.stderr
    listed = run("import", str(path), "--into", str(ds), "--all", "-f", "csv")
    assert "unchanged" in listed.stdout


def test_strict_exits_1_and_imports_nothing(run: Run, tmp_path: Path, ds: Path) -> None:
    path = sheet(tmp_path, [row(name="丙", place="上海"), row(name="", place="上海")])
    before = snapshot(ds)
    result = run("import", str(path), "--into", str(ds), "--strict")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: 1 bad row in")
    assert "名单.xlsx[Sheet1]:3: 企业名称 '': missing firm name" in result.stderr
    assert snapshot(ds) == before


def test_gbk_csv_with_forced_encoding(run: Run, tmp_path: Path, ds: Path) -> None:
    path = write_csv(tmp_path / "gbk.csv", [HEADER, row(name="丙电器", place="上海")], "gbk")
    result = run("import", str(path), "--into", str(ds), "--encoding", "gbk")
    assert result.exit_code == 0, result.stderr
    assert "丙电器" in (ds / FIRMS_FILE).read_text(encoding="utf-8")


def test_not_a_spreadsheet_is_one_error_line(run: Run, tmp_path: Path, ds: Path) -> None:
    path = tmp_path / "photo.xlsx"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    result = run("import", str(path), "--into", str(ds))
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: '")
    assert "photo.xlsx' is not a readable xlsx" in result.stderr
    assert "Traceback" not in result.stderr


def test_into_is_required(run: Run, tmp_path: Path) -> None:
    path = sheet(tmp_path, [row(name="丙", place="上海")])
    result = run("import", str(path))
    assert result.exit_code == 2
    assert "--into" in result.stderr


def test_unknown_dataset_folder(run: Run, tmp_path: Path) -> None:
    path = sheet(tmp_path, [row(name="丙", place="上海")])
    result = run("import", str(path), "--into", str(tmp_path / "nope"))
    assert result.exit_code == 1
    assert "does not exist" in result.stderr


def test_the_command_object_works_on_its_own(tmp_path: Path, ds: Path) -> None:
    path = sheet(tmp_path, [row(name="丙", place="上海")])
    result = CliRunner().invoke(import_, [str(path), "--into", str(ds), "-f", "csv"])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == "row,status,kind,id,name,detail"


def test_help_shows_an_example() -> None:
    result = CliRunner().invoke(import_, ["--help"])
    assert result.exit_code == 0
    assert "chaingraph import 企业名单.xlsx --into graphs/shengzhou --dry-run" in result.output
    for option in ("--into", "--mapping", "--sheet", "--encoding", "--dry-run", "--strict"):
        assert option in result.output


def test_broken_xlsx_writes_nothing(run: Run, tmp_path: Path, ds: Path) -> None:
    from test_ingest_sheets import HOSTILE_XLSX, rewrite_part, write_xlsx

    good = write_xlsx(tmp_path / "good.xlsx", {"名单": [HEADER, row(name="丙", place="上海")]})
    before = snapshot(ds)
    for case, (part, change) in HOSTILE_XLSX.items():
        path = rewrite_part(good, tmp_path / "坏名单.xlsx", part, change)
        result = run("import", str(path), "--into", str(ds))
        assert result.exit_code == 1, case
        assert result.stderr.count("\n") == 1, (case, result.stderr)
        assert "坏名单.xlsx' is not a readable xlsx" in result.stderr, case
        assert snapshot(ds) == before, case


@pytest.mark.parametrize("name", ["rot13", "base64", "hex_codec"])
def test_encoding_option_refuses_byte_codecs(run: Run, tmp_path: Path, ds: Path, name: str) -> None:
    path = write_csv(tmp_path / "l.csv", [HEADER, row(name="丙", place="上海")], "utf-8")
    result = run("import", str(path), "--into", str(ds), "--encoding", name)
    assert result.exit_code == 1
    assert f"Error: '{name}' is not a text encoding" in result.stderr
    assert "Traceback" not in result.stderr


def test_big5_csv_is_refused_then_imported_with_the_fix(run: Run, tmp_path: Path, ds: Path) -> None:
    path = write_csv(
        tmp_path / "tw.csv", [["name", "region"], ["台積電股份有限公司", "上海"]], "big5"
    )
    before = snapshot(ds)
    result = run("import", str(path), "--into", str(ds))
    assert result.exit_code == 1 and "--encoding big5" in result.stderr
    assert snapshot(ds) == before
    result = run("import", str(path), "--into", str(ds), "--encoding", "big5")
    assert result.exit_code == 0, result.stderr
    assert "台積電股份有限公司" in (ds / FIRMS_FILE).read_text(encoding="utf-8")


# --- Ctrl-C: the message says what happened to the dataset ----------------------------------


def test_ctrl_c_while_listing_says_the_import_is_complete(
    run: Run, tmp_path: Path, ds: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import chaingraph.cli._import as cli_import

    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli_import, "emit", interrupted)
    result = run("import", str(sheet(tmp_path, [row(name="丙", place="上海")])), "--into", str(ds))
    assert result.exit_code == 130
    assert "Aborted" not in result.stderr
    assert "the import is complete: wrote firms-imported.csv" in result.stderr
    assert "丙" in (ds / FIRMS_FILE).read_text(encoding="utf-8")


def test_ctrl_c_between_renames_finishes_them(
    run: Run, tmp_path: Path, ds: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    real = os.replace
    calls = {"n": 0}

    def replace(a: object, b: object) -> None:
        calls["n"] += 1
        if calls["n"] == 2:  # Ctrl-C lands after the first file was renamed in
            raise KeyboardInterrupt
        real(a, b)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "replace", replace)  # the renames in chaingraph.ingest.files
    path = sheet(
        tmp_path, [row(name="丙新材料有限公司", code=CODE_B, place="上海", customers="甲动力")]
    )
    result = run("import", str(path), "--into", str(ds))
    assert result.exit_code == 130
    assert "Interrupted, but the import is complete" in result.stderr
    monkeypatch.setattr(os, "replace", real)
    assert not list(ds.glob(".*importing"))  # nothing staged is left behind
    again = run("import", str(path), "--into", str(ds))  # the dataset holds all of it
    assert again.exit_code == 0 and "nothing to change" in again.stderr


def test_ctrl_c_before_the_write_leaves_the_dataset(
    run: Run, tmp_path: Path, ds: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import chaingraph.ingest.files as files

    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(files, "_check_change", interrupted)
    before = snapshot(ds)
    result = run("import", str(sheet(tmp_path, [row(name="丙", place="上海")])), "--into", str(ds))
    assert result.exit_code == 130
    assert "Interrupted before anything was written" in result.stderr
    assert snapshot(ds) == before


def test_a_carriage_return_in_a_cell_stays_in_its_row(run: Run, tmp_path: Path, ds: Path) -> None:
    """Python's csv writer, ending lines with LF, leaves a cell with a lone CR unquoted: the
    written file would split the row there and the import be refused for rows it never had."""
    cells = row(name="丙\r新材料", place="上海", products="电芯\r\n模组\r外壳")
    path = write_csv(tmp_path / "l.csv", [HEADER, cells], "utf-8")
    result = run("import", str(path), "--into", str(ds))
    assert result.exit_code == 0, result.stderr
    G = read_graph(ds)
    (firm,) = (n for n in G.nodes if n.startswith("firm-"))
    assert G.nodes[firm]["name"] == "丙\n新材料"
    products = G.nodes[firm]["products"]
    assert "模组\n外壳" in products and not any("\r" in p for p in products)


# --- a file that cannot be replaced: the dataset stays as it was -----------------------------


def test_a_file_that_cannot_be_replaced_leaves_the_dataset_as_it_was(
    run: Run, tmp_path: Path, ds: Path
) -> None:
    """The import's files are renamed in one after the other; when one cannot be (here a
    folder stands where relations-imported.csv goes; on Windows, a file open in Excel), the
    files renamed in before it are put back: the dataset is not left half imported (firms
    citing a source it does not hold), nothing staged stays, and the message names the file
    and says nothing was imported."""
    first = run("import", str(sheet(tmp_path, [row(name="丙", place="上海")])), "--into", str(ds))
    assert first.exit_code == 0, first.stderr
    (ds / "relations-imported.csv").mkdir()
    before = snapshot(ds)
    path = sheet(
        tmp_path,
        [row(name="丁新材料有限公司", place="上海", customers="甲动力")],
        "second.xlsx",
    )
    result = run("import", str(path), "--into", str(ds))
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr
    assert "relations-imported.csv" in result.stderr
    assert "Nothing was imported: the dataset is as it was" in result.stderr
    assert snapshot(ds) == before  # firms-imported.csv as it was before this import
    assert not list(ds.glob(".*importing"))
    (ds / "relations-imported.csv").rmdir()
    again = run("import", str(path), "--into", str(ds))  # the fix: the import then goes in
    assert again.exit_code == 0, again.stderr
    assert "丁新材料有限公司" in (ds / FIRMS_FILE).read_text(encoding="utf-8")


def test_ctrl_c_while_putting_back_finishes_the_put_back(
    run: Run, tmp_path: Path, ds: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C while the files renamed in are put back (after a rename failed) does not stop
    the put-back halfway: the dataset is as it was, and the message says so (not that the
    import was interrupted before anything was written)."""
    import os
    import signal

    first = run("import", str(sheet(tmp_path, [row(name="丙", place="上海")])), "--into", str(ds))
    assert first.exit_code == 0, first.stderr
    (ds / "relations-imported.csv").mkdir()  # the second rename fails
    before = snapshot(ds)
    real = os.replace
    calls = {"n": 0}

    def replace(a: object, b: object) -> None:
        calls["n"] += 1
        if calls["n"] == 3:  # putting firms-imported.csv back: Ctrl-C comes
            os.kill(os.getpid(), signal.SIGINT)
        real(a, b)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "replace", replace)
    path = sheet(
        tmp_path, [row(name="丁新材料有限公司", place="上海", customers="甲动力")], "2.csv"
    )
    result = run("import", str(path), "--into", str(ds))
    monkeypatch.setattr(os, "replace", real)
    assert calls["n"] == 3
    assert result.exit_code == 1, result.stderr
    assert "Nothing was imported: the dataset is as it was" in result.stderr
    assert "Interrupted" not in result.stderr
    assert snapshot(ds) == before
    assert not list(ds.glob(".*importing"))
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # (as it was)
