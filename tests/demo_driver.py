"""Drive the demo project with Django's test client, in a process of its own.

The demo has its own settings (admin, sessions, its models) that cannot share
a process with the test settings, so ``tests/test_demo.py`` runs this module
as ``python -m tests.demo_driver`` with ``DJANGO_SETTINGS_MODULE=demo.settings``
and a temporary ``DEMO_VAR_DIR``. It reads a JSON list of requests on stdin
(``method``, ``path``, optional ``headers`` and form ``data``), sends them in
order through one client (so a login carries over), and writes a JSON list of
responses (``status``, ``headers``, base64 ``body``) on stdout.
"""

from __future__ import annotations

import base64
import io
import json
import logging
import sys
from typing import Any

import django
from django.core.management import call_command
from django.test import Client
from django.test.utils import setup_test_environment


def respond(client: Client, request: dict[str, Any]) -> dict[str, Any]:
    """Send one request; read the whole body and close the response."""
    method, path, headers = request["method"], request["path"], request.get("headers", {})
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
    django.setup()
    setup_test_environment()
    # A 404 is asked for on purpose and Django logs it as a warning; the test
    # wants stderr empty otherwise, so that any warning (-W error) shows.
    logging.getLogger("django.request").setLevel(logging.ERROR)
    call_command("migrate", verbosity=0)
    # Twice, as every `make demo` does: the second run must change nothing.
    for _ in range(2):
        call_command("demo_setup", stdout=io.StringIO())
    client = Client()
    json.dump([respond(client, request) for request in json.load(sys.stdin)], sys.stdout)


if __name__ == "__main__":
    main()
