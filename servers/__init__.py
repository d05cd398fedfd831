"""The one launcher of real servers for the tests, the benchmarks and the demo.

Not part of the dlshortcuts package (not installed, no public API): a helper
of the checkout, imported from its root by ``tests/``, ``benchmarks/`` and
``examples/nginx/serve.py``. Every server runs in its own process group on a
free 127.0.0.1 port, is waited for with a timeout, and is stopped by pid.
Application servers: :func:`gunicorn_argv`, :func:`uvicorn_argv`,
:func:`granian_argv`; web servers in front of them: :mod:`servers.proxies`.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gunicorn.config import KNOWN_SETTINGS

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for_port(
    port: int, process: subprocess.Popen[bytes], log: Path, timeout: float = 30, *, host: str = "127.0.0.1"
) -> None:
    """Block until ``host:port`` accepts connections; fail with the server's log otherwise."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{log.read_text(errors='replace')}")
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    stop_process(process)
    raise TimeoutError(f"{host}:{port} not ready after {timeout}s:\n{log.read_text(errors='replace')}")


def stop_process(process: subprocess.Popen[bytes], timeout: float = 10) -> None:
    """SIGTERM the process group, then SIGKILL if it has not gone within ``timeout``."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout)


@dataclass
class Server:
    """A running server process and where to reach it."""

    process: subprocess.Popen[bytes]
    port: int
    log: Path
    host: str = "127.0.0.1"

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def stop(self) -> None:
        stop_process(self.process)

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def start_server(
    argv: Sequence[str],
    port: int,
    log: Path,
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path = ROOT,
    timeout: float = 30,
    host: str = "127.0.0.1",
) -> Server:
    """Start ``argv`` in its own process group, logging to ``log``, and wait for ``host:port``.

    The checkout's root is on the server's ``PYTHONPATH`` unless ``env`` sets its own.
    """
    environment = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        process = subprocess.Popen(
            list(argv), cwd=cwd, env=environment, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    wait_for_port(port, process, log, timeout, host=host)
    return Server(process, port, log, host)


def _has_control_socket() -> bool:
    # gunicorn 24+ opens a control socket at a path shared by every gunicorn
    # of the user (~/.gunicorn): each server here keeps it off.
    return any(setting.name == "control_socket_disable" for setting in KNOWN_SETTINGS)


def gunicorn_argv(
    app: str,
    port: int,
    *,
    workers: int = 1,
    worker_class: str = "sync",
    threads: int | None = None,
    timeout: int | None = None,
    graceful_timeout: int | None = None,
    tmp_dir: Path | None = None,
    access_log: bool = False,
    pid_file: Path | None = None,
) -> list[str]:
    """gunicorn serving the WSGI ``app`` (``module:name``) on ``127.0.0.1:port``."""
    argv = [str(BIN / "gunicorn"), app, f"--bind=127.0.0.1:{port}", f"--workers={workers}"]
    argv.append(f"--worker-class={worker_class}")
    if threads is not None:
        argv.append(f"--threads={threads}")
    if timeout is not None:
        argv.append(f"--timeout={timeout}")
    if graceful_timeout is not None:
        argv.append(f"--graceful-timeout={graceful_timeout}")
    if tmp_dir is not None:
        argv.append(f"--worker-tmp-dir={tmp_dir}")
    if access_log:
        argv.append("--access-logfile=-")
    if pid_file is not None:
        argv.append(f"--pid={pid_file}")
    if _has_control_socket():
        argv.append("--no-control-socket")
    return argv


def uvicorn_argv(
    app: str,
    port: int,
    *,
    access_log: bool = False,
    log_level: str | None = None,
    python_options: Sequence[str] = (),
    factory: bool = False,
) -> list[str]:
    """uvicorn (one process) serving the ASGI ``app`` on ``127.0.0.1:port``.

    Django has no lifespan support: it is off, so uvicorn does not log that.

    :param python_options: interpreter options (``-W always::ResourceWarning``).
    :param factory: ``app`` names a function returning the application.
    """
    argv = [str(BIN / "python"), *python_options, "-m", "uvicorn", app, "--host=127.0.0.1", f"--port={port}"]
    argv.append("--lifespan=off")
    if not access_log:
        argv.append("--no-access-log")
    if log_level is not None:
        argv.append(f"--log-level={log_level}")
    if factory:
        argv.append("--factory")
    return argv


def granian_argv(
    app: str, port: int, *, workers: int = 1, log_level: str | None = None, factory: bool = False
) -> list[str]:
    """Granian serving the ASGI ``app`` on ``127.0.0.1:port``.

    ``asginl``: ASGI without the lifespan protocol, which Django does not
    speak (Granian would log its refusal at every start).

    :param factory: ``app`` names a function returning the application.
    """
    argv = [str(BIN / "granian"), "--interface=asginl", "--host=127.0.0.1", f"--port={port}"]
    argv += [f"--workers={workers}", "--no-ws"]
    if log_level is not None:
        argv.append(f"--log-level={log_level}")
    if factory:
        argv.append("--factory")
    return [*argv, app]


def _starter(argv_of: Callable[..., list[str]]) -> Callable[..., Server]:
    """``start_NAME`` for ``NAME_argv``: the server on a free port, its ``options`` passed to ``argv_of``."""

    def start(
        app: str,
        log: Path,
        *,
        env: Mapping[str, str] | None = None,
        cwd: Path = ROOT,
        start_timeout: float = 30,
        **options: Any,
    ) -> Server:
        port = free_port()
        return start_server(argv_of(app, port, **options), port, log, env=env, cwd=cwd, timeout=start_timeout)

    start.__doc__ = f"Start :func:`{argv_of.__name__}` (``options`` are its keywords) on a free port."
    return start


start_gunicorn = _starter(gunicorn_argv)
start_uvicorn = _starter(uvicorn_argv)
start_granian = _starter(granian_argv)
