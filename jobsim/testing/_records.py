"""What the assertions look at: enqueued and performed jobs, read from a simulator's trace.

"Enqueued" means a client push: ``perform_async``, ``perform_in``, ``set(...).perform_*``,
``perform_bulk`` or ``sim.push``, whether it went to a queue or to the schedule. A retry, or a
scheduled job moving into its queue, re-enters a queue but is not a new enqueue, so it is not
counted. "Performed" means an execution that started; a job retried twice was performed three
times.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from jobsim import routing
from jobsim.active_job import deserialize_arguments
from jobsim.clock import format_time, to_datetime
from jobsim.errors import InvalidArgument, NoActiveSimulator
from jobsim.simulator import Simulator
from jobsim.testing._arguments import short

__all__ = [
    "JobRecord",
    "Scope",
    "mark_test_start",
    "enqueued_records",
    "performed_records",
    "resolve_simulator",
    "class_counts",
    "started_generation",
]

Kind = Literal["enqueued", "performed"]
#: How an execution ended: "running" until the trace says more.
Outcome = Literal["succeeded", "failed", "interrupted", "running"]


@dataclass(frozen=True, slots=True, repr=False)
class JobRecord:
    """One enqueue or one execution of a job, as the assertions see it.

    ``ts`` is when it happened (the push, or the start of the execution) in epoch seconds;
    ``run_ts`` is when the job was scheduled to run (None: to run at once); for an execution,
    the time its last scheduling (``perform_in`` or a retry) asked for.
    """

    kind: Kind
    job_class: str
    args: list[Any]
    queue: str
    jid: str
    ts: float
    run_ts: float | None
    seq: int
    job: Mapping[str, Any] = field(compare=False)
    outcome: Outcome | None = None
    error: str | None = None
    #: ActiveJob's priority (None for plain Sidekiq jobs, which have none).
    priority: int | None = None

    @property
    def at(self) -> datetime | None:
        """When an enqueued job runs (None: at once) or when an execution started."""
        if self.kind == "performed":
            return to_datetime(self.ts)
        return None if self.run_ts is None else to_datetime(self.run_ts)

    @property
    def enqueued_at(self) -> datetime:
        """When the client pushed the job (or the execution started)."""
        return to_datetime(self.ts)

    @property
    def delay(self) -> timedelta:
        """How long after its enqueue the job was scheduled to run (zero: at once)."""
        return timedelta(seconds=0.0 if self.run_ts is None else self.run_ts - self.ts)

    @property
    def scheduled(self) -> bool:
        """Whether the job was pushed to run later (it went to the schedule)."""
        return self.run_ts is not None

    def summary(self) -> str:
        """``SendWelcome(42) jid=… queue 'mailers', enqueued … to run at …`` in one line."""
        args = ", ".join(short(value, 40) for value in self.args)
        text = f"{self.job_class}({args}) jid={self.jid} queue {self.queue!r}"
        if self.kind == "performed":
            text += f", started {format_time(self.ts)}"
            if self.outcome is not None:
                text += f", {self.outcome}" + (f" ({self.error})" if self.error else "")
            return text
        text += f", enqueued {format_time(self.ts)}"
        if self.run_ts is not None:
            text += f" to run at {format_time(self.run_ts)}"
        return text

    def __repr__(self) -> str:
        return f"<JobRecord {self.kind} {self.summary()}>"


def _record(kind: Kind, event: Any, run_ts: float | None) -> JobRecord:
    job = event.job
    args = job.get("args")
    job_class = str(job.get("class"))
    arguments = list(args) if isinstance(args, list) else [args]
    priority = None
    wrapped = _active_job_data(job)
    if wrapped is not None:
        # An ActiveJob rides in Sidekiq's adapter wrapper: match the class and the arguments
        # the application passed, not the wrapper and its serialized job data.
        job_class = str(job["wrapped"])
        arguments = deserialize_arguments(wrapped["arguments"])
        given = wrapped.get("priority", job.get("priority"))
        priority = given if isinstance(given, int) and not isinstance(given, bool) else None
    return JobRecord(
        kind=kind,
        job_class=job_class,
        args=arguments,
        queue=str(job.get("queue")),
        jid=event.jid,
        ts=event.ts,
        run_ts=run_ts,
        seq=event.seq,
        job=job,
        priority=priority,
    )


def _active_job_data(job: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The ActiveJob data of a wrapped job (``wrapped`` set, args ``[{"job_class": …}]``)."""
    args = job.get("args")
    if not job.get("wrapped") or not isinstance(args, list) or len(args) != 1:
        return None
    data = args[0]
    if (
        isinstance(data, Mapping)
        and "job_class" in data
        and isinstance(data.get("arguments"), list)
    ):
        return data
    return None


def enqueued_records(sim: Simulator, after_seq: int = 0) -> list[JobRecord]:
    """Every client push recorded in ``sim``'s trace after event number ``after_seq``."""
    records = []
    for event in sim.trace:
        if event.seq <= after_seq:
            continue
        if event.kind == "enqueued" and "source" not in event.detail:
            records.append(_record("enqueued", event, None))
        elif event.kind == "scheduled":
            run_at = event.detail.get("run_at")
            records.append(_record("enqueued", event, None if run_at is None else float(run_at)))
    return records


