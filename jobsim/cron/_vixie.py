"""The "vixie" dialect (layer 2): Debian cron's rules as cronsim 2.x implements them.

* Grammar: 5 fields, or 6 with seconds first; ``*``, ``a``, ``a-b``, ``/n`` steps, ``a/n``
  (= ``a-max/n``), names, Sunday 0 or 7, ``L`` (day of month), ``nL`` (last weekday ``n`` of
  the month), ``n#k``, ``LW``. Reversed ranges, step 0 and out-of-range values are errors,
  and so is a day of month no listed month has when both day fields must match
  (``0 0 31 2 *``; ``0 0 31 2 1`` fires on Mondays in February, as cronsim).
* ``a-a/n`` (a one-value range with a step) is the value ``a`` alone, as Debian cron reads
  it; cronsim 2.x reads it as ``a/n`` (``a``, ``a+n``… to the field's end). Deliberate.
* Days: when either day field *starts with* ``*`` both must match (AND); otherwise either
  (OR). So ``*/2`` counts as unrestricted, ``1-31`` as restricted.
* DST: a 5-field expression whose minute and hour fields do not start with ``*`` is matched
  on the wall clock; a time inside a spring-forward gap runs at the first real minute after
  it, and a repeated wall time runs once (the first). Everything else runs on real instants,
  so gap times are skipped and repeated wall times run twice.
"""

from __future__ import annotations

import calendar
import re
from datetime import UTC, date, datetime, timedelta

from jobsim.cron._errors import CronNeverFires, CronSyntaxError

__all__ = ["VixieCron"]

