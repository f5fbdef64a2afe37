"""The ``ActiveJob::TestHelper`` family as functions, and performing enqueued jobs.

Each assertion works two ways, as Rails' helpers do with and without a block:

* called, it checks everything the simulator has seen so far and raises ``AssertionError``;
* ``with assert_enqueued_jobs.inside(2):`` checks only what happens inside the block.

``perform_enqueued_jobs()`` performs the jobs waiting now, once each, in the order they were
enqueued; ``with perform_enqueued_jobs.inside():`` performs, at the end of the block, the jobs
enqueued inside it and then the jobs those enqueue, until none are left. Neither form moves the
clock or runs retries: a job that fails goes to the retry set as in Sidekiq, and
``jobsim.drain()`` or ``jobsim.advance()`` runs it there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import ExitStack
from datetime import datetime
from types import TracebackType
from typing import Any

from jobsim.clock import as_epoch
from jobsim.errors import InvalidArgument, StepLimitExceeded
from jobsim.queues import enqueued_seconds
from jobsim.simulator import Simulator
from jobsim.testing._arguments import short
from jobsim.testing._matchers import JobMatcher
from jobsim.testing._records import (
    JobRecord,
    Scope,
    enqueued_records,
    performed_records,
    resolve_simulator,
)

__all__ = [
    "PerformInside",
    "assert_enqueued_jobs",
    "assert_enqueued_with",
    "assert_no_enqueued_jobs",
    "assert_no_performed_jobs",
    "assert_performed_jobs",
    "assert_performed_with",
    "enqueued_jobs",
    "perform_enqueued_jobs",
    "performed_jobs",
]

#: What ``only=`` / ``except_=`` take: a job class, its name, several of those, or a predicate
#: receiving a :class:`JobRecord`.
JobFilter = type | str | Iterable[type | str] | Callable[[JobRecord], object]

#: How many jobs ``perform_enqueued_jobs.inside()`` performs before it calls the run runaway.
MAX_JOBS = 10_000


def _name(job: Any) -> str:
    name = getattr(job, "job_name", None)
    if isinstance(job, type) and isinstance(name, str):
        return name
    if isinstance(job, str) and job:
        return job
    msg = f"{short(job)} is not a job class or a job class name"
    raise InvalidArgument(msg)


def _selector(
    only: JobFilter | None, except_: JobFilter | None, where: str
) -> tuple[Callable[[JobRecord], bool], str] | None:
    """A predicate for ``only=``/``except_=`` and its text (None: everything passes)."""
    if only is not None and except_ is not None:
        raise InvalidArgument(f"{where}: cannot specify both only= and except_=; pass one")
    given, word = (only, "only") if only is not None else (except_, "except_")
    if given is None:
        return None
    keep = word == "only"
    if callable(given) and not isinstance(given, type):
        function = given
        label = getattr(function, "__qualname__", None) or short(function)

        def by_predicate(record: JobRecord) -> bool:
            return bool(function(record)) == keep

        return by_predicate, f"{word}={label}"
    items: list[Any] = [given] if isinstance(given, type | str) else list(given)
    try:
        names = {_name(item) for item in items}
    except InvalidArgument as exc:
        raise InvalidArgument(f"{where}: {word}={short(given)}: {exc}") from None
    shown = ", ".join(sorted(names))

    def by_class(record: JobRecord) -> bool:
        return (record.job_class in names) == keep

    return by_class, f"{word}={shown}"


def _counting_matcher(
    kind: str,
    title: str,
    n: int,
    only: JobFilter | None,
    except_: JobFilter | None,
    queue: str | None,
    sim: Simulator | None,
) -> JobMatcher:
    number: object = n
    if isinstance(number, bool) or not isinstance(number, int) or number < 0:
        raise InvalidArgument(f"{title}: pass the expected number of jobs as a whole number >= 0")
    matcher = JobMatcher("enqueued" if kind == "enqueued" else "performed", None, sim=sim)
    selector = _selector(only, except_, title)
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
        return _name(value) if hasattr(value, "job_name") else value.__name__
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
        return self._matcher(n, only, except_, queue, sim).verify()

    def inside(
        self,
        n: int,
        *,
        only: JobFilter | None = None,
        except_: JobFilter | None = None,
        queue: str | None = None,
        sim: Simulator | None = None,
    ) -> JobMatcher | _PerformedInside:
        """A ``with`` block in which exactly ``n`` jobs must be counted."""
        matcher = self._matcher(n, only, except_, queue, sim)
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
        _counting_matcher(self._counter._kind, title, 0, only, except_, queue, sim).verify()

    def inside(
        self,
        *,
        only: JobFilter | None = None,
        except_: JobFilter | None = None,
        queue: str | None = None,
        sim: Simulator | None = None,
    ) -> JobMatcher | _PerformedInside:
        """A ``with`` block in which no job (passing the filters) may be counted."""
        title = _title(self.__name__, only=only, except_=except_, queue=queue)
        kind = self._counter._kind
        matcher = _counting_matcher(kind, title, 0, only, except_, queue, sim)
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
        at: datetime | float | None,
        queue: str | None,
        sim: Simulator | None,
    ) -> JobMatcher:
        title = _title(self.__name__, job=job, args=args, kwargs=kwargs, at=at, queue=queue)
        matcher = JobMatcher("enqueued" if self._kind == "enqueued" else "performed", job, sim=sim)
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
        return matcher.titled(title)

    def __call__(
        self,
        *,
        job: Any = None,
        args: Sequence[Any] | Callable[[list[Any]], object] | None = None,
        kwargs: Mapping[str, Any] | None = None,
        at: datetime | float | None = None,
        queue: str | None = None,
        sim: Simulator | None = None,
    ) -> JobRecord:
        """Assert that a job with every given field was counted so far; returns the first."""
        __tracebackhide__ = True
        return self._matcher(job, args, kwargs, at, queue, sim).verify()[0]

    def inside(
        self,
        *,
        job: Any = None,
        args: Sequence[Any] | Callable[[list[Any]], object] | None = None,
        kwargs: Mapping[str, Any] | None = None,
        at: datetime | float | None = None,
        queue: str | None = None,
        sim: Simulator | None = None,
    ) -> JobMatcher | _PerformedInside:
        """A ``with`` block in which such a job must be counted (``.jobs`` lists them)."""
        matcher = self._matcher(job, args, kwargs, at, queue, sim)
        return _block_for(self._kind, matcher, sim=sim)

    def __repr__(self) -> str:
        return f"<jobsim.testing.{self.__name__}>"


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


# -- performing -----------------------------------------------------------------------------


def _pending(
    sim: Simulator, until: float | None
) -> list[tuple[str, Mapping[str, Any], float | None]]:
    """Jobs waiting in queues, plus scheduled jobs due by ``until``: (queue, job, run_at)."""
    waiting: list[tuple[str, Mapping[str, Any], float | None]] = []
    for name in sim.queues:
        waiting += [(name, job, None) for job in sim.queue(name).jobs]
    if until is not None:
        for entry in sorted(sim.scheduled, key=lambda entry: (entry.score, entry.seq)):
            if entry.score <= until:
                waiting.append((str(entry.job.get("queue")), entry.job, entry.score))
    return waiting


def _as_record(queue: str, job: Mapping[str, Any], run_at: float | None) -> JobRecord:
    args = job.get("args")
    return JobRecord(
        kind="enqueued",
        job_class=str(job.get("class")),
        args=list(args) if isinstance(args, list) else [args],
        queue=queue,
        jid=str(job.get("jid")),
        ts=enqueued_seconds(job) or 0.0,
        run_ts=run_at,
        seq=0,
        job=job,
    )


def _perform_now(sim: Simulator, queue: str, job: Mapping[str, Any], run_at: float | None) -> None:
    """Take ``job`` out of its queue (or the schedule) and perform it now."""
    jid = str(job.get("jid"))
    if run_at is not None:
        sim.scheduled.add_to_queue(jid)
    sim.perform_job(jid)  # False: performed meanwhile by a job that drained the simulator


def _push_order(sim: Simulator, after_seq: int = 0) -> dict[str, int]:
    return {record.jid: record.seq for record in enqueued_records(sim, after_seq)}


def _run(
    sim: Simulator,
    select: Callable[[JobRecord], bool] | None,
    queue: str | None,
    until: float | None,
    only_jids: dict[str, int] | None,
    done: set[str],
) -> list[str]:
    order = _push_order(sim) if only_jids is None else only_jids
    chosen = []
    for name, job, run_at in _pending(sim, until):
        jid = str(job.get("jid"))
        if jid in done or (only_jids is not None and jid not in only_jids):
            continue
        if queue is not None and name != queue:
            continue
        if select is not None and not select(_as_record(name, job, run_at)):
            continue
        chosen.append((order.get(jid, 0), name, job, run_at))
    chosen.sort(key=lambda item: item[0])
    performed = []
    for _, name, job, run_at in chosen:
        done.add(str(job.get("jid")))
        _perform_now(sim, name, job, run_at)
        performed.append(str(job.get("jid")))
    return performed


def _until(at: datetime | float | None) -> float | None:
    return None if at is None else as_epoch(at, name="at")


class PerformInside:
    """``with perform_enqueued_jobs.inside():``; after the block, ``performed`` lists them."""

    def __init__(
        self,
        select: Callable[[JobRecord], bool] | None,
        queue: str | None,
        until: float | None,
        sim: Simulator | None,
        max_jobs: int,
    ) -> None:
        self._select = select
        self._queue = queue
        self._until = until
        self._sim = sim
        self._max_jobs = max_jobs
        self._start: tuple[Simulator, int] | None = None
        self.performed: list[JobRecord] = []

    @property
    def count(self) -> int:
        """How many jobs were performed at the end of the block."""
        return len(self.performed)

    def __enter__(self) -> PerformInside:
        sim = resolve_simulator(self._sim, "perform_enqueued_jobs.inside()")
        self._start = (sim, sim.trace.total)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._start is None or exc_type is not None:
            return
        sim, start = self._start
        done: set[str] = set()
        jids: list[str] = []
        while True:
            pushed = _push_order(sim, start)
            batch = _run(sim, self._select, self._queue, self._until, pushed, done)
            if not batch:
                break
            jids += batch
            if len(jids) > self._max_jobs:
                msg = (
                    f"perform_enqueued_jobs.inside() performed {len(jids):,} jobs and more keep "
                    f"coming; a job that enqueues itself never lets the block finish: pass a "
                    f"larger max_jobs=, or filter with only=/except_="
                )
                raise StepLimitExceeded(msg)
        wanted = set(jids)
        self.performed = [r for r in performed_records(sim, start) if r.jid in wanted]


class _PerformEnqueuedJobs:
    """``perform_enqueued_jobs``: perform the waiting jobs now, or those of a ``with`` block."""

    __name__ = "perform_enqueued_jobs"
    __qualname__ = "perform_enqueued_jobs"

    def __call__(
        self,
        *,
        only: JobFilter | None = None,
        except_: JobFilter | None = None,
        queue: str | None = None,
        at: datetime | float | None = None,
        sim: Simulator | None = None,
    ) -> int:
        """Perform every job waiting now (and, with ``at``, every scheduled job due by then).

        Each is performed once, in the order it was enqueued; jobs they enqueue stay queued.
        Returns how many were performed.
        """
        where = "perform_enqueued_jobs()"
        target = resolve_simulator(sim, where)
        selector = _selector(only, except_, where)
        select = None if selector is None else selector[0]
        return len(_run(target, select, queue, _until(at), None, set()))

    def inside(
        self,
        *,
        only: JobFilter | None = None,
        except_: JobFilter | None = None,
        queue: str | None = None,
        at: datetime | float | None = None,
        sim: Simulator | None = None,
        max_jobs: int = MAX_JOBS,
    ) -> PerformInside:
        """A ``with`` block whose jobs are performed when it ends, with the jobs they enqueue."""
        selector = _selector(only, except_, "perform_enqueued_jobs.inside()")
        select = None if selector is None else selector[0]
        return PerformInside(select, queue, _until(at), sim, max_jobs)

    def __repr__(self) -> str:
        return "<jobsim.testing.perform_enqueued_jobs>"


perform_enqueued_jobs = _PerformEnqueuedJobs()
assert_enqueued_jobs = _CountAssertion("enqueued", "assert_enqueued_jobs")
assert_performed_jobs = _CountAssertion("performed", "assert_performed_jobs")
assert_no_enqueued_jobs = _NoJobs(assert_enqueued_jobs, "assert_no_enqueued_jobs")
assert_no_performed_jobs = _NoJobs(assert_performed_jobs, "assert_no_performed_jobs")
assert_enqueued_with = _WithAssertion("enqueued", "assert_enqueued_with")
assert_performed_with = _WithAssertion("performed", "assert_performed_with")


def enqueued_jobs(sim: Simulator | None = None) -> list[JobRecord]:
    """Every job enqueued so far (client pushes, in order), as records."""
    return Scope.everything(resolve_simulator(sim, "enqueued_jobs()")).records("enqueued")


def performed_jobs(sim: Simulator | None = None) -> list[JobRecord]:
    """Every execution started so far, in order, with how it ended."""
    return Scope.everything(resolve_simulator(sim, "performed_jobs()")).records("performed")
