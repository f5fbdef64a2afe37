"""rspec-sidekiq's ``have_job``: jobs in the retry set, the dead set or the schedule.

::

    assert have_job(Charge).with_error("card declined").with_retry_count(2).matches(sim.retries)
    have_job(Charge).died_within(timedelta(hours=1)).verify(sim.dead)

The set is a simulator's ``retries``, ``dead`` or ``scheduled`` view. Without a count the
matcher wants at least one job (rspec-sidekiq's default); ``with_args`` compares the job's
arguments (an ActiveJob's own arguments when it rides in Sidekiq's wrapper), values or matchers.
``died_within`` compares the job's ``failed_at`` with the active simulator's clock.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping
from datetime import timedelta
from typing import Any, Self

from jobsim.active_job import deserialize_arguments
from jobsim.errors import InvalidArgument
from jobsim.payload import dumps
from jobsim.testing._arguments import equal, normalise, short
from jobsim.testing._expectations import AT_LEAST_ONE, Count, duration_seconds, whole_count
from jobsim.testing._option_matchers import OptionCheck
from jobsim.testing._records import resolve_simulator

__all__ = ["SetJobMatcher", "have_job"]


def _seconds(value: Any) -> float | None:
    """``failed_at`` in epoch seconds: Sidekiq 8 writes integer milliseconds, earlier floats."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value / 1000.0 if isinstance(value, int) and value > 100_000_000_000 else float(value)


def _arguments(job: Mapping[str, Any]) -> list[Any]:
    args = job.get("args")
    if job.get("wrapped") and isinstance(args, list) and len(args) == 1:
        data = args[0]
        if isinstance(data, Mapping) and isinstance(data.get("arguments"), list):
            return list(deserialize_arguments(data["arguments"]))
    return list(args) if isinstance(args, list) else [args]


