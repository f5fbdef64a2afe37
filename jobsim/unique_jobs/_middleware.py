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
from jobsim.unique_jobs._prepare import Prepared, prepare, prepared_at_push
from jobsim.unique_jobs._runtime import UniqueRuntime

__all__ = ["UniqueClient", "UniqueServer"]

#: Endings after which ``ensure`` blocks ran (a crash runs none).
_ENSURED = ("succeeded", "failed", "pushed_back")


class UniqueClient:
    """``SidekiqUniqueJobs::Middleware::Client``: takes the lock when a job is pushed."""

    #: Holds only the runtime it was added with: the chain reuses one instance.
    stateless = True

    def __init__(self, runtime: UniqueRuntime) -> None:
        self.runtime = runtime

    def call(
        self, subject: Any, job: dict[str, Any], queue: str, call_next: Callable[[], Any]
    ) -> Any:
        runtime = self.runtime
        if job.pop("rescheduled", None):
            return call_next()  # the reschedule strategy's copy skips the lock
        job_class = runtime.job_class(subject, job)
        prepared = prepare(job, job_class, runtime.settings, runtime.now, runtime.methods)
        if prepared is None or prepared.lock == "while_executing":
            return call_next()  # while_executing locks nothing on push
        if take_lock(runtime, prepared, job):
            return call_next()
        return on_client_conflict(runtime, prepared, job, call_next)


class UniqueServer:
    """``SidekiqUniqueJobs::Middleware::Server``: each lock type's ``execute``."""

    #: Holds only the runtime it was added with: the chain reuses one instance.
    stateless = True

    def __init__(self, runtime: UniqueRuntime) -> None:
        self.runtime = runtime

    def call(
        self, instance: Any, job: dict[str, Any], queue: str, call_next: Callable[[], Any]
    ) -> Any:
        runtime = self.runtime
        if job.pop("rescheduled", None):
            return call_next()
        job_class = runtime.job_class(instance, job)
        prepared = prepared_at_push(job, job_class, runtime.settings, runtime.now, runtime.methods)
        if prepared is None:
            return call_next()
        run = _EXECUTE.get(prepared.lock)
        if run is None:
            return call_next()
        return run(runtime, prepared, instance, job, call_next)


Execute = Callable[[UniqueRuntime, Prepared, Any, dict[str, Any], Callable[[], Any]], Any]


def _until_executing(
    runtime: UniqueRuntime,
    prepared: Prepared,
    instance: Any,
    job: dict[str, Any],
    call_next: Callable[[], Any],
) -> Any:
    jid = str(job["jid"])
    if runtime.table.unlock(prepared.digest, jid, runtime.now):
        runtime.after_unlock(instance, job)

    def ended(how: str) -> None:
        if how == "failed":
            take_lock(runtime, prepared, job)  # locksmith.lock(wait: 0): may find it taken

    runtime.after_run(jid, ended)
    return call_next()


def _until_executed(
    runtime: UniqueRuntime,
    prepared: Prepared,
    instance: Any,
    job: dict[str, Any],
    call_next: Callable[[], Any],
) -> Any:
    jid = str(job["jid"])
    if not take_lock(runtime, prepared, job):
        # Its own lock expired and another job took it: Locksmith#execute does not yield and
        # no strategy is called; the job is dropped.
        reason = "its lock is held by another job (expired or deleted); perform skipped"
        runtime.conflict(job, digest=prepared.digest, strategy=None, phase="server", reason=reason)
        return None
    if prepared.lock == "until_executed":

        def ended(how: str) -> None:
            if how == "succeeded" and runtime.table.unlock(prepared.digest, jid, runtime.now):
                runtime.after_unlock(instance, job)

        runtime.after_run(jid, ended)
    return call_next()


def _while_executing(
    runtime: UniqueRuntime,
    prepared: Prepared,
    instance: Any,
    job: dict[str, Any],
    call_next: Callable[[], Any],
) -> Any:
    jid = str(job["jid"])
    digest = prepared.digest
    if not take_lock(runtime, prepared, job, digest):
        on_server_conflict(runtime, prepared.server_strategy, job, digest)
        return None

    def ended(how: str) -> None:
        if how in _ENSURED and runtime.table.unlock(digest, jid, runtime.now):
            runtime.after_unlock(instance, job)

    runtime.after_run(jid, ended)
    return call_next()


def _until_and_while_executing(
    runtime: UniqueRuntime,
    prepared: Prepared,
    instance: Any,
    job: dict[str, Any],
    call_next: Callable[[], Any],
) -> Any:
    jid = str(job["jid"])
    now = runtime.now
    if not runtime.table.unlock(prepared.digest, jid, now):
        reason = "another job holds its push lock; perform skipped (unlock_failed)"
        runtime.conflict(job, digest=prepared.digest, strategy=None, phase="server", reason=reason)
        return None
    runtime_digest = prepared.digest + RUN_SUFFIX
    if not take_lock(runtime, prepared, job, runtime_digest):
        try:
            on_server_conflict(runtime, prepared.server_strategy, job, runtime_digest)
        except Exception:
            take_lock(runtime, prepared, job)  # rescue StandardError: lock again, re-raise
            raise
        return None

    def ended(how: str) -> None:
        if how in _ENSURED and runtime.table.unlock(runtime_digest, jid, runtime.now):
            runtime.after_unlock(instance, job)
        if how == "failed":
            take_lock(runtime, prepared, job)

    runtime.after_run(jid, ended)
    return call_next()


_EXECUTE: Mapping[str, Execute] = {
    "until_executing": _until_executing,
    "until_executed": _until_executed,
    "until_expired": _until_executed,
    "while_executing": _while_executing,
    "until_and_while_executing": _until_and_while_executing,
}
