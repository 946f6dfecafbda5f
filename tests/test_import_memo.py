"""An import planned from the dataset cache's memo of a dataset's names and places
(``chaingraph.cache.IMPORT_INDEX``, made by :func:`chaingraph.ingest.plan_resolve.index_memo`)
gives exactly what planning from the loaded graph gives; an import uses the memo of the entry
it loaded, and only that one."""

from __future__ import annotations

import copy
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from chaingraph import cache
from chaingraph.dataset import load_dataset
from chaingraph.ingest import import_file
from chaingraph.ingest.names import FirmIndex
from chaingraph.ingest.plan_resolve import FirmResolver, Lookup, index_memo, usable_memo
from conftest import SHENGZHOU
from test_import_golden import first_version, second_version
from test_ingest import make_dataset, sheet
from test_ingest_fast import HOSTILE, plan


def kept(folder: Path) -> tuple[Any, Any]:
    """(the loaded graph, its memo as the cache gives it back)."""
    ds = load_dataset(folder)
    assert ds.cache_key, "the test session's cache holds the dataset"
    cache.remember(folder, ds.cache_key, cache.IMPORT_INDEX, index_memo(ds.graph))
    memo = cache.memo(folder, cache.IMPORT_INDEX, ds.cache_key)
    assert isinstance(memo, dict)
    return ds.graph, memo


def state(resolver: FirmResolver, lookup: Lookup) -> dict[str, Any]:
    index = resolver.index
    return {
        "index": (index.by_code, index.by_exact, index.by_norm, index.names, index.firm_places),
        "keys": index.keys,
        "owners": resolver.owners,
        "lookup": (
            lookup.places,
            lookup.chains,
            lookup.segments,
            lookup.segment_chain,
            lookup.segment_names,
            lookup.zones,
            lookup.divisions,
        ),
    }


@pytest.mark.parametrize("which", ["tiny", "shengzhou"])
def test_the_memo_is_what_indexing_the_graph_gives(tmp_path: Path, which: str) -> None:
    if which == "tiny":
        folder = make_dataset(tmp_path / "ds")
    else:  # with the listed-firm layer it includes
        folder = tmp_path / "shengzhou"
        shutil.copytree(SHENGZHOU, folder)
        shutil.copytree(SHENGZHOU.parent / "reference", tmp_path / "reference")
    G, memo = kept(folder)
    built = state(FirmResolver(G, {}), Lookup(G))
    remembered = state(FirmResolver(G, {}, memo), Lookup(G, memo["lookup"]))
    for key, value in built.items():
        assert remembered[key] == value, key
    assert len(built["keys"]) >= 4


def test_hostile_lists_plan_the_same_from_the_memo(tmp_path: Path) -> None:
    folder = make_dataset(tmp_path / "ds")
    for number, rows in enumerate([HOSTILE, first_version(), second_version()]):
        path = sheet(tmp_path, rows, f"list-{number}.csv")
        _, memo = kept(folder)
        assert plan(folder, path, memo=memo) == plan(folder, path, memo=None)
        import_file(path, folder)  # the next list is a re-import into what this one wrote


def outcome(folder: Path, path: Path) -> tuple[Any, ...]:
    result = import_file(path, folder)
    files = {
        str(p.relative_to(folder)): p.read_text(encoding="utf-8")
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }
    return result.rows(include_unchanged=True), result.summary(), files


def test_an_import_takes_the_memo_of_the_entry_it_loaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = sheet(tmp_path, HOSTILE, "list.csv")
    expected = outcome(make_dataset(tmp_path / "plain"), path)
    folder = make_dataset(tmp_path / "ds")
    kept(folder)

    def never(*_: Any) -> None:
        raise AssertionError("indexed the graph although the memo was there")

    with monkeypatch.context() as patch:
        patch.setattr(FirmIndex, "from_graph", never)
        assert outcome(folder, path) == expected


def _spoiled(memo: dict[str, Any], how: str) -> dict[str, Any]:
    """A copy of a real memo with one part of another shape (see SPOILS)."""
    spoiled = copy.deepcopy(memo)
    index, lookup = spoiled["index"], spoiled["lookup"]
    if how == "no version":
        del spoiled["version"]
    elif how == "another version":
        spoiled["version"] += 1
    elif how == "a key more":
        spoiled["extra"] = 1
    elif how == "an int name":
        index["names"][next(iter(index["names"]))] = 7
    elif how == "a name key of three parts":
        index["keys"][next(iter(index["keys"]))].append("x")
    elif how == "a set of ids":
        index["by_exact"][next(iter(index["by_exact"]))] = set()
    elif how == "an int in a normalised entry":
        ids = next(iter(index["by_norm"].values()))
        ids[next(iter(ids))] = [1]
    elif how == "a place of two parts":
        lookup["places"][0] = lookup["places"][0][:2]
    elif how == "two included sets":
        spoiled["included"] = spoiled["included"][:2]
    else:
        raise AssertionError(how)
    return spoiled


SPOILS = [
    "no version",
    "another version",
    "a key more",
    "an int name",
    "a name key of three parts",
    "a set of ids",
    "an int in a normalised entry",
    "a place of two parts",
    "two included sets",
]


def test_the_memo_index_memo_makes_is_usable(tmp_path: Path) -> None:
    _, memo = kept(make_dataset(tmp_path / "ds"))
    assert usable_memo(memo)
    for how in SPOILS:
        assert not usable_memo(_spoiled(memo, how)), how


