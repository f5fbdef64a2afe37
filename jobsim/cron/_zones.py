"""Zones named inside a cron expression (layer 2), resolved the way et-orbi 1.2 does.

``+09:00`` / ``-0530`` become fixed offsets (hours above 11 are refused, as et-orbi does); a
name is an IANA zone from the system database (zoneinfo), and like et-orbi a name with junk at
its end resolves to its longest known prefix (``America/New_Yorkx`` is New York).
"""

from __future__ import annotations

import re
from datetime import timedelta, timezone, tzinfo
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

__all__ = ["resolve_zone", "zone_name"]

_OFFSET = re.compile(r"\A([+-][0-1]?[0-9]):?([0-5][0-9])?\Z")
#: The few et-orbi aliases a cron's zone pattern (no spaces) can spell.
_ALIASES = {"UTC-11": "Etc/GMT+11", "UTC+12": "Etc/GMT-12", "UTC-02": "Etc/GMT+2"}


@cache
def _known() -> frozenset[str]:
    return frozenset(available_timezones())


@cache
def resolve_zone(text: str) -> tzinfo | None:
    """The tzinfo for a zone written in a cron expression, or None when et-orbi finds none."""
    text = _ALIASES.get(text, text)
    match = _OFFSET.match(text)
    if match:
        hours = int(match.group(1))
        minutes = int(match.group(2) or 0)
        if abs(hours) > 11:
            return None
        sign = -1 if hours < 0 else 1  # et-orbi: "-00:30" is +00:30
        delta = timedelta(hours=abs(hours), minutes=minutes) * sign
        return timezone(delta, text)
    name = text
    while name:
        if name in _known():
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):  # pragma: no cover - listed but broken
                return None
        name = name[:-1]
    return None


def zone_name(zone: tzinfo) -> str:
    """A zone's name for display: the IANA key, or the offset text."""
    key = getattr(zone, "key", None)
    if isinstance(key, str):
        return key
    return zone.tzname(None) or str(zone)
