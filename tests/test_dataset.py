"""Dataset rules: each bad input gives one problem naming file, line and fix."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from chaingraph.dataset import _load, load_dataset, read_graph, validate, write_dataset
from chaingraph.errors import InvalidGraphData
from chaingraph.model import Grade


def problems_of(folder: Path) -> list[str]:
    return [str(p) for p in validate(folder)]


def test_tiny_dataset_is_valid_and_loads(tiny: Path) -> None:
    assert problems_of(tiny) == []
    G = read_graph(tiny)
    assert G.nodes["jia"]["name"] == "甲电池"
    assert G.nodes["jia"]["local"] is True
    assert G.nodes["bing"]["local"] is False
    assert G.nodes["bat-cell"]["grade"] == Grade.TEMPLATE
    assert G.nodes["jia"]["grade"] == Grade.SOURCED
    # shorthands became edges with the segment's grade
    assert G.edges["bat", "bat-cell", "HAS_SEGMENT"]["grade"] == Grade.TEMPLATE
    assert G.has_edge("bat-cell", "bat-pack", key="FEEDS")
    assert G.edges["yi", "jia", "SUPPLIES"]["product"] == "正极材料"
    assert "测试园区招商简报" in G.nodes["memo"]["text"]


def test_malformed_yaml_names_file_and_line(tiny: Path) -> None:
    (tiny / "broken.yaml").write_text("nodes:\n  - id: x\n    name: [unclosed\n", encoding="utf-8")
    (problem,) = problems_of(tiny)
    assert problem.startswith("broken.yaml:")
    assert "malformed YAML" in problem
    assert "Fix the syntax" in problem


def test_missing_required_field(tiny: Path) -> None:
    (tiny / "more.yaml").write_text(
        "grade: template\nnodes:\n  - id: s1\n    kind: Segment\n"
        "    name: 新环节\n    chain: bat\n",
        encoding="utf-8",
    )
    (problem,) = problems_of(tiny)
    assert problem.startswith("more.yaml:3:")
    assert "missing required field 'tier'" in problem


def test_dangling_reference_suggests_close_id(tiny: Path) -> None:
    (tiny / "more.yaml").write_text(
        "edges:\n  - {from: jia, rel: ATTRACTED, to: yi2, grade: template}\n", encoding="utf-8"
    )
    (problem,) = problems_of(tiny)
    assert problem.startswith("more.yaml:2:")
    assert "unknown node 'yi2'" in problem and "Did you mean 'yi'" in problem


def test_wrong_type(tiny: Path) -> None:
    (tiny / "more.yaml").write_text(
        "grade: template\nnodes:\n  - {id: ding, kind: Firm, name: 丁, local: maybe}\n",
        encoding="utf-8",
    )
    (problem,) = problems_of(tiny)
    assert "'local' must be true or false, not 'maybe'" in problem
    assert problem.startswith("more.yaml:3:")


def test_project_status_is_one_of_the_known_stages(tiny: Path) -> None:
    (tiny / "more.yaml").write_text(
        "grade: template\nnodes:\n"
        "  - {id: p1, kind: Project, name: 一期, status: in_production}\n"
        "  - {id: p2, kind: Project, name: 二期, status: 在建}\n",
        encoding="utf-8",
    )
    (problem,) = problems_of(tiny)
    assert problem.startswith("more.yaml:4:")
    assert "'status' must be one of planned, negotiating, signed" in problem
    assert "not '在建'" in problem


def test_duplicate_id_points_to_first_definition(tiny: Path) -> None:
    (tiny / "more.yaml").write_text(
        "grade: template\nnodes:\n  - {id: jia, kind: Firm, name: 甲二, local: true}\n",
        encoding="utf-8",
    )
    (problem,) = problems_of(tiny)
    assert "duplicate id 'jia' (first defined at firms.csv:2)" in problem


def test_names_that_collide(tiny: Path) -> None:
    (tiny / "more.yaml").write_text(
        "grade: template\nnodes:\n  - {id: jia2, kind: Firm, name: 甲电池, local: false}\n",
        encoding="utf-8",
    )
    (problem,) = problems_of(tiny)
    assert "'甲电池' is used by jia, jia2" in problem


def test_names_aliases_and_english_names_that_collide(tiny: Path) -> None:
    """A name, an English name and an alias are all names: each clash names every user and
    the first one's file:line (check_names reads them in that order, node by node)."""
    (tiny / "more.yaml").write_text(
        "grade: template\nnodes:\n"
        "  - {id: zi, kind: Firm, name: 子公司, name_en: Zi Co, local: false}\n"
        "  - {id: chou, kind: Firm, name: Zi Co, aliases: [丑, 子公司], local: false}\n"
        "  - {id: yin, kind: Firm, name: 寅, name_en: 丑, aliases: ['', 甲电池], local: false}\n",
        encoding="utf-8",
    )
    assert problems_of(tiny) == [
        "more.yaml:4: name or alias 'zi co' is used by chou, zi. "
        "Make the names distinct (first used by 'zi' at more.yaml:3)",
        "more.yaml:5: name or alias '丑' is used by chou, yin. "
        "Make the names distinct (first used by 'chou' at more.yaml:4)",
        "more.yaml:4: name or alias '子公司' is used by chou, zi. "
        "Make the names distinct (first used by 'zi' at more.yaml:3)",
        "more.yaml:5: name or alias '甲电池' is used by jia, yin. "
        "Make the names distinct (first used by 'jia' at firms.csv:2)",
    ]


