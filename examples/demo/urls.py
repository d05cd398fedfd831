"""One urlpattern per download; most are the shortcut itself, options in the third argument."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from dlshortcuts import (
    serve_archive,
    serve_field,
    serve_generated,
    serve_path,
    serve_storage,
    signature_required,
)

from . import views
from .models import Document

urlpatterns = [
    path("", views.home, name="home"),
    path("production/", views.production, name="production"),
    path("files/<path:path>", serve_path, {"root": settings.PRIVATE_ROOT / "files"}, name="files"),
    path(
        "images/<path:path>",
        serve_path,
        {"root": settings.PRIVATE_ROOT / "images", "as_attachment": False},
        name="images",
    ),
    path(
        "orders.csv",
        serve_generated,
        {"content": views.order_rows, "filename": "orders.csv", "charset": "utf-8"},
        name="orders-csv",
    ),
    path("members/handbook.pdf", views.handbook, name="handbook"),
    path(
        "shared/<path:path>",
        signature_required(serve_path),
        {"root": settings.PRIVATE_ROOT / "files"},
        name="shared",
    ),
    # Documents with an owner are only for that owner (views.my_document).
    path(
        "documents/<int:pk>/",
        serve_field,
        {"queryset": Document.objects.filter(owner=None), **views.DOCUMENT_FIELDS},
        name="document",
    ),
    path("my/documents/<int:pk>/", views.my_document, name="my-document"),
    path("async/documents/<int:pk>/", views.async_document, name="async-document"),
    path("storage/<path:name>", serve_storage, {"storage": "private"}, name="storage"),
    path("remote/<path:path>", views.remote, name="remote"),
    path(
        "demo-files.zip",
        serve_archive,
        {"members": views.archive_members, "filename": "demo-files.zip"},
        name="archive",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
]
