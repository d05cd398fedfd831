"""serve_url against a real upstream on loopback: relaying, errors, forgery, closing."""

from __future__ import annotations

import gzip
import logging
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests
from django.http import Http404
from django.test import AsyncRequestFactory, RequestFactory

from dlshortcuts import aserve_url, serve_url
from dlshortcuts.sources.remote.fetch import default_session, redact_url
from tests.servers import free_port
from tests.upstream import (
    BOUNDARY,
    DATA,
    ERROR_BODY,
    ETAG,
    LAST_MODIFIED,
    Upstream,
    fetch,
    full_backlog,
    multipart_body,
    serve_upstream,
    silent_server,
)

TEXT = b"id,name\n" + b"".join(b"%d,row %d\n" % (n, n) for n in range(20_000))


@pytest.fixture
def upstream() -> Iterator[Upstream]:
    """Here the upstream serves a text file too, for compressed and chunked bodies."""
    with serve_upstream({"report.pdf": DATA, "notes.txt": TEXT}) as server:
        yield server


def test_relays_whole_file_with_upstream_validators(rf: RequestFactory, upstream: Upstream) -> None:
    response, body = fetch(rf.get("/"), f"{upstream.url}/files/report.pdf")
    assert response.status_code == 200
    assert body == DATA
    assert dict(response.headers) == {
        "Content-Type": "application/pdf",
        "Content-Disposition": 'attachment; filename="report.pdf"',
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-cache",
        "Last-Modified": LAST_MODIFIED,
        "ETag": ETAG,
        "Accept-Ranges": "bytes",
        "Content-Length": str(len(DATA)),
    }
    assert [(seen.method, seen.path) for seen in upstream.requests] == [("GET", "/files/report.pdf")]


def test_download_keeps_the_url_and_the_upstream_status(rf: RequestFactory, upstream: Upstream) -> None:
    url = f"{upstream.url}/files/report.pdf"
    response = serve_url(rf.get("/"), url)
    response.close()
    assert response.download.url == url
    assert response.download.status == 200
    assert response.download.size == len(DATA)


def test_range_is_forwarded_and_206_relayed(rf: RequestFactory, upstream: Upstream) -> None:
    response, body = fetch(rf.get("/", HTTP_RANGE="bytes=10-19"), f"{upstream.url}/files/report.pdf")
    assert response.status_code == 206
    assert body == DATA[10:20]
    assert response.headers["Content-Range"] == f"bytes 10-19/{len(DATA)}"
    assert response.headers["Content-Length"] == "10"
    assert response.headers["Content-Disposition"] == 'attachment; filename="report.pdf"'
    assert upstream.requests[0].headers["Range"] == "bytes=10-19"


def test_if_range_is_forwarded_and_a_changed_file_comes_whole(rf: RequestFactory, upstream: Upstream) -> None:
    request = rf.get("/", HTTP_RANGE="bytes=10-19", HTTP_IF_RANGE='"v0"')
    response, body = fetch(request, f"{upstream.url}/files/report.pdf")
    assert response.status_code == 200
    assert body == DATA
    assert upstream.requests[0].headers["If-Range"] == '"v0"'


def test_ranges_false_forwards_no_range(rf: RequestFactory, upstream: Upstream) -> None:
    request = rf.get("/", HTTP_RANGE="bytes=10-19", HTTP_IF_RANGE=ETAG)
    response, body = fetch(request, f"{upstream.url}/files/report.pdf", ranges=False)
    assert response.status_code == 200
    assert body == DATA
    assert response.headers["Accept-Ranges"] == "none"
    assert "Range" not in upstream.requests[0].headers
    assert "If-Range" not in upstream.requests[0].headers


@pytest.mark.parametrize(("name", "value"), [("If-None-Match", ETAG), ("If-Modified-Since", LAST_MODIFIED)])
def test_304_is_relayed_with_validators_only(
    rf: RequestFactory, upstream: Upstream, name: str, value: str
) -> None:
    response, body = fetch(rf.get("/", headers={name: value}), f"{upstream.url}/files/report.pdf")
    assert response.status_code == 304
    assert body == b""
    assert dict(response.headers) == {
        "Cache-Control": "private, no-cache",
        "ETag": ETAG,
        "Last-Modified": LAST_MODIFIED,
    }
    assert upstream.requests[0].headers[name] == value