def test_quote_not_in_source(tiny: Path) -> None:
    (tiny / "more.yaml").write_text(
        "nodes:\n  - id: ding\n    kind: Firm\n    name: 丁\n    local: true\n"
        "    sources: [{source: memo, quote: 丁公司年产值百亿}]\n",
        encoding="utf-8",
    )
    (problem,) = problems_of(tiny)
    assert "does not occur in source 'memo'" in problem


def test_quote_matching_ignores_width_and_line_breaks(tiny: Path) -> None:
    (tiny / "more.yaml").write_text(
        "nodes:\n  - id: ding\n    kind: Firm\n    name: 丁\n    local: true\n"
        "    sources: [{source: memo, quote: '乙材料生产正极材料,供货给甲电池。 丙箔业'}]\n",
        encoding="utf-8",
    )
    assert problems_of(tiny) == []


def test_feeds_cycle(tiny: Path) -> None:
    (tiny / "more.yaml").write_text(
        "edges:\n  - {from: bat-pack, rel: FEEDS, to: bat-cathode, grade: template}\n",
        encoding="utf-8",
    )
    (problem,) = problems_of(tiny)
    assert "FEEDS cycle" in problem and "bat-cathode" in problem


def test_segment_without_chain(tiny: Path) -> None:
    (tiny / "more.yaml").write_text(
        "grade: template\nnodes:\n  - {id: lone, kind: Segment, name: 孤立环节, tier: upstream}\n",
        encoding="utf-8",
    )
    (problem,) = problems_of(tiny)
    assert "segment 'lone' belongs to no chain" in problem


def test_unsourced_item_must_say_template(tiny: Path) -> None:
    (tiny / "more.yaml").write_text(
        "nodes:\n  - {id: ding, kind: Firm, name: 丁, local: true}\n", encoding="utf-8"
    )
    (problem,) = problems_of(tiny)
    assert "no sources and no grade" in problem and "grade: template" in problem


def test_edge_direction_rule(tiny: Path) -> None:
    (tiny / "more.yaml").write_text(
        "edges:\n  - {from: bat-cell, rel: IN_SEGMENT, to: jia, grade: template}\n",
        encoding="utf-8",
    )
    (problem,) = problems_of(tiny)
    assert "IN_SEGMENT cannot go from a Segment to a Firm" in problem


def test_gbk_csv_is_refused_with_the_fix(tiny: Path) -> None:
    (tiny / "more.csv").write_bytes(
        "id,kind,name,local,grade\nding,Firm,丁公司,true,template\n".encode("gbk")
    )
    (problem,) = problems_of(tiny)
    assert problem.startswith("more.csv: not UTF-8 (it looks like GBK/GB18030)")
    assert "chaingraph import" in problem


