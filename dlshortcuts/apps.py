"""The Django application: registers the system checks."""

from __future__ import annotations

from django.apps import AppConfig
from django.core import checks


class DlshortcutsConfig(AppConfig):
    """``dlshortcuts`` in ``INSTALLED_APPS``: its ``ready()`` registers the checks."""

    name = "dlshortcuts"
    verbose_name = "dlshortcuts"

    def ready(self) -> None:
        # Imported once apps are ready: the checks read settings.
        from dlshortcuts.checks.settings import check_offload_settings  # noqa: PLC0415
        from dlshortcuts.checks.url_settings import check_url_settings  # noqa: PLC0415
        from dlshortcuts.checks.urls import check_storage_urls  # noqa: PLC0415
        from dlshortcuts.compat import check_sendfile_settings  # noqa: PLC0415

        checks.register(check_offload_settings)
        checks.register(check_sendfile_settings)
        checks.register(check_url_settings)
        checks.register(check_storage_urls, checks.Tags.urls)
