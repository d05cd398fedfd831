"""Files inside Django storages: local ones served like files on disk, remote ones streamed.

A storage whose ``path()`` points at a real file is served exactly like
``serve_path`` (one ``fstat``, ``sendfile(2)`` under WSGI). Any other storage
is read through its own API; an object in S3, Google Cloud Storage or Azure is
read with ranged GETs (:mod:`dlshortcuts.sources.cloud`) instead of
django-storages' whole-object download.
"""

from __future__ import annotations

import datetime
import os
import posixpath
from collections.abc import Callable
from typing import TypeVar

from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.core.files.storage import (
    FileSystemStorage,
    InMemoryStorage,
    InvalidStorageError,
    Storage,
    default_storage,
    storages,
)
from django.core.files.utils import validate_file_name
from django.http import Http404, HttpRequest

from dlshortcuts.download import Download
from dlshortcuts.engine.content_type import guess_content_type
from dlshortcuts.engine.respond import redirect
from dlshortcuts.engine.response import DownloadResponse
from dlshortcuts.engine.streams import FileBlocks
from dlshortcuts.http.disposition import content_disposition
from dlshortcuts.options import Options
from dlshortcuts.sources.cloud import open_remote, signing_keys
from dlshortcuts.sources.files import open_file, resolve_under_root
from dlshortcuts.sources.ranged import RangedReader

_T = TypeVar("_T")


def get_storage(storage: Storage | str | None) -> Storage:
    """The storage to serve from: an instance, an alias from ``STORAGES``, or ``default_storage``.

    :raises ImproperlyConfigured: for an alias that ``STORAGES`` does not define.
    :raises TypeError: for anything that is neither a Storage nor a string.
    """
    if storage is None:
        return default_storage
    if isinstance(storage, str):
        try:
            return storages[storage]
        except InvalidStorageError as exc:
            raise ImproperlyConfigured(
                f"storage={storage!r} is not an alias in settings.STORAGES; "
                f"define it there or pass a Storage instance."
            ) from exc
    if not isinstance(storage, Storage):
        raise TypeError(f"storage must be a Storage instance or an alias from STORAGES, not {storage!r}")
    return storage


def check_name(name: str) -> str:
    """``name`` as a storage-relative name, or Http404 for traversal attempts.

    Absolute names, ``..`` segments (with either slash), NUL bytes and empty
    names never reach the storage.

    :raises TypeError: for a name that is not a string (a programming error).
    """
    if not isinstance(name, str):
        raise TypeError(f"a storage name must be a str relative to the storage, not {name!r}")
    if not name or "\x00" in name:
        raise Http404("No such file.")
    try:
        validate_file_name(name, allow_relative_path=True)
    except SuspiciousOperation as exc:
        raise Http404("No such file.") from exc
    return name


def resolve_storage(
    storage: Storage,
    name: str,
    *,
    filename: str | None = None,
    size: int | None = None,
    modified: float | None = None,
) -> Download:
    """Describe the file ``name`` inside ``storage`` as a Download.

    :param name: the storage-relative name, typically from the URL.
    :param filename: the download name; defaults to the last part of ``name``.
    :param size: the size, when already known (a model field): no
        ``storage.size()`` call.
    :param modified: the modification time as a POSIX timestamp, when already
        known: no ``storage.get_modified_time()`` call. With both ``size`` and
        ``modified`` known, the file is opened only when a body is sent, so
        HEAD and 304 answers make no storage call at all.
    :raises Http404: for a missing file or a suspicious name.
    """
    name = check_name(name)
    filename = filename or posixpath.basename(name)
    try:
        local = _local_path(storage, name)
    except SuspiciousOperation as exc:
        raise Http404("No such file.") from exc
    if local is not None:
        download = open_file(local, filename)
        download.storage, download.name = storage, name
        return download
    download = Download(filename=filename, size=size, modified=modified, storage=storage, name=name)
    if size is not None and modified is not None:
        download.opener = lambda: open_remote(storage, name, download)
        return download
    with download.closing_on_error():
        file = open_remote(storage, name, download)
        if isinstance(file, RangedReader):
            # The object's properties told everything: no further request.
            download.size = file.size if size is None else size
            download.modified = file.modified if modified is None else modified
            download.etag, download.content_type = file.etag, file.content_type
        else:
            if download.size is None:
                download.size = _optional(storage.size, name)
            if download.modified is None:
                download.modified = _timestamp(_optional(storage.get_modified_time, name))
    if file.seekable():
        download.file = file
    else:
        download.stream = FileBlocks(file)
    return download


def redirect_to_storage(
    request: HttpRequest, storage: Storage, name: str, options: Options
) -> DownloadResponse:
    """Answer 302 to ``storage.url(name)`` instead of streaming the file.

    For django-storages' S3, Google Cloud and Azure storages configured to
    sign URLs, the signed URL carries the download name and type, each under
    the backend's own parameter names (:func:`signing_keys`), so the object
    store answers with them. Any other storage is redirected to its plain
    ``url()``. The file's existence is left to the storage to answer.

    :raises Http404: for a suspicious name.
    :raises DisallowedRedirect: for a URL that is not http, https or ftp.
    """
    name = check_name(name)
    filename = options.filename or posixpath.basename(name)
    keys = signing_keys(storage)
    if keys is None:
        # Documented (docs/serve_storage.rst) and warned by manage.py check:
        # an unsigned or CloudFront URL cannot name the download.
        url = storage.url(name)
    else:
        disposition_key, type_key = keys
        parameters = {disposition_key: content_disposition(filename, as_attachment=options.as_attachment)}
        content_type = options.content_type or guess_content_type(filename)
        if content_type is not None:
            parameters[type_key] = content_type
        url = storage.url(name, parameters=parameters)  # type: ignore[call-arg]
    return redirect(request, Download(filename=filename, storage=storage, name=name), url)


def _local_path(storage: Storage, name: str) -> str | None:
    """The file's path on disk, or None when the storage keeps it elsewhere."""
    if isinstance(storage, FileSystemStorage):
        # Resolved, symlinks included: FileSystemStorage.path() does not.
        return resolve_under_root(storage.location, name)
    if isinstance(storage, InMemoryStorage):
        # Its path() names where the file would be on disk, not where it is:
        # a stray file there must never be served instead.
        return None
    try:
        path = storage.path(name)
    except NotImplementedError:
        return None
    return path if os.path.lexists(path) else None


def _optional(call: Callable[[str], _T], name: str) -> _T | None:
    """A metadata call a storage may not implement: then the header is simply absent."""
    try:
        return call(name)
    except (NotImplementedError, AttributeError):
        return None
    except (OSError, SuspiciousOperation) as exc:
        raise Http404("No such file.") from exc


def _timestamp(value: datetime.datetime | None) -> float | None:
    return None if value is None else value.timestamp()