def test_utf8_bom_csv_is_read(tiny: Path) -> None:
    (tiny / "more.csv").write_bytes(
        "id,kind,name,local,grade\nding,Firm,丁公司,是,template\n".encode("utf-8-sig")
    )
    assert problems_of(tiny) == []
    assert read_graph(tiny).nodes["ding"]["local"] is True


def test_csv_row_numbers(tiny: Path) -> None:
    (tiny / "more.csv").write_text(
        "id,kind,name,local,grade\nding,Firm,丁公司,true,template\nwu,Firm,戊,1x,template\n",
        encoding="utf-8",
    )
    (problem,) = problems_of(tiny)
    assert problem.startswith("more.csv:3:")


@pytest.mark.parametrize("fast", [True, False])
def test_csv_row_numbers_count_line_breaks_inside_cells(tiny: Path, fast: bool) -> None:
    """A quoted cell may span lines (a note, a 经营范围): later rows are further down the file."""
    (tiny / "more.csv").write_text(
        "id,kind,name,local,grade,note\n"
        'ding,Firm,丁公司,true,template,"一\n二\r\n三"\n'  # lines 2-4
        'ji,Firm,己,true,template,"甲\r乙"\n'  # lines 5-6
        "wu,Firm,戊,1x,template,\n"  # line 7
        "geng,Firm,庚,true,template,x,y\n",  # line 8: a cell too many
        encoding="utf-8",
        newline="",
    )
    found = [str(p) for p in _load(tiny, (), fast=fast).problems]
    assert sorted(p.split(" ", 1)[0] for p in found) == ["more.csv:7:", "more.csv:8:"], found


def test_empty_folder(tmp_path: Path) -> None:
    problems = problems_of(tmp_path)
    assert any("no dataset.yaml" in p for p in problems)
    assert any("holds no nodes" in p for p in problems)


def test_missing_folder_raises(tmp_path: Path) -> None:
    with pytest.raises(InvalidGraphData, match="does not exist"):
        load_dataset(tmp_path / "nope")


def test_read_graph_reports_first_problem_and_count(tiny: Path) -> None:
    (tiny / "more.yaml").write_text(
        "nodes:\n  - {id: ding, kind: Firm, name: 丁, local: true}\n"
        "  - {id: wu, kind: Firm, name: 戊, local: true}\n",
        encoding="utf-8",
    )
    with pytest.raises(InvalidGraphData, match=r"and 1 more problem: run 'chaingraph validate"):
        read_graph(tiny)


def test_write_then_read_round_trip(tiny: Path, tmp_path: Path) -> None:
    G = read_graph(tiny)
    write_dataset(G, tmp_path / "copy", name="tiny", title="测试园区")
    H = read_graph(tmp_path / "copy")
    assert dict(G.nodes.items()) == dict(H.nodes.items())
    assert sorted(G.edges(keys=True, data=True)) == sorted(H.edges(keys=True, data=True))


def test_write_refuses_a_non_empty_folder(tiny: Path) -> None:
    with pytest.raises(InvalidGraphData, match="exists and is not empty"):
        write_dataset(read_graph(tiny), tiny, name="tiny")


def test_unclosed_quote_in_a_big_csv_is_a_problem_not_a_crash(tiny: Path) -> None:
    (tiny / "r.csv").write_text("from,rel,to\n" + "a" * 140_000 + ",FEEDS,b\n", "utf-8")
    (tiny / "q.csv").write_text('from,rel,to\n"jia,ATTRACTED,yi\n' + "x" * 140_000, "utf-8")
    problems = problems_of(tiny)
    assert any(p.startswith("r.csv:") and "malformed CSV" in p for p in problems)
    assert any(p.startswith("q.csv:") and "malformed CSV" in p for p in problems)


