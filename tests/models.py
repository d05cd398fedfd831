"""Models for the test suite."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models


class Document(models.Model):
    """A stored file with the metadata a project typically keeps beside it."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE)
    slug = models.SlugField(unique=True)
    uuid = models.UUIDField(default=uuid.uuid4, unique=True)
    file = models.FileField(upload_to="docs/", blank=True)
    image = models.ImageField(upload_to="images/", blank=True)
    title = models.CharField(max_length=200, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    mime_type = models.CharField(max_length=100, blank=True)
    charset = models.CharField(max_length=40, blank=True)
    encoding = models.CharField(max_length=40, blank=True)
    updated = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.slug


class UUIDUser(AbstractBaseUser):
    """A user whose primary key is a UUID (a project's custom user model, as signed links see it)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    USERNAME_FIELD = "id"


class NamedUser(AbstractBaseUser):
    """A user whose primary key is a string."""

    username = models.CharField(primary_key=True, max_length=150)
    USERNAME_FIELD = "username"


# The models the documentation's examples import from their app's models.py
# (tests/test_docs_examples.py runs them with this module as ``.models``).


class Invoice(models.Model):
    """An invoice whose PDF is on disk (docs/serve_path.rst, docs/security.rst)."""

    number = models.CharField(max_length=40, unique=True)
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    pdf_name = models.CharField(max_length=200)  # relative to settings.INVOICES_ROOT
    pdf_path = models.CharField(max_length=400)  # absolute

    def __str__(self) -> str:
        return self.number


class Order(models.Model):
    """An order exported as CSV rows (docs/serve_generated.rst)."""

    number = models.CharField(max_length=40, unique=True)
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    created = models.DateTimeField(auto_now_add=True)
    total = models.DecimalField(max_digits=12, decimal_places=2)

    def __str__(self) -> str:
        return self.number


class Letter(models.Model):
    """A letter scanned into an archive service (docs/serve_url.rst)."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    title = models.CharField(max_length=200)
    archive_id = models.CharField(max_length=64)

    def __str__(self) -> str:
        return self.title
