"""Fugit's rules (layer 2): an instant's wall clock in a zone, TimeCursor's moves, which days match.

The pieces :class:`jobsim.cron._schedule.FugitSearch` is built from, ported from ``Fugit::Cron``
and ``TimeCursor`` of Fugit 1.5.2 in Fugit's own arithmetic: a cursor move adds the seconds
Fugit adds, "midnight" and "the 1st" are found in the zone as et-orbi does (a midnight inside a
spring-forward gap does not exist), and ``L`` is the day before the 1st of next month, 24 h
earlier. The wall clock comes from the zone's offset segments (:mod:`jobsim.cron._offsets`)
instead of ``datetime``. Where the day test depends on the calendar day alone
(:meth:`FugitRules.calendar_month`), a month's matching days are worked out at once, and
cached for every search.
"""

from __future__ import annotations

import calendar
from datetime import datetime, tzinfo
from typing import NamedTuple

from jobsim.cron._errors import CronNeverFires
from jobsim.cron._fields import FugitFields
from jobsim.cron._offsets import civil, offset_table

__all__ = ["DAY", "EXACT", "NTH", "PURE", "WEEK", "FugitRules", "Local", "days_in"]

DAY = 86_400
WEEK = 7 * DAY
PURE, NTH, EXACT = 0, 1, 2  # what a day's match depends on: see calendar_month()
#: month_days() of every search: (monthdays, weekdays, year, month, zone if L) -> days.
_MONTH_DAYS: dict[tuple[object, ...], tuple[int, ...]] = {}


class Local(NamedTuple):
    """The wall clock of an instant in the zone."""

    year: int
    month: int
    day: int
    hour: int
    minute: int
    second: int
    wday: int  # Sunday 0


