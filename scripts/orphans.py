"""Wait for the dataset cache's writers and count them, for benchmarks of commands.

A command writes a new cache entry from a process of its own that outlives it
(:func:`chaingraph.cache.write_behind`); that writer is left to init, so neither waiting for
the command nor ``RUSAGE_CHILDREN`` sees it. A benchmark that calls :func:`adopt_orphans`
first becomes their parent instead (Linux's child subreaper), and :func:`reap_orphans` then
waits for them and gives each one's CPU and peak memory.
"""

from __future__ import annotations

import ctypes
import os

PR_SET_CHILD_SUBREAPER = 36


def adopt_orphans() -> bool:
    """Make this process the parent of its descendants' orphans; False where it cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0)
    except (OSError, AttributeError):
        return False


def reap_orphans() -> list[tuple[float, float]]:
    """Wait for every child still running or unreaped (call it once the commands measured
    have been waited for: what is left are the writers adopted); (CPU s, peak RSS MiB) of
    each. The peak counts the pages it shares with the command it was forked from."""
    found: list[tuple[float, float]] = []
    while True:
        try:
            _, _, usage = os.wait4(-1, 0)
        except ChildProcessError:
            return found
        found.append((usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024))
