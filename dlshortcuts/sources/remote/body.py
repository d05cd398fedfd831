"""An upstream answer's body, relayed as it came: raw bytes in blocks, never decoded.

The bytes are read from urllib3's raw response, so a ``Content-Encoding:
gzip`` body keeps its encoding and its Content-Length. Each read returns
what has arrived, up to a block, so a slow upstream's bytes are passed on
as they come instead of waiting for a block to fill. The upstream response
belongs to the Download: closing it (its owner's job) closes the connection
unless the body was read to its end, in which case urllib3 has already put
the connection back in the pool.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterator

import requests
from urllib3.exceptions import HTTPError

logger = logging.getLogger("dlshortcuts.remote")

#: The most one read takes from the upstream (and one write gives the
#: client). Every byte crosses Python twice here, so the cost per block
#: dominates: 64 KiB blocks relayed a 1 GiB file at 0.4-0.55x the upstream's
#: own rate on the benchmark machine, 1 MiB blocks at 0.7-0.95x (see
#: docs/serve_url.rst). A read returns what has arrived, so a block is often
#: smaller; memory stays one block per download.
RELAY_BLOCK_SIZE = 1024 * 1024


class UpstreamBrokenError(OSError):
    """The upstream failed mid-body: the client's connection must be cut, not ended."""


class _UpstreamReader:
    def __init__(self, response: requests.Response, url: str) -> None:
        self._response = response
        self._url = url
        self._relayed = 0

    def _read(self, size: int) -> bytes:
        try:
            block: bytes = self._response.raw.read1(size, decode_content=False)
        except (HTTPError, OSError) as error:
            # A short body ended cleanly would look complete to the client
            # (RFC 9112 §6.3): raise, so that the server cuts the connection.
            logger.warning("upstream %s failed after %d bytes: %s", self._url, self._relayed, error)
            raise UpstreamBrokenError(f"upstream failed after {self._relayed} bytes") from error
        self._relayed += len(block)
        return block


class UpstreamBody(_UpstreamReader):
    """The body for WSGI: a sync iterator of blocks of at most :data:`RELAY_BLOCK_SIZE`."""

    def __iter__(self) -> Iterator[bytes]:
        while block := self._read(RELAY_BLOCK_SIZE):
            yield block


class AsyncUpstreamBody(_UpstreamReader):
    """The body for ASGI: an async iterator whose blocking reads each run in a worker thread."""

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._blocks()

    async def _blocks(self) -> AsyncIterator[bytes]:
        loop = asyncio.get_running_loop()
        while True:
            read = loop.run_in_executor(None, self._read, RELAY_BLOCK_SIZE)
            try:
                block = await asyncio.shield(read)
            except asyncio.CancelledError:
                # The client hung up (Django cancels the task): the read goes
                # on in its thread. Closing under it (the owner does, once
                # this raises) could let urllib3 hand the connection back to
                # its pool, open: wait for it first.
                await asyncio.wait({read})
                read.exception()  # retrieved: nobody is left to receive it
                raise
            if not block:
                return
            yield block
