"""Two imports into one dataset at once: no firm is lost.

An import plans from the dataset's files as it read them; one that lands in between would be
written over. Each import checks, holding the dataset's import lock, that the files it read
are unchanged before it renames its own in; if not, it writes nothing and says to run again.
"""

from __future__ import annotations

import csv
import fcntl
import io
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

import chaingraph.ingest.files as files
import chaingraph.ingest.guard as guard
from chaingraph import dataset
from chaingraph.dataset import load_dataset
from chaingraph.ingest import FIRMS_FILE, import_file
from chaingraph.ingest.guard import ImportConflict, lock_path
from test_ingest import make_dataset, row, sheet, snapshot

#: a deadline for what a test waits on (a failure if exceeded, never a measured time)
PATIENCE = 120


def imported_names(folder: Path) -> set[str]:
    path = folder / FIRMS_FILE
    if not path.is_file():
        return set()
    return {r["name"] for r in csv.DictReader(io.StringIO(path.read_text(encoding="utf-8")))}


def command(path: Path, folder: Path, *more: str) -> list[str]:
    return [sys.executable, "-m", "chaingraph", "import", str(path), "--into", str(folder), *more]


def lists(tmp_path: Path, names: list[str]) -> list[Path]:
    return [
        sheet(tmp_path, [row(name=name, place="上海")], f"list-{n}.csv")
        for n, name in enumerate(names)
    ]


@pytest.fixture
def ds(tmp_path: Path) -> Path:
    return make_dataset(tmp_path / "ds")


@pytest.mark.parametrize("locking", [True, False], ids=["flock", "no-fcntl"])
def test_an_import_landing_between_plan_and_write_is_not_written_over(
    tmp_path: Path, ds: Path, monkeypatch: pytest.MonkeyPatch, locking: bool
) -> None:
    """A second import, in a process of its own, lands after the first planned and checked
    its change and before it writes: the first writes nothing and says to run it again;
    run again, it keeps both firms. Without fcntl (Windows) the check alone does it."""
    if not locking:
        monkeypatch.setattr(guard, "fcntl", None)
    first, second = lists(tmp_path, ["甲一电池有限公司", "乙二电池有限公司"])
    import_file(sheet(tmp_path, [row(name="丙零电池有限公司", place="上海")], "z.csv"), ds)
    real = files._check_change

    def then_another_lands(*args: Any) -> None:
        real(*args)
        subprocess.run(command(second, ds), check=True, capture_output=True, timeout=PATIENCE)

    monkeypatch.setattr(files, "_check_change", then_another_lands)
    with pytest.raises(ImportConflict) as caught:
        import_file(first, ds)
    message = str(caught.value)
    assert f"'{ds / FIRMS_FILE}' changed while this import ran" in message
    assert "nothing was written. Run the import again" in message
    assert imported_names(ds) == {"丙零电池有限公司", "乙二电池有限公司"}
    monkeypatch.setattr(files, "_check_change", real)
    assert import_file(first, ds).written  # run again: it plans from what the second wrote
    assert imported_names(ds) == {"丙零电池有限公司", "甲一电池有限公司", "乙二电池有限公司"}
    assert load_dataset(ds).problems == []


