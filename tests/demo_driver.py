"""Drive the demo project with Django's test client, in a process of its own.

The demo has its own settings (admin, sessions, its models) that cannot share
a process with the test settings, so ``tests/test_demo.py`` runs this module
as ``python -m tests.demo_driver`` with ``DJANGO_SETTINGS_MODULE=demo.settings``
and a temporary ``DEMO_VAR_DIR``. It reads a JSON list of requests on stdin
(``method``, ``path``, optional ``headers`` and form ``data``), sends them in
order through one client (so a login carries over), and writes a JSON list of
responses (``status``, ``headers``, base64 ``body``) on stdout.

The proxied download fetches a URL of the demo itself with a real HTTP
request, which the test client cannot answer; so the demo is also served on a
free loopback port for the whole run, and a request marked ``"live": true``
goes through the client with that address as its Host, which is where the
view sends its upstream request. A request with ``"signed": SECONDS`` has
its path signed with :func:`dlshortcuts.signed_url` first, as the home page
does.
"""

from __future__ import annotations

import base64
import io
import json
import logging
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
from django.core.wsgi import get_wsgi_application
from django.test import Client
from django.test.utils import setup_test_environment

from dlshortcuts import signed_url
from dlshortcuts.sources.remote.fetch import default_session

# Seconds to wait for the live server's thread to stop.
STOP_TIMEOUT = 10


@contextmanager
def live_server(application: WSGIHandler) -> Iterator[str]:
    """Serve ``application`` on 127.0.0.1 on a free port; yield its ``host:port``."""
    server = ThreadedWSGIServer(("127.0.0.1", 0), WSGIRequestHandler, allow_reuse_address=False)
    server.set_app(application)
    thread = threading.Thread(target=server.serve_forever, name="demo-live-server")
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_port}"
    finally:
        # The pooled upstream connections first, so that no handler thread
        # is left waiting for a next request on a kept-alive one.
        default_session().close()
        server.shutdown()
        server.server_close()
        thread.join(STOP_TIMEOUT)


def respond(client: Client, request: dict[str, Any], live_host: str) -> dict[str, Any]:
    """Send one request; read the whole body and close the response."""
    method, path, headers = request["method"], request["path"], dict(request.get("headers", {}))
    if request.get("signed"):
        path = signed_url(path, expires_in=request["signed"])
    if request.get("live"):
        headers["Host"] = live_host
    if method == "POST":
        response = client.post(path, request.get("data", {}), headers=headers)
    else:
        response = client.generic(method, path, headers=headers)
    try:
        body = response.getvalue()  # joins streaming_content too
    finally:
        response.close()
    return {
        "status": response.status_code,
        "headers": dict(response.headers),
        "body": base64.b64encode(body).decode("ascii"),
    }


def main() -> None:
    # Sets Django up (and its logging, so the levels below come after).
    application = get_wsgi_application()
    setup_test_environment()
    # A 404 is asked for on purpose and Django logs it as a warning; the test
    # wants stderr empty otherwise, so that any warning (-W error) shows.
    logging.getLogger("django.request").setLevel(logging.ERROR)
    # The live server logs every request it answers; only errors matter here.
    logging.getLogger("django.server").setLevel(logging.ERROR)
    call_command("migrate", verbosity=0)
    # Twice, as every `make demo` does: the second run must change nothing.
    for _ in range(2):
        call_command("demo_setup", stdout=io.StringIO())
    client = Client()
    requests = json.load(sys.stdin)
    with live_server(application) as live_host:
        answers = [respond(client, request, live_host) for request in requests]
    json.dump(answers, sys.stdout)


if __name__ == "__main__":
    main()
