"""W050: a cloud storage whose redirects cannot carry the download name."""

from __future__ import annotations

from django.core.checks import WARNING
from pytest_django import Settings

from dlshortcuts.checks.storages import check_cloud_storages

S3 = "storages.backends.s3.S3Storage"
S3_OPTIONS = {"bucket_name": "exports", "access_key": "k", "secret_key": "s", "region_name": "us-east-1"}


def test_unsigned_cloud_storages_are_warned_by_alias(settings: Settings) -> None:
    settings.STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "signed": {"BACKEND": S3, "OPTIONS": S3_OPTIONS},
        "cdn": {"BACKEND": S3, "OPTIONS": {**S3_OPTIONS, "custom_domain": "cdn.example.com"}},
        "public": {
            "BACKEND": "storages.backends.gcloud.GoogleCloudStorage",
            "OPTIONS": {"bucket_name": "media", "default_acl": "publicRead"},
        },
        "blobs": {
            "BACKEND": "storages.backends.azure_storage.AzureStorage",
            "OPTIONS": {"account_name": "acme", "account_key": "a2V5", "azure_container": "media"},
        },
        "staticfiles": {"BACKEND": S3, "OPTIONS": {**S3_OPTIONS, "querystring_auth": False}},
    }

    messages = check_cloud_storages()

    assert [(m.id, m.level) for m in messages] == [("dlshortcuts.W050", WARNING)] * 3
    assert [m.msg.split(" ")[0] for m in messages] == [
        "STORAGES['cdn']",
        "STORAGES['public']",
        "STORAGES['blobs']",
    ]
    assert messages[0].msg == (
        "STORAGES['cdn'] (S3Storage) does not sign its URLs: serve_storage(..., redirect=True) "
        "redirects to a URL that cannot carry the download name and type."
    )


def test_signed_or_local_storages_pass(settings: Settings) -> None:
    settings.STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "signed": {"BACKEND": S3, "OPTIONS": S3_OPTIONS},
    }
    assert check_cloud_storages() == []