@pytest.mark.parametrize("value", [".inf", ".nan", "-.inf"])
def test_non_finite_numbers_are_refused(tiny: Path, value: str) -> None:
    (tiny / "more.yaml").write_text(
        f"grade: template\nnodes:\n  - {{id: ding, kind: Firm, name: 丁, local: true, "
        f"output_cny: {value}}}\n",
        encoding="utf-8",
    )
    (problem,) = problems_of(tiny)
    assert "'output_cny' must be a finite number" in problem


@pytest.mark.parametrize("path", ["../outside.txt", "/etc/hostname", "sources/../../x.txt"])
def test_text_file_must_stay_inside_the_dataset(tiny: Path, path: str) -> None:
    text = (tiny / "sources.yaml").read_text("utf-8")
    (tiny / "sources.yaml").write_text(text.replace("sources/memo.txt", path), "utf-8")
    problems = problems_of(tiny)
    assert any("is outside the dataset" in p for p in problems)


@pytest.mark.parametrize("how", ["file link", "folder link", "link chain", "absolute link"])
def test_text_file_links_are_resolved_before_the_check(
    tiny: Path, tmp_path: Path, how: str
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("密码 hunter2", "utf-8")
    memo = tiny / "sources" / "memo.txt"
    memo.unlink()
    if how == "file link":
        memo.symlink_to(os.path.relpath(secret, memo.parent))
    elif how == "folder link":
        shutil.rmtree(tiny / "sources")
        (tmp_path / "elsewhere").mkdir()
        (tmp_path / "elsewhere" / "memo.txt").write_text("密码 hunter2", "utf-8")
        (tiny / "sources").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    elif how == "link chain":  # inside link -> inside link -> outside file
        (tiny / "sources" / "hop.txt").symlink_to(secret)
        memo.symlink_to("hop.txt")
    else:
        memo.symlink_to(secret)
    loaded = load_dataset(tiny)
    assert any(
        "is a link to" in str(p) and "outside the dataset" in str(p) for p in loaded.problems
    )
    assert all("hunter2" not in str(a.get("text", "")) for _, a in loaded.graph.nodes(data=True))


def test_a_link_inside_the_dataset_is_fine(tiny: Path) -> None:
    memo = tiny / "sources" / "memo.txt"
    memo.rename(tiny / "sources" / "real.txt")
    memo.symlink_to("real.txt")
    assert problems_of(tiny) == []


def test_data_files_linked_from_outside_are_not_read(tiny: Path, tmp_path: Path) -> None:
    outside = tmp_path / "other.yaml"
    outside.write_text("nodes:\n  - {id: spy, kind: Firm, name: 外}\n", "utf-8")
    (tiny / "linked.yaml").symlink_to(outside)
    loaded = load_dataset(tiny)
    assert "spy" not in loaded.graph
    assert any(
        str(p).startswith("linked.yaml") and "outside the dataset" in str(p)
        for p in loaded.problems
    )


def test_writing_never_leaves_the_folder(tiny: Path, tmp_path: Path) -> None:
    G = read_graph(tiny)
    G.nodes["memo"]["text_file"] = "../escaped.txt"  # as a store might hold it
    written = write_dataset(G, tmp_path / "out" / "copy", name="tiny")
    assert not (tmp_path / "out" / "escaped.txt").exists()
    assert all((tmp_path / "out" / "copy") in p.parents for p in written)
    assert read_graph(tmp_path / "out" / "copy").nodes["memo"]["text_file"] == "sources/memo.txt"


CONFLICT_NODES = """nodes:
  - id: n1
    kind: Project
    name: 项目一
    grade: template
    figures:
      - key: a
        label: 甲说
        value: 9
        {a_conflicts}
        sources: [{{source: memo, quote: 测试园区招商简报}}]
  - id: n2
    kind: Project
    name: 项目二
    grade: template
    figures:
      - key: b
        label: 乙说
        value: 15
        {b_conflicts}
        sources: [{{source: memo, quote: 测试园区招商简报}}]
"""


def test_figures_in_conflict_name_each_other(tiny: Path) -> None:
    (tiny / "more.yaml").write_text(
        CONFLICT_NODES.format(
            a_conflicts="conflicts_with: [n2/b]", b_conflicts="conflicts_with: [n1/a]"
        ),
        encoding="utf-8",
    )
    assert problems_of(tiny) == []
    assert read_graph(tiny).nodes["n1"]["figures"][0]["conflicts_with"] == ["n2/b"]


def test_a_one_sided_conflict_asks_for_the_other_side(tiny: Path) -> None:
    (tiny / "more.yaml").write_text(
        CONFLICT_NODES.format(a_conflicts="conflicts_with: [n2/b]", b_conflicts=""),
        encoding="utf-8",
    )
    (problem,) = problems_of(tiny)
    assert problem.startswith("more.yaml:2:")
    assert "conflicts with 'n2/b', which does not name it back" in problem
    assert "Add conflicts_with: [n1/a] to figure 'n2/b'" in problem


@pytest.mark.parametrize("target", ["n2/nope", "nobody/b", "n2"])
def test_a_conflict_must_name_a_figure(tiny: Path, target: str) -> None:
    (tiny / "more.yaml").write_text(
        CONFLICT_NODES.format(a_conflicts=f"conflicts_with: [{target}]", b_conflicts=""),
        encoding="utf-8",
    )
    (problem,) = problems_of(tiny)
    assert f"conflicts_with '{target}' names no figure" in problem


HONOURS = """nodes:
  - {id: prize, kind: Award, name: 示范园区, awarded_by: 省商务厅, year: 2023, grade: template}
  - {id: city, kind: Place, name: 测试市, place_type: 城市, grade: template}
edges:
  - {from: jia, rel: RECEIVED, to: prize, grade: template}
  - {from: prize, rel: RECOGNISES, to: bat, grade: template}
  - {from: jia, rel: LOCATED_IN, to: city, grade: template}
"""


def test_awards_and_places(tiny: Path) -> None:
    (tiny / "more.yaml").write_text(HONOURS, encoding="utf-8")
    assert problems_of(tiny) == []
    G = read_graph(tiny)
    assert G.nodes["prize"]["awarded_by"] == "省商务厅"
    assert G.has_edge("jia", "prize", key="RECEIVED")
    assert G.has_edge("prize", "bat", key="RECOGNISES")


def test_an_award_is_received_not_given(tiny: Path) -> None:
    (tiny / "more.yaml").write_text(
        HONOURS + "  - {from: prize, rel: RECEIVED, to: jia, grade: template}\n",
        encoding="utf-8",
    )
    (problem,) = problems_of(tiny)
    assert "RECEIVED cannot go from a Award to a Firm" in problem


def test_overrides_are_read_instead_of_the_files(tiny: Path) -> None:
    before = sorted(p.read_bytes() for p in tiny.rglob("*") if p.is_file())
    extra = "grade: template\nnodes:\n  - {id: ding, kind: Firm, name: 丁, local: maybe}\n"
    ds = load_dataset(tiny, overrides={"more.yaml": extra, "firms.csv": ""})
    problems = [str(p) for p in ds.problems]
    assert any(
        p.startswith("more.yaml:3:") and "'local' must be true or false" in p for p in problems
    )
    assert "jia" not in ds.graph  # firms.csv read as absent
    assert sorted(p.read_bytes() for p in tiny.rglob("*") if p.is_file()) == before


# --- numbers: bounded at validation, so no sum can overflow into inf/NaN ---------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("output_cny", "1.7e308"),
        ("output_cny", "-1.7e308"),
        ("output_cny", "1000000000000001"),
        ("output_cny", "1e16"),
        ("output_cny", '"2e300"'),
    ],
)
def test_numbers_beyond_the_bound_are_refused(tiny: Path, field: str, value: str) -> None:
    (tiny / "more.yaml").write_text(
        f"grade: template\nnodes:\n  - {{id: ding, kind: Firm, name: 丁, local: true, "
        f"{field}: {value}}}\n",
        encoding="utf-8",
    )
    (problem,) = problems_of(tiny)
    assert f"'{field}' must be at most 10^15 in size" in problem