_ENDINGS: dict[str, Outcome] = {
    "succeeded": "succeeded",
    "failed": "failed",
    "interrupted": "interrupted",
}


def performed_records(sim: Simulator, after_seq: int = 0) -> list[JobRecord]:
    """Every execution started in ``sim`` after event ``after_seq``, with how it ended."""
    started: list[JobRecord] = []
    open_by_jid: dict[str, int] = {}
    endings: dict[int, tuple[Outcome, str | None]] = {}
    # When each job was last scheduled to run (rspec-rails' performed `at` is that time);
    # read from the whole trace, since the scheduling may precede the scope.
    run_at: dict[str, float | None] = {}
    for event in sim.trace:
        if event.kind in ("scheduled", "retry_scheduled"):
            when = event.detail.get("run_at", event.detail.get("retry_at"))
            run_at[event.jid] = None if when is None else float(when)
        elif event.kind == "enqueued" and "source" not in event.detail:
            run_at[event.jid] = None  # pushed to run at once
        if event.seq <= after_seq:
            continue
        if event.kind == "started":
            open_by_jid[event.jid] = len(started)
            started.append(_record("performed", event, run_at.get(event.jid)))
            continue
        outcome = _ENDINGS.get(event.kind)
        if outcome is not None and event.jid in open_by_jid:
            error = None
            if outcome == "failed":
                error = f"{event.detail.get('error_class')}: {event.detail.get('error_message')}"
            endings[open_by_jid.pop(event.jid)] = (outcome, error)
    records = []
    for index, record in enumerate(started):
        outcome, error = endings.get(index, ("running", None))
        records.append(
            JobRecord(
                kind=record.kind,
                job_class=record.job_class,
                args=record.args,
                queue=record.queue,
                jid=record.jid,
                ts=record.ts,
                run_ts=record.run_ts,
                seq=record.seq,
                job=record.job,
                outcome=outcome,
                error=error,
                priority=record.priority,
            )
        )
    return records


# -- which simulator, and since when ---------------------------------------------------------

#: The routing generation at the start of the current test, in this thread or task.
_test_start: ContextVar[int] = ContextVar("jobsim_test_start", default=0)


def mark_test_start() -> None:
    """Diagnostics look at routing history from here on (see ``begin_test``)."""
    _test_start.set(routing.generation())


def started_generation() -> int:
    """The routing generation :func:`begin_test` recorded."""
    return _test_start.get()


def resolve_simulator(sim: Simulator | None, what: str) -> Simulator:
    """``sim`` itself, else the active simulator; with neither, a clear error."""
    given: object = sim
    if given is not None:
        if not isinstance(given, Simulator):
            msg = f"{what}: sim={short(sim)} is not a jobsim.Simulator; pass the simulator to check"
            raise InvalidArgument(msg)
        return given
    target = routing.active()
    if target is None:
        msg = (
            f"{what} has no simulator to look at: no jobsim simulator is active; use the pytest "
            f"fixture `jobsim`, run the code inside `with jobsim.Simulator() as sim:`, or pass "
            f"sim=..."
        )
        raise NoActiveSimulator(msg)
    if not isinstance(target, Simulator):
        msg = f"{what}: the active enqueue target {short(target)} is not a jobsim.Simulator"
        raise InvalidArgument(msg)
    return target


@dataclass(frozen=True, slots=True)
class Scope:
    """Where to look: one simulator, from one trace event and one routing generation on.

    ``inside`` is True for a ``with`` block, which counts only what happened inside it.
    """

    sim: Simulator
    after_seq: int
    since_generation: int
    inside: bool
    until_seq: int | None = None

    @classmethod
    def everything(cls, sim: Simulator) -> Scope:
        """All of ``sim``'s history (the plain ``assert`` form)."""
        return cls(sim, 0, _test_start.get(), inside=False)

    @classmethod
    def from_now(cls, sim: Simulator) -> Scope:
        """Only what happens from now on (the ``with`` form)."""
        return cls(sim, sim.trace.total, routing.generation(), inside=True)

    def closed(self) -> Scope:
        """This scope, ending at the simulator's latest event (the end of a ``with`` block)."""
        return Scope(
            self.sim, self.after_seq, self.since_generation, self.inside, self.sim.trace.total
        )

    def records(self, kind: Kind) -> list[JobRecord]:
        """The enqueued or performed records in this scope."""
        if kind == "enqueued":
            found = enqueued_records(self.sim, self.after_seq)
        else:
            found = performed_records(self.sim, self.after_seq)
        until = self.until_seq
        return found if until is None else [record for record in found if record.seq <= until]

    def where(self) -> str:
        """``inside the `with` block`` or ``since the simulator started``, for messages."""
        return "inside the `with` block" if self.inside else "so far"


def class_counts(records: Iterable[JobRecord]) -> dict[str, int]:
    """How many records of each class, in first-seen order."""
    counts: dict[str, int] = {}
    for record in records:
        counts[record.job_class] = counts.get(record.job_class, 0) + 1
    return counts
