"""The options every shortcut accepts, checked once at the call."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, TypedDict

__all__ = ["DownloadOptions", "Options", "check_sniff"]


class DownloadOptions(TypedDict, total=False):
    """Keyword options shared by every shortcut (for ``**options`` typing)."""

    filename: str | None
    as_attachment: bool
    content_type: str | None
    charset: str | None
    last_modified: datetime.datetime | float | None
    etag: bool | str
    max_age: int | None
    ranges: bool
    sniff: bool | None
    headers: Mapping[str, str] | None


def check_sniff(value: object, name: str = "sniff") -> bool | None:
    """Return ``value`` when it is a valid ``sniff`` choice.

    :param name: how the caller spells the option, for the message.
    :raises TypeError: when ``value`` is not True, False or None.
    """
    if value is None or value is True or value is False:
        return value
    raise TypeError(f"{name} must be True, False or None, not {value!r}")


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
    headers: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def take(cls, kwargs: dict[str, Any]) -> Options:
        """Pop the common options out of ``kwargs``; what is left is the caller's.

        :raises TypeError: when an option has the wrong type.
        """
        taken = {f.name: kwargs.pop(f.name) for f in fields(cls) if f.name in kwargs}
        if taken.get("headers") is None:
            taken.pop("headers", None)
        options = cls(**taken)
        options._validate()
        return options

    @classmethod
    def from_kwargs(cls, function: str, kwargs: dict[str, Any]) -> Options:
        """Build options from ``kwargs``, refusing any keyword that is not one.

        :param function: the shortcut's name, for the error message.
        :raises TypeError: on an unknown keyword, as Python would say it.
        """
        options = cls.take(kwargs)
        if kwargs:
            unknown = sorted(kwargs)[0]
            raise TypeError(f"{function}() got an unexpected keyword argument {unknown!r}")
        return options

    def _validate(self) -> None:
        for name in ("filename", "content_type", "charset"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, str):
                raise TypeError(f"{name} must be a str or None, not {value!r}")
        for name in ("as_attachment", "ranges"):
            if not isinstance(getattr(self, name), bool):
                raise TypeError(f"{name} must be True or False, not {getattr(self, name)!r}")
        check_sniff(self.sniff)
        max_age = self.max_age
        if max_age is not None and (isinstance(max_age, bool) or not isinstance(max_age, int) or max_age < 0):
            raise TypeError(f"max_age must be a non-negative int of seconds, not {max_age!r}")
        if not isinstance(self.etag, (bool, str)):
            raise TypeError(f"etag must be True, False or a string, not {self.etag!r}")
        last_modified = self.last_modified
        if last_modified is not None and (
            isinstance(last_modified, bool) or not isinstance(last_modified, (datetime.datetime, int, float))
        ):
            raise TypeError(f"last_modified must be a datetime or a POSIX timestamp, not {last_modified!r}")
        if not isinstance(self.headers, Mapping):
            raise TypeError(f"headers must be a mapping of header names to values, not {self.headers!r}")
