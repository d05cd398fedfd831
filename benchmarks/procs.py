"""Memory and CPU of server processes, read from Linux's /proc.

Peak memory comes from the kernel's own high-water mark (``VmHWM``), reset
before each measured request by writing ``5`` to ``/proc/PID/clear_refs``
(proc(5), Linux 4.0+): no polling loop can miss a short spike, and the
benchmark client does not compete with a sampler for the two cores.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "CLOCK_TICKS",
    "Usage",
    "children",
    "cpu_seconds",
    "peak_rss",
    "reset_peak",
    "rss",
    "rss_of",
    "usage",
]

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
_PROC = Path("/proc")


def children(pid: int) -> list[int]:
    """The direct children of ``pid`` (gunicorn's workers under its arbiter)."""
    found = []
    for entry in _PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # the process ended while we looked
        # The command name may hold spaces and parentheses: fields start after the last ")".
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return sorted(found)


def _status_kib(pid: int, key: str) -> int:
    for line in (_PROC / str(pid) / "status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise LookupError(f"{key} missing from /proc/{pid}/status")


def rss(pid: int) -> float:
    """Resident memory of ``pid`` now, in MiB."""
    return _status_kib(pid, "VmRSS") / 1024


def peak_rss(pid: int) -> float:
    """Highest resident memory of ``pid`` since start or the last :func:`reset_peak`, in MiB."""
    return _status_kib(pid, "VmHWM") / 1024


def reset_peak(pid: int) -> None:
    """Make the high-water mark start again from the current RSS (proc(5): clear_refs 5)."""
    (_PROC / str(pid) / "clear_refs").write_text("5")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time ``pid`` has used (fields 14 and 15 of /proc/PID/stat)."""
    stat = (_PROC / str(pid) / "stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def rss_of(pids: Iterable[int]) -> dict[int, float]:
    """Resident memory of each of ``pids`` now, in MiB: the baseline growth is measured from."""
    return {pid: rss(pid) for pid in pids}


@dataclass(frozen=True)
class Usage:
    """The CPU time a set of processes had used when their peaks were reset (see :func:`usage`)."""

    pids: tuple[int, ...]
    cpu: float

    def peaks(self) -> dict[int, float]:
        """Each process's peak RSS since the reset, in MiB."""
        return {pid: peak_rss(pid) for pid in self.pids}

    def cpu_since(self) -> float:
        """CPU seconds the processes used since the reset."""
        return sum(cpu_seconds(pid) for pid in self.pids) - self.cpu


def usage(pids: Iterable[int]) -> Usage:
    """Reset the peaks of ``pids`` and note their CPU time, before a measured request."""
    pids = tuple(pids)
    for pid in pids:
        reset_peak(pid)
    return Usage(pids, sum(cpu_seconds(pid) for pid in pids))
