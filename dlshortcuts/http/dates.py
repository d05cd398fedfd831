"""HTTP-dates (RFC 9110 §5.6.7), free of Django: a malformed date makes its header be ignored."""

from __future__ import annotations

import calendar
from email.utils import parsedate_tz


def parse_http_date(value: str) -> int | None:
    """An HTTP-date (RFC 9110 §5.6.7: IMF-fixdate, RFC 850 or asctime) as a timestamp.

    :returns: seconds since the epoch, or None when the value is not a date
        or names a zone other than GMT (a malformed date makes its header be
        ignored). A date without a zone, as asctime has, is taken as GMT.
    """
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
