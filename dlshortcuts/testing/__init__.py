"""Assertions and a temporary MEDIA_ROOT for a project's own download tests.

They read what a download response says (status, Content-Disposition,
Content-Type, the body, the web-server handover headers) whatever kind of
response it is: a plain ``HttpResponse``, a streaming or async-streaming
``DownloadResponse``, or an empty handover made by ``@optimized_download``.
Every failure says what was expected and what came. The readers they use
(:func:`read_body`, :func:`parse_disposition`, :func:`handover_header`,
:func:`close_response`) serve on their own as well.
"""

from __future__ import annotations

from dlshortcuts.testing.assertions import NOT_GIVEN, NotGiven, assert_download, assert_offloaded
from dlshortcuts.testing.media import temporary_media_root
from dlshortcuts.testing.reading import close_response, handover_header, parse_disposition, read_body

__all__ = [
    "NOT_GIVEN",
    "NotGiven",
    "assert_download",
    "assert_offloaded",
    "close_response",
    "handover_header",
    "parse_disposition",
    "read_body",
    "temporary_media_root",
]
