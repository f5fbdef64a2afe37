"""The simulator (layer 6): the composition root and the public verbs.

::

    sim = jobsim.Simulator(seed=7, profile="sidekiq-7")
    with sim:
        Charge.perform_async(42)
    sim.drain()                     # runs until idle, moving time through retries
    sim.dead.jobs, sim.stats.failed, sim.trace.kinds()
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, cast

from jobsim import bulk, routing, validate, young_gc
from jobsim.client import Client
from jobsim.clock import DEFAULT_START, ClockView, VirtualClock, as_epoch, to_datetime
from jobsim.durations import DurationSpec
from jobsim.engine import Engine, PollMode
from jobsim.errors import EmptyQueueError, InvalidArgument
from jobsim.middleware import Chain
from jobsim.plugins import (
    BATCHES_VIEW,
    LOCKS_VIEW,
    THROTTLES_VIEW,
    OptionWatch,
    Plugin,
    resolve_plugins,
)
from jobsim.processor import Processor
from jobsim.profiles import DEFAULT_PROFILE, Profile
from jobsim.queue_config import QueueConfig
from jobsim.redis_pool import REDIS_POOL, RedisPool, fake_redis_on
from jobsim.restore import Restorer
from jobsim.rng import SimRandom, Stream
from jobsim.settings import Fetch, Jitter, Mode, check_settings
from jobsim.sidekiq_config import load_sidekiq_yml
from jobsim.stash import Stash, StashKey
from jobsim.state import DeathHandler, ErrorHandler, SimState, StrictArgs
from jobsim.trace import Trace
from jobsim.unserved import unserved_jobs, warn_unserved
from jobsim.views import DeadSetView, JobSetView, QueueView, Stats

if TYPE_CHECKING:
    from jobsim.batches import BatchesView
    from jobsim.job import Job
    from jobsim.throttled import ThrottleView
    from jobsim.unique_jobs import LocksView

__all__ = ["DEFAULT_MAX_STEPS", "Simulator"]

#: How many jobs ``drain()`` performs before deciding the run will never go idle.
DEFAULT_MAX_STEPS = 1_000_000


class Simulator:
    """A deterministic Sidekiq on a virtual clock.

    Args:
        seed: Seeds every random draw (jids, jitter, fetch order, durations, poll ticks); the
            same seed gives the same trace.
        start: Where the virtual clock starts: an aware datetime or epoch seconds.
        profile: ``"sidekiq-6.4"``, ``"sidekiq-7"`` or ``"sidekiq-8"`` (the default).
        queues: Queues as Sidekiq takes them: names in strict order, or ``[name, weight]``
            pairs (``"name,weight"`` too) for weighted or random fetch per the profile's rule.
            None serves every queue, strictly, in the order each was first used.
        concurrency: Worker slots; the profile's default (10 in 6.x, 5 from 7.0).
        durations: Per job class (or class name), how long an execution takes: seconds, a
            timedelta, or a callable drawing seconds from a seeded stream (see
            :mod:`jobsim.durations`). Overrides the class's ``duration`` attribute.
        poll_interval: ``"exact"`` moves due jobs the instant they are due; ``"sidekiq"`` on
            the scheduler's randomised poll ticks, as a real process does.
        poll_interval_average: Sidekiq's ``poll_interval_average`` (None: 5 s per process).
        process_count: Sidekiq processes sharing the schedule (scales the poll interval).
        fetch: ``"basic"`` (a crash loses running jobs) or ``"reliable"`` (they come back).
        mode: ``"simulate"`` (Sidekiq's real retries), ``"fake"`` (Sidekiq::Testing.fake!:
            failures propagate out of drain), or ``"inline"`` (jobs run at enqueue and
            failures propagate to the caller).
        jitter: ``"random"`` (seeded), or ``"min"``/``"max"`` to pin retry jitter to a bound.
        strict_args: ``"raise"``, ``"warn"`` or False; the profile's default (warn in 6.x).
        max_retries: Retries for ``retry=True`` jobs (25).
        dead_max_jobs: Dead-set capacity (10,000; Sidekiq keeps one fewer).
        dead_timeout: Seconds a dead job is kept (180 days).
        trace_limit: Keep only the newest N trace events (None keeps all).
        plugins: The ecosystem gems this simulator runs, as a Gemfile chooses them: plugin
            objects (``jobsim.unique_jobs.UniqueJobs(...)``), plugin classes, short names
            (``"unique_jobs"``) or ``"package.module:Plugin"`` (see :mod:`jobsim.plugins`).
        young_gc: Collect the youngest GC generation less often while the engine runs
            (``drain``, ``run_until``, ``advance``, ``run_due``), never outside it (see
            :mod:`jobsim.young_gc`). The pytest fixture turns it off unless asked.
    """

    def __init__(
        self,
        *,
        seed: int = 0,
        start: datetime | float = DEFAULT_START,
        profile: str | Profile = DEFAULT_PROFILE,
        queues: Iterable[Any] | None = None,
        concurrency: int | None = None,
        durations: Mapping[Any, DurationSpec] | None = None,
        poll_interval: PollMode = "exact",
        poll_interval_average: float | None = None,
        process_count: int = 1,
        fetch: Fetch = "basic",
        mode: Mode = "simulate",
        jitter: Jitter = "random",
        strict_args: StrictArgs | None = None,
        max_retries: int | None = None,
        dead_max_jobs: int | None = None,
        dead_timeout: float | timedelta | None = None,
        trace_limit: int | None = None,
        plugins: Iterable[Any] | None = None,
        young_gc: bool = True,
    ) -> None:
        checked = check_settings(
            seed=seed,
            profile=profile,
            queues=queues,
            concurrency=concurrency,
            durations=durations,
            poll_interval=poll_interval,
            poll_interval_average=poll_interval_average,
            process_count=process_count,
            fetch=fetch,
            mode=mode,
            jitter=jitter,
            strict_args=strict_args,
            max_retries=max_retries,
            dead_max_jobs=dead_max_jobs,
            dead_timeout=dead_timeout,
        )
        self._seed = seed
        self._shutdown_timeout = 25.0
        self._mode: Mode = mode
        self._state = state = SimState(
            profile=checked.profile,
            clock=VirtualClock(start),
            rng=SimRandom(seed),
            queue_config=checked.queue_config,
            concurrency=checked.concurrency,
            durations=checked.durations,
            jitter=jitter,
            strict_args=checked.strict_args,
            max_retries=checked.max_retries,
            dead_max_jobs=checked.dead_max_jobs,
            dead_timeout=checked.dead_timeout,
            trace_limit=trace_limit,
        )
        self._client = Client(state)
        self._processor = Processor(state, raise_errors=mode != "simulate")
        self._engine = Engine(
            state,
            self._client,
            self._processor,
            poll=poll_interval,
            poll_average=checked.poll_average,
            process_count=checked.process_count,
            reliable=fetch == "reliable",
        )
        self.scheduled = JobSetView(state, state.scheduled, self._client, self._processor)
        self.retries = JobSetView(state, state.retries, self._client, self._processor)
        self.dead = DeadSetView(state, state.dead, self._client, self._processor)
        self.stats = Stats(state)
        self._clock_view = ClockView(state.clock)
        #: Places jobs and counters as a saved state had them (for the Redis bridge's loader;
        #: internal: not part of the public surface).
        self._restore = Restorer(state)
        self._install_plugins(plugins, young_gc)

    def _install_plugins(self, plugins: Iterable[Any] | None, young_gc: bool) -> None:
        given: object = young_gc
        if not isinstance(given, bool):
            msg = f"Simulator(young_gc={young_gc!r}): pass True or False"
            raise InvalidArgument(msg)
        self._young_gc = young_gc
        state = self._state
        #: Extension state of this simulator only, by :class:`~jobsim.stash.StashKey`.
        self.stash = Stash()
        # The Redis user middleware gets (a fakeredis on this clock, made on first use), set
        # before plugins install so that one of them may choose a real server instead.
        clock = self._clock_view
        pool = RedisPool(lambda: fake_redis_on(clock, what="sim.redis"), name="sim.redis_pool")
        self.stash[REDIS_POOL] = state.client_middleware.redis_pool = pool
        state.server_middleware.redis_pool = pool
        self._plugins = resolve_plugins(plugins, where="Simulator(plugins=...)")
        self._option_watch = OptionWatch(
            self._plugins, (state.client_middleware, state.server_middleware)
        )
        #: The job classes already looked at (read on every enqueue: one set lookup).
        self._options_seen = self._option_watch.seen
        for plugin in self._plugins:
            plugin.install(self)

    @classmethod
    def from_sidekiq_yml(
        cls,
        path: str | Path,
        *,
        environment: str | None = None,
        env: Mapping[str, str] | None = None,
        **options: Any,
    ) -> Simulator:
        """A simulator configured by a real ``config/sidekiq.yml`` (concurrency, queues,
        per-environment sections); keyword arguments override the file. Its ERB reads the
        variables of ``env`` (default: the process environment; see :mod:`jobsim.erb`)."""
        settings = load_sidekiq_yml(path, environment=environment, env=env)
        timeout = settings.pop("shutdown_timeout", None)
        sim = cls(**{**settings, **options})
        if timeout is not None:
            sim.shutdown_timeout = timeout
        return sim

    # -- activation ------------------------------------------------------------------------

    def __enter__(self) -> Simulator:
        routing.activate(self)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        routing.deactivate(self)

    # -- what it is ------------------------------------------------------------------------

    @property
    def seed(self) -> int:
        """The seed it was built with (read-only: the streams were seeded from it)."""
        return self._seed

    @property
    def mode(self) -> Mode:
        """``"simulate"``, ``"fake"`` or ``"inline"``; setting it takes effect at once."""
        return self._mode

    @mode.setter
    def mode(self, value: Mode) -> None:
        self._mode = validate.choice(value, ("simulate", "fake", "inline"), name="mode")
        self._processor.raise_errors = value != "simulate"

    @property
    def fetch(self) -> Fetch:
        """``"basic"`` or ``"reliable"``: what a crash does; setting it takes effect at once."""
        return "reliable" if self._engine.reliable else "basic"

    @fetch.setter
    def fetch(self, value: Fetch) -> None:
        chosen = validate.choice(value, ("basic", "reliable"), name="fetch")
        self._engine.reliable = chosen == "reliable"

    @property
    def shutdown_timeout(self) -> float:
        """What :meth:`shutdown` waits by default (Sidekiq's ``-t``, 25 s); assignable."""
        return self._shutdown_timeout

    @shutdown_timeout.setter
    def shutdown_timeout(self, value: float | timedelta) -> None:
        self._shutdown_timeout = validate.seconds(value, name="shutdown_timeout")

    @property
    def profile(self) -> Profile:
        """The Sidekiq profile in force."""
        return self._state.profile

    @property
    def now(self) -> datetime:
        """The virtual time, as an aware UTC datetime."""
        return to_datetime(self._state.clock.now)

    @property
    def time(self) -> float:
        """The virtual time in epoch seconds."""
        return self._state.clock.now

    @property
    def clock(self) -> ClockView:
        """The virtual clock, read-only (only the engine moves it); ``clock.listeners`` are
        told of every move."""
        return self._clock_view

    def random_stream(self, name: str) -> Stream:
        """The seeded random stream called ``name``, for adapters that need draws of their
        own (ActiveJob's jitter, modelled failures); independent of jobsim's own streams."""
        return self._state.rng.stream(f"user:{name}")

    @property
    def trace(self) -> Trace:
        """Every event so far, in order."""
        return self._state.trace

    @property
    def death_handlers(self) -> list[DeathHandler]:
        """Callables ``(job, exc)`` run when a job dies or is given up on (append to add)."""
        return self._state.death_handlers

    @property
    def error_handlers(self) -> list[ErrorHandler]:
        """Callables ``(exc, context)`` run after every failure, as Sidekiq's error handlers."""
        return self._state.error_handlers

    def queue(self, name: str = "default") -> QueueView:
        """The queue called ``name`` (``Sidekiq::Queue.new(name)``)."""
        return QueueView(self._state, name, self._processor)

    @property
    def queues(self) -> list[str]:
        """Names of the queues served, in configured order (or first use)."""
        config = self._state.queue_config
        return list(config.names) if config is not None else list(self._state.queues)

    @property
    def queue_config(self) -> QueueConfig | None:
        """Queue names, weights and fetch mode (None: every queue, strict, by first use)."""
        return self._state.queue_config

    @property
    def unserved(self) -> dict[str, int]:
        """Jobs waiting in queues this simulator does not serve, per queue (empty without
        ``queues=``, which serves every queue)."""
        return {name: len(jobs) for name, jobs in unserved_jobs(self).items()}

    @property
    def concurrency(self) -> int:
        """Worker slots."""
        return self._state.concurrency

    @property
    def client_middleware(self) -> Chain:
        """The client middleware chain (runs on every push, and again when due jobs move)."""
        return self._state.client_middleware

    @property
    def server_middleware(self) -> Chain:
        """The server middleware chain (runs around every ``perform``)."""
        return self._state.server_middleware

    @property
    def redis_pool(self) -> RedisPool:
        """Sidekiq's ``redis_pool`` for this simulator: ``with_()`` lends :attr:`redis`."""
        return self.stash[REDIS_POOL]

    @property
    def redis(self) -> Any:
        """This simulator's Redis connection, made on first use: a fakeredis of its own whose
        key expiry and ``TIME`` follow the virtual clock (needs ``jobsim[redis]``), unless a
        plugin chose a server (``jobsim.redis.RealRedis``)."""
        return self.stash[REDIS_POOL].connection

    @property
    def plugins(self) -> tuple[Plugin, ...]:
        """The plugins installed on this simulator, in the order given."""
        return self._plugins

    @property
    def honoured_options(self) -> dict[str, str]:
        """Job options beyond Sidekiq's own that something here gives a meaning to, each with
        what honours it (a plugin, or a middleware in one of the chains)."""
        return dict(self._option_watch.honoured())

    def _plugin_view(self, key: StashKey[Any], missing: str) -> Any:
        # A plugin's read-only view, installed in the stash; ``missing`` names the plugin.
        view = self.stash.get(key, None)
        if view is None:
            raise InvalidArgument(missing)
        return view

    @property
    def locks(self) -> LocksView:
        """The unique-jobs locks held now (digests, holders, expiry), read-only; needs a
        unique-jobs plugin (see :mod:`jobsim.unique_jobs`)."""
        missing = (
            "sim.locks: this simulator has no unique-jobs plugin; build it with "
            "jobsim.Simulator(plugins=['unique_jobs']) (or 'enterprise_unique_jobs')"
        )
        return cast("LocksView", self._plugin_view(LOCKS_VIEW, missing))

    @property
    def batches(self) -> BatchesView:
        """Every live Sidekiq Pro batch's status by bid, read-only; needs the batches plugin
        (see :mod:`jobsim.batches`)."""
        missing = (
            "sim.batches: this simulator has no batches plugin; build it with "
            "jobsim.Simulator(plugins=['batches']) (or plugins=[jobsim.batches.Batches()])"
        )
        return cast("BatchesView", self._plugin_view(BATCHES_VIEW, missing))

    @property
    def throttles(self) -> ThrottleView:
        """sidekiq-throttled's counters (running slots, windows, backlog) and per-class
        counts, read-only; needs the throttled plugin (see :mod:`jobsim.throttled`)."""
        missing = (
            "sim.throttles: this simulator does not run sidekiq-throttled; build it with "
            "jobsim.Simulator(plugins=['throttled']) "
            "(or plugins=[jobsim.throttled.Throttled()])"
        )
        return cast("ThrottleView", self._plugin_view(THROTTLES_VIEW, missing))

    @property
    def running(self) -> list[Mapping[str, Any]]:
        """Jobs holding a worker slot right now, oldest start first."""
        return [job for _, job in self._engine.in_flight()]

    # -- enqueueing ------------------------------------------------------------------------

    def register(self, *job_classes: type[Job]) -> None:
        """Make job classes known by name, for payloads pushed as raw hashes or loaded."""
        for job_class in job_classes:
            self._state.registry.add(job_class)

    def job_class(self, name: str) -> type[Job] | None:
        """The job class known by ``name`` (registered or enqueued before), or None."""
        return self._state.registry.get(name)

    def _enqueue_job(
        self, job_class: type[Job], args: tuple[Any, ...] | list[Any], options: Mapping[str, Any]
    ) -> str | None:
        # The routing door (jobsim.routing.EnqueueTarget): what Job.perform_async and
        # friends call; users enqueue through the job classes or push().
        if options or job_class not in self._options_seen:
            self._option_watch.look_at(job_class, options, stacklevel=3)
        jid = self._client.push_job(job_class, args, options)
        return jid if self._mode != "inline" else self._inline(jid)

    def _fetch_gate_state(self) -> SimState:
        # For rate-limit plugins (jobsim.throttled): they add an admission gate to
        # state.gates (jobsim.fetch_gates.FetchGate) and put refused jobs back. Internal.
        return self._state

    def _move_clock_to(self, ts: float) -> None:
        # Sidekiq::Testing's class verbs (jobsim.job_testing): MyJob.drain() runs a scheduled
        # job of its class at its time without running other classes' work, as the Ruby verb
        # touches nothing else. Internal: users move time only through the engine's verbs.
        self._state.clock.advance_to(ts)

    def _keeps_dropped_in_bulk(self) -> bool:
        # Whether perform_bulk returns None for dropped jobs (7.1+) or omits them.
        return self._state.profile.bulk_keeps_dropped

    def push(self, job: Mapping[str, Any], /) -> str | None:
        """``Sidekiq::Client.push``: enqueue a raw job hash (``class``, ``args``, ``at``…)."""
        if isinstance(job, Mapping):  # anything else gets Sidekiq's message from the client
            klass = job.get("class")
            known = self._state.registry.get(klass) if isinstance(klass, str) else klass
            self._option_watch.look_at_pushed(
                job, known if isinstance(known, type) else None, stacklevel=2
            )
        return self._inline(self._client.push(job))

    def push_bulk(self, items: Mapping[str, Any]) -> list[str | None]:
        """``Sidekiq::Client.push_bulk``: ``{"class": ..., "args": [[...], ...]}`` with
        options, ``"at"`` (one time or one per job) and, per profile, ``"spread_interval"``;
        returns the jids (see :mod:`jobsim.bulk`)."""
        jids = bulk.push_bulk(self._client, self._state, items)
        return [self._inline(jid) for jid in jids]

    def _inline(self, jid: str | None) -> str | None:
        # Inline mode performs an immediate push at once; a scheduled one keeps its time.
        if self._mode == "inline" and jid is not None:
            self.perform_job(jid)
        return jid

    # -- running ---------------------------------------------------------------------------

    def drain(self, *, max_steps: int | None = DEFAULT_MAX_STEPS) -> int:
        """Run until idle, moving the clock through scheduled jobs and retries.

        Returns how many jobs were performed. Jobs left in queues the simulator does not serve
        are named in a :class:`~jobsim.errors.JobsimWarning`. Past ``max_steps`` started jobs
        (or as many turns of the engine that start none) it raises
        :class:`~jobsim.errors.StepLimitExceeded` saying what is still pending.
        """
        performed = self._run(until=None, max_steps=max_steps, verb="drain()")
        # What a real process with these queues would never run (see jobsim.unserved).
        warn_unserved(self, "drain()", stacklevel=2)
        return performed

    def run_until(
        self, when: datetime | float, *, max_steps: int | None = DEFAULT_MAX_STEPS
    ) -> int:
        """Run everything due up to ``when`` (aware datetime or epoch); the clock stops there."""
        until = as_epoch(when, name="run_until(when)")
        if until < self._state.clock.now:
            self._state.clock.advance_to(until)  # raises ClockError with both times
        return self._run(until=until, max_steps=max_steps, verb="run_until()")

    def advance(
        self, delta: timedelta | float, *, max_steps: int | None = DEFAULT_MAX_STEPS
    ) -> int:
        """Run forward by ``delta`` (seconds or timedelta), performing what comes due."""
        seconds = validate.seconds(delta, name="advance(delta)")
        until = as_epoch(self._state.clock.now + seconds, name="advance(delta): now + delta")
        return self._run(until=until, max_steps=max_steps, verb="advance()")

    def run_due(self, *, max_steps: int | None = DEFAULT_MAX_STEPS) -> int:
        """Perform what is queued or due now, without moving the clock."""
        now = self._state.clock.now
        return self._run(until=now, max_steps=max_steps, verb="run_due()")

    def _run(self, *, until: float | None, max_steps: int | None, verb: str) -> int:
        steps = validate.optional(max_steps, validate.whole, name=f"{verb[:-2]}(max_steps)", low=0)
        # Jobs that enqueue jobs reach this simulator, as they reach the same Redis in Sidekiq.
        with self:
            if not self._young_gc:
                return self._engine.run(until=until, max_steps=steps, verb=verb)
            with young_gc.fewer_young_collections():  # only while the engine runs
                return self._engine.run(until=until, max_steps=steps, verb=verb)

    def perform_one(self, queue: str | None = None) -> str:
        """Perform exactly one job now (the next in fetch order, or from ``queue``).

        Returns its jid; with nothing queued it raises :class:`~jobsim.errors.EmptyQueueError`.
        """
        validate.optional(queue, validate.name, name="perform_one(queue)", what="queue name")
        self._engine.enqueue_due()
        fetched = self._engine.fetch(queue, gated=False)  # Sidekiq::Testing: no fetcher
        if fetched is None:
            where = f"queue {queue!r}" if queue is not None else "any queue"
            msg = (
                f"perform_one called with empty job queue: nothing is in {where} at "
                f"{self.now.isoformat()} ({len(self.scheduled)} scheduled, "
                f"{len(self.retries)} retries pending); use drain() or advance() to reach them"
            )
            raise EmptyQueueError(msg)
        with self:
            self._engine.perform_now(*fetched)  # at this instant, whatever its duration
        return str(fetched[1]["jid"])

    def perform_job(self, jid: str) -> bool:
        """Perform the queued job with ``jid`` now, wherever it stands in its queue.

        Returns False if no queue holds it (it ran, is scheduled, or is unknown). Used by
        ``perform_enqueued_jobs``, which performs chosen jobs rather than the next one.
        """
        for name, queue in self._state.queues.items():
            job = queue.find_job(jid)
            if job is not None and queue.remove(job):
                with self:
                    self._engine.perform_now(name, job)
                return True
        return False

    def _perform_job_raising(self, jid: str) -> bool:
        """:meth:`perform_job`, with an error that escapes the job raised to the caller in
        every mode (Rails' test adapter does this; internal: for jobsim.active_job)."""
        processor = self._processor
        raising = processor.raise_errors
        processor.raise_errors = True
        try:
            return self.perform_job(jid)
        finally:
            processor.raise_errors = raising

    def call_at(
        self, when: datetime | float, action: Callable[[], None], *, background: bool = False
    ) -> None:
        """Run ``action()`` when the virtual clock reaches ``when`` (for recurring jobs and
        other adapters); timers at one instant run in the order they were set. A
        ``background`` timer (a poller rescheduling itself) does not keep ``drain()`` from
        going idle; it runs whenever time passes it."""
        self._engine.call_at(as_epoch(when, name="call_at(when)"), action, background=background)

    # -- stopping --------------------------------------------------------------------------

    def shutdown(self, timeout: float | None = None) -> list[str]:
        """Stop like Sidekiq on TERM: no more fetching or polling; running jobs get
        ``timeout`` seconds to finish, the rest go back to the front of their queues (no
        retry entry; counted as processed and failed). Returns the jids pushed back.
        :meth:`start` resumes processing."""
        if timeout is None:
            seconds = self._shutdown_timeout
        else:
            seconds = validate.seconds(timeout, name="shutdown(timeout)")
        with self:
            return self._engine.shutdown(seconds)

    def crash(self) -> list[str]:
        """The process dies at once (SIGKILL). With ``fetch="basic"`` running jobs are lost
        (their side effects done, no retry); with ``fetch="reliable"`` they return to their
        queues. Returns the jids affected; :meth:`start` restarts processing."""
        return self._engine.crash(reliable=self._engine.reliable)

    def start(self) -> None:
        """Resume processing after :meth:`shutdown` or :meth:`crash`."""
        self._engine.stopped = False

    @property
    def stopped(self) -> bool:
        """Whether processing is stopped (after a shutdown or crash, until :meth:`start`)."""
        return self._engine.stopped

    # -- where is a job --------------------------------------------------------------------

    def locate(self, jid: str) -> str:
        """Where the job with ``jid`` is: ``queue:NAME``, ``schedule``, ``retry``, ``dead``,
        ``running``, ``done``, ``discarded``, ``lost`` or ``unknown``."""
        state = self._state
        if jid in state.running:
            return "running"
        for name, queue in state.queues.items():
            if queue.find_job(jid) is not None:
                return f"queue:{name}"
        for sorted_set in (state.scheduled, state.retries, state.dead):
            if sorted_set.find(jid) is not None:
                return sorted_set.name
        for event in reversed(state.trace.for_job(jid)):
            if event.kind == "succeeded":
                return "done"
            if event.kind in ("discarded", "lost"):
                return str(event.kind)
        ended = state.trace.ended.get(jid)
        if ended is not None:  # its events were trimmed by trace_limit
            return "done" if ended == "succeeded" else ended
        return "unknown"

    def __repr__(self) -> str:
        return (
            f"<Simulator seed={self.seed} profile={self.profile.name!r} "
            f"now={self.now.isoformat()} {self.stats.as_dict()}>"
        )
