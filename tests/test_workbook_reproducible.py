"""The same data gives the same workbook bytes, whenever it is written.

Two runs of ``report`` and of a command's ``-f xlsx``, more than two seconds apart (a ZIP
time counts seconds in twos), once with ``SOURCE_DATE_EPOCH`` unset and once with it set.
"""

from __future__ import annotations

import time
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from chaingraph.cli import cli
from chaingraph.stamp import VARIABLE, ZIP_EPOCH, StampError, pinned
from conftest import SHENGZHOU

PINNED = "1700000000"  # 2023-11-14 22:13:20 UTC, 2023-11-15 06:13 in Beijing
PINNED_ZIP = (2023, 11, 14, 22, 13, 20)
#: the runs, each a folder holding the report (report/) and a command's workbook (gaps.xlsx)
RUNS = ("clock-1", "pinned-1", "clock-2", "pinned-2")


def _write(out: Path) -> None:
    runner = CliRunner()
    store = f"--store={SHENGZHOU}"
    for args in (
        ["report", "--out", str(out / "report"), "--no-views", "--chain", "silk-fibroin"],
        ["gaps", "-f", "xlsx", "-o", str(out / "gaps.xlsx")],
    ):
        result = runner.invoke(cli, [store, *args])
        assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each run's folder; the second pair written after the ZIP time has moved on."""
    folders = {}
    with pytest.MonkeyPatch.context() as env:
        for name in RUNS:
            if name == "clock-2":
                time.sleep(2.1)
            if name.startswith("pinned"):
                env.setenv(VARIABLE, PINNED)
            else:
                env.delenv(VARIABLE, raising=False)
            folders[name] = tmp_path_factory.mktemp(name)
            _write(folders[name])
    return folders


def _books(folder: Path) -> dict[str, Path]:
    return {"report.xlsx": folder / "report" / "report.xlsx", "gaps.xlsx": folder / "gaps.xlsx"}


@pytest.mark.parametrize("kind", ["clock", "pinned"])
def test_same_data_gives_the_same_workbook_bytes_later(runs: dict[str, Path], kind: str) -> None:
    first, second = _books(runs[f"{kind}-1"]), _books(runs[f"{kind}-2"])
    for name, path in first.items():
        assert path.read_bytes() == second[name].read_bytes(), name


@pytest.mark.parametrize(("kind", "stamped"), [("clock", ZIP_EPOCH), ("pinned", PINNED_ZIP)])
def test_every_part_carries_the_fixed_time_and_the_book_still_opens(
    runs: dict[str, Path], kind: str, stamped: tuple[int, ...]
) -> None:
    for name, path in _books(runs[f"{kind}-1"]).items():
        with zipfile.ZipFile(path) as zf:
            assert zf.testzip() is None, name
            assert {i.date_time for i in zf.infolist()} == {stamped}, name
        assert openpyxl.load_workbook(path).sheetnames, name


def test_the_workbook_tells_the_pinned_time_only(runs: dict[str, Path]) -> None:
    """Without SOURCE_DATE_EPOCH the workbook states no time (the pages show the clock's);
    with it, the workbook and the pages state that time, in Beijing time."""
    said = {}
    for kind in ("clock", "pinned"):
        sheet = openpyxl.load_workbook(_books(runs[f"{kind}-1"])["report.xlsx"])["说明"]
        said[kind] = {row[0]: row[1] for row in sheet.iter_rows(values_only=True)}["生成"]
    assert "生成于" not in said["clock"] and "不记时间" in said["clock"]
    assert said["pinned"] == "chaingraph 生成于 2023-11-15 06:13 北京时间"
    assert said["pinned"] in (runs["pinned-1"] / "report" / "index.md").read_text("utf-8")


def test_a_pinned_report_is_the_same_in_every_file(runs: dict[str, Path]) -> None:
    def files(folder: Path) -> dict[str, bytes]:
        root = folder / "report"
        return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*")}

    first, second = files(runs["pinned-1"]), files(runs["pinned-2"])
    assert len(first) >= 4 and first == second


def test_the_workbook_gets_a_plain_files_mode(runs: dict[str, Path]) -> None:
    folder = runs["clock-1"] / "report"
    mode = (folder / "index.html").stat().st_mode & 0o777
    assert (folder / "report.xlsx").stat().st_mode & 0o777 == mode


@pytest.mark.parametrize(
    "args",
    [["report", "--no-views", "--out"], ["gaps", "-f", "xlsx", "-o"]],
    ids=["report", "gaps"],
)
def test_a_bad_source_date_epoch_is_one_error_line_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    monkeypatch.setenv(VARIABLE, "yesterday")
    target = tmp_path / "out"
    result = CliRunner().invoke(cli, [f"--store={SHENGZHOU}", *args, str(target)])
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert lines[-1].startswith(f"Error: {VARIABLE}='yesterday' is not a time"), result.output
    assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "value", ["1_700_000_000", "+1700000000", "-1", "１７００００００００", "1e9"]
)
def test_source_date_epoch_is_decimal_digits_only(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    """The variable holds ASCII decimal digits, as ``date +%s`` prints them for a time since
    1970 (reproducible-builds.org): Python's int() would also take an underscore, a sign or
    full-width digits; such a value is an error, not a time made up from it."""
    monkeypatch.setenv(VARIABLE, value)
    with pytest.raises(StampError, match="is not a time"):
        pinned()
    monkeypatch.setenv(VARIABLE, f" {PINNED}\n")  # (white space around it is let be)
    assert pinned() == datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
