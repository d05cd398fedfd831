"""Proxy locations: where the web server finds a download's bytes.

A location pairs a source (a directory, a storage alias or a remote URL
prefix) with the internal URL prefix the web server serves it under. Mapping a
:class:`~dlshortcuts.download.Download` onto the first matching location gives
what a backend needs to write its header: a URI under the prefix, or an
absolute path on disk.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import Storage, storages

from dlshortcuts.download import Download
from dlshortcuts.options import did_you_mean
from dlshortcuts.sources.files import opened_path, real_root_holding

#: The keys a location entry may hold; exactly one of the source keys.
SOURCE_KEYS = ("root", "storage", "source_url")
LOCATION_KEYS = (*SOURCE_KEYS, "url")


@dataclass(frozen=True)
class Location:
    """One proxy location, from an entry such as ``{"root": "/srv/private", "url": "/_protected/"}``.

    :ivar url: the internal URL prefix the web server serves the source under
        (ends in ``/``); None for Apache and lighttpd, which take paths.
    :ivar root: a directory holding files served from disk.
    :ivar storage: an alias in Django's ``STORAGES``.
    :ivar source_url: the prefix of remote URLs the web server proxies itself.
    """

    url: str | None = None
    root: str | None = None
    storage: str | None = None
    source_url: str | None = None

    @classmethod
    def from_entry(cls, entry: Location | Mapping[str, Any]) -> Location:
        """Build a location from a settings entry (a Location passes through).

        :raises TypeError: when the entry is not a mapping, or holds a value
            that is not a string.
        :raises ValueError: when the entry has an unknown key, or not exactly
            one of ``root``, ``storage``, ``source_url``.
        """
        if isinstance(entry, Location):
            return entry
        if not isinstance(entry, Mapping):
            raise TypeError(
                f"A location must be a dict such as {{'root': DIR, 'url': PREFIX}}, not {entry!r}."
            )
        unknown = sorted(map(str, set(entry) - set(LOCATION_KEYS)))
        if unknown:
            hint = did_you_mean(unknown[0], LOCATION_KEYS)
            raise ValueError(
                f"Unknown key {unknown[0]!r} in location {dict(entry)!r}; use {', '.join(LOCATION_KEYS)}."
                + (f" {hint}" if hint else "")
            )
        sources = [key for key in SOURCE_KEYS if entry.get(key) is not None]
        if len(sources) != 1:
            raise ValueError(
                f"Location {dict(entry)!r} needs exactly one of 'root', 'storage' or 'source_url'."
            )
        for key, value in entry.items():
            # A root may be a pathlib.Path, as in Django's own settings.
            allowed = (str, os.PathLike) if key == "root" else str
            if value is not None and not isinstance(value, allowed):
                raise TypeError(f"Location {key!r} must be a string, not {value!r}.")
        root = entry.get("root")
        return cls(
            url=entry.get("url"),
            root=None if root is None else os.fspath(root),
            storage=entry.get("storage"),
            source_url=entry.get("source_url"),
        )

    @property
    def disk_root(self) -> str | None:
        """The directory on disk behind this location, as configured, when there is one.

        A ``storage`` location has one when its storage keeps files on local
        disk (it has a ``location``, like ``FileSystemStorage``).
        """
        if self.root is not None:
            return self.root
        if self.storage is not None:
            directory = getattr(storage_of(self), "location", None)
            if isinstance(directory, (str, os.PathLike)):
                return os.fspath(directory)
        return None

    @property
    def local_root(self) -> str | None:
        """:attr:`disk_root`, resolved."""
        root = self.disk_root
        return None if root is None else os.path.realpath(root)


def parse_locations(entries: Iterable[Location | Mapping[str, Any]]) -> tuple[Location, ...]:
    """Turn settings or decorator entries into locations, in order (first match wins).

    :raises TypeError: when ``entries`` is a single string or dict rather than
        a list of them (a string would be taken character by character).
    """
    if isinstance(entries, (str, bytes, Mapping)) or not isinstance(entries, Iterable):
        raise TypeError(
            f"locations must be a list of location dicts such as [{{'root': '/srv/private', "
            f"'url': '/_protected/'}}], not {entries!r}."
        )
    return tuple(Location.from_entry(entry) for entry in entries)


def storage_of(location: Location) -> Storage | None:
    """The storage instance a ``storage`` location names (None when the alias is unknown)."""
    if location.storage is None or location.storage not in storages.backends:
        return None
    return storages[location.storage]


@dataclass(frozen=True)
class Target:
    """Where a download was mapped to.

    :ivar location: the matching location.
    :ivar relative: the source's path below the location, ``/``-separated,
        not encoded, never with a ``..`` segment.
    :ivar path: the absolute file path, when the bytes are on local disk.
    :ivar query: a remote URL's query string, as it came (already encoded).
    """

    location: Location
    relative: str
    path: str | None
    query: str = ""

    @property
    def uri(self) -> str | None:
        """The unencoded URI under the location's prefix (None without a prefix)."""
        if self.location.url is None:
            return None
        return self.location.url + self.relative


