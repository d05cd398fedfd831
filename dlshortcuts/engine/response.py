"""The response every shortcut returns, whatever its status: it remembers its Download.

Releasing the Download's resources is this class's to do, on every path:
when the server closes the response (after the last byte, or a client
disconnect) and, under ASGI, as soon as the body's iterator is closed. So is
telling the ``download_finished`` receivers (:mod:`dlshortcuts.signals`) what
was delivered, exactly once, just before releasing:

- WSGI: when the server calls :meth:`DownloadResponse.close` (PEP 3333: once).
  A part of the body counts as sent once the server asks for the next one
  (it has written the previous one); under ``wsgi.file_wrapper`` the
  :class:`~dlshortcuts.engine.bodies.FileSlice` counts what the server read
  or where ``socket.sendfile`` stopped.
- ASGI: when the body's async iterator ends or is closed (Django's handler
  does not call ``close()`` when the body raises).
- No body (304, 412, 416, HEAD, a redirect): 0 bytes, complete.
- Offloaded (a handover header, pathsend): ``bytes_sent`` and ``complete``
  are None, only the web server knows them.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any, cast

from asgiref.sync import sync_to_async
from django.dispatch import Signal
from django.http import HttpRequest, StreamingHttpResponse

from dlshortcuts.download import Download
from dlshortcuts.engine.bodies import BLOCK_SIZE, FileSlice, empty_async, is_asgi
from dlshortcuts.signals import download_finished, download_started

logger = logging.getLogger("dlshortcuts.signals")


class DownloadResponse(StreamingHttpResponse):
    """A streaming response that remembers what it serves, whatever its status.

    :ivar download: the :class:`~dlshortcuts.download.Download` behind the answer.
    :ivar file_to_stream: under WSGI, the file slice the server may
        ``sendfile(2)``; None otherwise.
    :ivar offloaded: True when a web server sends the bytes (a handover header).
    """

    block_size = BLOCK_SIZE  # read by Django's WSGIHandler for wsgi.file_wrapper
    file_to_stream: FileSlice | None = None
    offloaded = False

    def __init__(
        self, download: Download, *args: Any, request: HttpRequest | None = None, **kwargs: Any
    ) -> None:
        if not args and "streaming_content" not in kwargs:
            # Empty until the engine attaches a body; under ASGI an async one, or Django warns.
            args = (empty_async() if request is not None and is_asgi(request) else (),)
        super().__init__(*args, **kwargs)
        self.download = download
        # Not "request": Django's test client sets that to a dict on its responses.
        self._download_request = request
        self._has_body = False
        self._finished = False
        # Counting costs a request nothing when nobody listens (issue 14):
        # decided once, here.
        self._counting = listened(download_finished)
        self._generation = 0
        self._counted = False
        self._sent = 0
        self._exhausted = False

    def begin(self, has_body: bool, *, delete_when_done: bool = False) -> None:
        """Called once by the engine when the answer is decided, before it is returned.

        With a body, ``download_started`` is sent; without one, the
        Download is released at once. ``delete_when_done`` (the option)
        makes the Download delete its file when released.

        :raises ValueError: for ``delete_when_done`` when a web server is to
            send the file after Django has answered (it would find the file
            gone), or when there is no file to delete.
        """
        if delete_when_done:
            if self.offloaded:
                raise ValueError(
                    "delete_when_done=True cannot be used when the web server sends the file "
                    f"({self.download.filename!r} is handed over by @optimized_download or the "
                    "middleware): it would be deleted before the web server reads it. Write files "
                    "made for one download outside the offload locations, or drop delete_when_done."
                )
            self.download.delete_on_close()
        self._has_body = has_body
        if not has_body:
            self.download.close()
        elif listened(download_started):
            _send(
                download_started, self, request=self._download_request, download=self.download, response=self
            )

    @property
    def streaming_content(self) -> Any:
        """The body, counted for ``download_finished`` when it has receivers."""
        content = super().streaming_content
        if not self._counting:
            return content
        # A consumer may wrap the body and set it back (Django's test client,
        # GZipMiddleware): only the outermost, latest wrapper counts.
        self._generation += 1
        if self.is_async:
            return self._acount(cast(AsyncIterator[bytes], content), self._generation)
        return self._count(cast(Iterator[bytes], content), self._generation)

    @streaming_content.setter
    def streaming_content(self, value: Any) -> None:
        # What StreamingHttpResponse's own setter calls (absent from django-stubs).
        self._set_streaming_content(value)  # type: ignore[attr-defined]

    def _count(self, parts: Iterator[bytes], generation: int) -> Iterator[bytes]:
        self._counted = True
        for part in parts:
            yield part
            # Resumed: the consumer wrote the part and asks for the next.
            if generation == self._generation:
                self._sent += len(part)
        self._exhausted = True

    async def _acount(self, parts: AsyncIterator[bytes], generation: int) -> AsyncIterator[bytes]:
        self._counted = True
        async for part in parts:
            yield part
            if generation == self._generation:
                self._sent += len(part)
        self._exhausted = True

    def delivered(self) -> tuple[int | None, bool | None]:
        """``(bytes_sent, complete)`` so far, as ``download_finished`` reports them."""
        if self.offloaded:
            return None, None
        if not self._has_body:
            return 0, True
        if self._counted:
            return self._sent, self._exhausted
        if self.file_to_stream is not None:
            # Handed to wsgi.file_wrapper: the slice knows what the server took.
            return self.file_to_stream.delivered()
        return 0, False  # the server never asked for the body

    async def __aiter__(self) -> AsyncIterator[bytes]:
        # Django's ASGI handler reads the body through aclosing(aiter(response))
        # but, when the body raises, never calls close(): report and release
        # the download as soon as this iterator is closed.
        try:
            async for part in super().__aiter__():
                yield part
        finally:
            try:
                if self._counting and not self._finished:
                    # Receivers may use the ORM: not on the event loop.
                    await sync_to_async(self._finish)()
            finally:
                self.download.close()

    def close(self) -> None:
        # Django calls this when the server is done with the response, after
        # the last byte or after a client disconnect.
        try:
            if self.file_to_stream is not None:
                self.file_to_stream.forget_closer()
                # The server may have sendfile(2)'d it without reading: check now.
                self.file_to_stream.ensure_complete()
        finally:
            try:
                self._finish()
            finally:
                try:
                    self.download.close()
                finally:
                    super().close()

    def _finish(self) -> None:
        if not self._finished:
            bytes_sent, complete = self.delivered()
            report_finished(self, bytes_sent=bytes_sent, complete=complete, offloaded=self.offloaded)


def report_finished(
    response: DownloadResponse, *, bytes_sent: int | None, complete: bool | None, offloaded: bool
) -> None:
    """Send ``download_finished`` for ``response``, once: later calls (and its close()) send nothing.

    The response reports itself when the server closes it or, under ASGI,
    when its body iterator ends. A handler that sends the body another way
    reports first, e.g. an ASGI handler that sent the file with
    ``http.response.pathsend`` (the server reads the file itself)::

        await sync_to_async(report_finished)(response, bytes_sent=None, complete=None, offloaded=True)
        await sync_to_async(response.close)()

    Receivers may use the ORM: call it from sync code, or through
    ``sync_to_async`` as above. A receiver that raises is logged on
    ``dlshortcuts.signals``.

    :param bytes_sent: body bytes handed to the server, or None when unknown
        (always None when ``offloaded``).
    :param complete: True when the whole body was sent, or None when unknown.
    :param offloaded: True when a web server sent the bytes.
    """
    if response._finished:
        return
    response._finished = True
    if listened(download_finished):
        _send(
            download_finished,
            response,
            request=response._download_request,
            download=response.download,
            response=response,
            status=response.status_code,
            bytes_sent=bytes_sent,
            complete=complete,
            offloaded=offloaded,
        )


def listened(signal: Signal) -> bool:
    """Whether ``signal`` has a live receiver: what a download checks three times.

    An empty ``receivers`` list answers without ``has_listeners()``'s lock
    (0.05 us instead of 0.5 us a check, seen with Django 5.2).
    """
    return bool(signal.receivers) and signal.has_listeners()


def _send(signal: Signal, response: DownloadResponse, /, **arguments: Any) -> None:
    """``signal.send_robust``: a receiver that raises is logged, the download goes on."""
    for receiver, result in signal.send_robust(sender=DownloadResponse, **arguments):
        if isinstance(result, Exception):
            logger.error(
                "a download signal receiver %r raised for %r",
                receiver,
                response.download.filename,
                exc_info=result,
            )
