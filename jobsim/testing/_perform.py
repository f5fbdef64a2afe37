"""Performing enqueued jobs in a test: ``perform_enqueued_jobs`` and its ``with`` block.

``perform_enqueued_jobs()`` performs the jobs waiting now, once each, in the order they were
enqueued; ``with perform_enqueued_jobs.inside():`` performs, at the end of the block, the jobs
enqueued inside it and then the jobs those enqueue, until none are left. Neither form moves the
clock or runs retries: a job that fails goes to the retry set as in Sidekiq, and
``jobsim.drain()`` or ``jobsim.advance()`` runs it there.

Under Rails' test adapter (``jobsim.active_job.settings(sim).queue_adapter = "test"``) both
forms do what ``ActiveJob::TestHelper`` does: the call also performs jobs scheduled for later
(``at=`` bounds them), the block performs each ActiveJob as it is enqueued (a filtered one
stays enqueued), and an error a job does not handle is raised to the test.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import datetime
from types import TracebackType
from typing import Any

from jobsim.active_job import deserialize_arguments, settings
from jobsim.active_job._test_adapter import PerformScope, perform_for_test, using_test_adapter
from jobsim.clock import as_epoch
from jobsim.errors import StepLimitExceeded
from jobsim.queues import enqueued_seconds
from jobsim.simulator import Simulator
from jobsim.testing._job_filters import JobFilter, job_selector
from jobsim.testing._records import (
    JobRecord,
    _active_job_data,
    enqueued_records,
    performed_records,
    resolve_simulator,
)

__all__ = ["PerformInside", "perform_enqueued_jobs"]

#: How many jobs ``perform_enqueued_jobs.inside()`` performs before it calls the run runaway.
MAX_JOBS = 10_000


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
    job_class = str(job.get("class"))
    arguments = list(args) if isinstance(args, list) else [args]
    priority = None
    wrapped = _active_job_data(job)
    if wrapped is not None:  # filters name the ActiveJob class, not Sidekiq's wrapper
        job_class = str(job["wrapped"])
        arguments = deserialize_arguments(wrapped["arguments"])
        given = wrapped.get("priority")
        priority = given if isinstance(given, int) and not isinstance(given, bool) else None
    return JobRecord(
        kind="enqueued",
        job_class=job_class,
        args=arguments,
        queue=queue,
        jid=str(job.get("jid")),
        ts=enqueued_seconds(job) or 0.0,
        run_ts=run_at,
        seq=0,
        job=job,
        priority=priority,
    )


def _perform_now(sim: Simulator, queue: str, job: Mapping[str, Any], run_at: float | None) -> None:
    """Take ``job`` out of its queue (or the schedule) and perform it now."""
    # False: performed meanwhile by a job that drained the simulator. Under the test adapter
    # an error the job does not handle is raised here.
    perform_for_test(sim, str(job.get("jid")))


def _accepts(
    select: Callable[[JobRecord], bool] | None, queue: str | None, until: float | None
) -> Callable[[str, Mapping[str, Any]], bool]:
    """The test adapter's ``filtered?`` turned around: which pushes a block performs."""

    def accepts(name: str, job: Mapping[str, Any]) -> bool:
        run_at = job.get("at")
        at = float(run_at) if isinstance(run_at, int | float) else None
        if queue is not None and name != queue:
            return False
        if until is not None and at is not None and at > until:
            return False
        return select is None or bool(select(_as_record(name, job, at)))

    return accepts


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
        self._scope: PerformScope | None = None
        self.performed: list[JobRecord] = []

    @property
    def count(self) -> int:
        """How many jobs were performed at the end of the block."""
        return len(self.performed)

    def __enter__(self) -> PerformInside:
        sim = resolve_simulator(self._sim, "perform_enqueued_jobs.inside()")
        self._start = (sim, sim.trace.total)
        self._scope = None
        if using_test_adapter(sim):  # ActiveJobs are performed as they are enqueued
            self._scope = PerformScope(_accepts(self._select, self._queue, self._until))
            settings(sim).perform_scopes.append(self._scope)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._start is None:
            return
        sim, start = self._start
        if self._scope is not None:
            settings(sim).perform_scopes.remove(self._scope)
        if exc_type is not None:
            return
        done: set[str] = set()
        jids: list[str] = []
        select = self._select
        if self._scope is not None:  # left over: plain Sidekiq jobs, which Rails never sees
            select = _sidekiq_only(select)
        while True:
            pushed = _push_order(sim, start)
            batch = _run(sim, select, self._queue, self._until, pushed, done)
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
        self.performed = [
            record
            for record in performed_records(sim, start)
            if record.jid in wanted or (self._scope is not None and _is_active_job(record))
        ]


def _is_active_job(record: JobRecord) -> bool:
    return _active_job_data(record.job) is not None


def _sidekiq_only(select: Callable[[JobRecord], bool] | None) -> Callable[[JobRecord], bool]:
    def plain(record: JobRecord) -> bool:
        return not _is_active_job(record) and (select is None or select(record))

    return plain


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
        selector = job_selector(only, except_, where)
        select = None if selector is None else selector[0]
        until = _until(at)
        if until is None and using_test_adapter(target):
            until = math.inf  # the test adapter performs future jobs at once
        return len(_run(target, select, queue, until, None, set()))

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
        selector = job_selector(only, except_, "perform_enqueued_jobs.inside()")
        select = None if selector is None else selector[0]
        return PerformInside(select, queue, _until(at), sim, max_jobs)

    def __repr__(self) -> str:
        return "<jobsim.testing.perform_enqueued_jobs>"


perform_enqueued_jobs = _PerformEnqueuedJobs()
