"""How sidekiq-cron enqueues one job (layer 7, private): ``Job#enque!``.

What is pushed depends on what the class name is on the simulator when the poll enqueues: an
ActiveJob class is performed later, a Sidekiq job class performed async, and an unknown name
is pushed as a hand-built hash (an ActiveJob wrapper with ``active_job: true``). The table is
in :mod:`jobsim.cron.recurring`; checked on the real gem in ``tests/conformance``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from jobsim import active_job
from jobsim.rng import uuid_from_bytes

if TYPE_CHECKING:
    from jobsim.active_job import ActiveJob
    from jobsim.cron._cron_job import CronJob
    from jobsim.cron.sidekiq_cron import SidekiqCronProfile
    from jobsim.simulator import Simulator

__all__ = ["push"]

#: The wrapper class sidekiq-cron writes into a hand-built ActiveJob message.
_WRAPPER = "ActiveJob::QueueAdapters::SidekiqAdapter::JobWrapper"
#: ``ActiveJob::Base.queue_name_delimiter``'s default, used when the entry gives none.
_DELIMITER = "_"


def push(
    sim: Simulator, entry: CronJob, args: list[Any], profile: SidekiqCronProfile
) -> tuple[str | None, str]:
    """``Job#enque!``: enqueue ``entry`` as sidekiq-cron does; the jid and the queue."""
    aj_class: type[ActiveJob] | None = active_job.settings(sim).classes.get(entry.klass)
    if aj_class is not None:
        # klass < ActiveJob::Base: perform_later on @queue, which is the entry's queue or
        # get_sidekiq_options' (Sidekiq's railtie gives ActiveJob classes sidekiq_options);
        # queue_as never gets a say, and the entry's prefix is not used on this path.
        # sidekiq-cron 2.x asks the class's queue_as (klass.new(args).queue_name) instead.
        queue = entry.queue
        if queue is None:
            queue = _activejob_queue(sim, aj_class, entry, profile)
        enqueued = aj_class.set(queue=queue).perform_later(*args)
        if enqueued is False:  # a before_enqueue callback halted: nothing was pushed
            return None, queue
        assert not isinstance(enqueued, bool)  # perform_later returns the job or False
        return enqueued.provider_job_id, enqueued.queue_name
    job_class = sim.job_class(entry.klass)
    if job_class is not None:
        # perform_async on queue_name_with_prefix: prefixed only with active_job: true.
        queue = entry.queue
        if queue is None:
            queue = str(job_class.sidekiq_options.get("queue") or "default")
        if entry.active_job:
            queue = _with_prefix(entry, queue)
        options: dict[str, Any] = {"queue": queue}
        if entry.retry is not None:  # 2.x: set(queue:, retry:) with the entry's retry
            options["retry"] = entry.retry
        return job_class.set(**options).perform_async(*args), queue
    # Not a class here (constantize raised NameError): a hand-built hash.
    queue = "default" if entry.queue is None else entry.queue
    if not entry.active_job:
        job: dict[str, Any] = {"class": entry.klass, "args": args, "queue": queue}
        if entry.retry is not None:
            job["retry"] = entry.retry
        return sim.push(job), queue
    queue = _with_prefix(entry, queue)
    active_job.register(sim)  # the wrapper job class, so the job can run (or fail) later
    data = {
        "job_class": entry.klass,
        "job_id": uuid_from_bytes(sim.random_stream("cron.active_job_id").randbytes(16)),
        "queue_name": queue,
        "arguments": args,
    }
    job = {
        "class": _WRAPPER,
        "wrapped": entry.klass,
        "queue": queue,
        "description": entry.description or "",  # nil is read back from Redis as ""
        "args": [data],
    }
    return sim.push(job), queue


def _activejob_queue(
    sim: Simulator, aj_class: type[ActiveJob], entry: CronJob, profile: SidekiqCronProfile
) -> str:
    if profile.activejob_queue == "queue_as":
        # 2.x asks klass.new(args).queue_name: queue_as (a name, a callable or None for the
        # default queue name) with the prefix. A job instance draws its job_id on this sim.
        with sim:
            return aj_class(*entry.args).queue_name
    return str(aj_class.sidekiq_options.get("queue") or "default")


def _with_prefix(entry: CronJob, queue: str) -> str:
    """sidekiq-cron's ``queue_name_with_prefix`` for an ``active_job`` entry."""
    prefix = entry.queue_name_prefix or ""
    if not prefix:  # ActiveJob::Base.queue_name_prefix is nil: jobsim has no global one
        return queue
    delimiter = entry.queue_name_delimiter or _DELIMITER
    return f"{prefix}{delimiter}{queue}"
