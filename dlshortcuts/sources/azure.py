"""Azure blobs read lazily with ranged GETs, pinned to one ETag.

django-storages' ``AzureStorageFile`` copies the whole blob into a temporary
file on the first ``read()``, and the SDK's public ``download_blob()`` reads
its first 32 MiB into memory and splits a range into several GETs.
:class:`BlobReader` describes the blob from its properties (one HEAD: size,
ETag, last modified, type) and reads it with one Get Blob request per range
(``x-ms-range``, RFC 9110 §14.2), streamed.

Every GET carries ``If-Match`` with the ETag described to the client
(RFC 9110 §13.1.1): once the blob is replaced, Azure answers 412, the SDK
raises, and the read fails with :class:`~dlshortcuts.sources.ranged.ObjectChanged`, so bytes of two
versions are never stitched together.

The SDK is imported only when an Azure storage is used: django-storages
imports it for such a storage anyway; without it, the message says which
extra to install.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.http import Http404

from dlshortcuts.sources.ranged import Body, ObjectChanged, RangedReader, ResponseBody


def open_blob(storage: Any, name: str) -> BlobReader:
    """The blob ``name`` of django-storages' ``AzureStorage``, described by its properties.

    :raises Http404: for a missing blob.
    :raises ImproperlyConfigured: when azure-storage-blob is not installed.
    """
    try:
        from azure.core.exceptions import ResourceNotFoundError  # noqa: PLC0415 - optional SDK
    except ImportError as exc:
        raise ImproperlyConfigured(
            "Serving from Azure Blob Storage needs azure-storage-blob: pip install dlshortcuts[azure]"
        ) from exc
    # The name as django-storages itself resolves it (location, cleaning).
    client = storage.client.get_blob_client(storage._get_valid_path(name))
    try:
        properties = client.get_blob_properties(timeout=storage.timeout)
    except ResourceNotFoundError as exc:
        raise Http404("No such file.") from exc
    return BlobReader(client, properties, timeout=storage.timeout)


class BlobReader(RangedReader):
    """One Azure blob version, read with ranged Get Blob requests carrying ``If-Match``.

    :param client: the blob's ``BlobClient``.
    :param properties: its ``BlobProperties`` (``get_blob_properties()``).
    :param timeout: the server-side timeout of each GET, in seconds.
    """

    def __init__(self, client: Any, properties: Any, *, timeout: int | None = None) -> None:
        super().__init__(
            properties.size,
            properties.etag,
            properties.last_modified.timestamp(),
            properties.content_settings.content_type,
        )
        self.client = client
        self._timeout = timeout

    def get_range(self, start: int, stop: int) -> Body:
        from azure.core.exceptions import HttpResponseError  # noqa: PLC0415 - optional SDK

        try:
            # The generated Get Blob operation under download_blob(): one request
            # whose body is left unread (stream=True) for us to read in blocks.
            stream = self.client._client.blob.download(
                range=f"bytes={start}-{stop - 1}",
                timeout=self._timeout,
                headers={"If-Match": self.etag},
            )
        except HttpResponseError as exc:
            if exc.status_code in (404, 412):  # deleted, or If-Match failed: replaced
                raise ObjectChanged(f"{self.client.blob_name!r} changed after ETag {self.etag}") from exc
            raise
        return ResponseBody(stream.response.internal_response)
