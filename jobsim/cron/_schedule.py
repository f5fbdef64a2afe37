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

The wall clock, the cursor's moves and the day test the search is built from are its base class,
:class:`jobsim.cron._fugit_rules.FugitRules`.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from datetime import UTC, date, datetime

from jobsim.cron._errors import CronNeverFires
from jobsim.cron._fugit_rules import DAY, EXACT, NTH, WEEK, FugitRules, Local, days_in

__all__ = ["MAX_ITERATION_COUNT", "FugitSearch"]

#: Fugit's guard: a search that has not found a match after this many steps gives up.
MAX_ITERATION_COUNT = 2048
_ORDINAL_1970 = 719_163


class FugitSearch(FugitRules):
    """Next/previous search for one cron's sets in one zone."""

    __slots__ = ()

    # -- the direct answer ---------------------------------------------------------------------

    def _direct(self, t: int, lt: Local, steps_left: int, *, forward: bool) -> int | None:
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
        days = abs(found - t) // DAY + 2
        if days + days // 28 + 160 > steps_left:
            return None
        if self._kind == NTH:
            low, high = (t, found) if forward else (found, t)
            if not (lo <= low - 5 * WEEK - DAY and high + 5 * WEEK + DAY < hi):
                return None
        return found

    def _wall_match(self, lt: Local, limit: int, *, forward: bool) -> int | None:
        """The first (last) matching wall clock, as seconds, at or after (before) ``lt``."""
        hours, minutes, seconds = self._all_hours, self._all_minutes, self._all_seconds
        months = self._month_set
        year, month, day = lt.year, lt.month, lt.day
        tod = _next_tod if forward else _previous_tod
        found = tod(hours, minutes, seconds, lt.hour, lt.minute, lt.second)
        ordinal = date(year, month, day).toordinal()
        while (
            (ordinal - _ORDINAL_1970) * DAY <= limit
            if forward
            else ((ordinal - _ORDINAL_1970 + 1) * DAY > limit)
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
                            return (ordinal - _ORDINAL_1970) * DAY + _seconds(found)
                        k += 1
                        if k < len(days):
                            ordinal += days[k] - day
                            return (ordinal - _ORDINAL_1970) * DAY + _first_seconds(self)
                else:
                    k = bisect_right(days, day) - 1
                    if k >= 0:
                        if days[k] != day:
                            ordinal -= day - days[k]
                            day = days[k]
                            found = (hours[-1], minutes[-1], seconds[-1])
                        if found is not None:
                            return (ordinal - _ORDINAL_1970) * DAY + _seconds(found)
                        k -= 1
                        if k >= 0:
                            ordinal -= day - days[k]
                            return (ordinal - _ORDINAL_1970) * DAY + _last_seconds(self)
            # on to the 1st of the next month (the last day of the previous one)
            length = days_in(year, month)
            if forward:
                ordinal += length - day + 1
                year, month = (year + 1, 1) if month == 12 else (year, month + 1)
                day = 1
                found = (hours[0], minutes[0], seconds[0])
            else:
                ordinal -= day
                year, month = (year - 1, 12) if month == 1 else (year, month - 1)
                day = days_in(year, month)
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
            if lo_ != tried and self._kind != EXACT:  # once per segment: the direct answer?
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
                self._kind == NTH and lo_ <= t - 5 * WEEK - DAY and t + 5 * WEEK + DAY < hi_
            )
            if not self.day_match(t, lt):
                cur = t + (24 - lt.hour) * 3600 - lt.minute * 60 - lt.second
                if cur >= hi:  # inc_day across a transition: Fugit's way
                    t = self.inc_day(t, lt)
                    continue
                # cur is the next midnight; skip the days of this month that fail as well
                year, month = lt.year, lt.month
                last = days_in(year, month)
                if pure or self._kind == NTH:  # straight to the next matching day
                    days = self.month_days(year, month)  # (or to the 1st of next month)
                    k = bisect_right(days, lt.day)
                    skipped = (days[k] if k < len(days) else last + 1) - lt.day - 1
                    far = cur + skipped * 86_400
                    if far < hi and (pure or (lo_ <= t - 5 * WEEK and far + 5 * WEEK < hi_)):
                        i += skipped
                        t = far
                        continue
                day, wday = lt.day + 1, (lt.wday + 1) % 7
                while day <= last and cur + 86_400 < hi:
                    if self.day_match(cur, Local(year, month, day, 0, 0, 0, wday)):
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
            if lo_ != tried and self._kind != EXACT:  # once per segment: the direct answer?
                tried = lo_
                found = self._direct(t, lt, MAX_ITERATION_COUNT - i, forward=False)
                if found is not None:
                    return found
                lt = self.local(t)
            if months is not None and lt.month not in month_set:
                t -= (lt.day - 1) * DAY + lt.hour * 3600 + lt.minute * 60 + lt.second + 1
                # t is 23:59:59 on the last day of the month before while t >= lo; skip the
                # months that fail as well, each one step of Fugit's
                year, month = lt.year, lt.month
                while True:
                    year, month = (year - 1, 12) if month == 1 else (year, month - 1)
                    if t < lo or month in month_set:
                        break
                    i += 1
                    t -= days_in(year, month) * DAY
                continue
            pure = self.calendar_month(lt.year, lt.month)
            # whether the day test is the calendar's for every instant of t's day
            pure_day = pure or (
                self._kind == NTH and lo_ <= t - 5 * WEEK - DAY and t + 5 * WEEK + DAY < hi_
            )
            if not self.day_match(t, lt):
                t -= lt.hour * 3600 + lt.minute * 60 + lt.second + 1
                # t is 23:59:59 the day before (if still >= lo): skip the failing days too
                year, month = lt.year, lt.month
                if pure or self._kind == NTH:  # straight to the previous matching day
                    days = self.month_days(year, month)  # (or to the month before)
                    k = bisect_left(days, lt.day) - 1
                    skipped = lt.day - 1 - (days[k] if k >= 0 else 0)
                    low = t - max(skipped - 1, 0) * DAY  # the earliest instant tested
                    if low >= lo and (pure or (lo_ <= low - 5 * WEEK and t + DAY + 5 * WEEK < hi_)):
                        i += skipped
                        t -= skipped * DAY
                        continue
                day, wday = lt.day - 1, (lt.wday + 6) % 7
                while day >= 1 and t >= lo:
                    if self.day_match(t, Local(year, month, day, 23, 59, 59, wday)):
                        break
                    i += 1
                    t -= DAY
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
