"""Reading a download response back: its body, its Content-Disposition, its handover header.

What :mod:`dlshortcuts.testing` asserts on, usable on its own: every kind of
response (plain, streaming, async-streaming, handed over to the web server)
read the same way, and closed without side effects.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from asgiref.sync import async_to_sync
from django.core.signals import request_finished
from django.db import close_old_connections
from django.http import StreamingHttpResponse
from django.http.response import HttpResponseBase

from dlshortcuts.offload.backends import BACKENDS

#: Every web server's handover header, each once (Apache and lighttpd share X-Sendfile).
HANDOVER_HEADERS = tuple(dict.fromkeys(backend.header for backend in BACKENDS.values()))

_FILENAME_STAR = re.compile(r";\s*filename\*\s*=\s*(?P<charset>[\w-]+)'[^']*'(?P<value>[^;\s]*)", re.I)
_FILENAME = re.compile(r';\s*filename\s*=\s*(?:"(?P<quoted>(?:[^"\\]|\\.)*)"|(?P<token>[^;\s]+))', re.I)


def handover_header(response: HttpResponseBase) -> tuple[str, str] | None:
    """The handover header and its value, when the response hands the file to the web server.

    :param response: any response.
    :returns: ``("X-Accel-Redirect", "/_protected/a.pdf")`` and the like
        (``X-Sendfile``, ``X-LiteSpeed-Location``), or None.
    """
    for header in HANDOVER_HEADERS:
        value = response.headers.get(header)
        if value is not None:
            return header, value
    return None


def close_response(response: HttpResponseBase) -> None:
    """Close ``response`` (and the file behind it) as the server would when done with it.

    :param response: any response; closing twice is harmless.
    """
    # Closing a response sends request_finished, whose close_old_connections
    # would close the database connection inside the test's transaction.
    # Django's test client unhooks it the same way; it is hooked back only if
    # it was hooked before (a test suite may have replaced it).
    was_connected = request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        if was_connected:
            request_finished.connect(close_old_connections)


async def _drain(response: StreamingHttpResponse) -> bytes:
    return b"".join([chunk async for chunk in response])


def read_body(response: HttpResponseBase) -> bytes:
    """The bytes the client would receive: the body, or for a handover the file itself.

    A sync stream is joined, an async one drained in a private event loop (so
    not from a running loop: use ``sync_to_async``). It does not close the response.

    :param response: any response.
    :raises AssertionError: for a handover that does not say which file it hands over.
    """
    if handover_header(response) is not None:
        return _offloaded_bytes(response)
    if isinstance(response, StreamingHttpResponse):
        if response.is_async:
            return async_to_sync(_drain)(response)
        return b"".join(response.streaming_content)  # type: ignore[arg-type]
    return bytes(getattr(response, "content", b""))


def _offloaded_bytes(response: HttpResponseBase) -> bytes:
    download = getattr(response, "download", None)
    if download is not None and download.path is not None:
        with open(download.path, "rb") as file:
            return file.read()
    if download is not None and download.storage is not None and download.name is not None:
        with download.storage.open(download.name, "rb") as file:
            data: bytes = file.read()
            return data
    raise AssertionError(
        "The response hands its file to the web server and does not say which file "
        "(no response.download with a path or a storage name): its content cannot be checked."
    )


def parse_disposition(response: HttpResponseBase) -> tuple[str | None, str | None]:
    """The Content-Disposition type and file name (``filename*`` preferred, RFC 6266 §4.3).

    :param response: any response.
    :returns: ``("attachment", "naïve résumé.pdf")``; None for what the
        header does not say (both None without the header).
    """
    header = response.headers.get("Content-Disposition")
    if header is None:
        return None, None
    kind = header.split(";", 1)[0].strip().lower()
    star = _FILENAME_STAR.search(header)
    if star is not None:
        return kind, unquote(star["value"], encoding=star["charset"], errors="replace")
    plain = _FILENAME.search(header)
    if plain is None:
        return kind, None
    if plain["quoted"] is not None:
        return kind, re.sub(r"\\(.)", r"\1", plain["quoted"])
    return kind, plain["token"]
