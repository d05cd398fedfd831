"""Settings for the real-server cloud tests: STORAGES["cloud"] and "default" on the emulator
named by DLSHORTCUTS_TEST_CLOUD ("gcs" or "azure"), reached through the variables below."""

from __future__ import annotations

import os
from typing import Any

from tests.cloudservers import azure_storage_options, gcs_storage_options
from tests.settings import *  # noqa: F403

ROOT_URLCONF = "tests.urls_cloud"

_STORE = os.environ.get("DLSHORTCUTS_TEST_CLOUD", "gcs")
_CONTAINER = os.environ.get("DLSHORTCUTS_TEST_CLOUD_BUCKET", "none")
_CLOUD: dict[str, Any] = (
    {"BACKEND": "storages.backends.gcloud.GoogleCloudStorage", "OPTIONS": gcs_storage_options(_CONTAINER)}
    if _STORE == "gcs"
    else {
        "BACKEND": "storages.backends.azure_storage.AzureStorage",
        "OPTIONS": azure_storage_options(
            os.environ.get("DLSHORTCUTS_TEST_AZURITE", "http://127.0.0.1:9"), _CONTAINER
        ),
    }
)
STORAGES = {"default": _CLOUD, "cloud": _CLOUD}
