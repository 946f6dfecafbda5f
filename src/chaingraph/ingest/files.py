"""Import a spreadsheet into a dataset folder: plan, validate the result, then move files in.

The dataset's own files are never edited. An import writes only:

- ``firms-imported.csv`` — the firms imports created (one citation per row);
- ``relations-imported.csv`` — the IN_SEGMENT, LOCATED_IN and SUPPLIES edges they added;
- ``sources-imported.yaml`` — one Source node per imported file.

The dataset is first validated as it would be with the new files (the folder untouched):
when the dataset as loaded was valid, only the rows and entries the import changes are
checked against it (:mod:`chaingraph.dataset_delta`), else the whole dataset is read again
with the new files from memory. If the import adds any problem, nothing is written. Then,
holding the dataset's import lock and only if every file the import read is still as it was
(:mod:`chaingraph.ingest.guard`: another import may have landed meanwhile), each file is
written beside its target and renamed over it.
"""

from __future__ import annotations

import contextlib
import csv
import os
import signal
from collections.abc import Iterator
from collections.abc import Mapping as AnyMapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from .. import cache
from ..atomic import temp_beside
from ..errors import InvalidGraphData
from ..model import Location, Problem
from .guard import Seen, write_lock
from .mapping import load_mapping, map_columns
from .plan import Planner
from .plan_render import IMPORT_FILES, Imported
from .plan_resolve import usable_memo
from .plan_result import ImportResult
from .sheets import read_table

if TYPE_CHECKING:
    from ..dataset import Dataset


def import_file(
    path: str | Path,
    into: str | Path,
    *,
    mapping: str | Path | None = None,
    sheet: str | None = None,
    encoding: str | None = None,
    dry_run: bool = False,
    strict: bool = False,
) -> ImportResult:
    """Import a firm list (.xlsx or .csv) into a dataset folder.

    Parameters
    ----------
    path : str or Path
        The spreadsheet.
    into : str or Path
        The dataset folder (holding ``dataset.yaml``).
    mapping : str or Path, optional
        A mapping YAML file (see :mod:`chaingraph.ingest.mapping`).
    sheet : str, optional
        The sheet of an .xlsx file; default the mapping's ``sheet`` or the first sheet.
    encoding : str, optional
        The encoding of a .csv file; default detected.
    dry_run : bool
        Plan and report only; write nothing.
    strict : bool
        Import nothing if any row is bad (raises InvalidGraphData listing them).

    Returns
    -------
    ImportResult
        The changes, the issues (bad rows, unresolved names) and ``written``.

    Raises
    ------
    InvalidGraphData
        The file cannot be read (not a spreadsheet, empty, undecodable, no name column), the
        dataset cannot be read, ``strict`` and a row is bad, or the import would make the
        dataset invalid. Nothing is written in any of these cases. Also when a file cannot
        be written or renamed into the folder (:class:`ImportNotWritten`): what the import
        had put in before it is put back.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "dataset.yaml").write_text("name: demo\\ntitle: Demo\\n", encoding="utf-8")
    >>> sheet = folder.parent / f"{folder.name}-list.csv"
    >>> _ = sheet.write_text("企业名称,所在地区\\n甲电器有限公司,上海\\n", encoding="utf-8")
    >>> result = import_file(sheet, folder)
    >>> result.summary(), result.written
    ('added 1 firm, 0 edges', True)
    >>> import_file(sheet, folder).summary()
    'nothing to change'
    """
    with cache.gc_paused():  # see _import: an import builds many objects and frees few
        return _import(path, Path(into), mapping, sheet, encoding, dry_run, strict)