def test_imports_run_at_once_lose_no_firm(tmp_path: Path, ds: Path) -> None:
    """Three imports started together, each a process: each one either writes or says to run
    it again (and nothing else); run again until all are in, every firm is there."""
    names = ["子一电池有限公司", "丑二电池有限公司", "寅三电池有限公司"]
    todo = lists(tmp_path, names)
    for _ in range(len(todo) + 1):  # each round at least one import gets in
        running = [
            subprocess.Popen(command(p, ds), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            for p in todo
        ]
        again = []
        for path, process in zip(todo, running, strict=True):
            _, err = process.communicate(timeout=PATIENCE)
            if process.returncode != 0:
                assert "changed while this import ran" in err.decode(), err.decode()
                assert "Run the import again" in err.decode()
                again.append(path)
        assert len(again) < len(todo)
        todo = again
        if not todo:
            break
    assert not todo
    assert imported_names(ds) == set(names)
    assert load_dataset(ds).problems == []


@contextmanager
def holding_the_lock(folder: Path, remove: bool = False) -> Iterator[Path]:
    """Hold the import lock of ``folder`` as another import would (``remove``: and remove
    the lock file before letting go, as an import does); yields the lock file."""
    path = lock_path(folder)
    assert path is not None
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield path
        if remove:
            path.unlink()
    finally:
        os.close(fd)


def wait_for_a_waiter(lock: Path, process: subprocess.Popen[bytes]) -> None:
    """Until the kernel lists a process blocked on the lock (/proc/locks: ``->``)."""
    inode = f":{lock.stat().st_ino} "
    deadline = time.monotonic() + PATIENCE
    while time.monotonic() < deadline:
        assert process.poll() is None, "the import ended without waiting for the lock"
        locks = Path("/proc/locks").read_text(encoding="ascii").splitlines()
        if any("->" in line and inode in line for line in locks):
            return
        time.sleep(0.02)
    raise AssertionError("no import waited for the lock")


@pytest.mark.skipif(not Path("/proc/locks").is_file(), reason="needs Linux's /proc/locks")
@pytest.mark.parametrize("how", ["waits", "edited-meanwhile", "lock-file-removed"])
def test_an_import_writes_only_holding_the_lock(tmp_path: Path, ds: Path, how: str) -> None:
    """An import waits for the lock another import holds before it checks and writes; a file
    edited meanwhile is then seen (named in the message), and nothing is written. The lock
    file removed by its holder as it lets go, the waiter locks a new one (and removes it)."""
    (path,) = lists(tmp_path, ["辰五电池有限公司"])
    edit = how == "edited-meanwhile"
    with holding_the_lock(ds, remove=how == "lock-file-removed") as lock:
        process = subprocess.Popen(
            command(path, ds), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        wait_for_a_waiter(lock, process)
        assert not (ds / FIRMS_FILE).exists()  # it waits: nothing written yet
        if edit:
            with (ds / "data.yaml").open("a", encoding="utf-8") as handle:
                handle.write("# edited while an import waited\n")
            before = snapshot(ds)
    _, err = process.communicate(timeout=PATIENCE)
    if edit:
        assert process.returncode == 1
        assert f"Error: '{ds / 'data.yaml'}' changed while this import ran" in err.decode()
        assert snapshot(ds) == before
    else:
        assert process.returncode == 0, err.decode()
        assert imported_names(ds) == {"辰五电池有限公司"}
    assert not lock.exists()


def test_a_dry_run_takes_no_lock_and_leaves_none(
    tmp_path: Path, ds: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (path,) = lists(tmp_path, ["巳六电池有限公司"])
    monkeypatch.setenv("CHAINGRAPH_CACHE_DIR", str(tmp_path / "cache"))
    lock = lock_path(ds)
    assert lock is not None
    done = subprocess.run(command(path, ds, "--dry-run"), capture_output=True, timeout=PATIENCE)
    assert done.returncode == 0, done.stderr.decode()
    assert not lock.exists()  # no lock file made
    with holding_the_lock(ds):  # another import writing: a dry run does not wait for it
        done = subprocess.run(command(path, ds, "--dry-run"), capture_output=True, timeout=PATIENCE)
    assert done.returncode == 0, done.stderr.decode()
    assert not (ds / FIRMS_FILE).exists()
    import_file(path, ds)
    assert lock.parent.is_dir() and not lock.exists()  # (an import's lock file goes with it)


def test_an_import_into_an_included_layer_while_the_dataset_loads_is_seen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The layer a dataset includes is read by the dataset's load: an import into the layer
    that lands while the dataset's import loads (after it read the layer) is seen before the
    dataset's import writes, as one into the dataset itself is; nothing is written."""
    layer = tmp_path / "layer"
    layer.mkdir()
    (layer / "dataset.yaml").write_text("name: layer\ntitle: 层\n", encoding="utf-8")
    (layer / "data.yaml").write_text(
        "grade: template\nnodes:\n  - {id: far, kind: Firm, name: 申九电池有限公司, "
        "local: false}\n",
        encoding="utf-8",
    )
    ds = make_dataset(tmp_path / "ds")
    with (ds / "dataset.yaml").open("a", encoding="utf-8") as handle:
        handle.write("include: [../layer]\n")
    assert load_dataset(ds).problems == []
    first, second = lists(tmp_path, ["午七电池有限公司", "未八电池有限公司"])
    real = dataset.load_dataset
    landed: list[bool] = []

    def then_one_lands_in_the_layer(*args: Any, **kwargs: Any) -> Any:
        loaded = real(*args, **kwargs)
        if not landed:  # (the first load only: the import's own)
            landed.append(True)
            subprocess.run(command(second, layer), check=True, capture_output=True)
        return loaded

    monkeypatch.setattr(dataset, "load_dataset", then_one_lands_in_the_layer)
    before = snapshot(ds)
    with pytest.raises(ImportConflict, match="changed while this import ran") as caught:
        import_file(first, ds)
    assert f"another import into '{layer.resolve()}' landed first" in str(caught.value)
    assert snapshot(ds) == before
    assert imported_names(layer) == {"未八电池有限公司"}


def test_a_lock_file_that_cannot_be_removed_does_not_fail_a_written_import(
    tmp_path: Path, ds: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The import is written before its lock file is removed: when the removal fails (here
    a folder stands where the lock file was), the import still says it wrote, not an error."""
    (path,) = lists(tmp_path, ["酉十电池有限公司"])
    lock = lock_path(ds)
    assert lock is not None
    real = files._move_in

    def then_the_lock_file_is_replaced(*args: Any) -> None:
        real(*args)
        lock.unlink()
        lock.mkdir()

    monkeypatch.setattr(files, "_move_in", then_the_lock_file_is_replaced)
    assert import_file(path, ds).written
    assert imported_names(ds) == {"酉十电池有限公司"}
    lock.rmdir()


def test_a_file_put_back_while_the_dataset_loads_is_seen(
    tmp_path: Path, ds: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another import renames its firms file in while this one loads, then fails and puts
    the old bytes back (as ImportNotWritten does): this import's plan saw that import's firm,
    which is gone again. The file holds the bytes this import read, but it was replaced
    twice meanwhile: it is seen as changed, and the message says to run again (not that the
    import would leave an edge to an unknown firm)."""
    first, other = lists(tmp_path, ["亥零电池有限公司", "乾二电池有限公司"])
    # its row names the other import's firm as a customer: planned as an edge to that firm
    path = sheet(
        tmp_path,
        [row(name="戌十一电池有限公司", place="上海", customers="乾二电池有限公司")],
        "b.csv",
    )
    import_file(first, ds)
    firms = ds / FIRMS_FILE
    old = firms.read_bytes()
    landed = tmp_path / "landed"
    shutil.copytree(ds, landed)
    import_file(other, landed)
    real = dataset.load_dataset
    done: list[bool] = []

    def replace(data: bytes) -> None:
        tmp = firms.with_name(".firms.put")
        tmp.write_bytes(data)
        os.replace(tmp, firms)

    def while_another_lands_then_puts_back(*args: Any, **kwargs: Any) -> Any:
        if done:
            return real(*args, **kwargs)
        done.append(True)
        replace((landed / FIRMS_FILE).read_bytes())  # the other import's firms file, in
        try:
            return real(*args, **kwargs)
        finally:
            replace(old)  # its put-back: the same bytes, a new file

    monkeypatch.setattr(dataset, "load_dataset", while_another_lands_then_puts_back)
    before = snapshot(ds)
    with pytest.raises(ImportConflict, match="changed while this import ran"):
        import_file(path, ds)  # (not: "would make the dataset invalid", an unknown firm)
    assert snapshot(ds) == before
