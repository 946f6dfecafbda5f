"""The dataset cache: a warm load gives the graph a cold load gives, and nothing stale.

Every way the cache could answer wrongly is tried on real folders: an edited file, a file
added or removed, an edited include, a changed code digest, a damaged, truncated, foreign or
hostile cache file, a cache folder that cannot be written. Each must give what a load
without the cache gives, without a traceback.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from chaingraph import cache, dataset
from chaingraph.dataset import Dataset, load_dataset

REPO = Path(__file__).resolve().parent.parent
TINY = Path(__file__).parent / "data" / "tiny"
SHENGZHOU = REPO / "graphs" / "shengzhou"
LAYER = REPO / "graphs" / "reference" / "cn-listed"


@pytest.fixture(autouse=True)
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test caches in its own folder."""
    folder = tmp_path / "cache"
    monkeypatch.setenv(cache.ENV_DIR, str(folder))
    monkeypatch.delenv(cache.ENV_OFF, raising=False)
    return folder


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Path]]:
    """The folders whose files were read and checked (the real reader runs)."""
    seen: list[Path] = []
    real = dataset._Reader.read

    def counting(self: Any) -> None:
        seen.append(self.folder)
        real(self)

    monkeypatch.setattr(dataset._Reader, "read", counting)
    yield seen


def fresh(folder: Path) -> Dataset:
    """The dataset read and checked without the cache."""
    cache.disable()
    try:
        return load_dataset(folder)
    finally:
        cache.disable(False)


def same(a: Dataset, b: Dataset) -> None:
    """Two loads hold the same graph, node for node and edge for edge."""
    assert (a.name, a.title, a.description) == (b.name, b.title, b.description)
    assert a.problems == b.problems
    assert sorted(a.graph.nodes(data=True)) == sorted(b.graph.nodes(data=True))
    assert sorted(a.graph.edges(keys=True, data=True)) == sorted(
        b.graph.edges(keys=True, data=True)
    )
    assert a.graph.graph == b.graph.graph
    assert a.node_locations == b.node_locations
    assert dict(a.edge_locations or {}) == dict(b.edge_locations or {})
    assert a.merged == b.merged


def entries(folder: Path) -> list[Path]:
    return sorted((folder / "datasets").glob("*.pickle"))


def test_warm_load_is_the_cold_graph_without_reading(tiny: Path, reads: list[Path]) -> None:
    cold = load_dataset(tiny)
    assert cold.problems == [] and cold.cache_key
    warm = load_dataset(tiny)
    assert reads == [tiny]  # the second load read nothing
    same(warm, cold)
    assert warm.cache_key == cold.cache_key
    G = warm.graph  # a full networkx graph: views, edits and copies behave
    u, v, k = next(iter(G.edges(keys=True)))
    assert G.has_edge(u, v, k) and G.pred[v][u][k] is G.succ[u][v][k]
    G.remove_edge(u, v, k)
    assert not G.has_edge(u, v, k) and k not in G.pred[v].get(u, {})
    G.add_node("added", kind="Firm")
    assert "added" in G and "added" in G.copy()
    assert "added" not in load_dataset(tiny).graph  # a hit hands out a new graph each time


def test_shipped_zone_with_its_layer(reads: list[Path]) -> None:
    cold = load_dataset(SHENGZHOU)
    warm = load_dataset(SHENGZHOU)
    assert [p.name for p in reads] == ["shengzhou", "cn-listed"]
    same(warm, cold)
    same(warm, fresh(SHENGZHOU))


def test_an_edited_file_is_read_again(tiny: Path, reads: list[Path]) -> None:
    load_dataset(tiny)
    firms = tiny / "firms.csv"
    text = firms.read_text(encoding="utf-8")
    firms.write_text(text.replace("甲电池,甲,", "甲电池集团,甲,", 1), encoding="utf-8")
    after = load_dataset(tiny)
    assert len(reads) == 2
    same(after, fresh(tiny))
    assert any(a.get("name") == "甲电池集团" for _, a in after.graph.nodes(data=True))


def test_touched_but_unchanged_is_a_hit(tiny: Path, reads: list[Path]) -> None:
    load_dataset(tiny)
    for path in tiny.rglob("*"):
        os.utime(path)
    load_dataset(tiny)
    assert reads == [tiny]


