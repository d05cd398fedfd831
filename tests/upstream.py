"""A real upstream HTTP server for serve_url's tests, run in threads on loopback.

Every route is a behaviour the proxy must cope with: Range and validators,
gzip, chunked bodies without a length, slow answers, redirects, errors,
short bodies and endless ones. The server records each request it gets and
each connection it accepts, and notices when a client hangs up mid-body.
"""

from __future__ import annotations

import gzip
import socket
import struct
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.http import HttpRequest
from django.http.response import HttpResponseBase

from dlshortcuts import serve_url

ETAG = '"v1"'
LAST_MODIFIED = "Tue, 03 Nov 2026 10:00:00 GMT"
ERROR_BODY = b"<h1>upstream error page with internal details</h1>"
BLOCK = 64 * 1024
BOUNDARY = "upstream-boundary"
#: A file of distinct bytes, a few blocks long.
DATA = bytes(range(256)) * 1024 + b"tail"


@dataclass
class Seen:
    """One request as the upstream received it."""

    method: str
    path: str
    headers: dict[str, str]


@dataclass
class Upstream:
    """A running upstream and what it has seen."""

    url: str
    files: dict[str, bytes]
    requests: list[Seen] = field(default_factory=list)
    connections: int = 0
    errors: list[BaseException] = field(default_factory=list)
    hung_up: threading.Event = field(default_factory=threading.Event)
    stopping: threading.Event = field(default_factory=threading.Event)

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])


