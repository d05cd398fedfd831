"""The demo's pages and the downloads that need more than one urlpattern line."""

from __future__ import annotations

import csv
import functools
import subprocess
import sys
from collections.abc import Iterator
from typing import TypedDict

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse

from dlshortcuts import ArchiveMember, aserve_field, serve_field, serve_path, serve_url

from .catalog import LINKS
from .models import Document, Order


def home(request: HttpRequest) -> HttpResponse:
    """Every download the demo offers, with the code behind it."""
    context = {
        "links": LINKS,
        "username": settings.DEMO_USERNAME,
        "password": settings.DEMO_PASSWORD,
        "documents": Document.objects.all(),
    }
    return render(request, "demo/home.html", context)


def production(request: HttpRequest) -> HttpResponse:
    """Which web-server offload each download would use in production, and the
    nginx configuration for all of the demo's locations (what ``make demo-nginx``
    runs), rendered from the settings rather than written by hand."""
    return render(request, "demo/production.html", {"links": LINKS, "nginx_config": _nginx_config()})


@functools.cache
def _nginx_config() -> str:
    """What ``manage.py dlshortcuts_proxy_config --backend nginx`` prints under nginx/settings.py.

    Those settings hand the demo's locations to nginx (``DLSHORTCUTS``'s
    ``BACKEND`` and ``LOCATIONS``); this process keeps offload off, so the
    command runs in one of its own, once.
    """
    command = ["dlshortcuts_proxy_config", "--backend", "nginx", "--upstream", "127.0.0.1:8000"]
    result = subprocess.run(
        [sys.executable, "manage.py", *command, "--settings", "nginx.settings"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return result.stdout


@login_required
def handbook(request: HttpRequest) -> HttpResponseBase:
    """A download only logged-in users get; the check is plain Django."""
    return serve_path(request, settings.PRIVATE_ROOT / "members" / "handbook.pdf")


class DocumentFields(TypedDict):
    """serve_field's ``*_field`` options, as keyword arguments."""

    filename_field: str
    size_field: str
    content_type_field: str
    modified_field: str


# The metadata Document keeps next to its file (see Document.save()).
DOCUMENT_FIELDS = DocumentFields(
    filename_field="filename",
    size_field="size",
    content_type_field="content_type",
    modified_field="uploaded_at",
)


@login_required
def my_document(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A document only its owner gets: anyone else's pk is a 404, like a missing one."""
    return serve_field(
        request, queryset=Document.objects.filter(owner=request.user), pk=pk, **DOCUMENT_FIELDS
    )


async def async_document(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The same download from an ``async def`` view: the query runs in a worker thread."""
    return await aserve_field(request, queryset=Document.objects.filter(owner=None), pk=pk, **DOCUMENT_FIELDS)


def remote(request: HttpRequest, path: str) -> HttpResponseBase:
    """Proxy a file another server holds; here that server is the demo itself.

    The URL is built from the request's own host (checked against
    ALLOWED_HOSTS by Django), so it works on any port; serve_url fetches it
    only because DLSHORTCUTS["URL_ALLOWED_HOSTS"] lists 127.0.0.1.
    """
    return serve_url(request, request.build_absolute_uri(reverse("files", kwargs={"path": path})))


class _Echo:
    """A file-like object whose write() returns what it is given (for csv.writer)."""

    def write(self, value: str) -> str:
        return value


def order_rows(request: HttpRequest) -> Iterator[str]:
    """The CSV export, one line at a time, straight from the database cursor.

    ``serve_generated`` calls it lazily with the request, so it filters like
    any view would: ``/orders.csv?customer=Ada``.
    """
    writer = csv.writer(_Echo())
    yield writer.writerow(["number", "customer", "total", "placed_at"])
    rows = Order.objects.values_list("number", "customer", "total", "placed_at")
    if customer := request.GET.get("customer"):
        rows = rows.filter(customer=customer)
    for number, customer, total, placed_at in rows.iterator(chunk_size=500):
        yield writer.writerow([number, customer, total, placed_at.isoformat()])


def archive_members(request: HttpRequest) -> list[ArchiveMember]:
    """The public files and the documents the user may see, as one zip.

    Files come from disk, documents from their storage, filtered by owner as
    ``my_document`` is. Their size and date come from the model, so a HEAD or
    a 304 asks the storage nothing; the pk makes each name unique.
    """
    files = settings.PRIVATE_ROOT / "files"
    members = [
        ArchiveMember(f"files/{path.name}", path) for path in sorted(files.iterdir()) if path.is_file()
    ]
    visible = Q(owner=None)
    if request.user.is_authenticated:
        visible |= Q(owner=request.user)
    for document in Document.objects.filter(visible).order_by("pk"):
        name = f"documents/{document.pk}-{document.filename}"
        members.append(ArchiveMember(name, document.file, size=document.size, modified=document.uploaded_at))
    return members