def test_added_removed_and_renamed_files_are_seen(tiny: Path) -> None:
    load_dataset(tiny)
    extra = "nodes:\n  - {id: extra-firm, kind: Firm, name: 新企业, grade: template}\n"
    (tiny / "more.yaml").write_text(extra, encoding="utf-8")
    assert "extra-firm" in load_dataset(tiny).graph
    (tiny / "more.yaml").rename(tiny / "more.txt")  # not a data file any more
    assert "extra-firm" not in load_dataset(tiny).graph
    (tiny / "more.txt").unlink()
    same(load_dataset(tiny), fresh(tiny))


def test_source_text_edit_is_seen(tiny: Path) -> None:
    assert load_dataset(tiny).problems == []
    for text in (tiny / "sources").iterdir():
        text.write_text("全都换掉了", encoding="utf-8")
    after = load_dataset(tiny)
    assert after.problems and after.problems == fresh(tiny).problems  # quotes not found


def test_problems_are_never_cached(tiny: Path, own_cache: Path, reads: list[Path]) -> None:
    (tiny / "bad.yaml").write_text("nodes:\n  - {id: x, kind: Frim, name: X}\n", "utf-8")
    first = load_dataset(tiny).problems
    assert first and load_dataset(tiny).problems == first
    assert len(reads) == 2 and entries(own_cache) == []


