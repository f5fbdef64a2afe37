"""sidekiq-unique-jobs' conflict strategies (``on_conflict/*.rb`` @ v8.1.0).

On the client (a push finds the digest taken): none and ``log`` drop the push (``perform_async``
returns None); ``replace`` deletes the queued, scheduled or retrying job that holds the digest
and its lock, then tries the lock once more. On the server (a runtime lock is taken): none and
``log`` skip ``perform``; ``raise`` raises :class:`Conflict` (the job retries as any failure);
``reject`` puts the job in the dead set without death handlers; ``reschedule`` pushes a copy
(a new jid) ``schedule_in`` seconds later (5 by default) that skips the client lock. The class
validator already refused the strategies a phase does not take.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from jobsim.errors import JobsimError

if TYPE_CHECKING:
    from jobsim.unique_jobs._prepare import Prepared
    from jobsim.unique_jobs._runtime import UniqueRuntime

__all__ = [
    "DEFAULT_SCHEDULE_IN",
    "Conflict",
    "on_client_conflict",
    "on_server_conflict",
    "take_lock",
]

#: ``Reschedule#schedule_in`` without a ``schedule_in`` option.
DEFAULT_SCHEDULE_IN = 5


class Conflict(JobsimError):
    """``SidekiqUniqueJobs::Conflict``: ``on_conflict: :raise`` found the lock taken.

    Raised inside the job's execution, so Sidekiq's retry handling takes it like any error.
    """

    sidekiq_error_class = "SidekiqUniqueJobs::Conflict"

    def __init__(self, digest: str) -> None:
        super().__init__(f"Item with the key: {digest} is already scheduled or processing")
        self.digest = digest


def on_client_conflict(runtime: UniqueRuntime, prepared: Prepared, job: dict[str, Any]) -> bool:
    """What the client does when ``job``'s lock is taken: True when the push goes on."""
    strategy = prepared.client_strategy
    digest = prepared.digest
    if strategy != "replace":
        runtime.conflict(job, digest=digest, strategy=strategy, phase="client")
        return False
    held = runtime.table.live(digest, runtime.now)
    holder = next(iter(held.holders), None) if held is not None else None
    # named before the delete, which goes through the data API and so drops the lock too
    replaced = _delete_job_by_digest(runtime, job, digest)
    detail = {"holder": holder, "replaced": replaced}
    runtime.conflict(job, digest=digest, strategy=strategy, phase="client", **detail)
    if replaced is None:
        return False  # the holder is running (or gone): nothing to replace, the push is dropped
    runtime.table.delete(digest)
    return take_lock(runtime, prepared, job)


def take_lock(
    runtime: UniqueRuntime, prepared: Prepared, job: Mapping[str, Any], digest: str = ""
) -> bool:
    """Lock ``prepared.digest`` (or the runtime ``digest``) for the job's jid."""
    at = job.get("at")
    if at is not None and (isinstance(at, bool) or not isinstance(at, int | float)):
        at = None  # not a time: scored by the lock time
    return runtime.table.lock(
        digest or prepared.digest,
        str(job["jid"]),
        runtime.now,
        lock_type="while_executing" if digest else prepared.lock,
        ttl=prepared.ttl,
        limit=prepared.limit,
        score=None if at is None else float(at),
    )


def _delete_job_by_digest(runtime: UniqueRuntime, job: Mapping[str, Any], digest: str) -> Any:
    """``delete_job_by_digest.lua``: the first job carrying ``digest`` in the job's queue,
    then the schedule, then the retry set, deleted; its jid, or None."""
    sim = runtime.sim
    queue = sim.queue(str(job.get("queue")))
    for found in queue:
        if found.get("lock_digest") == digest:
            jid = str(found["jid"])
            queue.delete(jid)
            return jid
    for sorted_set in (sim.scheduled, sim.retries):
        for entry in sorted_set:
            if entry.job.get("lock_digest") == digest:
                sorted_set.delete(entry.jid)
                return entry.jid
    return None


def on_server_conflict(
    runtime: UniqueRuntime, strategy: str | None, job: Mapping[str, Any], digest: str
) -> None:
    """What the server does when a runtime lock is taken; returns when ``perform`` is skipped."""
    sim = runtime.sim
    if strategy == "raise":
        runtime.conflict(job, digest=digest, strategy=strategy, phase="server")
        raise Conflict(digest)
    if strategy == "reject":
        runtime.conflict(job, digest=digest, strategy=strategy, phase="server")
        reason = f"rejected by sidekiq-unique-jobs: {digest} is locked"
        sim._processor.kill(job, reason, notify=False)
        return
    if strategy == "reschedule":
        job_class = sim.job_class(str(job.get("class")))
        if job_class is None:  # Reschedule#call: not a Sidekiq job class, nothing pushed
            reason = f"class {job.get('class')!r} is not registered: not rescheduled"
            runtime.conflict(job, digest=digest, strategy=strategy, phase="server", reason=reason)
            return
        options = job_class.sidekiq_options
        delay = options.get("schedule_in") or DEFAULT_SCHEDULE_IN
        again: dict[str, Any] = {
            "class": job_class,
            "args": list(job.get("args", [])),
            "queue": job.get("queue"),
            "at": sim.time + float(delay),
            "rescheduled": True,
        }
        new_jid = sim._client.push(again)
        detail = {"rescheduled_as": new_jid, "schedule_in": delay}
        runtime.conflict(job, digest=digest, strategy=strategy, phase="server", **detail)
        return
    runtime.conflict(job, digest=digest, strategy=strategy, phase="server")
