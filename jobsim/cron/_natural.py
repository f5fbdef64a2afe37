"""Fugit's natural-language schedules (layer 2): a subset of ``Fugit::Nat`` 1.5.2.

Turns "every 5 minutes", "every day at noon", "every weekday at 9:30", "every monday at
5pm", "every 15s", "every 3 hours" into the cron text Fugit makes of them. Unknown phrases
return None, and the caller reports a syntax error.
"""

from __future__ import annotations

import re

__all__ = ["parse_natural"]

_DAYS = ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")
_NUMBERS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
}
_UNITS = {
    "s": "sec",
    "sec": "sec",
    "secs": "sec",
    "second": "sec",
    "seconds": "sec",
    "m": "min",
    "min": "min",
    "mins": "min",
    "minute": "min",
    "minutes": "min",
    "h": "hour",
    "hour": "hour",
    "hours": "hour",
}
_EVERY_N = re.compile(r"\Aevery\s+(?:(\d+)\s*)?([a-z]+)\Z")
_AT = re.compile(
    r"\A(?:every\s+)?(day|weekday|[a-z]+day)\s+at\s+"
    r"(noon|midnight|[a-z]+|\d{1,2}(?::\d{2})?\s*(?:am|pm)?)\Z"
)


def _step_list(step: int, size: int) -> str:
    return ",".join(str(v) for v in range(0, size, step))


def _time(text: str) -> tuple[int, int] | None:
    text = text.strip()
    if text == "noon":
        return (12, 0)
    if text == "midnight":
        return (0, 0)
    if text in _NUMBERS:
        return (_NUMBERS[text], 0)
    match = re.fullmatch(r"(\d{1,2})(?::(\d{2}))?\s*(am|pm)?", text)
    if match is None:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if match.group(3) == "pm" and hour < 12:
        hour += 12
    if match.group(3) == "am" and hour == 12:
        hour = 0
    if hour > 23 or minute > 59:
        return None
    return (hour, minute)


def parse_natural(text: str) -> str | None:
    """The cron text Fugit 1.5.2 makes of a natural-language phrase, or None."""
    phrase = " ".join(text.lower().split())
    match = _EVERY_N.match(phrase)
    if match:
        count = int(match.group(1) or 1)
        unit = _UNITS.get(match.group(2))
        if unit == "sec" and 0 < count < 60:
            return f"{_step_list(count, 60)} * * * * *"
        if unit == "min" and 0 < count < 60:
            return f"{_step_list(count, 60)} * * * *" if count > 1 else "* * * * *"
        if unit == "hour" and 0 < count < 24:
            return f"0 {_step_list(count, 24)} * * *" if count > 1 else "0 * * * *"
        if match.group(1) is None and match.group(2) == "day":
            return "0 0 * * *"
        if match.group(1) is None and match.group(2) in _DAYS:
            return f"0 0 * * {_DAYS.index(match.group(2))}"
        return None
    match = _AT.match(phrase)
    if match:
        at = _time(match.group(2))
        if at is None:
            return None
        hour, minute = at
        day = match.group(1)
        if day == "day":
            dow = "*"
        elif day == "weekday":
            dow = "1,2,3,4,5"
        elif day in _DAYS:
            dow = str(_DAYS.index(day))
        else:
            return None
        return f"{minute} {hour} * * {dow}"
    return None
