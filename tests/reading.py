"""Reading response bodies in tests, sync and async, always closing the response.

The one body reader of the test modules (``dlshortcuts.testing.read_body`` is
the public one, for users' tests: it reads a handover's file and does not close).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import cast

from django.http.response import HttpResponseBase, StreamingHttpResponse


def read(response: HttpResponseBase, *, streaming: bool | None = None) -> bytes:
    """The whole body of a response made under WSGI (or a non-streaming one), then close it.

    :param streaming: when given, assert that the response streams (True) or not (False).
    """
    try:
        if streaming is not None:
            assert isinstance(response, StreamingHttpResponse) is streaming, f"streaming: {response!r}"
        if isinstance(response, StreamingHttpResponse):
            assert not response.is_async, "a WSGI response must have a sync body"
            return b"".join(response.streaming_content)  # type: ignore[arg-type]
        return bytes(response.content)  # type: ignore[attr-defined]
    finally:
        response.close()


async def aread(response: HttpResponseBase) -> bytes:
    """The whole body of a response made under ASGI, then close it."""
    try:
        if isinstance(response, StreamingHttpResponse):
            assert response.is_async, "an ASGI response must have an async body"
            content = cast(AsyncIterator[bytes], response.streaming_content)
            return b"".join([chunk async for chunk in content])
        return bytes(response.content)  # type: ignore[attr-defined]
    finally:
        response.close()


def consume(response: HttpResponseBase) -> bytes:
    """The whole body, under whichever protocol the response was made for, then close it."""
    if isinstance(response, StreamingHttpResponse) and response.is_async:
        return asyncio.run(aread(response))
    return read(response)
