"""Assertions that pin a rate limit: how often a class was throttled, how many of it ran at
once, how many started in any window. They read the simulator's trace, so they hold for any
limiter (sidekiq-throttled's ``throttle=`` or your own middleware)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from jobsim import routing, validate
from jobsim.errors import NoActiveSimulator
from jobsim.simulator import Simulator

__all__ = [
    "ThrottledMatcher",
    "assert_max_concurrency",
    "assert_starts_per_window",
    "have_been_throttled",
]


def _sim(sim: Simulator | None, where: str) -> Simulator:
    found = sim if sim is not None else routing.active()
    if not isinstance(found, Simulator):
        msg = f"{where}: no simulator is active; pass sim= or use it inside `with sim:`"
        raise NoActiveSimulator(msg)
    return found


def _name(job_class: Any) -> str:
    return str(getattr(job_class, "job_name", job_class))


class ThrottledMatcher:
    """``have_been_throttled(Job)``: true when the class's fetches were refused often enough.

    Counts ``throttled`` events (one per refused fetch). By default at least once;
    ``.at_least(n)``, ``.at_most(n)`` and ``.exactly(n)`` change the count.
    """

    __slots__ = ("_high", "_low", "_name", "_sim")

    def __init__(self, job_class: Any, sim: Simulator | None) -> None:
        self._name = _name(job_class)
        self._sim = _sim(sim, f"have_been_throttled({self._name})")
        self._low: int = 1
        self._high: int | None = None

    def at_least(self, times: int) -> ThrottledMatcher:
        """At least ``times`` refusals."""
        self._low = validate.whole(times, name="at_least(times)", low=0)
        return self

    def at_most(self, times: int) -> ThrottledMatcher:
        """At most ``times`` refusals (and at least none)."""
        self._low, self._high = 0, validate.whole(times, name="at_most(times)", low=0)
        return self

    def exactly(self, times: int) -> ThrottledMatcher:
        """Exactly ``times`` refusals."""
        self._low = self._high = validate.whole(times, name="exactly(times)", low=0)
        return self

    def count(self) -> int:
        """How many fetches of the class were refused so far."""
        events = self._sim.trace.of_kind("throttled")
        return sum(1 for event in events if event.job.get("class") == self._name)

    def __bool__(self) -> bool:
        count = self.count()
        return count >= self._low and (self._high is None or count <= self._high)

    def __repr__(self) -> str:
        wanted = f"at least {self._low}" if self._high is None else f"{self._low}..{self._high}"
        return f"<{self._name} throttled {self.count()} times; expected {wanted}>"


def have_been_throttled(job_class: Any, *, sim: Simulator | None = None) -> ThrottledMatcher:
    """How often ``job_class`` was throttled at fetch (see :class:`ThrottledMatcher`)."""
    return ThrottledMatcher(job_class, sim)


def assert_max_concurrency(job_class: Any, limit: int, *, sim: Simulator | None = None) -> None:
    """Fail unless at most ``limit`` executions of ``job_class`` ever overlapped."""
    name = _name(job_class)
    found = _sim(sim, f"assert_max_concurrency({name})")
    limit = validate.whole(limit, name="assert_max_concurrency(limit)", low=0)
    running = peak = 0
    peak_at = 0.0
    for event in found.trace:
        if event.job.get("class") != name:
            continue
        if event.kind == "started":
            running += 1
            if running > peak:
                peak, peak_at = running, event.ts
        elif event.kind in ("succeeded", "failed", "lost", "interrupted"):
            running -= 1
    if peak > limit:
        when = event_time(peak_at)
        msg = f"{peak} executions of {name} ran at once at {when}; expected at most {limit}"
        raise AssertionError(msg)


def assert_starts_per_window(
    job_class: Any, limit: int, period: float | timedelta, *, sim: Simulator | None = None
) -> None:
    """Fail if more than ``limit`` executions of ``job_class`` started within any ``period``."""
    name = _name(job_class)
    found = _sim(sim, f"assert_starts_per_window({name})")
    limit = validate.whole(limit, name="assert_starts_per_window(limit)", low=1)
    seconds = validate.seconds(period, name="assert_starts_per_window(period)")
    starts = [
        event.ts for event in found.trace.of_kind("started") if event.job.get("class") == name
    ]
    for index in range(limit, len(starts)):
        if starts[index] - starts[index - limit] < seconds:
            msg = (
                f"{limit + 1} executions of {name} started within {seconds:g} s, from "
                f"{event_time(starts[index - limit])} to {event_time(starts[index])}; "
                f"expected at most {limit} per {seconds:g} s"
            )
            raise AssertionError(msg)


def event_time(ts: float) -> str:
    from jobsim.clock import format_time

    return format_time(ts)
