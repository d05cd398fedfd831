"""System checks for django-storages' cloud backends: ids dlshortcuts.E050-E059/W050-W059.

``serve_storage(..., redirect=True)`` names the download through the signed
URL (:func:`dlshortcuts.sources.cloud.signing_keys`). A storage configured
so that its URLs are not signed by the object store (S3 behind CloudFront or
with ``querystring_auth`` off, a public GCS bucket, Azure without an expiry
or a credential) redirects to a URL that cannot carry the name: warned here,
once per ``STORAGES`` alias, instead of discovered as a wrongly named file.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage
from django.core.files.storage import storages

from dlshortcuts.checks import message
from dlshortcuts.sources.cloud import cloud_keys, signing_keys

#: Django's alias for static files: served by URL, never as a named download.
_STATICFILES = "staticfiles"


def check_cloud_storages(**kwargs: Any) -> list[CheckMessage]:  # noqa: ARG001 - app_configs, databases: unused
    """Check every cloud storage of ``STORAGES`` (except ``staticfiles``).

    :returns: W050 (its redirects cannot carry the download name and type).
    """
    messages: list[CheckMessage] = []
    for alias in settings.STORAGES:
        if alias == _STATICFILES:
            continue
        try:
            storage = storages[alias]
        except Exception:  # noqa: S112 - a broken alias is Django's own error to report
            continue
        if cloud_keys(storage) is not None and signing_keys(storage) is None:
            messages.append(
                message(
                    "dlshortcuts.W050",
                    f"STORAGES[{alias!r}] ({type(storage).__name__}) does not sign its URLs: "
                    "serve_storage(..., redirect=True) redirects to a URL that cannot carry "
                    "the download name and type.",
                    hint="Sign URLs (S3: querystring_auth on, no custom_domain; GCS: no "
                    "publicRead default_acl; Azure: AZURE_URL_EXPIRATION_SECS and an account "
                    "key or token credential), or stream (redirect=False).",
                )
            )
    return messages
