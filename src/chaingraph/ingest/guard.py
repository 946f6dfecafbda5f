"""Two imports into one dataset at once: the second must not write over the first.

An import plans from the dataset's files as it read them. Just before it renames its new
files in, it checks that every file it read is still as it was (:class:`Seen`): the
imported files byte for byte, and every file (the dataset's, its includes' — the folders its
manifests name, watched before the load reads them — and the imported ones, so that one
replaced by the same bytes is seen too) by size, modification time and inode.
If one changed meanwhile (another import into the dataset or a layer it includes landed, or
someone edited a file), it writes nothing and raises :class:`ImportConflict`;
run again, the import plans from the files as they are then.

The check and the renames are done holding the dataset's import lock (:func:`write_lock`:
``fcntl.flock`` on a lock file in the user's chaingraph cache folder, never in the dataset
folder, which is often under git), so no other import of the same user can rename its files
in between. Where ``fcntl`` is missing (Windows) there is no lock, and the check alone guards
the import, with a window of a few renames. A dry run never takes the lock.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from .. import cache, safe_yaml
from ..errors import ChaingraphError
from ..layers import MANIFEST, include_paths
from .plan_render import file_bytes

try:
    import fcntl
except ImportError:  # (Windows: the check alone guards an import)
    fcntl = None  # type: ignore[assignment]

#: a file's size, modification time (ns) and inode: a file rewritten or replaced changes it
Signature = tuple[int, int, int]


class ImportConflict(ChaingraphError):
    """A file the import was planned from changed before it could write: nothing written."""

    def __init__(self, path: Path, folder: Path) -> None:
        super().__init__(
            f"'{path}' changed while this import ran (another import into '{folder}' landed "
            "first, or the file was edited); nothing was written. Run the import again: it "
            "will plan from the dataset as it is now"
        )
        self.path = path


class Seen:
    """What an import read of a dataset: the bytes of the files it rewrites, and the
    signature of every other file a load of the dataset reads (see :func:`files_of`)."""

    def __init__(self, folder: Path, names: Iterable[str]) -> None:
        """Read the files ``names`` (relative to ``folder``: the files the import rewrites,
        kept as bytes) and the signature of the folder's other files."""
        self.folder = folder
        #: every file of the folders watched -> its signature (the files the import
        #: rewrites too, taken before their bytes: one replaced by the same bytes is seen)
        self.signatures: dict[Path, Signature] = {}
        names = list(names)
        for name in names:
            with contextlib.suppress(OSError):  # (no file: its bytes say None)
                self.signatures[folder / name] = _signature(folder / name)
        #: relative name -> the file's bytes (None: there was no such file)
        self.data: dict[str, bytes | None] = {name: file_bytes(folder / name) for name in names}
        self._kept = {folder / name for name in self.data}
        #: the folders watched: the dataset's, and its includes' once added
        self.folders: list[Path] = []
        self.add(folder)
        for included in includes_of(folder):  # before the load reads them, as the own files
            self.add(included)

    def add(self, folder: Path) -> None:
        """Also watch every file of ``folder`` (an included layer's) as it is now (a folder
        already watched is left as it was first seen)."""
        if any(folder.resolve() == known.resolve() for known in self.folders):
            return
        self.folders.append(folder)
        for path in files_of(folder):
            if path not in self._kept:
                with contextlib.suppress(OSError):  # (gone: then it is new if it comes back)
                    self.signatures[path] = _signature(path)

    def text(self, name: str) -> str:
        """The text of a file the import rewrites ('' when there was none)."""
        data = self.data[name]
        return "" if data is None else data.decode("utf-8-sig")

    def changed(self) -> Path | None:
        """The first file read that is not as it was, is gone or is new, else None."""
        try:
            for name, data in self.data.items():
                if file_bytes(self.folder / name) != data:
                    return self.folder / name
            for folder in self.folders:
                for path in files_of(folder):
                    if path not in self.signatures and path not in self._kept:
                        return path  # a new file
            for path, signature in self.signatures.items():
                if _signature(path) != signature:
                    return path
        except OSError as exc:  # gone, or no longer a file
            return Path(exc.filename) if exc.filename else self.folder
        return None

    def check(self) -> None:
        """Raise :class:`ImportConflict` if a file read is not as it was."""
        path = self.changed()
        if path is not None:  # named with the folder it is in: the dataset's or a layer's
            within = [f for f in self.folders[1:] if path.is_relative_to(f)]
            raise ImportConflict(path, within[0] if within else self.folder)


def files_of(folder: Path) -> list[Path]:
    """The files a load of a dataset folder reads: all but hidden ones, in every folder
    but hidden ones (as :func:`chaingraph.cache.folder_digest` walks it)."""
    found: list[Path] = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        found += [Path(root) / n for n in names if not n.startswith(".")]
    return found


def includes_of(folder: Path) -> list[Path]:
    """The folders a dataset includes, nested ones too, as its manifests name them now (what
    cannot be read is left out: the load says what is wrong with it)."""
    found: list[Path] = []
    todo = [folder.resolve()]
    while todo:
        here = todo.pop()
        try:
            manifest = safe_yaml.load(here / MANIFEST, lines=False)
        except (ChaingraphError, OSError):
            continue
        value = manifest.get("include") if isinstance(manifest, dict) else None
        for _, target in include_paths(here, value, (here,))[0]:
            if target != folder.resolve() and target not in found:
                found.append(target)
                todo.append(target)
    return found


def _signature(path: Path) -> Signature:
    st = path.stat()
    return st.st_size, st.st_mtime_ns, st.st_ino


@contextlib.contextmanager
def write_lock(folder: Path) -> Iterator[None]:
    """Hold the import lock of a dataset folder (waiting for another import to release it).

    The lock file lies in the user's chaingraph cache folder (``locks/``, named by a digest
    of the folder's resolved path), even when the cache is off. It exists only while an
    import holds it: the holder removes it before it lets go, and a process that locked a
    file no longer at that path (removed meanwhile) locks the new one instead, so no lock
    files pile up and no two imports hold the lock at once. Without fcntl, or when the lock
    file cannot be made, nothing is held (the check of :class:`Seen` still guards the
    import). A Ctrl-C while waiting raises KeyboardInterrupt before anything is written.
    """
    path = lock_path(folder) if fcntl is not None else None
    fd = _locked(path) if path is not None else None
    if path is None or fd is None:
        yield
        return
    try:
        yield
    finally:
        try:  # (still holding it: see above; a file left is locked by the next import)
            with contextlib.suppress(OSError):  # the import is written: no error now
                path.unlink(missing_ok=True)
        finally:
            os.close(fd)  # (lets go)


def lock_path(folder: Path) -> Path | None:
    """Where the import lock of ``folder`` lies (None: no home for it)."""
    where = cache.user_dir()
    if where is None:
        return None
    name = hashlib.sha256(str(folder.resolve()).encode("utf-8", "surrogateescape"))
    return where / "locks" / f"{name.hexdigest()[:32]}.lock"


def _locked(path: Path) -> int | None:
    """A descriptor of the lock file at ``path``, locked (None: it cannot be made)."""
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0)
    while True:
        try:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(path, flags, 0o600)
        except OSError:
            return None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            now, mine = os.stat(path), os.fstat(fd)
        except FileNotFoundError:  # removed by the import that held it: lock the new one
            now = None
        except BaseException as exc:
            os.close(fd)
            if isinstance(exc, OSError):
                return None  # (a file system without locks)
            raise
        if now is not None and (now.st_dev, now.st_ino) == (mine.st_dev, mine.st_ino):
            return fd  # the file locked is still the lock file
        os.close(fd)
