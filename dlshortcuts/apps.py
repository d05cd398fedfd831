"""The Django application: registers the system checks."""

from __future__ import annotations

from django.apps import AppConfig
from django.core import checks


class DlshortcutsConfig(AppConfig):
    """``dlshortcuts`` in ``INSTALLED_APPS``: its checks run at ``manage.py check``."""

    name = "dlshortcuts"
    verbose_name = "dlshortcuts"

    def ready(self) -> None:
        from .checks import check_offload_settings  # noqa: PLC0415 - settings are ready only now
        from .compat import check_sendfile_settings  # noqa: PLC0415

        checks.register(check_offload_settings)
        checks.register(check_sendfile_settings)
