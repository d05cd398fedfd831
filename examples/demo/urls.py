"""One urlpattern per download; most are the shortcut itself, options in the third argument."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from dlshortcuts import serve_generated, serve_path

from . import views

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
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
]
