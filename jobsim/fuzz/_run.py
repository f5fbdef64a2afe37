"""Running one fault schedule against a job on a fresh simulator (layer 7).

:func:`execute` builds a :class:`~jobsim.Simulator` seeded from the schedule, enqueues the job
once, pushes the same payload again for each duplicate, runs the interleaved group (if any)
under an :class:`~jobsim.fuzz._interleave.Interleaver`, then lets the simulator settle:
drain, restart after a crash or shutdown, drain again, until nothing is left to run. Every
point the run reaches and every delivery's end go into a chronological timeline.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from jobsim.errors import SimulatedCrash, SimulationError
from jobsim.fuzz._interleave import Interleaver
from jobsim.fuzz._points import InjectedError, hosting
from jobsim.fuzz._schedule import Action, Schedule
from jobsim.plugins import LOCKS_VIEW
from jobsim.simulator import Simulator
from jobsim.unique_jobs import expire_locks

__all__ = ["Delivery", "RunResult", "execute"]

#: Restarts after crashes or shutdowns before a run is declared unable to settle.
MAX_RESTARTS = 200


class Shutdown(BaseException):
    """Sidekiq's hard shutdown inside a job (``Sidekiq::Shutdown``): the job is pushed back to
    the front of its queue; not an ``Exception``, so job code cannot swallow it."""


@dataclass
class Delivery:
    """One execution of a payload: its number, when, and the retry it was."""

    number: int
    jid: str
    job_class: str
    offset: float
    retry: int | None
    resources: list[Any] = field(default_factory=list)
    #: Another job than the one checked (a resubmission, a rescheduled copy): a new jid.
    other: bool = False

    def title(self) -> str:
        extras = ["another job, new jid"] if self.other else []
        if self.offset:
            extras.append(f"+{self.offset:g} s")
        if self.retry is not None:
            extras.append(f"retry {self.retry}")
        tail = f" ({', '.join(extras)})" if extras else ""
        return f"delivery {self.number}{tail}"


@dataclass
class RunResult:
    """What one run did."""

    schedule: Schedule
    timeline: list[tuple[Delivery | None, str]]
    completed: Counter[str]
    finished: bool
    snapshot: Any
    history: list[int]


_DELIVERY: ContextVar[Delivery | None] = ContextVar("jobsim_fuzz_delivery", default=None)


class _Run:
    """The host of effect points during one run."""

    def __init__(self, schedule: Schedule, jid_holder: list[str]) -> None:
        self.schedule = schedule
        self.points = 0
        self.deliveries: list[Delivery] = []
        self.timeline: list[tuple[Delivery | None, str]] = []
        self.completed: Counter[str] = Counter()
        self.finished = False
        self.interleaver: Interleaver | None = None
        self.jid = jid_holder
        self.sim: Simulator | None = None
        self.start = 0.0
        #: Which interleaved execution held the baton, switch by switch.
        self.history: list[int] = []

    # -- PointHost -------------------------------------------------------------------------

    def point(self, label: str, call: Callable[[], Any] | None, *, counted: bool) -> Any:
        delivery = _DELIVERY.get()
        if delivery is None:  # outside a job (set-up, a snapshot): no faults, no switches
            return call() if call is not None else None
        if self.interleaver is not None:
            self.interleaver.pause()
        number = self.points
        self.points += 1
        action = self.schedule.fault_at(number)
        if action is not None and action.endswith("-before"):
            self._fire(action, delivery, label, done=False)
        try:
            result = call() if call is not None else None
        except Exception as exc:
            self.timeline.append((delivery, f"{label} → raised {type(exc).__name__}: {exc}"))
            raise
        if counted:
            self.completed[label] += 1
        if action is not None:
            # The job never sees this result: drop it before raising, or the traceback keeps
            # it (a SQLite cursor mid-read holds its read lock while it lives).
            del result
            self._fire(action, delivery, label, done=True)
        self.timeline.append((delivery, f"{label} → ok"))
        return result

    def adopt(self, resource: Any) -> None:
        delivery = _DELIVERY.get()
        if delivery is not None:
            delivery.resources.append(resource)

    def _fire(self, action: Action, delivery: Delivery, label: str, *, done: bool) -> None:
        kind = action.split("-")[0]
        step = f"{label} → ok, then {kind}" if done else f"{label} → {kind}"
        self.timeline.append((delivery, step))
        if kind == "raise":
            msg = f"injected at {label}"
            raise InjectedError(msg)
        for resource in delivery.resources:  # the process died: its connections died too
            die = getattr(resource, "die", None)
            if die is not None:
                die()
        if kind == "crash":
            msg = f"injected at {label}"
            raise SimulatedCrash(msg)
        raise Shutdown(label)

    # -- deliveries --------------------------------------------------------------------------

    def begin(self, job: Mapping[str, Any]) -> Delivery:
        sim = self.sim
        assert sim is not None
        retry = job.get("retry_count")
        delivery_jid = str(job.get("jid"))
        delivery = Delivery(
            number=len(self.deliveries) + 1,
            jid=delivery_jid,
            job_class=str(job.get("class")),
            offset=round(sim.time - self.start, 3),
            retry=None if retry is None else int(retry) + 1,
            other=delivery_jid != self.jid[0],
        )
        self.deliveries.append(delivery)
        return delivery

    def end(self, delivery: Delivery, outcome: str, *, ok: bool = False) -> None:
        self.timeline.append((delivery, outcome))
        if ok and delivery.jid == self.jid[0]:
            self.finished = True


class _Observe:
    """Server middleware that numbers deliveries and records how each one ended."""

    def __init__(self, run: _Run) -> None:
        self.run = run

    def call(self, job_instance: Any, job: dict[str, Any], queue: str, call_next: Any) -> Any:
        run = self.run
        delivery = run.begin(job)
        token = _DELIVERY.set(delivery)
        try:
            result = call_next()
        except Exception as exc:
            run.end(delivery, f"failed ({type(exc).__name__}): Sidekiq retries it")
            raise
        except SimulatedCrash:
            where = (
                "redelivered (reliable fetch)"
                if run.schedule.fetch == "reliable"
                else "lost (basic fetch)"
            )
            run.end(delivery, f"process crashed: job {where}{_still_held(run, delivery)}")
            raise
        except Shutdown:
            run.end(delivery, "shutdown: pushed back to the queue")
            raise
        finally:
            _DELIVERY.reset(token)
        run.end(delivery, "finished", ok=True)
        return result


def execute(
    job_class: type[Any],
    args: tuple[Any, ...],
    schedule: Schedule,
    *,
    setup: Callable[[], Any] | None,
    snapshot: Callable[[], Any] | None,
    plugins: Iterable[Any] = (),
) -> RunResult:
    """Run ``job_class(*args)`` under ``schedule`` on a fresh simulator with ``plugins``."""
    jid_holder: list[str] = [""]
    run = _Run(schedule, jid_holder)
    if setup is not None:
        setup()
    sim = Simulator(seed=schedule.seed, fetch=schedule.fetch, plugins=list(plugins) or None)
    run.sim = sim
    run.start = sim.time
    sim.server_middleware.add(_Observe, run)
    with hosting(run):
        jid = sim._enqueue_job(job_class, args, {})
        if jid is None:
            msg = f"{job_class.__name__}{args!r}: client middleware dropped the push"
            raise SimulationError(msg)
        jid_holder[0] = jid
        where = sim.locate(jid)
        if where.startswith("queue:"):
            queued_job = sim.queue(where.removeprefix("queue:")).find_job(jid)
            assert queued_job is not None
            for _ in range(schedule.deliveries - 1):
                sim.push(dict(queued_job))
            _resubmit(sim, run, job_class, args)
            if schedule.concurrent > 1:
                interleaver = run.interleaver = Interleaver(schedule.order)
                interleaver.run([_body(sim, run, jid) for _ in range(schedule.concurrent)])
                run.history = interleaver.history
                run.interleaver = None
        _settle(sim)
    return RunResult(
        schedule=schedule,
        timeline=run.timeline,
        completed=run.completed,
        finished=run.finished,
        snapshot=snapshot() if snapshot is not None else None,
        history=run.history,
    )


def _resubmit(sim: Simulator, run: _Run, job_class: type[Any], args: tuple[Any, ...]) -> None:
    """The lock faults: the first job's locks expire while it waits, then the application
    pushes the same job again under new jids, which its lock should refuse."""
    schedule = run.schedule
    if not schedule.resubmits:
        return
    jid = run.jid[0]
    if schedule.lock_expires:
        for digest in expire_locks(sim, jid):
            run.timeline.append((None, f"lock {digest} expired while the job waited (lock_ttl)"))
    for _ in range(schedule.resubmits):
        again = sim._enqueue_job(job_class, args, {})
        if again is None:
            run.timeline.append((None, "pushed again with a new jid: refused by its lock"))
        else:
            run.timeline.append((None, f"pushed again with a new jid: accepted as {again}"))


def _still_held(run: _Run, delivery: Delivery) -> str:
    """What a crashed delivery leaves locked: no ``ensure`` ran, so its runtime lock stays."""
    view = run.sim.stash.get(LOCKS_VIEW, None) if run.sim is not None else None
    held = view.held_by(delivery.jid) if view is not None else []
    return f"; its lock {', '.join(held)} stays held (no ensure ran)" if held else ""


def _body(sim: Simulator, run: _Run, jid: str) -> Callable[[], None]:
    def body() -> None:
        # On a shutdown the processor has pushed the job back already.
        with hosting(run), contextlib.suppress(Shutdown):
            sim.perform_job(jid)

    return body


def _settle(sim: Simulator) -> None:
    for _ in range(MAX_RESTARTS):
        try:
            sim.drain()
        except Shutdown:
            sim.shutdown(timeout=0)
            sim.start()
            continue
        if sim.stopped:
            sim.start()
            continue
        return
    msg = f"the run did not settle after {MAX_RESTARTS} restarts"
    raise SimulationError(msg)