def test_416_is_relayed_without_the_upstream_body(rf: RequestFactory, upstream: Upstream) -> None:
    response, body = fetch(rf.get("/", HTTP_RANGE="bytes=999999-"), f"{upstream.url}/files/report.pdf")
    assert response.status_code == 416
    assert body == b""
    assert response.headers["Content-Range"] == f"bytes */{len(DATA)}"


def test_416_without_content_range_is_relayed_without_one(rf: RequestFactory, upstream: Upstream) -> None:
    response, body = fetch(rf.get("/", HTTP_RANGE="bytes=999999-"), f"{upstream.url}/status/416")
    assert (response.status_code, body) == (416, b"")
    assert "Content-Range" not in response.headers


def test_multipart_206_keeps_its_boundary(rf: RequestFactory, upstream: Upstream) -> None:
    request = rf.get("/", HTTP_RANGE="bytes=0-1,4-5")
    response, body = fetch(request, f"{upstream.url}/files/report.pdf", content_type="application/pdf")
    assert response.status_code == 206
    assert response.headers["Content-Type"] == f"multipart/byteranges; boundary={BOUNDARY}"
    assert body == multipart_body(DATA, "bytes=0-1,4-5")
    assert response.headers["Content-Length"] == str(len(body))


def test_gzip_body_passes_through_encoded(rf: RequestFactory, upstream: Upstream) -> None:
    request = rf.get("/", HTTP_ACCEPT_ENCODING="gzip")
    response, body = fetch(request, f"{upstream.url}/gzip/notes.txt")
    compressed = gzip.compress(TEXT, mtime=0)
    assert response.status_code == 200
    assert body == compressed
    assert response.headers["Content-Encoding"] == "gzip"
    assert response.headers["Content-Length"] == str(len(compressed))
    assert response.headers["Content-Disposition"] == 'attachment; filename="notes.txt"'
    assert upstream.requests[0].headers["Accept-Encoding"] == "gzip"


def test_a_client_silent_on_encodings_gets_identity_asked_for(rf: RequestFactory, upstream: Upstream) -> None:
    fetch(rf.get("/"), f"{upstream.url}/files/notes.txt")
    assert upstream.requests[0].headers["Accept-Encoding"] == "identity"


def test_chunked_body_without_length_streams_whole(rf: RequestFactory, upstream: Upstream) -> None:
    response, body = fetch(rf.get("/"), f"{upstream.url}/chunked/notes.txt")
    assert response.status_code == 200
    assert body == TEXT
    assert "Content-Length" not in response.headers
    assert response.headers["Content-Type"] == "text/csv"


def test_head_is_sent_upstream_as_head(rf: RequestFactory, upstream: Upstream) -> None:
    response, body = fetch(rf.head("/"), f"{upstream.url}/files/report.pdf")
    assert response.status_code == 200
    assert body == b""
    assert response.headers["Content-Length"] == str(len(DATA))
    assert response.headers["ETag"] == ETAG
    assert [seen.method for seen in upstream.requests] == ["HEAD"]


def test_post_view_fetches_with_get(rf: RequestFactory, upstream: Upstream) -> None:
    response, body = fetch(rf.post("/"), f"{upstream.url}/files/report.pdf")
    assert (response.status_code, body) == (200, DATA)
    assert [seen.method for seen in upstream.requests] == ["GET"]


def test_hop_by_hop_and_private_upstream_fields_stop_here(rf: RequestFactory, upstream: Upstream) -> None:
    response, body = fetch(rf.get("/"), f"{upstream.url}/hop/x")
    assert body == b"hop"
    assert dict(response.headers) == {
        "Content-Type": "text/plain",
        "Content-Disposition": 'attachment; filename="x"',
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-cache",
        "Accept-Ranges": "none",
        "Content-Length": "3",
    }