_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_DAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
_KINDS = (
    ("second", 0, 59),
    ("minute", 0, 59),
    ("hour", 0, 23),
    ("day-of-month", 1, 31),
    ("month", 1, 12),
    ("day-of-week", 0, 7),
)
_LONGEST = (0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_HORIZON_YEARS = 50
LAST = -1
LAST_WEEKDAY = -2


class VixieCron:
    """One parsed expression in the vixie dialect."""

    __slots__ = (
        "day_and",
        "days",
        "expression",
        "hours",
        "last_dow",
        "minutes",
        "months",
        "nth_dow",
        "seconds",
        "wall_clock",
        "weekdays",
    )

    def __init__(self, expression: str) -> None:
        self.expression = expression
        parts = expression.upper().split()
        if len(parts) not in (5, 6):
            raise CronSyntaxError(expression, 0, f"expected 5 or 6 fields, found {len(parts)}")
        if len(parts) == 5:
            parts = ["0", *parts]
        offsets = [m.start() for m in re.finditer(r"\S+", expression)]
        if len(offsets) == 5:
            offsets = [0, *offsets]
        self.last_dow: set[int] = set()
        self.nth_dow: set[tuple[int, int]] = set()
        sets = [self._field(i, text, offsets[i]) for i, text in enumerate(parts)]
        self.seconds, self.minutes, self.hours, self.days, self.months, self.weekdays = (
            sorted(s) for s in sets
        )
        self.weekdays = sorted({d % 7 for d in self.weekdays})
        self.day_and = parts[3].startswith("*") or parts[5].startswith("*")
        five = len(expression.split()) == 5
        self.wall_clock = five and not parts[1].startswith("*") and not parts[2].startswith("*")
        plain = [d for d in self.days if d > 0]
        no_last = not (LAST in self.days or LAST_WEEKDAY in self.days)
        # cronsim's rule: only when both day fields must match (with OR, the weekday fires)
        if (
            self.day_and
            and plain
            and no_last
            and min(plain) > max(_LONGEST[m] for m in self.months)
        ):
            raise CronSyntaxError(expression, offsets[3], "Bad day-of-month (never exists)")

    def _field(self, index: int, text: str, offset: int) -> set[int]:
        kind, low, high = _KINDS[index]
        out: set[int] = set()
        for item in text.split(","):
            if index == 3 and item in ("L", "LW"):
                out.add(LAST if item == "L" else LAST_WEEKDAY)
                continue
            if index == 5 and re.fullmatch(r"[0-7A-Z]+L", item):
                self.last_dow.add(self._value(index, item[:-1], offset) % 7)
                continue
            if index == 5 and "#" in item:
                day, _, nth = item.partition("#")
                if not nth.isdigit() or not 1 <= int(nth) <= 5:
                    raise CronSyntaxError(self.expression, offset, f"bad {kind} {item!r}")
                self.nth_dow.add((self._value(index, day, offset) % 7, int(nth)))
                continue
            rng, _, step_text = item.partition("/")
            step = 1
            if step_text:
                if not step_text.isdigit() or int(step_text) == 0:
                    raise CronSyntaxError(self.expression, offset, f"bad {kind} step {item!r}")
                step = int(step_text)
            if rng == "*":
                first, last = low, high
            elif "-" in rng:
                a, _, b = rng.partition("-")
                first, last = self._value(index, a, offset), self._value(index, b, offset)
                if first > last:
                    raise CronSyntaxError(self.expression, offset, f"{kind} range {rng} reversed")
            else:
                first = self._value(index, rng, offset)
                last = high if step_text else first
            if index == 5 and rng == "*":
                last = 6
            out.update(range(first, last + 1, step))
        return out

    def _value(self, index: int, text: str, offset: int) -> int:
        kind, low, high = _KINDS[index]
        if index == 4 and text in _MONTHS:
            return _MONTHS.index(text) + 1
        if index == 5 and text in _DAYS:
            return _DAYS.index(text)
        if not text.isdigit():
            raise CronSyntaxError(self.expression, offset, f"bad {kind} {text!r}")
        value = int(text)
        if not low <= value <= high:
            raise CronSyntaxError(
                self.expression, offset, f"{kind} {value} is outside {low}-{high}"
            )
        return value

    # -- matching ------------------------------------------------------------------------------

    def _day_ok(self, d: date) -> bool:
        if d.month not in self.months:
            return False
        last = calendar.monthrange(d.year, d.month)[1]
        dom = d.day in self.days or (LAST in self.days and d.day == last)
        if LAST_WEEKDAY in self.days:
            lw = (
                last
                if date(d.year, d.month, last).weekday() < 5
                else (last - (date(d.year, d.month, last).weekday() - 4))
            )
            dom = dom or d.day == lw
        wd = d.isoweekday() % 7
        dow = (
            wd in self.weekdays
            or (wd in self.last_dow and d.day + 7 > last)
            or (wd, (d.day - 1) // 7 + 1) in self.nth_dow
        )
        dom_star = not self.days
        dow_star = not (self.weekdays or self.last_dow or self.nth_dow)
        if self.day_and:
            return (dom or dom_star) and (dow or dow_star)
        return dom or dow

    def _walls(self, d: date, reverse: bool) -> list[datetime]:
        out = [
            datetime(d.year, d.month, d.day, h, m, s)
            for h in self.hours
            for m in self.minutes
            for s in self.seconds
        ]
        return out[::-1] if reverse else out

    def _instants(self, wall: datetime, zone: object) -> list[datetime]:
        assert zone is not None
        found: list[datetime] = []
        for fold in (0, 1):
            aware = wall.replace(tzinfo=zone, fold=fold)  # type: ignore[arg-type]
            utc = aware.astimezone(UTC)
            if utc.astimezone(aware.tzinfo).replace(tzinfo=None) == wall and utc not in found:
                found.append(utc)
        return found

    def _candidates(self, d: date, zone: object, reverse: bool) -> list[datetime]:
        out: list[datetime] = []
        for wall in self._walls(d, reverse):
            instants = self._instants(wall, zone)
            if self.wall_clock:
                if not instants:  # in a gap: the first real minute after it
                    probe = wall
                    while not instants:
                        probe = probe.replace(second=0) + timedelta(minutes=1)
                        instants = self._instants(probe, zone)
                out.append(instants[0])
            else:
                out.extend(instants)
        return sorted(out, reverse=reverse)

    def next_after(self, when: datetime) -> datetime:
        return self._search(when, reverse=False)

    def previous_before(self, when: datetime) -> datetime:
        return self._search(when, reverse=True)

    def _search(self, when: datetime, *, reverse: bool) -> datetime:
        zone = when.tzinfo
        start = when.astimezone(UTC).replace(microsecond=0)
        if not reverse and when.microsecond:
            pass
        elif reverse and when.microsecond:
            start += timedelta(seconds=1)
        day = when.date() + timedelta(days=1 if reverse else -1)
        step = timedelta(days=-1 if reverse else 1)
        for _ in range(366 * _HORIZON_YEARS):
            if self._day_ok(day):
                for cand in self._candidates(day, zone, reverse):
                    if (cand < start) if reverse else (cand > start):
                        return cand.astimezone(zone)
            day += step
        which = "previous" if reverse else "next"
        msg = f"no {which} fire time of {self.expression!r} within {_HORIZON_YEARS} years"
        raise CronNeverFires(msg)
