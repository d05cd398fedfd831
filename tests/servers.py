"""Requests to the real servers the tests start (with :mod:`servers`, the checkout's launcher)."""

from __future__ import annotations

import http.client

# The launcher's names the test modules use, so that they import one module.
from servers import BIN, ROOT, Server, free_port, start_server, stop_process

__all__ = ["BIN", "ROOT", "TIMEOUT", "Server", "fetch", "free_port", "start_server", "stop_process"]

#: Seconds any single request to a test server may take.
TIMEOUT = 60


def fetch(
    server: Server, path: str, method: str = "GET", headers: dict[str, str] | None = None
) -> tuple[http.client.HTTPResponse, bytes]:
    """One request to ``server`` on a connection of its own; the whole body read."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=TIMEOUT)
    try:
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        return response, response.read()
    finally:
        connection.close()
