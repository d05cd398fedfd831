"""A bounded load test: wrk against gunicorn and uvicorn on a mix of downloads.

``make test`` runs it for a few seconds; ``make soak`` for a minute
(``DLSHORTCUTS_SOAK_SECONDS``). Whatever the length: no socket error, only
the statuses the mix asks for, and the worker's resident memory and open
descriptors show no growth while it runs and are back at their baseline
after it. Speed is not asserted (benchmarks/ measures it).
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.app_servers import (
    SERVERS,
    fetch_head,
    leaked_files,
    open_fds,
    resident_kib,
    start_app_server,
    wait_until,
    worker_pids,
)

pytestmark = pytest.mark.servers

SECONDS = int(os.environ.get("DLSHORTCUTS_SOAK_SECONDS", "5"))
CONNECTIONS = 8
SCRIPT = Path(__file__).with_name("soak.lua")
# What the mix in soak.lua must get back, and nothing else.
EXPECTED_STATUSES = {200, 206, 304, 404}
# Allowed drift of the resident set between the first and last third of the
# run, beyond 5%: allocator noise, not a leak (a leak of even a 64 KiB
# buffer per request grows by gigabytes here).
RSS_SLACK_KIB = 4 * 1024


@dataclass
class Samples:
    """Resident memory (KiB) and open descriptors of one process, sampled in time."""

    rss: list[int] = field(default_factory=list)
    fds: list[int] = field(default_factory=list)


def _sample(pid: int, samples: Samples, stop: threading.Event) -> None:
    while not stop.wait(0.25):
        samples.rss.append(resident_kib(pid))
        samples.fds.append(open_fds(pid))


def _wrk(url: str, seconds: int, etag: str) -> str:
    argv = ["wrk", "--threads=2", f"--connections={CONNECTIONS}", f"--duration={seconds}s", "--timeout=10s"]
    result = subprocess.run(
        [*argv, f"--script={SCRIPT}", url],
        env={**os.environ, "SOAK_ETAG": etag},
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=True,
    )
    return result.stdout


def _report(output: str) -> tuple[dict[int, int], dict[str, int], int]:
    statuses = {int(s): int(n) for s, n in re.findall(r"(\d{3})=(\d+)", _line(output, "statuses"))}
    errors = {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", _line(output, "errors"))}
    requests = int(re.search(r"requests=(\d+)", _line(output, "requests"))[1])  # type: ignore[index]
    return statuses, errors, requests


def _line(output: str, name: str) -> str:
    return next(line for line in output.splitlines() if line.startswith(f"SOAK {name}"))


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("soak")
    (root / "soak.bin").write_bytes(os.urandom(1024 * 1024))
    return root


@pytest.mark.parametrize("name", SERVERS)
def test_soak_keeps_memory_and_descriptors_flat(name: str, root: Path, tmp_path: Path) -> None:
    server = start_app_server(name, root, tmp_path)
    try:
        etag = fetch_head(server.port, "/hardening/path/soak.bin")[1]["etag"]
        url = server.url
        (pid,) = worker_pids(server)
        baseline_fds = open_fds(pid)
        _wrk(url, 1, etag)  # warm-up: imports, caches, thread pools
        assert wait_until(lambda: open_fds(pid) <= baseline_fds), (baseline_fds, open_fds(pid))

        samples, stop = Samples(), threading.Event()
        sampler = threading.Thread(target=_sample, args=(pid, samples, stop))
        sampler.start()
        try:
            output = _wrk(url, SECONDS, etag)
        finally:
            stop.set()
            sampler.join()
        statuses, errors, requests = _report(output)
        print(f"\n{name}: {output}rss KiB {samples.rss}\nfds {samples.fds}")

        assert errors == {"connect": 0, "read": 0, "write": 0, "timeout": 0}
        assert set(statuses) == EXPECTED_STATUSES, statuses
        assert sum(statuses.values()) >= requests - CONNECTIONS  # every answer was tallied
        assert len(samples.rss) >= 4
        third = len(samples.rss) // 3
        early, late = statistics.median(samples.rss[:third]), statistics.median(samples.rss[-third:])
        assert late <= early * 1.05 + RSS_SLACK_KIB, samples.rss
        # Each connection holds one socket and at most one open file; a few
        # more come and go with the server's own work (accepting, waking threads).
        assert max(samples.fds) <= baseline_fds + 2 * CONNECTIONS + 4, samples.fds
        assert statistics.median(samples.fds[-third:]) <= statistics.median(samples.fds[:third]) + 2, (
            samples.fds
        )
        assert wait_until(lambda: open_fds(pid) <= baseline_fds), (baseline_fds, open_fds(pid))
        # Django's ASGI handler drops, unclosed, the response of a sync view
        # whose client left before it returned, as wrk's connections do when
        # it stops (one request each at most). CPython closes the file when
        # the response is collected, at once; docs/security.rst says more.
        assert len(leaked_files(server)) <= (0 if name == "gunicorn" else CONNECTIONS)
    finally:
        server.stop()
