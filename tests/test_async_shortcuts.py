"""The async twins (aserve_*): same answers as the shortcuts, blocking work in threads, closed when cancelled.

Each shortcut's own behaviour under ASGI is tested with it (test_shortcuts,
sources/); here, what the twins add.
"""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest
from django.http import Http404, HttpRequest, HttpResponse
from django.test import AsyncRequestFactory, RequestFactory

from dlshortcuts import aserve_generated, aserve_path
from dlshortcuts.async_shortcuts import respond_in_thread
from tests.reading import aread, consume


@pytest.fixture(autouse=True)
def report_pdf(root: Path, tmp_path: Path) -> None:
    """A file under the root, and a secret beside it that must never be served."""
    (root / "report.pdf").write_bytes(b"%PDF-1.4 report")
    (tmp_path / "secret.txt").write_bytes(b"outside the root")


async def test_aserve_path_in_an_async_view(rf: RequestFactory, root: Path) -> None:
    response = await aserve_path(rf.get("/"), "report.pdf", root=root, filename="Q1.pdf")
    assert response["Content-Disposition"] == 'attachment; filename="Q1.pdf"'
    assert consume(response) == b"%PDF-1.4 report"
    with pytest.raises(Http404):
        await aserve_path(rf.get("/"), "../secret.txt", root=root)


def report(request: HttpRequest, year: int) -> str:
    return f"year\r\n{year}\r\n"


async def test_aserve_generated_calls_the_factory_in_a_thread(async_rf: AsyncRequestFactory) -> None:
    response = await aserve_generated(async_rf.get("/"), report, filename="r.csv", year=1999)  # type: ignore[call-arg]
    assert await aread(response) == b"year\r\n1999\r\n"


async def test_an_async_twin_closes_the_response_made_after_it_was_cancelled() -> None:
    release, closed = threading.Event(), threading.Event()

    class Recorded(HttpResponse):
        def close(self) -> None:
            closed.set()
            super().close()

    def slow_shortcut() -> HttpResponse:
        assert release.wait(30)
        return Recorded()

    task = asyncio.ensure_future(respond_in_thread(slow_shortcut))
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    release.set()
    assert await asyncio.to_thread(closed.wait, 30)
