"""The ``ActiveJob::TestHelper`` family as functions: ``assert_enqueued_jobs`` and its kin.

Each assertion works two ways, as Rails' helpers do with and without a block:

* called, it checks everything the simulator has seen so far and raises ``AssertionError``;
* ``with assert_enqueued_jobs.inside(2):`` checks only what happens inside the block.

The ``with`` blocks of the performed-jobs assertions first perform the jobs enqueued inside
them, by ``perform_enqueued_jobs.inside()`` (in ``_perform.py``).

Under Rails' test adapter (``jobsim.active_job.settings(sim).queue_adapter = "test"``) the
enqueued-jobs helpers see only the jobs still waiting, as ``enqueued_jobs`` does in Rails (a
performed job leaves it). In jobsim's own mode (``"sidekiq"``) they count every enqueue, and a
failing count says when performed jobs were among those counted.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import ExitStack
from datetime import datetime
from types import TracebackType
from typing import Any, Literal

from jobsim import active_job, routing, validate
from jobsim.active_job._test_adapter import using_test_adapter
from jobsim.clock import to_datetime
from jobsim.errors import InvalidArgument
from jobsim.simulator import Simulator
from jobsim.testing._adapter_rules import (
    NotedBlock,
    everything,
    rails_name,
    simulate_note,
    still_enqueued,
    waiting,
)
from jobsim.testing._arguments import short
from jobsim.testing._job_filters import JobFilter, job_class_name, job_selector
from jobsim.testing._matchers import JobMatcher
from jobsim.testing._perform import PerformInside, perform_enqueued_jobs
from jobsim.testing._records import JobRecord, Scope, _active_job_data, resolve_simulator

__all__ = [
    "assert_enqueued_jobs",
    "assert_enqueued_with",
    "assert_no_enqueued_jobs",
    "assert_no_performed_jobs",
    "assert_performed_jobs",
    "assert_performed_with",
    "enqueued_jobs",
    "performed_jobs",
]


def _counting_matcher(
    kind: str,
    title: str,
    n: int,
    only: JobFilter | None,
    except_: JobFilter | None,
    queue: str | None,
    sim: Simulator | None,
) -> JobMatcher:
    validate.whole(
        n,
        name="number",
        low=0,
        subject=title,
        expected="the expected number of jobs as a whole number >= 0",
    )
    matcher = still_enqueued(
        JobMatcher("enqueued" if kind == "enqueued" else "performed", None, sim=sim), kind, sim
    )
    selector = job_selector(only, except_, title)
    if selector is not None:
        matcher = matcher.where(selector[0], selector[1])
    if queue is not None:
        matcher = matcher.on_queue(queue)
    return matcher.exactly(n).titled(title)


def _title(name: str, *parts: object, **options: object) -> str:
    shown = [short(part, 60) for part in parts]
    shown += [f"{key}={_label(value)}" for key, value in options.items() if value is not None]
    return f"{name}({', '.join(shown)})"


def _label(value: object) -> str:
    if isinstance(value, type):
        return job_class_name(value) if hasattr(value, "job_name") else value.__name__
    if callable(value):
        return str(getattr(value, "__qualname__", short(value)))
    if isinstance(value, list | tuple | set | frozenset):
        return "[" + ", ".join(_label(item) for item in value) + "]"
    return short(value, 60)


class _CountAssertion:
    """``assert_enqueued_jobs`` / ``assert_performed_jobs``: a number of jobs, filtered."""

    def __init__(self, kind: str, name: str) -> None:
        self._kind = kind
        self.__name__ = name
        self.__qualname__ = name

    def _matcher(
        self,
        n: int,
        only: JobFilter | None,
        except_: JobFilter | None,
        queue: str | None,
        sim: Simulator | None,
    ) -> JobMatcher:
        title = _title(self.__name__, n, only=only, except_=except_, queue=queue)
        return _counting_matcher(self._kind, title, n, only, except_, queue, sim)

    def __call__(
        self,
        n: int,
        *,
        only: JobFilter | None = None,
        except_: JobFilter | None = None,
        queue: str | None = None,
        sim: Simulator | None = None,
    ) -> list[JobRecord]:
        """Assert that exactly ``n`` jobs (passing the filters) were counted so far."""
        __tracebackhide__ = True
        matcher = self._matcher(n, only, except_, queue, sim)
        try:
            return matcher.verify()
        except AssertionError as failure:
            note = simulate_note(self._kind, sim, everything(self._kind, sim))
            if not note:
                raise
            raise AssertionError(f"{failure}{note}") from None

    def inside(
        self,
        n: int,
        *,
        only: JobFilter | None = None,
        except_: JobFilter | None = None,
        queue: str | None = None,
        sim: Simulator | None = None,
    ) -> JobMatcher | NotedBlock | _PerformedInside:
        """A ``with`` block in which exactly ``n`` jobs must be counted."""
        matcher = self._matcher(n, only, except_, queue, sim)
        if self._kind == "enqueued":
            return NotedBlock(matcher, sim)
        return _block_for(self._kind, matcher, only=only, except_=except_, queue=queue, sim=sim)

    def __repr__(self) -> str:
        return f"<jobsim.testing.{self.__name__}>"


class _NoJobs:
    """``assert_no_enqueued_jobs`` / ``assert_no_performed_jobs``."""

    def __init__(self, counter: _CountAssertion, name: str) -> None:
        self._counter = counter
        self.__name__ = name
        self.__qualname__ = name

    def __call__(
        self,
        *,
        only: JobFilter | None = None,
        except_: JobFilter | None = None,
        queue: str | None = None,
        sim: Simulator | None = None,
    ) -> None:
        """Assert that no job (passing the filters) was counted so far."""
        __tracebackhide__ = True
        title = _title(self.__name__, only=only, except_=except_, queue=queue)
        kind = self._counter._kind
        try:
            _counting_matcher(kind, title, 0, only, except_, queue, sim).verify()
        except AssertionError as failure:
            note = simulate_note(kind, sim, everything(kind, sim))
            if not note:
                raise
            raise AssertionError(f"{failure}{note}") from None

    def inside(
        self,
        *,
        only: JobFilter | None = None,
        except_: JobFilter | None = None,
        queue: str | None = None,
        sim: Simulator | None = None,
    ) -> JobMatcher | NotedBlock | _PerformedInside:
        """A ``with`` block in which no job (passing the filters) may be counted."""
        title = _title(self.__name__, only=only, except_=except_, queue=queue)
        kind = self._counter._kind
        matcher = _counting_matcher(kind, title, 0, only, except_, queue, sim)
        if kind == "enqueued":
            return NotedBlock(matcher, sim)
        return _block_for(kind, matcher, only=only, except_=except_, queue=queue, sim=sim)

    def __repr__(self) -> str:
        return f"<jobsim.testing.{self.__name__}>"


class _WithAssertion:
    """``assert_enqueued_with`` / ``assert_performed_with``: one job with these fields."""

    def __init__(self, kind: str, name: str) -> None:
        self._kind = kind
        self.__name__ = name
        self.__qualname__ = name

    def _matcher(
        self,
        job: Any,
        args: Sequence[Any] | Callable[[list[Any]], object] | None,
        kwargs: Mapping[str, Any] | None,
        at: Any,
        queue: Any,
        sim: Simulator | None,
        priority: Any = None,
    ) -> JobMatcher:
        title = _title(
            self.__name__, job=job, args=args, kwargs=kwargs, at=at, queue=queue, priority=priority
        )
        by_class = None if _is_check(job) else job
        kind: Literal["enqueued", "performed"] = (
            "enqueued" if self._kind == "enqueued" else "performed"
        )
        if priority is not None and rails_name(sim) == "6.1":
            msg = (
                f"{title}: priority= came with Rails 7.0 (6.1's helpers take job, args, at "
                f"and queue); this simulator runs Rails 6.1"
            )
            raise InvalidArgument(msg)
        matcher = still_enqueued(JobMatcher(kind, by_class, sim=sim), kind, sim)
        # Rails calls a proc given for any key with that key's value (test_helper.rb).
        if _is_check(job):
            matcher = matcher.where(lambda r: bool(job(_job_class_of(r))), f"job={_label(job)}")
        if _is_check(at):
            check_at = at
            matcher = matcher.where(lambda r: bool(check_at(_scheduled(r))), f"at={_label(at)}")
            at = None
        if _is_check(queue):
            check_queue = queue
            matcher = matcher.where(lambda r: bool(check_queue(r.queue)), f"queue={_label(queue)}")
            queue = None
        if _is_check(priority):
            check_priority = priority
            matcher = matcher.where(
                lambda r: bool(check_priority(r.priority)), f"priority={_label(priority)}"
            )
        elif priority is not None:
            matcher = matcher.with_priority(priority)
        if callable(args):
            check = args
            matcher = matcher.where(
                lambda record: bool(check(record.args)), f"args={_label(check)}"
            )
        elif args is not None or kwargs is not None:
            if isinstance(args, str | bytes | Mapping):
                msg = f"{title}: args= is the list of arguments, e.g. args=[42]; got {short(args)}"
                raise InvalidArgument(msg)
            matcher = matcher.with_args(*(args or ()), **(kwargs or {}))
        if at is not None:
            matcher = matcher.at(at)
        if queue is not None:
            matcher = matcher.on_queue(queue)
        return matcher.at_least(1).titled(title)  # Rails: any matching job will do

    def __call__(
        self,
        *,
        job: Any = None,
        args: Sequence[Any] | Callable[[list[Any]], object] | None = None,
        kwargs: Mapping[str, Any] | None = None,
        at: datetime | float | Callable[[datetime | None], object] | None = None,
        queue: str | Callable[[str], object] | None = None,
        priority: int | Callable[[int | None], object] | None = None,
        sim: Simulator | None = None,
    ) -> Any:
        """Assert that a job with every given field was counted so far; returns the first.

        Any field may be a callable, as in Rails: ``job`` gets the class, ``args`` the list
        of arguments, ``at`` the scheduled time, ``queue`` the queue, ``priority`` the
        priority. For an ActiveJob the return value is the job itself, as Rails returns it
        (``arguments``, ``queue_name``, ``priority``, ``scheduled_at``, ``provider_job_id``);
        for a Sidekiq job it is the :class:`JobRecord`.
        """
        __tracebackhide__ = True
        matcher = self._matcher(job, args, kwargs, at, queue, sim, priority)
        return _instantiate(matcher.verify()[0], sim)

    def inside(
        self,
        *,
        job: Any = None,
        args: Sequence[Any] | Callable[[list[Any]], object] | None = None,
        kwargs: Mapping[str, Any] | None = None,
        at: datetime | float | Callable[[datetime | None], object] | None = None,
        queue: str | Callable[[str], object] | None = None,
        priority: int | Callable[[int | None], object] | None = None,
        sim: Simulator | None = None,
    ) -> JobMatcher | _PerformedInside:
        """A ``with`` block in which such a job must be counted (``.jobs`` lists them)."""
        matcher = self._matcher(job, args, kwargs, at, queue, sim, priority)
        return _block_for(self._kind, matcher, sim=sim)

    def __repr__(self) -> str:
        return f"<jobsim.testing.{self.__name__}>"


def _is_check(value: object) -> bool:
    return callable(value) and not isinstance(value, type)


def _job_class_of(record: JobRecord) -> Any:
    """The class a ``job=`` callable receives: the ActiveJob or jobsim class, else its name."""
    sim = routing.active()
    if sim is None:
        return record.job_class
    found = active_job.settings(sim).classes.get(record.job_class)
    if found is None and isinstance(sim, Simulator):
        found = sim.job_class(record.job_class)
    return found if found is not None else record.job_class


def _scheduled(record: JobRecord) -> datetime | None:
    return None if record.run_ts is None else to_datetime(record.run_ts)


def _instantiate(record: JobRecord, sim: Simulator | None) -> Any:
    """Rails' ``instantiate_job``: the ActiveJob a record holds, its arguments read back."""
    data = _active_job_data(record.job)
    target = sim if sim is not None else routing.active()
    if data is None or target is None:
        return record
    config = active_job.settings(target)
    job_class = config.classes.get(record.job_class)
    if job_class is None:
        return record
    job = job_class.deserialize({**data, "provider_job_id": record.jid})
    job.arguments = active_job.deserialize_arguments(
        list(data["arguments"]), locate=config.locate, serializers=config.serializers
    )
    job._pending_arguments = None
    job.scheduled_at = record.run_ts
    return job


