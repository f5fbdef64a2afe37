"""The virtual clock (layer 1): time that only the engine moves, and only forwards.

Time is held as epoch seconds in a float, which is what Sidekiq writes as sorted-set scores
(``Time.now.to_f``). Whole-second arithmetic on such floats is exact, and the same inputs always
give the same floats, so a run is reproducible bit for bit. Datetimes are views made on demand.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from jobsim import validate
from jobsim.errors import ClockError

__all__ = ["DEFAULT_START", "ClockView", "VirtualClock", "as_epoch", "format_time", "to_datetime"]

#: Where a simulator's clock starts unless told otherwise: a fixed instant, never the wall clock.
DEFAULT_START = datetime(2026, 1, 1, tzinfo=UTC)


def as_epoch(when: datetime | float | int, *, name: str = "when") -> float:
    """Epoch seconds of an aware datetime or a number of epoch seconds.

    A naive datetime is refused, and so is a time jobsim cannot represent (not finite, or
    outside the years 2 to 9999): see :func:`jobsim.validate.epoch`.
    """
    return validate.epoch(when, name=name)


def to_datetime(ts: float) -> datetime:
    """The aware UTC datetime of epoch seconds ``ts``."""
    return datetime.fromtimestamp(ts, UTC)


def format_time(ts: float) -> str:
    """ISO-8601 UTC text of epoch seconds, to the microsecond, e.g. ``2026-01-01T00:00:15Z``."""
    text = to_datetime(ts).isoformat()
    return text.replace("+00:00", "Z")


class VirtualClock:
    """A clock that starts at a chosen instant and moves only when told to, never backwards."""

    __slots__ = ("listeners", "now")

    def __init__(self, start: datetime | float | int = DEFAULT_START) -> None:
        #: The current virtual time in epoch seconds. Read it freely; move it only with
        #: :meth:`advance_to` (a plain attribute because every job reads it several times; a
        #: simulator's users see it through the read-only :class:`ClockView`).
        self.now: float = as_epoch(start, name="start")
        #: Called with the new time after every move (the freezegun bridge listens here).
        self.listeners: list[Callable[[float], None]] = []

    @property
    def now_datetime(self) -> datetime:
        """The current virtual time as an aware UTC datetime."""
        return to_datetime(self.now)

    def advance_to(self, ts: float) -> None:
        """Move the clock to epoch seconds ``ts``; moving backwards is an error."""
        if ts < self.now:
            msg = (
                f"cannot move the virtual clock back from {format_time(self.now)} "
                f"to {format_time(ts)}; time in a simulation only moves forwards"
            )
            raise ClockError(msg)
        if ts != self.now:
            if not ts <= validate.EPOCH_MAX:  # NaN, infinity, or past the year 9999
                # Not a bad argument but a run that reached the end of representable time
                # (a retry or schedule that far out): the job stays where it waits.
                msg = (
                    f"the virtual clock cannot move from {format_time(self.now)} to {ts!r} "
                    f"epoch seconds, past {format_time(validate.EPOCH_MAX)}, the last time "
                    f"jobsim represents; the work due then stays where it waits: stop earlier "
                    f"(run_until) or schedule it sooner (fewer retries, a retry_for window)"
                )
                raise ClockError(msg)
            self.now = ts
            for listener in self.listeners:
                listener(ts)

    def advance(self, delta: timedelta | float | int) -> None:
        """Move the clock forwards by ``delta`` (seconds or a timedelta)."""
        given = delta.total_seconds() if isinstance(delta, timedelta) else delta
        seconds = validate.number(given, name="advance(delta)", expected="seconds or a timedelta")
        self.advance_to(self.now + seconds)  # backwards: ClockError; too far: InvalidArgument


class ClockView:
    """A simulator's clock as its users see it: read, listened to, never moved.

    Only the engine moves a simulation's clock (to what happens next, never past due work);
    to move time, use the simulator's ``advance``, ``run_until`` or ``drain``.
    """

    __slots__ = ("_clock",)

    def __init__(self, clock: VirtualClock) -> None:
        self._clock = clock

    @property
    def now(self) -> float:
        """The current virtual time in epoch seconds."""
        return self._clock.now

    @property
    def now_datetime(self) -> datetime:
        """The current virtual time as an aware UTC datetime."""
        return self._clock.now_datetime

    @property
    def listeners(self) -> list[Callable[[float], None]]:
        """Called with the new time after every move (append to add, remove to stop)."""
        return self._clock.listeners

    def __repr__(self) -> str:
        return f"<ClockView {format_time(self._clock.now)}>"
