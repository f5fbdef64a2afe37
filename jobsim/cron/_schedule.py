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

Speed without changing a result: the wall clock comes from the zone's offset segments
(:mod:`jobsim.cron._offsets`) instead of ``datetime``; and where Fugit would take many steps
that each fail the same test (a minute, an hour, a day at a time), the search takes them in one
go, counting each as an iteration for Fugit's 2048-step guard, but only within one offset
segment, where every skipped step provably lands where Fugit's would. A step that crosses a
transition, or whose day test depends on the instant (``%n`` and ``#n`` weekdays), is taken
one at a time exactly as Fugit takes it.
"""

from __future__ import annotations

import calendar
from bisect import bisect_left, bisect_right
from datetime import UTC, date, datetime, tzinfo
from typing import NamedTuple

from jobsim.cron._errors import CronNeverFires
from jobsim.cron._fields import FugitFields
from jobsim.cron._offsets import civil, offset_table

__all__ = ["MAX_ITERATION_COUNT", "FugitSearch"]

#: Fugit's guard: a search that has not found a match after this many steps gives up.
MAX_ITERATION_COUNT = 2048
_DAY = 86_400
_WEEK = 7 * _DAY
_ORDINAL_1970 = 719_163
_PURE, _NTH, _EXACT = 0, 1, 2  # what a day's match depends on: see calendar_month()
#: month_days() of every search: (monthdays, weekdays, year, month, zone if L) -> days.
_MONTH_DAYS: dict[tuple[object, ...], tuple[int, ...]] = {}


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

    __slots__ = (
        "_all_hours",
        "_all_minutes",
        "_all_seconds",
        "_calendar",
        "_hi",
        "_hour_set",
        "_kind",
        "_last_day",
        "_lo",
        "_minute_set",
        "_month_day_set",
        "_month_set",
        "_off",
        "_other",
        "_rweek_origin",
        "_table",
        "f",
        "zone",
    )

    def __init__(self, fields: FugitFields, zone: tzinfo) -> None:
        self.f = fields
        self.zone = zone
        self._last_day: dict[tuple[int, int], int] = {}
        self._month_set = frozenset(fields.months or ())
        self._all_hours = fields.hours or tuple(range(24))
        self._all_minutes = fields.minutes or tuple(range(60))
        self._all_seconds = fields.seconds or tuple(range(60))
        self._month_day_set: dict[tuple[int, int], frozenset[int]] = {}
        self._rweek_origin: int | None = None
        self._table = offset_table(zone)
        self._off, self._lo, self._hi = 0, 1, 0  # an empty segment: the first local() fills it
        self._other = (0, 1, 0)
        self._hour_set = frozenset(fields.hours or ())
        self._minute_set = frozenset(fields.minutes or ())
        extras = [x for _, x in fields.weekdays or () if x is not None]
        self._kind = (
            _PURE if not extras else _NTH if all(isinstance(x, int) for x in extras) else _EXACT
        )
        self._calendar: dict[tuple[int, int], bool] = {}

    # -- zone arithmetic ---------------------------------------------------------------------

    def local(self, t: int) -> _Local:
        if not self._lo <= t < self._hi:
            other = self._other  # the segment before this one: searches go back and forth
            current = (self._off, self._lo, self._hi)
            if other[1] <= t < other[2]:
                self._off, self._lo, self._hi = other
            else:
                self._off, self._lo, self._hi = self._table.segment(t)
            self._other = current
        days, rest = divmod(t + self._off, 86_400)
        year, month, day, wday = civil(days)
        hour, rest = divmod(rest, 3600)
        minute, second = divmod(rest, 60)
        return _Local(year, month, day, hour, minute, second, wday)

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
        cache = self._table.firsts  # it depends on the zone alone: shared by every cron
        found = cache.get((year, month))
        if found is None:
            found = cache[year, month] = self._find_first_existing(year, month)
        return found

    def _find_first_existing(self, year: int, month: int) -> int:
        t = self.make(year, month, 1)
        if t is not None:
            return t
        # Fugit raises TZInfo::PeriodNotFound here; we take the first instant after the gap.
        guess = int(datetime(year, month, 1, tzinfo=self.zone).timestamp())
        while self.local(guess)[:3] < (year, month, 1):
            guess += 60
        return guess

    def wall_key(self, t: int) -> tuple[int, int]:
        """The wall clock (as seconds) and the offset at ``t``: equal walls, other offsets are
        the two occurrences of a fall-back hour."""
        self.local(t)
        return t + self._off, self._off

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
        lt = self.local(t)
        if lt.month == month and self._lo <= t + 5 * step < self._hi:
            # no transition within five weeks: the walk moves exactly 7 days a step
            if step < 0:
                return (lt.day - 1) // 7 + 1
            return (_days_in(lt.year, month) - lt.day) // 7 + 1
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
        if self.calendar_month(lt.year, lt.month) or (
            # #n weekdays, and no offset change within five weeks of this instant
            self._kind == _NTH and self._lo <= t - 5 * _WEEK and t + 5 * _WEEK < self._hi
        ):
            return lt.day in self.month_day_set(lt.year, lt.month)
        return self.exact_day_match(t, lt)

    def exact_day_match(self, t: int, lt: _Local) -> bool:
        if self.f.weekdays is not None and self.f.monthdays is not None:
            return self.weekday_match(t, lt) or self.monthday_match(lt)
        return self.weekday_match(t, lt) and self.monthday_match(lt)

    def calendar_month(self, year: int, month: int) -> bool:
        """Whether ``day_match`` depends on the calendar day alone throughout this month.

        Always for a cron without ``#n`` / ``%n`` weekdays. With ``#n`` (and no ``%n``), when
        no offset change lies within five weeks of the month: Fugit's week counting (steps of
        7 × 24 h) then moves exactly 7 days a step. A ``%n`` weekday never is (its week
        boundaries are instants, not midnights).
        """
        if self._kind != _NTH:
            return self._kind == _PURE
        key = (year, month)
        found = self._calendar.get(key)
        if found is None:
            first = self._make_first_existing(year, month)
            _, lo, hi = self._table.segment(first)
            found = lo <= first - 6 * _WEEK and first + 10 * _WEEK < hi
            self._calendar[key] = found
        return found

    def month_days(self, year: int, month: int) -> tuple[int, ...]:
        """The days of a month that match (ascending), for a month where ``calendar_month``
        holds: ``day_match`` worked out for the whole month at once."""
        f = self.f
        has_last = f.monthdays is not None and any(d < 1 for d in f.monthdays)
        key = (f.monthdays, f.weekdays, year, month, self.zone if has_last else None)
        found = _MONTH_DAYS.get(key)
        if found is None:
            if len(_MONTH_DAYS) > 100_000:
                _MONTH_DAYS.clear()
            found = _MONTH_DAYS[key] = self._work_out_month(year, month, has_last)
        return found

    def _work_out_month(self, year: int, month: int, has_last: bool) -> tuple[int, ...]:
        first_wday, count = calendar.monthrange(year, month)
        first_wday = (first_wday + 1) % 7  # Monday 0 -> Sunday 0
        weekdays, monthdays = self.f.weekdays, self.f.monthdays
        every = range(1, count + 1)
        by_weekday: set[int] | None = None
        if weekdays is not None:
            first_entry: dict[int, int | tuple[int, int] | None] = {}
            for day, extra in weekdays:  # Ruby's Array#find: the first entry decides
                first_entry.setdefault(day, extra)
            by_weekday = set()
            for d in every:
                wday = (first_wday + d - 1) % 7
                if wday not in first_entry:
                    continue
                extra = first_entry[wday]
                if (
                    extra is None
                    or (isinstance(extra, int) and extra > 0 and (d - 1) // 7 + 1 == extra)
                    or (isinstance(extra, int) and extra < 0 and (count - d) // 7 + 1 == -extra)
                ):
                    by_weekday.add(d)
        by_monthday: set[int] | None = None
        if monthdays is not None:
            last = self.last_day(_Local(year, month, 1, 0, 0, 0, first_wday)) if has_last else 0
            by_monthday = {last + d if d < 1 else d for d in monthdays}
        if by_weekday is not None and by_monthday is not None:
            days = by_weekday | by_monthday
        elif by_weekday is not None:
            days = by_weekday
        elif by_monthday is not None:
            days = by_monthday
        else:
            return tuple(every)
        return tuple(sorted(days.intersection(every)))

    def month_day_set(self, year: int, month: int) -> frozenset[int]:
        key = (year, month)
        found = self._month_day_set.get(key)
        if found is None:
            found = self._month_day_set[key] = frozenset(self.month_days(year, month))
        return found

    # -- the direct answer ---------------------------------------------------------------------

    def _direct(self, t: int, lt: _Local, steps_left: int, *, forward: bool) -> int | None:
        """Where Fugit's search, now at ``t`` (wall clock ``lt``), ends; None when unsure.

        Within one offset segment, and with a day test that is the calendar's, each of
        Fugit's steps (to the next month, day, hour, minute or matching second, or back to the
        previous one) passes over non-matching instants only, so the search ends on the first
        (last) matching instant at or after (before) ``t``: found on the wall clock from the
        sorted sets. Used only when that instant lies in ``t``'s segment, and so near that
        Fugit's steps to it (at most one a day, plus a month change every 28 days, plus the
        hours, minutes and seconds of one day) fit in ``steps_left`` of its 2048.
        """
        off, lo, hi = self._off, self._lo, self._hi
        limit = (hi if forward else lo) + off  # the wall clock where the segment ends
        wall = self._wall_match(lt, limit, forward=forward)
        if wall is None:
            return None
        found = wall - off
        if not lo <= found < hi:
            return None
        days = abs(found - t) // _DAY + 2
        if days + days // 28 + 160 > steps_left:
            return None
        if self._kind == _NTH:
            low, high = (t, found) if forward else (found, t)
            if not (lo <= low - 5 * _WEEK - _DAY and high + 5 * _WEEK + _DAY < hi):
                return None
        return found

    def _wall_match(self, lt: _Local, limit: int, *, forward: bool) -> int | None:
        """The first (last) matching wall clock, as seconds, at or after (before) ``lt``."""
        hours, minutes, seconds = self._all_hours, self._all_minutes, self._all_seconds
        months = self._month_set
        year, month, day = lt.year, lt.month, lt.day
        tod = _next_tod if forward else _previous_tod
        found = tod(hours, minutes, seconds, lt.hour, lt.minute, lt.second)
        ordinal = date(year, month, day).toordinal()
        while (
            (ordinal - _ORDINAL_1970) * _DAY <= limit
            if forward
            else ((ordinal - _ORDINAL_1970 + 1) * _DAY > limit)
        ):
            if not months or month in months:
                days = self.month_days(year, month)
                if forward:
                    k = bisect_left(days, day)
                    if k < len(days):
                        if days[k] != day:
                            ordinal += days[k] - day
                            day = days[k]
                            found = (hours[0], minutes[0], seconds[0])
                        if found is not None:
                            return (ordinal - _ORDINAL_1970) * _DAY + _seconds(found)
                        k += 1
                        if k < len(days):
                            ordinal += days[k] - day
                            return (ordinal - _ORDINAL_1970) * _DAY + _first_seconds(self)
                else:
                    k = bisect_right(days, day) - 1
                    if k >= 0:
                        if days[k] != day:
                            ordinal -= day - days[k]
                            day = days[k]
                            found = (hours[-1], minutes[-1], seconds[-1])
                        if found is not None:
                            return (ordinal - _ORDINAL_1970) * _DAY + _seconds(found)
                        k -= 1
                        if k >= 0:
                            ordinal -= day - days[k]
                            return (ordinal - _ORDINAL_1970) * _DAY + _last_seconds(self)
            # on to the 1st of the next month (the last day of the previous one)
            length = _days_in(year, month)
            if forward:
                ordinal += length - day + 1
                year, month = (year + 1, 1) if month == 12 else (year, month + 1)
                day = 1
                found = (hours[0], minutes[0], seconds[0])
            else:
                ordinal -= day
                year, month = (year - 1, 12) if month == 1 else (year, month - 1)
                day = _days_in(year, month)
                found = (hours[-1], minutes[-1], seconds[-1])
        return None

    # -- searches ----------------------------------------------------------------------------

    def next_time(self, ifrom: int) -> int:
        """The first match strictly after epoch second ``ifrom`` (Fugit ``next_time``)."""
        f = self.f
        months, hours, minutes, seconds = f.months, f.hours, f.minutes, f.seconds
        hour_set, minute_set = self._hour_set, self._minute_set
        month_set = self._month_set
        t = ifrom
        sfrom, zfrom = self.wall_key(t)
        i = 0
        tried = None
        while True:
            i += 1
            if i > MAX_ITERATION_COUNT:
                raise CronNeverFires(_too_many("next", ifrom))
            if t == ifrom:
                t += 1
                continue
            lt = self.local(t)
            lo_, hi_ = self._lo, self._hi
            hi = hi_  # the wall clock is t + offset up to here
            if lo_ != tried and self._kind != _EXACT:  # once per segment: the direct answer?
                tried = lo_
                off = self._off
                found = self._direct(t, lt, MAX_ITERATION_COUNT - i, forward=True)
                if found is not None and not (found + off == sfrom and off != zfrom):
                    return found  # (unless Fugit gh-6 would pass over it, below)
                lt = self.local(t)
            if months is not None and lt.month not in month_set:
                # Fugit moves a month at a time to the first instant of the month; every
                # month it passes over fails the same test, so go straight to the next one.
                year, month = lt.year, lt.month
                while True:
                    year, month = (year + 1, 1) if month == 12 else (year, month + 1)
                    if month in month_set:
                        break
                    i += 1
                t = self._make_first_existing(year, month)
                continue
            pure = self.calendar_month(lt.year, lt.month)
            # whether the day test is the calendar's for every instant of t's day
            pure_day = pure or (
                self._kind == _NTH and lo_ <= t - 5 * _WEEK - _DAY and t + 5 * _WEEK + _DAY < hi_
            )
            if not self.day_match(t, lt):
                cur = t + (24 - lt.hour) * 3600 - lt.minute * 60 - lt.second
                if cur >= hi:  # inc_day across a transition: Fugit's way
                    t = self.inc_day(t, lt)
                    continue
                # cur is the next midnight; skip the days of this month that fail as well
                year, month = lt.year, lt.month
                last = _days_in(year, month)
                if pure or self._kind == _NTH:  # straight to the next matching day
                    days = self.month_days(year, month)  # (or to the 1st of next month)
                    k = bisect_right(days, lt.day)
                    skipped = (days[k] if k < len(days) else last + 1) - lt.day - 1
                    far = cur + skipped * 86_400
                    if far < hi and (pure or (lo_ <= t - 5 * _WEEK and far + 5 * _WEEK < hi_)):
                        i += skipped
                        t = far
                        continue
                day, wday = lt.day + 1, (lt.wday + 1) % 7
                while day <= last and cur + 86_400 < hi:
                    if self.day_match(cur, _Local(year, month, day, 0, 0, 0, wday)):
                        break
                    i += 1
                    cur += 86_400
                    day += 1
                    wday = (wday + 1) % 7
                t = cur
                continue
            if hours is not None and lt.hour not in hour_set:
                t += (60 - lt.minute) * 60 - lt.second
                # the next hours of the day that fail too, in one go
                hour = lt.hour + 1
                while hour < 24 and t < hi and hour not in hour_set:
                    if not pure_day and not self.day_match(
                        t, lt._replace(hour=hour, minute=0, second=0)
                    ):
                        break  # the day test depends on the instant: Fugit's next step differs
                    i += 1
                    t += 3600
                    hour += 1
                continue
            if minutes is not None and lt.minute not in minute_set:
                t += 60 - lt.second
                minute = lt.minute + 1
                while minute < 60 and t < hi and minute not in minute_set:
                    if not pure_day and not self.day_match(t, lt._replace(minute=minute, second=0)):
                        break
                    i += 1
                    t += 60
                    minute += 1
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
        hour_set, minute_set = self._hour_set, self._minute_set
        month_set = self._month_set
        t = ifrom
        i = 0
        tried = None
        while True:
            i += 1
            if i > MAX_ITERATION_COUNT:
                raise CronNeverFires(_too_many("previous", ifrom))
            lt = self.local(t)
            lo_, hi_ = self._lo, self._hi
            lo = lo_  # the wall clock is t + offset from here on
            if lo_ != tried and self._kind != _EXACT:  # once per segment: the direct answer?
                tried = lo_
                found = self._direct(t, lt, MAX_ITERATION_COUNT - i, forward=False)
                if found is not None:
                    return found
                lt = self.local(t)
            if months is not None and lt.month not in month_set:
                t -= (lt.day - 1) * _DAY + lt.hour * 3600 + lt.minute * 60 + lt.second + 1
                # t is 23:59:59 on the last day of the month before while t >= lo; skip the
                # months that fail as well, each one step of Fugit's
                year, month = lt.year, lt.month
                while True:
                    year, month = (year - 1, 12) if month == 1 else (year, month - 1)
                    if t < lo or month in month_set:
                        break
                    i += 1
                    t -= _days_in(year, month) * _DAY
                continue
            pure = self.calendar_month(lt.year, lt.month)
            # whether the day test is the calendar's for every instant of t's day
            pure_day = pure or (
                self._kind == _NTH and lo_ <= t - 5 * _WEEK - _DAY and t + 5 * _WEEK + _DAY < hi_
            )
            if not self.day_match(t, lt):
                t -= lt.hour * 3600 + lt.minute * 60 + lt.second + 1
                # t is 23:59:59 the day before (if still >= lo): skip the failing days too
                year, month = lt.year, lt.month
                if pure or self._kind == _NTH:  # straight to the previous matching day
                    days = self.month_days(year, month)  # (or to the month before)
                    k = bisect_left(days, lt.day) - 1
                    skipped = lt.day - 1 - (days[k] if k >= 0 else 0)
                    low = t - max(skipped - 1, 0) * _DAY  # the earliest instant tested
                    if low >= lo and (
                        pure or (lo_ <= low - 5 * _WEEK and t + _DAY + 5 * _WEEK < hi_)
                    ):
                        i += skipped
                        t -= skipped * _DAY
                        continue
                day, wday = lt.day - 1, (lt.wday + 6) % 7
                while day >= 1 and t >= lo:
                    if self.day_match(t, _Local(year, month, day, 23, 59, 59, wday)):
                        break
                    i += 1
                    t -= _DAY
                    day -= 1
                    wday = (wday + 6) % 7
                continue
            if hours is not None and lt.hour not in hour_set:
                t -= lt.minute * 60 + lt.second + 1
                hour = lt.hour - 1
                while hour >= 0 and t >= lo and hour not in hour_set:
                    if not pure_day and not self.day_match(
                        t, lt._replace(hour=hour, minute=59, second=59)
                    ):
                        break
                    i += 1
                    t -= 3600
                    hour -= 1
                continue
            if minutes is not None and lt.minute not in minute_set:
                t -= lt.second + 1
                minute = lt.minute - 1
                while minute >= 0 and t >= lo and minute not in minute_set:
                    if not pure_day and not self.day_match(
                        t, lt._replace(minute=minute, second=59)
                    ):
                        break
                    i += 1
                    t -= 60
                    minute -= 1
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


def _seconds(tod: tuple[int, int, int]) -> int:
    return tod[0] * 3600 + tod[1] * 60 + tod[2]


def _first_seconds(search: FugitSearch) -> int:
    return search._all_hours[0] * 3600 + search._all_minutes[0] * 60 + search._all_seconds[0]


def _last_seconds(search: FugitSearch) -> int:
    return search._all_hours[-1] * 3600 + search._all_minutes[-1] * 60 + search._all_seconds[-1]


def _next_tod(
    hours: tuple[int, ...],
    minutes: tuple[int, ...],
    seconds: tuple[int, ...],
    h: int,
    m: int,
    s: int,
) -> tuple[int, int, int] | None:
    """The first (hour, minute, second) of the sets at or after h:m:s that day, or None."""
    if h in hours:
        if m in minutes:
            k = bisect_left(seconds, s)
            if k < len(seconds):
                return h, m, seconds[k]
        k = bisect_right(minutes, m)
        if k < len(minutes):
            return h, minutes[k], seconds[0]
    k = bisect_right(hours, h)
    if k < len(hours):
        return hours[k], minutes[0], seconds[0]
    return None


def _previous_tod(
    hours: tuple[int, ...],
    minutes: tuple[int, ...],
    seconds: tuple[int, ...],
    h: int,
    m: int,
    s: int,
) -> tuple[int, int, int] | None:
    """The last (hour, minute, second) of the sets at or before h:m:s that day, or None."""
    if h in hours:
        if m in minutes:
            k = bisect_right(seconds, s) - 1
            if k >= 0:
                return h, m, seconds[k]
        k = bisect_left(minutes, m) - 1
        if k >= 0:
            return h, minutes[k], seconds[-1]
    k = bisect_left(hours, h) - 1
    if k >= 0:
        return hours[k], minutes[-1], seconds[-1]
    return None


_LENGTHS = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _days_in(year: int, month: int) -> int:
    """The number of days of a month (``calendar.monthrange(...)[1]``, without its overhead)."""
    if month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
        return 29
    return _LENGTHS[month]