class SetJobMatcher:
    """Expected jobs in a sorted set; built with :func:`have_job`, then chained."""

    def __init__(self, job: Any) -> None:
        name = getattr(job, "job_name", None) or getattr(job, "job_class_name", None)
        if job is not None and not isinstance(job, str) and not isinstance(name, str):
            raise InvalidArgument(f"have_job({short(job)}): pass a job class, its name, or None")
        self.job_name: str | None = job if isinstance(job, str) else name
        self._args: list[Any] | None = None
        self._error: Any = None
        self._error_class: Any = None
        self._retry_count: Any = None
        self._died_within: float | None = None
        self._count: Count = AT_LEAST_ONE
        self._scan: str | None = None
        self._chain: list[str] = []

    def _then(self, call: str, **changes: Any) -> Self:
        clone = type(self).__new__(type(self))
        clone.__dict__.update(self.__dict__)
        clone.__dict__.update(changes)
        clone._chain = [*self._chain, call]
        return clone

    def with_args(self, *args: Any) -> Self:
        """The job's arguments, values or matchers (an ActiveJob's own arguments)."""
        return self._then(f"with_args({short(list(args))})", _args=[normalise(a) for a in args])

    def with_error(self, message: Any) -> Self:
        """The recorded ``error_message`` (a str or a matcher)."""
        return self._then(f"with_error({short(message)})", _error=message)

    def with_error_class(self, error: Any) -> Self:
        """The recorded ``error_class``: an exception class or its name (or a matcher)."""
        if isinstance(error, type) and issubclass(error, BaseException):
            module = error.__module__  # as Sidekiq records it: qualified unless a builtin
            error = error.__qualname__ if module == "builtins" else f"{module}.{error.__qualname__}"
        return self._then(f"with_error_class({short(error)})", _error_class=error)

    def with_retry_count(self, count: Any) -> Self:
        """The job's ``retry_count`` (0 after its first failure)."""
        return self._then(f"with_retry_count({short(count)})", _retry_count=count)

    def died_within(self, duration: timedelta | float) -> Self:
        """``failed_at`` no longer than ``duration`` before the simulator's clock."""
        seconds = duration_seconds(
            duration, "died_within", subject=f"died_within({short(duration)})"
        )
        return self._then(f"died_within({short(duration)})", _died_within=seconds)

    def scanning(self, pattern: str) -> Self:
        """Only jobs whose JSON matches the glob ``pattern``, as ``SortedSet#scan`` reads it
        (a pattern without ``*`` matches anywhere)."""
        given: object = pattern
        if not isinstance(given, str):
            raise InvalidArgument(f"scanning({short(pattern)}): pass a glob str, e.g. '*Charge*'")
        glob = pattern if "*" in pattern else f"*{pattern}*"
        return self._then(f"scanning({pattern!r})", _scan=glob)

    def exactly(self, n: int) -> Self:
        """Exactly ``n`` such jobs."""
        return self._then(f"exactly({n})", _count=Count(whole_count(n, "exactly"), n, f"{n}"))

    def at_least(self, n: int) -> Self:
        """``n`` or more."""
        low = whole_count(n, "at_least")
        return self._then(f"at_least({n})", _count=Count(low, None, f"at least {n}"))

    def at_most(self, n: int) -> Self:
        """``n`` or fewer."""
        high = whole_count(n, "at_most")
        return self._then(f"at_most({n})", _count=Count(0, high, f"at most {n}"))

    def never(self) -> Self:
        """None at all."""
        return self.exactly(0)

    def once(self) -> Self:
        """Exactly one."""
        return self.exactly(1)

    def twice(self) -> Self:
        """Exactly two."""
        return self.exactly(2)

    def thrice(self) -> Self:
        """Exactly three."""
        return self.exactly(3)

    def _fits(self, job: Mapping[str, Any], now: float) -> bool:
        if self.job_name is not None and self.job_name not in (
            job.get("class"),
            job.get("wrapped"),
        ):
            return False
        if self._scan is not None and not fnmatch.fnmatchcase(dumps(job), self._scan):
            return False
        if self._args is not None and not equal(self._args, _arguments(job)):
            return False
        if self._error is not None and not equal(self._error, job.get("error_message")):
            return False
        if self._error_class is not None and not equal(self._error_class, job.get("error_class")):
            return False
        if self._retry_count is not None and not equal(self._retry_count, job.get("retry_count")):
            return False
        if self._died_within is not None:
            failed = _seconds(job.get("failed_at"))
            if failed is None or failed < now - self._died_within:
                return False
        return True

    def description(self, set_name: str = "set") -> str:
        """``have at least 1 Charge job in retry``."""
        what = f"{self.job_name} job" if self.job_name else "job"
        return f"have {self._count.text} {what}{'s' if self._count.low != 1 else ''} in {set_name}"

    def matches(self, job_set: Any) -> OptionCheck:
        """Check a simulator's ``retries``, ``dead`` or ``scheduled``; truthy when it holds."""
        name = getattr(job_set, "name", None)
        if not isinstance(name, str) or not hasattr(job_set, "__iter__"):
            msg = (
                f"have_job().matches({short(job_set)}): pass sim.retries, sim.dead or sim.scheduled"
            )
            raise InvalidArgument(msg)
        now = 0.0
        if self._died_within is not None:
            now = resolve_simulator(None, "have_job(...).died_within()").time
        entries = list(job_set)
        found = [entry for entry in entries if self._fits(entry.job, now)]
        passed = self._count.accepts(len(found))
        lines = [f"expected to {self.description(name)}"]
        if self._chain:
            lines.append(f"  with {', '.join(self._chain)}")
        lines.append(f"but found {len(found)} among {len(entries)} in {name}")
        for entry in entries[:10]:
            job = entry.job
            lines.append(
                f"  - {job.get('wrapped') or job.get('class')}{tuple(_arguments(job))!r} "
                f"retry_count={job.get('retry_count')!r} "
                f"error={job.get('error_class')}: {short(job.get('error_message'), 60)}"
            )
        return OptionCheck(passed, "\n".join(lines))

    def verify(self, job_set: Any) -> None:
        """Raise AssertionError with the listing unless the set holds such jobs."""
        __tracebackhide__ = True
        check = self.matches(job_set)
        if not check:
            raise AssertionError(check.message)

    def __repr__(self) -> str:
        return f"<have_job({self.job_name or ''}){''.join('.' + c for c in self._chain)}>"


def have_job(job: Any = None) -> SetJobMatcher:
    """Expect jobs of ``job`` (a class, its name, or None for any) in a sorted set."""
    return SetJobMatcher(job)
