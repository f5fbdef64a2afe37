"""Fugit's field model (layer 2): parsed elements expanded into the sets a cron matches.

A port of ``Fugit::Cron#expand``, ``#range``, ``#determine_*`` and ``#compact_month_days`` of
Fugit 1.5.2 (``lib/fugit/cron.rb``), quirks included, because sidekiq-cron fires exactly when
these sets say so: ``1-31`` stays a restricted day-of-month list (only ``*`` and ``*/1`` mean
"any"), a reversed range wraps (``22-2`` hours), ``n/s`` means ``n-max/s``, a reversed
day-of-week range with a step is empty (so unrestricted), and Sunday 7 folds to 0.

``modern=True`` applies Fugit 1.11+'s changes: a step of 1 after a single value runs to the
end of the field (``8/1`` hours = 8-23, where 1.5 reads a lone 8), a range covering the whole
field means "any" (``1-31``, ``0-59``), and a reversed day-of-week range with a step wraps.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["MAXDAYS", "Element", "FieldError", "FugitFields", "WeekdayEntry", "build_fields"]

#: Longest length of each month (February counted as 29), index 1..12, as Fugit's MAXDAYS.
MAXDAYS = (0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)

#: One parsed list element: (start, end, step, nth-weekday hash, (modulo, offset)).
Element = tuple[int | None, int | None, int | None, int | None, tuple[int, int] | None]

#: One day-of-week entry: (weekday 0..6, None | nth (1..5, -1..-5) | (modulo, offset)).
WeekdayEntry = tuple[int, int | tuple[int, int] | None]


class FieldError(Exception):
    """A field that parses but cannot be expanded (Fugit raises, so the cron is invalid)."""


@dataclass(frozen=True, slots=True)
class FugitFields:
    """The expanded sets; None means "any" (Fugit's nil)."""

    seconds: tuple[int, ...] | None
    minutes: tuple[int, ...] | None
    hours: tuple[int, ...] | None
    monthdays: tuple[int, ...] | None
    months: tuple[int, ...] | None
    weekdays: tuple[WeekdayEntry, ...] | None
    day_and: bool = False  # Fugit 1.11+'s "&": both day fields must match
    modern: bool = False  # Fugit 1.11+'s rules (the %n+k weekday test)


def _range(low: int, high: int, start: int, end: int, step: int) -> list[int]:
    if (start < 0 < end) or (end < 0 < start):
        msg = f"a range must not mix negative and positive days ({start} to {end})"
        raise FieldError(msg)
    omax = high
    if start < 0:
        low, high = -high, -1
    values: list[int] = []
    cur = start
    while True:
        values.append(cur)
        if cur == end:
            break
        cur += 1
        if cur > high:
            cur = low
            if end > high:
                end = end - high - 1
        if len(values) > 2 * omax:
            msg = f"the range {start}-{end} never reaches its end"
            raise FieldError(msg)
    if step == 0:
        msg = "a step of 0 never advances"
        raise FieldError(msg)
    out: list[int] = []
    for index, value in enumerate(values):
        if index % step == 0 and value not in out:
            out.append(value)
    return out


def _expand(low: int, high: int, element: Element, modern: bool) -> list[int | None]:
    start, end, step, _hash, _mod = element
    if step is not None and step < 1:
        msg = "a step of 0 never advances"
        raise FieldError(msg)
    if step == 1 and not modern:
        step = None
    if step is not None and end is None:
        end = high
    if start is None and end is None and step is None:
        return [None]
    if start is not None and end is None:
        return [start]
    step = 1 if step is None else step
    start = low if start is None else start
    if end is None or (end < 0 < start):
        end = high
    if modern and start == low and end == high and step == 1:
        return [None]
    return list(_range(low, high, start, end, step))


def _compact(values: list[int | None]) -> tuple[int, ...] | None:
    if None in values:
        return None
    return tuple(sorted({v for v in values if v is not None}))


def _field(
    low: int, high: int, elements: list[Element], modern: bool = False
) -> tuple[int, ...] | None:
    values: list[int | None] = []
    for element in elements:
        values.extend(_expand(low, high, element, modern))
    return _compact(values)


def _ruby_key(entry: WeekdayEntry) -> tuple[int, int, int | tuple[int, int]]:
    """Ruby's Array#<=> order for [wd] and [wd, x] (shorter first; int vs array cannot mix)."""
    day, extra = entry
    if extra is None:
        return (day, 0, 0)
    return (day, 1, extra)


def _weekdays(elements: list[Element], modern: bool) -> tuple[WeekdayEntry, ...] | None:
    entries: list[WeekdayEntry] = []
    for a, z, step, nth, mod in elements:
        if nth is not None or mod is not None:
            assert a is not None
            entries.append((a, nth if nth is not None else mod))
        elif step is not None:
            first = a if a is not None else 0
            last = z if z is not None else (a if a is not None else 6)
            if modern and first > last:
                last += 7
            entries.extend(
                ((i - 7 if i > 6 else i), None) for i in range(first, last + 1, max(step, 1))
            )
        elif z is not None:
            assert a is not None
            if a > z:
                z += 7
            entries.extend(((i - 7 if i > 6 else i), None) for i in range(a, z + 1))
        elif a is not None:
            entries.append((a, None))
    folded: list[WeekdayEntry] = []
    for day, extra in entries:
        entry = (0 if day == 7 else day, extra)
        if entry not in folded:
            folded.append(entry)
    try:
        folded.sort(key=_ruby_key)
    except TypeError:  # Ruby's sort! raises too: [1, 2] <=> [1, [2, 0]] is nil
        msg = "a weekday cannot carry both a #nth and a %modulo"
        raise FieldError(msg) from None
    return tuple(folded) or None


def build_fields(
    seconds: list[Element] | None,
    minutes: list[Element],
    hours: list[Element],
    monthdays: list[Element],
    months: list[Element],
    weekdays: list[Element],
    *,
    modern: bool = False,
    day_and: bool = False,
) -> FugitFields | None:
    """Expand parsed elements into Fugit's sets; None when no month/day pair can ever occur."""
    zero: list[Element] = [(0, None, None, None, None)]
    secs = _field(0, 59, seconds if seconds is not None else zero, modern)
    hour_values = _field(0, 23, hours, modern)
    if hour_values is not None:
        hour_values = tuple(sorted({0 if h == 24 else h for h in hour_values}))
    fields = FugitFields(
        seconds=secs,
        minutes=_field(0, 59, minutes, modern),
        hours=hour_values,
        monthdays=_field(1, 31, monthdays, modern),
        months=_field(1, 12, months, modern),
        weekdays=_weekdays(weekdays, modern),
        day_and=day_and,
        modern=modern,
    )
    if fields.months is None or fields.monthdays is None:
        return fields
    pairs_m: list[int] = []
    pairs_d: list[int] = []
    for month in fields.months:
        for day in fields.monthdays:
            if day > MAXDAYS[month]:
                continue
            if month not in pairs_m:
                pairs_m.append(month)
            if day not in pairs_d:
                pairs_d.append(day)
    if not pairs_m or not pairs_d:
        return None
    return FugitFields(
        seconds=fields.seconds,
        minutes=fields.minutes,
        hours=fields.hours,
        monthdays=tuple(pairs_d),
        months=tuple(pairs_m),
        weekdays=fields.weekdays,
        day_and=day_and,
        modern=modern,
    )
