"""sidekiq-cron on a simulator (layer 7): recurring jobs enqueued by the cron poller's rules.

sidekiq-cron 1.8's poller wakes every ``cron_poll_interval`` seconds (30; randomised like
Sidekiq's scheduler, between 15 and 45 s) and, for each job, enqueues it when:

* its status is ``"enabled"``;
* the cron's previous fire time is at most 60 s before now (``not_past_scheduled_time?``):
  a fire time missed by more than a minute, because the process was down, is skipped;
* it was not enqueued since that fire time (``not_enqueued_after?``).

How it enqueues (``Job#enque!``) depends on what the class name is on the simulator:

* an ActiveJob class (``jobsim.active_job``; registered with ``jobsim.active_job.register``
  or enqueued once): ``klass.set(queue=QUEUE).perform_later(*args)``, where QUEUE is the
  entry's ``queue``, else the class's ``sidekiq_options`` queue, else ``"default"`` -- never
  its ``queue_as``, which sidekiq-cron overrides; ``queue_name_prefix`` is not applied;
* a Sidekiq job class (``sim.register``): ``klass.set(queue=QUEUE).perform_async(*args)``,
  QUEUE being the entry's ``queue``, else the class's own; with ``active_job: true`` (and no
  ActiveJob class behind the name) it is still ``perform_async``, on the queue with
  ``queue_name_prefix`` and ``queue_name_delimiter`` (``"_"``) in front;
* an unknown name with ``active_job: true``: a hand-built ActiveJob wrapper job
  (``ActiveJob::QueueAdapters::SidekiqAdapter::JobWrapper``, ``wrapped``, ``description``,
  and one argument ``{job_class, job_id, queue_name, arguments}``) on the prefixed queue;
* an unknown name otherwise: the raw hash ``{class, args, queue}``.

Classes are looked up when the poll enqueues (in Rails they are always loadable), so register
them before the first poll. ``date_as_argument`` appends the enqueue time (epoch float) to the
arguments. Each enqueue records a ``cron_enqueued`` event (its payload's ``queue`` is where the
job went); ``last_enqueue_time`` and ``jid_history`` follow, as in Redis.
(``lib/sidekiq/cron/job.rb`` and ``poller.rb`` in sidekiq-cron 1.8.0.)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from jobsim import active_job
from jobsim.clock import format_time, to_datetime
from jobsim.cron._cron import Cron
from jobsim.errors import InvalidArgument
from jobsim.rng import uuid_from_bytes

if TYPE_CHECKING:
    from jobsim.active_job import ActiveJob
    from jobsim.job import Job
    from jobsim.simulator import Simulator

__all__ = ["CronJob", "Recurring", "install_schedule"]

#: How far behind a fire time may be and still be enqueued (``not_past_scheduled_time?``).
GRACE_SECONDS = 60
#: How long a cached previous fire time is trusted at most (the shortest fall-back shift).
_WINDOW_CAP = 30 * 60
#: sidekiq-cron's ``DEFAULT_POLL_INTERVAL``.
DEFAULT_POLL_INTERVAL = 30

_TRUE = ("true", "t", "yes", "y", "1")
#: The wrapper class sidekiq-cron 1.8.0 writes into a hand-built ActiveJob message.
_WRAPPER = "ActiveJob::QueueAdapters::SidekiqAdapter::JobWrapper"
#: ``ActiveJob::Base.queue_name_delimiter``'s default, used when the entry gives none.
_DELIMITER = "_"


@dataclass(slots=True)
class CronJob:
    """One sidekiq-cron job: when, what to push, and what it remembers."""

    name: str
    cron: Cron
    klass: str
    args: list[Any]
    queue: str | None = None
    description: str = ""
    status: Literal["enabled", "disabled"] = "enabled"
    date_as_argument: bool = False
    active_job: bool = False
    #: ``queue_name_prefix`` / ``queue_name_delimiter``: put in front of the queue when the
    #: entry says ``active_job`` but no ActiveJob class is behind the name.
    queue_name_prefix: str | None = None
    queue_name_delimiter: str | None = None
    #: Epoch seconds of the last enqueue (sidekiq-cron keeps the poll time, to the second).
    last_enqueue_time: float | None = None
    jid_history: list[dict[str, Any]] = field(default_factory=list)
    #: Fire times already enqueued (Redis's ``cron_job:NAME:enqueued``); a new job starts
    #: with the fire time before its creation, so it does not run right after it is saved.
    enqueued_slots: set[float] = field(default_factory=set)
    # The last answer of previous_fire and how long it surely holds: until the next fire,
    # but never more than 30 min, because on a fall-back day Fugit's previous_time (with a
    # UTC time, as sidekiq-cron passes) also returns the repeated wall time, which can come
    # as soon as 30 min later (Lord Howe) and which next_after does not report.
    _window: tuple[float, float] | None = None

    def previous_fire(self, now: float) -> float:
        """The cron's fire time strictly before ``now`` (Fugit's ``previous_time``)."""
        window = self._window
        if window is not None and window[0] < now <= window[1]:
            return window[0]
        previous = self.cron.previous_before(to_datetime(now))
        start = previous.timestamp()
        following = min(self.cron.next_after(previous).timestamp(), start + _WINDOW_CAP)
        self._window = (start, following)
        return start

    def should_enqueue(self, now: float) -> bool:
        """sidekiq-cron's ``should_enque?`` at poll time ``now``."""
        if self.status != "enabled":
            return False
        last = self.previous_fire(now)
        if int(now) - int(last) > GRACE_SECONDS:
            return False  # missed: the process was down when it was due
        if self.last_enqueue_time is not None and int(self.last_enqueue_time) >= int(last):
            return False
        return last not in self.enqueued_slots  # the ZADD on the enqueued key must be new