def test_investment_amounts_that_would_overflow_a_sum_are_refused(tiny: Path) -> None:
    edges = "".join(
        f"  - {{from: {f}, rel: INVESTS_IN, to: proj, amount_cny: 1.7e308}}\n"
        for f in ("jia", "yi")
    )
    (tiny / "more.yaml").write_text(
        f"grade: template\nnodes:\n  - {{id: proj, kind: Project, name: 项目}}\nedges:\n{edges}",
        encoding="utf-8",
    )
    problems = problems_of(tiny)
    assert len(problems) == 2 and all("at most 10^15" in p for p in problems)


def test_a_csv_number_of_thousands_of_digits_is_a_problem(tiny: Path) -> None:
    text = (tiny / "firms.csv").read_text("utf-8").splitlines()
    text[0] += ",output_cny"
    text[1] += "," + "9" * 5000
    text[2:] = [line + "," for line in text[2:]]
    (tiny / "firms.csv").write_text("\n".join(text) + "\n", "utf-8")
    (problem,) = problems_of(tiny)
    assert "'output_cny' must be" in problem


def test_the_bound_itself_is_allowed(tiny: Path) -> None:
    (tiny / "more.yaml").write_text(
        "grade: template\nnodes:\n  - {id: ding, kind: Firm, name: 丁, local: true, "
        "output_cny: 1000000000000000, figures: [{key: big, label: 大, value: -1.0e+15, "
        "sources: [{source: memo, quote: 甲电池}]}]}\n",
        encoding="utf-8",
    )
    assert problems_of(tiny) == []


