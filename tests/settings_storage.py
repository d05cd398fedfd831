"""Settings for the real-server storage tests: storages named by environment variables."""

from __future__ import annotations

import os

from tests.settings import *  # noqa: F403

ROOT_URLCONF = "tests.urls_storage"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": os.environ.get("DLSHORTCUTS_TEST_PRIVATE_ROOT", "/nonexistent")},
    },
    "s3": {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "access_key": "testing",
            "secret_key": "testing",
            "region_name": "us-east-1",
            "signature_version": "s3v4",
            "endpoint_url": os.environ.get("DLSHORTCUTS_TEST_S3_ENDPOINT", "http://127.0.0.1:9"),
            "bucket_name": os.environ.get("DLSHORTCUTS_TEST_S3_BUCKET", "none"),
        },
    },
}
