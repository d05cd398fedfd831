"""serve_url: a 1 GiB file proxied through gunicorn, against the same file straight from the upstream.

The upstream is nginx serving the file from the page cache (sendfile), the
proxy is gunicorn with one sync worker running ``serve_url``, the client is
curl writing to /dev/null. Both downloads run in turns, in one invocation,
so they share the machine's load. Figures: throughput of each, their ratio
(target >= 0.7) and the growth of the worker's peak RSS during the proxied
download (target < 32 MiB). The same download through ``aserve_url`` under
uvicorn shows that memory stays flat under ASGI too.

Standalone::

    .venv/bin/python -m benchmarks.serve_url            # 1 GiB, 3 runs
    .venv/bin/python -m benchmarks.serve_url --size 64 --runs 1   # MiB, a smoke run

The bench harness calls :func:`run` with its ``Bench`` (see TITLE / TARGETS).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from servers import Server, start_gunicorn, start_uvicorn
from servers.proxies import start_proxy

from .harness import Bench
from .report import Row, Target

ROOT = Path(__file__).resolve().parent.parent

MIB = 1024 * 1024
GIB = 1024 * MIB
UPSTREAM_VARIABLE = "DLSHORTCUTS_BENCH_UPSTREAM"
TITLE = "serve_url: 1 GiB proxied through gunicorn (1 sync worker) vs straight from nginx"
RATE = "1 GiB MiB/s"
GROWTH = "worker peak RSS growth"
PROXIED = "dlshortcuts serve_url"
PROXIED_ASGI = "dlshortcuts aserve_url (uvicorn)"
DIRECT = "nginx direct (the upstream)"

TARGETS = (
    Target(TITLE, RATE, PROXIED, DIRECT, 0.7),
    Target(TITLE, GROWTH, PROXIED, None, 32.0),
    Target(TITLE, GROWTH, PROXIED_ASGI, None, 32.0),
)


# -- the proxy: a one-view Django project served by gunicorn ------------------


def proxied(request: Any, name: str) -> Any:
    """The view under test: the upstream's file through serve_url."""
    from dlshortcuts import serve_url

    return serve_url(request, f"{os.environ[UPSTREAM_VARIABLE]}/{name}")


async def aproxied(request: Any, name: str) -> Any:
    """The async view under test: the upstream's file through aserve_url."""
    from dlshortcuts import aserve_url

    return await aserve_url(request, f"{os.environ[UPSTREAM_VARIABLE]}/{name}")


def _urlpatterns() -> list[Any]:
    from django.urls import path

    return [path("proxy/<path:name>", proxied), path("aproxy/<path:name>", aproxied)]


urlpatterns = _urlpatterns()


@cache
def _setup() -> None:
    import django
    from django.conf import settings

    settings.configure(
        DEBUG=False,
        SECRET_KEY="benchmark-only",
        ALLOWED_HOSTS=["127.0.0.1"],
        ROOT_URLCONF=__name__,
        INSTALLED_APPS=["dlshortcuts"],
        MIDDLEWARE=[],
        DLSHORTCUTS={"URL_ALLOWED_HOSTS": ["127.0.0.1"]},
    )
    django.setup()


@cache
def _wsgi() -> Any:
    from django.core.wsgi import get_wsgi_application

    _setup()
    return get_wsgi_application()


@cache
def _asgi() -> Any:
    from django.core.asgi import get_asgi_application

    _setup()
    return get_asgi_application()


def application(environ: dict[str, Any], start_response: Any) -> Any:
    """The WSGI entry point gunicorn loads (``benchmarks.serve_url:application``)."""
    return _wsgi()(environ, start_response)


