"""Conditional requests (RFC 9110 §13), free of Django.

Django's ``get_conditional_response`` answers 412 to If-Unmodified-Since when
the resource has no modification date, and to ``If-Match: *`` when it has no
ETag; RFC 9110 §13.1.4 says to ignore the former and §13.1.1 says ``*``
matches any current representation. Evaluating here also keeps the whole
precedence table testable without a request object.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from dlshortcuts.http.dates import parse_http_date

NOT_MODIFIED = 304
PRECONDITION_FAILED = 412

# RFC 9110 §8.8.3: entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE.
ENTITY_TAG = re.compile(r'(W/)?"[\x21\x23-\x7e\x80-\xff]*"')
_SAFE_METHODS = frozenset({"GET", "HEAD"})
# RFC 9110 §13.2.1: methods that do not select a representation ignore the
# precondition fields.
_NO_REPRESENTATION = frozenset({"OPTIONS", "TRACE", "CONNECT"})


def parse_entity_tags(header: str) -> list[str] | None:
    """The entity-tags of an If-Match / If-None-Match value.

    :returns: ``["*"]`` for ``*``, the list of tags otherwise, or None when
        the value is malformed (the header is then ignored).
    """
    value = header.strip()
    if value == "*":
        return ["*"]
    # RFC 9110 §5.6.1: empty list elements are allowed and skipped.
    tags = [tag.strip(" \t") for tag in value.split(",")]
    tags = [tag for tag in tags if tag]
    if not tags or not all(ENTITY_TAG.fullmatch(tag) for tag in tags):
        return None
    return tags


def _strong_match(tag: str, etag: str) -> bool:
    # RFC 9110 §8.8.3.2: both must be strong and identical.
    return not tag.startswith("W/") and not etag.startswith("W/") and tag == etag


def _weak_match(tag: str, etag: str) -> bool:
    return tag.removeprefix("W/") == etag.removeprefix("W/")


def evaluate_preconditions(
    method: str,
    headers: Mapping[str, str],
    *,
    etag: str | None,
    last_modified: int | None,
) -> int | None:
    """Evaluate preconditions in the order of RFC 9110 §13.2.2.

    Call only when the response would otherwise be a 2xx (§13.2.1).

    :param method: the request method.
    :param headers: the request's If-Match, If-Unmodified-Since,
        If-None-Match and If-Modified-Since values, by those names.
    :param etag: the current ETag (quoted), or None when there is none.
    :param last_modified: the current modification time in whole seconds,
        or None when unknown.
    :returns: 412 or 304 when a precondition decides the answer, None when
        the request proceeds (If-Range is evaluated later, with Range).
    """
    if method in _NO_REPRESENTATION:
        return None
    # Step 1 and 2: If-Match, else If-Unmodified-Since.
    if_match = _header_tags(headers, "If-Match")
    if if_match is not None:
        # "*" matches any current representation (§13.1.1), and one exists here.
        if if_match != ["*"] and (etag is None or not any(_strong_match(tag, etag) for tag in if_match)):
            return PRECONDITION_FAILED
    else:
        since = _header_date(headers, "If-Unmodified-Since")
        # §13.1.4: ignored when the resource has no modification date.
        if since is not None and last_modified is not None and last_modified > since:
            return PRECONDITION_FAILED

    # Step 3 and 4: If-None-Match, else If-Modified-Since (GET and HEAD only).
    if_none_match = _header_tags(headers, "If-None-Match")
    if if_none_match is not None:
        if if_none_match == ["*"] or (
            etag is not None and any(_weak_match(tag, etag) for tag in if_none_match)
        ):
            return NOT_MODIFIED if method in _SAFE_METHODS else PRECONDITION_FAILED
    elif method in _SAFE_METHODS:
        since = _header_date(headers, "If-Modified-Since")
        if since is not None and last_modified is not None and last_modified <= since:
            return NOT_MODIFIED
    return None


def _header_tags(headers: Mapping[str, str], name: str) -> list[str] | None:
    value = headers.get(name)
    return None if value is None else parse_entity_tags(value)


def _header_date(headers: Mapping[str, str], name: str) -> int | None:
    value = headers.get(name)
    return None if value is None else parse_http_date(value)
