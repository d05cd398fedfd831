"""System checks for serve_storage and serve_field in ``urlpatterns``: ids dlshortcuts.E030-E039.

A one-line urlpattern carries its configuration in ``path()``'s third
argument; a typo there (a storage alias, a field name) would otherwise only
show at the first request, as a 500.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator, Mapping
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver

from dlshortcuts.checks import message

_FIELD_OPTIONS = (
    "filename_field",
    "size_field",
    "content_type_field",
    "modified_field",
    "charset_field",
    "encoding_field",
)


def check_storage_urls(**kwargs: Any) -> list[CheckMessage]:  # noqa: ARG001 - app_configs, databases: unused
    """Check every urlpattern that uses serve_storage or serve_field (or their async twins).

    :returns: E030 (``storage`` is not an alias in ``STORAGES``), E031
        (``field`` is not a FileField of the model), E032 (a ``*_field``
        option names no attribute of the model).
    """
    # The shortcuts import the ORM: only once apps are ready.
    from dlshortcuts.async_shortcuts import aserve_field, aserve_storage  # noqa: PLC0415
    from dlshortcuts.shortcuts import serve_field, serve_storage  # noqa: PLC0415

    storage_views = {serve_storage, aserve_storage}
    field_views = {serve_field, aserve_field}
    messages: list[CheckMessage] = []
    for route, pattern in _patterns(get_resolver().url_patterns, ""):
        view = inspect.unwrap(pattern.callback)
        if view in storage_views:
            messages.extend(_check_storage(route, pattern.default_args))
        elif view in field_views:
            messages.extend(_check_field(route, pattern.default_args))
    return messages


def _patterns(patterns: list[Any], prefix: str) -> Iterator[tuple[str, URLPattern]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def _check_storage(route: str, options: Mapping[str, Any]) -> list[CheckMessage]:
    alias = options.get("storage")
    if isinstance(alias, str) and alias not in settings.STORAGES:
        return [
            message(
                "dlshortcuts.E030",
                f"The urlpattern {route!r} serves storage={alias!r}, which is not an alias in "
                "settings.STORAGES.",
                hint=f"Use one of {sorted(settings.STORAGES)} or add {alias!r} to STORAGES.",
            )
        ]
    return []


def _check_field(route: str, options: Mapping[str, Any]) -> list[CheckMessage]:
    queryset = options.get("queryset")
    model = queryset.model if isinstance(queryset, models.QuerySet) else options.get("model")
    if not (isinstance(model, type) and issubclass(model, models.Model)):
        return []
    messages: list[CheckMessage] = []
    field = options.get("field", "file")
    model_field = next((f for f in model._meta.get_fields() if f.name == field), None)
    if not isinstance(model_field, models.FileField):
        messages.append(
            message(
                "dlshortcuts.E031",
                f"The urlpattern {route!r} serves field={field!r}, which is not a FileField of "
                f"{model.__name__}.",
                hint="Name a FileField or ImageField of the model with field=.",
            )
        )
    for option in _FIELD_OPTIONS:
        attribute = options.get(option)
        if attribute is not None and not hasattr(model, attribute):
            messages.append(
                message(
                    "dlshortcuts.E032",
                    f"The urlpattern {route!r} reads {option}={attribute!r}, which {model.__name__} "
                    f"does not have.",
                    hint=f"Name a field or attribute of {model.__name__} holding that metadata.",
                )
            )
    return messages
