"""A Fugit cron's normalised text and its ``match?`` test (layer 2).

``cron_text`` is Fugit's ``to_cron_s``: the expanded sets joined back (``0 0 L 5 *`` becomes
``0 0 -1 5 *``, ``mon-fri`` becomes ``1,2,3,4,5``), seconds left out when they are just 0, the
zone written in the expression last. The two versions differ in the day-of-week field: 1.5
joins a ``%n+k`` entry with ``#`` (``1#2#0``, its gh-68 bug) where 1.11+ writes ``1%2`` and
appends ``&``.
"""

from __future__ import annotations

from jobsim.cron._fields import FugitFields, WeekdayEntry
from jobsim.cron._fugit_rules import FugitRules

__all__ = ["cron_text", "matches_fields"]


def _join(values: tuple[int, ...] | None) -> str:
    return "*" if values is None else ",".join(str(v) for v in values)


def _weekday_15(entry: WeekdayEntry) -> str:
    day, extra = entry
    if extra is None:
        return str(day)
    if isinstance(extra, tuple):  # Ruby's Array#join flattens: [1, [2, 0]] -> "1#2#0"
        return "#".join(str(v) for v in (day, *extra))
    return f"{day}#{extra}"


def _weekday_modern(entry: WeekdayEntry) -> str:
    day, extra = entry
    if extra is None:
        return str(day)
    if isinstance(extra, tuple):
        modulo, plus = extra
        offset = str(plus) if plus < 0 else f"+{plus}" if plus > 0 else ""
        return f"{day}%{modulo}{offset}"
    return f"{day}#{extra}"


def cron_text(fields: FugitFields, zone_name: str | None) -> str:
    """Fugit's ``to_cron_s`` of these sets (``zone_name``: the zone written in the cron)."""
    parts: list[str] = []
    if fields.seconds != (0,):
        parts.append(_join(fields.seconds))
    parts += [_join(fields.minutes), _join(fields.hours), _join(fields.monthdays)]
    parts.append(_join(fields.months))
    if fields.weekdays is None:
        weekdays = "*"
    else:
        render = _weekday_modern if fields.modern else _weekday_15
        weekdays = ",".join(render(entry) for entry in fields.weekdays)
    if fields.modern and fields.day_and:
        weekdays += "&"
    parts.append(weekdays)
    if zone_name is not None:
        parts.append(zone_name)
    return " ".join(parts)


def matches_fields(rules: FugitRules, t: int) -> bool:
    """Fugit's ``match?``: month, day, hour, minute and second all match at epoch second t."""
    f = rules.f
    lt = rules.local(t)
    return (
        (f.months is None or lt.month in f.months)
        and rules.exact_day_match(t, lt)
        and (f.hours is None or lt.hour in f.hours)
        and (f.minutes is None or lt.minute in f.minutes)
        and (f.seconds is None or lt.second in f.seconds)
    )
