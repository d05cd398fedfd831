"""System checks for the keys ``@optimized_download`` and its middleware read: E001-E015, W001-W004.

What a web server needs of a location (a ``url`` or a directory on disk) and
whether it obeys the nginx options is the backend module's own data
(:attr:`~dlshortcuts.offload.backends.Backend.carries`,
:attr:`~dlshortcuts.offload.backends.Backend.reads_options`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import CheckMessage
from django.core.files.storage import storages

from dlshortcuts.checks import message
from dlshortcuts.conf import conf
from dlshortcuts.offload.backends import BACKEND_NAMES, BACKENDS, Backend
from dlshortcuts.offload.backends.nginx import ProxyOptions
from dlshortcuts.offload.locations import Location
from dlshortcuts.options import check_sniff

_MIDDLEWARE = "dlshortcuts.middleware.OptimizedDownloadMiddleware"
_DJANGO_GZIP = "django.middleware.gzip.GZipMiddleware"
_GZIP = "dlshortcuts.middleware.GZipMiddleware"
# Which option is wrong, for E009-E012.
_OPTION_IDS = {"LIMIT_RATE": "E009", "BUFFERING": "E010", "EXPIRES": "E011", "CHARSET": "E012"}
_OPTION_HINTS = {
    "LIMIT_RATE": "Use a number of bytes per second, such as 1048576, or False for no limit.",
    "BUFFERING": "Use True or False.",
    "EXPIRES": "Use seconds, a datetime.timedelta, a datetime.datetime, or False.",
    "CHARSET": "Use a charset name such as 'utf-8'.",
}


def check_offload_settings(**kwargs: Any) -> list[CheckMessage]:  # noqa: ARG001 - app_configs, databases: unused
    """Check the keys ``@optimized_download`` and its middleware read."""
    if not conf.is_mapping:
        return [
            message(
                "dlshortcuts.E014",
                f"DLSHORTCUTS must be a dict, not {type(conf.raw).__name__}.",
                hint='Write DLSHORTCUTS = {"BACKEND": "nginx", "LOCATIONS": [...]}.',
            )
        ]
    backend = conf.BACKEND
    server = BACKENDS.get(backend) if isinstance(backend, str) else None
    errors: list[CheckMessage] = []
    if backend is not None and server is None:
        errors.append(
            message(
                "dlshortcuts.E001",
                f"DLSHORTCUTS['BACKEND'] is {backend!r}, which is not a backend.",
                hint=f"Use one of {', '.join(map(repr, BACKEND_NAMES))}.",
            )
        )
    errors += _check_locations(backend, server)
    errors += _check_options(backend, server)
    if backend is None and _MIDDLEWARE in settings.MIDDLEWARE:
        errors.append(
            message(
                "dlshortcuts.W002",
                f"{_MIDDLEWARE} is installed but DLSHORTCUTS['BACKEND'] is not set: it offloads nothing.",
                hint="Set DLSHORTCUTS['BACKEND'] to your web server, or remove the middleware.",
            )
        )
    if _DJANGO_GZIP in settings.MIDDLEWARE:
        errors.append(
            message(
                "dlshortcuts.W005",
                f"{_DJANGO_GZIP} compresses downloads: resumed downloads break (identity Content-Range "
                "over a gzip body, a weak ETag) and Content-Length and zero-copy are lost.",
                hint=f"In MIDDLEWARE, replace {_DJANGO_GZIP!r} with {_GZIP!r}: it compresses every "
                "other response and leaves downloads alone.",
            )
        )
    return errors


def _check_locations(backend: str | None, server: Backend | None) -> list[CheckMessage]:
    entries = conf.LOCATIONS
    if isinstance(entries, (str, bytes, Mapping)) or not isinstance(entries, Sequence):
        return [
            message(
                "dlshortcuts.E002",
                "DLSHORTCUTS['LOCATIONS'] must be a list of dicts.",
                hint='Write [{"root": "/srv/private", "url": "/_protected/"}].',
            )
        ]
    errors: list[CheckMessage] = []
    if entries and backend is None:
        errors.append(
            message(
                "dlshortcuts.W001",
                "DLSHORTCUTS['LOCATIONS'] is set but DLSHORTCUTS['BACKEND'] is not: nothing is offloaded.",
                hint="Set DLSHORTCUTS['BACKEND'] to your web server.",
            )
        )
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        where = f"DLSHORTCUTS['LOCATIONS'][{index}]"
        try:
            location = Location.from_entry(entry)
        except (TypeError, ValueError) as exc:
            errors.append(
                message(
                    "dlshortcuts.E003",
                    f"{where}: {exc}",
                    hint='Each location is {"root": DIR, "url": PREFIX}, {"storage": ALIAS, "url": PREFIX} '
                    'or {"source_url": URL, "url": PREFIX}.',
                )
            )
            continue
        errors += check_location(where, location, server)
        if location.url is not None and location.url in seen:
            errors.append(
                message(
                    "dlshortcuts.W003",
                    f"{where}: url {location.url!r} is already used by an earlier location.",
                    hint="Give each location its own prefix: the web server maps one prefix to one place.",
                )
            )
        if location.url is not None:
            seen.add(location.url)
    return errors


def check_location(where: str, location: Location, server: Backend | None) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    if location.root is not None and not os.path.isdir(location.root):
        errors.append(
            message(
                "dlshortcuts.E004",
                f"{where}: root {location.root!r} is not an existing directory.",
                hint="Create the directory, or fix the path (it must be absolute on the server).",
            )
        )
    if location.url is not None and not (location.url.startswith("/") and location.url.endswith("/")):
        errors.append(
            message(
                "dlshortcuts.E005",
                f"{where}: url {location.url!r} must start and end with '/'.",
                hint=f"Write {'/' + location.url.strip('/') + '/'!r}: the file's path is appended to it.",
            )
        )
    if location.storage is not None and location.storage not in storages.backends:
        errors.append(
            message(
                "dlshortcuts.E006",
                f"{where}: storage {location.storage!r} is not an alias in STORAGES.",
                hint=f"Use one of {', '.join(map(repr, storages.backends))}, or add it to STORAGES.",
            )
        )
    if location.source_url is not None:
        parts = urlsplit(location.source_url)
        if parts.scheme not in ("http", "https") or not parts.netloc or not location.source_url.endswith("/"):
            errors.append(
                message(
                    "dlshortcuts.E013",
                    f"{where}: source_url {location.source_url!r} must be an http(s) URL ending in '/'.",
                    hint="Write the prefix of the remote URLs, such as 'https://bucket.s3.amazonaws.com/'.",
                )
            )
    if server is not None and server.carries == "uri" and location.url is None:
        errors.append(
            message(
                "dlshortcuts.E007",
                f"{where}: {server.name} needs a url for every location.",
                hint="Add the internal prefix the web server serves it under, such as '/_protected/'.",
            )
        )
    # An unknown storage alias is E006 already.
    known = location.storage is None or location.storage in storages.backends
    if server is not None and server.carries == "path" and known and location.local_root is None:
        errors.append(
            message(
                "dlshortcuts.E008",
                f"{where}: {server.name} sends files by path, and this location has none on local disk.",
                hint="Use a root location (or a storage on local disk); X-Sendfile cannot proxy a URL.",
            )
        )
    return errors


def _check_options(backend: str | None, server: Backend | None) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    for name, error_id in _OPTION_IDS.items():
        value = getattr(conf, name)
        if value is None:
            continue
        try:
            ProxyOptions(**{name.lower(): value})
        except (TypeError, ValueError) as exc:
            errors.append(
                message(f"dlshortcuts.{error_id}", f"DLSHORTCUTS[{name!r}]: {exc}", hint=_OPTION_HINTS[name])
            )
            continue
        # An unknown backend (E001) reads none of them either.
        if backend is not None and (server is None or not server.reads_options):
            errors.append(
                message(
                    "dlshortcuts.W004",
                    f"DLSHORTCUTS[{name!r}] only applies to nginx; {backend} ignores it.",
                    hint=f"Remove DLSHORTCUTS[{name!r}], or configure the same in {backend} itself.",
                )
            )
    try:
        check_sniff(conf.SNIFF, "DLSHORTCUTS['SNIFF']")
    except TypeError as exc:
        errors.append(
            message(
                "dlshortcuts.E015",
                f"{exc}.",
                hint="True always sniffs, False never does, None sniffs when the name tells nothing.",
            )
        )
    return errors
