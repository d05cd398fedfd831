"""URLs for the Google Cloud Storage and Azure tests: STORAGES["cloud"] (and "default") is one emulator."""

from __future__ import annotations

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.urls import path

from dlshortcuts import aserve_storage, serve_field, serve_storage
from tests.models import Document


def field_of(request: HttpRequest, name: str) -> HttpResponseBase:
    """A Document's FileField naming ``name`` in the default storage (no database row needed)."""
    return serve_field(request, instance=Document(file=name), field="file")


async def async_cloud(request: HttpRequest, name: str) -> HttpResponseBase:
    return await aserve_storage(request, name, storage="cloud")


urlpatterns = [
    path("cloud/<path:name>", serve_storage, {"storage": "cloud"}),
    path("cloud-redirect/<path:name>", serve_storage, {"storage": "cloud", "redirect": True}),
    path("field/<path:name>", field_of),
    path("docs/<int:pk>/", serve_field, {"model": Document, "field": "file"}),
    path("async/cloud/<path:name>", async_cloud),
]
