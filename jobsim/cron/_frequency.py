"""How often a Fugit cron fires (layer 2): ``rough_frequency`` and ``brute_frequency``.

``rough_frequency`` is Fugit's quick estimate in seconds from the sets alone (a month counted
as 30 days, a month day as a point in a 365-day year); ``brute_frequency`` walks a whole
year of fire times and reports the smallest and largest gap and the count, as Fugit's
``Cron#brute_frequency`` does (it stops after the first fire time of the next year).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

from jobsim.cron._fields import FugitFields
from jobsim.errors import InvalidArgument

__all__ = ["YEAR_S", "Frequency", "brute_frequency", "deflate", "rough_frequency"]

DAY_S = 86_400
YEAR_S = 365 * DAY_S


@dataclass(frozen=True, slots=True)
class Frequency:
    """Gaps between consecutive fire times over a year (Fugit's ``Cron::Frequency``)."""

    delta_min: int  # seconds
    delta_max: int  # seconds
    occurrences: int  # gaps counted
    span: int  # seconds from the first fire time to the last one looked at
    span_years: float
    yearly_occurrences: float

    def to_debug_s(self) -> str:
        """Fugit's ``to_debug_s``: ``dmin: 1D, dmax: 1D, ocs: 365, spn: 52W1D, ...``."""
        return (
            f"dmin: {deflate(self.delta_min)}, dmax: {deflate(self.delta_max)}, "
            f"ocs: {self.occurrences}, spn: {deflate(self.span)}, "
            f"spnys: {int(self.span_years)}, yocs: {int(self.yearly_occurrences)}"
        )


def deflate(seconds: int) -> str:
    """Seconds as Fugit's ``Duration#deflate.to_plain_s`` writes them: weeks down to seconds."""
    out = ""
    rest = seconds
    for letter, size in (("W", 7 * DAY_S), ("D", DAY_S), ("h", 3600), ("m", 60), ("s", 1)):
        count, rest = divmod(rest, size)
        if count:
            out += f"{count}{letter}"
    return out or "0s"


def _rough_days(f: FugitFields) -> list[int] | None:
    if f.weekdays is None and f.monthdays is None:
        return None
    months = f.months or tuple(range(1, 13))
    days = [(m - 1) * 30 + (31 + d if d < 0 else d) for m in months for d in f.monthdays or ()]
    weekday_points: list[int] = []
    for day, extra in f.weekdays or ():
        if isinstance(extra, tuple):
            msg = (
                "rough_frequency of a %n weekday: Fugit raises NoMethodError here "
                "(it subtracts 1 from the [n, k] pair); use brute_frequency()"
            )
            raise InvalidArgument(msg)
        if extra is not None:
            weekday_points.append(day + (extra - 1) * 7)
        else:
            weekday_points.extend(day + week * 7 for week in range(4))
    days += [(m - 1) * 30 + d for m in months for d in weekday_points]
    return sorted(days)


def rough_frequency(f: FugitFields) -> int:
    """Fugit's ``rough_frequency``: an estimate of the gap between fire times, in seconds."""
    slots = [
        (f.seconds, 1, 60),
        (f.minutes, 60, 60),
        (f.hours, 3600, 24),
        (_rough_days(f), DAY_S, 365),
    ]
    for values, unit, _ in slots:
        if values is not None and list(values) == [0]:
            continue
        if values is not None:
            break
        return unit
    for values, unit, span in slots:
        if values is None or len(values) < 2:
            continue
        points = [*values, values[0] + span]
        gaps = [b - a for a, b in itertools.pairwise(points) if b - a > 0]
        return int(min(gaps)) * unit
    for values, unit, span in reversed(slots):
        if values is not None and len(values) == 1:
            return unit * span
    return 1


def brute_frequency(
    next_time: Callable[[int], int], year_of: Callable[[int], int], start: int, year: int
) -> Frequency:
    """Fugit's ``brute_frequency``: walk from ``start`` (one second before the year begins, as
    epoch seconds) to the first fire time of the next year (or 7 years on, for a cron that
    fires rarely); ``year_of`` gives an instant's year in the cron's zone."""
    t = start
    deltas: list[int] = []
    first: int | None = None
    while True:
        fired = next_time(t)
        if first is None:
            first = fired
        else:
            deltas.append(fired - t)
        if deltas and year_of(fired) > year:
            break
        if year_of(fired) - year_of(first) > 7:
            break
        t = fired
    span = fired - first
    if not deltas:  # pragma: no cover - the loop only stops after a gap is recorded
        msg = "brute_frequency found no gap between fire times"
        raise InvalidArgument(msg)
    return Frequency(
        delta_min=min(deltas),
        delta_max=max(deltas),
        occurrences=len(deltas),
        span=span,
        span_years=span / YEAR_S,
        yearly_occurrences=len(deltas) / (span / YEAR_S),
    )
