"""Request header fields read straight from a WSGI/ASGI environ (RFC 3875 §4.1.18), free of Django.

Django's ``request.headers`` copies every field of the request into a new
mapping on first use; the few fields a download reads are looked up in
``request.META`` instead, under their CGI names.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

# RFC 3875 §4.1: these two are meta-variables of their own, without HTTP_.
_UNPREFIXED = frozenset({"CONTENT_TYPE", "CONTENT_LENGTH"})


def meta_key(name: str) -> str:
    """The environ key of the header field ``name`` (``If-Range`` -> ``HTTP_IF_RANGE``)."""
    key = name.upper().replace("-", "_")
    return key if key in _UNPREFIXED else f"HTTP_{key}"


class EnvironHeaders(Mapping[str, str]):
    """A read-only, case-insensitive view of an environ's header fields, by field name."""

    def __init__(self, environ: Mapping[str, object]) -> None:
        self._environ = environ

    def __getitem__(self, name: str) -> str:
        value = self._environ[meta_key(name)]
        if not isinstance(value, str):
            raise KeyError(name)
        return value

    def __iter__(self) -> Iterator[str]:
        for key in self._environ:
            if key.startswith("HTTP_"):
                yield key[5:].replace("_", "-").title()
            elif key in _UNPREFIXED:
                yield key.replace("_", "-").title()

    def __len__(self) -> int:
        return sum(1 for _ in self)
