"""Every explore command through the CLI, as a user runs it, on the shipped and tiny data."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from chaingraph.cli import cli
from conftest import SHENGZHOU

ROOT = Path(__file__).resolve().parent.parent

Run = Callable[..., Result]


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    return result


def test_help_lists_every_command_and_imports_nothing_heavy() -> None:
    code = (
        "import sys\n"
        "from chaingraph.cli import cli\n"
        "try:\n"
        "    cli(['--help'], prog_name='chaingraph')\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = [m for m in ('networkx', 'yaml', 'neo4j', 'igraph') if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "HEAVY []" in out.stdout
    for name in (
        "validate",
        "stats",
        "find",
        "show",
        "neighbors",
        "upstream",
        "downstream",
        "path",
        "db",
        "report",
        "view",
        "import",
        "gaps",
        "leaders",
    ):
        assert f"  {name} " in out.stdout


def test_python_dash_m_runs() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "chaingraph", "find", "海威", "--format", "json"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert {r["id"] for r in json.loads(out.stdout)} >= {"haiwei"}


def test_shipped_dataset_validates_clean(run: Run) -> None:
    result = ok(run("validate", str(SHENGZHOU)))
    assert result.stdout == ""
    assert result.stderr.startswith("OK: ")


def test_validate_defaults_to_the_store(run: Run) -> None:
    assert "OK: " in ok(run("validate")).stderr


def test_validate_lists_problems_and_exits_1(run: Run, tiny: Path) -> None:
    (tiny / "bad.yaml").write_text("nodes:\n  - {id: Bad Id, kind: Firm, name: x}\n", "utf-8")
    result = run("validate", str(tiny))
    assert result.exit_code == 1
    assert result.stdout.startswith("bad.yaml:2: id 'Bad Id' is not a valid id.")
    assert "1 problem in" in result.stderr
    result = run("validate", str(tiny), "--format", "json")
    rows = json.loads(result.stdout)
    assert rows[0]["file"] == "bad.yaml" and rows[0]["line"] == 2


def test_stats_compares_reported_figures(run: Run) -> None:
    result = ok(run("stats"))
    assert "Nodes by kind" in result.stdout
    data = json.loads(ok(run("stats", "--format", "json")).stdout)
    firms = [r for r in data["kinds"] if r["kind"] == "Firm"][0]["count"]
    assert firms >= 6
    reported = {r["reported"]: r for r in data["reported"]}
    assert 91 in reported  # 规上新能源装备产业链企业91家
    assert reported[91]["in_graph"] <= 91
    chains = {r["chain"]: r for r in data["chains"]}
    assert len(chains) == 4
    csv_out = ok(run("stats", "--format", "csv")).stdout
    assert csv_out.splitlines()[0].startswith("section,")


@pytest.mark.parametrize("text", ["比亚迪", "ＢＹＤ", "byd", "Byd"])
def test_find_is_case_and_width_insensitive(run: Run, text: str) -> None:
    rows = json.loads(ok(run("find", text, "--format", "json")).stdout)
    assert rows[0]["id"] == "byd"
    assert set(rows[0]) == {"id", "kind", "name", "match", "field", "value"}


def test_find_by_kind_and_csv(run: Run) -> None:
    out = ok(run("find", "比亚迪", "--kind", "Project", "--format", "csv")).stdout
    lines = out.splitlines()
    assert lines[0] == "id,kind,name,match,field,value"
    assert all(",Project," in line for line in lines[1:]) and len(lines) >= 3


def test_find_nothing(run: Run) -> None:
    result = ok(run("find", "不存在的企业"))
    assert result.stdout == "" and "(no results)" in result.stderr


def test_show_firm_with_sources_and_relations(run: Run) -> None:
    out = ok(run("show", "比亚迪")).stdout
    assert out.startswith("比亚迪  [Firm: byd]  (sourced)")
    assert "-LEADS->" in out and "“" in out and "— article" in out
    data = json.loads(ok(run("show", "byd", "--format", "json")).stdout)
    assert data["node"]["id"] == "byd"
    rels = {(r["direction"], r["rel"], r["other"]) for r in data["relations"]}
    assert ("out", "INVESTS_IN", "byd-battery-base") in rels
    # its suppliers, stated by public documents
    assert {("in", "SUPPLIES", f) for f in ("senior-tech", "nuode", "hunan-yuneng")} <= rels
    assert all(r["sources"] for r in data["relations"] if r["grade"] == "sourced")


def test_show_by_alias(run: Run) -> None:
    assert "[Firm: haiwei]" in ok(run("show", "海威")).stdout


def test_unknown_entity_is_one_line(run: Run) -> None:
    result = run("show", "不存在的企业")
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("Error: Unknown entity '不存在的企业'.")
    assert "chaingraph find" in result.stderr


def test_ambiguous_name_lists_candidates(run: Run) -> None:
    result = run("show", "贝达")
    assert result.exit_code == 1
    assert "names 3 nodes" in result.stderr
    assert "betta " in result.stderr and "betta-shengzhou-base" in result.stderr
    assert "betta-base-2021" in result.stderr  # the Source of Betta's own page
    assert "Traceback" not in result.output


def test_neighbors_depth_and_rel_filter(run: Run) -> None:
    rows = json.loads(ok(run("neighbors", "比亚迪", "--format", "json")).stdout)
    assert {r["hops"] for r in rows} == {1}
    assert {"ne-platform", "senior-tech", "byd-battery-base"} <= {r["id"] for r in rows}
    rows2 = json.loads(ok(run("neighbors", "byd", "--depth", "2", "--format", "json")).stdout)
    assert {r["hops"] for r in rows2} == {1, 2} and len(rows2) > len(rows)
    only = json.loads(ok(run("neighbors", "byd", "--rel", "SUPPLIES", "--format", "json")).stdout)
    assert sorted((r["id"], r["rel"], r["direction"]) for r in only) == [
        ("hunan-yuneng", "SUPPLIES", "in"),
        ("nuode", "SUPPLIES", "in"),
        ("senior-tech", "SUPPLIES", "in"),
    ]


def test_upstream_of_a_battery_maker_reaches_materials(run: Run) -> None:
    rows = json.loads(ok(run("upstream", "比亚迪", "--format", "json")).stdout)
    by_id = {r["id"]: r for r in rows}
    assert by_id["ne-cell"]["hops"] == 0
    assert all(
        r["hops"] >= 1
        for r in rows
        if r["kind"] == "Segment" and r["id"] != "ne-cell" and r["rel"] == "FEEDS"
    )
    assert any(r["kind"] == "Segment" and r["hops"] >= 2 for r in rows)


def test_downstream_and_table(run: Run) -> None:
    out = ok(run("downstream", "汉科新材料")).stdout
    assert out.splitlines()[0].split() == ["hops", "id", "kind", "name", "rel", "via", "grade"]


def test_path_between_firm_and_project(run: Run) -> None:
    # the battery base (not the firm) drew 海威's phase II in
    rows = json.loads(ok(run("path", "比亚迪", "浙江海威汽车二期", "--format", "json")).stdout)
    assert [r["id"] for r in rows] == ["byd", "byd-battery-base", "haiwei-phase2"]
    assert rows[1]["rel"] == "INVESTS_IN" and rows[1]["direction"] == "out"
    assert rows[2]["rel"] == "ATTRACTED" and rows[2]["direction"] == "out"


def test_no_path_is_an_error(run: Run, tiny: Path) -> None:
    result = run("path", "jia", "bing", "--directed", "--rel", "SUPPLIES", store=tiny)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: No path from 'jia' to 'bing'")


def test_store_path_that_does_not_exist(run: Run, tmp_path: Path) -> None:
    result = run("stats", store=tmp_path / "nope")
    assert result.exit_code == 1
    assert "does not exist" in result.stderr and result.stderr.count("\n") == 1


def test_output_file_that_cannot_be_written_is_one_line(run: Run, tmp_path: Path) -> None:
    """-o into a folder that does not exist: one Error line naming the file, nothing left."""
    out = tmp_path / "missing" / "gaps.csv"
    result = run("gaps", "-f", "csv", "-o", str(out))
    assert result.exit_code == 1
    assert result.stderr == f"Error: Cannot write '{out}': No such file or directory\n"
    assert not (tmp_path / "missing").exists()
    # a folder that exists: the whole text, and nothing beside it
    ok(run("gaps", "-f", "csv", "-o", str(tmp_path / "gaps.csv")))
    assert (tmp_path / "gaps.csv").read_text(encoding="utf-8") == ok(
        run("gaps", "-f", "csv")
    ).stdout
    assert [p.name for p in tmp_path.iterdir()] == ["gaps.csv"]


def test_store_env_var(run: Run, tiny: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHAINGRAPH_STORE", str(tiny))
    rows = json.loads(ok(run("find", "甲", "--format", "json")).stdout)
    assert rows[0]["id"] == "jia"


def test_broken_store_names_the_problem(run: Run, tiny: Path) -> None:
    (tiny / "x.yaml").write_text("nodes: [\n", "utf-8")
    result = run("show", "jia", store=tiny)
    assert result.exit_code == 1
    assert "x.yaml:" in result.stderr and "malformed YAML" in result.stderr
    assert result.stderr.count("\n") == 1


def test_unsupported_store_scheme(run: Run) -> None:
    result = run("stats", store="http://example.invalid/db")
    assert result.exit_code == 1
    assert "Unsupported store URL 'http://example.invalid/db'" in result.stderr


def test_bad_option_is_usage_error(run: Run) -> None:
    assert run("neighbors", "byd", "--depth", "0").exit_code == 2


def _all_commands() -> list[tuple[str, object]]:
    import click

    from chaingraph.cli import cli

    ctx = click.Context(cli)
    found: list[tuple[str, object]] = []
    for name in cli.list_commands(ctx):
        cmd = cli.get_command(ctx, name)
        found.append((name, cmd))
        if isinstance(cmd, click.Group):
            sub_ctx = click.Context(cmd, parent=ctx)
            for sub in cmd.list_commands(sub_ctx):
                found.append((f"{name} {sub}", cmd.get_command(sub_ctx, sub)))
    return found


def test_every_command_has_help_and_is_in_the_readme_reference() -> None:
    import click

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = _all_commands()
    assert len(commands) >= 20
    for name, cmd in commands:
        assert isinstance(cmd, click.Command), name
        assert cmd.help and cmd.help.strip(), f"'{name}' has no help text"
        assert f"<code>chaingraph {name}</code>" in readme, f"'chaingraph {name}' not in README"
        assert f"$ chaingraph {name} --help\n" in readme, name


def test_readme_command_reference_agrees_with_help() -> None:
    """The reference between the cog markers is what --help prints now."""
    done = subprocess.run(
        [sys.executable, "-m", "cogapp", "--check", "README.md"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, (
        "README.md's command reference is out of date: run "
        "'.venv/bin/python -m cogapp -r README.md'\n" + done.stdout + done.stderr
    )


def test_command_lists_show_each_summary_line_whole() -> None:
    """A command's one-line help is the first line of its docstring, never cut short."""
    for args in ([], ["db"], ["view"]):
        out = CliRunner().invoke(cli, [*args, "--help"], terminal_width=80).output
        listing = out.split("Commands:\n", 1)[1]
        assert "..." not in listing, listing
        assert all(line.rstrip().endswith(".") for line in listing.splitlines() if line.strip())
