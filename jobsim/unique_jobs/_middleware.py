"""sidekiq-unique-jobs' client and server middleware: the lifecycle of the five lock types.

=========================  ===========  ==================  ==================================
lock                       taken        released            after a failure (job retries)
=========================  ===========  ==================  ==================================
until_executing            push         before ``perform``  locked again (wait 0)
until_executed             push         after success       kept
until_expired              push         by its TTL only     kept
while_executing            ``perform``  when it ends        released (``ensure``)
until_and_while_executing  push         push lock at start, push lock locked again, runtime
                                        runtime lock at     lock released
                                        the end
=========================  ===========  ==================  ==================================

A dead job's digest is deleted by the death handler (``_runtime``). "When it ends" is when the
job's virtual duration has passed; a crash ends nothing, so a crashed job's locks stay held
until their TTL or the orphan reaper.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from jobsim.unique_jobs._conflict import on_client_conflict, on_server_conflict, take_lock
from jobsim.unique_jobs._digest import RUN_SUFFIX
from jobsim.unique_jobs._lanes import (
    ENSURED,
    SUCCEEDED,
    push_simple,
    release_after,
    start_until_executed,
    start_while_executing,
)
from jobsim.unique_jobs._prepare import Prepared, apply
from jobsim.unique_jobs._runtime import UniqueRuntime

__all__ = ["UniqueClient", "UniqueServer"]


class UniqueClient:
    """``SidekiqUniqueJobs::Middleware::Client``: takes the lock when a job is pushed."""

    #: Holds only the runtime it was added with: the chain reuses one instance.
    stateless = True

    def __init__(self, runtime: UniqueRuntime) -> None:
        self.runtime = runtime

    def call(
        self, subject: Any, job: dict[str, Any], queue: str, call_next: Callable[[], Any]
    ) -> Any:
        return call_next() if self.passes(subject, job, queue) else None

    def passes(self, subject: Any, job: dict[str, Any], queue: str) -> bool:
        """Whether the push goes on: the lock is taken, or the conflict strategy let it."""
        runtime = self.runtime
        if job.pop("rescheduled", None):
            return True  # the reschedule strategy's copy skips the lock
        job_class = runtime.job_class(subject, job)
        resolved = runtime.resolutions.on_push(job, job_class)
        if resolved.lock is None:
            return True  # a job without a lock: nothing to write or take
        if resolved.lane_kind is not None and push_simple(runtime, resolved, job):
            return True
        prepared = apply(resolved, job, runtime.settings, runtime.now)
        if prepared is None or prepared.lock == "while_executing":
            return True  # while_executing locks nothing on push
        return take_lock(runtime, prepared, job) or on_client_conflict(runtime, prepared, job)


class UniqueServer:
    """``SidekiqUniqueJobs::Middleware::Server``: each lock type's ``execute``.

    It never writes into the hash it is given (see ``UniqueRuntime.at_start``), so alone in the
    chain it runs on the stored job without the chain's parsed copy.
    """

    #: Holds only the runtime it was added with: the chain reuses one instance.
    stateless = True

    def __init__(self, runtime: UniqueRuntime) -> None:
        self.runtime = runtime

    def call(
        self, instance: Any, job: dict[str, Any], queue: str, call_next: Callable[[], Any]
    ) -> Any:
        return call_next() if self.passes(instance, job, queue) else None

    def passes(self, instance: Any, job: Mapping[str, Any], queue: str) -> bool:
        """Whether ``perform`` runs: each lock type's ``execute`` up to its ``yield``."""
        runtime = self.runtime
        if job.get("rescheduled"):
            return True
        job_class = runtime.job_class(instance, job)
        digest = job.get("lock_digest")
        if type(digest) is str and "lock_ttl" in job:
            lock = job.get("lock")
            if lock == "until_executed":
                if start_until_executed(runtime, job, job_class, instance, digest):
                    return True
            elif lock == "while_executing" and start_while_executing(
                runtime, job, job_class, instance, digest
            ):
                return True
        prepared, job = runtime.at_start(job, job_class)
        if prepared is None:
            return True
        run = _EXECUTE.get(prepared.lock)
        return True if run is None else run(runtime, prepared, instance, job)


#: One lock type's ``execute`` up to its ``yield``: True when ``perform`` runs.
Execute = Callable[[UniqueRuntime, Prepared, Any, Mapping[str, Any]], bool]


def _until_executing(
    runtime: UniqueRuntime,
    prepared: Prepared,
    instance: Any,
    job: Mapping[str, Any],
) -> bool:
    jid = str(job["jid"])
    if runtime.table.unlock(prepared.digest, jid, runtime.now):
        runtime.after_unlock(instance, job)

    def ended(how: str) -> None:
        if how == "failed":
            take_lock(runtime, prepared, job)  # locksmith.lock(wait: 0): may find it taken

    runtime.after_run(jid, ended)
    return True


def _until_executed(
    runtime: UniqueRuntime,
    prepared: Prepared,
    instance: Any,
    job: Mapping[str, Any],
) -> bool:
    jid = str(job["jid"])
    if not take_lock(runtime, prepared, job):
        # Its own lock expired and another job took it: Locksmith#execute does not yield and
        # no strategy is called; the job is dropped.
        reason = "its lock is held by another job (expired or deleted); perform skipped"
        runtime.conflict(job, digest=prepared.digest, strategy=None, phase="server", reason=reason)
        return False
    if prepared.lock == "until_executed":
        release = release_after(SUCCEEDED, runtime, prepared.digest, jid, instance, job)
        runtime.after_run(jid, release)
    return True


def _while_executing(
    runtime: UniqueRuntime,
    prepared: Prepared,
    instance: Any,
    job: Mapping[str, Any],
) -> bool:
    jid = str(job["jid"])
    digest = prepared.digest
    if not take_lock(runtime, prepared, job, digest):
        on_server_conflict(runtime, prepared.server_strategy, job, digest)
        return False

    runtime.after_run(jid, release_after(ENSURED, runtime, digest, jid, instance, job))
    return True


def _until_and_while_executing(
    runtime: UniqueRuntime,
    prepared: Prepared,
    instance: Any,
    job: Mapping[str, Any],
) -> bool:
    jid = str(job["jid"])
    now = runtime.now
    if not runtime.table.unlock(prepared.digest, jid, now):
        reason = "another job holds its push lock; perform skipped (unlock_failed)"
        runtime.conflict(job, digest=prepared.digest, strategy=None, phase="server", reason=reason)
        return False
    runtime_digest = prepared.digest + RUN_SUFFIX
    if not take_lock(runtime, prepared, job, runtime_digest):
        try:
            on_server_conflict(runtime, prepared.server_strategy, job, runtime_digest)
        except Exception:
            take_lock(runtime, prepared, job)  # rescue StandardError: lock again, re-raise
            raise
        return False

    def ended(how: str) -> None:
        if how in ENSURED and runtime.table.unlock(runtime_digest, jid, runtime.now):
            runtime.after_unlock(instance, job)
        if how == "failed":
            take_lock(runtime, prepared, job)

    runtime.after_run(jid, ended)
    return True


_EXECUTE: Mapping[str, Execute] = {
    "until_executing": _until_executing,
    "until_executed": _until_executed,
    "until_expired": _until_executed,
    "while_executing": _while_executing,
    "until_and_while_executing": _until_and_while_executing,
}
