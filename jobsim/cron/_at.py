"""Points in time written as text (layer 2): the part of ``Fugit::At`` jobsim can read exactly.

Fugit hands anything that is not a cron, a duration or a phrase to ``EtOrbi.make_time``, which
is Ruby's ``Time.parse``: a lenient reader that fills missing parts from *today* (so
``at 12 PM`` becomes noon of the day the parse runs). jobsim reads only the unambiguous forms,
an ISO-8601-like date with an optional time and zone (``2017-01-03 11:21:17``,
``2017-12-12``, ``2024-03-10T02:30:00-05:00``, ``2024-01-01 09:00 Europe/Paris``), in the
zone given when none is written; anything else is None.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo

from jobsim.cron._zones import resolve_zone

__all__ = ["parse_at", "time_to_plain_s"]

_AT = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?"
    r"(?:\s*(Z|UTC|[+-]\d{2}:?\d{2}|[A-Z][A-Za-z_]+(?:/[A-Za-z_+\-0-9]+){0,2}))?",
    re.ASCII,
)


def parse_at(text: object, zone: tzinfo) -> datetime | None:
    """A time for an ISO-like text (in ``zone`` unless one is written), or None."""
    if not isinstance(text, str):
        return None
    match = _AT.fullmatch(text.strip())
    if match is None:
        return None
    year, month, day = (int(match.group(i)) for i in (1, 2, 3))
    hour, minute, second = (int(match.group(i) or 0) for i in (4, 5, 6))
    written = match.group(7)
    if written in ("Z", "UTC"):
        zone = UTC
    elif written is not None and written[0] in "+-":
        digits = written[1:].replace(":", "")
        offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        zone = timezone(-offset if written[0] == "-" else offset)
    elif written is not None:
        found = resolve_zone(written)
        if found is None:
            return None
        zone = found
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=zone)
    except ValueError:
        return None


def time_to_plain_s(when: datetime) -> str:
    """Fugit's ``time_to_plain_s``: ``2017-01-03 11:21:17``, with `` Z`` when in UTC."""
    utc = when.utcoffset() == timedelta(0) and when.tzname() in ("UTC", "Z", None)
    return when.strftime("%Y-%m-%d %H:%M:%S") + (" Z" if utc else "")
