"""Per-day counters (layer 3): Sidekiq's ``stat:processed:YYYY-MM-DD`` and
``stat:failed:YYYY-MM-DD`` keys, and ``Sidekiq::Stats::History`` over them.

Sidekiq adds one to the day's key (UTC) next to the total; jobsim does the same on the virtual
clock. The engine touches only the current day's two counters and one comparison per job (the
day changes when the clock passes midnight); finished days move into a dict.
``Stats#reset`` zeroes the totals and leaves the days alone, as in Sidekiq.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from jobsim import validate
from jobsim.errors import InvalidArgument

__all__ = ["DayCounts", "History", "MAX_HISTORY_DAYS"]

_DAY = 86_400.0
#: Sidekiq keeps five years of day keys, and History refuses to look further back.
MAX_HISTORY_DAYS = 5 * 365


class DayCounts:
    """Executions started and failures, per UTC day of the virtual clock."""

    __slots__ = ("_past", "day", "end", "failed", "processed")

    def __init__(self, now: float) -> None:
        self._past: dict[int, tuple[int, int]] = {}
        self.day = int(now // _DAY)
        #: Where the current day ends (epoch seconds): the engine compares ``now`` with it.
        self.end = (self.day + 1) * _DAY
        #: The current day's counts (the engine adds to them).
        self.processed = 0
        self.failed = 0

    def roll(self, now: float) -> None:
        """The clock reached ``now`` on a later day: file the current day's counts."""
        if self.processed or self.failed:
            self._past[self.day] = (self.processed, self.failed)
        self.day = int(now // _DAY)
        self.end = (self.day + 1) * _DAY
        self.processed = 0
        self.failed = 0

    def on(self, day: date) -> tuple[int, int]:
        """``(processed, failed)`` on the UTC ``day`` (zeros for a day with nothing)."""
        number = (day - _EPOCH_DATE).days
        if number == self.day:
            return self.processed, self.failed
        return self._past.get(number, (0, 0))


_EPOCH_DATE = date(1970, 1, 1)


class History:
    """``Sidekiq::Stats::History.new(days_previous, start_date)``: per-day counts, newest first.

    ``processed`` and ``failed`` map ``"YYYY-MM-DD"`` to a count for ``days_previous`` days
    ending at ``start_date`` (default: the virtual clock's UTC date), as Sidekiq's hashes do.
    """

    __slots__ = ("failed", "processed")

    def __init__(
        self, counts: DayCounts, now: float, days_previous: int, start_date: date | None = None
    ) -> None:
        # Sidekiq keeps five years of day keys and refuses to look further (ArgumentError).
        name = "history(days_previous)"
        days = validate.whole(days_previous, name=name, low=1, high=MAX_HISTORY_DAYS)
        if start_date is None:
            start = datetime.fromtimestamp(now, UTC).date()
        elif isinstance(start_date, datetime) or not isinstance(start_date, date):
            msg = (
                f"history(start_date={start_date!r}): pass a datetime.date (the UTC day the "
                f"history ends on), as Sidekiq takes a Date"
            )
            raise InvalidArgument(msg)
        else:
            start = start_date
        self.processed: dict[str, int] = {}
        self.failed: dict[str, int] = {}
        for back in range(days):
            day = start - timedelta(days=back)
            processed, failed = counts.on(day)
            label = day.isoformat()
            self.processed[label] = processed
            self.failed[label] = failed

    def __repr__(self) -> str:
        return f"<History processed={self.processed} failed={self.failed}>"