def test_a_changed_code_digest_reads_again(
    tiny: Path, reads: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    load_dataset(tiny)
    monkeypatch.setattr(cache, "_CODE_DIGEST", "another chaingraph")
    load_dataset(tiny)
    assert len(reads) == 2
    monkeypatch.setattr(cache, "_CODE_DIGEST", None)  # back to the digest of the real code
    load_dataset(tiny)
    assert len(reads) == 3  # the entry now holds the other version's: read and rewritten


def test_another_networkx_or_pyyaml_reads_again(
    tiny: Path, tmp_path: Path, reads: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    load_dataset(tiny)
    load_dataset(tiny)
    assert len(reads) == 1
    upgraded = tmp_path / "site"
    (upgraded / "PyYAML-99.0.dist-info").mkdir(parents=True)  # installed ahead on the path
    monkeypatch.setattr(sys, "path", [str(upgraded), *sys.path])
    monkeypatch.setattr(cache, "_CODE_DIGEST", None)
    assert "PyYAML-99.0.dist-info" in cache.dependency_versions()
    load_dataset(tiny)
    assert len(reads) == 2


def damage_body(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[-40] ^= 0x01
    path.write_bytes(bytes(data))


def damage_header(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[20] ^= 0xFF
    path.write_bytes(bytes(data))


def truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def empty(path: Path) -> None:
    path.write_bytes(b"")


def other_format(path: Path) -> None:
    with path.open("rb") as handle:
        header = pickle.load(handle)
        body = handle.read()
    header["format"] = cache.FORMAT + 1
    path.write_bytes(pickle.dumps(header) + body)


class _RunsACommand:
    """Unpickled by the standard loader, this runs a shell command (the marker's touch)."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        return os.system, (f"touch '{self.marker}'",)


def hostile(path: Path) -> None:
    marker = path.parent / "ran"
    path.write_bytes(pickle.dumps({"format": cache.FORMAT, "x": _RunsACommand(marker)}))


def json_instead(path: Path) -> None:
    path.write_text(json.dumps({"format": cache.FORMAT}), encoding="utf-8")


@pytest.mark.parametrize(
    "spoil",
    [damage_body, damage_header, truncate, empty, other_format, hostile, json_instead],
)
def test_a_spoilt_entry_is_a_miss_never_an_error(
    tiny: Path, own_cache: Path, reads: list[Path], spoil: Callable[[Path], None]
) -> None:
    cold = load_dataset(tiny)
    (entry,) = entries(own_cache)
    spoil(entry)
    again = load_dataset(tiny)
    assert len(reads) == 2  # read afresh
    assert not (entry.parent / "ran").exists()  # a hostile entry ran nothing
    same(again, cold)
    load_dataset(tiny)
    assert len(reads) == 2  # and the entry rewritten whole


def plant(path: Path, body: dict[str, Any]) -> None:
    """Replace an entry's body by ``body``, with a header whose digests match it."""
    with path.open("rb") as handle:
        header = pickle.load(handle)
    data = cache.dumps(body)
    header.update(size=len(data), body=hashlib.sha256(data).hexdigest())
    path.write_bytes(cache.dumps(header) + data)


@pytest.mark.parametrize("how", ["another user's", "writable by others"])
def test_an_entry_someone_else_could_write_is_never_read(
    tiny: Path, own_cache: Path, reads: list[Path], how: str
) -> None:
    cold = load_dataset(tiny)
    (entry,) = entries(own_cache)
    with entry.open("rb") as handle:
        pickle.load(handle)  # the header
        body = cache.loads(handle.read())
    some = next(iter(body["node"]))
    body["node"][some] = {**body["node"][some], "name": "planted"}
    plant(entry, body)
    if how == "another user's":
        if os.geteuid() != 0:
            pytest.skip("only root can give a file to another user")
        os.chown(entry, 54321, 54321)
    else:
        entry.chmod(0o666)
    again = load_dataset(tiny)
    assert len(reads) == 2 and again.graph.nodes[some]["name"] != "planted"
    same(again, cold)


def test_without_owners_to_compare_an_entry_is_read(
    tiny: Path, own_cache: Path, reads: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    cold = load_dataset(tiny)
    (entry,) = entries(own_cache)
    entry.chmod(0o666)  # as Windows reports every writable file
    monkeypatch.delattr(os, "getuid")  # as on Windows
    same(load_dataset(tiny), cold)
    assert len(reads) == 1  # a hit


def test_the_cache_folder_is_made_private(tiny: Path, own_cache: Path) -> None:
    (own_cache / "datasets").mkdir(parents=True, mode=0o777)
    (own_cache / "datasets").chmod(0o777)
    load_dataset(tiny)
    assert entries(own_cache) and (own_cache / "datasets").stat().st_mode & 0o777 == 0o700


def test_an_edited_include_is_read_again(tmp_path: Path, reads: list[Path]) -> None:
    layer = tmp_path / "reference" / "cn-listed"
    shutil.copytree(LAYER, layer)
    zone = tmp_path / "zone"
    shutil.copytree(TINY, zone)
    manifest = zone / "dataset.yaml"
    manifest.write_text(
        manifest.read_text(encoding="utf-8") + "include: [../reference/cn-listed]\n", "utf-8"
    )
    cold = load_dataset(zone)
    assert cold.problems == [] and cold.graph.graph["includes"] == ["cn-listed"]
    firms = layer / "firms.csv"
    lines = firms.read_text(encoding="utf-8").splitlines(keepends=True)
    victim = lines[1].split(",")[0]
    firms.write_text("".join([lines[0], *lines[2:]]), encoding="utf-8")
    after = load_dataset(zone)
    assert victim in cold.graph and victim not in after.graph
    assert [p.name for p in reads] == ["zone", "cn-listed", "zone", "cn-listed"]
    same(after, fresh(zone))
    # the include now names another folder holding what the old one held
    shutil.copytree(layer, tmp_path / "elsewhere" / "cn-listed")
    firms.write_text("".join(lines), encoding="utf-8")
    manifest.write_text(
        manifest.read_text(encoding="utf-8").replace("../reference", "../elsewhere"), "utf-8"
    )
    moved = load_dataset(zone)
    assert victim not in moved.graph
    same(moved, fresh(zone))


def test_links_and_hidden_texts_are_not_cached(tiny: Path, own_cache: Path) -> None:
    (tiny / "notes").symlink_to(tiny / "sources")
    assert load_dataset(tiny).problems == []
    assert entries(own_cache) == []
    (tiny / "notes").unlink()
    sources = tiny / "sources.yaml"
    text = sources.read_text(encoding="utf-8")
    name = text.split("text_file:", 1)[1].split()[0]
    (tiny / ".hidden").mkdir()
    shutil.copy(tiny / name, tiny / ".hidden" / "copy.txt")
    sources.write_text(text.replace(name, ".hidden/copy.txt", 1), encoding="utf-8")
    assert load_dataset(tiny).problems == []
    assert entries(own_cache) == []


def test_unwritable_cache_never_fails_a_load(
    tiny: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reads: list[Path]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv(cache.ENV_DIR, str(blocker / "cache"))  # mkdir fails: NotADirectory
    same(load_dataset(tiny), fresh(tiny))
    same(load_dataset(tiny), fresh(tiny))
    assert len(reads) == 4  # nothing cached: each load read the folder


def test_where_the_cache_lives(
    tiny: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reads: list[Path]
) -> None:
    monkeypatch.delenv(cache.ENV_DIR)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.cache_dir() == tmp_path / "xdg" / "chaingraph"
    load_dataset(tiny)
    assert entries(tmp_path / "xdg" / "chaingraph")
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache.cache_dir() == tmp_path / "home" / ".cache" / "chaingraph"
    monkeypatch.setenv(cache.ENV_OFF, "1")
    assert cache.cache_dir() is None
    load_dataset(tiny)
    assert len(reads) == 2


def test_cli_no_cache_and_stats_memo(
    tiny: Path, own_cache: Path, run: Callable[..., Result]
) -> None:
    first = run("stats", "--format", "json", store=tiny)
    assert first.exit_code == 0, first.output
    assert [p.name.count(".") for p in entries(own_cache)] == [1, 2]  # dataset, stats memo
    again = run("stats", "--format", "json", store=tiny)
    bare = run("--no-cache", "stats", "--format", "json", store=tiny)
    assert first.output == again.output == bare.output
    assert cache.cache_dir() is not None  # --no-cache ended with its command
    assert run("stats", store=tiny).output == run("--no-cache", "stats", store=tiny).output
    firms = tiny / "firms.csv"
    firms.write_text(firms.read_text(encoding="utf-8").replace("true", "false"), "utf-8")
    changed = run("stats", "--format", "json", store=tiny)
    assert changed.output == run("--no-cache", "stats", "--format", "json", store=tiny).output
    assert changed.output != first.output
    (memo,) = [p for p in entries(own_cache) if p.name.count(".") == 2]
    damage_body(memo)
    assert run("stats", "--format", "json", store=tiny).output == changed.output


def test_stats_from_the_cache_imports_no_networkx(tmp_path: Path) -> None:
    env = {**os.environ, cache.ENV_DIR: str(tmp_path / "cache")}
    code = (
        "import sys\nfrom chaingraph.cli import main\nsys.argv = ['chaingraph', 'stats']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('networkx' in sys.modules, file=sys.stderr)\n"
    )
    runs = []
    for _ in range(2):
        runs.append(
            subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
        )
        wait_for_entries(tmp_path / "cache", 2, memos=1)  # zone, layer, stats: behind
    assert runs[0].stdout == runs[1].stdout and "Nodes by kind" in runs[0].stdout
    assert [r.stderr.split()[-1] for r in runs] == ["True", "False"]


def test_the_command_that_writes_the_entry_remembers_the_stats(
    tiny: Path, tmp_path: Path, run: Callable[..., Result]
) -> None:
    """The first 'stats' after another command reads the stats from the cache: the command
    that loaded the dataset (and wrote its entry) remembered them."""
    env = {**os.environ, cache.ENV_DIR: str(tmp_path / "cache"), "CHAINGRAPH_STORE": str(tiny)}
    code = (
        "import sys\nfrom chaingraph.cli import main\nsys.argv = ['chaingraph', *sys.argv[1:]]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('networkx' in sys.modules, file=sys.stderr)\n"
    )
    runs = []
    for args in (["find", "甲"], ["stats", "--format", "json"]):
        runs.append(
            subprocess.run(
                [sys.executable, "-c", code, *args], env=env, capture_output=True, text=True
            )
        )
        wait_for_entries(tmp_path / "cache", 1, memos=1)  # written behind
    assert [r.stderr.split()[-1] for r in runs] == ["True", "False"]
    assert runs[1].stdout == run("--no-cache", "stats", "--format", "json", store=tiny).output


def test_old_entries_are_pruned_with_their_memos(
    tmp_path: Path, own_cache: Path, monkeypatch: pytest.MonkeyPatch, run: Callable[..., Result]
) -> None:
    monkeypatch.setattr(cache, "KEEP", 2)
    folders = []
    for n in range(4):
        folder = tmp_path / f"zone{n}"
        shutil.copytree(TINY, folder)
        folders.append(folder)
        assert run("stats", store=folder).exit_code == 0
    kept = [p for p in entries(own_cache) if p.name.count(".") == 1]
    memos = [p for p in entries(own_cache) if p.name.count(".") == 2]
    assert len(kept) == 2 and {p.stem for p in memos} <= {f"{p.stem}.stats" for p in kept}
    for folder in folders:  # pruned or not, every load is right
        same(load_dataset(folder), fresh(folder))


def test_a_dead_writers_temporary_file_is_removed_once_stale(
    tiny: Path, tmp_path: Path, own_cache: Path
) -> None:
    """A writer killed while writing (the end of a container or a service kills the one
    behind the command) leaves its temporary file: the next write removes it once it is
    cache.STALE old, never a live writer's."""
    load_dataset(tiny)
    folder = own_cache / "datasets"
    dead, live = folder / ".entry-dead.tmp", folder / ".entry-live.tmp"
    for path in (dead, live):
        path.write_bytes(b"\x80\x05 half an entry")
    long_ago = time.time() - cache.STALE - 60
    os.utime(dead, (long_ago, long_ago))
    other = tmp_path / "other"
    shutil.copytree(TINY, other)
    assert load_dataset(other).entry_written
    assert not dead.exists() and live.exists()
    assert len(entries(own_cache)) == 2


def wait_for_entries(folder: Path, count: int, memos: int = 0) -> list[Path]:
    """The dataset entries of a cache folder, once ``count`` are there with ``memos`` memos
    (written behind by a command that has ended) or after a minute at most."""
    deadline = time.monotonic() + 60
    while True:
        found = [p for p in entries(folder) if p.name.count(".") == 1]
        remembered = [p for p in entries(folder) if p.name.count(".") == 2]
        if len(found) >= count and len(remembered) >= memos or time.monotonic() > deadline:
            return found
        time.sleep(0.02)


#: loads a dataset as the command line does (the entry written behind) and reports which
#: processes made the entry and whether one is left unreaped
#: the start of a script run as ``python -c SCRIPT FOLDER LOG ...``: ``logged(f)`` is ``f``
#: writing the id of the process that calls it (or what ``note()`` says there) to LOG first
LOGS_CALLERS = r"""
import os, sys
from pathlib import Path

folder, log = Path(sys.argv[1]), Path(sys.argv[2])

def logged(real, note=os.getpid):
    def call(*args):
        with log.open("a") as out:
            out.write(f"{note()}\n")
        return real(*args)
    return call
"""


def run_logging(
    script: str, folder: Path, log: Path, case: str
) -> subprocess.CompletedProcess[str]:
    """Run a script that starts with :data:`LOGS_CALLERS` on ``folder`` (``case`` its third
    argument); fails the test if it fails."""
    return subprocess.run(
        [sys.executable, "-c", script, str(folder), str(log), case],
        capture_output=True,
        text=True,
        check=True,
    )


BEHIND = (
    LOGS_CALLERS
    + r"""
import gc, json, threading
from chaingraph import cache
from chaingraph.dataset import load_dataset

cache.dumps = logged(cache.dumps)
if sys.argv[3] == "thread":
    threading.Thread(target=threading.Event().wait, args=(30,), daemon=True).start()
if sys.argv[3] == "big":
    cache.BEHIND_MAX = 1  # the dataset counts as one whose writer would copy too much
cache.write_behind()
ds = load_dataset(folder)
try:
    left = os.waitpid(-1, os.WNOHANG)[0]
except ChildProcessError:
    left = 0
print(json.dumps({"pid": os.getpid(), "key": ds.cache_key, "written": ds.entry_written,
                  "child_left": left, "frozen": gc.get_freeze_count() > 0}))
"""
)


def test_a_command_writes_the_entry_behind_and_the_next_load_uses_it(
    tiny: Path, tmp_path: Path, own_cache: Path, reads: list[Path]
) -> None:
    log = tmp_path / "dumps.log"
    done = run_logging(BEHIND, tiny, log, "alone")
    told = json.loads(done.stdout)
    assert told["key"] and told["written"] and told["frozen"]
    assert told["child_left"] == 0  # the writer's first process was reaped, none is left
    assert len(wait_for_entries(own_cache, 1)) == 1
    writers = {int(pid) for pid in log.read_text().split()}
    assert writers and told["pid"] not in writers  # made and written by another process
    warm = load_dataset(tiny)
    assert reads == [] and warm.cache_key == told["key"]
    same(warm, fresh(tiny))


#: a load as the command line does it; the writer logs whether it has Ctrl-C blocked, and the
#: command prints whether it has
SIGNALS = (
    LOGS_CALLERS
    + r"""
import signal
from chaingraph import cache
from chaingraph.dataset import load_dataset

def blocked():
    return int(signal.SIGINT in signal.pthread_sigmask(signal.SIG_BLOCK, []))

cache.dumps = logged(cache.dumps, blocked)
cache.write_behind()
load_dataset(folder)
print(blocked())
"""
)


def test_the_writer_blocks_ctrl_c_and_the_command_does_not(
    tiny: Path, tmp_path: Path, own_cache: Path
) -> None:
    """Ctrl-C is held off while the writer is forked (a KeyboardInterrupt in the child
    would end it as the command): blocked in the writer for good, released in the command."""
    log = tmp_path / "signals.log"
    assert run_logging(SIGNALS, tiny, log, "x").stdout == "0\n"
    assert len(wait_for_entries(own_cache, 1)) == 1
    assert set(log.read_text().split()) == {"1"}


@pytest.mark.parametrize("case", ["thread", "big"])
def test_with_other_threads_or_a_big_graph_the_entry_is_written_inline(
    tiny: Path, tmp_path: Path, own_cache: Path, case: str
) -> None:
    log = tmp_path / "dumps.log"
    done = run_logging(BEHIND, tiny, log, case)
    told = json.loads(done.stdout)
    assert told["written"] and not told["frozen"]
    assert {int(pid) for pid in log.read_text().split()} == {told["pid"]}
    assert len(entries(own_cache)) == 1  # there when the load returned


def test_a_writer_that_cannot_write_never_fails_the_command(
    tiny: Path, tmp_path: Path, run: Callable[..., Result]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    env = {**os.environ, cache.ENV_DIR: str(blocker / "cache"), "CHAINGRAPH_STORE": str(tiny)}
    done = subprocess.run(
        [sys.executable, "-m", "chaingraph", "stats", "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert done.returncode == 0 and done.stderr == ""
    assert done.stdout == run("--no-cache", "stats", "--format", "json", store=tiny).output


def test_a_cold_stats_remembers_its_stats_once(
    tiny: Path, own_cache: Path, monkeypatch: pytest.MonkeyPatch, run: Callable[..., Result]
) -> None:
    """The load that writes the entry remembers the stats; the command does not write them a
    second time. An entry whose stats memo is gone gets it from the command."""
    written: list[str] = []
    real = cache.remember

    def remember(folder: Path, key: str, name: str, value: Any) -> None:
        written.append(name)
        real(folder, key, name, value)

    monkeypatch.setattr(cache, "remember", remember)
    first = run("stats", "--format", "json", store=tiny)
    assert written == [cache.STATS]
    (memo,) = [p for p in entries(own_cache) if p.name.count(".") == 2]
    memo.unlink()
    assert run("stats", "--format", "json", store=tiny).output == first.output
    assert written == [cache.STATS] * 2 and memo.is_file()
    assert run("stats", "--format", "json", store=tiny).output == first.output
    assert written == [cache.STATS] * 2  # answered from the memo


def test_an_import_does_not_cache_the_dataset_it_changes(
    tiny: Path, tmp_path: Path, own_cache: Path
) -> None:
    from chaingraph.ingest import import_file

    sheet = tmp_path / "list.csv"
    sheet.write_text("企业名称,所在地区\n新电器有限公司,上海\n", encoding="utf-8")
    assert import_file(sheet, tiny, dry_run=True).files
    assert len(entries(own_cache)) == 1  # a dry run leaves the folder as it was read
    shutil.rmtree(own_cache)
    assert import_file(sheet, tiny).written
    assert entries(own_cache) == []  # its load wrote no entry: it would be stale at once
    same(load_dataset(tiny), fresh(tiny))
    assert len(entries(own_cache)) == 1


#: a command's load whose writer waits for a file before it writes the entry
HELD = r"""
import os, sys, time
from pathlib import Path
from chaingraph import cache
from chaingraph.dataset import load_dataset

folder, go = Path(sys.argv[1]), Path(sys.argv[2])
real, command = cache.dumps, os.getpid()

def dumps(value):
    deadline = time.monotonic() + 60
    while os.getpid() != command and not go.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    return real(value)

cache.dumps = dumps
cache.write_behind()
print(bool(load_dataset(folder).cache_key), flush=True)
"""


def test_the_writer_holds_no_pipe_of_the_command(
    tiny: Path, tmp_path: Path, own_cache: Path
) -> None:
    """Whoever reads a command's output sees it end when the command ends, while the writer
    still works (it holds none of the command's descriptors), and the entry comes after."""
    go = tmp_path / "go"
    command = subprocess.Popen(
        [sys.executable, "-c", HELD, str(tiny), str(go)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        out, err = command.communicate(timeout=45)  # a held pipe: EOF only after 60 s
    finally:
        go.touch()
    assert (out, err, command.returncode) == ("True\n", "", 0)
    assert len(wait_for_entries(own_cache, 1)) == 1


def _pid_namespaces() -> bool:
    """True when this machine lets us run a command as process 1 of a new PID namespace."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return False
    probe = [unshare, "--pid", "--fork", sys.executable, "-c", "import os; print(os.getpid())"]
    done = subprocess.run(probe, capture_output=True, text=True, check=False)
    return done.returncode == 0 and done.stdout.strip() == "1"


@pytest.mark.skipif(not _pid_namespaces(), reason="needs unshare --pid (a PID namespace)")
def test_a_command_that_is_process_1_writes_its_entry_inline(
    tiny: Path, tmp_path: Path, own_cache: Path
) -> None:
    """A command run as a container's process 1 (``docker run IMAGE chaingraph ...``) adopts
    the orphaned writer, and its exit kills every process of the namespace: a writer behind
    it would never write (and would leave its temporary file). It writes inline."""
    go = tmp_path / "go"  # (HELD's writer waits for it; an inline write does not wait)
    try:
        done = subprocess.run(
            ["unshare", "--pid", "--fork", sys.executable, "-c", HELD, str(tiny), str(go)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        go.touch()
    assert (done.stdout, done.stderr, done.returncode) == ("True\n", "", 0)
    assert len(entries(own_cache)) == 1  # there when the command ended
    assert cache.Probe.of(tiny) is not None and load_dataset(tiny).cache_key


#: the embedded store's first load, with the entry written behind; which processes computed
#: the dataset's stats
STORE = (
    LOGS_CALLERS
    + r"""
from chaingraph import cache, query
from chaingraph.store.embedded import EmbeddedStore

query.stats = logged(query.stats)
cache.write_behind()
store = EmbeddedStore(folder)
print(os.getpid(), store.G.number_of_nodes(), store.stats_remembered)
"""
)


def test_the_writer_remembers_the_stores_stats(
    tiny: Path, tmp_path: Path, own_cache: Path, run: Callable[..., Result]
) -> None:
    """The stats that go beside a new entry are computed by its writer, not the command."""
    log = tmp_path / "stats.log"
    done = run_logging(STORE, tiny, log, "x")
    pid, nodes, remembered = done.stdout.split()
    assert int(nodes) > 0 and remembered == "True"
    wait_for_entries(own_cache, 1, memos=1)
    assert int(pid) not in {int(p) for p in log.read_text().split()}
    assert cache.memo(tiny, cache.STATS) == json.loads(
        run("--no-cache", "stats", "--format", "json", store=tiny).output
    )


#: a load (entry written behind) during which firms.csv is edited; waits for the writer
EDITED_MEANWHILE = r"""
import ctypes, os, sys
from pathlib import Path
from chaingraph import cache, dataset

folder = Path(sys.argv[1])
real = dataset._load

def load(*args, **kwargs):
    read = real(*args, **kwargs)
    firms = folder / "firms.csv"
    text = firms.read_text(encoding="utf-8")
    firms.write_text(text.replace("甲电池,甲,", "甲电池集团,甲,", 1), encoding="utf-8")
    return read

dataset._load = load
adopted = ctypes.CDLL(None).prctl(36, 1, 0, 0, 0) == 0  # PR_SET_CHILD_SUBREAPER
cache.write_behind()
print(bool(dataset.load_dataset(folder).cache_key), adopted)
while True:
    try:
        os.wait()  # the writer, adopted
    except ChildProcessError:
        break
"""


def test_a_folder_edited_while_it_was_read_is_not_cached_behind(
    tiny: Path, own_cache: Path, reads: list[Path]
) -> None:
    done = subprocess.run(
        [sys.executable, "-c", EDITED_MEANWHILE, str(tiny)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.split() == ["True", "True"]  # a key, and the writer was waited for
    assert entries(own_cache) == []  # the writer found the folder changed since it was read
    after = load_dataset(tiny)
    assert reads == [tiny]
    assert any(a.get("name") == "甲电池集团" for _, a in after.graph.nodes(data=True))
