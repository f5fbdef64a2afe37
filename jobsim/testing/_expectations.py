"""What a matcher's chain expects of each job: how many, when, and how it ended.

``exactly(3)``, ``once()`` and the other counts build a :class:`Count`; ``at(...)``,
``in_(...)`` and ``immediately()`` a :class:`TimeExpectation`; ``succeeded()`` and
``failed(...)`` an outcome that :func:`outcome_difference` checks. The matcher
(``_matchers.JobMatcher``) keeps these values and asks them whether one :class:`JobRecord`
fits. The numbers those chain methods take are checked here too, when the chain is written
rather than when it is asserted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

from jobsim import validate
from jobsim.clock import to_datetime
from jobsim.testing import _messages
from jobsim.testing._arguments import equal, explain, short
from jobsim.testing._records import JobRecord

__all__ = [
    "AT_LEAST_ONE",
    "DEFAULT_COUNT",
    "DEFAULT_TOLERANCE",
    "Count",
    "TimeExpectation",
    "duration_seconds",
    "outcome_difference",
    "tolerance_seconds",
    "whole_count",
]

#: How far a job's time may be from the expected one by default: less than a second.
DEFAULT_TOLERANCE = timedelta(seconds=1)


def duration_seconds(
    value: timedelta | float | int,
    name: str,
    *,
    subject: str | None = None,
    expected: str = "a timedelta or a number of seconds",
) -> float:
    """``value`` (a timedelta or a finite number of seconds, >= 0) in seconds; ``name`` is for
    the error, which ``subject`` heads when the call is a better name (``in_(-5)``)."""
    return validate.seconds(
        value, name=name, subject=subject or f"{name}={short(value)}", expected=expected
    )


def tolerance_seconds(value: timedelta | float | int | None) -> float:
    """A ``tolerance=`` argument in seconds (None: :data:`DEFAULT_TOLERANCE`)."""
    if value is None:
        return DEFAULT_TOLERANCE.total_seconds()
    return duration_seconds(
        value, "tolerance", expected="a duration >= 0 (0 asks for the exact instant)"
    )


def _close(difference: float, tolerance: float) -> bool:
    return difference == 0 or abs(difference) < tolerance


@dataclass(frozen=True, slots=True)
class Count:
    """How many matching jobs are expected: ``low <= n <= high`` (high None: no limit)."""

    low: int
    high: int | None
    text: str
    #: True for the count a matcher gets when none is chained.
    implicit: bool = False

    def accepts(self, found: int) -> bool:
        """Whether ``found`` matching jobs satisfy the count."""
        return found >= self.low and (self.high is None or found <= self.high)


#: ``at_least(1)``.
AT_LEAST_ONE = Count(1, None, "at least 1")
#: The count of a matcher that was given none: exactly one, as in rspec-rails.
DEFAULT_COUNT = Count(1, 1, "exactly 1", implicit=True)


@dataclass(frozen=True, slots=True)
class TimeExpectation:
    """``at(...)``, ``in_(...)`` or ``immediately()``.

    ``mode`` is "at" (``value`` is epoch seconds), "at_match" (``value`` is compared with
    ``==`` against the job's time as an aware datetime, or None), "in" (``value`` is a delay in
    seconds after the job's own enqueue) or "immediately".
    """

    mode: Literal["at", "at_match", "in", "immediately"]
    value: Any
    tolerance: float

    def difference(self, record: JobRecord) -> str | None:
        """Why ``record``'s time does not fit, or None."""
        # rspec-rails compares a performed job's scheduled time too, not when it started.
        actual = record.run_ts
        if self.mode == "at_match":
            when = None if actual is None else to_datetime(actual)
            return None if equal(self.value, when) else f"at: {explain(self.value, when)}"
        if self.mode == "immediately":
            if actual is None:
                return None
            return f"at: expected to run at once, got {_messages.scheduled_text(record)}"
        if self.mode == "in":
            delay = 0.0 if actual is None else actual - record.ts
            if _close(delay - self.value, self.tolerance):
                return None
            return _messages.delay_difference(self.value, self.tolerance, delay, record)
        if actual is None:
            return _messages.at_but_immediate(self.value, self.tolerance, record)
        if _close(actual - self.value, self.tolerance):
            return None
        return _messages.at_difference(self.value, self.tolerance, actual)

    def describe(self) -> tuple[str, str]:
        """(label, text) for the expectation's lines in a message."""
        if self.mode == "immediately":
            return ("to run", "at once (not scheduled)")
        if self.mode == "at_match":
            return ("at", short(self.value))
        if self.mode == "in":
            return ("in", _messages.delay_expectation(self.value, self.tolerance))
        return ("at", _messages.time_expectation(self.value, self.tolerance))


def whole_count(n: Any, name: str) -> int:
    """``n`` for a count such as ``exactly(n)``, once checked to be a whole number >= 0."""
    return validate.whole(n, name=name, low=0, subject=f"{name}({short(n)})")


def outcome_difference(
    outcome: Literal["succeeded", "failed"],
    error: str | None,
    record: JobRecord,
    accepted: frozenset[str] | None = None,
) -> str | None:
    """Why ``record`` did not end with ``outcome`` (and ``error``'s class, or one of the
    ``accepted`` class names: the class and its subclasses), or None."""
    if record.outcome != outcome:
        got = str(record.outcome) + (f" ({record.error})" if record.error else "")
        return f"outcome: expected {outcome}, got {got}"
    if error is None:
        return None
    recorded = (record.error or "").split(":")[0]
    if recorded not in (accepted if accepted is not None else (error,)):
        wanted = error if accepted is None or len(accepted) == 1 else f"{error} or a subclass"
        return f"outcome: expected failed with {wanted}, got {record.error}"
    return None
