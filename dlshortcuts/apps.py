"""The Django application: registers the system checks."""

from __future__ import annotations

from django.apps import AppConfig
from django.core import checks


class DlshortcutsConfig(AppConfig):
    """``dlshortcuts`` in ``INSTALLED_APPS``: its ``ready()`` registers the checks."""

    name = "dlshortcuts"
    verbose_name = "dlshortcuts"

    def ready(self) -> None:
        from .storage_checks import check_storage_urls  # noqa: PLC0415 - import once apps are ready

        checks.register(check_storage_urls, checks.Tags.urls)
