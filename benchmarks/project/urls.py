"""One URL prefix per competitor; the harness builds its URLs from these."""

from __future__ import annotations

from django.urls import path
from django.views.static import serve

from dlshortcuts import serve_path

from . import FILES_ROOT, views

urlpatterns = [
    path("dlshortcuts/<path:path>", serve_path, {"root": FILES_ROOT}),
    path("fileresponse/<path:path>", views.django_file_response),
    path("ceiling/<path:path>", views.ceiling),
    path("async/ceiling/<path:path>", views.async_ceiling),
    path("async/dlshortcuts/<path:path>", views.async_serve_path),
    path("static/<path:path>", serve, {"document_root": FILES_ROOT}),
    path("downloadview/<path:path>", views.downloadview),
    path("offload/<path:path>", views.offload),
    path("downloadview-x-accel/<path:path>", views.downloadview_x_accel),
    path("generated/dlshortcuts/<int:rows>.csv", views.dlshortcuts_csv),
    path("generated/django/<int:rows>.csv", views.django_streaming_csv),
]
