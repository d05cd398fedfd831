"""What the demo serves from the database."""

from __future__ import annotations

import mimetypes
import posixpath
from typing import Any

from django.conf import settings
from django.db import models


class Document(models.Model):
    """An uploaded file (upload more in the admin).

    ``filename``, ``size`` and ``content_type`` are filled in when the
    document is saved; ``serve_field`` reads them (and ``uploaded_at``)
    instead of asking the storage, so a HEAD or a 304 touches no file.
    """

    title = models.CharField(max_length=200)
    file = models.FileField(upload_to="documents/")
    # Set on every save, so a replaced file never keeps the old Last-Modified
    # (serve_field's modified_field; a stale one would earn a wrong 304).
    uploaded_at = models.DateTimeField(auto_now=True)
    # Only the owner may have it through the owner-filtered view; None: nobody's.
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE)
    filename = models.CharField(max_length=255, blank=True, help_text="The download name.")
    size = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    content_type = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ("-uploaded_at",)

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Record the file's name, size and type next to it (blank ones only)."""
        if self.file.name:
            self.filename = self.filename or posixpath.basename(self.file.name)
            self.size = self.file.size
            self.content_type = self.content_type or mimetypes.guess_type(self.filename)[0] or ""
        super().save(*args, **kwargs)


class Order(models.Model):
    """One row of the streamed CSV export."""

    number = models.PositiveIntegerField(unique=True)
    customer = models.CharField(max_length=100)
    total = models.DecimalField(max_digits=10, decimal_places=2)
    placed_at = models.DateTimeField()

    class Meta:
        ordering = ("number",)

    def __str__(self) -> str:
        return f"Order {self.number}"