def _flag(value: Any) -> bool:
    return value is True or str(value).strip().lower() in _TRUE


def _job_from(name: str, spec: Any) -> CronJob:
    where = f"cron job {name!r}"
    if not isinstance(spec, Mapping):
        msg = f"{where}: expected a mapping with cron and class, got {spec!r}"
        raise InvalidArgument(msg)
    expression = spec.get("cron")
    klass = spec.get("class") or spec.get("klass")
    if not isinstance(expression, str) or not isinstance(klass, str) or not klass:
        msg = f"{where}: needs 'cron' (an expression) and 'class' (a job class name)"
        raise InvalidArgument(msg)
    args = spec.get("args", [])
    if isinstance(args, Mapping):
        args = [dict(args)]
    elif not isinstance(args, list):
        args = [args]
    status = spec.get("status", "enabled")
    if status not in ("enabled", "disabled"):
        msg = f"{where}: status={status!r}; pass 'enabled' or 'disabled'"
        raise InvalidArgument(msg)
    queue = spec.get("queue")
    prefix = spec.get("queue_name_prefix")
    delimiter = spec.get("queue_name_delimiter")
    return CronJob(
        name=name,
        cron=Cron(expression),
        klass=klass,
        args=list(args),
        queue=None if queue is None else str(queue),
        description=str(spec.get("description", "")),
        status=status,
        date_as_argument=_flag(spec.get("date_as_argument", False)),
        active_job=_flag(spec.get("active_job", False)),
        queue_name_prefix=None if prefix is None else str(prefix),
        queue_name_delimiter=None if delimiter is None else str(delimiter),
    )


def _entries(schedule: Mapping[str, Any] | Iterable[Mapping[str, Any]]) -> list[CronJob]:
    # sidekiq-cron takes a hash keyed by name, or an array of hashes with "name".
    if isinstance(schedule, Mapping):
        return [_job_from(str(name), spec) for name, spec in schedule.items()]
    jobs = []
    for spec in list[Any](schedule):
        name = spec.get("name") if isinstance(spec, Mapping) else None
        if not isinstance(name, str) or not name:
            msg = f"cron job {spec!r}: an array entry needs a 'name'"
            raise InvalidArgument(msg)
        jobs.append(_job_from(name, spec))
    return jobs


