"""The load generators: wrk for request rates, curl for big transfers, both from Debian.

Each runs as a child process with a hard timeout, so a stuck server cannot
hang the benchmark.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["Transfer", "check", "curl", "parse_curl", "parse_wrk", "wrk"]

_REQUESTS_PER_SECOND = re.compile(r"^Requests/sec:\s+([0-9.]+)", re.MULTILINE)
_ERRORS = re.compile(r"^\s*(Non-2xx or 3xx responses|Socket errors):.*$", re.MULTILINE)
# Past this many seconds of its own time limit, a client is considered stuck.
_GRACE = 30
_CHECK_ATTEMPTS = 3


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise RuntimeError(f"{name} is not installed: run `make system-packages` (Debian package {name!r})")
    return path


def parse_wrk(output: str) -> float:
    """Requests per second from wrk's report; refuses a run with errors or non-2xx answers."""
    errors = _ERRORS.search(output)
    if errors is not None:
        raise RuntimeError(f"wrk saw failures ({errors.group(0).strip()}):\n{output}")
    match = _REQUESTS_PER_SECOND.search(output)
    if match is None:
        raise RuntimeError(f"no Requests/sec in wrk's output:\n{output}")
    return float(match.group(1))


def wrk(url: str, *, seconds: int, connections: int = 4) -> float:
    """Requests per second on ``url`` over ``seconds`` (one wrk thread: the cores are few)."""
    argv = [_tool("wrk"), "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", url]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + _GRACE, check=True)
    return parse_wrk(done.stdout)


@dataclass(frozen=True)
class Transfer:
    """One download as curl saw it."""

    status: int
    size: int
    seconds: float
    first_byte: float

    @property
    def mib_per_second(self) -> float:
        return self.size / (1024 * 1024) / self.seconds


def parse_curl(output: str) -> Transfer:
    """Read curl's ``-w '%{http_code} %{size_download} %{time_total} %{time_starttransfer}'``."""
    status, size, seconds, first_byte = output.split()
    return Transfer(int(status), int(size), float(seconds), float(first_byte))


# curl's exit status when --max-time cut the transfer: the bytes received so
# far still give a rate (a competitor >100x slower would otherwise take minutes).
_CURL_TIMED_OUT = 28


def curl(url: str, *, max_seconds: float, headers: Mapping[str, str] | None = None) -> Transfer:
    """Download ``url`` to /dev/null, stopping after ``max_seconds``."""
    argv = [_tool("curl"), "-sS", "-o", "/dev/null", "--max-time", f"{max_seconds:g}"]
    for name, value in (headers or {}).items():
        argv += ["-H", f"{name}: {value}"]
    argv += ["-w", "%{http_code} %{size_download} %{time_total} %{time_starttransfer}", url]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=max_seconds + _GRACE, check=False)
    if done.returncode not in (0, _CURL_TIMED_OUT):
        raise RuntimeError(f"curl {url} failed ({done.returncode}): {done.stderr.strip()}")
    return parse_curl(done.stdout)


def check(
    url: str, *, headers: Mapping[str, str] | None = None, expect: bytes | None = None
) -> tuple[int, dict[str, str]]:
    """GET ``url`` once and return the status and headers; with ``expect``, the body must be exactly that.

    Run before measuring, so that no competitor is timed while answering
    404s. It is also the first request a fresh server gets: a connection
    dropped while the server is still settling is tried again.
    """
    request = urllib.request.Request(url, headers=dict(headers or {}))
    for attempt in range(_CHECK_ATTEMPTS):
        try:
            response = urllib.request.urlopen(request, timeout=30)
            break
        except urllib.error.HTTPError as error:
            error.close()
            raise RuntimeError(f"{url} answered {error.code}: see the server's log") from None
        except ConnectionError:  # http.client.RemoteDisconnected included
            if attempt == _CHECK_ATTEMPTS - 1:
                raise
            time.sleep(1)
    with response:
        if expect is not None:
            body = response.read()
            if body != expect:
                raise RuntimeError(f"{url} answered {len(body)} bytes that are not the file's")
        return response.status, dict(response.headers.items())
