"""Sidekiq::Testing's class-level verbs (layer 2): ``MyJob.jobs``, ``drain``, ``perform_one``,
``clear``, and their all-classes forms ``drain_all`` / ``clear_all``.

They act on the active simulator through its public surface only (queues, the schedule, the
trace, ``perform_job``), so this module sits beside the job classes and imports no simulator
code: the simulator is whatever :mod:`jobsim.routing` holds, typed by :class:`_Target`.

A job "waiting" here is one in a queue or in the schedule, as Sidekiq::Testing's ``jobs``
array holds it; retries and the dead set are not waiting jobs (``sim.retries`` shows those).
The one deliberate difference from Sidekiq: Sidekiq's fake ``drain`` runs a scheduled job at
once and ignores its ``"at"``; jobsim runs it at its time, moving the virtual clock there, so a
job that reads the clock sees the time it was scheduled for. Jobs due now run first, in push
order; then the earliest scheduled one.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Protocol, overload

from jobsim import routing
from jobsim.errors import EmptyQueueError, StepLimitExceeded

__all__ = [
    "DRAIN_MAX_STEPS",
    "WaitingJobs",
    "class_jobs",
    "clear_jobs",
    "drain_jobs",
    "perform_one_job",
]

#: How many jobs one ``drain()`` performs before it decides a job re-enqueues itself forever.
DRAIN_MAX_STEPS = 100_000


class _QueueView(Protocol):
    @property
    def jobs(self) -> list[Mapping[str, Any]]: ...
    def delete(self, jid: str) -> bool: ...


class _Entry(Protocol):
    score: float
    job: Mapping[str, Any]


class _SetView(Protocol):
    def __iter__(self) -> Any: ...
    def add_to_queue(self, jid: str) -> None: ...
    def delete(self, jid: str) -> None: ...


class _Clock(Protocol):
    @property
    def now(self) -> float: ...


class _Trace(Protocol):
    @property
    def total(self) -> int: ...
    def __len__(self) -> int: ...
    def __getitem__(self, index: slice) -> list[Any]: ...


class _Target(Protocol):
    """The parts of :class:`jobsim.Simulator` these verbs use."""

    @property
    def queues(self) -> list[str]: ...
    def queue(self, name: str = "default") -> _QueueView: ...

    scheduled: _SetView

    @property
    def clock(self) -> _Clock: ...
    def _move_clock_to(self, ts: float) -> None: ...
    @property
    def trace(self) -> _Trace: ...
    def perform_job(self, jid: str) -> bool: ...


def _target(who: str, verb: str) -> _Target:
    found = routing.active()
    if found is None:
        routing.current_target(who)  # records the miss and raises NoActiveSimulator
    return found  # type: ignore[return-value]


class _PushOrder:
    """Push order of jobs, read from the trace: the first ``enqueued``/``scheduled`` event of
    each jid. Jobs whose events a ``trace_limit`` trimmed away count as pushed first."""

    __slots__ = ("_order", "_read", "_trace")

    def __init__(self, trace: _Trace) -> None:
        self._trace = trace
        self._order: dict[str, int] = {}
        self._read = 0  # how many events (by sequence number) were read

    def key(self, jid: str) -> int:
        if jid not in self._order:
            self._catch_up()
        return self._order.get(jid, 0)

    def _catch_up(self) -> None:
        trace = self._trace
        total = trace.total
        unread = total - self._read
        if unread <= 0:
            return
        for event in trace[max(len(trace) - unread, 0) :]:
            if event.kind in ("enqueued", "scheduled"):
                self._order.setdefault(event.jid, event.seq)
        self._read = total


def _jid(job: Mapping[str, Any]) -> str:
    return str(job.get("jid"))


def _waiting(
    sim: _Target, name: str | None
) -> tuple[list[tuple[str, Mapping[str, Any]]], list[_Entry]]:
    """The (queue, job) pairs and the schedule entries of class ``name`` (None: any)."""
    queued = [
        (queue, job)
        for queue in sim.queues
        for job in sim.queue(queue).jobs
        if name is None or job.get("class") == name
    ]
    scheduled = [entry for entry in sim.scheduled if name is None or entry.job.get("class") == name]
    return queued, scheduled


def class_jobs(name: str | None) -> list[dict[str, Any]]:
    """Copies of the waiting job hashes of class ``name`` (None: every class), in push order.

    A scheduled job carries ``"at"`` (epoch seconds), as in Sidekiq::Testing's array.
    """
    sim = _target(name or "Job", "jobs")
    queued, scheduled = _waiting(sim, name)
    order = _PushOrder(sim.trace)
    found: list[tuple[int, dict[str, Any]]] = []
    for _, job in queued:
        found.append((order.key(_jid(job)), copy.deepcopy(dict(job))))
    for entry in scheduled:
        waiting = copy.deepcopy(dict(entry.job))
        waiting["at"] = entry.score
        found.append((order.key(_jid(waiting)), waiting))
    found.sort(key=lambda item: item[0])  # stable: a tie keeps queue order
    return [job for _, job in found]


class WaitingJobs(Sequence[dict[str, Any]]):
    """``MyJob.jobs``: a live view of the class's waiting job hashes, read afresh on every use.

    Kept in a variable it still answers for the active simulator, as a reference to Sidekiq's
    array does (``change { MyJob.jobs.size }``). Its items are copies: editing one changes
    nothing. ``clear()`` deletes the jobs themselves, as Ruby's ``MyJob.jobs.clear`` does.
    """

    __slots__ = ("_name",)

    def __init__(self, name: str | None) -> None:
        self._name = name

    def _now(self) -> list[dict[str, Any]]:
        return class_jobs(self._name)

    def __len__(self) -> int:
        return len(self._now())

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...
    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...
    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        return self._now()[index]

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self._now())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, WaitingJobs):
            return self._now() == other._now()
        return isinstance(other, list | tuple) and self._now() == list(other)

    __hash__ = None  # type: ignore[assignment]  # it compares by content, which changes

    @property
    def size(self) -> int:
        """How many jobs wait (Ruby's ``jobs.size``)."""
        return len(self)

    def clear(self) -> int:
        """Delete these jobs from the simulator; returns how many."""
        return clear_jobs(self._name)

    def __repr__(self) -> str:
        return repr(self._now())


def _next(sim: _Target, name: str | None, order: _PushOrder) -> str | None:
    """Bring the next job of ``name`` to a queue, moving the clock if it is scheduled; its jid."""
    queued, scheduled = _waiting(sim, name)
    now = sim.clock.now
    due = [(order.key(_jid(job)), _jid(job), False) for _, job in queued]
    due += [(order.key(_jid(e.job)), _jid(e.job), True) for e in scheduled if e.score <= now]
    if due:
        _, jid, from_schedule = min(due)
    elif scheduled:
        first = min(scheduled, key=lambda e: (e.score, order.key(_jid(e.job))))
        sim._move_clock_to(first.score)
        jid, from_schedule = _jid(first.job), True
    else:
        return None
    if from_schedule:
        sim.scheduled.add_to_queue(jid)  # through client middleware, as the poller pushes it
    return jid


def perform_one_job(name: str | None) -> str:
    """Perform the next waiting job of ``name`` (None: any class); returns its jid.

    Raises :class:`~jobsim.errors.EmptyQueueError` when none waits.
    """
    sim = _target(name or "Job", "perform_one")
    order = _PushOrder(sim.trace)
    while True:
        jid = _next(sim, name, order)
        if jid is None:
            who = f"{name} has no job" if name else "no class has a job"
            msg = (
                f"perform_one called with empty job queue: {who} waiting in a queue "
                f"or the schedule; check {name or 'Job'}.jobs before perform_one()"
            )
            raise EmptyQueueError(msg)
        if sim.perform_job(jid):
            return jid
        # client middleware stopped the scheduled push: the job is gone, try the next


def drain_jobs(name: str | None, *, max_steps: int | None = DRAIN_MAX_STEPS) -> int:
    """Perform waiting jobs of ``name`` (None: every class) until none is left, including
    jobs enqueued meanwhile; returns how many were performed."""
    sim = _target(name or "Job", "drain")
    order = _PushOrder(sim.trace)
    performed = 0
    while (jid := _next(sim, name, order)) is not None:
        if max_steps is not None and performed >= max_steps:
            left = len(class_jobs(name))
            msg = (
                f"{name or 'Job'}.drain() performed {performed} jobs and {left} still wait: "
                f"a job probably enqueues itself each run; pass max_steps=None to go on anyway"
            )
            raise StepLimitExceeded(msg)
        if sim.perform_job(jid):
            performed += 1
    return performed


def clear_jobs(name: str | None) -> int:
    """Delete the waiting jobs of ``name`` (None: every class); returns how many."""
    sim = _target(name or "Job", "clear")
    queued, scheduled = _waiting(sim, name)
    for queue, job in queued:
        sim.queue(queue).delete(_jid(job))
    for entry in scheduled:
        sim.scheduled.delete(_jid(entry.job))
    return len(queued) + len(scheduled)
