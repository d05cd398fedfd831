"""A drop-in for django-sendfile2: ``from dlshortcuts.compat import sendfile``.

Same signature, same settings (``SENDFILE_ROOT``, ``SENDFILE_URL``,
``SENDFILE_BACKEND``), served by :func:`~dlshortcuts.serve_path` confined to
``SENDFILE_ROOT`` and handed over by the code behind ``@optimized_download``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Final, cast

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from dlshortcuts.conf import conf
from dlshortcuts.offload.backends import BACKENDS, BackendName, get_backend
from dlshortcuts.offload.offloader import Offloader, offloading
from dlshortcuts.shortcuts import serve_path

__all__ = ["SENDFILE_BACKENDS", "sendfile"]

#: django-sendfile2's backends and what serves their downloads here. None:
#: Django streams the file itself (zero-copy through ``wsgi.file_wrapper``,
#: which mod_wsgi implements with ``sendfile(2)``); mod_wsgi's internal
#: redirect by a ``Location`` header has no equivalent among the accelerators.
#: The others come from each web server's ``sendfile_alias``.
SENDFILE_BACKENDS: Final[Mapping[str, str | None]] = dict(
    sorted(
        {
            "development": None,
            "mod_wsgi": None,
            "simple": None,
            **{
                backend.sendfile_alias: name
                for name, backend in BACKENDS.items()
                if backend.sendfile_alias is not None
            },
        }.items()
    )
)
# django-sendfile2's package, and django-sendfile's before it.
_PREFIXES = ("django_sendfile.backends.", "sendfile.backends.")


def sendfile_backend() -> str | None:
    """The web server ``SENDFILE_BACKEND`` names (None: Django serves the file).

    :raises ImproperlyConfigured: for a missing or unknown ``SENDFILE_BACKEND``.
    """
    value = conf.SENDFILE_BACKEND
    if isinstance(value, str):
        for prefix in _PREFIXES:
            if value.startswith(prefix) and value[len(prefix) :] in SENDFILE_BACKENDS:
                return SENDFILE_BACKENDS[value[len(prefix) :]]
        if value in BACKENDS:
            return value
    raise ImproperlyConfigured(
        f"SENDFILE_BACKEND is {value!r}: use one of django-sendfile2's backends "
        f"('django_sendfile.backends.{{{','.join(SENDFILE_BACKENDS)}}}') "
        f"or one of {', '.join(map(repr, BACKENDS))}."
    )


def needs_sendfile_url(backend: str | None) -> bool:
    """Whether ``backend``'s header carries a URI, so that it needs ``SENDFILE_URL``."""
    return backend is not None and get_backend(backend).carries == "uri"


def _root() -> str:
    root = conf.SENDFILE_ROOT
    if not isinstance(root, (str, os.PathLike)) or not os.fspath(root):
        raise ImproperlyConfigured(
            f"SENDFILE_ROOT is {root!r}: set it to the directory sendfile() serves files from."
        )
    return os.fspath(root)


def _offloader(backend: str, root: str) -> Offloader | None:
    url = conf.SENDFILE_URL
    if needs_sendfile_url(backend) and not url:
        raise ImproperlyConfigured(
            f"SENDFILE_URL is {url!r}, but the {backend} backend needs the internal URL prefix "
            "the web server serves SENDFILE_ROOT under, such as '/protected'."
        )
    # django-sendfile2 joins SENDFILE_URL and the relative path with a "/".
    prefix = None if not url else str(url).rstrip("/") + "/"
    locations = [{"root": root, "url": prefix}]
    return Offloader.configure({"backend": cast("BackendName", backend), "locations": locations})


def sendfile(  # noqa: PLR0917 - django-sendfile2's signature, positional arguments included
    request: HttpRequest,
    filename: str | os.PathLike[str],
    attachment: bool = False,
    attachment_filename: str | bool | None = None,
    mimetype: str | None = None,
    encoding: str | None = None,
) -> HttpResponseBase:
    """django-sendfile2's ``sendfile()``: serve ``filename`` from ``SENDFILE_ROOT``.

    Ranges, conditional requests and HEAD are answered too (by Django, or by
    the web server after a handover). The backend comes from
    ``SENDFILE_BACKEND`` (see :data:`SENDFILE_BACKENDS`; the names of the
    web servers ``optimized_download`` knows work as well).

    :param request: the current request.
    :param filename: an absolute path inside ``SENDFILE_ROOT``, or a path
        relative to it. Anything resolving outside it, or missing, is a 404.
    :param attachment: ``attachment`` when true; ``inline`` (the default) when false.
    :param attachment_filename: the name in Content-Disposition: None for the
        file's own name, False for no name at all.
    :param mimetype: the Content-Type; by default guessed from the name.
    :param encoding: sent as Content-Encoding (only when given: a ``.gz`` file
        is served as ``application/gzip``, never decompressed by the browser).
    :raises Http404: for a file outside ``SENDFILE_ROOT`` or missing.
    :raises ImproperlyConfigured: for a missing or unknown ``SENDFILE_BACKEND``,
        a missing ``SENDFILE_ROOT``, or a URI backend without ``SENDFILE_URL``.
    """
    backend = sendfile_backend()
    root = _root()
    # An absolute filename replaces root in the join; either way what is left
    # is relative to root, and serve_path confines it there.
    relative = os.path.relpath(os.path.join(root, os.fspath(filename)), root)
    headers: dict[str, str] = {}
    if attachment_filename is False:
        headers["Content-Disposition"] = "attachment" if attachment else "inline"
    if encoding:
        headers["Content-Encoding"] = encoding
    name = attachment_filename if isinstance(attachment_filename, str) and attachment_filename else None

    def serve() -> HttpResponseBase:
        return serve_path(
            request,
            relative,
            root=root,
            as_attachment=attachment,
            filename=name,
            content_type=mimetype,
            headers=headers,
        )

    if backend is None:
        return serve()
    with offloading(request, _offloader(backend, root)):
        return serve()
