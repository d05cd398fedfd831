"""``manage.py dlshortcuts_proxy_config``: print the web-server configuration for the settings."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dlshortcuts.conf import conf
from dlshortcuts.offload.backends import BACKEND_NAMES
from dlshortcuts.offload.config import render_proxy_config


class Command(BaseCommand):
    """Print what the web server needs to serve the ``DLSHORTCUTS`` locations, ready to paste."""

    help = (
        "Print the web-server configuration (internal locations, XSendFilePath, "
        "x-sendfile-docroot, handle_response) matching DLSHORTCUTS, ready to paste."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--backend",
            choices=BACKEND_NAMES,
            help="The web server (default: DLSHORTCUTS['BACKEND']).",
        )
        parser.add_argument(
            "--upstream",
            default="127.0.0.1:8000",
            help="host:port of the Django application server (default: %(default)s).",
        )

    def handle(self, *_args: Any, **options: Any) -> None:
        backend = options["backend"] or conf.BACKEND
        if backend is None:
            raise CommandError("Pass --backend, or set DLSHORTCUTS['BACKEND'].")
        if not conf.LOCATIONS:
            raise CommandError("DLSHORTCUTS['LOCATIONS'] is empty: there is nothing to configure.")
        try:
            text = render_proxy_config(
                backend, conf.LOCATIONS, upstream=options["upstream"], charset=conf.CHARSET
            )
        except (TypeError, ValueError) as exc:
            raise CommandError(f"{exc} Run manage.py check for details.") from exc
        self.stdout.write(text, ending="")
