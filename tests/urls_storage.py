"""URLs for the serve_storage and serve_field tests: the one-line patterns and a few views."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.urls import path

from dlshortcuts import aserve_field, aserve_storage, serve_field, serve_storage
from tests.models import Document


@login_required
def my_document(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Only the owner's documents: anyone else gets a 404, as for a missing one."""
    return serve_field(request, queryset=Document.objects.filter(owner=request.user), pk=pk)


async def async_media(request: HttpRequest, name: str) -> HttpResponseBase:
    return await aserve_storage(request, name, storage="private")


async def async_document(request: HttpRequest, pk: int) -> HttpResponseBase:
    return await aserve_field(request, model=Document, pk=pk, size_field="size", modified_field="updated")


# Order matters: a UUID also matches the slug converter.
urlpatterns = [
    path("media/<path:name>", serve_storage, {"storage": "private"}),
    path("s3/<path:name>", serve_storage, {"storage": "s3"}),
    path("s3-redirect/<path:name>", serve_storage, {"storage": "s3", "redirect": True}),
    path("docs/<int:pk>/", serve_field, {"model": Document, "field": "file"}),
    path(
        "docs/<uuid:uuid>/",
        serve_field,
        {"queryset": Document.objects.all(), "size_field": "size", "modified_field": "updated"},
    ),
    path("docs/<slug:slug>/", serve_field, {"model": Document, "filename_field": "title"}),
    path("images/<int:pk>/", serve_field, {"model": Document, "field": "image", "as_attachment": False}),
    path("mine/<int:pk>/", my_document),
    path("async/media/<path:name>", async_media),
    path("async/docs/<int:pk>/", async_document),
]
