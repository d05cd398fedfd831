"""The demo's pages and the downloads that need more than one urlpattern line."""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render

from dlshortcuts import serve_path

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
    """Which web-server offload each download would use in production."""
    return render(request, "demo/production.html", {"links": LINKS})


@login_required
def handbook(request: HttpRequest) -> HttpResponseBase:
    """A download only logged-in users get; the check is plain Django."""
    return serve_path(request, settings.PRIVATE_ROOT / "members" / "handbook.pdf")


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
