"""The cache of validated datasets: a warm load skips parsing, checks and graph building.

A dataset folder that loads without a problem is written to the cache as plain data (its
nodes, edges and their attributes, the graph's own attributes, where each node was read). The
next load of the same folder answers from it when nothing it was read from has changed:

- the **key** is a SHA-256 digest over the names and bytes of every file of the folder (as
  the loader walks it: hidden files and folders are skipped, as the loader skips them), the
  same for every included folder (nested includes too, each re-resolved from its
  ``include:`` entry), the code of the installed chaingraph package (every file of it), the
  Python version, the installed networkx and PyYAML versions and the cache format. A
  changed, added, removed or renamed file, an include that now leads elsewhere, another
  chaingraph, networkx, PyYAML or Python version: a miss, and the folder is read and
  checked exactly as without a cache. Touching a file without changing it is a hit.
- a folder holding a symbolic link, or a source ``text_file`` in a hidden path, is never
  cached: those read files the digest does not cover.
- a dataset with problems is never cached (``validate`` lists them afresh each time).

**Format.** Each entry is two pickles, a small header (the key parts and a digest of the
body) and the body. Only plain data is written (dict, list, tuple, str, int, float, bool,
None, a subclass's value as the plain value; anything else makes the write fail and
nothing is cached) and it is read back by an unpickler that refuses every class or
function but those six constructors (``find_class`` raises), so reading an entry can run
no other code; a body whose digest differs from the header's is refused. Pickle keeps the
shared adjacency dicts of a networkx ``MultiDiGraph`` shared, which lets a hit hand them to
the graph as they are (JSON and marshal cannot; see the README's Performance section for the
measurements). The folder is made private to the user (mode 0700), and an entry is read
only from a file of the user's own that no one else may write (another user could otherwise
plant an entry: plain data, but any graph, never validated, or a pickle that asks for
gigabytes of memo).

**Writing behind.** A command (the CLI turns :func:`write_behind` on) does not wait for a
new entry: once the dataset is read and checked, a forked process writes it and the command
goes on (see :meth:`Probe.write`). A library caller writes inline unless it turns it on too.

**Where.** ``$CHAINGRAPH_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/chaingraph``, else
``~/.cache/chaingraph``; entries live in its ``datasets/`` folder, one file per dataset
folder (overwritten when the folder changes). ``CHAINGRAPH_NO_CACHE=1``, the CLI's
``--no-cache`` or :func:`disable` turn it off. The cache is an optimisation only: a cache
folder that cannot be read or written (read-only, full, corrupt files) never fails a load.

This module imports only the standard library, so a command can ask the cache whether an
answer is known (:func:`memo`) without importing networkx.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import io
import os
import pickle
import signal
import stat
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

#: bump when the layout of an entry changes (2: node places packed as int arrays)
FORMAT = 2
ENV_DIR = "CHAINGRAPH_CACHE_DIR"
ENV_OFF = "CHAINGRAPH_NO_CACHE"
#: entries kept per cache folder (the least recently written beyond this are removed)
KEEP = 64
#: seconds after which a writer's temporary file is a dead writer's (a live one renames it
#: within seconds; a 10^6-node entry written inline in about a minute)
STALE = 3600
_SUBDIR = "datasets"
#: the memo of a dataset's ``stats`` sections (:func:`chaingraph.query.stats`)
STATS = "stats"
#: the memo of what an import indexes of a dataset (:func:`~.ingest.plan_resolve.index_memo`)
IMPORT_INDEX = "import-index"
_OFF = False
_BEHIND = False
#: True once this process forked a writer (and froze its objects for it)
_FORKED = False
#: a dataset of more nodes than this is written inline even when writing behind: the writer
#: reads every object, so the pages holding them are copied (the kernel's copy-on-write) and
#: the machine holds the graph twice while it writes (200k nodes: some 1.5 GB)
BEHIND_MAX = 200_000
_CODE_DIGEST: str | None = None

#: (including folder, include entry as written, included folder, included folder's digest)
IncludeRead = tuple[str, str, str, str]


def disable(off: bool = True) -> bool:
    """Turn the cache off (or on again) for this process; returns whether it was off."""
    global _OFF
    was, _OFF = _OFF, off
    return was


def write_behind(on: bool = True) -> bool:
    """Write new entries from a forked process, so the caller does not wait for them (or
    inline again); returns whether it was on. See :meth:`Probe.write`."""
    global _BEHIND
    was, _BEHIND = _BEHIND, on
    return was


#: memos a writer behind computes beside a dataset's new entry (see :func:`memo_behind`)
_BEHIND_MEMOS: dict[str, Callable[[Any], Any]] = {}


def memo_behind(name: str, compute: Callable[[Any], Any]) -> None:
    """Have memo ``name`` (``compute`` of the dataset's graph, a pure function of it) made
    beside every dataset entry written by a forked writer (:func:`write_behind`): no command
    waits for it, and a later command finds it (:func:`memo`). The CLI asks for what an
    import into a dataset indexes of it first."""
    _BEHIND_MEMOS[name] = compute


def behind_memos() -> dict[str, Callable[[Any], Any]]:
    """The memos of :func:`memo_behind` when a new entry would be written by a forked
    process (see :func:`_may_fork`), else none: inline, the command would wait for them."""
    return dict(_BEHIND_MEMOS) if _may_fork() else {}


def cache_dir() -> Path | None:
    """The cache folder in use, or None when the cache is off or there is no home."""
    if _OFF or os.environ.get(ENV_OFF, "").strip().lower() not in ("", "0", "false", "no"):
        return None
    return user_dir()


def user_dir() -> Path | None:
    """The user's chaingraph folder for cached files, the cache on or off (an import's lock
    files lie there too): CHAINGRAPH_CACHE_DIR, else XDG_CACHE_HOME/chaingraph, else
    ~/.cache/chaingraph; None when there is no home."""
    explicit = os.environ.get(ENV_DIR, "").strip()
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    if xdg and Path(xdg).is_absolute():  # the XDG spec: a relative value is ignored
        return Path(xdg) / "chaingraph"
    try:
        return Path.home() / ".cache" / "chaingraph"
    except RuntimeError:  # no home directory
        return None


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a load builds its many small objects.

    A load allocates hundreds of thousands of dicts and strings and frees almost none, so
    every collection run during it is wasted (it doubled the CPU of a 10k-firm load).

    On the way out, what was built is moved to the oldest generation without being walked
    (``gc.freeze()`` then ``gc.unfreeze()``): left in the youngest, the first collection
    after the pause walked all of it (0.13 s after a 20,000-row import). Skipped when the
    program froze objects itself, so that they stay frozen, or a writer was forked (then
    without counting the frozen objects: ``gc.get_freeze_count`` walks them all, and in the
    parent of a writer that copies every page they are on).
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            if not _FORKED and not gc.get_freeze_count():
                gc.freeze()
                gc.unfreeze()
            gc.enable()


# --- digests ----------------------------------------------------------------------------------


#: the libraries whose version can change what a load returns: networkx holds the graph (an
#: entry is its internal dicts), PyYAML parses the files (distribution names, lower case)
DEPENDENCIES = ("networkx", "pyyaml")


def dependency_versions() -> list[str]:
    """The installed distributions of :data:`DEPENDENCIES` (their metadata folder names, which
    carry the version), found by listing the import path: no import, no metadata read."""
    found: list[str] = []
    for entry in filter(None, sys.path):  # ('' is the working folder: not an install)
        try:
            names = os.listdir(entry)
        except OSError:
            continue
        for name in sorted(names):
            dist, _, rest = name.lower().partition("-")
            if dist in DEPENDENCIES and rest.endswith((".dist-info", ".egg-info")):
                found.append(name)
    return found


def code_digest() -> str:
    """A digest of the installed package's files, the Python version, the versions of the
    :data:`DEPENDENCIES` and the cache format.

    '' when the package's own files cannot be read (e.g. it runs from a zip archive): then
    nothing is cached, since a change of code could not be seen.
    """
    global _CODE_DIGEST
    if _CODE_DIGEST is None:
        versions = "\0".join(dependency_versions())
        digest = hashlib.sha256(f"{FORMAT}\0{sys.version}\0{versions}\0".encode())
        here = Path(__file__).resolve().parent
        found = False
        try:
            for root, dirs, names in os.walk(here):
                dirs[:] = sorted(d for d in dirs if d != "__pycache__")
                for name in sorted(names):
                    if not name.endswith((".pyc", ".pyo")):
                        path = Path(root) / name
                        _add(digest, path.relative_to(here).as_posix(), path.read_bytes())
                        found = found or name == "cache.py"
        except OSError:
            found = False
        _CODE_DIGEST = digest.hexdigest() if found else ""
    return _CODE_DIGEST


def _add(digest: Any, name: str, data: bytes) -> None:
    raw = name.encode("utf-8", "surrogateescape")
    digest.update(len(raw).to_bytes(8, "little") + raw + len(data).to_bytes(8, "little"))
    digest.update(data)


def folder_digest(folder: Path) -> str | None:
    """A digest of every file of a dataset folder as the loader walks it (names and bytes).

    None when the folder holds a symbolic link (it may lead to files outside the digest) or
    a file cannot be read: such a folder is not cached.
    """
    digest = hashlib.sha256()
    try:
        for root, dirs, names in os.walk(folder):
            base = Path(root)
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            if any((base / d).is_symlink() for d in dirs):
                return None
            for name in sorted(names):
                if name.startswith("."):
                    continue
                path = base / name
                if path.is_symlink():
                    return None
                _add(digest, path.relative_to(folder).as_posix(), path.read_bytes())
    except OSError:
        return None
    return digest.hexdigest()


# --- reading and writing entries --------------------------------------------------------------


#: the only callables an entry may name: the plain types, to turn a subclass's value
#: (the YAML reader's line-numbered lists and dicts, a StrEnum) into the plain value
_PLAIN: dict[str, Any] = {t.__name__: t for t in (dict, list, tuple, str, int, float)}


class _PlainUnpickler(pickle.Unpickler):
    """Reads plain data only: every class or function a pickle names is refused, but for
    the constructors of the plain types themselves."""

    def find_class(self, module: str, name: str) -> Any:
        if module == "builtins" and name in _PLAIN:
            return _PLAIN[name]
        raise pickle.UnpicklingError(f"{module}.{name} is not plain data")


class _PlainPickler(pickle.Pickler):
    """Writes plain data only (dict, list, tuple, str, int, float, bool, None); an instance
    of a subclass of one of them is written as the plain value."""

    def reducer_override(self, obj: Any) -> Any:
        # the C pickler calls this only for objects that are not of the exact plain types
        if any(obj is plain for plain in _PLAIN.values()):
            return NotImplemented  # the constructor named by the reduction below
        for plain in _PLAIN.values():
            if isinstance(obj, plain) and not isinstance(obj, bool):
                return plain, (plain(obj),)
        raise pickle.PicklingError(f"{type(obj).__name__} is not plain data")


def dumps(value: Any) -> bytes:
    """Plain data as bytes an entry may hold; ValueError for anything else."""
    out = io.BytesIO()
    try:
        _PlainPickler(out, protocol=5).dump(value)
    except (pickle.PicklingError, TypeError, RecursionError) as exc:
        raise ValueError(f"not plain data: {exc}") from exc
    return out.getvalue()


def loads(data: bytes) -> Any:
    """What :func:`dumps` wrote (raises pickle.UnpicklingError on anything else)."""
    return _PlainUnpickler(io.BytesIO(data)).load()


#: what reading a damaged, truncated or foreign entry can raise
_BAD_ENTRY = (
    OSError,
    EOFError,
    ValueError,
    TypeError,
    KeyError,
    IndexError,
    AttributeError,
    pickle.UnpicklingError,
    MemoryError,
    RecursionError,
)


def _open_own(path: Path) -> Any:
    """``path`` opened for reading if it is a file of this user's that only they may write;
    else OSError (an entry someone else could have written is never read)."""
    handle = path.open("rb")
    info = os.fstat(handle.fileno())
    getuid = getattr(os, "getuid", None)
    if getuid is None:  # Windows: no owner or group bits to compare (the profile's ACLs)
        if stat.S_ISREG(info.st_mode):
            return handle
    elif stat.S_ISREG(info.st_mode) and info.st_uid == getuid() and not info.st_mode & 0o022:
        return handle
    handle.close()
    raise PermissionError(f"{path} may have been written by another user")


class Probe:
    """The cache entry of one dataset folder: its key parts, computed once."""

    def __init__(self, folder: Path, where: Path, digest: str) -> None:
        self.folder = folder
        self.resolved = str(folder.resolve())
        self.digest = digest
        name = hashlib.sha256(self.resolved.encode("utf-8", "surrogateescape")).hexdigest()
        self.path = where / f"{name[:32]}.pickle"
        self.header: dict[str, Any] | None = None

    @classmethod
    def of(cls, folder: Path) -> Probe | None:
        """The probe of ``folder``, or None when the cache is off or the folder uncacheable."""
        where = cache_dir()
        if where is None or not code_digest():
            return None
        digest = folder_digest(folder)
        return None if digest is None else cls(folder, where / _SUBDIR, digest)

    def key(self, includes: list[IncludeRead]) -> str:
        """The dataset key: code, this folder and every include (what memos are keyed by)."""
        parts = [code_digest(), self.resolved, self.digest, *map("\0".join, includes)]
        return hashlib.sha256("\n".join(parts).encode("utf-8", "surrogateescape")).hexdigest()

    def _valid_header(self, header: Any) -> bool:
        if not (
            isinstance(header, dict)
            and header.get("format") == FORMAT
            and header.get("code") == code_digest()
            and header.get("folder") == self.resolved
            and header.get("digest") == self.digest
        ):
            return False
        for base, text, target, digest in header["includes"]:
            if str((Path(base) / text).resolve()) != target:
                return False
            if folder_digest(Path(target)) != digest:
                return False
        return bool(header.get("key") == self.key(header["includes"]))

    def read_header(self) -> dict[str, Any] | None:
        """The entry's header if the entry is that of the folder's files as they are now."""
        with contextlib.suppress(*_BAD_ENTRY), _open_own(self.path) as handle:
            header = _PlainUnpickler(handle).load()
            if self._valid_header(header):
                self.header = header
                return self.header
        return None

    def read(self) -> dict[str, Any] | None:
        """The cached dataset (see :func:`entry_body`), or None on a miss."""
        with contextlib.suppress(*_BAD_ENTRY), _open_own(self.path) as handle:
            header = _PlainUnpickler(handle).load()
            if not self._valid_header(header):
                return None
            data = handle.read()
            if len(data) != header["size"] or hashlib.sha256(data).hexdigest() != header["body"]:
                return None
            with gc_paused():
                body = _PlainUnpickler(io.BytesIO(data)).load()
            if isinstance(body, dict):
                self.header = header
                return body
        return None

    def write(
        self,
        make_body: Callable[[], dict[str, Any]],
        includes: list[IncludeRead],
        behind: bool = False,
        memos: Mapping[str, Callable[[], Any]] | None = None,
    ) -> str | None:
        """Store the entry ``make_body()`` gives if the folder and its includes still hold
        what was read, then each memo's answer beside it (:func:`remember`); returns the
        dataset key (None when nothing is stored).

        ``includes`` carry the digests taken before each included folder was read; the
        folder's own digest was taken before it was read (:meth:`of`). With ``behind`` and
        :func:`write_behind` on, the entry is made, checked and written by a forked process
        (:func:`_detached`) and the key is returned at once: the entry may then appear a
        moment later, or not at all (the folder changed meanwhile, the cache folder cannot be
        written), as an inline write may fail. Inline when fork is missing, when the
        process runs other threads (a fork copies only the calling thread; a lock another
        one held would never be released in the child), in process 1 (see :func:`_may_fork`) or
        when the fork fails.
        """
        global _FORKED
        key = self.key(includes)
        if behind and _may_fork():
            gc.freeze()  # see _detached
            _FORKED = True
            # Ctrl-C held off across the fork: a KeyboardInterrupt raised in the child before
            # _detached took over would run the command's own ending there (its "Aborted!",
            # a second flush of its output). The writer keeps it blocked; it answers none of
            # the command's signals.
            held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
            try:
                pid = os.fork()
            except OSError:
                pid = -1
            if pid == 0:
                _detached(lambda: self._store(make_body, includes, key, memos))
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
            if pid > 0:
                with contextlib.suppress(ChildProcessError):  # (SIGCHLD ignored: reaped)
                    os.waitpid(pid, 0)  # it exits at once, leaving the writer to init
                return key
        return key if self._store(make_body, includes, key, memos) else None

    def _store(
        self,
        make_body: Callable[[], dict[str, Any]],
        includes: list[IncludeRead],
        key: str,
        memos: Mapping[str, Callable[[], Any]] | None,
    ) -> bool:
        if folder_digest(self.folder) != self.digest:
            return False  # changed while it was read
        for _, _, target, digest in includes:
            if not digest or folder_digest(Path(target)) != digest:
                return False
        try:
            data = dumps(make_body())
        except ValueError:
            return False
        header = {
            "format": FORMAT,
            "code": code_digest(),
            "folder": self.resolved,
            "digest": self.digest,
            "includes": includes,
            "key": key,
            "size": len(data),
            "body": hashlib.sha256(data).hexdigest(),
        }
        if not _write(self.path, dumps(header), data):
            return False
        self.header = header
        for name, answer in (memos or {}).items():
            remember(self.folder, key, name, answer())
        return True

    def memo_path(self, name: str) -> Path:
        return self.path.with_name(f"{self.path.stem}.{name}.pickle")


def _may_fork() -> bool:
    """True when :func:`write_behind` is on and this process may fork a writer: a POSIX
    system whose threads can be counted (Linux's /proc), and no thread but this one. Never
    in process 1 (a container's command): the orphaned writer is adopted by this very
    process, and its exit kills every process of the namespace, the writer with its entry
    half written."""
    if not _BEHIND or not hasattr(os, "fork") or os.getpid() == 1:
        return False
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:  # no /proc: threads of C libraries could not be seen
        return False


def _detached(task: Callable[[], object]) -> None:
    """In the child of a fork: run ``task`` in a process of its own and exit, never return.

    The child forks again and exits at once (its parent reaps it), so the writer is left
    to init, which reaps it in turn: no zombie, however long the parent lives. The writer
    starts a session of its own (a Ctrl-C or hang-up of the terminal does not reach it),
    reads from and writes to /dev/null, and closes every other descriptor it inherited
    (a pipe held open would keep whoever reads the command's output waiting for it). The
    garbage collector stays off: a collection would walk the command's objects and copy
    every page it touched; the parent froze them (``gc.freeze``) for the same reason, so
    that its own collections leave them alone while the writer shares its pages. It ends
    with ``os._exit``: no cleanup of the parent's runs twice, no buffer is flushed twice.
    """
    try:
        gc.disable()
        if os.fork():
            os._exit(0)
        os.setsid()
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        os.closerange(3, max(3, os.sysconf("SC_OPEN_MAX")))
        task()
    finally:
        os._exit(0)


def _write(path: Path, *chunks: bytes) -> bool:
    """Write ``chunks`` one after the other to ``path`` atomically; False (nothing written)
    on any OS error."""
    tmp = None
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if path.parent.stat().st_mode & 0o077:
            path.parent.chmod(0o700)  # its entries are read only if they are the user's own
        fd, tmp = tempfile.mkstemp(prefix=".entry-", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks:
                out.write(chunk)
        os.replace(tmp, path)
        tmp = None
        with contextlib.suppress(OSError):
            _prune(path.parent)
        return True
    except OSError:
        return False
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _prune(folder: Path) -> None:
    """Keep the :data:`KEEP` most recently written datasets (with their memos), and remove
    the temporary files of writers that died (killed while writing: a writer behind the
    command is when the command's container or service ends) once :data:`STALE` old."""
    old_enough = time.time() - STALE
    for tmp in folder.glob(".entry-*.tmp"):
        with contextlib.suppress(OSError):
            if tmp.lstat().st_mtime < old_enough:
                tmp.unlink()
    entries = [p for p in folder.glob("*.pickle") if p.name.count(".") == 1]
    if len(entries) <= KEEP:
        return
    entries.sort(key=lambda p: p.stat().st_mtime_ns, reverse=True)
    for old in entries[KEEP:]:
        for path in folder.glob(f"{old.stem}*.pickle"):
            with contextlib.suppress(OSError):
                path.unlink()


# --- memos: answers computed from a cached dataset --------------------------------------------


def memo(folder: Path, name: str, key: str | None = None) -> Any:
    """An answer remembered by :func:`remember` for the folder as it is now, else None.

    Reads only the entry's header and the memo, never the dataset itself. ``key``: the
    answer for the dataset loaded with this cache key (:attr:`Dataset.cache_key`), whatever
    the folder holds now: then the folder is not read again either.
    """
    if key is None:
        probe = Probe.of(folder)
        header = probe.read_header() if probe is not None else None
        if probe is None or header is None:
            return None
        key = header["key"]
    else:
        where = cache_dir()
        if where is None or not key:
            return None
        probe = Probe(folder, where / _SUBDIR, "")
    with contextlib.suppress(*_BAD_ENTRY), _open_own(probe.memo_path(name)) as handle:
        head = _PlainUnpickler(handle).load()
        if not (isinstance(head, dict) and head.get("key") == key):
            return None
        if head.get("format") != FORMAT or head.get("name") != name:
            return None
        data = handle.read()
        if len(data) != head["size"] or hashlib.sha256(data).hexdigest() != head["body"]:
            return None
        return _PlainUnpickler(io.BytesIO(data)).load()
    return None


def remember(folder: Path, key: str, name: str, value: Any) -> None:
    """Keep ``value``, computed from the dataset loaded with cache ``key``, as memo ``name``.

    Only a pure function of the dataset may be remembered (``stats``). Nothing happens when
    the cache is off or not writable, or the value is not plain data.
    """
    where = cache_dir()
    if where is None or not key:
        return
    try:
        data = dumps(value)
    except ValueError:
        return
    probe = Probe(folder, where / _SUBDIR, "")
    head = {
        "format": FORMAT,
        "key": key,
        "name": name,
        "size": len(data),
        "body": hashlib.sha256(data).hexdigest(),
    }
    _write(probe.memo_path(name), dumps(head), data)
