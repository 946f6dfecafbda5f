"""Writes that an interruption (Ctrl-C, a full disk, a crash) cannot leave half done.

A file is written under a fresh temporary name beside its target and renamed over it, so
a reader sees the old file or the new one, never a truncated one. A set of files (a report)
is written into a hidden staging folder inside the output folder and then renamed into
place, the ones named ``last`` (the index) at the end: an interrupted run leaves the
previous set as it was. Temporary names are created exclusively (never through an existing
file or symlink).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

STAGING_PREFIX = ".chaingraph-staging-"


def write_text(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` (UTF-8, ``\\n`` line ends) to ``path`` atomically; return the path.

    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
    >>> write_text(target, "甲").read_text(encoding="utf-8")
    '甲'
    """
    target = Path(path)
    fd, tmp = temp_beside(target)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return target


def temp_beside(target: Path, suffix: str = ".tmp") -> tuple[int, Path]:
    """A new file (fd, path) beside ``target``, made exclusively, with a normal file's mode.

    ``mkstemp`` makes it 0600; a file renamed over a dataset or report file should get the
    mode a plain ``open`` would give it (0666 less the umask), or the target's own mode.
    """
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=suffix, dir=target.parent)
    try:
        mode = target.stat().st_mode & 0o777 if target.is_file() else 0o666 & ~_umask()
        os.fchmod(fd, mode)
    except BaseException:
        os.close(fd)
        os.unlink(tmp)
        raise
    return fd, Path(tmp)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def staging(out: Path) -> Iterator[Path]:
    """A hidden folder inside ``out`` to write a set of files into; removed on exit (and
    ``out`` too if this made it and an error left it empty: a failed run leaves no trace)."""
    made = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=out))
    try:
        yield stage
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        if made and not any(out.iterdir()):
            out.rmdir()
        raise
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def publish(stage: Path, out: Path, last: Iterable[str] = ()) -> list[Path]:
    """Rename every file under ``stage`` to the same place under ``out``; ``last`` at the end.

    Returns the published paths (in ``out``), in the order they were moved.
    """
    files = sorted(p for p in stage.rglob("*") if p.is_file() or p.is_symlink())
    late = [stage / name for name in last]
    order = [p for p in files if p not in late] + [p for p in late if p in files]
    done: list[Path] = []
    for p in order:
        target = out / p.relative_to(stage)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(p, target)
        done.append(target)
    return done