def _import(
    path: str | Path,
    folder: Path,
    mapping: str | Path | None,
    sheet: str | None,
    encoding: str | None,
    dry_run: bool,
    strict: bool,
) -> ImportResult:
    """import_file with the cyclic garbage collector paused.

    Reading a 20,000-row list builds some 10^6 small objects next to the loaded dataset, and
    each of Python's full collections walks them all: paused, a 20,000-row import takes about
    40% less CPU. Nothing here makes reference cycles worth collecting before it ends.
    """
    from ..dataset import load_dataset

    try:  # before the load: a change from here on is seen before writing (see guard)
        seen = Seen(folder, IMPORT_FILES)
        imported = Imported.read(folder, seen.data)
        current = {rel: seen.text(rel) for rel in IMPORT_FILES}
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError, csv.Error) as exc:
        raise InvalidGraphData(f"The imported files of '{folder}' cannot be read: {exc}") from exc
    loaded = load_dataset(folder, write_cache=dry_run)  # (an import makes the entry stale)
    for _, _, included, _ in loaded.includes_read:
        seen.add(Path(included))
    the_mapping = load_mapping(mapping)
    table = read_table(path, sheet or the_mapping.sheet, encoding)
    where = f"'{table.file}'" + (f" sheet '{table.sheet}'" if table.sheet else "")
    columns = map_columns(table.rows, the_mapping, where)
    if not any(any(cells) for number, cells in table.rows if number > columns.header_row):
        raise InvalidGraphData(f"{where} has a header row but no data rows. Nothing to import")
    key = loaded.cache_key  # what the cache remembered of the entry loaded, if anything
    # what the cache kept of the loaded dataset's names and places beside its entry, read
    # instead of indexing the graph; a memo of another layout costs the time to index
    remembered = cache.memo(loaded.folder, cache.IMPORT_INDEX, key) if key else None
    memo = remembered if usable_memo(remembered) else None
    planner = Planner(
        loaded.graph, imported, table, columns, the_mapping, loaded.node_locations, memo=memo
    )
    result = planner.run()
    result.encoding_note = table.encoding_note
    if strict and result.bad_rows:
        problems = [
            Problem(Location(_label(result), i.row), f"{i.column} '{i.value}': {i.reason}")
            for i in result.issues
            if i.status == "bad"
        ]
        n = len(result.bad_rows)
        listing = "\n".join(f"  {p}" for p in problems[:20])
        more = f"\n  … and {len(problems) - 20} more" if len(problems) > 20 else ""
        raise InvalidGraphData(
            f"{n} bad row{'s' * (n != 1)} in {where}; --strict: nothing imported.\n{listing}{more}",
            problems,
        )
    new_files, rows = planner.render()
    current = {rel: current.get(rel, "") for rel in new_files}
    result.files = {rel: text for rel, text in new_files.items() if current[rel] != text}
    if dry_run or not result.files:
        return result
    try:
        _check_change(loaded, current, result.files, rows, _included(memo))
    except InvalidGraphData:
        seen.check()  # planned from files that changed meanwhile: say so, not the problems
        raise
    with write_lock(folder):  # no other import renames its files in meanwhile
        seen.check()  # still the files it planned from (else ImportConflict: nothing written)
        _move_in(folder, result.files)
    result.written = True
    return result


def _included(memo: dict[str, Any] | None) -> tuple[set[str], set[str], set[str]] | None:
    """The included firms' keys the memo holds (see
    :func:`chaingraph.dataset_delta.included_firm_keys`), or None."""
    if memo is None:
        return None
    codes, names, ids = memo["included"]
    return set(codes), set(names), set(ids)


def _label(result: ImportResult) -> str:
    return f"{result.file.name}[{result.sheet}]" if result.sheet else result.file.name


def _check_change(
    loaded: Dataset,
    current: dict[str, str],
    files: dict[str, str],
    rows: AnyMapping[str, list[list[str]]] | None = None,
    included: tuple[set[str], set[str], set[str]] | None = None,
) -> None:
    """Validate the dataset as it would be with the new files; raise on new problems.

    Only what changed is checked against the dataset as loaded when that was valid
    (:func:`chaingraph.dataset_delta.check_changes`; ``rows``: the rows of new CSV files,
    as the csv module reads their text); otherwise, or when the change is one that check
    cannot judge, the whole dataset is read again with the new files (from memory: the
    folder is untouched). ``loaded`` is used up. ``included``: the included firms' keys
    of ``loaded`` when known (:func:`chaingraph.dataset_delta.included_firm_keys`).
    """
    from ..dataset_delta import check_changes

    found = check_changes(loaded, current, files, rows, included)
    if found is None:
        _check_copy(loaded.folder, files, [str(p) for p in loaded.problems])
    else:
        _refuse(loaded.folder, found)


def _check_copy(folder: Path, files: dict[str, str], before: list[str]) -> None:
    """Validate the dataset as it would be with the new files (read from memory, no copy);
    raise on new problems."""
    from ..dataset import load_dataset

    after = load_dataset(folder, overrides=files).problems
    known = set(before)
    _refuse(folder, [p for p in after if str(p) not in known])


def _refuse(folder: Path, new: list[Problem]) -> None:
    """Raise naming the problems an import would add (none: return)."""
    if new:
        listing = "\n".join(f"  {p}" for p in new[:20])
        raise InvalidGraphData(
            f"The import would make '{folder}' invalid; nothing was written:\n{listing}", new
        )


