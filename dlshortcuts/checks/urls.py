"""System checks for the shortcuts used as views in ``urlpatterns``: ids dlshortcuts.E030-E039, W030.

A one-line urlpattern carries its configuration in ``path()``'s third
argument and its source in the URL's captures; a typo in either would
otherwise only show at the first request, as a 500 or a silent 404. Every
shortcut is checked the same way against its own signature (option names
and types, captures); what only one shortcut needs is its row in
:func:`rules` (a new shortcut is one row there).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage
from django.urls import URLPattern, URLResolver, get_resolver

from dlshortcuts.checks import message
from dlshortcuts.options import OPTION_NAMES, Options, did_you_mean, misspelt_option


@dataclass(frozen=True)
class Route:
    """One urlpattern whose view is a shortcut: what each of its requests calls the shortcut with.

    :ivar route: the whole route, resolvers' prefixes included (``"files/<path:name>"``).
    :ivar shortcut: the sync shortcut (``serve_path`` for ``aserve_path`` too).
    :ivar captures: the names the URL captures, which become keyword arguments.
    :ivar kwargs: ``path()``'s third argument, merged with its resolvers'.
    """

    route: str
    shortcut: Callable[..., Any]
    captures: frozenset[str]
    kwargs: Mapping[str, Any]

    @property
    def name(self) -> str:
        """The shortcut's name, for the messages."""
        return self.shortcut.__name__

    def given(self, name: str) -> bool:
        """Whether each request passes ``name`` (captured, or a non-None value in ``kwargs``)."""
        return name in self.captures or self.kwargs.get(name) is not None


@dataclass(frozen=True)
class Rules:
    """What one shortcut's urlpatterns are checked for, beyond its signature and the common options.

    :ivar others: it takes keywords that are neither parameters nor options
        (serve_field's lookups, serve_generated's URL kwargs).
    :ivar former: django-downloadview's names for this shortcut's arguments
        (a capture or a view attribute a migrating project may keep), and
        what the shortcut calls each; :data:`DOWNLOADVIEW` holds those of
        every shortcut.
    :ivar check: the shortcut's own checks (a root, a storage alias, a model field).
    """

    others: bool = False
    former: Mapping[str, str] = field(default_factory=dict)
    check: Callable[[Route], list[CheckMessage]] | None = None


#: django-downloadview's options of every view (DownloadMixin), as the shortcuts call them.
DOWNLOADVIEW = {"attachment": "as_attachment", "basename": "filename", "mimetype": "content_type"}
#: ObjectDownloadView's attributes, as serve_field calls them (docs/migrating.rst).
OBJECT_DOWNLOADVIEW = {
    "file_field": "field",
    "basename_field": "filename_field",
    "mime_type_field": "content_type_field",
    "modification_time_field": "modified_field",
}


def rules() -> dict[Callable[..., Any], Rules]:
    """Every shortcut usable as a view, with its rules (imported here: the shortcuts need the ORM)."""
    from dlshortcuts import shortcuts  # noqa: PLC0415
    from dlshortcuts.checks.url_sources import check_field, check_remote, check_root, check_storage  # noqa: PLC0415

    return {
        shortcuts.serve_path: Rules(check=check_root),
        # StorageDownloadView captured the name as "path".
        shortcuts.serve_storage: Rules(former={"path": "name"}, check=check_storage),
        shortcuts.serve_field: Rules(others=True, former=OBJECT_DOWNLOADVIEW, check=check_field),
        shortcuts.serve_url: Rules(check=check_remote),
        shortcuts.serve_generated: Rules(others=True),
        shortcuts.serve_archive: Rules(others=True),
    }


def routes() -> Iterator[tuple[Route, Rules]]:
    """Every urlpattern of ``ROOT_URLCONF`` whose view is a shortcut (or its async twin, or wraps one)."""
    if not getattr(settings, "ROOT_URLCONF", None):
        return  # No URLconf (a project of management commands only), as Django's own URL checks.
    table = rules()
    for route, captures, kwargs, pattern in _walk(get_resolver().url_patterns, "", frozenset(), {}):
        # aserve_* and decorators such as @optimized_download keep __wrapped__.
        shortcut = inspect.unwrap(pattern.callback)
        if shortcut in table:
            # Without named groups, re_path passes its groups positionally
            # (after the request): they give the first positional parameters.
            positional = 0 if captures else pattern.pattern.regex.groups
            named = [p.name for p in _parameters(shortcut) if p.kind is p.POSITIONAL_OR_KEYWORD]
            yield Route(route, shortcut, captures | set(named[:positional]), kwargs), table[shortcut]


