"""``have_enqueued_job`` and ``have_performed_job``: one matcher, two kinds of record.

A matcher is built by chaining constraints; each chain returns a new matcher, so a partly built
one can be reused. It is checked three ways:

* ``assert have_enqueued_job(SendWelcome).with_args(42)`` looks at everything the active
  simulator has seen so far. The matcher is truthy or falsy; when falsy, its ``repr`` sums up
  why and the pytest plugin prints the full report in a "jobsim" section.
* ``have_enqueued_job(...).verify()`` raises ``AssertionError`` with the full report (for
  ``--assert=plain``, unittest, or any helper that wants the text in the exception).
* ``with have_enqueued_job(...):`` counts only what is enqueued inside the block and raises
  ``AssertionError`` at its end on a mismatch.

The default count is exactly one, as in rspec-rails. ``assert not have_enqueued_job(X)`` still
means "no matching job", as rspec-rails' ``not_to`` does: with no count chained, finding two or
more matching jobs fails both ``assert m`` and ``assert not m`` (the check raises the report
itself), so neither form passes by accident. ``.never()`` says "none" inside a ``with``.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self

from jobsim.errors import InvalidArgument
from jobsim.simulator import Simulator
from jobsim.testing import _messages, _report
from jobsim.testing._argument_lists import PrefixArgs
from jobsim.testing._arguments import ExpectedArgs, call_text, equal, explain, short
from jobsim.testing._chain_values import (
    queue_difference,
    queue_text,
)
from jobsim.testing._composed import ComposedMatcher, compose
from jobsim.testing._expectations import (
    DEFAULT_COUNT,
    DEFAULT_TOLERANCE,
    Count,
    TimeExpectation,
    outcome_difference,
)
from jobsim.testing._known_names import refuse_unknown_name
from jobsim.testing._matcher_chain import MatcherChain
from jobsim.testing._records import JobRecord, Kind, Scope, resolve_simulator

__all__ = [
    "Evaluation",
    "JobMatcher",
    "have_enqueued_job",
    "have_performed_job",
    # Re-exported: they live in _expectations
    "DEFAULT_TOLERANCE",
    "Count",
    "TimeExpectation",
]


class JobMatcher(MatcherChain):
    """Expected jobs: a class (or any), arguments, queue, time, count, outcome.

    Build it with :func:`have_enqueued_job` or :func:`have_performed_job`, then chain.
    """

    def __init__(self, kind: Kind, job: Any = None, *, sim: Simulator | None = None) -> None:
        super().__init__(kind, job, sim=sim)
        self._last: Evaluation | None = None

    def _forget_last_check(self) -> None:
        self._last = None

    # -- checking -----------------------------------------------------------------------------

    def _expected_args(self, record: JobRecord) -> ExpectedArgs | PrefixArgs | None:
        if self._loose_args is None:
            return self._args
        found = self._by_class.get(record.job_class)
        if found is None:
            job_class = self._classes(record.job_class) if self._classes is not None else None
            args, kwargs = self._loose_args
            found = ExpectedArgs(record.job_class, job_class, args, kwargs, found_class=True)
            self._by_class[record.job_class] = found
        return found

    def differences(self, record: JobRecord) -> list[str]:
        """Why ``record`` does not match, one line per field (empty: it matches)."""
        lines = []
        if self._job_name is not None and record.job_class != self._job_name:
            lines.append(f"class: expected {self._job_name}, got {record.job_class}")
        expected_args = self._expected_args(record)
        if expected_args is not None:
            lines += expected_args.differences(record.args)
        if self._queue is not None:
            text = queue_difference(self._queue, record.queue)
            if text is not None:
                lines.append(text)
        if self._priority is not None and not equal(self._priority, record.priority):
            lines.append(f"priority: {explain(self._priority, record.priority)}")
        if self._time is not None:
            text = self._time.difference(record)
            if text is not None:
                lines.append(text)
        if self._outcome is not None:
            text = outcome_difference(self._outcome, self._error, record, self._error_names)
            if text is not None:
                lines.append(text)
        for check, description in self._where:
            try:
                ok = bool(check(record))
            except Exception as exc:
                lines.append(f"where: {description} raised {type(exc).__name__}: {exc}")
                continue
            if not ok:
                lines.append(f"where: {description} is false")
        if self._block is not None and not lines:
            # rspec-rails calls the block only for jobs that meet every other constraint.
            lines += self._block.difference(record.args)
        return lines

    def evaluate(self, scope: Scope | None = None) -> Evaluation:
        """Check against ``scope`` (default: everything in the simulator so far)."""
        if scope is None:
            scope = Scope.everything(resolve_simulator(self._sim, self.description()))
        self._classes = scope.sim.job_class
        self._by_class = {}  # bound per evaluation: another simulator may know other classes
        records = scope.records(self._kind)
        matching: list[JobRecord] = []
        misses: list[tuple[JobRecord, list[str]]] = []
        for record in records:
            lines = self.differences(record)
            if lines:
                misses.append((record, lines))
            else:
                matching.append(record)
        count = self._count or DEFAULT_COUNT
        passed = count.accepts(len(matching)) and not (self._exclusive and misses)
        evaluation = Evaluation(self, scope, records, matching, misses, count, passed)
        self._last = evaluation
        return evaluation

    def __bool__(self) -> bool:
        __tracebackhide__ = True
        evaluation = self.evaluate(self._scope)
        if not evaluation.matching:  # `assert not` of a misspelt name would pass for ever
            self._refuse_unknown_name(evaluation)
        _report.note(evaluation, sys._getframe(1))
        if evaluation.count.implicit and len(evaluation.matching) > 1:
            # Too many for the default "exactly 1", and too many for "none": wrong both ways.
            raise AssertionError(evaluation.message())
        return evaluation.passed

    def verify(self) -> list[JobRecord]:
        """Raise ``AssertionError`` with the full report unless the expectation holds.

        Returns the matching jobs.
        """
        __tracebackhide__ = True  # pytest shows the caller's line, not this one
        evaluation = self.evaluate(self._scope)
        if evaluation.passed and not evaluation.matching:
            self._refuse_unknown_name(evaluation)
        if not evaluation.passed:
            raise AssertionError(evaluation.message())
        return evaluation.matching

    def _refuse_unknown_name(self, evaluation: Evaluation) -> None:
        if self._job_class is None and self._job_name is not None:
            recorded = [*evaluation.records, *evaluation.scope.records("enqueued")]
            refuse_unknown_name(self._verb(), self._job_name, evaluation.scope.sim, recorded)

    @property
    def jobs(self) -> list[JobRecord]:
        """The matching jobs (inside the ``with`` block, once it has begun)."""
        return self.evaluate(self._scope).matching

    def __enter__(self) -> Self:
        if self._entered or self._scope is not None:
            msg = f"{self.description()} already checked a `with` block; build a new matcher"
            raise InvalidArgument(msg)
        sim = resolve_simulator(self._sim, self.description())
        self._scope = Scope.from_now(sim)
        self._entered = True
        return self

    def _close_scope(self) -> None:
        # The block is over: later jobs are not its jobs (``.jobs`` keeps answering for it).
        if self._scope is not None and self._scope.until_seq is None:
            self._scope = self._scope.closed()

    def _verdict(self) -> tuple[bool, list[Evaluation]]:
        """(passed, [the evaluation]) for composition; too many for the default count fails."""
        __tracebackhide__ = True
        evaluation = self.evaluate(self._scope)
        if evaluation.count.implicit and len(evaluation.matching) > 1:
            raise AssertionError(evaluation.message())  # wrong both ways, as in __bool__
        return evaluation.passed, [evaluation]

    def __and__(self, other: Any) -> ComposedMatcher:
        return compose("and", self, other)

    def __or__(self, other: Any) -> ComposedMatcher:
        return compose("or", self, other)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        __tracebackhide__ = True
        scope = self._scope
        if scope is None:
            return
        self._close_scope()
        if exc_type is not None:
            return  # the block's own error says more than a count would
        evaluation = self.evaluate(self._scope)
        # Noted like `assert m`, so the plugin's section shows the same candidates.
        _report.note(evaluation, sys._getframe(1))
        if not evaluation.passed:
            raise AssertionError(evaluation.message())

    # -- describing ---------------------------------------------------------------------------

    @property
    def kind(self) -> Kind:
        """``"enqueued"`` or ``"performed"``."""
        return self._kind

    @property
    def job_name(self) -> str | None:
        """The expected class name (None: any class)."""
        return self._job_name

    @property
    def count(self) -> Count:
        """The expected count (exactly 1 unless chained)."""
        return self._count or DEFAULT_COUNT

    @property
    def exclusive(self) -> bool:
        """Whether ``and_no_other_jobs()`` was chained."""
        return self._exclusive

    def expectation_lines(self) -> Iterator[tuple[str, str]]:
        """(label, text) for each constraint, in a fixed order."""
        if self._args is not None:
            yield ("with args", self._args.describe() or "(none)")
        if self._loose_args is not None:
            yield ("with args", call_text(*self._loose_args) or "(none)")
        if self._block is not None:
            yield ("with args", f"for which {self._block.label}(*args) passes")
        if self._queue is not None:
            yield ("on queue", queue_text(self._queue))
        if self._priority is not None:
            yield ("at priority", short(self._priority))
        if self._time is not None:
            yield self._time.describe()
        if self._outcome is not None:
            yield ("outcome", self._outcome + (f" with {self._error}" if self._error else ""))
        for _, description in self._where:
            yield ("where", description)
        if self._exclusive:
            yield ("and", "no other jobs")

    def description(self) -> str:
        """The matcher as written: ``have_enqueued_job(SendWelcome).with_args(42)``."""
        if self._title is not None:
            return self._title
        head = f"{self._verb()}({self._job_name or ''})"
        return head + "".join(f".{call}" for call in self._chain)

    def __repr__(self) -> str:
        last = self._last
        if last is None or last.passed:
            return f"<{self.description()}>"
        return f"<{self.description()}: {last.summary()}>"


@dataclass(slots=True)
class Evaluation:
    """The result of checking a matcher once: what was in scope, what matched, and why not."""

    matcher: JobMatcher
    scope: Scope
    records: list[JobRecord]
    matching: list[JobRecord]
    misses: list[tuple[JobRecord, list[str]]]
    count: Count
    passed: bool

    def message(self) -> str:
        """The full failure report (or a short "matched" report when it passed)."""
        return _messages.report(self)

    def summary(self) -> str:
        """One line: how many matched and the nearest difference."""
        return _messages.summary(self)


def have_enqueued_job(job: Any = None, *, sim: Simulator | None = None) -> JobMatcher:
    """Expect jobs of ``job`` (a class, its name, or None for any) to have been enqueued.

    ``sim`` picks the simulator (default: the active one when checked).
    """
    return JobMatcher("enqueued", job, sim=sim)


def have_performed_job(job: Any = None, *, sim: Simulator | None = None) -> JobMatcher:
    """Expect executions of ``job`` (a class, its name, or None for any) to have started."""
    return JobMatcher("performed", job, sim=sim)