def multipart_body(data: bytes, requested: str) -> bytes:
    """The multipart/byteranges body the upstream sends for ``bytes=a-b,c-d``."""
    parts = []
    for spec in requested.removeprefix("bytes=").split(","):
        start, _, end = spec.partition("-")
        chunk = data[int(start) : int(end) + 1]
        head = f"--{BOUNDARY}\r\nContent-Range: bytes {start}-{end}/{len(data)}\r\n\r\n"
        parts.append(head.encode() + chunk + b"\r\n")
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.server.upstream.connections += 1

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        upstream = self.server.upstream
        upstream.requests.append(Seen(self.command, self.path, dict(self.headers.items())))
        parts = urlsplit(self.path)
        query = {key: values[0] for key, values in parse_qs(parts.query).items()}
        route, _, rest = parts.path.lstrip("/").partition("/")
        getattr(self, f"route_{route.replace('-', '_')}")(rest, query)

    # -- helpers -------------------------------------------------------------

    def answer(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    # -- routes --------------------------------------------------------------

    def route_files(self, name: str, query: dict[str, str]) -> None:
        """A static file with validators and single-range support, like nginx."""
        data = self.server.upstream.files[name]
        headers = {"Content-Type": query.get("type", "application/pdf"), "ETag": ETAG}
        headers |= {"Last-Modified": LAST_MODIFIED, "Accept-Ranges": "bytes"}
        if "disposition" in query:
            headers["Content-Disposition"] = query["disposition"]
        if self.headers.get("If-None-Match") == ETAG or (
            "If-None-Match" not in self.headers and self.headers.get("If-Modified-Since") == LAST_MODIFIED
        ):
            self.send_response(304)
            self.send_header("ETag", ETAG)
            self.send_header("Last-Modified", LAST_MODIFIED)
            self.end_headers()
            return
        requested = self.headers.get("Range")
        if requested and "," in requested:
            self.answer(
                206,
                multipart_body(data, requested),
                {"Content-Type": f"multipart/byteranges; boundary={BOUNDARY}"},
            )
            return
        if requested and self.headers.get("If-Range", ETAG) == ETAG:
            start, _, end = requested.removeprefix("bytes=").partition("-")
            first, last = int(start), min(int(end or len(data) - 1), len(data) - 1)
            if first >= len(data):
                self.answer(
                    416, ERROR_BODY, {"Content-Range": f"bytes */{len(data)}", "Content-Type": "text/html"}
                )
                return
            headers["Content-Range"] = f"bytes {first}-{last}/{len(data)}"
            self.answer(206, data[first : last + 1], headers)
            return
        self.answer(200, data, headers)

    def route_gzip(self, name: str, query: dict[str, str]) -> None:
        body = gzip.compress(self.server.upstream.files[name], mtime=0)
        self.answer(
            200, body, {"Content-Type": "text/plain", "Content-Encoding": "gzip", "Vary": "Accept-Encoding"}
        )

    def route_chunked(self, name: str, query: dict[str, str]) -> None:
        data = self.server.upstream.files[name]
        self.send_response(200)
        self.send_header("Content-Type", "text/csv")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for start in range(0, len(data), 10_000):
            chunk = data[start : start + 10_000]
            self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        self.wfile.write(b"0\r\n\r\n")

    def route_hop(self, name: str, query: dict[str, str]) -> None:
        """Hop-by-hop and private fields that must stop at the proxy."""
        self.answer(
            200,
            b"hop",
            {
                "Content-Type": "text/plain",
                "Connection": "X-Hop-Listed",
                "X-Hop-Listed": "connection-specific",
                "Keep-Alive": "timeout=5",
                "Proxy-Authenticate": "Basic",
                "Trailer": "Expires",
                "Upgrade": "h2c",
                "Set-Cookie": "session=upstream",
                "X-Internal": "secret",
                "Server": "upstream/1.0",
            },
        )

    def route_slow_headers(self, name: str, query: dict[str, str]) -> None:
        self.server.upstream.stopping.wait(float(query.get("delay", "5")))
        self.answer(200, b"late")

    def route_stall(self, name: str, query: dict[str, str]) -> None:
        """Headers and a first block, then silence."""
        self.send_response(200)
        self.send_header("Content-Length", str(10 * BLOCK))
        self.end_headers()
        self.wfile.write(b"x" * BLOCK)
        self.wfile.flush()
        self.server.upstream.stopping.wait(10)

    def route_short(self, name: str, query: dict[str, str]) -> None:
        """Fewer bytes than Content-Length, then the connection ends."""
        self.send_response(200)
        self.send_header("Content-Length", "100000")
        self.end_headers()
        self.wfile.write(b"y" * 1000)
        self.close_connection = True

    def route_reset(self, name: str, query: dict[str, str]) -> None:
        """Headers and a first block, then a reset (RST) instead of the rest."""
        self.send_response(200)
        self.send_header("Content-Length", str(10 * BLOCK))
        self.end_headers()
        self.wfile.write(b"r" * BLOCK)
        self.wfile.flush()
        # SO_LINGER with a zero timeout: close() sends RST, not FIN.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True

    def route_endless(self, name: str, query: dict[str, str]) -> None:
        """A 1 GiB body written until the reader hangs up."""
        self.send_response(200)
        self.send_header("Content-Length", str(1 << 30))
        self.end_headers()
        block = b"z" * BLOCK
        try:
            for _ in range((1 << 30) // BLOCK):
                if self.server.upstream.stopping.is_set():
                    break
                self.wfile.write(block)
        except (BrokenPipeError, ConnectionResetError):
            self.server.upstream.hung_up.set()
        self.close_connection = True

    def route_redirect(self, name: str, query: dict[str, str]) -> None:
        self.answer(int(query.get("status", "302")), b"moved", {"Location": query["to"]})

    def route_loop(self, name: str, query: dict[str, str]) -> None:
        self.answer(302, b"", {"Location": f"/loop/{int(name) + 1}"})

    def route_status(self, name: str, query: dict[str, str]) -> None:
        self.answer(
            int(name.partition("/")[0]), ERROR_BODY, {"Content-Type": "text/html", "X-Internal": "secret"}
        )


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    upstream: Upstream

    def handle_error(self, request: object, client_address: object) -> None:
        # A proxy hanging up (an OSError on the socket) is what several tests
        # do; anything else is a bug in a route, reported by serve_upstream().
        error = sys.exc_info()[1]
        if error is not None and not isinstance(error, OSError):
            self.upstream.errors.append(error)


@contextmanager
def serve_upstream(files: dict[str, bytes]) -> Iterator[Upstream]:
    """Run an upstream on a free loopback port for the duration of the block."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.upstream = Upstream(f"http://127.0.0.1:{server.server_address[1]}", files)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server.upstream
    finally:
        server.upstream.stopping.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
    assert server.upstream.errors == [], f"the upstream server failed: {server.upstream.errors!r}"


@contextmanager
def silent_server() -> Iterator[int]:
    """A port whose connections are accepted (by the kernel) and never answered."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield listener.getsockname()[1]


@contextmanager
def full_backlog() -> Iterator[int]:
    """A port whose accept queue is full: new connections time out (SYN dropped)."""
    with socket.socket() as listener, socket.socket() as filler:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port = listener.getsockname()[1]
        filler.connect(("127.0.0.1", port))
        yield port


def fetch(request: HttpRequest, url: str, **kwargs: Any) -> tuple[HttpResponseBase, bytes]:
    """Serve ``url`` and read the whole body, closing the response as a server does."""
    response = serve_url(request, url, **kwargs)
    try:
        body = b"".join(response)  # every answer is a streaming DownloadResponse
    finally:
        response.close()
    return response, body
