"""Measured runs shared by the suites: taking turns, and downloads with the server's memory and CPU."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from .clients import Transfer, curl, wrk
from .harness import GIB, Plan
from .procs import usage

__all__ = ["Download", "download", "interleaved", "request_rates"]

C = TypeVar("C", bound=Hashable)
T = TypeVar("T")


def interleaved(runs: int, contenders: Sequence[C], measure: Callable[[C], T]) -> dict[C, list[T]]:
    """``runs`` rounds, each measuring every contender once, in turn.

    On a shared machine the load drifts over minutes: taking turns spreads
    that drift over every contender instead of penalising whoever ran last.
    Every other round runs in reverse order (A B C, C B A, ...), so that no
    contender always follows the same one.
    """
    results: dict[C, list[T]] = {contender: [] for contender in contenders}
    for round_number in range(runs):
        for contender in contenders if round_number % 2 == 0 else reversed(contenders):
            results[contender].append(measure(contender))
    return results


def request_rates(plan: Plan, contenders: Sequence[C], url: Callable[[C], str]) -> dict[C, list[float]]:
    """Requests per second of each contender (wrk), ``plan.rate_runs`` short runs in turns."""
    return interleaved(plan.rate_runs, contenders, lambda c: wrk(url(c), seconds=plan.wrk_seconds))


@dataclass(frozen=True)
class Download:
    """One measured download and what it cost the server's processes."""

    transfer: Transfer
    peaks: dict[int, float]
    cpu: float

    @property
    def peak_rss(self) -> float:
        """The highest peak RSS of the processes, in MiB."""
        return max(self.peaks.values())

    def growth(self, baseline: Mapping[int, float]) -> float:
        """How far above ``baseline`` (RSS by pid, taken after a warm-up) any process went, in MiB.

        Measured from a baseline taken once, not from the RSS before each
        download: memory an allocator kept after an earlier download would
        otherwise hide the growth of every later one.
        """
        return max(peak - baseline[pid] for pid, peak in self.peaks.items())

    @property
    def cpu_per_gib(self) -> float:
        return self.cpu / (self.transfer.size / GIB)


def download(
    url: str, pids: list[int], *, max_seconds: float, headers: Mapping[str, str] | None = None
) -> Download:
    """Download ``url`` once, noting the peak memory and the CPU time of ``pids`` meanwhile."""
    before = usage(pids)
    transfer = curl(url, max_seconds=max_seconds, headers=headers)
    if transfer.size == 0:
        raise RuntimeError(f"{url} sent nothing (status {transfer.status}) within {max_seconds}s")
    return Download(transfer, before.peaks(), before.cpu_since())
