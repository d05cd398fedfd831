"""S3 objects read lazily with ranged GETs (:class:`~dlshortcuts.sources.ranged.RangedReader`).

The version is pinned with ``If-Match`` on the ETag the object had when it
was described (RFC 9110 §13.1.1): S3 answers 412 to a GET after the object
was replaced.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dlshortcuts.sources.ranged import Body, RangedReader

#: The object parameters a GetObject request needs too (customer-provided
#: encryption keys, requester pays); the others only apply to uploads.
DOWNLOAD_PARAMETERS = frozenset(
    {"SSECustomerAlgorithm", "SSECustomerKey", "SSECustomerKeyMD5", "RequestPayer", "ExpectedBucketOwner"}
)


def boto3_object(file: object) -> Any | None:
    """The boto3 ``s3.Object`` behind a storage file, or None.

    django-storages' ``S3File`` (and its subclasses) keeps the loaded object
    as ``obj``; any storage file exposing one the same way is read through
    :class:`ObjectReader` instead of its own buffering ``read()``.
    """
    obj = getattr(file, "obj", None)
    if callable(getattr(obj, "get", None)) and isinstance(getattr(obj, "content_length", None), int):
        return obj
    return None


class ObjectReader(RangedReader):
    """One S3 object, read with ranged GetObject requests carrying ``If-Match``.

    :param obj: a loaded boto3 ``s3.Object`` (its HeadObject answer gives the
        size, the ETag and the modification time).
    :param parameters: extra GetObject parameters (see :data:`DOWNLOAD_PARAMETERS`).
    """

    def __init__(self, obj: Any, parameters: Mapping[str, str] | None = None) -> None:
        super().__init__(obj.content_length, obj.e_tag, obj.last_modified.timestamp(), obj.content_type)
        self.obj = obj
        self._parameters = {k: v for k, v in (parameters or {}).items() if k in DOWNLOAD_PARAMETERS}

    def get_range(self, start: int, stop: int) -> Body:
        conditions = {} if self.etag is None else {"IfMatch": self.etag}
        answer = self.obj.get(Range=f"bytes={start}-{stop - 1}", **conditions, **self._parameters)
        body: Body = answer["Body"]
        return body