class FugitRules:
    """Fugit's wall clock, cursor moves and day test for one cron's sets in one zone."""

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
        "_rweek_ref",
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
        self._rweek_ref: int | None = None
        self._table = offset_table(zone)
        self._off, self._lo, self._hi = 0, 1, 0  # an empty segment: the first local() fills it
        self._other = (0, 1, 0)
        self._hour_set = frozenset(fields.hours or ())
        self._minute_set = frozenset(fields.minutes or ())
        extras = [x for _, x in fields.weekdays or () if x is not None]
        self._kind = (
            PURE if not extras else NTH if all(isinstance(x, int) for x in extras) else EXACT
        )
        if fields.modern and self._kind == NTH:
            # et-orbi 1.4 counts a day's weeks from its noon: the calendar's count, whatever
            # the offsets, so every month is worked out from the calendar
            self._kind = PURE
        self._calendar: dict[tuple[int, int], bool] = {}

    # -- zone arithmetic ---------------------------------------------------------------------

    def local(self, t: int) -> Local:
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
        return Local(year, month, day, hour, minute, second, wday)

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

    def inc_month(self, lt: Local) -> int:
        year, month = (lt.year + 1, 1) if lt.month == 12 else (lt.year, lt.month + 1)
        return self._make_first_existing(year, month)

    def inc_day(self, t: int, lt: Local) -> int:
        t += (24 - lt.hour) * 3600 - lt.minute * 60 - lt.second
        after = self.local(t)
        if after.hour == 0:
            return t
        if after.hour < 12:
            midnight = self.make(after.year, after.month, after.day)
            if midnight is not None:
                return midnight
        return t + (24 - after.hour) * 3600

    def inc_sec(self, t: int, lt: Local) -> int:
        seconds = self.f.seconds
        assert seconds is not None
        for s in seconds:
            if s > lt.second:
                return t + s - lt.second
        return t + 60 - lt.second + seconds[0]

    def dec_sec(self, t: int, lt: Local) -> int:
        seconds = self.f.seconds
        assert seconds is not None
        target = seconds[-1]
        for s in reversed(seconds):
            if s < lt.second:
                target = s
                break
        return t + target - lt.second - (0 if lt.second > target else 60)

    # -- matching ----------------------------------------------------------------------------

    def last_day(self, lt: Local) -> int:
        key = (lt.year, lt.month)
        found = self._last_day.get(key)
        if found is None:
            found = self.local(self.inc_month(lt) - DAY).day + 1
            self._last_day[key] = found
        return found

    def monthday_match(self, lt: Local) -> bool:
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
            return (days_in(lt.year, month) - lt.day) // 7 + 1
        count = 0
        while self.local(t).month == month:
            count += 1
            t += step
        return count

    def rweek(self, t: int) -> int:
        if self._rweek_origin is None:
            origin = self.make(2019, 1, 1)
            self._rweek_origin = origin if origin is not None else 1_546_300_800
        return (t - self._rweek_origin) // WEEK + 1

    def rweek_modern(self, lt: Local) -> int:
        """et-orbi 1.4's ``rweek``: whole days (noon to noon, in seconds, floored) since Monday
        2018-12-31, divided by 7; a noon in summer time is an hour short of a whole day."""
        if self._rweek_ref is None:
            self._rweek_ref = _noon(2018, 12, 31, self.zone)
        return (_noon(lt.year, lt.month, lt.day, self.zone) - self._rweek_ref) // DAY // 7

    def weekday_match(self, t: int, lt: Local) -> bool:
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
                if self.f.modern:  # Fugit 1.11+: week number modulo n equals k modulo n
                    return self.rweek_modern(lt) % modulo == plus % modulo
                return (self.rweek(t) + plus) % modulo == 0
            if self.f.modern:
                count = days_in(lt.year, lt.month)
                return extra in ((lt.day - 1) // 7 + 1, -((count - lt.day) // 7 + 1))
            if extra > 0:
                return extra == self.count_weeks(t, lt.month, -WEEK)
            return extra == -self.count_weeks(t, lt.month, WEEK)
        return False

    def day_match(self, t: int, lt: Local) -> bool:
        if self.calendar_month(lt.year, lt.month) or (
            # #n weekdays, and no offset change within five weeks of this instant
            self._kind == NTH and self._lo <= t - 5 * WEEK and t + 5 * WEEK < self._hi
        ):
            return lt.day in self.month_day_set(lt.year, lt.month)
        return self.exact_day_match(t, lt)

    def exact_day_match(self, t: int, lt: Local) -> bool:
        if self.f.weekdays is not None and self.f.monthdays is not None and not self.f.day_and:
            return self.weekday_match(t, lt) or self.monthday_match(lt)
        return self.weekday_match(t, lt) and self.monthday_match(lt)

    def calendar_month(self, year: int, month: int) -> bool:
        """Whether ``day_match`` depends on the calendar day alone throughout this month.

        Always for a cron without ``#n`` / ``%n`` weekdays. With ``#n`` (and no ``%n``), when
        no offset change lies within five weeks of the month: Fugit's week counting (steps of
        7 × 24 h) then moves exactly 7 days a step. A ``%n`` weekday never is (its week
        boundaries are instants, not midnights).
        """
        if self._kind != NTH:
            return self._kind == PURE
        key = (year, month)
        found = self._calendar.get(key)
        if found is None:
            first = self._make_first_existing(year, month)
            _, lo, hi = self._table.segment(first)
            found = lo <= first - 6 * WEEK and first + 10 * WEEK < hi
            self._calendar[key] = found
        return found

    def month_days(self, year: int, month: int) -> tuple[int, ...]:
        """The days of a month that match (ascending), for a month where ``calendar_month``
        holds: ``day_match`` worked out for the whole month at once."""
        f = self.f
        has_last = f.monthdays is not None and any(d < 1 for d in f.monthdays)
        zone = self.zone if has_last else None
        key = (f.monthdays, f.weekdays, f.day_and, year, month, zone)
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
            last = self.last_day(Local(year, month, 1, 0, 0, 0, first_wday)) if has_last else 0
            by_monthday = {last + d if d < 1 else d for d in monthdays}
        if by_weekday is not None and by_monthday is not None:
            days = (by_weekday & by_monthday) if self.f.day_and else (by_weekday | by_monthday)
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


def _noon(year: int, month: int, day: int, zone: tzinfo) -> int:
    return int(datetime(year, month, day, 12, tzinfo=zone).timestamp())


_LENGTHS = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def days_in(year: int, month: int) -> int:
    """The number of days of a month (``calendar.monthrange(...)[1]``, without its overhead)."""
    if month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
        return 29
    return _LENGTHS[month]
