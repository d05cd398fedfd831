"""Garbage in conditional and Range headers, through the whole stack: never a 500.

Every value a client can put in If-Match, If-None-Match, If-Modified-Since,
If-Unmodified-Since, If-Range and Range reaches the engine through Django's
request handling; whatever they hold, the answer is one of the statuses
RFC 9110 allows for a GET of an existing file.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from django.http import StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.test import AsyncClient, Client, override_settings
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.urls_hardening import CONFINED

pytestmark = pytest.mark.urls("tests.urls_hardening")

HEADERS = ("If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since", "If-Range", "Range")
# What a server hands Django: header bytes decoded as Latin-1 (PEP 3333).
LATIN_1 = st.characters(max_codepoint=255, exclude_characters="\r\n")
VALUES = st.one_of(
    st.text(alphabet=LATIN_1, max_size=60),
    st.sampled_from(
        [
            "*",
            '"',
            'W/"',
            '"a", *, W/"b"',
            ",,,",
            "Sun, 06 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 99999 08:49:37 GMT",
            "Mon, 32 Foo 2024 99:99:99 GMT",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
            "-1",
            "1e308",
            "bytes=0-0",
            "bytes=-1",
            "bytes=9999999999999999999999-",
            "bytes=0-0,0-0,0-0",
        ]
    ),
)
PATHS = [*(prefix + "inside.txt" for prefix in CONFINED.values()), "/hardening/generated.bin"]
ALLOWED = {200, 206, 304, 412, 416}


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("conditionals")
    (root / "inside.txt").write_bytes(b"inside\n" * 100)
    return root


@pytest.mark.parametrize("path", PATHS)
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=150, deadline=None)
@given(headers=st.dictionaries(st.sampled_from(HEADERS), VALUES, min_size=1))
@example(headers={"If-Modified-Since": "Sun, 06 Nov 99999 08:49:37 GMT"})
@example(headers={"If-Unmodified-Since": "Mon, 01 Jan 0001 00:00:00 GMT"})
@example(headers={"If-None-Match": '"unterminated'})
@example(headers={"If-Range": "Sun, 06 Nov 1994 08:49:37 +9999", "Range": "bytes=0-0"})
def test_garbage_conditional_headers_never_give_a_500(root: Path, path: str, headers: dict[str, str]) -> None:
    client = Client(raise_request_exception=True)
    with override_settings(HARDENING_ROOT=str(root)):
        response = client.get(path, headers=headers)
        response.close()
    assert response.status_code in ALLOWED


@pytest.mark.parametrize("path", PATHS)
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=60, deadline=None)
@given(headers=st.dictionaries(st.sampled_from(HEADERS), VALUES, min_size=1))
@example(headers={"Range": "bytes=0-0,2-2,-1", "If-Range": "Sun, 06 Nov 99999 08:49:37 GMT"})
def test_garbage_conditional_headers_under_asgi_never_give_a_500(
    root: Path, path: str, headers: dict[str, str]
) -> None:
    """The same through Django's ASGI handler, where bodies are async iterators."""

    async def fetch() -> tuple[int, bytes]:
        response: HttpResponseBase = await AsyncClient(raise_request_exception=True).get(
            path, headers=headers
        )
        body = b""
        if isinstance(response, StreamingHttpResponse) and response.is_async:
            body = b"".join([chunk async for chunk in response])
        elif isinstance(response, StreamingHttpResponse):
            # The test client empties a 304's body with a sync list, as
            # conditional_content_removal() does for every streaming 304.
            body = b"".join(response)
        response.close()
        return response.status_code, body

    with override_settings(HARDENING_ROOT=str(root)):
        status, body = asyncio.run(fetch())
    assert status in ALLOWED
    assert status != 206 or len(body) > 0
