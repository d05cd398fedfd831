"""Remote files: fetch a URL with requests and describe the answer as a Download.

The Download is lazy: the engine fetches it (``Download.resolve``) only
once it has decided not to hand the URL over to the web server. The
client's Range and conditional fields go upstream, so the upstream's
200 / 206 / 304 / 412 / 416 is relayed as it is (``Download.status``); the engine
adds the headers it alone builds. Every failure is mapped to a status
before any byte reaches the client; every upstream response is held by the
Download, which closes it on every path.
"""

from __future__ import annotations

import functools
import http.cookiejar
import logging
import threading
from collections.abc import Sequence
from urllib.parse import urljoin, urlsplit, urlunsplit

import requests
from django.http import Http404, HttpRequest
from django.utils.http import parse_http_date_safe

from dlshortcuts.download import Download, SourceUnavailable
from dlshortcuts.engine.bodies import is_asgi
from dlshortcuts.http.disposition import FALLBACK_FILENAME
from dlshortcuts.http.environ import EnvironHeaders
from dlshortcuts.http.forwarding import (
    CONDITIONAL_HEADERS,
    RANGE_HEADERS,
    RELAYED_HEADERS,
    end_to_end,
    filename_from_disposition,
    filename_from_url,
)
from dlshortcuts.sources.remote.body import AsyncUpstreamBody, UpstreamBody
from dlshortcuts.sources.remote.policy import RefusedURLError, RemotePolicy, Timeout, check_url, url_origin

logger = logging.getLogger("dlshortcuts.remote")

#: Upstream answers relayed to the client; RFC 9110 §15.
RELAYED_STATUSES = frozenset({200, 206, 304, 412, 416})
#: Upstream answers that mean the file does not exist.
MISSING_STATUSES = frozenset({404, 410})
#: Redirects followed (when their Location is allowed); RFC 9110 §15.4.
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# Request fields that carry credentials: dropped when a redirect leaves the
# origin they were meant for, as requests itself does.
_CREDENTIALS = ("Authorization", "Cookie", "Proxy-Authorization")

_session: requests.Session | None = None
_session_lock = threading.Lock()


class UpstreamError(SourceUnavailable):
    """The upstream could not deliver: answered with ``status`` (502 or 504)."""


def default_session() -> requests.Session:
    """The process-wide session serve_url uses when it is given none.

    Created on first use (so after a server has forked its workers), never
    changed afterwards, and safe to share between threads: its connection
    pool is urllib3's, which is thread-safe, it stores no cookie (an
    upstream's cookie must never reach another user's request), and it
    ignores the environment (proxies, ``.netrc`` credentials): pass your own
    ``session`` for those.
    """
    global _session  # noqa: PLW0603 - one pool per process, created lazily
    with _session_lock:
        if _session is None:
            session = requests.Session()
            session.trust_env = False
            session.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
            adapter = requests.adapters.HTTPAdapter(pool_connections=16, pool_maxsize=32)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            _session = session
        return _session


def redact_url(url: str) -> str:
    """``url`` without credentials, query or fragment, which may hold secrets, for logs."""
    parts = urlsplit(url)
    netloc = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def remote_download(request: HttpRequest, url: str, policy: RemotePolicy, *, ranges: bool) -> Download:
    """A lazy Download of ``url``: nothing is fetched until the engine resolves it.

    The host policy applies at once, before any handover: a web server
    given the URL would make the request for us.

    :param ranges: whether the client's Range and If-Range go upstream.
    :raises TypeError: for a ``url`` that is not a string.
    :raises Http404: when ``url`` is refused.
    """
    if not isinstance(url, str):
        raise TypeError(f"serve_url() url must be a str such as 'https://example.com/a.pdf', not {url!r}")
    _check_first_url(url, policy.allowed_hosts)
    resolver = functools.partial(_fetch, request, url, policy, ranges)
    return Download(filename=filename_from_url(url) or FALLBACK_FILENAME, url=url, resolver=resolver)


def _check_first_url(url: str, allowed_hosts: Sequence[str] | None) -> None:
    try:
        check_url(url, allowed_hosts)
    except RefusedURLError as error:
        logger.warning("refused to fetch %s: %s", redact_url(url), error)
        raise Http404("The file is not available.") from None


