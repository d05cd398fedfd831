"""The servers under test, each in its own process group with its own temporary directory.

Built on the test suite's helpers (free loopback port, wait with a timeout,
stop by process group), so the benchmarks start servers exactly as the
real-server tests do.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from servers import Server, free_port, start_gunicorn, start_server, start_uvicorn

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
    server = start_gunicorn(
        "benchmarks.project.wsgi:application",
        directory / "server.log",
        env=_django_env(bench),
        workers=workers,
        # A download capped by the client must not be mistaken for a hung worker.
        timeout=300,
        graceful_timeout=5,
        tmp_dir=directory,
    )
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def uvicorn_server(bench: Bench, app: str) -> Iterator[Server]:
    """uvicorn (one process) serving ``app``: the Django project's or Starlette's."""
    directory = bench.server_dir("uvicorn")
    server = start_uvicorn(app, directory / "server.log", env=_django_env(bench), log_level="warning")
    try:
        yield server
    finally:
        server.stop()


def _django_env(bench: Bench) -> dict[str, str]:
    return {"DJANGO_SETTINGS_MODULE": "benchmarks.project.settings", **bench.environment()}


def _nginx_binary() -> str:
    for candidate in (shutil.which("nginx"), "/usr/sbin/nginx"):
        if candidate and Path(candidate).exists():
            return candidate
    raise RuntimeError("nginx is not installed: run `make system-packages`")


_NGINX_CONF = """\
daemon off;
master_process on;
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log error;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {dir}/client_body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    default_type application/octet-stream;
    sendfile on;
    tcp_nopush on;
    server {{
        listen 127.0.0.1:{port};
        location {direct} {{ alias {files}/; }}
{internal}
        location / {{
            proxy_pass http://127.0.0.1:{upstream};
            proxy_set_header Host $host;
        }}
    }}
}}
"""


@contextmanager
def nginx_server(bench: Bench, *, upstream: int, internal: tuple[str, ...]) -> Iterator[Server]:
    """nginx in front of the app on port ``upstream``.

    :param internal: URL prefixes of ``internal`` locations aliased to the
        benchmark files, the targets of ``X-Accel-Redirect``.
    """
    directory = bench.server_dir("nginx")
    port = free_port()
    locations = "\n".join(
        f"        location {prefix} {{ internal; alias {bench.files}/; }}" for prefix in internal
    )
    conf = directory / "nginx.conf"
    conf.write_text(
        _NGINX_CONF.format(
            dir=directory,
            port=port,
            direct=NGINX_DIRECT,
            files=bench.files,
            internal=locations,
            upstream=upstream,
        )
    )
    argv = [_nginx_binary(), "-p", str(directory), "-c", str(conf), "-e", str(directory / "error.log")]
    server = start_server(argv, port, directory / "server.log")
    try:
        yield server
    finally:
        server.stop()