class Recurring:
    """sidekiq-cron's poller on a simulator: ``Recurring(sim).load(schedule).start()``."""

    def __init__(
        self,
        sim: Simulator,
        *,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        poll: Literal["sidekiq", "exact"] = "sidekiq",
    ) -> None:
        if isinstance(poll_interval, bool) or not isinstance(poll_interval, int | float):
            msg = f"poll_interval={poll_interval!r}: pass seconds > 0"
            raise InvalidArgument(msg)
        if poll_interval <= 0:
            msg = f"poll_interval={poll_interval!r}: pass seconds > 0"
            raise InvalidArgument(msg)
        if poll not in ("sidekiq", "exact"):
            msg = f"poll={poll!r}: pass 'sidekiq' (randomised, as Sidekiq) or 'exact'"
            raise InvalidArgument(msg)
        self._sim = sim
        self._rng = sim.random_stream("cron.poll")
        self.poll_interval = float(poll_interval)
        self.poll = poll
        self.jobs: dict[str, CronJob] = {}
        self._started = False

    # -- the schedule ------------------------------------------------------------------------

    def load(self, schedule: Mapping[str, Any] | Iterable[Mapping[str, Any]]) -> Recurring:
        """Add jobs from a hash keyed by name (or a list of hashes with ``name``)."""
        now = self._sim.time
        for job in _entries(schedule):
            # Job#save marks the fire time before creation as enqueued already.
            job.enqueued_slots.add(job.previous_fire(now))
            self.jobs[job.name] = job
        return self

    def load_yaml(self, path: str | Path, *, environment: str | None = None) -> Recurring:
        """Add the jobs of a ``config/schedule.yml`` (a per-environment section if named)."""
        import yaml

        file = Path(path)
        try:
            loaded = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        except OSError as error:
            msg = f"cannot read {file}: {error.strerror}"
            raise InvalidArgument(msg) from None
        if environment is not None and isinstance(loaded, Mapping) and environment in loaded:
            loaded = loaded[environment]
        if not isinstance(loaded, Mapping | list):
            msg = f"{file}: expected a mapping of cron jobs or a list of them"
            raise InvalidArgument(msg)
        return self.load(loaded)

    def _job(self, name: str) -> CronJob:
        found = self.jobs.get(name)
        if found is None:
            msg = f"no cron job named {name!r} (jobs: {', '.join(sorted(self.jobs)) or 'none'})"
            raise InvalidArgument(msg)
        return found

    def enable(self, name: str) -> None:
        """Let the poller enqueue ``name`` again."""
        self._job(name).status = "enabled"

    def disable(self, name: str) -> None:
        """Stop enqueueing ``name`` (it stays loaded)."""
        self._job(name).status = "disabled"

    # -- the poller --------------------------------------------------------------------------

    def start(self) -> Recurring:
        """Start polling: the first poll after Sidekiq's initial wait (10 + 5 * rand s)."""
        if not self._started:
            self._started = True
            wait = 10.0 + 5.0 * self._rng.random() if self.poll == "sidekiq" else 0.0
            self._sim.call_at(self._sim.time + wait, self._tick, background=True)
        return self

    def _interval(self) -> float:
        if self.poll == "exact":
            return self.poll_interval
        # Sidekiq::Scheduled::Poller#random_poll_interval with one process.
        return self.poll_interval * self._rng.random() + self.poll_interval / 2

    def _tick(self) -> None:
        now = self._sim.time
        if not self._sim.stopped:  # a stopped process polls nothing
            self.poll_once(now)
        self._sim.call_at(now + self._interval(), self._tick, background=True)

    def poll_once(self, now: float) -> list[str]:
        """One poll at ``now``: enqueue every job that should be; returns their names."""
        enqueued = []
        for name in sorted(self.jobs):  # Redis keeps them in a set; jobsim goes by name
            job = self.jobs[name]
            if job.should_enqueue(now):
                self._enqueue(job, now)
                enqueued.append(name)
        return enqueued

    def _enqueue(self, job: CronJob, now: float) -> None:
        sim = self._sim
        slot = job.previous_fire(now)
        args = [*job.args, now] if job.date_as_argument else list(job.args)
        with sim:
            jid, queue = self._push(job, args)
        job.last_enqueue_time = float(int(now))
        job.enqueued_slots.add(slot)
        job.jid_history.insert(0, {"jid": jid, "enqueued": format_time(now)})
        detail = {"name": job.name, "cron": job.cron.expression, "slot": format_time(slot)}
        payload = {"class": job.klass, "args": args, "queue": queue}
        sim.trace.record("cron_enqueued", now, str(jid), payload, detail)

    def _push(self, job: CronJob, args: list[Any]) -> tuple[str | None, str]:
        """``Job#enque!``: enqueue ``job`` as sidekiq-cron 1.8.0 does; the jid and the queue."""
        sim = self._sim
        aj_class: type[ActiveJob] | None = active_job.settings(sim).classes.get(job.klass)
        if aj_class is not None:
            # klass < ActiveJob::Base: perform_later on @queue, which is the entry's queue or
            # get_sidekiq_options' (Sidekiq's railtie gives ActiveJob classes sidekiq_options);
            # queue_as never gets a say, and the entry's prefix is not used on this path.
            queue = job.queue
            if queue is None:
                queue = str(aj_class.sidekiq_options.get("queue") or "default")
            enqueued = aj_class.set(queue=queue).perform_later(*args)
            if enqueued is False:  # a before_enqueue callback halted: nothing was pushed
                return None, queue
            assert not isinstance(enqueued, bool)
            return enqueued.provider_job_id, enqueued.queue_name
        job_class = sim.job_class(job.klass)
        if job_class is not None:
            # perform_async on queue_name_with_prefix: prefixed only with active_job: true.
            queue = job.queue
            if queue is None:
                queue = str(job_class.sidekiq_options.get("queue") or "default")
            if job.active_job:
                queue = _with_prefix(job, queue)
            return job_class.set(queue=queue).perform_async(*args), queue
        # Not a class here (constantize raised NameError): a hand-built hash.
        queue = "default" if job.queue is None else job.queue
        if not job.active_job:
            return sim.push({"class": job.klass, "args": args, "queue": queue}), queue
        queue = _with_prefix(job, queue)
        active_job.register(sim)  # the wrapper job class, so the job can run (or fail) later
        data = {
            "job_class": job.klass,
            "job_id": uuid_from_bytes(sim.random_stream("cron.active_job_id").randbytes(16)),
            "queue_name": queue,
            "arguments": args,
        }
        item = {
            "class": _WRAPPER,
            "wrapped": job.klass,
            "queue": queue,
            "description": job.description,
            "args": [data],
        }
        return sim.push(item), queue


def _with_prefix(job: CronJob, queue: str) -> str:
    """sidekiq-cron's ``queue_name_with_prefix`` for an ``active_job`` entry."""
    prefix = job.queue_name_prefix or ""
    if not prefix:  # ActiveJob::Base.queue_name_prefix is nil: jobsim has no global one
        return queue
    delimiter = job.queue_name_delimiter or _DELIMITER
    return f"{prefix}{delimiter}{queue}"


def install_schedule(
    sim: Simulator, path: str | Path, job_classes: Iterable[type[Job]] = ()
) -> Recurring:
    """Load a ``schedule.yml`` into ``sim`` and start sidekiq-cron's poller (for scenarios)."""
    sim.register(*job_classes)
    return Recurring(sim).load_yaml(path).start()