async def asgi_application(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """The ASGI entry point uvicorn loads (``benchmarks.serve_url:asgi_application``)."""
    await _asgi()(scope, receive, send)


# -- servers -------------------------------------------------------------------


@contextmanager
def nginx_upstream(files: Path, workdir: Path) -> Iterator[Server]:
    """nginx serving ``files`` on a free loopback port, with its own config, pid and logs.

    Started by the checkout's launcher like every nginx here; its site is
    only a document root (no application behind it).
    """
    directory = Path(tempfile.mkdtemp(prefix="nginx-", dir=workdir))
    directory.chmod(0o755)
    with start_proxy("nginx", directory, f"root {files};", extra="access_log off;\ntcp_nopush on;") as server:
        yield server


@contextmanager
def gunicorn_proxy(upstream: Server, workdir: Path) -> Iterator[Server]:
    """gunicorn, one sync worker, serving :func:`proxied`."""
    directory = Path(tempfile.mkdtemp(prefix="gunicorn-", dir=workdir))
    with start_gunicorn(
        "benchmarks.serve_url:application",
        directory / "server.log",
        env={UPSTREAM_VARIABLE: upstream.url},
        timeout=300,
        graceful_timeout=5,
        tmp_dir=directory,
    ) as server:
        yield server


@contextmanager
def uvicorn_proxy(upstream: Server, workdir: Path) -> Iterator[Server]:
    """uvicorn, one process, serving :func:`aproxied`."""
    directory = Path(tempfile.mkdtemp(prefix="uvicorn-", dir=workdir))
    log = directory / "server.log"
    with start_uvicorn(
        "benchmarks.serve_url:asgi_application", log, env={UPSTREAM_VARIABLE: upstream.url}
    ) as server:
        yield server


def _worker_pid(server: Server, timeout: float = 30) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        children = Path(f"/proc/{server.process.pid}/task/{server.process.pid}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.05)
    raise TimeoutError(f"no gunicorn worker after {timeout}s")


# -- measuring -----------------------------------------------------------------


def _status_mib(pid: int, key: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1]) / 1024
    raise KeyError(key)


def curl_rate(url: str, size: int) -> float:
    """Download ``url`` to /dev/null with curl; MiB/s. Fails unless exactly ``size`` bytes arrive."""
    output = subprocess.run(
        [
            "curl",
            "--silent",
            "--show-error",
            "--output",
            "/dev/null",
            "--write-out",
            "%{http_code} %{size_download} %{time_total}",
            url,
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    ).stdout
    status, received, seconds = output.split()
    if status != "200" or int(received) != size:
        raise RuntimeError(f"{url}: status {status}, {received} of {size} bytes")
    return size / MIB / float(seconds)


@dataclass
class Figures:
    """Samples of one invocation, one per run."""

    direct: list[float] = field(default_factory=list)
    proxied: list[float] = field(default_factory=list)
    growth: list[float] = field(default_factory=list)
    asgi: list[float] = field(default_factory=list)
    asgi_growth: list[float] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        return statistics.median(self.proxied) / statistics.median(self.direct)

    def summary(self) -> str:
        return (
            f"direct from nginx  {statistics.median(self.direct):8.0f} MiB/s  {self.direct}\n"
            f"through serve_url  {statistics.median(self.proxied):8.0f} MiB/s  {self.proxied}\n"
            f"ratio              {self.ratio:8.2f}x     (target >= 0.7)\n"
            f"worker peak RSS growth {statistics.median(self.growth):4.1f} MiB  {self.growth} (target < 32)\n"
            f"through aserve_url (uvicorn) {statistics.median(self.asgi):8.0f} MiB/s  {self.asgi}\n"
            f"uvicorn peak RSS growth {statistics.median(self.asgi_growth):4.1f} MiB  {self.asgi_growth}"
            " (target < 32)"
        )


def _proxied(pid: int, url: str, size: int) -> tuple[float, float]:
    """One download through the proxy process ``pid``: MiB/s, and its peak RSS growth in MiB."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")  # resets VmHWM to the current RSS
    before = _status_mib(pid, "VmRSS")
    rate = curl_rate(url, size)
    return round(rate, 1), round(_status_mib(pid, "VmHWM") - before, 2)


def measure(files: Path, name: str, size: int, runs: int, workdir: Path) -> Figures:
    """Run direct and proxied downloads of ``files/name`` in turns, ``runs`` times each."""
    figures = Figures()
    with ExitStack() as stack:
        upstream = stack.enter_context(nginx_upstream(files, workdir))
        proxy = stack.enter_context(gunicorn_proxy(upstream, workdir))
        asgi = stack.enter_context(uvicorn_proxy(upstream, workdir))
        worker = _worker_pid(proxy)
        (files / "warmup.bin").write_bytes(b"w" * 4096)
        # Imports, settings and the pooled session, before the baselines.
        curl_rate(f"{proxy.url}/proxy/warmup.bin", 4096)
        curl_rate(f"{asgi.url}/aproxy/warmup.bin", 4096)
        for _ in range(runs):
            figures.direct.append(round(curl_rate(f"{upstream.url}/{name}", size), 1))
            rate, growth = _proxied(worker, f"{proxy.url}/proxy/{name}", size)
            figures.proxied.append(rate)
            figures.growth.append(growth)
            rate, growth = _proxied(asgi.process.pid, f"{asgi.url}/aproxy/{name}", size)
            figures.asgi.append(rate)
            figures.asgi_growth.append(growth)
    return figures


def run(bench: Bench) -> list[Row]:
    """The harness's entry point: its large file, its run count."""
    size = bench.large.stat().st_size
    figures = measure(bench.files, bench.LARGE, size, bench.plan.runs, bench.workdir)
    return [
        Row(TITLE, RATE, "MiB/s", DIRECT, tuple(figures.direct)),
        Row(TITLE, RATE, "MiB/s", PROXIED, tuple(figures.proxied), reference=DIRECT),
        Row(TITLE, GROWTH, "MiB", PROXIED, tuple(figures.growth), higher_is_better=False),
        Row(TITLE, RATE, "MiB/s", PROXIED_ASGI, tuple(figures.asgi), reference=DIRECT),
        Row(TITLE, GROWTH, "MiB", PROXIED_ASGI, tuple(figures.asgi_growth), higher_is_better=False),
    ]


def _write_file(path: Path, size: int) -> None:
    block = os.urandom(MIB)
    with path.open("wb") as file:
        for offset in range(0, size, MIB):
            file.write((offset.to_bytes(8, "little") + block[8:])[: size - offset])
    path.chmod(0o644)


def main(argv: list[str] | None = None) -> int:
    """Create the file, measure, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1024, help="file size in MiB (default 1024)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each download (default 3)")
    arguments = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="dlshortcuts-bench-url-") as workdir:
        os.chmod(workdir, 0o755)  # nginx's workers run unprivileged when started by root
        files = Path(workdir) / "files"
        files.mkdir(mode=0o755)
        size = arguments.size * MIB
        _write_file(files / "large.bin", size)
        figures = measure(files, "large.bin", size, arguments.runs, Path(workdir))
    print(TITLE)
    print(figures.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