#: memos of another shape altogether
FOREIGN: dict[str, Any] = {
    "an index alone": {"index": 1},
    "a lookup alone": {"lookup": {}},
    "a list": [1, 2],
    "a str": "x",
}


@pytest.mark.parametrize("how", [*SPOILS, *FOREIGN])
def test_a_memo_of_another_layout_is_not_used(
    tmp_path: Path, how: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A memo whose layout is off in one place, or of another shape altogether, is left
    whole: the graph is indexed, and the import's outcome is the same."""
    path = sheet(tmp_path, HOSTILE, "list.csv")
    expected = outcome(make_dataset(tmp_path / "plain"), path)
    folder = make_dataset(tmp_path / "ds")
    ds, (_, memo) = load_dataset(folder), kept(folder)
    bad = FOREIGN[how] if how in FOREIGN else _spoiled(memo, how)
    cache.remember(folder, ds.cache_key, cache.IMPORT_INDEX, bad)
    indexed: list[bool] = []
    real = FirmIndex.from_graph

    def counted(G: Any) -> FirmIndex:
        indexed.append(True)
        return real(G)

    monkeypatch.setattr(FirmIndex, "from_graph", counted)
    assert outcome(folder, path) == expected
    assert indexed


def test_an_error_in_the_planner_built_from_a_good_memo_is_raised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug in the constructors that read a memo is not taken for a bad memo and hidden."""
    path = sheet(tmp_path, HOSTILE, "list.csv")
    folder = make_dataset(tmp_path / "ds")
    kept(folder)

    def broken(memo: dict[str, Any]) -> FirmIndex:
        raise KeyError("a bug in FirmIndex.from_memo")

    monkeypatch.setattr(FirmIndex, "from_memo", broken)
    with pytest.raises(KeyError, match="a bug in"):
        import_file(path, folder, dry_run=True)


def test_the_memo_of_another_entry_is_not_read(tmp_path: Path) -> None:
    folder = make_dataset(tmp_path / "ds")
    _, memo = kept(folder)
    assert cache.memo(folder, cache.IMPORT_INDEX, "another key") is None
    assert cache.memo(folder, cache.IMPORT_INDEX) == memo  # (the folder as it is now)


def test_a_command_leaves_the_memo_beside_the_entry_it_writes(tmp_path: Path) -> None:
    """The CLI writes a new entry behind (a forked writer): the writer makes the memo."""
    folder = make_dataset(tmp_path / "ds")
    with (folder / "data.yaml").open("a", encoding="utf-8") as handle:
        handle.write("# changed: a new entry is due\n")
    subprocess.run(
        [sys.executable, "-m", "chaingraph", "validate", str(folder)], check=True, timeout=120
    )
    for _ in range(600):  # the writer finishes a moment later
        found = cache.memo(folder, cache.IMPORT_INDEX)
        if found is not None:
            break
        time.sleep(0.1)
    ds = load_dataset(folder)
    assert found == cache.memo(folder, cache.IMPORT_INDEX, ds.cache_key)
    assert isinstance(found, dict)
    assert state(FirmResolver(ds.graph, {}, found), Lookup(ds.graph, found["lookup"])) == state(
        FirmResolver(ds.graph, {}), Lookup(ds.graph)
    )


def shengzhou(tmp_path: Path, name: str) -> Path:
    folder = tmp_path / name / "shengzhou"
    shutil.copytree(SHENGZHOU, folder)
    shutil.copytree(SHENGZHOU.parent / "reference", tmp_path / name / "reference")
    return folder


#: rows naming listed firms of the included layer (by name, registered name, code), firms
#: of the zone, and new ones: what the check compares with the included firms' keys
LAYERED = [
    ["企业名称", "统一社会信用代码", "所属环节", "所在地区", "主要客户"],
    ["平安银行", "", "", "深圳", ""],
    ["万科企业股份有限公司", "", "", "深圳", "平安银行"],
    ["新来电池有限公司", "", "电芯", "上海", "万科A"],
    ["新来二号电池", "91330683MA2D12345X", "", "杭州", "新来电池"],
    ["比亚迪", "", "", "深圳", ""],
]


def test_an_import_into_a_zone_with_a_layer_checks_the_same_with_the_memo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import chaingraph.dataset_delta as delta

    path = tmp_path / "layered.csv"
    path.write_text("\n".join(",".join(r) for r in LAYERED) + "\n", encoding="utf-8")
    expected = outcome(shengzhou(tmp_path, "plain"), path)
    folder = shengzhou(tmp_path, "kept")
    G, memo = kept(folder)
    assert [set(k) for k in memo["included"]] == list(delta.included_firm_keys(G))

    def never(*_: Any) -> None:
        raise AssertionError("read the included firms although the memo had them")

    with monkeypatch.context() as patch:
        patch.setattr(delta, "included_firm_keys", never)
        patch.setattr(FirmIndex, "from_graph", never)
        assert outcome(folder, path) == expected


def test_a_big_datasets_writer_makes_no_import_memo() -> None:
    import networkx as nx

    from chaingraph.cli import IMPORT_MEMO_MAX, import_index

    G: Any = nx.MultiDiGraph()
    G.add_nodes_from(range(IMPORT_MEMO_MAX + 1), kind="Firm", name="x")
    assert import_index(G) is None
    G.remove_node(0)
    assert isinstance(import_index(G), dict)
