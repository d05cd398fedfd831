"""System checks for the ``DLSHORTCUTS`` setting (``manage.py check``).

Ids are never reused; the table is in docs/checks.rst. ``@optimized_download``
and its middleware: ``dlshortcuts.E001``-``E019`` and ``W001``-``W019``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning
from django.core.files.storage import storages

from dlshortcuts.conf import conf
from dlshortcuts.offload.backends import BACKEND_NAMES, ProxyOptions
from dlshortcuts.offload.locations import Location

__all__ = ["check_offload_settings"]

_MIDDLEWARE = "dlshortcuts.middleware.OptimizedDownloadMiddleware"
# Backends whose header carries a URI (the others carry a path).
_URI_BACKENDS = frozenset({"nginx", "caddy", "litespeed"})
# Which option is wrong, for E009-E012.
_OPTION_IDS = {"LIMIT_RATE": "E009", "BUFFERING": "E010", "EXPIRES": "E011", "CHARSET": "E012"}
_OPTION_HINTS = {
    "LIMIT_RATE": "Use a number of bytes per second, such as 1048576, or False for no limit.",
    "BUFFERING": "Use True or False.",
    "EXPIRES": "Use seconds, a datetime.timedelta, a datetime.datetime, or False.",
    "CHARSET": "Use a charset name such as 'utf-8'.",
}


def check_offload_settings(
    app_configs: Sequence[AppConfig] | None = None,  # noqa: ARG001 - Django's check signature
    **kwargs: Any,  # noqa: ARG001
) -> list[CheckMessage]:
    """Check the keys ``@optimized_download`` and its middleware read."""
    values = getattr(settings, "DLSHORTCUTS", {})
    if not isinstance(values, Mapping):
        return [
            Error(
                f"DLSHORTCUTS must be a dict, not {type(values).__name__}.",
                hint='Write DLSHORTCUTS = {"BACKEND": "nginx", "LOCATIONS": [...]}.',
                id="dlshortcuts.E014",
            )
        ]
    backend = conf.BACKEND
    errors: list[CheckMessage] = []
    if backend is not None and backend not in BACKEND_NAMES:
        errors.append(
            Error(
                f"DLSHORTCUTS['BACKEND'] is {backend!r}, which is not a backend.",
                hint=f"Use one of {', '.join(map(repr, BACKEND_NAMES))}.",
                id="dlshortcuts.E001",
            )
        )
    errors += _check_locations(backend)
    errors += _check_options(backend)
    if backend is None and _MIDDLEWARE in settings.MIDDLEWARE:
        errors.append(
            Warning(
                f"{_MIDDLEWARE} is installed but DLSHORTCUTS['BACKEND'] is not set: it offloads nothing.",
                hint="Set DLSHORTCUTS['BACKEND'] to your web server, or remove the middleware.",
                id="dlshortcuts.W002",
            )
        )
    return errors


def _check_locations(backend: str | None) -> list[CheckMessage]:
    entries = conf.LOCATIONS
    if isinstance(entries, (str, bytes, Mapping)) or not isinstance(entries, Sequence):
        return [
            Error(
                "DLSHORTCUTS['LOCATIONS'] must be a list of dicts.",
                hint='Write [{"root": "/srv/private", "url": "/_protected/"}].',
                id="dlshortcuts.E002",
            )
        ]
    errors: list[CheckMessage] = []
    if entries and backend is None:
        errors.append(
            Warning(
                "DLSHORTCUTS['LOCATIONS'] is set but DLSHORTCUTS['BACKEND'] is not: nothing is offloaded.",
                hint="Set DLSHORTCUTS['BACKEND'] to your web server.",
                id="dlshortcuts.W001",
            )
        )
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        where = f"DLSHORTCUTS['LOCATIONS'][{index}]"
        try:
            location = Location.from_entry(entry)
        except (TypeError, ValueError) as exc:
            errors.append(
                Error(
                    f"{where}: {exc}",
                    hint='Each location is {"root": DIR, "url": PREFIX}, {"storage": ALIAS, "url": PREFIX} '
                    'or {"source_url": URL, "url": PREFIX}.',
                    id="dlshortcuts.E003",
                )
            )
            continue
        errors += _check_location(where, location, backend)
        if location.url is not None and location.url in seen:
            errors.append(
                Warning(
                    f"{where}: url {location.url!r} is already used by an earlier location.",
                    hint="Give each location its own prefix: the web server maps one prefix to one place.",
                    id="dlshortcuts.W003",
                )
            )
        if location.url is not None:
            seen.add(location.url)
    return errors


def _check_location(where: str, location: Location, backend: str | None) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    if location.root is not None and not os.path.isdir(location.root):
        errors.append(
            Error(
                f"{where}: root {location.root!r} is not an existing directory.",
                hint="Create the directory, or fix the path (it must be absolute on the server).",
                id="dlshortcuts.E004",
            )
        )
    if location.url is not None and not (location.url.startswith("/") and location.url.endswith("/")):
        errors.append(
            Error(
                f"{where}: url {location.url!r} must start and end with '/'.",
                hint=f"Write {'/' + location.url.strip('/') + '/'!r}: the file's path is appended to it.",
                id="dlshortcuts.E005",
            )
        )
    if location.storage is not None and location.storage not in storages.backends:
        errors.append(
            Error(
                f"{where}: storage {location.storage!r} is not an alias in STORAGES.",
                hint=f"Use one of {', '.join(map(repr, storages.backends))}, or add it to STORAGES.",
                id="dlshortcuts.E006",
            )
        )
    if location.source_url is not None:
        parts = urlsplit(location.source_url)
        if parts.scheme not in ("http", "https") or not parts.netloc or not location.source_url.endswith("/"):
            errors.append(
                Error(
                    f"{where}: source_url {location.source_url!r} must be an http(s) URL ending in '/'.",
                    hint="Write the prefix of the remote URLs, such as 'https://bucket.s3.amazonaws.com/'.",
                    id="dlshortcuts.E013",
                )
            )
    if backend in _URI_BACKENDS and location.url is None:
        errors.append(
            Error(
                f"{where}: {backend} needs a url for every location.",
                hint="Add the internal prefix the web server serves it under, such as '/_protected/'.",
                id="dlshortcuts.E007",
            )
        )
    # An unknown storage alias is E006 already.
    known = location.storage is None or location.storage in storages.backends
    if backend in ("apache", "lighttpd") and known and location.local_root is None:
        errors.append(
            Error(
                f"{where}: {backend} sends files by path, and this location has none on local disk.",
                hint="Use a root location (or a storage on local disk); X-Sendfile cannot proxy a URL.",
                id="dlshortcuts.E008",
            )
        )
    return errors


def _check_options(backend: str | None) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    for name, error_id in _OPTION_IDS.items():
        value = getattr(conf, name)
        if value is None:
            continue
        try:
            ProxyOptions(**{name.lower(): value})
        except ValueError as exc:
            errors.append(
                Error(f"DLSHORTCUTS[{name!r}]: {exc}", hint=_OPTION_HINTS[name], id=f"dlshortcuts.{error_id}")
            )
            continue
        if backend is not None and backend != "nginx":
            errors.append(
                Warning(
                    f"DLSHORTCUTS[{name!r}] only applies to nginx; {backend} ignores it.",
                    hint=f"Remove DLSHORTCUTS[{name!r}], or configure the same in {backend} itself.",
                    id="dlshortcuts.W004",
                )
            )
    sniff: object = conf.SNIFF
    if sniff is not None and not isinstance(sniff, bool):
        errors.append(
            Error(
                f"DLSHORTCUTS['SNIFF'] must be True, False or None, not {sniff!r}.",
                hint="True always sniffs, False never does, None sniffs when the name tells nothing.",
                id="dlshortcuts.E015",
            )
        )
    return errors
