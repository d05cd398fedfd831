"""The options every shortcut accepts, checked once at the call."""

from __future__ import annotations

import copy
import datetime
import difflib
import os
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field, fields
from typing import Any, TypedDict


class GeneratedOptions(TypedDict, total=False):
    """The common options but ``filename``, which serve_generated requires as a keyword of its own."""

    as_attachment: bool
    content_type: str | None
    charset: str | None
    last_modified: datetime.datetime | float | None
    etag: bool | str
    max_age: int | None
    ranges: bool
    sniff: bool | None
    headers: Mapping[str, str] | None
    delete_when_done: bool


class DownloadOptions(GeneratedOptions, total=False):
    """Keyword options shared by every shortcut (for ``**options`` typing)."""

    filename: str | None


class FieldOptions(DownloadOptions, total=False):
    """serve_field's keywords: the common options plus the usual URL lookups.

    Any other lookup a URL pattern passes (``uuid``, ``year`` ...) is
    accepted at run time; typed code gives it through ``lookups=``.
    """

    pk: Any
    slug: str


def check_sniff(value: object, name: str = "sniff") -> bool | None:
    """Return ``value`` when it is a valid ``sniff`` choice.

    :param name: how the caller spells the option, for the message.
    :raises TypeError: when ``value`` is not True, False or None.
    """
    if value is None or value is True or value is False:
        return value
    raise TypeError(f"{name} must be True, False or None, not {value!r}")


def did_you_mean(name: str, known: Collection[str], *, cutoff: float = 0.6) -> str:
    """``"Did you mean 'as_attachment'?"`` for the known name closest to a misspelt ``name``, else ``""``.

    The one spelling hint of the package: misspelt options, setting keys,
    location keys and URL captures are all named with it.

    :param known: the names ``name`` should have been one of.
    :param cutoff: how alike (``difflib`` ratio, 0 to 1) a known name must be.
    """
    # Case-insensitive: a lower-case "backend" means "BACKEND".
    spelt = {candidate.lower(): candidate for candidate in known}
    close = difflib.get_close_matches(name.lower(), spelt, n=1, cutoff=cutoff)
    return f"Did you mean {spelt[close[0]]!r}?" if close else ""


def path_argument(value: object, name: str) -> str:
    """``value`` as a path string (``os.fspath``), or a TypeError naming the argument.

    :param name: the argument as the caller spells it, e.g. ``"serve_path() path"``.
    :raises TypeError: when ``value`` is neither a str nor an ``os.PathLike``
        giving one (bytes included: download names are text).
    """
    path = os.fspath(value) if isinstance(value, (str, os.PathLike)) else None
    if not isinstance(path, str):
        raise TypeError(f"{name} must be a str or os.PathLike, not {value!r} ({type(value).__name__})")
    return path