def test_a_figure_beyond_the_bound_is_refused(tiny: Path) -> None:
    (tiny / "more.yaml").write_text(
        "grade: template\nnodes:\n  - {id: ding, kind: Firm, name: 丁, local: true, "
        "figures: [{key: big, label: 大, value: 1.0e+300}]}\n",
        encoding="utf-8",
    )
    (problem,) = problems_of(tiny)
    assert "value must be at most 10^15" in problem


@pytest.mark.parametrize(
    "text",
    [
        "",
        "a,b\n1,2",
        "a,b\r\n1,2\r\n",
        "a,b\r1,2\r\r\n\n",
        'id,note\nx,"two\rlines"\r\ny,"a\x0bb\u2028c\x85d\x1ce"\n',
        "\n\r\n\r",
        'a\n"open',
        "a\x0b\nb\x0c\r\nc\x85\rd\u2029",  # other breaks just before a line's own
        "x\n\u2028\n\x1d",
        "中文,\r\n\r\n" * 5 + "\x1e,\n" * 3 + "末",
    ],
)
@pytest.mark.parametrize("block", [1 << 18, 1, 3])
def test_csv_lines_are_those_stringio_gives(
    text: str, block: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A CSV file's text is read line by line without a StringIO's copy of it: the same lines,
    rows and line numbers (cut into blocks of any size)."""
    import csv
    import io

    from chaingraph import dataset
    from chaingraph.dataset import csv_lines

    monkeypatch.setattr(dataset, "_BLOCK", block)
    assert list(csv_lines(text)) == list(io.StringIO(text, newline=""))
    ours, theirs = csv.reader(csv_lines(text)), csv.reader(io.StringIO(text, newline=""))
    try:
        expected: object = list(theirs)
    except csv.Error as exc:
        expected = str(exc)
    try:
        got: object = list(ours)
    except csv.Error as exc:
        got = str(exc)
    assert got == expected and ours.line_num == theirs.line_num


def test_csv_lines_on_random_texts(monkeypatch: pytest.MonkeyPatch) -> None:
    """csv_lines cuts any mix of line breaks, the other characters str.splitlines breaks at,
    quotes and text as a StringIO does, at any block size."""
    import io
    import random

    from chaingraph import dataset

    pieces = ["a", "中", ",", '"', " ", "\r", "\n", "\r\n", "\v", "\f", "\x1c", "\x85", "\u2028"]
    rng = random.Random(12)
    for block in (1, 2, 5, 1 << 18):
        monkeypatch.setattr(dataset, "_BLOCK", block)
        for _ in range(500):
            text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 40)))
            assert list(dataset.csv_lines(text)) == list(io.StringIO(text, newline="")), text
