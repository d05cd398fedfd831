"""The servers under test, each in its own process group with its own temporary directory.

Built on the checkout's launcher (``servers``: free loopback port, wait with
a timeout, stop by process group; nginx configured by ``servers.proxies``
around the package's own ``render_proxy_config``), so the benchmarks start
servers exactly as the real-server tests and the demo do.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from dlshortcuts.offload.config import render_proxy_config
from servers import Server, start_gunicorn, start_uvicorn
from servers.proxies import start_proxy

from .harness import Bench
from .procs import children

__all__ = ["NGINX_DIRECT", "gunicorn_server", "nginx_server", "uvicorn_server", "workers"]

#: Where nginx serves the files itself (the "nginx direct" competitor).
NGINX_DIRECT = "/direct/"
_WORKER_TIMEOUT = 30


def workers(server: Server, count: int) -> list[int]:
    """The pids of the server's ``count`` worker processes, once they are all up."""
    deadline = time.monotonic() + _WORKER_TIMEOUT
    while time.monotonic() < deadline:
        found = children(server.process.pid)
        if len(found) >= count:
            return found
        time.sleep(0.05)
    raise TimeoutError(f"{count} workers not up after {_WORKER_TIMEOUT}s:\n{server.log.read_text()}")


@contextmanager
def gunicorn_server(bench: Bench, *, workers: int = 2) -> Iterator[Server]:
    """gunicorn with ``workers`` sync workers serving the benchmark project."""
    directory = bench.server_dir("gunicorn")
    with start_gunicorn(
        "benchmarks.project.wsgi:application",
        directory / "server.log",
        env=_django_env(bench),
        workers=workers,
        # A download capped by the client must not be mistaken for a hung worker.
        timeout=300,
        graceful_timeout=5,
        tmp_dir=directory,
    ) as server:
        yield server


@contextmanager
def uvicorn_server(bench: Bench, app: str) -> Iterator[Server]:
    """uvicorn (one process) serving ``app``: the Django project's or Starlette's."""
    directory = bench.server_dir("uvicorn")
    with start_uvicorn(app, directory / "server.log", env=_django_env(bench), log_level="warning") as server:
        yield server


def _django_env(bench: Bench) -> dict[str, str]:
    return {"DJANGO_SETTINGS_MODULE": "benchmarks.project.settings", **bench.environment()}


#: Directives for nginx's server block besides the rendered site: no access
#: log to write per request, full packets with sendfile, and the direct route.
_NGINX_EXTRA = """\
access_log off;
tcp_nopush on;
default_type application/octet-stream;
location {direct} {{
    alias {files}/;
}}"""


@contextmanager
def nginx_server(bench: Bench, *, upstream: int, internal: tuple[str, ...]) -> Iterator[Server]:
    """nginx in front of the app on port ``upstream``, configured by the package's own renderer.

    :param internal: URL prefixes of ``internal`` locations aliased to the
        benchmark files, the targets of ``X-Accel-Redirect``.
    """
    locations = [{"root": str(bench.files), "url": prefix} for prefix in internal]
    site = render_proxy_config("nginx", locations, upstream=f"127.0.0.1:{upstream}")
    extra = _NGINX_EXTRA.format(direct=NGINX_DIRECT, files=bench.files)
    with start_proxy("nginx", bench.server_dir("nginx"), site, extra=extra) as server:
        yield server
