"""The response every shortcut returns, whatever its status: it remembers its Download.

Releasing the Download's resources is this class's to do, on every path:
when the server closes the response (after the last byte, or a client
disconnect) and, under ASGI, as soon as the body's iterator is closed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from django.http import StreamingHttpResponse

from dlshortcuts.download import Download
from dlshortcuts.engine.bodies import BLOCK_SIZE, FileSlice


class DownloadResponse(StreamingHttpResponse):
    """A streaming response that remembers what it serves, whatever its status.

    :ivar download: the :class:`~dlshortcuts.download.Download` behind the answer.
    :ivar file_to_stream: under WSGI, the file slice the server may
        ``sendfile(2)``; None otherwise.
    """

    block_size = BLOCK_SIZE  # read by Django's WSGIHandler for wsgi.file_wrapper
    file_to_stream: FileSlice | None = None

    def __init__(self, download: Download, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.download = download

    async def __aiter__(self) -> AsyncIterator[bytes]:
        # Django's ASGI handler reads the body through aclosing(aiter(response))
        # but, when the client disconnects or the body raises, cancels the
        # request task and never calls close(): release the download as soon
        # as this iterator is closed.
        try:
            async for part in super().__aiter__():
                yield part
        finally:
            self.download.close()

    def close(self) -> None:
        # Django calls this when the server is done with the response, after
        # the last byte or after a client disconnect.
        try:
            if self.file_to_stream is not None:
                # The server may have sendfile(2)'d it without reading: check now.
                self.file_to_stream.ensure_complete()
        finally:
            try:
                self.download.close()
            finally:
                super().close()