def check_urls(**kwargs: Any) -> list[CheckMessage]:  # noqa: ARG001 - app_configs, databases: unused
    """Check every urlpattern whose view is a shortcut.

    :returns: E035 (an option the shortcut does not take), E036 (an option
        of the wrong type or value), E037 (a parameter no request gives),
        E038 (a capture the shortcut does not take), and each shortcut's
        own: E033/E034 (serve_path's root), E030 (serve_storage's alias),
        E031/E032/E039 (serve_field's model).
    """
    messages: list[CheckMessage] = []
    for route, rule in routes():
        messages += _check_names(route, rule)
        messages += _check_options(route)
        if rule.check is not None:
            messages += rule.check(route)
    return messages


def _walk(
    patterns: list[Any], prefix: str, captures: frozenset[str], kwargs: Mapping[str, Any]
) -> Iterator[tuple[str, frozenset[str], Mapping[str, Any], URLPattern]]:
    for entry in patterns:
        named = frozenset(entry.pattern.regex.groupindex)
        if isinstance(entry, URLResolver):
            merged = {**kwargs, **entry.default_kwargs}
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), captures | named, merged)
        else:  # A URLPattern: urlpatterns hold nothing else.
            yield prefix + str(entry.pattern), captures | named, {**kwargs, **entry.default_args}, entry


def _parameters(shortcut: Callable[..., Any]) -> list[inspect.Parameter]:
    # Everything after the request, but **options (the common options).
    kinds = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    parameters = list(inspect.signature(shortcut).parameters.values())[1:]
    return [parameter for parameter in parameters if parameter.kind not in kinds]


def parameter_names(shortcut: Callable[..., Any]) -> set[str]:
    """The names of a shortcut's own parameters after the request (the options not included)."""
    return {parameter.name for parameter in _parameters(shortcut)}


def _check_names(route: Route, rule: Rules) -> list[CheckMessage]:
    parameters = _parameters(route.shortcut)
    known = parameter_names(route.shortcut) | set(OPTION_NAMES)
    # serve_field's lookups and serve_generated's URL kwargs can be any name
    # but a near miss of an option (Options.parse refuses it at the call).
    former = {**DOWNLOADVIEW, **rule.former}
    unknown = {name for name in (*route.captures, *route.kwargs) if name not in known}
    if rule.others:
        unknown = {name for name in unknown if misspelt_option(name) or name in former}
    messages = [
        message(
            "dlshortcuts.E035",
            f"The urlpattern {route.route!r} passes {name}={route.kwargs[name]!r}, which {route.name} "
            "does not take: every request would fail with a TypeError.",
            hint=_renamed(route, name, former.get(name))
            or did_you_mean(name, known)
            or f"{route.name} takes {', '.join(sorted(known))}.",
        )
        for name in sorted(unknown - route.captures)
    ]
    spare = sorted(unknown & route.captures)
    missing = [p.name for p in parameters if p.default is inspect.Parameter.empty and not route.given(p.name)]
    messages += [_missing(route, name, spare, former) for name in missing]
    if not missing:
        messages += [
            message(
                "dlshortcuts.E038",
                f"The urlpattern {route.route!r} captures {name!r}, which {route.name} does not take: "
                "every request would fail with a TypeError.",
                hint=did_you_mean(name, known)
                or f"Remove the capture, or capture it in a view of yours that calls {route.name}.",
            )
            for name in spare
        ]
    return messages


def _renamed(route: Route, name: str, new: str | None) -> str:
    return "" if new is None else f"django-downloadview's {name!r} is {route.name}'s {new!r}."


def _missing(route: Route, name: str, spare: list[str], former: Mapping[str, str]) -> CheckMessage:
    hint = f"Give it in path()'s third argument, {{{name!r}: ...}}, or capture it in the route."
    if spare:
        renamed = _renamed(route, spare[0], name) if former.get(spare[0]) == name else ""
        hint = f"Rename the capture {spare[0]!r} to {name!r}." + (f" {renamed}" if renamed else "")
    return message(
        "dlshortcuts.E037",
        f"The urlpattern {route.route!r} never gives {route.name} its {name!r} argument: every request "
        "would fail with a TypeError.",
        hint=hint,
    )


def _check_options(route: Route) -> list[CheckMessage]:
    # The captured ones are strings from the URL, checked at the call.
    given = {name: route.kwargs[name] for name in OPTION_NAMES if name in route.kwargs}
    try:
        Options.parse(route.name, given)
    except (TypeError, ValueError) as error:
        return [
            wrong_option(route, error, "Fix the value in path()'s third argument; see the options' types.")
        ]
    return []


def wrong_option(route: Route, error: Exception, hint: str) -> CheckMessage:
    """E036: the urlpattern passes what the shortcut's call would refuse, with the call's own message."""
    return message(
        "dlshortcuts.E036",
        f"The urlpattern {route.route!r} passes {route.name} a wrong option: {error}.",
        hint=hint,
    )