@dataclass(frozen=True)
class Options:
    """The common options, validated.

    :ivar filename: the name the browser saves the file under (default: the
        source's own name).
    :ivar as_attachment: ``attachment`` when true (the default: these are
        downloads), ``inline`` when false; both carry the name.
    :ivar content_type: the Content-Type; by default guessed from the name.
    :ivar charset: appended to text types only.
    :ivar last_modified: overrides the source's modification time.
    :ivar etag: True computes one from size and modification time, False
        sends none, a string is sent as given (quoted if needed).
    :ivar max_age: when set, ``Cache-Control: private, max-age=N``; by
        default ``private, no-cache`` (browsers revalidate, shared caches
        never store a private download).
    :ivar ranges: honour Range requests (default true).
    :ivar sniff: True always sniffs with python-magic, False never, None
        (default) sniffs a file on disk only when its name tells no type.
    :ivar headers: extra response headers; they win over computed ones.
    :ivar delete_when_done: delete the file once the response is finished
        (after the last byte, a disconnect, a 304 or a HEAD): a file the view
        made for this one download. Refused when a web server would send it.
    """

    filename: str | None = None
    as_attachment: bool = True
    content_type: str | None = None
    charset: str | None = None
    last_modified: datetime.datetime | float | None = None
    etag: bool | str = True
    max_age: int | None = None
    ranges: bool = True
    sniff: bool | None = None
    # Left out of the hash (a dict has none): equal options hash equal, and
    # options without headers can key a cache (engine/headers.py).
    headers: Mapping[str, str] = field(default_factory=dict, hash=False)
    delete_when_done: bool = False

    def __post_init__(self) -> None:
        for option in fields(self):
            _CHECKS[option.name](option.name, getattr(self, option.name))

    def sniffing(self, sniff: bool | None) -> Options:
        """These options with ``sniff`` in place of the default (None), for the offloader's setting.

        A copy, not ``dataclasses.replace``: the other options are already
        validated and ``sniff`` comes from checked settings, so validating
        all of them again would cost every offloaded request (~8 us).
        """
        if self.sniff is not None or sniff is None:
            return self
        options = copy.copy(self)
        object.__setattr__(options, "sniff", sniff)  # frozen: set once, on a fresh copy
        return options

    @classmethod
    def parse(
        cls, shortcut: str, kwargs: Mapping[str, Any], *, others: bool = False
    ) -> tuple[Options, dict[str, Any]]:
        """Split a shortcut's keywords into its validated options and the rest.

        :param shortcut: the shortcut's name, for the error message.
        :param kwargs: the keywords the shortcut was called with.
        :param others: whether the shortcut takes keywords that are not
            options (serve_field's lookups, serve_generated's URL kwargs);
            they are returned as the second item.
        :raises TypeError: on an unknown keyword when ``others`` is false (as
            Python would say it, with the option it most resembles), on a
            keyword that is a near miss of an option even when ``others`` is
            true (``as_attachement``), or an option of the wrong type.
        :raises ValueError: for an option of the right type but a wrong value.
        """
        rest = dict(kwargs)
        taken = {name: rest.pop(name) for name in OPTION_NAMES if name in rest}
        if taken.get("headers", {}) is None:
            del taken["headers"]
        # With others, only a near miss is refused: "pk" or "year" is a
        # lookup or URL kwarg, "as_attachement" an option misspelt.
        unknown = sorted(rest) if not others else [name for name in sorted(rest) if misspelt_option(name)]
        if unknown:
            problem = f"{shortcut}() got an unexpected keyword argument {unknown[0]!r}"
            hint = did_you_mean(unknown[0], OPTION_NAMES)
            raise TypeError(f"{problem}. {hint}" if hint else problem)
        return cls(**taken), rest


def misspelt_option(name: str) -> bool:
    """Whether ``name``, not an option itself, is so close to one that it must be a typo.

    serve_field and serve_generated take any other keyword (a lookup, a URL
    kwarg); one this close to an option name (``as_attachement``,
    ``max_ages``) is refused rather than silently passed on.
    """
    return bool(did_you_mean(name, OPTION_NAMES, cutoff=_NEAR_MISS))


def _optional_str(name: str, value: object) -> None:
    if value is not None and not isinstance(value, str):
        raise TypeError(f"{name} must be a str or None, not {value!r}")


def _flag(name: str, value: object) -> None:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, not {value!r}")


def _sniff(name: str, value: object) -> None:
    check_sniff(value, name)


def _max_age(name: str, value: object) -> None:
    if value is None:
        return
    message = f"{name} must be a non-negative int of seconds, not {value!r}"
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(message)
    if value < 0:
        raise ValueError(message)


def _etag(name: str, value: object) -> None:
    if not isinstance(value, (bool, str)):
        raise TypeError(f"{name} must be True, False or a string, not {value!r}")


def _last_modified(name: str, value: object) -> None:
    timestamp = isinstance(value, (int, float)) and not isinstance(value, bool)
    if value is not None and not timestamp and not isinstance(value, datetime.datetime):
        raise TypeError(f"{name} must be a datetime or a POSIX timestamp, not {value!r}")


def _headers(name: str, value: object) -> None:
    if not isinstance(value, Mapping):
        raise TypeError(f"{name} must be a mapping of header names to values, not {value!r}")


# One check, hence one message, per option.
_CHECKS: dict[str, Callable[[str, object], None]] = {
    "filename": _optional_str,
    "as_attachment": _flag,
    "content_type": _optional_str,
    "charset": _optional_str,
    "last_modified": _last_modified,
    "etag": _etag,
    "max_age": _max_age,
    "ranges": _flag,
    "sniff": _sniff,
    "headers": _headers,
    "delete_when_done": _flag,
}
#: The name of every common option, in order.
OPTION_NAMES = tuple(_CHECKS)
# How alike (difflib ratio) a lookup must be to an option to be taken for a
# misspelling of it: "as_attachement" 0.96, "max_ages" 0.93, but "modified"
# (a lookup on a model field) 0.76 against "last_modified".
_NEAR_MISS = 0.85
