"""How a handover header carries a target: a percent-encoded URI, an encoded path, or raw bytes.

Every value is built from percent-encoded ASCII or from the file name's own
bytes checked for control characters, so no header value can carry a line
break, a second header or a non-ASCII character Django would MIME-encode.
"""

from __future__ import annotations

import os
import re
from urllib.parse import quote

from dlshortcuts.offload.locations import Target

# RFC 3986 §2.2/2.3: what stays unencoded in a query string already encoded
# by whoever built the URL; everything else (spaces, CR, LF) is encoded.
_QUERY_SAFE = "=&+%-._~!$'()*,;:@/?"
# RFC 9110 §5.5: no field value may hold a CTL (RFC 5234 B.1).
_CONTROL = re.compile(rb"[\x00-\x1f\x7f]")


def encode_uri(target: Target) -> str | None:
    """The target's URI, percent-encoded ASCII (None when its location has no ``url``).

    nginx percent-decodes the redirect URI, so ``%`` and non-ASCII survive.
    """
    uri = target.uri
    if uri is None:
        return None
    encoded = _quote_path(uri)
    if target.query:
        encoded = f"{encoded}?{quote(target.query, safe=_QUERY_SAFE)}"
    return encoded


def encode_path(target: Target) -> str | None:
    """The target's absolute path, percent-encoded (None when lighttpd cannot take it).

    lighttpd decodes it; unencoded, Django would MIME-encode a non-ASCII path.
    None too (Django streams the file) when lighttpd would open another
    file or none: after decoding it turns a control character into ``_``
    and refuses a path that is not UTF-8 (502).
    """
    if target.path is None:
        return None
    path = os.fsencode(target.path)
    if _CONTROL.search(path) or not _is_utf8(path):
        return None
    return quote(path, safe="/")


def _is_utf8(path: bytes) -> bool:
    try:
        path.decode()
    except UnicodeDecodeError:
        return False
    return True


def _quote_path(path: str) -> str:
    # The file name's own bytes (os.fsencode restores a byte that is not
    # UTF-8 from the surrogate os.fsdecode made of it): the server decodes
    # them back to exactly that name.
    return quote(os.fsencode(path), safe="/")


def raw_path(target: Target) -> str | None:
    """The target's absolute path as its raw bytes, one Latin-1 character each.

    mod_xsendfile 0.12 (Debian's) opens the header value as it is: the bytes
    must be the file name's own. Django sends a Latin-1 str unchanged.
    None (Django streams the file) when a header cannot carry them as they
    are: a control character (RFC 9110 §5.5) ends the header or has the
    server refuse it, and a trailing space or tab is optional whitespace
    (RFC 9110 §5.6.3) that servers strip, naming another file.
    """
    if target.path is None:
        return None
    path = os.fsencode(target.path)
    if _CONTROL.search(path) or path.endswith((b" ", b"\t")):
        return None
    return path.decode("latin-1")


def decode_raw_path(value: str) -> str:
    """The path a :func:`raw_path` value names (its Latin-1 characters are the name's bytes)."""
    return os.fsdecode(value.encode("latin-1", errors="replace"))
