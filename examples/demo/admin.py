"""Admin pages: upload Documents, browse Orders."""

from __future__ import annotations

from django.contrib import admin

from .models import Document, Order


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin[Document]):
    list_display = ("title", "file", "owner", "filename", "size", "content_type", "uploaded_at")


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin[Order]):
    list_display = ("number", "customer", "total", "placed_at")
