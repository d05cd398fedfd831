"""dlshortcuts.asgi: the exact ASGI messages, with and without the pathsend extension."""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
from django.core.handlers.asgi import ASGIHandler

from dlshortcuts.asgi import PATHSEND, PathsendASGIHandler, get_asgi_application
from dlshortcuts.signals import download_finished
from tests.urls import FILES_ROOT_ENV

CONTENT = bytes(range(256)) * 40
OFFERED: dict[str, dict[str, object]] = {PATHSEND: {}}


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "data.bin").write_bytes(CONTENT)
    monkeypatch.setenv(FILES_ROOT_ENV, str(tmp_path))
    return tmp_path


async def run(
    app: ASGIHandler,
    path: str,
    *,
    method: str = "GET",
    headers: Mapping[str, str] | None = None,
    extensions: Mapping[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """The messages ``app`` sends for one request."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver")]
        + [(name.lower().encode(), value.encode()) for name, value in (headers or {}).items()],
        "server": ("127.0.0.1", 80),
        "client": ("127.0.0.1", 12345),
    }
    if extensions is not None:
        scope["extensions"] = dict(extensions)
    received: list[bool] = []
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        if not received:
            received.append(True)
            return {"type": "http.request", "body": b""}
        await asyncio.Event().wait()  # the client stays connected
        raise AssertionError("unreachable")

    async def send(message: Mapping[str, Any]) -> None:
        sent.append(dict(message))

    await app(scope, receive, send)
    return sent


def normalised(messages: list[dict[str, Any]]) -> str:
    """The messages with multipart boundaries (random per answer) made equal."""
    return re.sub(r"[0-9a-f]{32}", "BOUNDARY", repr(messages))


def body_of(messages: list[dict[str, Any]]) -> bytes:
    return b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")


def test_get_asgi_application_is_the_pathsend_handler() -> None:
    assert isinstance(get_asgi_application(), PathsendASGIHandler)


@pytest.mark.parametrize("view", ["/files/data.bin", "/async/files/data.bin"])
async def test_whole_file_get_is_one_pathsend_message(files: Path, view: str) -> None:
    messages = await run(PathsendASGIHandler(), view, extensions=OFFERED)
    plain = await run(ASGIHandler(), view, extensions=OFFERED)
    assert [m["type"] for m in messages] == ["http.response.start", PATHSEND]
    assert messages[0] == plain[0]  # status and headers exactly as Django sends them
    assert messages[0]["status"] == 200
    assert (b"Content-Length", str(len(CONTENT)).encode()) in messages[0]["headers"]
    assert messages[1] == {"type": PATHSEND, "path": str(files / "data.bin")}


@pytest.mark.parametrize(
    ("method", "path", "headers"),
    [
        ("HEAD", "/files/data.bin", {}),
        ("GET", "/files/data.bin", {"Range": "bytes=10-19"}),
        ("GET", "/files/data.bin", {"Range": "bytes=0-0, 5-5"}),
        ("GET", "/files/missing.bin", {}),
        ("GET", "/report.csv", {}),
        ("GET", "/async/report/2024.csv", {}),
    ],
)
async def test_other_answers_are_djangos_own(
    files: Path, method: str, path: str, headers: dict[str, str]
) -> None:
    ours = await run(PathsendASGIHandler(), path, method=method, headers=headers, extensions=OFFERED)
    django = await run(ASGIHandler(), path, method=method, headers=headers, extensions=OFFERED)
    assert normalised(ours) == normalised(django)
    assert PATHSEND not in [m["type"] for m in ours]


async def test_not_modified_is_djangos_own(files: Path) -> None:
    first = await run(PathsendASGIHandler(), "/files/data.bin", extensions=OFFERED)
    etag = dict(first[0]["headers"])[b"ETag"].decode()
    ours = await run(
        PathsendASGIHandler(), "/files/data.bin", headers={"If-None-Match": etag}, extensions=OFFERED
    )
    assert ours[0]["status"] == 304
    assert [m["type"] for m in ours] == ["http.response.start", "http.response.body"]


@pytest.mark.parametrize("extensions", [None, {}, {"http.response.trailers": {}}])
async def test_without_the_extension_it_is_djangos_handler(
    files: Path, extensions: dict[str, Any] | None
) -> None:
    ours = await run(PathsendASGIHandler(), "/files/data.bin", extensions=extensions)
    django = await run(ASGIHandler(), "/files/data.bin", extensions=extensions)
    assert ours == django
    assert body_of(ours) == CONTENT


def _replace(path: Path) -> None:
    replacement = path.with_name("new.bin")
    replacement.write_bytes(b"other bytes")
    os.replace(replacement, path)


def _rewrite(path: Path) -> None:
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1))  # rewritten in place, same size


@pytest.mark.parametrize("change", [_replace, Path.unlink, _rewrite])
async def test_a_file_changed_after_the_answer_is_sent_from_the_open_file(
    files: Path, monkeypatch: pytest.MonkeyPatch, change: Callable[[Path], object]
) -> None:
    """The name no longer leads to the file described: its bytes come from the descriptor, not the path."""
    send_response = PathsendASGIHandler.send_response

    async def change_then_send(self: PathsendASGIHandler, response: Any, send: Any) -> None:
        change(files / "data.bin")  # after the view answered, before the answer is sent
        await send_response(self, response, send)

    monkeypatch.setattr(PathsendASGIHandler, "send_response", change_then_send)
    messages = await run(PathsendASGIHandler(), "/files/data.bin", extensions=OFFERED)
    assert messages[0]["status"] == 200
    assert PATHSEND not in [m["type"] for m in messages]
    assert body_of(messages) == CONTENT


async def test_download_finished_says_the_server_sent_it(files: Path) -> None:
    reports: list[dict[str, Any]] = []

    def receiver(sender: object, **arguments: Any) -> None:
        reports.append({k: arguments[k] for k in ("status", "bytes_sent", "complete", "offloaded")})

    download_finished.connect(receiver)
    try:
        messages = await run(PathsendASGIHandler(), "/files/data.bin", extensions=OFFERED)
    finally:
        download_finished.disconnect(receiver)
    assert messages[1]["type"] == PATHSEND
    assert reports == [{"status": 200, "bytes_sent": None, "complete": None, "offloaded": True}]