def _block_for(
    kind: str,
    matcher: JobMatcher,
    *,
    only: JobFilter | None = None,
    except_: JobFilter | None = None,
    queue: str | None = None,
    sim: Simulator | None = None,
) -> JobMatcher | _PerformedInside:
    """The ``with``-block form of an assertion: for enqueued jobs the matcher itself; for
    performed jobs, one that first performs what the block enqueued (passing the filters)."""
    if kind == "enqueued":
        return matcher
    return _PerformedInside(
        matcher, perform_enqueued_jobs.inside(only=only, except_=except_, queue=queue, sim=sim)
    )


class _PerformedInside:
    """Performs the jobs enqueued in the block, then checks a performed-jobs matcher."""

    def __init__(self, matcher: JobMatcher, perform: PerformInside) -> None:
        self.matcher = matcher
        self.perform = perform
        self._stack = ExitStack()

    @property
    def jobs(self) -> list[JobRecord]:
        """The performed jobs that matched."""
        return self.matcher.jobs

    def __enter__(self) -> _PerformedInside:
        with ExitStack() as stack:
            stack.enter_context(self.matcher)
            stack.enter_context(self.perform)
            self._stack = stack.pop_all()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool | None:
        __tracebackhide__ = True
        return self._stack.__exit__(exc_type, exc, tb)


assert_enqueued_jobs = _CountAssertion("enqueued", "assert_enqueued_jobs")
assert_performed_jobs = _CountAssertion("performed", "assert_performed_jobs")
assert_no_enqueued_jobs = _NoJobs(assert_enqueued_jobs, "assert_no_enqueued_jobs")
assert_no_performed_jobs = _NoJobs(assert_performed_jobs, "assert_no_performed_jobs")
assert_enqueued_with = _WithAssertion("enqueued", "assert_enqueued_with")
assert_performed_with = _WithAssertion("performed", "assert_performed_with")


def enqueued_jobs(sim: Simulator | None = None) -> list[JobRecord]:
    """Every job enqueued so far (client pushes, in order), as records; under Rails' test
    adapter only those still waiting (a performed job leaves the list, as in Rails)."""
    target = resolve_simulator(sim, "enqueued_jobs()")
    records = Scope.everything(target).records("enqueued")
    if using_test_adapter(target):
        records = [record for record in records if waiting(target, record)]
    return records


def performed_jobs(sim: Simulator | None = None) -> list[JobRecord]:
    """Every execution started so far, in order, with how it ended."""
    return Scope.everything(resolve_simulator(sim, "performed_jobs()")).records("performed")
