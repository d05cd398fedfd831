"""The shortcuts: each resolves its source into a :class:`~dlshortcuts.download.Download` for
the one engine (``respond``) and works as a view in ``urlpatterns`` with its options as the
third argument of ``path()``; async twins: ``async_shortcuts``."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

from django.http import HttpRequest

from dlshortcuts.engine.respond import respond
from dlshortcuts.engine.response import DownloadResponse
from dlshortcuts.options import Options, path_argument
from dlshortcuts.sources.archive import call_members, resolve_archive
from dlshortcuts.sources.fields import MetadataFields, find_field_file, resolve_field
from dlshortcuts.sources.files import open_file, open_under_root
from dlshortcuts.sources.generated import call_content, resolve_content
from dlshortcuts.sources.remote.fetch import remote_download
from dlshortcuts.sources.remote.policy import remote_policy
from dlshortcuts.sources.storages import get_storage, redirect_to_storage, resolve_storage

if TYPE_CHECKING:
    import requests
    from django.core.files.storage import Storage
    from django.db import models
    from django.db.models.fields.files import FieldFile
    from typing_extensions import Unpack

    from dlshortcuts.options import DownloadOptions, FieldOptions, GeneratedOptions

__all__ = ["serve_archive", "serve_field", "serve_generated", "serve_path", "serve_storage", "serve_url"]
_DEFAULTS = Options()  # what serve_path in a urlpattern gets (no option): validated once, not per request


def serve_path(
    request: HttpRequest,
    path: str | os.PathLike[str],
    *,
    root: str | os.PathLike[str] | None = None,
    **options: Unpack[DownloadOptions],
) -> DownloadResponse:
    """Serve a file on disk.

    .. warning:: Without ``root`` the path is trusted: never pass a path that
       comes from the client without ``root``.

    :param request: the current request (its method, Range and conditional
        headers shape the answer).
    :param path: with ``root``, a path relative to it, typically from the URL;
        it must resolve (symlinks included) inside ``root`` or the answer is
        404. Without ``root``, the caller's own path.
    :param root: the directory client-supplied paths are confined to.
    :param options: the common options (``filename``, ``as_attachment``, ``content_type``,
        ``charset``, ``last_modified``, ``etag``, ``max_age``, ``ranges``, ``sniff``, ``headers``).
    :raises Http404: when the file is missing, not regular, or outside ``root``.
    """
    checked = Options.parse("serve_path", options)[0] if options else _DEFAULTS
    name = os.path.basename(path_argument(path, "serve_path() path"))  # asked for, not a symlink's
    if root is None:
        return respond(request, open_file(path, name), checked)
    return respond(request, open_under_root(path_argument(root, "serve_path() root"), path, name), checked)


def serve_storage(
    request: HttpRequest,
    name: str,
    *,
    storage: Storage | str | None = None,
    redirect: bool = False,
    **options: Unpack[DownloadOptions],
) -> DownloadResponse:
    """Serve the file ``name`` from a Django storage.

    A storage on disk (``FileSystemStorage``) is served like :func:`serve_path`,
    zero-copy under WSGI; any other is streamed in blocks, cloud objects with
    ranged GETs (first byte at once, flat memory).

    :param request: the current request.
    :param name: the name inside the storage, typically from the URL
        (``<path:name>``); absolute names and ``..`` answer 404.
    :param storage: a Storage instance, an alias from ``settings.STORAGES``,
        or None for ``default_storage``.
    :param redirect: answer 302 to ``storage.url(name)`` instead of streaming
        (for S3, a presigned URL carrying the download name and type).
    :param options: the common options (see :func:`serve_path`).
    :raises Http404: when the file is missing or the name is suspicious.
    """
    checked, _ = Options.parse("serve_storage", options)
    resolved = get_storage(storage)
    if redirect:
        return redirect_to_storage(request, resolved, name, checked)
    return respond(request, resolve_storage(resolved, name, filename=checked.filename), checked)


def serve_field(
    request: HttpRequest,
    field_file: FieldFile | None = None,
    *,
    instance: models.Model | None = None,
    model: type[models.Model] | None = None,
    queryset: models.QuerySet[Any] | None = None,
    field: str = "file",
    filename_field: str | None = None,
    size_field: str | None = None,
    content_type_field: str | None = None,
    modified_field: str | None = None,
    charset_field: str | None = None,
    encoding_field: str | None = None,
    lookups: Mapping[str, Any] | None = None,
    **options: Unpack[FieldOptions],
) -> DownloadResponse:
    """Serve the file in a model's FileField (or ImageField).

    Give the file one of three ways: ``field_file`` itself
    (``document.file``), an ``instance`` and the ``field`` name, or a
    ``model`` / ``queryset`` with lookups (the URL kwargs, such as ``pk``,
    ``slug`` or ``uuid``). A filtered queryset limits downloads to the
    objects a user may see.

    :param request: the current request.
    :param field_file: the FieldFile to serve.
    :param instance: a model instance holding the file in ``field``.
    :param model: the model to look the object up in, by the lookups.
    :param queryset: the objects to look it up in (wins over ``model``).
    :param field: the FileField's name (default ``"file"``).
    :param filename_field: attribute holding the download name.
    :param size_field: attribute holding the size in bytes (no ``storage.size()``).
    :param content_type_field: attribute holding the MIME type.
    :param modified_field: attribute holding the modification time; with
        ``size_field`` too, a HEAD or a 304 makes no storage call.
    :param charset_field: attribute holding the charset of a text file.
    :param encoding_field: attribute holding the Content-Encoding (``gzip``).
    :param lookups: lookups other than ``pk`` and ``slug``, e.g. ``{"uuid":
        uuid}``; a URL pattern's other kwargs are lookups too.
    :param options: the common options (see :func:`serve_path`), ``pk``, ``slug``.
    :raises Http404: unknown object, empty field, or file missing from its storage.
    :raises ImproperlyConfigured: when ``field`` is not a FileField.
    """
    checked, url_lookups = Options.parse("serve_field", options, others=True)
    lookups = {**url_lookups, **(lookups or {})}
    found = find_field_file(
        field_file, instance=instance, model=model, queryset=queryset, field=field, lookups=lookups
    )
    # In MetadataFields' order: filename, size, content_type, modified, charset, encoding.
    fields = (filename_field, size_field, content_type_field, modified_field, charset_field, encoding_field)
    metadata = MetadataFields(*fields)
    return respond(request, *resolve_field(found, metadata, checked))


def serve_generated(
    request: HttpRequest,
    content: Any,
    *,
    filename: str,
    size: int | None = None,
    **options: Unpack[GeneratedOptions],
) -> DownloadResponse:
    """Serve content the application makes: in memory or on the fly.

    :param request: the current request.
    :param content: bytes or str (Content-Length, an ETag from the bytes,
        ranges), a file-like object (ranges when seekable), an iterable or
        async iterable of bytes/str (streamed in blocks, memory stays flat),
        or a callable returning one, called as ``content(request, **url_kwargs)``.
    :param filename: the download name (it also gives the content type).
    :param size: the length of a streamed body, when known (Content-Length).
    :param options: the common options; any other keyword (URL kwargs when
        used in ``urlpatterns``) is passed to a callable ``content``.
    """
    checked, url_kwargs = Options.parse("serve_generated", options, others=True)
    # Generated text is declared UTF-8 (str is encoded so) unless told otherwise.
    charset = checked.charset or "utf-8"
    content = call_content(request, content, url_kwargs)
    download = resolve_content(content, filename=filename, size=size, charset=charset)
    return respond(request, download, dataclasses.replace(checked, charset=charset))


def serve_url(
    request: HttpRequest,
    url: str,
    *,
    session: requests.Session | None = None,
    timeout: float | tuple[float, float] | None = None,
    allowed_hosts: Sequence[str] | None = None,
    forward_headers: Iterable[str] | None = None,
    **options: Unpack[DownloadOptions],
) -> DownloadResponse:
    """Stream a remote file through requests, relaying the upstream's answer.

    The client's Range, If-Range, If-None-Match, If-Modified-Since and
    Accept-Encoding go upstream; its 200, 206, 304 or 416 comes back with
    its representation headers, the body as raw bytes (never decoded).

    .. warning:: A URL built from client input can make the server fetch internal
       addresses (SSRF): set ``allowed_hosts`` or the ``URL_ALLOWED_HOSTS`` setting.

    :param request: the current request.
    :param url: an absolute http or https URL.
    :param session: the requests session (default: one pooled per process).
    :param timeout: seconds to connect and to wait for each read, one number
        or a ``(connect, read)`` pair (default: the ``URL_TIMEOUT`` setting).
    :param allowed_hosts: the hosts ``url`` and every redirect may name, in
        Django's ``ALLOWED_HOSTS`` syntax (default: the ``URL_ALLOWED_HOSTS``
        setting; None there allows any host). A refused ``url`` answers 404
        without any request being made; a refused redirect answers 502.
    :param forward_headers: more request fields to send upstream, such as
        ``["Authorization"]``; dropped when a redirect leaves the origin.
    :param options: the common options; the download name defaults to the
        upstream's Content-Disposition name, else the URL's last segment.
    :returns: the relayed download; an empty 504 when the upstream times out
        before answering, an empty 502 for any other upstream failure.
    :raises Http404: for a refused ``url`` (no request made), an upstream 404 or 410.
    :raises TypeError: for a non-string ``url`` or a malformed argument.
    :raises ValueError: for a ``forward_headers`` name never forwarded.
    """
    checked, _ = Options.parse("serve_url", options)
    policy = remote_policy(
        session=session, timeout=timeout, allowed_hosts=allowed_hosts, forward_headers=forward_headers
    )
    return respond(request, remote_download(request, url, policy, ranges=checked.ranges), checked)


def serve_archive(
    request: HttpRequest,
    members: Any,
    *,
    filename: str,
    compression: Literal["deflate"] | None = None,
    **options: Unpack[GeneratedOptions],
) -> DownloadResponse:
    """Serve a ZIP of many files, made as it is sent (exact length and Range when stored).

    ``serve_archive(request, [(d.title + ".pdf", d.file) for d in docs], filename="documents.zip")``

    :param request: the current request.
    :param members: ``(arcname, source)`` pairs or :class:`~dlshortcuts.ArchiveMember`
        objects, or a callable returning them, called as ``members(request, **url_kwargs)``.
    :param filename: the download name, such as ``"album.zip"``.
    :param compression: ``"deflate"`` compresses (then no Content-Length, no Range).
    :param options: the common options; other keywords (URL kwargs) go to a callable ``members``.
    :raises ValueError: for an unsafe or repeated arcname (zip slip), naming it.
    :raises Http404: when a member is missing, before any byte is sent.
    """
    checked, url_kwargs = Options.parse("serve_archive", options, others=True)
    items = call_members(request, members, url_kwargs)
    download = resolve_archive(items, filename=filename, compression=compression)
    return respond(request, download, dataclasses.replace(checked, sniff=False))  # its type is known