def test_hop_by_hop_client_fields_are_not_forwarded(rf: RequestFactory, upstream: Upstream) -> None:
    request = rf.get(
        "/",
        HTTP_CONNECTION="keep-alive, X-Trace",
        HTTP_X_TRACE="hop",
        HTTP_X_TENANT="acme",
        HTTP_KEEP_ALIVE="timeout=5",
        HTTP_TE="trailers",
        HTTP_COOKIE="sessionid=client",
    )
    fetch(request, f"{upstream.url}/files/report.pdf", forward_headers=["X-Trace", "X-Tenant"])
    seen = upstream.requests[0].headers
    assert seen["X-Tenant"] == "acme"
    assert "X-Trace" not in seen
    assert "Cookie" not in seen
    assert "TE" not in seen
    assert seen.get("Keep-Alive") is None
    assert seen["Connection"] == "keep-alive"  # requests' own, for its pool


@pytest.mark.parametrize(
    ("forward_headers", "error", "message"),
    [
        (["Connection"], ValueError, "forward_headers holds 'Connection', a hop-by-hop header"),
        (["transfer-encoding"], ValueError, "forward_headers holds 'transfer-encoding', a hop-by-hop header"),
        (["Host"], ValueError, "forward_headers holds 'Host', which describes the client's own request"),
        (["content-length"], ValueError, "forward_headers holds 'content-length', which describes"),
        ("Authorization", TypeError, "forward_headers must be a list of header names"),
        ([b"Authorization"], TypeError, "forward_headers must be a list of header names"),
    ],
)
def test_bad_forward_headers_are_refused(
    rf: RequestFactory, upstream: Upstream, forward_headers: Any, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        serve_url(rf.get("/"), f"{upstream.url}/files/report.pdf", forward_headers=forward_headers)
    assert upstream.requests == []


@pytest.mark.parametrize("status", [404, 410])
def test_upstream_missing_file_is_404(
    rf: RequestFactory, upstream: Upstream, status: int, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, "dlshortcuts"), pytest.raises(Http404) as raised:
        serve_url(rf.get("/"), f"{upstream.url}/status/{status}")
    assert "internal" not in str(raised.value)
    assert caplog.messages == [f"upstream {upstream.url}/status/{status} answered {status}"]


@pytest.mark.parametrize("status", [400, 401, 403, 405, 429, 500, 501, 503, 201, 204, 300])
def test_other_upstream_answers_are_502_without_their_body(
    rf: RequestFactory, upstream: Upstream, status: int, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, "dlshortcuts"):
        response, body = fetch(rf.get("/"), f"{upstream.url}/status/{status}")
    assert response.status_code == 502
    assert ERROR_BODY not in body
    assert "X-Internal" not in response.headers
    assert caplog.messages == [f"upstream {upstream.url}/status/{status} answered {status}"]


def test_connection_refused_is_502(rf: RequestFactory, caplog: pytest.LogCaptureFixture) -> None:
    url = f"http://127.0.0.1:{free_port()}/files/report.pdf"
    with caplog.at_level(logging.WARNING, "dlshortcuts"):
        response, body = fetch(rf.get("/"), url)
    assert (response.status_code, body) == (502, b"")
    assert caplog.messages[0].startswith(f"upstream {url} unreachable: ")


def test_dns_failure_is_502(rf: RequestFactory, caplog: pytest.LogCaptureFixture) -> None:
    # RFC 6761 §6.4: names under .invalid never resolve.
    with caplog.at_level(logging.WARNING, "dlshortcuts"):
        response, _ = fetch(rf.get("/"), "http://files.example.invalid/report.pdf", timeout=5)
    assert response.status_code == 502
    assert caplog.messages[0].startswith("upstream http://files.example.invalid/report.pdf unreachable: ")


def test_upstream_slow_to_answer_is_504(
    rf: RequestFactory, upstream: Upstream, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, "dlshortcuts"):
        response, body = fetch(rf.get("/"), f"{upstream.url}/slow-headers/x?delay=5", timeout=(2, 0.3))
    assert (response.status_code, body) == (504, b"")
    assert caplog.messages[0].startswith(f"upstream {upstream.url}/slow-headers/x timed out: ")


def test_upstream_that_never_answers_is_504(rf: RequestFactory) -> None:
    with silent_server() as port:
        response, _ = fetch(rf.get("/"), f"http://127.0.0.1:{port}/x", timeout=(2, 0.3))
    assert response.status_code == 504


def test_connect_timeout_is_504(rf: RequestFactory, caplog: pytest.LogCaptureFixture) -> None:
    with full_backlog() as port, caplog.at_level(logging.WARNING, "dlshortcuts"):
        response, _ = fetch(rf.get("/"), f"http://127.0.0.1:{port}/x", timeout=(0.3, 2))
    assert response.status_code == 504
    assert "timed out" in caplog.messages[0]


def test_client_hanging_up_closes_the_upstream_connection(rf: RequestFactory, upstream: Upstream) -> None:
    response = serve_url(rf.get("/"), f"{upstream.url}/endless/x")
    assert next(iter(response)).startswith(b"zzz")
    response.close()  # what a WSGI server does when the client has gone
    assert upstream.hung_up.wait(10)


def test_head_and_304_leave_the_connection_in_the_pool(rf: RequestFactory, upstream: Upstream) -> None:
    url = f"{upstream.url}/files/report.pdf"
    fetch(rf.head("/"), url)
    fetch(rf.get("/", HTTP_IF_NONE_MATCH=ETAG), url)
    fetch(rf.get("/"), url)
    fetch(rf.get("/"), url)
    assert len(upstream.requests) == 4
    assert upstream.connections == 1


def test_errors_and_partial_reads_do_not_return_the_connection(
    rf: RequestFactory, upstream: Upstream
) -> None:
    fetch(rf.get("/"), f"{upstream.url}/status/500")
    fetch(rf.get("/"), f"{upstream.url}/files/report.pdf")
    assert upstream.connections == 2


def test_default_session_is_shared_and_keeps_no_cookie(rf: RequestFactory, upstream: Upstream) -> None:
    assert default_session() is default_session()
    assert default_session().trust_env is False
    fetch(rf.get("/"), f"{upstream.url}/hop/x")
    fetch(rf.get("/"), f"{upstream.url}/files/report.pdf")
    assert "Cookie" not in upstream.requests[1].headers
    assert len(default_session().cookies) == 0


def test_default_session_ignores_proxy_variables(
    rf: RequestFactory, upstream: Upstream, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A proxy that does not exist: the download only works if it is ignored.
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setenv("NO_PROXY", "")
    response, body = fetch(rf.get("/"), f"{upstream.url}/files/report.pdf")
    assert (response.status_code, body) == (200, DATA)


def test_default_session_serves_threads_at_once(rf: RequestFactory, upstream: Upstream) -> None:
    url = f"{upstream.url}/files/report.pdf"
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: fetch(rf.get("/"), url), range(32)))
    assert [(response.status_code, body == DATA) for response, body in results] == [(200, True)] * 32
    assert len(upstream.requests) == 32


