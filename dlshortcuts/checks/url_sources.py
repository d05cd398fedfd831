"""What only one shortcut's urlpatterns are checked for: its source (a root, a storage, a model).

Each function is a shortcut's ``check`` in :func:`dlshortcuts.checks.urls.rules`:
serve_path's root (E033, E034), serve_storage's alias (E030), serve_field's
model and lookups (E031, E032, E039), serve_url's arguments (E036).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage
from django.core.exceptions import FieldDoesNotExist
from django.core.files.storage import Storage
from django.db import models

from dlshortcuts.checks import message
from dlshortcuts.checks.urls import DOWNLOADVIEW, OBJECT_DOWNLOADVIEW, Route, parameter_names, wrong_option
from dlshortcuts.options import OPTION_NAMES, did_you_mean, misspelt_option, path_argument
from dlshortcuts.sources.remote.policy import forwarded_names, hosts_list, timeout_pair
from dlshortcuts.sources.storages import get_storage

_FIELD_OPTIONS = (
    "filename_field",
    "size_field",
    "content_type_field",
    "modified_field",
    "charset_field",
    "encoding_field",
)


_FIELD_HINT = (
    'Import the model and pass it, such as {"model": Document}, or {"queryset": Document.objects.all()}.'
)


def check_root(route: Route) -> list[CheckMessage]:
    """serve_path: a path from the URL needs a root (E033) that is an existing directory (E034)."""
    root = route.kwargs.get("root")
    if root is None:
        if "path" not in route.captures:
            return []  # A constant path: the project's own file, trusted.
        return [
            message(
                "dlshortcuts.E033",
                f"The urlpattern {route.route!r} serves a path from the URL without a root: a client "
                "can ask for any file the server can read.",
                hint='Add the directory the files are in, such as {"root": settings.PRIVATE_ROOT}.',
            )
        ]
    if isinstance(root, os.PathLike) and not isinstance(root, PurePath):
        # Any other os.PathLike may be resolved per request (from an
        # environment variable, a tenant's directory): not read here.
        return []
    try:
        directory = path_argument(root, "root")
    except TypeError as error:
        return [wrong_option(route, error, "Give the directory as a str or a pathlib.Path.")]
    if not os.path.isdir(directory):
        return [
            message(
                "dlshortcuts.E034",
                f"The urlpattern {route.route!r} serves files under root={directory!r}, which is not an "
                "existing directory: every request would answer 404.",
                hint="Create the directory, or fix the path (absolute, on the server).",
            )
        ]
    return []


def check_remote(route: Route) -> list[CheckMessage]:
    """serve_url: its timeout, allowed_hosts and forward_headers, checked as the call checks them (E036)."""
    validators: dict[str, Callable[[Any], object]] = {
        "timeout": timeout_pair,
        "allowed_hosts": hosts_list,
        "forward_headers": forwarded_names,
    }
    messages = []
    for name, validate in validators.items():
        if route.kwargs.get(name) is None:
            continue
        try:
            validate(route.kwargs[name])
        except (TypeError, ValueError) as error:
            messages.append(wrong_option(route, error, f"See serve_url's {name} in the docs."))
    return messages


def check_storage(route: Route) -> list[CheckMessage]:
    """serve_storage: a storage alias must be in ``STORAGES`` (E030), anything else a Storage (E036)."""
    alias = route.kwargs.get("storage")
    if alias is not None and not isinstance(alias, (str, Storage)):
        # An instance is taken as it is, an alias is not opened here: only a wrong type can raise.
        try:
            get_storage(alias)
        except TypeError as error:
            return [wrong_option(route, error, "Give an alias of STORAGES, or a Storage instance.")]
    if isinstance(alias, str) and alias not in settings.STORAGES:
        return [
            message(
                "dlshortcuts.E030",
                f"The urlpattern {route.route!r} serves storage={alias!r}, which is not an alias in "
                "settings.STORAGES.",
                hint=f"Use one of {sorted(settings.STORAGES)} or add {alias!r} to STORAGES.",
            )
        ]
    return []


def check_field(route: Route) -> list[CheckMessage]:
    """serve_field: its FileField (E031), ``*_field`` attributes (E032) and lookups (E039) exist."""
    queryset = route.kwargs.get("queryset")
    if queryset is not None and not isinstance(queryset, models.QuerySet):
        return [wrong_option(route, TypeError(f"queryset must be a QuerySet, not {queryset!r}"), _FIELD_HINT)]
    model = queryset.model if queryset is not None else route.kwargs.get("model")
    if model is None:
        return []  # A field_file or an instance comes from a view of the project's own.
    if not (isinstance(model, type) and issubclass(model, models.Model)):
        return [wrong_option(route, TypeError(f"model must be a model class, not {model!r}"), _FIELD_HINT)]
    messages: list[CheckMessage] = []
    field = route.kwargs.get("field", "file")
    model_field = next((f for f in model._meta.get_fields() if f.name == field), None)
    if not isinstance(model_field, models.FileField):
        messages.append(
            message(
                "dlshortcuts.E031",
                f"The urlpattern {route.route!r} serves field={field!r}, which is not a FileField of "
                f"{model.__name__}.",
                hint="Name a FileField or ImageField of the model with field=.",
            )
        )
    for option in _FIELD_OPTIONS:
        attribute = route.kwargs.get(option)
        if attribute is not None and not hasattr(model, attribute):
            messages.append(
                message(
                    "dlshortcuts.E032",
                    f"The urlpattern {route.route!r} reads {option}={attribute!r}, which {model.__name__} "
                    f"does not have.",
                    hint=f"Name a field or attribute of {model.__name__} holding that metadata.",
                )
            )
    return messages + _check_lookups(route, model)


def _check_lookups(route: Route, model: type[models.Model]) -> list[CheckMessage]:
    # What serve_field takes neither as a parameter nor as an option (nor a
    # misspelt option or a django-downloadview name: E035) is a lookup, as
    # queryset.get(**lookups) takes it.
    taken = parameter_names(route.shortcut) | set(OPTION_NAMES) | set(DOWNLOADVIEW) | set(OBJECT_DOWNLOADVIEW)
    lookups = {name for name in (*route.captures, *route.kwargs) if name not in taken}
    fields = [f.name for f in model._meta.get_fields()]
    messages = []
    for lookup in sorted(name for name in lookups if not misspelt_option(name)):
        name = lookup.split("__", 1)[0]
        if name == "pk":
            continue
        try:
            model._meta.get_field(name)
        except FieldDoesNotExist:
            messages.append(
                message(
                    "dlshortcuts.E039",
                    f"The urlpattern {route.route!r} looks {model.__name__} up by {lookup!r}, which is "
                    "not one of its fields: every request would fail with a TypeError.",
                    hint=did_you_mean(name, [*fields, "pk"]) or f"Use pk or one of {', '.join(fields)}.",
                )
            )
    return messages