def find_target(download: Download, locations: Iterable[Location]) -> Target | None:
    """The first location ``download`` lies in, or None (then Django streams it).

    Generated content never maps. A path maps when, resolved, it lies inside a
    location's resolved root; a storage file maps to its alias's location (or,
    for a storage on local disk, to a ``root`` holding it); a remote URL maps
    when it starts with a ``source_url`` prefix.
    """
    if download.generated:
        return None
    path = _local_path(download)
    for location in locations:
        target = _match(location, download, path)
        if target is not None:
            return target
    return None


def _local_path(download: Download) -> str | None:
    if download.path is not None:
        # The file served is the one open: its kernel name costs one
        # readlink, where realpath costs an lstat per component.
        opened = None if download.file is None else opened_path(download.file)
        return opened or os.path.realpath(download.path)
    if download.storage is not None and download.name is not None:
        try:
            return os.path.realpath(download.storage.path(download.name))
        # A remote storage has no local path; a name outside the storage has none either.
        except (NotImplementedError, SuspiciousFileOperation):
            return None
    return None


def _match(location: Location, download: Download, path: str | None) -> Target | None:
    if location.source_url is not None:
        if download.url is None or not download.url.startswith(location.source_url):
            return None
        # The URL is already encoded: decode its path so that the header
        # encodes it exactly once (an escaped byte that is not UTF-8 kept as
        # itself, not as U+FFFD); the query goes through as it is.
        rest, _, query = download.url[len(location.source_url) :].partition("?")
        return _target(location, unquote(rest, errors="surrogateescape"), None, query)
    # ==, not is: default_storage is a lazy proxy that compares equal to the
    # instance it wraps.
    disk_root = location.disk_root
    if (
        location.storage is not None
        and download.name is not None
        and storage_of(location) == download.storage
    ):
        # A symlink in a local storage must not lead the web server outside it.
        if path is not None and disk_root is not None and real_root_holding(path, disk_root) is None:
            return None
        return _target(location, download.name.replace(os.sep, "/"), path)
    root = None if disk_root is None or path is None else real_root_holding(path, disk_root)
    if root is None or path is None:
        return None
    return _target(location, os.path.relpath(path, root).replace(os.sep, "/"), path)


def _target(location: Location, relative: str, path: str | None, query: str = "") -> Target | None:
    # nginx refuses a redirect URI with a ".." segment; a path that needs one
    # is outside the location anyway. "\x00" and line breaks could never be
    # part of a header value (they are encoded later, but refuse them early).
    segments = relative.split("/")
    if ".." in segments or "." in segments or any(c in relative for c in "\x00\r\n"):
        return None
    return Target(location, relative.lstrip("/"), path, query)
