"""Files in model fields: finding the object, checking the field, reading stored metadata."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist, FieldError, ImproperlyConfigured, ValidationError
from django.db import models
from django.db.models.fields.files import FieldFile
from django.http import Http404

from dlshortcuts.download import Download
from dlshortcuts.options import Options
from dlshortcuts.sources.storages import resolve_storage


@dataclass(frozen=True)
class MetadataFields:
    """Names of model attributes that already hold the file's metadata.

    Each one replaces a storage call or a guess. An attribute whose value is
    empty (None or ``""``) on an instance is ignored for that instance.

    :ivar filename: the download name (django-downloadview's ``basename_field``).
    :ivar size: the size in bytes (``size_field``).
    :ivar content_type: the MIME type (``mime_type_field``).
    :ivar modified: a datetime or POSIX timestamp (``modification_time_field``).
    :ivar charset: the text charset (``charset_field``).
    :ivar encoding: the Content-Encoding, e.g. ``gzip`` (``encoding_field``).
    """

    filename: str | None = None
    size: str | None = None
    content_type: str | None = None
    modified: str | None = None
    charset: str | None = None
    encoding: str | None = None


def find_field_file(
    field_file: FieldFile | None,
    *,
    instance: models.Model | None,
    model: type[models.Model] | None,
    queryset: models.QuerySet[Any] | None,
    field: str,
    lookups: Mapping[str, Any],
) -> FieldFile:
    """The FieldFile to serve, from whichever source the caller gave.

    :raises Http404: when no object matches ``lookups`` (or a lookup value
        has the wrong form for its field).
    :raises ImproperlyConfigured: when ``field`` is not a FileField of the model.
    :raises TypeError: for a missing or ambiguous source, or a keyword that is
        neither an option nor a field to look up.
    """
    if field_file is not None:
        if not isinstance(field_file, FieldFile):
            raise TypeError(
                f"serve_field() field_file must be a FieldFile (model_instance.file), not {field_file!r}"
            )
        _no_lookups(lookups, "a field_file")
        return field_file
    if instance is not None:
        _no_lookups(lookups, "an instance")
        _check_field(type(instance), field)
        return getattr(instance, field)  # type: ignore[no-any-return]
    if queryset is None:
        if model is None:
            raise TypeError("serve_field() needs field_file, instance, model or queryset")
        queryset = model._default_manager.all()
    _check_field(queryset.model, field)
    if not lookups:
        raise TypeError(
            "serve_field() with a model or queryset needs lookups, e.g. pk from "
            'path("docs/<int:pk>/", serve_field, {"model": Document})'
        )
    try:
        obj = queryset.get(**lookups)
    except queryset.model.DoesNotExist as exc:
        raise Http404("No such object.") from exc
    except (ValueError, ValidationError) as exc:  # "abc" for an integer pk, a malformed UUID
        raise Http404("No such object.") from exc
    except FieldError as exc:
        raise TypeError(
            f"serve_field() got lookups {sorted(lookups)!r}, which are neither options nor "
            f"fields of {queryset.model.__name__}: {exc}"
        ) from exc
    return getattr(obj, field)  # type: ignore[no-any-return]


def resolve_field(
    field_file: FieldFile, metadata: MetadataFields, options: Options
) -> tuple[Download, Options]:
    """Describe ``field_file`` as a Download, reading what ``metadata`` names on its instance.

    Returns the options too: a charset or encoding field adds to them.

    :raises Http404: for an empty field or a file missing from its storage.
    """
    if not field_file:
        raise Http404("No file.")
    instance = field_file.instance
    values = {
        f.name: _read(instance, getattr(metadata, f.name))
        for f in dataclasses.fields(metadata)
        if getattr(metadata, f.name) is not None
    }
    download = resolve_storage(
        field_file.storage,
        field_file.name or "",
        filename=values.get("filename") or None,
        size=values.get("size"),
        modified=_timestamp(values.get("modified")),
    )
    if values.get("modified") is not None:
        # A local file's fstat is free and exact for the size, but the stored
        # time is the one the application chose to publish.
        download.modified = _timestamp(values["modified"])
    if values.get("content_type"):
        download.content_type = values["content_type"]
    changes: dict[str, Any] = {}
    if values.get("charset") and options.charset is None:
        changes["charset"] = values["charset"]
    if values.get("encoding"):
        changes["headers"] = {"Content-Encoding": values["encoding"], **options.headers}
    return download, dataclasses.replace(options, **changes) if changes else options


def _read(instance: models.Model, attribute: str) -> Any:
    try:
        value = getattr(instance, attribute)
    except AttributeError as exc:
        raise ImproperlyConfigured(
            f"serve_field(): {type(instance).__name__} has no attribute {attribute!r} to read metadata from."
        ) from exc
    return None if value == "" else value


def _timestamp(value: datetime.datetime | datetime.date | float | None) -> float | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.timestamp()
    if isinstance(value, datetime.date):
        return datetime.datetime.combine(value, datetime.time(), datetime.timezone.utc).timestamp()
    return float(value)


def _check_field(model: type[models.Model], field: str) -> None:
    try:
        model_field = model._meta.get_field(field)
    except FieldDoesNotExist as exc:
        raise ImproperlyConfigured(
            f"serve_field(): {model.__name__} has no field {field!r}; pass field= naming a FileField."
        ) from exc
    if not isinstance(model_field, models.FileField):
        raise ImproperlyConfigured(
            f"serve_field(): {model.__name__}.{field} is a {type(model_field).__name__}, not a "
            f"FileField or ImageField; pass field= naming one."
        )


def _no_lookups(lookups: Mapping[str, Any], source: str) -> None:
    if lookups:
        raise TypeError(
            f"serve_field() got {source} and lookups {sorted(lookups)!r}; lookups only apply to a "
            "model or queryset (or the keyword is a misspelt option)."
        )
