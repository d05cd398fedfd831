"""What the demo serves from the database."""

from __future__ import annotations

from django.db import models


class Document(models.Model):
    """An uploaded file (upload more in the admin)."""

    title = models.CharField(max_length=200)
    file = models.FileField(upload_to="documents/")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-uploaded_at",)

    def __str__(self) -> str:
        return self.title


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
