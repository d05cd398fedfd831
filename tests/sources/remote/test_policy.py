"""What serve_url may fetch: schemes, allowed hosts, redirects, and the argument checks.

Every refusal is proven on the wire: the upstream counts zero requests.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

import pytest
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.test import RequestFactory
from pytest_django.fixtures import Settings as SettingsWrapper

from dlshortcuts import optimized_download, serve_url
from dlshortcuts.sources.remote.policy import (
    RefusedURLError,
    check_url,
    forwarded_names,
    hosts_list,
    max_redirects_count,
    timeout_pair,
)
from tests.upstream import DATA, Upstream, fetch


@pytest.mark.parametrize(
    ("url", "allowed_hosts"),
    [
        ("http://files.example.com/a.pdf", None),
        ("https://files.example.com/a.pdf", ["files.example.com"]),
        ("HTTPS://FILES.EXAMPLE.COM/a.pdf", ["files.example.com"]),
        ("https://cdn.files.example.com/a.pdf", [".example.com"]),
        ("https://example.com/a.pdf", [".example.com"]),
        ("https://anything.test/a.pdf", ["*"]),
        ("http://127.0.0.1:8123/a.pdf", ["127.0.0.1"]),
        ("http://[::1]:8123/a.pdf", ["[::1]"]),
    ],
)
def test_check_url_accepts(url: str, allowed_hosts: list[str] | None) -> None:
    check_url(url, allowed_hosts)


@pytest.mark.parametrize(
    ("url", "allowed_hosts", "reason"),
    [
        ("file:///etc/passwd", None, "no host in the URL"),
        ("file://localhost/etc/passwd", None, "scheme 'file' is not http or https"),
        ("ftp://files.example.com/a.pdf", None, "scheme 'ftp' is not http or https"),
        ("gopher://127.0.0.1:6379/_INFO", None, "scheme 'gopher' is not http or https"),
        ("//files.example.com/a.pdf", None, "scheme '' is not http or https"),
        ("/relative/a.pdf", None, "no host in the URL"),
        ("http:///a.pdf", None, "no host in the URL"),
        ("http://[::1/a.pdf", None, "malformed URL"),
        ("http://files.example.com:99999/a.pdf", None, "malformed URL"),
        ("http://evil.com/a.pdf", ["files.example.com"], "host 'evil.com' is not in allowed_hosts"),
        ("http://files.example.com.evil.com/a.pdf", ["files.example.com"], "is not in allowed_hosts"),
        ("http://evilexample.com/a.pdf", [".example.com"], "is not in allowed_hosts"),
        ("http://files.example.com@evil.com/a.pdf", ["files.example.com"], "host 'evil.com'"),
        ("http://169.254.169.254/latest/meta-data/", ["files.example.com"], "host '169.254.169.254'"),
        ("http://localhost:8123/a.pdf", ["127.0.0.1"], "host 'localhost'"),
        ("http://a.example.com/a.pdf", [], "is not in allowed_hosts"),
    ],
)
def test_check_url_refuses(url: str, allowed_hosts: list[str] | None, reason: str) -> None:
    with pytest.raises(RefusedURLError, match=reason.replace("[", r"\[")):
        check_url(url, allowed_hosts)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(5, (5.0, 5.0)), (2.5, (2.5, 2.5)), ((1, 30), (1.0, 30.0)), ([0.5, 2], (0.5, 2.0))],
)
def test_timeout_pair(value: Any, expected: tuple[float, float]) -> None:
    assert timeout_pair(value) == expected


def test_timeout_pair_names_the_setting() -> None:
    with pytest.raises(TypeError, match=r"^URL_TIMEOUT must be a positive number .*, not \(1, 2, 3\)$"):
        timeout_pair((1, 2, 3), "URL_TIMEOUT")


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        ("files.example.com", TypeError, "allowed_hosts must be a list of host names"),
        ([b"files.example.com"], TypeError, "allowed_hosts must be a list of host names"),
        (["https://files.example.com"], ValueError, "allowed_hosts holds 'https://files.example.com'"),
        (["files.example.com:8443"], ValueError, "give bare host names"),
        (["files.example.com/downloads"], ValueError, "no scheme, port or path"),
    ],
)
def test_hosts_list_refuses(value: Any, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        hosts_list(value)


def test_hosts_list_accepts() -> None:
    assert hosts_list(None) is None
    assert hosts_list(("a.example.com", ".b.example.com", "[::1]", "*")) == [
        "a.example.com",
        ".b.example.com",
        "[::1]",
        "*",
    ]


@pytest.mark.parametrize("value", [-1, 2.0, "3", True, None])
def test_max_redirects_count_refuses(value: Any) -> None:
    with pytest.raises(TypeError, match=f"URL_MAX_REDIRECTS must be a non-negative int, not {value!r}"):
        max_redirects_count(value)


def test_forwarded_names() -> None:
    assert forwarded_names(None) == ()
    assert forwarded_names(name for name in ["Authorization", "X-Tenant"]) == ("Authorization", "X-Tenant")


# -- on the wire ---------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "ftp://127.0.0.1:{port}/files/report.pdf",
        "gopher://127.0.0.1:{port}/files/report.pdf",
        "file://127.0.0.1:{port}/files/report.pdf",
        "http://localhost:{port}/files/report.pdf",
    ],
)
def test_refused_url_is_404_without_any_request(
    rf: RequestFactory, upstream: Upstream, url: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, "dlshortcuts"), pytest.raises(Http404):
        serve_url(rf.get("/"), url.format(port=upstream.port), allowed_hosts=["127.0.0.1"])
    assert (upstream.requests, upstream.connections) == ([], 0)
    assert caplog.messages[0].startswith(f"refused to fetch {url.format(port=upstream.port)}: ")


def test_allowed_hosts_setting_refuses_without_any_request(
    rf: RequestFactory, upstream: Upstream, settings: SettingsWrapper
) -> None:
    settings.DLSHORTCUTS = {"URL_ALLOWED_HOSTS": ["files.example.com"]}
    with pytest.raises(Http404):
        serve_url(rf.get("/"), f"{upstream.url}/files/report.pdf")
    assert (upstream.requests, upstream.connections) == ([], 0)


def test_allowed_hosts_argument_wins_over_the_setting(
    rf: RequestFactory, upstream: Upstream, settings: SettingsWrapper
) -> None:
    settings.DLSHORTCUTS = {"URL_ALLOWED_HOSTS": ["files.example.com"]}
    response, body = fetch(rf.get("/"), f"{upstream.url}/files/report.pdf", allowed_hosts=["127.0.0.1"])
    assert (response.status_code, body) == (200, DATA)


def redirect(upstream: Upstream, to: str, status: int = 302) -> str:
    return f"{upstream.url}/redirect/x?status={status}&to={quote(to, safe='')}"


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_redirect_to_another_allowed_host_is_followed(
    rf: RequestFactory, upstream: Upstream, other_upstream: Upstream, status: int
) -> None:
    target = f"http://localhost:{other_upstream.port}/files/report.pdf"
    response, body = fetch(
        rf.get("/"), redirect(upstream, target, status), allowed_hosts=["127.0.0.1", "localhost"]
    )
    assert (response.status_code, body) == (200, DATA)
    # Named after where the bytes came from, as a browser would.
    assert response.headers["Content-Disposition"] == 'attachment; filename="report.pdf"'
    assert [seen.path for seen in other_upstream.requests] == ["/files/report.pdf"]


def test_relative_redirect_is_followed(rf: RequestFactory, upstream: Upstream) -> None:
    response, body = fetch(rf.get("/"), redirect(upstream, "/files/report.pdf"))
    assert (response.status_code, body) == (200, DATA)


def test_head_follows_redirects_with_head(rf: RequestFactory, upstream: Upstream) -> None:
    response, _ = fetch(rf.head("/"), redirect(upstream, "/files/report.pdf", 303))
    assert response.status_code == 200
    assert [seen.method for seen in upstream.requests] == ["HEAD", "HEAD"]


@pytest.mark.parametrize(
    "target",
    ["http://localhost:{port}/files/report.pdf", "file:///etc/passwd", "gopher://127.0.0.1:{port}/x"],
)
def test_redirect_to_a_refused_url_is_502_without_a_request_there(
    rf: RequestFactory,
    upstream: Upstream,
    other_upstream: Upstream,
    target: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    location = target.format(port=other_upstream.port)
    with caplog.at_level(logging.WARNING, "dlshortcuts"):
        response, body = fetch(rf.get("/"), redirect(upstream, location), allowed_hosts=["127.0.0.1"])
    assert (response.status_code, body) == (502, b"")
    assert (other_upstream.requests, other_upstream.connections) == ([], 0)
    assert caplog.messages[0].startswith("refused to fetch ")


@pytest.mark.parametrize("limit", [0, 1, 3])
def test_redirects_are_followed_a_bounded_number_of_times(
    rf: RequestFactory,
    upstream: Upstream,
    settings: SettingsWrapper,
    limit: int,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings.DLSHORTCUTS = {"URL_MAX_REDIRECTS": limit}
    with caplog.at_level(logging.WARNING, "dlshortcuts"):
        response, _ = fetch(rf.get("/"), f"{upstream.url}/loop/0")
    assert response.status_code == 502
    assert [seen.path for seen in upstream.requests] == [f"/loop/{n}" for n in range(limit + 1)]
    assert caplog.messages == [f"gave up on {upstream.url}/loop/0 after {limit} redirects"]


def test_default_redirect_limit_is_five(rf: RequestFactory, upstream: Upstream) -> None:
    response, _ = fetch(rf.get("/"), f"{upstream.url}/loop/0")
    assert response.status_code == 502
    assert len(upstream.requests) == 6


def test_credentials_do_not_follow_a_redirect_to_another_origin(
    rf: RequestFactory, upstream: Upstream, other_upstream: Upstream
) -> None:
    request = rf.get("/", headers={"Authorization": "Bearer secret", "X-Tenant": "acme"})
    target = f"{other_upstream.url}/files/report.pdf"
    fetch(request, redirect(upstream, target), forward_headers=["Authorization", "X-Tenant"])
    assert upstream.requests[0].headers["Authorization"] == "Bearer secret"
    assert "Authorization" not in other_upstream.requests[0].headers
    assert other_upstream.requests[0].headers["X-Tenant"] == "acme"


def test_credentials_follow_a_redirect_on_the_same_origin(rf: RequestFactory, upstream: Upstream) -> None:
    request = rf.get("/", headers={"Authorization": "Bearer secret"})
    fetch(request, redirect(upstream, "/files/report.pdf"), forward_headers=["Authorization"])
    assert [seen.headers["Authorization"] for seen in upstream.requests] == ["Bearer secret"] * 2


def test_offloaded_url_is_handed_to_the_web_server_without_any_request(
    rf: RequestFactory, upstream: Upstream
) -> None:
    @optimized_download(
        backend="nginx", locations=[{"source_url": f"{upstream.url}/files/", "url": "/_remote/"}]
    )
    def view(request: HttpRequest) -> HttpResponseBase:
        return serve_url(request, f"{upstream.url}/files/report%202026.pdf", allowed_hosts=["127.0.0.1"])

    response = view(rf.get("/", HTTP_RANGE="bytes=0-9"))
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == "/_remote/report%202026.pdf"
    assert response["Content-Disposition"] == 'attachment; filename="report 2026.pdf"'
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response) == b""
    assert (upstream.requests, upstream.connections) == ([], 0)


def test_offloaded_url_still_obeys_allowed_hosts(rf: RequestFactory, upstream: Upstream) -> None:
    @optimized_download(backend="nginx", locations=[{"source_url": f"{upstream.url}/", "url": "/_remote/"}])
    def view(request: HttpRequest) -> HttpResponseBase:
        return serve_url(request, f"{upstream.url}/files/report.pdf", allowed_hosts=["files.example.com"])

    with pytest.raises(Http404):
        view(rf.get("/"))
    assert (upstream.requests, upstream.connections) == ([], 0)


def test_url_outside_every_location_is_fetched_here(rf: RequestFactory, upstream: Upstream) -> None:
    @optimized_download(
        backend="nginx", locations=[{"source_url": "https://elsewhere.example/", "url": "/_r/"}]
    )
    def view(request: HttpRequest) -> HttpResponseBase:
        return serve_url(request, f"{upstream.url}/files/report.pdf", allowed_hosts=["127.0.0.1"])

    response = view(rf.get("/"))
    assert "X-Accel-Redirect" not in response
    assert b"".join(response) == DATA
    response.close()
    assert len(upstream.requests) == 1


@pytest.mark.parametrize("name", ["Cookie", "cookie"])
def test_forwarded_cookie_does_not_follow_a_redirect_to_another_origin(
    rf: RequestFactory, upstream: Upstream, other_upstream: Upstream, name: str
) -> None:
    # A session cookie is a credential as Authorization is, whatever the spelling it was named with.
    request = rf.get("/", headers={"Cookie": "sessionid=secret", "X-Tenant": "acme"})
    target = f"{other_upstream.url}/files/report.pdf"
    response, body = fetch(request, redirect(upstream, target), forward_headers=[name, "X-Tenant"])
    assert (response.status_code, body) == (200, DATA)
    assert upstream.requests[0].headers[name] == "sessionid=secret"
    assert {key.lower() for key in other_upstream.requests[0].headers} & {"cookie"} == set()
    assert other_upstream.requests[0].headers["X-Tenant"] == "acme"
    assert [seen.path for seen in other_upstream.requests] == ["/files/report.pdf"]


def test_forwarded_cookie_follows_a_redirect_on_the_same_origin(
    rf: RequestFactory, upstream: Upstream
) -> None:
    request = rf.get("/", headers={"Cookie": "sessionid=secret"})
    fetch(request, redirect(upstream, "/files/report.pdf"), forward_headers=["Cookie"])
    assert [seen.headers["Cookie"] for seen in upstream.requests] == ["sessionid=secret"] * 2
