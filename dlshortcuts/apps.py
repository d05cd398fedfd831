"""The Django application: registers the system checks."""

from __future__ import annotations

from django.apps import AppConfig


class DlshortcutsConfig(AppConfig):
    """``dlshortcuts`` in ``INSTALLED_APPS``: its ``ready()`` registers the checks."""

    name = "dlshortcuts"
    verbose_name = "dlshortcuts"

    def ready(self) -> None:
        # Imported once apps are ready: the checks read settings and the URLconf.
        from dlshortcuts.checks import register  # noqa: PLC0415

        register()