def test_callers_session_is_used(rf: RequestFactory, upstream: Upstream) -> None:
    with requests.Session() as session:
        session.headers["X-Api-Key"] = "k"
        response, _ = fetch(rf.get("/"), f"{upstream.url}/files/report.pdf", session=session)
    assert response.status_code == 200
    assert upstream.requests[0].headers["X-Api-Key"] == "k"


@pytest.mark.parametrize(
    ("query", "options", "expected"),
    [
        ("", {}, 'attachment; filename="report.pdf"'),
        ("", {"filename": "Q3 report.pdf"}, 'attachment; filename="Q3 report.pdf"'),
        ("?disposition=attachment;+filename=upstream.pdf", {}, 'attachment; filename="upstream.pdf"'),
        (
            "?disposition=attachment;+filename*=UTF-8''%25e2%2582%25ac.pdf;+filename=eur.pdf",
            {},
            "attachment; filename=\"_.pdf\"; filename*=UTF-8''%E2%82%AC.pdf",
        ),
        ("?disposition=inline;+filename=../../etc/passwd", {}, 'attachment; filename="passwd"'),
        (
            "?disposition=attachment;+filename=upstream.pdf",
            {"filename": "mine.pdf"},
            'attachment; filename="mine.pdf"',
        ),
        ("", {"as_attachment": False}, 'inline; filename="report.pdf"'),
    ],
)
def test_download_name(
    rf: RequestFactory, upstream: Upstream, query: str, options: dict[str, Any], expected: str
) -> None:
    response, _ = fetch(rf.get("/"), f"{upstream.url}/files/report.pdf{query}", **options)
    assert response.headers["Content-Disposition"] == expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (
            "/status/200/r%C3%A9sum%C3%A9.pdf",
            "attachment; filename=\"resume.pdf\"; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf",
        ),
        ("/status/200/", 'attachment; filename="download"'),
        ("/status/200/a%2F..%2Fb.txt", 'attachment; filename="b.txt"'),
    ],
)
def test_download_name_from_the_url(rf: RequestFactory, upstream: Upstream, path: str, expected: str) -> None:
    # /status/200/... answers 200 (with the error page as its body): enough to name it.
    response, _ = fetch(rf.get("/"), f"{upstream.url}{path}")
    assert response.headers["Content-Disposition"] == expected


