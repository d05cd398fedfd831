"""Models for the test suite."""

from __future__ import annotations

import uuid

from django.conf import settings
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
