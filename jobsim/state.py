"""Everything one simulation holds (layer 3): clock, randomness, queues, sets, trace, counters.

The client, the processor and the engine all act on one :class:`SimState`; the
:class:`jobsim.Simulator` builds it and is the only public face. Nothing here is global.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Literal

from jobsim.clock import VirtualClock
from jobsim.enqueue import StrictArgs
from jobsim.errors import InvalidArgument
from jobsim.history import DayCounts
from jobsim.middleware import Chain
from jobsim.profiles import Profile, epoch_ms
from jobsim.queue_config import QueueConfig
from jobsim.queues import JobQueue, enqueued_seconds
from jobsim.rng import SimRandom
from jobsim.sets import DeadSet, SortedJobSet
from jobsim.trace import NO_DETAIL, Trace, row_writer

if TYPE_CHECKING:
    from jobsim.job import Job

__all__ = [
    "ApiRemovalListener",
    "DeathHandler",
    "ErrorHandler",
    "ExecutionListener",
    "Registry",
    "SimState",
    "StrictArgs",
]

#: ``handler(job_hash, exception)``, like Sidekiq's ``death_handlers``.
DeathHandler = Callable[[dict[str, Any], BaseException], Any]
#: ``handler(exception, context)``, like Sidekiq's ``error_handlers``; ``context`` has
#: ``"context"`` (Sidekiq's text) and ``"job"`` when there is one.
ErrorHandler = Callable[[BaseException, dict[str, Any]], Any]
#: ``listener(job, how)`` when an execution ends, before Sidekiq's retry handling: ``how`` is
#: ``"succeeded"``, ``"failed"``, ``"lost"`` (basic-fetch crash), ``"pushed_back"`` (shutdown:
#: ``ensure`` blocks ran) or ``"recovered"`` (reliable-fetch crash: no ``ensure`` ran).
ExecutionListener = Callable[[Mapping[str, Any], str], None]
#: ``listener(job, method, place)`` when the data API takes ``job`` out of a queue or set:
#: ``method`` names the Sidekiq API method that did (``"JobRecord#delete"``,
#: ``"SortedEntry#remove_job"``…), ``place`` is ``"queue:NAME"``, ``"schedule"``, ``"retry"``
#: or ``"dead"``. Plugins that patch Sidekiq's API (sidekiq-unique-jobs) listen here.
ApiRemovalListener = Callable[[Mapping[str, Any], str, str], None]


class Registry:
    """Job classes by the name payloads use, so a job hash can find its class again.

    A class registers itself the first time it is enqueued; classes that only appear in
    loaded payloads must be registered with :meth:`jobsim.Simulator.register`.
    """

    __slots__ = ("classes",)

    def __init__(self) -> None:
        #: Registered classes by name (read-only for callers; use :meth:`add`).
        self.classes: dict[str, type[Job]] = {}

    def add(self, job_class: type[Job]) -> None:
        """Register ``job_class`` under its ``job_name`` (another class of that name: error)."""
        name = job_class.job_name
        known = self.classes.get(name)
        if known is job_class:
            return
        if known is not None:
            msg = (
                f"two job classes are named {name!r}: {known.__module__}.{known.__qualname__} "
                f"and {job_class.__module__}.{job_class.__qualname__}; payloads find their class "
                f"by this name, so give one of them a name= option"
            )
            raise InvalidArgument(msg)
        self.classes[name] = job_class

    def get(self, name: Any) -> type[Job] | None:
        """The class registered as ``name``, or None."""
        return self.classes.get(name) if isinstance(name, str) else None

    def names(self) -> list[str]:
        """Registered names, sorted."""
        return sorted(self.classes)


class SimState:
    """The mutable state of one simulation."""

    def __init__(
        self,
        *,
        profile: Profile,
        clock: VirtualClock,
        rng: SimRandom,
        queue_config: QueueConfig | None,
        concurrency: int,
        durations: Mapping[str, Any],
        jitter: Literal["random", "min", "max"],
        strict_args: StrictArgs,
        max_retries: int,
        dead_max_jobs: int,
        dead_timeout: float,
        trace_limit: int | None,
    ) -> None:
        self.profile = profile
        self._int_ms = profile.timestamps == "int_ms"
        self.clock = clock
        self.rng = rng
        self._jid_bits = rng.stream("jid").getrandbits
        self._stamp_for = math.nan  # equal to no time, so the first stamp is computed
        self._stamp_ms = 0
        self.jitter_rng = rng.stream("jitter")
        self.fetch_rng = rng.stream("fetch")
        self.duration_rng = rng.stream("duration")
        self.jitter = jitter
        self.strict_args = strict_args
        self.max_retries = max_retries
        #: The queues served and how; None means every queue, in the order each was first used.
        self.queue_config = queue_config
        self.queues: dict[str, JobQueue] = {}
        self.concurrency = concurrency
        #: Per class name, how long an execution takes (overrides the class's ``duration``).
        self.durations = dict(durations)
        self.scheduled = SortedJobSet("schedule")
        self.retries = SortedJobSet("retry")
        self.dead = DeadSet(max_jobs=dead_max_jobs, timeout=dead_timeout)
        self.trace = Trace(trace_limit)
        self._log = row_writer(self.trace)
        self.registry = Registry()
        self.client_middleware = Chain("client")
        self.server_middleware = Chain("server")
        self.death_handlers: list[DeathHandler] = []
        self.error_handlers: list[ErrorHandler] = []
        #: Plugins that act when an execution ends (a runtime lock's ``ensure``, a batch
        #: counting its members' runs), in order.
        self.execution_listeners: list[ExecutionListener] = []
        #: Plugins told when the data API takes a job out (see ``ApiRemovalListener``).
        self.api_removal_listeners: list[ApiRemovalListener] = []
        #: Admission gates at fetch (jobsim.fetch_gates.FetchGate), added by rate-limit plugins.
        self.gates: list[Any] = []
        #: ``adjust(job, seconds) -> seconds`` for the execution that just started, called by
        #: the engine after drawing its duration: job code that waited in virtual time (an
        #: Enterprise limiter's ``wait_timeout``) keeps its worker busy that much longer.
        self.duration_adjusters: list[Callable[[Mapping[str, Any], float], float]] = []
        self.processed = 0
        self.failed = 0
        #: Today's counts and the days before (``Stats::History``), on the virtual clock.
        self.days = DayCounts(clock.now)
        #: Executions started and not finished yet, counted by jid (two concurrent deliveries
        #: of one job are two executions).
        self.running: dict[str, int] = {}
        #: Seconds from enqueue to start, per queue (Sidekiq's queue latency, per job).
        self.latencies: dict[str, array[float]] = {}
        #: Virtual seconds spent performing, per queue.
        self.busy_seconds: dict[str, float] = {}
        if queue_config is not None:
            for name in queue_config.names:
                self.queue(name)

    def removed_by_api(self, job: Mapping[str, Any], method: str, place: str) -> None:
        """Tell the API-removal listeners that Sidekiq's ``method`` took ``job`` out."""
        for listener in list(self.api_removal_listeners):
            listener(job, method, place)

    def queue(self, name: str) -> JobQueue:
        """The queue called ``name``, created on first use."""
        found = self.queues.get(name)
        if found is None:
            found = self.queues[name] = JobQueue(name)
        return found

    # -- the per-job bookkeeping: every job passes here, so each is one call ------------------

    def enqueue(
        self, job: Mapping[str, Any], now: float, detail: Mapping[str, Any] = NO_DETAIL
    ) -> None:
        """Put ``job`` at the back of its queue (LPUSH) and record ``enqueued``."""
        name = job["queue"]
        queue = self.queues.get(name)
        if queue is None:
            queue = self.queue(name)
        queue.push(job)
        self._log(("enqueued", now, job["jid"], job, detail))

    def enqueue_new(self, job: dict[str, Any]) -> Any:
        """A push straight into its queue (no client middleware, not scheduled): a new jid
        unless it has one, ``created_at`` (unless set) and ``enqueued_at`` now, then what
        :meth:`enqueue` does. Returns the jid.

        One call for the path every plain enqueue takes, so the jid, stamp and enqueue steps
        are written out here, beside the data they touch, instead of three calls.
        """
        jid = job.get("jid")
        if jid is None:
            jid = job["jid"] = self._jid_bits(96).to_bytes(12, "little").hex()
        now = self.clock.now
        stamp = self._stamp_ms if now == self._stamp_for else self.stamp_at(now)
        if "created_at" not in job:
            job["created_at"] = stamp
        job["enqueued_at"] = stamp
        queue = self.queues.get(job["queue"])
        if queue is None:
            queue = self.queue(job["queue"])
        queue.push(job)
        self._log(("enqueued", now, jid, job, NO_DETAIL))
        return jid

    def begin(self, queue: str, job: Mapping[str, Any]) -> None:
        """An execution of ``job`` starts now: counted, recorded, its queue latency kept."""
        self.processed += 1
        jid = job["jid"]
        now = self.clock.now
        days = self.days
        if now >= days.end:
            days.roll(now)
        days.processed += 1
        self._log(("started", now, jid, job, NO_DETAIL))
        since: Any = job.get("enqueued_at")
        kind = type(since)
        if kind is int:  # Sidekiq 8 writes integer milliseconds
            since = since / 1000.0
        elif kind is not float:
            since = enqueued_seconds(job)
        if since is not None:
            latencies = self.latencies.get(queue)
            if latencies is None:
                latencies = self.latencies[queue] = array("d")
            latencies.append(now - since if now > since else 0.0)
        running = self.running
        running[jid] = running.get(jid, 0) + 1

    def count_failure(self) -> None:
        """An execution failed now: counted in the total and in the day's count."""
        self.failed += 1
        now = self.clock.now
        days = self.days
        if now >= days.end:
            days.roll(now)
        days.failed += 1

    def end(
        self, queue: str, job: Mapping[str, Any], busy: float, *, succeeded: bool = False
    ) -> None:
        """An execution of ``job`` ended (finished, lost or pushed back) after ``busy`` s;
        with ``succeeded`` it is recorded as a success."""
        jid = job["jid"]
        running = self.running
        left = running.get(jid, 0) - 1
        if left > 0:
            running[jid] = left
        else:
            running.pop(jid, None)
        if busy:
            self.busy_seconds[queue] = self.busy_seconds.get(queue, 0.0) + busy
        if succeeded:
            self._log(("succeeded", self.clock.now, jid, job, NO_DETAIL))

    def new_jid(self) -> str:
        """24 lowercase hex characters from the seeded jid stream (``SecureRandom.hex(12)``)."""
        # Random.randbytes(12) spelled out: the same bytes without its Python-level frame.
        return self._jid_bits(96).to_bytes(12, "little").hex()

    def stamp_at(self, now: float) -> float | int:
        """Epoch seconds ``now`` in the profile's payload unit."""
        if not self._int_ms:
            return now
        if now != self._stamp_for:  # many pushes share an instant: convert once per instant
            self._stamp_for = now
            self._stamp_ms = epoch_ms(now)
        return self._stamp_ms
