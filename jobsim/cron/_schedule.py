"""Fugit's search (layer 2): next and previous fire times, DST quirks included.

A port of ``Fugit::Cron#next_time`` / ``#previous_time`` and ``TimeCursor`` of Fugit 1.5.2.
The cursor is an integer epoch second; every move is the same number of seconds Fugit adds,
and "midnight" / "the 1st" are found in the zone as et-orbi does, so the answers agree with
Fugit's to the second in any zone, including its DST behaviour:

* a wall time inside a spring-forward gap never matches (the day is skipped);
* ``next_time`` yields a literal wall time once on a fall-back day (Fugit gh-6), while
  ``previous_time`` walks both occurrences (which is why sidekiq-cron enqueues twice);
* ``L`` is "the day before the 1st of next month, 24 h earlier", which on a month whose last
  day is 23 hours long is the day before (Fugit's arithmetic, kept on purpose).
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from typing import NamedTuple

from jobsim.cron._errors import CronNeverFires
from jobsim.cron._fields import FugitFields

__all__ = ["MAX_ITERATION_COUNT", "FugitSearch"]

#: Fugit's guard: a search that has not found a match after this many steps gives up.
MAX_ITERATION_COUNT = 2048
_DAY = 86_400
_WEEK = 7 * _DAY


class _Local(NamedTuple):
    year: int
    month: int
    day: int
    hour: int
    minute: int
    second: int
    wday: int  # Sunday 0


class FugitSearch:
    """Next/previous search for one cron's sets in one zone."""

    __slots__ = ("_last_day", "_rweek_origin", "f", "zone")

    def __init__(self, fields: FugitFields, zone: tzinfo) -> None:
        self.f = fields
        self.zone = zone
        self._last_day: dict[tuple[int, int], int] = {}
        self._rweek_origin: int | None = None

    # -- zone arithmetic ---------------------------------------------------------------------

    def local(self, t: int) -> _Local:
        d = datetime.fromtimestamp(t, self.zone)
        return _Local(d.year, d.month, d.day, d.hour, d.minute, d.second, d.isoweekday() % 7)

    def make(self, year: int, month: int, day: int) -> int | None:
        """Epoch of local midnight, or None when it falls in a gap (TZInfo PeriodNotFound)."""
        wall = datetime(year, month, day)
        aware = wall.replace(tzinfo=self.zone)
        t = int(aware.timestamp())
        back = datetime.fromtimestamp(t, self.zone).replace(tzinfo=None)
        if back != wall:
            return None
        return t

    def _make_first_existing(self, year: int, month: int) -> int:
        t = self.make(year, month, 1)
        if t is not None:
            return t
        # Fugit raises TZInfo::PeriodNotFound here; we take the first instant after the gap.
        guess = int(datetime(year, month, 1, tzinfo=self.zone).timestamp())
        while self.local(guess)[:3] < (year, month, 1):
            guess += 60
        return guess

    def wall_key(self, t: int) -> tuple[datetime, object]:
        d = datetime.fromtimestamp(t, self.zone)
        return d.replace(tzinfo=None), (d.utcoffset(), d.tzname())

    # -- cursor moves (TimeCursor) -----------------------------------------------------------

    def inc_month(self, lt: _Local) -> int:
        year, month = (lt.year + 1, 1) if lt.month == 12 else (lt.year, lt.month + 1)
        return self._make_first_existing(year, month)

    def inc_day(self, t: int, lt: _Local) -> int:
        t += (24 - lt.hour) * 3600 - lt.minute * 60 - lt.second
        after = self.local(t)
        if after.hour == 0:
            return t
        if after.hour < 12:
            midnight = self.make(after.year, after.month, after.day)
            if midnight is not None:
                return midnight
        return t + (24 - after.hour) * 3600

    def inc_sec(self, t: int, lt: _Local) -> int:
        seconds = self.f.seconds
        assert seconds is not None
        for s in seconds:
            if s > lt.second:
                return t + s - lt.second
        return t + 60 - lt.second + seconds[0]

    def dec_sec(self, t: int, lt: _Local) -> int:
        seconds = self.f.seconds
        assert seconds is not None
        target = seconds[-1]
        for s in reversed(seconds):
            if s < lt.second:
                target = s
                break
        return t + target - lt.second - (0 if lt.second > target else 60)

    # -- matching ----------------------------------------------------------------------------

    def last_day(self, lt: _Local) -> int:
        key = (lt.year, lt.month)
        found = self._last_day.get(key)
        if found is None:
            found = self.local(self.inc_month(lt) - _DAY).day + 1
            self._last_day[key] = found
        return found

    def monthday_match(self, lt: _Local) -> bool:
        days = self.f.monthdays
        if days is None:
            return True
        last = self.last_day(lt) if any(d < 1 for d in days) else 0
        return any((last + d if d < 1 else d) == lt.day for d in days)

    def count_weeks(self, t: int, month: int, step: int) -> int:
        count = 0
        while self.local(t).month == month:
            count += 1
            t += step
        return count

    def rweek(self, t: int) -> int:
        if self._rweek_origin is None:
            origin = self.make(2019, 1, 1)
            self._rweek_origin = origin if origin is not None else 1_546_300_800
        return (t - self._rweek_origin) // _WEEK + 1

    def weekday_match(self, t: int, lt: _Local) -> bool:
        weekdays = self.f.weekdays
        if weekdays is None:
            return True
        for day, extra in weekdays:  # Ruby's Array#find: the first entry for this weekday
            if day != lt.wday:
                continue
            if extra is None:
                return True
            if isinstance(extra, tuple):
                modulo, plus = extra
                if modulo == 0:
                    msg = "a day-of-week %0 divides by zero (Fugit raises ZeroDivisionError)"
                    raise CronNeverFires(msg)
                return (self.rweek(t) + plus) % modulo == 0
            if extra > 0:
                return extra == self.count_weeks(t, lt.month, -_WEEK)
            return extra == -self.count_weeks(t, lt.month, _WEEK)
        return False

    def day_match(self, t: int, lt: _Local) -> bool:
        if self.f.weekdays is not None and self.f.monthdays is not None:
            return self.weekday_match(t, lt) or self.monthday_match(lt)
        return self.weekday_match(t, lt) and self.monthday_match(lt)

    # -- searches ----------------------------------------------------------------------------

    def next_time(self, ifrom: int) -> int:
        """The first match strictly after epoch second ``ifrom`` (Fugit ``next_time``)."""
        f = self.f
        months, hours, minutes, seconds = f.months, f.hours, f.minutes, f.seconds
        t = ifrom
        sfrom, zfrom = self.wall_key(t)
        i = 0
        while True:
            i += 1
            if i > MAX_ITERATION_COUNT:
                raise CronNeverFires(_too_many("next", ifrom))
            if t == ifrom:
                t += 1
                continue
            lt = self.local(t)
            if months is not None and lt.month not in months:
                t = self.inc_month(lt)
                continue
            if not self.day_match(t, lt):
                t = self.inc_day(t, lt)
                continue
            if hours is not None and lt.hour not in hours:
                t += (60 - lt.minute) * 60 - lt.second
                continue
            if minutes is not None and lt.minute not in minutes:
                t += 60 - lt.second
                continue
            if seconds is not None and lt.second not in seconds:
                t = self.inc_sec(t, lt)
                continue
            st, zt = self.wall_key(t)
            if st == sfrom and zt != zfrom:  # Fugit gh-6: a wall time once on fall back
                sfrom, zfrom, ifrom = st, zt, t
                continue
            return t

    def previous_time(self, ifrom: int) -> int:
        """The last match at or before epoch second ``ifrom`` (call with ``from - 1``)."""
        f = self.f
        months, hours, minutes, seconds = f.months, f.hours, f.minutes, f.seconds
        t = ifrom
        i = 0
        while True:
            i += 1
            if i > MAX_ITERATION_COUNT:
                raise CronNeverFires(_too_many("previous", ifrom))
            lt = self.local(t)
            if months is not None and lt.month not in months:
                t -= (lt.day - 1) * _DAY + lt.hour * 3600 + lt.minute * 60 + lt.second + 1
                continue
            if not self.day_match(t, lt):
                t -= lt.hour * 3600 + lt.minute * 60 + lt.second + 1
                continue
            if hours is not None and lt.hour not in hours:
                t -= lt.minute * 60 + lt.second + 1
                continue
            if minutes is not None and lt.minute not in minutes:
                t -= lt.second + 1
                continue
            if seconds is not None and lt.second not in seconds:
                t = self.dec_sec(t, lt)
                continue
            return t


def _too_many(which: str, ifrom: int) -> str:
    start = datetime.fromtimestamp(ifrom, UTC).isoformat()
    return (
        f"no {which} fire time found within {MAX_ITERATION_COUNT} search steps from {start} "
        f"(Fugit gives up there too: the expression can most likely never fire)"
    )
