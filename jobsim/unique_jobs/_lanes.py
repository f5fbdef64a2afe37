"""The usual unique job's push and start, written out.

Most unique jobs are pushed with ``perform_async`` and a lock whose options resolve to fixed
values (``Resolved.simple``): their push writes the resolved keys, hashes class, queue and a
flat args list, and takes a free digest; their start finds the lock still held by their own
jid. These two functions do exactly what ``apply`` + ``take_lock`` and ``_until_executed`` do
for that case, in one call each; anything else (a scheduled push, ``apartment``, args that
need the JSON encoder, a taken digest, a lock no longer held) returns None before changing
anything, and the caller takes the general path. ``tests/unique_jobs/test_lanes.py`` runs
the same jobs both ways and compares trace bytes and locks.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from jobsim.unique_jobs._digest import flat_json, plain_digest
from jobsim.unique_jobs._prepare import declared_options

if TYPE_CHECKING:
    from jobsim.unique_jobs._prepare import Resolved
    from jobsim.unique_jobs._runtime import UniqueRuntime

__all__ = ["push_simple", "start_until_executed"]


def push_simple(runtime: UniqueRuntime, resolved: Resolved, job: dict[str, Any]) -> bool:
    """Write the lock's keys into ``job`` and take its free digest; False (``job`` as it was)
    when this is not the usual case, for the general path."""
    klass = job.get("class")
    queue = job.get("queue")
    args = job.get("args")
    jid = job.get("jid")
    if type(klass) is not str or type(queue) is not str or type(jid) is not str:
        return False
    if "at" in job or "apartment" in job:
        return False
    flat = flat_json(args) if args is not None else None
    if flat is None:
        return False
    prefix: str = resolved.prefix
    digest = plain_digest(klass, flat, queue, prefix, runtime.settings.digest)
    kind = resolved.simple
    if kind is None or not runtime.table.take_free(digest, jid, runtime.now, kind):
        return False  # taken: the general path meets the conflict
    # apply()'s writes, in its order
    job.setdefault("lock", kind.lock_type)
    job["lock_timeout"] = resolved.timeout
    job["lock_ttl"] = resolved.ttl
    job["lock_prefix"] = prefix
    job["lock_args"] = args
    job["lock_digest"] = digest
    return True


def start_until_executed(
    runtime: UniqueRuntime, job: Mapping[str, Any], job_class: Any, instance: Any, digest: str
) -> bool:
    """``UntilExecuted#execute`` for an ``until_executed`` job whose class still declares that
    lock and whose own jid still holds ``digest``: locked again (re-entrant, nothing changes)
    and released when the job succeeds; False otherwise, for the general path."""
    declared = declared_options(job_class)
    # _lock_type(): the class's lock first, then the hash's (the caller read "until_executed")
    if (declared.get("lock") or declared.get("unique") or "until_executed") != "until_executed":
        return False
    jid = job["jid"]
    if type(jid) is not str or not runtime.table.holds(digest, jid, runtime.now):
        return False
    runtime.after_run(jid, release_on_success(runtime, digest, jid, instance, job))
    return True


def release_on_success(
    runtime: UniqueRuntime, digest: str, jid: str, instance: Any, job: Mapping[str, Any]
) -> Any:
    """What ends an ``until_executed`` run: the lock goes when it succeeded."""

    def ended(how: str) -> None:
        if how == "succeeded" and runtime.table.unlock(digest, jid, runtime.now):
            runtime.after_unlock(instance, job)

    return ended
