"""Real reverse proxies for the offload tests: nginx, Apache + mod_xsendfile, lighttpd, Caddy.

Each is started by the checkout's launcher (:mod:`servers.proxies`) in front
of gunicorn (or uvicorn) running the test project (``tests.settings_offload``),
with the configuration ``manage.py dlshortcuts_proxy_config`` prints for the
same settings, embedded unchanged.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from servers import ROOT, Server, start_gunicorn, start_uvicorn
from servers.proxies import PROXIES, start_proxy

__all__ = [
    "PROXIES",
    "Site",
    "app_environment",
    "render_proxy_config",
    "running_site",
    "start_app",
    "start_proxy",
]


@dataclass(frozen=True)
class Site:
    """One web server in front of one gunicorn, both running.

    :ivar backend: the ``DLSHORTCUTS["BACKEND"]`` the application uses.
    :ivar app: gunicorn, to see what Django answers.
    :ivar proxy: the web server, to see what the client gets.
    :ivar error_log: the web server's error log.
    """

    backend: str
    app: Server
    proxy: Server
    error_log: Path


@contextmanager
def running_site(
    backend: str, files: Path, workdir: Path, *, charset: str | None = None, asgi: bool = False
) -> Iterator[Site]:
    """The application server, then the web server configured by ``dlshortcuts_proxy_config``.

    Both are stopped when the block ends.

    :param backend: one of :data:`PROXIES`.
    :param files: the directory ``tests.settings_offload`` serves from.
    :param workdir: an empty directory for both servers' files.
    :param charset: the ``CHARSET`` setting.
    :param asgi: uvicorn instead of gunicorn.
    """
    app = start_app(backend, files, workdir, charset=charset, asgi=asgi)
    try:
        snippet = render_proxy_config(backend, files, f"127.0.0.1:{app.port}", charset=charset)
        proxy = start_proxy(backend, workdir / "server", snippet)
        try:
            yield Site(backend, app, proxy, workdir / "server" / "error.log")
        finally:
            proxy.stop()
    finally:
        app.stop()


def app_environment(backend: str, files: Path, charset: str | None = None) -> dict[str, str]:
    """The environment that points ``tests.settings_offload`` at ``backend`` and ``files``."""
    environment = {
        "DJANGO_SETTINGS_MODULE": "tests.settings_offload",
        "DLSHORTCUTS_TEST_BACKEND": backend,
        "DLSHORTCUTS_TEST_FILES": str(files),
    }
    if charset is not None:
        environment["DLSHORTCUTS_TEST_CHARSET"] = charset
    return environment


def render_proxy_config(
    backend: str, files: Path, upstream: str, *, charset: str | None = None, timeout: float = 60
) -> str:
    """Run ``manage.py dlshortcuts_proxy_config`` as a user would, and return what it prints.

    :param backend: the web server to configure.
    :param files: the directory ``tests.settings_offload`` serves from.
    :param upstream: gunicorn's ``host:port``.
    :param charset: the ``CHARSET`` setting.
    """
    argv = [sys.executable, "-m", "django", "dlshortcuts_proxy_config"]
    result = subprocess.run(
        [*argv, "--backend", backend, "--upstream", upstream],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), **app_environment(backend, files, charset)},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
    )
    return result.stdout


def start_app(
    backend: str, files: Path, workdir: Path, *, charset: str | None = None, asgi: bool = False
) -> Server:
    """The test project for ``backend``: gunicorn with one sync worker, or uvicorn when ``asgi``."""
    environment = app_environment(backend, files, charset)
    if asgi:
        return start_uvicorn("tests.asgi:application", workdir / "app.log", env=environment, access_log=True)
    return start_gunicorn(
        "tests.wsgi:application",
        workdir / "app.log",
        env=environment,
        access_log=True,
        pid_file=workdir / "gunicorn.pid",
    )
