"""The usual unique job's push and start, written out.

Most unique jobs are pushed with ``perform_async`` and a lock whose options resolve to fixed
values (``Resolved.lane_kind``): their push writes the resolved keys, hashes class, queue and a
flat args list, and takes a free digest (a ``while_executing`` push takes none); an
``until_executed`` start finds the lock still held by its own jid, a ``while_executing`` start
finds its runtime digest free. These functions do exactly what ``apply`` + ``take_lock`` and
``_until_executed`` / ``_while_executing`` do for those cases, in one call each; anything else
(a scheduled push, ``apartment``, args that need the JSON encoder, a taken digest, a lock no
longer held) returns False before changing anything, and the caller takes the general path.
``tests/unique_jobs/test_lanes.py`` runs the same jobs both ways and compares trace bytes,
locks and the Redis layout.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from jobsim.unique_jobs._digest import RUN_SUFFIX, flat_json, plain_digest
from jobsim.unique_jobs._prepare import lock_type_of
from jobsim.unique_jobs._table import LockKind

if TYPE_CHECKING:
    from jobsim.unique_jobs._prepare import Resolved
    from jobsim.unique_jobs._runtime import UniqueRuntime

__all__ = [
    "ENSURED",
    "SUCCEEDED",
    "push_simple",
    "release_after",
    "start_until_executed",
    "start_while_executing",
]

#: Endings after which ``ensure`` blocks ran (a crash runs none).
ENSURED = ("succeeded", "failed", "pushed_back")
#: The ending after which an ``until_executed`` lock goes.
SUCCEEDED = ("succeeded",)


def push_simple(runtime: UniqueRuntime, resolved: Resolved, job: dict[str, Any]) -> bool:
    """Write the lock's keys into ``job`` and take its free digest; False (``job`` as it was)
    when this is not the usual case, for the general path."""
    kind = resolved.lane_kind
    if kind is None:
        return False
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
    if kind.lock_type == "while_executing":
        digest += RUN_SUFFIX  # its runtime lock's digest; nothing is locked on push
    elif not runtime.table.take_free(digest, jid, runtime.now, kind):
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
    jid = job["jid"]
    if lock_type_of(job, job_class) != "until_executed" or type(jid) is not str:
        return False
    if not runtime.table.holds(digest, jid, runtime.now):
        return False
    runtime.after_run(jid, release_after(SUCCEEDED, runtime, digest, jid, instance, job))
    return True


def start_while_executing(
    runtime: UniqueRuntime, job: Mapping[str, Any], job_class: Any, instance: Any, digest: str
) -> bool:
    """``WhileExecuting#execute`` for a ``while_executing`` job (its class still declaring that
    lock) whose runtime ``digest`` is free: locked for its jid and released when the run
    ends, ``ensure`` included; False otherwise (taken: the general path meets the conflict)."""
    lock_type, limit, _, _ = runtime.resolutions.at_start(job, job_class)
    jid = job["jid"]
    if lock_type != "while_executing" or type(jid) is not str:
        return False
    kind = LockKind("while_executing", limit, job["lock_ttl"])
    if not runtime.table.take_free(digest, jid, runtime.now, kind):
        return False
    runtime.after_run(jid, release_after(ENSURED, runtime, digest, jid, instance, job))
    return True


def release_after(
    endings: tuple[str, ...],
    runtime: UniqueRuntime,
    digest: str,
    jid: str,
    instance: Any,
    job: Mapping[str, Any],
) -> Callable[[str], None]:
    """What ends a run holding ``digest``: the lock goes when the run ended one of
    ``endings`` ways (``SUCCEEDED`` for ``until_executed``, ``ENSURED`` for a runtime lock),
    then the job's ``after_unlock`` hook runs."""

    def ended(how: str) -> None:
        if how in endings and runtime.table.unlock(digest, jid, runtime.now):
            runtime.after_unlock(instance, job)

    return ended