def test_log_lines_carry_no_credentials_nor_query(
    rf: RequestFactory, upstream: Upstream, caplog: pytest.LogCaptureFixture
) -> None:
    url = upstream.url.replace("http://", "http://user:hunter2@") + "/status/500?signature=abc"
    with caplog.at_level(logging.WARNING, "dlshortcuts"):
        fetch(rf.get("/"), url)
    assert caplog.messages == [f"upstream {upstream.url}/status/500 answered 500"]
    assert redact_url("https://u:p@h:8443/a/b?x=1#f") == "https://h:8443/a/b"


@pytest.mark.parametrize(
    ("timeout", "message"),
    [
        (0, r"timeout must be a positive number of seconds or a \(connect, read\) pair of them, not 0"),
        (-1.5, "not -1.5"),
        ("5", "not '5'"),
        ((1,), r"not \(1,\)"),
        ((1, None), r"not \(1, None\)"),
        (float("inf"), "not inf"),
        (True, "not True"),
    ],
)
def test_bad_timeout_is_a_type_error(
    rf: RequestFactory, upstream: Upstream, timeout: Any, message: str
) -> None:
    with pytest.raises(TypeError, match=message):
        serve_url(rf.get("/"), f"{upstream.url}/files/report.pdf", timeout=timeout)
    assert upstream.requests == []


def test_non_string_url_and_unknown_option_are_type_errors(rf: RequestFactory) -> None:
    with pytest.raises(TypeError, match="serve_url\\(\\) url must be a str"):
        serve_url(rf.get("/"), b"http://127.0.0.1/x")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="serve_url\\(\\) got an unexpected keyword argument 'follow'"):
        serve_url(rf.get("/"), "http://127.0.0.1/x", follow=True)  # type: ignore[call-arg]


# -- async views (ASGI requests) -------------------------------------------------


async def test_async_view_maps_errors(async_rf: AsyncRequestFactory, upstream: Upstream) -> None:
    with pytest.raises(Http404):
        await aserve_url(async_rf.get("/"), f"{upstream.url}/status/404")
    response = await aserve_url(async_rf.get("/"), f"{upstream.url}/status/500")
    assert response.status_code == 502


@pytest.mark.parametrize(("name", "value"), [("If-Match", ETAG), ("If-Unmodified-Since", LAST_MODIFIED)])
def test_if_match_and_if_unmodified_since_go_upstream(
    rf: RequestFactory, upstream: Upstream, name: str, value: str
) -> None:
    # A resumed download is never glued to another version of the file: the
    # upstream evaluates the client's preconditions (RFC 9110 §13.2.1).
    request = rf.get("/", headers={name: value, "Range": "bytes=10-19"})
    response, body = fetch(request, f"{upstream.url}/files/report.pdf")
    assert (response.status_code, body) == (206, DATA[10:20])
    assert upstream.requests[0].headers[name] == value


def test_412_from_upstream_is_relayed_without_its_body(rf: RequestFactory, upstream: Upstream) -> None:
    request = rf.get("/", headers={"If-Match": '"another-version"'})
    response, body = fetch(request, f"{upstream.url}/status/412")
    assert (response.status_code, body) == (412, b"")
    assert ERROR_BODY not in body
    assert "X-Internal" not in response.headers
    assert upstream.requests[0].headers["If-Match"] == '"another-version"'
