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
them before the first poll (a class object given as ``class`` is registered by the load).

Saving follows ``Job#save``: a job loaded again keeps its status, ``last_enqueue_time``,
enqueued fire times and history unless the entry gives them; one invalid job does not stop
the others (``Recurring.errors`` is the gem's errors hash). ``sidekiq_cron="sidekiq-cron-2"``
switches to 2.x's choices (:mod:`jobsim.cron.sidekiq_cron`).

``date_as_argument`` appends the enqueue time (epoch float) to the arguments. Each enqueue
records a ``cron_enqueued`` event (its payload's ``queue`` is where the job went);
``last_enqueue_time`` and ``jid_history`` follow, as in Redis.
(``lib/sidekiq/cron/job.rb`` and ``poller.rb`` in sidekiq-cron 1.8.0.)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from jobsim import active_job, validate
from jobsim.clock import format_time
from jobsim.cron._cron import zone_argument
from jobsim.cron._cron_job import GRACE_SECONDS, CronJob, job_from_entry
from jobsim.cron._cron_push import push
from jobsim.cron._schedule_file import read_schedule_file
from jobsim.cron.sidekiq_cron import (
    DEFAULT_SIDEKIQ_CRON,
    SidekiqCronProfile,
    get_sidekiq_cron_profile,
)
from jobsim.errors import InvalidArgument
from jobsim.job import Job

if TYPE_CHECKING:
    from jobsim.simulator import Simulator

__all__ = ["CronJob", "CronLoadError", "Recurring", "install_schedule"]

#: sidekiq-cron's ``DEFAULT_POLL_INTERVAL``.
DEFAULT_POLL_INTERVAL = 30
#: sidekiq-cron 2.x's ``default_namespace``.
DEFAULT_NAMESPACE = "default"

Errors = dict[str | None, list[str]]


class CronLoadError(InvalidArgument):
    """Some jobs of a schedule are invalid; the valid ones were saved (see ``errors``)."""

    def __init__(self, message: str, errors: Errors) -> None:
        super().__init__(message)
        #: sidekiq-cron's errors hash: each invalid job's name and its messages.
        self.errors = errors


def _entries(schedule: Mapping[str, Any] | Iterable[Mapping[str, Any]]) -> list[tuple[Any, Any]]:
    # sidekiq-cron takes a hash keyed by name, or an array of hashes with "name".
    if isinstance(schedule, Mapping):
        # load_from_hash sets job['name'] = key: a YAML key such as 2024 names a job too
        return [(name if name is None else str(name), spec) for name, spec in schedule.items()]
    given: object = schedule
    if isinstance(given, str | bytes):
        msg = f"schedule={schedule!r}: pass a mapping of cron jobs or a list of them"
        raise InvalidArgument(msg)
    return [
        (spec.get("name") if isinstance(spec, Mapping) else None, spec)
        for spec in list[Any](schedule)
    ]


class Recurring:
    """sidekiq-cron's poller on a simulator: ``Recurring(sim).load(schedule).start()``.

    ``sidekiq_cron`` picks the version (``"sidekiq-cron-1.8"``, the default, or
    ``"sidekiq-cron-2"``, see :mod:`jobsim.cron.sidekiq_cron`); ``reschedule_grace_period``
    and ``natural_cron_parsing_mode`` are 2.x settings. ``tz`` is the zone a cron that names
    none runs in: the Sidekiq process's (Rails' ``Time.zone``), UTC by default.
    """

    def __init__(
        self,
        sim: Simulator,
        *,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        poll: Literal["sidekiq", "exact"] = "sidekiq",
        sidekiq_cron: str | SidekiqCronProfile = DEFAULT_SIDEKIQ_CRON,
        reschedule_grace_period: float | None = None,
        natural_cron_parsing_mode: str = "single",
        tz: str | tzinfo | None = None,
    ) -> None:
        validate.number(poll_interval, name="poll_interval", above=0, expected="seconds > 0")
        if poll not in ("sidekiq", "exact"):
            msg = f"poll={poll!r}: pass 'sidekiq' (randomised, as Sidekiq) or 'exact'"
            raise InvalidArgument(msg)
        profile = get_sidekiq_cron_profile(sidekiq_cron)
        self.profile = profile
        self.grace_period = _grace(profile, reschedule_grace_period)
        if natural_cron_parsing_mode not in profile.parsing_modes:
            modes = " or ".join(repr(mode) for mode in profile.parsing_modes)
            msg = (
                f"natural_cron_parsing_mode={natural_cron_parsing_mode!r}: {profile.name} "
                f"knows {modes}"
            )
            raise InvalidArgument(msg)
        # The two modes differ only on phrases that read as several crons ("every day at
        # 6pm and 8pm"): :single keeps the first, :strict makes the job invalid.
        self.natural_cron_parsing_mode = natural_cron_parsing_mode
        #: The zone crons that name none run in (the process's zone, Rails' ``Time.zone``).
        self.tz: tzinfo = zone_argument(tz) or UTC
        self._sim = sim
        self._rng = sim.random_stream("cron.poll")
        self.poll_interval = float(poll_interval)
        self.poll = poll
        #: The jobs, by name (``namespace:name`` outside the default namespace).
        self.jobs: dict[str, CronJob] = {}
        #: The errors hash of the last load: each invalid job's name and messages.
        self.errors: Errors = {}
        #: The environment variables the last ``load_yaml``'s ERB read (name -> value or None).
        self.environment_read: dict[str, str | None] = {}
        self._started = False

    # -- the schedule ------------------------------------------------------------------------

    def load(
        self,
        schedule: Mapping[str, Any] | Iterable[Mapping[str, Any]],
        *,
        on_error: Literal["raise", "collect"] = "raise",
        replace: bool = False,
        source: Literal["schedule", "dynamic"] | None = None,
    ) -> Recurring:
        """Save the jobs of a hash keyed by name (or a list of hashes with ``name``).

        ``replace=True`` is ``load_from_hash!`` / ``load_from_array!``: jobs whose names
        the schedule no longer has are destroyed first (with sidekiq-cron 2.x, only those
        whose ``source`` is ``"schedule"``, which ``source=`` gives every job loaded).

        As ``load_from_hash`` / ``load_from_array``: each valid job is saved; a job saved
        before keeps its status and ``last_enqueue_time`` unless the entry gives them, and
        the fire times it enqueued. The invalid jobs are listed in :attr:`errors`; with
        ``on_error="raise"`` (the default) a :class:`CronLoadError` then names them, the
        valid jobs saved all the same; ``"collect"`` returns quietly, as the gem does.
        """
        if on_error not in ("raise", "collect"):
            msg = f"on_error={on_error!r}: pass 'raise' or 'collect'"
            raise InvalidArgument(msg)
        errors: Errors = {}
        entries = _entries(schedule)
        if source is not None:  # load_from_hash(hash, source: ...) merges it into each job
            entries = [
                (name, {**spec, "source": source} if isinstance(spec, Mapping) else spec)
                for name, spec in entries
            ]
        if replace:
            self._destroy_removed({name for name, _ in entries})
        for name, spec in entries:
            job, messages = job_from_entry(
                name,
                spec,
                self.profile,
                default_namespace=DEFAULT_NAMESPACE,
                parsing_mode=self.natural_cron_parsing_mode,
                tz=self.tz,
            )
            if job is None:
                errors[name if isinstance(name, str) else None] = messages
                continue
            self._register(spec.get("class") or spec.get("klass"))
            self._save(job, spec)
        self.errors = errors
        if errors and on_error == "raise":
            listed = "; ".join(
                f"{name!r}: {', '.join(messages)}" for name, messages in errors.items()
            )
            msg = (
                f"{len(errors)} cron job(s) not saved ({listed}); the other jobs were "
                f"saved; pass on_error='collect' to load as sidekiq-cron does, without raising"
            )
            raise CronLoadError(msg, errors)
        return self

    def _destroy_removed(self, names: set[Any]) -> None:
        """``destroy_removed_jobs``: by name, whatever the namespace."""
        only_schedule = self.profile.job_sources
        for key, job in list(self.jobs.items()):
            if job.name not in names and (job.source == "schedule" or not only_schedule):
                del self.jobs[key]

    def _register(self, klass: Any) -> None:
        """A class object as ``class``: make it findable by its name, as Rails would."""
        if not isinstance(klass, type):
            return
        if issubclass(klass, active_job.ActiveJob):
            active_job.register(self._sim, klass)
        elif issubclass(klass, Job):
            self._sim.register(klass)

    def _save(self, job: CronJob, spec: Mapping[str, Any]) -> None:
        """``Job#save``: a job saved before keeps what Redis holds for it."""
        key = _key(job.namespace, job.name)
        stored = self.jobs.get(key)
        if stored is None:
            # Job#save marks the fire time before creation as enqueued already.
            now = self._sim.time
            job.enqueued_slots[job.previous_fire(now)] = now
        else:
            # The enqueued set exists, so it is not seeded again; the history list stays.
            job.enqueued_slots = stored.enqueued_slots
            job.jid_history = stored.jid_history
            if spec.get("status") is None:
                job.status = stored.status
            if spec.get("last_enqueue_time") in (None, ""):
                job.last_enqueue_time = stored.last_enqueue_time
        self.jobs[key] = job

    def load_yaml(
        self,
        path: str | Path,
        *,
        environment: str | None = None,
        on_error: Literal["raise", "collect"] = "raise",
        env: Mapping[str, str] | None = None,
        erb: bool | None = None,
    ) -> Recurring:
        """Load a ``config/schedule.yml`` (a per-environment section if named) as the gem's
        schedule loader does: ``load_from_hash`` in 1.8.0; in 2.x ``load_from_hash!`` with
        ``source: "schedule"``, so schedule jobs gone from the file are destroyed.

        ERB is rendered as the profile's loader does (2.x yes, 1.8.0 no; ``erb=True`` when
        your initializer renders the file), in the safe subset of :mod:`jobsim.erb`, reading
        the variables of ``env`` (default: the process environment). The names read and
        their values are in :attr:`environment_read`.
        """
        loaded, self.environment_read = read_schedule_file(
            path,
            environment=environment,
            env=env,
            erb=self.profile.schedule_erb if erb is None else erb,
            loader=self.profile.name,
        )
        if self.profile.job_sources:
            # 2.x's ScheduleLoader: load_from_hash!(schedule, source: "schedule")
            return self.load(loaded, on_error=on_error, replace=True, source="schedule")
        return self.load(loaded, on_error=on_error)  # 1.8.0's schedule_loader.rb

    def _job(self, name: str, namespace: str | None = None) -> CronJob:
        found = self.jobs.get(_key(namespace or DEFAULT_NAMESPACE, name))
        if found is None:
            msg = f"no cron job named {name!r} (jobs: {', '.join(sorted(self.jobs)) or 'none'})"
            raise InvalidArgument(msg)
        return found

    def find(self, name: str, namespace: str | None = None) -> CronJob:
        """The job called ``name`` (in ``namespace``, sidekiq-cron 2.x)."""
        return self._job(name, namespace)

    def all(self, namespace: str | None = None) -> list[CronJob]:
        """``Job.all``: the jobs of ``namespace`` (default: "default"; ``"*"``: every one)."""
        wanted = namespace or DEFAULT_NAMESPACE
        return [
            self.jobs[key]
            for key in sorted(self.jobs)
            if wanted == "*" or self.jobs[key].namespace == wanted
        ]

    def count(self, namespace: str | None = None) -> int:
        """``Job.count``: how many jobs ``namespace`` has (``"*"``: all namespaces)."""
        return len(self.all(namespace))

    def destroy(self, name: str, namespace: str | None = None) -> bool:
        """``Job.destroy``: forget ``name`` and what it enqueued; False when there is none."""
        return self.jobs.pop(_key(namespace or DEFAULT_NAMESPACE, name), None) is not None

    def enable(self, name: str, namespace: str | None = None) -> None:
        """Let the poller enqueue ``name`` again."""
        self._job(name, namespace).status = "enabled"

    def disable(self, name: str, namespace: str | None = None) -> None:
        """Stop enqueueing ``name`` (it stays loaded)."""
        self._job(name, namespace).status = "disabled"

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
        for key in sorted(self.jobs):  # Redis keeps them in a set; jobsim goes by name
            job = self.jobs[key]
            if job.should_enqueue(now, self.grace_period):
                self._enqueue(job, now)
                job.forget_before(now)
                enqueued.append(key)
        return enqueued

    def _enqueue(self, job: CronJob, now: float) -> None:
        sim = self._sim
        slot = job.previous_fire(now)
        args = [*job.args, now] if job.date_as_argument else list(job.args)
        with sim:
            jid, queue = push(sim, job, args, self.profile)
        job.last_enqueue_time = float(int(now))
        job.enqueued_slots[slot] = slot
        job.jid_history.insert(0, {"jid": jid, "enqueued": format_time(now)})
        detail = {"name": job.name, "cron": job.cron.expression, "slot": format_time(slot)}
        recorded: dict[str, Any] = {"class": job.klass, "args": args, "queue": queue}
        if job.namespace != DEFAULT_NAMESPACE:
            detail["namespace"] = job.namespace
        sim.trace.record("cron_enqueued", now, str(jid), recorded, detail)


def _key(namespace: str, name: str) -> str:
    """Where a job is in ``Recurring.jobs``: its name, with a namespace other than default."""
    return name if namespace == DEFAULT_NAMESPACE else f"{namespace}:{name}"


def _grace(profile: SidekiqCronProfile, period: float | None) -> float:
    if period is None:
        return GRACE_SECONDS
    if not profile.configurable_grace_period:
        msg = (
            f"reschedule_grace_period={period!r}: {profile.name} has a fixed 60 s grace period; "
            f"pass sidekiq_cron='sidekiq-cron-2' to configure it"
        )
        raise InvalidArgument(msg)
    return validate.number(period, name="reschedule_grace_period", low=0, expected="seconds >= 0")


def install_schedule(
    sim: Simulator,
    path: str | Path,
    job_classes: Iterable[type[Job]] = (),
    *,
    env: Mapping[str, str] | None = None,
) -> Recurring:
    """Load a ``schedule.yml`` into ``sim`` and start sidekiq-cron's poller (for scenarios).

    Its ERB is rendered (as sidekiq-cron 1.9+ does) with the variables of ``env``.
    """
    sim.register(*job_classes)
    return Recurring(sim).load_yaml(path, env=env, erb=True).start()
