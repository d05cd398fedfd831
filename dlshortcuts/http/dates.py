"""HTTP-dates (RFC 9110 §5.6.7), free of Django: a malformed date makes its header be ignored."""

from __future__ import annotations

import calendar
import re
import time
from email.utils import parsedate_tz

_DAY = r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)"
_DAY_NAME = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
_TIME = r"\d\d:\d\d:\d\d"
# RFC 9110 §5.6.7: exactly one IMF-fixdate, rfc850-date or asctime-date, case
# sensitive. email.utils alone honours a valid date followed by more text (a
# second date, a comment), which is not a date.
HTTP_DATE = re.compile(
    rf"{_DAY}, \d\d {_MONTH} \d{{4}} {_TIME} GMT"
    rf"|{_DAY_NAME}, \d\d-{_MONTH}-\d\d {_TIME} GMT"
    rf"|{_DAY} {_MONTH} (?:\d\d| \d) {_TIME} \d{{4}}"
)


def parse_http_date(value: str) -> int | None:
    """An HTTP-date (RFC 9110 §5.6.7: IMF-fixdate, RFC 850 or asctime) as a timestamp.

    >>> parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT")
    784111777
    >>> parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT, Mon, 07 Nov 1994 08:49:37 GMT") is None
    True

    :returns: seconds since the epoch, or None when the value is not exactly
        one HTTP-date (a malformed date makes its header be ignored). A date
        without a zone, as asctime has, is taken as GMT.
    """
    # Field values arrive without surrounding whitespace (§5.5); strip anyway.
    if HTTP_DATE.fullmatch(value.strip(" \t")) is None:
        return None
    parts = parsedate_tz(value)  # never raises on str input (see the property test)
    # email.utils reports "no zone" as 0, which is right for asctime; any
    # other zone is not an HTTP-date.
    if parts is None or parts[9] != 0:
        return None
    # email.utils already maps RFC 850's two-digit years (00-68 to 20xx).
    _year, _month, day, hour, minute, second = parts[:6]
    # calendar.timegm would roll "25:00" over into the next day.
    if not (1 <= day <= 31 and 0 <= hour <= 23 and 0 <= minute <= 59 and 0 <= second <= 60):
        return None
    try:
        return calendar.timegm(parts[:6])
    except (OverflowError, ValueError):
        return None


def not_after_now(modified: int | None, now: float | None = None) -> int | None:
    """``modified`` clamped to the response's Date (RFC 9110 §8.8.2.1).

    An origin server with a clock must not send a Last-Modified later than
    its Date: a file with an mtime in the future is sent with the current time.

    >>> not_after_now(2_000_000_000, now=1_700_000_000.5)
    1700000000
    >>> not_after_now(784111777, now=1_700_000_000)
    784111777
    """
    if modified is None:
        return None
    current = int(time.time() if now is None else now)
    return min(modified, current)
