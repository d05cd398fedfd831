"""Header fields between a client, dlshortcuts and an upstream server, free of Django.

Which fields go upstream, which come back, which never cross (hop-by-hop,
RFC 9110 §7.6.1), and the download name an upstream answer suggests
(RFC 6266 ``filename`` / RFC 8187 ``filename*``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from urllib.parse import unquote, urlsplit

# If-Match and If-Unmodified-Since too: a resumed download (curl -C -, a
# browser's If-Range + If-Match) must never be glued to another version of the
# file; the upstream evaluates them against its own validators (§13.2.1).
#: Request fields that make an upstream evaluate validators (RFC 9110 §13.1).
CONDITIONAL_HEADERS = ("If-Match", "If-Unmodified-Since", "If-None-Match", "If-Modified-Since")
#: Request fields that ask an upstream for part of its representation (RFC 9110 §14).
RANGE_HEADERS = ("Range", "If-Range")
#: Upstream answer fields passed back to the client as they are.
RELAYED_HEADERS = (
    "Content-Type",
    "Content-Length",
    "Content-Range",
    "Accept-Ranges",
    "ETag",
    "Last-Modified",
    "Content-Encoding",
)
#: Fields that describe one connection, never the message (RFC 9110 §7.6.1,
#: plus the de facto Keep-Alive and Proxy-Connection of RFC 2068).
HOP_BY_HOP_HEADERS = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)

# RFC 9110 §5.6.2 token, and a parameter whose value is a token or a
# quoted-string (§5.6.4), as found in Content-Disposition (RFC 6266 §4.1).
_TCHARS = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_PARAMETER = re.compile(rf';\s*({_TCHARS})\s*=\s*("(?:[^"\\]|\\.)*"|[^;\s]*)\s*')
_QUOTED_PAIR = re.compile(r"\\(.)")
# RFC 8187 §3.2.1 ext-value: charset "'" [ language ] "'" value-chars.
_EXT_VALUE = re.compile(r"^([!#$&+^`{}~0-9A-Za-z-]+)'[^']*'(.*)$")
# RFC 8187 §3.2.1: recipients must support these two.
_EXT_CHARSETS = {"utf-8": "utf-8", "iso-8859-1": "latin-1"}


def hop_by_hop(headers: Mapping[str, str]) -> frozenset[str]:
    """The lower-cased names that are hop-by-hop in one message.

    :param headers: the message's fields (a case-insensitive mapping).
    :returns: the fixed hop-by-hop names plus those the message's own
        Connection field lists (RFC 9110 §7.6.1).
    """
    listed = headers.get("Connection") or ""
    return HOP_BY_HOP_HEADERS | {name.strip().lower() for name in listed.split(",") if name.strip()}


def end_to_end(headers: Mapping[str, str], names: Iterable[str]) -> dict[str, str]:
    """The fields among ``names`` that ``headers`` carries and that may cross a proxy.

    :param headers: a case-insensitive mapping of one message's fields.
    :param names: the fields wanted, spelt as they should be sent.
    """
    excluded = hop_by_hop(headers)
    picked = {}
    for name in names:
        value = headers.get(name)
        if value is not None and name.lower() not in excluded:
            picked[name] = value
    return picked


def _basename(name: str) -> str | None:
    # A name is never a path: keep what a browser keeps, the last component.
    base = re.split(r"[/\\]", name)[-1]
    return base or None


def _ext_value(value: str) -> str | None:
    match = _EXT_VALUE.match(value)
    if match is None:
        return None
    encoding = _EXT_CHARSETS.get(match[1].lower())
    if encoding is None:
        return None
    try:
        return unquote(match[2], encoding=encoding, errors="strict")
    except UnicodeDecodeError:
        return None


def filename_from_disposition(value: str | None) -> str | None:
    """The file name a Content-Disposition field value carries, if any.

    ``filename*`` (RFC 8187, UTF-8 or ISO-8859-1) is preferred over
    ``filename`` as RFC 6266 §4.3 asks; an undecodable ``filename*`` falls
    back to ``filename``. Only the last path component is kept.

    :param value: the field value, e.g. ``attachment; filename="a.pdf"``.
    :returns: the name, or None when there is none usable.
    """
    if not value:
        return None
    parameters: dict[str, str] = {}
    # The disposition type comes first; parameters follow, each after ";".
    for match in _PARAMETER.finditer(value, value.find(";") if ";" in value else len(value)):
        name, raw = match[1].lower(), match[2]
        if raw.startswith('"'):
            raw = _QUOTED_PAIR.sub(r"\1", raw[1:-1])
        parameters.setdefault(name, raw)
    extended = parameters.get("filename*")
    name = _ext_value(extended) if extended is not None else None
    if name is None:
        name = parameters.get("filename")
    return _basename(name) if name else None


def filename_from_url(url: str) -> str | None:
    """The last segment of ``url``'s path, percent-decoded (UTF-8), if any.

    :param url: an absolute URL; its query and fragment are ignored.
    """
    segment = urlsplit(url).path.rsplit("/", 1)[-1]
    return _basename(unquote(segment, errors="replace")) if segment else None
