"""The Sidekiq API deletes that release locks (``sidekiq_unique_ext.rb`` @ v8.1.0).

The gem prepends to Sidekiq's data API so that a job taken out by hand gives up its lock:
``JobRecord#delete`` (a queued job, before it is removed, whether or not it is still there),
``Queue#clear`` and ``JobSet#clear`` (each job deleted one by one), ``SortedEntry#delete``
(through ``JobSet#delete_by_value`` too), ``SortedEntry#remove_job`` (under ``retry``,
``add_to_queue`` and ``kill``: the lock goes before the job is pushed or killed) and
``ScheduledSet#delete(score, jid)``. Nothing else is patched: ``RetrySet#delete(score, jid)``,
``DeadSet#delete(score, jid)``, ``delete_by_jid``, ``reschedule`` and, from Sidekiq 7.3.5,
``retry_all``/``kill_all`` (which pop the set without a ``SortedEntry``) keep the lock.

Each release is ``Unlockable.delete!``: the digest is worked out again from the job hash (so a
``while_executing`` job's ``:RUN`` suffix is not part of it) and deleted whoever holds it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from jobsim.unique_jobs._digest import RUN_SUFFIX
from jobsim.unique_jobs._prepare import lock_type_of, prepare

if TYPE_CHECKING:
    from jobsim.unique_jobs._runtime import UniqueRuntime

__all__ = ["PATCHED_METHODS", "ApiRelease", "patched"]

#: The Sidekiq API methods whose removals release a lock, whatever set they act on.
PATCHED_METHODS = frozenset(
    {
        "JobRecord#delete",
        "Queue#clear",
        "SortedEntry#delete",
        "SortedEntry#remove_job",
        "JobSet#clear",
    }
)


def patched(method: str, place: str) -> bool:
    """Whether the gem releases the lock of a job ``method`` takes out of ``place``."""
    # JobSet#delete(score, jid) is patched on ScheduledSet only.
    return method in PATCHED_METHODS or (method == "JobSet#delete" and place == "schedule")


class ApiRelease:
    """The API-removal listener of one simulator's unique-jobs plugin."""

    __slots__ = ("runtime",)

    def __init__(self, runtime: UniqueRuntime) -> None:
        self.runtime = runtime

    def __call__(self, job: Mapping[str, Any], method: str, place: str) -> None:
        if not patched(method, place):
            return
        runtime = self.runtime
        job_class = runtime.sim.job_class(str(job.get("class")))
        if lock_type_of(job, job_class) is None:
            # Sidekiq would hash a digest for it too, but no lock can sit under the digest of
            # a job whose class and hash declare none.
            return
        item = {key: value for key, value in job.items() if key != "lock_digest"}
        prepared = prepare(
            item, job_class, runtime.settings, runtime.now, runtime.resolutions.found
        )
        if prepared is not None:
            runtime.table.delete(prepared.digest.removesuffix(RUN_SUFFIX))
