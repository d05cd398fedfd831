"""What every suite is given: the plan (how long, how many runs) and the files to serve."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

__all__ = ["FULL", "GIB", "KIB", "MIB", "NOISE_MIB", "QUICK", "Bench", "Plan", "bench", "size_label"]

KIB = 1024
MIB = 1024 * KIB
GIB = 1024 * MIB
#: Memory growth under this many MiB is allocator noise, not a difference (see Row.floor).
NOISE_MIB = 1.0


def size_label(size: int) -> str:
    """``4096`` -> ``"4 KiB"``, ``2**30`` -> ``"1 GiB"``."""
    for unit, scale in (("GiB", GIB), ("MiB", MIB), ("KiB", KIB)):
        if size >= scale and size % scale == 0:
            return f"{size // scale} {unit}"
    return f"{size} B"


@dataclass(frozen=True)
class Plan:
    """How much to measure: sized so that the full run stays under 10 minutes on 2 cores.

    :ivar runs: measured downloads per row (the row reports their median).
    :ivar rate_runs: measured request-rate runs per row: short and many,
        since a median of many short runs taken in turns resists the other
        tenants of a shared machine better than a few long ones.
    :ivar wrk_seconds: length of one request-rate run.
    :ivar small_size: the small file, served request after request.
    :ivar large_size: the large file, served whole and as a single range.
    :ivar transfer_cap: no single download may take longer (seconds).
    :ivar slow_cap: the cap for a competitor known to be two orders of
        magnitude slower: its rate is measured over the first seconds only.
    :ivar csv_rows: rows of the generated CSV.
    :ivar micro_seconds: rough length of one micro-benchmark repeat.
    """

    runs: int
    rate_runs: int
    wrk_seconds: int
    small_size: int
    large_size: int
    transfer_cap: float
    slow_cap: float
    csv_rows: int
    micro_seconds: float


FULL = Plan(
    runs=3,
    rate_runs=5,
    wrk_seconds=2,
    small_size=4 * KIB,
    large_size=GIB,
    transfer_cap=120,
    slow_cap=3,
    csv_rows=1_000_000,
    micro_seconds=0.2,
)
#: A smoke run: every code path, figures too short to quote.
QUICK = Plan(
    runs=2,
    rate_runs=2,
    wrk_seconds=1,
    small_size=4 * KIB,
    large_size=16 * MIB,
    transfer_cap=30,
    slow_cap=1,
    csv_rows=20_000,
    micro_seconds=0.02,
)


@dataclass(frozen=True)
class Bench:
    """The plan and the files of one benchmark invocation.

    :ivar plan: run counts and sizes.
    :ivar workdir: a private temporary directory, removed at the end.
    :ivar files: the directory served by every competitor.
    """

    plan: Plan
    workdir: Path

    SMALL = "small.bin"
    LARGE = "large.bin"

    @property
    def files(self) -> Path:
        return self.workdir / "files"

    @property
    def small(self) -> Path:
        return self.files / self.SMALL

    @property
    def large(self) -> Path:
        return self.files / self.LARGE

    def server_dir(self, name: str) -> Path:
        """A fresh directory for one server's configuration, pid and logs."""
        path = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=self.workdir))
        path.chmod(0o755)
        return path

    def environment(self) -> dict[str, str]:
        """What the benchmark project's servers need in their environment."""
        return {"BENCH_FILES_ROOT": str(self.files)}


def _write_file(path: Path, size: int) -> None:
    """Write ``size`` bytes of real data: no holes, so every byte sent is read from the page cache."""
    block = os.urandom(min(size, MIB))
    with path.open("wb") as file:
        for offset in range(0, size, len(block)):
            # A distinct first word per block: no two blocks alike.
            chunk = offset.to_bytes(8, "little") + block[8:]
            file.write(chunk[: size - offset])
    path.chmod(0o644)


@contextmanager
def bench(plan: Plan) -> Iterator[Bench]:
    """Create the files in a private temporary directory; remove everything afterwards."""
    with tempfile.TemporaryDirectory(prefix="dlshortcuts-bench-") as workdir:
        # nginx's workers run as an unprivileged user when started by root:
        # they must be able to reach the files.
        os.chmod(workdir, 0o755)
        setup = Bench(plan, Path(workdir))
        setup.files.mkdir(mode=0o755)
        _write_file(setup.small, plan.small_size)
        _write_file(setup.large, plan.large_size)
        yield setup