class ImportNotWritten(InvalidGraphData):
    """A file of the import could not be written or renamed into the dataset; what the
    import had put in before it was put back (``restored``), so the dataset is as it was."""

    def __init__(self, path: Path, exc: OSError, restored: bool = True) -> None:
        said = (
            ". Nothing was imported: the dataset is as it was"
            if restored
            else ", and what the import wrote before it could not all be put back: run "
            "'chaingraph validate' on the dataset"
        )
        super().__init__(
            f"Cannot write '{path}': {exc.strerror or exc}{said}. Close the file if another "
            "program holds it open, or move away what stands in its place, then import again"
        )
        self.path = path
        self.restored = restored


class ImportInterrupted(KeyboardInterrupt):
    """Ctrl-C came while the files were renamed into place; the renames were finished first.

    ``files`` are the dataset files the import wrote in full: the import is complete.
    """

    def __init__(self, files: list[str]) -> None:
        super().__init__(files)
        self.files = files


def _move_in(folder: Path, files: dict[str, str]) -> None:
    """Write each file under a fresh name beside its target, then rename it over the target.

    An interruption while writing removes the new files and leaves the dataset as it was.
    The renames (a few, each atomic) are finished even if Ctrl-C comes between them, so the
    dataset never holds half an import; then :class:`ImportInterrupted` says it is complete.
    A file that cannot be written or renamed in (a full disk; a folder in its place; on
    Windows, a file another program holds open) puts back what the renames before it
    replaced, then raises :class:`ImportNotWritten`: the dataset is as it was.
    """
    staged, held = _stage(folder, files)
    gone = [folder / rel for rel, text in files.items() if not text and rel in IMPORT_FILES]
    interrupted = False
    while True:
        doing = folder
        try:  # each step is safe to repeat, so an interrupted one is simply done again
            for tmp, target in staged:
                doing = target
                if tmp.exists():
                    os.replace(tmp, target)
            for path in gone:
                doing = path
                path.unlink(missing_ok=True)
            break
        except KeyboardInterrupt:
            interrupted = True  # finish the renames, then say the import is complete
        except OSError as exc:
            with _ctrl_c_held():  # the put-back is finished, so the message is true
                restored = _put_back(staged, held)
            raise ImportNotWritten(doing, exc, restored) from exc
    if interrupted:
        raise ImportInterrupted(sorted(files))


@contextlib.contextmanager
def _ctrl_c_held() -> Iterator[None]:
    """Ctrl-C does not interrupt what runs inside (it is dropped: an error is raised next).

    A KeyboardInterrupt in the middle of putting files back would leave some replaced and
    be reported as an import interrupted before anything was written. Only the main thread
    takes Ctrl-C (and may set a handler); elsewhere nothing needs holding off.
    """
    try:
        was = signal.signal(signal.SIGINT, _noted)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, was if was is not None else signal.default_int_handler)


def _noted(signum: int, frame: object) -> None:
    """A SIGINT handler that lets the code run on."""


def _stage(
    folder: Path, files: dict[str, str]
) -> tuple[list[tuple[Path, Path]], dict[Path, bytes | None]]:
    """Each file with text written under a fresh name beside its target: (staged name,
    target) pairs, and what each file the import replaces or removes holds now (None: no
    file), to put back if a later step fails. On any error the staged files are removed."""
    staged: list[tuple[Path, Path]] = []
    target = folder
    try:
        for rel, text in files.items():
            target = folder / rel
            if not text:
                continue
            fd, tmp = temp_beside(target, ".importing")
            staged.append((tmp, target))
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
                handle.write(text)
        held: dict[Path, bytes | None] = {}
        for rel, text in files.items():
            target = folder / rel
            if text or rel in IMPORT_FILES:
                held[target] = _held(target)
    except BaseException as exc:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise ImportNotWritten(target, exc) from exc
        raise
    return staged, held


def _held(path: Path) -> bytes | None:
    """The bytes of a file the import is about to replace or remove (None: there is none)."""
    return path.read_bytes() if path.is_file() else None


def _put_back(staged: list[tuple[Path, Path]], held: dict[Path, bytes | None]) -> bool:
    """Undo the renames and removals done (a staged file gone: renamed in): each file as it
    was, byte for byte; the staged files left are removed. False if a file could not be."""
    done = {target for tmp, target in staged if not tmp.exists()}
    done.update(path for path, data in held.items() if data is not None and not path.exists())
    whole = True
    for path in done:
        data = held.get(path)
        try:
            if data is None:
                path.unlink(missing_ok=True)
            else:
                fd, tmp = temp_beside(path, ".importing")
                try:
                    with os.fdopen(fd, "wb") as handle:
                        handle.write(data)
                    os.replace(tmp, path)
                except BaseException:
                    tmp.unlink(missing_ok=True)
                    raise
        except OSError:
            whole = False
    for tmp, _ in staged:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
    return whole
