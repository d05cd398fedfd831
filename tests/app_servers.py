"""gunicorn and uvicorn serving tests.urls_hardening, and what their workers hold.

The fault and soak tests start one of each on a loopback port with a root
of their own, and watch the worker processes through ``/proc``: open file
descriptors and resident memory.
"""

from __future__ import annotations

import os
import re
import socket
import time
from collections.abc import Callable
from pathlib import Path

from servers import Server, start_gunicorn, start_uvicorn

__all__ = [
    "SERVERS",
    "fetch_head",
    "leaked_files",
    "open_fds",
    "open_sockets",
    "resident_kib",
    "start_app_server",
    "wait_until",
    "worker_pids",
]

#: The application servers, by name: WSGI (sendfile through wsgi.file_wrapper) and ASGI.
SERVERS = ("gunicorn", "uvicorn")


def _start(name: str, log: Path, env: dict[str, str]) -> Server:
    if name == "gunicorn":
        # gthread keeps connections alive (as behind a proxy), one worker so
        # that there is one process to watch.
        return start_gunicorn(
            "tests.wsgi:application",
            log,
            env=env,
            worker_class="gthread",
            threads=4,
            timeout=60,
            graceful_timeout=5,
        )
    if name == "uvicorn":
        return start_uvicorn("tests.asgi:application", log, env=env)
    raise ValueError(f"unknown server {name!r}: use one of {SERVERS}")


def start_app_server(name: str, root: Path, log_dir: Path) -> Server:
    """Start ``name`` serving files under ``root``; return once a request has been answered."""
    env = {
        "DJANGO_SETTINGS_MODULE": "tests.settings_hardening",
        "DLSHORTCUTS_HARDENING_ROOT": str(root),
        # A file left for the garbage collector to close is a leak that a
        # descriptor count cannot see: have it logged (see leaked_files()).
        "PYTHONWARNINGS": "always::ResourceWarning",
    }
    server = _start(name, log_dir / f"{name}.log", env)
    try:
        # gunicorn's master listens before its worker has booted: wait for an answer.
        status, _ = fetch_head(server.port, "/hardening/path/missing")
        assert status == 404, server.log.read_text(errors="replace")
    except BaseException:
        server.stop()
        raise
    return server


def fetch_head(port: int, path: str, headers: str = "") -> tuple[int, dict[str, str]]:
    """Send a HEAD request on a fresh connection; return the status and headers."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(f"HEAD {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n{headers}\r\n".encode())
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    return parse_head(data)


def parse_head(data: bytes) -> tuple[int, dict[str, str]]:
    """Status and headers (lower-case names) of a response's head."""
    head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    status_line, *lines = head.split("\r\n")
    headers = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(status_line.split()[1]), headers


def leaked_files(server: Server) -> list[str]:
    """The ResourceWarnings the server has logged: files closed by the garbage collector.

    Django's ASGI handler leaves the request body's SpooledTemporaryFile (in
    memory for a GET, no descriptor) to the collector when a response body
    raises; that one is Django's, not a download's, and is not reported.
    """
    return [
        line
        for line in server.log.read_text(errors="replace").splitlines()
        if re.search("ResourceWarning: [Uu]nclosed", line) and "SpooledTemporaryFile" not in line
    ]


def worker_pids(server: Server) -> list[int]:
    """The processes that run the application: gunicorn's workers, or uvicorn itself."""
    pid = server.process.pid
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(child) for child in children] or [pid]


def open_fds(pid: int) -> int:
    """How many file descriptors ``pid`` has open."""
    return len(list(Path(f"/proc/{pid}/fd").iterdir()))


def open_sockets(pid: int) -> int:
    """How many sockets ``pid`` has open: its listening socket and its connections."""
    count = 0
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            count += os.readlink(fd).startswith("socket:")
        except FileNotFoundError:
            continue  # closed while we looked
    return count


def resident_kib(pid: int) -> int:
    """The resident set size of ``pid``, in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def wait_until(condition: Callable[[], bool], timeout: float = 30) -> bool:
    """Poll ``condition`` until it holds or ``timeout`` seconds pass; return the last answer."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True
