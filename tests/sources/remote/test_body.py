"""An upstream's body relayed (sources/remote/body.py): cut when the upstream fails, async reads in threads.

Through serve_url and aserve_url against a real upstream on loopback.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator

import pytest
from django.test import AsyncRequestFactory, RequestFactory

from dlshortcuts import aserve_url, serve_url
from dlshortcuts.sources.remote.body import AsyncUpstreamBody, UpstreamBrokenError
from tests.upstream import DATA, Upstream


def test_upstream_stalling_mid_body_cuts_the_download(rf: RequestFactory, upstream: Upstream) -> None:
    response = serve_url(rf.get("/"), f"{upstream.url}/stall/x", timeout=(2, 0.3))
    blocks = iter(response)
    try:
        assert len(next(blocks)) == 64 * 1024
        with pytest.raises(UpstreamBrokenError, match="upstream failed after 65536 bytes"):
            next(blocks)
    finally:
        response.close()


def test_upstream_body_shorter_than_its_length_cuts_the_download(
    rf: RequestFactory, upstream: Upstream
) -> None:
    response = serve_url(rf.get("/"), f"{upstream.url}/short/x")
    try:
        with pytest.raises(UpstreamBrokenError, match="upstream failed after 1000 bytes"):
            b"".join(response)
    finally:
        response.close()


async def test_async_view_streams_through_an_async_iterator(
    async_rf: AsyncRequestFactory, upstream: Upstream
) -> None:
    response = await aserve_url(async_rf.get("/"), f"{upstream.url}/files/report.pdf")
    try:
        assert response.is_async
        assert isinstance(response.download.stream, AsyncUpstreamBody)
        body = b"".join([part async for part in response])
    finally:
        response.close()
    assert response.status_code == 200
    assert body == DATA
    assert response.headers["Content-Length"] == str(len(DATA))


async def test_async_read_leaves_the_event_loop_free(
    async_rf: AsyncRequestFactory, upstream: Upstream
) -> None:
    response = await aserve_url(async_rf.get("/"), f"{upstream.url}/stall/x", timeout=(2, 1))
    blocks: AsyncGenerator[bytes, None] = aiter(response)  # type: ignore[arg-type]
    try:
        assert len(await anext(blocks)) == 64 * 1024
        pending = asyncio.ensure_future(anext(blocks))
        # The upstream is silent: had the read blocked the loop, wait() could
        # only return once the read had failed, and the task would be done.
        done, _ = await asyncio.wait({pending}, timeout=0.1)
        assert done == set()
        with pytest.raises(UpstreamBrokenError):
            await pending
    finally:
        await blocks.aclose()
        response.close()


async def test_cancelled_async_download_closes_the_upstream_connection(
    async_rf: AsyncRequestFactory, upstream: Upstream
) -> None:
    response = await aserve_url(async_rf.get("/"), f"{upstream.url}/endless/x")
    first_block = asyncio.Event()

    async def consume() -> None:
        # What Django's ASGI handler does until the client disconnects.
        async for _ in response:
            first_block.set()

    task = asyncio.ensure_future(consume())
    await first_block.wait()
    task.cancel()  # Django cancels the response task on http.disconnect
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await asyncio.to_thread(upstream.hung_up.wait, 10)
