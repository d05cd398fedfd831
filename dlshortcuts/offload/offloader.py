"""Handing downloads over to the web server: the one code path behind
``@optimized_download`` and ``OptimizedDownloadMiddleware``.

Both put an :class:`Offloader` on the request before the view runs
(:func:`offloading`); the response engine asks it, for each download it
answers, for the headers that hand the download over. The engine then sends an
empty 200 and leaves preconditions, Range and the bytes to the web server.

Each decorated view and the middleware hold a :class:`CachedOffloader`: the
Offloader is built from the settings once, and again only after Django's
``setting_changed`` signal names a setting it reads (``override_settings``,
pytest-django's ``settings`` fixture).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypedDict

from django.core.signals import setting_changed
from django.http import HttpRequest

from dlshortcuts.conf import conf
from dlshortcuts.download import Download
from dlshortcuts.offload.backends import BACKENDS, Backend, BackendName, get_backend
from dlshortcuts.offload.backends.nginx import Expires, ProxyOptions
from dlshortcuts.offload.locations import Location, find_target, parse_locations
from dlshortcuts.options import check_sniff


class OffloadArguments(TypedDict, total=False):
    """The arguments of ``@optimized_download``; None (or absent) defers to the setting."""

    backend: BackendName | None
    locations: Sequence[Location | Mapping[str, Any]] | None
    sniff: bool | None
    limit_rate: int | bool | None
    buffering: bool | None
    expires: Expires | None
    charset: str | None


def check_arguments(arguments: OffloadArguments) -> None:
    """Validate explicit arguments once, when the view is decorated.

    :raises TypeError: for an unknown argument, or a location or option of the wrong type.
    :raises ValueError: for an unknown backend, a malformed location or an
        option value the backend cannot send.
    """
    unknown = sorted(set(arguments) - set(OffloadArguments.__annotations__))
    if unknown:
        raise TypeError(f"optimized_download() got an unexpected keyword argument {unknown[0]!r}")
    if arguments.get("backend") is not None:
        get_backend(str(arguments.get("backend")))
    if arguments.get("locations") is not None:
        locations = parse_locations(arguments.get("locations") or ())
        _check_locations(locations, arguments.get("backend") or conf.BACKEND)
    check_sniff(arguments.get("sniff"))
    ProxyOptions(
        limit_rate=arguments.get("limit_rate"),
        buffering=arguments.get("buffering"),
        expires=arguments.get("expires"),
        charset=arguments.get("charset"),
    )


def _check_locations(locations: Sequence[Location], backend: object) -> None:
    """The setting's location checks (E004, E005, E006, E007, ...) as exceptions.

    The same code and messages as ``manage.py check``: a url without its
    trailing '/' or a root that does not exist would otherwise make the
    download silently stream from Django, or send a broken internal URI.
    """
    # Imported here: the checks need the app registry, this module does not.
    from dlshortcuts.checks.settings import check_location  # noqa: PLC0415

    server = BACKENDS.get(backend) if isinstance(backend, str) else None
    for index, location in enumerate(locations):
        for problem in check_location(f"optimized_download(locations=[...])[{index}]", location, server):
            if problem.is_serious():
                raise ValueError(f"{problem.msg} {problem.hint}")


@dataclass(frozen=True)
class Offloader:
    """A backend, its locations and options: which downloads to hand over, and how.

    :ivar backend: the accelerator writing the headers.
    :ivar locations: where the web server finds files (first match wins).
    :ivar options: nginx's ``X-Accel-*`` controls.
    :ivar sniff: the ``sniff`` option for shortcuts that leave theirs unset.
    """

    backend: Backend
    locations: tuple[Location, ...]
    options: ProxyOptions
    sniff: bool | None = None

    @classmethod
    def configure(cls, arguments: OffloadArguments) -> Offloader | None:
        """Merge ``arguments`` over the ``DLSHORTCUTS`` setting, read now.

        :returns: None when neither names a backend (nothing is offloaded).
        """
        backend = arguments.get("backend") or conf.BACKEND
        if backend is None:
            return None
        locations = arguments.get("locations")
        return cls(
            backend=get_backend(backend),
            locations=parse_locations(conf.LOCATIONS if locations is None else locations),
            options=ProxyOptions(
                limit_rate=_pick(arguments.get("limit_rate"), conf.LIMIT_RATE),
                buffering=_pick(arguments.get("buffering"), conf.BUFFERING),
                expires=_pick(arguments.get("expires"), conf.EXPIRES),
                charset=_pick(arguments.get("charset"), conf.CHARSET),
            ),
            sniff=_pick(arguments.get("sniff"), conf.SNIFF),
        )

    def headers(self, download: Download, content_type: str) -> dict[str, str] | None:
        """The headers handing ``download`` over, or None to let Django stream it.

        :param download: what the response serves.
        :param content_type: the response's Content-Type.

        None for generated content, for a source in no location, and for a
        location this backend cannot serve (a path-only location for nginx).
        """
        target = find_target(download, self.locations)
        if target is None:
            return None
        return self.backend.headers(target, self.options.for_content_type(content_type))


def _pick(argument: Any, setting: Any) -> Any:
    return setting if argument is None else argument


class _Generation:
    """How many times a setting an Offloader is built from has changed."""

    count = 0


# DLSHORTCUTS holds the backend, locations and options; STORAGES the
# directories behind storage locations.
_SETTINGS_READ = frozenset({"DLSHORTCUTS", "STORAGES"})


def _setting_changed(*, setting: str, **_kwargs: Any) -> None:
    if setting in _SETTINGS_READ:
        _Generation.count += 1


setting_changed.connect(_setting_changed, dispatch_uid="dlshortcuts.offload.offloader")


class CachedOffloader:
    """The :class:`Offloader` for fixed ``arguments``, rebuilt only after the settings change.

    Reading the settings and parsing the locations on every request would
    cost more than the handover itself; building twice from two threads is
    harmless (an Offloader is immutable).
    """

    def __init__(self, arguments: OffloadArguments) -> None:
        self.arguments = arguments
        self._built: tuple[int, Offloader | None] | None = None

    def get(self) -> Offloader | None:
        """The Offloader for the current settings (None: nothing is offloaded)."""
        built = self._built
        if built is None or built[0] != _Generation.count:
            # The count is read before the settings: a change while building
            # leaves an older count, and the next call builds again.
            generation = _Generation.count
            built = (generation, Offloader.configure(self.arguments))
            self._built = built
        return built[1]


#: The request attribute where ``@optimized_download`` and its middleware leave
#: their :class:`Offloader` for the shortcuts called under them.
OFFLOAD_ATTRIBUTE = "dlshortcuts_offload"


def offloader_of(request: HttpRequest) -> Offloader | None:
    """The :class:`Offloader` a decorator or the middleware left on ``request``, if any."""
    offloader: Offloader | None = getattr(request, OFFLOAD_ATTRIBUTE, None)
    return offloader


@contextmanager
def offloading(request: HttpRequest, offloader: Offloader | None) -> Iterator[None]:
    """Put ``offloader`` on ``request`` while the view runs (None: offload nothing).

    The previous one comes back afterwards, so a decorated view under the
    middleware uses the decorator's arguments, and the middleware's again
    after it.
    """
    missing = object()
    previous = getattr(request, OFFLOAD_ATTRIBUTE, missing)
    setattr(request, OFFLOAD_ATTRIBUTE, offloader)
    try:
        yield
    finally:
        if previous is missing:
            delattr(request, OFFLOAD_ATTRIBUTE)
        else:
            setattr(request, OFFLOAD_ATTRIBUTE, previous)