def _fetch(request: HttpRequest, url: str, policy: RemotePolicy, ranges: bool, download: Download) -> None:
    """Fetch ``url`` for ``request`` and describe the upstream's answer in ``download``.

    GET or HEAD goes upstream as the client asks (any other method fetches
    with GET), with its Range (when ``ranges``), conditional and
    Accept-Encoding fields and those the policy forwards.

    :raises Http404: when the upstream answers 404 or 410.
    :raises UpstreamError: 502 or 504 for every other failure.
    """
    method = "HEAD" if request.method == "HEAD" else "GET"
    client = EnvironHeaders(request.META)
    names = [*CONDITIONAL_HEADERS, *(RANGE_HEADERS if ranges else ()), *policy.forward_headers]
    headers = end_to_end(client, names)
    # Raw bytes are relayed: the upstream may only use a coding the client
    # accepts, and "identity" for a client that did not say (RFC 9110 §12.5.3).
    headers["Accept-Encoding"] = client.get("Accept-Encoding") or "identity"
    session = default_session() if policy.session is None else policy.session
    target = url
    strip_credentials = False
    for hop in range(policy.max_redirects + 1):
        if hop:
            try:
                check_url(target, policy.allowed_hosts)
            except RefusedURLError as error:
                logger.warning("refused to fetch %s: %s", redact_url(target), error)
                raise UpstreamError(502) from None
        if url_origin(target) != url_origin(url):
            strip_credentials = True
            for name in _CREDENTIALS:
                headers.pop(name, None)
        response = download.hold(
            _send(session, method, target, headers, policy.timeout, strip_credentials=strip_credentials)
        )
        if response.status_code not in REDIRECT_STATUSES or "Location" not in response.headers:
            _describe(request, download, target, response, ranges=ranges)
            return
        download.release(response)
        target = urljoin(target, response.headers["Location"])
    logger.warning("gave up on %s after %d redirects", redact_url(url), policy.max_redirects)
    raise UpstreamError(502)


def _send(
    session: requests.Session,
    method: str,
    url: str,
    headers: dict[str, str],
    timeout: Timeout,
    *,
    strip_credentials: bool,
) -> requests.Response:
    """One upstream request, redirects not followed, the body not read yet."""
    prepared = session.prepare_request(requests.Request(method, url, headers=headers))
    if strip_credentials:
        # The session's own auth and cookies are applied again by prepare_request.
        for name in _CREDENTIALS:
            prepared.headers.pop(name, None)
    environment = session.merge_environment_settings(prepared.url, {}, True, None, None)
    try:
        return session.send(prepared, allow_redirects=False, timeout=timeout, **environment)
    except requests.Timeout as error:
        # Connect or read timeout before the first byte of the answer.
        logger.warning("upstream %s timed out: %s", redact_url(url), error)
        raise UpstreamError(504) from None
    except requests.RequestException as error:
        # Connection refused or reset, DNS failure, TLS failure ...
        logger.warning("upstream %s unreachable: %s", redact_url(url), error)
        raise UpstreamError(502) from None


def _describe(
    request: HttpRequest, download: Download, final_url: str, response: requests.Response, *, ranges: bool
) -> None:
    status = response.status_code
    if status not in RELAYED_STATUSES:
        # Nothing of an error body reaches the client.
        if status in MISSING_STATUSES:
            logger.info("upstream %s answered %d", redact_url(final_url), status)
            raise Http404("The file is not available.")
        logger.warning("upstream %s answered %d", redact_url(final_url), status)
        raise UpstreamError(502)
    fields = response.headers
    relayed = end_to_end(fields, RELAYED_HEADERS)
    content_type = relayed.pop("Content-Type", None)
    if content_type is not None and content_type.lower().startswith("multipart/"):
        # multipart/byteranges: its boundary must survive any content_type option.
        relayed["Content-Type"] = content_type
    last_modified = relayed.pop("Last-Modified", None)
    if not ranges:
        relayed.pop("Accept-Ranges", None)
    download.filename = (
        filename_from_disposition(fields.get("Content-Disposition"))
        or filename_from_url(final_url)
        or FALLBACK_FILENAME
    )
    download.content_type = content_type
    download.etag = relayed.pop("ETag", None)
    download.modified = None if last_modified is None else parse_http_date_safe(last_modified)
    download.status = status
    if status == 416:
        download.size = _complete_length(relayed.get("Content-Range"))
        return
    length = relayed.get("Content-Length", "")
    if status == 200 and length.isascii() and length.isdigit():
        download.size = int(length)
    download.headers = relayed
    if status in (304, 412) or request.method == "HEAD":
        # No body by definition: read the nothing left so that the
        # connection goes back to the pool.
        response.raw.drain_conn()
        return
    body = AsyncUpstreamBody if is_asgi(request) else UpstreamBody
    download.stream = body(response, redact_url(final_url))


def _complete_length(content_range: str | None) -> int | None:
    """N from ``bytes */N``, the unsatisfied-range form of RFC 9110 §14.4."""
    if content_range is None:
        return None
    unit, _, rest = content_range.partition(" ")
    length = rest.rpartition("/")[2]
    return int(length) if unit == "bytes" and length.isascii() and length.isdigit() else None
