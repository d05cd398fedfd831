"""django-storages' cloud backends: reading their objects by range, and signing their URLs.

Which store a storage is comes from its class (its module and name, so that
no SDK is imported here): S3, Google Cloud Storage or Azure, subclasses
included. Their objects are read through a
:class:`~dlshortcuts.sources.ranged.RangedReader` (:mod:`~dlshortcuts.sources.s3`,
:mod:`~dlshortcuts.sources.gcs`, :mod:`~dlshortcuts.sources.azure`); their
signed URLs carry the download name under each backend's own parameters.
"""

from __future__ import annotations

from typing import IO, Literal, cast

from django.core.exceptions import SuspiciousOperation
from django.core.files.storage import Storage
from django.http import Http404

from dlshortcuts.download import Download
from dlshortcuts.sources.azure import open_blob
from dlshortcuts.sources.gcs import BlobReader, gcs_blob
from dlshortcuts.sources.ranged import RangedReader
from dlshortcuts.sources.s3 import ObjectReader, boto3_object

Store = Literal["s3", "gcs", "azure"]

# django-storages' classes by module and name, and the url(parameters=...) keys
# naming the download's disposition and type in each (FIELD-NOTES: each SDK's own).
_CLOUD: dict[tuple[str, str], tuple[Store, str, str]] = {
    ("storages.backends.s3", "S3Storage"): ("s3", "ResponseContentDisposition", "ResponseContentType"),
    ("storages.backends.s3boto3", "S3Boto3Storage"): (
        "s3",
        "ResponseContentDisposition",
        "ResponseContentType",
    ),
    ("storages.backends.gcloud", "GoogleCloudStorage"): ("gcs", "response_disposition", "response_type"),
    ("storages.backends.azure_storage", "AzureStorage"): ("azure", "content_disposition", "content_type"),
}


def _entry(storage: Storage) -> tuple[Store, str, str] | None:
    # __class__, not type(): default_storage is a LazyObject, which proxies __class__.
    classes = ((cls.__module__, cls.__name__) for cls in storage.__class__.__mro__)
    return next((_CLOUD[key] for key in classes if key in _CLOUD), None)


def cloud_store(storage: Storage) -> Store | None:
    """``"s3"``, ``"gcs"`` or ``"azure"`` for django-storages' cloud storages (or a subclass); else None."""
    entry = _entry(storage)
    return None if entry is None else entry[0]


def cloud_keys(storage: Storage) -> tuple[str, str] | None:
    """For django-storages' S3, Google Cloud or Azure storage (or a subclass), the
    ``url(parameters=...)`` keys naming the download's disposition and type; else None."""
    entry = _entry(storage)
    return None if entry is None else (entry[1], entry[2])


def signing_keys(storage: Storage) -> tuple[str, str] | None:
    """:func:`cloud_keys`, or None when ``storage``'s URLs are not signed by the store:
    S3 with a ``custom_domain`` (CloudFront signs no response headers) or without
    ``querystring_auth``, GCS without it or with ``default_acl`` ``publicRead``, Azure
    without ``expiration_secs`` or without an account key or token credential."""
    store, keys = cloud_store(storage), cloud_keys(storage)
    if keys is None or (store == "s3" and getattr(storage, "custom_domain", None)):
        return None
    if (
        not getattr(storage, "querystring_auth", True)
        or getattr(storage, "default_acl", None) == "publicRead"
    ):
        return None
    credential = getattr(storage, "account_key", None) or getattr(storage, "token_credential", None)
    if store == "azure" and not (getattr(storage, "expiration_secs", None) and credential):
        return None
    return keys


def open_remote(storage: Storage, name: str, download: Download) -> IO[bytes]:
    """Open ``name`` for reading, held by ``download``: a cloud object as a
    :class:`~dlshortcuts.sources.ranged.RangedReader`, anything else as the storage opens it.

    :raises Http404: for a missing object or a suspicious name.
    """
    if cloud_store(storage) == "azure":
        # AzureStorageFile asks nothing before its whole-blob read: skip it.
        try:
            return cast(IO[bytes], download.hold(open_blob(storage, name)))
        except SuspiciousOperation as exc:
            raise Http404("No such file.") from exc
    try:
        file = download.hold(storage.open(name, "rb"))
    except (OSError, SuspiciousOperation) as exc:
        raise Http404("No such file.") from exc
    obj, blob = boto3_object(file), gcs_blob(file)
    if obj is None and blob is None:
        return cast(IO[bytes], file)
    if obj is not None:
        get_parameters = getattr(storage, "get_object_parameters", None)
        reader: RangedReader = ObjectReader(obj, get_parameters(name) if callable(get_parameters) else None)
    else:
        reader = BlobReader(blob)
    # The storage's own file was only its metadata: released early.
    download.release(file)
    return cast(IO[bytes], download.hold(reader))
