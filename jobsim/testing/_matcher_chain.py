"""The chain that builds a job matcher: ``with_args``, ``on_queue``, ``at``, ``in_``, the
counts and the outcomes (layer of ``jobsim.testing``, private).

Each link returns a new matcher with one more constraint and checks its own arguments when it
is written, so a mistake fails on the line that made it. :class:`~jobsim.testing._matchers.
JobMatcher` adds the checking and the reports; the two are split only to keep modules small.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Literal, Self

from jobsim.clock import as_epoch, format_time
from jobsim.errors import InvalidArgument
from jobsim.simulator import Simulator
from jobsim.testing import _messages
from jobsim.testing._argument_lists import ANY_ARGS, PrefixArgs
from jobsim.testing._arguments import ExpectedArgs, call_text, short
from jobsim.testing._chain_values import (
    ArgsBlock,
    is_block,
    priority_value,
    queue_expectation,
    queue_text,
)
from jobsim.testing._expectations import (
    Count,
    TimeExpectation,
    duration_seconds,
    tolerance_seconds,
    whole_count,
)
from jobsim.testing._known_names import error_names, recorded_name
from jobsim.testing._records import JobRecord, Kind, Scope, resolve_simulator

__all__ = ["MatcherChain"]


class MatcherChain:
    """The constraints of a job matcher and the chain methods that add them."""

    def __init__(self, kind: Kind, job: Any = None, *, sim: Simulator | None = None) -> None:
        self._kind: Kind = kind
        self._job_class: type | None = None
        self._job_name: str | None = None
        if isinstance(job, str):
            if not job:
                raise InvalidArgument(f"{self._verb()}(''): pass a job class or its name")
            self._job_name = job
        elif isinstance(job, type) and isinstance(getattr(job, "job_name", None), str):
            self._job_class = job
            self._job_name = str(job.job_name)  # type: ignore[attr-defined]
        elif isinstance(job, type) and isinstance(getattr(job, "job_class_name", None), str):
            self._job_class = job  # an ActiveJob class: matched through its Sidekiq wrapper
            self._job_name = str(job.job_class_name)  # type: ignore[attr-defined]
        elif job is not None:
            msg = (
                f"{self._verb()}({short(job)}): pass a jobsim.Job subclass (or its name as a "
                f"str), or nothing to match any job"
            )
            raise InvalidArgument(msg)
        if sim is not None:
            resolve_simulator(sim, self._verb())  # checks the type now, not at assert time
        self._sim = sim
        self._args: ExpectedArgs | PrefixArgs | None = None
        #: with_args(...) given without a job class: bound per job to the job's own class.
        self._loose_args: tuple[tuple[Any, ...], dict[str, Any]] | None = None
        self._by_class: dict[str, ExpectedArgs] = {}
        self._classes: Callable[[str], type | None] | None = None
        self._block: ArgsBlock | None = None
        self._queue: Any = None
        self._priority: Any = None
        self._time: TimeExpectation | None = None
        self._count: Count | None = None
        self._exclusive = False
        self._outcome: Literal["succeeded", "failed"] | None = None
        self._error: str | None = None
        self._error_names: frozenset[str] | None = None  # the class and its subclasses' names
        self._where: tuple[tuple[Callable[[JobRecord], object], str], ...] = ()
        self._title: str | None = None
        self._chain: list[str] = []
        self._given: dict[str, str] = {}
        self._scope: Scope | None = None
        self._entered = False

    # -- building -----------------------------------------------------------------------------

    def _verb(self) -> str:
        return "have_enqueued_job" if self._kind == "enqueued" else "have_performed_job"

    def _with(self, call: str, **changes: Any) -> Self:
        if self._scope is not None:
            msg = f"{call}: this matcher already checked a `with` block; chain before `with`"
            raise InvalidArgument(msg)
        clone = copy.copy(self)
        for name, value in changes.items():
            setattr(clone, name, value)
            clone._given = {**clone._given, name: call}
        clone._chain = [*self._chain, call]
        clone._forget_last_check()
        return clone

    def _forget_last_check(self) -> None:
        """A new link of the chain has not been checked yet (the matcher keeps the result)."""

    def _once_only(self, field: str, call: str) -> None:
        previous = self._given.get(field)
        if previous is not None:
            what = "a count" if field == "_count" else "this constraint"
            msg = f"{call}: the matcher already has {previous}; give {what} once"
            raise InvalidArgument(msg)

    def with_args(self, *args: Any, **kwargs: Any) -> Self:
        """Expect these arguments; values or matchers, by position or by ``perform``'s names.

        A single function instead (``with_args(check)``) is called as ``check(*args)`` for
        each job that fits the other constraints, like rspec-rails' ``with { |*args| ... }``:
        it may assert inside (the AssertionError reaches the report) or return False.
        Arguments that cannot fit the job class's ``perform`` fail the assertion, naming the
        parameters; without a job class, each job is checked against its own class.
        """
        if len(args) == 1 and not kwargs and is_block(args[0]):
            block = ArgsBlock(args[0])
            call = f"with_args({block.label})"
            self._once_only("_args", call)
            return self._with(call, _block=block, _args=None)
        call = f"with_args({call_text(args, kwargs)})"
        self._once_only("_args", call)
        if any(value is ANY_ARGS for value in args):
            if kwargs:
                raise InvalidArgument(f"{call}: any_args stands for every other argument")
            return self._with(call, _args=PrefixArgs(args, call))
        if self._job_class is None:
            return self._with(call, _args=None, _loose_args=(args, dict(kwargs)), _by_class={})
        expected = ExpectedArgs(self._job_name or "the job", self._job_class, args, kwargs)
        return self._with(call, _args=expected)

    def on_queue(self, queue: Any) -> Self:
        """Expect the job in this queue: a name, a compiled regex or an argument matcher
        (for performed jobs: the queue it was fetched from)."""
        call = f"on_queue({queue_text(queue) if isinstance(queue, str) else short(queue)})"
        expected = queue_expectation(queue, call)
        self._once_only("_queue", call)
        return self._with(call, _queue=expected)

    def at_priority(self, priority: Any) -> Self:
        """Expect an ActiveJob enqueued with this priority (``set(priority=...)``), as
        rspec-rails' ``at_priority``: a whole number, a numeric str or an argument matcher."""
        call = f"at_priority({short(priority)})"
        value = priority_value(priority, call)
        self._once_only("_priority", call)
        return self._with(call, _priority=value)

    def with_priority(self, priority: Any) -> Self:
        """The same as :meth:`at_priority` (jobsim's earlier name)."""
        call = f"with_priority({short(priority)})"
        value = priority_value(priority, call)
        self._once_only("_priority", call)
        return self._with(call, _priority=value)

    def at(
        self, when: datetime | float | Any, *, tolerance: timedelta | float | None = None
    ) -> Self:
        """Expect the job to run at ``when``, within ``tolerance`` (default: less than 1 s).

        ``when`` is an aware datetime or epoch seconds; anything else (a matcher, a
        dirty-equals object) is compared with ``==`` against the job's time as an aware UTC
        datetime, or None for a job not scheduled. For performed jobs, as in rspec-rails, the
        time the job was scheduled for (not when it started).
        """
        call = f"at({_when_text(when)})"
        self._once_only("_time", call)
        if isinstance(when, datetime) or (
            isinstance(when, int | float) and not isinstance(when, bool)
        ):
            expectation = TimeExpectation("at", as_epoch(when), tolerance_seconds(tolerance))
        else:
            if tolerance is not None:
                raise InvalidArgument(f"{call}: tolerance= applies to a datetime or epoch only")
            expectation = TimeExpectation("at_match", when, 0.0)
        return self._with(call, _time=expectation)

    def in_(self, delay: timedelta | float, *, tolerance: timedelta | float | None = None) -> Self:
        """Expect the job scheduled ``delay`` after its own enqueue (within ``tolerance``)."""
        shown = _messages.duration(delay.total_seconds()) if isinstance(delay, timedelta) else delay
        call = f"in_({shown})"
        if self._kind == "performed":
            raise InvalidArgument(f"{call}: in_() applies to enqueued jobs; use at() here")
        self._once_only("_time", call)
        seconds = duration_seconds(delay, "delay", subject=call, expected="a delay >= 0")
        return self._with(call, _time=TimeExpectation("in", seconds, tolerance_seconds(tolerance)))

    def immediately(self) -> Self:
        """Expect a job enqueued to run at once (not scheduled)."""
        if self._kind == "performed":
            raise InvalidArgument("immediately() applies to enqueued jobs")
        self._once_only("_time", "immediately()")
        return self._with("immediately()", _time=TimeExpectation("immediately", None, 0.0))

    def _counted(self, call: str, count: Count) -> Self:
        self._once_only("_count", call)
        return self._with(call, _count=count)

    def exactly(self, n: int) -> Self:
        """Expect exactly ``n`` matching jobs."""
        text = f"exactly {n}" if n else "no"
        return self._counted(f"exactly({n!r})", Count(whole_count(n, "exactly"), n, text))

    def at_least(self, n: int) -> Self:
        """Expect ``n`` or more matching jobs."""
        return self._counted(
            f"at_least({n!r})", Count(whole_count(n, "at_least"), None, f"at least {n}")
        )

    def at_most(self, n: int) -> Self:
        """Expect no more than ``n`` matching jobs."""
        return self._counted(f"at_most({n!r})", Count(0, whole_count(n, "at_most"), f"at most {n}"))

    def once(self) -> Self:
        """Exactly one matching job."""
        return self._counted("once()", Count(1, 1, "exactly 1"))

    def twice(self) -> Self:
        """Exactly two matching jobs."""
        return self._counted("twice()", Count(2, 2, "exactly 2"))

    def thrice(self) -> Self:
        """Exactly three matching jobs."""
        return self._counted("thrice()", Count(3, 3, "exactly 3"))

    def never(self) -> Self:
        """No matching job at all."""
        return self._counted("never()", Count(0, 0, "no"))

    @property
    def times(self) -> Self:
        """Reads well after a count (``.exactly(3).times``); changes nothing."""
        return self

    def and_no_other_jobs(self) -> Self:
        """Fail also when any job (of any class) in scope does not match."""
        if self._exclusive:
            raise InvalidArgument("and_no_other_jobs(): already given")
        return self._with("and_no_other_jobs()", _exclusive=True)

    def where(self, check: Callable[[JobRecord], object], description: str | None = None) -> Self:
        """Only jobs for which ``check(record)`` is truthy (a :class:`JobRecord`)."""
        if not callable(check):
            raise InvalidArgument(f"where({short(check)}): pass a function taking a JobRecord")
        text = description or str(getattr(check, "__qualname__", None) or short(check))
        call = f"where({text})"
        return self._with(call, _where=(*self._where, (check, text)))

    def titled(self, title: str) -> Self:
        """Name the matcher in reports by ``title`` (the helper function that built it)."""
        clone = self._with(f"titled({title!r})")
        clone._chain = self._chain
        clone._title = title
        return clone

    def succeeded(self) -> Self:
        """Only executions that succeeded (performed jobs)."""
        return self._ended("succeeded()", "succeeded", None)

    def failed(
        self,
        error: type[BaseException] | str | None = None,
        *,
        exactly: type[BaseException] | str | None = None,
    ) -> Self:
        """Only executions that raised ``error`` or a subclass of it, as ``except`` matches
        (a name matches that recorded name only); ``exactly=`` for that one class."""
        if error is not None and exactly is not None:
            msg = f"failed({short(error)}, exactly={short(exactly)}): pass one of the two"
            raise InvalidArgument(msg)
        given = exactly if exactly is not None else error
        name: str | None = None
        accepted: frozenset[str] | None = None
        if isinstance(given, type) and issubclass(given, BaseException):
            name = recorded_name(given)
            accepted = frozenset({name}) if exactly is not None else error_names(given)
        elif isinstance(given, str):
            name = given
        elif given is not None:
            raise InvalidArgument(f"failed({short(given)}): pass an exception class or its name")
        call = f"failed(exactly={name})" if exactly is not None else f"failed({name or ''})"
        return self._ended(call, "failed", name, accepted)

    def _ended(
        self,
        call: str,
        outcome: Literal["succeeded", "failed"],
        error: str | None,
        accepted: frozenset[str] | None = None,
    ) -> Self:
        if self._kind == "enqueued":
            msg = f"{call} applies to have_performed_job(); enqueued jobs have not run yet"
            raise InvalidArgument(msg)
        self._once_only("_outcome", call)
        return self._with(call, _outcome=outcome, _error=error, _error_names=accepted)


def _when_text(when: Any) -> str:
    if isinstance(when, datetime) and when.tzinfo is not None:
        return format_time(when.timestamp())
    return short(when, 60)
