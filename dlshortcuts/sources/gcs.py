"""Google Cloud Storage objects read lazily with ranged GETs, pinned to one generation.

django-storages' ``GoogleCloudFile`` loads the blob's metadata when it is
opened (one JSON API GET: size, generation, update time, type) and copies
the whole object into a temporary file on the first ``read()``.
:class:`BlobReader` keeps that metadata and reads the object itself: one
media GET per range (RFC 9110 §14.2), streamed, through the authorised
session of the storage's own client. No Google package is imported here:
the blob comes from django-storages, which imports the SDK.

Every GET names the generation described to the client and carries
``ifGenerationMatch`` (the JSON API's precondition): once the object is
replaced, GCS answers 412 (or 404 for a generation that no longer exists)
and the read fails, so bytes of two generations are never stitched together.
"""

from __future__ import annotations

import re
from typing import Any

from dlshortcuts.sources.ranged import Body, ObjectChanged, RangedReader, ResponseBody

#: Seconds to wait for GCS to start answering (google-cloud-storage's own default).
TIMEOUT = 60

_COMPLETE_LENGTH = re.compile(r"/(\d+)\s*$")


def gcs_blob(file: object) -> Any | None:
    """The ``google.cloud.storage.Blob`` behind a storage file, or None.

    django-storages' ``GoogleCloudFile`` keeps the blob it loaded as ``blob``;
    any storage file exposing a loaded blob the same way is read through
    :class:`BlobReader` instead of its own buffering ``read()``.
    """
    blob = getattr(file, "blob", None)
    loaded = isinstance(getattr(blob, "size", None), int) and isinstance(
        getattr(blob, "generation", None), int
    )
    return blob if loaded and getattr(blob, "media_link", None) else None


class BlobReader(RangedReader):
    """One GCS object generation, read with ranged media GETs.

    Its ETag is the generation (quoted): it changes exactly when the bytes do.

    :param blob: a blob loaded with its metadata (``bucket.get_blob(name)``).
    """

    def __init__(self, blob: Any) -> None:
        super().__init__(blob.size, f'"{blob.generation}"', blob.updated.timestamp(), blob.content_type)
        self.blob = blob
        self.generation: int = blob.generation

    def get_range(self, start: int, stop: int) -> Body:
        # The client's transport (google-cloud-core's ``_http``): the session
        # authorised with the storage's credentials, pointing at the emulator
        # when STORAGE_EMULATOR_HOST says so. Blob.download_* would write the
        # range into a file object instead of letting it be read in blocks.
        session = self.blob.client._http
        params = {"ifGenerationMatch": str(self.generation)}
        if self.blob.user_project:
            params["userProject"] = self.blob.user_project
        response = session.get(
            # The metadata's own download link names the generation.
            self.blob.media_link,
            params=params,
            headers={"Range": f"bytes={start}-{stop - 1}"},
            stream=True,
            timeout=TIMEOUT,
        )
        try:
            self._check(response, start, stop)
        except BaseException:
            response.close()
            raise
        return ResponseBody(response)

    def _check(self, response: Any, start: int, stop: int) -> None:
        if response.status_code in (404, 412):
            raise ObjectChanged(f"generation {self.generation} of {self.blob.name!r} is gone")
        if response.status_code not in (200, 206):
            raise OSError(f"GCS answered {response.status_code} for {self.blob.name!r}")
        generation = response.headers.get("x-goog-generation")
        complete = _COMPLETE_LENGTH.search(response.headers.get("Content-Range", ""))
        # Belt and braces for stores (emulators) that ignore the precondition:
        # a response from another generation or of another length is not ours.
        if (generation is not None and generation != str(self.generation)) or (
            complete is not None and int(complete.group(1)) != self.size
        ):
            raise ObjectChanged(f"{self.blob.name!r} changed after generation {self.generation}")
        if response.status_code == 200 and (start, stop) != (0, self.size):
            raise OSError(f"GCS ignored the Range of a GET for {self.blob.name!r}")
