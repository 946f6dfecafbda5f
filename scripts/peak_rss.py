"""The peak memory of the running process, for the benchmarks that measure it in a child."""

from __future__ import annotations

import resource
from pathlib import Path


def peak_rss_mb() -> float:
    """This process's peak RSS in MiB: ``VmHWM``, which starts again at exec. (Linux's
    ``ru_maxrss`` keeps the forking parent's peak across exec: a child of a benchmark that
    had just written a big zone would report the parent's memory as its own.)"""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
